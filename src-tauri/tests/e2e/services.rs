//! The Services page: databases in Docker.

use crate::support::*;
use ai_desktop::testkit::*;
use std::path::PathBuf;
use std::time::Duration;

#[test]
fn services_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    ai_desktop_core::testkit::docker::redis_image();
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        data,
        home,
        _tmp,
        ..
    } = scene("services");
    let prefix = format!("aide2e{}", std::process::id());
    let _cleanup = ai_desktop_core::testkit::docker::Cleanup(prefix.clone());
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
    let (running, _) =
        ai_desktop_core::testkit::docker::docker(&["inspect", &format!("{prefix}-redis")]);
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
    ai_desktop_core::testkit::docker::docker(&["rm", "-f", &format!("{prefix}-redis")]);
    wait_text(d, "[data-testid=service-state-redis]", "Missing");
    d.step("services-missing");

    dismiss_toasts(d);
    d.click("[data-testid=service-uninstall-redis]");
    d.click("[data-testid=delete-data]");
    d.step("services-uninstall-dialog");
    d.click("[data-testid=confirm-uninstall]");
    d.find("[data-testid=services-empty]");
    let (volume, _) = ai_desktop_core::testkit::docker::docker(&[
        "volume",
        "inspect",
        &format!("{prefix}-redis-data"),
    ]);
    assert!(!volume, "the data volume was deleted as asked");
    d.call("DELETE", "", None);
}
