//! The tray menu, through the real tray (StatusNotifierItem over D-Bus).

use crate::support::*;
use ai_desktop::testkit::*;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    let app = Kill::spawn(
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
    for _ in 0..8 {
        // Open in VS Code, Stacks, Deployments, Services, MCP servers, Run
        // recipe, Stop everything, Show/Hide window
        x(&["key", "Down"]);
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

    // With the tray up, closing the window only hides it (the app goes on),
    // and the tray's "Show/Hide window" brings it back.
    let main = x_window(&display, "AI Desktop").expect("the main window");
    let map_state = || {
        let out = Command::new("xwininfo")
            .args(["-display", &display, "-id", &main])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.trim().strip_prefix("Map State: ").map(str::to_string))
            .unwrap_or_default()
    };
    assert_eq!(map_state(), "IsViewable");
    close_x_window(&display, &main);
    wait(
        "the window hidden",
        Box::new(|| map_state() == "IsUnMapped"),
    );
    std::thread::sleep(Duration::from_secs(1));
    // Still running: not exited (a zombie, not yet reaped, counts as gone).
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", app.0.id())).unwrap_or_default();
    let state = stat.rsplit(") ").next().and_then(|s| s.chars().next());
    assert!(
        matches!(state, Some(c) if c != 'Z' && c != 'X') && map_state() == "IsUnMapped",
        "closing the window with a tray quit the app (state {state:?})"
    );
    x(&["mousemove", "1585", "12", "click", "1"]);
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..8 {
        x(&["key", "Down"]);
    }
    x(&["key", "Return"]);
    wait(
        "the window shown again",
        Box::new(|| map_state() == "IsViewable"),
    );
    shot("04-shown-again");
}
