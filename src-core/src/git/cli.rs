//! The git CLI, for what libgit2 does poorly (clone with the user's whole
//! ssh/credential setup, merge and rebase with conflicts). Only the
//! subcommands of [`Sub`] run, each with fixed options; values from the UI
//! are checked by [`super::args`] and passed after `--end-of-options`.
//! Every run has `-c core.fsmonitor=false`, ext/fd transports disabled, no
//! terminal prompts, no editor, a timeout (the whole process group is
//! killed) and an output cap.
//!
//! **It runs no program a repository names**, as libgit2 runs none: no
//! hooks (`core.hooksPath=/dev/null`, which also covers `.git/hooks`), no
//! signing or signature checks (`commit.gpgSign`, `merge.verifySignatures`
//! off, so `gpg.program` is never used), and every merge driver, clean/smudge
//! filter and diff driver the repository's own config defines (as git reads
//! it, includes and all) is overridden on the command line: its filters do
//! nothing, its merge drivers are `false` (their files stop as conflicts).

use crate::error::{Error, Result};
use ai_desktop_api::git::GitProgress;
use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// Output kept of each stream (the end of it).
const OUTPUT_CAP: usize = 64 * 1024;
/// At most one progress frame this often (plus one per stage change).
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

/// Lets through one progress frame per [`PROGRESS_EVERY`], every change of
/// stage, and any frame that must not be dropped.
#[derive(Default)]
pub struct Throttle {
    last: Option<(String, Instant)>,
}

impl Throttle {
    pub fn due(&mut self, p: &GitProgress, force: bool) -> bool {
        let due = force
            || self
                .last
                .as_ref()
                .is_none_or(|(stage, at)| *stage != p.stage || at.elapsed() >= PROGRESS_EVERY);
        if due {
            self.last = Some((p.stage.clone(), Instant::now()));
        }
        due
    }
}

/// The subcommands the app runs, with their fixed options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sub {
    Clone,
    Merge,
    MergeAbort,
    Rebase,
    RebaseAbort,
    RebaseContinue,
    RebaseInteractive,
    CherryPick,
    CherryPickAbort,
    Revert,
    RevertAbort,
    /// Only for trusted repositories (the user's own ssh setup).
    Fetch,
    /// Only for trusted repositories; `--porcelain`, see [`rejected_refs`].
    Push,
}

impl Sub {
    fn args(self) -> &'static [&'static str] {
        match self {
            Sub::Clone => &["clone", "--progress"],
            Sub::Merge => &["merge", "--no-edit", "--no-stat"],
            Sub::MergeAbort => &["merge", "--abort"],
            Sub::Rebase => &["rebase", "--no-autostash"],
            Sub::RebaseAbort => &["rebase", "--abort"],
            Sub::RebaseContinue => &["rebase", "--continue"],
            Sub::RebaseInteractive => &["rebase", "-i", "--no-autosquash", "--no-autostash"],
            Sub::CherryPick => &["cherry-pick", "--no-edit"],
            Sub::CherryPickAbort => &["cherry-pick", "--abort"],
            Sub::Revert => &["revert", "--no-edit"],
            Sub::RevertAbort => &["revert", "--abort"],
            Sub::Fetch => &["fetch", "--progress"],
            Sub::Push => &["push", "--progress", "--porcelain"],
        }
    }
}

#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// The last lines of what git said, for an error message.
    pub fn said(&self) -> String {
        let text = format!("{}\n{}", self.stderr.trim(), self.stdout.trim());
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(8)..].join("\n")
    }
}

/// The `git` program on the app's PATH.
pub fn program() -> Result<std::path::PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    crate::procs::find_program("git", &path)
        .ok_or_else(|| Error::Unavailable("git is not installed (sudo apt install git).".into()))
}

/// The options every run has (see the module's documentation).
pub(crate) const FIXED_OPTIONS: &[&str] = &[
    "-c",
    "core.fsmonitor=false",
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "protocol.fd.allow=never",
    "-c",
    "core.askPass=",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "commit.gpgSign=false",
    "-c",
    "tag.gpgSign=false",
    "-c",
    "merge.verifySignatures=false",
];

/// How long a status of a large working tree may take.
const STATUS_TIMEOUT: Duration = Duration::from_secs(120);

/// `git status --porcelain=v2 -z -uall` of the working tree in `dir`, for
/// large trees: git stats the files on several threads (libgit2 on one) and
/// can use an untracked cache. Read-only (`--no-optional-locks`: the index
/// is not refreshed under a commit the app is making), with the same fixed
/// options and disarmed filters as every run, so it runs nothing the
/// repository names. Blocking: call it where blocking is allowed.
pub fn status(dir: &Path) -> Result<Vec<u8>> {
    let mut cmd = disarmed(dir)?;
    cmd.args(["status", "--porcelain=v2", "-z", "--untracked-files=all"]);
    read_only(cmd, dir, STATUS_TIMEOUT, "git status")
}

/// How long listing a history may take.
const HISTORY_TIMEOUT: Duration = Duration::from_secs(120);

/// `git rev-list --topo-order --parents` of HEAD, the local and the
/// remote-tracking branches in `dir`, running, its standard output piped:
/// one line per commit, its id then its parents', children before parents.
/// git reads the repository's commit-graph file where there is one
/// (libgit2's walk does not) and then lists as it goes, so the first rows
/// of a large history come at once. Reads only; runs nothing. The caller
/// reads it, and kills it if it stops reading.
pub fn history_child(dir: &Path) -> Result<std::process::Child> {
    let mut cmd = std::process::Command::new(program()?);
    cmd.arg("--no-optional-locks").args(FIXED_OPTIONS).args([
        "rev-list",
        "--topo-order",
        "--parents",
        "HEAD",
        "--branches",
        "--remotes",
    ]);
    in_user_env(&mut cmd, dir)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::failed("Could not run git rev-list.", e))
}

/// `cmd` set to run in `dir` with the user's environment, no prompts, the C
/// locale (its output is parsed), no input and its output piped.
fn in_user_env<'c>(
    cmd: &'c mut std::process::Command,
    dir: &Path,
) -> &'c mut std::process::Command {
    cmd.current_dir(dir)
        .env_clear()
        .envs(crate::procs::user_env())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
}

/// `git rev-list --count` of what [`history_child`] lists: how many rows
/// the whole graph has, known before it is laid out.
pub fn history_count(dir: &Path) -> Result<u32> {
    let mut cmd = std::process::Command::new(program()?);
    cmd.arg("--no-optional-locks").args(FIXED_OPTIONS).args([
        "rev-list",
        "--count",
        "HEAD",
        "--branches",
        "--remotes",
    ]);
    let out = read_only(cmd, dir, HISTORY_TIMEOUT, "git rev-list --count")?;
    String::from_utf8_lossy(&out)
        .trim()
        .parse()
        .map_err(|e| Error::failed("git counted the history oddly.", e))
}

/// `git blame --porcelain` of the working file `path` (relative, checked by
/// the caller) in `dir`: the working copy's lines, uncommitted ones named by
/// the zero id. The working file goes through the repository's clean filters,
/// so they are disarmed as for status; reads only.
pub fn blame(dir: &Path, path: &Path) -> Result<Vec<u8>> {
    let mut cmd = disarmed(dir)?;
    cmd.args(["blame", "--porcelain", "--"]).arg(path);
    read_only(cmd, dir, HISTORY_TIMEOUT, "git blame")
}

/// The commits that changed `path` (following renames), newest first, at
/// most `limit`: NUL-separated fields, one commit a line.
pub fn file_log(dir: &Path, path: &Path, limit: u32) -> Result<Vec<u8>> {
    let mut cmd = std::process::Command::new(program()?);
    cmd.arg("--no-optional-locks")
        .args(FIXED_OPTIONS)
        .args([
            "log",
            "--follow",
            "--no-color",
            "--format=%H%x00%an%x00%ae%x00%at%x00%P%x00%s",
        ])
        .arg(format!("-n{limit}"))
        .arg("--")
        .arg(path);
    read_only(cmd, dir, HISTORY_TIMEOUT, "git log")
}

/// `git log` of HEAD and every branch filtered by the non-empty ones of:
/// words in the message, the author, a path, and a string added or removed
/// by the change (pickaxe, `-S`); newest first, at most `limit`. Values go
/// as `--opt=value` (never read as options) and the path after `--`.
pub fn search_log(
    dir: &Path,
    message: &str,
    author: &str,
    path: &str,
    content: &str,
    limit: u32,
) -> Result<Vec<u8>> {
    let mut cmd = std::process::Command::new(program()?);
    cmd.arg("--no-optional-locks").args(FIXED_OPTIONS).args([
        "log",
        "--no-color",
        "--fixed-strings",
        "--regexp-ignore-case",
        "--format=%H%x00%an%x00%ae%x00%at%x00%P%x00%s",
        "--branches",
        "--remotes",
    ]);
    cmd.arg(format!("-n{limit}"));
    if !message.is_empty() {
        cmd.arg(format!("--grep={message}"));
    }
    if !author.is_empty() {
        cmd.arg(format!("--author={author}"));
    }
    if !content.is_empty() {
        cmd.arg(format!("-S{content}"));
    }
    cmd.arg("HEAD").arg("--");
    if !path.is_empty() {
        cmd.arg(path);
    }
    read_only(cmd, dir, HISTORY_TIMEOUT, "git log")
}

/// How long a listing, search or diff for the agent may take.
const AGENT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A read-only git command with the repository's filters disarmed (they
/// would run programs it names on the working files): status, blame and
/// the agent's repository tools.
fn disarmed(dir: &Path) -> Result<std::process::Command> {
    let listing = config_listing(dir)?
        .output()
        .map_err(|e| Error::failed("Could not read the repository's git config.", e))?;
    let mut cmd = std::process::Command::new(program()?);
    cmd.arg("--no-optional-locks").args(FIXED_OPTIONS);
    for setting in disarming_settings(&listing.stdout) {
        cmd.arg("-c").arg(setting);
    }
    Ok(cmd)
}

/// `git status --short --branch` of the working tree, untracked files
/// listed one by one: the branch line, then one line per changed file.
pub fn status_short(dir: &Path) -> Result<Vec<u8>> {
    let mut cmd = disarmed(dir)?;
    cmd.args(["status", "--short", "--branch", "--untracked-files=all"]);
    read_only(cmd, dir, AGENT_READ_TIMEOUT, "git status")
}

/// The files under `path` (relative, checked by the caller; "" for all)
/// that git tracks or would (untracked, not ignored): NUL-separated paths
/// relative to the repository.
pub fn list_files(dir: &Path, path: &Path) -> Result<Vec<u8>> {
    let mut cmd = disarmed(dir)?;
    cmd.args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
        "--deduplicate",
        "--",
    ]);
    if !path.as_os_str().is_empty() {
        cmd.arg(path);
    }
    read_only(cmd, dir, AGENT_READ_TIMEOUT, "git ls-files")
}

/// Lines matching `pattern` (a fixed string unless `regex`, an extended
/// regular expression) in the text files under `path` that git tracks or
/// would: `path:line:text` each, NUL after the path and the line number.
/// Nothing found is an empty answer, not an error.
pub fn grep(dir: &Path, pattern: &str, regex: bool, path: &Path) -> Result<Vec<u8>> {
    let mut cmd = disarmed(dir)?;
    cmd.args([
        "grep",
        "--untracked",
        "-I",
        "-n",
        "-z",
        "--no-color",
        "--full-name",
        if regex { "-E" } else { "-F" },
    ]);
    // The pattern is `-e`'s own argument: never read as an option.
    cmd.arg("-e").arg(pattern).arg("--");
    if !path.as_os_str().is_empty() {
        cmd.arg(path);
    }
    read_only_allowing(cmd, dir, AGENT_READ_TIMEOUT, "git grep", &[0, 1])
}

/// The working tree's uncommitted changes as a unified diff (staged ones
/// when `staged`), under `path` if it is not empty; no external diff
/// programs, no text conversion filters.
pub fn diff_text(dir: &Path, staged: bool, path: &Path) -> Result<Vec<u8>> {
    let mut cmd = disarmed(dir)?;
    cmd.args(["diff", "--no-color", "--no-ext-diff", "--no-textconv"]);
    if staged {
        cmd.arg("--cached");
    }
    cmd.arg("--");
    if !path.as_os_str().is_empty() {
        cmd.arg(path);
    }
    read_only(cmd, dir, AGENT_READ_TIMEOUT, "git diff")
}

/// What changed in the working tree since commit `since` (a full or
/// abbreviated hex id), or since HEAD when there is none, as a unified diff.
pub fn diff_since(dir: &Path, since: Option<&str>) -> Result<Vec<u8>> {
    let rev = since.unwrap_or("HEAD");
    if !(rev == "HEAD"
        || (4..=64).contains(&rev.len()) && rev.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Error::InvalidInput(format!("{rev:?} is not a commit id.")));
    }
    let mut cmd = disarmed(dir)?;
    cmd.args([
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        rev,
        "--",
    ]);
    read_only(cmd, dir, AGENT_READ_TIMEOUT, "git diff")
}

/// The newest `limit` commits of HEAD (touching `path` if it is not empty):
/// NUL-separated id, author, date (seconds), subject, one commit a line.
pub fn log_text(dir: &Path, path: &Path, limit: u32) -> Result<Vec<u8>> {
    let mut cmd = std::process::Command::new(program()?);
    cmd.arg("--no-optional-locks")
        .args(FIXED_OPTIONS)
        .args(["log", "--no-color", "--format=%h%x00%an%x00%at%x00%s"])
        .arg(format!("-n{limit}"))
        .arg("HEAD")
        .arg("--");
    if !path.as_os_str().is_empty() {
        cmd.arg(path);
    }
    read_only(cmd, dir, AGENT_READ_TIMEOUT, "git log")
}

/// Runs a read-only `cmd` in `dir` with the user's environment, killed
/// (group and all) after `timeout`, and answers its output.
fn read_only(
    cmd: std::process::Command,
    dir: &Path,
    timeout: Duration,
    what: &str,
) -> Result<Vec<u8>> {
    read_only_allowing(cmd, dir, timeout, what, &[0])
}

/// [`read_only`] for a command whose exit codes `ok` all mean success
/// (`git grep` exits 1 when nothing matched).
fn read_only_allowing(
    mut cmd: std::process::Command,
    dir: &Path,
    timeout: Duration,
    what: &str,
    ok: &[i32],
) -> Result<Vec<u8>> {
    use std::os::unix::process::CommandExt;
    in_user_env(&mut cmd, dir)
        .stderr(Stdio::piped())
        .process_group(0);
    let child = cmd
        .spawn()
        .map_err(|e| Error::failed(format!("Could not run {what}."), e))?;
    // A run stuck on a hung file system is stopped, group and all.
    let pid = child.id() as i32;
    let (done, watchdog) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if watchdog.recv_timeout(timeout).is_err() {
            // SAFETY: kill(2) on the group of a child not yet reaped (the
            // sender is dropped only after wait_with_output returned).
            unsafe { libc::killpg(pid, libc::SIGKILL) };
        }
    });
    let out = child.wait_with_output();
    drop(done);
    let out = out.map_err(|e| Error::failed(format!("Could not run {what}."), e))?;
    if !out.status.code().is_some_and(|c| ok.contains(&c)) {
        let said = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Failed {
            message: format!("{what} failed."),
            detail: Some(
                said.lines()
                    .last()
                    .unwrap_or("")
                    .chars()
                    .take(300)
                    .collect(),
            ),
        });
    }
    Ok(out.stdout)
}

/// `git config --list --show-scope -z` in `dir` (reading config runs nothing).
fn config_listing(dir: &Path) -> Result<std::process::Command> {
    let mut cmd = std::process::Command::new(program()?);
    cmd.args(["config", "--list", "--show-scope", "-z"])
        .current_dir(dir)
        .env_clear()
        .envs(crate::procs::user_env())
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    Ok(cmd)
}

/// Runs `git <fixed options> <sub> [--end-of-options <values>]` in `dir`,
/// with `home` as HOME (whose `.gitconfig` is the identity the Git page shows).
pub async fn run(
    home: &Path,
    dir: &Path,
    sub: Sub,
    values: &[OsString],
    timeout: Duration,
    progress: Option<&(dyn Fn(GitProgress) + Send + Sync)>,
) -> Result<Output> {
    run_with_todo(home, dir, sub, values, timeout, progress, None).await
}

/// [`run`] for an interactive rebase: git's todo list is replaced by the
/// file `todo` (the app's own plan) instead of opening an editor.
pub async fn run_with_todo(
    home: &Path,
    dir: &Path,
    sub: Sub,
    values: &[OsString],
    timeout: Duration,
    progress: Option<&(dyn Fn(GitProgress) + Send + Sync)>,
    todo: Option<&Path>,
) -> Result<Output> {
    let mut cmd = tokio::process::Command::new(program()?);
    cmd.args(FIXED_OPTIONS);
    for setting in repository_programs_disarmed(dir).await? {
        cmd.arg("-c").arg(setting);
    }
    cmd.args(sub.args());
    if !values.is_empty() {
        cmd.arg("--end-of-options").args(values);
    }
    cmd.current_dir(dir)
        .env_clear()
        .envs(crate::procs::user_env())
        .env("HOME", home)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_EDITOR", "true")
        .env(
            "GIT_SEQUENCE_EDITOR",
            match todo {
                // git runs it through the shell with the todo file's path after it.
                Some(file) => format!(
                    "cp -- '{}'",
                    file.display().to_string().replace('\'', "'\\''")
                ),
                None => "true".to_string(),
            },
        )
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(config) = ssh_config_of(home) {
        cmd.env("GIT_SSH_COMMAND", config);
    }
    // A session of its own: no controlling terminal, so ssh cannot stop to
    // ask for a passphrase or a host's trust in the terminal the app was
    // started from (it fails instead); its group is the one killed on timeout.
    // SAFETY: setsid(2) is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    execute(cmd, timeout, progress).await
}

/// The login's home directory as the account database has it, which is
/// where OpenSSH reads `~/.ssh` from (it ignores `$HOME`).
pub(crate) fn account_home() -> Option<std::path::PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: getpwuid returns a pointer into static storage or null; the
    // directory is copied out at once, before any other passwd call.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if pw.is_null() || (*pw).pw_dir.is_null() {
            return None;
        }
        let dir = std::ffi::CStr::from_ptr((*pw).pw_dir);
        Some(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(
            dir.to_bytes(),
        )))
    }
}

/// When the app's home is not the account's (the app started with another
/// `HOME`), the ssh command that reads that home's `.ssh/config`, so that git
/// and the Git page's SSH keys agree on which setup is the user's.
fn ssh_config_of(home: &Path) -> Option<String> {
    let config = home.join(".ssh").join("config");
    let same = account_home().is_some_and(|h| h.canonicalize().ok() == home.canonicalize().ok());
    (!same && config.is_file()).then(|| {
        format!(
            "ssh -F '{}'",
            config.display().to_string().replace('\'', "'\\''")
        )
    })
}

/// Where a remote URL leads over ssh, as ssh resolves it with the user's
/// config (`ssh -G`, which reads config and connects nowhere): the host
/// name, the port, and whether a jump host or proxy command is set.
#[derive(Debug, PartialEq, Eq)]
pub struct SshRoute {
    pub host_name: String,
    pub port: u16,
    pub proxied: bool,
}

/// `ssh -G host` as git would run ssh for the app's `home`; `None` when ssh
/// cannot be run or says nothing useful.
pub fn ssh_route(home: &Path, host: &str, port: Option<u16>) -> Option<SshRoute> {
    let mut cmd = std::process::Command::new("ssh");
    cmd.arg("-G");
    if let Some(port) = port {
        cmd.arg("-p").arg(port.to_string());
    }
    if ssh_config_of(home).is_some() {
        cmd.arg("-F").arg(home.join(".ssh").join("config"));
    }
    // `host` was checked not to start with '-' (args::url).
    let out = cmd
        .arg(host)
        .env_clear()
        .envs(crate::procs::user_env())
        .env("HOME", home)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut route = SshRoute {
        host_name: String::new(),
        port: 22,
        proxied: false,
    };
    for line in text.lines() {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "hostname" => route.host_name = value.to_string(),
            "port" => route.port = value.parse().unwrap_or(22),
            "proxyjump" | "proxycommand" if !value.is_empty() && value != "none" => {
                route.proxied = true
            }
            _ => {}
        }
    }
    (!route.host_name.is_empty()).then_some(route)
}

/// The refs a `git push --porcelain` did not update, with git's reason
/// (`!\trefs/heads/a:refs/heads/a\t[rejected] (fetch first)`).
pub fn rejected_refs(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("!\t"))
        .map(|l| l.replace('\t', " "))
        .collect()
}

/// `git commit` as the user would run it in a repository they trust: its
/// hooks (pre-commit, commit-msg, husky, lint-staged …) run and it signs
/// as their config says, unless `skip_hooks` (`--no-verify`). The message
/// goes in on standard input. Only for repositories the user marked trusted.
pub async fn commit_trusted(
    home: &Path,
    dir: &Path,
    message: &str,
    skip_hooks: bool,
    timeout: Duration,
) -> Result<Output> {
    use tokio::io::AsyncWriteExt;
    let mut cmd = tokio::process::Command::new(program()?);
    cmd.args([
        "-c",
        "protocol.ext.allow=never",
        "-c",
        "protocol.fd.allow=never",
        "commit",
        "--quiet",
        "--file=-",
        "--cleanup=strip",
    ]);
    if skip_hooks {
        cmd.arg("--no-verify");
    }
    cmd.current_dir(dir)
        .env_clear()
        .envs(crate::procs::user_env())
        .env("HOME", home)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_EDITOR", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::failed("Could not run git commit.", e))?;
    // Fed beside reading git's output: git reads the message only after
    // the pre-commit hook, so a long message would wait on a hook that
    // waits on us to read what it says. A hook that fails ends git with
    // the message unread; the closed pipe is then no error of ours, and
    // git's status and the hook's output say what happened.
    let mut stdin = child.stdin.take().expect("piped");
    let message = message.as_bytes().to_vec();
    let feed = tokio::spawn(async move { stdin.write_all(&message).await });
    let out = collect(child, timeout, None).await?;
    match feed.await {
        Ok(Err(e)) if e.kind() != std::io::ErrorKind::BrokenPipe && out.ok() => {
            Err(Error::failed("Could not give git the message.", e))
        }
        _ => Ok(out),
    }
}

/// Runs `cmd` (piped, in its own process group) to its end or `timeout`.
async fn execute(
    mut cmd: tokio::process::Command,
    timeout: Duration,
    progress: Option<&(dyn Fn(GitProgress) + Send + Sync)>,
) -> Result<Output> {
    let child = cmd
        .spawn()
        .map_err(|e| Error::failed("Could not run git.", e))?;
    collect(child, timeout, progress).await
}

/// Reads a running git's output (progress reported as it comes) until it
/// ends or `timeout` (then its whole group is killed).
async fn collect(
    mut child: tokio::process::Child,
    timeout: Duration,
    progress: Option<&(dyn Fn(GitProgress) + Send + Sync)>,
) -> Result<Output> {
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");

    let work = async {
        let out = async {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            loop {
                match stdout.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => keep_tail(&mut buf, &chunk[..n]),
                }
            }
            buf
        };
        let err = async {
            let mut kept = Vec::new();
            let mut pending = Vec::new();
            let mut chunk = [0u8; 8192];
            let mut throttle = Throttle::default();
            loop {
                match stderr.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => pending.extend_from_slice(&chunk[..n]),
                }
                // git redraws a progress line with '\r'; finished lines end in '\n'.
                while let Some(end) = pending.iter().position(|b| *b == b'\r' || *b == b'\n') {
                    let line = String::from_utf8_lossy(&pending[..end]).into_owned();
                    let finished = pending[end] == b'\n';
                    pending.drain(..=end);
                    match parse_progress(&line) {
                        Some(p) => {
                            if let Some(report) = progress {
                                if throttle.due(&p, finished) {
                                    report(p);
                                }
                            }
                            if finished {
                                keep_tail(&mut kept, format!("{line}\n").as_bytes());
                            }
                        }
                        None if !line.trim().is_empty() => {
                            keep_tail(&mut kept, format!("{line}\n").as_bytes())
                        }
                        None => {}
                    }
                }
            }
            keep_tail(&mut kept, &pending);
            kept
        };
        let (out, err) = tokio::join!(out, err);
        let status = child.wait().await;
        (out, err, status)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok((out, err, status)) => Ok(Output {
            code: status.ok().and_then(|s| s.code()),
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
        }),
        Err(_) => {
            if let Some(pid) = pid {
                // git's children (ssh, remote helpers) are in its group.
                unsafe { libc::killpg(pid as i32, libc::SIGKILL) };
            }
            Err(Error::failed(
                format!(
                    "git did not finish within {} s and was stopped.",
                    timeout.as_secs()
                ),
                "timeout",
            ))
        }
    }
}

/// `-c` settings that disarm every merge driver, clean/smudge filter and
/// diff driver defined by the repository in `dir` itself (its local or
/// worktree config, with everything it includes), as git itself reads that
/// config: `git config --list --show-scope` (reading config runs nothing).
/// The user's own global and system definitions (git-lfs installed with
/// `git lfs install`) are left as they are.
pub async fn repository_programs_disarmed(dir: &Path) -> Result<Vec<String>> {
    let mut cmd = tokio::process::Command::from(config_listing(dir)?);
    cmd.kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(10), cmd.output())
        .await
        .map_err(|_| Error::Failed {
            message: "Reading the repository's git config took over 10 s.".into(),
            detail: None,
        })?
        .map_err(|e| Error::failed("Could not read the repository's git config.", e))?;
    Ok(disarming_settings(&out.stdout))
}

/// The settings for `git config --list --show-scope -z` output
/// (`scope NUL key LF value NUL` …).
pub fn disarming_settings(listing: &[u8]) -> Vec<String> {
    let fields: Vec<&[u8]> = listing.split(|b| *b == 0).collect();
    let mut names: std::collections::BTreeSet<(String, String)> = Default::default();
    for pair in fields.chunks(2) {
        let [scope, entry] = pair else { continue };
        if !matches!(*scope, b"local" | b"worktree") {
            continue;
        }
        let entry = String::from_utf8_lossy(entry);
        let key = entry.split('\n').next().unwrap_or("").to_string();
        let Some((section, rest)) = key.split_once('.') else {
            continue;
        };
        let Some((name, variable)) = rest.rsplit_once('.') else {
            continue;
        };
        let section = section.to_ascii_lowercase();
        let variable = variable.to_ascii_lowercase();
        let program = match section.as_str() {
            "merge" => variable == "driver",
            "filter" => matches!(variable.as_str(), "clean" | "smudge" | "process"),
            "diff" => matches!(variable.as_str(), "command" | "textconv"),
            _ => false,
        };
        if program {
            names.insert((section, name.to_string()));
        }
    }
    let mut settings = Vec::new();
    for (section, name) in names {
        match section.as_str() {
            // Its files stop as conflicts, for the user to resolve.
            "merge" => settings.push(format!("merge.{name}.driver=false")),
            "filter" => {
                for key in ["clean", "smudge", "process"] {
                    settings.push(format!("filter.{name}.{key}="));
                }
                settings.push(format!("filter.{name}.required=false"));
            }
            _ => {
                settings.push(format!("diff.{name}.command="));
                settings.push(format!("diff.{name}.textconv="));
            }
        }
    }
    settings
}

fn keep_tail(buf: &mut Vec<u8>, more: &[u8]) {
    buf.extend_from_slice(more);
    if buf.len() > OUTPUT_CAP {
        let cut = buf.len() - OUTPUT_CAP;
        buf.drain(..cut);
    }
}

/// `Receiving objects:  45% (450/1000), 1.20 MiB | 2.00 MiB/s` and the like.
pub fn parse_progress(line: &str) -> Option<GitProgress> {
    let line = line.trim().trim_start_matches("remote:").trim();
    let (stage, rest) = line.split_once(':')?;
    let rest = rest.trim();
    let (_percent, rest) = rest.split_once("% (")?;
    let (counts, tail) = rest.split_once(')')?;
    let (current, total) = counts.split_once('/')?;
    let bytes = tail
        .trim_start_matches(',')
        .split('|')
        .next()
        .and_then(parse_size)
        .unwrap_or(0);
    Some(GitProgress {
        stage: stage.trim().to_string(),
        current: current.trim().parse().ok()?,
        total: total.trim().parse().ok()?,
        bytes,
        message: None,
    })
}

fn parse_size(s: &str) -> Option<u64> {
    let mut parts = s.split_whitespace();
    let n: f64 = parts.next()?.parse().ok()?;
    let unit = match parts.next()? {
        "bytes" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((n * unit) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_repositorys_own_programs_are_disarmed() {
        let listing = b"global\0filter.lfs.smudge\ngit-lfs smudge -- %f\0\
local\0filter.evil.clean\ntouch /tmp/x\0\
local\0merge.Evil.driver\nrm -rf ~\0\
worktree\0diff.pics.textconv\nexiftool\0\
local\0user.name\nA\0\
local\0merge.ff\nfalse\0";
        let settings = disarming_settings(listing);
        assert_eq!(
            settings,
            [
                "diff.pics.command=",
                "diff.pics.textconv=",
                "filter.evil.clean=",
                "filter.evil.smudge=",
                "filter.evil.process=",
                "filter.evil.required=false",
                "merge.Evil.driver=false",
            ]
        );
    }

    #[test]
    fn progress_lines() {
        let p =
            parse_progress("Receiving objects:  45% (450/1000), 1.50 MiB | 2.00 MiB/s").unwrap();
        assert_eq!(
            (p.stage.as_str(), p.current, p.total, p.bytes),
            ("Receiving objects", 450, 1000, 1_572_864)
        );
        let p = parse_progress("remote: Counting objects: 100% (7/7), done.").unwrap();
        assert_eq!(
            (p.stage.as_str(), p.current, p.total),
            ("Counting objects", 7, 7)
        );
        assert!(parse_progress("Cloning into 'x'...").is_none());
    }
}
