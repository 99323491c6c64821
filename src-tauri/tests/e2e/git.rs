//! The Git settings: identity and SSH keys.

use crate::support::*;
use ai_desktop::testkit::*;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn git_identity_and_ssh_keys_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("git");
    let project = root.join("shop");
    git_fixture(&project);
    // A branch that will conflict with the commit made from the window.
    let cli = |args: &[&str]| ai_desktop_core::testkit::git_cli::git(&project, args);
    cli(&["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop-api\",\"version\":\"1.5.0-feature\"}\n",
    )
    .unwrap();
    cli(&["commit", "-qam", "Feature version"]);
    cli(&["checkout", "-q", "main"]);
    let bare = root.join("origin.git");
    ai_desktop_core::testkit::git_cli::git(
        &root,
        &["init", "-q", "--bare", "-b", "main", "origin.git"],
    );
    register_before_start(&data, "shop", &project);
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-git]");
    d.find("[data-testid=ssh-empty]");
    d.find("[data-testid=git-clean]");
    // Bad input is refused with a reason, and nothing is written. (A line
    // break cannot be typed into these fields; the headless tests send one.)
    d.type_into("[data-testid=git-name]", "Eve <root@example.org>");
    d.type_into("[data-testid=git-email]", "eve@example.org");
    d.click("[data-testid=git-identity-save]");
    wait_text(d, "[data-testid=git-identity-error]", "cannot contain");
    assert!(!home.join(".gitconfig").exists());
    d.type_into("[data-testid=git-name]", "Ada Lovelace");
    d.click("[data-testid=git-identity-save]");
    d.wait_until("~/.gitconfig to be written", || {
        let out = Command::new("git")
            .args(["config", "--file"])
            .arg(home.join(".gitconfig"))
            .arg("user.name")
            .output()
            .ok()?;
        (String::from_utf8_lossy(&out.stdout).trim() == "Ada Lovelace").then_some(())
    });
    dismiss_toasts(d);

    d.click("[data-testid=ssh-generate]");
    d.type_into("[data-testid=ssh-comment]", "ada@e2e");
    d.step("git-new-key");
    d.click("[data-testid=ssh-submit]");
    let listed = wait_text(d, "[data-testid=ssh-list]", "id_ed25519");
    assert!(
        listed.contains("SHA256:") && listed.contains("ada@e2e"),
        "{listed}"
    );
    assert!(home.join(".ssh/id_ed25519").exists());
    // The same name again is refused; the key stays.
    let before = std::fs::read(home.join(".ssh/id_ed25519")).unwrap();
    dismiss_toasts(d);
    d.click("[data-testid=ssh-generate]");
    d.click("[data-testid=ssh-submit]");
    wait_text(
        d,
        "[data-testid=ssh-dialog] [data-testid=form-error]",
        "already exists",
    );
    assert_eq!(std::fs::read(home.join(".ssh/id_ed25519")).unwrap(), before);
    d.click("[data-testid=ssh-dialog] .dialog-footer .button:not(.primary)");
    d.step("git-identity-and-keys");

    // A commit from the window, as the identity just saved.
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"shop-api\",\"version\":\"2.0.0\"}\n",
    )
    .unwrap();
    // The change shows up by itself (the repository is watched).
    d.click("[data-testid=git-toggle-package\\.json]");
    wait_text(d, "[data-testid=git-toggle-package\\.json]", "Unstage");
    assert_eq!(cli(&["diff", "--cached", "--name-only"]), "package.json");
    d.type_into("[data-testid=git-message]", "Release 2.0.0");
    d.step("git-staged");
    d.click("[data-testid=git-commit]");
    wait_text(d, "[data-testid=git-log]", "Release 2.0.0");
    d.find("[data-testid=git-clean]");
    assert_eq!(
        cli(&["log", "-1", "--format=%an <%ae>|%s"]),
        "Ada Lovelace <eve@example.org>|Release 2.0.0"
    );
    d.step("git-committed");
    dismiss_toasts(d);

    // Remotes: the fixture's unreachable origin replaced by a bare
    // repository on disk (removing asks first), then a push.
    d.click("[data-testid=git-tab-remotes]");
    wait_text(d, "[data-testid=git-remotes]", "git@example.com");
    d.click("[data-testid=git-remotes] .button.danger");
    d.find("[data-testid=confirm-dialog]");
    d.click("[data-testid=confirm-yes]");
    wait_text(d, "[data-testid=git-tab-remotes]", "Remotes (0)");
    d.type_into("[data-testid=git-remote-name]", "origin");
    d.type_into("[data-testid=git-remote-url]", &bare.display().to_string());
    d.click("[data-testid=git-remote-add]");
    wait_text(d, "[data-testid=git-remotes]", &bare.display().to_string());
    d.click("[data-testid=git-push]");
    let head = cli(&["rev-parse", "HEAD"]);
    d.wait_until("the push to reach the bare repository", || {
        let out = Command::new("git")
            .args(["rev-parse", "main"])
            .current_dir(&bare)
            .output()
            .ok()?;
        (String::from_utf8_lossy(&out.stdout).trim() == head).then_some(())
    });
    wait_text(d, "[data-testid=git-branches]", "origin/main");
    d.step("git-pushed");
    dismiss_toasts(d);

    // A merge that conflicts: reported with its file, then aborted.
    choose(d, "[data-testid=git-join-branch]", "feature");
    d.click("[data-testid=git-merge]");
    let conflicted = wait_text(d, "[data-testid=git-conflicted]", "package.json");
    assert!(conflicted.contains("package.json"), "{conflicted}");
    assert!(project.join(".git/MERGE_HEAD").exists());
    d.step("git-merge-conflict");
    d.click("[data-testid=git-abort]");
    d.wait_until("the merge to be aborted", || {
        (!project.join(".git/MERGE_HEAD").exists()
            && d.try_find("[data-testid=git-under-way]").is_none())
        .then_some(())
    });
    assert_eq!(cli(&["rev-parse", "HEAD"]), head);
    assert_eq!(cli(&["status", "--porcelain"]), "");

    // Deleting a branch asks first; Cancel keeps it, Delete removes it.
    d.type_into("[data-testid=git-new-branch]", "scratch");
    d.press(&[keys::ENTER]);
    d.wait_until("on the new branch", || {
        (cli(&["branch", "--show-current"]) == "scratch").then_some(())
    });
    d.click("[data-testid=git-switch-branch-main]");
    d.wait_until("back on main", || {
        (cli(&["branch", "--show-current"]) == "main").then_some(())
    });
    d.click("[data-testid=git-delete-branch-scratch]");
    wait_text(d, "[data-testid=confirm-dialog]", "scratch");
    d.click("[data-testid=confirm-dialog] .dialog-footer .button:not(.danger)");
    d.wait_until("the question to close", || {
        d.try_find("[data-testid=confirm-dialog]")
            .is_none()
            .then_some(())
    });
    assert_eq!(cli(&["branch", "--list", "scratch"]), "scratch");
    d.click("[data-testid=git-delete-branch-scratch]");
    d.click("[data-testid=confirm-yes]");
    d.wait_until("the branch to be deleted", || {
        cli(&["branch", "--list", "scratch"])
            .is_empty()
            .then_some(())
    });
    d.step("git-branch-deleted");

    // A commit's diff, from the history.
    d.click("[data-testid=git-log] .git-commit");
    wait_text(d, "[data-testid=git-commit-message]", "Release 2.0.0");
    wait_text(d, "[data-testid=git-commit-dialog] .diff-table", "2.0.0");
    d.step("git-commit-diff");

    // … and reverted from there: a new commit, the file as before it.
    let before = cli(&["show", "HEAD~1:package.json"]);
    d.click("[data-testid=git-revert]");
    wait_text(d, "[data-testid=git-log]", "Revert \"Release 2.0.0\"");
    assert_eq!(
        std::fs::read_to_string(project.join("package.json"))
            .unwrap()
            .trim(),
        before
    );
    assert_eq!(cli(&["status", "--porcelain"]), "");
    d.step("git-reverted");
    d.call("DELETE", "", None);
}

/// Lines and hunks of a diff staged and discarded through the window, and
/// the discard undone, each checked with the git CLI and the bytes on disk.
#[test]
fn git_lines_and_hunks_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("git-lines");
    let project = root.join("shop");
    std::fs::create_dir_all(&project).unwrap();
    let cli = |args: &[&str]| ai_desktop_core::testkit::git_cli::git(&project, args);
    let original: String = (1..=20).map(|i| format!("l{i}\n")).collect();
    std::fs::write(project.join("f.txt"), &original).unwrap();
    cli(&["init", "-q"]);
    cli(&["add", "."]);
    cli(&["commit", "-qm", "first"]);
    // Line 3 changed, two lines added after 5, line 17 removed: two hunks.
    let edited = original
        .replace("l3\n", "L3\n")
        .replace("l5\n", "l5\nnew-a\nnew-b\n")
        .replace("l17\n", "");
    std::fs::write(project.join("f.txt"), &edited).unwrap();
    register_before_start(&data, "shop", &project);
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n",
    )
    .unwrap();
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();
    let index = || {
        let out = Command::new("git")
            .args(["show", ":f.txt"])
            .current_dir(&project)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let on_disk = || std::fs::read_to_string(project.join("f.txt")).unwrap();

    d.click("[data-testid=nav-git]");
    d.click("[data-testid=git-open-f\\.txt]");
    d.find("[data-testid=git-file-diff] [data-testid=diff-hunk-apply-1]");
    // Two lines of the first hunk: the new line 3 and new-b (not the
    // removal of l3, not new-a).
    d.click("[data-testid=diff-pick-new-3] td.code");
    d.click("[data-testid=diff-pick-new-7] td.code");
    wait_text(d, "[data-testid=diff-apply-picked]", "Stage 2 lines");
    d.step("git-lines-picked");
    d.click("[data-testid=diff-apply-picked]");
    d.wait_until("the two lines in the index", || {
        (index()
            == original
                .replace("l3\n", "l3\nL3\n")
                .replace("l5\n", "l5\nnew-b\n"))
        .then_some(())
    });
    assert_eq!(on_disk(), edited);
    // The viewer shows what is left: l3's removal, new-a and l17's removal.
    d.wait_until("the rest of the diff", || {
        let added = texts(d, "[data-testid=git-file-diff] tr.diff-add");
        let removed = texts(d, "[data-testid=git-file-diff] tr.diff-del");
        (added.len() == 1 && added[0].contains("new-a") && removed.len() == 2).then_some(())
    });
    d.step("git-lines-staged");

    // The second hunk (l17's removal) discarded: l17 is back on disk.
    let hunks = texts(d, "[data-testid=git-file-diff] tr.diff-hunk").len();
    assert_eq!(hunks, 2);
    d.click("[data-testid=diff-hunk-discard-1]");
    d.wait_until("l17 back in the file", || {
        on_disk().contains("l16\nl17\nl18\n").then_some(())
    });
    wait_text(d, "[data-testid=git-undo]", "Discard of 1 line in f.txt");
    d.step("git-hunk-discarded");
    // … and undone: the file is byte for byte what it was.
    d.click("[data-testid=git-undo]");
    d.wait_until("the discard undone", || (on_disk() == edited).then_some(()));
    d.wait_until("the undo button gone", || {
        d.try_find("[data-testid=git-undo]").is_none().then_some(())
    });
    // The staged side of the same file: unstage new-b again.
    d.click("[data-testid=git-diff-side-staged]");
    d.click("[data-testid=git-file-diff] [data-testid=diff-pick-new-7] td.code");
    wait_text(d, "[data-testid=diff-apply-picked]", "Unstage 1 line");
    d.click("[data-testid=diff-apply-picked]");
    d.wait_until("new-b out of the index", || {
        (index() == original.replace("l3\n", "l3\nL3\n")).then_some(())
    });
    assert_eq!(on_disk(), edited);
    d.step("git-line-unstaged");
    dismiss_toasts(d);

    // The whole file's unstaged changes discarded (asked first) and undone.
    let staged_version = index();
    d.click("[data-testid=git-discard-f\\.txt]");
    wait_text(d, "[data-testid=confirm-dialog]", "f.txt");
    d.click("[data-testid=confirm-yes]");
    d.wait_until("the file as staged", || {
        (on_disk() == staged_version).then_some(())
    });
    wait_text(
        d,
        "[data-testid=git-undo]",
        "Discard of the changes to f.txt",
    );
    d.step("git-file-discarded");
    d.click("[data-testid=git-undo]");
    d.wait_until("the file's changes back", || {
        (on_disk() == edited).then_some(())
    });
    d.wait_until("the undo button gone", || {
        d.try_find("[data-testid=git-undo]").is_none().then_some(())
    });
    dismiss_toasts(d);

    // A commit of what is staged, undone: HEAD goes back, the change stays staged.
    let first = cli(&["rev-parse", "HEAD"]);
    d.type_into("[data-testid=git-message]", "Stage by line");
    d.click("[data-testid=git-commit]");
    wait_text(d, "[data-testid=git-log]", "Stage by line");
    wait_text(d, "[data-testid=git-undo]", "“Stage by line”");
    d.click("[data-testid=git-undo]");
    d.wait_until("HEAD back", || {
        (cli(&["rev-parse", "HEAD"]) == first).then_some(())
    });
    d.wait_until("the undo button gone", || {
        d.try_find("[data-testid=git-undo]").is_none().then_some(())
    });
    assert_eq!(index(), staged_version);
    dismiss_toasts(d);

    // Amending the first commit's message (what is staged goes in too).
    d.click("[data-testid=git-amend]");
    wait_text(d, "[data-testid=git-commit]", "Amend last commit");
    d.type_into("[data-testid=git-message]", "first, reworded");
    d.step("git-amend");
    d.click("[data-testid=git-commit]");
    d.wait_until("the amended commit", || {
        (cli(&["log", "-1", "--format=%s|%an|%cn"]) == "first, reworded|Script|Ada Lovelace")
            .then_some(())
    });
    assert_eq!(cli(&["rev-list", "--count", "HEAD"]), "1");
    wait_text(d, "[data-testid=git-log]", "first, reworded");
    d.step("git-amended");
    dismiss_toasts(d);

    // The current branch renamed in place, then the rename undone.
    d.click("[data-testid=git-rename-branch-main]");
    d.type_into("[data-testid=git-rename-input]", "trunk");
    d.click("[data-testid=git-rename-save]");
    d.wait_until("the branch renamed", || {
        (cli(&["branch", "--show-current"]) == "trunk").then_some(())
    });
    wait_text(d, "[data-testid=git-branches]", "trunk");
    wait_text(d, "[data-testid=git-undo]", "Rename of main to trunk");
    d.click("[data-testid=git-undo]");
    d.wait_until("the rename undone", || {
        (cli(&["branch", "--show-current"]) == "main").then_some(())
    });
    dismiss_toasts(d);

    // The file's blame (the working copy: new-a is not committed) and its
    // history; a commit from it opens its diff.
    d.click("[data-testid=git-file-blame]");
    wait_text(d, "[data-testid=git-blame]", "new-a");
    wait_text(d, "[data-testid=git-blame]", "Not committed yet");
    wait_text(d, "[data-testid=git-blame]", "Script");
    d.step("git-blame");
    d.click("[data-testid=git-insight-history]");
    wait_text(d, "[data-testid=git-file-history]", "first, reworded");
    d.click("[data-testid=git-file-history] .git-commit");
    wait_text(d, "[data-testid=git-commit-message]", "first, reworded");
    d.step("git-file-history-commit");
    d.click("[data-testid=git-commit-dialog] .dialog-header button[aria-label=Close]");
    dismiss_toasts(d);

    // Trusted, the repository's own pre-commit hook runs: it refuses, and
    // says why; skipped for one commit, the commit goes through.
    use std::os::unix::fs::PermissionsExt;
    let hook = project.join(".git/hooks/pre-commit");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'hook says no: fix f.txt first' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    d.click("[data-testid=git-trusted]");
    wait_text(d, "[data-testid=toast]", "Trusted");
    let head = cli(&["rev-parse", "HEAD"]);
    dismiss_toasts(d);
    d.click("[data-testid=git-toggle-f\\.txt]");
    wait_text(d, "[data-testid=git-toggle-f\\.txt]", "Unstage");
    d.type_into("[data-testid=git-message]", "Through the hook");
    d.click("[data-testid=git-commit]");
    wait_text(d, "[data-testid=toast]", "hook says no: fix f.txt first");
    d.click("[data-testid=toast-details]");
    assert_eq!(cli(&["rev-parse", "HEAD"]), head);
    d.step("git-hook-refused");
    dismiss_toasts(d);
    d.click("[data-testid=git-skip-hooks]");
    d.click("[data-testid=git-commit]");
    d.wait_until("the commit past the hook", || {
        (cli(&["log", "-1", "--format=%s"]) == "Through the hook").then_some(())
    });
    dismiss_toasts(d);

    // A worktree of a new branch: a folder next to the repository, listed
    // with its own VS Code; removed again (asked first).
    d.click("[data-testid=git-tab-worktrees]");
    d.find("[data-testid=git-worktrees-empty]");
    d.type_into("[data-testid=git-worktree-branch]", "feature/side");
    d.press(&[keys::ENTER]);
    d.find("[data-testid=git-worktree-open-feature-side]");
    let side = root.join("shop-feature-side");
    assert_eq!(
        ai_desktop_core::testkit::git_cli::git(&side, &["branch", "--show-current"]),
        "feature/side"
    );
    d.step("git-worktree");
    d.click("[data-testid=git-worktree-remove-feature-side]");
    d.click("[data-testid=confirm-yes]");
    d.find("[data-testid=git-worktrees-empty]");
    assert!(!side.exists());
    dismiss_toasts(d);

    // A merge conflict resolved in the 3-way editor: theirs taken, the
    // result staged, the merge committed from the window (through git
    // commit: the repository is trusted; its refusing hook is gone).
    std::fs::remove_file(&hook).unwrap();
    std::fs::write(project.join("c.txt"), "top\nshared\nbottom\n").unwrap();
    cli(&["add", "c.txt"]);
    cli(&["commit", "-qm", "c base", "--no-verify"]);
    cli(&["checkout", "-qb", "other"]);
    std::fs::write(project.join("c.txt"), "top\nshared by other\nbottom\n").unwrap();
    cli(&["commit", "-qam", "c other", "--no-verify"]);
    cli(&["checkout", "-q", "main"]);
    std::fs::write(project.join("c.txt"), "top\nshared by main\nbottom\n").unwrap();
    cli(&["commit", "-qam", "c main", "--no-verify"]);
    d.click("[data-testid=nav-system]");
    d.click("[data-testid=nav-git]");
    choose(d, "[data-testid=git-join-branch]", "other");
    d.click("[data-testid=git-merge]");
    d.click("[data-testid=git-resolve-c\\.txt]");
    wait_text(d, "[data-testid=git-conflict-0]", "shared by other");
    d.click("[data-testid=git-take-theirs-0]");
    wait_text(d, "[data-testid=git-conflict-result]", "");
    d.step("git-conflict-editor");
    d.click("[data-testid=git-conflict-save]");
    d.wait_until("the conflict resolved and staged", || {
        cli(&["diff", "--name-only", "--diff-filter=U"])
            .is_empty()
            .then_some(())
    });
    assert_eq!(
        std::fs::read_to_string(project.join("c.txt")).unwrap(),
        "top\nshared by other\nbottom\n"
    );
    // What the user sees next: nothing conflicted any more, c.txt staged.
    // (The conflicted list going moves the commit box up; a click aimed
    // before that lands below the button.)
    d.wait_until("the page to show no conflicted file", || {
        d.try_find("[data-testid=git-conflicted]")
            .is_none()
            .then_some(())
    });
    wait_text(d, "[data-testid=git-toggle-c\\.txt]", "Unstage");
    dismiss_toasts(d);
    d.type_into("[data-testid=git-message]", "Merge other");
    d.click("[data-testid=git-commit]");
    d.wait_until("the merge committed", || {
        (cli(&["log", "-1", "--format=%s %P"]).split(' ').count() == 4).then_some(())
    });
    assert_eq!(cli(&["show", "HEAD:c.txt"]), "top\nshared by other\nbottom");
    dismiss_toasts(d);

    // An interactive rebase of the three commits after the merge: the
    // second dropped, the third moved up.
    for n in ["r1", "r2", "r3"] {
        std::fs::write(project.join(format!("{n}.txt")), n).unwrap();
        cli(&["add", "."]);
        cli(&["commit", "-qm", n, "--no-verify"]);
    }
    d.click("[data-testid=nav-system]");
    d.click("[data-testid=nav-git]");
    wait_text(d, "[data-testid=git-log]", "r3");
    d.call(
        "POST",
        "/execute/sync",
        Some(serde_json::json!({
            "script": "[...document.querySelectorAll('[data-testid=git-log] .graph-row')].find(r => r.textContent.includes('Merge other')).click();",
            "args": [],
        })),
    );
    d.click("[data-testid=git-rebase-here]");
    wait_text(d, "[data-testid=git-rebase-plan]", "r2");
    let drop = d.find("[data-testid=git-rebase-action-1]");
    d.call(
        "POST",
        "/execute/sync",
        Some(serde_json::json!({
            "script": "const s = arguments[0]; s.value = 'drop'; s.dispatchEvent(new Event('change'));",
            "args": [{ ELEMENT_KEY: drop }],
        })),
    );
    // r3 dragged to the top (the page's own drag and drop handlers, fed
    // the events a drag makes), then r1 moved back above it with ↑.
    d.call(
        "POST",
        "/execute/sync",
        Some(serde_json::json!({
            "script": "const row = i => document.querySelector(`[data-testid=git-rebase-row-${i}]`);
                       row(2).dispatchEvent(new DragEvent('dragstart', {bubbles: true}));
                       row(0).dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true}));
                       row(0).dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true}));",
            "args": [],
        })),
    );
    wait_text(d, "[data-testid=git-rebase-row-0]", "r3");
    d.click("[data-testid=git-rebase-up-1]");
    wait_text(d, "[data-testid=git-rebase-row-0]", "r1");
    d.step("git-rebase-editor");
    d.click("[data-testid=git-rebase-start]");
    d.wait_until("the rebased history", || {
        (cli(&["log", "--format=%s", "-3"]) == "r3\nr1\nMerge other").then_some(())
    });
    assert!(!project.join("r2.txt").exists());
    assert_eq!(cli(&["status", "--porcelain"]), "");
    // … and undone from the page: the three commits as they were.
    wait_text(d, "[data-testid=git-undo]", "Interactive rebase");
    d.click("[data-testid=git-undo]");
    // The branch moves back first, then the files follow it.
    d.wait_until("the rebase undone, files and all", || {
        (cli(&["log", "--format=%s", "-3"]) == "r3\nr2\nr1"
            && project.join("r2.txt").exists()
            && cli(&["status", "--porcelain"]).is_empty())
        .then_some(())
    });
    d.wait_until("the undo button gone", || {
        d.try_find("[data-testid=git-undo]").is_none().then_some(())
    });
    dismiss_toasts(d);

    // A stash dropped (asked first) and brought back by Undo.
    std::fs::write(project.join("r1.txt"), "r1, half edited").unwrap();
    d.click("[data-testid=git-tab-stashes]");
    d.type_into("[data-testid=git-stash-message]", "half done");
    d.click("[data-testid=git-stash-push]");
    wait_text(d, "[data-testid=git-stashes]", "half done");
    assert_eq!(cli(&["status", "--porcelain"]), "");
    d.click("[data-testid=git-stash-drop-0]");
    d.click("[data-testid=confirm-yes]");
    // Asked while the drop may be half done (its reflog entry gone, the
    // ref not yet): git's refusal then means "not yet", not a failure.
    d.wait_until("the stash dropped", || {
        let out = std::process::Command::new("git")
            .args(["stash", "list"])
            .current_dir(&project)
            .output()
            .ok()?;
        (out.status.success() && out.stdout.is_empty()).then_some(())
    });
    wait_text(d, "[data-testid=git-undo]", "half done");
    d.click("[data-testid=git-undo]");
    wait_text(d, "[data-testid=git-stashes]", "half done");
    d.step("git-stash-back-by-undo");
    assert!(cli(&["stash", "list"]).contains("half done"));
    d.wait_until("the undo button gone", || {
        d.try_find("[data-testid=git-undo]").is_none().then_some(())
    });
    dismiss_toasts(d);

    // The history searched by changed text: the commit that added it.
    d.call(
        "POST",
        "/execute/sync",
        Some(serde_json::json!({
            "script": "const s = document.querySelector('[data-testid=git-search-field]'); s.value = 'content'; s.dispatchEvent(new Event('change'));",
            "args": [],
        })),
    );
    d.type_into("[data-testid=git-search]", "shared by other");
    d.press(&[keys::ENTER]);
    wait_text(d, "[data-testid=git-search-results]", "c other");
    d.step("git-history-search");

    // A message drafted by the agent (a loopback provider) from the staged
    // diff, edited by nobody here and committed.
    let provider = ai_desktop_core::testkit::llm::Provider::start(Some("sk-e2e"));
    set_up_provider(d, None, &provider.url, Some("sk-e2e"));
    provider.push(ai_desktop_core::testkit::llm::text(&["Add the r4 notes"]));
    std::fs::write(project.join("r4.txt"), "notes\n").unwrap();
    cli(&["add", "r4.txt"]);
    d.click("[data-testid=nav-git]");
    d.click("[data-testid=git-draft]");
    d.wait_until("the drafted message", || {
        d.call(
            "POST",
            "/execute/sync",
            Some(serde_json::json!({"script": "return document.querySelector('[data-testid=git-message]').value;", "args": []})),
        )
        .as_str()
        .filter(|v| *v == "Add the r4 notes")
        .map(|_| ())
    });
    assert!(provider.chats()[0].body.to_string().contains("+notes"));
    d.step("git-drafted-message");
    d.click("[data-testid=git-commit]");
    d.wait_until("the drafted commit", || {
        (cli(&["log", "-1", "--format=%s"]) == "Add the r4 notes").then_some(())
    });

    // The Repositories list shows each repository's state.
    std::fs::write(project.join("wip.txt"), "wip\n").unwrap();
    d.click("[data-testid=nav-repositories]");
    wait_text(d, "[data-testid=repo-git-state]", "1 changed");
    d.step("repositories-git-state");
    d.call("DELETE", "", None);
}
