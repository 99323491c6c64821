//! The app's write path without its window, for the crash test (run by
//! `crash`, as this test binary's ignored test `crash_writer::writer`):
//! builds the app in `AI_DESKTOP_DATA_DIR` the way the desktop app does
//! ([`App::open`]: migrations; then MCP reconcile: servers an earlier run
//! left are stopped and started afresh), then writes in a loop through the
//! same managers the commands use — repositories, deployments, MCP servers
//! (every fourth started), Flow sessions and messages (each message starts a
//! run against a provider that refuses the connection, which writes its
//! error too) — printing `ack <kind> <name>` after each write returns, until
//! killed. After reconciling it prints `ready <running servers>` and waits
//! for a line on stdin (the test compares processes meanwhile), then stops
//! them. With `CRASH_RECONCILE_ONLY` set it exits there (the test's last
//! restart).

use ai_desktop_api::deployments::DeploymentInput;
use ai_desktop_api::flow::{ApiKeyChange, FlowSessionPatch, FlowSettingsInput};
use ai_desktop_api::mcp::{McpServerInput, McpState};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::{App, Config};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

fn ack(kind: &str, name: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ack {kind} {name}");
    let _ = out.flush();
}

#[test]
#[ignore = "the crash test's writer: run (and killed) by crash::sigkill_while_writing_…"]
fn writer() {
    let Ok(data) = std::env::var("AI_DESKTOP_DATA_DIR") else {
        eprintln!("the crash test's writer runs only under the crash test");
        return;
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(write(PathBuf::from(data)));
}

async fn write(data: PathBuf) {
    let run: String = std::env::var("CRASH_RUN").unwrap_or_else(|_| "0".into());
    let server_js = std::env::var("CRASH_SERVER_JS").expect("CRASH_SERVER_JS");
    let project = std::env::var("CRASH_PROJECT").expect("CRASH_PROJECT");
    let config = Config {
        data_dir: data.clone(),
        default_pm2_home: data.join("pm2"),
        docker_socket: format!("unix://{}/no-docker.sock", data.display()),
        ..Config::isolated(&data, "crash")
    };
    let app = App::open(config, Arc::new(RecordingSink::default())).expect("the app opens");
    let mcp = app.mcp.clone();
    mcp.reconcile().await.expect("reconcile");
    // What runs now, for the test to compare with the processes it sees;
    // then it says go (a line on stdin).
    let running: Vec<String> = mcp
        .list()
        .expect("list")
        .into_iter()
        .filter(|s| s.state == McpState::Running)
        .map(|s| s.name)
        .collect();
    println!("ready {}", running.join(","));
    let mut go = String::new();
    let _ = std::io::stdin().read_line(&mut go);
    // Like a user stopping them: only what this run starts runs from here
    // (each Flow message starts its session's server on demand).
    mcp.stop_all().await;
    if std::env::var_os("CRASH_RECONCILE_ONLY").is_some() {
        println!("stopped");
        return;
    }
    let repos = app.repos.clone();
    let repo_id = match repos.list().expect("repos").first() {
        Some(r) => r.id,
        None => {
            let r = repos
                .create(NewRepository {
                    name: "crash".into(),
                    path: project,
                    kind: None,
                    port: None,
                })
                .expect("repo");
            ack("repo", "crash");
            r.id
        }
    };
    let deployments = app.deployments.clone();
    let agent = app.flow.clone();
    // A provider nobody answers: each message is stored, its run fails fast.
    agent
        .save_settings(FlowSettingsInput {
            protocol: Default::default(),
            base_url: "http://127.0.0.1:9/v1".into(),
            model: "none".into(),
            temperature: None,
            max_tokens: None,
            system_prompt: String::new(),
            max_steps: 1,
            api_key: ApiKeyChange::Keep,
        })
        .expect("settings");
    let mut last_started = None;
    for i in 0.. {
        let tag = format!("r{run}-{i}");
        let server = mcp
            .create(McpServerInput {
                name: format!("mcp-{tag}"),
                command: "node".into(),
                args: vec![server_js.clone(), format!("--crash-tag={tag}")],
                ..Default::default()
            })
            .expect("mcp create");
        ack("mcp", &format!("mcp-{tag}"));
        if i % 4 == 0 {
            // One server at a time, as a user tries them out.
            if let Some(previous) = last_started.replace(server.id) {
                mcp.stop(previous).await.expect("mcp stop");
            }
            mcp.start(server.id).await.expect("mcp start");
            ack("started", &format!("mcp-{tag}"));
        }
        deployments
            .create(DeploymentInput {
                repository_id: repo_id,
                name: format!("dep-{tag}"),
                instances: 1,
                port: None,
                ..Default::default()
            })
            .expect("deployment create");
        ack("deployment", &format!("dep-{tag}"));
        let session = agent
            .create_session(FlowSessionPatch {
                title: Some(format!("session-{tag}")),
                model: None,
                mcp_server_ids: Some(vec![server.id]),
                mcp_profile: None,
                repository_id: None,
            })
            .expect("session");
        ack("session", &format!("session-{tag}"));
        agent
            .send(session.id, &format!("message-{tag}"))
            .expect("message");
        ack("message", &format!("message-{tag}"));
    }
}
