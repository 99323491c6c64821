//! The release .deb (`bash .ci/package` makes it; `.ci/test` runs this with
//! `AI_DESKTOP_DEB` set): unpacked, its control fields, desktop entry with
//! the `aidesktop` URL scheme, icons, and the installed binary starting
//! under Xvfb with a window of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn find(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(find(&p, suffix));
        } else if p.to_string_lossy().ends_with(suffix) {
            out.push(p);
        }
    }
    out
}

#[test]
#[ignore = "needs the .deb: bash .ci/package, then AI_DESKTOP_DEB=<path>"]
fn the_deb_installs_a_desktop_entry_with_the_scheme_and_a_binary_that_starts() {
    let deb = PathBuf::from(std::env::var("AI_DESKTOP_DEB").expect("AI_DESKTOP_DEB"));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let tree = root.join("tree");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&tree));

    let field = |name: &str| {
        run(Command::new("dpkg-deb").arg("-f").arg(&deb).arg(name))
            .trim()
            .to_string()
    };
    assert_eq!(field("Package"), "ai-desktop");
    let depends = field("Depends");
    for lib in ["libwebkit2gtk-4.1-0", "libgtk-3-0"] {
        assert!(depends.contains(lib), "Depends: {depends}");
    }

    let binary = tree.join("usr/bin/ai-desktop");
    assert!(binary.is_file(), "no usr/bin/ai-desktop");
    let entries = find(&tree.join("usr/share/applications"), ".desktop");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = std::fs::read_to_string(&entries[0]).unwrap();
    for line in [
        "Exec=ai-desktop %u",
        "Name=AI Desktop",
        "MimeType=x-scheme-handler/aidesktop",
        "Type=Application",
        "Icon=ai-desktop",
    ] {
        assert!(
            entry.lines().any(|l| l.trim() == line),
            "{line:?} missing:\n{entry}"
        );
    }
    let validate = Command::new("desktop-file-validate")
        .arg(&entries[0])
        .output()
        .unwrap();
    assert!(
        validate.status.success() && validate.stdout.is_empty(),
        "desktop-file-validate: {}{}",
        String::from_utf8_lossy(&validate.stdout),
        String::from_utf8_lossy(&validate.stderr)
    );
    let icons = find(
        &tree.join("usr/share/icons/hicolor"),
        "/apps/ai-desktop.png",
    );
    assert!(icons.len() >= 2, "{icons:?}");

    // The unpacked binary starts under Xvfb and maps a window titled AI Desktop.
    let (display, _xvfb) = ai_desktop::testkit::display();
    let mut app = ai_desktop::testkit::app_command(&binary, &display, root)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut window = false;
    while Instant::now() < deadline {
        assert!(app.try_wait().unwrap().is_none(), "the app exited at start");
        let tree = Command::new("xwininfo")
            .args(["-display", &display, "-root", "-tree"])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&tree.stdout).contains("\"AI Desktop\"") {
            window = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    // A screenshot of the installed app's first screen, to look at.
    std::thread::sleep(Duration::from_secs(3));
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-shots/deb");
    let _ = std::fs::create_dir_all(&shots);
    let _ = Command::new("import")
        .args(["-display", &display, "-window", "root"])
        .arg(shots.join("first-screen.png"))
        .status();
    let alive = app.try_wait().unwrap().is_none();
    let _ = app.kill();
    let _ = app.wait();
    assert!(window, "no window titled AI Desktop appeared");
    assert!(alive, "the app did not stay up");
    let log = std::fs::read_to_string(root.join("logs/ai-desktop.log")).unwrap();
    assert!(log.contains("data in"), "{log}");
    assert!(root.join("data/ai-desktop.sqlite3").exists());

    let size = std::fs::metadata(&deb).unwrap().len();
    let figures = format!(
        "deb: {}\nsize: {size} bytes ({:.1} MB)\nbinary: {} bytes\n",
        deb.display(),
        size as f64 / 1e6,
        std::fs::metadata(&binary).unwrap().len()
    );
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let _ = std::fs::create_dir_all(&target);
    std::fs::write(target.join("deb.txt"), &figures).unwrap();
    println!("{figures}");
}
