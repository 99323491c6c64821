//! Staging, unstaging and discarding picked lines and hunks of a diff,
//! discarding whole files, amending, and the Git page's undo, on
//! repositories made by scripts, with every index, file and ref read back
//! through the git CLI (and a hunk compared with `git add -p`'s own).

use ai_desktop_api::git::{DiffLineKind, DiffSide, FileDiff, LineAction, LinePick};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::{App, Config};
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct Fx {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repo: PathBuf,
    id: i64,
    app: Arc<App>,
}

const TEN: &str =
    "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\nl17\nl18\nl19\nl20\n";

/// A repository with `f.txt` (20 lines) committed.
fn fixture() -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let repo = root.join("shop");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("f.txt"), TEN).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "first"]);
    let app = App::open(
        Config::isolated(&root, "test"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let id = app
        .repos
        .create(NewRepository {
            name: "shop".into(),
            path: repo.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    Fx {
        _tmp: tmp,
        root,
        repo,
        id,
        app,
    }
}

impl Fx {
    fn diff(&self, path: &str, side: DiffSide) -> FileDiff {
        self.app.changes.diff(self.id, path, side).unwrap()
    }

    fn apply(
        &self,
        path: &str,
        action: LineAction,
        pick: LinePick,
        d: &FileDiff,
    ) -> Result<FileDiff, Error> {
        self.app
            .git_ops
            .apply_lines(self.id, path, action, &pick, &d.fingerprint)
    }

    /// The index's version of `path`, byte for byte, as git shows it.
    fn staged(&self, path: &str) -> String {
        let out = std::process::Command::new("git")
            .args(["show", &format!(":{path}")])
            .current_dir(&self.repo)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    fn file(&self, path: &str) -> String {
        std::fs::read_to_string(self.repo.join(path)).unwrap()
    }
}

/// The changed lines of `d` whose text is in `texts` (added or removed).
fn pick(d: &FileDiff, texts: &[&str]) -> LinePick {
    let mut p = LinePick::default();
    for l in d.hunks.iter().flat_map(|h| &h.lines) {
        if !texts.contains(&l.text.as_str()) {
            continue;
        }
        match l.kind {
            DiffLineKind::Added => p.new_lines.push(l.new_line.unwrap()),
            DiffLineKind::Removed => p.old_lines.push(l.old_line.unwrap()),
            _ => {}
        }
    }
    assert_eq!(
        p.old_lines.len() + p.new_lines.len(),
        texts.len(),
        "{texts:?} in {d:?}"
    );
    p
}

/// Every changed line of hunk `h`.
fn hunk(d: &FileDiff, h: usize) -> LinePick {
    let mut p = LinePick::default();
    for l in &d.hunks[h].lines {
        match l.kind {
            DiffLineKind::Added => p.new_lines.push(l.new_line.unwrap()),
            DiffLineKind::Removed => p.old_lines.push(l.old_line.unwrap()),
            _ => {}
        }
    }
    p
}

/// Line 3 changed, two lines added after 5, line 17 removed: two hunks.
fn edit(fx: &Fx) -> String {
    let edited = TEN
        .replace("l3\n", "L3\n")
        .replace("l5\n", "l5\nnew-a\nnew-b\n")
        .replace("l17\n", "");
    std::fs::write(fx.repo.join("f.txt"), &edited).unwrap();
    edited
}

#[test]
fn two_lines_of_a_hunk_are_staged_and_nothing_else() {
    let fx = fixture();
    let edited = edit(&fx);
    let d = fx.diff("f.txt", DiffSide::Unstaged);
    assert_eq!(d.hunks.len(), 2, "{d:?}");
    // The new L3 and new-b, not the removal of l3 nor new-a.
    let after = fx
        .apply("f.txt", LineAction::Stage, pick(&d, &["L3", "new-b"]), &d)
        .unwrap();
    assert_eq!(
        fx.staged("f.txt"),
        TEN.replace("l3\n", "l3\nL3\n")
            .replace("l5\n", "l5\nnew-b\n")
    );
    // The working file is untouched; what is left unstaged is the rest.
    assert_eq!(fx.file("f.txt"), edited);
    let numstat = git(&fx.repo, &["diff", "--numstat", "--", "f.txt"]);
    assert_eq!(
        numstat.split_whitespace().take(2).collect::<Vec<_>>(),
        ["1", "2"]
    );
    assert_eq!(after.side, DiffSide::Unstaged);
    assert_eq!((after.additions, after.deletions), (1, 2));
}

#[test]
fn a_hunk_is_staged_exactly_as_git_add_p_stages_it() {
    let fx = fixture();
    edit(&fx);
    // The same change in a copy, staged by git itself: yes to the second
    // hunk only.
    let copy = fx.root.join("copy");
    let status = std::process::Command::new("cp")
        .args([
            "-a",
            &fx.repo.display().to_string(),
            &copy.display().to_string(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = std::process::Command::new("git")
        .args(["add", "-p", "f.txt"])
        .current_dir(&copy)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"n\ny\n").unwrap();
    assert!(child.wait().unwrap().success());

    let d = fx.diff("f.txt", DiffSide::Unstaged);
    fx.apply("f.txt", LineAction::Stage, hunk(&d, 1), &d)
        .unwrap();
    let blob = |dir: &Path| git(dir, &["rev-parse", ":f.txt"]);
    assert_eq!(blob(&fx.repo), blob(&copy));
    assert_eq!(fx.staged("f.txt"), TEN.replace("l17\n", ""));
}

#[test]
fn lines_are_unstaged_back_into_the_unstaged_side() {
    let fx = fixture();
    let edited = edit(&fx);
    git(&fx.repo, &["add", "f.txt"]);
    let d = fx.diff("f.txt", DiffSide::Staged);
    let after = fx
        .apply(
            "f.txt",
            LineAction::Unstage,
            pick(&d, &["new-a", "l17"]),
            &d,
        )
        .unwrap();
    assert_eq!(
        fx.staged("f.txt"),
        TEN.replace("l3\n", "L3\n").replace("l5\n", "l5\nnew-b\n")
    );
    assert_eq!(fx.file("f.txt"), edited);
    assert_eq!(after.side, DiffSide::Staged);
    // Unstaged now: exactly those two lines.
    let unstaged = fx.diff("f.txt", DiffSide::Unstaged);
    let changed: Vec<_> = unstaged
        .hunks
        .iter()
        .flat_map(|h| &h.lines)
        .filter(|l| l.kind != DiffLineKind::Context)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(changed, ["new-a", "l17"]);
}

#[test]
fn discarded_lines_leave_the_file_and_the_index_alone() {
    let fx = fixture();
    edit(&fx);
    let index_before = git(&fx.repo, &["rev-parse", ":f.txt"]);
    let d = fx.diff("f.txt", DiffSide::Unstaged);
    fx.apply(
        "f.txt",
        LineAction::Discard,
        pick(&d, &["new-a", "l17"]),
        &d,
    )
    .unwrap();
    assert_eq!(
        fx.file("f.txt"),
        TEN.replace("l3\n", "L3\n").replace("l5\n", "l5\nnew-b\n")
    );
    assert_eq!(git(&fx.repo, &["rev-parse", ":f.txt"]), index_before);
}

#[test]
fn a_new_file_is_staged_line_by_line_with_its_mode() {
    let fx = fixture();
    let path = fx.repo.join("run.sh");
    std::fs::write(&path, "#!/bin/sh\necho one\necho two\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let d = fx.diff("run.sh", DiffSide::Unstaged);
    fx.apply(
        "run.sh",
        LineAction::Stage,
        pick(&d, &["#!/bin/sh", "echo two"]),
        &d,
    )
    .unwrap();
    assert_eq!(fx.staged("run.sh"), "#!/bin/sh\necho two\n");
    let ls = git(&fx.repo, &["ls-files", "-s", "run.sh"]);
    assert!(ls.starts_with("100755 "), "{ls}");
    assert_eq!(
        git(&fx.repo, &["diff", "--cached", "--name-status"]).trim(),
        "A\trun.sh"
    );
    // Unstaging all of it takes the file out of the index again.
    let d = fx.diff("run.sh", DiffSide::Staged);
    fx.apply("run.sh", LineAction::Unstage, hunk(&d, 0), &d)
        .unwrap();
    assert_eq!(git(&fx.repo, &["diff", "--cached", "--name-status"]), "");
    assert!(path.exists());
}

#[test]
fn every_line_of_a_deleted_file_stages_the_deletion() {
    let fx = fixture();
    std::fs::remove_file(fx.repo.join("f.txt")).unwrap();
    let d = fx.diff("f.txt", DiffSide::Unstaged);
    fx.apply("f.txt", LineAction::Stage, hunk(&d, 0), &d)
        .unwrap();
    assert_eq!(
        git(&fx.repo, &["status", "--porcelain"]).trim_end(),
        "D  f.txt"
    );
}

#[test]
fn a_line_added_after_a_last_line_without_newline() {
    let fx = fixture();
    std::fs::write(fx.repo.join("n.txt"), "a\nb").unwrap();
    git(&fx.repo, &["add", "n.txt"]);
    git(&fx.repo, &["commit", "-qm", "no newline"]);
    std::fs::write(fx.repo.join("n.txt"), "a\nb\nc\n").unwrap();
    let d = fx.diff("n.txt", DiffSide::Unstaged);
    fx.apply("n.txt", LineAction::Stage, pick(&d, &["c"]), &d)
        .unwrap();
    assert_eq!(fx.staged("n.txt"), "a\nb\nc\n");
    assert_eq!(git(&fx.repo, &["diff", "--", "n.txt"]), "");
}

#[test]
fn a_stale_or_wrong_pick_is_refused_and_changes_nothing() {
    let fx = fixture();
    edit(&fx);
    let d = fx.diff("f.txt", DiffSide::Unstaged);
    let index_before = git(&fx.repo, &["rev-parse", ":f.txt"]);

    // The file changed after the diff was read.
    let changed = fx.file("f.txt").replace("l1\n", "l1 edited\n");
    std::fs::write(fx.repo.join("f.txt"), &changed).unwrap();
    let e = fx
        .apply("f.txt", LineAction::Stage, pick(&d, &["L3"]), &d)
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    let e = fx
        .apply("f.txt", LineAction::Discard, pick(&d, &["L3"]), &d)
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    assert_eq!(fx.file("f.txt"), changed);

    // A number that is not a changed line, and no lines at all.
    let d = fx.diff("f.txt", DiffSide::Unstaged);
    let context = LinePick {
        old_lines: vec![10],
        new_lines: vec![],
    };
    let e = fx
        .apply("f.txt", LineAction::Stage, context, &d)
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    let e = fx
        .apply("f.txt", LineAction::Stage, LinePick::default(), &d)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    // A path outside the repository.
    let e = fx
        .app
        .git_ops
        .apply_lines(
            fx.id,
            "../f.txt",
            LineAction::Stage,
            &pick(&d, &["L3"]),
            &d.fingerprint,
        )
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden(_)), "{e:?}");
    assert_eq!(git(&fx.repo, &["rev-parse", ":f.txt"]), index_before);
    assert_eq!(fx.file("f.txt"), changed);
}

#[test]
fn a_discard_is_undone_byte_for_byte_and_only_while_the_file_is_as_it_left_it() {
    let fx = fixture();
    let edited = edit(&fx);
    assert_eq!(fx.app.git_ops.last_undo(fx.id).unwrap(), None);
    let d = fx.diff("f.txt", DiffSide::Unstaged);
    fx.apply("f.txt", LineAction::Discard, hunk(&d, 0), &d)
        .unwrap();
    let discarded = fx.file("f.txt");
    assert_ne!(discarded, edited);
    let undo = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    assert_eq!(undo.kind, "discard_lines");
    assert_eq!(undo.summary, "Discard of 4 lines in f.txt");

    // Changed since: the undo would overwrite that, so it is refused.
    std::fs::write(fx.repo.join("f.txt"), format!("{discarded}tail\n")).unwrap();
    let e = fx.app.git_ops.undo(fx.id, undo.id).unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    assert_eq!(fx.file("f.txt"), format!("{discarded}tail\n"));
    // Put back as the discard left it: the undo restores the bytes.
    std::fs::write(fx.repo.join("f.txt"), &discarded).unwrap();
    // Only the newest operation can be undone.
    assert!(fx.app.git_ops.undo(fx.id, undo.id + 1).is_err());
    assert_eq!(fx.app.git_ops.undo(fx.id, undo.id).unwrap(), None);
    assert_eq!(fx.file("f.txt"), edited);

    // All of an untracked file: the file goes, and comes back.
    std::fs::write(fx.repo.join("notes.md"), "# a\nb\n").unwrap();
    let d = fx.diff("notes.md", DiffSide::Unstaged);
    fx.apply("notes.md", LineAction::Discard, hunk(&d, 0), &d)
        .unwrap();
    assert!(!fx.repo.join("notes.md").exists());
    let undo = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    fx.app.git_ops.undo(fx.id, undo.id).unwrap();
    assert_eq!(fx.file("notes.md"), "# a\nb\n");
}

#[test]
fn the_undo_log_keeps_the_newest_twenty_and_survives_a_restart() {
    let fx = fixture();
    for i in 0..22 {
        std::fs::write(fx.repo.join("f.txt"), format!("{TEN}extra {i}\n")).unwrap();
        let d = fx.diff("f.txt", DiffSide::Unstaged);
        fx.apply("f.txt", LineAction::Discard, hunk(&d, 0), &d)
            .unwrap();
    }
    let count = fx
        .app
        .store
        .with(|c| Ok(c.query_row("SELECT count(*) FROM git_undo", [], |r| r.get::<_, i64>(0))?))
        .unwrap();
    assert_eq!(count, 20);
    let last = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    let again = App::open(
        Config::isolated(&fx.root, "test"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    assert_eq!(again.git_ops.last_undo(fx.id).unwrap(), Some(last.clone()));
    // Undone after the restart: the file has its 22nd extra line back.
    again.git_ops.undo(fx.id, last.id).unwrap();
    assert_eq!(fx.file("f.txt"), format!("{TEN}extra 21\n"));
}

fn undo_last(fx: &Fx) -> Result<Option<ai_desktop_api::git::UndoEntry>, Error> {
    let last = fx.app.git_ops.last_undo(fx.id)?.expect("something to undo");
    fx.app.git_ops.undo(fx.id, last.id)
}

#[test]
fn a_whole_file_is_discarded_and_undone_with_its_mode() {
    let fx = fixture();
    use std::os::unix::fs::PermissionsExt;
    let edited = edit(&fx);
    let path = fx.repo.join("f.txt");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    fx.app.git_ops.discard_file(fx.id, "f.txt").unwrap();
    assert_eq!(fx.file("f.txt"), TEN);
    assert_eq!(git(&fx.repo, &["status", "--porcelain"]), "");
    assert_eq!(
        fx.app.git_ops.last_undo(fx.id).unwrap().unwrap().summary,
        "Discard of the changes to f.txt"
    );
    // Nothing left to discard: refused.
    let e = fx.app.git_ops.discard_file(fx.id, "f.txt").unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    undo_last(&fx).unwrap();
    assert_eq!(fx.file("f.txt"), edited);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);

    // An untracked file is removed, and comes back; a deleted one returns.
    std::fs::write(fx.repo.join("notes.md"), "keep me\n").unwrap();
    fx.app.git_ops.discard_file(fx.id, "notes.md").unwrap();
    assert!(!fx.repo.join("notes.md").exists());
    undo_last(&fx).unwrap();
    assert_eq!(fx.file("notes.md"), "keep me\n");
    std::fs::remove_file(&path).unwrap();
    fx.app.git_ops.discard_file(fx.id, "f.txt").unwrap();
    assert_eq!(fx.file("f.txt"), TEN);
    undo_last(&fx).unwrap();
    assert!(!path.exists());
}

#[test]
fn a_commit_is_undone_softly_and_only_while_it_is_the_tip() {
    let fx = fixture();
    fx.app
        .identity
        .set("Ada Lovelace", "ada@example.org")
        .unwrap();
    let first = git(&fx.repo, &["rev-parse", "HEAD"]);
    edit(&fx);
    git(&fx.repo, &["add", "f.txt"]);
    let staged = git(&fx.repo, &["rev-parse", ":f.txt"]);
    let c = fx.app.git_ops.commit(fx.id, "Second").unwrap();
    let undo = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    assert_eq!(undo.kind, "commit");
    assert_eq!(undo.summary, format!("Commit {} “Second”", c.short_id));
    // Undone: HEAD back, the change still staged (like reset --soft).
    fx.app.git_ops.undo(fx.id, undo.id).unwrap();
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), first);
    assert_eq!(git(&fx.repo, &["rev-parse", ":f.txt"]), staged);
    assert_eq!(git(&fx.repo, &["diff", "--cached", "--name-only"]), "f.txt");

    // Committed again, then another commit on top from the CLI: the undo
    // is refused and nothing moves.
    fx.app.git_ops.commit(fx.id, "Second again").unwrap();
    let offered = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    std::fs::write(fx.repo.join("g.txt"), "g\n").unwrap();
    git(&fx.repo, &["add", "g.txt"]);
    git(&fx.repo, &["commit", "-qm", "from the CLI"]);
    let tip = git(&fx.repo, &["rev-parse", "HEAD"]);
    assert_eq!(fx.app.git_ops.last_undo(fx.id).unwrap(), None);
    let e = fx.app.git_ops.undo(fx.id, offered.id).unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), tip);
}

#[test]
fn the_first_commit_is_undone_to_an_unborn_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let repo = root.join("fresh");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("a.txt"), "a\n").unwrap();
    git(&repo, &["add", "a.txt"]);
    let app = App::open(
        Config::isolated(&root, "test"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    app.identity.set("Ada", "ada@example.org").unwrap();
    let id = app
        .repos
        .create(NewRepository {
            name: "fresh".into(),
            path: repo.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    app.git_ops.commit(id, "Initial").unwrap();
    let last = app.git_ops.last_undo(id).unwrap().unwrap();
    app.git_ops.undo(id, last.id).unwrap();
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--verify", "-q", "HEAD"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert!(!out.status.success(), "HEAD still resolves");
    assert_eq!(git(&repo, &["diff", "--cached", "--name-only"]), "a.txt");
}

#[test]
fn an_amend_replaces_the_last_commit_and_is_undone() {
    let fx = fixture();
    fx.app
        .identity
        .set("Ada Lovelace", "ada@example.org")
        .unwrap();
    let first = git(&fx.repo, &["rev-parse", "HEAD"]);
    // Nothing staged and no new message: refused.
    let e = fx.app.git_ops.amend(fx.id, "  ").unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    // The message only: same tree, same author (the script), new message.
    let c = fx.app.git_ops.amend(fx.id, "First, reworded").unwrap();
    assert_eq!(
        git(&fx.repo, &["log", "-1", "--format=%s|%an|%cn"]),
        "First, reworded|Script|Ada Lovelace"
    );
    assert_eq!(git(&fx.repo, &["rev-list", "--count", "HEAD"]), "1");
    // Content too, keeping the message.
    edit(&fx);
    git(&fx.repo, &["add", "f.txt"]);
    fx.app.git_ops.amend(fx.id, "").unwrap();
    assert_eq!(
        git(&fx.repo, &["log", "-1", "--format=%s"]),
        "First, reworded"
    );
    assert_eq!(git(&fx.repo, &["status", "--porcelain"]), "");
    // Undone twice: the content amend, then the reword.
    undo_last(&fx).unwrap();
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), c.id);
    assert_eq!(git(&fx.repo, &["diff", "--cached", "--name-only"]), "f.txt");
    undo_last(&fx).unwrap();
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), first);
}

#[test]
fn a_deleted_branch_comes_back_at_its_tip() {
    let fx = fixture();
    git(&fx.repo, &["branch", "topic"]);
    let tip = git(&fx.repo, &["rev-parse", "topic"]);
    fx.app.git_ops.delete_branch(fx.id, "topic").unwrap();
    assert_eq!(git(&fx.repo, &["branch", "--list", "topic"]), "");
    let last = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    assert_eq!(last.summary, "Deletion of the branch topic");
    fx.app.git_ops.undo(fx.id, last.id).unwrap();
    assert_eq!(git(&fx.repo, &["rev-parse", "topic"]), tip);
}

#[test]
fn a_branch_is_renamed_with_its_upstream_and_renamed_back() {
    let fx = fixture();
    git(&fx.repo, &["branch", "topic"]);
    git(&fx.repo, &["config", "branch.topic.remote", "origin"]);
    git(
        &fx.repo,
        &["config", "branch.topic.merge", "refs/heads/topic"],
    );
    let tip = git(&fx.repo, &["rev-parse", "topic"]);
    // Taken, same, bad names: refused, nothing changes.
    for (new, bad) in [
        ("main", "exists"),
        ("topic", "same"),
        ("-x", "bad"),
        ("a..b", "bad"),
    ] {
        assert!(
            fx.app.git_ops.rename_branch(fx.id, "topic", new).is_err(),
            "{new} ({bad})"
        );
    }
    assert_eq!(git(&fx.repo, &["rev-parse", "topic"]), tip);
    let branches = fx
        .app
        .git_ops
        .rename_branch(fx.id, "topic", "feature/topic")
        .unwrap();
    assert!(branches.iter().any(|b| b.name == "feature/topic"));
    assert_eq!(git(&fx.repo, &["rev-parse", "feature/topic"]), tip);
    assert_eq!(git(&fx.repo, &["branch", "--list", "topic"]), "");
    assert_eq!(
        git(&fx.repo, &["config", "branch.feature/topic.merge"]),
        "refs/heads/topic"
    );
    // The current branch too: HEAD follows.
    fx.app
        .git_ops
        .rename_branch(fx.id, "main", "trunk")
        .unwrap();
    assert_eq!(git(&fx.repo, &["branch", "--show-current"]), "trunk");
    undo_last(&fx).unwrap();
    assert_eq!(git(&fx.repo, &["branch", "--show-current"]), "main");
    undo_last(&fx).unwrap();
    assert_eq!(git(&fx.repo, &["rev-parse", "topic"]), tip);
}

#[test]
fn blame_names_each_lines_commit_as_git_does_and_runs_no_filter() {
    let fx = fixture();
    let cli = |args: &[&str]| git(&fx.repo, args);
    // Two more commits, then an uncommitted line.
    std::fs::write(fx.repo.join("f.txt"), TEN.replace("l3\n", "L3\n")).unwrap();
    cli(&["commit", "-qam", "third line"]);
    std::fs::write(
        fx.repo.join("f.txt"),
        TEN.replace("l3\n", "L3\n").replace("l9\n", "L9\n"),
    )
    .unwrap();
    cli(&["commit", "-qam", "ninth line"]);
    std::fs::write(
        fx.repo.join("f.txt"),
        TEN.replace("l3\n", "L3\n")
            .replace("l9\n", "L9\n")
            .replace("l20\n", "l20 edited\n"),
    )
    .unwrap();
    // A clean filter the repository names: blame must not run it.
    let marker = fx.root.join("filter-ran");
    cli(&[
        "config",
        "filter.evil.clean",
        &format!("touch {} && cat", marker.display()),
    ]);
    std::fs::write(fx.repo.join(".gitattributes"), "*.txt filter=evil\n").unwrap();

    let b = fx.app.git_ops.blame(fx.id, "f.txt").unwrap();
    assert!(!marker.exists(), "the repository's clean filter ran");
    assert_eq!(b.lines.len(), 20);
    let summary = |n: usize| &b.commits[b.lines[n].commit as usize].summary;
    assert_eq!(summary(2), "third line");
    assert_eq!(summary(8), "ninth line");
    assert_eq!(summary(0), "first");
    assert_eq!(summary(19), "Not committed yet");
    assert_eq!(b.lines[19].text, "l20 edited");
    // The same commits as git's own blame, line by line.
    let theirs = cli(&[
        "-c",
        "filter.evil.clean=cat",
        "blame",
        "-l",
        "HEAD",
        "--",
        "f.txt",
    ]);
    for (n, line) in theirs.lines().enumerate().take(19) {
        let id = line.split(' ').next().unwrap().trim_start_matches('^');
        assert!(
            b.commits[b.lines[n].commit as usize].id.starts_with(id),
            "line {n}: {line}"
        );
    }
    // The uncommitted one on top (the script's commits share one second).
    assert_eq!(b.commits[0].short_id, "uncommitted");
    assert_eq!(b.commits.len(), 4);
    // Not a file: refused.
    assert!(fx.app.git_ops.blame(fx.id, "nope.txt").is_err());
    assert!(fx.app.git_ops.blame(fx.id, "../x").is_err());
}

#[test]
fn a_files_history_follows_its_renames() {
    let fx = fixture();
    let cli = |args: &[&str]| git(&fx.repo, args);
    std::fs::write(fx.repo.join("f.txt"), format!("{TEN}more\n")).unwrap();
    cli(&["commit", "-qam", "grow"]);
    cli(&["mv", "f.txt", "g.txt"]);
    cli(&["commit", "-qm", "rename"]);
    std::fs::write(fx.repo.join("g.txt"), format!("{TEN}more\nand more\n")).unwrap();
    cli(&["commit", "-qam", "grow again"]);
    std::fs::write(fx.repo.join("other.txt"), "x\n").unwrap();
    cli(&["add", "other.txt"]);
    cli(&["commit", "-qm", "unrelated"]);
    let h = fx.app.git_ops.file_history(fx.id, "g.txt", 100).unwrap();
    let summaries: Vec<&str> = h.iter().map(|c| c.summary.as_str()).collect();
    assert_eq!(summaries, ["grow again", "rename", "grow", "first"]);
    assert_eq!(h[0].id, cli(&["rev-parse", "HEAD~1"]));
    assert_eq!(
        fx.app
            .git_ops
            .file_history(fx.id, "g.txt", 2)
            .unwrap()
            .len(),
        2
    );
    assert!(fx.app.git_ops.file_history(fx.id, "g.txt", 0).is_err());
}

/// Runs `f` on a blocking thread of a runtime, as the app's commands do.
fn on_blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { tokio::task::spawn_blocking(f).await })
        .unwrap()
}

#[test]
fn hooks_run_only_in_a_trusted_repository_and_a_failing_one_stops_the_commit() {
    let fx = fixture();
    let marker = fx.root.join("hook-ran");
    let hook = fx.repo.join(".git/hooks/pre-commit");
    // Written by a child process: a descriptor of it open here could leak
    // into another test's fork and make running it fail with ETXTBSY.
    ai_desktop_core::testkit::write_executable(
        &hook,
        &format!("#!/bin/sh\necho ran >> {}\nif [ -e FAIL ]; then echo 'lint failed: f.txt:3 trailing space' >&2; exit 1; fi\n", marker.display()),
    );
    fx.app
        .identity
        .set("Ada Lovelace", "ada@example.org")
        .unwrap();
    let commit_as_app = |msg: &'static str, skip: bool| {
        let ops = fx.app.git_ops.clone();
        let id = fx.id;
        on_blocking(move || ops.commit_trusted(id, msg, skip))
    };
    edit(&fx);
    git(&fx.repo, &["add", "f.txt"]);

    // Not trusted: the page's commit runs no hook, and the trusted path is refused.
    assert!(matches!(
        commit_as_app("x", false),
        Err(Error::Forbidden(_))
    ));
    fx.app.git_ops.commit(fx.id, "untrusted").unwrap();
    assert!(!marker.exists(), "a hook ran in an untrusted repository");

    // Trusted: the hook runs; when it fails, nothing is committed and its
    // output is the error's detail.
    fx.app.repos.set_trusted(fx.id, true).unwrap();
    std::fs::write(fx.repo.join("g.txt"), "g\n").unwrap();
    std::fs::write(fx.repo.join("FAIL"), "").unwrap();
    git(&fx.repo, &["add", "g.txt"]);
    let head = git(&fx.repo, &["rev-parse", "HEAD"]);
    match commit_as_app("blocked", false) {
        Err(Error::Failed { detail, .. }) => {
            let detail = detail.unwrap_or_default();
            assert!(detail.contains("lint failed: f.txt:3"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "ran\n");
    assert_eq!(git(&fx.repo, &["diff", "--cached", "--name-only"]), "g.txt");
    // Skipping hooks for one commit.
    let c = commit_as_app("skipped", true).unwrap();
    assert_eq!(
        git(&fx.repo, &["log", "-1", "--format=%s|%an"]),
        "skipped|Ada Lovelace"
    );
    assert_eq!(c.summary, "skipped");
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "ran\n");
    // Passing: committed, the hook ran again; undoable like any commit.
    std::fs::remove_file(fx.repo.join("FAIL")).unwrap();
    std::fs::write(fx.repo.join("h.txt"), "h\n").unwrap();
    git(&fx.repo, &["add", "h.txt"]);
    commit_as_app("passes", false).unwrap();
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "ran\nran\n");
    assert_eq!(
        fx.app.git_ops.last_undo(fx.id).unwrap().unwrap().kind,
        "commit"
    );
    // Nothing staged: said so.
    assert!(matches!(
        commit_as_app("empty", false),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn a_hook_that_stops_git_before_it_reads_the_message_is_reported_as_the_hooks_failure() {
    // git runs pre-commit before it reads the message from its standard
    // input: a hook that fails at once ends git with the message unread.
    // A message longer than a pipe holds makes that certain, not a race;
    // a hook that says a lot must not wedge git either.
    let fx = fixture();
    let hook = fx.repo.join(".git/hooks/pre-commit");
    ai_desktop_core::testkit::write_executable(
        &hook,
        "#!/bin/sh
if [ -e CHATTY ]; then head -c 300000 /dev/zero | tr '\\0' 'w' >&2; echo >&2; fi
if [ -e FAIL ]; then echo 'lint failed: g.txt:1' >&2; exit 1; fi
",
    );
    fx.app
        .identity
        .set("Ada Lovelace", "ada@example.org")
        .unwrap();
    fx.app.repos.set_trusted(fx.id, true).unwrap();
    let long: String = (0..20_000)
        .map(|i| format!("line {i} of a long message\n"))
        .collect();
    let message: &'static str = Box::leak(format!("long\n\n{long}").into_boxed_str());
    let commit_as_app = |msg: &'static str| {
        let ops = fx.app.git_ops.clone();
        let id = fx.id;
        on_blocking(move || ops.commit_trusted(id, msg, false))
    };
    std::fs::write(fx.repo.join("g.txt"), "g\n").unwrap();
    git(&fx.repo, &["add", "g.txt"]);
    let head = git(&fx.repo, &["rev-parse", "HEAD"]);
    for chatty in [false, true] {
        std::fs::write(fx.repo.join("FAIL"), "").unwrap();
        if chatty {
            std::fs::write(fx.repo.join("CHATTY"), "").unwrap();
        }
        match commit_as_app(message) {
            Err(Error::Failed { message, detail }) => {
                assert!(message.contains("lint failed: g.txt:1"), "{message}");
                assert!(detail.unwrap_or_default().contains("lint failed"));
            }
            other => panic!("chatty={chatty}: {other:?}"),
        }
        assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), head);
        assert_eq!(git(&fx.repo, &["diff", "--cached", "--name-only"]), "g.txt");
        // Passing: the whole message is the commit's.
        std::fs::remove_file(fx.repo.join("FAIL")).unwrap();
        commit_as_app(message).unwrap();
        let body = git(&fx.repo, &["log", "-1", "--format=%B"]);
        assert_eq!(body.trim_end(), message.trim_end());
        git(&fx.repo, &["reset", "-q", "--soft", "HEAD~1"]);
    }
}

#[test]
fn a_trusted_repository_signs_with_the_users_ssh_key_and_the_signature_verifies() {
    let fx = fixture();
    let key = fx.root.join("signing_key");
    let made = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "ada@example.org",
            "-f",
        ])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = fx.root.join("allowed_signers");
    std::fs::write(&allowed, format!("ada@example.org {public}")).unwrap();
    let cli = |args: &[&str]| git(&fx.repo, args);
    cli(&["config", "gpg.format", "ssh"]);
    cli(&["config", "user.signingkey", &key.display().to_string()]);
    cli(&["config", "commit.gpgsign", "true"]);
    cli(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        &allowed.display().to_string(),
    ]);
    fx.app
        .identity
        .set("Ada Lovelace", "ada@example.org")
        .unwrap();
    fx.app.repos.set_trusted(fx.id, true).unwrap();
    edit(&fx);
    git(&fx.repo, &["add", "f.txt"]);
    let ops = fx.app.git_ops.clone();
    let id = fx.id;
    let c = on_blocking(move || ops.commit_trusted(id, "signed", false)).unwrap();
    let shown = cli(&["log", "-1", "--show-signature"]);
    assert!(shown.contains("Good \"git\" signature"), "{shown}");
    let status = fx.app.git_ops.signature_status(fx.id, &c.id).unwrap();
    assert!(
        matches!(&status, ai_desktop_api::git::SignatureStatus::Verified { signer } if signer.contains("ada@example.org")),
        "{status:?}"
    );
    // Untrusted: signed, not checked; the first commit is not signed at all.
    fx.app.repos.set_trusted(fx.id, false).unwrap();
    assert_eq!(
        fx.app.git_ops.signature_status(fx.id, &c.id).unwrap(),
        ai_desktop_api::git::SignatureStatus::SignedUnchecked
    );
    let first = cli(&["rev-parse", "HEAD~1"]);
    assert_eq!(
        fx.app.git_ops.signature_status(fx.id, &first).unwrap(),
        ai_desktop_api::git::SignatureStatus::Unsigned
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worktree_is_its_own_repository_with_its_own_code_server_and_goes_only_when_clean() {
    let fx = fixture();
    let cli = |args: &[&str]| git(&fx.repo, args);
    let ops = fx.app.git_ops.clone();
    let id = fx.id;
    let add = |branch: &'static str, create: bool| {
        let ops = ops.clone();
        async move {
            tokio::task::spawn_blocking(move || ops.add_worktree(id, branch, create))
                .await
                .unwrap()
        }
    };
    // A new branch in a new folder next to the repository.
    let wt = add("feature/login", true).await.unwrap();
    let folder = fx.root.join("shop-feature-login");
    assert_eq!(wt.path, folder.display().to_string());
    assert_eq!(wt.name, "feature-login");
    assert_eq!(std::fs::read_to_string(folder.join("f.txt")).unwrap(), TEN);
    assert_eq!(git(&folder, &["branch", "--show-current"]), "feature/login");
    assert!(cli(&["worktree", "list"]).contains("shop-feature-login"));
    let registered = fx.app.repos.get(wt.repository_id.unwrap()).unwrap();
    assert_eq!(registered.path, folder.display().to_string());
    assert_eq!(registered.name, "shop · feature/login");
    assert_ne!(registered.port, fx.app.repos.get(fx.id).unwrap().port);
    assert_eq!(ops.worktrees(fx.id).unwrap(), vec![wt.clone()]);

    // Refused: the branch checked out here, a branch that exists when asked
    // to create it, one that does not, a bad name; nothing is created.
    assert!(add("main", false).await.is_err());
    assert!(add("feature/login", true).await.is_err());
    assert!(add("nope", false).await.is_err());
    assert!(add("-x", true).await.is_err());
    assert_eq!(ops.worktrees(fx.id).unwrap().len(), 1);

    // Its own code-server, serving its own folder.
    let wt_id = wt.repository_id.unwrap();
    let mut served_pid = None;
    if ai_desktop_core::testkit::real_tools("code-server") {
        let instance = fx.app.vscode.start(wt_id).await.unwrap();
        let pid = instance.pid.unwrap();
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        assert!(
            String::from_utf8_lossy(&cmdline).contains(&folder.display().to_string()),
            "code-server does not serve the worktree"
        );
        served_pid = Some(pid);
    }

    // Dirty: kept. Clean: its code-server stops, it is unregistered, its
    // folder goes; its branch stays.
    std::fs::write(folder.join("wip.txt"), "wip\n").unwrap();
    let e = fx
        .app
        .remove_worktree(fx.id, "feature-login")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    assert!(folder.join("wip.txt").exists());
    assert!(fx.app.repos.get(wt_id).is_ok());
    std::fs::remove_file(folder.join("wip.txt")).unwrap();
    let left = fx
        .app
        .remove_worktree(fx.id, "feature-login")
        .await
        .unwrap();
    assert!(left.is_empty());
    assert!(!folder.exists());
    assert!(fx.app.repos.get(wt_id).is_err());
    assert!(!cli(&["worktree", "list"]).contains("shop-feature-login"));
    assert_eq!(cli(&["branch", "--list", "feature/login"]), "feature/login");
    if let Some(pid) = served_pid {
        let gone = (0..50).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            !std::path::Path::new(&format!("/proc/{pid}")).exists()
        });
        assert!(gone, "the worktree's code-server outlived it");
    }
    // An existing branch, again.
    let again = add("feature/login", false).await.unwrap();
    assert_eq!(again.branch.as_deref(), Some("feature/login"));
}

#[test]
fn the_history_is_searched_by_message_author_path_and_content() {
    let fx = fixture();
    let cli = |args: &[&str]| git(&fx.repo, args);
    std::fs::write(fx.repo.join("auth.rs"), "fn login() {}\n").unwrap();
    cli(&["add", "."]);
    cli(&["commit", "-qm", "Add the login flow"]);
    std::fs::write(fx.repo.join("auth.rs"), "fn login() { check_token() }\n").unwrap();
    cli(&[
        "-c",
        "user.name=Grace Hopper",
        "-c",
        "user.email=grace@example.org",
        "commit",
        "-qam",
        "Harden it",
    ]);
    std::fs::write(fx.repo.join("other.txt"), "x\n").unwrap();
    cli(&["add", "."]);
    cli(&["commit", "-qm", "Unrelated"]);
    let q = |message: &str, author: &str, path: &str, content: &str| {
        fx.app
            .git_ops
            .search_history(
                fx.id,
                &ai_desktop_api::git::HistoryQuery {
                    message: message.into(),
                    author: author.into(),
                    path: path.into(),
                    content: content.into(),
                },
            )
            .map(|l| l.into_iter().map(|c| c.summary).collect::<Vec<_>>())
    };
    assert_eq!(q("LOGIN", "", "", "").unwrap(), ["Add the login flow"]);
    assert_eq!(q("", "grace", "", "").unwrap(), ["Harden it"]);
    assert_eq!(
        q("", "", "auth.rs", "").unwrap(),
        ["Harden it", "Add the login flow"]
    );
    assert_eq!(q("", "", "", "check_token").unwrap(), ["Harden it"]);
    assert_eq!(q("harden", "", "auth.rs", "").unwrap(), ["Harden it"]);
    // Options are values, not options; bad input is refused.
    assert!(q("--all", "", "", "").unwrap().is_empty());
    assert!(q("", "", "", "").is_err());
    assert!(q("", "", "../etc", "").is_err());
    assert!(q("a\nb", "", "", "").is_err());
}

#[test]
fn an_undo_is_offered_only_while_it_still_applies() {
    let fx = fixture();
    edit(&fx);
    let d = fx.diff("f.txt", DiffSide::Unstaged);
    fx.apply("f.txt", LineAction::Discard, hunk(&d, 0), &d)
        .unwrap();
    assert!(fx.app.git_ops.last_undo(fx.id).unwrap().is_some());
    // The file changed since: not offered (the entry stays; put back, offered again).
    let left = fx.file("f.txt");
    std::fs::write(fx.repo.join("f.txt"), "other\n").unwrap();
    assert_eq!(fx.app.git_ops.last_undo(fx.id).unwrap(), None);
    std::fs::write(fx.repo.join("f.txt"), &left).unwrap();
    assert!(fx.app.git_ops.last_undo(fx.id).unwrap().is_some());
    // A commit with another on top of it: not offered.
    fx.app.identity.set("Ada", "ada@example.org").unwrap();
    git(&fx.repo, &["add", "f.txt"]);
    fx.app.git_ops.commit(fx.id, "mine").unwrap();
    assert_eq!(
        fx.app.git_ops.last_undo(fx.id).unwrap().unwrap().kind,
        "commit"
    );
    std::fs::write(fx.repo.join("g.txt"), "g\n").unwrap();
    git(&fx.repo, &["add", "g.txt"]);
    git(&fx.repo, &["commit", "-qm", "theirs on top"]);
    assert_eq!(fx.app.git_ops.last_undo(fx.id).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_drafts_a_commit_message_from_the_staged_diff() {
    use ai_desktop_api::flow::{ApiKeyChange, FlowSettingsInput};
    use ai_desktop_core::testkit::llm;
    let fx = fixture();
    let provider = llm::Provider::start(Some("sk-test"));
    fx.app
        .flow
        .save_settings(FlowSettingsInput {
            protocol: Default::default(),
            base_url: provider.url.clone(),
            model: llm::MODEL.into(),
            temperature: Some(0.0),
            max_tokens: Some(256),
            system_prompt: String::new(),
            max_steps: 5,
            api_key: ApiKeyChange::Set("sk-test".into()),
        })
        .unwrap();
    // Nothing staged: nothing is asked.
    let e = fx.app.draft_commit_message(fx.id).await.unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert!(provider.chats().is_empty());

    edit(&fx);
    git(&fx.repo, &["add", "f.txt"]);
    provider.push(llm::text(&[
        "```\nRename l3 and add ",
        "two lines\n\nThe list needed them.\n```",
    ]));
    let message = fx.app.draft_commit_message(fx.id).await.unwrap();
    assert_eq!(
        message,
        "Rename l3 and add two lines\n\nThe list needed them."
    );
    // The staged diff went to the provider, and nothing was committed.
    let sent = provider.chats()[0].body.to_string();
    assert!(sent.contains("+new-a") && sent.contains("-l17"), "{sent}");
    assert_eq!(git(&fx.repo, &["rev-list", "--count", "HEAD"]), "1");
}

#[test]
fn a_reset_is_undone_back_to_where_the_branch_was() {
    use ai_desktop_api::git::ResetMode;
    let fx = fixture();
    fx.app.identity.set("Ada", "ada@example.org").unwrap();
    let first = git(&fx.repo, &["rev-parse", "HEAD"]);
    edit(&fx);
    git(&fx.repo, &["add", "f.txt"]);
    fx.app.git_ops.commit(fx.id, "second").unwrap();
    let second = git(&fx.repo, &["rev-parse", "HEAD"]);
    let edited = fx.file("f.txt");
    // Hard reset to the first commit, then undone: the commit and its file are back.
    fx.app
        .git_ops
        .reset(fx.id, &first, ResetMode::Hard)
        .unwrap();
    assert_eq!(fx.file("f.txt"), TEN);
    let undo = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    assert_eq!(undo.summary, format!("Reset (hard) to {}", &first[..7]));
    // Uncommitted edits meanwhile: refused, nothing moves.
    std::fs::write(fx.repo.join("f.txt"), "meanwhile\n").unwrap();
    assert!(matches!(
        fx.app.git_ops.undo(fx.id, undo.id),
        Err(Error::Conflict(_))
    ));
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), first);
    std::fs::write(fx.repo.join("f.txt"), TEN).unwrap();
    fx.app.git_ops.undo(fx.id, undo.id).unwrap();
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), second);
    assert_eq!(fx.file("f.txt"), edited);
    assert_eq!(git(&fx.repo, &["status", "--porcelain"]), "");
    // A soft reset undone: the branch back, the index as it is.
    fx.app
        .git_ops
        .reset(fx.id, &first, ResetMode::Soft)
        .unwrap();
    let undo = fx.app.git_ops.last_undo(fx.id).unwrap().unwrap();
    fx.app.git_ops.undo(fx.id, undo.id).unwrap();
    assert_eq!(git(&fx.repo, &["rev-parse", "HEAD"]), second);
    assert_eq!(git(&fx.repo, &["status", "--porcelain"]), "");
}
