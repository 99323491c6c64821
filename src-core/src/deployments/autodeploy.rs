//! Deploying new commits of a chosen branch as they come. A deployment with
//! `auto_deploy_branch` gets a follower: it sleeps on change notifications
//! of the branch's ref files (the loose ref and `packed-refs`; nothing is
//! polled while inotify works) and, when the tip moved to a commit it has
//! not seen, deploys that commit from a clean checkout (as *Redeploy* of a
//! commit does: the working tree is never touched). Followers come and go
//! with the settings; what happened while the app was closed is not
//! replayed — the first commit after it starts is.

use super::{release, DeploymentManager};
use crate::procs::FileChanges;
use crate::store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A ref update is a lock file renamed into place, sometimes with a pack
/// after it: looked at this long after the first change.
const SETTLE: Duration = Duration::from_millis(300);
/// Without change notifications, how often the tip is looked at.
const POLL: Duration = Duration::from_secs(5);

/// What a follower follows (a change restarts it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Followed {
    repo_dir: PathBuf,
    branch: String,
}

impl DeploymentManager {
    /// Keeps one follower per deployment that has a branch to follow.
    pub(super) async fn run_auto_deploy(self: Arc<Self>) {
        let mut running: HashMap<i64, (Followed, tokio::task::JoinHandle<()>)> = HashMap::new();
        loop {
            let wanted: HashMap<i64, Followed> = self
                .store
                .with(|c| store::deployments::list(c))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|d| {
                    let branch = d.auto_deploy_branch?;
                    let repo = self.repos.get(d.repository_id).ok()?;
                    Some((
                        d.id,
                        Followed {
                            repo_dir: PathBuf::from(repo.path),
                            branch,
                        },
                    ))
                })
                .collect();
            running.retain(|id, (followed, task)| {
                let keep = wanted.get(id) == Some(followed) && !task.is_finished();
                if !keep {
                    task.abort();
                }
                keep
            });
            for (id, followed) in wanted {
                if running.contains_key(&id) {
                    continue;
                }
                log::info!(
                    "deployment {id}: deploying new commits of {}",
                    followed.branch
                );
                let task = tokio::spawn(self.clone().follow_branch(id, followed.clone()));
                running.insert(id, (followed, task));
            }
            self.auto_kick.notified().await;
        }
    }

    async fn follow_branch(self: Arc<Self>, id: i64, followed: Followed) {
        let Followed { repo_dir, branch } = followed;
        let tip = |dir: &Path| release::branch_tip(dir, &branch);
        let mut seen = tip(&repo_dir);
        let watches: Vec<FileChanges> = release::branch_ref_files(&repo_dir, &branch)
            .map(|files| files.iter().filter_map(|f| FileChanges::watch(f)).collect())
            .unwrap_or_default();
        loop {
            if watches.len() == 2 {
                tokio::select! {
                    _ = watches[0].changed() => {}
                    _ = watches[1].changed() => {}
                }
                tokio::time::sleep(SETTLE).await;
            } else {
                tokio::time::sleep(POLL).await;
            }
            let now = tip(&repo_dir);
            if now.is_none() || now == seen {
                continue;
            }
            seen = now.clone();
            let Some(commit) = now else { continue };
            log::info!(
                "deployment {id}: {branch} moved to {}; deploying it",
                release::short(&commit)
            );
            match self.deploy(id, Some(commit)).await {
                Ok(run) => log::info!("deployment {id}: auto deploy ended {:?}", run.outcome),
                Err(e) => log::warn!("deployment {id}: auto deploy failed: {e}"),
            }
        }
    }
}
