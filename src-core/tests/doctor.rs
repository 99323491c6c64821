//! The Doctor against this machine's real programs, and against a PATH
//! without them.

use ai_desktop_core::doctor::{report, version_in, DoctorInput};
use ai_desktop_core::testkit::real_tools;
use std::process::Command;

fn cli_version(program: &str, arg: &str) -> String {
    let out = Command::new(program).arg(arg).output().unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    version_in(&text).unwrap_or_else(|| panic!("no version in {text:?}"))
}

#[tokio::test]
async fn finds_this_machines_programs_with_their_versions() {
    if !real_tools("the tools .ci/setup installs") {
        return;
    }
    let input = DoctorInput {
        path_var: std::env::var("PATH").unwrap(),
        docker_socket: "/var/run/docker.sock".into(),
        code_server: None,
    };
    let tools = report(&input).await;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "git",
            "node",
            "npx",
            "pm2",
            "code-server",
            "docker",
            "ssh",
            "docker daemon"
        ]
    );
    let get = |n: &str| tools.iter().find(|t| t.name == n).unwrap();
    assert!(get("git").found);
    assert_eq!(
        get("git").version.as_deref(),
        Some(cli_version("git", "--version").as_str())
    );
    assert_eq!(
        get("node").version.as_deref(),
        Some(cli_version("node", "--version").as_str())
    );
    // pm2's version comes from its package.json; the CLI must agree (run in
    // a PM2_HOME of its own: `pm2 --version` starts a daemon, killed after).
    let pm2 = get("pm2");
    assert!(pm2.found, "{pm2:?}");
    let home = tempfile::tempdir().unwrap();
    let out = Command::new("pm2")
        .arg("--version")
        .env("PM2_HOME", home.path())
        .output()
        .unwrap();
    let _ = Command::new("pm2")
        .arg("kill")
        .env("PM2_HOME", home.path())
        .output();
    let cli = version_in(&String::from_utf8_lossy(&out.stdout)).unwrap();
    assert_eq!(pm2.version.as_deref(), Some(cli.as_str()));
    let daemon = get("docker daemon");
    let answers = Command::new("docker")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert_eq!(daemon.found, answers, "{daemon:?}");
    for t in &tools {
        assert!(!t.needed_by.is_empty() && !t.install.is_empty(), "{t:?}");
    }
}

#[tokio::test]
async fn says_what_is_missing_and_how_to_install_it() {
    let empty = tempfile::tempdir().unwrap();
    let input = DoctorInput {
        path_var: empty.path().display().to_string(),
        docker_socket: empty.path().join("docker.sock").display().to_string(),
        code_server: Some(empty.path().join("no-code-server")),
    };
    let tools = report(&input).await;
    assert!(tools.iter().all(|t| !t.found), "{tools:?}");
    let git = tools.iter().find(|t| t.name == "git").unwrap();
    assert_eq!(git.install, "sudo apt install git");
    assert!(git.detail.as_deref().unwrap().contains("not on the PATH"));
    let daemon = tools.iter().find(|t| t.name == "docker daemon").unwrap();
    assert!(daemon.install.contains("docker.io"), "{daemon:?}");
    assert!(daemon.detail.is_some());
    // A program that is there but broken is reported as such.
    let broken = empty.path().join("git");
    std::fs::write(&broken, "#!/bin/sh\necho 'fatal: broken' >&2\nexit 3\n").unwrap();
    Command::new("chmod")
        .arg("755")
        .arg(&broken)
        .status()
        .unwrap();
    let tools = report(&input).await;
    let git = tools.iter().find(|t| t.name == "git").unwrap();
    assert!(!git.found);
    assert!(
        git.detail.as_deref().unwrap().contains("fatal: broken"),
        "{git:?}"
    );
}
