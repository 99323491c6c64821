//! The History tab: the calls made through the app, newest first.

use super::*;

#[component]
pub(super) fn HistoryTab(id: i64) -> impl IntoView {
    let toasts = use_toasts();
    let history = RwSignal::new(None::<Result<Vec<McpCall>, ApiError>>);
    let load = move || {
        spawn_local(async move {
            history.set(Some(ipc::call(&mcp::History { id }).await));
        });
    };
    load();
    let clear = move |_| {
        spawn_local(async move {
            match ipc::call(&mcp::ClearHistory { id }).await {
                Ok(()) => {
                    toasts.success("History cleared");
                    load();
                }
                Err(e) => toasts.error("Could not clear the history", &e),
            }
        });
    };
    view! {
        <div class="toolbar">
            <button class="button small" on:click=move |_| load()>"Refresh"</button>
            <button class="button small" on:click=clear>"Clear history"</button>
        </div>
        {move || match history.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Loading…"</div> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted" data-testid="history-empty">"No calls yet. Calls made from the Tools tab (and later by agents) are kept here."</p> }.into_any(),
            Some(Ok(list)) => view! {
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
            }.into_any(),
        }}
    }
}
