//! The one error shape that crosses IPC: `{ code, message, detail? }`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable, machine-readable error classes. The UI branches on these; the
/// message is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The thing named by an id or name does not exist.
    NotFound,
    /// The input was refused before anything changed.
    InvalidInput,
    /// The input clashes with existing state (duplicate name, port in use…).
    Conflict,
    /// A tool or daemon the feature needs is missing or not answering.
    Unavailable,
    /// The operation was attempted and failed.
    Failed,
    /// The operation is not allowed (outside allowed roots, hostile input).
    Forbidden,
}

impl ErrorCode {
    /// The code as it is written on the wire (`not_found` …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Failed => "failed",
            ErrorCode::Forbidden => "forbidden",
        }
    }
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What kind of failure, for the UI to act on.
    pub code: ErrorCode,
    /// What happened and what to do, in words for the user.
    pub message: String,
    /// The cause's own words (an OS error, a tool's output), shown behind *Details*.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ApiError {
    /// An error without detail.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// The same error with the cause's own words attached.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_to_the_documented_shape() {
        let e = ApiError::new(ErrorCode::InvalidInput, "bad port");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"invalid_input","message":"bad port"}"#
        );
        let e = e.with_detail("70000");
        let back: ApiError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back.detail.as_deref(), Some("70000"));
    }

    #[test]
    fn codes_match_their_wire_names() {
        for code in [
            ErrorCode::NotFound,
            ErrorCode::InvalidInput,
            ErrorCode::Conflict,
            ErrorCode::Unavailable,
            ErrorCode::Failed,
            ErrorCode::Forbidden,
        ] {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }
}
