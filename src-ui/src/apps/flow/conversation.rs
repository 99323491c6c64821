//! The session on screen: its header (title, model, tools, state), the
//! messages (followed down while they grow, unless the user scrolled up) and
//! the input.

use super::*;

#[component]
pub(super) fn Conversation(
    id: i64,
    session: Memo<Option<FlowSession>>,
    live: Live,
    settings: RwSignal<Option<FlowSettings>>,
    reload: RwSignal<u32>,
    on_tools: Callback<()>,
    on_delete: Callback<FlowSession>,
    on_resend: Callback<(i64, String, usize)>,
) -> impl IntoView {
    let toasts = use_toasts();
    let messages = RwSignal::new(None::<Result<Vec<FlowMessage>, ApiError>>);
    let draft = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let renaming = RwSignal::new(None::<String>);
    let inserting = RwSignal::new(false);
    let attaching = RwSignal::new(false);
    // Text put into the message box (after what is there).
    let put = move |text: String| {
        draft.update(|d| {
            if !d.trim().is_empty() {
                d.push_str("\n\n");
            }
            d.push_str(&text);
        });
    };
    let models = RwSignal::new(Vec::<String>::new());
    let pane = NodeRef::<html::Div>::new();
    // The file changes of the agent that can still be undone; read again
    // as the conversation changes.
    let checkpoints = Checkpoints(RwSignal::new(Vec::new()));
    provide_context(checkpoints);
    provide_context(SessionRepository(Signal::derive(move || {
        session.with(|s| s.as_ref().and_then(|s| s.repository_id))
    })));
    Effect::new(move |_| {
        messages.track();
        checkpoints.reload(id);
    });

    // A message may change while the list is being read (a recipe's run
    // answers at once): such a change makes the read run again.
    let fresh = ipc::Freshness::new();
    let load = move || {
        fresh.load(move || async move {
            let r = ipc::call(&flow::Messages { session_id: id }).await;
            messages.try_set(Some(r));
        })
    };
    // First read once the listener below is in place; again when asked.
    Effect::new(move |first: Option<()>| {
        reload.track();
        if first.is_some() {
            load();
        }
    });
    spawn_local(async move {
        if let Ok(list) = ipc::call(&flow::Models {}).await {
            models.set(list);
        }
    });
    ipc::listen_while_mounted_then(
        &events::agent_message(id),
        move |m: FlowMessage| {
            fresh.heard();
            if m.status != MessageStatus::Streaming {
                live.text.update(|t| {
                    t.remove(&m.id);
                });
            }
            messages.update(|list| {
                let Some(Ok(list)) = list else { return };
                match list.iter().position(|x| x.id == m.id) {
                    Some(i) => list[i] = m,
                    None => {
                        list.push(m);
                        list.sort_by_key(|x| x.id);
                    }
                }
            });
        },
        load,
    );
    // Follow the conversation down as it grows, unless the user scrolled up
    // to read. The scroll waits for the next frame: by then the new message
    // is in the page, so the pane's height includes it.
    let follow = StoredValue::new(true);
    // Where following last put the pane: content growing below it does not
    // move it, so only a scroll above it is the user's.
    let followed_to = StoredValue::new(0);
    let scroll_down = move || {
        spawn_local(async move {
            ipc::next_animation_frame().await;
            // The user may have scrolled up since this was asked (the scroll
            // event comes before the frame's callbacks): then stay.
            if follow.try_get_value() != Some(true) {
                return;
            }
            if let Some(div) = pane.try_get_untracked().flatten() {
                div.set_scroll_top(div.scroll_height());
                followed_to.set_value(div.scroll_top());
            }
        });
    };
    Effect::new(move |_| {
        messages.track();
        live.text.track();
        if follow.get_value() {
            scroll_down();
        }
    });
    let on_scroll = move |_| {
        if let Some(div) = pane.get_untracked() {
            let top = div.scroll_top();
            if div.scroll_height() - top - div.client_height() < 48 {
                follow.set_value(true);
            } else if top < followed_to.get_value() - 4 {
                follow.set_value(false);
            }
        }
    };

    // Files to send with the next message: name, bytes as base64, size.
    let files = RwSignal::new(Vec::<(String, String, f64)>::new());
    let file_input = NodeRef::<html::Input>::new();
    let add_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let picked: Vec<web_sys::File> = input
            .files()
            .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
            .unwrap_or_default();
        // The same file can be picked again.
        input.set_value("");
        for file in picked {
            let name = file.name();
            if file.size() > 5.0 * 1024.0 * 1024.0 {
                toasts.error(
                    "Not attached",
                    &invalid(format!("{name} is larger than 5 MB.")),
                );
                continue;
            }
            spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => {
                        use base64::Engine;
                        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                        let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
                        let _ = files.try_update(|f| f.push((name, data, file.size())));
                    }
                    Err(_) => toasts.error(
                        "Not attached",
                        &invalid(format!("{name} could not be read.")),
                    ),
                }
            });
        }
    };
    let state = move || session.with(|s| s.as_ref().map(|s| s.run_state).unwrap_or_default());
    let busy = move || matches!(state(), RunState::Thinking | RunState::RunningTool);
    let send = move || {
        let text = draft.get_untracked();
        let attachments: Vec<AttachmentInput> = files
            .get_untracked()
            .into_iter()
            .map(|(name, data, _)| AttachmentInput { name, data })
            .collect();
        if (text.trim().is_empty() && attachments.is_empty()) || sending.get_untracked() {
            return;
        }
        sending.set(true);
        spawn_local(async move {
            let r = ipc::call(&flow::Send {
                session_id: id,
                text,
                attachments,
            })
            .await;
            sending.set(false);
            match r {
                Ok(_) => {
                    draft.set(String::new());
                    files.set(Vec::new());
                    follow.set_value(true);
                    scroll_down();
                }
                Err(e) => toasts.error("Not sent", &e),
            }
        });
    };
    // Slash commands: "/" then letters lists the session's MCP prompts that
    // match; choosing one opens it in the prompt dialog.
    // Read once per set of servers (the Tools dialog may change them).
    type Prompts = Vec<(i64, String, ai_desktop_api::mcp::McpPrompt)>;
    let slash_prompts = RwSignal::new(None::<(Vec<i64>, Prompts)>);
    let slash_pick = RwSignal::new(None::<(i64, String)>);
    let load_slash = move || {
        let servers = session
            .get_untracked()
            .map(|s| s.mcp_server_ids)
            .unwrap_or_default();
        if slash_prompts.with_untracked(|p| p.as_ref().is_some_and(|(ids, _)| *ids == servers)) {
            return;
        }
        slash_prompts.set(Some((servers.clone(), Vec::new())));
        spawn_local(async move {
            if let Ok(list) = session_prompts(servers.clone()).await {
                let _ = slash_prompts.try_set(Some((servers, list)));
            }
        });
    };
    let suggestions = Memo::new(move |_| {
        let typed = draft.get();
        let Some(query) = typed.strip_prefix('/') else {
            return Vec::new();
        };
        if query.contains(char::is_whitespace) {
            return Vec::new();
        }
        let query = query.to_lowercase();
        slash_prompts.with(|list| {
            list.iter()
                .flat_map(|(_, prompts)| prompts)
                .filter(|(_, _, p)| {
                    p.name.to_lowercase().contains(&query)
                        || p.title
                            .as_deref()
                            .is_some_and(|t| t.to_lowercase().contains(&query))
                })
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let pick_slash = move |server_id: i64, name: String| {
        draft.set(String::new());
        slash_pick.set(Some((server_id, name)));
        inserting.set(true);
    };
    let stop = move || {
        spawn_local(async move {
            if let Err(e) = ipc::call(&flow::Cancel { session_id: id }).await {
                toasts.error("Could not stop", &e);
            }
        });
    };
    let patch = move |patch: FlowSessionPatch| {
        spawn_local(async move {
            if let Err(e) = ipc::call(&flow::UpdateSession { id, patch }).await {
                toasts.error("Could not change the session", &e);
            }
        });
    };
    let export = move |format: ExportFormat| {
        spawn_local(async move {
            match ipc::call(&flow::Export {
                session_id: id,
                format,
            })
            .await
            {
                Ok(path) => toasts.success(format!("Exported to {path}")),
                Err(e) => toasts.error("Could not export the conversation", &e),
            }
        });
    };
    let archive = move |archived: bool| {
        spawn_local(async move {
            match ipc::call(&flow::ArchiveSession { id, archived }).await {
                Ok(s) => toasts.success(if archived {
                    format!("Archived {}", s.title)
                } else {
                    format!("Restored {}", s.title)
                }),
                Err(e) => toasts.error("Could not archive", &e),
            }
        });
    };
    // Each result under (the answer that asked, the call's id): models may
    // reuse call ids from one answer to the next.
    let results = Memo::new(move |_| {
        let mut map = HashMap::new();
        messages.with(|m| {
            if let Some(Ok(list)) = m {
                let mut answer = 0;
                for m in list {
                    match m.role {
                        FlowRole::Assistant => answer = m.id,
                        FlowRole::Tool => {
                            if let Some(call) = &m.tool_call_id {
                                map.insert((answer, call.clone()), m.clone());
                            }
                        }
                        FlowRole::User => {}
                    }
                }
            }
        });
        map
    });
    let default_model =
        move || settings.with(|s| s.as_ref().map(|s| s.model.clone()).unwrap_or_default());
    // The list is keyed by what each message shows, so an event re-renders
    // the message it changed, not every answer's markdown.
    let shape = Memo::new(move |_| {
        messages.with(|m| match m {
            None => Shape::Loading,
            Some(Err(e)) => Shape::Failed(e.message.clone()),
            Some(Ok(list)) if list.is_empty() => Shape::Empty,
            Some(Ok(_)) => Shape::Messages,
        })
    });
    let rows = move || {
        messages.with(|m| {
            let Some(Ok(list)) = m else {
                return Vec::new();
            };
            let last_id = list.last().map(|m| m.id);
            list.iter()
                .enumerate()
                .filter(|(_, m)| m.role != FlowRole::Tool)
                .map(|(i, m)| {
                    let is_last = Some(m.id) == last_id;
                    // Only a user message shows how many an edit drops.
                    let dropped = list.len() - i - 1;
                    let shown = if m.role == FlowRole::User { dropped } else { 0 };
                    Row {
                        key: row_key(m, is_last, shown),
                        message: m.clone(),
                        is_last,
                        dropped,
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="panel conversation" data-testid="flow-conversation">
            <div class="detail-head">
                {move || match renaming.get() {
                    Some(title) => view! {
                        <form class="input-row" on:submit=move |ev| {
                            ev.prevent_default();
                            let t = renaming.get_untracked().unwrap_or_default();
                            renaming.set(None);
                            patch(FlowSessionPatch { title: Some(t), ..Default::default() });
                        }>
                            <input class="input" data-testid="flow-title-input" autofocus=true prop:value=title
                                on:input=move |ev| renaming.set(Some(event_target_value(&ev)))
                                on:keydown=move |ev| if ev.key() == "Escape" { renaming.set(None) }/>
                            <button class="button small primary" type="submit">"Rename"</button>
                        </form>
                    }.into_any(),
                    None => view! {
                        <h2 class="detail-name clickable" data-testid="flow-title" title="Click to rename"
                            on:click=move |_| renaming.set(session.get_untracked().map(|s| s.title))>
                            {move || session.get().map(|s| s.title).unwrap_or_default()}
                        </h2>
                    }.into_any(),
                }}
                {move || view! { <StatusPill state=state() test_id="flow-state"/> }}
            </div>
            <div class="toolbar">
                <label class="inline-field">
                    <span class="muted small-text">"Model"</span>
                    <input class="input small-input mono" list="flow-models" data-testid="flow-model"
                        placeholder=move || { let d = default_model(); if d.is_empty() { "model".to_string() } else { format!("{d} (default)") } }
                        prop:value=move || session.get().and_then(|s| s.model).unwrap_or_default()
                        on:change=move |ev| patch(FlowSessionPatch { model: Some(event_target_value(&ev)), ..Default::default() })/>
                    <datalist id="flow-models">
                        {move || models.get().into_iter().map(|m| view! { <option value=m></option> }).collect_view()}
                    </datalist>
                </label>
                <button class="button small" data-testid="flow-tools" on:click=move |_| on_tools.run(())>
                    <Svg icon=Icon::Plug/>
                    {move || {
                        let s = session.get();
                        let servers = s.as_ref().map(|s| s.mcp_server_ids.len()).unwrap_or(0);
                        match (s.and_then(|s| s.repository_name), servers) {
                            (None, 0) => "No tools".to_string(),
                            (None, n) => format!("Tools of {n} server(s)"),
                            (Some(repo), 0) => format!("Tools of {repo}"),
                            (Some(repo), n) => format!("Tools of {repo} + {n} server(s)"),
                        }
                    }}
                </button>
                {move || session.get().and_then(|s| s.repository_name).map(|name| view! {
                    <span class="chip" data-testid="flow-repository-chip" title="The agent works in this repository">{format!("in {name}")}</span>
                })}
                {move || session.get().and_then(|s| s.recipe_name).map(|name| view! {
                    <span class="chip" data-testid="flow-recipe-chip" title="A run of this recipe">{format!("recipe {name}")}</span>
                })}
                {move || {
                    let archived = session.get().is_some_and(|s| s.archived);
                    view! {
                        <button class="button small" data-testid="flow-archive" on:click=move |_| archive(!archived)>
                            {if archived { "Unarchive" } else { "Archive" }}
                        </button>
                    }
                }}
                <details class="row-menu" data-testid="flow-export">
                    <summary class="button small" title="Write the conversation to a file in your Downloads folder">"Export ▾"</summary>
                    <div class="row-menu-items" on:click=move |ev| {
                        // A choice closes the menu.
                        if let Some(d) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.parent_element()) {
                            let _ = d.remove_attribute("open");
                        }
                    }>
                        <button class="menu-item" data-testid="flow-export-md" on:click=move |_| export(ExportFormat::Markdown)>"Markdown"</button>
                        <button class="menu-item" data-testid="flow-export-json" on:click=move |_| export(ExportFormat::Json)>"JSON"</button>
                    </div>
                </details>
                <button class="button small danger" data-testid="flow-delete"
                    on:click=move |_| if let Some(s) = session.get_untracked() { on_delete.run(s) }>"Delete"</button>
            </div>
            <SandboxBar id=id session=session changed=Signal::derive(move || {
                messages.with(|m| m.as_ref().and_then(|r| r.as_ref().ok()).map(Vec::len).unwrap_or(0))
            })/>
            <div class="messages" node_ref=pane data-testid="flow-messages" on:scroll=on_scroll>
                {move || match shape.get() {
                    Shape::Loading => view! { <div class="loading"><span class="spinner"></span>"Loading the conversation…"</div> }.into_any(),
                    Shape::Failed(e) => view! { <p class="form-error">{e}</p> }.into_any(),
                    Shape::Empty => view! {
                        <div class="empty-state small" data-testid="flow-conversation-empty">
                            <p class="muted">"Ask something. Choose the repository the agent works in and which MCP servers' tools it may use with the Tools button."</p>
                        </div>
                    }.into_any(),
                    Shape::Messages => view! {
                        <For each=rows key=|r| r.key children=move |r| view! {
                            <MessageView m=r.message is_last=r.is_last dropped=r.dropped live=live results=results session_id=id on_resend=on_resend/>
                        }/>
                    }.into_any(),
                }}
            </div>
            {move || inserting.get().then(|| view! {
                <InsertPromptDialog server_ids=session.get_untracked().map(|s| s.mcp_server_ids).unwrap_or_default()
                    preselect=slash_pick.get_untracked()
                    on_close=Callback::new(move |_| { inserting.set(false); slash_pick.set(None); })
                    on_insert=Callback::new(move |text: String| {
                        put(text);
                        inserting.set(false);
                        slash_pick.set(None);
                    })/>
            })}
            {move || attaching.get().then(|| view! {
                <AttachResourceDialog server_ids=session.get_untracked().map(|s| s.mcp_server_ids).unwrap_or_default()
                    on_close=Callback::new(move |_| attaching.set(false))
                    on_insert=Callback::new(move |file: (String, String, f64)| {
                        files.update(|f| f.push(file));
                        attaching.set(false);
                    })/>
            })}
            <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
                <div class="composer-tools">
                <button type="button" class="button small" data-testid="flow-insert-prompt"
                    title="Fill in a prompt of the session's MCP servers and put it in the message box"
                    on:click=move |_| inserting.set(true)>"Prompt…"</button>
                <button type="button" class="button small" data-testid="flow-attach-resource"
                    title="Attach a resource of the session's MCP servers to the message"
                    on:click=move |_| attaching.set(true)>"Resource…"</button>
                <button type="button" class="button small" data-testid="flow-attach-files"
                    title="Send text files or images (PNG, JPEG, GIF, WebP) with the message"
                    on:click=move |_| if let Some(i) = file_input.get_untracked() { i.click() }>"Files…"</button>
                <input type="file" multiple class="hidden" data-testid="flow-attach-input" node_ref=file_input
                    on:change=add_files/>
                </div>
                {move || (!files.with(Vec::is_empty)).then(|| view! {
                    <div class="pending-files" data-testid="flow-pending-files">
                        {files.get().into_iter().enumerate().map(|(i, (name, _, size))| view! {
                            <span class="chip attachment">
                                {format!("{name} · {}", crate::format::bytes(size))}
                                <button type="button" class="link" title="Do not send it" data-testid=format!("flow-pending-remove-{i}")
                                    on:click=move |_| files.update(|f| { if i < f.len() { f.remove(i); } })>"×"</button>
                            </span>
                        }).collect_view()}
                    </div>
                })}
                {move || {
                    let list = suggestions.get();
                    (!list.is_empty()).then(|| view! {
                        <ul class="slash-menu" data-testid="flow-slash" role="listbox">
                            {list.into_iter().map(|(server_id, server, p)| {
                                let name = p.name.clone();
                                let about = format!("{server} · {}", p.title.clone().or(p.description.clone()).unwrap_or_default());
                                view! {
                                    <li>
                                        <button type="button" class="menu-item" data-testid=format!("flow-slash-{name}")
                                            on:click=move |_| pick_slash(server_id, name.clone())>
                                            <span class="mono">{format!("/{}", p.name)}</span>
                                            <span class="muted small-text">{about}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                }}
                <textarea class="input" rows="3" data-testid="flow-input"
                    placeholder="Message the agent (Enter sends, Shift+Enter for a new line, / for the servers' prompts)"
                    prop:value=move || draft.get()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        if text.starts_with('/') {
                            load_slash();
                        }
                        draft.set(text);
                    }
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            // A slash command being typed: Enter takes its first match.
                            match suggestions.get_untracked().into_iter().next() {
                                Some((server_id, _, p)) => pick_slash(server_id, p.name),
                                None => send(),
                            }
                        }
                    }></textarea>
                {move || if busy() {
                    view! { <button type="button" class="button danger" data-testid="flow-stop" on:click=move |_| stop()>"Stop"</button> }.into_any()
                } else {
                    view! { <button type="submit" class="button primary" data-testid="flow-send" disabled=move || sending.get() || (draft.with(|d| d.trim().is_empty()) && files.with(Vec::is_empty))>"Send"</button> }.into_any()
                }}
            </form>
        </div>
    }
}

#[derive(Clone, PartialEq)]
pub(super) enum Shape {
    Loading,
    Failed(String),
    Empty,
    Messages,
}

pub(super) struct Row {
    key: u64,
    message: FlowMessage,
    is_last: bool,
    dropped: usize,
}

/// Changes whenever what `MessageView` shows of `m` would.
pub(super) fn row_key(m: &FlowMessage, is_last: bool, dropped: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(m).unwrap_or_default().hash(&mut h);
    (is_last, dropped).hash(&mut h);
    h.finish()
}

/// The repository the session on screen works in.
#[derive(Clone, Copy)]
pub(super) struct SessionRepository(pub Signal<Option<i64>>);

/// The session's checkpoints (file changes of its agent that can be undone).
#[derive(Clone, Copy)]
pub(super) struct Checkpoints(pub RwSignal<Vec<FlowCheckpoint>>);

impl Checkpoints {
    pub(super) fn reload(self, session_id: i64) {
        spawn_local(async move {
            if let Ok(list) = ipc::call(&flow::Checkpoints { session_id }).await {
                self.0.set(list);
            }
        });
    }
}
