//! The Repositories page: registering, editing and deleting repositories.

use crate::support::*;
use ai_desktop::testkit::*;
use serde_json::json;
use std::path::PathBuf;

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
    // Every page but this one is a piece of wasm fetched when it is first
    // shown (.ci/build-ui). From here on, every file the page fetches is
    // noted (WebKit keeps no resource timing for the app's own scheme).
    d.script(
        "const fetched = window.__fetched = [];\
         const real = window.fetch;\
         window.fetch = (what, ...rest) => { fetched.push(String(what.url || what)); return real(what, ...rest); };",
    );

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
    // Every action of the row is on screen, none cut off by the table's edge.
    let clipped = d.script(
        "const box = document.querySelector('[data-testid=repos-table]').parentElement.getBoundingClientRect(); \
         return [...document.querySelectorAll('[data-testid=repo-row] td.actions button')] \
           .filter(b => { const r = b.getBoundingClientRect(); return r.right > box.right + 0.5 || r.width === 0; }) \
           .map(b => b.getAttribute('aria-label') || b.textContent);",
    );
    assert_eq!(
        clipped,
        serde_json::json!([]),
        "actions cut off by the table's edge"
    );
    // …and the remote's column still has room for its header.
    let remote = d.script(
        "return document.querySelector('[data-testid=repos-table] th:nth-child(4)').getBoundingClientRect().width;",
    );
    assert!(
        remote.as_f64().unwrap_or(0.0) >= 100.0,
        "remote column {remote}"
    );
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
    choose_value(d, "[data-testid=repo-kind]", "");
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
    // Arguments that do not fit the command's contract type are refused
    // with a clear error, and change nothing.
    let refused = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('repos_update', {id: 'one', input: {name: 'x'}})
           .then(() => done('accepted'), e => done(e));",
        json!([]),
    );
    assert_eq!(refused["code"], json!("invalid_input"), "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("repos_update")),
        "{refused}"
    );
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
    // Its page came as its own piece of wasm, fetched when it was first shown
    // (the window started without it), and only once.
    let settings_piece = |names: &[String]| {
        names
            .iter()
            .filter(|name| name.starts_with("split_settings_"))
            .count()
    };
    let now = wasm_fetched(d);
    assert_eq!(
        settings_piece(&now),
        1,
        "the Settings page showed without its piece of wasm being fetched: {now:?}"
    );
    assert!(
        !now.iter().any(|name| name.starts_with("split_git_")),
        "a page not shown had its wasm fetched: {now:?}"
    );
    d.click("[data-testid=nav-repositories]");
    d.find("[data-testid=repos-table]");
    d.click("[data-testid=nav-settings]");
    d.find("[data-testid=data-dir]");
    assert_eq!(
        settings_piece(&wasm_fetched(d)),
        1,
        "the piece was fetched again"
    );

    d.call("DELETE", "", None);
}

/// The wasm files the page fetched since the test began to note them, by name.
fn wasm_fetched(d: &Driver) -> Vec<String> {
    let names = d.script(
        "return window.__fetched\
           .map(u => new URL(u, location.href).pathname.split('/').pop())\
           .filter(n => n.endsWith('.wasm'))",
    );
    serde_json::from_value(names).expect("a list of names")
}
