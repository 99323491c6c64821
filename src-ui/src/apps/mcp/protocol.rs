//! The Protocol tab: every JSON-RPC message between the app and the server,
//! both ways, newest last (secrets blanked by the app before they get here).
//! Read once a second while the tab is open, and only what is new.

use super::*;
use ai_desktop_api::mcp::McpWireMessage;

/// Messages shown at most (the app keeps the newest 500).
const SHOWN: usize = 500;

fn clock(at_ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds()
    )
}

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
