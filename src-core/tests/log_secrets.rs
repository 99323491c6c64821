//! The app's log file, at `RUST_LOG=trace`, after it has handled every kind
//! of secret it takes: a provider API key (sent as a bearer header to a
//! loopback provider), an MCP server's env value, a password in a git remote
//! URL. None of them may appear in the file. (Run in its own process:
//! the logger is global.)

use ai_desktop_core::testkit::llm;
use ai_desktop_core::{App, Config};

use ai_desktop_api::flow::{ApiKeyChange, FlowSessionPatch, FlowSettingsInput, RunState};
use ai_desktop_api::mcp::McpServerInput;
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::RecordingSink;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const API_KEY: &str = "sk-planted-api-key-7f3a9c1e5b";
const ENV_SECRET: &str = "planted-env-value-4d2b8e6f";
const URL_PASSWORD: &str = "planted-url-password-9c1d";
const MCP_URL_KEY: &str = "planted-mcp-url-key-3e7a";
const MCP_PATH_KEY: &str = "sk1live2planted3path4key";

#[tokio::test(flavor = "multi_thread")]
async fn planted_secrets_never_reach_the_log_file() {
    if !ai_desktop_core::testkit::real_tools("node (an MCP server)")
        || ai_desktop_core::testkit::isolated(
            "log_secrets::planted_secrets_never_reach_the_log_file",
        )
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let logs = root.join("logs");
    // Set before the logger and any thread that reads the environment.
    std::env::set_var("AI_DESKTOP_LOG_DIR", &logs);
    std::env::set_var("RUST_LOG", "trace");
    let dir = ai_desktop_core::logging::init().expect("a log file");
    assert_eq!(dir, logs);

    // The app as the desktop app builds it, in the test's folder.
    let app = App::open(
        Config::isolated(&root, "test"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let mcp = app.mcp.clone();
    let agent = app.flow.clone();

    // An MCP server with a secret in its env, started and asked for its tools.
    let server = mcp
        .create(McpServerInput {
            name: "alpha".into(),
            command: "node".into(),
            args: vec![
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/desc_server.js").into(),
            ],
            env: BTreeMap::from([
                ("TOOL_DESCRIPTION".into(), "Echoes".into()),
                ("API_TOKEN".into(), ENV_SECRET.into()),
            ]),
            ..Default::default()
        })
        .unwrap()
        .id;
    mcp.start(server).await.unwrap();
    assert!(!mcp.tools(server).await.unwrap().is_empty());

    // A provider key, used for a whole conversation with a tool offered.
    let provider = llm::Provider::start(Some(API_KEY));
    provider.push(llm::text(&["Hello", " there"]));
    agent
        .save_settings(FlowSettingsInput {
            protocol: Default::default(),
            base_url: provider.url.clone(),
            model: llm::MODEL.into(),
            temperature: Some(0.0),
            max_tokens: Some(64),
            system_prompt: "You are a test.".into(),
            max_steps: 3,
            api_key: ApiKeyChange::Set(API_KEY.into()),
        })
        .unwrap();
    let session = agent
        .create_session(FlowSessionPatch {
            title: Some("Secrets".into()),
            model: None,
            mcp_server_ids: Some(vec![server]),
            mcp_profile: None,
            repository_id: None,
        })
        .unwrap()
        .id;
    agent.send(session, "hi").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = agent.session(session).unwrap();
        let done = agent
            .messages(session)
            .unwrap()
            .iter()
            .any(|m| m.content.contains("Hello there"));
        if done && s.run_state == RunState::Idle {
            break;
        }
        assert!(Instant::now() < deadline, "the conversation never finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        provider.chats()[0].authorization.as_deref(),
        Some(format!("Bearer {API_KEY}").as_str()),
        "the key was really used"
    );
    mcp.stop(server).await.unwrap();

    // A remote MCP server addressed with keys in its URL, which cannot be
    // reached: neither the error shown nor the log (nor what rmcp and the
    // HTTP client log, bridged into it) quotes them.
    let remote = mcp
        .create(McpServerInput {
            name: "remote".into(),
            transport: ai_desktop_api::mcp::McpTransport::Http,
            url: Some(format!(
                "http://127.0.0.1:9/v1/{MCP_PATH_KEY}/mcp?api_key={MCP_URL_KEY}"
            )),
            ..Default::default()
        })
        .unwrap()
        .id;
    let err = mcp
        .start(remote)
        .await
        .expect_err("nothing listens on port 9");
    let shown = err.with_detail_text();
    assert!(
        !shown.contains(MCP_URL_KEY) && !shown.contains(MCP_PATH_KEY),
        "{shown}"
    );
    let view: Vec<String> = mcp
        .logs(remote)
        .unwrap()
        .since(0)
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert!(!view.iter().any(|l| l.contains(MCP_URL_KEY)), "{view:?}");

    // A password in a git remote URL, used for a fetch that fails.
    let repo_dir = root.join("repo");
    std::fs::create_dir_all(&repo_dir).unwrap();
    git2::Repository::init(&repo_dir).unwrap();
    let id = app
        .repos
        .create(NewRepository {
            name: "repo".into(),
            path: repo_dir.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    app.git_ops
        .add_remote(
            id,
            "origin",
            &format!("http://ada:{URL_PASSWORD}@127.0.0.1:9/x.git"),
        )
        .unwrap();
    let err = app
        .git_sync
        .fetch(id, None, Arc::new(|_| {}))
        .await
        .expect_err("nothing listens on port 9");
    assert!(!err.to_string().contains(URL_PASSWORD), "{err}");

    log::logger().flush();
    let mut text = String::new();
    for entry in std::fs::read_dir(&logs).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    // The file really holds the app's trace output of all this.
    assert!(text.lines().count() > 20, "{text}");
    assert!(text.contains("ai_desktop"), "{text}");
    for secret in [API_KEY, ENV_SECRET, URL_PASSWORD, MCP_URL_KEY, MCP_PATH_KEY] {
        let hits: Vec<&str> = text.lines().filter(|l| l.contains(secret)).collect();
        assert!(
            hits.is_empty(),
            "{secret} is in the log:\n{}",
            hits.join("\n")
        );
    }
}
