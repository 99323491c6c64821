//! Being told that a file changed instead of looking: one inotify watcher
//! for the whole app (its thread sleeps in the kernel until something
//! happens), directories watched while anyone follows a file in them.
//!
//! Log followers used to look at each file every 100–800 ms; with tens of
//! files that was hundreds of wake-ups a second of an app at rest.

use notify::{RecursiveMode, Watcher};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use tokio::sync::Notify;

/// Who follows which file, by directory.
#[derive(Default)]
struct Followers {
    by_dir: HashMap<PathBuf, Vec<(PathBuf, Weak<Notify>)>>,
}

struct Hub {
    watcher: Mutex<notify::RecommendedWatcher>,
    followers: Arc<Mutex<Followers>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn hub() -> Option<&'static Hub> {
    static HUB: OnceLock<Option<Hub>> = OnceLock::new();
    HUB.get_or_init(|| {
        let followers: Arc<Mutex<Followers>> = Arc::default();
        let seen = followers.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else {
                // The queue overflowed, or the like: wake everyone.
                for list in lock(&seen).by_dir.values() {
                    list.iter()
                        .filter_map(|(_, n)| n.upgrade())
                        .for_each(|n| n.notify_one());
                }
                return;
            };
            // Opening, reading and closing change nothing (a write before a
            // close was its own event).
            if event.kind.is_access() {
                return;
            }
            let followers = lock(&seen);
            for path in &event.paths {
                let Some(list) = path.parent().and_then(|d| followers.by_dir.get(d)) else {
                    continue;
                };
                for (file, notify) in list {
                    if file == path {
                        if let Some(n) = notify.upgrade() {
                            n.notify_one();
                        }
                    }
                }
            }
        });
        match watcher {
            Ok(watcher) => Some(Hub {
                watcher: Mutex::new(watcher),
                followers,
            }),
            Err(e) => {
                log::warn!("no file change notifications ({e}); log files are polled");
                None
            }
        }
    })
    .as_ref()
}

/// Wakes its holder when its file is created, written, truncated or
/// removed. Dropping it stops the watching.
pub struct FileChanges {
    path: PathBuf,
    notify: Arc<Notify>,
}

impl FileChanges {
    /// Watches `path` (which need not exist yet; its directory must).
    /// None when the system cannot tell (no inotify, too many watches): the
    /// caller polls.
    pub fn watch(path: &Path) -> Option<FileChanges> {
        let hub = hub()?;
        let dir = path.parent()?.to_path_buf();
        let notify = Arc::new(Notify::new());
        // The watcher's lock first, then the followers': its calls wait for
        // its event thread, which takes the followers' lock to deliver (so
        // that lock is never held across them).
        let mut watcher = lock(&hub.watcher);
        let watched = lock(&hub.followers).by_dir.contains_key(&dir);
        if !watched {
            if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
                log::debug!("cannot watch {}: {e}", dir.display());
                return None;
            }
        }
        let mut followers = lock(&hub.followers);
        let list = followers.by_dir.entry(dir).or_default();
        list.retain(|(_, n)| n.strong_count() > 0);
        list.push((path.to_path_buf(), Arc::downgrade(&notify)));
        drop(followers);
        drop(watcher);
        Some(FileChanges {
            path: path.to_path_buf(),
            notify,
        })
    }

    /// Returns once the file changed since the last call (or since this
    /// watch began, the first time).
    pub async fn changed(&self) {
        self.notify.notified().await;
    }
}

impl Drop for FileChanges {
    fn drop(&mut self) {
        let Some(hub) = hub() else {
            return;
        };
        let Some(dir) = self.path.parent() else {
            return;
        };
        // Locks in the order `watch` takes them.
        let mut watcher = lock(&hub.watcher);
        let last = {
            let mut followers = lock(&hub.followers);
            let Some(list) = followers.by_dir.get_mut(dir) else {
                return;
            };
            let me = Arc::as_ptr(&self.notify);
            list.retain(|(_, n)| n.strong_count() > 0 && n.as_ptr() != me);
            let last = list.is_empty();
            if last {
                followers.by_dir.remove(dir);
            }
            last
        };
        if last {
            let _ = watcher.unwatch(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_write_wakes_the_follower_of_that_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        let other = dir.path().join("err.log");
        let changes = FileChanges::watch(&log).expect("inotify works here");
        let quiet = FileChanges::watch(&other).unwrap();
        std::fs::write(&log, "one line\n").unwrap();
        tokio::time::timeout(Duration::from_secs(5), changes.changed())
            .await
            .expect("the write was reported");
        assert!(
            tokio::time::timeout(Duration::from_millis(300), quiet.changed())
                .await
                .is_err(),
            "a write to out.log woke the follower of err.log"
        );
        // Appending again is a change again.
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all(b"two\n").unwrap();
        tokio::time::timeout(Duration::from_secs(5), changes.changed())
            .await
            .expect("the append was reported");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_are_watched_and_unwatched_while_events_flow() {
        // A writer keeps the event thread delivering while watches come and
        // go in the same directory (a watch call waits for that thread).
        let dir = tempfile::tempdir().unwrap();
        let busy = dir.path().join("busy.log");
        let _follower = FileChanges::watch(&busy).unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (busy, stop) = (busy.clone(), stop.clone());
            std::thread::spawn(move || {
                use std::io::Write;
                let mut f = std::fs::File::create(busy).unwrap();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = f.write_all(b"line\n");
                }
            })
        };
        let churn = tokio::task::spawn_blocking({
            let dir = dir.path().to_path_buf();
            move || {
                for i in 0..200 {
                    let other = tempfile::tempdir().unwrap();
                    drop(FileChanges::watch(&other.path().join("x")));
                    drop(FileChanges::watch(&dir.join(format!("f{i}"))));
                }
            }
        });
        let done = tokio::time::timeout(Duration::from_secs(20), churn).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap();
        assert!(done.is_ok(), "watching deadlocked with the event thread");
    }

    #[tokio::test]
    async fn the_directory_is_unwatched_when_its_last_follower_goes() {
        let dir = tempfile::tempdir().unwrap();
        let a = FileChanges::watch(&dir.path().join("a")).unwrap();
        let b = FileChanges::watch(&dir.path().join("b")).unwrap();
        let watched = || {
            lock(&hub().unwrap().followers)
                .by_dir
                .contains_key(dir.path())
        };
        drop(a);
        assert!(watched(), "b still follows a file there");
        drop(b);
        assert!(!watched());
    }
}
