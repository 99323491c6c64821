//! The contract between the AI Desktop UI (wasm) and its native shell.
//!
//! Everything that crosses Tauri IPC is defined here once and used by both
//! sides: command names, argument and result types, event names and payloads,
//! and the error shape. This crate depends on serde (and serde_json for arbitrary JSON values) only so that it compiles
//! for both `wasm32-unknown-unknown` and the host.

#![warn(missing_docs)]

pub mod app;
pub mod commands;
pub mod deployments;
pub mod error;
pub mod events;
pub mod files;
pub mod flow;
pub mod gateway;
pub mod git;
pub mod hosts;
pub mod logs;
pub mod mcp;
pub mod repos;
pub mod secrets;
pub mod services;
pub mod stack;
pub mod system;
pub mod terminal;
pub mod vscode;

pub use error::{ApiError, ErrorCode};
