//! Flow Builder: conversations with an agent that uses the MCP Hub's tools.
//! Answers stream in as they are written; every tool call is shown with the
//! tool's full description and arguments and waits for the user's decision
//! unless the tool is allowed for the session.

use super::mcp::{content_view, pretty};
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::markdown;
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::events::{self, Deleted};
use ai_desktop_api::flow;
use ai_desktop_api::flow::{
    ApiKeyChange, ConnectionReport, FlowMessage, FlowRole, FlowSession, FlowSessionPatch,
    FlowSettings, FlowSettingsInput, FlowToolCall, MessageStatus, RunState, TokenFrame,
    ToolCallStatus, ToolDecision, ToolGrant,
};
use ai_desktop_api::mcp;
use ai_desktop_api::mcp::McpServer;
use ai_desktop_api::ApiError;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

#[derive(Clone)]
enum Modal {
    Closed,
    Settings,
    Tools(i64),
    Delete(FlowSession),
    Resend {
        message_id: i64,
        text: String,
        dropped: usize,
    },
}

/// Text streamed into messages not yet saved, and when each started (ms since
/// the epoch, for the first-token measurement the e2e test reads).
#[derive(Clone, Copy)]
struct Live {
    text: RwSignal<HashMap<i64, String>>,
    first_at: RwSignal<HashMap<i64, f64>>,
}

fn watch(session_id: Option<i64>, live: Live) {
    spawn_local(async move {
        let result = ipc::call_streaming(&flow::Watch { session_id }, move |frame: TokenFrame| {
            let now = js_sys::Date::now();
            live.text.update(|t| {
                for p in &frame.pieces {
                    t.entry(p.message_id).or_default().push_str(&p.text);
                }
            });
            live.first_at.update(|f| {
                for p in &frame.pieces {
                    f.entry(p.message_id).or_insert(now);
                }
            });
        })
        .await;
        if let Err(e) = result {
            web_sys::console::warn_1(&format!("flow_watch: {}", e.message).into());
        }
    });
}

#[component]
pub fn FlowPage() -> impl IntoView {
    let toasts = use_toasts();
    let settings = RwSignal::new(None::<FlowSettings>);
    let archived = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let sessions = RwSignal::new(None::<Result<Vec<FlowSession>, ApiError>>);
    let selected = RwSignal::new(None::<i64>);
    let modal = RwSignal::new(Modal::Closed);
    // Bumped when the conversation on screen must be read again (after an edit).
    let reload = RwSignal::new(0u32);
    let live = Live {
        text: RwSignal::new(HashMap::new()),
        first_at: RwSignal::new(HashMap::new()),
    };

    let load_settings = move || {
        spawn_local(async move {
            match ipc::call(&flow::Settings {}).await {
                Ok(s) => settings.set(Some(s)),
                Err(e) => toasts.error("Could not read the Flow settings", &e),
            }
        });
    };
    load_settings();
    let load = move || {
        let args = flow::Sessions {
            archived: archived.get_untracked(),
            query: Some(query.get_untracked()).filter(|q| !q.trim().is_empty()),
        };
        spawn_local(async move {
            let result = ipc::call(&args).await;
            if let Ok(list) = &result {
                let keep = selected
                    .get_untracked()
                    .is_some_and(|id| list.iter().any(|s| s.id == id));
                if !keep {
                    selected.set(list.first().map(|s| s.id));
                }
            }
            sessions.set(Some(result));
        });
    };
    Effect::new(move |_| {
        archived.track();
        query.track();
        load();
    });
    // One token stream, for the session on screen.
    Effect::new(move |_| watch(selected.get(), live));
    on_cleanup(move || watch(None, live));

    ipc::listen_while_mounted(events::FLOW_SESSION_UPDATED, move |s: FlowSession| {
        sessions.update(|list| {
            let Some(Ok(list)) = list else { return };
            let pos = list.iter().position(|x| x.id == s.id);
            let belongs = s.archived == archived.get_untracked();
            match (pos, belongs) {
                (Some(i), true) => list[i] = s,
                (Some(i), false) => {
                    list.remove(i);
                }
                (None, true) if query.get_untracked().trim().is_empty() => list.insert(0, s),
                _ => {}
            }
            list.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        });
    });
    ipc::listen_while_mounted(events::FLOW_SESSION_DELETED, move |d: Deleted| {
        sessions.update(|list| {
            if let Some(Ok(list)) = list {
                list.retain(|s| s.id != d.id);
            }
        });
        if selected.get_untracked() == Some(d.id) {
            selected.set(None);
        }
    });

    let create = move || {
        spawn_local(async move {
            match ipc::call(&flow::CreateSession {
                patch: FlowSessionPatch::default(),
            })
            .await
            {
                Ok(s) => {
                    if archived.get_untracked() {
                        archived.set(false);
                    }
                    selected.set(Some(s.id));
                }
                Err(e) => toasts.error("Could not start a session", &e),
            }
        });
    };
    let current = Memo::new(move |_| {
        let id = selected.get()?;
        sessions.with(|l| match l {
            Some(Ok(list)) => list.iter().find(|s| s.id == id).cloned(),
            _ => None,
        })
    });
    // The conversation is rebuilt when another session is chosen, not each
    // time this one's state or title moves (that would drop the draft).
    let current_id = Memo::new(move |_| current.with(|s| s.as_ref().map(|s| s.id)));
    let needs_provider = move || settings.with(|s| s.as_ref().is_some_and(|s| s.model.is_empty()));
    let close = Callback::new(move |_| modal.set(Modal::Closed));

    view! {
        <section class="page wide" data-testid="page-flow">
            <header class="page-header">
                <div>
                    <h1>"Flow Builder"</h1>
                    <p class="muted">
                        {move || match settings.get() {
                            Some(s) if !s.model.is_empty() => format!("{} · {}", s.model, s.base_url),
                            Some(_) => "No model chosen yet.".to_string(),
                            None => "Agent sessions that act through your MCP tools.".to_string(),
                        }}
                    </p>
                </div>
                <div class="header-actions">
                    <button class="button" data-testid="flow-settings" on:click=move |_| modal.set(Modal::Settings)>
                        <Svg icon=Icon::Sliders/>"Provider…"
                    </button>
                    <button class="button primary" data-testid="flow-new" on:click=move |_| create()>
                        <Svg icon=Icon::Plus/>"New session"
                    </button>
                </div>
            </header>
            {move || needs_provider().then(|| view! {
                <div class="banner warn" data-testid="flow-needs-provider">
                    <strong>"Choose a provider and a model to talk to."</strong>
                    <p>"Any OpenAI-compatible endpoint works: Ollama (http://127.0.0.1:11434/v1), LM Studio, llama.cpp's server, vLLM, OpenAI."</p>
                    <button class="button small primary" on:click=move |_| modal.set(Modal::Settings)>"Set up the provider"</button>
                </div>
            })}
            <div class="split flow-split">
                <div class="flow-side">
                    <input class="input" type="search" placeholder="Search titles and messages" data-testid="flow-search"
                        prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                    <div class="tabs compact" role="tablist">
                        <button class="tab" class:active=move || !archived.get() data-testid="flow-active" on:click=move |_| archived.set(false)>"Active"</button>
                        <button class="tab" class:active=move || archived.get() data-testid="flow-archived" on:click=move |_| archived.set(true)>"Archived"</button>
                    </div>
                    {move || match sessions.get() {
                        None => view! { <div class="loading"><span class="spinner"></span>"Loading sessions…"</div> }.into_any(),
                        Some(Err(e)) => view! {
                            <div class="empty-state small">
                                <p class="muted">{e.message}</p>
                                <button class="button" on:click=move |_| load()>"Try again"</button>
                            </div>
                        }.into_any(),
                        Some(Ok(list)) if list.is_empty() => view! {
                            <div class="empty-state small" data-testid="flow-empty">
                                <p class="muted">{move || if !query.get().trim().is_empty() {
                                    "Nothing matches."
                                } else if archived.get() {
                                    "No archived sessions."
                                } else {
                                    "No sessions yet."
                                }}</p>
                            </div>
                        }.into_any(),
                        Some(Ok(list)) => view! {
                            <ul class="server-list" data-testid="flow-sessions">
                                {list.into_iter().map(|s| {
                                    let id = s.id;
                                    view! {
                                        <li class="server-item" class:selected=move || selected.get() == Some(id)
                                            data-testid=format!("flow-session-{id}") on:click=move |_| selected.set(Some(id))>
                                            <span class=format!("dot {}", run_class(s.run_state)) title=run_label(s.run_state)></span>
                                            <div class="server-text">
                                                <div class="repo-name truncate">{s.title.clone()}</div>
                                                <div class="muted truncate small-text">{s.preview.as_deref().map(plain).unwrap_or_else(|| "Empty".into())}</div>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </div>
                {move || match current_id.get() {
                    None => view! {
                        <div class="panel empty-state" data-testid="flow-none">
                            <div class="empty-icon"><Svg icon=Icon::Chat/></div>
                            <h2>"Talk to an agent that can use your tools"</h2>
                            <p class="muted">"Start a session, pick the MCP servers it may use, and ask. Every tool call waits for your approval."</p>
                            <button class="button primary" on:click=move |_| create()>"New session"</button>
                        </div>
                    }.into_any(),
                    Some(id) => {
                        view! {
                            <Conversation id=id session=current live=live settings=settings reload=reload
                                on_tools=Callback::new(move |_| modal.set(Modal::Tools(id)))
                                on_delete=Callback::new(move |s| modal.set(Modal::Delete(s)))
                                on_resend=Callback::new(move |(message_id, text, dropped)| modal.set(Modal::Resend { message_id, text, dropped }))/>
                        }.into_any()
                    }
                }}
            </div>
            {move || match modal.get() {
                Modal::Closed => ().into_any(),
                Modal::Settings => view! { <SettingsDialog on_close=close on_saved=Callback::new(move |s| settings.set(Some(s)))/> }.into_any(),
                Modal::Tools(id) => view! { <ToolsDialog session=current id=id on_close=close/> }.into_any(),
                Modal::Delete(s) => view! { <DeleteDialog session=s on_close=close/> }.into_any(),
                Modal::Resend { message_id, text, dropped } => {
                    let session_id = selected.get_untracked().unwrap_or_default();
                    view! { <ResendDialog session_id=session_id message_id=message_id text=text dropped=dropped on_close=close
                        on_done=Callback::new(move |_| reload.update(|n| *n += 1))/> }.into_any()
                }
            }}
        </section>
    }
}

/// A preview line without markdown's marks.
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '*' | '`' | '#' | '_' | '>'))
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect()
}

fn run_class(state: RunState) -> &'static str {
    match state {
        RunState::Idle => "stopped",
        RunState::Thinking | RunState::RunningTool => "starting",
        RunState::WaitingApproval => "waiting",
    }
}

fn run_label(state: RunState) -> &'static str {
    match state {
        RunState::Idle => "Idle",
        RunState::Thinking => "Answering…",
        RunState::RunningTool => "Running a tool…",
        RunState::WaitingApproval => "Waiting for your approval",
    }
}

/// Clicks inside rendered markdown: Copy buttons copy their block; links are
/// copied, never followed (the app window stays the app).
fn markdown_click(ev: leptos::ev::MouseEvent, toasts: crate::components::toast::Toasts) {
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    if let Ok(Some(button)) = target.closest(".copy-code") {
        let code = button
            .closest(".code-block")
            .ok()
            .flatten()
            .and_then(|b| b.query_selector("code").ok().flatten())
            .and_then(|c| c.text_content())
            .unwrap_or_default();
        crate::components::clipboard::copy(code, "Code", toasts);
    } else if let Ok(Some(link)) = target.closest("a") {
        ev.prevent_default();
        let href = link.get_attribute("href").unwrap_or_default();
        crate::components::clipboard::copy(href, "Link", toasts);
    }
}

#[component]
fn Conversation(
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
    let models = RwSignal::new(Vec::<String>::new());
    let pane = NodeRef::<html::Div>::new();

    let load = move || {
        spawn_local(async move {
            let r = ipc::call(&flow::Messages { session_id: id }).await;
            messages.set(Some(r));
        });
    };
    Effect::new(move |_| {
        reload.track();
        load();
    });
    spawn_local(async move {
        if let Ok(list) = ipc::call(&flow::Models {}).await {
            models.set(list);
        }
    });
    ipc::listen_while_mounted(&events::agent_message(id), move |m: FlowMessage| {
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
    });
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
            if let Some(div) = pane.get_untracked() {
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

    let state = move || session.with(|s| s.as_ref().map(|s| s.run_state).unwrap_or_default());
    let busy = move || matches!(state(), RunState::Thinking | RunState::RunningTool);
    let send = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() || sending.get_untracked() {
            return;
        }
        sending.set(true);
        spawn_local(async move {
            let r = ipc::call(&flow::Send {
                session_id: id,
                text,
            })
            .await;
            sending.set(false);
            match r {
                Ok(_) => {
                    draft.set(String::new());
                    follow.set_value(true);
                    scroll_down();
                }
                Err(e) => toasts.error("Not sent", &e),
            }
        });
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
                <span class=move || format!("status {}", run_class(state())) data-testid="flow-state">{move || run_label(state())}</span>
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
                    {move || match session.get().map(|s| s.mcp_server_ids.len()).unwrap_or(0) {
                        0 => "No tools".to_string(),
                        n => format!("Tools of {n} server(s)"),
                    }}
                </button>
                {move || {
                    let archived = session.get().is_some_and(|s| s.archived);
                    view! {
                        <button class="button small" data-testid="flow-archive" on:click=move |_| archive(!archived)>
                            {if archived { "Unarchive" } else { "Archive" }}
                        </button>
                    }
                }}
                <button class="button small danger" data-testid="flow-delete"
                    on:click=move |_| if let Some(s) = session.get_untracked() { on_delete.run(s) }>"Delete"</button>
            </div>
            <div class="messages" node_ref=pane data-testid="flow-messages" on:scroll=on_scroll>
                {move || match shape.get() {
                    Shape::Loading => view! { <div class="loading"><span class="spinner"></span>"Loading the conversation…"</div> }.into_any(),
                    Shape::Failed(e) => view! { <p class="form-error">{e}</p> }.into_any(),
                    Shape::Empty => view! {
                        <div class="empty-state small" data-testid="flow-conversation-empty">
                            <p class="muted">"Ask something. Choose which MCP servers' tools the agent may use with the Tools button."</p>
                        </div>
                    }.into_any(),
                    Shape::Messages => view! {
                        <For each=rows key=|r| r.key children=move |r| view! {
                            <MessageView m=r.message is_last=r.is_last dropped=r.dropped live=live results=results session_id=id on_resend=on_resend/>
                        }/>
                    }.into_any(),
                }}
            </div>
            <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
                <textarea class="input" rows="3" data-testid="flow-input"
                    placeholder="Message the agent (Enter sends, Shift+Enter for a new line)"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            send();
                        }
                    }></textarea>
                {move || if busy() {
                    view! { <button type="button" class="button danger" data-testid="flow-stop" on:click=move |_| stop()>"Stop"</button> }.into_any()
                } else {
                    view! { <button type="submit" class="button primary" data-testid="flow-send" disabled=move || sending.get() || draft.with(|d| d.trim().is_empty())>"Send"</button> }.into_any()
                }}
            </form>
        </div>
    }
}

#[derive(Clone, PartialEq)]
enum Shape {
    Loading,
    Failed(String),
    Empty,
    Messages,
}

struct Row {
    key: u64,
    message: FlowMessage,
    is_last: bool,
    dropped: usize,
}

/// Changes whenever what `MessageView` shows of `m` would.
fn row_key(m: &FlowMessage, is_last: bool, dropped: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(m).unwrap_or_default().hash(&mut h);
    (is_last, dropped).hash(&mut h);
    h.finish()
}

#[component]
fn MessageView(
    m: FlowMessage,
    is_last: bool,
    /// Messages after this one (what an edit would drop).
    dropped: usize,
    live: Live,
    results: Memo<HashMap<(i64, String), FlowMessage>>,
    session_id: i64,
    on_resend: Callback<(i64, String, usize)>,
) -> impl IntoView {
    let toasts = use_toasts();
    let id = m.id;
    match m.role {
        FlowRole::User => {
            let editing = RwSignal::new(None::<String>);
            let content = m.content.clone();
            view! {
                <div class="message user" data-testid="flow-message-user">
                    {move || match editing.get() {
                        None => view! {
                            <div class="bubble">{content.clone()}</div>
                            <button class="link small-text" data-testid="flow-edit" on:click={
                                let c = content.clone();
                                move |_| editing.set(Some(c.clone()))
                            }>"Edit"</button>
                        }.into_any(),
                        Some(text) => view! {
                            <div class="bubble editing">
                                <textarea class="input" rows="3" data-testid="flow-edit-input" prop:value=text
                                    on:input=move |ev| editing.set(Some(event_target_value(&ev)))></textarea>
                                <div class="input-row end">
                                    <button class="button small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                    <button class="button small primary" data-testid="flow-edit-send"
                                        on:click=move |_| {
                                            let t = editing.get_untracked().unwrap_or_default();
                                            editing.set(None);
                                            on_resend.run((id, t, dropped));
                                        }>"Resend"</button>
                                </div>
                            </div>
                        }.into_any(),
                    }}
                </div>
            }
            .into_any()
        }
        _ => {
            let status = m.status;
            let streaming = status == MessageStatus::Streaming;
            // A streaming answer: its settled part is rendered once, in pieces
            // as it grows; only the rest is rendered again with each frame
            // (rendering the whole each time cost a long answer's page a core).
            let parts = RwSignal::new(Vec::<String>::new());
            let tail = RwSignal::new(String::new());
            if streaming {
                let settled = StoredValue::new(0usize);
                Effect::new(move |_| {
                    live.text.with(|t| {
                        let text = t.get(&id).map(String::as_str).unwrap_or("");
                        let mut done = settled.get_value();
                        if text.len() < done || !text.is_char_boundary(done) {
                            parts.set(Vec::new());
                            done = 0;
                        }
                        let cut = done + markdown::settled_len(&text[done..]);
                        if cut > done {
                            let html = markdown::render(&text[done..cut]);
                            parts.update(|p| p.push(html));
                            settled.set_value(cut);
                        }
                        tail.set(markdown::render(&text[cut..]));
                    })
                });
            }
            // A finished answer is rendered whole, once.
            let html = (!streaming && !m.content.is_empty()).then(|| markdown::render(&m.content));
            let first_at = move || {
                live.first_at
                    .with(|f| f.get(&id).map(|t| format!("{t:.0}")))
            };
            let retry = move |_| {
                spawn_local(async move {
                    if let Err(e) = ipc::call(&flow::Retry { session_id }).await {
                        toasts.error("Could not retry", &e);
                    }
                });
            };
            view! {
                <div class="message assistant" data-testid="flow-message-assistant" data-message-id=id
                    data-status=format!("{status:?}").to_lowercase() data-first-token-at=first_at>
                    {html.map(|html| view! {
                        <div class="markdown" data-testid="flow-answer" inner_html=html on:click=move |ev| markdown_click(ev, toasts)></div>
                    })}
                    {streaming.then(|| view! {
                        <div class="markdown" data-testid="flow-answer" on:click=move |ev| markdown_click(ev, toasts)>
                            <For each=move || parts.get().into_iter().enumerate() key=|(i, _)| *i
                                children=|(_, html)| view! { <div class="md-part" inner_html=html></div> }/>
                            <div class="md-part" inner_html=move || tail.get()></div>
                        </div>
                    })}
                    {streaming.then(|| view! { <span class="typing" aria-label="Answering"></span> })}
                    {m.tool_calls.iter().cloned().map(|call| view! {
                        <ToolCallCard call=call message_id=id session_id=session_id results=results/>
                    }).collect_view()}
                    {m.error.clone().map(|e| view! {
                        <div class="banner error" role="alert" data-testid="flow-error">
                            <span>{e}</span>
                            {(is_last && matches!(status, MessageStatus::Error | MessageStatus::Cancelled)).then(|| view! {
                                <button class="button small" data-testid="flow-retry" on:click=retry>"Retry"</button>
                            })}
                        </div>
                    })}
                    {m.model.clone().filter(|_| status == MessageStatus::Done).map(|model| view! { <div class="muted small-text">{model}</div> })}
                </div>
            }
            .into_any()
        }
    }
}

fn call_status(status: ToolCallStatus) -> (&'static str, &'static str) {
    match status {
        ToolCallStatus::Pending => ("waiting", "Waiting for you"),
        ToolCallStatus::Approved => ("starting", "Approved"),
        ToolCallStatus::Running => ("starting", "Running…"),
        ToolCallStatus::Done => ("running", "Done"),
        ToolCallStatus::Denied => ("stopped", "Denied"),
        ToolCallStatus::Invalid => ("failed", "Not run"),
        ToolCallStatus::Cancelled => ("stopped", "Stopped"),
    }
}

#[component]
fn ToolCallCard(
    call: FlowToolCall,
    message_id: i64,
    session_id: i64,
    results: Memo<HashMap<(i64, String), FlowMessage>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let deciding = RwSignal::new(false);
    let call_id = call.id.clone();
    let decide = move |decision: ToolDecision| {
        let call_id = call_id.clone();
        deciding.set(true);
        spawn_local(async move {
            let r = ipc::call(&flow::Decide {
                session_id,
                message_id,
                call_id,
                decision,
            })
            .await;
            deciding.set(false);
            if let Err(e) = r {
                toasts.error("Could not decide", &e);
            }
        });
    };
    let (class, label) = call_status(call.status);
    let title = match (&call.server_name, &call.tool) {
        (Some(server), Some(tool)) => format!("{server} · {tool}"),
        _ => call.name.clone(),
    };
    let pending = call.status == ToolCallStatus::Pending;
    let id_for_result = call.id.clone();
    let result = move || {
        results.with(|r| {
            r.get(&(message_id, id_for_result.clone()))
                .and_then(|m| m.tool_result.clone())
        })
    };
    let d1 = decide.clone();
    let d2 = decide.clone();
    let d3 = decide;
    view! {
        <div class="tool-call" class:pending=pending data-testid="flow-tool-call" data-call-status=label>
            <div class="call-head">
                <strong class="mono">{title}</strong>
                <span class=format!("status {class}")>{label}</span>
                {call.auto_approved.then(|| view! { <span class="chip">"always allowed"</span> })}
            </div>
            {call.changed_since_allowed.then(|| view! {
                <p class="banner warn small-text" data-testid="flow-tool-changed">"This tool changed since you allowed it (its description or inputs are different). Look again before you approve."</p>
            })}
            {call.description.clone().filter(|d| !d.is_empty()).map(|d| view! { <p class="tool-description">{d}</p> })}
            <div class="muted small-text">"Arguments"</div>
            <pre class="pre mono" data-testid="flow-tool-args">{pretty(&call.arguments)}</pre>
            {call.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
            {pending.then(|| view! {
                <div class="input-row" data-testid="flow-approval">
                    <button class="button small primary" data-testid="flow-approve" disabled=move || deciding.get() on:click=move |_| d1(ToolDecision::Approve)>"Approve"</button>
                    <button class="button small" data-testid="flow-always" disabled=move || deciding.get() on:click=move |_| d2(ToolDecision::AlwaysAllow)>"Always allow in this session"</button>
                    <button class="button small danger" data-testid="flow-deny" disabled=move || deciding.get() on:click=move |_| d3(ToolDecision::Deny)>"Deny"</button>
                </div>
            })}
            {move || result().map(|r| view! {
                <div class="call-result" class:is-error=r.is_error || r.error.is_some() data-testid="flow-tool-result">
                    <div class="call-head">
                        <span class="muted small-text">{if r.error.is_some() { "Not run" } else if r.is_error { "The tool reported an error" } else { "Result" }}</span>
                        {r.duration_ms.map(|d| view! { <span class="muted small-text">{format!("{d:.1} ms")}</span> })}
                    </div>
                    {r.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
                    {r.content.into_iter().map(content_view).collect_view()}
                    {r.structured_content.map(|s| view! { <pre class="pre mono">{serde_json::to_string_pretty(&s).unwrap_or_default()}</pre> })}
                </div>
            })}
        </div>
    }
}

fn settings_input(
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
fn SettingsDialog(on_close: Callback<()>, on_saved: Callback<FlowSettings>) -> impl IntoView {
    let toasts = use_toasts();
    let loaded = RwSignal::new(None::<FlowSettings>);
    let base_url = RwSignal::new(String::new());
    let model = RwSignal::new(String::new());
    let temperature = RwSignal::new(String::new());
    let max_tokens = RwSignal::new(String::new());
    let max_steps = RwSignal::new(String::from("10"));
    let system_prompt = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let clear_key = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let report = RwSignal::new(None::<ConnectionReport>);
    spawn_local(async move {
        match ipc::call(&flow::Settings {}).await {
            Ok(s) => {
                base_url.set(s.base_url.clone());
                model.set(s.model.clone());
                temperature.set(s.temperature.map(|t| t.to_string()).unwrap_or_default());
                max_tokens.set(s.max_tokens.map(|t| t.to_string()).unwrap_or_default());
                max_steps.set(s.max_steps.to_string());
                system_prompt.set(s.system_prompt.clone());
                loaded.set(Some(s));
            }
            Err(e) => error.set(Some(e.message)),
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
            Err(e) => return error.set(Some(e)),
        };
        busy.set(true);
        error.set(None);
        report.set(None);
        spawn_local(async move {
            let r = ipc::call(&flow::TestConnection { input: i }).await;
            busy.set(false);
            match r {
                Ok(r) => report.set(Some(r)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let i = match input() {
            Ok(i) => i,
            Err(e) => return error.set(Some(e)),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let r = ipc::call(&flow::SaveSettings { input: i }).await;
            busy.set(false);
            match r {
                Ok(s) => {
                    toasts.success("Provider saved");
                    on_saved.run(s);
                    on_close.run(());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <Dialog title="Flow provider".to_string() on_close=on_close test_id="flow-settings-dialog">
            <form class="form" on:submit=submit novalidate>
                <label class="field">
                    <span>"Base URL (OpenAI-compatible)"</span>
                    <input class="input mono" data-testid="flow-base-url" placeholder="http://127.0.0.1:11434/v1"
                        prop:value=move || base_url.get() on:input=move |ev| base_url.set(event_target_value(&ev))/>
                    <small class="hint">"Ollama: http://127.0.0.1:11434/v1 · LM Studio: http://127.0.0.1:1234/v1 · OpenAI: https://api.openai.com/v1"</small>
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
                {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="form-error">{e}</p> })}
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
fn ToolsDialog(
    session: Memo<Option<FlowSession>>,
    id: i64,
    on_close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let servers = RwSignal::new(None::<Result<Vec<McpServer>, ApiError>>);
    let grants = RwSignal::new(Vec::<ToolGrant>::new());
    let chosen = RwSignal::new(
        session
            .get_untracked()
            .map(|s| s.mcp_server_ids)
            .unwrap_or_default(),
    );
    spawn_local(async move {
        servers.set(Some(ipc::call(&mcp::List {}).await));
    });
    let load_grants = move || {
        spawn_local(async move {
            match ipc::call(&flow::Grants { session_id: id }).await {
                Ok(g) => grants.set(g),
                Err(e) => toasts.error("Could not read the allowed tools", &e),
            }
        });
    };
    load_grants();
    let save = move |_| {
        spawn_local(async move {
            let patch = FlowSessionPatch {
                mcp_server_ids: Some(chosen.get_untracked()),
                ..Default::default()
            };
            match ipc::call(&flow::UpdateSession { id, patch }).await {
                Ok(_) => on_close.run(()),
                Err(e) => toasts.error("Could not choose the tools", &e),
            }
        });
    };
    let revoke = move |g: ToolGrant| {
        spawn_local(async move {
            match ipc::call(&flow::RevokeGrant {
                session_id: id,
                server_id: g.server_id,
                tool: g.tool,
            })
            .await
            {
                Ok(()) => load_grants(),
                Err(e) => toasts.error("Could not revoke", &e),
            }
        });
    };
    view! {
        <Dialog title="Tools for this session".to_string() on_close=on_close test_id="flow-tools-dialog">
            <p class="muted">"The agent may call the tools of the servers you tick. Stopped servers are started when it needs them. Every call asks you first, unless you allowed that tool."</p>
            {move || match servers.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Loading MCP servers…"</div> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted" data-testid="flow-no-servers">"No MCP servers yet: add some in the MCP Hub."</p> }.into_any(),
                Some(Ok(list)) => view! {
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
                }.into_any(),
            }}
            <h3 class="section-title">"Always allowed"</h3>
            {move || {
                let list = grants.get();
                if list.is_empty() {
                    view! { <p class="muted small-text">"None: every call asks."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list" data-testid="flow-grants">
                            {list.into_iter().map(|g| {
                                let label = format!("{} · {}", g.server_name.clone().unwrap_or_else(|| format!("server {}", g.server_id)), g.tool);
                                let g2 = g.clone();
                                view! { <li class="input-row"><span class="mono">{label}</span><button class="button small" on:click=move |_| revoke(g2.clone())>"Revoke"</button></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button primary" data-testid="flow-tools-save" on:click=save>"Save"</button>
            </footer>
        </Dialog>
    }
}

#[component]
fn DeleteDialog(session: FlowSession, on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let id = session.id;
    let delete = move |_| {
        spawn_local(async move {
            match ipc::call(&flow::DeleteSession { id }).await {
                Ok(()) => {
                    toasts.success("Session deleted");
                    on_close.run(());
                }
                Err(e) => toasts.error("Could not delete", &e),
            }
        });
    };
    view! {
        <Dialog title="Delete this session?".to_string() on_close=on_close test_id="flow-delete-dialog">
            <p>{format!("\"{}\" and its {} message(s) will be gone for good. Archive it instead to keep it out of the way.", session.title, session.message_count)}</p>
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button danger" data-testid="flow-delete-confirm" on:click=delete>"Delete"</button>
            </footer>
        </Dialog>
    }
}

#[component]
fn ResendDialog(
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
                    on_done.run(());
                    on_close.run(());
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
