//! Watches one repository's working tree and reports, debounced, that its
//! changes may have changed. One repository at a time: the one on screen.

use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// Quiet time after the last file event before the status is re-read.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Dropping it stops the watching.
pub struct RepoWatcher {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RepoWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Calls `on_change` (on a blocking thread) after file activity in `root`
/// settles. Git's object store and logs are ignored: they change on every
/// commit without changing what the panel shows beyond what the index and
/// HEAD already tell.
pub fn watch(
    root: &Path,
    on_change: impl Fn() + Send + Sync + 'static,
) -> notify::Result<RepoWatcher> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let ignored: Vec<PathBuf> = ["objects", "logs", "lfs"]
        .iter()
        .map(|d| root.join(".git").join(d))
        .collect();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else {
            return;
        };
        if event.kind.is_access() {
            return;
        }
        if event
            .paths
            .iter()
            .all(|p| ignored.iter().any(|i| p.starts_with(i)) || p.ends_with(".git/index.lock"))
        {
            return;
        }
        let _ = tx.send(());
    })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    let on_change = std::sync::Arc::new(on_change);
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Debounce: wait until events stop for DEBOUNCE.
            loop {
                match tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            let f = on_change.clone();
            let _ = tokio::task::spawn_blocking(move || f()).await;
        }
    });
    Ok(RepoWatcher {
        _watcher: watcher,
        task,
    })
}
