//! The repository tools that reach past its folder into the workshop: the
//! repository's deployments (status, output, restart), the services it uses
//! (never their passwords), a read-only query of its own database, and its
//! editor. Each is held to the session's repository: a deployment of
//! another repository is as unknown to it as one that does not exist.

use super::repo_tools::{bad, bool_arg, int_arg, known_args, required, string_arg, RepoAccess};
use super::repo_tools::{RepoTool, DEFAULT_LOG_LINES, MAX_LOG_LINES};
use crate::error::{Error, Result};
use crate::procs::Stream;
use ai_desktop_api::deployments::Deployment;
use serde_json::{json, Value};

/// Characters of a query's answer given to the model.
const MAX_QUERY_ANSWER: usize = 32 * 1024;
/// Rows of a query's answer given to the model.
const MAX_QUERY_ROWS: usize = 200;

fn pretty(value: Value) -> String {
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

impl RepoAccess {
    /// The repository's deployments (env values masked).
    fn deployments_of(&self, repository_id: i64) -> Result<Vec<Deployment>> {
        Ok(self
            .deployments
            .list()?
            .into_iter()
            .filter(|d| d.repository_id == repository_id)
            .collect())
    }

    /// The repository's deployment named `name` (or with that id).
    fn deployment_named(&self, repository_id: i64, args: &Value) -> Result<Deployment> {
        let wanted = required(args, "deployment")?.trim();
        let list = self.deployments_of(repository_id)?;
        let names: Vec<String> = list.iter().map(|d| d.name.clone()).collect();
        list.into_iter()
            .find(|d| d.name == wanted || d.id.to_string() == wanted)
            .ok_or_else(|| {
                Error::NotFound(if names.is_empty() {
                    format!("The repository has no deployment \"{wanted}\"; it has none.")
                } else {
                    format!(
                        "The repository has no deployment \"{wanted}\"; it has {}.",
                        names.join(", ")
                    )
                })
            })
    }

    /// Runs a workshop tool of the session's repository; its answer.
    pub(crate) async fn workshop(
        &self,
        repository_id: i64,
        tool: RepoTool,
        args: &Value,
    ) -> Result<String> {
        known_args(tool, args)?;
        let repo = self.repos.get(repository_id)?;
        match tool {
            RepoTool::Deployments => {
                let list = self.deployments_of(repository_id)?;
                if list.is_empty() {
                    return Ok(format!("{} has no deployments.", repo.name));
                }
                Ok(pretty(Value::Array(
                    list.iter()
                        .map(|d| {
                            json!({
                                "name": d.name,
                                "status": d.status,
                                "port": d.port,
                                "start_command": d.start_command,
                                "processes": d.pids.len(),
                                "cpu_percent": d.cpu,
                                "memory_bytes": d.memory,
                                "restarts": d.restarts,
                                "error": d.error,
                                "health": d.health.as_ref().map(|h| json!({"healthy": h.healthy, "detail": h.detail})),
                                // PORT is set by the app from the port.
                                "env_names": d.env.keys().map(String::as_str).chain(["PORT"]).collect::<Vec<_>>(),
                            })
                        })
                        .collect(),
                )))
            }
            RepoTool::DeploymentLogs => {
                let d = self.deployment_named(repository_id, args)?;
                let lines = int_arg(args, "lines")?
                    .unwrap_or(DEFAULT_LOG_LINES)
                    .min(MAX_LOG_LINES) as usize;
                let errors_only = bool_arg(args, "errors_only")?;
                let log = self.deployments.logs(d.id)?;
                let all: Vec<String> = log
                    .since(0)
                    .into_iter()
                    .filter(|l| !errors_only || l.stream == Stream::Stderr)
                    .map(|l| match l.stream {
                        Stream::Stderr => format!("[err] {}", l.text),
                        _ => format!("[out] {}", l.text),
                    })
                    .collect();
                if all.is_empty() {
                    return Ok(format!(
                        "{} has written nothing{} yet.",
                        d.name,
                        if errors_only { " to stderr" } else { "" }
                    ));
                }
                Ok(all[all.len().saturating_sub(lines)..].join("\n"))
            }
            RepoTool::RestartDeployment => {
                let d = self.deployment_named(repository_id, args)?;
                let after = self.deployments.restart(d.id).await?;
                Ok(pretty(json!({
                    "name": after.name,
                    "status": after.status,
                    "processes": after.pids.len(),
                    "port": after.port,
                    "error": after.error,
                })))
            }
            RepoTool::Services => self.services_of(repository_id, &repo.name).await,
            RepoTool::QueryDatabase => {
                let sql = required(args, "sql")?;
                let service = string_arg(args, "service")?.map(str::trim);
                let answer = self
                    .services
                    .query_repo_database(repository_id, service, sql)
                    .await?;
                let rows: Vec<&str> = answer.text.lines().collect();
                let mut text = format!(
                    "{} · database {} as {}\n",
                    answer.service, answer.database, answer.user
                );
                match rows.split_first() {
                    None => text.push_str("The statement answered no rows."),
                    Some((header, body)) => {
                        text.push_str(header);
                        text.push('\n');
                        for row in body.iter().take(MAX_QUERY_ROWS) {
                            text.push_str(row);
                            text.push('\n');
                        }
                        text.push_str(&match body.len() {
                            0 => "(no rows)".to_string(),
                            n if n > MAX_QUERY_ROWS => {
                                format!(
                                    "[… {n} rows; the first {MAX_QUERY_ROWS} shown — add a LIMIT]"
                                )
                            }
                            1 => "(1 row)".to_string(),
                            n => format!("({n} rows)"),
                        });
                    }
                }
                Ok(super::repo_tools::cut(text, MAX_QUERY_ANSWER, "answer"))
            }
            RepoTool::OpenInEditor => {
                let path = required(args, "path")?.trim().trim_start_matches("./");
                let line = int_arg(args, "line")?.map(|l| l.min(u32::MAX as u64) as u32);
                self.gateway.open_in_editor(&repo, path, line).await
            }
            _ => Err(bad(format!("{} is not a workshop tool.", tool.name()))),
        }
    }

    /// The services the repository's stack uses, and the databases made for
    /// it: where they listen and which of its deployments' variables name
    /// them — no password.
    async fn services_of(&self, repository_id: i64, name: &str) -> Result<String> {
        let stack = self.stack.services_of(repository_id).await?;
        let ids = stack.chosen.clone().unwrap_or(stack.derived.clone());
        let databases: Vec<_> = self
            .services
            .repo_databases()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.repository_id == repository_id)
            .collect();
        let installed = match self.services.list().await {
            Ok(list) => list,
            Err(e) if ids.is_empty() && databases.is_empty() => {
                return Ok(format!("{name} uses no database services ({e})."))
            }
            Err(e) => return Err(e),
        };
        let deployments = self.deployments.list_in_clear()?;
        let deployments: Vec<&Deployment> = deployments
            .iter()
            .filter(|d| d.repository_id == repository_id)
            .collect();
        let listed: Vec<Value> = installed
            .iter()
            .filter(|s| ids.contains(&s.id) || databases.iter().any(|d| d.instance == s.id))
            .map(|s| {
                let env: Vec<String> = deployments
                    .iter()
                    .flat_map(|d| {
                        d.env
                            .iter()
                            .filter(|(_, v)| crate::stack::names_loopback_port(v, s.port))
                            .map(move |(k, _)| format!("{} of {}", k, d.name))
                    })
                    .collect();
                let own: Vec<Value> = databases
                    .iter()
                    .filter(|d| d.instance == s.id)
                    .map(|d| json!({"database": d.database, "user": d.user}))
                    .collect();
                json!({
                    "service": s.id,
                    "engine": s.kind.label(),
                    "version": s.version,
                    "state": s.state,
                    "host": "127.0.0.1",
                    "port": s.port,
                    "repository_databases": own,
                    "read_by": env,
                })
            })
            .collect();
        if listed.is_empty() {
            return Ok(format!("{name} uses no database services."));
        }
        Ok(pretty(Value::Array(listed)))
    }
}
