//! AI Desktop's own tools, served to other MCP clients by the gateway:
//! the workshop as the app shows it (repositories and their git status,
//! deployments and their logs, database services, editors), and the few
//! actions a client may ask for (restart a deployment, open a file in the
//! repository's editor, start or stop its code-server). Each answer is
//! JSON text; every argument is checked and a bad one is refused with a
//! message that says which.

use super::Gateway;
use crate::error::{Error, Result};
use ai_desktop_api::repos::Repository;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    ListRepositories,
    GitStatus,
    ListDeployments,
    DeploymentLogs,
    RestartDeployment,
    ListServices,
    OpenInEditor,
    StartCodeServer,
    StopCodeServer,
}

/// Lines of a deployment's log given when the client names no number.
const DEFAULT_LOG_LINES: u64 = 100;
const MAX_LOG_LINES: u64 = 1000;
/// Files listed per repository by `git_status`.
const MAX_STATUS_FILES: usize = 500;

fn repository_arg() -> Value {
    json!({"type": "string", "description": "The repository's name as AI Desktop lists it, or its id."})
}

impl Tool {
    pub const ALL: [Tool; 9] = [
        Tool::ListRepositories,
        Tool::GitStatus,
        Tool::ListDeployments,
        Tool::DeploymentLogs,
        Tool::RestartDeployment,
        Tool::ListServices,
        Tool::OpenInEditor,
        Tool::StartCodeServer,
        Tool::StopCodeServer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tool::ListRepositories => "list_repositories",
            Tool::GitStatus => "git_status",
            Tool::ListDeployments => "list_deployments",
            Tool::DeploymentLogs => "deployment_logs",
            Tool::RestartDeployment => "restart_deployment",
            Tool::ListServices => "list_services",
            Tool::OpenInEditor => "open_in_editor",
            Tool::StartCodeServer => "start_code_server",
            Tool::StopCodeServer => "stop_code_server",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Tool::ListRepositories => "The user's repositories in AI Desktop: name, folder, branch, how many files changed, and whether its VS Code (code-server) runs.",
            Tool::GitStatus => "A repository's branch and changed files (staged, unstaged, conflicted), as git status shows them.",
            Tool::ListDeployments => "The apps AI Desktop runs under PM2: name, repository, status, port, processes, CPU, memory and restarts.",
            Tool::DeploymentLogs => "The newest lines of a deployment's output (stdout and stderr).",
            Tool::RestartDeployment => "Restarts a deployment under PM2 and answers its new status.",
            Tool::ListServices => "The database services AI Desktop runs in Docker (PostgreSQL, MySQL, MongoDB, Redis): state (health), port and connection string.",
            Tool::OpenInEditor => "Opens a file of a repository in its VS Code (code-server) in AI Desktop, at a line if given; starts the editor if needed.",
            Tool::StartCodeServer => "Starts a repository's VS Code (code-server) and answers where it listens.",
            Tool::StopCodeServer => "Stops a repository's VS Code (code-server).",
        }
    }

    pub fn read_only(self) -> bool {
        matches!(
            self,
            Tool::ListRepositories
                | Tool::GitStatus
                | Tool::ListDeployments
                | Tool::DeploymentLogs
                | Tool::ListServices
        )
    }

    pub fn schema(self) -> Value {
        let deployment = json!({"type": "string", "description": "The deployment's name as AI Desktop lists it, or its id."});
        match self {
            Tool::ListRepositories | Tool::ListDeployments | Tool::ListServices => {
                json!({"type": "object", "properties": {}, "additionalProperties": false})
            }
            Tool::GitStatus | Tool::StartCodeServer | Tool::StopCodeServer => json!({
                "type": "object",
                "properties": {"repository": repository_arg()},
                "required": ["repository"],
                "additionalProperties": false
            }),
            Tool::DeploymentLogs => json!({
                "type": "object",
                "properties": {
                    "deployment": deployment,
                    "lines": {"type": "integer", "minimum": 1, "maximum": MAX_LOG_LINES, "default": DEFAULT_LOG_LINES, "description": "How many of the newest lines."}
                },
                "required": ["deployment"],
                "additionalProperties": false
            }),
            Tool::RestartDeployment => json!({
                "type": "object",
                "properties": {"deployment": deployment},
                "required": ["deployment"],
                "additionalProperties": false
            }),
            Tool::OpenInEditor => json!({
                "type": "object",
                "properties": {
                    "repository": repository_arg(),
                    "path": {"type": "string", "description": "The file, relative to the repository's folder."},
                    "line": {"type": "integer", "minimum": 1, "description": "The line to show."}
                },
                "required": ["repository", "path"],
                "additionalProperties": false
            }),
        }
    }
}

/// Checks `arguments` against the tool's schema (the same checker the Hub
/// uses on servers' tools).
fn check(tool: Tool, arguments: &Value) -> Result<()> {
    crate::mcp::schema::check_arguments(tool.name(), &tool.schema(), arguments)
}

fn text_arg<'a>(arguments: &'a Value, key: &str) -> &'a str {
    arguments.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A repository by id or exact name.
fn repository(gw: &Gateway, arguments: &Value) -> Result<Repository> {
    let wanted = text_arg(arguments, "repository").trim();
    let list = gw.parts.repos.list()?;
    list.into_iter()
        .find(|r| r.name == wanted || r.id.to_string() == wanted)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "There is no repository \"{wanted}\" in AI Desktop (list_repositories names them)."
            ))
        })
}

fn deployment(gw: &Gateway, arguments: &Value) -> Result<ai_desktop_api::deployments::Deployment> {
    let wanted = text_arg(arguments, "deployment").trim();
    gw.parts
        .deployments
        .list()?
        .into_iter()
        .find(|d| d.name == wanted || d.id.to_string() == wanted)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "There is no deployment \"{wanted}\" in AI Desktop (list_deployments names them)."
            ))
        })
}

fn pretty(value: Value) -> String {
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Runs a blocking read off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::failed("A background task failed.", e))?
}

pub(crate) async fn call(gw: &Gateway, tool: Tool, arguments: Value) -> Result<String> {
    check(tool, &arguments)?;
    match tool {
        Tool::ListRepositories => {
            let repos = gw.parts.repos.clone();
            let changes = gw.parts.changes.clone();
            let vscode = gw.parts.vscode.clone();
            let list = blocking(move || {
                let mut out = Vec::new();
                for r in repos.list()? {
                    let status = changes.changes(r.id).ok();
                    let editor = vscode.get(r.id).ok();
                    out.push(json!({
                        "id": r.id,
                        "name": r.name,
                        "path": r.path,
                        "branch": status.as_ref().and_then(|s| s.branch.clone()),
                        "changed_files": status.as_ref().map(|s| s.files.len()),
                        "code_server": editor.map(|e| json!({"state": e.state, "port": e.port})),
                    }));
                }
                Ok(out)
            })
            .await?;
            Ok(pretty(Value::Array(list)))
        }
        Tool::GitStatus => {
            let repo = repository(gw, &arguments)?;
            let changes = gw.parts.changes.clone();
            let status = blocking(move || changes.changes(repo.id)).await?;
            let files: Vec<Value> = status
                .files
                .iter()
                .take(MAX_STATUS_FILES)
                .map(|f| {
                    json!({
                        "path": f.path,
                        "old_path": f.old_path,
                        "staged": f.staged,
                        "unstaged": f.unstaged,
                        "conflicted": f.conflicted,
                    })
                })
                .collect();
            Ok(pretty(json!({
                "branch": status.branch,
                "files": files,
                "truncated": status.truncated || status.files.len() > MAX_STATUS_FILES,
            })))
        }
        Tool::ListDeployments => {
            let deployments = gw.parts.deployments.clone();
            let list = blocking(move || deployments.list()).await?;
            Ok(pretty(Value::Array(
                list.iter()
                    .map(|d| {
                        json!({
                            "id": d.id,
                            "name": d.name,
                            "repository": d.repository_name,
                            "status": d.status,
                            "port": d.port,
                            "pids": d.pids,
                            "cpu_percent": d.cpu,
                            "memory_bytes": d.memory,
                            "restarts": d.restarts,
                            "error": d.error,
                        })
                    })
                    .collect(),
            )))
        }
        Tool::DeploymentLogs => {
            let d = deployment(gw, &arguments)?;
            let lines = arguments
                .get("lines")
                .and_then(Value::as_u64)
                .unwrap_or(DEFAULT_LOG_LINES) as usize;
            let log = gw.parts.deployments.logs(d.id)?;
            let all = log.since(0);
            let text: Vec<String> = all[all.len().saturating_sub(lines)..]
                .iter()
                .map(|l| l.text.clone())
                .collect();
            if text.is_empty() {
                return Ok(format!("{} has written nothing yet.", d.name));
            }
            Ok(text.join("\n"))
        }
        Tool::RestartDeployment => {
            let d = deployment(gw, &arguments)?;
            let after = gw.parts.deployments.restart(d.id).await?;
            Ok(pretty(json!({
                "name": after.name,
                "status": after.status,
                "pids": after.pids,
                "port": after.port,
            })))
        }
        Tool::ListServices => {
            let list = gw.parts.services.list().await?;
            Ok(pretty(Value::Array(
                list.iter()
                    .map(|s| {
                        json!({
                            "kind": s.kind.label(),
                            "state": s.state,
                            "image": s.image,
                            "port": s.port,
                            "connection_string": s.connection_string,
                        })
                    })
                    .collect(),
            )))
        }
        Tool::OpenInEditor => {
            let repo = repository(gw, &arguments)?;
            let path = text_arg(&arguments, "path").to_string();
            let line = arguments
                .get("line")
                .and_then(Value::as_u64)
                .map(|l| l.min(u32::MAX as u64) as u32);
            gw.open_in_editor(&repo, &path, line).await
        }
        Tool::StartCodeServer => {
            let repo = repository(gw, &arguments)?;
            let i = gw.parts.vscode.start(repo.id).await?;
            Ok(pretty(json!({
                "repository": repo.name,
                "state": i.state,
                "url": i.port.map(|p| format!("http://127.0.0.1:{p}/")),
            })))
        }
        Tool::StopCodeServer => {
            let repo = repository(gw, &arguments)?;
            let i = gw.parts.vscode.stop(repo.id).await?;
            Ok(pretty(json!({"repository": repo.name, "state": i.state})))
        }
    }
}
