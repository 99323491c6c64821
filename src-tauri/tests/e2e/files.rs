//! The Files page: the file browser and editor.

use crate::support::*;
use ai_desktop::testkit::*;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn files_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("files");
    let project = root.join("shop");
    git_fixture(&project);
    std::fs::write(project.join("package.json"), "{\"name\":\"shop-api\"}\n").unwrap();
    std::fs::write(project.join("notes.txt"), "draft\n").unwrap();
    register_before_start(&data, "shop", &project);
    let trash = home.join(".local/share/Trash");
    let env = [
        ("HOME", home.display().to_string()),
        (
            "XDG_DATA_HOME",
            home.join(".local/share").display().to_string(),
        ),
        (
            "XDG_CONFIG_HOME",
            home.join(".config").display().to_string(),
        ),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-files]");
    let list = wait_text(d, "[data-testid=files-list]", "package.json");
    assert!(
        list.contains("modified") && list.contains("untracked"),
        "{list}"
    );
    d.step("files-list");

    // Open, edit, save.
    d.click("[data-testid=file-package\\.json] .file-name");
    // Shown highlighted first; Edit turns it into an editor.
    wait_text(d, "[data-testid=file-view] .hljs-string", "shop-api");
    d.click("[data-testid=file-edit]");
    d.find("[data-testid=file-editor]");
    d.type_into(
        "[data-testid=file-editor]",
        "{\"name\":\"shop-api\",\"private\":true}\n",
    );
    d.click("[data-testid=file-save]");
    d.wait_until("the file to be saved", || {
        (std::fs::read_to_string(project.join("package.json"))
            .ok()?
            .trim_end()
            == "{\"name\":\"shop-api\",\"private\":true}")
            .then_some(())
    });
    d.step("files-edited");
    dismiss_toasts(d);

    // A folder, and a name that leaves the repository refused.
    d.click("[data-testid=files-mkdir]");
    d.type_into("[data-testid=files-name]", "docs");
    d.click("[data-testid=files-submit]");
    wait_text(d, "[data-testid=files-list]", "docs");
    assert!(project.join("docs").is_dir());
    d.click("[data-testid=file-rename-notes\\.txt]");
    d.type_into("[data-testid=files-name]", "../notes.txt");
    d.click("[data-testid=files-submit]");
    wait_text(
        d,
        "[data-testid=files-dialog] [data-testid=form-error]",
        "leaves the repository",
    );
    assert!(project.join("notes.txt").exists() && !root.join("notes.txt").exists());
    d.type_into("[data-testid=files-name]", "docs/notes.txt");
    d.click("[data-testid=files-submit]");
    d.wait_until("the move", || {
        project.join("docs/notes.txt").exists().then_some(())
    });

    // To the trash, where it can be restored from.
    d.click("[data-testid=file-trash-docs]");
    d.click("[data-testid=files-trash-confirm]");
    d.wait_until("the trash", || {
        trash.join("files/docs/notes.txt").exists().then_some(())
    });
    assert!(!project.join("docs").exists());
    assert!(trash.join("info/docs.trashinfo").exists());
    d.step("files-after-trash");
    dismiss_toasts(d);

    // A workspace folder as a second root.
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("app.js"), "const answer = 42; // the answer\n").unwrap();
    std::fs::write(
        work.join("multi.py"),
        "HELP = \"\"\"Usage:\nimport os is not code here\n\"\"\"\nx = 1\n",
    )
    .unwrap();
    std::fs::write(work.join("quote.rs"), "let q = '\"'; let x = 5;\n").unwrap();
    let work_path = work.display().to_string();
    d.click("[data-testid=files-workspaces]");
    d.type_into("[data-testid=workspace-path]", "relative/path");
    d.click("[data-testid=workspace-add]");
    wait_text(d, "[data-testid=workspace-error]", "relative path");
    d.type_into("[data-testid=workspace-path]", &work_path);
    d.click("[data-testid=workspace-add]");
    wait_text(d, "[data-testid=workspaces-list]", &work_path);
    d.click("[data-testid=files-workspaces-dialog] .dialog-footer .button");
    d.click(&format!(
        "[data-testid=files-repo] option[value='w:{work_path}']"
    ));
    wait_text(d, "[data-testid=files-list]", "app.js");
    d.click("[data-testid=file-app\\.js] .file-name");
    wait_text(d, "[data-testid=file-view] .hljs-keyword", "const");
    wait_text(d, "[data-testid=file-view] .hljs-comment", "// the answer");
    wait_text(d, "[data-testid=file-view] .hljs-number", "42");
    d.step("files-workspace-highlighted");
    // What the old hand-written highlighter got wrong: a keyword inside a
    // multi-line Python string, and code after Rust's '"' taken as string.
    d.click("[data-testid=file-multi\\.py] .file-name");
    wait_text(d, "[data-testid=file-view] .hljs-string", "import os");
    assert!(
        !texts(d, "[data-testid=file-view] .hljs-keyword").contains(&"import".to_string()),
        "a word inside a string coloured as a keyword"
    );
    d.click("[data-testid=file-quote\\.rs] .file-name");
    wait_text(d, "[data-testid=file-view] .hljs-number", "5");
    assert_eq!(
        texts(d, "[data-testid=file-view] .hljs-string"),
        vec!["'\"'".to_string()]
    );
    d.step("files-highlighted-hard-cases");

    // Clone into it from the Git page: registered when done.
    let bare = root.join("shop.git");
    ai_desktop_core::testkit::git_cli::git(&root, &["clone", "-q", "--bare", "shop", "shop.git"]);
    d.click("[data-testid=nav-git]");
    d.click("[data-testid=git-clone]");
    d.type_into(
        "[data-testid=clone-url]",
        "ext::sh -c touch% /tmp/pwned-e2e",
    );
    d.click("[data-testid=clone-submit]");
    wait_text(d, "[data-testid=clone-error]", "transport helper");
    assert!(!Path::new("/tmp/pwned-e2e").exists(), "the ext:: URL ran");
    d.type_into(
        "[data-testid=clone-url]",
        &format!("file://{}", bare.display()),
    );
    d.type_into("[data-testid=clone-name]", "shop-copy");
    d.step("files-clone-dialog");
    d.click("[data-testid=clone-submit]");
    wait_text(d, "[data-testid=git-repo-select]", "shop-copy");
    assert!(work.join("shop-copy/.git").is_dir());
    assert!(work.join("shop-copy/package.json").exists());
    d.step("files-cloned");

    // The Doctor: this machine's git with its version, and the log folder.
    d.click("[data-testid=nav-settings]");
    let git = wait_text(d, "[data-testid=doctor-git]", "found");
    let version = String::from_utf8_lossy(
        &Command::new("git")
            .arg("--version")
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .trim_start_matches("git version ")
    .to_string();
    assert!(git.contains(&version), "{git} vs {version}");
    wait_text(d, "[data-testid=doctor-table]", "docker daemon");
    let logs = wait_text(d, "[data-testid=doctor-log-dir]", "logs");
    assert!(
        logs.starts_with(&home.display().to_string()),
        "the log folder is under the session's HOME: {logs}"
    );
    assert!(home
        .join(".local/state/ai-desktop/logs/ai-desktop.log")
        .exists());
    d.step("doctor");

    // Start at login, and what Quit does: both stored where they belong.
    let entry = home.join(".config/autostart/ai-desktop.desktop");
    d.click("[data-testid=autostart-toggle]");
    d.wait_until("the autostart entry", || entry.exists().then_some(()));
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains("--minimized"), "{text}");
    choose_value(d, "[data-testid=quit-choice-select]", "stop");
    let db = data.join("ai-desktop.sqlite3");
    d.wait_until("the quit choice to be stored", || {
        let v: String = rusqlite::Connection::open(&db)
            .ok()?
            .query_row(
                "SELECT value FROM settings WHERE key = 'app.on_quit'",
                [],
                |r| r.get(0),
            )
            .ok()?;
        (v == "\"stop\"").then_some(())
    });
    d.step("settings-start-and-quit");
    d.click("[data-testid=autostart-toggle]");
    d.wait_until("the autostart entry to go", || {
        (!entry.exists()).then_some(())
    });
    d.call("DELETE", "", None);
}
