//! Limits where MCP input enters the app, against a hostile MCP server
//! (`fixtures/hostile_mcp.js`): a 200 MB stderr line, a 5 MB tool result
//! with a 3 MB image, and a protocol message that never ends. The app's
//! memory must stay bounded, what is kept must be cut and say so, and a call
//! on a flooding server must fail at once instead of at its timeout. (Run in
//! its own process: it reads the process's memory.)

use ai_desktop_api::mcp::{McpContent, McpServerInput, McpState};
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::mcp::{limits, McpConfig, McpHub};
use ai_desktop_core::store::Store;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile_mcp.js");

/// This process's resident memory, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_server_output_is_bounded_everywhere_it_enters() {
    if !ai_desktop_core::testkit::real_tools("node (a hostile MCP server)")
        || ai_desktop_core::testkit::isolated(
            "mcp_limits::hostile_server_output_is_bounded_everywhere_it_enters",
        )
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let store = Arc::new(Store::open_in(&root.join("data")).unwrap());
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut config = McpConfig::new(vec![
        ("PATH".into(), std::env::var("PATH").unwrap()),
        ("HOME".into(), home.display().to_string()),
    ]);
    config.init_timeout = Duration::from_secs(60);
    config.call_timeout = Duration::from_secs(60);
    let hub = McpHub::new(store.clone(), Arc::new(RecordingSink::default()), config).unwrap();
    let server = hub
        .create(McpServerInput {
            name: "hostile".into(),
            command: "node".into(),
            args: vec![HOSTILE.into()],
            env: BTreeMap::from([("STDERR_FLOOD_MB".into(), "200".into())]),
            ..Default::default()
        })
        .unwrap()
        .id;

    // 200 MB on stderr without a line break: read and dropped past 16 kB.
    let before = rss();
    hub.start(server).await.unwrap();
    let logs = hub.logs(server).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !logs.since(0).iter().any(|l| l.text == "stderr flood done") {
        assert!(
            Instant::now() < deadline,
            "the flood's end never reached the log"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let grown = rss().saturating_sub(before);
    assert!(
        grown < 64 * 1024 * 1024,
        "reading a 200 MB line grew memory by {} MB",
        grown / (1024 * 1024)
    );
    let longest = logs.since(0).iter().map(|l| l.text.len()).max().unwrap();
    assert!(longest <= 16 * 1024, "a log line of {longest} bytes");

    // A 5 MB result with a 3 MB image and 1 MB of structured content: kept
    // cut, with a note, in the history, the database and what goes back.
    let call = hub.call_tool(server, "huge", json!({})).await.unwrap();
    assert!(call.error.is_none(), "{:?}", call.error);
    assert!(call.structured_content.is_none());
    assert!(!call
        .content
        .iter()
        .any(|c| matches!(c, McpContent::Image { .. })));
    let kept: usize = call
        .content
        .iter()
        .map(|c| serde_json::to_string(c).unwrap().len())
        .sum();
    assert!(kept <= limits::MAX_TEXT + 8 * 1024, "kept {kept} bytes");
    let Some(McpContent::Text { text: note }) = call.content.last() else {
        panic!("no note: {:?}", call.content.last())
    };
    assert!(
        note.contains("AI Desktop kept part of this result"),
        "{note}"
    );
    assert!(
        note.contains("image/png data of 3.0 MB was left out"),
        "{note}"
    );
    // What the history shows is what was stored (reading it waits for the
    // row's write).
    assert_eq!(hub.history(server).unwrap().len(), 1);
    let stored: i64 = store
        .with(|c| {
            Ok(c.query_row(
                "SELECT max(length(content)) FROM mcp_calls WHERE server_id = ?1",
                [server],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(stored < 300 * 1024, "stored {stored} bytes");

    // A message that never ends: the connection is closed when it passes
    // 16 MB, so the call fails now rather than after its 60 s timeout.
    let asked = Instant::now();
    let call = hub.call_tool(server, "flood", json!({})).await.unwrap();
    assert!(call.error.is_some(), "{call:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "the call hung for {:?}",
        asked.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while hub.get(server).unwrap().state != McpState::Failed {
        assert!(Instant::now() < deadline, "{:?}", hub.get(server).unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        logs.since(0)
            .iter()
            .any(|l| l.text.contains("a message over 16 MB")),
        "the log does not say why"
    );
    hub.stop_all().await;
}
