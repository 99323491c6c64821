//! The desktop's dark style: the real XDG desktop portal (with its GTK
//! backend reading GNOME's `color-scheme` setting from dconf) on a session
//! bus of the test's own, as on a GNOME desktop.

use crate::support::*;
use ai_desktop::testkit::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A session bus whose activated services (the portal, its GTK backend,
/// dconf) see `display` and keep their settings under `dir`.
fn portal_bus(display: &str, dir: &Path) -> (String, Kill) {
    use std::os::unix::fs::PermissionsExt;
    let runtime = dir.join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    session_bus_with(&portal_env(display, dir))
}

fn portal_env(display: &str, dir: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("DISPLAY", display.to_string()),
        ("XDG_CURRENT_DESKTOP", "GNOME".into()),
        ("XDG_CONFIG_HOME", dir.join("config").display().to_string()),
        ("XDG_RUNTIME_DIR", dir.join("run").display().to_string()),
        ("GSETTINGS_BACKEND", "dconf".into()),
    ]
}

/// What a user does in GNOME's Appearance settings (Dark / Default style).
fn set_style(bus: &str, display: &str, dir: &Path, value: &str) {
    let status = Command::new("gsettings")
        .args(["set", "org.gnome.desktop.interface", "color-scheme", value])
        .envs(portal_env(display, dir))
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .status()
        .expect("gsettings (libglib2.0-bin)");
    assert!(status.success());
}

fn page_is_dark(d: &Driver) -> bool {
    d.script("return window.matchMedia('(prefers-color-scheme: dark)').matches;")
        .as_bool()
        .unwrap()
}

/// The window is dark when the desktop prefers dark (read at start) and
/// follows a change while it runs.
#[test]
fn the_window_follows_the_desktops_dark_style() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("appearance");
    let (display, xvfb) = display();
    let portal_dir = root.join("desktop");
    let (bus, _bus) = portal_bus(&display, &portal_dir);
    set_style(&bus, &display, &portal_dir, "prefer-dark");
    let env = [
        ("DBUS_SESSION_BUS_ADDRESS", bus.clone()),
        ("HOME", home.display().to_string()),
    ];
    let mut launched = launch_on((display.clone(), xvfb), &app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots;
    d.find("[data-testid=nav-repositories]");
    d.wait_until("the window dark, as the desktop prefers", || {
        page_is_dark(d).then_some(())
    });
    d.step("dark");

    set_style(&bus, &display, &portal_dir, "default");
    d.wait_until("the window light again", || {
        (!page_is_dark(d)).then_some(())
    });
    d.step("light");
    set_style(&bus, &display, &portal_dir, "prefer-dark");
    d.wait_until("the window dark again", || page_is_dark(d).then_some(()));
    d.call("DELETE", "", None);
}
