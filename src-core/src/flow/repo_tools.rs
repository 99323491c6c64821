//! The app's own tools for a session that works in a repository: list,
//! read and search its files (what git tracks or would: `.gitignore` is
//! respected), its git status, diff and log, and changes to its files —
//! each change shown as a diff before it is approved and checkpointed when
//! it is made, so *Undo to here* can put the files back byte for byte — and
//! commands run in the repository's folder, in a terminal tab the user can
//! watch, stopped (with everything they started) at a time limit.
//!
//! Every path is relative to the repository and stays inside it (the file
//! browser's confinement: no `..`, no link out). Answers are plain text,
//! cut to a size a model can take, saying so when they are.

use super::*;
use crate::files::FileBrowser;
use crate::git::cli;
use crate::repos::RepoRegistry;
use crate::terminal::TerminalManager;
use crate::util::check_relative;
use ai_desktop_api::files::FileRoot;
use ai_desktop_api::repos::Repository;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};

/// The server name repository tools are offered under (`repository__read_file`).
pub(crate) const SERVER_NAME: &str = "repository";

/// Paths `list_files` answers with at most.
const MAX_LISTED: usize = 1000;
/// Lines `read_file` answers with at most.
const MAX_READ_LINES: usize = 2000;
/// Matches `search` answers with at most, and characters kept of each line.
const MAX_MATCHES: usize = 200;
const MAX_MATCH_CHARS: usize = 300;
/// Bytes of a diff answered.
const MAX_DIFF: usize = 100 * 1024;
const DEFAULT_LOG: u64 = 20;
const MAX_LOG: u64 = 200;
/// A command's time limit when the model gives none, and the longest it may give.
const DEFAULT_TIMEOUT_SECS: u64 = 120;
const MAX_TIMEOUT_SECS: u64 = 600;
/// The end of a command's output the model is given.
const MAX_COMMAND_OUTPUT: usize = 32 * 1024;
/// Log lines `deployment_logs` answers when the model names no number, and at most.
pub(super) const DEFAULT_LOG_LINES: u64 = 100;
pub(super) const MAX_LOG_LINES: u64 = 1000;

/// What the repository tools reach: set once by the app.
pub struct RepoAccess {
    pub repos: Arc<RepoRegistry>,
    pub files: Arc<FileBrowser>,
    /// Where commands run, as tabs of the Terminals page.
    pub terminals: Arc<TerminalManager>,
    /// The environment commands get (the app's allow-listed user environment).
    pub env: Vec<(String, String)>,
    /// The workshop around the repository: its deployments, services and editor.
    pub deployments: Arc<crate::deployments::DeploymentManager>,
    pub services: Arc<crate::services::ServiceManager>,
    pub stack: Arc<crate::stack::StackManager>,
    /// Where the editor is shown (the desktop side's opener lives there).
    pub gateway: Arc<crate::gateway::Gateway>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoTool {
    ListFiles,
    ReadFile,
    Search,
    GitStatus,
    GitDiff,
    GitLog,
    EditFile,
    CreateFile,
    RunCommand,
    Deployments,
    DeploymentLogs,
    RestartDeployment,
    Services,
    QueryDatabase,
    OpenInEditor,
}

fn path_arg(what: &str) -> Value {
    json!({"type": "string", "description": what})
}

impl RepoTool {
    pub const ALL: [RepoTool; 15] = [
        RepoTool::ListFiles,
        RepoTool::ReadFile,
        RepoTool::Search,
        RepoTool::GitStatus,
        RepoTool::GitDiff,
        RepoTool::GitLog,
        RepoTool::EditFile,
        RepoTool::CreateFile,
        RepoTool::RunCommand,
        RepoTool::Deployments,
        RepoTool::DeploymentLogs,
        RepoTool::RestartDeployment,
        RepoTool::Services,
        RepoTool::QueryDatabase,
        RepoTool::OpenInEditor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RepoTool::ListFiles => "list_files",
            RepoTool::ReadFile => "read_file",
            RepoTool::Search => "search",
            RepoTool::GitStatus => "git_status",
            RepoTool::GitDiff => "git_diff",
            RepoTool::GitLog => "git_log",
            RepoTool::EditFile => "edit_file",
            RepoTool::CreateFile => "create_file",
            RepoTool::RunCommand => "run_command",
            RepoTool::Deployments => "deployments",
            RepoTool::DeploymentLogs => "deployment_logs",
            RepoTool::RestartDeployment => "restart_deployment",
            RepoTool::Services => "services",
            RepoTool::QueryDatabase => "query_database",
            RepoTool::OpenInEditor => "open_in_editor",
        }
    }

    pub fn from_name(name: &str) -> Option<RepoTool> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn description(self) -> &'static str {
        match self {
            RepoTool::ListFiles => "Lists the repository's files (those git tracks and untracked ones it does not ignore), under a folder if given. Paths are relative to the repository.",
            RepoTool::ReadFile => "Reads a text file of the repository, with line numbers; a range of lines if given (at most 2000 lines per call).",
            RepoTool::Search => "Searches the repository's text files (tracked, and untracked ones not ignored) for a string, or an extended regular expression if regex is true: path, line number and line of each match.",
            RepoTool::GitStatus => "The repository's branch and its changed, staged and untracked files (git status --short).",
            RepoTool::GitDiff => "The repository's uncommitted changes as a unified diff (the staged ones if staged is true), under a path if given.",
            RepoTool::GitLog => "The newest commits of the current branch (touching a path if given): short id, author, date, subject.",
            RepoTool::EditFile => "Changes a text file of the repository: replaces old_text, which must occur exactly once in the file, with new_text. The user sees the change as a diff and approves it; it can be undone.",
            RepoTool::CreateFile => "Makes a new text file in the repository with the given content, in an existing folder; an existing file is never replaced. The user approves it; it can be undone.",
            RepoTool::RunCommand => "Runs a shell command in the repository's folder, in a terminal the user can watch, and answers its exit code and the end of its output. It is stopped, with everything it started, after timeout_seconds. Changes it makes to files are not checkpointed.",
            RepoTool::Deployments => "The repository's deployments (its apps run by PM2 in AI Desktop): name, status, port, restarts, CPU, memory, the error PM2 or the app's health check reports, and the names (not values) of their environment variables.",
            RepoTool::DeploymentLogs => "The newest lines a deployment of the repository wrote (stdout and stderr, each line marked), oldest first.",
            RepoTool::RestartDeployment => "Restarts a deployment of the repository under PM2 and answers its status after the restart.",
            RepoTool::Services => "The database services the repository uses (Docker): engine, state, host port, and the database and user made for the repository, with the environment variable its apps read them from. Passwords are never given.",
            RepoTool::QueryDatabase => "Runs one read-only SQL statement (SELECT, EXPLAIN, SHOW …) in the repository's own development database, as the repository's user, and answers the rows (tab-separated, a header first). Anything that would change data is refused by the database.",
            RepoTool::OpenInEditor => "Opens a file of the repository in its VS Code (code-server) in AI Desktop for the user, at a line if given; starts the editor if needed.",
        }
    }

    /// Whether it reaches past the repository's folder into the workshop
    /// (deployments, services, the editor): run by `workshop_tools`.
    pub fn in_workshop(self) -> bool {
        matches!(
            self,
            RepoTool::Deployments
                | RepoTool::DeploymentLogs
                | RepoTool::RestartDeployment
                | RepoTool::Services
                | RepoTool::QueryDatabase
                | RepoTool::OpenInEditor
        )
    }

    /// Whether calling it changes files (shown as a diff, checkpointed).
    pub fn changes_files(self) -> bool {
        matches!(self, RepoTool::EditFile | RepoTool::CreateFile)
    }

    pub fn schema(self) -> Value {
        let object = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required, "additionalProperties": false});
        match self {
            RepoTool::ListFiles => object(
                json!({"path": path_arg("A folder, relative to the repository; the whole repository if left out.")}),
                &[],
            ),
            RepoTool::ReadFile => object(
                json!({
                    "path": path_arg("The file, relative to the repository."),
                    "start_line": {"type": "integer", "minimum": 1, "description": "The first line to read (1 is the first)."},
                    "end_line": {"type": "integer", "minimum": 1, "description": "The last line to read."}
                }),
                &["path"],
            ),
            RepoTool::Search => object(
                json!({
                    "pattern": {"type": "string", "minLength": 1, "description": "What to look for."},
                    "regex": {"type": "boolean", "default": false, "description": "The pattern is an extended regular expression."},
                    "path": path_arg("A folder or file to search in, relative to the repository.")
                }),
                &["pattern"],
            ),
            RepoTool::GitStatus => object(json!({}), &[]),
            RepoTool::GitDiff => object(
                json!({
                    "staged": {"type": "boolean", "default": false, "description": "The staged changes instead of the unstaged ones."},
                    "path": path_arg("A folder or file, relative to the repository.")
                }),
                &[],
            ),
            RepoTool::GitLog => object(
                json!({
                    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LOG, "default": DEFAULT_LOG, "description": "How many commits."},
                    "path": path_arg("Only commits that touched this path.")
                }),
                &[],
            ),
            RepoTool::EditFile => object(
                json!({
                    "path": path_arg("The file, relative to the repository."),
                    "old_text": {"type": "string", "minLength": 1, "description": "The exact text to replace; it must occur exactly once in the file."},
                    "new_text": {"type": "string", "description": "The text to put in its place."}
                }),
                &["path", "old_text", "new_text"],
            ),
            RepoTool::CreateFile => object(
                json!({
                    "path": path_arg("The new file, relative to the repository."),
                    "content": {"type": "string", "description": "Its text."}
                }),
                &["path", "content"],
            ),
            RepoTool::RunCommand => object(
                json!({
                    "command": {"type": "string", "minLength": 1, "description": "The command line, run by the user's shell."},
                    "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": MAX_TIMEOUT_SECS, "default": DEFAULT_TIMEOUT_SECS, "description": "Stop it after this many seconds."}
                }),
                &["command"],
            ),
            RepoTool::Deployments | RepoTool::Services => object(json!({}), &[]),
            RepoTool::DeploymentLogs => object(
                json!({
                    "deployment": {"type": "string", "minLength": 1, "description": "The deployment's name (deployments lists them)."},
                    "lines": {"type": "integer", "minimum": 1, "maximum": MAX_LOG_LINES, "default": DEFAULT_LOG_LINES, "description": "How many of the newest lines."},
                    "errors_only": {"type": "boolean", "default": false, "description": "Only what it wrote to stderr."}
                }),
                &["deployment"],
            ),
            RepoTool::RestartDeployment => object(
                json!({"deployment": {"type": "string", "minLength": 1, "description": "The deployment's name (deployments lists them)."}}),
                &["deployment"],
            ),
            RepoTool::QueryDatabase => object(
                json!({
                    "sql": {"type": "string", "minLength": 1, "description": "One SQL statement."},
                    "service": {"type": "string", "description": "The service instance (services names them), when the repository has databases in several."}
                }),
                &["sql"],
            ),
            RepoTool::OpenInEditor => object(
                json!({
                    "path": path_arg("The file, relative to the repository."),
                    "line": {"type": "integer", "minimum": 1, "description": "The line to show."}
                }),
                &["path"],
            ),
        }
    }
}

/// The tools offered to a session working in a repository.
pub(crate) fn offered() -> Vec<Offered> {
    RepoTool::ALL
        .iter()
        .map(|t| {
            let schema = t.schema();
            Offered {
                server_id: store::flow::BUILTIN_SERVER,
                server_name: SERVER_NAME.into(),
                tool: t.name().into(),
                description: t.description().into(),
                fingerprint: fingerprint(t.description(), &schema),
                schema,
                builtin: true,
            }
        })
        .collect()
}

pub(super) fn bad(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

pub(super) fn string_arg<'a>(args: &'a Value, key: &str) -> Result<Option<&'a str>> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("\"{key}\" must be a string."))),
    }
}

pub(super) fn required<'a>(args: &'a Value, key: &str) -> Result<&'a str> {
    string_arg(args, key)?.ok_or_else(|| bad(format!("\"{key}\" is required.")))
}

pub(super) fn bool_arg(args: &Value, key: &str) -> Result<bool> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(bad(format!("\"{key}\" must be true or false."))),
    }
}

pub(super) fn int_arg(args: &Value, key: &str) -> Result<Option<u64>> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or_else(|| bad(format!("\"{key}\" must be a whole number from 1."))),
    }
}

/// Names no argument the tool does not have (a misspelt one would be
/// silently ignored otherwise).
pub(super) fn known_args(tool: RepoTool, args: &Value) -> Result<()> {
    let schema = tool.schema();
    let props = schema["properties"].as_object();
    if let Some(obj) = args.as_object() {
        for key in obj.keys() {
            if !props.is_some_and(|p| p.contains_key(key)) {
                return Err(bad(format!("{} has no argument \"{key}\".", tool.name())));
            }
        }
    }
    Ok(())
}

/// A relative path inside the repository ("" for the whole of it).
fn rel_path(path: Option<&str>) -> Result<PathBuf> {
    match path.map(str::trim) {
        None | Some("") | Some(".") => Ok(PathBuf::new()),
        Some(p) => check_relative(p.trim_start_matches("./")),
    }
}

/// The first `max` bytes of `text` (at a character's edge), marked as cut.
pub(crate) fn cut(mut text: String, max: usize, what: &str) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(&format!(
            "\n[… cut: the {what} is longer than {} kB]",
            max / 1024
        ));
    }
    text
}

/// A file change, worked out from the file as it is now.
pub(crate) struct Change {
    pub path: String,
    pub before: Option<String>,
    pub after: String,
    /// `before`'s version (for a write that refuses a file changed since).
    pub version: Option<String>,
}

impl Change {
    /// The change as a unified diff (what the user approves).
    pub fn diff(&self) -> Result<String> {
        let mut opts = git2::DiffOptions::new();
        opts.context_lines(3);
        let old = self.before.as_deref().unwrap_or("");
        let path = std::path::Path::new(&self.path);
        let old_path = self.before.as_ref().map(|_| path);
        let mut patch = git2::Patch::from_buffers(
            old.as_bytes(),
            old_path,
            self.after.as_bytes(),
            Some(path),
            Some(&mut opts),
        )
        .map_err(|e| Error::failed("Could not show the change.", e))?;
        let buf = patch
            .to_buf()
            .map_err(|e| Error::failed("Could not show the change.", e))?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

impl RepoAccess {
    fn repository(&self, id: i64) -> Result<(Repository, PathBuf)> {
        let repo = self.repos.get(id)?;
        let dir = std::fs::canonicalize(&repo.path)
            .map_err(|e| Error::NotFound(format!("The folder of {} is gone ({e}).", repo.name)))?;
        Ok((repo, dir))
    }

    /// The change an `edit_file` or `create_file` call would make now.
    pub(crate) fn change(
        &self,
        repository_id: i64,
        tool: RepoTool,
        args: &Value,
    ) -> Result<Change> {
        known_args(tool, args)?;
        let root = FileRoot::Repository { id: repository_id };
        let path = required(args, "path")?.trim().trim_start_matches("./");
        let rel = check_relative(path)?;
        let path = rel.to_string_lossy().into_owned();
        match tool {
            RepoTool::EditFile => {
                let old_text = required(args, "old_text")?;
                let new_text = required(args, "new_text")?;
                if old_text.is_empty() {
                    return Err(bad("\"old_text\" is empty: say which text to replace (create_file makes new files)."));
                }
                let file = self.files.read(&root, &path)?;
                let found = file.text.matches(old_text).count();
                match found {
                    0 => Err(bad(format!(
                        "\"old_text\" does not occur in {path}; read the file and copy the text exactly."
                    ))),
                    1 => {
                        let after = file.text.replacen(old_text, new_text, 1);
                        if after == file.text {
                            return Err(bad("\"new_text\" is the same as \"old_text\": nothing would change."));
                        }
                        Ok(Change {
                            path,
                            after,
                            before: Some(file.text),
                            version: Some(file.version),
                        })
                    }
                    n => Err(bad(format!(
                        "\"old_text\" occurs {n} times in {path}; include more of the text around it so it occurs once."
                    ))),
                }
            }
            RepoTool::CreateFile => {
                let content = required(args, "content")?;
                match self.files.read(&root, &path) {
                    Err(Error::NotFound(_)) => {}
                    Ok(_) | Err(Error::InvalidInput(_)) => {
                        return Err(Error::Conflict(format!(
                            "{path} already exists; use edit_file to change it."
                        )))
                    }
                    Err(e) => return Err(e),
                }
                Ok(Change {
                    path,
                    before: None,
                    after: content.to_string(),
                    version: None,
                })
            }
            _ => Err(bad(format!("{} changes no file.", tool.name()))),
        }
    }

    /// Makes `change` (which the user approved as `approved_diff`), if the
    /// file is still as it was when the diff was shown.
    pub(crate) fn apply(
        &self,
        repository_id: i64,
        tool: RepoTool,
        args: &Value,
        approved_diff: Option<&str>,
    ) -> Result<Change> {
        let change = self.change(repository_id, tool, args)?;
        if approved_diff.is_some_and(|d| d != change.diff().unwrap_or_default()) {
            return Err(Error::Conflict(format!(
                "{} changed since the change was shown; nothing was written. Read it again.",
                change.path
            )));
        }
        let root = FileRoot::Repository { id: repository_id };
        match &change.version {
            Some(version) => {
                self.files
                    .write(&root, &change.path, &change.after, Some(version))?;
            }
            None => {
                self.files.create(&root, &change.path, &change.after)?;
            }
        }
        Ok(change)
    }

    /// Runs a tool that changes nothing; its answer for the model.
    pub(crate) fn read(&self, repository_id: i64, tool: RepoTool, args: &Value) -> Result<String> {
        known_args(tool, args)?;
        let (repo, dir) = self.repository(repository_id)?;
        match tool {
            RepoTool::ListFiles => {
                let rel = rel_path(string_arg(args, "path")?)?;
                let out = cli::list_files(&dir, &rel)?;
                let paths: Vec<&str> = out
                    .split(|b| *b == 0)
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| std::str::from_utf8(p).ok())
                    .collect();
                if paths.is_empty() {
                    return Ok(format!("No files under {}.", shown(&rel)));
                }
                let mut text = paths
                    .iter()
                    .take(MAX_LISTED)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n");
                if paths.len() > MAX_LISTED {
                    text.push_str(&format!(
                        "\n[… and {} more; list a folder to see them]",
                        paths.len() - MAX_LISTED
                    ));
                }
                Ok(text)
            }
            RepoTool::ReadFile => {
                let path = required(args, "path")?;
                let file = self
                    .files
                    .read(&FileRoot::Repository { id: repository_id }, path.trim())?;
                let lines: Vec<&str> = file.text.lines().collect();
                let total = lines.len();
                let start = int_arg(args, "start_line")?.unwrap_or(1) as usize;
                let end = int_arg(args, "end_line")?
                    .map(|e| e as usize)
                    .unwrap_or(total)
                    .min(total);
                if total == 0 {
                    return Ok(format!("{} is empty.", file.path));
                }
                if start > total {
                    return Err(bad(format!("{} has {total} lines.", file.path)));
                }
                if end < start {
                    return Err(bad("\"end_line\" is before \"start_line\"."));
                }
                let end = end.min(start + MAX_READ_LINES - 1);
                let mut text = format!("{} (lines {start}–{end} of {total})\n", file.path);
                for (n, line) in lines[start - 1..end].iter().enumerate() {
                    text.push_str(&format!("{:>6}\t{line}\n", start + n));
                }
                if end < total {
                    text.push_str(&format!(
                        "[… {} more lines; read from line {}]\n",
                        total - end,
                        end + 1
                    ));
                }
                Ok(text)
            }
            RepoTool::Search => {
                let pattern = required(args, "pattern")?;
                if pattern.is_empty() {
                    return Err(bad("\"pattern\" is empty."));
                }
                let regex = bool_arg(args, "regex")?;
                let rel = rel_path(string_arg(args, "path")?)?;
                let out = cli::grep(&dir, pattern, regex, &rel)?;
                let mut matches = Vec::new();
                let mut count = 0usize;
                for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                    count += 1;
                    if matches.len() >= MAX_MATCHES {
                        continue;
                    }
                    // path NUL line NUL text
                    let mut parts = line.splitn(3, |b| *b == 0);
                    let (Some(path), Some(number), Some(text)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    let text: String = String::from_utf8_lossy(text)
                        .chars()
                        .take(MAX_MATCH_CHARS)
                        .collect();
                    matches.push(format!(
                        "{}:{}: {}",
                        String::from_utf8_lossy(path),
                        String::from_utf8_lossy(number),
                        text.trim_end()
                    ));
                }
                if matches.is_empty() {
                    return Ok(format!("No matches for {pattern:?} in {}.", shown(&rel)));
                }
                let mut text = matches.join("\n");
                if count > MAX_MATCHES {
                    text.push_str(&format!(
                        "\n[… {} more matches; narrow the search]",
                        count - MAX_MATCHES
                    ));
                }
                Ok(text)
            }
            RepoTool::GitStatus => {
                let out = cli::status_short(&dir)?;
                let text = String::from_utf8_lossy(&out).into_owned();
                Ok(cut(text, MAX_DIFF, "status"))
            }
            RepoTool::GitDiff => {
                let staged = bool_arg(args, "staged")?;
                let rel = rel_path(string_arg(args, "path")?)?;
                let out = cli::diff_text(&dir, staged, &rel)?;
                if out.is_empty() {
                    return Ok(format!(
                        "No {} changes in {}.",
                        if staged { "staged" } else { "unstaged" },
                        repo.name
                    ));
                }
                Ok(cut(
                    String::from_utf8_lossy(&out).into_owned(),
                    MAX_DIFF,
                    "diff",
                ))
            }
            RepoTool::GitLog => {
                let limit = int_arg(args, "limit")?.unwrap_or(DEFAULT_LOG).min(MAX_LOG);
                let rel = rel_path(string_arg(args, "path")?)?;
                let out = cli::log_text(&dir, &rel, limit as u32)?;
                let lines: Vec<String> = String::from_utf8_lossy(&out)
                    .lines()
                    .map(|l| {
                        let f: Vec<&str> = l.split('\0').collect();
                        match f.as_slice() {
                            [id, author, secs, subject] => {
                                let when = secs
                                    .parse::<i64>()
                                    .ok()
                                    .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                                    .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                                    .unwrap_or_default();
                                format!("{id} {when} {author}: {subject}")
                            }
                            _ => l.to_string(),
                        }
                    })
                    .collect();
                if lines.is_empty() {
                    return Ok("No commits yet.".into());
                }
                Ok(lines.join("\n"))
            }
            _ => Err(bad(format!("{} is not a reading tool.", tool.name()))),
        }
    }
}

impl RepoAccess {
    /// Runs a `run_command` call: the command in a new terminal tab in the
    /// repository's folder, until it exits, `stop` is set (the user stopped
    /// the agent) or its time limit passes — then the tab's whole session is
    /// ended. Its answer: how it ended and the end of its output.
    pub(crate) fn run_command(
        &self,
        repository_id: i64,
        args: &Value,
        stop: &AtomicBool,
    ) -> Result<String> {
        known_args(RepoTool::RunCommand, args)?;
        let command = required(args, "command")?;
        if command.trim().is_empty() {
            return Err(bad("\"command\" is empty."));
        }
        let limit = int_arg(args, "timeout_seconds")?
            .unwrap_or(DEFAULT_TIMEOUT_SECS)
            .min(MAX_TIMEOUT_SECS);
        let (repo, dir) = self.repository(repository_id)?;
        let shell = PathBuf::from(crate::terminal::login_shell(&self.env));
        let title = format!(
            "agent · {}: {}",
            repo.name,
            command.chars().take(40).collect::<String>()
        );
        let argv = ["-c".to_string(), command.to_string()];
        let tab =
            self.terminals
                .open_program(&dir, &title, 120, 32, &self.env, Some((&shell, &argv)))?;
        let started = Instant::now();
        let ended = loop {
            if let Some(code) = self.terminals.exit_status(tab.id)? {
                break Ok(code);
            }
            if stop.load(Ordering::Relaxed) {
                break Err("Stopped by the user");
            }
            if started.elapsed() >= Duration::from_secs(limit) {
                break Err("Stopped at its time limit");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // What the reader had not passed on when the program exited.
        std::thread::sleep(Duration::from_millis(150));
        let output = plain_text(&self.terminals.kept_output(tab.id)?);
        let head = match ended {
            Ok(Some(code)) => format!("Exit code {code}"),
            Ok(None) => "Ended by a signal".to_string(),
            Err(why) => {
                // The tab's whole session: the command and everything it started.
                self.terminals.close(tab.id)?;
                format!(
                    "{why} after {:.0} s; it and everything it started were ended",
                    started.elapsed().as_secs_f64()
                )
            }
        };
        let output = tail(&output, MAX_COMMAND_OUTPUT);
        Ok(if output.trim().is_empty() {
            format!("{head}. No output.")
        } else {
            format!("{head}. Output:\n{output}")
        })
    }
}

/// Terminal output as plain text: escape sequences (colours, cursor moves,
/// titles) taken out, carriage returns of line ends dropped.
fn plain_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                // CSI: parameters, then one final byte in @..~
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: up to BEL or ESC \
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' {
                            break;
                        }
                        if c == '\x1b' {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push('\n'),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The last `max` bytes of `text` (at a character's edge), marked as cut.
fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!(
        "[… the first {} kB left out]\n{}",
        start / 1024,
        &text[start..]
    )
}

fn shown(rel: &std::path::Path) -> String {
    if rel.as_os_str().is_empty() {
        "the repository".into()
    } else {
        rel.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{plain_text, tail};

    #[test]
    fn terminal_output_becomes_plain_text() {
        assert_eq!(
            plain_text("\x1b]0;title\x07\x1b[1;32mok\x1b[0m\r\nnext\rover\x1b[K\n"),
            "ok\nnext\nover\n"
        );
        assert_eq!(plain_text("tab\there\x08!"), "tab\there!");
    }

    #[test]
    fn a_long_output_keeps_its_end() {
        let text = format!("{}é{}", "a".repeat(10), "b".repeat(2048));
        let cut = tail(&text, 2049);
        assert!(cut.starts_with("[… the first 0 kB left out]\n"), "{cut}");
        assert!(cut.ends_with(&"b".repeat(2048)));
        assert_eq!(tail("short", 10), "short");
    }
}
