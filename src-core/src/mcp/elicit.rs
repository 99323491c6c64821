//! Elicitation: a server asks the user for input while it works (a tool
//! call of the Hub page or of a Flow agent). The request's schema becomes a
//! form ([`McpElicitation`]) the window shows wherever the user is; the
//! server waits until the user accepts (the values are checked against the
//! schema first), declines or cancels, or until the timeout (cancelled).

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::util::lock;
use ai_desktop_api::mcp::{
    McpChoice, McpElicitAction, McpElicitField, McpElicitKind, McpElicitation,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// The user's answer, as the server gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub action: McpElicitAction,
    pub content: Option<Map<String, Value>>,
}

struct Pending {
    question: McpElicitation,
    schema: Value,
    reply: oneshot::Sender<Answer>,
}

/// The questions waiting for the user, across servers.
pub struct Elicitations {
    events: Arc<dyn EventSink>,
    timeout: Duration,
    next: AtomicI64,
    pending: Mutex<BTreeMap<i64, Pending>>,
}

/// Longest message or form taken from a server.
const MAX_FIELDS: usize = 50;
const MAX_TEXT: usize = 4000;

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(|s| s.chars().take(MAX_TEXT).collect())
}

/// The options of an enum schema: `enum` (with the legacy `enumNames` as
/// titles) or `oneOf`/`anyOf` of `{const, title}`.
fn choices(schema: &Value) -> Option<Vec<McpChoice>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names = schema.get("enumNames").and_then(Value::as_array);
        return Some(
            values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    Some(McpChoice {
                        value: v.as_str()?.to_string(),
                        title: names.and_then(|n| text(n.get(i))),
                    })
                })
                .collect(),
        );
    }
    let titled = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)?;
    Some(
        titled
            .iter()
            .filter_map(|o| {
                Some(McpChoice {
                    value: o.get("const")?.as_str()?.to_string(),
                    title: text(o.get("title")),
                })
            })
            .collect(),
    )
}

/// The form for a requested schema (an object of primitive properties, as
/// the spec restricts it), required fields first. A property of another
/// shape is refused.
pub fn form(schema: &Value) -> Result<Vec<McpElicitField>> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    if properties.len() > MAX_FIELDS {
        return Err(Error::InvalidInput(format!(
            "The server asked for {} fields; at most {MAX_FIELDS} are shown.",
            properties.len()
        )));
    }
    let mut fields = Vec::new();
    for (name, p) in properties {
        let num = |k: &str| p.get(k).and_then(Value::as_f64);
        let int = |k: &str| p.get(k).and_then(Value::as_u64);
        let kind = match p.get("type").and_then(Value::as_str) {
            Some("string") => match choices(p) {
                Some(options) => McpElicitKind::Choice {
                    options,
                    multiple: false,
                },
                None => McpElicitKind::Text {
                    format: text(p.get("format")),
                    min_length: int("minLength"),
                    max_length: int("maxLength"),
                },
            },
            Some("number") | Some("integer") => McpElicitKind::Number {
                integer: p.get("type").and_then(Value::as_str) == Some("integer"),
                minimum: num("minimum"),
                maximum: num("maximum"),
            },
            Some("boolean") => McpElicitKind::Boolean,
            Some("array") => match p.get("items").and_then(choices) {
                Some(options) => McpElicitKind::Choice {
                    options,
                    multiple: true,
                },
                None => {
                    return Err(Error::InvalidInput(format!(
                        "The field \"{name}\" is a list of something other than choices."
                    )))
                }
            },
            None if choices(p).is_some() => McpElicitKind::Choice {
                options: choices(p).unwrap_or_default(),
                multiple: false,
            },
            other => {
                return Err(Error::InvalidInput(format!(
                    "The field \"{name}\" has a type a form cannot show ({}).",
                    other.unwrap_or("none")
                )))
            }
        };
        fields.push(McpElicitField {
            name: name.chars().take(200).collect(),
            title: text(p.get("title")),
            description: text(p.get("description")),
            required: required.contains(&name.as_str()),
            kind,
            default: p.get("default").cloned(),
        });
    }
    // The server's order does not survive the protocol library (a sorted
    // map): required fields first, then by name, as the tool forms do.
    fields.sort_by_key(|f| !f.required);
    Ok(fields)
}

impl Elicitations {
    pub fn new(events: Arc<dyn EventSink>, timeout: Duration) -> Elicitations {
        Elicitations {
            events,
            timeout,
            next: AtomicI64::new(1),
            pending: Mutex::new(BTreeMap::new()),
        }
    }

    /// Asks the user (the window shows the form) and waits for the answer:
    /// cancelled after the timeout, or when the form cannot be shown.
    pub async fn ask(
        &self,
        server_id: i64,
        server_name: &str,
        message: &str,
        schema: Value,
    ) -> Answer {
        let cancel = Answer {
            action: McpElicitAction::Cancel,
            content: None,
        };
        let fields = match form(&schema) {
            Ok(fields) => fields,
            Err(e) => {
                log::warn!("an elicitation of {server_name} was cancelled: {e}");
                return cancel;
            }
        };
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let question = McpElicitation {
            id,
            server_id,
            server_name: server_name.to_string(),
            message: message.chars().take(MAX_TEXT).collect(),
            fields,
            timeout_secs: self.timeout.as_secs(),
        };
        let (reply, answer) = oneshot::channel();
        lock(&self.pending).insert(
            id,
            Pending {
                question: question.clone(),
                schema,
                reply,
            },
        );
        self.events
            .emit(DomainEvent::McpElicitation(Box::new(question)));
        let answer = tokio::time::timeout(self.timeout, answer).await;
        if lock(&self.pending).remove(&id).is_some() {
            // Timed out (or the waiting side went away) unanswered.
            self.events.emit(DomainEvent::McpElicitationDone(id));
        }
        match answer {
            Ok(Ok(answer)) => answer,
            _ => cancel,
        }
    }

    /// Whether server `server_id` waits for the user's answer now.
    pub fn waiting_on(&self, server_id: i64) -> bool {
        lock(&self.pending)
            .values()
            .any(|p| p.question.server_id == server_id)
    }

    /// The questions waiting, oldest first.
    pub fn pending(&self) -> Vec<McpElicitation> {
        lock(&self.pending)
            .values()
            .map(|p| p.question.clone())
            .collect()
    }

    /// The user's answer to `id`. Accepted values must match the form's
    /// schema; if they do not, nothing is sent and the question stays.
    pub fn answer(&self, id: i64, action: McpElicitAction, content: Option<Value>) -> Result<()> {
        let mut pending = lock(&self.pending);
        let Some(p) = pending.get(&id) else {
            return Err(Error::NotFound(
                "That question is no longer open (answered, timed out, or its server stopped)."
                    .into(),
            ));
        };
        let content = match action {
            McpElicitAction::Accept => {
                let content = content.unwrap_or_else(|| Value::Object(Map::new()));
                let Value::Object(values) = &content else {
                    return Err(Error::InvalidInput("The answer must be an object.".into()));
                };
                super::schema::check(
                    "the form",
                    &super::schema::compile("the form", &p.schema)?,
                    &content,
                )?;
                Some(values.clone())
            }
            _ => None,
        };
        let p = pending.remove(&id).expect("looked up above");
        drop(pending);
        let _ = p.reply.send(Answer { action, content });
        self.events.emit(DomainEvent::McpElicitationDone(id));
        Ok(())
    }

    /// Cancels what `server_id` asked (it stopped or went away).
    pub fn forget_server(&self, server_id: i64) {
        let gone: Vec<i64> = lock(&self.pending)
            .iter()
            .filter(|(_, p)| p.question.server_id == server_id)
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            let _ = self.answer(id, McpElicitAction::Cancel, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_schema_becomes_a_form_with_its_defaults() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "title": "Name", "default": "John Doe", "minLength": 1},
                "email": {"type": "string", "format": "email"},
                "age": {"type": "integer", "minimum": 0, "default": 30},
                "score": {"type": "number", "default": 95.5},
                "ok": {"type": "boolean", "default": true},
                "status": {"type": "string", "enum": ["active", "inactive"], "default": "active"},
                "plan": {"type": "string", "oneOf": [{"const": "a", "title": "Plan A"}, {"const": "b", "title": "Plan B"}]},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}, "default": ["x"]}
            },
            "required": ["name", "email"]
        });
        let fields = form(&schema).unwrap();
        assert_eq!(fields.len(), 8);
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            &names[..2],
            ["email", "name"],
            "required first, then by name"
        );
        let get = |n: &str| fields.iter().find(|f| f.name == n).unwrap();
        assert!(get("name").required && get("email").required && !get("age").required);
        assert!(
            matches!(&get("email").kind, McpElicitKind::Text { format: Some(f), .. } if f == "email")
        );
        assert!(
            matches!(get("age").kind, McpElicitKind::Number { integer: true, minimum: Some(m), .. } if m == 0.0)
        );
        assert!(
            matches!(&get("plan").kind, McpElicitKind::Choice { options, multiple: false } if options[1].title.as_deref() == Some("Plan B"))
        );
        assert!(matches!(
            &get("tags").kind,
            McpElicitKind::Choice { multiple: true, .. }
        ));
        let q = McpElicitation {
            id: 1,
            server_id: 1,
            server_name: "s".into(),
            message: "m".into(),
            fields,
            timeout_secs: 1,
        };
        assert_eq!(
            Value::Object(q.defaults()),
            json!({"name": "John Doe", "age": 30, "score": 95.5, "ok": true, "status": "active", "tags": ["x"]})
        );
        assert!(form(&json!({"properties": {"x": {"type": "object"}}})).is_err());
    }
}
