//! Local git operations on repositories made by scripts in temp dirs, with
//! each result checked with the git CLI.

use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::{App, Config};

use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::git::ops::GitOps;
use std::sync::Arc;

struct Fx {
    _tmp: tempfile::TempDir,
    repo: std::path::PathBuf,
    outside: std::path::PathBuf,
    id: i64,
    ops: Arc<GitOps>,
}

fn fixture(with_identity: bool) -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let repo = root.join("shop");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("a.txt"), "one\n").unwrap();
    std::fs::write(repo.join("b.txt"), "two\n").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "first"]);
    let outside = root.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "secret\n").unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("link")).unwrap();
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
    if with_identity {
        app.identity.set("Ada Lovelace", "ada@example.org").unwrap();
    }
    Fx {
        _tmp: tmp,
        repo,
        outside,
        id,
        ops: app.git_ops.clone(),
    }
}

#[test]
fn stage_unstage_and_commit_as_the_configured_author() {
    let f = fixture(true);
    std::fs::write(f.repo.join("a.txt"), "one, changed\n").unwrap();
    std::fs::write(f.repo.join("new.txt"), "new\n").unwrap();
    std::fs::remove_file(f.repo.join("b.txt")).unwrap();
    f.ops
        .stage(f.id, &["a.txt".into(), "new.txt".into(), "b.txt".into()])
        .unwrap();
    assert_eq!(
        git(&f.repo, &["status", "--porcelain"]),
        "M  a.txt\nD  b.txt\nA  new.txt\n?? link".trim()
    );
    f.ops.unstage(f.id, &["new.txt".into()]).unwrap();
    assert_eq!(
        git(&f.repo, &["diff", "--cached", "--name-only"]),
        "a.txt\nb.txt"
    );

    let c = f.ops.commit(f.id, "  Change a, drop b  ").unwrap();
    assert_eq!(c.summary, "Change a, drop b");
    assert_eq!(c.author, "Ada Lovelace");
    assert_eq!(
        git(&f.repo, &["log", "-1", "--format=%an <%ae>|%s"]),
        "Ada Lovelace <ada@example.org>|Change a, drop b"
    );
    assert_eq!(git(&f.repo, &["rev-parse", "HEAD"]), c.id);
    assert_eq!(
        git(&f.repo, &["status", "--porcelain"]),
        "?? link\n?? new.txt".trim()
    );
    // Nothing staged, or no message: refused, no commit made.
    assert!(matches!(
        f.ops.commit(f.id, "again"),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        f.ops.commit(f.id, "   "),
        Err(Error::InvalidInput(_))
    ));
    assert_eq!(git(&f.repo, &["rev-parse", "HEAD"]), c.id);
    let log = f.ops.log(f.id, 10).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].parents, vec![log[1].id.clone()]);
}

#[test]
fn without_an_identity_a_commit_is_refused() {
    let f = fixture(false);
    std::fs::write(f.repo.join("a.txt"), "x\n").unwrap();
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    let err = f.ops.commit(f.id, "who am I").unwrap_err();
    assert!(err.to_string().contains("Set your name and email"), "{err}");
    assert_eq!(git(&f.repo, &["rev-list", "--count", "HEAD"]), "1");
}

#[test]
fn hostile_paths_and_branch_names_are_refused_with_no_effect() {
    let f = fixture(true);
    let before = git(&f.repo, &["status", "--porcelain"]);
    for p in [
        "../outside/secret.txt",
        "/etc/passwd",
        "link/secret.txt",
        ".git/config",
        "",
        "a\nb",
    ] {
        let err = f.ops.stage(f.id, &[p.into()]).unwrap_err();
        assert!(
            matches!(err, Error::Forbidden(_) | Error::InvalidInput(_)),
            "{p:?}: {err:?}"
        );
    }
    assert_eq!(git(&f.repo, &["status", "--porcelain"]), before);
    for name in [
        "-D",
        "--force",
        "a..b",
        "has space",
        "x~1",
        "",
        "refs/../x",
        "-x",
    ] {
        let err = f.ops.create_branch(f.id, name, false).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{name:?}: {err:?}");
    }
    assert_eq!(
        git(&f.repo, &["branch", "--format=%(refname:short)"]),
        "main"
    );
    assert!(f.outside.join("secret.txt").exists());
}

#[test]
fn branches_are_created_switched_and_deleted_safely() {
    let f = fixture(true);
    let list = f.ops.create_branch(f.id, "feature/login", true).unwrap();
    assert_eq!(list[0].name, "feature/login");
    assert!(list[0].current);
    assert_eq!(git(&f.repo, &["branch", "--show-current"]), "feature/login");
    std::fs::write(f.repo.join("a.txt"), "on feature\n").unwrap();
    f.ops.stage(f.id, &["a.txt".into()]).unwrap();
    f.ops.commit(f.id, "feature work").unwrap();
    // Switching back would overwrite an uncommitted change to a.txt: refused.
    std::fs::write(f.repo.join("a.txt"), "uncommitted\n").unwrap();
    let err = f.ops.switch_branch(f.id, "main").unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(
        std::fs::read_to_string(f.repo.join("a.txt")).unwrap(),
        "uncommitted\n"
    );
    assert_eq!(git(&f.repo, &["branch", "--show-current"]), "feature/login");
    git(&f.repo, &["checkout", "--", "a.txt"]);
    f.ops.switch_branch(f.id, "main").unwrap();
    assert_eq!(git(&f.repo, &["branch", "--show-current"]), "main");
    assert_eq!(
        std::fs::read_to_string(f.repo.join("a.txt")).unwrap(),
        "one\n"
    );
    // Unmerged: not deleted. The current branch: not deleted.
    assert!(matches!(
        f.ops.delete_branch(f.id, "feature/login"),
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        f.ops.delete_branch(f.id, "main"),
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        f.ops.create_branch(f.id, "feature/login", false),
        Err(Error::Conflict(_))
    ));
    git(&f.repo, &["merge", "-q", "--ff-only", "feature/login"]);
    let list = f.ops.delete_branch(f.id, "feature/login").unwrap();
    assert_eq!(
        list.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
        ["main"]
    );
}
