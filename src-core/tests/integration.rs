//! The core's integration tests: one binary (one link, one run), a module
//! per domain, on real components — a real SQLite file, real git
//! repositories, real processes. Tests that need real tools (dockerd, pm2,
//! code-server, node and npm MCP servers, a D-Bus session bus, root) skip
//! with a one-line reason unless `AI_DESKTOP_REAL_TOOLS=1` or `CI` is set
//! (`.ci/test` sets it after installing them); see
//! `ai_desktop_core::testkit`. Tests that change what is global to a
//! process (the logger, the umask, its memory) run alone in a child process
//! (`testkit::isolated`).

mod crash;
mod crash_writer;
mod deployments;
mod disk_full;
mod doctor;
mod file_modes;
mod files;
mod flow;
mod flow_provider;
mod gateway;
mod git_changes;
mod git_graph;
mod git_identity;
mod git_lines;
mod git_ops;
mod git_sync;
mod host_deploy;
mod host_docker;
mod hosts;
mod log_secrets;
mod logging;
mod mcp;
mod mcp_limits;
mod notify;
mod procs;
mod repos;
mod services;
mod stack;
mod system;
mod terminal;
mod vscode;
