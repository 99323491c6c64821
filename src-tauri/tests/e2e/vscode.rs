//! The VS Code page: code-server instances, the editor window on screen and connected, deep links.

use crate::support::*;
use ai_desktop::testkit::*;
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Waits until code-server has logged `n` management connections (one per
/// workbench that connected) and the editor window's picture shows more
/// than one colour; saves the picture.
/// The X window titled `title`, which must be open.
fn window_id(display: &str, title: &str) -> String {
    x_window(display, title).expect("the window is open")
}

pub(crate) fn workbench_shown(
    d: &Driver,
    display: &str,
    title: &str,
    connections: &dyn Fn() -> usize,
    n: usize,
    shot: &str,
) {
    let start = Instant::now();
    loop {
        let count = connections();
        let spread = x_window(display, title)
            .map(|id| window_shot(display, &id, &d.shots.join(format!("{shot}.png"))))
            .unwrap_or(0.0);
        if count >= n && spread > 0.1 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the workbench never showed: {count} management connection(s) of {n}, picture spread {spread:.3} (see {shot}.png)"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn vscode_through_the_real_window_and_deep_links() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("vscode");
    let project = root.join("projects/shop");
    git_fixture(&project);
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop\",\"scripts\":{\"start\":\"node server.js\"}}\n",
    )
    .unwrap();
    register_before_start(&data, "shop", &project);
    let db = data.join("ai-desktop.sqlite3");
    let (bus, _bus) = session_bus();
    let env = [
        ("DBUS_SESSION_BUS_ADDRESS", bus.clone()),
        // code-server writes ~/.config/code-server/config.yaml: keep it here.
        ("HOME", home.display().to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-vscode]");
    let state = d.find("[data-testid=vscode-state-1]");
    assert!(d.text(&state).contains("Stopped"), "{}", d.text(&state));
    d.wait_until("the changes panel", || {
        let t = d.try_find("[data-testid=changes-title]")?;
        d.text(&t).contains("1 unstaged").then_some(())
    });
    d.step("vscode-stopped");
    // The app's own page runs with Object.prototype frozen (src-ui/freeze.js),
    // as Tauri's freezePrototype did before it froze every webview.
    let frozen = d.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return Object.isFrozen(Object.prototype);", "args": []})),
    );
    assert_eq!(frozen, json!(true));

    // Start from the UI; the row turns to "Running on :PORT".
    let clicked = Instant::now();
    d.click("[data-testid=vscode-start-1]");
    let long = Duration::from_secs(90);
    let start = Instant::now();
    let running = loop {
        let text = d.text(&d.find("[data-testid=vscode-state-1]"));
        if text.contains("Running on :") {
            break text;
        }
        assert!(start.elapsed() < long, "never running: {text}");
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!(
        "start click to running shown: {} ms ({running})",
        clicked.elapsed().as_millis()
    );
    let pid = recorded_instance(&db, 1).expect("the instance is recorded");
    d.wait_until("code-server's log lines", || {
        let view = d.try_find("[data-testid=log-view]")?;
        d.text(&view)
            .contains("HTTP server listening")
            .then_some(())
    });
    d.step("vscode-running");

    // The diff of the modified file, then a live update from the watcher.
    d.click("[data-testid=show-diff]");
    let diff = d.find("[data-testid=diff-view]");
    let diff_text = d.text(&diff);
    assert!(diff_text.contains("+{\"name\":\"shop\""), "{diff_text}");
    assert!(diff_text.contains("@@"), "{diff_text}");
    d.step("vscode-diff");
    std::fs::write(project.join("server.js"), "console.log('hi')\n").unwrap();
    d.wait_until("the new file in the changes", || {
        let t = d.try_find("[data-testid=changes-title]")?;
        d.text(&t).contains("1 untracked").then_some(())
    });

    // Stop from the UI: the whole process group goes.
    d.click("[data-testid=vscode-stop-1]");
    d.wait_until("stopped", || {
        let t = d.text(&d.find("[data-testid=vscode-state-1]"));
        t.contains("Stopped").then_some(())
    });
    assert!(!group_alive(pid), "code-server group {pid} outlived stop");
    assert_eq!(recorded_instance(&db, 1), None);
    d.step("vscode-stopped-again");

    // Deep links, delivered as the OS does: a second launch with the URL.
    let second_launch = |url: &str| {
        Command::new(&app_bin)
            .arg(url)
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("AI_DESKTOP_DATA_DIR", &data)
            .env("HOME", &home)
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
    };
    let toasts = |d: &Driver| -> usize {
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "return Array.from(document.querySelectorAll('.toast'))
                             .filter(t => t.textContent.includes('Link refused')).length;",
                "args": [],
            })),
        )
        .as_u64()
        .unwrap_or(0) as usize
    };
    let hostile = [
        "aidesktop://open?repo=../../etc".to_string(),
        "aidesktop://open?repo=--upload-pack=x".to_string(),
        "aidesktop://open?repo=%00".to_string(),
        "aidesktop://open?repo=1&repo=1".to_string(),
        format!("aidesktop://open?repo={}", "a".repeat(100 * 1024)),
    ];
    for (n, url) in hostile.iter().enumerate() {
        let status = second_launch(url).expect("second launch");
        assert!(status.success(), "the second instance did not hand over");
        d.wait_until("the refusal toast", || (toasts(d) > n.min(4)).then_some(()));
        assert_eq!(
            recorded_instance(&db, 1),
            None,
            "{:.60} started something",
            url
        );
    }
    d.step("deep-links-refused");
    // 500 kB cannot even be passed as one argument (Linux caps one at 128 kB).
    let huge = format!("aidesktop://open?repo={}", "a".repeat(500 * 1024));
    assert!(second_launch(&huge).is_err());
    assert_eq!(recorded_instance(&db, 1), None);

    // A good link starts the instance and opens it in its own window.
    let status = second_launch("aidesktop://open?repo=1").unwrap();
    assert!(status.success());
    let start = Instant::now();
    let pid = loop {
        if let Some(pid) = recorded_instance(&db, 1) {
            break pid;
        }
        assert!(start.elapsed() < long, "the deep link started nothing");
        std::thread::sleep(Duration::from_millis(200));
    };
    d.wait_until("running after the deep link", || {
        let t = d.text(&d.find("[data-testid=vscode-state-1]"));
        t.contains("Running on :").then_some(())
    });
    // The VS Code window opens (WebKitWebDriver cannot see windows the app
    // opens later, so X is asked) with the workbench on screen and connected:
    // code-server logs a management connection from it, and a picture of the
    // window is not one colour. (With Tauri's freezePrototype injected into
    // it, the window stayed white and never connected.)
    let editor = "shop — VS Code";
    let code_server_log = data.join("vscode/1/logs/stdout.log");
    let connections = || {
        std::fs::read_to_string(&code_server_log)
            .unwrap_or_default()
            .matches("[ManagementConnection] New connection established.")
            .count()
    };
    let window = d.wait_until("the VS Code window", || x_window(&display, editor));
    workbench_shown(d, &display, editor, &connections, 1, "deep-link-workbench");
    d.step("deep-link-opened");

    // Closed as a user closes it, then opened again from the VS Code page.
    close_x_window(&display, &window);
    d.wait_until("the VS Code window to close", || {
        x_window(&display, editor).is_none().then_some(())
    });
    d.click("[data-testid=vscode-open-1]");
    workbench_shown(d, &display, editor, &connections, 2, "reopened-workbench");
    // Open on a window that is already open brings it forward: no second one.
    d.click("[data-testid=vscode-open-1]");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(connections(), 2, "a second window connected");
    d.step("reopened");

    // From the keyboard: Ctrl+K, a few letters, Enter opens the editor.
    close_x_window(&display, &window_id(&display, editor));
    d.wait_until("the VS Code window to close again", || {
        x_window(&display, editor).is_none().then_some(())
    });
    d.press(&[keys::CONTROL, "k"]);
    d.find("[data-testid=palette-input]");
    assert!(
        d.focus_inside("[data-testid=palette]"),
        "the palette opened without the focus in it"
    );
    d.type_into("[data-testid=palette-input]", "open shop");
    let first = wait_text(d, "[data-testid=palette-item]", "Open shop in VS Code");
    assert!(first.contains("Repository"), "{first}");
    d.step("palette-open-shop");
    d.press(&[keys::ENTER]);
    d.wait_until("the palette to close", || {
        d.try_find("[data-testid=palette]").is_none().then_some(())
    });
    workbench_shown(d, &display, editor, &connections, 3, "palette-workbench");
    d.step("palette-opened-editor");

    // An outside MCP client asks the gateway to show a file at a line: the
    // open editor window loads the workbench with that file.
    let notes: String = (1..=80).map(|i| format!("note line {i}\n")).collect();
    std::fs::write(project.join("notes.txt"), notes).unwrap();
    let port = free_port();
    let token = d.async_script(
        "const [port, done] = [arguments[0], arguments[arguments.length - 1]];
         const invoke = window.__TAURI__.core.invoke;
         invoke('gateway_configure', {settings: {enabled: true, port, server_ids: [], profile: null, workshop: true}})
           .then(() => invoke('gateway_set_rule', {name: 'open_in_editor', rule: 'allow'}))
           .then(() => invoke('gateway_token', {}))
           .then(t => done(t), e => done('error: ' + JSON.stringify(e)));",
        json!([port]),
    );
    let token = token.as_str().unwrap().to_string();
    assert!(!token.starts_with("error"), "{token}");
    let (is_error, said) = ai_desktop_core::testkit::gateway_client::call_in_thread(
        &format!("http://127.0.0.1:{port}/mcp"),
        &token,
        "open_in_editor",
        json!({"repository": "shop", "path": "notes.txt", "line": 60}),
    )
    .join()
    .unwrap()
    .unwrap();
    assert!(!is_error, "{said}");
    assert!(said.contains("Opened notes.txt at line 60"), "{said}");
    workbench_shown(d, &display, editor, &connections, 4, "gateway-open-file");
    d.step("gateway-opened-file");

    // Stopped from the page with its window open: the window goes with the
    // run it was signed in to (a new run has a new password: left open, it
    // could only say the connection is lost). Opened again, a new window
    // signs in to the new run and connects.
    d.click("[data-testid=vscode-stop-1]");
    d.wait_until("the VS Code window to go with its instance", || {
        x_window(&display, editor).is_none().then_some(())
    });
    assert!(!group_alive(pid), "code-server group {pid} outlived stop");
    d.click("[data-testid=vscode-start-1]");
    wait_text(d, "[data-testid=vscode-state-1]", "Running on :");
    d.click("[data-testid=vscode-open-1]");
    workbench_shown(d, &display, editor, &connections, 1, "new-run-workbench");
    let pid = recorded_instance(&db, 1).expect("the new run recorded");
    d.step("new-run-opened");

    d.call("DELETE", "", None);
    // The app leaves instances running when it quits (by design); clean up.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .status();
}
