//! Sandboxes: a Flow session that works on a branch of its own, checked out
//! in a worktree next to the repository (registered as a repository, so it
//! has its own VS Code, terminals and Git page), with a copy of each
//! database made for the repository. What the agent does there touches
//! neither the user's checkout nor their data. *Merge* commits what is left
//! and brings the branch back through the Git page; *Discard* removes the
//! editor, the copies, the worktree and the branch.

use crate::app::App;
use crate::error::{Error, Result};
use ai_desktop_api::flow::{FlowSession, RunState, SandboxStatus};
use ai_desktop_api::services::RepoDatabase;
use ai_desktop_api::vscode::InstanceState;
use std::path::PathBuf;

/// The branch of session `id`'s sandbox.
pub fn branch_for(session_id: i64) -> String {
    format!("agent/session-{session_id}")
}

/// An active sandbox: where it came from, its worktree, its branch.
struct Active {
    origin_id: Option<i64>,
    worktree_id: i64,
    path: PathBuf,
    branch: String,
}

impl App {
    async fn blocking<T: Send + 'static>(
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| Error::failed("The sandbox work did not finish.", e))?
    }

    fn active_sandbox(&self, session: &FlowSession) -> Result<Active> {
        let (Some(sandbox), Some(worktree_id)) = (&session.sandbox, session.repository_id) else {
            return Err(Error::InvalidInput(format!(
                "{} does not work in a sandbox.",
                session.title
            )));
        };
        if sandbox.discarded {
            return Err(Error::InvalidInput(format!(
                "The sandbox of {} was discarded.",
                session.title
            )));
        }
        let repo = self.repos.get(worktree_id)?;
        Ok(Active {
            origin_id: sandbox.origin_id,
            worktree_id,
            path: PathBuf::from(repo.path),
            branch: sandbox.branch.clone(),
        })
    }

    /// The databases made for `repository_id`.
    async fn databases_of(&self, repository_id: i64) -> Result<Vec<RepoDatabase>> {
        Ok(self
            .services
            .repo_databases()
            .await?
            .into_iter()
            .filter(|d| d.repository_id == repository_id)
            .collect())
    }

    /// Moves session `session_id` into a sandbox of `repository_id`: a
    /// branch `agent/session-<id>` from its HEAD in a worktree beside it,
    /// that worktree's VS Code started, and a copy of each database made
    /// for the repository. If any part cannot be made, what was made is
    /// removed again and the session is as it was.
    pub async fn make_sandbox(&self, session_id: i64, repository_id: i64) -> Result<FlowSession> {
        let session = self.flow.session(session_id)?;
        if session.sandbox.as_ref().is_some_and(|s| !s.discarded) {
            return Err(Error::Conflict(format!(
                "{} works in a sandbox already.",
                session.title
            )));
        }
        if !matches!(session.run_state, RunState::Idle) {
            return Err(Error::Conflict(
                "The agent is at work in this session; wait for it or stop it first.".into(),
            ));
        }
        let origin = self.repos.get(repository_id)?;
        let branch = branch_for(session_id);
        let ops = self.git_ops.clone();
        let b = branch.clone();
        let worktree = Self::blocking(move || ops.add_worktree(repository_id, &b, true)).await?;
        let worktree_id = worktree
            .repository_id
            .ok_or_else(|| Error::failed("The worktree was not registered.", "no id"))?;
        let path = PathBuf::from(&worktree.path);
        let made = async {
            let instance = self.vscode.start(worktree_id).await?;
            if instance.state != InstanceState::Running {
                return Err(Error::failed(
                    "The sandbox's VS Code did not start.",
                    instance.error.unwrap_or_default(),
                ));
            }
            let wt_name = self.repos.get(worktree_id)?.name;
            for db in self.databases_of(repository_id).await? {
                self.services
                    .copy_repo_database(&db.instance, repository_id, worktree_id, &wt_name)
                    .await?;
            }
            let flow = self.flow.clone();
            let b = branch.clone();
            Self::blocking(move || flow.set_sandbox(session_id, repository_id, worktree_id, &b))
                .await
        }
        .await;
        match made {
            Ok(session) => {
                log::info!(
                    "session {session_id} works in a sandbox of {} on {branch}",
                    origin.name
                );
                Ok(session)
            }
            Err(e) => {
                // No origin: the branch never held anything, so its deletion
                // is not put in the Git page's undo log.
                let active = Active {
                    origin_id: None,
                    worktree_id,
                    path,
                    branch,
                };
                if let Err(cleanup) = self.remove_sandbox(&active).await {
                    log::warn!(
                        "a half-made sandbox was not removed: {}",
                        cleanup.with_detail_text()
                    );
                }
                Err(e)
            }
        }
    }

    /// Removes the sandbox's database copies, its VS Code and registration,
    /// its worktree (changes and all) and its branch.
    async fn remove_sandbox(&self, s: &Active) -> Result<()> {
        for db in self.databases_of(s.worktree_id).await? {
            self.services
                .drop_repo_database(&db.instance, s.worktree_id)
                .await?;
        }
        if self.repos.get(s.worktree_id).is_ok() {
            self.unregister_repository(s.worktree_id).await?;
        }
        let ops = self.git_ops.clone();
        let (path, branch, origin) = (s.path.clone(), s.branch.clone(), s.origin_id);
        Self::blocking(move || ops.discard_worktree(&path, &branch, origin)).await
    }

    /// What session `session_id`'s sandbox holds now.
    pub async fn sandbox_status(&self, session_id: i64) -> Result<SandboxStatus> {
        let session = self.flow.session(session_id)?;
        let s = self.active_sandbox(&session)?;
        let origin_id = s.origin_id.ok_or_else(|| {
            Error::NotFound(
                "The repository the sandbox was made from is no longer registered.".into(),
            )
        })?;
        let ops = self.git_ops.clone();
        let (path, branch) = (s.path.clone(), s.branch.clone());
        let (changed_files, commits_ahead) =
            Self::blocking(move || ops.worktree_state(&path, &branch)).await?;
        let editor = self.vscode.get(s.worktree_id)?;
        let titles = self.services.list().await.unwrap_or_default();
        let databases = self
            .databases_of(s.worktree_id)
            .await?
            .into_iter()
            .map(|d| {
                let title = titles
                    .iter()
                    .find(|i| i.id == d.instance)
                    .map(|i| i.title.clone())
                    .unwrap_or_else(|| d.instance.clone());
                format!("{} ({title})", d.database)
            })
            .collect();
        Ok(SandboxStatus {
            session_id,
            origin_id,
            repository_id: s.worktree_id,
            path: s.path.display().to_string(),
            branch: s.branch,
            changed_files,
            commits_ahead,
            editor_port: (editor.state == InstanceState::Running)
                .then_some(editor.port)
                .flatten(),
            databases,
        })
    }

    /// Commits what is changed in the sandbox on its branch (nothing when
    /// nothing is), so *Merge* can bring the branch back.
    pub async fn commit_sandbox(&self, session_id: i64, message: &str) -> Result<SandboxStatus> {
        let session = self.flow.session(session_id)?;
        if !matches!(session.run_state, RunState::Idle) {
            return Err(Error::Conflict(
                "The agent is at work in this session; wait for it or stop it first.".into(),
            ));
        }
        let s = self.active_sandbox(&session)?;
        let ops = self.git_ops.clone();
        let message = message.to_string();
        let id = s.worktree_id;
        Self::blocking(move || ops.commit_everything(id, &message)).await?;
        self.sandbox_status(session_id).await
    }

    /// Discards session `session_id`'s sandbox: its agent is stopped, its
    /// database copies dropped, its VS Code stopped, its worktree (with
    /// what is not committed) and branch removed. The session stays, in
    /// no repository.
    pub async fn discard_sandbox(&self, session_id: i64) -> Result<FlowSession> {
        let session = self.flow.session(session_id)?;
        let s = self.active_sandbox(&session)?;
        self.flow.cancel(session_id).await?;
        self.remove_sandbox(&s).await?;
        log::info!(
            "discarded the sandbox of session {session_id} ({})",
            s.branch
        );
        self.flow.emit_session(session_id);
        self.flow.session(session_id)
    }
}
