//! The Prompts tab: the server's prompt templates, each filled in with its
//! arguments and shown as the messages the server makes of it.

use super::*;
use ai_desktop_api::mcp::{McpPrompt, McpPromptResult};

#[component]
pub(super) fn PromptsTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let prompts = resource(move || mcp::Prompts { id });
    let picked = RwSignal::new(None::<String>);
    view! {
        {loaded(prompts, "Asking for prompts…", move |list| {
            if list.is_empty() {
                return view! { <p class="muted">"This server offers no prompts."</p> }.into_any();
            }
            let first = list.first().map(|p| p.name.clone());
            let chosen = Memo::new(move |_| picked.get().or_else(|| first.clone()));
            let for_list = list.clone();
            view! {
                <div class="tools">
                    <ul class="tool-list" data-testid="prompt-list">
                        {for_list.into_iter().map(|p| {
                            let (name, name2) = (p.name.clone(), p.name.clone());
                            view! {
                                <li class="tool-item" class:selected=move || chosen.get().as_deref() == Some(name.as_str())
                                    data-testid=format!("prompt-{}", p.name) on:click=move |_| picked.set(Some(name2.clone()))>
                                    <div class="mono">{p.name.clone()}</div>
                                    <div class="muted small-text truncate">{p.description.clone().unwrap_or_default()}</div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || {
                        let name = chosen.get()?;
                        let prompt = list.iter().find(|p| p.name == name)?.clone();
                        Some(view! { <PromptFiller id prompt/> })
                    }}
                </div>
            }.into_any()
        })}
    }
    .into_any()
}

#[component]
fn PromptFiller(id: i64, prompt: McpPrompt) -> impl IntoView {
    let values = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let result = RwSignal::new(None::<Result<McpPromptResult, ApiError>>);
    let busy = RwSignal::new(false);
    let name = prompt.name.clone();
    let get = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = mcp::GetPrompt {
            id,
            name: name.clone(),
            arguments: values.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let r = ipc::call(&request).await;
            let _ = busy.try_set(false);
            let _ = result.try_set(Some(r));
        });
    };
    view! {
        <form class="tool-caller" on:submit=get>
            <h3 class="mono">{prompt.name.clone()}</h3>
            {prompt.title.clone().map(|t| view! { <div class="muted">{t}</div> })}
            {prompt.description.clone().map(|d| view! { <p>{d}</p> })}
            {if prompt.arguments.is_empty() {
                view! { <p class="muted">"This prompt takes no arguments."</p> }.into_any()
            } else {
                prompt.arguments.iter().map(|a| {
                    let key = a.name.clone();
                    view! {
                        <label class="field">
                            <span>{a.name.clone()}{a.required.then_some(" *")}</span>
                            <input class="input" data-testid=format!("prompt-arg-{}", a.name) required=a.required
                                on:input=move |ev| { let v = event_target_value(&ev); values.update(|m| { m.insert(key.clone(), v); }); }/>
                            {a.description.clone().map(|d| view! { <span class="muted small-text">{d}</span> })}
                        </label>
                    }
                }).collect_view().into_any()
            }}
            <div class="row-actions">
                <button type="submit" class="button primary" data-testid="prompt-get" disabled=move || busy.get()>"Get prompt"</button>
                {move || busy.get().then(|| view! { <span class="spinner"></span> })}
            </div>
            {move || result.get().map(|r| match r {
                Err(e) => view! { <ErrorText error=e test_id="prompt-refused"/> }.into_any(),
                Ok(p) => view! {
                    <div class="prompt-result" data-testid="prompt-result">
                        {p.description.map(|d| view! { <p class="muted">{d}</p> })}
                        {p.messages.into_iter().map(|m| view! {
                            <div class="prompt-message">
                                <span class="chip">{m.role}</span>
                                {content_view(m.content)}
                            </div>
                        }).collect_view()}
                    </div>
                }.into_any(),
            })}
        </form>
    }
}
