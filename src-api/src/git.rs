//! Git: a repository's changes and diffs, commits, branches, history,
//! fetch/pull/push, merge and rebase, stashes, tags, remotes and clone; and
//! who you are to git, and your SSH keys.

use crate::repos::Repository;
use serde::{Deserialize, Serialize};

/// The global `user.name` / `user.email` (from `~/.gitconfig`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitIdentity {
    /// `user.name`, if set.
    pub name: Option<String>,
    /// `user.email`, if set.
    pub email: Option<String>,
    /// The file read and written.
    pub config_file: String,
}

/// A key pair in `~/.ssh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKey {
    /// The file name without `.pub`, e.g. `id_ed25519`.
    pub name: String,
    /// e.g. `ssh-ed25519`.
    pub algorithm: String,
    /// `SHA256:…`
    pub fingerprint: String,
    /// The public key's comment (often an email).
    pub comment: String,
    /// The whole public key line, to paste into a git host.
    pub public_key: String,
    /// The private half is next to it.
    pub has_private: bool,
}

/// A key pair to generate (ed25519).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSshKey {
    /// A file name in `~/.ssh` (letters, digits, `.`, `_`, `-`).
    pub name: String,
    /// The public key's comment (often an email).
    pub comment: String,
    /// Empty or None: no passphrase.
    pub passphrase: Option<String>,
}

/// What `ssh -T` said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshTestResult {
    /// The server let the key in (git hosts then refuse a shell and say who you are).
    pub authenticated: bool,
    /// What ssh printed.
    pub output: String,
    /// ssh's exit code (None if it was killed at the time limit).
    pub exit_code: Option<i32>,
}

/// A commit of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// The full id.
    pub id: String,
    /// The abbreviated id, as git shows it.
    pub short_id: String,
    /// The message's first line.
    pub summary: String,
    /// The author's name.
    pub author: String,
    /// The author's email.
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// Parent ids (two or more for a merge): what a graph is drawn from.
    pub parents: Vec<String>,
}

/// A row of the history graph: a commit and the lanes drawn through it.
/// Lanes are columns; a row is drawn from its top to its bottom edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphRow {
    /// The commit.
    pub commit: CommitInfo,
    /// Its lane.
    pub column: u16,
    /// Lanes that end in it from above (its children's lines).
    pub up: Vec<u16>,
    /// Lanes its parents continue in below (first parent first).
    pub down: Vec<u16>,
    /// Lanes passing by, top to bottom in the same column.
    pub through: Vec<u16>,
    /// Branches and tags pointing at it (`HEAD -> main`, `origin/main`, `tag: v1`).
    pub refs: Vec<String>,
}

/// A page of the history graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphPage {
    /// Commits in the whole history once `exact`, else those laid out so
    /// far (at least a page beyond this one; more come as pages are read).
    pub total: u32,
    /// `total` is the whole history's count (counted, or all laid out).
    pub exact: bool,
    /// Every commit of the history is laid out.
    pub complete: bool,
    /// Names the layout these rows belong to: another one (the refs moved)
    /// means the rows held so far are stale.
    pub layout: u32,
    /// The first row's place.
    pub offset: u32,
    /// Lanes the widest row laid out so far uses.
    pub width: u16,
    /// The rows, newest first.
    pub rows: Vec<GraphRow>,
}

/// A commit named by blame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlameCommit {
    /// The full id; all zeros for lines not committed yet.
    pub id: String,
    /// The abbreviated id.
    pub short_id: String,
    /// The author's name.
    pub author: String,
    /// Seconds since the epoch (the author's time).
    pub time: i64,
    /// The message's first line.
    pub summary: String,
}

/// A line of a blamed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlameLine {
    /// Its commit, an index into `Blame::commits`.
    pub commit: u32,
    /// The line, without its newline.
    pub text: String,
}

/// Who last changed each line of a file (the working copy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blame {
    /// The file, relative to the repository.
    pub path: String,
    /// The commits the lines name, newest first.
    pub commits: Vec<BlameCommit>,
    /// Every line, in order.
    pub lines: Vec<BlameLine>,
}

/// Whether a commit is signed, and whether its signature verifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum SignatureStatus {
    /// No signature.
    Unsigned,
    /// Signed; not checked, because checking runs the program the
    /// repository's config names and the repository is not trusted.
    SignedUnchecked,
    /// Signed and verified.
    Verified {
        /// Who signed, as gpg or ssh-keygen names them.
        signer: String,
    },
    /// Signed, but the signature does not verify.
    Unverified {
        /// Why, in words.
        reason: String,
    },
}

/// A linked worktree: a branch checked out in a folder of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorktreeInfo {
    /// git's name for it.
    pub name: String,
    /// Its folder.
    pub path: String,
    /// The branch checked out there (None: detached).
    pub branch: Option<String>,
    /// The repository it is registered as (its own code-server, terminals …).
    pub repository_id: Option<i64>,
    /// It has uncommitted changes (it cannot be removed until they are gone).
    pub dirty: bool,
    /// Its folder is gone.
    pub missing: bool,
}

/// A run of a conflicted file: text both sides agree on, or a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ConflictChunk {
    /// Text both sides have (lines end in their newlines).
    Same {
        /// The text.
        text: String,
    },
    /// A conflict: our version, the common ancestor's, theirs.
    Conflict {
        /// The current branch's lines.
        ours: String,
        /// The common ancestor's lines (empty when both added the file).
        base: String,
        /// The merged-in (or picked, or rebased) lines.
        theirs: String,
    },
}

/// A conflicted text file for the 3-way editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictFile {
    /// The file, relative to the repository.
    pub path: String,
    /// Its runs, in order.
    pub chunks: Vec<ConflictChunk>,
}

/// What an interactive rebase does with a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RebaseAction {
    /// Keep it.
    Pick,
    /// Keep it with a new message.
    Reword,
    /// Meld it into the commit before it, messages joined.
    Squash,
    /// Meld it into the commit before it, its message dropped.
    Fixup,
    /// Leave it out.
    Drop,
    /// Stop at it (the rebase paused, nothing in conflict) to change its
    /// files or message; Continue puts what is staged into it.
    Edit,
}

/// One line of an interactive rebase's plan, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebaseStep {
    /// The commit (full id).
    pub id: String,
    /// What to do with it.
    pub action: RebaseAction,
    /// The new message, for `reword`.
    #[serde(default)]
    pub message: Option<String>,
}

/// What to search the history for; empty fields are not used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// Words in the message (case-insensitive).
    #[serde(default)]
    pub message: String,
    /// The author's name or email, or part of it.
    #[serde(default)]
    pub author: String,
    /// A path the commit changed (relative to the repository).
    #[serde(default)]
    pub path: String,
    /// A string the change added or removed (git's pickaxe, `-S`).
    #[serde(default)]
    pub content: String,
}

/// A repository's branch state for the Repositories list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitSummary {
    /// The repository.
    pub repository_id: i64,
    /// The current branch's upstream, if it has one.
    pub upstream: Option<String>,
    /// Commits the branch has that its upstream does not.
    pub ahead: u32,
    /// Commits the upstream has that the branch does not.
    pub behind: u32,
    /// How many files are in each state.
    pub counts: ChangeCounts,
}

/// A local branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchInfo {
    /// Its name, e.g. `main`.
    pub name: String,
    /// Checked out.
    pub current: bool,
    /// e.g. `origin/main`.
    pub upstream: Option<String>,
    /// Commits it has that its upstream lacks.
    pub ahead: usize,
    /// Commits its upstream has that it lacks.
    pub behind: usize,
    /// The id of its newest commit.
    pub tip: String,
}

/// A stash entry (0 is the newest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StashInfo {
    /// Its place in the stash list (`stash@{index}`).
    pub index: usize,
    /// Its message, e.g. "WIP on main: …".
    pub message: String,
    /// The id of its commit.
    pub id: String,
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagInfo {
    /// Its name, e.g. `v1.2.0`.
    pub name: String,
    /// The commit it points at.
    pub target: String,
    /// Annotated tags have a message (and a tagger).
    pub message: Option<String>,
}

/// A remote of the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteInfo {
    /// Its name, e.g. `origin`.
    pub name: String,
    /// Credentials in the URL are shown as `***`.
    pub url: String,
}

/// One file of a commit's diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitFile {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// added, modified, deleted, renamed, …
    pub status: String,
    /// Unified diff (cut at a limit; `binary` files have none).
    pub patch: String,
    /// Binary: no patch is shown.
    pub binary: bool,
}

/// `git show`: a commit with its full message and diff against its first parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitDetail {
    /// The commit.
    pub commit: CommitInfo,
    /// Its whole message.
    pub message: String,
    /// The files it changed.
    pub files: Vec<CommitFile>,
    /// Files or lines were left out (very large commits).
    pub truncated: bool,
}

/// How far a reset goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// Moves the branch; keeps the index and files.
    Soft,
    /// Moves the branch and resets the index; keeps files.
    Mixed,
    /// Moves the branch and discards every uncommitted change.
    Hard,
}

/// What pull does when the branches have diverged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullMode {
    /// Refuses when the branches have diverged.
    FastForwardOnly,
    /// Merges when they have diverged.
    Merge,
}

/// A progress frame of clone, fetch, pull or push.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitProgress {
    /// e.g. "Receiving objects", "Resolving deltas", "Writing objects".
    pub stage: String,
    /// Objects done in this stage.
    pub current: u64,
    /// Objects in this stage (0: not known yet).
    pub total: u64,
    /// Bytes transferred so far.
    pub bytes: u64,
    /// What the server said (sideband), if anything.
    pub message: Option<String>,
}

/// What fetch, pull, push, merge or rebase ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// Nothing to do.
    UpToDate,
    /// The branch moved forward to the other's commit.
    FastForward,
    /// A merge commit was made.
    Merged,
    /// Stopped with conflicts; resolve and commit, or abort.
    Conflicts,
    /// The branch's commits were replayed onto the other.
    Rebased,
    /// The remote took the commits.
    Pushed,
    /// The remote's commits arrived (nothing was merged).
    Fetched,
    /// The commit's change was applied as a new commit.
    CherryPicked,
    /// A new commit undoes the commit's change.
    Reverted,
    /// An interactive rebase stopped at a commit marked `edit`: change it,
    /// stage, then continue (or abort).
    Paused,
}

/// What fetch, pull, push, merge or rebase did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResult {
    /// How it ended.
    pub outcome: SyncOutcome,
    /// Files with conflicts (when `outcome` is `conflicts`).
    pub conflicted: Vec<String>,
    /// A sentence for the user.
    pub message: String,
}

/// What is under way in the work tree (a merge or rebase stopped on conflicts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepoState {
    /// Nothing under way.
    Clean,
    /// A merge stopped on conflicts.
    Merge,
    /// A rebase stopped on conflicts.
    Rebase,
    /// A cherry-pick stopped on conflicts.
    CherryPick,
    /// A revert stopped on conflicts.
    Revert,
    /// Something else git started (a bisect …).
    Other,
}

/// `git_state`: what is under way, and the files still in conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkTreeState {
    /// What is under way.
    pub state: RepoState,
    /// Files still in conflict.
    pub conflicted: Vec<String>,
}

/// Input of `git_clone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloneRequest {
    /// What to clone: an `https://`, `ssh://`, `git://` or `file://` URL, `user@host:path`
    /// or an absolute path (transport helpers like `ext::`, which run programs, are refused).
    pub url: String,
    /// One of the configured workspace folders.
    pub workspace: String,
    /// The new folder's name inside it (default: from the URL).
    #[serde(default)]
    pub name: Option<String>,
}

/// How one side (index or working tree) of a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// New in this side.
    Added,
    /// Its contents changed.
    Modified,
    /// Gone in this side.
    Deleted,
    /// Moved (see `old_path`).
    Renamed,
    /// A file became a link or the like.
    TypeChanged,
    /// Not known to git (working tree only).
    Untracked,
}

/// A changed file. `staged` is HEAD → index, `unstaged` index → working tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    /// How it changed in the index, if it did.
    pub staged: Option<ChangeKind>,
    /// How it changed in the working tree, if it did.
    pub unstaged: Option<ChangeKind>,
    /// It has unresolved conflicts.
    pub conflicted: bool,
}

/// How many files are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCounts {
    /// Files with staged changes.
    pub staged: u32,
    /// Tracked files with unstaged changes.
    pub unstaged: u32,
    /// Files git does not know.
    pub untracked: u32,
    /// Files in conflict.
    pub conflicted: u32,
}

/// Payload of `git:changes` and result of `git_changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoChanges {
    /// The repository.
    pub repository_id: i64,
    /// The checked-out branch (or short commit id when detached).
    pub branch: Option<String>,
    /// The changed files, by path.
    pub files: Vec<FileChange>,
    /// How many files are in each state.
    pub counts: ChangeCounts,
    /// The list stopped at this many entries (a huge untracked tree).
    pub truncated: bool,
}

/// Which two versions of a file to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffSide {
    /// Index → working tree (what `git diff` shows).
    Unstaged,
    /// HEAD → index (what `git diff --cached` shows).
    Staged,
}

/// What a diff line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffLineKind {
    /// Unchanged, shown around changes.
    Context,
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// "\ No newline at end of file".
    NoNewline,
}

/// A line of a hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// Context, added or removed.
    pub kind: DiffLineKind,
    /// Its number in the old version (not for added lines).
    pub old_line: Option<u32>,
    /// Its number in the new version (not for removed lines).
    pub new_line: Option<u32>,
    /// The line, without its newline.
    pub text: String,
}

/// A run of changes with their context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunk {
    /// `@@ -a,b +c,d @@ context`
    pub header: String,
    /// Its lines, in order.
    pub lines: Vec<DiffLine>,
}

/// A unified diff of one file, or a summary where text would not help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    /// Which two versions are compared.
    pub side: DiffSide,
    /// Binary: no lines are shown.
    pub binary: bool,
    /// Too large to show; `additions`/`deletions` still count it.
    pub too_large: bool,
    /// Lines added.
    pub additions: u32,
    /// Lines removed.
    pub deletions: u32,
    /// The changes (none when binary or too large).
    pub hunks: Vec<DiffHunk>,
    /// Names the two versions compared: a line action carries it back and
    /// is refused if the file changed since.
    #[serde(default)]
    pub fingerprint: String,
}

/// Lines picked in a file's diff: removed lines by their number in the old
/// version, added lines by their number in the new one (a hunk is all of
/// its changed lines).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePick {
    /// Removed lines: `DiffLine::old_line` of each.
    pub old_lines: Vec<u32>,
    /// Added lines: `DiffLine::new_line` of each.
    pub new_lines: Vec<u32>,
}

/// An operation of the Git page that can be undone (the newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoEntry {
    /// Names it for `git_undo`.
    pub id: i64,
    /// `discard_lines`, `discard_file`, `commit`, `amend`, `reset`, `merge`,
    /// `rebase`, `cherry_pick`, `revert`, `pull`, `stash_drop`,
    /// `delete_branch`, `rename_branch`.
    pub kind: String,
    /// The file (relative to the repository), ref or branch it changed
    /// (a dropped stash: its message).
    pub target: String,
    /// What it did, for the *Undo* button's title.
    pub summary: String,
    /// RFC 3339.
    pub created_at: String,
}

/// What a line action does with the picked lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineAction {
    /// Unstaged → index.
    Stage,
    /// Index → back to unstaged (the file keeps them).
    Unstage,
    /// Out of the working file (the page can undo it).
    Discard,
}

crate::command! {
    /// The repository's changed files (staged, unstaged, untracked, conflicted).
    Changes = "git_changes" { repository_id: i64 } -> RepoChanges;
    /// Which repository's changes are pushed live as `git:changes` (one at a time; None
    /// stops watching).
    Watch = "git_watch" { repository_id: Option<i64> } -> ();
    /// One file's unified diff (index or working tree side).
    Diff = "git_diff" { repository_id: i64, path: String, side: DiffSide } -> FileDiff;
    /// The global user.name and user.email.
    Identity = "git_identity" {} -> GitIdentity;
    /// Global config
    SetIdentity = "git_set_identity" { name: String, email: String } -> GitIdentity;
    /// The key pairs in ~/.ssh
    SshKeys = "ssh_keys" {} -> Vec<SshKey>;
    /// Ed25519; never overwrites a file
    SshGenerate = "ssh_generate" { input: NewSshKey } -> SshKey;
    /// `ssh -T`, 15 s at most
    SshTest = "ssh_test" { host: String, key: Option<String> } -> SshTestResult;
    /// Paths relative to the repository
    Stage = "git_stage" { repository_id: i64, paths: Vec<String> } -> ();
    /// Takes the paths' changes out of the index (they stay in the files).
    Unstage = "git_unstage" { repository_id: i64, paths: Vec<String> } -> ();
    /// Stages, unstages or discards picked lines of one file's diff; refused
    /// if the file changed since the diff with `fingerprint` was read.
    /// Answers the file's diff on the side the lines were picked on.
    ApplyLines = "git_apply_lines" { repository_id: i64, path: String, action: LineAction, lines: LinePick, fingerprint: String } -> FileDiff;
    /// Throws away a file's unstaged changes (an untracked file is removed);
    /// the page's Undo puts them back.
    DiscardFile = "git_discard_file" { repository_id: i64, path: String } -> ();
    /// Replaces the last commit with one of what is staged now; an empty
    /// message keeps its message. The page's Undo brings the old one back.
    Amend = "git_amend" { repository_id: i64, message: String } -> CommitInfo;
    /// Who last changed each line of a file (its working copy).
    BlameFile = "git_blame" { repository_id: i64, path: String } -> Blame;
    /// The commits that changed a file, following renames, newest first (at most `limit`, ≤ 1000).
    FileHistory = "git_file_history" { repository_id: i64, path: String, limit: u32 } -> Vec<CommitInfo>;
    /// The repository's linked worktrees.
    Worktrees = "git_worktrees" { repository_id: i64 } -> Vec<WorktreeInfo>;
    /// Checks a branch out in a new folder next to the repository (creating the
    /// branch from HEAD if `create`) and registers it as a repository of its own.
    AddWorktree = "git_add_worktree" { repository_id: i64, branch: String, create: bool } -> WorktreeInfo;
    /// Removes a worktree with no uncommitted change: its code-server stops,
    /// it is unregistered, its folder deleted (its branch stays).
    RemoveWorktree = "git_remove_worktree" { repository_id: i64, name: String } -> Vec<WorktreeInfo>;
    /// A conflicted file as common runs and conflicts (ours, base, theirs).
    Conflict = "git_conflict" { repository_id: i64, path: String } -> ConflictFile;
    /// Writes the resolution of a conflicted file and stages it.
    Resolve = "git_resolve" { repository_id: i64, path: String, text: String } -> ();
    /// Commits whose message, author, paths or changes match; newest first, at most 200.
    SearchHistory = "git_search_history" { repository_id: i64, query: HistoryQuery } -> Vec<CommitInfo>;
    /// Ahead/behind and changed files of each of `ids` (at most 100; a folder
    /// that is not a repository is left out).
    Summaries = "git_summaries" { ids: Vec<i64> } -> Vec<GitSummary>;
    /// A commit message for what is staged, drafted by the Flow Builder's
    /// provider from the staged diff (nothing is committed).
    DraftMessage = "git_draft_message" { repository_id: i64 } -> String;
    /// The newest operation of the Git page that can be undone, if any.
    LastUndo = "git_last_undo" { repository_id: i64 } -> Option<UndoEntry>;
    /// Undoes operation `id` (the newest; refused if the file changed since)
    /// and answers the one before it.
    Undo = "git_undo" { repository_id: i64, id: i64 } -> Option<UndoEntry>;
    /// What is staged, as the Git page's identity. In a trusted repository
    /// through `git commit` itself: its hooks run (unless `skip_hooks`) and it signs
    /// as the user's config says.
    Commit = "git_commit" { repository_id: i64, message: String, skip_hooks: bool } -> CommitInfo;
    /// Whether a commit is signed and (in a trusted repository) verified.
    Signature = "git_signature" { repository_id: i64, id: String } -> SignatureStatus;
    /// Newest first, from HEAD
    Log = "git_log" { repository_id: i64, limit: u32 } -> Vec<CommitInfo>;
    /// The history graph of HEAD, the local and the remote-tracking branches,
    /// rows `offset..offset + limit` (1 to 500); laid out once per state of the refs.
    Graph = "git_graph" { repository_id: i64, offset: u32, limit: u32 } -> GraphPage;
    /// The local branches, with their upstreams and how far apart they are.
    Branches = "git_branches" { repository_id: i64 } -> Vec<BranchInfo>;
    /// From HEAD
    CreateBranch = "git_create_branch" { repository_id: i64, name: String, checkout: bool } -> Vec<BranchInfo>;
    /// Refuses to overwrite local changes
    SwitchBranch = "git_switch_branch" { repository_id: i64, name: String } -> Vec<BranchInfo>;
    /// Renames a local branch (the current one too); refused if the new name is taken.
    RenameBranch = "git_rename_branch" { repository_id: i64, name: String, new_name: String } -> Vec<BranchInfo>;
    /// Not the current one, only if merged
    DeleteBranch = "git_delete_branch" { repository_id: i64, name: String } -> Vec<BranchInfo>;
    /// A merge or rebase under way, conflicted files
    State = "git_state" { repository_id: i64 } -> WorkTreeState;
    /// The stash list, newest first.
    Stashes = "git_stashes" { repository_id: i64 } -> Vec<StashInfo>;
    /// Stashes the uncommitted changes (and untracked files if asked).
    StashPush = "git_stash_push" { repository_id: i64, message: String, include_untracked: bool } -> Vec<StashInfo>;
    /// Refuses to overwrite local changes
    StashApply = "git_stash_apply" { repository_id: i64, index: usize, pop: bool } -> Vec<StashInfo>;
    /// Drops one stash entry.
    StashDrop = "git_stash_drop" { repository_id: i64, index: usize } -> Vec<StashInfo>;
    /// The tags, by name.
    Tags = "git_tags" { repository_id: i64 } -> Vec<TagInfo>;
    /// HEAD; annotated if a message
    CreateTag = "git_create_tag" { repository_id: i64, name: String, message: String } -> Vec<TagInfo>;
    /// Deletes a tag here (not on remotes).
    DeleteTag = "git_delete_tag" { repository_id: i64, name: String } -> Vec<TagInfo>;
    /// The remotes (credentials in URLs masked).
    Remotes = "git_remotes" { repository_id: i64 } -> Vec<RemoteInfo>;
    /// Adds a remote (the same URL rules as clone).
    AddRemote = "git_add_remote" { repository_id: i64, name: String, url: String } -> Vec<RemoteInfo>;
    /// Removes a remote and its remote-tracking branches.
    RemoveRemote = "git_remove_remote" { repository_id: i64, name: String } -> Vec<RemoteInfo>;
    /// Message and diff
    Show = "git_show" { repository_id: i64, id: String } -> CommitDetail;
    /// The UI confirms first
    Reset = "git_reset" { repository_id: i64, id: String, mode: ResetMode } -> Vec<CommitInfo>;
    /// `git_fetch`. Streams `GitProgress` frames over the Channel under `onProgress`.
    Fetch = "git_fetch" { repository_id: i64, remote: Option<String> } -> SyncResult, streams GitProgress as "onProgress";
    /// `git_pull`. Streams `GitProgress` frames over the Channel under `onProgress`.
    Pull = "git_pull" { repository_id: i64, mode: PullMode } -> SyncResult, streams GitProgress as "onProgress";
    /// `git_push`. Streams `GitProgress` frames over the Channel under `onProgress`.
    Push = "git_push" { repository_id: i64, remote: Option<String> } -> SyncResult, streams GitProgress as "onProgress";
    /// May stop with conflicts
    Merge = "git_merge" { repository_id: i64, branch: String } -> SyncResult;
    /// May stop with conflicts
    Rebase = "git_rebase" { repository_id: i64, onto: String } -> SyncResult;
    /// Applies a commit's change to the current branch as a new commit (not a
    /// merge commit); may stop with conflicts like a merge.
    CherryPick = "git_cherry_pick" { repository_id: i64, id: String } -> SyncResult;
    /// A new commit that undoes a commit's change (not a merge commit); may stop with conflicts.
    Revert = "git_revert" { repository_id: i64, id: String } -> SyncResult;
    /// The commits after `base` up to HEAD, oldest first: what an interactive rebase plans.
    RebaseCommits = "git_rebase_commits" { repository_id: i64, base: String } -> Vec<CommitInfo>;
    /// Replays the commits after `base` as `plan` says (reordered, reworded,
    /// squashed, fixed up, dropped); stops on conflicts like a rebase.
    RebaseInteractive = "git_rebase_interactive" { repository_id: i64, base: String, plan: Vec<RebaseStep> } -> SyncResult;
    /// Aborts the merge or rebase under way
    Abort = "git_abort" { repository_id: i64 } -> RepoState;
    /// Carries on with a rebase once its conflicts are resolved and staged.
    ContinueRebase = "git_continue_rebase" { repository_id: i64 } -> SyncResult;
    /// Registered Streams `GitProgress` frames over the Channel under `onProgress`.
    CloneRepo = "git_clone" { request: CloneRequest } -> Repository, streams GitProgress as "onProgress";
}
