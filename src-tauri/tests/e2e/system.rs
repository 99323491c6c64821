//! The System page: the monitor and the PM2 process list.

use crate::support::*;
use ai_desktop::testkit::*;
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

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
    // Deleting it from PM2 asks first; then PM2 forgets it.
    d.click("[data-testid^=pm2-delete-]");
    d.click("[data-testid=pm2-confirm-delete]");
    wait_text(d, "[data-testid=toast]", "users-sleeper deleted from PM2");
    d.wait_until("PM2 to forget the sleeper", || {
        let out = Command::new("pm2")
            .arg("jlist")
            .env("PM2_HOME", &pm2_home.0)
            .output()
            .ok()?;
        (!String::from_utf8_lossy(&out.stdout).contains("users-sleeper")).then_some(())
    });
    d.find("[data-testid=pm2-empty]");
    d.step("system-pm2-deleted");

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
