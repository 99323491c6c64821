//! The file browser on a real git repository in a temp dir, with hostile
//! paths: each is refused and changes nothing.

use ai_desktop_api::files::{EntryKind, FileRoot};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::files::FileBrowser;
use ai_desktop_core::workspace::Workspaces;
use ai_desktop_core::{App, Config};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

struct Fx {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    repo: std::path::PathBuf,
    id: FileRoot,
    workspaces: Arc<Workspaces>,
    files: Arc<FileBrowser>,
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

fn fixture() -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let repo = root.join("shop");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(repo.join("README.md"), "# shop\n").unwrap();
    std::fs::write(repo.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(repo.join(".gitignore"), "target/\n").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "first"]);
    std::fs::write(repo.join("README.md"), "# shop, changed\n").unwrap();
    std::fs::write(repo.join("src/new.rs"), "// new\n").unwrap();
    std::fs::create_dir_all(repo.join("target")).unwrap();
    std::fs::write(repo.join("binary.bin"), [0u8, 1, 2, 3]).unwrap();
    // Secrets outside, and a symlink inside pointing at them.
    std::fs::write(root.join("secret.txt"), "outside").unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), repo.join("escape")).unwrap();
    std::os::unix::fs::symlink(&root, repo.join("up")).unwrap();
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
    let id = FileRoot::repository(id);
    Fx {
        _tmp: tmp,
        root,
        repo,
        id,
        workspaces: app.workspaces.clone(),
        files: app.files.clone(),
    }
}

#[test]
fn listing_shows_kinds_sizes_and_git_badges() {
    let f = fixture();
    let top = f.files.list(&f.id, "").unwrap();
    let names: Vec<(&str, EntryKind, Option<&str>)> = top
        .entries
        .iter()
        .map(|e| (e.name.as_str(), e.kind, e.git.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("src", EntryKind::Dir, Some("modified")),
            ("target", EntryKind::Dir, Some("ignored")),
            (".gitignore", EntryKind::File, None),
            ("binary.bin", EntryKind::File, Some("untracked")),
            ("escape", EntryKind::Symlink, Some("untracked")),
            ("README.md", EntryKind::File, Some("modified")),
            ("up", EntryKind::Symlink, Some("untracked")),
        ]
    );
    let readme = top.entries.iter().find(|e| e.name == "README.md").unwrap();
    assert_eq!(readme.size, "# shop, changed\n".len() as u64);
    assert!(readme.modified.is_some());
    let src = f.files.list(&f.id, "src").unwrap();
    let badges: Vec<(&str, Option<&str>)> = src
        .entries
        .iter()
        .map(|e| (e.name.as_str(), e.git.as_deref()))
        .collect();
    assert_eq!(badges, [("main.rs", None), ("new.rs", Some("untracked"))]);
    assert_eq!(src.entries[0].path, "src/main.rs");
}

#[test]
fn paths_that_leave_the_repository_are_refused_and_change_nothing() {
    let f = fixture();
    for rel in [
        "../secret.txt",
        "src/../../secret.txt",
        "/etc/passwd",
        "escape",
        "up/secret.txt",
        "up",
    ] {
        let err = f.files.read(&f.id, rel).unwrap_err();
        assert!(
            matches!(err, Error::Forbidden(_) | Error::InvalidInput(_)),
            "{rel}: {err:?}"
        );
        assert!(f.files.list(&f.id, rel).is_err(), "{rel}");
        // (Trashing the links `escape` and `up` themselves is fine: they
        // are inside. What they point to is never touched; see below.)
        if !matches!(rel, "escape" | "up") {
            assert!(f.files.trash(&f.id, rel).is_err(), "{rel}");
        }
    }
    // Writing through the symlink is refused; the file outside is untouched.
    assert!(f.files.write(&f.id, "escape", "pwned", None).is_err());
    assert_eq!(
        std::fs::read_to_string(f.root.join("secret.txt")).unwrap(),
        "outside"
    );
    // Moving a file out of the repository is refused.
    assert!(f.files.rename(&f.id, "README.md", "../README.md").is_err());
    assert!(f.files.rename(&f.id, "README.md", "up/README.md").is_err());
    assert!(f.repo.join("README.md").exists());
    // The repository's own folder cannot be deleted or renamed.
    for rel in ["", "."] {
        assert!(
            matches!(f.files.trash(&f.id, rel), Err(Error::Forbidden(_))),
            "{rel:?}"
        );
        assert!(f.files.rename(&f.id, rel, "elsewhere").is_err());
    }
    assert!(f.repo.exists());
    // Names with line breaks or slashes, and `..`.
    for name in ["a\nb", "a/b", "..", ".", "", "x\u{0}y"] {
        assert!(
            matches!(f.files.mkdir(&f.id, "", name), Err(Error::InvalidInput(_))),
            "{name:?}"
        );
    }
    assert!(f.files.rename(&f.id, "README.md", "READ\nME.md").is_err());
    // A repository that is not registered.
    assert!(matches!(
        f.files.list(&FileRoot::repository(999), ""),
        Err(Error::NotFound(_))
    ));
    let after: Vec<String> = f
        .files
        .list(&f.id, "")
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(after.len(), 7, "{after:?}");
}

#[test]
fn folders_renames_the_trash_and_the_editor_work() {
    let f = fixture();
    let listing = f.files.mkdir(&f.id, "src", "util").unwrap();
    assert!(listing
        .entries
        .iter()
        .any(|e| e.name == "util" && e.kind == EntryKind::Dir));
    assert!(matches!(
        f.files.mkdir(&f.id, "src", "util"),
        Err(Error::Conflict(_))
    ));

    f.files
        .rename(&f.id, "src/new.rs", "src/util/helpers.rs")
        .unwrap();
    assert!(f.repo.join("src/util/helpers.rs").exists());
    assert!(matches!(
        f.files.rename(&f.id, "README.md", "src/main.rs"),
        Err(Error::Conflict(_))
    ));
    assert!(f.files.rename(&f.id, "src", "src/util/inside").is_err());

    // The trash keeps it with where it came from.
    f.files.trash(&f.id, "src/util/helpers.rs").unwrap();
    assert!(!f.repo.join("src/util/helpers.rs").exists());
    let kept = f.root.join("Trash/files/helpers.rs");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "// new\n");
    let info = std::fs::read_to_string(f.root.join("Trash/info/helpers.rs.trashinfo")).unwrap();
    assert!(info.starts_with("[Trash Info]\nPath="), "{info}");
    assert!(info.contains("/shop/src/util/helpers.rs"), "{info}");
    // A second one of the same name does not replace the first.
    std::fs::write(f.repo.join("helpers.rs"), "// second\n").unwrap();
    f.files.trash(&f.id, "helpers.rs").unwrap();
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "// new\n");
    assert_eq!(
        std::fs::read_to_string(f.root.join("Trash/files/helpers.rs.2")).unwrap(),
        "// second\n"
    );

    // Read, edit, save; binaries and stale saves are refused.
    let text = f.files.read(&f.id, "README.md").unwrap();
    assert_eq!(text.text, "# shop, changed\n");
    let saved = f
        .files
        .write(
            &f.id,
            "README.md",
            "# shop\n\nEdited in the app.\n",
            Some(&text.version),
        )
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(f.repo.join("README.md")).unwrap(),
        "# shop\n\nEdited in the app.\n"
    );
    assert!(matches!(
        f.files.read(&f.id, "binary.bin"),
        Err(Error::InvalidInput(_))
    ));
    std::fs::write(f.repo.join("big.txt"), "x".repeat(2 * 1024 * 1024)).unwrap();
    assert!(matches!(
        f.files.read(&f.id, "big.txt"),
        Err(Error::InvalidInput(_))
    ));
    assert_ne!(saved.version, text.version);
    assert!(matches!(
        f.files
            .write(&f.id, "README.md", "lost?", Some(&text.version)),
        Err(Error::Conflict(_))
    ));
    assert_eq!(
        std::fs::read_to_string(f.repo.join("README.md")).unwrap(),
        "# shop\n\nEdited in the app.\n"
    );
}

#[test]
fn workspace_folders_are_roots_only_once_configured() {
    let f = fixture();
    let ws = f.root.join("work");
    std::fs::create_dir_all(ws.join("notes")).unwrap();
    std::fs::write(ws.join("notes/todo.md"), "- ship it\n").unwrap();
    let ws_path = ws.display().to_string();
    let root = FileRoot::Workspace {
        path: ws_path.clone(),
    };
    // Not configured yet: refused, as is any other folder.
    assert!(matches!(f.files.list(&root, ""), Err(Error::Forbidden(_))));

    assert_eq!(f.workspaces.add(&ws_path).unwrap(), vec![ws_path.clone()]);
    assert!(matches!(
        f.workspaces.add(&ws_path),
        Err(Error::Conflict(_))
    ));
    for bad in ["/", "relative/dir", "/no/such/folder", "/etc/../etc"] {
        assert!(f.workspaces.add(bad).is_err(), "{bad}");
    }
    assert_eq!(f.workspaces.list().unwrap(), vec![ws_path.clone()]);

    let top = f.files.list(&root, "").unwrap();
    assert_eq!(top.root, root);
    assert_eq!(
        top.entries
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["notes"]
    );
    let text = f.files.read(&root, "notes/todo.md").unwrap();
    assert_eq!(text.text, "- ship it\n");
    // The same rules as in a repository: no way out, the root stays.
    assert!(f.files.read(&root, "../secret.txt").is_err());
    assert!(matches!(f.files.trash(&root, ""), Err(Error::Forbidden(_))));
    // A path merely inside a workspace folder is not a root of its own.
    let inner = FileRoot::Workspace {
        path: format!("{ws_path}/notes"),
    };
    assert!(matches!(f.files.list(&inner, ""), Err(Error::Forbidden(_))));

    f.workspaces.remove(&ws_path).unwrap();
    assert!(matches!(f.files.list(&root, ""), Err(Error::Forbidden(_))));
    assert!(
        ws.join("notes/todo.md").exists(),
        "forgetting deletes nothing"
    );
}

/// Rename and trash act on a symlink itself: trashing `current ->
/// releases/v42` trashes the link, never the release it points to.
#[test]
fn rename_and_trash_act_on_a_link_not_its_target() {
    let f = fixture();
    std::fs::create_dir_all(f.repo.join("releases/v42")).unwrap();
    std::fs::write(f.repo.join("releases/v42/app.js"), "v42").unwrap();
    std::os::unix::fs::symlink("releases/v42", f.repo.join("current")).unwrap();
    f.files.rename(&f.id, "current", "previous").unwrap();
    let link = f.repo.join("previous");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(f.repo.join("releases/v42/app.js")).unwrap(),
        "v42"
    );
    f.files.trash(&f.id, "previous").unwrap();
    assert!(std::fs::symlink_metadata(&link).is_err(), "the link stayed");
    assert_eq!(
        std::fs::read_to_string(f.repo.join("releases/v42/app.js")).unwrap(),
        "v42",
        "the release was trashed"
    );
    let trashed = f.root.join("Trash/files/previous");
    assert!(std::fs::symlink_metadata(&trashed)
        .unwrap()
        .file_type()
        .is_symlink());
    // The link pointing out of the repository goes too; what it names stays.
    f.files.trash(&f.id, "escape").unwrap();
    assert_eq!(
        std::fs::read_to_string(f.root.join("secret.txt")).unwrap(),
        "outside"
    );
    // Nothing is replaced by a rename, not even a dangling link.
    std::os::unix::fs::symlink("nowhere", f.repo.join("dangling")).unwrap();
    assert!(matches!(
        f.files.rename(&f.id, "README.md", "dangling"),
        Err(Error::Conflict(_))
    ));
    assert!(f.repo.join("README.md").exists());
}

/// An edit made outside the app in the same second as the app read the
/// file is still seen: versions compare to the nanosecond (and inode and
/// size), not whole seconds, so the save is refused and nothing is lost.
#[test]
fn an_outside_edit_in_the_same_second_is_not_overwritten() {
    let f = fixture();
    let path = f.repo.join("README.md");
    let text = f.files.read(&f.id, "README.md").unwrap();
    let when = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, "# someone else's edit\n").unwrap();
    // The same second as before, other nanoseconds (what a whole-second
    // comparison cannot tell apart).
    let secs = when
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let same_second = std::time::UNIX_EPOCH
        + std::time::Duration::new(
            secs,
            if when
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
                == 7
            {
                8
            } else {
                7
            },
        );
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(same_second)
        .unwrap();
    let err = f
        .files
        .write(
            &f.id,
            "README.md",
            "# the app's save\n",
            Some(&text.version),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# someone else's edit\n"
    );
}

/// A folder swapped for a link pointing out while the app works in it
/// (check, then use) never lets a read or a listing leave the repository:
/// paths are resolved by the kernel beneath the opened root.
#[test]
fn a_folder_swapped_for_a_link_mid_operation_never_leads_out() {
    let f = fixture();
    let inside = f.repo.join("data");
    std::fs::create_dir_all(&inside).unwrap();
    std::fs::write(inside.join("notes.txt"), "inside").unwrap();
    let outside = f.root.join("outside-data");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("notes.txt"), "outside").unwrap();
    let parked = f.repo.join("data.real");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (inside, parked, outside, stop) = (
            inside.clone(),
            parked.clone(),
            outside.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::rename(&inside, &parked);
                let _ = std::os::unix::fs::symlink(&outside, &inside);
                let _ = std::fs::remove_file(&inside);
                let _ = std::fs::rename(&parked, &inside);
            }
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut reads = 0;
    while std::time::Instant::now() < deadline {
        if let Ok(t) = f.files.read(&f.id, "data/notes.txt") {
            assert_eq!(t.text, "inside", "a read left the repository");
            reads += 1;
        }
        if let Ok(listing) = f.files.list(&f.id, "data") {
            // "data", or "data.real" when it was caught parked: inside.
            assert!(
                listing.path.starts_with("data"),
                "a listing left: {:?}",
                listing.path
            );
            assert!(
                listing.entries.iter().all(|e| e.name == "notes.txt"),
                "{:?}",
                listing.entries
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    assert!(reads > 0, "no read succeeded at all");
}

/// An item on another disk than the home trash goes to that disk's own
/// trash (`$topdir/.Trash-$uid`), restorable, instead of being refused;
/// the deletion date is local time.
#[test]
fn an_item_on_another_disk_goes_to_that_disks_trash() {
    use std::os::unix::fs::MetadataExt;
    let f = fixture();
    // /dev/shm is a tmpfs of its own on Linux.
    let shm = Path::new("/dev/shm");
    let other = tempfile::tempdir_in(shm).unwrap();
    let ws = other.path().canonicalize().unwrap();
    if std::fs::metadata(&ws).unwrap().dev() == std::fs::metadata(&f.root).unwrap().dev() {
        eprintln!("skipped: /dev/shm is on the same disk as the temp folder here");
        return;
    }
    std::fs::write(ws.join("draft.md"), "on another disk").unwrap();
    f.workspaces.add(&ws.display().to_string()).unwrap();
    let root = FileRoot::Workspace {
        path: ws.display().to_string(),
    };
    f.files.trash(&root, "draft.md").unwrap();
    assert!(!ws.join("draft.md").exists());
    let uid = unsafe { libc::getuid() };
    let top = ai_desktop_core::files::trash::topdir(&ws).unwrap();
    let trash = top.join(format!(".Trash-{uid}"));
    let kept = std::fs::read_dir(trash.join("files"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("draft.md"))
        .expect("the file in the disk's trash");
    assert_eq!(
        std::fs::read_to_string(kept.path()).unwrap(),
        "on another disk"
    );
    let info_name = format!("{}.trashinfo", kept.file_name().to_string_lossy());
    let info = std::fs::read_to_string(trash.join("info").join(&info_name)).unwrap();
    let rel = ws.strip_prefix(&top).unwrap().join("draft.md");
    assert!(
        info.contains(&format!("Path={}\n", rel.display())),
        "a path relative to the disk's top: {info}"
    );
    let date = info
        .lines()
        .find_map(|l| l.strip_prefix("DeletionDate="))
        .unwrap();
    assert_eq!(date.len(), 19, "{date}");
    assert!(!date.ends_with('Z'));
    let _ = std::fs::remove_file(kept.path());
    let _ = std::fs::remove_file(trash.join("info").join(&info_name));
}
