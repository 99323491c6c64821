//! The Prompts tab: the server's prompt templates.

use super::*;

#[component]
pub(super) fn PromptsTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let prompts = RwSignal::new(None::<Result<Vec<McpPrompt>, ApiError>>);
    spawn_local(async move {
        prompts.set(Some(ipc::call(&mcp::Prompts { id }).await));
    });
    view! {
        {move || match prompts.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Asking for prompts…"</div> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"This server offers no prompts."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="plain-list" data-testid="prompt-list">
                    {list.into_iter().map(|p| view! {
                        <li>
                            <strong class="mono">{p.name.clone()}</strong>
                            {p.description.clone().map(|d| view! { <div class="muted">{d}</div> })}
                            {(!p.arguments.is_empty()).then(|| view! {
                                <div class="small-text">
                                    "Arguments: "
                                    {p.arguments.iter().map(|a| format!("{}{}", a.name, if a.required { " *" } else { "" })).collect::<Vec<_>>().join(", ")}
                                </div>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
    .into_any()
}
