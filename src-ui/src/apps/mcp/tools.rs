//! The Tools tab: call a tool through a form generated from its input
//! schema (or raw JSON), and show what it answered.

use super::*;

#[component]
pub(super) fn ToolsTab(id: i64, running: bool, disabled: Vec<String>) -> impl IntoView {
    if !running {
        return not_running();
    }
    let toasts = use_toasts();
    let disabled = StoredValue::new(disabled);
    // On: offered to agents and callable. Off: neither.
    let toggle = move |tool: String, enabled: bool| {
        spawn_local(async move {
            match ipc::call(&mcp::SetToolEnabled {
                id,
                tool: tool.clone(),
                enabled,
            })
            .await
            {
                Ok(_) => toasts.success(if enabled {
                    format!("{tool} is on: offered to agents and callable")
                } else {
                    format!("{tool} is off: not offered to agents, not callable")
                }),
                Err(e) => toasts.error("Not changed", &e),
            }
        });
    };
    let tools = resource(move || mcp::Tools { id });
    // The tool picked, else the first.
    let picked = RwSignal::new(None::<String>);
    view! {
        {loaded(tools, "Asking for tools…", move |list| {
            if list.is_empty() {
                return view! { <p class="muted">"This server offers no tools."</p> }.into_any();
            }
            let first = list.first().map(|t| t.name.clone());
            let chosen = Memo::new(move |_| picked.get().or_else(|| first.clone()));
            let for_pick = list.clone();
            view! {
                <div class="tools">
                    <ul class="tool-list" data-testid="tool-list">
                        {for_pick.into_iter().map(|t| {
                            let name = t.name.clone();
                            let name2 = t.name.clone();
                            let name3 = t.name.clone();
                            let off = disabled.with_value(|d| d.contains(&t.name));
                            view! {
                                <li class="tool-item" class:selected=move || chosen.get().as_deref() == Some(name.as_str())
                                    class:off=off
                                    data-testid=format!("tool-{}", t.name) on:click=move |_| picked.set(Some(name2.clone()))>
                                    <div class="tool-item-head">
                                        <span class="mono">{t.name.clone()}</span>
                                        <input type="checkbox" class="tool-switch" data-testid=format!("tool-enabled-{}", t.name)
                                            title="On: offered to agents and callable. Off: neither."
                                            prop:checked=!off
                                            on:click=|ev| ev.stop_propagation()
                                            on:change=move |ev| toggle(name3.clone(), event_target_checked(&ev))/>
                                    </div>
                                    <div class="muted small-text truncate">{t.description.clone().unwrap_or_default()}</div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || {
                        let name = chosen.get()?;
                        let tool = list.iter().find(|t| t.name == name)?.clone();
                        let off = disabled.with_value(|d| d.contains(&tool.name));
                        Some(view! {
                            <div class="tool-pane">
                                {off.then(|| view! { <p class="banner warn" data-testid="tool-off">"Turned off: not offered to agents and not callable. Tick it in the list to turn it on."</p> })}
                                <ToolCaller id=id tool=tool/>
                            </div>
                        })
                    }}
                </div>
            }.into_any()
        })}
    }
    .into_any()
}

#[component]
pub(super) fn ToolCaller(id: i64, tool: McpTool) -> impl IntoView {
    let fields: Vec<FieldSpec> = schema_form::fields_of(&tool.input_schema);
    let values = RwSignal::new(schema_form::default_values(&fields));
    let raw_mode = RwSignal::new(false);
    let raw = RwSignal::new(String::new());
    let raw_error = RwSignal::new(None::<String>);
    let calling = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<McpCall, ApiError>>);
    let fields_for_build = StoredValue::new(fields.clone());
    let name = tool.name.clone();
    let schema_text = serde_json::to_string_pretty(&tool.input_schema).unwrap_or_default();

    let to_raw = move |_| {
        let args = fields_for_build
            .with_value(|f| schema_form::build_arguments(f, &values.get_untracked()));
        raw.set(serde_json::to_string_pretty(&args).unwrap_or_else(|_| "{}".into()));
        raw_mode.set(true);
    };
    let call = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if calling.get_untracked() {
            return;
        }
        let arguments = if raw_mode.get_untracked() {
            match serde_json::from_str::<serde_json::Value>(&raw.get_untracked()) {
                Ok(v) => v,
                Err(e) => {
                    raw_error.set(Some(format!("Not valid JSON: {e}")));
                    return;
                }
            }
        } else {
            fields_for_build
                .with_value(|f| schema_form::build_arguments(f, &values.get_untracked()))
        };
        raw_error.set(None);
        calling.set(true);
        let tool = name.clone();
        spawn_local(async move {
            let outcome = ipc::call(&mcp::CallTool {
                id,
                tool,
                arguments,
            })
            .await;
            calling.set(false);
            // A refusal shows under the form, where the arguments are.
            result.set(Some(outcome));
        });
    };
    view! {
        <div class="tool-caller" data-testid="tool-caller">
            <h3 class="mono">{tool.name.clone()}</h3>
            {tool.title.clone().map(|t| view! { <div class="muted">{t}</div> })}
            <p class="tool-description">{tool.description.clone().unwrap_or_else(|| "No description.".into())}</p>
            <form class="form" on:submit=call novalidate data-testid="tool-form">
                {move || if raw_mode.get() {
                    view! {
                        <label class="field">
                            <span>"Arguments (JSON)"</span>
                            <textarea class="input mono" rows="8" data-testid="raw-args" prop:value=move || raw.get()
                                on:input=move |ev| raw.set(event_target_value(&ev))></textarea>
                        </label>
                        {move || raw_error.get().map(|e| view! { <p class="form-error">{e}</p> })}
                    }.into_any()
                } else {
                    view! { <SchemaFields fields=fields.clone() values=values/> }.into_any()
                }}
                <div class="toolbar">
                    <button type="submit" class="button primary" data-testid="call-tool" disabled=move || calling.get()>
                        {move || if calling.get() { "Calling…" } else { "Call tool" }}
                    </button>
                    {move || if raw_mode.get() {
                        view! { <button type="button" class="button small" on:click=move |_| raw_mode.set(false)>"Use the form"</button> }.into_any()
                    } else {
                        view! { <button type="button" class="button small" data-testid="raw-mode" on:click=to_raw>"Edit as JSON"</button> }.into_any()
                    }}
                </div>
            </form>
            <details class="schema">
                <summary class="muted">"Input schema"</summary>
                <pre class="pre mono">{schema_text}</pre>
            </details>
            {move || result.get().map(|r| match r {
                Ok(call) => view! { <CallResult call=call/> }.into_any(),
                Err(e) => view! { <ErrorText error=e test_id="call-refused"/> }.into_any(),
            })}
        </div>
    }
}

#[component]
pub(super) fn CallResult(call: McpCall) -> impl IntoView {
    let (class, label) = match (&call.error, call.is_error) {
        (Some(_), _) => ("failed", "Call failed"),
        (None, true) => ("failed", "The tool reported an error"),
        (None, false) => ("running", "Result"),
    };
    view! {
        <div class="call-result" class:is-error=call.is_error || call.error.is_some() data-testid="call-result">
            <div class="call-head">
                <span class=format!("status {class}")>{label}</span>
                <span class="muted small-text">{format!("{:.1} ms", call.duration_ms)}</span>
            </div>
            {call.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
            {call.content.into_iter().map(content_view).collect_view()}
            {call.structured_content.map(|s| view! {
                <div class="muted small-text">"Structured content"</div>
                <pre class="pre mono">{serde_json::to_string_pretty(&s).unwrap_or_default()}</pre>
            })}
        </div>
    }
}
