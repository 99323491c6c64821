//! The first-run doctor: finds the programs each module needs, with their
//! versions, and says how to install what is missing. Every probe has a
//! timeout and runs with the app's PATH; none starts a daemon (pm2's version
//! is read from its package.json, not by running it).

use crate::procs::find_program;
use ai_desktop_api::system::ToolCheck;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where to look.
pub struct DoctorInput {
    /// A PATH value.
    pub path_var: String,
    pub docker_socket: String,
    /// code-server's path if set in Settings.
    pub code_server: Option<PathBuf>,
}

impl DoctorInput {
    pub fn from_env(code_server: Option<PathBuf>) -> DoctorInput {
        DoctorInput {
            path_var: std::env::var("PATH").unwrap_or_default(),
            docker_socket: crate::services::discovery::socket_from_env(),
            code_server,
        }
    }
}

struct Spec {
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    needed_by: &'static [&'static str],
    install: &'static str,
}

const SPECS: &[Spec] = &[
    Spec {
        name: "git",
        program: "git",
        args: &["--version"],
        needed_by: &["Git (merge, rebase, clone)"],
        install: "sudo apt install git",
    },
    Spec {
        name: "node",
        program: "node",
        args: &["--version"],
        needed_by: &["Deployments", "MCP Hub (npx servers)", "code-server"],
        install: "sudo apt install nodejs npm",
    },
    Spec {
        name: "npx",
        program: "npx",
        args: &["--version"],
        needed_by: &["MCP Hub (npx servers)"],
        install: "sudo apt install npm",
    },
    Spec {
        name: "pm2",
        program: "pm2",
        args: &[],
        needed_by: &["Deployments", "System (PM2 processes)"],
        install: "sudo npm install --global pm2",
    },
    Spec {
        name: "code-server",
        program: "code-server",
        args: &["--version"],
        needed_by: &["VS Code"],
        install: crate::vscode::binary::INSTALL_HINT,
    },
    Spec {
        name: "docker",
        program: "docker",
        args: &["--version"],
        needed_by: &["Services (the CLI is optional; the daemon is what counts)"],
        install: "sudo apt install docker.io",
    },
    Spec {
        name: "ssh",
        program: "ssh",
        args: &["-V"],
        needed_by: &["Git (Test a host, clone over ssh)"],
        install: "sudo apt install openssh-client",
    },
];

/// The first version-looking word of a program's output (`v20.1.0` → `20.1.0`).
pub fn version_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '_')
        .map(|w| w.trim_start_matches('v'))
        .find(|w| {
            w.chars().next().is_some_and(|c| c.is_ascii_digit())
                && w.contains('.')
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
        })
        .map(str::to_string)
}

/// pm2's version from the package.json next to its script (running `pm2`
/// could start its daemon).
fn pm2_version(program: &Path) -> Option<String> {
    let real = std::fs::canonicalize(program).ok()?;
    let manifest = real.parent()?.parent()?.join("package.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(manifest).ok()?).ok()?;
    (json["name"] == "pm2").then(|| json["version"].as_str().map(str::to_string))?
}

async fn probe(spec: &Spec, program: PathBuf) -> ToolCheck {
    let mut check = ToolCheck {
        name: spec.name.to_string(),
        found: true,
        version: None,
        path: Some(program.display().to_string()),
        detail: None,
        needed_by: spec.needed_by.iter().map(|s| s.to_string()).collect(),
        install: spec.install.to_string(),
    };
    if spec.args.is_empty() {
        check.version = pm2_version(&program);
        return check;
    }
    let run = tokio::process::Command::new(&program)
        .args(spec.args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(PROBE_TIMEOUT, run).await {
        Ok(Ok(out)) if out.status.success() => {
            let text = format!(
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            check.version = version_in(&text);
        }
        Ok(Ok(out)) => {
            check.found = false;
            check.detail = Some(format!(
                "{} is there but failed: {}",
                program.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Err(e)) => {
            check.found = false;
            check.detail = Some(format!("{} cannot be run: {e}", program.display()));
        }
        Err(_) => {
            check.found = false;
            check.detail = Some(format!(
                "{} did not answer within {} s",
                program.display(),
                PROBE_TIMEOUT.as_secs()
            ));
        }
    }
    check
}

async fn docker_daemon(socket: &str) -> ToolCheck {
    let mut check = ToolCheck {
        name: "docker daemon".into(),
        found: false,
        version: None,
        path: Some(socket.to_string()),
        detail: None,
        needed_by: vec!["Services".into()],
        install: "sudo apt install docker.io && sudo systemctl enable --now docker (and add yourself to the docker group)".into(),
    };
    let docker = match bollard::Docker::connect_with_unix(socket, 5, bollard::API_DEFAULT_VERSION) {
        Ok(d) => d,
        Err(e) => {
            check.detail = Some(format!("cannot connect: {e}"));
            return check;
        }
    };
    match tokio::time::timeout(PROBE_TIMEOUT, docker.version()).await {
        Ok(Ok(v)) => {
            check.found = true;
            check.version = v.version;
        }
        Ok(Err(e)) => check.detail = Some(format!("nothing answers on {socket}: {e}")),
        Err(_) => check.detail = Some(format!("{socket} did not answer within 5 s")),
    }
    check
}

/// Every check, in a fixed order, run concurrently.
pub async fn report(input: &DoctorInput) -> Vec<ToolCheck> {
    let probes = SPECS.iter().map(|spec| {
        let located = if spec.name == "code-server" {
            input
                .code_server
                .clone()
                .filter(|p| crate::procs::is_executable(p))
                .or_else(|| find_program(spec.program, &input.path_var))
        } else {
            find_program(spec.program, &input.path_var)
        };
        async move {
            match located {
                Some(program) => probe(spec, program).await,
                None => ToolCheck {
                    name: spec.name.to_string(),
                    found: false,
                    version: None,
                    path: None,
                    detail: Some(format!("{} is not on the PATH", spec.program)),
                    needed_by: spec.needed_by.iter().map(|s| s.to_string()).collect(),
                    install: spec.install.to_string(),
                },
            }
        }
    });
    let (mut tools, daemon) = tokio::join!(
        futures_util::future::join_all(probes),
        docker_daemon(&input.docker_socket)
    );
    tools.push(daemon);
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            version_in("git version 2.47.3\n").as_deref(),
            Some("2.47.3")
        );
        assert_eq!(version_in("v20.19.2\n").as_deref(), Some("20.19.2"));
        assert_eq!(
            version_in("OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15").as_deref(),
            Some("9.2p1")
        );
        assert_eq!(
            version_in("Docker version 26.1.5+dfsg1, build a72d7cd").as_deref(),
            Some("26.1.5+dfsg1")
        );
        assert_eq!(version_in("no digits here"), None);
    }
}
