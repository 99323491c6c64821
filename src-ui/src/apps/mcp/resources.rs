//! The Resources tab: the server's resources, read one.

use super::*;

#[component]
pub(super) fn ResourcesTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let resources = RwSignal::new(None::<Result<Vec<McpResource>, ApiError>>);
    let opened = RwSignal::new(None::<Result<ResourceContents, ApiError>>);
    spawn_local(async move {
        resources.set(Some(ipc::call(&mcp::Resources { id }).await));
    });
    let open = move |uri: String| {
        spawn_local(async move {
            opened.set(Some(ipc::call(&mcp::ReadResource { id, uri }).await));
        });
    };
    view! {
        {move || match resources.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Asking for resources…"</div> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"This server offers no resources."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="plain-list" data-testid="resource-list">
                    {list.into_iter().map(|r| {
                        let uri = r.uri.clone();
                        view! {
                            <li>
                                <button class="link" on:click=move |_| open(uri.clone())>{r.name.clone()}</button>
                                <span class="mono small-text muted">" "{r.uri.clone()}</span>
                                {r.mime_type.clone().map(|m| view! { <span class="chip">{m}</span> })}
                                {r.description.clone().map(|d| view! { <div class="muted small-text">{d}</div> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        {move || opened.get().map(|o| match o {
            Ok(c) => view! {
                <div class="call-result" data-testid="resource-contents">
                    <div class="mono small-text">{c.uri.clone()}</div>
                    {c.contents.into_iter().map(content_view).collect_view()}
                </div>
            }.into_any(),
            Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
        })}
    }
    .into_any()
}
