//! Each deployment's log files kept under a size (PM2 itself never cuts
//! them without its pm2-logrotate module). A file that passed its cap is
//! copied to `<name>.1` (replacing the one before) and emptied in place:
//! PM2 appends (O_APPEND), so it goes on writing at the new end, and the
//! log view's follower reads an emptied file from its start. A line written
//! between the copy and the emptying may be lost, as with logrotate's
//! `copytruncate`.
//!
//! Nothing is polled: one task per deployment sleeps on change
//! notifications of its two files and looks at their size at most every
//! [`CHECK_EVERY`] while they are written.

use super::DeploymentManager;
use crate::procs::FileChanges;
use crate::store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The cap of a deployment that sets none.
pub const DEFAULT_MAX_MB: u32 = 50;
/// Sizes are looked at no more often than this while a file is written.
const CHECK_EVERY: Duration = Duration::from_secs(2);

impl DeploymentManager {
    /// Keeps one size keeper per deployment (with its cap).
    pub(super) async fn run_log_caps(self: Arc<Self>) {
        let mut running: HashMap<i64, (u64, tokio::task::JoinHandle<()>)> = HashMap::new();
        loop {
            let wanted: HashMap<i64, u64> = self
                .store
                .with(|c| store::deployments::list(c))
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    let mb = d.pm2_options.log_max_mb.unwrap_or(DEFAULT_MAX_MB);
                    (d.id, u64::from(mb) * 1024 * 1024)
                })
                .collect();
            running.retain(|id, (cap, task)| {
                let keep = wanted.get(id) == Some(cap) && !task.is_finished();
                if !keep {
                    task.abort();
                }
                keep
            });
            for (id, cap) in wanted {
                if running.contains_key(&id) {
                    continue;
                }
                let files = self.log_files(id);
                running.insert(id, (cap, tokio::spawn(keep_under(files, cap))));
            }
            self.cap_kick.notified().await;
        }
    }
}

/// Cuts `files` whenever one passes `cap` bytes, until aborted.
async fn keep_under(files: [PathBuf; 2], cap: u64) {
    let watches: Vec<FileChanges> = files.iter().filter_map(|f| FileChanges::watch(f)).collect();
    loop {
        for file in &files {
            if let Err(e) = cut_if_over(file, cap) {
                log::warn!("could not cut {}: {e}", file.display());
            }
        }
        tokio::time::sleep(CHECK_EVERY).await;
        if watches.len() == 2 {
            tokio::select! {
                _ = watches[0].changed() => {}
                _ = watches[1].changed() => {}
            }
        }
    }
}

/// Copies `file` to `file.1` and empties it, if it is over `cap` bytes.
pub(super) fn cut_if_over(file: &Path, cap: u64) -> std::io::Result<bool> {
    let Ok(meta) = std::fs::metadata(file) else {
        return Ok(false);
    };
    if meta.len() <= cap {
        return Ok(false);
    }
    let mut older = file.as_os_str().to_owned();
    older.push(".1");
    let older = PathBuf::from(older);
    // The copy is as private as the log.
    let partial = older.with_extension("1.partial");
    {
        let mut from = std::fs::File::open(file)?;
        let mut to = crate::secrets::create_private_file(&partial, true)?;
        std::io::copy(&mut from, &mut to)?;
        to.sync_all()?;
    }
    std::fs::rename(&partial, &older)?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(file)?
        .set_len(0)?;
    log::info!(
        "{}: cut at {} bytes (the older part is {})",
        file.display(),
        meta.len(),
        older.display()
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_its_cap_is_kept_as_dot_one_and_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        std::fs::write(&log, "a".repeat(100)).unwrap();
        assert!(!cut_if_over(&log, 100).unwrap(), "at the cap: kept");
        std::fs::write(&log, "b".repeat(101)).unwrap();
        assert!(cut_if_over(&log, 100).unwrap());
        assert_eq!(
            std::fs::read(dir.path().join("out.log.1")).unwrap(),
            vec![b'b'; 101]
        );
        assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(dir.path().join("out.log.1"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        // The next cut replaces the older file.
        std::fs::write(&log, "c".repeat(150)).unwrap();
        assert!(cut_if_over(&log, 100).unwrap());
        assert_eq!(
            std::fs::read(dir.path().join("out.log.1")).unwrap(),
            vec![b'c'; 150]
        );
        assert!(!cut_if_over(&dir.path().join("missing.log"), 1).unwrap());
    }
}
