//! The provider settings, the tools a session may use, deleting a session
//! and resending an edited message.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn settings_input(
    protocol: ProviderProtocol,
    base_url: String,
    model: String,
    temperature: String,
    max_tokens: String,
    max_steps: String,
    system_prompt: String,
    api_key: ApiKeyChange,
) -> Result<FlowSettingsInput, String> {
    let temperature = match temperature.trim() {
        "" => None,
        t => Some(
            t.parse::<f32>()
                .map_err(|_| "The temperature must be a number, e.g. 0.7.".to_string())?,
        ),
    };
    let max_tokens = match max_tokens.trim() {
        "" => None,
        t => Some(
            t.parse::<u32>()
                .map_err(|_| "Max tokens must be a whole number.".to_string())?,
        ),
    };
    let max_steps = max_steps
        .trim()
        .parse::<u32>()
        .map_err(|_| "The step limit must be a whole number.".to_string())?;
    Ok(FlowSettingsInput {
        protocol,
        base_url,
        model,
        temperature,
        max_tokens,
        system_prompt,
        max_steps,
        api_key,
    })
}

#[component]
pub(super) fn SettingsDialog(
    on_close: Callback<()>,
    on_saved: Callback<FlowSettings>,
) -> impl IntoView {
    let toasts = use_toasts();
    let loaded = RwSignal::new(None::<FlowSettings>);
    let protocol = RwSignal::new(ProviderProtocol::Openai);
    let base_url = RwSignal::new(String::new());
    let model = RwSignal::new(String::new());
    let temperature = RwSignal::new(String::new());
    let max_tokens = RwSignal::new(String::new());
    let max_steps = RwSignal::new(String::from("10"));
    let system_prompt = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let clear_key = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let report = RwSignal::new(None::<ConnectionReport>);
    spawn_local(async move {
        match ipc::call(&flow::Settings {}).await {
            Ok(s) => {
                protocol.set(s.protocol);
                base_url.set(s.base_url.clone());
                model.set(s.model.clone());
                temperature.set(s.temperature.map(|t| t.to_string()).unwrap_or_default());
                max_tokens.set(s.max_tokens.map(|t| t.to_string()).unwrap_or_default());
                max_steps.set(s.max_steps.to_string());
                system_prompt.set(s.system_prompt.clone());
                loaded.set(Some(s));
            }
            Err(e) => error.set(Some(e)),
        }
    });
    let input = move || {
        let k = key.get_untracked();
        let api_key = if clear_key.get_untracked() {
            ApiKeyChange::Clear
        } else if k.trim().is_empty() {
            ApiKeyChange::Keep
        } else {
            ApiKeyChange::Set(k)
        };
        settings_input(
            protocol.get_untracked(),
            base_url.get_untracked(),
            model.get_untracked(),
            temperature.get_untracked(),
            max_tokens.get_untracked(),
            max_steps.get_untracked(),
            system_prompt.get_untracked(),
            api_key,
        )
    };
    let test = move |_| {
        let i = match input() {
            Ok(i) => i,
            Err(e) => return error.set(Some(invalid(e))),
        };
        busy.set(true);
        error.set(None);
        report.set(None);
        spawn_local(async move {
            let r = ipc::call(&flow::TestConnection { input: i }).await;
            busy.set(false);
            match r {
                Ok(r) => report.set(Some(r)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let i = match input() {
            Ok(i) => i,
            Err(e) => return error.set(Some(invalid(e))),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let r = ipc::call(&flow::SaveSettings { input: i }).await;
            busy.set(false);
            match r {
                Ok(s) => {
                    toasts.success("Provider saved");
                    on_saved.try_run(s);
                    on_close.try_run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Dialog title="Flow provider".to_string() on_close=on_close test_id="flow-settings-dialog">
            <form class="form" on:submit=submit novalidate>
                <label class="field">
                    <span>"Protocol"</span>
                    <select class="input" data-testid="flow-protocol"
                        prop:value=move || protocol.get().as_str()
                        on:change=move |ev| {
                            let chosen = ProviderProtocol::ALL
                                .into_iter()
                                .find(|p| p.as_str() == event_target_value(&ev))
                                .unwrap_or_default();
                            // The other protocol's usual address is swapped for
                            // this one's; an address the user typed stays.
                            let was = protocol.get_untracked();
                            if base_url.get_untracked().trim().is_empty()
                                || base_url.get_untracked().trim() == was.default_base_url()
                            {
                                base_url.set(chosen.default_base_url().to_string());
                            }
                            protocol.set(chosen);
                        }>
                        {ProviderProtocol::ALL.into_iter().map(|p| view! {
                            <option value=p.as_str() selected=move || protocol.get() == p>{p.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Base URL"</span>
                    <input class="input mono" data-testid="flow-base-url" placeholder=move || protocol.get().default_base_url()
                        prop:value=move || base_url.get() on:input=move |ev| base_url.set(event_target_value(&ev))/>
                    <small class="hint">{move || match protocol.get() {
                        ProviderProtocol::Openai => "Ollama: http://127.0.0.1:11434/v1 · LM Studio: http://127.0.0.1:1234/v1 · OpenAI: https://api.openai.com/v1",
                        ProviderProtocol::Anthropic => "Anthropic: https://api.anthropic.com/v1 (the key goes in the field below; models such as claude-sonnet-4-5)",
                    }}</small>
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>"Model"</span>
                        <input class="input mono" list="flow-settings-models" data-testid="flow-settings-model"
                            prop:value=move || model.get() on:input=move |ev| model.set(event_target_value(&ev))/>
                        <datalist id="flow-settings-models">
                            {move || report.get().map(|r| r.models.into_iter().map(|m| view! { <option value=m></option> }).collect_view())}
                        </datalist>
                    </label>
                    <label class="field">
                        <span>"API key"</span>
                        <input class="input mono" type="password" autocomplete="off" data-testid="flow-api-key"
                            placeholder=move || loaded.get().and_then(|s| s.api_key_hint).map(|h| format!("{h} (saved; type to replace)")).unwrap_or_else(|| "none (local providers need none)".into())
                            prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev))/>
                        {move || loaded.get().is_some_and(|s| s.api_key_set).then(|| view! {
                            <label class="check small-text">
                                <input type="checkbox" prop:checked=move || clear_key.get() on:change=move |ev| clear_key.set(event_target_checked(&ev))/>
                                "Remove the saved key"
                            </label>
                        })}
                    </label>
                </div>
                <div class="field-row">
                    <label class="field">
                        <span>"Temperature"</span>
                        <input class="input" inputmode="decimal" placeholder="provider default" prop:value=move || temperature.get() on:input=move |ev| temperature.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>"Max tokens"</span>
                        <input class="input" inputmode="numeric" placeholder="provider default" prop:value=move || max_tokens.get() on:input=move |ev| max_tokens.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>"Step limit"</span>
                        <input class="input" inputmode="numeric" data-testid="flow-max-steps" prop:value=move || max_steps.get() on:input=move |ev| max_steps.set(event_target_value(&ev))/>
                    </label>
                </div>
                <label class="field">
                    <span>"System prompt"</span>
                    <textarea class="input" rows="4" prop:value=move || system_prompt.get() on:input=move |ev| system_prompt.set(event_target_value(&ev))></textarea>
                </label>
                {move || report.get().map(|r| view! {
                    <p class=if r.ok { "banner small-text" } else { "banner error small-text" } data-testid="flow-test-report">
                        {r.message}{format!(" ({:.0} ms)", r.duration_ms)}
                    </p>
                })}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" data-testid="flow-test" disabled=move || busy.get() on:click=test>"Test connection"</button>
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="flow-settings-save" disabled=move || busy.get()>
                        {move || if busy.get() { "Working…" } else { "Save" }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
}

#[component]
pub(super) fn ToolsDialog(
    session: Memo<Option<FlowSession>>,
    id: i64,
    on_close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let grants = resource(move || flow::Grants { session_id: id });
    let chosen = RwSignal::new(
        session
            .get_untracked()
            .map(|s| s.mcp_server_ids)
            .unwrap_or_default(),
    );
    // An MCP profile instead of servers ticked here ("": none).
    let profile = RwSignal::new(
        session
            .get_untracked()
            .and_then(|s| s.mcp_profile)
            .unwrap_or_default(),
    );
    // The repository it works in (0: none).
    let repos = expect_context::<crate::apps::repositories::RepoList>();
    let repository = RwSignal::new(
        session
            .get_untracked()
            .and_then(|s| s.repository_id)
            .unwrap_or(0),
    );
    // A session in a sandbox keeps its repository until the sandbox goes.
    let in_sandbox = session
        .get_untracked()
        .and_then(|s| s.sandbox)
        .is_some_and(|b| !b.discarded);
    let sandbox = RwSignal::new(false);
    let save = Action::new_local(move |_: &()| {
        let mut patch = match profile.get_untracked() {
            p if p.is_empty() => FlowSessionPatch {
                mcp_server_ids: Some(chosen.get_untracked()),
                mcp_profile: Some(String::new()),
                ..Default::default()
            },
            p => FlowSessionPatch {
                mcp_profile: Some(p),
                ..Default::default()
            },
        };
        let repository_id = repository.get_untracked();
        let make_sandbox = sandbox.get_untracked() && repository_id != 0 && !in_sandbox;
        if !in_sandbox && !make_sandbox {
            patch.repository_id = Some(repository_id);
        }
        async move {
            if let Err(e) = ipc::call(&flow::UpdateSession { id, patch }).await {
                return toasts.error("Could not choose the tools", &e);
            }
            if make_sandbox {
                match ipc::call(&flow::MakeSandbox {
                    session_id: id,
                    repository_id,
                })
                .await
                {
                    Ok(s) => toasts.success(format!(
                        "The session works in a sandbox on {}",
                        s.sandbox.map(|b| b.branch).unwrap_or_default()
                    )),
                    Err(e) => return toasts.error("Could not make the sandbox", &e),
                }
            }
            on_close.try_run(());
        }
    });
    let revoke = Action::new_local(move |g: &ToolGrant| {
        let revoke = flow::RevokeGrant {
            session_id: id,
            server_id: g.server_id,
            tool: g.tool.clone(),
        };
        async move {
            match ipc::call(&revoke).await {
                Ok(()) => grants.refetch(),
                Err(e) => toasts.error("Could not revoke", &e),
            }
        }
    });
    view! {
        <Dialog title="Tools for this session".to_string() on_close=on_close test_id="flow-tools-dialog">
            <p class="muted">"The agent may call the tools of the servers you tick. Stopped servers are started when it needs them. Every call asks you first, unless you allowed that tool."</p>
            <label class="field">
                <span>"Works in repository"</span>
                <select class="input" data-testid="flow-repository" disabled=in_sandbox
                    prop:value=move || repository.get().to_string()
                    on:change=move |ev| repository.set(event_target_value(&ev).parse().unwrap_or(0))>
                    <option value="0">"None: MCP tools only"</option>
                    {move || repos.rows().into_iter().map(|r| view! {
                        <option value=r.id.to_string() selected=r.id == repository.get_untracked()>{r.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || (in_sandbox).then(|| view! {
                <p class="muted small-text">"It works in its sandbox: merge or discard the sandbox to choose another repository."</p>
            })}
            {move || (!in_sandbox && repository.get() != 0).then(|| view! {
                <label class="check wrap" title="Nothing the agent does touches your checkout or your databases">
                    <input type="checkbox" data-testid="flow-sandbox-toggle" prop:checked=move || sandbox.get()
                        on:change=move |ev| sandbox.set(event_target_checked(&ev))/>
                    " Work in a sandbox: a branch from the last commit (your uncommitted changes stay out) in a worktree of its own, its own VS Code, a copy of the repository's databases. Merge it or discard it when done."
                </label>
            })}
            <p class="muted small-text">"The agent may then list, read and search its files, read its git status, diff and log, change files (each change is shown as a diff for you to approve, and can be undone), run commands in a terminal tab, see its deployments and their output and restart them, see its services (never their passwords), query its own database read-only, and open files in its VS Code."</p>
            <ServerPicker chosen=chosen profile=profile/>
            <h3 class="section-title">"Always allowed"</h3>
            {loaded(grants, "Reading the allowed tools…", move |list| {
                if list.is_empty() {
                    return view! { <p class="muted small-text">"None: every call asks."</p> }.into_any();
                }
                view! {
                    <ul class="plain-list" data-testid="flow-grants">
                        {list.into_iter().map(|g| {
                            let label = format!("{} · {}", g.server_name.clone().unwrap_or_else(|| format!("server {}", g.server_id)), g.tool);
                            view! { <li class="input-row"><span class="mono">{label}</span><button class="button small" on:click=move |_| { revoke.dispatch(g.clone()); }>"Revoke"</button></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button primary" data-testid="flow-tools-save" disabled=move || save.pending().get()
                    on:click=move |_| { save.dispatch(()); }>
                    {move || if save.pending().get() && sandbox.get() { "Making the sandbox…" } else { "Save" }}
                </button>
            </footer>
        </Dialog>
    }
}

#[component]
pub(super) fn DeleteDialog(session: FlowSession, on_close: Callback<()>) -> impl IntoView {
    let id = session.id;
    let run = move || async move {
        ipc::call(&flow::DeleteSession { id }).await?;
        Ok("Session deleted".to_string())
    };
    view! {
        <ConfirmDialog title="Delete this session?".to_string() action="Delete" run on_close
            test_id="flow-delete-dialog" confirm_id="flow-delete-confirm">
            <p>{format!("\"{}\" and its {} message(s) will be gone for good. Archive it instead to keep it out of the way.", session.title, session.message_count)}</p>
        </ConfirmDialog>
    }
}

#[component]
pub(super) fn ResendDialog(
    session_id: i64,
    message_id: i64,
    text: String,
    dropped: usize,
    on_close: Callback<()>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let go = move |_| {
        let text = text.clone();
        spawn_local(async move {
            match ipc::call(&flow::EditMessage {
                session_id,
                message_id,
                text,
            })
            .await
            {
                Ok(_) => {
                    on_done.try_run(());
                    on_close.try_run(());
                }
                Err(e) => toasts.error("Could not resend", &e),
            }
        });
    };
    view! {
        <Dialog title="Edit and resend?".to_string() on_close=on_close test_id="flow-resend-dialog">
            <p>{format!("The {dropped} message(s) after it will be removed, and the agent answers the new text.")}</p>
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button primary" data-testid="flow-resend-confirm" on:click=go>"Resend"</button>
            </footer>
        </Dialog>
    }
}

/// The prompts of the session's MCP servers: (server id, server name,
/// prompt), each server asked once; an error only when none answered.
pub(super) async fn session_prompts(
    server_ids: Vec<i64>,
) -> Result<Vec<(i64, String, ai_desktop_api::mcp::McpPrompt)>, ApiError> {
    let servers = ipc::call(&mcp::List {}).await.unwrap_or_default();
    let mut all = Vec::new();
    let mut failed = None;
    for id in server_ids {
        let name = servers
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        match ipc::call(&mcp::Prompts { id }).await {
            Ok(list) => all.extend(list.into_iter().map(|p| (id, name.clone(), p))),
            Err(e) => failed = Some(e),
        }
    }
    match (all.is_empty(), failed) {
        (true, Some(e)) => Err(e),
        _ => Ok(all),
    }
}

/// A prompt of one of the session's MCP servers, filled in and put into the
/// message box (each message's text, in order), for the user to send.
#[component]
pub(super) fn InsertPromptDialog(
    server_ids: Vec<i64>,
    on_insert: Callback<String>,
    on_close: Callback<()>,
    /// The prompt to start with (server id, prompt name): a slash command.
    preselect: Option<(i64, String)>,
) -> impl IntoView {
    use ai_desktop_api::mcp::{self, McpContent, McpPrompt};
    let prompts = RwSignal::new(None::<Result<Vec<(i64, String, McpPrompt)>, ApiError>>);
    let picked = RwSignal::new(None::<(i64, McpPrompt)>);
    // The select's value: the index of the chosen prompt ("" for none).
    let chosen = RwSignal::new(String::new());
    spawn_local(async move {
        let result = session_prompts(server_ids).await;
        if let (Ok(list), Some((id, name))) = (&result, &preselect) {
            if let Some(i) = list.iter().position(|(s, _, p)| s == id && p.name == *name) {
                let _ = chosen.try_set(i.to_string());
                let _ = picked.try_set(Some((list[i].0, list[i].2.clone())));
            }
        }
        let _ = prompts.try_set(Some(result));
    });
    let values = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let error = RwSignal::new(None::<ApiError>);
    let insert = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((id, prompt)) = picked.get_untracked() else {
            return;
        };
        let request = mcp::GetPrompt {
            id,
            name: prompt.name,
            arguments: values.get_untracked(),
        };
        spawn_local(async move {
            match ipc::call(&request).await {
                Ok(filled) => {
                    let text: Vec<String> = filled
                        .messages
                        .into_iter()
                        .filter_map(|m| match m.content {
                            McpContent::Text { text } => Some(text),
                            McpContent::Resource { text, .. } => text,
                            _ => None,
                        })
                        .collect();
                    on_insert.try_run(text.join("\n\n"));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <Dialog title="Insert a prompt".to_string() on_close=on_close test_id="flow-prompt-dialog">
            <form class="dialog-body" on:submit=insert>
                {move || match prompts.get() {
                    None => view! { <div class="loading"><span class="spinner"></span>"Asking the session's servers for prompts…"</div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"The session's MCP servers offer no prompts (choose servers with the Tools button)."</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <select class="input" data-testid="flow-prompt-pick"
                            prop:value=move || chosen.get()
                            on:change=move |ev| {
                                chosen.set(event_target_value(&ev));
                                let i: usize = event_target_value(&ev).parse().unwrap_or(usize::MAX);
                                let choice = prompts.with_untracked(|p| p.as_ref().and_then(|r| r.as_ref().ok()).and_then(|l| l.get(i).cloned()));
                                values.set(Default::default());
                                picked.set(choice.map(|(id, _, p)| (id, p)));
                            }>
                            <option value="">"Choose a prompt"</option>
                            {list.iter().enumerate().map(|(i, (_, server, p))| view! {
                                <option value=i.to_string() selected=move || chosen.get() == i.to_string()>
                                    {format!("{server} · {}", p.title.clone().unwrap_or(p.name.clone()))}
                                </option>
                            }).collect_view()}
                        </select>
                    }.into_any(),
                }}
                {move || picked.get().map(|(_, p)| view! {
                    {p.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
                    {p.arguments.into_iter().map(|a| {
                        let key = a.name.clone();
                        view! {
                            <label class="field">
                                <span>{a.name.clone()}{a.required.then_some(" *")}</span>
                                <input class="input" data-testid=format!("flow-prompt-arg-{}", a.name) required=a.required
                                    on:input=move |ev| { let v = event_target_value(&ev); values.update(|m| { m.insert(key.clone(), v); }); }/>
                            </label>
                        }
                    }).collect_view()}
                })}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="flow-prompt-insert" disabled=move || picked.with(Option::is_none)>"Insert"</button>
                </footer>
            </form>
        </Dialog>
    }
}

/// A resource of one of the session's MCP servers, read and attached to
/// the next message as a file (text, or its bytes: an image goes as one).
#[component]
pub(super) fn AttachResourceDialog(
    server_ids: Vec<i64>,
    /// Its file name, its bytes as base64, its size.
    on_insert: Callback<(String, String, f64)>,
    on_close: Callback<()>,
) -> impl IntoView {
    use ai_desktop_api::mcp::{self, McpContent, McpResource};
    let resources = RwSignal::new(None::<Result<Vec<(i64, McpResource)>, ApiError>>);
    spawn_local(async move {
        let mut all = Vec::new();
        let mut failed = None;
        for id in server_ids {
            match ipc::call(&mcp::Resources { id }).await {
                Ok(list) => all.extend(list.into_iter().map(|r| (id, r))),
                Err(e) => failed = Some(e),
            }
        }
        let result = match (all.is_empty(), failed) {
            (true, Some(e)) => Err(e),
            _ => Ok(all),
        };
        let _ = resources.try_set(Some(result));
    });
    let error = RwSignal::new(None::<ApiError>);
    let attach = move |id: i64, uri: String| {
        spawn_local(async move {
            match ipc::call(&mcp::ReadResource {
                id,
                uri: uri.clone(),
            })
            .await
            {
                Ok(read) => {
                    use base64::Engine;
                    // Named after the last part of its URI.
                    let name = uri
                        .trim_end_matches('/')
                        .rsplit(['/', ':'])
                        .next()
                        .filter(|n| !n.is_empty())
                        .unwrap_or("resource")
                        .to_string();
                    let mut text = Vec::new();
                    let mut blob = None;
                    for c in read.contents {
                        match c {
                            McpContent::Resource { text: Some(t), .. }
                            | McpContent::Text { text: t } => text.push(t),
                            McpContent::Resource { blob: Some(b), .. } => {
                                blob.get_or_insert(b);
                            }
                            _ => {}
                        }
                    }
                    let data = if !text.is_empty() {
                        base64::engine::general_purpose::STANDARD.encode(text.join("\n"))
                    } else if let Some(b) = blob {
                        b
                    } else {
                        let _ = error.try_set(Some(ApiError::new(
                            ai_desktop_api::ErrorCode::InvalidInput,
                            "That resource has nothing to attach.".to_string(),
                        )));
                        return;
                    };
                    // Base64's size: three bytes per four characters.
                    let size = (data.trim_end_matches('=').len() * 3 / 4) as f64;
                    on_insert.try_run((name, data, size));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <Dialog title="Attach a resource".to_string() on_close=on_close test_id="flow-resource-dialog">
            <div class="dialog-body">
                {move || match resources.get() {
                    None => view! { <div class="loading"><span class="spinner"></span>"Asking the session's servers for resources…"</div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"The session's MCP servers offer no resources (choose servers with the Tools button)."</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <ul class="plain-list" data-testid="flow-resource-list">
                            {list.into_iter().map(|(id, r)| {
                                let uri = r.uri.clone();
                                view! {
                                    <li>
                                        <button type="button" class="link" data-testid=format!("flow-resource-{}", r.name)
                                            on:click=move |_| attach(id, uri.clone())>{r.name.clone()}</button>
                                        <span class="mono small-text muted">" "{r.uri.clone()}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                </footer>
            </div>
        </Dialog>
    }
}

/// The MCP servers a session (or a recipe's sessions) may use: an MCP
/// profile, or servers ticked one by one.
#[component]
pub(super) fn ServerPicker(
    /// The servers ticked.
    chosen: RwSignal<Vec<i64>>,
    /// The profile chosen ("": none).
    profile: RwSignal<String>,
) -> impl IntoView {
    let servers = resource(|| mcp::List {});
    let profiles = resource(|| mcp::Profiles {});
    view! {
            {loaded(profiles, "", move |list| {
                (!list.is_empty()).then(|| view! {
                    <label class="field">
                        <span>"MCP profile"</span>
                        <select class="input" data-testid="flow-profile" prop:value=move || profile.get()
                            on:change=move |ev| profile.set(event_target_value(&ev))>
                            <option value="">"None: the servers ticked below"</option>
                            {list.into_iter().map(|p| view! {
                                <option value=p.name.clone()>{format!("{} ({} server(s))", p.name, p.servers.len())}</option>
                            }).collect_view()}
                        </select>
                    </label>
                }).into_any()
            })}
            {loaded(servers, "Loading MCP servers…", move |list| {
                if list.is_empty() {
                    return view! { <p class="muted" data-testid="flow-no-servers">"No MCP servers yet: add some in the MCP Hub."</p> }.into_any();
                }
                view! {
                    <ul class="plain-list">
                        {list.into_iter().map(|s| {
                            let sid = s.id;
                            view! {
                                <li>
                                    <label class="check">
                                        <input type="checkbox" data-testid=format!("flow-server-{sid}")
                                            prop:checked=move || chosen.with(|c| c.contains(&sid))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| { c.retain(|x| *x != sid); if on { c.push(sid) } });
                                            }/>
                                        <strong>{s.name.clone()}</strong>
                                        <span class="muted small-text">{s.description.clone().unwrap_or_default()}</span>
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
    }
}
