//! A full disk, for real: the data folder on a 1 MB tmpfs (needs root, as
//! CI runs). Filled up, a write is refused with a clear message and nothing
//! half-written; what was saved before is intact; with space again, writes
//! work. Also the store opened on a disk too full to create it.

use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::repos::RepoRegistry;
use ai_desktop_core::store::Store;
use ai_desktop_core::testkit::real_tools;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn mount_tmpfs(dir: &Path, size: &str) -> Mount {
    std::fs::create_dir_all(dir).unwrap();
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mounting a tmpfs needs root (CI runs as root): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Mount(dir.to_path_buf())
}

/// Fills the file system of `dir` with one file, to the last byte.
fn fill(dir: &Path) -> std::path::PathBuf {
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 4096];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.write_all(&[0u8; 1]);
    let _ = f.sync_all();
    filler
}

fn repo(
    registry: &RepoRegistry,
    root: &Path,
    name: &str,
) -> Result<i64, ai_desktop_core::error::Error> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    registry
        .create(NewRepository {
            name: name.into(),
            path: dir.display().to_string(),
            kind: None,
            port: None,
        })
        .map(|r| r.id)
}

#[test]
fn a_full_disk_refuses_writes_clearly_and_loses_nothing() {
    if !real_tools("root, to mount a tmpfs") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let data = root.join("data");
    let _mount = mount_tmpfs(&data, "1m");
    let store = Arc::new(Store::open_in(&data).unwrap());
    let registry = RepoRegistry::new(store.clone(), Arc::new(RecordingSink::default()));
    let projects = root.join("projects");
    let saved: Vec<i64> = (0..5)
        .map(|i| repo(&registry, &projects, &format!("before-{i}")).unwrap())
        .collect();

    let filler = fill(&data);
    // Writes until one is refused (SQLite may still fit a page or two).
    let mut refused = None;
    for i in 0..200 {
        match repo(&registry, &projects, &format!("during-{i}")) {
            Ok(_) => continue,
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let err = refused.expect("a write on a full disk was refused");
    let api = ai_desktop_api::ApiError::from(err);
    assert!(
        api.message
            .contains("disk that holds the app's data is full"),
        "{api:?}"
    );

    // Space again: everything acknowledged is there, the file is whole, and writes work.
    std::fs::remove_file(&filler).unwrap();
    let listed: Vec<i64> = registry.list().unwrap().iter().map(|r| r.id).collect();
    for id in &saved {
        assert!(listed.contains(id), "{id} lost: {listed:?}");
    }
    let ok: String = store
        .with(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(ok, "ok");
    repo(&registry, &projects, "after").unwrap();
    drop(registry);
    drop(store);

    // Opening on a disk too full to create the database: a clear error.
    let fresh = root.join("fresh");
    let _mount2 = mount_tmpfs(&fresh, "64k");
    let filler = fill(&fresh);
    let err = Store::open_in(&fresh).err().expect("refused");
    let text = ai_desktop_api::ApiError::from(err).to_string();
    assert!(
        text.contains("full") || text.contains("No space") || text.contains("cannot be written"),
        "{text}"
    );
    std::fs::remove_file(filler).unwrap();
}
