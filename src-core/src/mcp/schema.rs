//! Tool arguments checked against the tool's input schema before a call is
//! sent, so a bad form entry is explained here instead of by the server.

use crate::error::{Error, Result};
use serde_json::Value;

/// At most this many problems are listed in one message.
const MAX_LISTED: usize = 5;

/// Compiles a tool's input schema once, for many calls.
///
/// Schemas are compiled without network or file access (the crate is built
/// without its resolvers), so a `$ref` to a URL is refused, never fetched.
pub fn compile(tool: &str, schema: &Value) -> Result<jsonschema::Validator> {
    jsonschema::validator_for(schema).map_err(|e| {
        Error::InvalidInput(format!(
            "The input schema {tool} declares cannot be used to check arguments: {e}"
        ))
    })
}

/// Checks `arguments` against `schema`. The error lists where and why, e.g.
/// "/a: \"two\" is not of type \"number\"".
pub fn check_arguments(tool: &str, schema: &Value, arguments: &Value) -> Result<()> {
    check(tool, &compile(tool, schema)?, arguments)
}

/// Checks `arguments` with a compiled schema.
pub fn check(tool: &str, validator: &jsonschema::Validator, arguments: &Value) -> Result<()> {
    if !arguments.is_object() {
        return Err(Error::InvalidInput(format!(
            "The arguments of {tool} must be a JSON object, not {}.",
            kind_of(arguments)
        )));
    }
    let problems: Vec<String> = validator
        .iter_errors(arguments)
        .map(|e| {
            let path = e.instance_path().to_string();
            let path = if path.is_empty() {
                "(arguments)".to_string()
            } else {
                path
            };
            format!("{path}: {e}")
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "The arguments do not match what {tool} expects, so nothing was sent: {}",
        problems
            .iter()
            .take(MAX_LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    );
    if problems.len() > MAX_LISTED {
        message.push_str(&format!(" (and {} more)", problems.len() - MAX_LISTED));
    }
    message.push('.');
    Err(Error::InvalidInput(message))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sum_schema() -> Value {
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": { "a": { "type": "number" }, "b": { "type": "number" } },
            "required": ["a", "b"]
        })
    }

    #[test]
    fn valid_arguments_pass() {
        check_arguments("get-sum", &sum_schema(), &json!({ "a": 1, "b": 2.5 })).unwrap();
    }

    #[test]
    fn each_problem_is_named_with_its_place() {
        let err = check_arguments("get-sum", &sum_schema(), &json!({ "a": "two" }))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/a"), "{err}");
        assert!(err.contains("\"b\" is a required property"), "{err}");
        assert!(err.contains("nothing was sent"), "{err}");
    }

    #[test]
    fn arguments_must_be_an_object() {
        let err = check_arguments("get-sum", &sum_schema(), &json!([1, 2])).unwrap_err();
        assert!(err.to_string().contains("not an array"), "{err}");
    }

    #[test]
    fn a_remote_ref_is_refused_not_fetched() {
        let schema = json!({ "$ref": "http://127.0.0.1:9/schema.json" });
        let err = check_arguments("t", &schema, &json!({})).unwrap_err();
        assert!(err.to_string().contains("cannot be used"), "{err}");
    }
}
