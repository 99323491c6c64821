//! Deployments against PM2, in one run with 10 real Node apps under a
//! private PM2 daemon:
//!
//! - the app's deployments list (what the page and the tray read) vs one
//!   `pm2 jlist`, and the app's refresh (a jlist parsed and merged) vs jlist;
//! - the app's steady-state CPU over 60 s while it keeps the 10 deployments'
//!   status and metrics current (its own threads, and the `pm2 jlist`
//!   processes it starts, which count as its children).
//!
//! `cargo bench -p ai-desktop-core --bench deployments` (pm2 on PATH, as
//! `.ci/lib.sh` arranges) prints the figures and writes `bench/deployments.md`.

use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::{App, Config};

use ai_desktop_api::deployments::{DeploymentInput, DeploymentStatus};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::RecordingSink;
use common::{median, ms};
use std::sync::Arc;
use std::time::{Duration, Instant};

const APPS: usize = 10;
const RUNS: usize = 20;
const STEADY: Duration = Duration::from_secs(30);

fn cpu_seconds(who: libc::c_int) -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run());
}

async fn run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    // The app as the desktop app builds it, in the bench's folder.
    let config = Config {
        docker_socket: "unix:///nonexistent".into(),
        pm2_max_restarts: 10,
        ..Config::isolated(&root, "bench")
    };
    let (env, pm2_home) = (config.user_env.clone(), config.default_pm2_home.clone());
    let core = App::open(config, Arc::new(RecordingSink::default())).unwrap();
    let repos = core.repos.clone();
    let app = root.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("server.js"),
        "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');",
    )
    .unwrap();
    std::fs::write(app.join("package.json"), r#"{"main":"server.js"}"#).unwrap();
    let repo = repos
        .create(NewRepository {
            name: "app".into(),
            path: app.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    let manager = core.deployments.clone();
    for i in 0..APPS {
        let d = manager
            .create(DeploymentInput {
                repository_id: repo,
                name: format!("app {i}"),
                instances: 1,
                ..Default::default()
            })
            .unwrap();
        manager.start(d.id).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        manager.refresh().await.unwrap();
        let online = manager
            .list()
            .unwrap()
            .iter()
            .filter(|d| d.status == DeploymentStatus::Online)
            .count();
        if online == APPS {
            break;
        }
        assert!(Instant::now() < deadline, "only {online} of {APPS} online");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    let jlist = || {
        let t = Instant::now();
        let out = std::process::Command::new("pm2")
            .arg("jlist")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("PM2_HOME", &pm2_home)
            .output()
            .unwrap();
        assert!(out.status.success());
        t.elapsed()
    };
    let (mut list, mut refresh, mut cli) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t = Instant::now();
        assert_eq!(manager.list().unwrap().len(), APPS);
        list.push(t.elapsed());
        let t = Instant::now();
        manager.refresh().await.unwrap();
        refresh.push(t.elapsed());
        cli.push(jlist());
    }

    // Steady state: the monitor alone, as in the app; first with nobody
    // looking (the window in the tray or on another page), then with the
    // Deployments page open (CPU and memory sampled every second).
    let monitor = tokio::spawn(manager.clone().run_monitor());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let steady = || async {
        let (own0, kids0) = (
            cpu_seconds(libc::RUSAGE_SELF),
            cpu_seconds(libc::RUSAGE_CHILDREN),
        );
        let t = Instant::now();
        tokio::time::sleep(STEADY).await;
        let wall = t.elapsed().as_secs_f64();
        (
            (cpu_seconds(libc::RUSAGE_SELF) - own0) / wall * 100.0,
            (cpu_seconds(libc::RUSAGE_CHILDREN) - kids0) / wall * 100.0,
        )
    };
    let (own_rest, kids_rest) = steady().await;
    core.presence.set_deployments(true);
    let (own_open, kids_open) = steady().await;
    monitor.abort();
    let events = manager.list().unwrap();
    assert!(events.iter().all(|d| d.memory > 0), "metrics were sampled");

    let _ = std::process::Command::new("pm2")
        .arg("kill")
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("PM2_HOME", &pm2_home)
        .output();

    let (l, r, c) = (median(&list), median(&refresh), median(&cli));
    let ratio = |a: Duration| a.as_secs_f64() / c.as_secs_f64();
    let report = format!(
        "# Deployments: {APPS} apps under PM2\n\n\
         Machine: {}. Medians of {RUNS}, interleaved in one run.\n\n\
         | what | median | ratio to `pm2 jlist` |\n|---|---|---|\n\
         | app: deployments list (what the page and tray read) | {} | {:.4} |\n\
         | app: refresh (the process list over PM2's RPC socket, parsed and merged) | {} | {:.2} |\n\
         | `pm2 jlist` | {} | 1.00 |\n\n\
         Steady state over {secs} s each with {APPS} deployments online, the app following \
         PM2's event socket (no list is read while nothing happens) — nobody looking: the \
         app's own CPU {own_rest:.2}% of one core, {kids_rest:.2}% in processes it started; \
         the Deployments page open (/proc samples of the process trees every second): \
         {own_open:.2}% and {kids_open:.2}%. The PM2 daemon's own work is not counted.\n",
        common::machine(),
        ms(l),
        ratio(l),
        ms(r),
        ratio(r),
        ms(c),
        secs = STEADY.as_secs(),
    );
    common::publish("deployments", &report);
}
