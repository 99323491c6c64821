//! The Resources tab: the server's resources, read one.

use super::*;

#[component]
pub(super) fn ResourcesTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let resources = resource(move || mcp::Resources { id });
    // Reading one: an Action (its value is what the last read answered).
    let open = Action::new_local(move |uri: &String| {
        let read = mcp::ReadResource {
            id,
            uri: uri.clone(),
        };
        async move { ipc::call(&read).await }
    });
    view! {
        {loaded(resources, "Asking for resources…", move |list| {
            if list.is_empty() {
                return view! { <p class="muted">"This server offers no resources."</p> }.into_any();
            }
            view! {
                <ul class="plain-list" data-testid="resource-list">
                    {list.into_iter().map(|r| {
                        let uri = r.uri.clone();
                        view! {
                            <li>
                                <button class="link" on:click=move |_| { open.dispatch(uri.clone()); }>{r.name.clone()}</button>
                                <span class="mono small-text muted">" "{r.uri.clone()}</span>
                                {r.mime_type.clone().map(|m| view! { <span class="chip">{m}</span> })}
                                {r.description.clone().map(|d| view! { <div class="muted small-text">{d}</div> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
        {move || open.pending().get().then(|| view! { <div class="loading"><span class="spinner"></span>"Reading…"</div> })}
        {move || open.value().get().map(|o| match o {
            Ok(c) => view! {
                <div class="call-result" data-testid="resource-contents">
                    <div class="mono small-text">{c.uri.clone()}</div>
                    {c.contents.into_iter().map(content_view).collect_view()}
                </div>
            }.into_any(),
            Err(error) => view! { <ErrorText error/> }.into_any(),
        })}
    }
    .into_any()
}
