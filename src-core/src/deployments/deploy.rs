//! Deploys: build, then (re)start under PM2, then wait for health — each
//! recorded in the deployment's history — and the health checker.
//!
//! The build runs in the folder the deployment will run from (the working
//! tree, or a commit's release folder), its output going into the
//! deployment's log as `[build] …` lines. While it runs, what ran before
//! keeps running; only a build that succeeded is started.

use super::health;
use super::release::{self, Source};
use super::DeploymentManager;
use crate::error::{Error, Result};
use crate::store;
use crate::util::lock;
use ai_desktop_api::deployments::{
    DeployOutcome, DeployRun, DeploySource, Deployment, DeploymentStatus, HealthReport,
};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

/// How long a build may run.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long a started deployment gets to be healthy (or online).
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// Without a health check: online this long without a restart counts as up.
const SETTLE: Duration = Duration::from_millis(1500);
/// Build output lines kept for the run's message.
const TAIL_LINES: usize = 12;

impl DeploymentManager {
    /// Builds it and (re)starts it from the working tree or from `commit`,
    /// waits for its health, and records the run.
    pub async fn deploy(&self, id: i64, commit: Option<String>) -> Result<DeployRun> {
        let op = self.op_lock(id);
        let _guard = op.lock().await;
        let d = self.row(id)?;
        let repo = self.repos.get(d.repository_id)?;
        let repo_dir = Path::new(&repo.path).to_path_buf();
        // What to build: checked before anything is recorded or changed.
        let source = match commit.as_deref() {
            None => release::working_tree(&repo_dir),
            Some(spec) => {
                let (commit_id, summary) = release::resolve(&repo_dir, spec)?;
                let releases = self.dir(id).join("releases");
                let (from, id2) = (repo_dir.clone(), commit_id.clone());
                let dir =
                    tokio::task::spawn_blocking(move || release::checkout(&from, &id2, &releases))
                        .await
                        .map_err(|e| Error::failed("Writing the commit out stopped.", e))??;
                Source {
                    dir,
                    commit_id: Some(commit_id),
                    summary: Some(summary),
                    branch: None,
                    pinned: true,
                }
            }
        };
        let run = self.store.with(|c| {
            store::deployments::insert_run(
                c,
                &DeployRun {
                    deployment_id: id,
                    commit_id: source.commit_id.clone(),
                    commit_summary: source.summary.clone(),
                    branch: source.branch.clone(),
                    source: if source.pinned {
                        DeploySource::Commit
                    } else {
                        DeploySource::WorkingTree
                    },
                    start_command: d.start_command.clone(),
                    build_command: d.build_command.clone(),
                    env_names: d.env.keys().cloned().collect(),
                    ..Default::default()
                },
            )
        })?;
        let finish = |outcome: DeployOutcome, message: Option<String>| -> Result<DeployRun> {
            let run = self
                .store
                .with(|c| store::deployments::finish_run(c, run.id, outcome, message.as_deref()))?;
            self.emit(id);
            Ok(run)
        };
        log::info!(
            "deployment {id}: deploy {} from {}",
            run.id,
            source.dir.display()
        );
        self.follow_logs(id);
        if let Some(build) = &d.build_command {
            if let Err(message) = self.build(&d, build, &source.dir).await {
                log::info!("deployment {id}: build failed; what ran keeps running");
                return finish(DeployOutcome::BuildFailed, Some(message));
            }
        }
        let pinned = source.pinned.then(|| source.commit_id.clone()).flatten();
        self.store
            .with(|c| store::deployments::set_release(c, id, pinned.as_deref()))?;
        let d = Deployment {
            release_commit: pinned,
            ..d
        };
        if let Err(e) = self.launch(&d, &source.dir).await {
            return finish(DeployOutcome::StartFailed, Some(e.with_detail_text()));
        }
        if source.pinned {
            release::prune(&self.dir(id).join("releases"), &source.dir);
        }
        match self.wait_up(&d, READY_TIMEOUT).await {
            Ok(detail) => finish(DeployOutcome::Online, detail),
            Err((outcome, message)) => finish(outcome, Some(message)),
        }
    }

    /// Its deploys, newest first.
    pub fn runs(&self, id: i64) -> Result<Vec<DeployRun>> {
        self.row(id)?;
        self.store.with(|c| store::deployments::runs(c, id))
    }

    /// Runs the build step's commands in `dir`, each line into the log.
    /// Err: what failed, with the last lines it printed.
    async fn build(
        &self,
        d: &Deployment,
        build: &str,
        dir: &Path,
    ) -> std::result::Result<(), String> {
        let steps = super::detect::build_steps(build, dir).map_err(|e| e.to_string())?;
        let log_path = self.dir(d.id).join("out.log");
        let log = Arc::new(std::sync::Mutex::new(
            crate::secrets::create_private_file(&log_path, false)
                .and_then(|mut f| {
                    use std::io::Seek;
                    f.seek(std::io::SeekFrom::End(0))?;
                    Ok(f)
                })
                .map_err(|e| format!("Could not open the log {}: {e}", log_path.display()))?,
        ));
        let say = |line: &str| {
            let mut f = lock(&log);
            let _ = writeln!(f, "{}[build] {line}", crate::procs::logs::stamp_now());
        };
        let mut env: HashMap<String, String> = self.config.env.iter().cloned().collect();
        env.extend(d.env.clone());
        env.insert("PORT".into(), d.port.to_string());
        let path_var = env.get("PATH").cloned().unwrap_or_default();
        let started = Instant::now();
        for words in steps {
            let shown = words.join(" ");
            say(&format!("$ {shown}"));
            let program = crate::procs::find_program(&words[0], &path_var)
                .filter(|_| !words[0].contains('/'))
                .unwrap_or_else(|| dir.join(&words[0]));
            let mut cmd = tokio::process::Command::new(&program);
            cmd.args(&words[1..])
                .current_dir(dir)
                .env_clear()
                .envs(&env)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .process_group(0)
                .kill_on_drop(true);
            let mut child = cmd.spawn().map_err(|e| {
                let m = format!("`{shown}` could not start: {e}");
                say(&m);
                m
            })?;
            let pgid = child.id();
            let tail = Arc::new(std::sync::Mutex::new(std::collections::VecDeque::new()));
            let mut readers = Vec::new();
            for pipe in [
                child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
                child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
            ]
            .into_iter()
            .flatten()
            {
                let (log, tail) = (log.clone(), tail.clone());
                readers.push(tokio::spawn(async move {
                    let mut lines = tokio::io::BufReader::new(pipe).split(b'\n');
                    while let Ok(Some(line)) = lines.next_segment().await {
                        let line = String::from_utf8_lossy(&line).trim_end().to_string();
                        let stamp = crate::procs::logs::stamp_now();
                        let _ = writeln!(lock(&log), "{stamp}[build] {line}");
                        let mut tail = lock(&tail);
                        if tail.len() == TAIL_LINES {
                            tail.pop_front();
                        }
                        tail.push_back(line);
                    }
                }));
            }
            let left = BUILD_TIMEOUT.saturating_sub(started.elapsed());
            let status = match tokio::time::timeout(left, child.wait()).await {
                Ok(status) => status.map_err(|e| format!("`{shown}`: {e}"))?,
                Err(_) => {
                    if let Some(pgid) = pgid {
                        // The step and everything it started.
                        // SAFETY: kill has no memory-safety preconditions.
                        unsafe { libc::kill(-(pgid as i32), libc::SIGKILL) };
                    }
                    let _ = child.wait().await;
                    let m = format!(
                        "The build did not finish within {} minutes; `{shown}` was stopped.",
                        BUILD_TIMEOUT.as_secs() / 60
                    );
                    say(&m);
                    return Err(m);
                }
            };
            for r in readers {
                let _ = r.await;
            }
            if !status.success() {
                let code = status
                    .code()
                    .map(|c| format!("exited with {c}"))
                    .unwrap_or_else(|| "was killed".into());
                let last: Vec<String> = lock(&tail).iter().cloned().collect();
                let m = format!("`{shown}` {code}:\n{}", last.join("\n"));
                say(&format!(
                    "`{shown}` {code}; the build failed and what ran keeps running."
                ));
                return Err(m);
            }
        }
        say(&format!("done in {:.1} s", started.elapsed().as_secs_f64()));
        Ok(())
    }

    /// Waits until it is up: its health check passes, or (without one) PM2
    /// has kept it online for a moment. Ok: what the check said.
    pub async fn wait_up(
        &self,
        d: &Deployment,
        timeout: Duration,
    ) -> std::result::Result<Option<String>, (DeployOutcome, String)> {
        let deadline = Instant::now() + timeout;
        let mut online_since: Option<(Instant, u32)> = None;
        let mut last = String::from("it did not answer yet");
        loop {
            let _ = self.refresh().await;
            let now = self.with_live(
                self.row(d.id)
                    .map_err(|e| (DeployOutcome::StartFailed, e.to_string()))?,
            );
            match now.status {
                DeploymentStatus::Errored => {
                    return Err((
                        DeployOutcome::StartFailed,
                        format!(
                            "PM2 gave up on it after it crashed.{}",
                            now.error.map(|e| format!("\n{e}")).unwrap_or_default()
                        ),
                    ))
                }
                DeploymentStatus::Stopped | DeploymentStatus::Stopping => {
                    return Err((
                        DeployOutcome::StartFailed,
                        "It stopped right after starting.".into(),
                    ))
                }
                DeploymentStatus::Online => match &d.health_check {
                    Some(check) => {
                        let report = health::probe(check, d.port).await;
                        let healthy = report.healthy;
                        last = report.detail.clone();
                        self.set_health(d.id, Some(report));
                        if healthy {
                            return Ok(Some(last));
                        }
                    }
                    None => match online_since {
                        Some((since, restarts))
                            if restarts == now.restarts && since.elapsed() >= SETTLE =>
                        {
                            return Ok(None)
                        }
                        Some((_, restarts)) if restarts == now.restarts => {}
                        _ => online_since = Some((Instant::now(), now.restarts)),
                    },
                },
                DeploymentStatus::Launching => online_since = None,
            }
            if Instant::now() >= deadline {
                return Err((
                    DeployOutcome::Unhealthy,
                    format!("It was not healthy within {} s: {last}.", timeout.as_secs()),
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Records a check's answer; the page hears of a change of health.
    fn set_health(&self, id: i64, report: Option<HealthReport>) {
        let changed = {
            let mut health = lock(&self.health);
            let before = health.get(&id).map(|r| r.healthy);
            let after = report.as_ref().map(|r| r.healthy);
            match report {
                Some(r) => health.insert(id, r),
                None => health.remove(&id),
            };
            before != after
        };
        if changed {
            self.emit(id);
        }
    }

    /// Checks the health of each deployment that has a check while PM2
    /// says it is online, each on its own interval; sleeps (without a
    /// timer) while none is.
    pub(super) async fn run_health(self: Arc<Self>) {
        let mut due: HashMap<i64, Instant> = HashMap::new();
        loop {
            let rows = self
                .store
                .with(|c| store::deployments::list(c))
                .unwrap_or_default();
            let online: Vec<Deployment> = rows
                .into_iter()
                .filter(|d| d.health_check.is_some())
                .map(|d| self.with_live(d))
                .filter(|d| d.status == DeploymentStatus::Online)
                .collect();
            // Reports of deployments that stopped or lost their check go.
            let keep: Vec<i64> = online.iter().map(|d| d.id).collect();
            let gone: Vec<i64> = lock(&self.health)
                .keys()
                .filter(|id| !keep.contains(id))
                .copied()
                .collect();
            for id in gone {
                self.set_health(id, None);
            }
            due.retain(|id, _| keep.contains(id));
            if online.is_empty() {
                self.health_kick.notified().await;
                continue;
            }
            let now = Instant::now();
            for d in &online {
                let Some(check) = &d.health_check else {
                    continue;
                };
                if due.get(&d.id).is_some_and(|at| *at > now) {
                    continue;
                }
                let report = health::probe(check, d.port).await;
                if !report.healthy {
                    log::info!("deployment {}: unhealthy: {}", d.id, report.detail);
                }
                self.set_health(d.id, Some(report));
                due.insert(
                    d.id,
                    Instant::now() + Duration::from_secs(u64::from(check.interval_secs)),
                );
            }
            let next = due.values().min().copied().unwrap_or_else(Instant::now);
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = self.health_kick.notified() => {}
            }
        }
    }
}
