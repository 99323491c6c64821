//! A form generated from a tool's input JSON Schema: one field per top-level
//! property (text, number, integer, boolean, enum; anything else as JSON),
//! and the arguments object built from what was typed. The app checks the
//! result against the full schema before it calls the tool, so this form
//! only has to produce the right JSON types.

use leptos::prelude::*;
use serde_json::{Map, Value};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldKind {
    Text,
    Number,
    Integer,
    Boolean,
    Enum,
    Json,
}

#[derive(Clone, PartialEq, Debug)]
pub struct FieldSpec {
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
    pub description: Option<String>,
    pub default: Option<Value>,
    pub choices: Vec<String>,
}

/// The fields of an object schema, required ones first, then by name.
pub fn fields_of(schema: &Value) -> Vec<FieldSpec> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut fields: Vec<FieldSpec> = properties
        .iter()
        .map(|(name, prop)| {
            let ty = match prop.get("type") {
                Some(Value::String(t)) => Some(t.as_str()),
                // ["string", "null"] and the like: the first non-null type.
                Some(Value::Array(types)) => types
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|t| *t != "null"),
                _ => None,
            };
            let choices: Vec<String> = prop
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| {
                    e.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let kind = if !choices.is_empty() {
                FieldKind::Enum
            } else {
                match ty {
                    Some("string") => FieldKind::Text,
                    Some("number") => FieldKind::Number,
                    Some("integer") => FieldKind::Integer,
                    Some("boolean") => FieldKind::Boolean,
                    _ => FieldKind::Json,
                }
            };
            FieldSpec {
                name: name.clone(),
                kind,
                required: required.contains(&name.as_str()),
                description: prop
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                default: prop.get("default").cloned(),
                choices,
            }
        })
        .collect();
    fields.sort_by(|a, b| b.required.cmp(&a.required).then(a.name.cmp(&b.name)));
    fields
}

/// The arguments object from the typed values. Empty fields are left out;
/// a value that does not parse as its type is sent as typed (a string), so
/// the shell's schema check names the field and the problem.
pub fn build_arguments(fields: &[FieldSpec], values: &HashMap<String, String>) -> Value {
    let mut args = Map::new();
    for field in fields {
        let raw = values.get(&field.name).map(String::as_str).unwrap_or("");
        if field.kind == FieldKind::Boolean {
            match raw {
                "true" => {
                    args.insert(field.name.clone(), Value::Bool(true));
                }
                "false" => {
                    args.insert(field.name.clone(), Value::Bool(false));
                }
                _ => {}
            }
            continue;
        }
        if raw.trim().is_empty() {
            continue;
        }
        let value = match field.kind {
            FieldKind::Number => raw
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(|n| {
                    // 3 rather than 3.0 when it is whole.
                    match n.as_f64() {
                        Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
                        _ => Value::Number(n),
                    }
                })
                .unwrap_or_else(|| Value::String(raw.to_string())),
            FieldKind::Integer => raw
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(raw.to_string())),
            FieldKind::Json => {
                serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()))
            }
            _ => Value::String(raw.to_string()),
        };
        args.insert(field.name.clone(), value);
    }
    Value::Object(args)
}

/// Initial values: the schema's defaults.
pub fn default_values(fields: &[FieldSpec]) -> HashMap<String, String> {
    fields
        .iter()
        .filter_map(|f| {
            let d = f.default.as_ref()?;
            let text = match d {
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => serde_json::to_string_pretty(other).ok()?,
            };
            Some((f.name.clone(), text))
        })
        .collect()
}

#[component]
pub fn SchemaFields(
    fields: Vec<FieldSpec>,
    values: RwSignal<HashMap<String, String>>,
) -> impl IntoView {
    if fields.is_empty() {
        return view! { <p class="muted">"This tool takes no arguments."</p> }.into_any();
    }
    fields
        .into_iter()
        .map(|field| {
            let name = field.name.clone();
            let value = {
                let name = name.clone();
                move || values.with(|v| v.get(&name).cloned().unwrap_or_default())
            };
            let set = {
                let name = name.clone();
                move |text: String| {
                    values.update(|v| {
                        v.insert(name.clone(), text);
                    })
                }
            };
            let test_id = format!("arg-{name}");
            let label = if field.required {
                format!("{name} *")
            } else {
                name.clone()
            };
            let type_hint = match field.kind {
                FieldKind::Text => "text",
                FieldKind::Number => "number",
                FieldKind::Integer => "integer",
                FieldKind::Boolean => "true / false",
                FieldKind::Enum => "one of",
                FieldKind::Json => "JSON",
            };
            let input = match field.kind {
                FieldKind::Boolean => {
                    let set = set.clone();
                    view! {
                        <select class="input" data-testid=test_id prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                            <option value="">"(not set)"</option>
                            <option value="true">"true"</option>
                            <option value="false">"false"</option>
                        </select>
                    }
                    .into_any()
                }
                FieldKind::Enum => {
                    let set = set.clone();
                    view! {
                        <select class="input" data-testid=test_id prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                            <option value="">"(not set)"</option>
                            {field.choices.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                        </select>
                    }
                    .into_any()
                }
                FieldKind::Json => {
                    let set = set.clone();
                    view! {
                        <textarea class="input mono" rows="3" data-testid=test_id prop:value=value on:input=move |ev| set(event_target_value(&ev))></textarea>
                    }
                    .into_any()
                }
                FieldKind::Number | FieldKind::Integer => {
                    let set = set.clone();
                    view! {
                        <input class="input mono" inputmode="decimal" data-testid=test_id prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
                    }
                    .into_any()
                }
                FieldKind::Text => {
                    let set = set.clone();
                    view! {
                        <input class="input" data-testid=test_id prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
                    }
                    .into_any()
                }
            };
            view! {
                <label class="field">
                    <span>{label}" "<small class="muted">{type_hint}</small></span>
                    {input}
                    {field.description.clone().map(|d| view! { <small class="hint">{d}</small> })}
                </label>
            }
            .into_any()
        })
        .collect_view()
        .into_any()
}
