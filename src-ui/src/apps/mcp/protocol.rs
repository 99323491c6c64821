//! The Protocol tab: every JSON-RPC message between the app and the server,
//! both ways, newest last (secrets blanked by the app before they get here).
//! Read once a second while the tab is open, and only what is new. Above
//! it, a request can be typed, sent, kept by name and sent again.

use super::*;
use ai_desktop_api::mcp::McpWireMessage;

/// Messages shown at most (the app keeps the newest 500).
const SHOWN: usize = 500;

use crate::format::clock;

#[component]
pub(super) fn ProtocolTab(id: i64) -> impl IntoView {
    let messages = RwSignal::new(Vec::<McpWireMessage>::new());
    let error = RwSignal::new(None::<ApiError>);
    let filter = RwSignal::new(String::new());
    let read = move || {
        let from = messages.with_untracked(|m| m.last().map(|m| m.seq));
        spawn_local(async move {
            match ipc::call(&mcp::Wire { id, from }).await {
                Ok(new) if !new.is_empty() => {
                    let _ = messages.try_update(|m| {
                        m.extend(new);
                        let over = m.len().saturating_sub(SHOWN);
                        m.drain(..over);
                    });
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    read();
    let timer = set_interval_with_handle(read, std::time::Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });
    view! {
        <RequestComposer id/>
        <div class="protocol" data-testid="mcp-protocol">
            <div class="toolbar">
                <input class="input small-input" placeholder="Filter (method, id, text)" data-testid="mcp-protocol-filter"
                    on:input=move |ev| filter.set(event_target_value(&ev))/>
                <span class="muted small-text">"→ sent by the app · ← from the server · secrets blanked"</span>
            </div>
            {move || error.get().map(|e| view! { <ErrorText error=e/> })}
            {move || {
                let needle = filter.get().to_lowercase();
                let shown: Vec<McpWireMessage> = messages.with(|m| {
                    m.iter().filter(|m| needle.is_empty() || m.text.to_lowercase().contains(&needle)).cloned().collect()
                });
                if shown.is_empty() {
                    return view! { <p class="muted" data-testid="mcp-protocol-empty">"No messages yet: start the server, or call something."</p> }.into_any();
                }
                view! {
                    <ol class="plain-list wire-list">
                        {shown.into_iter().map(|m| view! {
                            <li class="wire-message" class:sent=m.sent data-testid="mcp-wire-message">
                                <span class="wire-dir">{if m.sent { "→" } else { "←" }}</span>
                                <span class="muted small-text mono">{clock(m.at_ms)}</span>
                                <code class="wire-text">{m.text}{m.truncated.then_some(" … (cut)")}</code>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </div>
    }
}

/// Type a request (method and params), send it, keep it, send a kept one.
#[component]
fn RequestComposer(id: i64) -> impl IntoView {
    use ai_desktop_api::mcp::McpSavedRequest;
    let toasts = use_toasts();
    let method = RwSignal::new("tools/list".to_string());
    let params = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<String, ApiError>>);
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(Vec::<McpSavedRequest>::new());
    spawn_local(async move {
        if let Ok(list) = ipc::call(&mcp::SavedRequests { id }).await {
            let _ = saved.try_set(list);
        }
    });
    let send = move |m: String, p: String| {
        busy.set(true);
        spawn_local(async move {
            let r = ipc::call(&mcp::SendRequest {
                id,
                method: m,
                params: p,
            })
            .await;
            let _ = busy.try_set(false);
            let _ = answer.try_set(Some(r));
        });
    };
    let keep = move |request: McpSavedRequest, remove: bool| {
        spawn_local(async move {
            match ipc::call(&mcp::SaveRequest {
                id,
                request,
                remove,
            })
            .await
            {
                Ok(list) => {
                    let _ = saved.try_set(list);
                    if !remove {
                        toasts.success("Request kept");
                    }
                }
                Err(e) => toasts.error("Not kept", &e),
            }
        });
    };
    view! {
        <form class="request-composer" data-testid="mcp-request"
            on:submit=move |ev| { ev.prevent_default(); send(method.get_untracked(), params.get_untracked()); }>
            <div class="input-row">
                <input class="input mono small-input" placeholder="method, e.g. tools/list" data-testid="mcp-request-method"
                    prop:value=move || method.get() on:input=move |ev| method.set(event_target_value(&ev))/>
                <button type="submit" class="button small primary" data-testid="mcp-request-send" disabled=move || busy.get()>"Send"</button>
                <input class="input small-input" placeholder="name to keep it as" data-testid="mcp-request-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <button type="button" class="button small" data-testid="mcp-request-keep"
                    on:click=move |_| keep(McpSavedRequest { name: name.get_untracked(), method: method.get_untracked(), params: params.get_untracked() }, false)>"Keep"</button>
            </div>
            <textarea class="input mono" rows="3" placeholder="params as a JSON object (optional)" data-testid="mcp-request-params"
                prop:value=move || params.get() on:input=move |ev| params.set(event_target_value(&ev))></textarea>
            {move || (!saved.with(Vec::is_empty)).then(|| view! {
                <div class="saved-requests" data-testid="mcp-saved-requests">
                    <span class="muted small-text">"Kept: "</span>
                    {saved.get().into_iter().map(|r| {
                        let (again, gone) = (r.clone(), r.clone());
                        view! {
                            <span class="chip saved-request">
                                <button type="button" class="link" data-testid=format!("mcp-saved-{}", r.name)
                                    title=format!("{} {}", r.method, r.params)
                                    on:click=move |_| { method.set(again.method.clone()); params.set(again.params.clone()); send(again.method.clone(), again.params.clone()); }>
                                    {r.name.clone()}
                                </button>
                                <button type="button" class="link" title="Forget it" on:click=move |_| keep(gone.clone(), true)>"×"</button>
                            </span>
                        }
                    }).collect_view()}
                </div>
            })}
            {move || answer.get().map(|r| match r {
                Ok(json) => view! { <pre class="pre" data-testid="mcp-request-answer">{json}</pre> }.into_any(),
                Err(e) => view! { <ErrorText error=e test_id="mcp-request-refused"/> }.into_any(),
            })}
        </form>
    }
}
