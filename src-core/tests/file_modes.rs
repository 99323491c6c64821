//! Files at rest: under a umask of 022 (what most desktops run with), the
//! data folder is 0700 and everything in it that holds a secret is 0600 —
//! the database and its WAL files, code-server passwords, the API key,
//! services.json, the log — and an install made before (0755/0644) is
//! repaired when the app opens it. (The umask is process-wide: run in its
//! own process.)

use ai_desktop_api::flow::{ApiKeyChange, FlowSettingsInput};
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::flow::FlowAgent;
use ai_desktop_core::mcp::{McpConfig, McpHub};
use ai_desktop_core::store::Store;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn secrets_at_rest_are_private_under_a_loose_umask_and_old_installs_are_repaired() {
    if ai_desktop_core::testkit::isolated(
        "file_modes::secrets_at_rest_are_private_under_a_loose_umask_and_old_installs_are_repaired",
    ) {
        return;
    }
    // SAFETY: umask(2) only changes this process's file-creation mask.
    unsafe { libc::umask(0o022) };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");

    // A fresh install.
    let store = Arc::new(Store::open_in(&data).unwrap());
    store
        .set_setting("probe", Some(&"written to the WAL"))
        .unwrap();
    assert_eq!(mode(&data), 0o700, "data folder");
    for f in [
        "ai-desktop.sqlite3",
        "ai-desktop.sqlite3-wal",
        "ai-desktop.sqlite3-shm",
    ] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }

    // The API key.
    let events = Arc::new(RecordingSink::default());
    let mcp = McpHub::new(store.clone(), events.clone(), McpConfig::new(Vec::new())).unwrap();
    let agent = FlowAgent::new(store.clone(), mcp, events, data.clone());
    agent
        .save_settings(FlowSettingsInput {
            protocol: Default::default(),
            base_url: "http://127.0.0.1:9/v1".into(),
            model: "m".into(),
            temperature: None,
            max_tokens: None,
            system_prompt: String::new(),
            max_steps: 5,
            api_key: ApiKeyChange::Set("sk-0123456789abcdef".into()),
        })
        .unwrap();
    assert_eq!(mode(&data.join("flow")), 0o700);
    assert_eq!(mode(&data.join("flow/api-key")), 0o600);

    // A code-server password and services.json.
    let password = data.join("vscode/1/password");
    ai_desktop_core::secrets::load_or_create(&password).unwrap();
    assert_eq!(mode(&password), 0o600);
    assert_eq!(mode(&data.join("vscode/1")), 0o700);
    ai_desktop_core::services::state::ServicesFile::new(data.join("services.json"))
        .save(&Default::default())
        .unwrap();
    assert_eq!(mode(&data.join("services.json")), 0o600);

    // The log file and its folder.
    let logs = tmp.path().join("logs");
    let mut log =
        ai_desktop_core::logging::RotatingFile::open(&logs, 1024, 3).expect("the log file opens");
    std::io::Write::write_all(&mut log, b"a line\n").unwrap();
    assert_eq!(mode(&logs), 0o700);
    assert_eq!(mode(&logs.join("ai-desktop.log")), 0o600);
    drop(log);
    drop(agent);
    drop(store);

    // An install from before: everything loosened as a 022 umask made it.
    for dir in [&data, &data.join("flow"), &data.join("vscode/1"), &logs] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for f in [
        "ai-desktop.sqlite3",
        "ai-desktop.sqlite3-wal",
        "ai-desktop.sqlite3-shm",
        "flow/api-key",
        "vscode/1/password",
        "services.json",
    ] {
        // The WAL files go when the last connection closes.
        if data.join(f).exists() {
            std::fs::set_permissions(data.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    std::fs::set_permissions(
        logs.join("ai-desktop.log"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::write(logs.join("ai-desktop.log.1"), "old\n").unwrap();

    // Opening the app's parts repairs them.
    let _store = Store::open_in(&data).unwrap();
    let _log = ai_desktop_core::logging::RotatingFile::open(&logs, 1024, 3).unwrap();
    assert_eq!(mode(&data), 0o700);
    for dir in ["flow", "vscode", "vscode/1"] {
        assert_eq!(mode(&data.join(dir)), 0o700, "{dir}");
    }
    for f in [
        "ai-desktop.sqlite3",
        "ai-desktop.sqlite3-wal",
        "ai-desktop.sqlite3-shm",
        "flow/api-key",
        "vscode/1/password",
        "services.json",
    ] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    assert_eq!(mode(&logs), 0o700);
    assert_eq!(mode(&logs.join("ai-desktop.log")), 0o600);
    assert_eq!(mode(&logs.join("ai-desktop.log.1")), 0o600);
}
