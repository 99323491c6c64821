//! AI Desktop's core: everything the app does, with no window. The desktop
//! crate (`src-tauri`) builds an [`app::App`] and forwards its commands to
//! it; the integration tests, the crash test's writer and the benches build
//! the same `App`. Nothing here depends on Tauri, wry or WebKit (CI checks
//! the dependency tree).
//!
//! Invariants every module keeps:
//! - Errors are [`error::Error`]: a message a user can act on, and the
//!   cause (`detail`) for the log and the details pane.
//! - Managers tell the UI what changed through [`events::EventSink`]; they
//!   never know who listens.
//! - Processes that outlive a call (code-server, MCP servers) are spawned
//!   through [`procs`]: their own process group, an allow-listed
//!   environment, recorded in the store with their start time so a later
//!   run can tell them from a reused pid. Commands run to completion (git,
//!   ssh, pm2's CLI, version probes, `gio`) are run by the module that needs
//!   them; terminals own their pty children ([`terminal`]).
//! - The threading rule is written once, in [`app`].

pub mod alerts;
pub mod app;
pub mod appearance;
pub mod autostart;
pub mod deeplink;
pub mod deployments;
pub mod doctor;
pub mod error;
pub mod events;
pub mod files;
pub mod flow;
pub mod gateway;
pub mod git;
pub mod hosts;
pub mod logging;
pub mod mcp;
pub mod notify;
pub mod presence;
pub mod procs;
pub mod repos;
pub mod sandbox;
pub mod secrets;
pub mod services;
pub mod stack;
pub mod store;
pub mod system;
pub mod terminal;
pub mod traymodel;
pub mod util;
pub mod vscode;
pub mod workspace;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use app::{data_dir, App, Config, DATA_DIR_ENV};
