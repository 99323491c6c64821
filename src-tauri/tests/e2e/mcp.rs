//! The MCP Hub page: servers, tools and calls.

use crate::support::*;
use ai_desktop::testkit::*;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

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

    // Exported for other clients: the value only when asked for.
    d.click("[data-testid=mcp-export]");
    let exported = |d: &Driver| {
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "const t = document.querySelector('[data-testid=mcp-export-json]'); return t ? t.value : '';", "args": []})),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    };
    d.wait_until("the export", || {
        let json = exported(d);
        (json.contains("\"everything\"") && json.contains("\"E2E_TOKEN\": \"\"")).then_some(())
    });
    assert!(!exported(d).contains("hunter2-e2e"));
    d.click("[data-testid=mcp-export-secrets]");
    d.wait_until("the export with values", || {
        exported(d).contains("hunter2-e2e").then_some(())
    });
    d.step("mcp-export");
    d.click("[data-testid=mcp-export-dialog] .dialog-footer .button:not(.primary)");

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

    // The server asks the user something while its tool runs (elicitation):
    // a form from its schema with its defaults filled in; the answer goes
    // back to the tool, which reports it.
    d.click("[data-testid=tool-trigger-elicitation-request]");
    d.click("[data-testid=call-tool]");
    wait_text(
        d,
        "[data-testid=mcp-elicitation-message]",
        "Please provide inputs",
    );
    let first_line = d.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return document.querySelector('[data-testid=mcp-elicit-firstLine]').value;", "args": []})),
    );
    assert_eq!(first_line, json!("It was a dark and stormy night."));
    d.type_into("[data-testid=mcp-elicit-name]", "Ada Lovelace");
    d.step("mcp-elicitation-form");
    d.click("[data-testid=mcp-elicitation-accept]");
    wait_text(d, "[data-testid=call-result]", "Name: Ada Lovelace");
    wait_text(d, "[data-testid=call-result]", "Favorite Integer: 42");
    d.wait_until("the form gone", || {
        d.try_find("[data-testid=mcp-elicitation]")
            .is_none()
            .then_some(())
    });
    d.step("mcp-elicitation-answered");

    // A tool turned off: struck through, explained, refused; then on again.
    dismiss_toasts(d);
    d.click("[data-testid=tool-enabled-echo]");
    wait_text(d, "[data-testid=toast]", "echo is off");
    d.click("[data-testid=tool-echo]");
    d.find("[data-testid=tool-off]");
    d.step("mcp-tool-off");
    let off: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT disabled_tools FROM mcp_servers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(off, "[\"echo\"]");
    d.click("[data-testid=call-tool]");
    wait_text(d, "[data-testid=call-refused]", "turned off");
    dismiss_toasts(d);
    d.click("[data-testid=tool-enabled-echo]");
    wait_text(d, "[data-testid=toast]", "echo is on");
    d.wait_until("the banner gone", || {
        d.try_find("[data-testid=tool-off]").is_none().then_some(())
    });
    dismiss_toasts(d);

    let server_id: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT id FROM mcp_servers WHERE name = 'everything'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // A profile: the server without its echo tool, for Flow sessions.
    d.click("[data-testid=mcp-profiles]");
    d.find("[data-testid=mcp-profiles-empty]");
    d.type_into("[data-testid=mcp-profile-name]", "Lean");
    d.click(&format!("[data-testid=mcp-profile-server-{server_id}]"));
    d.click(&format!("[data-testid=mcp-profile-tool-{server_id}-echo]"));
    d.step("mcp-profile");
    d.click("[data-testid=mcp-profile-save]");
    wait_text(d, "[data-testid=mcp-profile-list]", "Lean");
    let stored: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT value FROM settings WHERE key = 'mcp.profiles'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored).unwrap(),
        json!([{"name": "Lean", "servers": [{"server_id": server_id, "tools_off": ["echo"]}]}])
    );
    d.click("[data-testid=mcp-profiles-dialog] .dialog-footer .button:not(.primary)");
    dismiss_toasts(d);

    // A prompt filled in with its argument, as the server renders it.
    d.click("[data-testid=tab-prompts]");
    d.click("[data-testid=prompt-args-prompt]");
    d.type_into("[data-testid=prompt-arg-city]", "Paris");
    d.click("[data-testid=prompt-get]");
    wait_text(d, "[data-testid=prompt-result]", "What's weather in Paris?");
    d.step("mcp-prompt-filled");

    // A resource of a template, its variable filled in.
    d.click("[data-testid=tab-resources]");
    d.type_into("[data-testid=template-dynamic-text-resource] input", "7");
    d.click("[data-testid=template-dynamic-text-resource] [data-testid=template-read]");
    wait_text(
        d,
        "[data-testid=resource-contents]",
        "Resource 7: This is a plaintext resource",
    );
    d.step("mcp-resource-template");

    // A watched resource: the server's change notice marks it changed and
    // the copy on screen is read again. (server-everything sends notices
    // once its toggle-subscriber-updates tool was called: called here
    // through the app's IPC, so the tab stays open.)
    d.click("[data-testid=resource-watch-architecture\\.md]");
    d.wait_until("watched", || {
        (d.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.querySelector('[data-testid=\"resource-watch-architecture.md\"]').checked;", "args": []})),
        ) == json!(true))
        .then_some(())
    });
    let toggled = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_call_tool', {id: arguments[0], tool: 'toggle-subscriber-updates', arguments: {}})
           .then(r => done('ok'), e => done('error: ' + JSON.stringify(e)));",
        json!([server_id]),
    );
    assert_eq!(toggled, json!("ok"));
    wait_text(d, "[data-testid=resource-list]", "changed");
    d.step("mcp-resource-watched");

    // The raw protocol: the messages both ways, the secret env value blanked.
    d.click("[data-testid=tab-protocol]");
    wait_text(d, "[data-testid=mcp-protocol]", "prompts/get");
    wait_text(d, "[data-testid=mcp-protocol]", "initialize");
    assert!(!page_has(d, "hunter2-e2e"));
    // A typed request, kept by name and sent again from the list.
    d.type_into("[data-testid=mcp-request-method]", "prompts/list");
    d.click("[data-testid=mcp-request-send]");
    wait_text(d, "[data-testid=mcp-request-answer]", "args-prompt");
    d.type_into("[data-testid=mcp-request-name]", "prompts");
    d.click("[data-testid=mcp-request-keep]");
    d.find("[data-testid=mcp-saved-prompts]");
    d.type_into("[data-testid=mcp-request-method]", "initialize");
    d.click("[data-testid=mcp-request-send]");
    wait_text(d, "[data-testid=mcp-request-refused]", "restart the server");
    d.click("[data-testid=mcp-saved-prompts]");
    wait_text(d, "[data-testid=mcp-request-answer]", "args-prompt");
    dismiss_toasts(d);
    d.type_into("[data-testid=mcp-protocol-filter]", "tools/call");
    d.wait_until("only the calls", || {
        let shown = texts(d, "[data-testid=mcp-wire-message]");
        (!shown.is_empty() && shown.iter().all(|t| t.contains("tools/call"))).then_some(())
    });
    d.step("mcp-protocol");

    d.click("[data-testid=tab-logs]");
    wait_text(
        d,
        "[data-testid=log-view]",
        "Starting default (STDIO) server",
    );
    d.step("mcp-logs");
    // Every log has search: only the matching lines stay.
    d.type_into("[data-testid=mcp-logs] [data-testid=log-search]", "STDIO");
    d.wait_until("only the matching log lines", || {
        let shown = texts(d, "[data-testid=mcp-logs] .log-line");
        (!shown.is_empty() && shown.iter().all(|l| l.to_lowercase().contains("stdio")))
            .then_some(())
    });
    d.type_into(
        "[data-testid=mcp-logs] [data-testid=log-search]",
        "no such line anywhere",
    );
    d.wait_until("no log line for a search that matches none", || {
        texts(d, "[data-testid=mcp-logs] .log-line")
            .is_empty()
            .then_some(())
    });
    d.step("mcp-logs-searched");
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
    assert_eq!(
        calls,
        [
            "echo",
            "trigger-elicitation-request",
            "toggle-subscriber-updates"
        ],
        "only the calls that were made are recorded (not the refused one)"
    );

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

    // A failure's technical detail is one click away in its toast, and the
    // toast stays while it is read.
    dismiss_toasts(d);
    let created = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_create', {input: {name: 'nowhere', transport: 'http', url: 'http://127.0.0.1:9/mcp'}})
           .then(r => done(r.id), e => done('error: ' + JSON.stringify(e)));",
        json!([]),
    );
    let nowhere = created.as_i64().unwrap_or_else(|| panic!("{created}"));
    d.click(&format!("[data-testid=mcp-server-{nowhere}]"));
    d.click("[data-testid=mcp-detail-start]");
    let message = wait_text(d, ".toast-error", "Could not connect to the MCP server");
    assert!(
        texts(d, "[data-testid=toast-detail]").is_empty(),
        "the detail shows before it is asked for"
    );
    d.click("[data-testid=toast-details]");
    let detail = d.wait_until("the toast's details", || {
        texts(d, "[data-testid=toast-detail]")
            .into_iter()
            .find(|t| !t.trim().is_empty())
    });
    assert!(
        !message.contains(detail.trim()),
        "the details repeat the message: {detail}"
    );
    d.step("mcp-error-details");
    // Past the 8 s an error toast lives: still there while its details are open.
    std::thread::sleep(Duration::from_secs(9));
    assert_eq!(texts(d, "[data-testid=toast-detail]"), vec![detail.clone()]);
    dismiss_toasts(d);

    // Audio a tool returns plays: the <audio> loads (the page's CSP had no
    // media-src, so the data: URL was blocked and it never did).
    let created = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_create', {input: {name: 'media', command: 'node', args: [arguments[0]]}})
           .then(r => done(r.id), e => done('error: ' + JSON.stringify(e)));",
        json!([concat!(env!("CARGO_MANIFEST_DIR"), "/../src-core/tests/fixtures/media_mcp.js")]),
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

/// An OAuth-protected server (the conformance suite's, on a loopback port)
/// signed in to from the window: Start sends the desktop's browser to the
/// authorization page (here a script that records the URL and follows the
/// redirect back, as a browser does once the user approves), the auth view
/// shows each stage done, the tokens land 0600 in the data folder, and Sign
/// out forgets them.
#[test]
fn mcp_oauth_sign_in_through_the_real_window() {
    use std::os::unix::fs::PermissionsExt;
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("mcp-oauth");
    let suite =
        ai_desktop_core::testkit::conformance::ScenarioServer::start("auth/metadata-default");
    // xdg-open hands the page to $BROWSER when there is no desktop.
    let record = root.join("browser.txt");
    let browser = root.join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\nexec curl -s -L -o /dev/null \"$1\"\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let env = [
        ("HOME", home.display().to_string()),
        ("BROWSER", browser.display().to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();
    d.click("[data-testid=nav-mcp]");
    d.find("[data-testid=mcp-empty]");
    let created = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_create', {input: {name: 'protected', transport: 'http', url: arguments[0]}})
           .then(r => done(r.id), e => done('error: ' + JSON.stringify(e)));",
        json!([suite.url]),
    );
    let id = created.as_i64().unwrap_or_else(|| panic!("{created}"));
    d.click(&format!("[data-testid=mcp-server-{id}]"));
    d.click("[data-testid=mcp-detail-start]");
    wait_text(d, "[data-testid=mcp-state]", "Running");
    wait_text(
        d,
        "[data-testid=mcp-auth-discovery]",
        "authorization server",
    );
    wait_text(d, "[data-testid=mcp-auth-registration]", "client id");
    wait_text(d, "[data-testid=mcp-auth-token]", "signed in");
    for stage in ["discovery", "registration", "browser", "token"] {
        let state = d.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": format!("return document.querySelector('[data-testid=mcp-auth-{stage}]').dataset.state;"), "args": []})),
        );
        assert_eq!(state, json!("done"), "{stage}");
    }
    d.find("[data-testid=mcp-signed-in]");
    d.step("mcp-oauth-signed-in");
    let opened = std::fs::read_to_string(&record).unwrap();
    assert_eq!(opened.lines().count(), 1, "{opened}");
    assert!(
        opened.contains("code_challenge_method=S256")
            && opened.contains("redirect_uri=http%3A%2F%2F127.0.0.1"),
        "{opened}"
    );
    let tokens = data.join("oauth").join(format!("{id}.json"));
    let mode = std::fs::metadata(&tokens).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    d.click("[data-testid=mcp-detail-stop]");
    wait_text(d, "[data-testid=mcp-state]", "Stopped");
    d.click("[data-testid=mcp-sign-out]");
    wait_text(d, "[data-testid=toast]", "Signed out");
    d.wait_until("the sign-in forgotten", || {
        (!tokens.exists() && d.try_find("[data-testid=mcp-signed-in]").is_none()).then_some(())
    });
    d.step("mcp-oauth-signed-out");
    d.call("DELETE", "", None);
}

/// The gateway set up through its dialog, an outside MCP client calling
/// through it, and the user answering that client's calls in the window.
#[test]
fn mcp_gateway_through_the_real_window() {
    use ai_desktop_core::testkit::gateway_client::call_in_thread;
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("mcp-gateway");
    let project = root.join("projects/blog");
    git_fixture(&project);
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();
    d.click("[data-testid=nav-mcp]");
    d.find("[data-testid=mcp-empty]");
    let created = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_create', {input: {name: 'everything', command: 'mcp-server-everything'}})
           .then(r => done(r.id), e => done('error: ' + JSON.stringify(e)));",
        json!([]),
    );
    assert!(created.as_i64().is_some(), "{created}");
    let repo = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('repos_create', {input: {name: 'blog', path: arguments[0]}})
           .then(r => done(r.id), e => done('error: ' + JSON.stringify(e)));",
        json!([project.display().to_string()]),
    );
    let repo = repo.as_i64().unwrap_or_else(|| panic!("{repo}"));

    // Off at first; turned on with the server shared, on a port of our choosing.
    d.click("[data-testid=mcp-gateway]");
    wait_text(d, "[data-testid=gateway-state]", "Off");
    d.find("[data-testid=gateway-tools-empty]");
    let port = free_port();
    d.type_into("[data-testid=gateway-port]", &port.to_string());
    d.click("[data-testid=gateway-enabled]");
    d.click("[data-testid=gateway-server-everything]");
    d.click("[data-testid=gateway-editors]");
    d.click("[data-testid=gateway-save]");
    let url = format!("http://127.0.0.1:{port}/mcp");
    wait_text(
        d,
        "[data-testid=gateway-state]",
        &format!("Serving at {url}"),
    );
    d.find("[data-testid='gateway-tool-everything__echo']");
    d.find("[data-testid=gateway-tool-list_repositories]");
    d.step("gateway-serving");

    // The client settings as the user copies them: the URL and the token.
    d.click("[data-testid=gateway-show-config]");
    d.find("[data-testid=gateway-config]");
    let config = d.script("return document.querySelector('[data-testid=gateway-config]').value;");
    let config: serde_json::Value = serde_json::from_str(config.as_str().unwrap()).unwrap();
    let entry = &config["mcpServers"]["ai-desktop"];
    assert_eq!(entry["url"], json!(url));
    let token = entry["headers"]["Authorization"]
        .as_str()
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap()
        .to_string();
    d.click("[data-testid=gateway-show-config]");
    // The repository's VS Code has the same entry among its MCP servers.
    let mcp_json = data.join(format!("vscode/{repo}/user-data/User/mcp.json"));
    let editor: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&mcp_json).unwrap()).unwrap();
    assert_eq!(editor["servers"]["ai-desktop"]["url"], json!(url));
    // … with a token of its own, so its calls are known as that editor's.
    let editor_token = editor["servers"]["ai-desktop"]["headers"]["Authorization"]
        .as_str()
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap()
        .to_string();
    assert_ne!(editor_token, token);

    // An outside client's call waits for the user, who allows it once.
    let call = call_in_thread(
        &url,
        &token,
        "everything__echo",
        json!({"message": "from outside"}),
    );
    d.find("[data-testid=gateway-approval]");
    wait_text(d, "[data-testid=gateway-approval-tool]", "everything__echo");
    wait_text(
        d,
        "[data-testid=gateway-approval-arguments]",
        "from outside",
    );
    d.step("gateway-approval");
    d.click("[data-testid=gateway-allow-once]");
    let (is_error, text) = call.join().unwrap().unwrap();
    assert!(!is_error, "{text}");
    assert!(text.contains("from outside"), "{text}");
    wait_text(d, "[data-testid=gateway-history]", "allowed by you");

    // Refused in the window: the client (here the repository's editor, as
    // the card says) is told, nothing ran.
    let call = call_in_thread(
        &url,
        &editor_token,
        "git_status",
        json!({"repository": "blog"}),
    );
    d.find("[data-testid=gateway-approval]");
    wait_text(d, "[data-testid=gateway-approval] h2", "VS Code of blog");
    d.click("[data-testid=gateway-deny]");
    let (is_error, text) = call.join().unwrap().unwrap();
    assert!(is_error && text.contains("refused"), "{text}");
    wait_text(d, "[data-testid=gateway-history]", "refused by you");

    // A rule: never allowed, and the user is not asked.
    d.script(
        "const s = document.querySelector('[data-testid=gateway-rule-list_repositories]');
         s.value = 'deny'; s.dispatchEvent(new Event('change'));",
    );
    d.wait_until("the rule kept", || {
        let v = d.script(
            "return document.querySelector('[data-testid=gateway-rule-list_repositories]').value;",
        );
        (v == json!("deny")).then_some(())
    });
    let (is_error, text) = call_in_thread(&url, &token, "list_repositories", json!({}))
        .join()
        .unwrap()
        .unwrap();
    assert!(is_error && text.contains("does not allow"), "{text}");
    assert!(d.try_find("[data-testid=gateway-approval]").is_none());
    wait_text(d, "[data-testid=gateway-history]", "refused by its rule");
    d.script("document.querySelector('[data-testid=gateway-history]').scrollIntoView();");
    d.step("gateway-history");

    // A wrong token gets nothing.
    let refused = call_in_thread(&url, "not-the-token", "list_repositories", json!({}))
        .join()
        .unwrap();
    assert!(refused.is_err(), "{refused:?}");

    // The repository's editor gets the shared tools through a profile
    // chosen in its edit dialog.
    d.press(&[keys::ESCAPE]);
    d.wait_until("the gateway dialog closed", || {
        d.try_find("[data-testid=gateway-dialog]")
            .is_none()
            .then_some(())
    });
    let saved = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_save_profile', {profile: {name: 'lean', servers: [{server_id: arguments[0], tools_off: ['echo']}]}, remove: false})
           .then(() => done('ok'), e => done('error: ' + JSON.stringify(e)));",
        json!([created]),
    );
    assert_eq!(saved, json!("ok"));
    d.click("[data-testid=nav-repositories]");
    d.click("[data-testid=edit-repo]");
    choose_value(d, "[data-testid=repo-mcp-profile]", "lean");
    d.step("repository-mcp-profile");
    d.click("[data-testid=repo-submit]");
    let db = data.join("ai-desktop.sqlite3");
    d.wait_until("the profile kept", || {
        let p: Option<String> = rusqlite::Connection::open(&db)
            .ok()?
            .query_row(
                "SELECT mcp_profile FROM repositories WHERE id = ?1",
                [repo],
                |r| r.get(0),
            )
            .ok()?;
        (p.as_deref() == Some("lean")).then_some(())
    });
    d.click("[data-testid=nav-mcp]");
    d.click("[data-testid=mcp-gateway]");
    wait_text(d, "[data-testid=gateway-state]", "Serving at");

    // Off: the port is closed.
    d.click("[data-testid=gateway-enabled]");
    d.click("[data-testid=gateway-save]");
    wait_text(d, "[data-testid=gateway-state]", "Off");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    let _ = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('mcp_stop', {id: arguments[0]}).then(() => done(true), () => done(false));",
        json!([created]),
    );
}
