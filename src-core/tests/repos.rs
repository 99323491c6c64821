//! The repository registry against a real SQLite file and real git
//! repositories made in temp dirs.

use ai_desktop_api::repos::{NewRepository, RepoKind, RepositoryPatch};
use ai_desktop_api::ErrorCode;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::repos::RepoRegistry;
use ai_desktop_core::store::Store;
use ai_desktop_core::{App, Config};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    db: PathBuf,
    events: Arc<RecordingSink>,
    registry: Arc<RepoRegistry>,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let events = Arc::new(RecordingSink::default());
        let app = App::open(Config::isolated(&root, "test"), events.clone()).unwrap();
        let db = app.store.path().to_path_buf();
        let registry = app.repos.clone();
        Fixture {
            _tmp: tmp,
            root,
            db,
            events,
            registry,
        }
    }

    /// A plain folder under the fixture's root.
    fn folder(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A git repository with one commit on `branch` and an `origin` remote.
    fn git_repo(&self, name: &str, branch: &str, origin: Option<&str>) -> PathBuf {
        let dir = self.folder(name);
        let repo = git2::Repository::init_opts(
            &dir,
            git2::RepositoryInitOptions::new().initial_head(branch),
        )
        .unwrap();
        std::fs::write(dir.join("package.json"), r#"{"name":"x"}"#).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("package.json")).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("Test", "test@example.com").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
            .unwrap();
        if let Some(url) = origin {
            repo.remote("origin", url).unwrap();
        }
        dir
    }

    fn create(&self, name: &str, path: &Path) -> Result<ai_desktop_api::repos::Repository, Error> {
        self.registry.create(NewRepository {
            name: name.into(),
            path: path.to_str().unwrap().into(),
            kind: None,
            port: None,
        })
    }

    /// Rows as the file holds them, read through a separate connection.
    fn rows(&self) -> Vec<(i64, String, String, i64)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT id, name, path, port FROM repositories ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> (ErrorCode, String) {
    let err = result.expect_err("the input must be refused");
    (err.code(), err.to_string())
}

#[test]
fn create_reads_kind_branch_and_origin_and_emits_an_event() {
    let f = Fixture::new();
    let dir = f.git_repo(
        "web",
        "trunk",
        Some("https://alice:s3cret@example.com/alice/web.git"),
    );
    let repo = f.create("Web", &dir).unwrap();
    assert_eq!(repo.name, "Web");
    assert_eq!(repo.path, dir.to_str().unwrap());
    assert_eq!(repo.kind, RepoKind::Node);
    assert_eq!(repo.branch.as_deref(), Some("trunk"));
    // The token never reaches the store.
    assert_eq!(
        repo.url.as_deref(),
        Some("https://alice@example.com/alice/web.git")
    );
    assert!(repo.port >= 8100);
    assert!(!repo.running);
    assert_eq!(
        f.events.take(),
        vec![DomainEvent::RepositoryUpdated(repo.clone())]
    );
    assert_eq!(
        f.rows(),
        vec![(
            repo.id,
            "Web".into(),
            repo.path.clone(),
            i64::from(repo.port)
        )]
    );
    let raw_url: String = rusqlite::Connection::open(&f.db)
        .unwrap()
        .query_row("SELECT url FROM repositories", [], |r| r.get(0))
        .unwrap();
    assert!(!raw_url.contains("s3cret"));
}

#[test]
fn ports_are_unique_and_skip_ports_in_use() {
    let f = Fixture::new();
    let a = f.create("a", &f.folder("a")).unwrap();
    let b = f.create("b", &f.folder("b")).unwrap();
    assert_ne!(a.port, b.port);
    assert!(a.port >= 8100 && b.port >= 8100);

    // Hold the port the registry would pick next; it must skip it.
    let next = (b.port + 1..)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .unwrap();
    let _held = TcpListener::bind(("127.0.0.1", next)).unwrap();
    let c = f.create("c", &f.folder("c")).unwrap();
    assert_ne!(c.port, next);
    assert!(![a.port, b.port].contains(&c.port));
}

#[test]
fn user_chosen_port_is_kept_and_conflicts_refused() {
    let f = Fixture::new();
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let taken = listener.local_addr().unwrap().port();
    let free = {
        let l = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        l.local_addr().unwrap().port()
    };
    let repo = f
        .registry
        .create(NewRepository {
            name: "chosen".into(),
            path: f.folder("chosen").to_str().unwrap().into(),
            kind: Some(RepoKind::Go),
            port: Some(i64::from(free)),
        })
        .unwrap();
    assert_eq!(repo.port, free);
    assert_eq!(repo.kind, RepoKind::Go);

    let before = f.rows();
    let attempt = |port: i64| {
        f.registry.create(NewRepository {
            name: "other".into(),
            path: f.folder("other").to_str().unwrap().into(),
            kind: None,
            port: Some(port),
        })
    };
    assert_eq!(code(attempt(i64::from(free))).0, ErrorCode::Conflict);
    let (c, msg) = code(attempt(i64::from(taken)));
    assert_eq!(c, ErrorCode::Conflict);
    assert!(msg.contains("in use"), "{msg}");
    assert_eq!(code(attempt(0)).0, ErrorCode::InvalidInput);
    assert_eq!(code(attempt(70000)).0, ErrorCode::InvalidInput);
    assert_eq!(f.rows(), before, "refused input changed the store");
}

#[test]
fn bad_paths_are_refused_and_change_nothing() {
    let f = Fixture::new();
    let existing = f.create("existing", &f.folder("existing")).unwrap();
    f.events.take();
    let before = f.rows();
    std::fs::write(f.root.join("notes.txt"), "x").unwrap();
    f.folder("elsewhere");
    let dotdot = format!("{}/existing/../elsewhere", f.root.display());
    let cases: Vec<(String, ErrorCode, &str)> = vec![
        ("relative/path".into(), ErrorCode::InvalidInput, "relative"),
        (
            f.root.join("missing").display().to_string(),
            ErrorCode::InvalidInput,
            "does not exist",
        ),
        (
            f.root.join("notes.txt").display().to_string(),
            ErrorCode::InvalidInput,
            "not a folder",
        ),
        (dotdot, ErrorCode::InvalidInput, ".."),
        (
            existing.path.clone(),
            ErrorCode::Conflict,
            "already registered",
        ),
    ];
    for (path, want, words) in cases {
        let (c, msg) = code(f.registry.create(NewRepository {
            name: "new".into(),
            path: path.clone(),
            kind: None,
            port: None,
        }));
        assert_eq!(c, want, "{path}: {msg}");
        assert!(msg.contains(words), "{path}: {msg}");
    }
    assert_eq!(f.rows(), before);
    assert!(f.events.take().is_empty());
}

#[test]
fn a_symlink_is_stored_as_its_target_and_cannot_register_it_twice() {
    let f = Fixture::new();
    let real = f.folder("real");
    let link = f.root.join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let repo = f.create("via-link", &link).unwrap();
    assert_eq!(repo.path, real.to_str().unwrap());
    let (c, _) = code(f.create("again", &real));
    assert_eq!(c, ErrorCode::Conflict);
}

#[test]
fn bad_names_are_refused() {
    let f = Fixture::new();
    f.create("Taken", &f.folder("one")).unwrap();
    let dir = f.folder("two");
    for (name, want) in [
        ("taken".to_string(), ErrorCode::Conflict),
        ("  ".to_string(), ErrorCode::InvalidInput),
        ("n".repeat(1000), ErrorCode::InvalidInput),
        ("bell\u{7}".to_string(), ErrorCode::InvalidInput),
        ("line\nbreak".to_string(), ErrorCode::InvalidInput),
    ] {
        assert_eq!(code(f.create(&name, &dir)).0, want, "{name:?}");
    }
    assert_eq!(f.rows().len(), 1);
}

#[test]
fn update_renames_retypes_and_moves_with_the_same_checks() {
    let f = Fixture::new();
    let a = f.create("a", &f.git_repo("a", "main", None)).unwrap();
    let b = f.create("b", &f.folder("b")).unwrap();
    f.events.take();

    let renamed = f
        .registry
        .update(
            a.id,
            RepositoryPatch {
                name: Some("  alpha ".into()),
                kind: Some(RepoKind::Rust),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(renamed.name, "alpha");
    assert_eq!(renamed.kind, RepoKind::Rust);
    assert_eq!(
        renamed.port, a.port,
        "keeping its own port must not trip the in-use check"
    );
    assert_eq!(
        f.events.take(),
        vec![DomainEvent::RepositoryUpdated(renamed.clone())]
    );

    // Same name in another case on the same repository is fine.
    f.registry
        .update(
            a.id,
            RepositoryPatch {
                name: Some("ALPHA".into()),
                ..Default::default()
            },
        )
        .unwrap();

    let before = f.rows();
    let refusals = [
        RepositoryPatch {
            name: Some("B".into()),
            ..Default::default()
        },
        RepositoryPatch {
            path: Some(b.path.clone()),
            ..Default::default()
        },
        RepositoryPatch {
            port: Some(i64::from(b.port)),
            ..Default::default()
        },
        RepositoryPatch {
            port: Some(0),
            ..Default::default()
        },
        RepositoryPatch {
            name: Some("x".repeat(1000)),
            ..Default::default()
        },
        RepositoryPatch {
            path: Some("relative".into()),
            ..Default::default()
        },
    ];
    for patch in refusals {
        assert!(
            f.registry.update(a.id, patch.clone()).is_err(),
            "{patch:?} was accepted"
        );
    }
    assert_eq!(f.rows(), before);

    let moved_to = f.git_repo("moved", "dev", Some("git@example.com:me/moved.git"));
    let moved = f
        .registry
        .update(
            a.id,
            RepositoryPatch {
                path: Some(moved_to.display().to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(moved.path, moved_to.to_str().unwrap());
    assert_eq!(moved.branch.as_deref(), Some("dev"));
    assert_eq!(moved.url.as_deref(), Some("git@example.com:me/moved.git"));
}

#[test]
fn update_can_detect_the_type_again() {
    let f = Fixture::new();
    let dir = f.folder("changing");
    std::fs::write(dir.join("package.json"), "{}").unwrap();
    let repo = f.create("changing", &dir).unwrap();
    assert_eq!(repo.kind, RepoKind::Node);
    std::fs::remove_file(dir.join("package.json")).unwrap();
    std::fs::write(dir.join("go.mod"), "module x").unwrap();

    let kept = f
        .registry
        .update(
            repo.id,
            RepositoryPatch {
                name: Some("changing".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        kept.kind,
        RepoKind::Node,
        "without detect_kind the type stays"
    );
    let detected = f
        .registry
        .update(
            repo.id,
            RepositoryPatch {
                kind: Some(RepoKind::Ruby),
                detect_kind: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(detected.kind, RepoKind::Go);
}

#[test]
fn unknown_ids_are_not_found() {
    let f = Fixture::new();
    assert_eq!(
        code(f.registry.update(42, RepositoryPatch::default())).0,
        ErrorCode::NotFound
    );
    assert_eq!(code(f.registry.delete(42)).0, ErrorCode::NotFound);
    assert_eq!(code(f.registry.refresh_git(42)).0, ErrorCode::NotFound);
    assert!(f.events.take().is_empty());
}

#[test]
fn delete_forgets_the_repository_but_keeps_its_folder() {
    let f = Fixture::new();
    let dir = f.git_repo("keep", "main", None);
    let repo = f.create("keep", &dir).unwrap();
    f.events.take();
    f.registry.delete(repo.id).unwrap();
    assert!(f.rows().is_empty());
    assert!(dir.join("package.json").exists());
    assert_eq!(
        f.events.take(),
        vec![DomainEvent::RepositoryDeleted(repo.id)]
    );
    // The name, path and port are free again.
    f.create("keep", &dir).unwrap();
}

#[test]
fn refresh_git_follows_branch_switches_and_new_remotes() {
    let f = Fixture::new();
    let dir = f.git_repo("r", "main", None);
    let repo = f.create("r", &dir).unwrap();
    assert_eq!(repo.url, None);
    let git = git2::Repository::open(&dir).unwrap();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    git.branch("feature/x", &head, false).unwrap();
    git.set_head("refs/heads/feature/x").unwrap();
    git.remote("origin", "https://example.com/r.git").unwrap();
    f.events.take();

    let refreshed = f.registry.refresh_git(repo.id).unwrap();
    assert_eq!(refreshed.branch.as_deref(), Some("feature/x"));
    assert_eq!(refreshed.url.as_deref(), Some("https://example.com/r.git"));
    assert_eq!(f.events.take().len(), 1);

    // Nothing changed: no write, no event.
    f.registry.refresh_git(repo.id).unwrap();
    assert!(f.events.take().is_empty());

    // Detached HEAD shows the short commit id.
    git.set_head_detached(head.id()).unwrap();
    let detached = f.registry.refresh_git(repo.id).unwrap();
    assert_eq!(
        detached.branch.as_deref(),
        Some(&head.id().to_string()[..7])
    );
}

#[test]
fn a_repository_without_commits_reports_its_branch() {
    let f = Fixture::new();
    let dir = f.folder("fresh");
    git2::Repository::init_opts(
        &dir,
        git2::RepositoryInitOptions::new().initial_head("main"),
    )
    .unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[package]").unwrap();
    let info = f.registry.inspect(dir.to_str().unwrap()).unwrap();
    assert!(info.is_git);
    assert_eq!(info.branch.as_deref(), Some("main"));
    assert_eq!(info.kind, RepoKind::Rust);
    assert_eq!(info.suggested_name, "fresh");
}

#[test]
fn reading_a_repository_runs_none_of_its_configured_programs() {
    // A hostile repository names programs in its config; reading it with git2
    // must not run any of them.
    let f = Fixture::new();
    let dir = f.git_repo("hostile", "main", Some("https://example.com/h.git"));
    let marker = f.root.join("pwned");
    let script = f.root.join("evil.sh");
    std::fs::write(&script, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let cfg = dir.join(".git/config");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    let s = script.display();
    text.push_str(&format!(
        "[core]\n\tfsmonitor = {s}\n\thooksPath = {root}\n\tsshCommand = {s}\n[filter \"x\"]\n\tclean = {s}\n\tsmudge = {s}\n",
        root = f.root.display()
    ));
    std::fs::write(&cfg, text).unwrap();
    std::fs::write(dir.join(".gitattributes"), "* filter=x\n").unwrap();
    for hook in ["post-checkout", "pre-commit", "reference-transaction"] {
        std::fs::copy(&script, f.root.join(hook)).unwrap();
    }

    let repo = f.create("hostile", &dir).unwrap();
    f.registry.refresh_git(repo.id).unwrap();
    f.registry.inspect(dir.to_str().unwrap()).unwrap();
    assert!(
        !marker.exists(),
        "reading the repository ran a program from its config"
    );
}

#[test]
fn data_survives_reopening_the_store() {
    let f = Fixture::new();
    let repo = f.create("durable", &f.folder("durable")).unwrap();
    let reopened = RepoRegistry::new(
        Arc::new(Store::open(&f.db).unwrap()),
        Arc::new(RecordingSink::default()),
    );
    assert_eq!(reopened.list().unwrap(), vec![repo]);
}
