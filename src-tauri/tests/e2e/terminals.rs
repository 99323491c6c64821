//! The Terminals page: shells in tabs.

use crate::support::*;
use ai_desktop::testkit::*;
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

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

    // Output travels as bytes and xterm decodes them: characters of two and
    // three bytes arrive whole, also in a flood cut into many reads.
    type_in_terminal(d, "printf 'caf\\303\\251 \\342\\234\\223 %s\\n' $((5*5))\n");
    wait_terminal_line(d, "accented and symbol characters on screen", "café ✓ 25");
    type_in_terminal(
        d,
        "yes \"$(printf '\\303\\251\\342\\234\\223\\342\\202\\254')\" | head -n 200000; echo wide-$((3*7))\n",
    );
    wait_terminal_line(d, "the multi-byte flood's end", "wide-21");
    let screen = terminal_text(d);
    assert!(
        screen.lines().any(|l| l.trim() == "é✓€"),
        "the flood's characters on screen:\n{screen}"
    );
    assert!(
        !screen.contains('\u{FFFD}'),
        "a character was cut on its way to the screen:\n{screen}"
    );

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

    // A shell that ends on its own: its code on the screen and on its tab.
    d.click("[data-testid=terminal-new]");
    d.find(".xterm-helper-textarea");
    type_in_terminal(d, "echo ready-$((2*5))\n");
    wait_terminal_line(d, "the second shell", "ready-10");
    type_in_terminal(d, "exit 3\n");
    wait_terminal_line(
        d,
        "the shell's exit on the screen",
        "[the shell exited with code 3]",
    );
    d.wait_until("the exit on the shell's tab", || {
        texts(d, ".terminal-tab")
            .iter()
            .any(|t| t.contains("(exited 3)"))
            .then_some(())
    });
    d.step("terminal-exited");
    d.call("DELETE", "", None);
}

/// A command the agent runs shows up as a tab on the Terminals page while
/// the page is open (no need to leave and come back).
#[test]
fn an_agent_command_tab_appears_on_the_open_terminals_page() {
    use ai_desktop_core::testkit::llm;
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("terminals-live");
    let project = root.join("shop");
    std::fs::create_dir_all(&project).unwrap();
    ai_desktop_core::testkit::git_cli::git(&project, &["init", "-q", "-b", "main"]);
    register_before_start(&data, "shop", &project);
    let provider = llm::Provider::start(None);
    let run = |id: &str, command: &str| {
        let args = json!({ "command": command }).to_string();
        llm::tool_call(id, "repository__run_command", &[&args])
    };
    provider.push(run("c1", "echo first-$((1+1))"));
    provider.push(llm::text(&["Ran it."]));
    // The second run comes after a pause long enough to be on the
    // Terminals page by then.
    let mut slow = vec![llm::delta(json!({"role": "assistant", "content": ""}))];
    slow.extend((0..20).map(|_| llm::delta(json!({"content": ""}))));
    if let llm::Reply::Stream { events, .. } = run("c2", "echo second-$((2+2))") {
        slow.extend(events);
    }
    provider.push(llm::Reply::Stream {
        events: slow,
        gap: Duration::from_millis(250),
    });
    provider.push(llm::text(&["Ran it again."]));
    let env = [
        ("HOME", home.display().to_string()),
        ("SHELL", "/bin/bash".to_string()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();
    set_up_provider(d, None, &provider.url, None);
    d.click("[data-testid=flow-new]");
    d.click("[data-testid=flow-tools]");
    choose(d, "[data-testid=flow-repository]", "shop");
    d.click("[data-testid=flow-tools-save]");
    wait_text(d, "[data-testid=flow-repository-chip]", "in shop");
    d.type_into("[data-testid=flow-input]", "Run it");
    d.click("[data-testid=flow-send]");
    d.click("[data-testid=flow-always]");
    wait_text(d, "[data-testid=flow-answer]", "Ran it.");

    d.type_into("[data-testid=flow-input]", "Run it again");
    d.click("[data-testid=flow-send]");
    d.click("[data-testid=nav-terminals]");
    // The first command's tab is there; the second appears while we look.
    let first = wait_text(d, "[data-testid=terminal-tabs]", "agent · shop");
    assert_eq!(
        texts(
            d,
            "[data-testid=terminal-tabs] [data-testid^=terminal-tab-]"
        )
        .len(),
        1,
        "{first}"
    );
    d.wait_until("the agent's second tab", || {
        (texts(
            d,
            "[data-testid=terminal-tabs] [data-testid^=terminal-tab-]",
        )
        .len()
            == 2)
            .then_some(())
    });
    d.step("terminals-agent-tab-live");
    let answered = provider.chats();
    assert!(answered.len() >= 3, "{}", answered.len());
}
