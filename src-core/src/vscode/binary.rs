//! Finding the code-server binary and what it supports.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Shown wherever code-server is missing.
pub const INSTALL_HINT: &str = "npm install --global code-server@4.116.0 (with Node 22), or set its path in Settings → VS Code. See https://coder.com/docs/code-server/install";

/// What `code-server --version` / `--help` told us about one binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeServerBinary {
    pub path: PathBuf,
    pub version: String,
    /// `--cookie-suffix` (added in 4.107) is accepted.
    pub cookie_suffix: bool,
}

/// The binary to run: `configured` if given, else `code-server` on `path_var`.
pub fn locate(configured: Option<&Path>, path_var: Option<&str>) -> Option<PathBuf> {
    if let Some(p) = configured {
        return crate::procs::is_executable(p).then(|| p.to_path_buf());
    }
    crate::procs::find_program("code-server", path_var?)
}

/// Runs the binary to read its version and flags. `env` is the environment
/// it will run with (it needs PATH to find node, HOME to start at all).
pub fn probe(path: &Path, env: &[(String, String)]) -> Option<CodeServerBinary> {
    let run = |arg: &str| {
        Command::new(path)
            .arg(arg)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let version = run("--version")?;
    // "4.100.3 409c64e… with Code 1.100.3", after any log lines.
    let version = version
        .lines()
        .find(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))?
        .split_whitespace()
        .next()?
        .to_string();
    let help = run("--help").unwrap_or_default();
    Some(CodeServerBinary {
        path: path.to_path_buf(),
        version,
        cookie_suffix: help.contains("--cookie-suffix"),
    })
}
