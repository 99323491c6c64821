//! Event names the shell emits and the UI listens to, with their payloads.
//!
//! Names keep the old backend's vocabulary (`repository:updated`, …) so that
//! people who scripted against it recognise them.

use serde::{Deserialize, Serialize};

/// Payload: [`crate::repos::Repository`] (created or changed).
pub const REPOSITORY_UPDATED: &str = "repository:updated";
/// Payload: [`Deleted`].
pub const REPOSITORY_DELETED: &str = "repository:deleted";

/// Payload of every `*:deleted` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub id: i64,
}
