//! Talking to remotes and joining histories: fetch, pull and push through
//! git2 (credentials from ssh-agent, the user's keys in `~/.ssh`, and the
//! HTTPS credential helpers of the user's global git config), or, for the
//! ssh remotes of a repository the user trusts, through git and the user's
//! own ssh (so `~/.ssh/config` host aliases work); merge, rebase and clone
//! through the git CLI ([`super::cli`]).
//!
//! libgit2 runs nothing a repository's config names (`core.sshCommand`,
//! `remote.*.uploadpack`, fsmonitor, hooks); the CLI runs get
//! `core.fsmonitor=false` and no ext/fd transports. The ssh transport checks
//! the host against `~/.ssh/known_hosts` (libgit2 1.9) and refuses unknown
//! hosts; the Git page's "Test" connects once with `ssh` to learn a host.

use super::args;
use super::cli::{self, Sub};
use super::ops::{conflicted, repo_state, GitOps};
use crate::error::{Error, Result};
use crate::repos::RepoRegistry;
use crate::workspace::Workspaces;
use ai_desktop_api::git::{GitProgress, PullMode, RepoState, SyncOutcome, SyncResult};
use ai_desktop_api::repos::{NewRepository, Repository as RepoRow};
use git2::{BranchType, Cred, CredentialType, Repository};
use std::cell::RefCell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Progress frames go here.
pub type Report = Arc<dyn Fn(GitProgress) + Send + Sync>;

/// A fetch or push that runs longer than this is stopped.
const NETWORK_DEADLINE: Duration = Duration::from_secs(30 * 60);
const CLONE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const MERGE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

pub struct GitSync {
    repos: Arc<RepoRegistry>,
    workspaces: Arc<Workspaces>,
    home: PathBuf,
    /// Where what joined histories is recorded for the page's Undo.
    ops: Arc<GitOps>,
}

fn git_error(what: &str, e: git2::Error) -> Error {
    use git2::ErrorClass as C;
    match (e.class(), e.code()) {
        (_, git2::ErrorCode::Auth) | (C::Ssh, _) if e.message().contains("auth") => {
            Error::Forbidden(format!(
                "{what}: the remote refused the credentials ({}). Add your key to ssh-agent, or put an unencrypted key in ~/.ssh, or set up a credential helper.",
                e.message()
            ))
        }
        (C::Ssh, _) if e.message().contains("hostkey") || e.message().contains("known_hosts") => {
            Error::Forbidden(format!(
                "{what}: the host is not in ~/.ssh/known_hosts ({}). Use \"Test a host\" on the Git page, or connect once with ssh, to trust it.",
                e.message()
            ))
        }
        (_, git2::ErrorCode::NotFound) => Error::NotFound(format!("{what}: {}", e.message())),
        (_, git2::ErrorCode::NotFastForward) => Error::Conflict(format!(
            "{what}: the remote has commits you do not have; pull first. ({})",
            e.message()
        )),
        (_, git2::ErrorCode::Conflict) | (_, git2::ErrorCode::Uncommitted) => {
            Error::Conflict(format!("{what}: {}", e.message()))
        }
        _ => Error::failed(what, e.message()),
    }
}

/// A throttled progress reporter.
struct Progress {
    report: Report,
    throttle: RefCell<cli::Throttle>,
    deadline: Instant,
}

impl Progress {
    fn new(report: Report) -> Progress {
        Progress {
            report,
            throttle: RefCell::default(),
            deadline: Instant::now() + NETWORK_DEADLINE,
        }
    }

    fn send(&self, p: GitProgress) {
        if self.throttle.borrow_mut().due(&p, false) {
            (self.report)(p);
        }
    }

    fn in_time(&self) -> bool {
        Instant::now() < self.deadline
    }
}

/// The user's private keys in `~/.ssh` (those with a `.pub` next to them).
fn key_files(home: &Path) -> Vec<(PathBuf, PathBuf)> {
    let dir = home.join(".ssh");
    let mut keys: Vec<(PathBuf, PathBuf)> = ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|n| (dir.join(n), dir.join(format!("{n}.pub"))))
        .filter(|(k, p)| k.is_file() && p.is_file())
        .collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut more: Vec<(PathBuf, PathBuf)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pub"))
            .map(|p| (p.with_extension(""), p))
            .filter(|(k, _)| k.is_file() && !keys.iter().any(|(have, _)| have == k))
            .collect();
        more.sort();
        keys.extend(more);
    }
    keys
}

/// Callbacks for fetch and push: credentials tried in order (ssh-agent, each
/// key in ~/.ssh, the credential helper), progress, refusals collected.
fn callbacks<'a>(
    home: &'a Path,
    progress: &'a Progress,
    refused: &'a RefCell<Vec<String>>,
) -> git2::RemoteCallbacks<'a> {
    let mut cb = git2::RemoteCallbacks::new();
    let mut tried_agent = false;
    let mut keys = key_files(home).into_iter();
    let mut tried_helper = false;
    let mut attempts = 0;
    cb.credentials(move |url, username, allowed| {
        attempts += 1;
        if attempts > 20 {
            return Err(git2::Error::from_str(
                "authentication failed: no credential was accepted",
            ));
        }
        let user = username.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            if !tried_agent && std::env::var_os("SSH_AUTH_SOCK").is_some() {
                tried_agent = true;
                return Cred::ssh_key_from_agent(user);
            }
            // Keys with a passphrase fail here and the next one is tried.
            if let Some((private, public)) = keys.next() {
                return Cred::ssh_key(user, Some(&public), &private, None);
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !tried_helper {
            tried_helper = true;
            // The user's global config only: a repository's own config must
            // not name the program that is run.
            if let Ok(config) = git2::Config::open(&home.join(".gitconfig")) {
                return Cred::credential_helper(&config, url, username);
            }
        }
        Err(git2::Error::from_str(
            "authentication failed: no credential was accepted",
        ))
    });
    cb.transfer_progress(|p| {
        let (stage, current, total) = if p.received_objects() < p.total_objects() {
            ("Receiving objects", p.received_objects(), p.total_objects())
        } else {
            ("Resolving deltas", p.indexed_deltas(), p.total_deltas())
        };
        progress.send(GitProgress {
            stage: stage.into(),
            current: current as u64,
            total: total as u64,
            bytes: p.received_bytes() as u64,
            message: None,
        });
        progress.in_time()
    });
    cb.sideband_progress(|bytes| {
        let text = String::from_utf8_lossy(bytes);
        for line in text.split(['\r', '\n']).filter(|l| !l.trim().is_empty()) {
            let frame = cli::parse_progress(line).unwrap_or_else(|| GitProgress {
                stage: "Remote".into(),
                message: Some(line.trim().to_string()),
                ..Default::default()
            });
            progress.send(frame);
        }
        progress.in_time()
    });
    cb.push_transfer_progress(|current, total, bytes| {
        progress.send(GitProgress {
            stage: "Writing objects".into(),
            current: current as u64,
            total: total as u64,
            bytes: bytes as u64,
            message: None,
        })
    });
    cb.push_update_reference(|refname, status| {
        if let Some(status) = status {
            refused.borrow_mut().push(format!("{refname}: {status}"));
        }
        Ok(())
    });
    cb
}

/// Whether a remote at `url` is reached through git and the user's own ssh
/// (which reads `~/.ssh/config`: host aliases, ports, keys, jump hosts)
/// rather than libgit2: for the ssh remotes of a repository the user
/// trusts. An untrusted repository's remote that only the user's ssh config
/// can reach is refused, with what to do.
fn through_cli(home: &Path, trusted: bool, url: &str) -> Result<bool> {
    let Some((host, port)) = args::ssh_host(url) else {
        return Ok(false);
    };
    if trusted {
        return Ok(true);
    }
    if let Some(route) = cli::ssh_route(home, &host, port) {
        let alias = !route.host_name.eq_ignore_ascii_case(&host)
            || route.port != port.unwrap_or(22)
            || route.proxied;
        if alias {
            return Err(Error::Forbidden(format!(
                "\"{host}\" is set up in ~/.ssh/config (it leads to {}:{}{}), which only git with your own ssh can follow. Tick \"Trusted\" at the top of the Git page to fetch, pull and push this repository through your ssh setup. It is off until you trust the repository, because a repository's own config can name programs that git would run.",
                route.host_name,
                route.port,
                if route.proxied {
                    " through a jump host or proxy"
                } else {
                    ""
                }
            )));
        }
    }
    Ok(false)
}

/// The error for a fetch or push by the git CLI that failed.
fn cli_network_error(what: &str, out: &cli::Output) -> Error {
    let said = out.said();
    let lower = said.to_lowercase();
    if lower.contains("host key verification failed") || lower.contains("no matching host key") {
        Error::Forbidden(format!(
            "{what}: ssh does not know the server's host key ({said}). Connect once with ssh, or use \"Test a host\" on the Git page, to trust it."
        ))
    } else if lower.contains("permission denied") {
        Error::Forbidden(format!(
            "{what}: the server refused your key ({said}). Add the key to ssh-agent or name it in ~/.ssh/config."
        ))
    } else if lower.contains("could not resolve hostname") {
        Error::NotFound(format!("{what}: {said}"))
    } else {
        Error::Failed {
            message: format!("{what} failed."),
            detail: Some(said),
        }
    }
}

/// Runs `git <sub> <values>` for a trusted repository, its progress to `report`.
fn run_cli_blocking(
    home: &Path,
    path: &Path,
    sub: Sub,
    values: &[OsString],
    report: &Report,
) -> Result<cli::Output> {
    let report = report.clone();
    let forward = move |p: GitProgress| report(p);
    tokio::runtime::Handle::current().block_on(cli::run(
        home,
        path,
        sub,
        values,
        NETWORK_DEADLINE,
        Some(&forward),
    ))
}

fn head_id(repo: &Repository) -> Option<git2::Oid> {
    repo.head().ok().and_then(|h| h.target())
}

impl GitSync {
    pub fn new(
        repos: Arc<RepoRegistry>,
        workspaces: Arc<Workspaces>,
        home: PathBuf,
        ops: Arc<GitOps>,
    ) -> GitSync {
        static TIMEOUTS: std::sync::Once = std::sync::Once::new();
        TIMEOUTS.call_once(|| unsafe {
            // A host that does not answer fails in 15 s, a stalled transfer in 60 s.
            let _ = git2::opts::set_server_connect_timeout_in_milliseconds(15_000);
            let _ = git2::opts::set_server_timeout_in_milliseconds(60_000);
        });
        GitSync {
            repos,
            workspaces,
            home,
            ops,
        }
    }

    fn path(&self, repository_id: i64) -> Result<PathBuf> {
        Ok(PathBuf::from(self.repos.get(repository_id)?.path))
    }

    fn open(path: &Path) -> Result<Repository> {
        Repository::open(path).map_err(|_| {
            Error::InvalidInput(format!("{} is not a git repository.", path.display()))
        })
    }

    /// The current branch and its upstream (remote name, remote branch ref).
    fn current_branch(repo: &Repository) -> Result<(String, Option<(String, String)>)> {
        let head = repo
            .head()
            .map_err(|_| Error::InvalidInput("Make a first commit first.".into()))?;
        if !head.is_branch() {
            return Err(Error::InvalidInput(
                "HEAD is detached; switch to a branch first.".into(),
            ));
        }
        let name = head
            .shorthand()
            .map_err(|_| Error::InvalidInput("The branch name is not UTF-8.".into()))?
            .to_string();
        let refname = format!("refs/heads/{name}");
        let upstream = repo
            .branch_upstream_remote(&refname)
            .ok()
            .and_then(|r| r.as_str().ok().map(str::to_string))
            .zip(
                repo.branch_upstream_merge(&refname)
                    .ok()
                    .and_then(|m| m.as_str().ok().map(str::to_string)),
            );
        Ok((name, upstream))
    }

    /// The remote to use: the one given, else the upstream's, else `origin`.
    fn remote_name(repo: &Repository, given: Option<&str>) -> Result<String> {
        if let Some(given) = given.filter(|g| !g.trim().is_empty()) {
            return args::remote_name(given);
        }
        let upstream = Self::current_branch(repo).ok().and_then(|(_, u)| u);
        Ok(upstream.map(|(r, _)| r).unwrap_or_else(|| "origin".into()))
    }

    fn find_remote<'r>(repo: &'r Repository, name: &str) -> Result<git2::Remote<'r>> {
        let remote = repo.find_remote(name).map_err(|_| {
            Error::NotFound(format!(
                "The repository has no remote \"{name}\"; add one under Remotes."
            ))
        })?;
        // A URL written into the config by hand is held to the same rules.
        args::url(remote.url().unwrap_or(""))?;
        Ok(remote)
    }

    pub async fn fetch(
        &self,
        repository_id: i64,
        remote: Option<String>,
        report: Report,
    ) -> Result<SyncResult> {
        let row = self.repos.get(repository_id)?;
        let (path, trusted) = (PathBuf::from(row.path), row.trusted);
        let home = self.home.clone();
        tokio::task::spawn_blocking(move || {
            let progress = Progress::new(report);
            let (_, name) = fetch_blocking(&home, &path, trusted, remote.as_deref(), &progress)?;
            Ok(SyncResult {
                outcome: SyncOutcome::Fetched,
                conflicted: Vec::new(),
                message: format!("Fetched from {name}."),
            })
        })
        .await
        .map_err(|e| Error::failed("The fetch stopped unexpectedly.", e))?
    }

    /// Fetches the current branch's upstream and brings it in: fast-forward,
    /// or (with [`PullMode::Merge`]) a merge that may stop on conflicts.
    pub async fn pull(
        &self,
        repository_id: i64,
        mode: PullMode,
        report: Report,
    ) -> Result<SyncResult> {
        let row = self.repos.get(repository_id)?;
        let (path, trusted) = (PathBuf::from(row.path), row.trusted);
        let home = self.home.clone();
        let path2 = path.clone();
        let ops = self.ops.clone();
        let step = tokio::task::spawn_blocking(move || -> Result<Option<String>> {
            let repo = Self::open(&path2)?;
            if repo.state() != git2::RepositoryState::Clean {
                return Err(Error::Conflict(
                    "A merge or rebase is under way; finish or abort it first.".into(),
                ));
            }
            let (branch, upstream) = Self::current_branch(&repo)?;
            let Some((remote, merge_ref)) = upstream else {
                return Err(Error::InvalidInput(format!(
                    "{branch} has no upstream branch; push it first (that sets one)."
                )));
            };
            drop(repo);
            let progress = Progress::new(report);
            let (repo, _) = fetch_blocking(&home, &path2, trusted, Some(&remote), &progress)?;
            let short = merge_ref.strip_prefix("refs/heads/").unwrap_or(&merge_ref);
            let tracking = format!("refs/remotes/{remote}/{short}");
            let theirs = repo
                .find_reference(&tracking)
                .and_then(|r| r.peel_to_commit())
                .map_err(|e| git_error(&format!("The remote branch {remote}/{short}"), e))?;
            let annotated = repo
                .find_annotated_commit(theirs.id())
                .map_err(|e| git_error("The fetched commit", e))?;
            let (analysis, _) = repo
                .merge_analysis(&[&annotated])
                .map_err(|e| git_error("Comparing with the remote", e))?;
            if analysis.is_up_to_date() {
                return Ok(None);
            }
            if analysis.is_fast_forward() || analysis.is_unborn() {
                let tree = theirs.tree().map_err(|e| git_error("The fetched files", e))?;
                let mut co = git2::build::CheckoutBuilder::new();
                co.safe();
                repo.checkout_tree(tree.as_object(), Some(&mut co))
                    .map_err(|e| match e.code() {
                        git2::ErrorCode::Conflict => Error::Conflict(
                            "Pulling would overwrite local changes; commit or stash them first (nothing was changed).".into(),
                        ),
                        _ => git_error("Updating the files", e),
                    })?;
                let before = head_id(&repo);
                repo.reference(
                    &format!("refs/heads/{branch}"),
                    theirs.id(),
                    true,
                    &format!("pull: fast-forward to {remote}/{short}"),
                )
                .map_err(|e| git_error("Moving the branch", e))?;
                if let Some(before) = before {
                    ops.remember_join(
                        repository_id,
                        "pull",
                        format!("Pull of {remote}/{short}"),
                        before,
                        theirs.id(),
                    )?;
                }
                return Ok(Some(String::new()));
            }
            if mode == PullMode::FastForwardOnly {
                return Err(Error::Conflict(format!(
                    "{branch} and {remote}/{short} have diverged; pull with merge, or rebase onto {remote}/{short}."
                )));
            }
            Ok(Some(format!("{remote}/{short}")))
        })
        .await
        .map_err(|e| Error::failed("The pull stopped unexpectedly.", e))??;
        match step {
            None => Ok(SyncResult {
                outcome: SyncOutcome::UpToDate,
                conflicted: Vec::new(),
                message: "Already up to date.".into(),
            }),
            Some(s) if s.is_empty() => Ok(SyncResult {
                outcome: SyncOutcome::FastForward,
                conflicted: Vec::new(),
                message: "Fast-forwarded to the remote branch.".into(),
            }),
            Some(tracking) => self.join(repository_id, &path, Sub::Merge, &tracking).await,
        }
    }

    /// Pushes the current branch to its upstream (or `remote`, which then
    /// becomes its upstream). A rejected update is an error naming the ref.
    pub async fn push(
        &self,
        repository_id: i64,
        remote: Option<String>,
        report: Report,
    ) -> Result<SyncResult> {
        Ok(self.push_branch(repository_id, remote, report).await?.0)
    }

    /// [`Self::push`], also answering the branch it pushed.
    pub async fn push_branch(
        &self,
        repository_id: i64,
        remote: Option<String>,
        report: Report,
    ) -> Result<(SyncResult, String)> {
        let row = self.repos.get(repository_id)?;
        let (path, trusted) = (PathBuf::from(row.path), row.trusted);
        let home = self.home.clone();
        tokio::task::spawn_blocking(move || {
            let repo = Self::open(&path)?;
            let (branch, upstream) = Self::current_branch(&repo)?;
            let name = match remote.as_deref().filter(|r| !r.trim().is_empty()) {
                Some(r) => args::remote_name(r)?,
                None => upstream
                    .as_ref()
                    .map(|(r, _)| r.clone())
                    .unwrap_or_else(|| "origin".into()),
            };
            let dest = match &upstream {
                Some((r, merge)) if *r == name => merge.clone(),
                _ => format!("refs/heads/{branch}"),
            };
            let progress = Progress::new(report);
            let refused = RefCell::new(Vec::new());
            let refspec = format!("refs/heads/{branch}:{dest}");
            let mut r = Self::find_remote(&repo, &name)?;
            let url = r
                .pushurl()
                .ok()
                .flatten()
                .or(r.url().ok())
                .unwrap_or("")
                .to_string();
            if through_cli(&home, trusted, &url)? {
                let values = [OsString::from(&name), OsString::from(&refspec)];
                let out = run_cli_blocking(&home, &path, Sub::Push, &values, &progress.report)?;
                refused.borrow_mut().extend(cli::rejected_refs(&out.stdout));
                if !out.ok() && refused.borrow().is_empty() {
                    return Err(cli_network_error(&format!("Pushing to {name}"), &out));
                }
            } else {
                let mut opts = git2::PushOptions::new();
                opts.remote_callbacks(callbacks(&home, &progress, &refused));
                r.push(&[refspec], Some(&mut opts))
                    .map_err(|e| git_error(&format!("Pushing to {name}"), e))?;
            }
            drop(r);
            let refused = refused.into_inner();
            if !refused.is_empty() {
                return Err(Error::Conflict(format!(
                    "{name} refused the push ({}); pull first if it has commits you do not have.",
                    refused.join("; ")
                )));
            }
            if upstream.is_none() {
                let short = dest.strip_prefix("refs/heads/").unwrap_or(&dest);
                if let Ok(mut b) = repo.find_branch(&branch, BranchType::Local) {
                    let _ = b.set_upstream(Some(&format!("{name}/{short}")));
                }
            }
            let result = SyncResult {
                outcome: SyncOutcome::Pushed,
                conflicted: Vec::new(),
                message: format!("Pushed {branch} to {name}."),
            };
            Ok((result, branch))
        })
        .await
        .map_err(|e| Error::failed("The push stopped unexpectedly.", e))?
    }

    /// Merges `branch` (local, or `remote/branch`) into the current branch.
    pub async fn merge(&self, repository_id: i64, branch: &str) -> Result<SyncResult> {
        args::revision(branch)?;
        let path = self.path(repository_id)?;
        self.known_branch(&path, branch)?;
        self.join(repository_id, &path, Sub::Merge, branch).await
    }

    /// Rebases the current branch onto `onto`.
    pub async fn rebase(&self, repository_id: i64, onto: &str) -> Result<SyncResult> {
        args::revision(onto)?;
        let path = self.path(repository_id)?;
        self.known_branch(&path, onto)?;
        self.join(repository_id, &path, Sub::Rebase, onto).await
    }

    /// Applies commit `id`'s change to the current branch as a new commit.
    pub async fn cherry_pick(&self, repository_id: i64, id: &str) -> Result<SyncResult> {
        let path = self.path(repository_id)?;
        let short = Self::single_parent_commit(&path, id, "Cherry-picking")?;
        self.join_named(repository_id, &path, Sub::CherryPick, id, &short)
            .await
    }

    /// Makes a new commit that undoes commit `id`'s change.
    pub async fn revert(&self, repository_id: i64, id: &str) -> Result<SyncResult> {
        let path = self.path(repository_id)?;
        let short = Self::single_parent_commit(&path, id, "Reverting")?;
        self.join_named(repository_id, &path, Sub::Revert, id, &short)
            .await
    }

    /// The commits after `base` up to HEAD, oldest first (no merges among
    /// them: those are not replayed here).
    pub fn rebase_commits(
        &self,
        repository_id: i64,
        base: &str,
    ) -> Result<Vec<ai_desktop_api::git::CommitInfo>> {
        let path = self.path(repository_id)?;
        let repo = Self::open(&path)?;
        let base = Self::commit_id(&repo, base)?;
        let head = head_id(&repo)
            .ok_or_else(|| Error::InvalidInput("Make a first commit first.".into()))?;
        if base != head && !repo.graph_descendant_of(head, base)? {
            return Err(Error::InvalidInput(
                "That commit is not in the current branch's history.".into(),
            ));
        }
        let mut walk = repo.revwalk()?;
        walk.push(head)?;
        walk.hide(base)?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        let mut out = Vec::new();
        for id in walk {
            let c = repo.find_commit(id?)?;
            if c.parent_count() > 1 {
                return Err(Error::InvalidInput(
                    "There is a merge commit after that one: such a history is not rebased here (use a terminal).".into(),
                ));
            }
            let id = c.id().to_string();
            out.push(ai_desktop_api::git::CommitInfo {
                short_id: id[..7].to_string(),
                id,
                summary: c.summary().ok().flatten().unwrap_or("").to_string(),
                author: c.author().name().unwrap_or("").to_string(),
                email: c.author().email().unwrap_or("").to_string(),
                time: c.time().seconds(),
                parents: c.parent_ids().map(|p| p.to_string()).collect(),
            });
            if out.len() > 500 {
                return Err(Error::InvalidInput(
                    "More than 500 commits: pick a newer starting point.".into(),
                ));
            }
        }
        Ok(out)
    }

    fn commit_id(repo: &Repository, id: &str) -> Result<git2::Oid> {
        if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidInput(format!(
                "\"{id}\" is not a commit id (40 hexadecimal characters)."
            )));
        }
        let oid = git2::Oid::from_str(id)
            .map_err(|_| Error::InvalidInput(format!("\"{id}\" is not a commit id.")))?;
        repo.find_commit(oid)
            .map_err(|_| Error::NotFound(format!("There is no commit {id} here.")))?;
        Ok(oid)
    }

    /// Replays the commits after `base` as `plan` says: every one of them
    /// exactly once, in the plan's order.
    pub async fn rebase_interactive(
        &self,
        repository_id: i64,
        base: &str,
        plan: &[ai_desktop_api::git::RebaseStep],
    ) -> Result<SyncResult> {
        use ai_desktop_api::git::RebaseAction as A;
        let commits = self.rebase_commits(repository_id, base)?;
        let mut planned: Vec<&str> = plan.iter().map(|s| s.id.as_str()).collect();
        planned.sort();
        let mut have: Vec<&str> = commits.iter().map(|c| c.id.as_str()).collect();
        have.sort();
        if planned != have {
            return Err(Error::InvalidInput(
                "The plan must name every commit after the starting point exactly once.".into(),
            ));
        }
        if plan.is_empty() {
            return Err(Error::InvalidInput("There is nothing to rebase.".into()));
        }
        let first_kept = plan.iter().find(|s| s.action != A::Drop);
        if first_kept.is_some_and(|s| matches!(s.action, A::Squash | A::Fixup)) {
            return Err(Error::InvalidInput(
                "The first kept commit cannot be squashed or fixed up: there is nothing before it."
                    .into(),
            ));
        }
        let path = self.path(repository_id)?;
        {
            let repo = Self::open(&path)?;
            if repo.state() != git2::RepositoryState::Clean {
                return Err(Error::Conflict(
                    "A merge or rebase is under way; finish or abort it first.".into(),
                ));
            }
            Self::current_branch(&repo)?;
        }
        // The plan and the new messages, in a private folder of their own.
        let dir = std::env::temp_dir().join(format!(
            "ai-desktop-rebase-{}",
            crate::secrets::random_hex(8)?
        ));
        std::fs::create_dir_all(&dir).map_err(|e| Error::failed("Could not write the plan.", e))?;
        let cleanup = scopeguard_dir(dir.clone());
        let mut todo = String::new();
        for (i, step) in plan.iter().enumerate() {
            let word = match step.action {
                A::Pick | A::Reword => "pick",
                A::Squash => "squash",
                A::Fixup => "fixup",
                A::Drop => "drop",
                A::Edit => "edit",
            };
            todo.push_str(&format!("{word} {}\n", step.id));
            if step.action == A::Reword {
                let message = step.message.as_deref().unwrap_or("").trim();
                if message.is_empty() {
                    return Err(Error::InvalidInput(
                        "A reworded commit needs a message.".into(),
                    ));
                }
                let file = dir.join(format!("message-{i}"));
                std::fs::write(&file, format!("{message}\n"))
                    .map_err(|e| Error::failed("Could not write the plan.", e))?;
                todo.push_str(&format!(
                    "exec git commit --amend --no-verify --allow-empty --quiet -F '{}'\n",
                    file.display().to_string().replace('\'', "'\\''")
                ));
            }
        }
        let todo_file = dir.join("todo");
        std::fs::write(&todo_file, todo)
            .map_err(|e| Error::failed("Could not write the plan.", e))?;
        let before = head_id(&Self::open(&path)?);
        let base_oid = Self::commit_id(&Self::open(&path)?, base)?;
        let out = cli::run_with_todo(
            &self.home,
            &path,
            Sub::RebaseInteractive,
            &[OsString::from(base_oid.to_string())],
            MERGE_TIMEOUT,
            None,
            Some(&todo_file),
        )
        .await;
        drop(cleanup);
        let out = out?;
        self.outcome(
            repository_id,
            &path,
            Sub::RebaseInteractive,
            out,
            before,
            base,
            &base[..7],
        )
        .await
    }

    /// Checks that `id` names a commit that is not a merge; its short id.
    fn single_parent_commit(path: &Path, id: &str, doing: &str) -> Result<String> {
        if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidInput(format!(
                "\"{id}\" is not a commit id (40 hexadecimal characters)."
            )));
        }
        let repo = Self::open(path)?;
        let oid = git2::Oid::from_str(id)
            .map_err(|_| Error::InvalidInput(format!("\"{id}\" is not a commit id.")))?;
        let commit = repo
            .find_commit(oid)
            .map_err(|_| Error::NotFound(format!("There is no commit {id} here.")))?;
        if commit.parent_count() != 1 {
            return Err(Error::InvalidInput(format!(
                "{doing} a merge commit (or the first commit) is not offered here; use a terminal with -m."
            )));
        }
        Ok(id[..7].to_string())
    }

    fn known_branch(&self, path: &Path, name: &str) -> Result<()> {
        let repo = Self::open(path)?;
        let found = repo.find_reference(&format!("refs/heads/{name}")).is_ok()
            || repo.find_reference(&format!("refs/remotes/{name}")).is_ok();
        if !found {
            return Err(Error::NotFound(format!("There is no branch \"{name}\".")));
        }
        Ok(())
    }

    /// Runs a merge or rebase of `other` and says what came of it.
    async fn join(
        &self,
        repository_id: i64,
        path: &Path,
        sub: Sub,
        other: &str,
    ) -> Result<SyncResult> {
        self.join_named(repository_id, path, sub, other, other)
            .await
    }

    /// [`Self::join`], naming `other` as `name` in messages.
    async fn join_named(
        &self,
        repository_id: i64,
        path: &Path,
        sub: Sub,
        other: &str,
        name: &str,
    ) -> Result<SyncResult> {
        let repo = Self::open(path)?;
        if repo.state() != git2::RepositoryState::Clean {
            return Err(Error::Conflict(
                "A merge or rebase is under way; finish or abort it first.".into(),
            ));
        }
        Self::current_branch(&repo)?;
        let before = head_id(&repo);
        drop(repo);
        let out = cli::run(
            &self.home,
            path,
            sub,
            &[OsString::from(other)],
            MERGE_TIMEOUT,
            None,
        )
        .await?;
        self.outcome(repository_id, path, sub, out, before, other, name)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn outcome(
        &self,
        repository_id: i64,
        path: &Path,
        sub: Sub,
        out: cli::Output,
        before: Option<git2::Oid>,
        other: &str,
        name: &str,
    ) -> Result<SyncResult> {
        let repo = Self::open(path)?;
        let files = conflicted(&repo);
        let state = repo_state(&repo);
        if !out.ok()
            && files.is_empty()
            && matches!(state, RepoState::CherryPick | RepoState::Revert)
        {
            // Stopped with nothing to commit (the branch has the change
            // already): git leaves the pick under way; end it.
            let abort = if state == RepoState::CherryPick {
                Sub::CherryPickAbort
            } else {
                Sub::RevertAbort
            };
            drop(repo);
            cli::run(&self.home, path, abort, &[], MERGE_TIMEOUT, None).await?;
            return Ok(SyncResult {
                outcome: SyncOutcome::UpToDate,
                conflicted: Vec::new(),
                message: "Nothing changed: the branch has that change already.".into(),
            });
        }
        if !out.ok() {
            if !files.is_empty() || repo_state(&repo) != RepoState::Clean {
                let verb = match sub {
                    Sub::Merge => "merge",
                    Sub::CherryPick => "cherry-pick",
                    Sub::Revert => "revert",
                    _ => "rebase",
                };
                return Ok(SyncResult {
                    outcome: SyncOutcome::Conflicts,
                    message: format!(
                        "The {verb} stopped with conflicts in {} file(s): resolve them, stage them, then {}; or abort.",
                        files.len(),
                        if matches!(sub, Sub::Rebase | Sub::RebaseContinue | Sub::RebaseInteractive) { "continue" } else { "commit" }
                    ),
                    conflicted: files,
                });
            }
            return Err(Error::Conflict(format!("git said:\n{}", out.said())));
        }
        if state == RepoState::Rebase {
            // Stopped at a commit the plan marked `edit`.
            let at = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
            let (short, summary) = at
                .map(|c| {
                    let id = c.id().to_string();
                    (
                        id[..7].to_string(),
                        c.summary().ok().flatten().unwrap_or("").to_string(),
                    )
                })
                .unwrap_or_default();
            return Ok(SyncResult {
                outcome: SyncOutcome::Paused,
                conflicted: Vec::new(),
                message: format!(
                    "The rebase stopped at {short} “{summary}” for you to edit it: change its files and stage them, then Continue (they go into that commit) — or Abort."
                ),
            });
        }
        let after = head_id(&repo);
        let theirs = repo
            .revparse_single(other)
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .map(|c| c.id());
        let (outcome, message) = match sub {
            Sub::Rebase | Sub::RebaseContinue => {
                (SyncOutcome::Rebased, format!("Rebased onto {other}."))
            }
            Sub::RebaseInteractive => (
                SyncOutcome::Rebased,
                format!("Rebased the commits after {name} as planned."),
            ),
            Sub::CherryPick if after != before => (
                SyncOutcome::CherryPicked,
                format!("Cherry-picked {name} onto the current branch."),
            ),
            Sub::Revert if after != before => (
                SyncOutcome::Reverted,
                format!("Reverted {name} with a new commit."),
            ),
            Sub::CherryPick | Sub::Revert => (
                SyncOutcome::UpToDate,
                "Nothing changed: the branch has that change already.".to_string(),
            ),
            _ if after == before => (SyncOutcome::UpToDate, "Already up to date.".to_string()),
            _ if after == theirs => (
                SyncOutcome::FastForward,
                format!("Fast-forwarded to {other}."),
            ),
            _ => (SyncOutcome::Merged, format!("Merged {other}.")),
        };
        if let (Some(before), Some(after)) = (before, after) {
            if before != after {
                let (kind, summary) = match sub {
                    Sub::Merge => ("merge", format!("Merge of {name}")),
                    Sub::CherryPick => ("cherry_pick", format!("Cherry-pick of {name}")),
                    Sub::Revert => ("revert", format!("Revert of {name}")),
                    Sub::RebaseInteractive => ("rebase", "Interactive rebase".to_string()),
                    _ => ("rebase", format!("Rebase onto {name}")),
                };
                self.ops
                    .remember_join(repository_id, kind, summary, before, after)?;
            }
        }
        Ok(SyncResult {
            outcome,
            conflicted: Vec::new(),
            message,
        })
    }

    /// Aborts the merge or rebase under way; the branch is as before it.
    pub async fn abort(&self, repository_id: i64) -> Result<RepoState> {
        let path = self.path(repository_id)?;
        let state = repo_state(&Self::open(&path)?);
        let sub = match state {
            RepoState::Merge => Sub::MergeAbort,
            RepoState::Rebase => Sub::RebaseAbort,
            RepoState::CherryPick => Sub::CherryPickAbort,
            RepoState::Revert => Sub::RevertAbort,
            _ => {
                return Err(Error::InvalidInput(
                    "No merge or rebase is under way.".into(),
                ))
            }
        };
        let out = cli::run(&self.home, &path, sub, &[], MERGE_TIMEOUT, None).await?;
        if !out.ok() {
            return Err(Error::Conflict(format!("git said:\n{}", out.said())));
        }
        Ok(repo_state(&Self::open(&path)?))
    }

    /// Continues a rebase after its conflicts were resolved and staged.
    pub async fn continue_rebase(&self, repository_id: i64) -> Result<SyncResult> {
        let path = self.path(repository_id)?;
        let repo = Self::open(&path)?;
        if repo_state(&repo) != RepoState::Rebase {
            return Err(Error::InvalidInput("No rebase is under way.".into()));
        }
        if !conflicted(&repo).is_empty() {
            return Err(Error::Conflict(
                "Resolve and stage the conflicted files first.".into(),
            ));
        }
        // Where the branch was when the rebase began (git keeps it).
        let before = repo.refname_to_id("ORIG_HEAD").ok();
        drop(repo);
        let out = cli::run(
            &self.home,
            &path,
            Sub::RebaseContinue,
            &[],
            MERGE_TIMEOUT,
            None,
        )
        .await?;
        self.outcome(
            repository_id,
            &path,
            Sub::RebaseContinue,
            out,
            before,
            "the new base",
            "the new base",
        )
        .await
    }

    /// Clones `url` into a new folder of a configured workspace folder and
    /// registers it. Nothing is left behind when it fails.
    pub async fn clone_repo(
        &self,
        url: &str,
        workspace: &str,
        name: Option<&str>,
        report: Report,
    ) -> Result<RepoRow> {
        let url = args::url(url)?;
        let parent = self.workspaces.resolve(workspace)?;
        let folder = args::clone_folder(name, &url)?;
        let dest = parent.join(&folder);
        if dest.symlink_metadata().is_ok() {
            return Err(Error::Conflict(format!(
                "{} already exists; choose another folder name.",
                dest.display()
            )));
        }
        if self.repos.list()?.iter().any(|r| r.name == folder) {
            return Err(Error::Conflict(format!(
                "A repository named {folder} is already registered; choose another folder name."
            )));
        }
        let sink = report.clone();
        let forward = move |p: GitProgress| sink(p);
        let out = cli::run(
            &self.home,
            &parent,
            Sub::Clone,
            &[OsString::from(&url), OsString::from(&folder)],
            CLONE_TIMEOUT,
            Some(&forward),
        )
        .await;
        let out = match out {
            Ok(out) if out.ok() => out,
            Ok(out) => {
                let _ = std::fs::remove_dir_all(&dest);
                return Err(Error::failed(
                    format!(
                        "Cloning {} failed.",
                        crate::repos::detect::redact_credentials(&url)
                    ),
                    out.said(),
                ));
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dest);
                return Err(e);
            }
        };
        drop(out);
        report(GitProgress {
            stage: "Done".into(),
            current: 1,
            total: 1,
            ..Default::default()
        });
        self.repos.create(NewRepository {
            name: folder,
            path: dest.to_string_lossy().into_owned(),
            kind: None,
            port: None,
        })
    }
}

/// Fetches `remote` (or the upstream's, or origin) of the repository at
/// `path` on the calling (blocking) thread.
fn fetch_blocking(
    home: &Path,
    path: &Path,
    trusted: bool,
    remote: Option<&str>,
    progress: &Progress,
) -> Result<(Repository, String)> {
    let repo = GitSync::open(path)?;
    let name = GitSync::remote_name(&repo, remote)?;
    {
        let mut remote = GitSync::find_remote(&repo, &name)?;
        if through_cli(home, trusted, remote.url().unwrap_or(""))? {
            drop(remote);
            let out = run_cli_blocking(
                home,
                path,
                Sub::Fetch,
                &[OsString::from(&name)],
                &progress.report,
            )?;
            if !out.ok() {
                return Err(cli_network_error(&format!("Fetching from {name}"), &out));
            }
            return Ok((repo, name));
        }
        let refused = RefCell::new(Vec::new());
        let mut opts = git2::FetchOptions::new();
        opts.remote_callbacks(callbacks(home, progress, &refused))
            .download_tags(git2::AutotagOption::Auto);
        remote
            .fetch::<&str>(&[], Some(&mut opts), None)
            .map_err(|e| git_error(&format!("Fetching from {name}"), e))?;
    }
    Ok((repo, name))
}

/// Removes `dir` when dropped (the rebase plan's folder).
struct DirGuard(std::path::PathBuf);

impl Drop for DirGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scopeguard_dir(dir: std::path::PathBuf) -> DirGuard {
    DirGuard(dir)
}
