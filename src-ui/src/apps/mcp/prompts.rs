//! The Prompts tab: the server's prompt templates.

use super::*;

#[component]
pub(super) fn PromptsTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let prompts = resource(move || mcp::Prompts { id });
    view! {
        {loaded(prompts, "Asking for prompts…", |list| {
            if list.is_empty() {
                return view! { <p class="muted">"This server offers no prompts."</p> }.into_any();
            }
            view! {
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
            }.into_any()
        })}
    }
    .into_any()
}
