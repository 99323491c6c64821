//! Add, edit, import and delete servers.

use super::*;

/// Add (when `existing` is `None`) or edit a server.
#[component]
pub(super) fn ServerDialog(
    existing: Option<McpServer>,
    on_close: Callback<()>,
    on_saved: Callback<i64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let editing = existing.as_ref().map(|s| s.id);
    let e = existing;
    let name = RwSignal::new(e.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        e.as_ref()
            .and_then(|s| s.description.clone())
            .unwrap_or_default(),
    );
    let transport = RwSignal::new(e.as_ref().map(|s| s.transport).unwrap_or_default());
    let command = RwSignal::new(e.as_ref().map(|s| s.command.clone()).unwrap_or_default());
    let args = RwSignal::new(e.as_ref().map(|s| s.args.join("\n")).unwrap_or_default());
    let env = RwSignal::new(
        e.as_ref()
            .map(|s| s.env.clone().into_iter().collect())
            .unwrap_or_default(),
    );
    let cwd = RwSignal::new(
        e.as_ref()
            .and_then(|s| s.working_directory.clone())
            .unwrap_or_default(),
    );
    let url = RwSignal::new(e.as_ref().and_then(|s| s.url.clone()).unwrap_or_default());
    let headers = RwSignal::new(
        e.as_ref()
            .map(|s| s.headers.clone().into_iter().collect())
            .unwrap_or_default(),
    );
    let auto_restart = RwSignal::new(e.as_ref().is_some_and(|s| s.auto_restart));
    // A pre-registered OAuth client; its stored secret stays masked (kept
    // when left as it is).
    let client_id = RwSignal::new(
        e.as_ref()
            .and_then(|s| s.oauth_client_id.clone())
            .unwrap_or_default(),
    );
    let client_secret = RwSignal::new(
        e.as_ref()
            .and_then(|s| s.oauth_client_secret.clone())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let was_running = e.as_ref().is_some_and(|s| s.state == McpState::Running);

    let browse = move |_| {
        spawn_local(async move {
            match ipc::pick_folder("Working directory of the server").await {
                Ok(Some(dir)) => cwd.set(dir),
                Ok(None) => {}
                Err(e) => toasts.error("Could not open the folder picker", &e),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let to_map = |pairs: Vec<(String, String)>| -> BTreeMap<String, String> {
            pairs
                .into_iter()
                .filter(|(k, v)| !(k.trim().is_empty() && v.is_empty()))
                .map(|(k, v)| (k.trim().to_string(), v))
                .collect()
        };
        let input = McpServerInput {
            name: name.get_untracked(),
            description: Some(description.get_untracked()),
            transport: transport.get_untracked(),
            command: command.get_untracked(),
            args: args
                .get_untracked()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
            env: to_map(env.get_untracked()),
            working_directory: Some(cwd.get_untracked()),
            url: Some(url.get_untracked()),
            headers: to_map(headers.get_untracked()),
            auto_restart: auto_restart.get_untracked(),
            oauth_client_id: Some(client_id.get_untracked()),
            oauth_client_secret: Some(client_secret.get_untracked()),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match editing {
                None => ipc::call(&mcp::Create { input }).await,
                Some(id) => ipc::call(&mcp::Update { id, input }).await,
            };
            busy.set(false);
            match result {
                Ok(server) => {
                    toasts.success(match (editing, was_running) {
                        (None, _) => format!("Added {}", server.name),
                        (Some(_), true) => format!("Saved {}; restart it to apply", server.name),
                        (Some(_), false) => format!("Saved {}", server.name),
                    });
                    on_saved.run(server.id);
                    on_close.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Saved values are fetched one at a time, only when asked for.
    let reveal_in = move |pairs: RwSignal<Vec<(String, String)>>, part: SecretPart| {
        Callback::new(move |(i, key): (usize, String)| {
            let Some(id) = editing else { return };
            spawn_local(async move {
                let args = mcp::Reveal {
                    id,
                    part,
                    key: key.clone(),
                };
                match ipc::call(&args).await {
                    Ok(value) => pairs.update(|p| {
                        if let Some(row) = p.get_mut(i).filter(|r| r.0 == key) {
                            row.1 = value;
                        }
                    }),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let reveal_env = reveal_in(env, SecretPart::Env);
    let reveal_header = reveal_in(headers, SecretPart::Header);
    let title = if editing.is_some() {
        "Edit MCP server"
    } else {
        "Add MCP server"
    };
    view! {
        <Dialog title=title.to_string() on_close=on_close test_id="mcp-dialog">
            <form class="form" on:submit=submit novalidate>
                <div class="field-row">
                    <label class="field">
                        <span>"Name"</span>
                        <input class="input" data-testid="mcp-name" autofocus=true prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>"Transport"</span>
                        <select class="input" data-testid="mcp-transport"
                            prop:value=move || transport.get().as_str()
                            on:change=move |ev| transport.set(McpTransport::parse(&event_target_value(&ev)).unwrap_or_default())>
                            <option value="stdio">"Local program (stdio)"</option>
                            <option value="http">"URL (streamable HTTP)"</option>
                        </select>
                    </label>
                </div>
                <label class="field">
                    <span>"Description"</span>
                    <input class="input" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
                </label>
                {move || if transport.get() == McpTransport::Stdio {
                    view! {
                        <label class="field">
                            <span>"Command"</span>
                            <input class="input mono" data-testid="mcp-command" placeholder="npx" prop:value=move || command.get() on:input=move |ev| command.set(event_target_value(&ev))/>
                            <small class="hint">"One program: a name on PATH or an absolute path. It is run directly, never through a shell."</small>
                        </label>
                        <label class="field">
                            <span>"Arguments, one per line"</span>
                            <textarea class="input mono" rows="3" data-testid="mcp-args" placeholder="-y\n@modelcontextprotocol/server-everything" prop:value=move || args.get() on:input=move |ev| args.set(event_target_value(&ev))></textarea>
                        </label>
                        <div class="field">
                            <span>"Environment variables"</span>
                            <SecretPairs pairs=env key_label="NAME" test_id="mcp-env" reveal=reveal_env/>
                        </div>
                        <label class="field">
                            <span>"Working directory (optional)"</span>
                            <div class="input-row">
                                <input class="input mono" placeholder="Your home folder" prop:value=move || cwd.get() on:input=move |ev| cwd.set(event_target_value(&ev))/>
                                <button type="button" class="button" on:click=browse>"Browse…"</button>
                            </div>
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <label class="field">
                            <span>"URL"</span>
                            <input class="input mono" data-testid="mcp-url" placeholder="http://127.0.0.1:3001/mcp" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                        </label>
                        <div class="field">
                            <span>"Headers"</span>
                            <SecretPairs pairs=headers key_label="Header" test_id="mcp-headers" reveal=reveal_header/>
                        </div>
                        <details class="field">
                            <summary>"OAuth client (optional)"</summary>
                            <p class="muted small-text">"If the server's sign-in needs an OAuth app registered beforehand (its developer settings give an id and maybe a secret), enter it; otherwise AI Desktop registers itself when the server asks you to sign in."</p>
                            <div class="input-row">
                                <input class="input mono" data-testid="mcp-oauth-client-id" placeholder="client id" prop:value=move || client_id.get() on:input=move |ev| client_id.set(event_target_value(&ev))/>
                                <input class="input mono" type="password" data-testid="mcp-oauth-client-secret" placeholder="client secret" autocomplete="off" prop:value=move || client_secret.get() on:input=move |ev| client_secret.set(event_target_value(&ev))/>
                            </div>
                        </details>
                    }.into_any()
                }}
                <label class="check">
                    <input type="checkbox" prop:checked=move || auto_restart.get() on:change=move |ev| auto_restart.set(event_target_checked(&ev))/>
                    "Restart it when it crashes (gives up after 5 quick crashes)"
                </label>
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="mcp-submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else if editing.is_some() { "Save" } else { "Add" }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
}

#[component]
pub(super) fn ExportDialog(on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let with_secrets = RwSignal::new(false);
    let text = RwSignal::new(None::<Result<String, ApiError>>);
    Effect::new(move |_| {
        let with_secrets = with_secrets.get();
        spawn_local(async move {
            let r = ipc::call(&mcp::Export { with_secrets }).await;
            let _ = text.try_set(Some(r));
        });
    });
    view! {
        <Dialog title="Export MCP servers".to_string() on_close=on_close test_id="mcp-export-dialog">
            <div class="dialog-body">
                <p class="muted">"Every server as the mcpServers JSON that Claude Desktop, Cursor, Claude Code and VS Code read. Paste it into their config."</p>
                <label class="check">
                    <input type="checkbox" data-testid="mcp-export-secrets" prop:checked=move || with_secrets.get()
                        on:change=move |ev| with_secrets.set(event_target_checked(&ev))/>
                    "Include env and header values (API keys, tokens)"
                </label>
                {move || match text.get() {
                    None => view! { <div class="loading"><span class="spinner"></span></div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(json)) => view! {
                        <textarea class="input mono" rows="14" readonly data-testid="mcp-export-json" prop:value=json></textarea>
                    }.into_any(),
                }}
                {move || (!with_secrets.get()).then(|| view! { <p class="muted small-text">"Values are left empty: fill them in where you paste it."</p> })}
            </div>
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Close"</button>
                <button class="button primary" data-testid="mcp-export-copy"
                    on:click=move |_| {
                        if let Some(Ok(json)) = text.get_untracked() {
                            crate::components::clipboard::copy(json, "The mcpServers JSON", toasts);
                        }
                    }>"Copy"</button>
            </footer>
        </Dialog>
    }
}

#[component]
pub(super) fn ImportDialog(on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let text = RwSignal::new(String::new());
    let report = RwSignal::new(None::<ImportReport>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let read_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        if file.size() > 1024.0 * 1024.0 {
            error.set(Some(invalid(
                "That file is larger than 1 MiB; an mcpServers file is much smaller.",
            )));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => {
                    text.set(v.as_string().unwrap_or_default());
                    error.set(None);
                }
                Err(_) => error.set(Some(invalid("Could not read that file."))),
            }
        });
    };
    let import = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = ipc::call(&mcp::Import {
                json: text.get_untracked(),
            })
            .await;
            busy.set(false);
            match result {
                Ok(r) => {
                    if !r.imported.is_empty() {
                        toasts.success(format!("Imported {} server(s)", r.imported.len()));
                    }
                    report.set(Some(r));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Dialog title="Import MCP servers".to_string() on_close=on_close test_id="mcp-import-dialog">
            <div class="form">
                <p class="muted">"Paste a Claude Desktop config (its \"mcpServers\" object is read) or choose the file. Servers whose name is taken are left alone."</p>
                <textarea class="input mono" rows="10" data-testid="import-text"
                    placeholder="{\n  \"mcpServers\": {\n    \"everything\": { \"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-everything\"] }\n  }\n}"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <label class="field">
                    <span>"Or choose a file"</span>
                    <input type="file" accept=".json,application/json" on:change=read_file/>
                </label>
                {move || error.get().map(|e| view! { <ErrorText error=e/> })}
                {move || report.get().map(|r| view! {
                    <div class="import-report" data-testid="import-report">
                        <p><strong>{format!("{} imported", r.imported.len())}</strong>{r.imported.iter().map(|s| format!(" · {}", s.name)).collect::<String>()}</p>
                        {(!r.refused.is_empty()).then(|| view! {
                            <p><strong>{format!("{} refused", r.refused.len())}</strong></p>
                            <ul class="plain-list">
                                {r.refused.iter().map(|x| view! { <li><span class="mono">{x.name.clone()}</span>": "{x.reason.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                    </div>
                })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
                    <button type="button" class="button primary" data-testid="import-submit" disabled=move || busy.get() || text.with(|t| t.trim().is_empty()) on:click=import>
                        {move || if busy.get() { "Importing…" } else { "Import" }}
                    </button>
                </footer>
            </div>
        </Dialog>
    }
}

#[component]
pub(super) fn DeleteDialog(server: McpServer, on_close: Callback<()>) -> impl IntoView {
    let id = server.id;
    let name = server.name.clone();
    let run = move || {
        let name = name.clone();
        async move {
            ipc::call(&mcp::Delete { id }).await?;
            Ok(format!("Deleted {name}"))
        }
    };
    view! {
        <ConfirmDialog title="Delete MCP server?".to_string() action="Delete" run on_close
            test_id="mcp-delete-dialog" confirm_id="mcp-confirm-delete">
            <p>
                "Delete " <strong>{server.name.clone()}</strong> "? "
                {(server.state == McpState::Running).then_some("It is running and will be stopped. ")}
                "Its call history goes with it."
            </p>
        </ConfirmDialog>
    }
}

/// Named sets of servers, each without the tools unticked here, that a
/// Flow session can use (its Tools dialog).
#[component]
pub(super) fn ProfilesDialog(on_close: Callback<()>) -> impl IntoView {
    use ai_desktop_api::mcp::{McpProfile, McpProfileServer};
    let toasts = use_toasts();
    let profiles = RwSignal::new(Vec::<McpProfile>::new());
    let servers = RwSignal::new(Vec::<McpServer>::new());
    // Tools of the running servers, to untick.
    let tools = RwSignal::new(BTreeMap::<i64, Vec<String>>::new());
    spawn_local(async move {
        if let Ok(p) = ipc::call(&mcp::Profiles {}).await {
            let _ = profiles.try_set(p);
        }
        if let Ok(list) = ipc::call(&mcp::List {}).await {
            for s in list.iter().filter(|s| s.state == McpState::Running) {
                if let Ok(t) = ipc::call(&mcp::Tools { id: s.id }).await {
                    let names: Vec<String> = t.into_iter().map(|t| t.name).collect();
                    let _ = tools.try_update(|m| {
                        m.insert(s.id, names);
                    });
                }
            }
            let _ = servers.try_set(list);
        }
    });
    let name = RwSignal::new(String::new());
    // Server → the tools left out; a server in the map is in the profile.
    let chosen = RwSignal::new(BTreeMap::<i64, Vec<String>>::new());
    let error = RwSignal::new(None::<ApiError>);
    let save = move |profile: McpProfile, remove: bool| {
        spawn_local(async move {
            match ipc::call(&mcp::SaveProfile { profile, remove }).await {
                Ok(list) => {
                    let _ = profiles.try_set(list);
                    let _ = error.try_set(None);
                    if !remove {
                        toasts.success("Profile saved");
                        let _ = name.try_set(String::new());
                        let _ = chosen.try_set(BTreeMap::new());
                    }
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let profile = McpProfile {
            name: name.get_untracked(),
            servers: chosen
                .get_untracked()
                .into_iter()
                .map(|(server_id, tools_off)| McpProfileServer {
                    server_id,
                    tools_off,
                })
                .collect(),
        };
        save(profile, false);
    };
    let edit = move |p: McpProfile| {
        name.set(p.name.clone());
        chosen.set(
            p.servers
                .into_iter()
                .map(|s| (s.server_id, s.tools_off))
                .collect(),
        );
    };
    view! {
        <Dialog title="MCP profiles".to_string() on_close=on_close test_id="mcp-profiles-dialog">
            <div class="dialog-body">
                <p class="muted">"A profile is a set of servers, each with the tools you leave ticked. A Flow session on a profile is offered exactly those (tools turned off in the Hub stay off)."</p>
                {move || if profiles.with(Vec::is_empty) {
                    view! { <p class="muted" data-testid="mcp-profiles-empty">"No profiles yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list" data-testid="mcp-profile-list">
                            {profiles.get().into_iter().map(|p| {
                                let (e, r) = (p.clone(), p.clone());
                                view! {
                                    <li class="git-change">
                                        <strong>{p.name.clone()}</strong>
                                        <span class="muted small-text">{format!("{} server(s)", p.servers.len())}</span>
                                        <span class="row-actions">
                                            <button type="button" class="button small" on:click=move |_| edit(e.clone())>"Edit"</button>
                                            <button type="button" class="button small danger" on:click=move |_| save(r.clone(), true)>"Delete"</button>
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <form class="profile-form" on:submit=submit>
                    <label class="field">
                        <span>"Name"</span>
                        <input class="input" data-testid="mcp-profile-name" prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                    <ul class="plain-list">
                        {move || servers.get().into_iter().map(|s| {
                            let sid = s.id;
                            view! {
                                <li>
                                    <label class="check">
                                        <input type="checkbox" data-testid=format!("mcp-profile-server-{sid}")
                                            prop:checked=move || chosen.with(|c| c.contains_key(&sid))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| { if on { c.entry(sid).or_default(); } else { c.remove(&sid); } });
                                            }/>
                                        <strong>{s.name.clone()}</strong>
                                    </label>
                                    {move || chosen.with(|c| c.contains_key(&sid)).then(|| match tools.with(|t| t.get(&sid).cloned()) {
                                        None => view! { <p class="muted small-text">"All its tools (start it to choose them)."</p> }.into_any(),
                                        Some(names) => view! {
                                            <div class="elicit-choices">
                                                {names.into_iter().map(|tool| {
                                                    let (t1, t2) = (tool.clone(), tool.clone());
                                                    view! {
                                                        <label class="check small-text">
                                                            <input type="checkbox" data-testid=format!("mcp-profile-tool-{sid}-{tool}")
                                                                prop:checked=move || chosen.with(|c| c.get(&sid).is_some_and(|off| !off.contains(&t1)))
                                                                on:change=move |ev| {
                                                                    let on = event_target_checked(&ev);
                                                                    chosen.update(|c| if let Some(off) = c.get_mut(&sid) {
                                                                        off.retain(|x| *x != t2);
                                                                        if !on { off.push(t2.clone()); off.sort(); }
                                                                    });
                                                                }/>
                                                            {tool.clone()}
                                                        </label>
                                                    }
                                                }).collect_view()}
                                            </div>
                                        }.into_any(),
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                    <footer class="dialog-footer">
                        <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
                        <button type="submit" class="button primary" data-testid="mcp-profile-save">"Save profile"</button>
                    </footer>
                </form>
            </div>
        </Dialog>
    }
}
