//! What the integration tests, the end-to-end tests and the benches share
//! (feature `testkit`, never in the app): a loopback LLM provider, Docker
//! and git CLI helpers, a loopback sshd, bench reporting, and the gate for tests that need
//! real tools.

pub mod bench;
pub mod conformance;
pub mod docker;
pub mod gateway_client;
pub mod git_cli;
pub mod llm;
pub mod sshd;

/// Set to `1` to run the tests that need real tools (dockerd, pm2,
/// code-server, npm MCP servers, a D-Bus session, Xvfb, root); `CI` set
/// does the same. `.ci/test` sets it after installing them.
pub const REAL_TOOLS_ENV: &str = "AI_DESKTOP_REAL_TOOLS";

/// Whether tests needing real tools run. When they do not, says so in one
/// line (`skipped: needs <what>`) and returns false: the test returns early.
/// A loopback port free at the time of asking.
/// Writes an executable script at `path` through a child process, so that
/// no descriptor of it open for writing ever exists in this (multi-threaded)
/// process. A test thread that forks meanwhile would inherit one, and
/// running the file before that child execs fails with ETXTBSY ("Text file
/// busy") — seen as a hook that "failed" for no reason under load.
pub fn write_executable(path: &std::path::Path, content: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("sh runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(content.as_bytes())
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "{} not written",
        path.display()
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub fn real_tools(what: &str) -> bool {
    let on = |k: &str| std::env::var(k).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if on(REAL_TOOLS_ENV) || on("CI") {
        return true;
    }
    eprintln!("skipped: needs {what} (set {REAL_TOOLS_ENV}=1 to run it)");
    false
}

/// This test binary again, running only the test `test` (ignored or not),
/// its output not captured: for a test that needs a second process of the
/// app (a helper to kill, a writer to crash) or a process of its own.
pub fn this_binary_running(test: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("the test binary"));
    cmd.args([
        test,
        "--exact",
        "--include-ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ]);
    cmd
}

/// Runs the calling test alone in a child process (a fresh copy of this
/// test binary running only `test`), for tests that change what is global
/// to a process: the logger, the panic hook, the umask, its memory. Returns
/// `true` in the parent once the child passed (the test then returns);
/// `false` in the child, which runs the test's body.
pub fn isolated(test: &str) -> bool {
    const CHILD_ENV: &str = "AI_DESKTOP_ISOLATED_TEST";
    if std::env::var(CHILD_ENV).is_ok_and(|t| t == test) {
        return false;
    }
    let out = this_binary_running(test)
        .env(CHILD_ENV, test)
        .output()
        .expect("the test binary runs again");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{test} failed in its own process:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "{test} did not run in its own process:\n{text}"
    );
    true
}

/// The PM2 daemon of a test's own PM2_HOME, killed (with everything it
/// runs) when this is dropped.
pub struct Pm2Daemon {
    pub env: Vec<(String, String)>,
    pub home: std::path::PathBuf,
}

impl Drop for Pm2Daemon {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pm2")
            .arg("kill")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PM2_HOME", &self.home)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}
