//! Working-tree changes and diffs (git2) against repositories built by
//! shell scripts with the real git CLI, including a hostile one.

use ai_desktop_api::git::{ChangeKind, DiffLineKind, DiffSide, FileChange};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::git::ChangesFeed;
use ai_desktop_core::repos::RepoRegistry;
use ai_desktop_core::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repos: Arc<RepoRegistry>,
    events: Arc<RecordingSink>,
    feed: ChangesFeed,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let store = Arc::new(Store::open_in(&root.join("data")).unwrap());
    let events = Arc::new(RecordingSink::default());
    let repos = Arc::new(RepoRegistry::new(store, events.clone()));
    let feed = ChangesFeed::new(repos.clone(), events.clone());
    Fixture {
        _tmp: tmp,
        root,
        repos,
        events,
        feed,
    }
}

impl Fixture {
    /// Runs `script` with sh in a new folder `name` and registers it.
    fn repo(&self, name: &str, script: &str) -> (i64, PathBuf) {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let out = std::process::Command::new("/bin/sh")
            .args(["-ec", script])
            .current_dir(&dir)
            .env("HOME", &self.root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "fixture script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let id = self
            .repos
            .create(NewRepository {
                name: name.into(),
                path: dir.display().to_string(),
                kind: None,
                port: None,
            })
            .unwrap()
            .id;
        (id, dir)
    }
}

const BASE: &str = "git init -q -b main
printf 'one\\ntwo\\nthree\\n' > edited.txt
printf 'stays\\n' > staged.txt
printf 'move me\\nplease\\n' > old-name.txt
printf 'bye\\n' > gone.txt
git add -A && git commit -qm base
";

/// The files a repository's programs would have touched (`canary.*`).
fn canaries(root: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("canary"))
        .collect()
}

fn change<'a>(files: &'a [FileChange], path: &str) -> &'a FileChange {
    files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not among {files:#?}"))
}

#[test]
fn status_names_every_kind_of_change_exactly() {
    let fx = fixture();
    let script = format!(
        "{BASE}
printf 'one\\nTWO\\nthree\\n' > edited.txt
printf 'stays\\nadded\\n' > staged.txt && git add staged.txt
git mv old-name.txt new-name.txt
rm gone.txt
printf 'new\\n' > untracked.txt
mkdir -p deep/er && printf 'x\\n' > deep/er/file.txt
printf '\\000\\001\\002binary' > blob.bin
"
    );
    let (id, _) = fx.repo("kinds", &script);
    let changes = fx.feed.changes(id).unwrap();
    assert_eq!(changes.branch.as_deref(), Some("main"));
    let f = &changes.files;
    assert_eq!(change(f, "edited.txt").unstaged, Some(ChangeKind::Modified));
    assert_eq!(change(f, "edited.txt").staged, None);
    assert_eq!(change(f, "staged.txt").staged, Some(ChangeKind::Modified));
    assert_eq!(change(f, "staged.txt").unstaged, None);
    let renamed = change(f, "new-name.txt");
    assert_eq!(renamed.staged, Some(ChangeKind::Renamed));
    assert_eq!(renamed.old_path.as_deref(), Some("old-name.txt"));
    assert_eq!(change(f, "gone.txt").unstaged, Some(ChangeKind::Deleted));
    assert_eq!(
        change(f, "untracked.txt").unstaged,
        Some(ChangeKind::Untracked)
    );
    assert_eq!(
        change(f, "deep/er/file.txt").unstaged,
        Some(ChangeKind::Untracked)
    );
    assert_eq!(change(f, "blob.bin").unstaged, Some(ChangeKind::Untracked));
    assert_eq!(f.len(), 7, "{f:#?}");
    assert_eq!(
        (
            changes.counts.staged,
            changes.counts.unstaged,
            changes.counts.untracked,
            changes.counts.conflicted
        ),
        (2, 2, 3, 0)
    );

    // Unstaged diff of a modified file: exact lines and numbers.
    let d = fx.feed.diff(id, "edited.txt", DiffSide::Unstaged).unwrap();
    assert!(!d.binary && !d.too_large);
    assert_eq!((d.additions, d.deletions), (1, 1));
    assert_eq!(d.hunks.len(), 1);
    assert_eq!(d.hunks[0].header, "@@ -1,3 +1,3 @@");
    let lines: Vec<_> = d.hunks[0]
        .lines
        .iter()
        .map(|l| (l.kind, l.old_line, l.new_line, l.text.as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (DiffLineKind::Context, Some(1), Some(1), "one"),
            (DiffLineKind::Removed, Some(2), None, "two"),
            (DiffLineKind::Added, None, Some(2), "TWO"),
            (DiffLineKind::Context, Some(3), Some(3), "three"),
        ]
    );
    // Staged side of the staged file; its unstaged side is empty.
    let staged = fx.feed.diff(id, "staged.txt", DiffSide::Staged).unwrap();
    assert_eq!((staged.additions, staged.deletions), (1, 0));
    assert_eq!(staged.hunks[0].lines.last().unwrap().text, "added");
    assert!(fx
        .feed
        .diff(id, "staged.txt", DiffSide::Unstaged)
        .unwrap()
        .hunks
        .is_empty());
    // The rename is one file with its old name, not an add and a delete.
    let renamed = fx.feed.diff(id, "new-name.txt", DiffSide::Staged).unwrap();
    assert_eq!(renamed.old_path.as_deref(), Some("old-name.txt"));
    assert_eq!((renamed.additions, renamed.deletions), (0, 0));
    // Untracked text shows whole; binary is summarised.
    let new = fx
        .feed
        .diff(id, "untracked.txt", DiffSide::Unstaged)
        .unwrap();
    assert_eq!(new.hunks[0].lines[0].kind, DiffLineKind::Added);
    assert_eq!(new.hunks[0].lines[0].text, "new");
    let bin = fx.feed.diff(id, "blob.bin", DiffSide::Unstaged).unwrap();
    assert!(bin.binary);
    assert!(bin.hunks.is_empty());
}

#[test]
fn conflicts_huge_files_and_bad_paths() {
    let fx = fixture();
    let script = format!(
        "{BASE}
git checkout -qb other
printf 'one\\nOTHER\\nthree\\n' > edited.txt && git commit -qam other
git checkout -q main
printf 'one\\nMAIN\\nthree\\n' > edited.txt && git commit -qam main
git merge -q other || true
seq 1 300000 > huge.txt
"
    );
    let (id, _) = fx.repo("conflict", &script);
    let changes = fx.feed.changes(id).unwrap();
    let edited = change(&changes.files, "edited.txt");
    assert!(edited.conflicted);
    assert_eq!(changes.counts.conflicted, 1);
    let huge = fx.feed.diff(id, "huge.txt", DiffSide::Unstaged).unwrap();
    assert!(huge.too_large);
    assert!(huge.hunks.is_empty());
    for bad in ["../outside.txt", "/etc/passwd", "a/../../b", "", "x\0y"] {
        let err = fx.feed.diff(id, bad, DiffSide::Unstaged).unwrap_err();
        assert!(
            matches!(err, ai_desktop_core::error::Error::InvalidInput(_)),
            "{bad:?}: {err}"
        );
    }
}

#[tokio::test]
async fn reading_never_runs_programs_the_repository_configures() {
    let fx = fixture();
    let canary = fx.root.join("canary");
    let c = canary.display();
    let script = format!(
        "{BASE}
printf '* filter=evil\\n' > .gitattributes
git add .gitattributes && git commit -qm attrs
git config core.fsmonitor 'touch {c}.fsmonitor; echo'
git config core.sshCommand 'touch {c}.ssh'
git config filter.evil.smudge 'touch {c}.smudge; cat'
git config filter.evil.clean 'touch {c}.clean; cat'
git config filter.evil.process 'touch {c}.process'
git config diff.external 'touch {c}.external'
git config core.hooksPath hooks
mkdir hooks && printf '#!/bin/sh\\ntouch {c}.hook\\n' > hooks/post-index-change && chmod +x hooks/post-index-change
git remote add origin ssh://git@example.invalid/x.git
printf 'one\\nchanged\\nthree\\n' > edited.txt
"
    );
    let (id, _) = fx.repo("hostile", &script);
    fx.feed.changes(id).unwrap();
    fx.feed.diff(id, "edited.txt", DiffSide::Unstaged).unwrap();
    fx.feed.diff(id, "edited.txt", DiffSide::Staged).unwrap();
    fx.repos.refresh_git(id).unwrap();
    fx.feed.watch(Some(id)).unwrap();
    std::fs::write(fx.root.join("hostile/edited.txt"), "again\n").unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    fx.feed.watch(None).unwrap();
    let touched = canaries(&fx.root);
    assert!(touched.is_empty(), "programs ran: {touched:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watched_repository_pushes_its_changes() {
    let fx = fixture();
    let (id, dir) = fx.repo("live", BASE);
    fx.feed.watch(Some(id)).unwrap();
    assert_eq!(fx.feed.watched(), Some(id));
    fx.events.take();
    std::fs::write(dir.join("fresh.txt"), "hi\n").unwrap();
    let start = Instant::now();
    let pushed = loop {
        let found = fx.events.take().into_iter().find_map(|e| match e {
            DomainEvent::GitChanges(c) => Some(c),
            _ => None,
        });
        if let Some(c) = found {
            break c;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no git:changes event"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(pushed.repository_id, id);
    assert_eq!(
        change(&pushed.files, "fresh.txt").unstaged,
        Some(ChangeKind::Untracked)
    );
    // Unwatched: no more events.
    fx.feed.watch(None).unwrap();
    fx.events.take();
    std::fs::write(dir.join("later.txt"), "x\n").unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(fx.events.take().is_empty());
}

/// A large working tree's status comes from the git CLI; both readers say
/// the same of the same tree, kind by kind, and the CLI runs nothing the
/// repository names (its clean filter would run on a file whose stat data
/// changed).
#[test]
fn the_git_cli_and_git2_agree_and_the_cli_runs_no_repository_program() {
    use ai_desktop_core::git::{changes, cli};
    let fx = fixture();
    let canary = fx.root.join("canary");
    let c = canary.display();
    let script = format!(
        "{BASE}
printf 'a\\n' > 'with space.txt' && printf 'b\\n' > both.txt && git add -A && git commit -qm more
git checkout -qb other
printf 'one\\nOTHER\\nthree\\n' > edited.txt && git commit -qam other
git checkout -q main
printf 'one\\nMAIN\\nthree\\n' > edited.txt && git commit -qam main
git merge -q other || true
printf 'stays\\nadded\\n' > staged.txt && git add staged.txt
printf 'b\\nstaged\\n' > both.txt && git add both.txt && printf 'b\\nstaged\\nand not\\n' > both.txt
git mv old-name.txt 'new name.txt'
rm gone.txt
printf 'changed\\n' > 'with space.txt'
printf 'new\\n' > fresh.txt && git add fresh.txt
printf 'new\\n' > untracked.txt
mkdir -p deep/er && printf 'x\\n' > deep/er/file.txt
printf '* filter=evil\\n' > .gitattributes
git config filter.evil.clean 'touch {c}.clean; cat'
git config filter.evil.process 'touch {c}.process'
git config core.fsmonitor 'touch {c}.fsmonitor; echo'
"
    );
    let (_, dir) = fx.repo("both", &script);
    let by_git2 = changes::read(&dir).unwrap();
    let by_cli = changes::from_porcelain(&cli::status(&dir).unwrap(), by_git2.branch.clone());
    assert_eq!(by_cli.files, by_git2.files);
    assert_eq!(by_cli.counts, by_git2.counts);
    let f = &by_cli.files;
    assert!(change(f, "edited.txt").conflicted);
    assert_eq!(
        change(f, "with space.txt").unstaged,
        Some(ChangeKind::Modified)
    );
    assert_eq!(
        (change(f, "both.txt").staged, change(f, "both.txt").unstaged),
        (Some(ChangeKind::Modified), Some(ChangeKind::Modified))
    );
    assert_eq!(
        change(f, "new name.txt").old_path.as_deref(),
        Some("old-name.txt")
    );
    assert_eq!(change(f, "fresh.txt").staged, Some(ChangeKind::Added));
    assert_eq!(
        change(f, "deep/er/file.txt").unstaged,
        Some(ChangeKind::Untracked)
    );
    let touched = canaries(&fx.root);
    assert!(touched.is_empty(), "programs ran: {touched:?}");
}
