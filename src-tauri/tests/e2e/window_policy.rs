//! The window policy: where windows may go, the page's log, the link opener, window state.

use crate::support::*;
use ai_desktop::testkit::*;
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

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
    launched.expected_page_errors = vec!["e2e-uncaught-marker"];
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
    // The same errors, first ones first, are kept in the page for a timed-out
    // wait to report (`stall_report`), whatever the log around them.
    let kept = d.first_page_errors();
    let console = kept.find("e2e-console-marker");
    let uncaught = kept.find("e2e-uncaught-marker");
    assert!(
        console.is_some() && uncaught.is_some() && console < uncaught,
        "{kept}"
    );

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
    // The same log files as the first launch.
    again.expected_page_errors = vec!["e2e-uncaught-marker"];
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

/// Pages left while they still load: every page clicked in quick
/// succession, over and over, as a user hunting for something does. A
/// read that comes back to a page already gone must not touch that page's
/// state (it would stop the whole window: a panic in the page ends its
/// code). Afterwards the window still answers, and (checked when the app
/// is dropped) the page threw nothing.
#[test]
fn pages_left_while_they_load_leave_the_window_working() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("page-hopping");
    for i in 0..20 {
        let project = root.join(format!("app{i}"));
        std::fs::create_dir_all(&project).unwrap();
        register_before_start(&data, &format!("app{i}"), &project);
    }
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots;
    d.find("[data-testid=nav-repositories]");
    let hopped = d.async_script(
        "const done = arguments[arguments.length - 1];
         const pages = ['repositories', 'vscode', 'deployments', 'services', 'mcp', 'flow',
                        'files', 'git', 'system', 'terminals', 'hosts', 'settings'];
         (async () => {
           let n = 0;
           for (let round = 0; round < 8; round++) {
             for (const p of round % 2 ? [...pages].reverse() : pages) {
               document.querySelector(`[data-testid=nav-${p}]`).click();
               // 0 to 45 ms on a page: some reads come back after it is gone.
               await new Promise(r => setTimeout(r, (n++ * 7) % 50));
             }
           }
           done(n);
         })().catch(e => done('error: ' + e));",
        json!([]),
    );
    assert_eq!(hopped, json!(96), "{hopped}");
    // Every read that was under way comes back meanwhile.
    std::thread::sleep(Duration::from_secs(3));
    d.click("[data-testid=nav-repositories]");
    let mut expected: Vec<String> = (0..20).map(|i| format!("app{i}")).collect();
    expected.sort();
    d.wait_until("the repositories listed again", || {
        let mut names = d.row_names();
        names.sort();
        (names == expected).then_some(())
    });
    d.step("still-working");
    d.call("DELETE", "", None);
}
