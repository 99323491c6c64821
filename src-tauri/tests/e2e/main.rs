//! End-to-end: the real app binary in a real window under Xvfb, driven
//! through WebDriver (tauri-driver in front of WebKitWebDriver). Each step
//! saves a screenshot under `target/e2e-shots/`.
//!
//! Built only with `--features e2e,custom-protocol` (`.ci/test` does this
//! after building the UI with .ci/build-ui); it needs `tauri-driver`,
//! `WebKitWebDriver` and `Xvfb`, and fails loudly when one is missing.
//!
//! One binary, a module per page; `support` holds what several share and
//! `ai_desktop::testkit` the window harness (also used by the app bench).
//! Tests run one at a time (`support::SERIAL`): one display, one tray.

mod appearance;
mod deb;
mod deployments;
mod files;
mod flow;
mod git;
mod hosts;
mod mcp;
mod repositories;
mod services;
mod support;
mod system;
mod terminals;
mod tray;
mod vscode;
mod window_policy;
