//! The Deployments page: apps under PM2.

use crate::support::*;
use ai_desktop::testkit::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[test]
fn deployments_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("deployments");
    let project = root.join("projects/shop");
    git_fixture(&project);
    std::fs::write(
        project.join("server.js"),
        "require('http').createServer((q, s) => s.end('shop is up\\n'))\
         .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('shop listening on ' + process.env.PORT));\n",
    )
    .unwrap();
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop\",\"scripts\":{\"start\":\"node server.js\"}}\n",
    )
    .unwrap();
    register_before_start(&data, "shop", &project);
    let pm2_home = Pm2Home(root.join("pm2"));
    let env = [
        ("HOME", home.display().to_string()),
        ("PM2_HOME", pm2_home.0.display().to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-deployments]");
    d.find("[data-testid=deploy-empty]");
    d.step("deploy-empty");

    d.click("[data-testid=deploy-add]");
    d.type_into("[data-testid=deploy-name-input]", "shop web");
    wait_text(
        d,
        "[data-testid=deploy-suggestion]",
        "package.json scripts.start",
    );
    d.step("deploy-dialog");
    d.click("[data-testid=deploy-submit]");
    wait_text(d, "[data-testid=deploy-name]", "shop web");
    wait_text(d, "[data-testid=deploy-status-1]", "Stopped");

    d.click("[data-testid=deploy-start-1]");
    // The first start also starts PM2's daemon: slow on a busy machine. The
    // row re-renders with every sample (every 2 s), so a click can land on a
    // button just replaced: while it still says Stopped with no start under
    // way, Start is clicked again (starting is idempotent). What the window
    // said goes into the failure.
    let online_by = Instant::now() + Duration::from_secs(90);
    let mut clicked_at = Instant::now();
    let mut seen_toasts = Vec::new();
    loop {
        let status = texts(d, "[data-testid=deploy-status-1]").join(" ");
        if status.contains("Online") {
            break;
        }
        for t in texts(d, ".toast") {
            if !seen_toasts.contains(&t) {
                seen_toasts.push(t);
            }
        }
        if Instant::now() > online_by {
            d.shot("timeout");
            panic!("the deployment never came online (status {status:?}; toasts {seen_toasts:?})");
        }
        let busy = d.try_find("[data-testid=deploy-table] .spinner").is_some();
        if status.contains("Stopped") && !busy && clicked_at.elapsed() > Duration::from_secs(5) {
            d.click("[data-testid=deploy-start-1]");
            clicked_at = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_text(d, "[data-testid=deploy-logs]", "shop listening on");
    // The app really serves on the deployment's port (the first free from 3000).
    let port: u16 = {
        let conn = rusqlite::Connection::open(data.join("ai-desktop.sqlite3")).unwrap();
        conn.query_row("SELECT port FROM deployments WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let mut body = String::new();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    s.read_to_string(&mut body).unwrap();
    assert!(body.ends_with("shop is up\n"), "{body}");
    // Metrics arrive from /proc within a few seconds.
    d.wait_until("memory in the row", || {
        texts(d, "[data-testid=deploy-row-1] td")
            .iter()
            .any(|t| t.ends_with(" MB"))
            .then_some(())
    });
    d.step("deploy-running");

    // Search within the loaded lines.
    d.type_into("[data-testid=deploy-log-search]", "no such line");
    d.wait_until("the filtered log", || {
        texts(d, "[data-testid=deploy-logs] .log-line")
            .is_empty()
            .then_some(())
    });
    d.type_into("[data-testid=deploy-log-search]", "listening");
    wait_text(
        d,
        "[data-testid=deploy-logs] .log-line",
        "shop listening on",
    );
    d.step("deploy-log-search");

    d.click("[data-testid=deploy-stop-1]");
    wait_text(d, "[data-testid=deploy-status-1]", "Stopped");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    d.step("deploy-stopped");
    d.call("DELETE", "", None);
}

fn http_get(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    body.split("\r\n\r\n").nth(1).map(str::to_string)
}

fn commit_all(dir: &std::path::Path, message: &str) -> String {
    use ai_desktop_core::testkit::git_cli::git;
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// The `data-state` of each step the stack dialog shows.
fn step_states(d: &Driver) -> Vec<String> {
    let v = d.script(
        "return [...document.querySelectorAll('[data-testid=stack-dialog] [data-testid=stack-step]')]\
         .map(e => e.getAttribute('data-state'));",
    );
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Serves `version` on / and 200 on /health.
fn server(version: &str) -> String {
    format!(
        "require('http').createServer((q, s) => {{ if (q.url === '/health') {{ s.statusCode = 200; return s.end('ok'); }} s.end('{version}\\n'); }})\
         .listen(Number(process.env.PORT), '127.0.0.1');\n"
    )
}

/// Build → deploy → health, a failed build leaving the old version up, a
/// redeploy of an earlier commit, and the repository's stack up and down
/// from its dialog and from a deep link.
#[test]
fn deploys_rollbacks_and_the_stack_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("deploys");
    let project = root.join("projects/shop");
    git_fixture(&project);
    std::fs::write(project.join("server.js"), server("v1")).unwrap();
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop\",\"scripts\":{\"start\":\"node server.js\"}}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("build.js"),
        "console.log('bundled 12 modules');\n",
    )
    .unwrap();
    let first = commit_all(&project, "first version");
    register_before_start(&data, "shop", &project);
    // The local domains proxy on a port of this test's own.
    let proxy_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    ai_desktop_core::store::Store::open_in(&data)
        .unwrap()
        .set_setting(
            ai_desktop_core::deployments::proxy::PORT_SETTING,
            Some(&proxy_port),
        )
        .unwrap();
    let pm2_home = Pm2Home(root.join("pm2"));
    let (bus, _bus) = session_bus();
    let env = [
        ("DBUS_SESSION_BUS_ADDRESS", bus.clone()),
        ("HOME", home.display().to_string()),
        ("PM2_HOME", pm2_home.0.display().to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = shots.clone();

    // A deployment with a build step and an HTTP health check.
    d.click("[data-testid=nav-deployments]");
    d.click("[data-testid=deploy-add]");
    d.type_into("[data-testid=deploy-name-input]", "shop web");
    wait_text(d, "[data-testid=deploy-build-suggestion]", "npm install");
    d.type_into("[data-testid=deploy-build]", "node build.js");
    d.type_into("[data-testid=deploy-domain]", "shop.localhost");
    d.script(
        "const s = document.querySelector('[data-testid=deploy-health-kind]'); \
         s.value = 'http'; s.dispatchEvent(new Event('change'));",
    );
    d.type_into("[data-testid=deploy-health-path]", "/health");
    d.type_into("[data-testid=deploy-health-interval]", "2");
    d.step("deploy-form-build-health");
    d.click("[data-testid=deploy-submit]");
    wait_text(d, "[data-testid=deploy-status-1]", "Stopped");
    let port: u16 = {
        let conn = rusqlite::Connection::open(data.join("ai-desktop.sqlite3")).unwrap();
        conn.query_row("SELECT port FROM deployments WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap()
    };

    d.click("[data-testid=deploy-row-1] [data-testid=deploy-name]");
    wait_text(d, "[data-testid=deploy-history-empty]", "No deploys yet");
    d.click("[data-testid=deploy-deploy-1]");
    wait_text(d, "[data-testid=deploy-status-1]", "Online");
    wait_text(d, "[data-testid=deploy-health-1]", "healthy");
    wait_text(d, "[data-testid=deploy-run-0]", "online");
    wait_text(d, "[data-testid=deploy-logs]", "[build] bundled 12 modules");
    assert_eq!(http_get(port).as_deref(), Some("v1\n"));
    // Its local domain, served by the app's proxy.
    wait_text(
        d,
        "[data-testid=deploy-url-1]",
        &format!("shop.localhost:{proxy_port}"),
    );
    let through_proxy = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", proxy_port)).unwrap();
        s.write_all(
            format!(
                "GET / HTTP/1.1\r\nHost: shop.localhost:{proxy_port}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    assert!(through_proxy.ends_with("v1\n"), "{through_proxy}");
    d.step("deploy-built-healthy");

    // A second version, deployed; then the first again from its run.
    std::fs::write(project.join("server.js"), server("v2")).unwrap();
    commit_all(&project, "second version");
    d.click("[data-testid=deploy-deploy-1]");
    wait_text(d, "[data-testid=deploy-run-0]", "second version");
    d.wait_until("v2 served", || {
        (http_get(port).as_deref() == Some("v2\n")).then_some(())
    });
    d.click("[data-testid=deploy-redeploy-1]");
    wait_text(
        d,
        "[data-testid=deploy-row-1]",
        &format!("@ {}", &first[..8]),
    );
    wait_text(d, "[data-testid=deploy-run-0]", "first version");
    wait_text(
        d,
        "[data-testid=deploy-run-0] [data-testid=deploy-run-outcome]",
        "online",
    );
    assert_eq!(
        http_get(port).as_deref(),
        Some("v1\n"),
        "the rollback serves v1"
    );
    assert!(
        std::fs::read_to_string(project.join("server.js"))
            .unwrap()
            .contains("v2"),
        "the working tree is untouched"
    );
    d.step("deploy-rolled-back");

    // A build that fails: an error toast, the run says why, v1 serves on.
    std::fs::write(
        project.join("build.js"),
        "console.error('SyntaxError: Unexpected token'); process.exit(1);\n",
    )
    .unwrap();
    d.click("[data-testid=deploy-deploy-1]");
    wait_text(
        d,
        "[data-testid=deploy-run-0] [data-testid=deploy-run-outcome]",
        "build failed",
    );
    wait_text(
        d,
        "[data-testid=deploy-run-0] [data-testid=deploy-run-message]",
        "SyntaxError",
    );
    wait_text(d, ".toast", "Deploy");
    assert_eq!(
        http_get(port).as_deref(),
        Some("v1\n"),
        "what ran keeps running"
    );
    d.step("deploy-build-failed");

    // The stack: the deployment (running) and the editor, up and down.
    std::fs::write(project.join("build.js"), "console.log('ok');\n").unwrap();
    d.click("[data-testid=nav-repositories]");
    d.click("[data-testid=repo-stack]");
    wait_text(d, "[data-testid=stack-steps]", "shop web");
    wait_text(d, "[data-testid=stack-steps]", "VS Code");
    wait_text(
        d,
        "[data-testid=stack-link]",
        "aidesktop://stack?repo=shop&action=up",
    );
    d.click("[data-testid=stack-down]");
    d.wait_until("every step down", || {
        let states = step_states(d);
        (states.len() == 2 && states.iter().all(|s| s == "done" || s == "skipped")).then_some(())
    });
    d.wait_until("the port closed", || http_get(port).is_none().then_some(()));
    d.step("stack-down");
    d.click("[data-testid=stack-up]");
    d.wait_until("every step up", || {
        let states = step_states(d);
        (states.len() == 2 && states.iter().all(|s| s == "done")).then_some(())
    });
    assert_eq!(http_get(port).as_deref(), Some("v1\n"));
    let editor = recorded_instance(&data.join("ai-desktop.sqlite3"), 1);
    assert!(
        editor.is_some(),
        "the stack started the repository's code-server"
    );
    d.step("stack-up");
    d.click("[data-testid=stack-dialog] .dialog-footer .button");

    // A deep link takes it down again; the card shows it going.
    let status = std::process::Command::new(&app_bin)
        .arg("aidesktop://stack?repo=shop&action=down")
        .env("DISPLAY", &display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .env("AI_DESKTOP_DATA_DIR", &data)
        .env("HOME", &home)
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the second instance did not hand over");
    wait_text(d, "[data-testid=stack-card]", "the stack of shop");
    d.wait_until("the link's down", || http_get(port).is_none().then_some(()));
    d.wait_until("the editor stopped", || {
        recorded_instance(&data.join("ai-desktop.sqlite3"), 1)
            .is_none()
            .then_some(())
    });
    d.step("stack-down-by-link");

    // The repository's timeline: its commits (from the reflog), the build's
    // output and the deploys (from PM2's dated log and the history), the
    // stack runs — in one list; then filtered.
    d.click("[data-testid=repo-timeline]");
    for line in [
        "commit: first version",
        "[build] bundled 12 modules",
        "the build failed",
        "Stack down: 2 steps",
    ] {
        wait_text(d, "[data-testid=timeline-list]", line);
    }
    let sources = |d: &Driver| -> Vec<String> {
        d.script(
            "return [...document.querySelectorAll('[data-testid=timeline-entry]')]\
             .map(e => e.getAttribute('data-source') + (e.classList.contains('error') ? '!' : ''));",
        )
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
    };
    let all = sources(d);
    for source in ["git", "deployment", "stack"] {
        assert!(
            all.iter().any(|s| s.trim_end_matches('!') == source),
            "{all:?}"
        );
    }
    d.step("timeline");
    d.click("[data-testid=timeline-errors]");
    wait_text(
        d,
        "[data-testid=timeline-list]",
        "SyntaxError: Unexpected token",
    );
    d.wait_until("only errors listed", || {
        let now = sources(d);
        (!now.is_empty() && now.iter().all(|s| s.ends_with('!'))).then_some(())
    });
    d.step("timeline-errors-only");
    d.click("[data-testid=timeline-errors]");
    d.click("[data-testid=timeline-source-git]");
    d.type_into("[data-testid=timeline-search]", "first version");
    d.wait_until("the one git line that matches", || {
        (sources(d) == ["git"]).then_some(())
    });
    wait_text(d, "[data-testid=timeline-list]", "commit: first version");
    d.step("timeline-git-search");
    d.type_into("[data-testid=timeline-search]", "no line says this");
    wait_text(d, "[data-testid=timeline-empty]", "No line matches");
    d.click("[data-testid=timeline-dialog] .dialog-footer .button.primary");

    // Deploy new commits of main: a commit made outside the app is built
    // and served without a click.
    d.click("[data-testid=nav-deployments]");
    d.click("[data-testid=deploy-edit-1]");
    d.wait_until("the branches in the form", || {
        (d.script(
            "return [...document.querySelectorAll('[data-testid=deploy-auto-branch] option')].map(o => o.value).includes('main');",
        ) == serde_json::json!(true))
        .then_some(())
    });
    d.script(
        "const s = document.querySelector('[data-testid=deploy-auto-branch]'); \
         s.value = 'main'; s.dispatchEvent(new Event('change'));",
    );
    d.step("deploy-auto-branch-form");
    d.click("[data-testid=deploy-submit]");
    wait_text(d, "[data-testid=deploy-auto-1]", "main");
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(project.join("server.js"), server("v3")).unwrap();
    let third = commit_all(&project, "third version");
    d.wait_until("v3 served without a click", || {
        (http_get(port).as_deref() == Some("v3\n")).then_some(())
    });
    d.click("[data-testid=deploy-row-1] [data-testid=deploy-name]");
    wait_text(d, "[data-testid=deploy-run-0]", &third[..7]);
    wait_text(
        d,
        "[data-testid=deploy-run-0] [data-testid=deploy-run-outcome]",
        "online",
    );
    d.step("deploy-auto-deployed");
    d.call("DELETE", "", None);
}

/// Crash → fix: a deployment that crashes, *Ask the agent* on it, the
/// agent's fix (scripted at the loopback provider) approved as a diff, and
/// the app serving after a start.
#[test]
fn a_crash_is_fixed_by_the_agent_through_the_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("crash-fix");
    let project = root.join("projects/shop");
    git_fixture(&project);
    let broken = "const port = Number(process.env.PROT);\n\
                  if (!port) { console.error('fatal: no port to listen on'); process.exit(3); }\n\
                  require('http').createServer((q, s) => s.end('shop is up\\n')).listen(port, '127.0.0.1');\n";
    std::fs::write(project.join("server.js"), broken).unwrap();
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop\",\"scripts\":{\"start\":\"node server.js\"}}\n",
    )
    .unwrap();
    register_before_start(&data, "shop", &project);
    let provider = ai_desktop_core::testkit::llm::Provider::start(None);
    let fix = serde_json::json!({"path": "server.js", "old_text": "process.env.PROT", "new_text": "process.env.PORT"});
    provider.push(ai_desktop_core::testkit::llm::tool_call(
        "call_fix",
        "repository__edit_file",
        &[&fix.to_string()],
    ));
    provider.push(ai_desktop_core::testkit::llm::text(&[
        "The app read PROT instead of PORT; fixed.",
    ]));
    let pm2_home = Pm2Home(root.join("pm2"));
    // The user's git identity, for the commit at the end.
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n",
    )
    .unwrap();
    let env = [
        ("HOME", home.display().to_string()),
        ("PM2_HOME", pm2_home.0.display().to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = shots.clone();

    // The provider, as a user sets it up.
    set_up_provider(d, None, &provider.url, None);

    // The deployment crashes at start.
    d.click("[data-testid=nav-deployments]");
    d.click("[data-testid=deploy-add]");
    d.type_into("[data-testid=deploy-name-input]", "shop web");
    d.click("[data-testid=deploy-submit]");
    wait_text(d, "[data-testid=deploy-status-1]", "Stopped");
    d.click("[data-testid=deploy-start-1]");
    let errored_by = Instant::now() + Duration::from_secs(90);
    while !texts(d, "[data-testid=deploy-status-1]")
        .join(" ")
        .contains("Errored")
    {
        assert!(Instant::now() < errored_by, "the deployment never errored");
        std::thread::sleep(Duration::from_millis(200));
    }
    d.click("[data-testid=deploy-row-1] [data-testid=deploy-name]");
    wait_text(
        d,
        "[data-testid=deploy-error]",
        "fatal: no port to listen on",
    );
    d.step("crash-errored");

    // Ask the agent: the Flow page, on a session in the repository that
    // was told the error and the environment's names.
    d.click("[data-testid=deploy-ask-agent]");
    wait_text(d, "[data-testid=flow-title]", "Fix shop web (shop)");
    wait_text(d, "[data-testid=flow-repository-chip]", "in shop");
    let asked = wait_text(
        d,
        "[data-testid=flow-message-user]",
        "fatal: no port to listen on",
    );
    assert!(
        asked.contains("\"shop web\" of the repository \"shop\" crashed"),
        "{asked}"
    );
    assert!(asked.contains("Find the cause"), "{asked}");
    // The fix arrives as a diff; nothing is written before it is approved.
    let diff = wait_text(d, "[data-testid=flow-tool-diff]", "server.js");
    assert!(
        diff.contains("+const port = Number(process.env.PORT);"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("server.js")).unwrap(),
        broken
    );
    d.step("crash-fix-diff");
    d.click("[data-testid=flow-approve]");
    wait_text(d, "[data-testid=flow-answer]", "fixed");
    assert_eq!(
        std::fs::read_to_string(project.join("server.js")).unwrap(),
        broken.replace("process.env.PROT", "process.env.PORT")
    );
    d.step("crash-fixed");
    // The fix opens in the repository's VS Code: its window shows up with
    // the workbench drawn.
    d.click("[data-testid=flow-open-change]");
    let opened_by = Instant::now() + Duration::from_secs(90);
    let editor = loop {
        if let Some(id) = x_window(&display, "shop — VS Code") {
            if window_shot(&display, &id, &shots.join("crash-fix-editor.png")) > 0.1 {
                break id;
            }
        }
        assert!(
            Instant::now() < opened_by,
            "the repository's VS Code never showed (see crash-fix-editor.png)"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(!editor.is_empty());

    // Started again, it serves.
    d.click("[data-testid=nav-deployments]");
    d.click("[data-testid=deploy-start-1]");
    let port: u16 = {
        let conn = rusqlite::Connection::open(data.join("ai-desktop.sqlite3")).unwrap();
        conn.query_row("SELECT port FROM deployments WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let serving_by = Instant::now() + Duration::from_secs(60);
    loop {
        if http_get(port).is_some_and(|b| b.ends_with("shop is up\n")) {
            break;
        }
        assert!(Instant::now() < serving_by, "the fixed app never served");
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_text(d, "[data-testid=deploy-status-1]", "Online");
    d.step("crash-serving");
    assert_eq!(provider.unused_replies(), 0);

    // And committed from the Git page.
    d.click("[data-testid=nav-git]");
    d.click("[data-testid=git-toggle-server\\.js]");
    wait_text(d, "[data-testid=git-toggle-server\\.js]", "Unstage");
    d.type_into("[data-testid=git-message]", "Read PORT, not PROT");
    d.click("[data-testid=git-commit]");
    wait_text(d, "[data-testid=git-log]", "Read PORT, not PROT");
    d.step("crash-fix-committed");
    let git = |args: &[&str]| ai_desktop_core::testkit::git_cli::git(&project, args);
    assert_eq!(
        git(&["log", "-1", "--format=%an|%s"]),
        "Ada Lovelace|Read PORT, not PROT"
    );
    assert!(git(&["show", "HEAD:server.js"]).contains("Number(process.env.PORT)"));
    d.call("DELETE", "", None);
    // The app leaves code-server running when it quits (by design); clean up.
    if let Some(pid) = recorded_instance(&data.join("ai-desktop.sqlite3"), 1) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .status();
    }
}
