//! Services against the real dockerd, in one run:
//!
//! - install to healthy for the locally built Redis image (no pull): the
//!   app's install (volume, container, start, authenticated PING) vs
//!   `docker run -d` of the same image (which does not wait for readiness);
//! - log streaming from a container printing lines as fast as it can: lines
//!   per second reaching the app's log buffer (what the UI's stream reads)
//!   vs `docker logs -f` on the same container, and the app's memory
//!   before and after (the buffer is bounded).
//!
//! `cargo bench -p ai-desktop-core --bench services` writes `bench/services.md`.

use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::testkit::docker as support;

use ai_desktop_api::services::{InstallRequest, ServiceKind};
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::procs::LogBuffer;
use ai_desktop_core::services::ServiceManager;
use common::{median, ms};
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 3;
const STREAM: Duration = Duration::from_secs(10);

fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1_048_576.0
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run());
}

async fn run() {
    support::redis_image();
    let busybox = support::busybox_image();
    let prefix = format!("aidbench{}", std::process::id());
    let _cleanup = support::Cleanup(prefix.clone());
    let tmp = tempfile::tempdir().unwrap();
    let services = ServiceManager::new(
        Arc::new(ai_desktop_core::store::Store::open_in(tmp.path()).unwrap()),
        tmp.path().to_path_buf(),
        "unix:///var/run/docker.sock".into(),
        &prefix,
        Arc::new(RecordingSink::default()),
    );
    let (mut app, mut cli) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let t = Instant::now();
        services
            .install(
                InstallRequest {
                    kind: ServiceKind::Redis,
                    version: None,
                    port: None,
                    name: None,
                },
                |_| {},
            )
            .await
            .unwrap();
        app.push(t.elapsed());
        services.uninstall("redis", true).await.unwrap();

        let name = format!("{prefix}-cli{i}");
        let t = Instant::now();
        assert!(support::docker(&["run", "-d", "--name", &name, "redis:7.2"]).0);
        cli.push(t.elapsed());
        support::docker(&["rm", "-f", &name]);
    }

    // A container that prints as fast as it can.
    let name = format!("{prefix}-spam");
    assert!(
        support::docker(&[
            "run", "-d", "--name", &name, busybox, "/bin/sh", "-c",
            "i=0; while :; do echo \"line $i of a container printing as fast as it can\"; i=$((i+1)); done",
        ])
        .0
    );
    let docker = bollard::Docker::connect_with_unix(
        "unix:///var/run/docker.sock",
        30,
        bollard::API_DEFAULT_VERSION,
    )
    .unwrap();
    let before = rss_mib();
    let buffer = Arc::new(LogBuffer::new(2000));
    let follow = tokio::spawn(ai_desktop_core::services::follow_logs(
        docker,
        name.clone(),
        buffer.clone(),
    ));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let start_seq = buffer.since(0).last().map(|l| l.seq).unwrap_or(0);
    let t = Instant::now();
    tokio::time::sleep(STREAM).await;
    let end_seq = buffer.since(0).last().map(|l| l.seq).unwrap_or(0);
    let app_rate = (end_seq - start_seq) as f64 / t.elapsed().as_secs_f64();
    let after = rss_mib();
    follow.abort();

    // Reference: the docker CLI following the same container for as long.
    let mut child = std::process::Command::new("docker")
        .args(["logs", "-f", "--since", "1s", &name])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let (mut lines, started) = (0u64, Instant::now());
        while started.elapsed() < STREAM {
            match out.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64,
            }
        }
        lines as f64 / started.elapsed().as_secs_f64()
    });
    let cli_rate = counter.join().unwrap();
    let _ = child.kill();
    let _ = child.wait();

    let (a, c) = (median(&app), median(&cli));
    let report = format!(
        "# Services (local Redis image, real dockerd)\n\n\
         Machine: {}. Medians of {RUNS}, interleaved in one run.\n\n\
         | what | app | reference | ratio |\n|---|---|---|---|\n\
         | install to healthy (volume, container, start, AUTH+PING answered) vs `docker run -d` (no readiness wait) | {} | {} | {:.2} |\n\
         | log lines/s reaching the app's buffer vs `docker logs -f` ({} s) | {:.0} | {:.0} | {:.2} |\n\n\
         The app's resident memory while streaming: {before:.1} MiB before, {after:.1} MiB after \
         (the buffer keeps 2,000 lines; the log view reads up to 1,000 of them at a time, at most once per painted frame).\n",
        common::machine(),
        ms(a),
        ms(c),
        a.as_secs_f64() / c.as_secs_f64(),
        STREAM.as_secs(),
        app_rate,
        cli_rate,
        app_rate / cli_rate,
    );
    common::publish("services", &report);
}
