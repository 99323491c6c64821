//! A server's question for the user (MCP elicitation), on whatever page is
//! open: a form made from the server's schema, its defaults filled in, and
//! Accept / Decline / Cancel. The oldest open question is shown first; one
//! that times out or whose server stops goes away by itself.

use crate::components::dialog::Dialog;
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::events::{Deleted, MCP_ELICITATION, MCP_ELICITATION_DONE};
use ai_desktop_api::mcp::{self, McpElicitAction, McpElicitKind, McpElicitation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a field's input holds, as typed.
fn initial(kind: &McpElicitKind, default: Option<&Value>) -> Value {
    match (kind, default) {
        (_, Some(d)) => d.clone(),
        (McpElicitKind::Boolean, None) => Value::Bool(false),
        (McpElicitKind::Choice { multiple: true, .. }, None) => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

/// The answer from the values typed: empty optional fields left out,
/// numbers as numbers. A number that does not parse is an error.
fn answer(q: &McpElicitation, values: &BTreeMap<String, Value>) -> Result<Value, String> {
    let mut out = Map::new();
    for f in &q.fields {
        let v = values.get(&f.name).cloned().unwrap_or(Value::Null);
        let v = match (&f.kind, v) {
            (McpElicitKind::Number { integer, .. }, Value::String(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    Value::Null
                } else if *integer {
                    s.parse::<i64>().map(Value::from).map_err(|_| {
                        format!(
                            "{} must be a whole number.",
                            f.title.as_deref().unwrap_or(&f.name)
                        )
                    })?
                } else {
                    s.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                        .ok_or_else(|| {
                            format!(
                                "{} must be a number.",
                                f.title.as_deref().unwrap_or(&f.name)
                            )
                        })?
                }
            }
            (_, Value::String(s)) if s.is_empty() => Value::Null,
            (_, v) => v,
        };
        if !v.is_null() {
            out.insert(f.name.clone(), v);
        }
    }
    Ok(Value::Object(out))
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Shows the servers' open questions, one at a time.
#[component]
pub fn ElicitationHost() -> impl IntoView {
    let open = RwSignal::new(Vec::<McpElicitation>::new());
    spawn_local(async move {
        if let Ok(list) = ipc::call(&mcp::Elicitations {}).await {
            open.set(list);
        }
    });
    ipc::listen(MCP_ELICITATION, move |q: McpElicitation| {
        open.update(|l| {
            if !l.iter().any(|o| o.id == q.id) {
                l.push(q);
            }
        })
    });
    ipc::listen(MCP_ELICITATION_DONE, move |d: Deleted| {
        open.update(|l| l.retain(|o| o.id != d.id))
    });
    move || {
        open.with(|l| l.first().cloned())
            .map(|q| view! { <ElicitationForm question=q open/> })
    }
}

/// One question; `open` is the host's list, which it leaves once answered
/// (the form is gone by then if the question's end came first).
#[component]
fn ElicitationForm(question: McpElicitation, open: RwSignal<Vec<McpElicitation>>) -> impl IntoView {
    let done = move |id: i64| {
        let _ = open.try_update(|l| l.retain(|o| o.id != id));
    };
    let toasts = use_toasts();
    let q = StoredValue::new(question.clone());
    let values = RwSignal::new(
        question
            .fields
            .iter()
            .map(|f| (f.name.clone(), initial(&f.kind, f.default.as_ref())))
            .collect::<BTreeMap<String, Value>>(),
    );
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let send = move |action: McpElicitAction| {
        let content = if action == McpElicitAction::Accept {
            match q.with_value(|q| answer(q, &values.get_untracked())) {
                Ok(c) => Some(c),
                Err(e) => {
                    error.set(Some(e));
                    return;
                }
            }
        } else {
            None
        };
        busy.set(true);
        let id = q.with_value(|q| q.id);
        spawn_local(async move {
            let r = ipc::call(&mcp::AnswerElicitation {
                id,
                action,
                content,
            })
            .await;
            // The form may be gone already (the question's end came first).
            let _ = busy.try_set(false);
            match r {
                Ok(()) => done(id),
                // The form stays: what was typed does not match.
                Err(e) if e.code == ai_desktop_api::ErrorCode::InvalidInput => {
                    let _ = error.try_set(Some(e.message));
                }
                Err(e) => {
                    toasts.error("Not answered", &e);
                    done(id);
                }
            }
        });
    };
    let set = move |name: String, v: Value| {
        values.update(|m| {
            m.insert(name, v);
        });
        error.set(None);
    };
    let minutes = question.timeout_secs.div_ceil(60);
    view! {
        <Dialog title=format!("{} asks", question.server_name) on_close=Callback::new(move |_| send(McpElicitAction::Cancel)) test_id="mcp-elicitation">
            <form class="dialog-body elicitation" on:submit=move |ev| { ev.prevent_default(); send(McpElicitAction::Accept); }>
                <p class="elicitation-message" data-testid="mcp-elicitation-message">{question.message.clone()}</p>
                {question.fields.iter().map(|f| {
                    let name = f.name.clone();
                    let label = f.title.clone().unwrap_or_else(|| f.name.clone());
                    let testid = format!("mcp-elicit-{}", f.name);
                    let input = match f.kind.clone() {
                        McpElicitKind::Boolean => {
                            let n = name.clone();
                            view! {
                                <input type="checkbox" data-testid=testid.clone()
                                    prop:checked=move || values.with(|m| m.get(&n) == Some(&Value::Bool(true)))
                                    on:change={ let name = name.clone(); move |ev| set(name.clone(), Value::Bool(event_target_checked(&ev))) }/>
                            }.into_any()
                        }
                        McpElicitKind::Choice { options, multiple: false } => {
                            let n = name.clone();
                            view! {
                                <select class="input" data-testid=testid.clone() required=f.required
                                    prop:value=move || values.with(|m| m.get(&n).map(shown).unwrap_or_default())
                                    on:change={ let name = name.clone(); move |ev| set(name.clone(), Value::String(event_target_value(&ev))) }>
                                    <option value="">"—"</option>
                                    {options.into_iter().map(|o| { let label = o.title.unwrap_or_else(|| o.value.clone()); view! { <option value=o.value>{label}</option> } }).collect_view()}
                                </select>
                            }.into_any()
                        }
                        McpElicitKind::Choice { options, multiple: true } => {
                            view! {
                                <div class="elicit-choices" data-testid=testid.clone()>
                                    {options.into_iter().map(|o| {
                                        let (n1, n2, v1, v2) = (name.clone(), name.clone(), o.value.clone(), o.value.clone());
                                        view! {
                                            <label class="check">
                                                <input type="checkbox"
                                                    prop:checked=move || values.with(|m| m.get(&n1).and_then(Value::as_array).is_some_and(|a| a.iter().any(|x| x.as_str() == Some(v1.as_str()))))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        let mut list: Vec<Value> = values.with_untracked(|m| m.get(&n2).and_then(Value::as_array).cloned().unwrap_or_default());
                                                        list.retain(|x| x.as_str() != Some(v2.as_str()));
                                                        if on { list.push(Value::String(v2.clone())); }
                                                        set(n2.clone(), Value::Array(list));
                                                    }/>
                                                {o.title.clone().unwrap_or_else(|| o.value.clone())}
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            }.into_any()
                        }
                        McpElicitKind::Number { integer, minimum, maximum } => {
                            let n = name.clone();
                            view! {
                                <input class="input" type="number" data-testid=testid.clone() required=f.required
                                    step=if integer { "1" } else { "any" }
                                    min=minimum.map(|m| m.to_string()) max=maximum.map(|m| m.to_string())
                                    prop:value=move || values.with(|m| m.get(&n).map(shown).unwrap_or_default())
                                    on:input={ let name = name.clone(); move |ev| set(name.clone(), Value::String(event_target_value(&ev))) }/>
                            }.into_any()
                        }
                        McpElicitKind::Text { format, min_length, max_length } => {
                            let n = name.clone();
                            let kind = match format.as_deref() {
                                Some("email") => "email",
                                Some("uri") => "url",
                                Some("date") => "date",
                                Some("date-time") => "datetime-local",
                                _ => "text",
                            };
                            view! {
                                <input class="input" type=kind data-testid=testid.clone() required=f.required
                                    minlength=min_length.map(|m| m.to_string()) maxlength=max_length.map(|m| m.to_string())
                                    prop:value=move || values.with(|m| m.get(&n).map(shown).unwrap_or_default())
                                    on:input={ let name = name.clone(); move |ev| set(name.clone(), Value::String(event_target_value(&ev))) }/>
                            }.into_any()
                        }
                    };
                    view! {
                        <label class="field">
                            <span>{label}{f.required.then_some(" *")}</span>
                            {input}
                            {f.description.clone().map(|d| view! { <span class="muted small-text">{d}</span> })}
                        </label>
                    }
                }).collect_view()}
                {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="mcp-elicitation-error">{e}</p> })}
                <p class="muted small-text">{format!("The server waits for your answer for up to {minutes} min; then it is cancelled.")}</p>
                <footer class="dialog-footer">
                    <button type="button" class="button" data-testid="mcp-elicitation-cancel" disabled=move || busy.get()
                        title="Dismiss without an answer" on:click=move |_| send(McpElicitAction::Cancel)>"Cancel"</button>
                    <button type="button" class="button" data-testid="mcp-elicitation-decline" disabled=move || busy.get()
                        title="Tell the server no" on:click=move |_| send(McpElicitAction::Decline)>"Decline"</button>
                    <button type="submit" class="button primary" data-testid="mcp-elicitation-accept" disabled=move || busy.get()>"Accept"</button>
                </footer>
            </form>
        </Dialog>
    }
}
