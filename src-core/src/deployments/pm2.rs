//! The `pm2` CLI, driven with argument lists (never a shell), an
//! allow-listed environment plus `PM2_HOME`, a timeout and an output cap.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one pm2 command may take (the first one also starts the daemon).
const TIMEOUT: Duration = Duration::from_secs(60);
/// `pm2 jlist` of many processes with big environments stays well below this.
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

pub const INSTALL_HINT: &str = "npm install -g pm2@7";

/// How long a daemon that stopped answering its socket gets to be gone
/// before it is taken for alive (and the CLI asked).
const DAEMON_SETTLE: std::time::Duration = std::time::Duration::from_millis(300);

/// One entry of `pm2 jlist`; unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Pm2Process {
    pub name: String,
    #[serde(default)]
    pub pid: u32,
    #[serde(default)]
    pub pm_id: u32,
    #[serde(default)]
    pub monit: Pm2Monit,
    #[serde(default)]
    pub pm2_env: Pm2Env,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Pm2Monit {
    #[serde(default)]
    pub memory: u64,
    #[serde(default)]
    pub cpu: f64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Pm2Env {
    #[serde(default)]
    pub status: String,
    /// Milliseconds since the epoch of the last (re)start.
    #[serde(default)]
    pub pm_uptime: Option<u64>,
    #[serde(default)]
    pub restart_time: u32,
    #[serde(default)]
    pub unstable_restarts: u32,
    #[serde(default)]
    pub exec_mode: String,
    #[serde(default)]
    pub pm_err_log_path: Option<String>,
    #[serde(default)]
    pub pm_out_log_path: Option<String>,
    #[serde(default)]
    pub pm_cwd: Option<String>,
    #[serde(default)]
    pub pm_exec_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Pm2Client {
    pub binary: PathBuf,
    pub home: PathBuf,
    env: Vec<(String, String)>,
}

impl Pm2Client {
    /// `binary` runs with `env` plus `PM2_HOME=home`.
    pub fn new(binary: PathBuf, home: PathBuf, env: Vec<(String, String)>) -> Pm2Client {
        Pm2Client { binary, home, env }
    }

    async fn run(&self, args: &[&str]) -> Result<String> {
        let mut cmd = tokio::process::Command::new(&self.binary);
        cmd.args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PM2_HOME", &self.home)
            // No colours or progress in what we parse.
            .env("NO_COLOR", "1")
            .env("PM2_DISCRETE_MODE", "true")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let output = tokio::time::timeout(TIMEOUT, cmd.output())
            .await
            .map_err(|_| Error::Failed {
                message: format!(
                    "pm2 {} did not finish within {} s.",
                    args.join(" "),
                    TIMEOUT.as_secs()
                ),
                detail: None,
            })?
            .map_err(|e| {
                Error::Unavailable(format!(
                    "Could not run pm2 ({}): {e}. Install it with: {INSTALL_HINT}",
                    self.binary.display()
                ))
            })?;
        if output.stdout.len() > MAX_OUTPUT {
            return Err(Error::Failed {
                message: "pm2 printed more than the app reads.".into(),
                detail: None,
            });
        }
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let detail = quote_output(&format!("{stdout}\n{stderr}"), 8);
            return Err(Error::Failed {
                message: format!("pm2 {} failed.", args.first().unwrap_or(&"")),
                detail: Some(detail),
            });
        }
        Ok(stdout)
    }

    /// The installed version, from pm2's package.json next to its `bin/pm2`
    /// (`pm2 --version` would start a daemon in PM2_HOME).
    pub fn version(&self) -> Option<String> {
        let real = self.binary.canonicalize().ok()?;
        let package = real.parent()?.parent()?.join("package.json");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(package).ok()?).ok()?;
        (json["name"] == "pm2")
            .then(|| json["version"].as_str().map(str::to_string))
            .flatten()
    }

    /// Whether this PM2_HOME's daemon runs: its pid file names a live God Daemon.
    pub fn daemon_running(&self) -> bool {
        let Ok(pid) = std::fs::read_to_string(self.home.join("pm2.pid")) else {
            return false;
        };
        let Ok(pid) = pid.trim().parse::<u32>() else {
            return false;
        };
        std::fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains("God Daemon"))
    }

    /// Every PM2 process (ours and the user's). Reading never starts PM2:
    /// any `pm2` call starts the daemon when none runs, and with no daemon
    /// there is nothing to list.
    ///
    /// Asked of the daemon over its RPC socket (what `pm2 jlist` does, without
    /// starting node for it); the CLI is the fallback.
    pub async fn jlist(&self) -> Result<Vec<Pm2Process>> {
        if !self.daemon_running() {
            return Ok(Vec::new());
        }
        let rpc = self.home.join("rpc.sock");
        for attempt in 0..2 {
            match super::axon::call(&rpc, "getMonitorData", serde_json::json!([{}])).await {
                Ok(list) => return Ok(list),
                Err(e) => log::debug!(
                    "pm2 over its socket (attempt {}): {}",
                    attempt + 1,
                    e.with_detail_text()
                ),
            }
            // A daemon being killed (`pm2 kill`) stops answering before its
            // process is gone; the CLI asked then would start a new one.
            tokio::time::sleep(DAEMON_SETTLE).await;
            if !self.daemon_running() {
                return Ok(Vec::new());
            }
        }
        let out = self.run(&["jlist"]).await?;
        parse_jlist(&out)
    }

    /// Starts (or, if PM2 has it, restarts with the file's new settings) the
    /// app in `ecosystem`.
    pub async fn start(&self, ecosystem: &Path, restart: bool) -> Result<()> {
        let file = ecosystem.to_string_lossy();
        if restart {
            self.run(&["restart", &file, "--update-env"]).await?;
        } else {
            self.run(&["start", &file]).await?;
        }
        Ok(())
    }

    /// Reloads the app in `ecosystem` without downtime (cluster mode: its
    /// instances replaced one at a time), with the file's environment.
    pub async fn reload(&self, ecosystem: &Path) -> Result<()> {
        let file = ecosystem.to_string_lossy();
        self.run(&["reload", &file, "--update-env"])
            .await
            .map(|_| ())
    }

    pub async fn stop(&self, name: &str) -> Result<()> {
        self.run(&["stop", name]).await.map(|_| ())
    }

    pub async fn delete(&self, name: &str) -> Result<()> {
        self.run(&["delete", name]).await.map(|_| ())
    }

    /// `pm2 <action> <pm_id>`: the id is a number, so nothing in it can be
    /// read as an option or a name pattern.
    pub async fn act(&self, action: ai_desktop_api::system::Pm2Action, pm_id: u32) -> Result<()> {
        self.run(&[action.as_str(), &pm_id.to_string()])
            .await
            .map(|_| ())
    }

    /// Stops the daemon of this PM2_HOME (tests; "stop everything" never does).
    pub async fn kill_daemon(&self) -> Result<()> {
        self.run(&["kill"]).await.map(|_| ())
    }
}

/// `pm2 jlist` prints a JSON array on one line, sometimes after daemon
/// start-up lines (which also start with `[`: "[PM2] …").
pub fn parse_jlist(out: &str) -> Result<Vec<Pm2Process>> {
    let mut last_error = None;
    for line in out.lines().rev() {
        let line = line.trim();
        if !line.starts_with('[') || line.starts_with("[PM2]") {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(list) => return Ok(list),
            Err(e) => last_error = Some(e.to_string()),
        }
    }
    // serde's message gives a position, never the text it read.
    Err(Error::failed(
        "pm2 jlist did not print a process list.",
        format!(
            "{}{}",
            last_error.map(|e| format!("{e}: ")).unwrap_or_default(),
            quote_output(out, 4)
        ),
    ))
}

/// The last `n` lines of pm2's output for an error message, without what
/// may hold secrets: a JSON line (a process list carries every process's
/// environment) is described, not quoted; other lines are cut at 300 characters.
pub(crate) fn quote_output(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| {
            let t = l.trim_start();
            if (t.starts_with('[') && !t.starts_with("[PM2]")) || t.starts_with('{') {
                format!(
                    "(a JSON line of {} bytes, not shown: it may hold environment values)",
                    l.len()
                )
            } else {
                l.chars().take(300).collect()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Finds pm2: the configured path, else PATH.
pub fn locate(configured: Option<&str>, path_var: &str) -> Option<PathBuf> {
    match configured {
        Some(p) => {
            let p = PathBuf::from(p);
            crate::procs::is_executable(&p).then_some(p)
        }
        None => crate::procs::find_program("pm2", path_var),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jlist_tolerates_extra_fields_and_a_banner() {
        let out = "[PM2] Spawning PM2 daemon with pm2_home=/x\n[PM2] PM2 Successfully daemonized\n\
                   [{\"name\":\"deploy-1-a\",\"pid\":42,\"pm_id\":0,\"extra\":{\"x\":1},\
                   \"monit\":{\"memory\":1024,\"cpu\":1.5},\
                   \"pm2_env\":{\"status\":\"online\",\"restart_time\":2,\"env\":{\"SECRET\":\"s\"}}}]";
        let list = parse_jlist(out).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].pid, 42);
        assert_eq!(list[0].pm2_env.status, "online");
        assert_eq!(list[0].pm2_env.restart_time, 2);
        assert_eq!(list[0].monit.memory, 1024);
    }

    #[test]
    fn jlist_garbage_is_an_error() {
        assert!(parse_jlist("pm2: command exploded").is_err());
        // A list that does not parse (a field of another type) carries
        // environments: the error says where it failed, never what it read.
        let out = r#"[{"name":"api","pm_id":"zero","pm2_env":{"DATABASE_URL":"postgres://u:hunter2@db/x"}}]"#;
        let err = parse_jlist(out).unwrap_err().with_detail_text();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(err.contains("a JSON line of"), "{err}");
    }
}
