//! The domain's error type. Each variant maps to one stable IPC error code;
//! the message is written for the person reading the toast.

use ai_desktop_api::{ApiError, ErrorCode};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    Failed {
        message: String,
        detail: Option<String>,
    },
}

impl Error {
    pub fn failed(message: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        Error::Failed {
            message: message.into(),
            detail: Some(detail.to_string()),
        }
    }

    /// The message followed by the technical detail, for logs and start-up failures.
    pub fn with_detail_text(&self) -> String {
        match self {
            Error::Failed {
                message,
                detail: Some(detail),
            } => format!("{message} ({detail})"),
            other => other.to_string(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::Failed { .. } => ErrorCode::Failed,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => Error::failed(
                "The disk that holds the app's data is full: nothing was saved. Free some space and try again.",
                e,
            ),
            Some(rusqlite::ErrorCode::ReadOnly) => Error::failed(
                "The app's database is read-only: nothing was saved. Make the data folder writable.",
                e,
            ),
            _ => Error::failed("The app's database could not complete the operation.", e),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let code = e.code();
        match e {
            Error::Failed { message, detail } => ApiError {
                code,
                message,
                detail,
            },
            other => ApiError::new(code, other.to_string()),
        }
    }
}
