//! Stash, tags, remotes, show, reset, push/pull against a bare repository on
//! disk, merge and rebase conflicts, clone with progress, and hostile input —
//! on repositories made by scripts in temp dirs, each result checked with the
//! git CLI.

use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::{App, Config};

use ai_desktop_api::git::{GitProgress, PullMode, RepoState, ResetMode, SyncOutcome};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::git::ops::GitOps;
use ai_desktop_core::git::sync::{GitSync, Report};
use ai_desktop_core::repos::RepoRegistry;
use ai_desktop_core::workspace::Workspaces;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

struct Fx {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    bare: PathBuf,
    /// The registered clone.
    mine: PathBuf,
    id: i64,
    /// A colleague's clone, driven by the git CLI.
    theirs: PathBuf,
    work: PathBuf,
    repos: Arc<RepoRegistry>,
    workspaces: Arc<Workspaces>,
    ops: Arc<GitOps>,
    sync: Arc<GitSync>,
}

fn fixture() -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada\n\temail = ada@example.org\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let seed = root.join("seed");
    std::fs::create_dir_all(&seed).unwrap();
    std::fs::write(seed.join("a.txt"), "one\ntwo\nthree\n").unwrap();
    git(&seed, &["init", "-q"]);
    git(&seed, &["add", "."]);
    git(&seed, &["commit", "-qm", "first"]);
    let bare = root.join("origin.git");
    git(&root, &["clone", "-q", "--bare", "seed", "origin.git"]);
    git(&root, &["clone", "-q", "origin.git", "mine"]);
    git(&root, &["clone", "-q", "origin.git", "theirs"]);
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();

    let app = App::open(
        Config::isolated(&root, "test"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let repos = app.repos.clone();
    let mine = root.join("mine");
    let id = repos
        .create(NewRepository {
            name: "mine".into(),
            path: mine.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    let workspaces = app.workspaces.clone();
    workspaces.add(&work.display().to_string()).unwrap();
    Fx {
        ops: app.git_ops.clone(),
        sync: app.git_sync.clone(),
        _tmp: tmp,
        theirs: root.join("theirs"),
        root,
        home,
        bare,
        mine,
        id,
        work,
        repos,
        workspaces,
    }
}

fn collect() -> (Report, Arc<Mutex<Vec<GitProgress>>>) {
    let frames = Arc::new(Mutex::new(Vec::new()));
    let sink = frames.clone();
    (Arc::new(move |p| sink.lock().unwrap().push(p)), frames)
}

fn quiet() -> Report {
    Arc::new(|_| {})
}

fn commit_file(f: &Fx, name: &str, text: &str, message: &str) -> String {
    std::fs::write(f.mine.join(name), text).unwrap();
    f.ops.stage(f.id, &[name.to_string()]).unwrap();
    f.ops.commit(f.id, message).unwrap().id
}

#[test]
fn stash_tags_remotes_show_and_reset() {
    let f = fixture();
    // Stash: push (untracked too), list, apply keeps it, drop removes it.
    std::fs::write(f.mine.join("a.txt"), "one\nTWO\nthree\n").unwrap();
    std::fs::write(f.mine.join("new.txt"), "new\n").unwrap();
    let list = f.ops.stash_push(f.id, "half done", true).unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].message.contains("half done"), "{list:?}");
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "");
    assert!(matches!(
        f.ops.stash_push(f.id, "", false),
        Err(Error::InvalidInput(_))
    ));
    let list = f.ops.stash_apply(f.id, 0, false).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        std::fs::read_to_string(f.mine.join("a.txt")).unwrap(),
        "one\nTWO\nthree\n"
    );
    assert!(f.mine.join("new.txt").exists());
    // Applying again over the same changes is refused and changes nothing.
    assert!(f.ops.stash_apply(f.id, 0, false).is_err());
    assert_eq!(
        std::fs::read_to_string(f.mine.join("a.txt")).unwrap(),
        "one\nTWO\nthree\n"
    );
    assert!(matches!(f.ops.stash_drop(f.id, 5), Err(Error::NotFound(_))));
    assert!(f.ops.stash_drop(f.id, 0).unwrap().is_empty());
    assert_eq!(git(&f.mine, &["stash", "list"]), "");
    std::fs::remove_file(f.mine.join("new.txt")).unwrap();

    // Tags: lightweight and annotated, never moved, deleted.
    let head = git(&f.mine, &["rev-parse", "HEAD"]);
    f.ops.create_tag(f.id, "v1", "").unwrap();
    let tags = f.ops.create_tag(f.id, "v1.1", "First release").unwrap();
    assert_eq!(tags.len(), 2);
    assert!(tags.iter().all(|t| t.target == head));
    assert_eq!(
        tags.iter()
            .find(|t| t.name == "v1.1")
            .unwrap()
            .message
            .as_deref(),
        Some("First release")
    );
    assert_eq!(git(&f.mine, &["cat-file", "-t", "v1.1"]), "tag");
    assert!(matches!(
        f.ops.create_tag(f.id, "v1", ""),
        Err(Error::Conflict(_))
    ));
    assert_eq!(f.ops.delete_tag(f.id, "v1").unwrap().len(), 1);
    assert_eq!(git(&f.mine, &["tag"]), "v1.1");

    // Remotes: listed with credentials hidden, added, removed.
    let remotes = f.ops.remotes(f.id).unwrap();
    assert_eq!(remotes.len(), 1);
    assert_eq!(remotes[0].name, "origin");
    let remotes = f
        .ops
        .add_remote(f.id, "backup", "https://ada:secret@example.org/r.git")
        .unwrap();
    let backup = remotes.iter().find(|r| r.name == "backup").unwrap();
    assert!(!backup.url.contains("secret"), "{}", backup.url);
    assert_eq!(
        git(&f.mine, &["config", "remote.backup.url"]),
        "https://ada:secret@example.org/r.git"
    );
    assert!(matches!(
        f.ops.add_remote(f.id, "backup", "/elsewhere"),
        Err(Error::Conflict(_))
    ));
    assert_eq!(f.ops.remove_remote(f.id, "backup").unwrap().len(), 1);
    assert_eq!(git(&f.mine, &["remote"]), "origin");

    // Show: message and diff of a commit.
    let second = commit_file(&f, "a.txt", "one\n2\nthree\n", "Second\n\nWith a body.");
    let shown = f.ops.show(f.id, &second).unwrap();
    assert_eq!(shown.message, "Second\n\nWith a body.\n");
    assert_eq!(shown.files.len(), 1);
    assert_eq!(shown.files[0].path, "a.txt");
    assert_eq!(shown.files[0].status, "modified");
    assert!(
        shown.files[0].patch.contains("-two\n+2\n"),
        "{}",
        shown.files[0].patch
    );
    assert!(f.ops.show(f.id, "HEAD").is_err());

    // Reset: soft keeps the change staged, mixed unstaged, hard discards it.
    f.ops.reset(f.id, &head, ResetMode::Soft).unwrap();
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "M  a.txt");
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    let again = f.ops.commit(f.id, "Second again").unwrap().id;
    f.ops.reset(f.id, &head, ResetMode::Mixed).unwrap();
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "M a.txt");
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    f.ops.commit(f.id, "Second, third time").unwrap();
    f.ops.reset(f.id, &head, ResetMode::Hard).unwrap();
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(f.mine.join("a.txt")).unwrap(),
        "one\ntwo\nthree\n"
    );
    // The commit is still reachable by id (the reflog keeps it).
    assert_eq!(f.ops.show(f.id, &again).unwrap().commit.id, again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_and_pull_against_a_bare_repository() {
    let f = fixture();
    // Push a new branch: it gets an upstream.
    f.ops.create_branch(f.id, "feature", true).unwrap();
    let mine = commit_file(&f, "b.txt", "b\n", "Add b");
    let pushed = f.sync.push(f.id, None, quiet()).await.unwrap();
    assert_eq!(pushed.outcome, SyncOutcome::Pushed);
    assert_eq!(git(&f.bare, &["rev-parse", "refs/heads/feature"]), mine);
    assert_eq!(
        git(
            &f.mine,
            &["rev-parse", "--abbrev-ref", "feature@{upstream}"]
        ),
        "origin/feature"
    );
    f.ops.switch_branch(f.id, "main").unwrap();

    // A colleague pushes to main: pull fast-forwards.
    std::fs::write(f.theirs.join("c.txt"), "c\n").unwrap();
    git(&f.theirs, &["add", "."]);
    git(&f.theirs, &["commit", "-qm", "Add c"]);
    git(&f.theirs, &["push", "-q", "origin", "main"]);
    let (report, frames) = collect();
    let pulled = f
        .sync
        .pull(f.id, PullMode::FastForwardOnly, report)
        .await
        .unwrap();
    assert_eq!(pulled.outcome, SyncOutcome::FastForward);
    assert_eq!(
        git(&f.mine, &["rev-parse", "HEAD"]),
        git(&f.theirs, &["rev-parse", "HEAD"])
    );
    assert_eq!(
        std::fs::read_to_string(f.mine.join("c.txt")).unwrap(),
        "c\n"
    );
    assert!(
        frames.lock().unwrap().iter().any(|p| p.total > 0),
        "fetch progress: {:?}",
        frames.lock().unwrap()
    );
    let again = f
        .sync
        .pull(f.id, PullMode::FastForwardOnly, quiet())
        .await
        .unwrap();
    assert_eq!(again.outcome, SyncOutcome::UpToDate);

    // Diverged: fast-forward-only refuses and changes nothing; merge merges.
    std::fs::write(f.theirs.join("d.txt"), "d\n").unwrap();
    git(&f.theirs, &["add", "."]);
    git(&f.theirs, &["commit", "-qm", "Add d"]);
    git(&f.theirs, &["push", "-q", "origin", "main"]);
    let local = commit_file(&f, "e.txt", "e\n", "Add e");
    let err = f
        .sync
        .pull(f.id, PullMode::FastForwardOnly, quiet())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), local);
    // Pushing now is refused: the remote has a commit we do not.
    let err = f.sync.push(f.id, None, quiet()).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_ne!(git(&f.bare, &["rev-parse", "refs/heads/main"]), local);

    let merged = f.sync.pull(f.id, PullMode::Merge, quiet()).await.unwrap();
    assert_eq!(merged.outcome, SyncOutcome::Merged, "{merged:?}");
    let parents = git(&f.mine, &["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(parents.split(' ').count(), 3, "a merge commit: {parents}");
    assert!(f.mine.join("d.txt").exists() && f.mine.join("e.txt").exists());
    assert_eq!(git(&f.mine, &["log", "-1", "--format=%an"]), "Ada");

    let (report, frames) = collect();
    f.sync.push(f.id, None, report).await.unwrap();
    assert_eq!(
        git(&f.bare, &["rev-parse", "refs/heads/main"]),
        git(&f.mine, &["rev-parse", "HEAD"])
    );
    drop(frames);
    // Fetch only moves remote-tracking branches.
    git(&f.theirs, &["pull", "-q", "--no-rebase", "origin", "main"]);
    std::fs::write(f.theirs.join("g.txt"), "g\n").unwrap();
    git(&f.theirs, &["add", "."]);
    git(&f.theirs, &["commit", "-qm", "Add g"]);
    git(&f.theirs, &["push", "-q", "origin", "main"]);
    let head = git(&f.mine, &["rev-parse", "HEAD"]);
    let fetched = f.sync.fetch(f.id, None, quiet()).await.unwrap();
    assert_eq!(fetched.outcome, SyncOutcome::Fetched);
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), head);
    assert_eq!(
        git(&f.mine, &["rev-parse", "origin/main"]),
        git(&f.theirs, &["rev-parse", "HEAD"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_conflict_is_reported_with_its_files_and_can_be_aborted_or_concluded() {
    let f = fixture();
    f.ops.create_branch(f.id, "feature", true).unwrap();
    commit_file(&f, "a.txt", "one\nfeature\nthree\n", "Feature edit");
    commit_file(&f, "f.txt", "only on feature\n", "Feature file");
    f.ops.switch_branch(f.id, "main").unwrap();
    let main = commit_file(&f, "a.txt", "one\nmain\nthree\n", "Main edit");

    let result = f.sync.merge(f.id, "feature").await.unwrap();
    assert_eq!(result.outcome, SyncOutcome::Conflicts);
    assert_eq!(result.conflicted, ["a.txt"]);
    let state = f.ops.state(f.id).unwrap();
    assert_eq!(state.state, RepoState::Merge);
    assert_eq!(state.conflicted, ["a.txt"]);
    // Nothing else can start meanwhile.
    assert!(matches!(
        f.sync.merge(f.id, "feature").await,
        Err(Error::Conflict(_))
    ));
    assert_eq!(f.sync.abort(f.id).await.unwrap(), RepoState::Clean);
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), main);
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "");
    assert!(!f.mine.join("f.txt").exists());

    // Again, resolved and committed from the app: a merge commit.
    f.sync.merge(f.id, "feature").await.unwrap();
    assert!(matches!(
        f.ops.commit(f.id, "Merge"),
        Err(Error::Conflict(_))
    ));
    std::fs::write(f.mine.join("a.txt"), "one\nboth\nthree\n").unwrap();
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    f.ops.commit(f.id, "Merge feature").unwrap();
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Clean);
    let parents = git(&f.mine, &["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(parents.split(' ').count(), 3, "{parents}");
    assert!(f.mine.join("f.txt").exists());
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "");

    // A clean merge of a branch already in: up to date.
    let up = f.sync.merge(f.id, "feature").await.unwrap();
    assert_eq!(up.outcome, SyncOutcome::UpToDate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebase_stops_on_conflicts_and_continues() {
    let f = fixture();
    f.ops.create_branch(f.id, "topic", true).unwrap();
    commit_file(&f, "a.txt", "one\ntopic\nthree\n", "Topic edit");
    commit_file(&f, "t.txt", "t\n", "Topic file");
    f.ops.switch_branch(f.id, "main").unwrap();
    let main = commit_file(&f, "a.txt", "one\nmain\nthree\n", "Main edit");
    f.ops.switch_branch(f.id, "topic").unwrap();

    let result = f.sync.rebase(f.id, "main").await.unwrap();
    assert_eq!(result.outcome, SyncOutcome::Conflicts, "{result:?}");
    assert_eq!(result.conflicted, ["a.txt"]);
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Rebase);
    assert!(matches!(
        f.sync.continue_rebase(f.id).await,
        Err(Error::Conflict(_))
    ));
    std::fs::write(f.mine.join("a.txt"), "one\nmain and topic\nthree\n").unwrap();
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    let done = f.sync.continue_rebase(f.id).await.unwrap();
    assert_eq!(done.outcome, SyncOutcome::Rebased, "{done:?}");
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Clean);
    // Linear: topic's two commits on top of main.
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD~2"]), main);
    assert_eq!(
        git(&f.mine, &["log", "--format=%s", "-2"]),
        "Topic file\nTopic edit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clone_streams_progress_and_registers_the_repository() {
    let f = fixture();
    // file:// makes git use the pack protocol (and print progress).
    let url = format!("file://{}", f.bare.display());
    let (report, frames) = collect();
    let repo = f
        .sync
        .clone_repo(&url, &f.work.display().to_string(), None, report)
        .await
        .unwrap();
    assert_eq!(repo.name, "origin");
    assert_eq!(repo.path, f.work.join("origin").display().to_string());
    assert_eq!(
        git(&f.work.join("origin"), &["log", "--format=%s"]),
        "first"
    );
    assert!(f.repos.list().unwrap().iter().any(|r| r.id == repo.id));
    let frames = frames.lock().unwrap().clone();
    assert!(
        frames
            .iter()
            .any(|p| p.stage == "Receiving objects" && p.total > 0),
        "{frames:?}"
    );
    assert_eq!(frames.last().unwrap().stage, "Done");

    // Into an existing folder, or under a name already registered: refused.
    let err = f
        .sync
        .clone_repo(&url, &f.work.display().to_string(), Some("origin"), quiet())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let err = f
        .sync
        .clone_repo(&url, &f.work.display().to_string(), Some("mine"), quiet())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    // A clone that fails leaves nothing behind.
    let err = f
        .sync
        .clone_repo(
            &format!("file://{}/nothing.git", f.root.display()),
            &f.work.display().to_string(),
            Some("broken"),
            quiet(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Failed { .. }), "{err:?}");
    assert!(!f.work.join("broken").exists());
    assert_eq!(f.repos.list().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_git_input_is_refused_with_no_effect() {
    let f = fixture();
    let marker = f.root.join("pwned");
    let m = marker.display().to_string();
    let work = f.work.display().to_string();
    let remotes_before = git(&f.mine, &["config", "--get-regexp", "^remote\\."]);
    let head_before = git(&f.mine, &["rev-parse", "HEAD"]);

    let hostile_urls = [
        format!("--upload-pack=touch {m}"),
        format!("-c core.sshCommand=touch {m}"),
        format!("ext::sh -c touch% {m}"),
        format!("ssh://-oProxyCommand=touch%20{m}/repo"),
        format!("-oProxyCommand=touch {m}:repo"),
        "fd::7".to_string(),
    ];
    for url in &hostile_urls {
        let err = f
            .sync
            .clone_repo(url, &work, Some("x"), quiet())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "clone {url}: {err:?}"
        );
        let err = f.ops.add_remote(f.id, "evil", url).unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "remote {url}: {err:?}"
        );
    }
    // Clone destinations outside the workspace folders.
    let url = format!("file://{}", f.bare.display());
    for (workspace, name) in [
        (f.root.display().to_string(), "x"),
        ("/tmp".to_string(), "x"),
        (work.clone(), "../escaped"),
        (work.clone(), "-x"),
        (work.clone(), "a\nb"),
    ] {
        let err = f
            .sync
            .clone_repo(&url, &workspace, Some(name), quiet())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Forbidden(_) | Error::InvalidInput(_)),
            "{workspace} {name:?}: {err:?}"
        );
    }
    assert!(!f.root.join("escaped").exists() && !f.root.join("x").exists());
    assert_eq!(std::fs::read_dir(&f.work).unwrap().count(), 0);

    // Options where names go.
    for remote in [format!("--upload-pack=touch {m}"), "-c".to_string()] {
        let err = f
            .sync
            .fetch(f.id, Some(remote.clone()), quiet())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "fetch {remote}: {err:?}"
        );
        let err = f
            .sync
            .push(f.id, Some(remote.clone()), quiet())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "push {remote}: {err:?}"
        );
        assert!(f.ops.add_remote(f.id, &remote, "/srv/x.git").is_err());
    }
    for name in [format!("--exec=touch {m}"), "-D".into(), "--abort".into()] {
        assert!(matches!(
            f.sync.rebase(f.id, &name).await,
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            f.sync.merge(f.id, &name).await,
            Err(Error::InvalidInput(_))
        ));
        assert!(f.ops.create_branch(f.id, &name, false).is_err());
        assert!(f.ops.create_tag(f.id, &name, "").is_err());
    }

    // A remote written into the config by hand is held to the same rules.
    git(
        &f.mine,
        &[
            "config",
            "remote.evil.url",
            &format!("ext::sh -c touch% {m}"),
        ],
    );
    let err = f
        .sync
        .fetch(f.id, Some("evil".into()), quiet())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    git(&f.mine, &["config", "--remove-section", "remote.evil"]);

    // The repository's own config naming programs: never run by the app.
    git(
        &f.mine,
        &[
            "config",
            "remote.origin.uploadpack",
            &format!("touch {m}; git-upload-pack"),
        ],
    );
    git(
        &f.mine,
        &[
            "config",
            "remote.origin.receivepack",
            &format!("touch {m}; git-receive-pack"),
        ],
    );
    git(
        &f.mine,
        &["config", "core.sshCommand", &format!("touch {m}")],
    );
    let fsmonitor = f.root.join("fsmonitor.sh");
    std::fs::write(&fsmonitor, format!("#!/bin/sh\ntouch {m}\n")).unwrap();
    Command::new("chmod")
        .arg("755")
        .arg(&fsmonitor)
        .status()
        .unwrap();
    git(
        &f.mine,
        &["config", "core.fsmonitor", &fsmonitor.display().to_string()],
    );
    f.sync.fetch(f.id, None, quiet()).await.unwrap();
    f.ops.create_branch(f.id, "side", false).unwrap();
    let merged = f.sync.merge(f.id, "side").await.unwrap();
    assert_eq!(merged.outcome, SyncOutcome::UpToDate);
    f.sync.push(f.id, None, quiet()).await.unwrap();
    assert!(
        !marker.exists(),
        "a program named by the repository's config ran"
    );
    // (Proof the fixture is live: the git CLI itself runs the fsmonitor hook.)
    git(&f.mine, &["status", "--porcelain"]);
    assert!(
        marker.exists(),
        "the fsmonitor fixture did not run under plain git"
    );
    std::fs::remove_file(&marker).unwrap();
    git(&f.mine, &["config", "--unset", "core.fsmonitor"]);
    git(&f.mine, &["config", "--unset", "remote.origin.uploadpack"]);
    git(&f.mine, &["config", "--unset", "remote.origin.receivepack"]);
    git(&f.mine, &["config", "--unset", "core.sshCommand"]);

    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), head_before);
    assert_eq!(
        git(&f.mine, &["config", "--get-regexp", "^remote\\."]),
        remotes_before
    );
    assert!(!marker.exists());
    let _ = (&f.home, &f.workspaces);
}

/// Merge, rebase and rebase-continue run the git program, which would run
/// whatever the repository's own config names: hooks (in .git/hooks and a
/// core.hooksPath), a merge driver and clean/smudge filters picked by
/// .gitattributes, and gpg.program for signed commits. None of them runs
/// through the app — as none runs through libgit2 — while the same
/// operations with plain git run them all (the fixture is live).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_and_rebase_run_no_program_the_repository_names() {
    let f = fixture();
    let ran = f.root.join("ran");
    std::fs::create_dir_all(&ran).unwrap();
    let marker = |what: &str| format!("touch '{}/{what}'", ran.display());
    let script = |name: &str, body: String| {
        let path = f.root.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        Command::new("chmod").arg("+x").arg(&path).status().unwrap();
        path
    };
    // Hooks in .git/hooks and in a hooks folder the config points to.
    let hooks = f.mine.join(".git/hooks");
    let other_hooks = f.root.join("other-hooks");
    std::fs::create_dir_all(&other_hooks).unwrap();
    for dir in [&hooks, &other_hooks] {
        for hook in [
            "pre-merge-commit",
            "post-merge",
            "post-checkout",
            "pre-rebase",
            "post-rewrite",
            "prepare-commit-msg",
            "commit-msg",
        ] {
            let path = dir.join(hook);
            std::fs::write(
                &path,
                format!("#!/bin/sh\n{}\n", marker(&format!("hook-{hook}"))),
            )
            .unwrap();
            Command::new("chmod").arg("+x").arg(&path).status().unwrap();
        }
    }
    let gpg = script("gpg.sh", format!("{}\nexit 1", marker("gpg")));
    let driver = script("driver.sh", format!("{}\nexit 0", marker("merge-driver")));
    let config = [
        (
            "merge.evil.driver",
            format!("{} %O %A %B", driver.display()),
        ),
        (
            "filter.evil.clean",
            format!("sh -c \"{}; cat\"", marker("clean")),
        ),
        (
            "filter.evil.smudge",
            format!("sh -c \"{}; cat\"", marker("smudge")),
        ),
        ("filter.evil.required", "true".into()),
        ("commit.gpgSign", "true".into()),
        ("gpg.program", gpg.display().to_string()),
    ];
    // The attributes come with the history, as a cloned repository's would.
    std::fs::write(
        f.mine.join(".gitattributes"),
        "*.txt merge=evil filter=evil\n",
    )
    .unwrap();
    git(&f.mine, &["add", ".gitattributes"]);
    git(
        &f.mine,
        &["-c", "commit.gpgSign=false", "commit", "-qm", "attributes"],
    );
    for (key, value) in &config {
        git(&f.mine, &["config", key, value]);
    }
    git(
        &f.mine,
        &[
            "config",
            "core.hooksPath",
            &other_hooks.display().to_string(),
        ],
    );
    let ran_now = || -> Vec<String> {
        let mut list: Vec<String> = std::fs::read_dir(&ran)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        list.sort();
        list
    };

    // Branches to merge and rebase: one that merges cleanly, one that conflicts.
    // The test's own set-up steps, with all of it off.
    let safe = |args: &[&str]| {
        let mut all = vec![
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "commit.gpgSign=false",
            "-c",
            "filter.evil.clean=",
            "-c",
            "filter.evil.smudge=",
            "-c",
            "filter.evil.required=false",
        ];
        all.extend_from_slice(args);
        Command::new("git")
            .args(&all)
            .current_dir(&f.mine)
            .env("HOME", &f.home)
            .output()
            .unwrap()
    };
    safe(&["checkout", "-qb", "clean"]);
    std::fs::write(f.mine.join("b.txt"), "from clean\n").unwrap();
    safe(&["add", "b.txt"]);
    safe(&["commit", "-qm", "clean branch"]);
    safe(&["checkout", "-q", "main"]);
    safe(&["checkout", "-qb", "clash"]);
    std::fs::write(f.mine.join("a.txt"), "one\nclash\nthree\n").unwrap();
    safe(&["commit", "-qam", "clash branch"]);
    safe(&["checkout", "-q", "main"]);
    std::fs::write(f.mine.join("a.txt"), "one\nmain\nthree\n").unwrap();
    safe(&["commit", "-qam", "main edit"]);
    let start = git(&f.mine, &["rev-parse", "HEAD"]);
    for entry in std::fs::read_dir(&ran).unwrap().flatten() {
        std::fs::remove_file(entry.path()).unwrap();
    }

    // Through the app: a clean merge (a merge commit), a conflicting merge
    // (the custom driver's file stops as a conflict), a rebase and its continue.
    let merged = f.sync.merge(f.id, "clean").await.unwrap();
    assert_eq!(merged.outcome, SyncOutcome::Merged, "{merged:?}");
    assert!(f.mine.join("b.txt").exists());
    let clash = f.sync.merge(f.id, "clash").await.unwrap();
    assert_eq!(clash.outcome, SyncOutcome::Conflicts, "{clash:?}");
    assert_eq!(f.sync.abort(f.id).await.unwrap(), RepoState::Clean);
    safe(&["checkout", "-q", "clash"]);
    let rebased = f.sync.rebase(f.id, "main").await.unwrap();
    assert_eq!(rebased.outcome, SyncOutcome::Conflicts, "{rebased:?}");
    std::fs::write(f.mine.join("a.txt"), "one\nboth\nthree\n").unwrap();
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    let done = f.sync.continue_rebase(f.id).await.unwrap();
    assert_eq!(done.outcome, SyncOutcome::Rebased, "{done:?}");
    assert_eq!(
        ran_now(),
        Vec::<String>::new(),
        "programs the repository names ran"
    );

    // The fixture is live: plain git runs them (on a branch that conflicts
    // again: "clash" now holds main's change).
    safe(&["checkout", "-q", "-b", "clash2", &format!("{start}~1")]);
    std::fs::write(f.mine.join("a.txt"), "one\nclash2\nthree\n").unwrap();
    safe(&["commit", "-qam", "clash again"]);
    safe(&["checkout", "-q", "main"]);
    safe(&["reset", "-q", "--hard", &start]);
    let plain_merge = |branch: &str| {
        Command::new("git")
            .args(["merge", "--no-edit", branch])
            .current_dir(&f.mine)
            .env("HOME", &f.home)
            .output()
            .unwrap()
    };
    plain_merge("clash2");
    safe(&["merge", "--abort"]);
    safe(&["reset", "-q", "--hard", &start]);
    plain_merge("clean");
    let plain = ran_now();
    for expected in ["gpg", "hook-pre-merge-commit", "merge-driver", "clean"] {
        assert!(
            plain.contains(&expected.to_string()),
            "plain git did not run {expected}: {plain:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cherry_pick_and_revert_make_new_commits_or_stop_on_conflicts() {
    let f = fixture();
    f.ops.create_branch(f.id, "feature", true).unwrap();
    let clean = commit_file(&f, "f.txt", "only on feature\n", "Feature file");
    let clashing = commit_file(&f, "a.txt", "one\nfeature\nthree\n", "Feature edit");
    f.ops.switch_branch(f.id, "main").unwrap();
    let main = commit_file(&f, "a.txt", "one\nmain\nthree\n", "Main edit");

    // A clean pick: a new commit on main with the same change and message.
    let r = f.sync.cherry_pick(f.id, &clean).await.unwrap();
    assert_eq!(r.outcome, SyncOutcome::CherryPicked, "{r:?}");
    assert_eq!(git(&f.mine, &["log", "-1", "--format=%s"]), "Feature file");
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD~1"]), main);
    assert_eq!(
        std::fs::read_to_string(f.mine.join("f.txt")).unwrap(),
        "only on feature\n"
    );
    // Picked again: nothing to do, and nothing left under way.
    let again = f.sync.cherry_pick(f.id, &clean).await.unwrap();
    assert_eq!(again.outcome, SyncOutcome::UpToDate, "{again:?}");
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Clean);

    // A clashing pick stops like a merge; abort puts main back.
    let picked = git(&f.mine, &["rev-parse", "HEAD"]);
    let r = f.sync.cherry_pick(f.id, &clashing).await.unwrap();
    assert_eq!(r.outcome, SyncOutcome::Conflicts);
    assert_eq!(r.conflicted, ["a.txt"]);
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::CherryPick);
    assert_eq!(f.sync.abort(f.id).await.unwrap(), RepoState::Clean);
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), picked);
    // … or is resolved and committed from the app, which ends the pick.
    f.sync.cherry_pick(f.id, &clashing).await.unwrap();
    std::fs::write(f.mine.join("a.txt"), "one\nboth\nthree\n").unwrap();
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    f.ops.commit(f.id, "Feature edit, resolved").unwrap();
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Clean);
    assert_eq!(
        git(&f.mine, &["rev-list", "--parents", "-n", "1", "HEAD"])
            .split(' ')
            .count(),
        2
    );

    // Revert the picked file: a new commit without it.
    let head_pick = git(&f.mine, &["rev-parse", "HEAD~1"]);
    let r = f.sync.revert(f.id, &head_pick).await.unwrap();
    assert_eq!(r.outcome, SyncOutcome::Reverted, "{r:?}");
    assert!(!f.mine.join("f.txt").exists());
    assert!(git(&f.mine, &["log", "-1", "--format=%s"]).starts_with("Revert \"Feature file\""));

    // Bad ids, unknown commits and merges are refused, nothing changes.
    let tip = git(&f.mine, &["rev-parse", "HEAD"]);
    for bad in ["HEAD", "--abort", &"0".repeat(40)] {
        assert!(f.sync.cherry_pick(f.id, bad).await.is_err(), "{bad}");
        assert!(f.sync.revert(f.id, bad).await.is_err(), "{bad}");
    }
    git(
        &f.mine,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "merge feature",
            "feature",
            "-X",
            "ours",
        ],
    );
    let merge = git(&f.mine, &["rev-parse", "HEAD"]);
    assert!(matches!(
        f.sync.revert(f.id, &merge).await,
        Err(Error::InvalidInput(_))
    ));
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD~1"]), tip);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_are_shown_three_ways_and_the_chosen_result_is_committed() {
    use ai_desktop_api::git::ConflictChunk;
    let f = fixture();
    let base: String = (1..=10).map(|i| format!("line {i}\n")).collect();
    commit_file(&f, "c.txt", &base, "Base");
    f.ops.create_branch(f.id, "feature", true).unwrap();
    commit_file(
        &f,
        "c.txt",
        &base
            .replace("line 2\n", "line 2 feature\n")
            .replace("line 8\n", "line 8 feature\n"),
        "Feature",
    );
    f.ops.switch_branch(f.id, "main").unwrap();
    commit_file(
        &f,
        "c.txt",
        &base
            .replace("line 2\n", "line 2 main\n")
            .replace("line 8\n", "line 8 main\n"),
        "Main",
    );
    let r = f.sync.merge(f.id, "feature").await.unwrap();
    assert_eq!(r.conflicted, ["c.txt"]);

    let file = f.ops.conflict(f.id, "c.txt").unwrap();
    let conflicts: Vec<_> = file
        .chunks
        .iter()
        .filter_map(|c| match c {
            ConflictChunk::Conflict { ours, base, theirs } => Some((ours, base, theirs)),
            _ => None,
        })
        .collect();
    assert_eq!(conflicts.len(), 2, "{file:?}");
    assert_eq!(
        conflicts[0],
        (
            &"line 2 main\n".to_string(),
            &"line 2\n".to_string(),
            &"line 2 feature\n".to_string()
        )
    );
    // Theirs for the first, ours for the second, assembled as the page does.
    let mut n = 0;
    let text: String = file
        .chunks
        .iter()
        .map(|c| match c {
            ConflictChunk::Same { text } => text.clone(),
            ConflictChunk::Conflict { ours, theirs, .. } => {
                n += 1;
                if n == 1 {
                    theirs.clone()
                } else {
                    ours.clone()
                }
            }
        })
        .collect();
    // Markers left in: refused, nothing staged.
    assert!(f.ops.resolve(f.id, "c.txt", "<<<<<<< ours\nx\n").is_err());
    assert!(
        f.ops.resolve(f.id, "a.txt", "x\n").is_err(),
        "not in conflict"
    );
    f.ops.resolve(f.id, "c.txt", &text).unwrap();
    assert_eq!(
        git(&f.mine, &["diff", "--name-only", "--diff-filter=U"]),
        ""
    );
    f.ops.commit(f.id, "Merge feature").unwrap();
    let expected = base
        .replace("line 2\n", "line 2 feature\n")
        .replace("line 8\n", "line 8 main\n");
    assert_eq!(git(&f.mine, &["show", "HEAD:c.txt"]), expected.trim_end());
    assert_eq!(
        git(&f.mine, &["rev-list", "--parents", "-n", "1", "HEAD"])
            .split(' ')
            .count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interactive_rebase_plan_produces_the_expected_history() {
    use ai_desktop_api::git::{RebaseAction as A, RebaseStep};
    let f = fixture();
    let base = git(&f.mine, &["rev-parse", "HEAD"]);
    let c1 = commit_file(&f, "one.txt", "1\n", "One");
    let c2 = commit_file(&f, "two.txt", "2\n", "Two");
    let c3 = commit_file(&f, "one.txt", "1 fixed\n", "Fix one");
    let c4 = commit_file(&f, "four.txt", "4\n", "Four");
    let c5 = commit_file(&f, "five.txt", "5\n", "Five, misspelt");
    let listed: Vec<String> = f
        .sync
        .rebase_commits(f.id, &base)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        listed,
        [c1.clone(), c2.clone(), c3.clone(), c4.clone(), c5.clone()]
    );
    let step = |id: &str, action: A, message: Option<&str>| RebaseStep {
        id: id.to_string(),
        action,
        message: message.map(str::to_string),
    };
    // Fix one folded into One (moved up), Two dropped, Five reworded and
    // moved before Four.
    let plan = vec![
        step(&c1, A::Pick, None),
        step(&c3, A::Fixup, None),
        step(&c2, A::Drop, None),
        step(&c5, A::Reword, Some("Five")),
        step(&c4, A::Pick, None),
    ];
    // Bad plans are refused and change nothing.
    let head = git(&f.mine, &["rev-parse", "HEAD"]);
    assert!(f
        .sync
        .rebase_interactive(f.id, &base, &plan[..4])
        .await
        .is_err());
    let mut first_fixup = plan.clone();
    first_fixup.swap(0, 1);
    assert!(f
        .sync
        .rebase_interactive(f.id, &base, &first_fixup)
        .await
        .is_err());
    let mut no_message = plan.clone();
    no_message[3].message = Some("  ".into());
    assert!(f
        .sync
        .rebase_interactive(f.id, &base, &no_message)
        .await
        .is_err());
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), head);

    let r = f.sync.rebase_interactive(f.id, &base, &plan).await.unwrap();
    assert_eq!(r.outcome, SyncOutcome::Rebased, "{r:?}");
    assert_eq!(
        git(&f.mine, &["log", "--format=%s", &format!("{base}..HEAD")]),
        "Four\nFive\nOne"
    );
    assert_eq!(
        std::fs::read_to_string(f.mine.join("one.txt")).unwrap(),
        "1 fixed\n"
    );
    assert!(!f.mine.join("two.txt").exists());
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "");
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Clean);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_repositories_list_sees_ahead_behind_and_changed_files() {
    let f = fixture();
    commit_file(&f, "mine.txt", "m\n", "Mine");
    std::fs::write(f.theirs.join("theirs.txt"), "t\n").unwrap();
    git(&f.theirs, &["add", "."]);
    git(&f.theirs, &["commit", "-qm", "Theirs"]);
    git(
        &f.theirs,
        &["commit", "-q", "--allow-empty", "-m", "Theirs 2"],
    );
    git(&f.theirs, &["push", "-q", "origin", "main"]);
    git(&f.mine, &["fetch", "-q"]);
    std::fs::write(f.mine.join("new.txt"), "n\n").unwrap();
    std::fs::write(f.mine.join("a.txt"), "changed\n").unwrap();
    let plain = f.root.join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let not_git = f
        .repos
        .create(NewRepository {
            name: "plain".into(),
            path: plain.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    let s = f.ops.summaries(&[f.id, not_git, 999]).unwrap();
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].upstream.as_deref(), Some("origin/main"));
    assert_eq!((s[0].ahead, s[0].behind), (1, 2));
    assert_eq!((s[0].counts.unstaged, s[0].counts.untracked), (1, 1));
    let many: Vec<i64> = (0..101).collect();
    assert!(f.ops.summaries(&many).is_err());
}

/// A remote named by a `Host` alias of the user's `~/.ssh/config`
/// (`workshop:/path`): libgit2 cannot resolve it; a trusted repository
/// fetches, pulls and pushes through git and the user's own ssh, which
/// reads the alias (host name, port, user, key, known hosts). An untrusted
/// one is refused with the reason and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ssh_config_host_alias_works_in_a_trusted_repository() {
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server)") {
        return;
    }
    let f = fixture();
    let server = ai_desktop_core::testkit::sshd::Sshd::start(&f.root.join("sshd"));
    let ssh = f.home.join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    std::fs::write(
        ssh.join("known_hosts"),
        format!("{}\n", server.known_hosts_line),
    )
    .unwrap();
    std::fs::write(
        ssh.join("config"),
        format!(
            "Host workshop\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityFile {}\n  \
             IdentitiesOnly yes\n  UserKnownHostsFile {}\n  StrictHostKeyChecking yes\n",
            server.port,
            server.user,
            server.client_key.display(),
            ssh.join("known_hosts").display()
        ),
    )
    .unwrap();
    let url = format!("workshop:{}", f.bare.display());
    git(&f.mine, &["remote", "set-url", "origin", &url]);

    // Untrusted: refused before any connection, with what to do.
    let before = git(&f.mine, &["rev-parse", "origin/main"]);
    std::fs::write(f.theirs.join("c.txt"), "c\n").unwrap();
    git(&f.theirs, &["add", "."]);
    git(&f.theirs, &["commit", "-qm", "Add c"]);
    git(&f.theirs, &["push", "-q", "origin", "main"]);
    let err = f.sync.fetch(f.id, None, quiet()).await.unwrap_err();
    let Error::Forbidden(message) = &err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("workshop")
            && message.contains("~/.ssh/config")
            && message.contains("trust"),
        "{message}"
    );
    assert_eq!(git(&f.mine, &["rev-parse", "origin/main"]), before);

    // Trusted: fetch and pull (fast-forward) come through the alias.
    f.repos.set_trusted(f.id, true).unwrap();
    let (report, frames) = collect();
    let pulled = f
        .sync
        .pull(f.id, PullMode::FastForwardOnly, report)
        .await
        .unwrap();
    assert_eq!(pulled.outcome, SyncOutcome::FastForward, "{pulled:?}");
    assert_eq!(
        git(&f.mine, &["rev-parse", "HEAD"]),
        git(&f.theirs, &["rev-parse", "HEAD"])
    );
    assert_eq!(
        std::fs::read_to_string(f.mine.join("c.txt")).unwrap(),
        "c\n"
    );
    drop(frames);

    // Push: the bare repository gets the commit, a new branch its upstream.
    let mine = commit_file(&f, "d.txt", "d\n", "Add d");
    let pushed = f.sync.push(f.id, None, quiet()).await.unwrap();
    assert_eq!(pushed.outcome, SyncOutcome::Pushed);
    assert_eq!(git(&f.bare, &["rev-parse", "refs/heads/main"]), mine);
    f.ops.create_branch(f.id, "feature", true).unwrap();
    let feature = commit_file(&f, "e.txt", "e\n", "Add e");
    f.sync.push(f.id, None, quiet()).await.unwrap();
    assert_eq!(git(&f.bare, &["rev-parse", "refs/heads/feature"]), feature);
    assert_eq!(
        git(
            &f.mine,
            &["rev-parse", "--abbrev-ref", "feature@{upstream}"]
        ),
        "origin/feature"
    );
    assert_eq!(git(&f.mine, &["rev-parse", "origin/feature"]), feature);

    // A push the remote refuses (it has a commit we lack) is a conflict, and
    // the remote keeps its branch.
    f.ops.switch_branch(f.id, "main").unwrap();
    git(&f.theirs, &["pull", "-q", "--no-rebase", "origin", "main"]);
    std::fs::write(f.theirs.join("f.txt"), "f\n").unwrap();
    git(&f.theirs, &["add", "."]);
    git(&f.theirs, &["commit", "-qm", "Add f"]);
    git(&f.theirs, &["push", "-q", "origin", "main"]);
    let remote_main = git(&f.bare, &["rev-parse", "refs/heads/main"]);
    commit_file(&f, "g.txt", "g\n", "Add g");
    let err = f.sync.push(f.id, None, quiet()).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(git(&f.bare, &["rev-parse", "refs/heads/main"]), remote_main);

    // A host the config does not know is still refused by ssh, not trusted blindly.
    std::fs::write(ssh.join("known_hosts"), "").unwrap();
    let err = f.sync.fetch(f.id, None, quiet()).await.unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("host key"),
        "{err:?}"
    );
}

/// Undo after a merge, cherry-pick, revert, rebase, fast-forward pull and a
/// stash drop: the branch (and its files) or the stash is back as it was,
/// and an undo that would lose uncommitted edits is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merges_rebases_picks_pulls_and_stash_drops_can_be_undone() {
    let f = fixture();
    let status = || git(&f.mine, &["status", "--porcelain"]);
    let head = || git(&f.mine, &["rev-parse", "HEAD"]);
    let undo_last = |kind: &str| {
        let last = f.ops.last_undo(f.id).unwrap().expect("an undo is offered");
        assert_eq!(last.kind, kind, "{last:?}");
        f.ops.undo(f.id, last.id).unwrap();
    };

    // Stash drop, of the only stash (refs/stash goes away) and of an older one.
    std::fs::write(f.mine.join("a.txt"), "one\nTWO\nthree\n").unwrap();
    f.ops.stash_push(f.id, "keep me", false).unwrap();
    let kept = git(&f.mine, &["rev-parse", "stash@{0}"]);
    assert!(f.ops.stash_drop(f.id, 0).unwrap().is_empty());
    undo_last("stash_drop");
    assert_eq!(git(&f.mine, &["rev-parse", "stash@{0}"]), kept);
    assert!(
        git(&f.mine, &["stash", "list"]).contains("keep me"),
        "{}",
        git(&f.mine, &["stash", "list"])
    );
    std::fs::write(f.mine.join("a.txt"), "one\ntwo\nTHREE\n").unwrap();
    f.ops.stash_push(f.id, "newer", false).unwrap();
    f.ops.stash_drop(f.id, 1).unwrap();
    assert_eq!(git(&f.mine, &["stash", "list"]).lines().count(), 1);
    undo_last("stash_drop");
    let list = git(&f.mine, &["stash", "list"]);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.contains("keep me") && list.contains("newer"), "{list}");
    // Applying the restored stash gives its edit back.
    git(&f.mine, &["stash", "apply", "-q", &kept]);
    assert_eq!(
        std::fs::read_to_string(f.mine.join("a.txt")).unwrap(),
        "one\nTWO\nthree\n"
    );
    git(&f.mine, &["checkout", "-q", "--", "a.txt"]);
    assert_eq!(
        f.ops.last_undo(f.id).unwrap(),
        None,
        "nothing older to offer"
    );

    // A merge of a diverged branch.
    f.ops.create_branch(f.id, "topic", true).unwrap();
    let topic = commit_file(&f, "topic.txt", "topic\n", "Add topic");
    f.ops.switch_branch(f.id, "main").unwrap();
    let base = commit_file(&f, "main.txt", "main\n", "Add main");
    let merged = f.sync.merge(f.id, "topic").await.unwrap();
    assert_eq!(merged.outcome, SyncOutcome::Merged);
    assert!(f.mine.join("topic.txt").exists());
    // Not while there are uncommitted edits: they would be lost.
    std::fs::write(f.mine.join("main.txt"), "edited\n").unwrap();
    let last = f.ops.last_undo(f.id).unwrap().unwrap();
    let err = f.ops.undo(f.id, last.id).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(
        std::fs::read_to_string(f.mine.join("main.txt")).unwrap(),
        "edited\n"
    );
    assert_ne!(head(), base);
    git(&f.mine, &["checkout", "-q", "--", "main.txt"]);
    undo_last("merge");
    assert_eq!(head(), base);
    assert!(!f.mine.join("topic.txt").exists());
    assert_eq!(status(), "");

    // Cherry-pick and revert.
    let picked = f.sync.cherry_pick(f.id, &topic).await.unwrap();
    assert_eq!(picked.outcome, SyncOutcome::CherryPicked);
    assert!(f.mine.join("topic.txt").exists());
    undo_last("cherry_pick");
    assert_eq!(head(), base);
    assert!(!f.mine.join("topic.txt").exists());
    let reverted = f.sync.revert(f.id, &base).await.unwrap();
    assert_eq!(reverted.outcome, SyncOutcome::Reverted);
    assert!(!f.mine.join("main.txt").exists());
    undo_last("revert");
    assert_eq!(head(), base);
    assert_eq!(
        std::fs::read_to_string(f.mine.join("main.txt")).unwrap(),
        "main\n"
    );
    assert_eq!(status(), "");

    // A rebase of topic onto main.
    f.ops.switch_branch(f.id, "topic").unwrap();
    let rebased = f.sync.rebase(f.id, "main").await.unwrap();
    assert_eq!(rebased.outcome, SyncOutcome::Rebased);
    assert_ne!(head(), topic);
    undo_last("rebase");
    assert_eq!(head(), topic);
    assert_eq!(
        git(&f.mine, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "topic"
    );
    assert!(!f.mine.join("main.txt").exists());
    assert_eq!(status(), "");

    // A fast-forward pull: the branch goes back, the remote-tracking one stays.
    f.ops.switch_branch(f.id, "main").unwrap();
    git(&f.mine, &["reset", "-q", "--hard", "origin/main"]);
    let before = head();
    std::fs::write(f.theirs.join("c.txt"), "c\n").unwrap();
    git(&f.theirs, &["add", "."]);
    git(&f.theirs, &["commit", "-qm", "Add c"]);
    git(&f.theirs, &["push", "-q", "origin", "main"]);
    let pulled = f
        .sync
        .pull(f.id, PullMode::FastForwardOnly, quiet())
        .await
        .unwrap();
    assert_eq!(pulled.outcome, SyncOutcome::FastForward);
    undo_last("pull");
    assert_eq!(head(), before);
    assert!(!f.mine.join("c.txt").exists());
    assert_eq!(
        git(&f.mine, &["rev-parse", "origin/main"]),
        git(&f.theirs, &["rev-parse", "HEAD"])
    );
    assert_eq!(status(), "");

    // A merge concluded by a commit after its conflicts: undone as a merge.
    f.ops.create_branch(f.id, "other", true).unwrap();
    commit_file(&f, "a.txt", "one\nOTHER\nthree\n", "Other a");
    f.ops.switch_branch(f.id, "main").unwrap();
    let main_tip = commit_file(&f, "a.txt", "one\nMAIN\nthree\n", "Main a");
    let stopped = f.sync.merge(f.id, "other").await.unwrap();
    assert_eq!(stopped.outcome, SyncOutcome::Conflicts);
    std::fs::write(f.mine.join("a.txt"), "one\nBOTH\nthree\n").unwrap();
    f.ops.stage(f.id, &["a.txt".to_string()]).unwrap();
    f.ops.commit(f.id, "Merge other").unwrap();
    undo_last("merge");
    assert_eq!(head(), main_tip);
    assert_eq!(
        std::fs::read_to_string(f.mine.join("a.txt")).unwrap(),
        "one\nMAIN\nthree\n"
    );
    assert_eq!(status(), "");
}

/// An `edit` step stops the rebase at its commit with nothing in conflict;
/// what the user then stages goes into that commit when they continue (its
/// message kept), the rest of the plan follows, and the whole rebase can
/// be undone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_step_stops_the_rebase_and_continue_puts_the_changes_in_that_commit() {
    use ai_desktop_api::git::{RebaseAction as A, RebaseStep};
    let f = fixture();
    let base = git(&f.mine, &["rev-parse", "HEAD"]);
    let c1 = commit_file(&f, "one.txt", "1\n", "One");
    let c2 = commit_file(&f, "two.txt", "2\n", "Two");
    let c3 = commit_file(&f, "three.txt", "3\n", "Three");
    let step = |id: &str, action: A| RebaseStep {
        id: id.to_string(),
        action,
        message: None,
    };
    let plan = [step(&c1, A::Pick), step(&c2, A::Edit), step(&c3, A::Pick)];
    let r = f.sync.rebase_interactive(f.id, &base, &plan).await.unwrap();
    assert_eq!(r.outcome, SyncOutcome::Paused, "{r:?}");
    assert!(r.message.contains("Two"), "{}", r.message);
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Rebase);
    assert_eq!(git(&f.mine, &["log", "-1", "--format=%s"]), "Two");
    assert!(!f.mine.join("three.txt").exists(), "stopped before Three");
    // No undo is offered in the middle of it.
    assert_eq!(f.ops.last_undo(f.id).unwrap(), None);

    std::fs::write(f.mine.join("two.txt"), "2, edited\n").unwrap();
    f.ops.stage(f.id, &["two.txt".to_string()]).unwrap();
    let r = f.sync.continue_rebase(f.id).await.unwrap();
    assert_eq!(r.outcome, SyncOutcome::Rebased, "{r:?}");
    assert_eq!(f.ops.state(f.id).unwrap().state, RepoState::Clean);
    assert_eq!(
        git(&f.mine, &["log", "--format=%s", &format!("{base}..HEAD")]),
        "Three\nTwo\nOne"
    );
    assert_eq!(git(&f.mine, &["show", "HEAD~1:two.txt"]), "2, edited");
    assert_eq!(
        git(&f.mine, &["show", "--stat", "--format=", "HEAD~1"])
            .lines()
            .count(),
        2,
        "only two.txt in Two"
    );
    assert_eq!(git(&f.mine, &["status", "--porcelain"]), "");

    let last = f
        .ops
        .last_undo(f.id)
        .unwrap()
        .expect("the rebase can be undone");
    assert_eq!(last.kind, "rebase");
    f.ops.undo(f.id, last.id).unwrap();
    assert_eq!(git(&f.mine, &["rev-parse", "HEAD"]), c3);
}
