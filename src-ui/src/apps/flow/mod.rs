//! Flow Builder: conversations with an agent that uses the MCP Hub's tools.
//! Answers stream in as they are written; every tool call is shown with the
//! tool's full description and arguments and waits for the user's decision
//! unless the tool is allowed for the session.

use crate::components::confirm::ConfirmDialog;
use crate::components::content::{content_view, pretty};
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::live_list::LiveList;
use crate::components::load::{loaded, resource};
use crate::components::markdown;
use crate::components::status::{StatusDot, StatusPill};
use crate::components::toast::{invalid, use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::flow;
use ai_desktop_api::flow::{
    ApiKeyChange, AttachmentInput, ConnectionReport, ExportFormat, FlowCheckpoint, FlowMessage,
    FlowRole, FlowSession, FlowSessionPatch, FlowSettings, FlowSettingsInput, FlowToolCall,
    MessageStatus, ProviderProtocol, RunState, TokenFrame, ToolCallStatus, ToolDecision, ToolGrant,
};
use ai_desktop_api::mcp;
use ai_desktop_api::ApiError;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

mod conversation;
mod dialogs;
mod message;
mod recipes;
mod sandbox;
mod tool_call;

use conversation::*;
use dialogs::*;
use message::*;
use recipes::*;
use sandbox::*;
use tool_call::*;

#[derive(Clone)]
enum Modal {
    Closed,
    Settings,
    Tools(i64),
    Recipes,
    Delete(Box<FlowSession>),
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
    // Colours for code blocks in answers.
    crate::components::highlight::load();
    let toasts = use_toasts();
    let settings = RwSignal::new(None::<FlowSettings>);
    let archived = RwSignal::new(false);
    let query = RwSignal::new(String::new());
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
    // The sessions of the chosen tab and search, most recent first; a new
    // session shows up unless a search is on (the search runs in the app).
    let list = LiveList::start_with(
        move || flow::Sessions {
            archived: archived.get_untracked(),
            query: Some(query.get_untracked()).filter(|q| !q.trim().is_empty()),
        },
        events::FLOW_SESSION_UPDATED,
        events::FLOW_SESSION_DELETED,
        move |s: &FlowSession, listed| {
            s.archived == archived.get_untracked()
                && (listed || query.with_untracked(|q| q.trim().is_empty()))
        },
    );
    let sessions = list.items;
    let selected = list.selected;
    super::use_nav().follow_focus(super::Page::FlowBuilder, selected);
    let load = move || list.reload();
    Effect::new(move |first: Option<()>| {
        archived.track();
        query.track();
        // The first load is the list's own.
        if first.is_some() {
            load();
        }
    });
    // One token stream, for the session on screen.
    Effect::new(move |_| watch(selected.get(), live));
    on_cleanup(move || watch(None, live));

    let create = move || {
        spawn_local(async move {
            match ipc::call(&flow::CreateSession {
                patch: FlowSessionPatch::default(),
            })
            .await
            {
                Ok(s) => {
                    if archived.try_get_untracked() == Some(true) {
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
                    <button class="button" data-testid="flow-recipes-open" on:click=move |_| modal.set(Modal::Recipes)>
                        <Svg icon=Icon::Bolt/>"Recipes…"
                    </button>
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
                    <p>"Any OpenAI-compatible endpoint works — Ollama (http://127.0.0.1:11434/v1), LM Studio, llama.cpp's server, vLLM, OpenAI — and Anthropic's Messages API."</p>
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
                                            <StatusDot state=s.run_state/>
                                            <div class="server-text">
                                                <div class="repo-name truncate">{s.title.clone()}
                                                    {s.sandbox.as_ref().filter(|b| !b.discarded).map(|b| view! {
                                                        <span class="chip small" title=format!("Works in a sandbox on {}", b.branch)>"sandbox"</span>
                                                    })}
                                                </div>
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
                                on_delete=Callback::new(move |s| modal.set(Modal::Delete(Box::new(s))))
                                on_resend=Callback::new(move |(message_id, text, dropped)| modal.set(Modal::Resend { message_id, text, dropped }))/>
                        }.into_any()
                    }
                }}
            </div>
            {move || match modal.get() {
                Modal::Closed => ().into_any(),
                Modal::Settings => view! { <SettingsDialog on_close=close on_saved=Callback::new(move |s| settings.set(Some(s)))/> }.into_any(),
                Modal::Tools(id) => view! { <ToolsDialog session=current id=id on_close=close/> }.into_any(),
                Modal::Recipes => view! { <RecipesDialog on_close=close on_ran=Callback::new(move |s: FlowSession| {
                    if archived.get_untracked() {
                        archived.set(false);
                    }
                    selected.set(Some(s.id));
                })/> }.into_any(),
                Modal::Delete(s) => view! { <DeleteDialog session=*s on_close=close/> }.into_any(),
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
