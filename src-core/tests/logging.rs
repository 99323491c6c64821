//! Everything reaches the log file: records of dependencies that log
//! through `tracing` (rmcp, zbus, hyper) and panics of any thread, which
//! went only to a standard error nobody reads. (Run in its own process: the
//! logger and the panic hook are global.)

#[test]
fn tracing_events_and_panics_reach_the_log_file() {
    if ai_desktop_core::testkit::isolated("logging::tracing_events_and_panics_reach_the_log_file") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::env::set_var("AI_DESKTOP_LOG_DIR", &logs);
    std::env::set_var("RUST_LOG", "info");
    ai_desktop_core::logging::init().expect("a log file");

    // As rmcp reports a transport failure.
    tracing::error!(target: "rmcp::transport::streamable_http_client", "planted-tracing-marker {}", 7);
    // Below the level: not written.
    tracing::debug!(target: "rmcp", "planted-debug-marker");

    let panicked = std::thread::Builder::new()
        .name("worker".into())
        .spawn(|| panic!("planted-panic-marker"))
        .unwrap()
        .join();
    assert!(panicked.is_err());

    log::logger().flush();
    let text = std::fs::read_to_string(logs.join("ai-desktop.log")).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("planted-tracing-marker 7"))
        .unwrap_or_else(|| panic!("the tracing event is not in the log:\n{text}"));
    assert!(line.contains("ERROR"), "{line}");
    assert!(!text.contains("planted-debug-marker"), "{text}");
    // "thread 'worker' panicked at tests/logging.rs:…:\n<message>\n<backtrace>"
    let at = text
        .find("ERROR panic] thread 'worker' panicked at src-core/tests/logging.rs")
        .unwrap_or_else(|| panic!("the panic is not in the log:\n{text}"));
    assert!(
        text[at..]
            .lines()
            .nth(1)
            .unwrap_or("")
            .contains("planted-panic-marker"),
        "{}",
        &text[at..]
    );
}
