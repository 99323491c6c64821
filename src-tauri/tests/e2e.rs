//! End-to-end: the real app binary in a real window under Xvfb, driven
//! through WebDriver (tauri-driver in front of WebKitWebDriver). Each step
//! saves a screenshot under `target/e2e-shots/`.
//!
//! Built only with `--features e2e,custom-protocol` (`.ci/test` does this
//! after building the UI with trunk); it needs `tauri-driver`,
//! `WebKitWebDriver` and `Xvfb`, and fails loudly when one is missing.

#[path = "support/git_cli.rs"]
mod git_cli;
#[path = "support/window.rs"]
mod window;

use window::*;

use serde_json::json;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn db_rows(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, path FROM repositories ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn git_fixture(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let repo =
        git2::Repository::init_opts(dir, git2::RepositoryInitOptions::new().initial_head("main"))
            .unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"shop-api","scripts":{"start":"node ."}}"#,
    )
    .unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("package.json")).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("E2E", "e2e@example.com").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
        .unwrap();
    repo.remote("origin", "git@example.com:team/shop-api.git")
        .unwrap();
}

/// The end-to-end tests share X displays and ports: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn repositories_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    // `_tmp` is bound so that the folder lives until the test ends.
    let Scene {
        shots,
        root,
        data,
        _tmp,
        ..
    } = scene("repositories");
    let project = root.join("projects/shop-api");
    let second = root.join("projects/docs-site");
    git_fixture(&project);
    std::fs::create_dir_all(&second).unwrap();
    std::fs::write(second.join("index.html"), "<h1>docs</h1>").unwrap();

    let mut app = launch(&app, &data, &[]);
    let d = &mut app.driver;
    d.shots = shots.clone();
    let db = data.join("ai-desktop.sqlite3");

    // First start: the empty state.
    d.find("[data-testid=repos-empty]");
    d.step("empty");

    // Add through the dialog; the folder is typed (the native picker is not
    // reachable through WebDriver). Leaving the field fills name and type.
    d.click("[data-testid=add-repo]");
    d.type_into("[data-testid=repo-path]", project.to_str().unwrap());
    d.click("[data-testid=repo-name-input]");
    let hint = d.find("[data-testid=repo-inspection]");
    let hint_text = d.text(&hint);
    assert!(
        hint_text.contains("Node.js") && hint_text.contains("main"),
        "{hint_text}"
    );
    let name_input = d.find("[data-testid=repo-name-input]");
    let suggested = d.call(
        "GET",
        &format!("/element/{name_input}/property/value"),
        None,
    );
    assert_eq!(suggested, json!("shop-api"));
    d.step("add-dialog");
    d.click("[data-testid=repo-submit]");
    d.wait_rows(&["shop-api"]);
    d.step("added");
    assert_eq!(
        db_rows(&db),
        vec![("shop-api".to_string(), project.display().to_string())]
    );

    // Bad input: an error in the dialog, nothing stored.
    d.click("[data-testid=add-repo]");
    d.type_into("[data-testid=repo-path]", "relative/folder");
    d.type_into("[data-testid=repo-name-input]", "nope");
    d.click("[data-testid=repo-submit]");
    let err = d.find("[data-testid=form-error]");
    assert!(d.text(&err).contains("relative"), "{}", d.text(&err));
    d.type_into("[data-testid=repo-path]", project.to_str().unwrap());
    d.click("[data-testid=repo-submit]");
    d.wait_until("the duplicate-path error", || {
        let e = d.try_find("[data-testid=form-error]")?;
        d.text(&e).contains("already registered").then_some(())
    });
    d.step("duplicate-error");
    d.click("[data-testid=repo-dialog] .dialog-footer .button:not(.primary)");
    assert_eq!(db_rows(&db).len(), 1);

    // Rename through the edit dialog, and ask for the type to be detected
    // again after the project turned from Node into Rust.
    std::fs::remove_file(project.join("package.json")).unwrap();
    std::fs::write(
        project.join("Cargo.toml"),
        "[package]\nname = \"shop-api\"\n",
    )
    .unwrap();
    d.click("[data-testid=edit-repo]");
    d.type_into("[data-testid=repo-name-input]", "shop-api (renamed)");
    d.click("[data-testid=repo-kind] option[value='']");
    d.step("edit-dialog");
    d.click("[data-testid=repo-submit]");
    d.wait_rows(&["shop-api (renamed)"]);
    d.step("renamed");
    assert_eq!(db_rows(&db)[0].0, "shop-api (renamed)");
    let kind: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT type FROM repositories", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "rust");

    // Another writer (here: a direct IPC call, as a second window would make)
    // adds a repository; the table shows it from the event, without reload.
    let created = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('repos_create', {input: {name: 'docs-site', path: arguments[0]}})
           .then(r => done(r.name), e => done('error: ' + JSON.stringify(e)));",
        json!([second.to_str().unwrap()]),
    );
    assert_eq!(created, json!("docs-site"));
    d.wait_rows(&["docs-site", "shop-api (renamed)"]);
    d.step("live-update");

    // The webview may call only what the capability grants.
    let refused = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('plugin:window|set_title', {label: 'main', value: 'pwned'})
           .then(() => done('allowed'), e => done(String(e)));",
        json!([]),
    );
    let refused = refused.as_str().unwrap_or_default().to_string();
    assert!(
        refused.contains("not allowed"),
        "set_title was not refused: {refused}"
    );

    // The CSP: inline event handlers do not run, and the page cannot reach
    // other origins (here a listener of ours on loopback).
    let outside = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let outside_url = format!("http://127.0.0.1:{}/", outside.local_addr().unwrap().port());
    let csp = d.async_script(
        "const done = arguments[arguments.length - 1];
         const div = document.createElement('div');
         div.innerHTML = '<img src=\"data:,\" onerror=\"window.__pwned = 1\">';
         document.body.appendChild(div);
         setTimeout(() => {
           fetch(arguments[0]).then(() => done('fetched ' + window.__pwned),
                                    () => done('blocked ' + window.__pwned));
         }, 300);",
        json!([outside_url]),
    );
    assert_eq!(
        csp,
        json!("blocked undefined"),
        "the CSP let something through"
    );

    // Delete with confirmation; the folder stays.
    let renamed_id: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT id FROM repositories WHERE name = 'shop-api (renamed)'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    d.click(&format!(
        "[data-repo-id='{renamed_id}'] [data-testid=delete-repo]"
    ));
    d.find("[data-testid=delete-dialog]");
    d.step("delete-confirm");
    d.click("[data-testid=confirm-delete]");
    d.wait_rows(&["docs-site"]);
    d.step("deleted");
    assert_eq!(
        db_rows(&db),
        vec![("docs-site".to_string(), second.display().to_string())]
    );
    assert!(
        project.join("Cargo.toml").exists(),
        "delete touched the folder"
    );

    // Settings says where data lives.
    d.click("[data-testid=nav-settings]");
    let dir = d.find("[data-testid=data-dir]");
    assert_eq!(d.text(&dir), data.display().to_string());
    d.step("settings");

    d.call("DELETE", "", None);
}

/// A private D-Bus session bus: single-instance forwarding (a second launch
/// handing its deep link to the running app) goes through it on Linux.
fn session_bus() -> (String, Kill) {
    use std::io::BufRead;
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("dbus-daemon is not installed (apt-get install dbus); run .ci/test");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("unix:"), "no bus address: {line:?}");
    (line.trim().to_string(), Kill(child))
}

/// Waits until code-server has logged `n` management connections (one per
/// workbench that connected) and the editor window's picture shows more
/// than one colour; saves the picture.
fn workbench_shown(
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

fn recorded_instance(db: &Path, repo: i64) -> Option<u32> {
    let conn = rusqlite::Connection::open(db).ok()?;
    conn.query_row(
        "SELECT pid FROM supervised_processes WHERE kind = 'code-server' AND owner_id = ?1",
        [repo],
        |r| r.get(0),
    )
    .ok()
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

    d.call("DELETE", "", None);
    // The app leaves instances running when it quits (by design); clean up.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .status();
}

#[test]
fn mcp_hub_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        data,
        home,
        _tmp,
        ..
    } = scene("mcp");
    let db = data.join("ai-desktop.sqlite3");
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-mcp]");
    d.find("[data-testid=mcp-empty]");
    d.step("mcp-empty");

    // Add server-everything through the dialog (from the npm registry,
    // installed by .ci/setup and on the test's PATH, which the app inherits).
    d.click("[data-testid=mcp-add]");
    d.type_into("[data-testid=mcp-name]", "everything");
    d.type_into("[data-testid=mcp-command]", "mcp-server-everything");
    // An environment variable: typed whole (the row keeps its focus), shown masked.
    d.click("[data-testid=mcp-env] .toolbar .button");
    d.type_into(
        "[data-testid=mcp-env] .input-row input:nth-of-type(1)",
        "E2E_TOKEN",
    );
    d.type_into(
        "[data-testid=mcp-env] .input-row input:nth-of-type(2)",
        "hunter2-e2e",
    );
    let masked = d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "return document.querySelector('[data-testid=mcp-env] .input-row input:nth-of-type(2)').type;",
            "args": [],
        })),
    );
    assert_eq!(masked, json!("password"));
    d.step("mcp-add-dialog");
    d.click("[data-testid=mcp-submit]");
    wait_text(d, "[data-testid=mcp-state]", "Stopped");

    let env: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT env FROM mcp_servers WHERE name = 'everything'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(env, r#"{"E2E_TOKEN":"hunter2-e2e"}"#, "stored as typed");
    // The value never came back to the page: the list and the events carry
    // it masked. Edit shows it only when asked (one reveal per value).
    let page_has = |d: &Driver, needle: &str| {
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "return document.documentElement.outerHTML.includes(arguments[0])
                             || Array.from(document.querySelectorAll('input')).some(i => i.value.includes(arguments[0]));",
                "args": [needle],
            })),
        ) == json!(true)
    };
    assert!(!page_has(d, "hunter2-e2e"), "the secret is in the page");
    d.click("[data-testid=mcp-edit]");
    d.find("[data-testid=mcp-env]");
    assert!(
        !page_has(d, "hunter2-e2e"),
        "the edit form holds the secret unasked"
    );
    d.click("[data-testid=mcp-env-reveal]");
    d.wait_until("the revealed value", || {
        page_has(d, "hunter2-e2e").then_some(())
    });
    d.step("mcp-env-revealed");
    d.click("[data-testid=mcp-dialog] .dialog-footer .button:not(.primary)");

    d.click("[data-testid=mcp-detail-start]");
    let state = wait_text(d, "[data-testid=mcp-state]", "Running");
    let pid: u32 = state
        .rsplit("pid ")
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no pid in {state:?}"));
    wait_text(d, "[data-testid=mcp-info]", "protocol");
    d.find("[data-testid=tool-echo]");
    d.step("mcp-running-tools");

    // Call echo through the form generated from its schema.
    d.click("[data-testid=tool-echo]");
    d.type_into("[data-testid=arg-message]", "hello from the window");
    d.click("[data-testid=call-tool]");
    wait_text(
        d,
        "[data-testid=call-result]",
        "Echo: hello from the window",
    );
    d.step("mcp-echo-result");

    // Arguments that break the schema are refused before anything is sent.
    d.click("[data-testid=tool-get-sum]");
    d.type_into("[data-testid=arg-a]", "two");
    d.type_into("[data-testid=arg-b]", "3");
    d.click("[data-testid=call-tool]");
    let refused = wait_text(d, "[data-testid=call-refused]", "nothing was sent");
    assert!(refused.contains("/a"), "{refused}");
    d.step("mcp-schema-refused");

    d.click("[data-testid=tab-logs]");
    wait_text(
        d,
        "[data-testid=log-view]",
        "Starting default (STDIO) server",
    );
    d.step("mcp-logs");
    d.click("[data-testid=tab-history]");
    wait_text(d, "[data-testid=history-list]", "echo");
    d.step("mcp-history");
    let calls: Vec<String> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare("SELECT tool FROM mcp_calls ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(calls, ["echo"], "only the call that was made is recorded");

    d.click("[data-testid=mcp-detail-stop]");
    wait_text(d, "[data-testid=mcp-state]", "Stopped");
    assert!(
        !group_alive(pid),
        "the server's process group outlived its stop"
    );

    // Import: the good entry lands, the malformed one is reported.
    dismiss_toasts(d);
    d.click("[data-testid=mcp-import]");
    d.type_into(
        "[data-testid=import-text]",
        r#"{"mcpServers": {"files": {"command": "mcp-server-filesystem", "args": ["/tmp"]}, "broken": {"command": "npx", "args": "-y x"}}}"#,
    );
    d.click("[data-testid=import-submit]");
    let report = wait_text(d, "[data-testid=import-report]", "1 imported");
    assert!(
        report.contains("1 refused") && report.contains("broken"),
        "{report}"
    );
    d.step("mcp-import-report");
    d.click("[data-testid=mcp-import-dialog] .dialog-footer .button:not(.primary)");

    // A server that cannot start is marked failed, with the reason on the page.
    dismiss_toasts(d);
    d.click("[data-testid=mcp-add]");
    d.type_into("[data-testid=mcp-name]", "missing");
    d.type_into("[data-testid=mcp-command]", "no-such-mcp-server");
    d.click("[data-testid=mcp-submit]");
    wait_text(d, "[data-testid=mcp-detail] .detail-name", "missing");
    d.click("[data-testid=mcp-detail-start]");
    wait_text(d, "[data-testid=mcp-error]", "was not found on PATH");
    wait_text(d, "[data-testid=mcp-state]", "Failed");
    d.step("mcp-failed");

    // Audio a tool returns plays: the <audio> loads (the page's CSP had no
    // media-src, so the data: URL was blocked and it never did).
    let created = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_create', {input: {name: 'media', command: 'node', args: [arguments[0]]}})
           .then(r => done(r.id), e => done('error: ' + JSON.stringify(e)));",
        json!([concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/media_mcp.js")]),
    );
    let media = created.as_i64().unwrap_or_else(|| panic!("{created}"));
    d.click(&format!("[data-testid=mcp-server-{media}]"));
    d.click("[data-testid=mcp-detail-start]");
    wait_text(d, "[data-testid=mcp-state]", "Running");
    d.click("[data-testid=tab-tools]");
    d.click("[data-testid=tool-chime]");
    d.click("[data-testid=call-tool]");
    d.wait_until("the tool's audio to load", || {
        let state = d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "const a = document.querySelector('[data-testid=call-result] audio');
                           return a ? [a.readyState, a.duration, a.error ? a.error.code : 0] : null;",
                "args": [],
            })),
        );
        let ready = state[0].as_u64().unwrap_or(0);
        let duration = state[1].as_f64().unwrap_or(0.0);
        assert_eq!(state[2].as_u64().unwrap_or(0), 0, "the audio failed to load: {state}");
        (ready >= 1 && (duration - 0.2).abs() < 0.05).then_some(())
    });
    d.step("mcp-audio");
    d.call("DELETE", "", None);
}

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

#[path = "support/docker.rs"]
mod docker_support;

#[test]
fn services_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    docker_support::redis_image();
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        data,
        home,
        _tmp,
        ..
    } = scene("services");
    let prefix = format!("aide2e{}", std::process::id());
    let _cleanup = docker_support::Cleanup(prefix.clone());
    let env = [
        ("HOME", home.display().to_string()),
        ("AI_DESKTOP_SERVICES_PREFIX", prefix.clone()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-services]");
    d.find("[data-testid=catalog-redis]");
    d.find("[data-testid=services-empty]");
    d.step("services-catalog");

    d.click("[data-testid=install-redis]");
    wait_text(d, "[data-testid=service-state-redis]", "Running");
    wait_text(d, "[data-testid=services-table]", "redis://:");
    wait_text(
        d,
        "[data-testid=service-logs]",
        "Ready to accept connections",
    );
    d.step("services-redis-running");
    let (running, _) = docker_support::docker(&["inspect", &format!("{prefix}-redis")]);
    assert!(running, "the container exists");
    // What the page shows works: the connection string reaches Redis, and
    // only with its password.
    let shown = texts(d, "[data-testid=services-table] td")
        .into_iter()
        .find(|t| t.starts_with("redis://:"))
        .expect("a connection string in the table");
    let (password, address) = shown
        .trim_start_matches("redis://:")
        .split_once('@')
        .expect("redis://:PASSWORD@HOST:PORT");
    let port: String = address
        .rsplit(':')
        .next()
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let address = format!("127.0.0.1:{port}");
    let ask = |commands: &str| -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&address).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(commands.as_bytes()).unwrap();
        let mut buf = [0u8; 256];
        let mut out = String::new();
        while out.matches("\r\n").count() < commands.matches("\r\n").count() / 2 {
            let n = s.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        out
    };
    assert!(ask("*1\r\n$4\r\nPING\r\n").starts_with("-NOAUTH"));
    let auth = format!(
        "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n",
        password.len()
    );
    assert_eq!(ask(&auth), "+OK\r\n+PONG\r\n");

    // Removed behind the app's back: the page shows it as missing, live.
    docker_support::docker(&["rm", "-f", &format!("{prefix}-redis")]);
    wait_text(d, "[data-testid=service-state-redis]", "Missing");
    d.step("services-missing");

    dismiss_toasts(d);
    d.click("[data-testid=service-uninstall-redis]");
    d.click("[data-testid=delete-data]");
    d.step("services-uninstall-dialog");
    d.click("[data-testid=confirm-uninstall]");
    d.find("[data-testid=services-empty]");
    let (volume, _) =
        docker_support::docker(&["volume", "inspect", &format!("{prefix}-redis-data")]);
    assert!(!volume, "the data volume was deleted as asked");
    d.call("DELETE", "", None);
}

#[path = "support/llm.rs"]
mod llm;

#[test]
fn flow_builder_conversation_with_an_approved_tool_call() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        data,
        home,
        _tmp,
        ..
    } = scene("flow");
    const KEY: &str = "sk-e2e-flow-0123456789";
    let provider = llm::Provider::start(Some(KEY));
    provider.push(llm::tool_call(
        "call_e2e",
        "everything__echo",
        &["{\"message\": ", "\"hello from the window\"}"],
    ));
    // The final answer streams slowly enough to be seen arriving.
    let answer = [
        "The tool answered **Echo: hello from the window**.\n\n",
        "Run it yourself:\n\n",
        "```bash\n",
        "echo 'hello from the window'\n",
        "```\n\n",
        // A block that arrives in one piece (no spaces to split at).
        "```text\nstep-1\nstep-2\nstep-3\nstep-4\nstep-5\nstep-6\nstep-7\nstep-8\nstep-9\nstep-10\n```\n\n",
        "<b>raw html stays text</b>",
    ];
    let mut events = vec![llm::delta(json!({"role": "assistant", "content": ""}))];
    for piece in answer {
        for word in piece.split_inclusive(' ') {
            events.push(llm::delta(json!({ "content": word })));
        }
    }
    events.push(llm::finish("stop"));
    provider.push(llm::Reply::Stream {
        events,
        gap: Duration::from_millis(40),
    });

    // An MCP server registered before the app starts, through the same store.
    {
        let store = std::sync::Arc::new(ai_desktop::store::Store::open_in(&data).unwrap());
        ai_desktop::mcp::McpHub::new(
            store,
            std::sync::Arc::new(ai_desktop::events::RecordingSink::default()),
            ai_desktop::mcp::McpConfig::new(Vec::new()),
        )
        .create(ai_desktop_api::mcp::McpServerInput {
            name: "everything".into(),
            command: "mcp-server-everything".into(),
            ..Default::default()
        })
        .unwrap();
    }
    let db = data.join("ai-desktop.sqlite3");
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-flow]");
    d.find("[data-testid=flow-needs-provider]");
    d.find("[data-testid=flow-none]");
    d.step("flow-first-visit");

    // The provider: the loopback server, with its key; tested, then saved.
    d.click("[data-testid=flow-settings]");
    d.type_into("[data-testid=flow-base-url]", &provider.url);
    d.type_into("[data-testid=flow-settings-model]", llm::MODEL);
    d.type_into("[data-testid=flow-api-key]", KEY);
    d.click("[data-testid=flow-test]");
    wait_text(
        d,
        "[data-testid=flow-test-report]",
        "is one of the 2 model(s)",
    );
    d.step("flow-settings-tested");
    d.click("[data-testid=flow-settings-save]");
    d.wait_until("the provider banner to go", || {
        d.try_find("[data-testid=flow-needs-provider]")
            .is_none()
            .then_some(())
    });
    // The key went to its 0600 file, and never comes back to the page.
    assert_eq!(
        std::fs::read_to_string(data.join("flow/api-key")).unwrap(),
        KEY
    );
    dismiss_toasts(d);

    // A session with the server's tools.
    d.click("[data-testid=flow-new]");
    d.find("[data-testid=flow-conversation-empty]");
    d.click("[data-testid=flow-tools]");
    d.click("[data-testid=flow-tools-dialog] input[type=checkbox]");
    d.step("flow-tools-picker");
    d.click("[data-testid=flow-tools-save]");
    wait_text(d, "[data-testid=flow-tools]", "Tools of 1 server(s)");

    d.type_into(
        "[data-testid=flow-input]",
        "Please echo 'hello from the window'",
    );
    d.click("[data-testid=flow-send]");
    // The call waits for approval, with the tool's description and arguments.
    d.find("[data-testid=flow-approve]");
    let card = wait_text(
        d,
        "[data-testid=flow-tool-call]",
        "Echoes back the input string",
    );
    assert!(card.contains("everything · echo"), "{card}");
    assert!(card.contains("hello from the window"), "{card}");
    wait_text(d, "[data-testid=flow-state]", "Waiting for your approval");
    d.step("flow-approval");

    d.click("[data-testid=flow-approve]");
    wait_text(
        d,
        "[data-testid=flow-tool-result]",
        "Echo: hello from the window",
    );
    wait_text(d, "[data-testid=flow-answer]", "raw html stays text");
    wait_text(d, "[data-testid=flow-state]", "Idle");
    // The conversation followed the answer down as it grew (a code block
    // arriving at once is growth, not the user scrolling up).
    d.wait_until("the conversation scrolled to its end", || {
        (unscrolled_px(d, "[data-testid=flow-messages]") < 2.0).then_some(())
    });
    d.step("flow-answered");

    // Markdown rendered; the model's HTML shown as text, not made an element.
    let dom = d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "const a = Array.from(document.querySelectorAll('[data-testid=flow-answer]')).pop();
                       const m = a.closest('[data-testid=flow-message-assistant]');
                       return { strong: a.querySelectorAll('strong').length,
                                code: a.querySelectorAll('.code-block code').length,
                                bold: a.querySelectorAll('b').length,
                                firstTokenAt: m.getAttribute('data-first-token-at') };",
            "args": [],
        })),
    );
    assert_eq!(dom["strong"], 1, "{dom}");
    assert_eq!(dom["code"], 2, "{dom}");
    assert_eq!(dom["bold"], 0, "{dom}");

    // From the provider writing the first token to the page showing it.
    let shown_at: f64 = dom["firstTokenAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no first-token time on the message: {dom}"));
    let sent_at = provider.first_token_times()[0]
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0;
    let latency = shown_at - sent_at;
    println!("first token: written by the provider → shown in the window: {latency:.1} ms");
    std::fs::write(
        shots.join("first-token.txt"),
        format!("{latency:.1} ms from the loopback provider writing the first token to the window showing it\n"),
    )
    .unwrap();
    assert!(latency > -50.0, "clocks disagree: {latency} ms");

    // A provider error shows in the conversation, with Retry; nothing is lost.
    provider.push(llm::status(
        429,
        &[("Retry-After", "30")],
        r#"{"error":{"message":"Rate limit reached"}}"#,
    ));
    d.type_into("[data-testid=flow-input]", "And once more?");
    d.click("[data-testid=flow-send]");
    wait_text(d, "[data-testid=flow-error]", "retry after 30 s");
    d.find("[data-testid=flow-retry]");
    // The conversation followed down: the error is in view, not cut off below.
    d.wait_until("the error to be scrolled into view", || {
        let seen = d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "const p = document.querySelector('[data-testid=flow-messages]');
                           const e = Array.from(p.querySelectorAll('[data-testid=flow-error]')).pop();
                           return e.getBoundingClientRect().bottom <= p.getBoundingClientRect().bottom + 1;",
                "args": [],
            })),
        );
        (seen == json!(true)).then_some(())
    });
    d.step("flow-rate-limited");

    // What was stored, and what the model was sent back.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT role, content FROM flow_messages ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let roles: Vec<&str> = rows.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        roles,
        [
            "user",
            "assistant",
            "tool",
            "assistant",
            "user",
            "assistant"
        ]
    );
    assert_eq!(rows[2].1, "Echo: hello from the window");
    assert_eq!(rows[3].1, answer.concat());
    assert_eq!(
        rows[5].1, "",
        "the refused answer is an empty, failed message"
    );
    let chats = provider.chats();
    assert_eq!(chats.len(), 3);
    assert_eq!(chats[1].body["messages"][3]["role"], "tool");
    assert_eq!(
        chats[1].body["messages"][3]["content"],
        "Echo: hello from the window"
    );

    // Retry, and a long answer streamed fast (as a quick local model does):
    // the conversation keeps following it down to its last line.
    let mut long = String::new();
    for i in 1..=120 {
        long += &format!(
            "Step {i} of the plan.\n\n```text\nline a {i}\nline b {i}\nline c {i}\n```\n\n"
        );
    }
    long += "All the steps done.";
    let chars: Vec<char> = long.chars().collect();
    let mut events = vec![llm::delta(json!({"role": "assistant", "content": ""}))];
    events.extend(
        chars
            .chunks(6)
            .map(|c| llm::delta(json!({ "content": c.iter().collect::<String>() }))),
    );
    events.push(llm::finish("stop"));
    provider.push(llm::Reply::Stream {
        events,
        gap: Duration::from_millis(1),
    });
    d.click("[data-testid=flow-retry]");
    wait_text(d, "[data-testid=flow-answer]", "All the steps done.");
    wait_text(d, "[data-testid=flow-state]", "Idle");
    d.wait_until("the long answer followed to its end", || {
        (unscrolled_px(d, "[data-testid=flow-messages]") < 2.0).then_some(())
    });
    d.step("flow-retried-long-answer");

    let last: String = conn
        .query_row(
            "SELECT content FROM flow_messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(last, long);

    // Scrolled up to read while an answer streams: the view stays there.
    provider.push(llm::Reply::Stream {
        events: std::iter::once(llm::delta(json!({"role": "assistant", "content": ""})))
            .chain((1..=40).map(|i| llm::delta(json!({ "content": format!("Line {i}.\n\n") }))))
            .chain([llm::finish("stop")])
            .collect(),
        gap: Duration::from_millis(40),
    });
    d.type_into("[data-testid=flow-input]", "And a short one?");
    d.click("[data-testid=flow-send]");
    wait_text(d, "[data-testid=flow-answer]", "Line 3.");
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "document.querySelector('[data-testid=flow-messages]').scrollTop = 0;",
            "args": [],
        })),
    );
    wait_text(d, "[data-testid=flow-answer]", "Line 40.");
    wait_text(d, "[data-testid=flow-state]", "Idle");
    let top = d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "return document.querySelector('[data-testid=flow-messages]').scrollTop;",
            "args": [],
        })),
    );
    assert_eq!(
        top,
        json!(0),
        "the view was pulled down while the user read above"
    );
    d.call("DELETE", "", None);
}

#[test]
fn system_monitor_and_pm2_processes_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("system");
    let pm2_home = Pm2Home(root.join("pm2"));
    // A process the user started with pm2 directly, not a deployment.
    let started = Command::new("pm2")
        .args(["start", "sleep", "--name", "users-sleeper", "--", "600"])
        .env("PM2_HOME", &pm2_home.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(started.success());
    let env = [
        ("HOME", home.display().to_string()),
        ("PM2_HOME", pm2_home.0.display().to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-system]");
    let first = wait_text(d, "[data-testid=system-cpu-total]", "%");
    wait_text(d, "[data-testid=system-disks]", "/");
    wait_text(d, "[data-testid=system-network]", "lo");
    // Live: the figures are sampled again every second.
    let host = texts(d, "[data-testid=system-host]").concat();
    d.wait_until("a new sample", || {
        let now = texts(d, "[data-testid=system-host]").concat();
        let points = d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "const p = document.querySelector('[data-testid=system-cpu] polyline');
                           return p ? p.getAttribute('points').trim().split(' ').length : 0;",
                "args": [],
            })),
        );
        (now != host || points.as_u64().unwrap_or(0) >= 3).then_some(())
    });
    let cores = d.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return document.querySelectorAll('[data-testid=system-cpu] .core').length;", "args": []})),
    );
    assert_eq!(
        cores.as_u64().unwrap() as usize,
        std::thread::available_parallelism().unwrap().get()
    );
    assert!(first.ends_with('%'), "{first}");

    // Every PM2 process, the user's own included, with actions.
    let row = wait_text(d, "[data-testid=pm2-table]", "users-sleeper");
    assert!(row.contains("online"), "{row}");
    d.step("system-live");
    let sleeper_pid = || -> Option<u32> {
        let out = Command::new("pm2")
            .arg("jlist")
            .env("PM2_HOME", &pm2_home.0)
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let line = text
            .lines()
            .rev()
            .find(|l| l.starts_with('[') && !l.starts_with("[PM2]"))?;
        let list: Vec<serde_json::Value> = serde_json::from_str(line).ok()?;
        list.iter()
            .find(|p| p["name"] == "users-sleeper")
            .and_then(|p| p["pid"].as_u64())
            .map(|p| p as u32)
            .filter(|p| *p > 0)
    };
    let before_restart = sleeper_pid().expect("the sleeper runs");
    d.click("[data-testid^=pm2-restart-]");
    d.wait_until("the restart to show", || {
        texts(d, "[data-testid=pm2-row-users-sleeper] td:nth-child(6)")
            .first()
            .filter(|t| t.as_str() == "1")
            .cloned()
    });
    let after_restart = sleeper_pid().expect("the sleeper runs again");
    assert_ne!(after_restart, before_restart, "restarted: a new process");
    assert!(
        !process_alive(before_restart),
        "the old process outlived the restart"
    );
    d.click("[data-testid^=pm2-stop-]");
    wait_text(d, "[data-testid=pm2-row-users-sleeper]", "stopped");
    d.wait_until("the sleeper's process to end", || {
        (!process_alive(after_restart)).then_some(())
    });
    d.step("system-pm2-stopped");

    // What watching costs: CPU of the app and its WebKit processes over 10 s
    // with the page open, then 10 s on another page (a figure, not a check).
    let app = app_pid(&data).expect("the app's process");
    let open = cpu_percent(app, Duration::from_secs(10));
    d.click("[data-testid=nav-settings]");
    d.find("[data-testid=data-dir]");
    std::thread::sleep(Duration::from_secs(2));
    let closed = cpu_percent(app, Duration::from_secs(10));
    let report = format!(
        "app + WebKit CPU, % of one core over 10 s: System page open {open:.1}, closed {closed:.1}\n"
    );
    print!("{report}");
    std::fs::write(shots.join("cpu.txt"), report).unwrap();
    d.call("DELETE", "", None);
}

/// Waits until a whole line of the terminal's screen reads `line`.
fn wait_terminal_line(d: &Driver, what: &str, line: &str) {
    d.wait_until(what, || {
        terminal_text(d)
            .lines()
            .any(|l| l.trim() == line)
            .then_some(())
    });
}

#[test]
fn terminals_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("terminals");
    let project = root.join("shop");
    std::fs::create_dir_all(&project).unwrap();
    register_before_start(&data, "shop", &project);
    let env = [
        ("HOME", home.display().to_string()),
        ("SHELL", "/bin/bash".to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-terminals]");
    d.find("[data-testid=terminals-empty]");
    d.step("terminals-empty");

    // A shell in the repository's folder.
    let select = d.find("[data-testid=terminal-folder]");
    d.wait_until("the repository in the folder list", || {
        texts(d, "[data-testid=terminal-folder] option")
            .contains(&"shop".to_string())
            .then_some(())
    });
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "const s = arguments[0]; s.value = Array.from(s.options).find(o => o.textContent === 'shop').value; s.dispatchEvent(new Event('change'));",
            "args": [{ ELEMENT_KEY: select }],
        })),
    );
    d.click("[data-testid=terminal-new]");
    d.find(".xterm-helper-textarea");
    type_in_terminal(d, "echo hello-$((6*7)); pwd\n");
    d.wait_until("the command's output", || {
        let screen = terminal_text(d);
        (screen.contains("hello-42") && screen.contains(&project.display().to_string()))
            .then_some(())
    });
    d.step("terminal-echo");

    // A flood reaches the window and the shell answers after it (its speed
    // and memory are measured by `benches/app.rs`).
    type_in_terminal(d, "yes | head -n 1000000; echo flood-$((40+2))\n");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !terminal_text(d).lines().any(|l| l.trim() == "flood-42") {
        assert!(
            Instant::now() < deadline,
            "the flood never reached the window"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    type_in_terminal(d, "echo still-$((1+1))\n");
    wait_terminal_line(d, "the shell after the flood", "still-2");
    d.step("terminal-after-flood");

    // Away from the page and back, quickly and then while the shell works:
    // what it printed meanwhile is there, and the new view reads on (an old
    // view's late detach does not end it).
    for _ in 0..3 {
        d.click("[data-testid=nav-files]");
        d.click("[data-testid=nav-terminals]");
    }
    type_in_terminal(d, "sleep 1; echo away-$((3*3))\n");
    d.click("[data-testid=nav-system]");
    d.find("[data-testid=page-system]");
    std::thread::sleep(Duration::from_millis(1500));
    d.click("[data-testid=nav-terminals]");
    wait_terminal_line(d, "what the shell printed while nobody looked", "away-9");
    type_in_terminal(d, "echo back-$((2+2))\n");
    wait_terminal_line(d, "the shell answering the new view", "back-4");
    d.step("terminal-back-again");

    // Closing the tab ends the shell and what it started, even a job that
    // ignores the hang-up and left the shell's job table.
    type_in_terminal(
        d,
        "nohup sleep 1001 >/dev/null 2>&1 & disown; echo $! > job.pid; sleep 1000 & echo $$ > shell.pid\n",
    );
    let job_pid: u32 = d.wait_until("the job's pid", || {
        std::fs::read_to_string(project.join("job.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    });
    let pid_file = project.join("shell.pid");
    let shell_pid: u32 = d.wait_until("the shell's pid", || {
        std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
    });
    assert!(group_alive(shell_pid));
    d.click("[data-testid^=terminal-close-]");
    d.find("[data-testid=terminals-empty]");
    d.wait_until("the shell's group to end", || {
        (!group_alive(shell_pid)).then_some(())
    });
    d.wait_until("the nohup'ed job to end", || {
        (!process_alive(job_pid)).then_some(())
    });
    d.call("DELETE", "", None);
}

#[test]
fn git_identity_and_ssh_keys_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("git");
    let project = root.join("shop");
    git_fixture(&project);
    // A branch that will conflict with the commit made from the window.
    let cli = |args: &[&str]| git_cli::git(&project, args);
    cli(&["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop-api\",\"version\":\"1.5.0-feature\"}\n",
    )
    .unwrap();
    cli(&["commit", "-qam", "Feature version"]);
    cli(&["checkout", "-q", "main"]);
    let bare = root.join("origin.git");
    git_cli::git(&root, &["init", "-q", "--bare", "-b", "main", "origin.git"]);
    register_before_start(&data, "shop", &project);
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-git]");
    d.find("[data-testid=ssh-empty]");
    d.find("[data-testid=git-clean]");
    // Bad input is refused with a reason, and nothing is written. (A line
    // break cannot be typed into these fields; the headless tests send one.)
    d.type_into("[data-testid=git-name]", "Eve <root@example.org>");
    d.type_into("[data-testid=git-email]", "eve@example.org");
    d.click("[data-testid=git-identity-save]");
    wait_text(d, "[data-testid=git-identity-error]", "cannot contain");
    assert!(!home.join(".gitconfig").exists());
    d.type_into("[data-testid=git-name]", "Ada Lovelace");
    d.click("[data-testid=git-identity-save]");
    d.wait_until("~/.gitconfig to be written", || {
        let out = Command::new("git")
            .args(["config", "--file"])
            .arg(home.join(".gitconfig"))
            .arg("user.name")
            .output()
            .ok()?;
        (String::from_utf8_lossy(&out.stdout).trim() == "Ada Lovelace").then_some(())
    });
    dismiss_toasts(d);

    d.click("[data-testid=ssh-generate]");
    d.type_into("[data-testid=ssh-comment]", "ada@e2e");
    d.step("git-new-key");
    d.click("[data-testid=ssh-submit]");
    let listed = wait_text(d, "[data-testid=ssh-list]", "id_ed25519");
    assert!(
        listed.contains("SHA256:") && listed.contains("ada@e2e"),
        "{listed}"
    );
    assert!(home.join(".ssh/id_ed25519").exists());
    // The same name again is refused; the key stays.
    let before = std::fs::read(home.join(".ssh/id_ed25519")).unwrap();
    dismiss_toasts(d);
    d.click("[data-testid=ssh-generate]");
    d.click("[data-testid=ssh-submit]");
    wait_text(
        d,
        "[data-testid=ssh-dialog] [data-testid=form-error]",
        "already exists",
    );
    assert_eq!(std::fs::read(home.join(".ssh/id_ed25519")).unwrap(), before);
    d.click("[data-testid=ssh-dialog] .dialog-footer .button:not(.primary)");
    d.step("git-identity-and-keys");

    // A commit from the window, as the identity just saved.
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop-api\",\"version\":\"2.0.0\"}\n",
    )
    .unwrap();
    // The change shows up by itself (the repository is watched).
    d.click("[data-testid=git-toggle-package\\.json]");
    wait_text(d, "[data-testid=git-toggle-package\\.json]", "Unstage");
    assert_eq!(cli(&["diff", "--cached", "--name-only"]), "package.json");
    d.type_into("[data-testid=git-message]", "Release 2.0.0");
    d.step("git-staged");
    d.click("[data-testid=git-commit]");
    wait_text(d, "[data-testid=git-log]", "Release 2.0.0");
    d.find("[data-testid=git-clean]");
    assert_eq!(
        cli(&["log", "-1", "--format=%an <%ae>|%s"]),
        "Ada Lovelace <eve@example.org>|Release 2.0.0"
    );
    d.step("git-committed");
    dismiss_toasts(d);

    // Remotes: the fixture's unreachable origin replaced by a bare
    // repository on disk (removing asks first), then a push.
    d.click("[data-testid=git-tab-remotes]");
    wait_text(d, "[data-testid=git-remotes]", "git@example.com");
    d.click("[data-testid=git-remotes] .button.danger");
    d.find("[data-testid=confirm-dialog]");
    d.click("[data-testid=confirm-yes]");
    wait_text(d, "[data-testid=git-tab-remotes]", "Remotes (0)");
    d.type_into("[data-testid=git-remote-name]", "origin");
    d.type_into("[data-testid=git-remote-url]", &bare.display().to_string());
    d.click("[data-testid=git-remote-add]");
    wait_text(d, "[data-testid=git-remotes]", &bare.display().to_string());
    d.click("[data-testid=git-push]");
    let head = cli(&["rev-parse", "HEAD"]);
    d.wait_until("the push to reach the bare repository", || {
        let out = Command::new("git")
            .args(["rev-parse", "main"])
            .current_dir(&bare)
            .output()
            .ok()?;
        (String::from_utf8_lossy(&out.stdout).trim() == head).then_some(())
    });
    wait_text(d, "[data-testid=git-branches]", "origin/main");
    d.step("git-pushed");
    dismiss_toasts(d);

    // A merge that conflicts: reported with its file, then aborted.
    d.click("[data-testid=git-join-branch] option[value=feature]");
    d.click("[data-testid=git-merge]");
    let conflicted = wait_text(d, "[data-testid=git-conflicted]", "package.json");
    assert!(conflicted.contains("package.json"), "{conflicted}");
    assert!(project.join(".git/MERGE_HEAD").exists());
    d.step("git-merge-conflict");
    d.click("[data-testid=git-abort]");
    d.wait_until("the merge to be aborted", || {
        (!project.join(".git/MERGE_HEAD").exists()
            && d.try_find("[data-testid=git-under-way]").is_none())
        .then_some(())
    });
    assert_eq!(cli(&["rev-parse", "HEAD"]), head);
    assert_eq!(cli(&["status", "--porcelain"]), "");

    // A commit's diff, from the history.
    d.click("[data-testid=git-log] .git-commit");
    wait_text(d, "[data-testid=git-commit-message]", "Release 2.0.0");
    wait_text(d, "[data-testid=git-commit-dialog] .diff-table", "2.0.0");
    d.step("git-commit-diff");
    d.call("DELETE", "", None);
}

#[test]
fn files_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("files");
    let project = root.join("shop");
    git_fixture(&project);
    std::fs::write(project.join("package.json"), "{\"name\":\"shop-api\"}\n").unwrap();
    std::fs::write(project.join("notes.txt"), "draft\n").unwrap();
    register_before_start(&data, "shop", &project);
    let trash = home.join(".local/share/Trash");
    let env = [
        ("HOME", home.display().to_string()),
        (
            "XDG_DATA_HOME",
            home.join(".local/share").display().to_string(),
        ),
        (
            "XDG_CONFIG_HOME",
            home.join(".config").display().to_string(),
        ),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-files]");
    let list = wait_text(d, "[data-testid=files-list]", "package.json");
    assert!(
        list.contains("modified") && list.contains("untracked"),
        "{list}"
    );
    d.step("files-list");

    // Open, edit, save.
    d.click("[data-testid=file-package\\.json] .file-name");
    // Shown highlighted first; Edit turns it into an editor.
    wait_text(d, "[data-testid=file-view] .hl-string", "shop-api");
    d.click("[data-testid=file-edit]");
    d.find("[data-testid=file-editor]");
    d.type_into(
        "[data-testid=file-editor]",
        "{\"name\":\"shop-api\",\"private\":true}\n",
    );
    d.click("[data-testid=file-save]");
    d.wait_until("the file to be saved", || {
        (std::fs::read_to_string(project.join("package.json"))
            .ok()?
            .trim_end()
            == "{\"name\":\"shop-api\",\"private\":true}")
            .then_some(())
    });
    d.step("files-edited");
    dismiss_toasts(d);

    // A folder, and a name that leaves the repository refused.
    d.click("[data-testid=files-mkdir]");
    d.type_into("[data-testid=files-name]", "docs");
    d.click("[data-testid=files-submit]");
    wait_text(d, "[data-testid=files-list]", "docs");
    assert!(project.join("docs").is_dir());
    d.click("[data-testid=file-rename-notes\\.txt]");
    d.type_into("[data-testid=files-name]", "../notes.txt");
    d.click("[data-testid=files-submit]");
    wait_text(
        d,
        "[data-testid=files-dialog] [data-testid=form-error]",
        "leaves the repository",
    );
    assert!(project.join("notes.txt").exists() && !root.join("notes.txt").exists());
    d.type_into("[data-testid=files-name]", "docs/notes.txt");
    d.click("[data-testid=files-submit]");
    d.wait_until("the move", || {
        project.join("docs/notes.txt").exists().then_some(())
    });

    // To the trash, where it can be restored from.
    d.click("[data-testid=file-trash-docs]");
    d.click("[data-testid=files-trash-confirm]");
    d.wait_until("the trash", || {
        trash.join("files/docs/notes.txt").exists().then_some(())
    });
    assert!(!project.join("docs").exists());
    assert!(trash.join("info/docs.trashinfo").exists());
    d.step("files-after-trash");
    dismiss_toasts(d);

    // A workspace folder as a second root.
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("app.js"), "const answer = 42; // the answer\n").unwrap();
    let work_path = work.display().to_string();
    d.click("[data-testid=files-workspaces]");
    d.type_into("[data-testid=workspace-path]", "relative/path");
    d.click("[data-testid=workspace-add]");
    wait_text(d, "[data-testid=workspace-error]", "relative path");
    d.type_into("[data-testid=workspace-path]", &work_path);
    d.click("[data-testid=workspace-add]");
    wait_text(d, "[data-testid=workspaces-list]", &work_path);
    d.click("[data-testid=files-workspaces-dialog] .dialog-footer .button");
    d.click(&format!(
        "[data-testid=files-repo] option[value='w:{work_path}']"
    ));
    wait_text(d, "[data-testid=files-list]", "app.js");
    d.click("[data-testid=file-app\\.js] .file-name");
    wait_text(d, "[data-testid=file-view] .hl-keyword", "const");
    wait_text(d, "[data-testid=file-view] .hl-comment", "// the answer");
    wait_text(d, "[data-testid=file-view] .hl-number", "42");
    d.step("files-workspace-highlighted");

    // Clone into it from the Git page: registered when done.
    let bare = root.join("shop.git");
    git_cli::git(&root, &["clone", "-q", "--bare", "shop", "shop.git"]);
    d.click("[data-testid=nav-git]");
    d.click("[data-testid=git-clone]");
    d.type_into(
        "[data-testid=clone-url]",
        "ext::sh -c touch% /tmp/pwned-e2e",
    );
    d.click("[data-testid=clone-submit]");
    wait_text(d, "[data-testid=clone-error]", "transport helper");
    assert!(!Path::new("/tmp/pwned-e2e").exists(), "the ext:: URL ran");
    d.type_into(
        "[data-testid=clone-url]",
        &format!("file://{}", bare.display()),
    );
    d.type_into("[data-testid=clone-name]", "shop-copy");
    d.step("files-clone-dialog");
    d.click("[data-testid=clone-submit]");
    wait_text(d, "[data-testid=git-repo-select]", "shop-copy");
    assert!(work.join("shop-copy/.git").is_dir());
    assert!(work.join("shop-copy/package.json").exists());
    d.step("files-cloned");

    // The Doctor: this machine's git with its version, and the log folder.
    d.click("[data-testid=nav-settings]");
    let git = wait_text(d, "[data-testid=doctor-git]", "found");
    let version = String::from_utf8_lossy(
        &Command::new("git")
            .arg("--version")
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .trim_start_matches("git version ")
    .to_string();
    assert!(git.contains(&version), "{git} vs {version}");
    wait_text(d, "[data-testid=doctor-table]", "docker daemon");
    let logs = wait_text(d, "[data-testid=doctor-log-dir]", "logs");
    assert!(
        logs.starts_with(&home.display().to_string()),
        "the log folder is under the session's HOME: {logs}"
    );
    assert!(home
        .join(".local/state/ai-desktop/logs/ai-desktop.log")
        .exists());
    d.step("doctor");

    // Start at login, and what Quit does: both stored where they belong.
    let entry = home.join(".config/autostart/ai-desktop.desktop");
    d.click("[data-testid=autostart-toggle]");
    d.wait_until("the autostart entry", || entry.exists().then_some(()));
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains("--minimized"), "{text}");
    d.click("[data-testid=quit-choice-select] option[value=stop]");
    let db = data.join("ai-desktop.sqlite3");
    d.wait_until("the quit choice to be stored", || {
        let v: String = rusqlite::Connection::open(&db)
            .ok()?
            .query_row(
                "SELECT value FROM settings WHERE key = 'app.on_quit'",
                [],
                |r| r.get(0),
            )
            .ok()?;
        (v == "\"stop\"").then_some(())
    });
    d.step("settings-start-and-quit");
    d.click("[data-testid=autostart-toggle]");
    d.wait_until("the autostart entry to go", || {
        (!entry.exists()).then_some(())
    });
    d.call("DELETE", "", None);
}

/// The tray, through a real system tray: `trayer` (an XEmbed tray) on Xvfb,
/// a private session bus, and the app's icon in it. Driven with xdotool and
/// the keyboard (a tray menu is GTK, not the webview, so WebDriver cannot
/// reach it); screenshots of the menu are saved to look at.
#[test]
fn tray_menu_through_the_real_tray() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("tray");
    let project = root.join("shop");
    git_fixture(&project);
    register_before_start(&data, "shop", &project);
    let display = format!(":{}", 150 + std::process::id() % 50);
    let _x = Kill::spawn(
        Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1600x1000x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let (bus, _bus) = session_bus();
    let _trayer = Kill::spawn(
        Command::new("trayer")
            .args([
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "request",
            ])
            .args(["--height", "24", "--transparent", "false"])
            .env("DISPLAY", &display)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("trayer (apt-get install trayer)");
    std::thread::sleep(Duration::from_millis(800));
    // The app's PM2_HOME here is HOME/.pm2; whatever runs there goes at the end.
    let _pm2 = Pm2Home(home.join(".pm2"));
    let _app = Kill::spawn(
        Command::new(&app_bin)
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("HOME", &home)
            .env("AI_DESKTOP_DATA_DIR", &data)
            .env("AI_DESKTOP_LOG_DIR", root.join("logs"))
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .unwrap();
    let x = |args: &[&str]| {
        Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &display)
            .status()
            .expect("xdotool (apt-get install xdotool)")
    };
    let tree = || {
        let out = Command::new("xwininfo")
            .args(["-display", &display, "-root", "-tree"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shot = |name: &str| {
        let full = shots.join(format!("{name}-full.png"));
        Command::new("import")
            .args(["-display", &display, "-window", "root"])
            .arg(&full)
            .status()
            .unwrap();
        // The top-right corner, where the tray and its menu are.
        Command::new("convert")
            .arg(&full)
            .args(["-crop", "560x420+1040+0"])
            .arg(shots.join(format!("{name}.png")))
            .status()
            .unwrap();
    };
    let wait = |what: &str, mut probe: Box<dyn FnMut() -> bool + '_>| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !probe() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    // The icon, embedded in the tray.
    wait(
        "the tray icon",
        Box::new(|| tree().contains("tray-icon tray app main")),
    );
    let windows_before = tree().matches("\"ai-desktop\"").count();
    // Wait for the menu's first rebuild (the status line replaces "Starting…").
    std::thread::sleep(Duration::from_secs(2));
    // Left click opens the menu: one more toplevel window of the app.
    x(&["mousemove", "1585", "12", "click", "1"]);
    wait(
        "the tray menu",
        Box::new(|| tree().matches("\"ai-desktop\"").count() > windows_before),
    );
    std::thread::sleep(Duration::from_millis(500));
    shot("01-menu");
    // Keyboard: the first item that can be chosen is "Open in VS Code ▸";
    // Right opens it, the repository is its first item, Return opens it.
    x(&["key", "Down"]);
    x(&["key", "Right"]);
    std::thread::sleep(Duration::from_millis(500));
    shot("02-open-in-vscode");
    x(&["key", "Return"]);
    let db = data.join("ai-desktop.sqlite3");
    let start = Instant::now();
    let pid = loop {
        if let Some(pid) = recorded_instance(&db, 1) {
            break pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "choosing the repository in the tray started nothing"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // The menu follows: its status line now counts the running instance.
    std::thread::sleep(Duration::from_secs(3));
    x(&["mousemove", "1585", "12", "click", "1"]);
    std::thread::sleep(Duration::from_millis(800));
    shot("03-menu-one-running");
    x(&["key", "Escape"]);
    // Stop everything, from the tray: the instance goes.
    x(&["mousemove", "1585", "12", "click", "1"]);
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..6 {
        x(&["key", "Down"]); // Open in VS Code, Deployments, Services, MCP servers, Stop everything
    }
    x(&["key", "Up"]);
    x(&["key", "Return"]);
    let stopped_by = Instant::now() + Duration::from_secs(30);
    while recorded_instance(&db, 1).is_some() {
        assert!(
            Instant::now() < stopped_by,
            "Stop everything left code-server running"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        !group_alive(pid),
        "code-server's group survived Stop everything"
    );
    // With nothing deployed, PM2 was not asked (a `pm2` call starts its
    // daemon, which a fresh-machine run found left behind).
    std::thread::sleep(Duration::from_millis(500));
    let daemon = format!("God Daemon ({})", home.join(".pm2").display());
    let started = std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&daemon))
    });
    assert!(!started, "Stop everything started a PM2 daemon");
}

/// Files (sorted) a recording "browser" wrote: one line per target it was
/// asked to open.
fn opened(record: &Path) -> Vec<String> {
    std::fs::read_to_string(record)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Zombie children of `pid` (spawned and never waited for).
fn zombie_children(pid: u32) -> Vec<u32> {
    proc_tree(pid)
        .into_iter()
        .filter(|(_, f)| f[0] == "Z" && f[1] == pid.to_string())
        .map(|(p, _)| p)
        .collect()
}

/// The main window stays on the app: a navigation away and a new window are
/// refused and offered to the browser, opened only when the user says so.
/// What the page's console reports lands in the log file. "Open logs
/// folder" leaves no zombie. The window comes back where it was left.
#[test]
fn window_policy_page_log_opener_and_window_state() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("window");
    let logs = root.join("logs");
    // xdg-open hands what it opens to $BROWSER when there is no desktop.
    let record = root.join("browser.txt");
    let browser = root.join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&browser)
        .status()
        .unwrap();
    let env = [
        ("HOME", home.display().to_string()),
        ("AI_DESKTOP_LOG_DIR", logs.display().to_string()),
        ("BROWSER", browser.display().to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = shots.clone();
    d.find("[data-testid=repos-empty]");
    let script = |d: &Driver, js: &str| {
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": js, "args": []})),
        )
    };

    // The page's console errors, uncaught exceptions and rejections.
    script(
        d,
        "console.error('e2e-console-marker');
         Promise.reject(new Error('e2e-rejection-marker'));
         setTimeout(() => { throw new Error('e2e-uncaught-marker'); }, 0);
         return true;",
    );
    let log_text = || std::fs::read_to_string(logs.join("ai-desktop.log")).unwrap_or_default();
    d.wait_until("the page's errors in the log file", || {
        let text = log_text();
        [
            "e2e-console-marker",
            "e2e-rejection-marker",
            "e2e-uncaught-marker",
        ]
        .iter()
        .all(|m| text.lines().any(|l| l.contains(m) && l.contains(" page]")))
        .then_some(())
    });

    // Navigating away: refused (the app stays), and offered to the browser.
    let outside = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    outside.set_nonblocking(true).unwrap();
    let away = format!(
        "http://127.0.0.1:{}/away",
        outside.local_addr().unwrap().port()
    );
    script(d, &format!("window.location.href = '{away}'; return true;"));
    let dialog = "Open link in browser?";
    let asked = d.wait_until("the open-in-browser question", || {
        x_window(&display, dialog)
    });
    d.step("navigation-offered");
    assert!(outside.accept().is_err(), "the window went to {away}");
    assert_eq!(
        script(d, "return document.location.protocol;"),
        json!("tauri:"),
        "the main window left the app"
    );
    assert!(d.try_find("[data-testid=nav-settings]").is_some());
    // Declined (closed): nothing is opened.
    close_x_window(&display, &asked);
    d.wait_until("the question to close", || {
        x_window(&display, dialog).is_none().then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(opened(&record).is_empty(), "{:?}", opened(&record));

    // A link that opens a new window (target=_blank), clicked (a script's
    // window.open without a click is blocked by WebKit anyway): none opens
    // in the app; confirmed, the link goes to the browser.
    let windows_before = Command::new("xwininfo")
        .args(["-display", &display, "-root", "-children"])
        .output()
        .unwrap()
        .stdout;
    script(
        d,
        "const a = document.createElement('a');
         a.id = 'e2e-link'; a.href = 'https://example.com/e2e-new-window';
         a.target = '_blank'; a.textContent = 'a link';
         a.style = 'position:fixed;top:8px;left:8px;z-index:99;background:#fff';
         document.body.appendChild(a); return true;",
    );
    d.click("#e2e-link");
    let asked = d.wait_until("the question for the link", || x_window(&display, dialog));
    d.step("link-question");
    // The two buttons share the dialog's bottom row: "Open in browser" is
    // the left one (a click, as a user would; Xvfb has no window manager to
    // give the dialog keyboard focus).
    let (w, h) = window_size(&display, &asked);
    Command::new("xdotool")
        .args(["mousemove", "--window", &asked])
        .arg((w / 4).to_string())
        .arg((h - 15).to_string())
        .args(["click", "1"])
        .env("DISPLAY", &display)
        .status()
        .unwrap();
    d.wait_until("the link in the browser", || {
        opened(&record)
            .contains(&"https://example.com/e2e-new-window".to_string())
            .then_some(())
    });
    let windows_after = Command::new("xwininfo")
        .args(["-display", &display, "-root", "-children"])
        .output()
        .unwrap()
        .stdout;
    assert!(
        !String::from_utf8_lossy(&windows_after).contains("example.com"),
        "a window opened in the app:\n{}\nbefore:\n{}",
        String::from_utf8_lossy(&windows_after),
        String::from_utf8_lossy(&windows_before)
    );

    // Open logs folder, three times: the folder goes to the opener, and
    // every opener process is waited for.
    let app = app_pid(&data).expect("the app's process");
    d.click("[data-testid=nav-settings]");
    for _ in 0..3 {
        d.click("[data-testid=doctor-open-logs]");
        std::thread::sleep(Duration::from_millis(300));
    }
    d.wait_until("the logs folder handed to the opener", || {
        (opened(&record)
            .iter()
            .filter(|l| **l == logs.display().to_string())
            .count()
            == 3)
            .then_some(())
    });
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        zombie_children(app).is_empty(),
        "zombies left: {:?}",
        zombie_children(app)
    );
    d.step("logs-opened");

    // The window is moved and resized, then closed (no tray here: that
    // quits); the next start puts it back there.
    let main = x_window(&display, "AI Desktop").expect("the main window");
    let x = |args: &[&str]| {
        Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &display)
            .status()
            .unwrap()
    };
    x(&["windowsize", &main, "1010", "640"]);
    x(&["windowmove", &main, "37", "29"]);
    std::thread::sleep(Duration::from_millis(800));
    close_x_window(&display, &main);
    let start = Instant::now();
    while app_pid(&data).is_some() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the app did not quit"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(launched);
    let mut again = launch(&app_bin, &data, &env);
    again.driver.shots = shots.clone();
    again.driver.step = 10;
    let display = again.display.clone();
    again.driver.find("[data-testid=repos-empty]");
    let main = x_window(&display, "AI Desktop").expect("the main window");
    let geometry = Command::new("xwininfo")
        .args(["-display", &display, "-id", &main])
        .output()
        .unwrap();
    let geometry = String::from_utf8_lossy(&geometry.stdout).to_string();
    let field = |name: &str| -> i64 {
        geometry
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    assert_eq!(
        (field("Width:"), field("Height:")),
        (1010, 640),
        "{geometry}"
    );
    assert_eq!(
        (
            field("Absolute upper-left X:"),
            field("Absolute upper-left Y:")
        ),
        (37, 29),
        "{geometry}"
    );
    again.driver.step("restored");
    again.driver.call("DELETE", "", None);
}
