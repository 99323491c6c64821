//! A repository on a host over SSH against the same repository read here:
//! the app's `git status` there (its shared SSH connection warm, and the
//! first one, which opens it) vs the app's status here, with `ssh host git
//! status` (a connection of its own each time) and `git status` here as the
//! references; a host's whole check; and opening a repository's editor
//! there (code-server started there and forwarded here; or running, with
//! its forward open or to be opened again), with code-server started here
//! as the reference; and a refresh of the host's deployments (PM2 there
//! asked over its forwarded RPC socket) against the same question asked of
//! that daemon directly here, with `pm2 jlist` over ssh and here as the
//! references. The "host" is a private sshd on
//! 127.0.0.1, so the figures are the cost of ssh itself, not of a network.
//!
//! `cargo bench -p ai-desktop-core --features testkit --bench hosts`
//! prints the figures and writes them to `bench/hosts.md`.

use ai_desktop_api::hosts::NewHost;
use ai_desktop_api::hosts::{HostDeploymentAction, HostDeploymentInput};
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::hosts::deploy::HostDeploys;
use ai_desktop_core::hosts::editor::HostEditors;
use ai_desktop_core::hosts::Hosts;
use ai_desktop_core::store::Store;
use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::testkit::sshd::Sshd;
use common::{median, ms};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FILES: usize = 5000;
const ROUNDS: usize = 9;

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let v = f();
    (start.elapsed(), v)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let home = root.join("home");
    let data = root.join("data");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    // The "remote" login finds code-server on its PATH (this machine's).
    let path = std::env::var("PATH").unwrap();
    let remote_data = root.join("remote-data").display().to_string();
    let remote_config = root.join("remote-config").display().to_string();
    let sshd = Sshd::start_with(
        &root.join("sshd"),
        ai_desktop_core::testkit::free_port(),
        &[
            ("PATH", &path),
            ("XDG_DATA_HOME", &remote_data),
            ("XDG_CONFIG_HOME", &remote_config),
        ],
    );
    std::fs::copy(&sshd.client_key, home.join(".ssh/id_box")).unwrap();
    let store = Arc::new(Store::open_in(&data).unwrap());
    let hosts = Arc::new(Hosts::new(store.clone(), home.clone(), &data));
    let dest = format!("{}@127.0.0.1", sshd.user);
    let scan = hosts.scan(&dest, Some(sshd.port)).await.unwrap();
    let (add_took, host) = {
        let start = Instant::now();
        let host = hosts
            .add(NewHost {
                name: Some("bench".into()),
                destination: dest.clone(),
                port: Some(sshd.port),
                key: Some("id_box".into()),
                trust_fingerprint: Some(scan.fingerprint),
            })
            .await
            .unwrap();
        (start.elapsed(), host)
    };

    // A repository of FILES files, 50 modified and 20 untracked.
    let dir = root.join("shop");
    for i in 0..FILES {
        let p = dir.join(format!("src/{}/file_{i}.txt", i % 50));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("line {i}\n")).unwrap();
    }
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "Files"]);
    for i in (0..FILES).step_by(FILES / 50) {
        std::fs::write(
            dir.join(format!("src/{}/file_{i}.txt", i % 50)),
            "changed\n",
        )
        .unwrap();
    }
    for i in 0..20 {
        std::fs::write(dir.join(format!("new_{i}.txt")), "new\n").unwrap();
    }
    let repo = hosts
        .add_repository(host.id, &dir.display().to_string())
        .await
        .unwrap();
    // `ssh host CMD` on a connection of its own, as a user would type it.
    let ssh_run = |command: String| {
        let out = Command::new("ssh")
            .args([
                "-T",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
            ])
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                data.join("known_hosts").display()
            ))
            .args(["-o", "IdentitiesOnly=yes", "-i"])
            .arg(home.join(".ssh/id_box"))
            .arg("-p")
            .arg(sshd.port.to_string())
            .arg(&dest)
            .arg(command)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(out.success(), "{out:?}");
    };
    let ssh_git = || ssh_run(format!("git -C '{}' status --porcelain", dir.display()));

    // The first status there opens the shared connection: once, cold.
    hosts.disconnect_all();
    let start = Instant::now();
    let first = hosts.changes(repo.id).await.unwrap();
    let cold = start.elapsed();
    assert_eq!(first.counts.unstaged, 50);
    assert_eq!(first.counts.untracked, 20);

    let (mut there, mut here, mut ssh_ref, mut git_ref, mut check) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let c = hosts.changes(repo.id).await.unwrap();
        there.push(start.elapsed());
        assert_eq!(c.counts.unstaged, 50);
        let (t, c) = time(|| ai_desktop_core::git::changes::read(&dir).unwrap());
        here.push(t);
        assert_eq!(c.counts.unstaged, 50);
        ssh_ref.push(time(ssh_git).0);
        git_ref.push(
            time(|| {
                let out = Command::new("git")
                    .arg("-C")
                    .arg(&dir)
                    .args(["status", "--porcelain"])
                    .output()
                    .unwrap();
                assert!(out.status.success());
            })
            .0,
        );
        let start = Instant::now();
        hosts.check(host.id).await.unwrap();
        check.push(start.elapsed());
    }
    // The repository's editor there.
    let editors = Arc::new(HostEditors::new(
        hosts.clone(),
        store.clone(),
        Arc::new(RecordingSink::default()),
        data.join("hosts/editors"),
    ));
    let (mut open_cold, mut warm, mut reforward, mut stop, mut local) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..3 {
        let start = Instant::now();
        editors.open(repo.id).await.unwrap();
        open_cold.push(start.elapsed());
        for _ in 0..3 {
            let start = Instant::now();
            editors.open(repo.id).await.unwrap();
            warm.push(start.elapsed());
        }
        editors.end_forwards();
        let start = Instant::now();
        editors.open(repo.id).await.unwrap();
        reforward.push(start.elapsed());
        let start = Instant::now();
        editors.stop(repo.id).await.unwrap();
        stop.push(start.elapsed());
        local.push(code_server_here(&root, &dir).await);
    }
    // The repository's app under the host's PM2.
    let remote_pm2 = root.join("remote-data/aidesktop/pm2");
    let _daemon = ai_desktop_core::testkit::Pm2Daemon {
        env: vec![("PATH".into(), path.clone())],
        home: remote_pm2.clone(),
    };
    std::fs::write(
        dir.join("server.js"),
        "require('http').createServer((q, r) => r.end('ok')).listen(process.env.PORT, '127.0.0.1');\n",
    )
    .unwrap();
    let deploys = Arc::new(HostDeploys::new(
        hosts.clone(),
        store.clone(),
        Arc::new(RecordingSink::default()),
        data.join("hosts/deployments"),
    ));
    let start = Instant::now();
    let deployed = deploys
        .deploy(HostDeploymentInput {
            repository_id: repo.id,
            name: "web".into(),
            start_command: "node server.js".into(),
            port: ai_desktop_core::testkit::free_port(),
            env: Default::default(),
            health_check: None,
        })
        .await
        .unwrap();
    let deploy_cold = start.elapsed();
    let start = Instant::now();
    deploys
        .act(deployed.id, HostDeploymentAction::Restart)
        .await
        .unwrap();
    let restart = start.elapsed();
    let start = Instant::now();
    deploys.forward(deployed.id).await.unwrap();
    let forward_app = start.elapsed();
    let pm2_env = |cmd: &mut Command| {
        cmd.env("PM2_HOME", &remote_pm2)
            .stdout(std::process::Stdio::null());
    };
    let (mut refresh_there, mut refresh_here, mut jlist_ssh, mut jlist_here) =
        (vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let listed = deploys.list(host.id).await.unwrap();
        refresh_there.push(start.elapsed());
        assert_eq!(listed.deployments.len(), 1);
        let start = Instant::now();
        let list: Vec<ai_desktop_core::deployments::pm2::Pm2Process> =
            ai_desktop_core::deployments::axon::call(
                &remote_pm2.join("rpc.sock"),
                "getMonitorData",
                serde_json::json!([{}]),
            )
            .await
            .unwrap();
        refresh_here.push(start.elapsed());
        assert_eq!(list.len(), 1);
        jlist_ssh
            .push(time(|| ssh_run(format!("PM2_HOME='{}' pm2 jlist", remote_pm2.display()))).0);
        jlist_here.push(
            time(|| {
                let mut cmd = Command::new("pm2");
                cmd.arg("jlist");
                pm2_env(&mut cmd);
                assert!(cmd.status().unwrap().success());
            })
            .0,
        );
    }
    let start = Instant::now();
    deploys.delete(deployed.id).await.unwrap();
    let delete = start.elapsed();
    deploys.end_forwards();
    hosts.disconnect_all();
    let (m_there, m_here, m_ssh, m_git) = (
        median(&there),
        median(&here),
        median(&ssh_ref),
        median(&git_ref),
    );
    let ratio = |a: Duration, b: Duration| format!("{:.2}", a.as_secs_f64() / b.as_secs_f64());
    let report = format!(
        "# Hosts over SSH\n\n\
         Machine: {}. The host is a private sshd on 127.0.0.1 (OpenSSH, ed25519 keys), so the \
         figures are what ssh itself costs, without a network; add a round trip per call for a \
         real one. A repository of {FILES} files (50 modified, 20 untracked); median of {ROUNDS} \
         runs, each measured in the same round as its references.\n\n\
         | what | median | ratio |\n|---|---|---|\n\
         | git status there, through the app (shared connection warm: one command there) | {} | {} of the app here |\n\
         | git status here, through the app | {} | 1.00 |\n\
         | `git status --porcelain` here | {} | {} |\n\
         | `ssh host git -C … status --porcelain` (a connection of its own) | {} | {} of the app there |\n\
         | the first git status there (opens the shared connection) | {} | |\n\
         | a host's check (uname and seven tools, shared connection warm) | {} | |\n\
         | adding the host (resolve, key scan, trial connection, check) | {} | |\n\n\
         Opening the repository's editor there (the Open button's work up to the signed-in \
         hand-off; the window's own loading is not counted), median of {} / {} / {} / {} runs:\n\n\
         | what | median | ratio |\n|---|---|---|\n\
         | not running: code-server started there, its socket forwarded here, answering through it | {} | {} of code-server's own start here |\n\
         | code-server started here, until `/healthz` answers (reference) | {} | 1.00 |\n\
         | running there, forward open (open again) | {} | |\n\
         | running there, forward to open again (after an app restart) | {} | |\n\
         | stopping it there and closing the forward | {} | |\n\n\
         The repository's app under the host's own PM2 (one Node server); refreshes are median \
         of {ROUNDS} rounds:\n\n\
         | what | median | ratio |\n|---|---|---|\n\
         | refresh of the host's deployments (PM2 there asked over its RPC socket, forwarded here) | {} | {} of the same question asked here |\n\
         | the same `getMonitorData` asked of that daemon directly (what a local refresh costs) | {} | 1.00 |\n\
         | `ssh host pm2 jlist` (a connection and a Node start there per refresh) | {} | {} of the app there |\n\
         | `pm2 jlist` here | {} | {} |\n\
         | deploy there (first: starts the host's PM2 daemon) | {} | |\n\
         | restart there (ecosystem written again, `pm2 restart --update-env`) | {} | |\n\
         | forward its port here | {} | |\n\
         | delete there | {} | |\n",
        common::machine(),
        ms(m_there),
        ratio(m_there, m_here),
        ms(m_here),
        ms(m_git),
        ratio(m_git, m_here),
        ms(m_ssh),
        ratio(m_ssh, m_there),
        ms(cold),
        ms(median(&check)),
        ms(add_took),
        open_cold.len(),
        warm.len(),
        reforward.len(),
        stop.len(),
        ms(median(&open_cold)),
        ratio(median(&open_cold), median(&local)),
        ms(median(&local)),
        ms(median(&warm)),
        ms(median(&reforward)),
        ms(median(&stop)),
        ms(median(&refresh_there)),
        ratio(median(&refresh_there), median(&refresh_here)),
        ms(median(&refresh_here)),
        ms(median(&jlist_ssh)),
        ratio(median(&jlist_ssh), median(&refresh_there)),
        ms(median(&jlist_here)),
        ratio(median(&jlist_here), median(&refresh_here)),
        ms(deploy_cold),
        ms(restart),
        ms(forward_app),
        ms(delete),
    );
    common::publish("hosts", &report);
}

/// code-server started here on a free port with the same options as the
/// app's, until `/healthz` answers; then stopped.
async fn code_server_here(root: &std::path::Path, folder: &std::path::Path) -> Duration {
    let port = ai_desktop_core::testkit::free_port();
    let dir = root.join("local-editor");
    let start = Instant::now();
    let mut child = tokio::process::Command::new("code-server")
        .args(["--config", "/dev/null", "--auth", "password", "--bind-addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--user-data-dir")
        .arg(dir.join("user-data"))
        .arg("--extensions-dir")
        .arg(dir.join("extensions"))
        .args(["--disable-telemetry", "--disable-update-check"])
        .arg(folder)
        .env("PASSWORD", "bench")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("code-server on PATH");
    while ai_desktop_core::vscode::net::http_status(port, "/healthz").await != Some(200) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "code-server did not start here"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = start.elapsed();
    let _ = child.kill().await;
    took
}
