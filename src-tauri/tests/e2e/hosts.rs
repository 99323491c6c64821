//! The Hosts page: a dev box added over a real sshd on a loopback port.

use crate::support::*;
use ai_desktop::testkit::*;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

/// Processes whose command line (its words joined by spaces) holds `needle`.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .replace('\0', " ")
                .contains(needle)
                .then_some(pid)
        })
        .collect()
}

/// Whether Redis on 127.0.0.1:`port` answers an authenticated PING.
fn redis_pong(port: u16, password: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let wire = format!(
        "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n",
        password.len()
    );
    if s.write_all(wire.as_bytes()).is_err() {
        return false;
    }
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    while !out.ends_with(b"+PONG\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out == b"+OK\r\n+PONG\r\n"
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Bad input refused in the dialog; the host key shown with the
/// fingerprint ssh-keygen prints, trusted with a click; the host's tools
/// (this machine's, reached over ssh) on the page; checked again; marked
/// unreachable when its server stops; removed with its remembered key.
#[test]
fn a_host_is_added_over_ssh_checked_and_removed_from_the_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    ai_desktop_core::testkit::docker::redis_image();
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("hosts");
    // The "remote" login has this machine's tools (code-server on its PATH)
    // and data and config folders of its own.
    let remote_data = root.join("remote-data");
    let path = std::env::var("PATH").unwrap();
    let sshd = ai_desktop_core::testkit::sshd::Sshd::start_with(
        &root.join("sshd"),
        ai_desktop_core::testkit::free_port(),
        &[
            ("PATH", &path),
            ("XDG_DATA_HOME", &remote_data.display().to_string()),
            (
                "XDG_CONFIG_HOME",
                &root.join("remote-config").display().to_string(),
            ),
        ],
    );
    let ssh = home.join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    for (from, to) in [
        (sshd.client_key.clone(), "id_box"),
        (sshd.client_key.with_extension("pub"), "id_box.pub"),
    ] {
        std::fs::copy(&from, ssh.join(to)).unwrap();
    }
    std::fs::set_permissions(ssh.join("id_box"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let fingerprint = stdout(
        Command::new("ssh-keygen")
            .arg("-lf")
            .arg(root.join("sshd/host_key.pub")),
    );
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap().to_string();
    // A session bus of its own: a second launch (a deep link) is handed to
    // the running app through it.
    let (bus, _bus) = session_bus();
    // The host's Docker is this machine's dockerd, reached through the
    // host's socket: the app's containers there get a prefix of their own.
    let prefix = format!("aidhoste2e{}", std::process::id());
    let _cleanup = ai_desktop_core::testkit::docker::Cleanup(prefix.clone());
    let env = [
        ("HOME", home.display().to_string()),
        ("DBUS_SESSION_BUS_ADDRESS", bus.clone()),
        ("AI_DESKTOP_SERVICES_PREFIX", prefix.clone()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-hosts]");
    d.find("[data-testid=hosts-empty]");
    d.step("hosts-empty");
    d.click("[data-testid=host-add-open]");
    // Something that would be an option to ssh: refused, nothing asked of it.
    d.type_into(
        "[data-testid=host-destination]",
        "-oProxyCommand=touch /tmp/pwned",
    );
    d.click("[data-testid=host-add-next]");
    wait_text(d, "[data-testid=form-error]", "is not a host");
    d.type_into(
        "[data-testid=host-destination]",
        &format!("{}@127.0.0.1", sshd.user),
    );
    d.type_into("[data-testid=host-port]", "0");
    d.click("[data-testid=host-add-next]");
    wait_text(d, "[data-testid=form-error]", "is not a port");
    d.type_into("[data-testid=host-port]", &sshd.port.to_string());
    choose(d, "[data-testid=host-key]", "~/.ssh/id_box");
    d.type_into("[data-testid=host-name-input]", "Build box");
    d.click("[data-testid=host-add-next]");
    // The key, never seen before: its fingerprint, and a question.
    wait_text(d, "[data-testid=host-key-fingerprint]", &fingerprint);
    wait_text(d, "[data-testid=host-key-scan]", "First connection");
    wait_text(d, "[data-testid=host-add-next]", "Trust this key and add");
    assert!(!data.join("known_hosts").exists());
    d.step("host-key");
    d.click("[data-testid=host-add-next]");

    // Added: where it connects, its key, and what it has.
    wait_text(d, "[data-testid=host-name]", "Build box");
    wait_text(d, "[data-testid=host-fingerprint]", &fingerprint);
    wait_text(
        d,
        "[data-testid=host-system]",
        &stdout(Command::new("uname").arg("-srm")),
    );
    let git = stdout(Command::new("git").arg("--version"));
    // Everything there: the tools folded into one line, unfolded on a click.
    let summary = wait_text(d, "[data-testid=host-tools-summary]", "tools found");
    assert!(summary.starts_with("All 7 tools found: git "), "{summary}");
    assert!(summary.contains("code-server 4."), "{summary}");
    d.click("[data-testid=host-tools-summary]");
    let row = wait_text(
        d,
        "[data-testid=host-tool-git]",
        git.trim_start_matches("git version "),
    );
    assert!(row.contains("found"), "{row}");
    d.find("[data-testid=host-tool-docker-engine]");
    // code-server's version, though its first run there logs a line first.
    let row = d.text(&d.find("[data-testid=host-tool-code-server]"));
    assert!(row.contains("4."), "{row}");
    d.step("host-added");
    // A repository there: its changes, a file's diff and its log.
    let shop = root.join("shop");
    std::fs::create_dir_all(&shop).unwrap();
    let git = |args: &[&str]| stdout(Command::new("git").arg("-C").arg(&shop).args(args));
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(shop.join("a.txt"), "one\ntwo\n").unwrap();
    git(&["add", "."]);
    git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.org",
        "commit",
        "-qm",
        "First commit",
    ]);
    std::fs::write(shop.join("a.txt"), "one\n2\n").unwrap();
    std::fs::write(shop.join("notes.md"), "new\n").unwrap();
    dismiss_toasts(d);
    d.type_into("[data-testid=host-repo-path]", "shop");
    d.click("[data-testid=host-repo-add]");
    wait_text(
        d,
        "[data-testid=host-repo-error]",
        "not a folder on the host",
    );
    d.type_into("[data-testid=host-repo-path]", &shop.display().to_string());
    d.click("[data-testid=host-repo-add]");
    wait_text(
        d,
        "[data-testid=host-repo-summary]",
        "On main · 0 staged, 1 unstaged, 1 untracked",
    );
    wait_text(d, "[data-testid=host-repo-log]", "First commit");
    d.click("[data-testid=host-repo-file]");
    let diff = wait_text(d, "[data-testid=host-repo-diff]", "+2");
    assert!(diff.contains("-two"), "{diff}");
    d.step("host-repository");
    // Its files there: listed, one read.
    d.click("[data-testid=host-repo-browse]");
    let listed = wait_text(d, "[data-testid=host-files-list]", "notes.md");
    assert!(
        listed.contains("▸ .git") && listed.contains("a.txt"),
        "{listed}"
    );
    d.click("[data-testid=host-files-list] li:nth-child(2) [data-testid=host-file]");
    let text = wait_text(d, "[data-testid=host-file-text]", "one");
    // (The page's text comes back trimmed; the core test checks every byte.)
    assert_eq!(
        text,
        std::fs::read_to_string(shop.join("a.txt"))
            .unwrap()
            .trim_end()
    );
    d.step("host-files");

    // Docker on the host: the Services page pointed at its engine, the
    // same catalog; the service's port forwarded here, where it answers.
    dismiss_toasts(d);
    d.click("[data-testid=nav-services]");
    choose_value(d, "[data-testid=services-target]", "1");
    wait_text(
        d,
        "[data-testid=services-subtitle]",
        "in Docker on Build box",
    );
    d.find("[data-testid=services-empty]");
    d.click("[data-testid=install-redis]");
    wait_text(d, "[data-testid=service-state-redis]", "Running");
    let cell = wait_text(d, "[data-testid=service-port-redis]", "here :");
    let here = here_port(&cell);
    let connection = wait_text(
        d,
        "[data-testid=services-table] .connection",
        &format!("@127.0.0.1:{here}"),
    );
    let password = connection
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    assert!(redis_pong(here, &password));
    let container = format!("{prefix}-redis");
    let (there, _) = ai_desktop_core::testkit::docker::docker(&[
        "inspect",
        "-f",
        "{{.State.Running}}",
        &container,
    ]);
    assert!(there);
    wait_text(
        d,
        "[data-testid=service-logs]",
        "Ready to accept connections",
    );
    d.step("host-services-redis");
    // This computer's engine does not count it as its own.
    choose_value(d, "[data-testid=services-target]", "");
    wait_text(d, "[data-testid=services-subtitle]", "on 127.0.0.1 only");
    d.find("[data-testid=services-empty]");
    wait_text(d, "[data-testid=foreign]", &container);
    // Uninstalled there, with its data.
    choose_value(d, "[data-testid=services-target]", "1");
    d.click("[data-testid=service-uninstall-redis]");
    d.click("[data-testid=delete-data]");
    d.click("[data-testid=confirm-uninstall]");
    d.find("[data-testid=services-empty]");
    d.wait_until("the container gone there", || {
        (!ai_desktop_core::testkit::docker::docker(&["inspect", &container]).0).then_some(())
    });
    d.step("host-services-uninstalled");
    dismiss_toasts(d);
    d.click("[data-testid=nav-hosts]");

    // An app of the repository deployed there, under the host's own PM2
    // (its PM2_HOME in the app's folder there), reached here on a forward.
    let _pm2 = Pm2Home(remote_data.join("aidesktop/pm2"));
    std::fs::write(
        shop.join("server.js"),
        "require('http').createServer((q, r) => r.end('shop says ' + process.env.GREETING))\n\
         .listen(process.env.PORT, '127.0.0.1', () => console.log('shop listening'));\n",
    )
    .unwrap();
    let app_port = free_port();
    d.find("[data-testid=host-deployments-empty]");
    d.click("[data-testid=host-deploy-open] summary");
    d.type_into("[data-testid=host-deploy-name]", "web");
    d.type_into("[data-testid=host-deploy-command]", "node server.js");
    d.type_into("[data-testid=host-deploy-port]", &app_port.to_string());
    d.type_into("[data-testid=host-deploy-env]", "GREETING=hi");
    d.click("[data-testid=host-deploy-submit]");
    wait_text(d, "[data-testid=host-deployment-status-web]", "Online");
    assert!(remote_data.join("aidesktop/pm2/rpc.sock").exists());
    d.click("[data-testid=host-deployment-forward-web]");
    let cell = wait_text(d, "[data-testid=host-deployment-port-web]", "here :");
    let app_here = here_port(&cell);
    let get = |port: u16| -> Option<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        out.split_once("\r\n\r\n").map(|(_, b)| b.to_string())
    };
    assert_eq!(get(app_here).as_deref(), Some("shop says hi"));
    d.click("[data-testid=host-deployment-logs-web]");
    wait_text(d, "[data-testid=host-deployment-output]", "shop listening");
    // Followed: a restart's new line appears without asking again.
    d.click("[data-testid=host-deployment-output-follow]");
    d.click("[data-testid=host-deployment-restart-web]");
    d.wait_until("the restart's line in the followed output", || {
        let text = d.text(&d.find("[data-testid=host-deployment-output]"));
        (text.matches("shop listening").count() >= 2).then_some(())
    });
    d.step("host-deployment");
    dismiss_toasts(d);

    // A second app with a health check: asked through a forward of its
    // port here (opened by the check), its answer shown on its row.
    let api_port = free_port();
    d.type_into("[data-testid=host-deploy-name]", "api");
    d.type_into("[data-testid=host-deploy-port]", &api_port.to_string());
    d.type_into("[data-testid=host-deploy-env]", "GREETING=api");
    choose_value(d, "[data-testid=host-deploy-health-kind]", "http");
    d.type_into("[data-testid=host-deploy-health-path]", "/");
    d.type_into("[data-testid=host-deploy-health-interval]", "2");
    d.click("[data-testid=host-deploy-submit]");
    wait_text(d, "[data-testid=host-deployment-status-api]", "Online");
    wait_text(d, "[data-testid=host-deployment-health-api]", "healthy");
    let cell = wait_text(d, "[data-testid=host-deployment-port-api]", "here :");
    let api_here = here_port(&cell);
    assert_eq!(get(api_here).as_deref(), Some("shop says api"));
    d.step("host-deployment-health");
    dismiss_toasts(d);
    d.click("[data-testid=host-deployment-delete-api]");
    d.click("[data-testid=host-deployment-confirm-delete]");
    d.wait_until("the api app deleted there", || {
        d.try_find("[data-testid=host-deployment-api]")
            .is_none()
            .then_some(())
    });
    assert_eq!(get(api_port), None, "deleted from the host's PM2");

    d.click("[data-testid=host-deployment-stop-web]");
    wait_text(d, "[data-testid=host-deployment-status-web]", "Stopped");
    assert_eq!(get(app_port), None, "stopped by the host's PM2");

    // VS Code on the host: started there, reached through the app's
    // forward, its workbench on screen and connected (code-server there
    // logs the window's management connection).
    dismiss_toasts(d);
    d.click("[data-testid=host-editor-open-1]");
    let editor = "shop on Build box — VS Code";
    let editors_there = remote_data.join("aidesktop/editors");
    let connections = || {
        std::fs::read_dir(&editors_there)
            .map(|dirs| {
                dirs.flatten()
                    .map(|d| {
                        std::fs::read_to_string(d.path().join("code-server.log"))
                            .unwrap_or_default()
                            .matches("[ManagementConnection] New connection established.")
                            .count()
                    })
                    .sum()
            })
            .unwrap_or(0)
    };
    let window = d.wait_until("the VS Code window", || x_window(&display, editor));
    crate::vscode::workbench_shown(
        d,
        &display,
        editor,
        &connections,
        1,
        "host-editor-workbench",
    );
    let shown = wait_text(
        d,
        "[data-testid=host-editor-state-1]",
        "VS Code running there · :",
    );
    let port = shown.rsplit(':').next().unwrap().trim().to_string();
    // code-server there on its socket; the app's ssh forwarding to it.
    let there = format!("--socket {}", editors_there.display());
    let forward = format!("-L 127.0.0.1:{port}:{}", editors_there.display());
    assert_eq!(
        processes_mentioning(&there).len(),
        1,
        "one code-server there"
    );
    assert_eq!(processes_mentioning(&forward).len(), 1, "one forward");
    d.step("host-editor");

    // The app killed and started again: the editor there and its forward
    // are taken back; opening it again connects a new workbench.
    close_x_window(&display, &window);
    drop(launched);
    let mut launched = launch(&app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = shots.clone();
    d.step = 20;
    d.click("[data-testid=nav-hosts]");
    wait_text(
        d,
        "[data-testid=host-editor-state-1]",
        &format!("VS Code running there · :{port}"),
    );
    d.step("host-editor-adopted");
    // Opened by a link naming the host and the repository there; a link to
    // a host that is not added is refused with why.
    let second_launch = |url: &str| {
        Command::new(&app_bin)
            .arg(url)
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("AI_DESKTOP_DATA_DIR", &data)
            .env("HOME", &home)
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
    };
    dismiss_toasts(d);
    assert!(second_launch("aidesktop://open?host=Elsewhere&repo=shop").success());
    wait_text(d, ".toast", "which is not added");
    dismiss_toasts(d);
    assert!(second_launch("aidesktop://open?host=Build%20box&repo=shop").success());
    let window = d.wait_until("the VS Code window", || x_window(&display, editor));
    crate::vscode::workbench_shown(
        d,
        &display,
        editor,
        &connections,
        2,
        "host-editor-taken-back",
    );
    assert_eq!(
        processes_mentioning(&there).len(),
        1,
        "still one code-server there"
    );
    assert_eq!(processes_mentioning(&forward).len(), 1, "the same forward");
    d.step("host-editor-taken-back");
    close_x_window(&display, &window);
    // Stopped: nothing left there, and no forward here.
    dismiss_toasts(d);
    d.click("[data-testid=host-editor-stop-1]");
    wait_text(d, ".toast", "VS Code stopped on the host");
    wait_text(d, "[data-testid=host-editor-state-1]", "VS Code: Stopped");
    assert!(
        processes_mentioning(&there).is_empty(),
        "code-server left there"
    );
    // Nor any process it started (the workbench's extension host, whose
    // command line does not name the socket but whose environment does).
    let started_by_it: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let env = std::fs::read(e.path().join("environ")).ok()?;
            String::from_utf8_lossy(&env)
                .contains(&editors_there.display().to_string())
                .then_some(pid)
        })
        .collect();
    assert!(started_by_it.is_empty(), "left there: {started_by_it:?}");
    assert!(
        processes_mentioning(&forward).is_empty(),
        "the forward left"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).is_err(),
        "the forward is still open"
    );
    d.step("host-editor-stopped");
    dismiss_toasts(d);

    // The repository's whole stack in one click: its stopped app there,
    // then VS Code; and down again.
    d.click("[data-testid=host-stack-up-1]");
    wait_text(d, ".toast", "Started web and VS Code");
    wait_text(d, "[data-testid=host-deployment-status-web]", "Online");
    wait_text(
        d,
        "[data-testid=host-editor-state-1]",
        "VS Code running there",
    );
    let start = std::time::Instant::now();
    while get(app_port).as_deref() != Some("shop says hi") {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the app never answered"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    d.step("host-stack-up");
    dismiss_toasts(d);
    d.click("[data-testid=host-stack-down-1]");
    wait_text(d, ".toast", "Stopped web and VS Code");
    wait_text(d, "[data-testid=host-editor-state-1]", "VS Code: Stopped");
    // The stack opened its editor's window; it goes with the editor.
    d.wait_until("the VS Code window to go with its editor", || {
        x_window(&display, editor).is_none().then_some(())
    });
    wait_text(d, "[data-testid=host-deployment-status-web]", "Stopped");
    assert_eq!(get(app_port), None);
    assert!(
        processes_mentioning(&there).is_empty(),
        "code-server left there"
    );
    dismiss_toasts(d);
    d.click("[data-testid=host-deployment-delete-web]");
    d.click("[data-testid=host-deployment-confirm-delete]");
    d.find("[data-testid=host-deployments-empty]");
    std::fs::remove_file(shop.join("server.js")).unwrap();

    let known_line = sshd.known_hosts_line.clone();
    assert_eq!(
        std::fs::read_to_string(data.join("known_hosts")).unwrap(),
        format!("{known_line}\n")
    );
    assert!(
        !ssh.join("known_hosts").exists(),
        "the user's file untouched"
    );

    let checked = d.text(&d.find("[data-testid=host-checked]"));
    // The page shows the check's time to the second: the next one is later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    d.click("[data-testid=host-check]");
    wait_text(d, ".toast", "Build box checked");
    d.wait_until("a newer check on the page", || {
        let now = d.text(&d.find("[data-testid=host-checked]"));
        (now != checked).then_some(())
    });
    dismiss_toasts(d);

    // The host gone: marked unreachable with why, its last check kept.
    drop(sshd);
    d.click("[data-testid=host-check]");
    let toast = wait_text(d, ".toast", "could not be checked");
    // Nothing is missing here: the toast does not send the user to the Doctor.
    assert!(!toast.contains("Open Doctor"), "{toast}");
    wait_text(d, "[data-testid=host-unreachable]", "could not reach");
    d.find("[data-testid=host-tool-git]");
    d.step("host-unreachable");
    // Its Docker too: the Services page says it cannot be reached, and why.
    dismiss_toasts(d);
    d.click("[data-testid=nav-services]");
    choose_value(d, "[data-testid=services-target]", "1");
    let banner = wait_text(
        d,
        "[data-testid=docker-banner]",
        "Docker on Build box cannot be reached.",
    );
    assert!(banner.contains("could not reach"), "{banner}");
    d.step("host-services-unreachable");
    d.click("[data-testid=nav-hosts]");
    dismiss_toasts(d);

    d.click("[data-testid=host-delete]");
    d.click("[data-testid=host-delete-yes]");
    d.find("[data-testid=hosts-empty]");
    d.step("host-removed");
    assert_eq!(
        std::fs::read_to_string(data.join("known_hosts")).unwrap(),
        ""
    );

    // A host with only the system's tools: code-server is offered, and its
    // install refused (this Node is older than 22) with npm's words one
    // click away — still after the user went to another page and back.
    let bare = ai_desktop_core::testkit::sshd::Sshd::start_with(
        &root.join("sshd-bare"),
        ai_desktop_core::testkit::free_port(),
        &[
            ("PATH", "/usr/bin:/bin"),
            ("XDG_DATA_HOME", &remote_data.display().to_string()),
        ],
    );
    for (from, to) in [
        (bare.client_key.clone(), "id_bare"),
        (bare.client_key.with_extension("pub"), "id_bare.pub"),
    ] {
        std::fs::copy(&from, ssh.join(to)).unwrap();
    }
    std::fs::set_permissions(ssh.join("id_bare"), std::fs::Permissions::from_mode(0o600)).unwrap();
    d.click("[data-testid=host-add-open]");
    d.type_into(
        "[data-testid=host-destination]",
        &format!("{}@127.0.0.1", bare.user),
    );
    d.type_into("[data-testid=host-port]", &bare.port.to_string());
    choose(d, "[data-testid=host-key]", "~/.ssh/id_bare");
    d.type_into("[data-testid=host-name-input]", "Bare box");
    d.click("[data-testid=host-add-next]");
    wait_text(d, "[data-testid=host-add-next]", "Trust this key and add");
    d.click("[data-testid=host-add-next]");
    wait_text(d, "[data-testid=host-name]", "Bare box");
    d.click("[data-testid=host-install-code-server]");
    wait_text(d, ".toast-error", "code-server could not be installed");
    let node = stdout(Command::new("/usr/bin/node").arg("--version"));
    d.click("[data-testid=nav-services]");
    d.click("[data-testid=nav-hosts]");
    d.find("[data-testid=host-code-server-missing]");
    d.click("[data-testid=toast-details]");
    let detail = wait_text(d, "[data-testid=toast-detail]", &node);
    assert_eq!(detail.trim(), node);
    d.step("host-install-refused-details");
}

/// The port here a row's "here :PORT" names.
fn here_port(cell: &str) -> u16 {
    cell.rsplit("here :")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no port here in {cell:?}"))
}
