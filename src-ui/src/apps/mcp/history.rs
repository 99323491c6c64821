//! The History tab: the calls made through the app, newest first.

use super::*;

#[component]
pub(super) fn HistoryTab(id: i64) -> impl IntoView {
    let toasts = use_toasts();
    let history = resource(move || mcp::History { id });
    let clear = Action::new_local(move |_: &()| async move {
        match ipc::call(&mcp::ClearHistory { id }).await {
            Ok(()) => {
                toasts.success("History cleared");
                history.refetch();
            }
            Err(e) => toasts.error("Could not clear the history", &e),
        }
    });
    view! {
        <div class="toolbar">
            <button class="button small" on:click=move |_| history.refetch()>"Refresh"</button>
            <button class="button small" disabled=move || clear.pending().get()
                on:click=move |_| { clear.dispatch(()); }>"Clear history"</button>
        </div>
        {loaded(history, "Loading…", |list| {
            if list.is_empty() {
                return view! { <p class="muted" data-testid="history-empty">"No calls yet. Calls made from the Tools tab (and later by agents) are kept here."</p> }.into_any();
            }
            view! {
                <ul class="plain-list" data-testid="history-list">
                    {list.into_iter().map(|c| {
                        let outcome = if c.error.is_some() { "failed" } else if c.is_error { "tool error" } else { "ok" };
                        let args = serde_json::to_string(&c.arguments).unwrap_or_default();
                        view! {
                            <li>
                                <details>
                                    <summary>
                                        <span class="mono">{c.tool.clone()}</span>
                                        <span class=format!("chip {}", if outcome == "ok" { "staged" } else { "conflict" })>{outcome}</span>
                                        <span class="muted small-text">{format!(" {:.1} ms · {}", c.duration_ms, c.created_at)}</span>
                                        <div class="mono small-text truncate muted">{args}</div>
                                    </summary>
                                    <CallResult call=c.clone()/>
                                </details>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
    }
}
