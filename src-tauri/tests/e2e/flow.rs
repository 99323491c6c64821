//! The Flow Builder page: a conversation with a tool call the user approves (a loopback provider).

use crate::support::*;
use ai_desktop::testkit::*;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

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
    let provider = ai_desktop_core::testkit::llm::Provider::start(Some(KEY));
    provider.push(ai_desktop_core::testkit::llm::tool_call(
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
    let mut events = vec![ai_desktop_core::testkit::llm::delta(
        json!({"role": "assistant", "content": ""}),
    )];
    for piece in answer {
        for word in piece.split_inclusive(' ') {
            events.push(ai_desktop_core::testkit::llm::delta(
                json!({ "content": word }),
            ));
        }
    }
    events.push(ai_desktop_core::testkit::llm::finish("stop"));
    provider.push(ai_desktop_core::testkit::llm::Reply::Stream {
        events,
        gap: Duration::from_millis(40),
    });

    // An MCP server registered before the app starts, through the same store.
    {
        let store = std::sync::Arc::new(ai_desktop_core::store::Store::open_in(&data).unwrap());
        ai_desktop_core::mcp::McpHub::new(
            store,
            std::sync::Arc::new(ai_desktop_core::events::RecordingSink::default()),
            ai_desktop_core::mcp::McpConfig::new(Vec::new()),
        )
        .unwrap()
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
    d.type_into(
        "[data-testid=flow-settings-model]",
        ai_desktop_core::testkit::llm::MODEL,
    );
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
    // Code in the answer is coloured by its language (highlight.js).
    wait_text(
        d,
        "[data-testid=flow-answer] code.language-bash .hljs-string",
        "'hello from the window'",
    );
    d.step("flow-answered");

    // A prompt of the session's server, filled in, lands in the message box.
    d.click("[data-testid=flow-insert-prompt]");
    d.find("[data-testid=flow-prompt-pick]");
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "const s = document.querySelector('[data-testid=flow-prompt-pick]');
                       const o = [...s.options].find(o => o.textContent.includes('Arguments Prompt'));
                       s.value = o.value; s.dispatchEvent(new Event('change'));",
            "args": [],
        })),
    );
    d.type_into("[data-testid=flow-prompt-arg-city]", "Oslo");
    d.step("flow-prompt-dialog");
    d.click("[data-testid=flow-prompt-insert]");
    d.wait_until("the prompt in the message box", || {
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.querySelector('[data-testid=flow-input]').value;", "args": []})),
        )
        .as_str()
        .filter(|v| *v == "What's weather in Oslo?")
        .map(|_| ())
    });
    // A resource of the session's server, attached to the message as a file.
    d.click("[data-testid=flow-attach-resource]");
    d.click("[data-testid=flow-resource-architecture\\.md]");
    wait_text(d, "[data-testid=flow-pending-files]", "architecture.md");
    d.step("flow-resource-attached");
    d.click("[data-testid=flow-pending-remove-0]");
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "const t = document.querySelector('[data-testid=flow-input]'); t.value = ''; t.dispatchEvent(new Event('input'));", "args": []})),
    );
    // The same prompt as a slash command: "/" and a few letters list the
    // matching prompts; Enter opens the first, filled in, in the box.
    d.type_into("[data-testid=flow-input]", "/arguments");
    let listed = wait_text(d, "[data-testid=flow-slash]", "Arguments Prompt");
    assert_eq!(
        texts(d, "[data-testid=flow-slash] li").len(),
        1,
        "only the matching prompt: {listed}"
    );
    d.step("flow-slash-command");
    d.press(&[keys::ENTER]);
    d.type_into("[data-testid=flow-prompt-arg-city]", "Bergen");
    d.click("[data-testid=flow-prompt-insert]");
    d.wait_until("the slash prompt in the message box", || {
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.querySelector('[data-testid=flow-input]').value;", "args": []})),
        )
        .as_str()
        .filter(|v| *v == "What's weather in Bergen?")
        .map(|_| ())
    });
    assert!(d.try_find("[data-testid=flow-slash]").is_none());
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "const t = document.querySelector('[data-testid=flow-input]'); t.value = ''; t.dispatchEvent(new Event('input'));", "args": []})),
    );

    // Markdown rendered; the model's HTML shown as text, not made an element.
    let dom = d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "const a = Array.from(document.querySelectorAll('[data-testid=flow-answer]')).find(a => a.textContent.includes('raw html stays text'));
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
    provider.push(ai_desktop_core::testkit::llm::status(
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
    let mut events = vec![ai_desktop_core::testkit::llm::delta(
        json!({"role": "assistant", "content": ""}),
    )];
    events.extend(chars.chunks(6).map(|c| {
        ai_desktop_core::testkit::llm::delta(json!({ "content": c.iter().collect::<String>() }))
    }));
    events.push(ai_desktop_core::testkit::llm::finish("stop"));
    provider.push(ai_desktop_core::testkit::llm::Reply::Stream {
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
    provider.push(ai_desktop_core::testkit::llm::Reply::Stream {
        events: std::iter::once(ai_desktop_core::testkit::llm::delta(
            json!({"role": "assistant", "content": ""}),
        ))
        .chain((1..=40).map(|i| {
            ai_desktop_core::testkit::llm::delta(json!({ "content": format!("Line {i}.\n\n") }))
        }))
        .chain([ai_desktop_core::testkit::llm::finish("stop")])
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

    // A dialog holds the keyboard while open (Tab cannot leave it), and
    // Escape closes it without doing anything.
    let sessions = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM flow_sessions", [], |r| r.get(0))
            .unwrap()
    };
    let before = sessions(&conn);
    d.click("[data-testid=flow-delete]");
    d.find("[data-testid=flow-delete-confirm]");
    for _ in 0..5 {
        d.press(&[keys::TAB]);
        assert!(
            d.focus_inside("[data-testid=flow-delete-dialog]"),
            "Tab moved the focus out of the open dialog"
        );
    }
    d.step("flow-delete-asked");
    d.press(&[keys::ESCAPE]);
    d.wait_until("Escape to close the dialog", || {
        d.try_find("[data-testid=flow-delete-dialog]")
            .is_none()
            .then_some(())
    });
    assert_eq!(sessions(&conn), before, "Escape deleted the session");

    // A double click on Delete sends one request: the session goes, with
    // one success toast and no "not found" error from a second delete.
    dismiss_toasts(d);
    d.click("[data-testid=flow-delete]");
    d.find("[data-testid=flow-delete-confirm]");
    d.script(
        "window.__deletes = 0;
         const fetch = window.fetch;
         window.fetch = function (url) {
             if (String(url).includes('flow_delete_session')) window.__deletes += 1;
             return fetch.apply(this, arguments);
         };
         const yes = document.querySelector('[data-testid=flow-delete-confirm]');
         yes.click();
         yes.click();",
    );
    wait_text(d, "[data-testid=toast]", "Session deleted");
    d.wait_until("the dialog to close after deleting", || {
        d.try_find("[data-testid=flow-delete-dialog]")
            .is_none()
            .then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(d.script("return window.__deletes;"), json!(1));
    assert!(
        d.try_find(".toast-error").is_none(),
        "a second delete was sent and failed"
    );
    assert_eq!(sessions(&conn), before - 1);
    d.step("flow-deleted-once");

    // A tool of the agent's that asks the user something (elicitation): the
    // form comes up over the conversation, and the answer reaches the tool.
    provider.push(ai_desktop_core::testkit::llm::tool_call(
        "call_ask",
        "everything__trigger-elicitation-request",
        &["{}"],
    ));
    provider.push(ai_desktop_core::testkit::llm::text(&["Thanks, Grace."]));
    // In a new session with the server's tools.
    d.click("[data-testid=flow-new]");
    d.find("[data-testid=flow-conversation-empty]");
    d.click("[data-testid=flow-tools]");
    d.click("[data-testid=flow-tools-dialog] input[type=checkbox]");
    d.click("[data-testid=flow-tools-save]");
    wait_text(d, "[data-testid=flow-tools]", "Tools of 1 server(s)");
    d.type_into("[data-testid=flow-input]", "Ask me for my details");
    d.click("[data-testid=flow-send]");
    d.wait_until("the approval of the asking tool", || {
        texts(d, "[data-testid=flow-tool-call]")
            .iter()
            .any(|t| t.contains("trigger-elicitation-request"))
            .then_some(())
    });
    d.click("[data-testid=flow-approve]");
    wait_text(
        d,
        "[data-testid=mcp-elicitation-message]",
        "Please provide inputs",
    );
    d.type_into("[data-testid=mcp-elicit-name]", "Grace Hopper");
    d.step("flow-elicitation");
    d.click("[data-testid=mcp-elicitation-accept]");
    d.wait_until("the answer in the tool's result", || {
        texts(d, "[data-testid=flow-tool-result]")
            .iter()
            .any(|t| t.contains("Name: Grace Hopper"))
            .then_some(())
    });
    wait_text(d, "[data-testid=flow-state]", "Idle");
    d.call("DELETE", "", None);
}

/// A session working in a repository: the agent's change to a file is shown
/// as a diff, written once approved, and put back by *Undo to here*.
#[test]
fn flow_agent_changes_a_repository_file_after_a_diff_and_undoes_it() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("flow-repository");
    let project = root.join("shop");
    std::fs::create_dir_all(&project).unwrap();
    let original = "const port = 3000;\napp.listen(port);\n";
    std::fs::write(project.join("server.js"), original).unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "."],
        &[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "First",
        ],
    ] {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&project)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }
    register_before_start(&data, "shop", &project);
    const KEY: &str = "sk-e2e-flow-repo-0123456789";
    let provider = ai_desktop_core::testkit::llm::Provider::start(Some(KEY));
    let edit = json!({"path": "server.js", "old_text": "port = 3000", "new_text": "port = 8080"});
    provider.push(ai_desktop_core::testkit::llm::tool_call(
        "call_edit",
        "repository__edit_file",
        &[&edit.to_string()],
    ));
    provider.push(ai_desktop_core::testkit::llm::text(&[
        "The app now listens on 8080.",
    ]));

    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();
    // This session's provider speaks Anthropic's Messages API (the loopback
    // answers the same script in that protocol).
    set_up_provider(
        d,
        Some("Anthropic (Messages API)"),
        &provider.url,
        Some(KEY),
    );

    // A session that works in the repository, chosen in its Tools.
    d.click("[data-testid=flow-new]");
    d.find("[data-testid=flow-conversation-empty]");
    d.click("[data-testid=flow-tools]");
    choose(d, "[data-testid=flow-repository]", "shop");
    d.step("flow-repository-picker");
    d.click("[data-testid=flow-tools-save]");
    wait_text(d, "[data-testid=flow-repository-chip]", "in shop");
    wait_text(d, "[data-testid=flow-tools]", "Tools of shop");

    d.type_into("[data-testid=flow-input]", "Serve on port 8080");
    d.click("[data-testid=flow-send]");
    // The change is shown as a diff before anything is written.
    d.find("[data-testid=flow-approve]");
    let diff = wait_text(d, "[data-testid=flow-tool-diff]", "server.js");
    assert!(diff.contains("-const port = 3000;"), "{diff}");
    assert!(diff.contains("+const port = 8080;"), "{diff}");
    let card = wait_text(d, "[data-testid=flow-tool-call]", "repository · edit_file");
    assert!(card.contains("The change, for you to approve"), "{card}");
    assert_eq!(
        std::fs::read_to_string(project.join("server.js")).unwrap(),
        original
    );
    d.step("flow-diff-approval");

    d.click("[data-testid=flow-approve]");
    wait_text(d, "[data-testid=flow-answer]", "listens on 8080");
    // Anthropic reports the tokens too.
    wait_text(
        d,
        "[data-testid=flow-answer-meta]",
        "1,234 in · 56 out tokens",
    );
    // Every turn went through Anthropic's protocol, the key in x-api-key.
    let chats = provider.chats();
    assert!(chats.len() >= 2, "{chats:?}");
    for chat in &chats {
        assert_eq!(chat.path, "/v1/messages");
        assert_eq!(chat.api_key.as_deref(), Some(KEY));
        assert_eq!(chat.authorization, None);
    }
    assert_eq!(
        std::fs::read_to_string(project.join("server.js")).unwrap(),
        original.replace("3000", "8080")
    );
    wait_text(
        d,
        "[data-testid=flow-tool-result]",
        "Changed server.js (checkpoint",
    );
    d.find("[data-testid=flow-undo]");
    d.step("flow-checkpoint");

    // Undo to here: the file exactly as it was, the checkpoint gone.
    d.click("[data-testid=flow-undo]");
    d.find("[data-testid=flow-undo-dialog]");
    d.step("flow-undo-confirm");
    d.click("[data-testid=flow-undo-confirm]");
    d.find("[data-testid=flow-undone]");
    assert_eq!(
        std::fs::read(project.join("server.js")).unwrap(),
        original.as_bytes()
    );
    wait_text(d, ".toast", "Put back 1 file as it was before the change");
    d.step("flow-undone");
    assert_eq!(provider.unused_replies(), 0);
    d.call("DELETE", "", None);
}

/// A session in a sandbox: its worktree and VS Code appear (the editor's
/// window drawn), the agent's edit lands there and not in the repository,
/// *Merge* commits it and the Git page merges the branch, *Discard* removes
/// worktree, branch and editor.
#[test]
fn flow_session_in_a_sandbox_is_merged_and_discarded_from_the_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("flow-sandbox");
    let project = root.join("shop");
    std::fs::create_dir_all(&project).unwrap();
    let git = |args: &[&str]| ai_desktop_core::testkit::git_cli::git(&project, args);
    std::fs::write(project.join("server.js"), "const port = 3000;\n").unwrap();
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "First"]);
    register_before_start(&data, "shop", &project);
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n",
    )
    .unwrap();
    let provider = ai_desktop_core::testkit::llm::Provider::start(None);
    let edit = json!({"path": "server.js", "old_text": "3000", "new_text": "4000"});
    provider.push(ai_desktop_core::testkit::llm::tool_call(
        "call_edit",
        "repository__edit_file",
        &[&edit.to_string()],
    ));
    provider.push(ai_desktop_core::testkit::llm::text(&[
        "Port 4000, in the sandbox.",
    ]));
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = shots.clone();
    set_up_provider(d, None, &provider.url, None);

    // Tools: the repository, in a sandbox.
    d.click("[data-testid=flow-new]");
    d.find("[data-testid=flow-conversation-empty]");
    d.click("[data-testid=flow-tools]");
    choose(d, "[data-testid=flow-repository]", "shop");
    d.click("[data-testid=flow-sandbox-toggle]");
    d.step("flow-sandbox-choose");
    d.click("[data-testid=flow-tools-save]");
    let branch = "agent/session-1";
    wait_text(d, "[data-testid=flow-sandbox-branch]", branch);
    wait_text(
        d,
        "[data-testid=flow-repository-chip]",
        "in shop · agent/session-1",
    );
    let status = wait_text(d, "[data-testid=flow-sandbox-status]", "VS Code on ");
    let port: u16 = status
        .split("VS Code on ")
        .nth(1)
        .and_then(|p| p.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {status}"));
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let worktree = root.join("shop-agent-session-1");
    assert_eq!(
        ai_desktop_core::testkit::git_cli::git(&worktree, &["branch", "--show-current"]),
        branch
    );
    d.step("flow-sandbox");

    // The agent's change lands in the sandbox only.
    d.type_into("[data-testid=flow-input]", "Serve on 4000");
    d.click("[data-testid=flow-send]");
    d.click("[data-testid=flow-approve]");
    wait_text(d, "[data-testid=flow-answer]", "in the sandbox");
    assert_eq!(
        std::fs::read_to_string(worktree.join("server.js")).unwrap(),
        "const port = 4000;\n"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("server.js")).unwrap(),
        "const port = 3000;\n"
    );
    wait_text(d, "[data-testid=flow-sandbox-status]", "1 changed file(s)");

    // Its own VS Code: the worktree's window, drawn.
    d.click("[data-testid=flow-sandbox-editor]");
    let shown_by = std::time::Instant::now() + Duration::from_secs(90);
    let title = "shop · agent/session-1 — VS Code";
    let editor = loop {
        if let Some(id) = x_window(&display, title) {
            if window_shot(&display, &id, &shots.join("flow-sandbox-editor.png")) > 0.1 {
                break id;
            }
        }
        assert!(
            std::time::Instant::now() < shown_by,
            "the sandbox's VS Code never showed (see flow-sandbox-editor.png)"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    // Closed again, so the screenshots below show the app.
    close_x_window(&display, &editor);
    d.wait_until("the editor window closed", || {
        x_window(&display, title).is_none().then_some(())
    });

    // Merge: committed on its branch, then merged on the Git page.
    d.click("[data-testid=flow-sandbox-merge]");
    // Offered: the session's title.
    d.wait_until("the title as the message", || {
        (d.script("return document.querySelector('[data-testid=flow-sandbox-message]')?.value")
            == json!("Serve on 4000"))
        .then_some(())
    });
    d.type_into("[data-testid=flow-sandbox-message]", "Serve on port 4000");
    d.step("flow-sandbox-merge");
    d.click("[data-testid=flow-sandbox-merge-confirm]");
    d.find("[data-testid=page-git]");
    d.wait_until("the sandbox's branch chosen to merge", || {
        (d.script("return document.querySelector('[data-testid=git-join-branch]')?.value")
            == json!(branch))
        .then_some(())
    });
    assert_eq!(
        git(&["log", "-1", "--format=%an %s", branch]),
        "Ada Lovelace Serve on port 4000"
    );
    d.step("flow-sandbox-git");
    d.click("[data-testid=git-merge]");
    d.wait_until("the merge", || {
        (std::fs::read_to_string(project.join("server.js")).unwrap() == "const port = 4000;\n")
            .then_some(())
    });

    // Discard: worktree, branch and editor go; the conversation stays.
    d.click("[data-testid=nav-flow]");
    d.click("[data-testid=flow-session-1]");
    wait_text(
        d,
        "[data-testid=flow-sandbox-status]",
        "0 commit(s) to merge",
    );
    d.click("[data-testid=flow-sandbox-discard]");
    let asked = wait_text(
        d,
        "[data-testid=flow-sandbox-discard-dialog]",
        "shop-agent-session-1",
    );
    assert!(asked.contains(&format!("its branch {branch}")), "{asked}");
    d.step("flow-sandbox-discard");
    d.click("[data-testid=flow-sandbox-discard-confirm]");
    wait_text(d, "[data-testid=flow-sandbox-discarded]", "was discarded");
    assert!(!worktree.exists());
    assert_eq!(git(&["branch", "--list", "agent/*"]), "");
    d.wait_until("the sandbox's VS Code gone", || {
        std::net::TcpStream::connect(("127.0.0.1", port))
            .is_err()
            .then_some(())
    });
    d.find("[data-testid=flow-answer]");
    d.step("flow-sandbox-discarded");
    assert_eq!(provider.unused_replies(), 0);
    d.call("DELETE", "", None);
}

/// A recipe made in the Recipes dialog (bad input refused first) and run by
/// hand: its session opens, titled after it, and the model gets its first
/// message and system prompt.
#[test]
fn flow_recipe_made_and_run_from_the_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        data,
        home,
        _tmp,
        ..
    } = scene("flow-recipes");
    const KEY: &str = "sk-e2e-recipes-0123456789";
    let provider = ai_desktop_core::testkit::llm::Provider::start(Some(KEY));
    provider.push(ai_desktop_core::testkit::llm::text(&[
        "Nothing changed ",
        "overnight.",
    ]));
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();
    set_up_provider(d, None, &provider.url, Some(KEY));

    d.click("[data-testid=flow-recipes-open]");
    d.find("[data-testid=flow-recipes-empty]");
    d.click("[data-testid=flow-recipe-new]");
    // Bad input: said in the form, nothing saved.
    d.click("[data-testid=flow-recipe-save]");
    wait_text(d, "[data-testid=form-error]", "Give the recipe a name");
    d.type_into("[data-testid=flow-recipe-name]", "Morning check");
    d.type_into(
        "[data-testid=flow-recipe-prompt]",
        "What changed overnight?",
    );
    d.type_into(
        "[data-testid=flow-recipe-system]",
        "You report changes in one line.",
    );
    choose(
        d,
        "[data-testid=flow-recipe-trigger]",
        "When a deployment crashes",
    );
    d.click("[data-testid=flow-recipe-save]");
    wait_text(d, "[data-testid=form-error]", "needs a repository");
    // A schedule needs a sane interval.
    choose(d, "[data-testid=flow-recipe-trigger]", "On a schedule");
    d.type_into("[data-testid=flow-recipe-every]", "5");
    d.click("[data-testid=flow-recipe-save]");
    wait_text(d, "[data-testid=form-error]", "from 15 to 10,080");
    d.step("flow-recipe-schedule");
    choose(d, "[data-testid=flow-recipe-trigger]", "When I run it");
    d.step("flow-recipe-form");
    d.click("[data-testid=flow-recipe-save]");
    let listed = wait_text(d, "[data-testid=flow-recipes]", "Morning check");
    assert!(
        listed.contains("Run by hand") && listed.contains("0 runs"),
        "{listed}"
    );
    d.step("flow-recipes-list");

    d.click("[data-testid=flow-recipe-run]");
    wait_text(d, "[data-testid=flow-recipe-chip]", "recipe Morning check");
    wait_text(d, "[data-testid=flow-answer]", "Nothing changed overnight.");
    // What the answer took, as the provider reported it.
    wait_text(
        d,
        "[data-testid=flow-answer-meta]",
        "loopback-model · 1,234 in · 56 out tokens",
    );
    d.step("flow-recipe-run");
    let chat = &provider.chats()[0].body;
    let sent = chat["messages"].as_array().unwrap();
    assert_eq!(sent[0]["content"], "You report changes in one line.");
    assert_eq!(sent.last().unwrap()["content"], "What changed overnight?");
    // Exported as Markdown into ~/Downloads, said in a toast.
    d.click("[data-testid=flow-export] summary");
    d.click("[data-testid=flow-export-md]");
    let exported = home.join("Downloads/Morning-check.md");
    wait_text(d, ".toast", &exported.display().to_string());
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(
        text.contains("## You\n\nWhat changed overnight?")
            && text.contains("Nothing changed overnight."),
        "{text}"
    );
    dismiss_toasts(d);
    // Forked at the answer: a new session with both messages, shown at once.
    d.click("[data-testid=flow-message-assistant] [data-testid=flow-fork]");
    wait_text(d, "[data-testid=flow-title]", "Morning check (fork)");
    wait_text(
        d,
        "[data-testid=flow-messages]",
        "Nothing changed overnight.",
    );
    d.step("flow-forked");
    assert_eq!(texts(d, "[data-testid=flow-sessions] .repo-name").len(), 2);

    // The list counts the run (a fork is not a run).
    d.click("[data-testid=flow-recipes-open]");
    wait_text(d, "[data-testid=flow-recipe-detail]", "1 run");
}

/// Files picked in the composer go with the message: a text file inside the
/// text, an image as a picture; the message shows them (the image drawn);
/// a file that is neither is refused with why and nothing is sent.
#[test]
fn flow_files_and_images_go_with_a_message() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("flow-files");
    let notes = root.join("notes.md");
    std::fs::write(&notes, "# Kettle\nBoils water.\n").unwrap();
    let photo = root.join("photo.png");
    let drawn = std::process::Command::new("convert")
        .args(["-size", "48x32", "gradient:orange-purple"])
        .arg(&photo)
        .status()
        .expect("ImageMagick's convert");
    assert!(drawn.success());
    let png = std::fs::read(&photo).unwrap();
    let binary = root.join("tool.bin");
    std::fs::write(&binary, b"\x7fELF\x02\x01\x01\0\0\0").unwrap();
    let provider = ai_desktop_core::testkit::llm::Provider::start(None);
    provider.push(ai_desktop_core::testkit::llm::text(&[
        "A note about a kettle, and a gradient.",
    ]));
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();
    set_up_provider(d, None, &provider.url, None);
    d.click("[data-testid=flow-new]");
    d.find("[data-testid=flow-conversation-empty]");
    // What a file chooser hands the page.
    let pick = |d: &Driver, paths: &[&std::path::Path]| {
        let el = d.find("[data-testid=flow-attach-input]");
        let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        d.call(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({"text": list.join("\n")})),
        );
    };

    // Neither text nor an image: refused, nothing sent, the file still there to remove.
    pick(d, &[&binary]);
    wait_text(d, "[data-testid=flow-pending-files]", "tool.bin");
    d.type_into("[data-testid=flow-input]", "Run this");
    d.click("[data-testid=flow-send]");
    wait_text(
        d,
        ".toast",
        "neither text nor a PNG, JPEG, GIF or WebP image",
    );
    assert!(provider.chats().is_empty());
    d.click("[data-testid=flow-pending-remove-0]");
    d.wait_until("the file removed", || {
        d.try_find("[data-testid=flow-pending-files]")
            .is_none()
            .then_some(())
    });
    dismiss_toasts(d);

    pick(d, &[&notes, &photo]);
    let pending = wait_text(d, "[data-testid=flow-pending-files]", "photo.png");
    assert!(pending.contains("notes.md"), "{pending}");
    d.step("flow-files-pending");
    d.type_into("[data-testid=flow-input]", "What are these?");
    d.click("[data-testid=flow-send]");
    wait_text(d, "[data-testid=flow-answer]", "a gradient");
    // Sent: the note inside the text, the picture as a data URL of its bytes.
    let body = &provider.chats()[0].body;
    let user = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "user")
        .unwrap()
        .clone();
    assert_eq!(
        user["content"][0]["text"],
        json!("What are these?\n\n<file name=\"notes.md\">\n# Kettle\nBoils water.\n</file>")
    );
    assert_eq!(
        user["content"][1]["image_url"]["url"],
        json!(format!(
            "data:image/png;base64,{}",
            ai_desktop_core::flow::attachments::encode(&png)
        ))
    );
    // Shown with the message: the note by name, the picture drawn.
    let shown = wait_text(d, "[data-testid=flow-attachments]", "notes.md");
    assert!(shown.contains("photo.png"), "{shown}");
    d.wait_until("the picture drawn", || {
        (d.script("const i = document.querySelector('[data-testid=flow-attachments] img'); return i && i.complete ? i.naturalWidth : 0")
            == json!(48))
        .then_some(())
    });
    assert!(d.try_find("[data-testid=flow-pending-files]").is_none());
    d.step("flow-files-sent");
    assert_eq!(provider.unused_replies(), 0);
    d.call("DELETE", "", None);
}
