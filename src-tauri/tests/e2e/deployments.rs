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
