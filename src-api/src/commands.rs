//! Command names, one constant per `#[tauri::command]`, so that the UI never
//! spells a command by hand. Arguments are named in the doc of each constant
//! (Tauri passes them as a JSON object keyed by argument name).

/// `() -> Vec<Repository>`
pub const REPOS_LIST: &str = "repos_list";
/// `{ input: NewRepository } -> Repository`
pub const REPOS_CREATE: &str = "repos_create";
/// `{ id: i64, input: RepositoryPatch } -> Repository`
pub const REPOS_UPDATE: &str = "repos_update";
/// `{ id: i64 } -> ()`
pub const REPOS_DELETE: &str = "repos_delete";
/// `{ id: i64 } -> Repository` (re-reads git remote and branch)
pub const REPOS_REFRESH_GIT: &str = "repos_refresh_git";
/// `{ path: String } -> RepoInspection` (what the add dialog pre-fills)
pub const REPOS_INSPECT: &str = "repos_inspect";
/// `() -> AppInfo`
pub const APP_INFO: &str = "app_info";
/// `{ pageMs: f64 } -> ()`: the UI's first frame is on screen (`pageMs`
/// after the page began loading); logged once with the time since start.
pub const APP_PAINTED: &str = "app_painted";
/// `{ level: String, message: String } -> ()`: the page's console errors,
/// uncaught exceptions and unhandled rejections, into the app's log file
/// (`level` is `error` or `warn`; cut at 4 kB; at most 60 a minute).
pub const APP_LOG: &str = "app_log";

/// `() -> CodeServerStatus`
pub const VSCODE_STATUS: &str = "vscode_status";
/// `() -> Vec<CodeServerInstance>` (one per repository)
pub const VSCODE_LIST: &str = "vscode_list";
/// `{ repositoryId: i64 } -> CodeServerInstance` (returns once ready, or fails)
pub const VSCODE_START: &str = "vscode_start";
/// `{ repositoryId: i64 } -> CodeServerInstance`
pub const VSCODE_STOP: &str = "vscode_stop";
/// `{ repositoryId: i64 } -> CodeServerInstance`
pub const VSCODE_RESTART: &str = "vscode_restart";
/// `() -> Vec<CodeServerInstance>`
pub const VSCODE_STOP_ALL: &str = "vscode_stop_all";
/// `() -> CleanupReport`
pub const VSCODE_CLEANUP: &str = "vscode_cleanup";
/// `{ repositoryId: i64, target: OpenTarget } -> ()` (starts it if needed)
pub const VSCODE_OPEN: &str = "vscode_open";
/// `{ repositoryId: i64, from: Option<u64> } -> LogFrame`: a log read (see
/// `DEPLOYMENTS_LOGS`); an empty frame after 2 s while no instance runs.
pub const VSCODE_LOGS: &str = "vscode_logs";
/// `{ path: Option<String> } -> CodeServerStatus` (the binary to use; None = PATH)
pub const VSCODE_SET_BINARY: &str = "vscode_set_binary";
/// `{ repositoryId: i64 } -> RepoChanges`
pub const VSCODE_CHANGES: &str = "vscode_changes";
/// `{ repositoryId: Option<i64> } -> ()`: which repository's changes are
/// pushed live as `vscode:changes` (one at a time; None stops watching).
pub const VSCODE_WATCH: &str = "vscode_watch";
/// `{ repositoryId: i64, path: String, side: DiffSide } -> FileDiff`
pub const VSCODE_DIFF: &str = "vscode_diff";

/// `() -> Vec<McpServer>`
pub const MCP_LIST: &str = "mcp_list";
/// `{ input: McpServerInput } -> McpServer`
pub const MCP_CREATE: &str = "mcp_create";
/// `{ id: i64, input: McpServerInput } -> McpServer` (a running server keeps
/// its old settings until it is restarted)
pub const MCP_UPDATE: &str = "mcp_update";
/// `{ id: i64 } -> ()` (stops it first; its call history goes with it)
pub const MCP_DELETE: &str = "mcp_delete";
/// `{ id: i64, part: SecretPart, key: String } -> String`: one env or
/// header value in clear (lists and events carry `secrets::MASKED`).
pub const MCP_REVEAL: &str = "mcp_reveal";
/// `{ id: i64 } -> McpServer` (a stopped copy named "… copy")
pub const MCP_DUPLICATE: &str = "mcp_duplicate";
/// `{ json: String } -> ImportReport` (a Claude-Desktop-style `mcpServers` document)
pub const MCP_IMPORT: &str = "mcp_import";
/// `{ id: i64 } -> McpServer` (returns once initialized, or fails)
pub const MCP_START: &str = "mcp_start";
/// `{ id: i64 } -> McpServer`
pub const MCP_STOP: &str = "mcp_stop";
/// `{ id: i64 } -> McpServer`
pub const MCP_RESTART: &str = "mcp_restart";
/// `{ id: i64 } -> Vec<McpTool>` (the server must be running)
pub const MCP_TOOLS: &str = "mcp_tools";
/// `{ id: i64 } -> Vec<McpResource>`
pub const MCP_RESOURCES: &str = "mcp_resources";
/// `{ id: i64, uri: String } -> ResourceContents`
pub const MCP_READ_RESOURCE: &str = "mcp_read_resource";
/// `{ id: i64 } -> Vec<McpPrompt>`
pub const MCP_PROMPTS: &str = "mcp_prompts";
/// `{ id: i64, tool: String, arguments: Value } -> McpCall` (arguments are
/// checked against the tool's schema first; the call is kept in the history)
pub const MCP_CALL_TOOL: &str = "mcp_call_tool";
/// `{ id: i64 } -> Vec<McpCall>` (newest first)
pub const MCP_HISTORY: &str = "mcp_history";
/// `{ id: i64 } -> ()`
pub const MCP_CLEAR_HISTORY: &str = "mcp_clear_history";
/// `{ id: i64, from: Option<u64> } -> LogFrame`: a log read (see
/// `DEPLOYMENTS_LOGS`) of stderr and stdout that is not JSON-RPC; the buffer
/// lives across restarts (this is `mcp:{id}:log` of the old backend).
pub const MCP_LOGS: &str = "mcp_logs";

/// `() -> Pm2Status`
pub const DEPLOYMENTS_STATUS: &str = "deployments_status";
/// `() -> Vec<Deployment>`
pub const DEPLOYMENTS_LIST: &str = "deployments_list";
/// `{ repositoryId: i64 } -> StartSuggestion`
pub const DEPLOYMENTS_SUGGEST: &str = "deployments_suggest";
/// `{ input: DeploymentInput } -> Deployment` (created stopped)
pub const DEPLOYMENTS_CREATE: &str = "deployments_create";
/// `{ id: i64, input: DeploymentInput } -> Deployment` (applies at the next start)
pub const DEPLOYMENTS_UPDATE: &str = "deployments_update";
/// `{ id: i64, key: String } -> String`: one env value in clear (lists and
/// events carry `secrets::MASKED`).
pub const DEPLOYMENTS_REVEAL: &str = "deployments_reveal";
/// `{ id: i64 } -> Deployment` (returns once PM2 has it; status follows in events)
pub const DEPLOYMENTS_START: &str = "deployments_start";
/// `{ id: i64 } -> Deployment`
pub const DEPLOYMENTS_STOP: &str = "deployments_stop";
/// `{ id: i64 } -> Deployment`
pub const DEPLOYMENTS_RESTART: &str = "deployments_restart";
/// `{ id: i64 } -> ()` (removes the PM2 process and its files)
pub const DEPLOYMENTS_DELETE: &str = "deployments_delete";
/// `() -> Vec<Deployment>`
pub const DEPLOYMENTS_STOP_ALL: &str = "deployments_stop_all";
/// `{ id: i64, from: Option<u64> } -> LogFrame`: a log read. The lines from
/// `from` on (None: the kept tail of its out and err logs), at most 1,000 (the
/// newest; the rest counted in `skipped`), waiting up to 20 s for one; the
/// view reads again from the frame's `next`.
pub const DEPLOYMENTS_LOGS: &str = "deployments_logs";
/// `{ id: i64 } -> ()` (empties its log files)
pub const DEPLOYMENTS_CLEAR_LOGS: &str = "deployments_clear_logs";
/// `() -> ServiceDiscovery`
pub const DEPLOYMENTS_SERVICES: &str = "deployments_services";
/// `{ binary: Option<String>, home: Option<String> } -> Pm2Status` (None: PATH / ~/.pm2)
pub const DEPLOYMENTS_CONFIGURE: &str = "deployments_configure";

/// `() -> Vec<CatalogEntry>`
pub const SERVICES_CATALOG: &str = "services_catalog";
/// `() -> ServicesOverview` (Docker absent is an answer, not an error)
pub const SERVICES_OVERVIEW: &str = "services_overview";
/// `{ request: InstallRequest, onProgress: Channel<String> } -> InstalledService`
/// (pull progress lines while the image is pulled; returns once it accepts connections)
pub const SERVICES_INSTALL: &str = "services_install";
/// `{ kind: ServiceKind } -> InstalledService`
pub const SERVICES_START: &str = "services_start";
/// `{ kind: ServiceKind } -> InstalledService`
pub const SERVICES_STOP: &str = "services_stop";
/// `{ kind: ServiceKind } -> InstalledService`
pub const SERVICES_RESTART: &str = "services_restart";
/// `{ kind: ServiceKind, deleteData: bool } -> ()`
pub const SERVICES_UNINSTALL: &str = "services_uninstall";
/// `{ kind: ServiceKind, from: Option<u64> } -> LogFrame`: a log read of the
/// container's output (see `DEPLOYMENTS_LOGS`).
pub const SERVICES_LOGS: &str = "services_logs";

/// `() -> FlowSettings` (the API key only as a mask)
pub const FLOW_SETTINGS: &str = "flow_settings";
/// `{ input: FlowSettingsInput } -> FlowSettings`
pub const FLOW_SAVE_SETTINGS: &str = "flow_save_settings";
/// `{ input: FlowSettingsInput } -> ConnectionReport` (the form's values,
/// not saved; `Keep` uses the saved key)
pub const FLOW_TEST_CONNECTION: &str = "flow_test_connection";
/// `() -> Vec<String>` (models the saved provider lists; empty if it does not)
pub const FLOW_MODELS: &str = "flow_models";
/// `{ archived: bool, query: Option<String> } -> Vec<FlowSession>` (newest
/// first; the query matches titles and message text)
pub const FLOW_SESSIONS: &str = "flow_sessions";
/// `{ patch: FlowSessionPatch } -> FlowSession`
pub const FLOW_CREATE_SESSION: &str = "flow_create_session";
/// `{ id: i64, patch: FlowSessionPatch } -> FlowSession`
pub const FLOW_UPDATE_SESSION: &str = "flow_update_session";
/// `{ id: i64, archived: bool } -> FlowSession`
pub const FLOW_ARCHIVE_SESSION: &str = "flow_archive_session";
/// `{ id: i64 } -> ()` (stops its run; its messages and grants go with it)
pub const FLOW_DELETE_SESSION: &str = "flow_delete_session";
/// `{ sessionId: i64 } -> Vec<FlowMessage>` (oldest first)
pub const FLOW_MESSAGES: &str = "flow_messages";
/// `{ sessionId: i64, text: String } -> FlowMessage` (the user's message; the
/// agent answers in the background: `agent:{sessionId}:message` events and
/// `flow_watch` tokens)
pub const FLOW_SEND: &str = "flow_send";
/// `{ sessionId: i64, messageId: i64, text: String } -> Vec<FlowMessage>`:
/// changes a user message, drops every later one, and asks again
pub const FLOW_EDIT_MESSAGE: &str = "flow_edit_message";
/// `{ sessionId: i64 } -> ()`: asks the model again after an error or a stop
pub const FLOW_RETRY: &str = "flow_retry";
/// `{ sessionId: i64, messageId: i64, callId: String, decision: ToolDecision } -> FlowMessage`
pub const FLOW_DECIDE: &str = "flow_decide";
/// `{ sessionId: i64 } -> ()`: stops the stream and any running tool call
pub const FLOW_CANCEL: &str = "flow_cancel";
/// `{ sessionId: i64 } -> Vec<ToolGrant>`
pub const FLOW_GRANTS: &str = "flow_grants";
/// `{ sessionId: i64, serverId: i64, tool: String } -> ()`
pub const FLOW_REVOKE_GRANT: &str = "flow_revoke_grant";
/// `{ sessionId: Option<i64>, onFrame: Channel<TokenFrame> } -> ()`: streamed
/// text of that session's answers, batched (one session at a time; None stops)
pub const FLOW_WATCH: &str = "flow_watch";

/// `{ active: bool, onFrame: Channel<SystemSnapshot> }` -> `()`: a sample
/// every second while active (the System page is open); `false` stops it
pub const SYSTEM_WATCH: &str = "system_watch";
/// `() -> SystemSnapshot` (one sample now)
pub const SYSTEM_SNAPSHOT: &str = "system_snapshot";
/// `() -> Vec<Pm2ProcessInfo>`: every process of the PM2 the app uses, not only deployments
pub const PM2_PROCESSES: &str = "pm2_processes";
/// `{ pmId: u32, action: Pm2Action } -> Vec<Pm2ProcessInfo>`
pub const PM2_ACT: &str = "pm2_act";

/// `{ repositoryId: Option<i64>, cols: u16, rows: u16 } -> TerminalInfo`: the
/// user's shell in the repository's folder (or home)
pub const TERMINAL_OPEN: &str = "terminal_open";
/// `() -> Vec<TerminalInfo>`
pub const TERMINAL_LIST: &str = "terminal_list";
/// `{ id: u32 } -> u64`: makes the caller the terminal's reader and returns
/// its view number; one view per terminal (a new attach replaces the old,
/// whose reads end `detached`)
pub const TERMINAL_ATTACH: &str = "terminal_attach";
/// `{ id: u32, view: u64, max: usize } -> TerminalFrame`: waits for output and returns
/// what waits (the kept output first), up to `max` bytes; reading is the
/// acknowledgement (flow control)
pub const TERMINAL_READ: &str = "terminal_read";
/// `{ id: u32, data: String } -> ()` (keys typed, text pasted)
pub const TERMINAL_WRITE: &str = "terminal_write";
/// `{ id: u32, cols: u16, rows: u16 } -> ()`
pub const TERMINAL_RESIZE: &str = "terminal_resize";
/// `{ id: u32, view: u64 } -> ()`: the view went away; output goes on into
/// the backlog (a view that was already replaced changes nothing)
pub const TERMINAL_DETACH: &str = "terminal_detach";
/// `{ id: u32 } -> ()`: ends the shell's process group
pub const TERMINAL_CLOSE: &str = "terminal_close";

/// `() -> GitIdentity`
pub const GIT_IDENTITY: &str = "git_identity";
/// `{ name: String, email: String } -> GitIdentity` (global config)
pub const GIT_SET_IDENTITY: &str = "git_set_identity";
/// `() -> Vec<SshKey>` (the key pairs in ~/.ssh)
pub const SSH_KEYS: &str = "ssh_keys";
/// `{ input: NewSshKey } -> SshKey` (ed25519; never overwrites a file)
pub const SSH_GENERATE: &str = "ssh_generate";
/// `{ host: String, key: Option<String> } -> SshTestResult` (`ssh -T`, 15 s at most)
pub const SSH_TEST: &str = "ssh_test";

/// `() -> DoctorReport` (the programs each module needs, versions, install commands)
pub const DOCTOR_REPORT: &str = "doctor_report";
/// `() -> Option<String>` (what Quit does with managed processes: `stop`, `leave`, none = ask)
pub const APP_QUIT_CHOICE: &str = "app_quit_choice";
/// `() -> bool` (an XDG autostart entry starts the app at login)
pub const APP_AUTOSTART: &str = "app_autostart";
/// `{ enabled: bool } -> bool`
pub const APP_SET_AUTOSTART: &str = "app_set_autostart";
/// `{ choice: Option<String> } -> Option<String>`
pub const APP_SET_QUIT_CHOICE: &str = "app_set_quit_choice";
/// `() -> ()` (the log folder in the file manager)
pub const APP_OPEN_LOGS: &str = "app_open_logs";

/// `() -> Vec<String>` (folders besides repositories: file-browser roots, clone targets)
pub const WORKSPACE_FOLDERS: &str = "workspace_folders";
/// `{ path: String } -> Vec<String>` (absolute, existing; not `/`)
pub const WORKSPACE_ADD: &str = "workspace_add";
/// `{ path: String } -> Vec<String>` (forgets it; nothing on disk changes)
pub const WORKSPACE_REMOVE: &str = "workspace_remove";

/// `{ root: FileRoot, path: String } -> Listing` (path relative, "" = top)
pub const FILES_LIST: &str = "files_list";
/// `{ root: FileRoot, path: String, name: String } -> Listing` (a new folder in `path`)
pub const FILES_MKDIR: &str = "files_mkdir";
/// `{ root: FileRoot, from: String, to: String } -> ()` (rename or move inside the root)
pub const FILES_RENAME: &str = "files_rename";
/// `{ root: FileRoot, path: String } -> ()` (to the desktop trash)
pub const FILES_TRASH: &str = "files_trash";
/// `{ root: FileRoot, path: String } -> FileText` (text files up to 1 MB)
pub const FILES_READ: &str = "files_read";
/// `{ root: FileRoot, path: String, text: String, version: Option<String> } -> FileText`
/// (`version` as `files_read` gave it: a file changed since is not overwritten)
pub const FILES_WRITE: &str = "files_write";

/// `{ repositoryId: i64, paths: Vec<String> } -> ()` (paths relative to the repository)
pub const GIT_STAGE: &str = "git_stage";
/// `{ repositoryId: i64, paths: Vec<String> } -> ()`
pub const GIT_UNSTAGE: &str = "git_unstage";
/// `{ repositoryId: i64, message: String } -> CommitInfo` (what is staged, as the Git page's identity)
pub const GIT_COMMIT: &str = "git_commit";
/// `{ repositoryId: i64, limit: u32 } -> Vec<CommitInfo>` (newest first, from HEAD)
pub const GIT_LOG: &str = "git_log";
/// `{ repositoryId: i64 } -> Vec<BranchInfo>`
pub const GIT_BRANCHES: &str = "git_branches";
/// `{ repositoryId: i64, name: String, checkout: bool } -> Vec<BranchInfo>` (from HEAD)
pub const GIT_CREATE_BRANCH: &str = "git_create_branch";
/// `{ repositoryId: i64, name: String } -> Vec<BranchInfo>` (refuses to overwrite local changes)
pub const GIT_SWITCH_BRANCH: &str = "git_switch_branch";
/// `{ repositoryId: i64, name: String } -> Vec<BranchInfo>` (not the current one, only if merged)
pub const GIT_DELETE_BRANCH: &str = "git_delete_branch";
/// `{ repositoryId: i64 } -> WorkTreeState` (a merge or rebase under way, conflicted files)
pub const GIT_STATE: &str = "git_state";
/// `{ repositoryId: i64 } -> Vec<StashInfo>`
pub const GIT_STASHES: &str = "git_stashes";
/// `{ repositoryId: i64, message: String, includeUntracked: bool } -> Vec<StashInfo>`
pub const GIT_STASH_PUSH: &str = "git_stash_push";
/// `{ repositoryId: i64, index: usize, pop: bool } -> Vec<StashInfo>` (refuses to overwrite local changes)
pub const GIT_STASH_APPLY: &str = "git_stash_apply";
/// `{ repositoryId: i64, index: usize } -> Vec<StashInfo>`
pub const GIT_STASH_DROP: &str = "git_stash_drop";
/// `{ repositoryId: i64 } -> Vec<TagInfo>`
pub const GIT_TAGS: &str = "git_tags";
/// `{ repositoryId: i64, name: String, message: String } -> Vec<TagInfo>` (HEAD; annotated if a message)
pub const GIT_CREATE_TAG: &str = "git_create_tag";
/// `{ repositoryId: i64, name: String } -> Vec<TagInfo>`
pub const GIT_DELETE_TAG: &str = "git_delete_tag";
/// `{ repositoryId: i64 } -> Vec<RemoteInfo>`
pub const GIT_REMOTES: &str = "git_remotes";
/// `{ repositoryId: i64, name: String, url: String } -> Vec<RemoteInfo>`
pub const GIT_ADD_REMOTE: &str = "git_add_remote";
/// `{ repositoryId: i64, name: String } -> Vec<RemoteInfo>`
pub const GIT_REMOVE_REMOTE: &str = "git_remove_remote";
/// `{ repositoryId: i64, id: String } -> CommitDetail` (message and diff)
pub const GIT_SHOW: &str = "git_show";
/// `{ repositoryId: i64, id: String, mode: ResetMode } -> Vec<CommitInfo>` (the UI confirms first)
pub const GIT_RESET: &str = "git_reset";
/// `{ repositoryId: i64, remote: Option<String>, onProgress: Channel<GitProgress> } -> SyncResult`
pub const GIT_FETCH: &str = "git_fetch";
/// `{ repositoryId: i64, mode: PullMode, onProgress: Channel<GitProgress> } -> SyncResult`
pub const GIT_PULL: &str = "git_pull";
/// `{ repositoryId: i64, remote: Option<String>, onProgress: Channel<GitProgress> } -> SyncResult`
pub const GIT_PUSH: &str = "git_push";
/// `{ repositoryId: i64, branch: String } -> SyncResult` (may stop with conflicts)
pub const GIT_MERGE: &str = "git_merge";
/// `{ repositoryId: i64, onto: String } -> SyncResult` (may stop with conflicts)
pub const GIT_REBASE: &str = "git_rebase";
/// `{ repositoryId: i64 } -> RepoState` (aborts the merge or rebase under way)
pub const GIT_ABORT: &str = "git_abort";
/// `{ repositoryId: i64 } -> SyncResult`
pub const GIT_CONTINUE_REBASE: &str = "git_continue_rebase";
/// `{ request: CloneRequest, onProgress: Channel<GitProgress> } -> Repository` (registered)
pub const GIT_CLONE: &str = "git_clone";

/// Every command the desktop app registers. `build.rs` turns this list into the
/// app's permission manifest, so a command missing here cannot be called.
pub const ALL: &[&str] = &[
    REPOS_LIST,
    REPOS_CREATE,
    REPOS_UPDATE,
    REPOS_DELETE,
    REPOS_REFRESH_GIT,
    REPOS_INSPECT,
    APP_INFO,
    APP_PAINTED,
    APP_LOG,
    VSCODE_STATUS,
    VSCODE_LIST,
    VSCODE_START,
    VSCODE_STOP,
    VSCODE_RESTART,
    VSCODE_STOP_ALL,
    VSCODE_CLEANUP,
    VSCODE_OPEN,
    VSCODE_LOGS,
    VSCODE_SET_BINARY,
    VSCODE_CHANGES,
    VSCODE_WATCH,
    VSCODE_DIFF,
    MCP_LIST,
    MCP_CREATE,
    MCP_UPDATE,
    MCP_DELETE,
    MCP_REVEAL,
    MCP_DUPLICATE,
    MCP_IMPORT,
    MCP_START,
    MCP_STOP,
    MCP_RESTART,
    MCP_TOOLS,
    MCP_RESOURCES,
    MCP_READ_RESOURCE,
    MCP_PROMPTS,
    MCP_CALL_TOOL,
    MCP_HISTORY,
    MCP_CLEAR_HISTORY,
    MCP_LOGS,
    DEPLOYMENTS_STATUS,
    DEPLOYMENTS_LIST,
    DEPLOYMENTS_SUGGEST,
    DEPLOYMENTS_CREATE,
    DEPLOYMENTS_UPDATE,
    DEPLOYMENTS_REVEAL,
    DEPLOYMENTS_START,
    DEPLOYMENTS_STOP,
    DEPLOYMENTS_RESTART,
    DEPLOYMENTS_DELETE,
    DEPLOYMENTS_STOP_ALL,
    DEPLOYMENTS_LOGS,
    DEPLOYMENTS_CLEAR_LOGS,
    DEPLOYMENTS_SERVICES,
    DEPLOYMENTS_CONFIGURE,
    SERVICES_CATALOG,
    SERVICES_OVERVIEW,
    SERVICES_INSTALL,
    SERVICES_START,
    SERVICES_STOP,
    SERVICES_RESTART,
    SERVICES_UNINSTALL,
    SERVICES_LOGS,
    FLOW_SETTINGS,
    FLOW_SAVE_SETTINGS,
    FLOW_TEST_CONNECTION,
    FLOW_MODELS,
    FLOW_SESSIONS,
    FLOW_CREATE_SESSION,
    FLOW_UPDATE_SESSION,
    FLOW_ARCHIVE_SESSION,
    FLOW_DELETE_SESSION,
    FLOW_MESSAGES,
    FLOW_SEND,
    FLOW_EDIT_MESSAGE,
    FLOW_RETRY,
    FLOW_DECIDE,
    FLOW_CANCEL,
    FLOW_GRANTS,
    FLOW_REVOKE_GRANT,
    FLOW_WATCH,
    SYSTEM_WATCH,
    SYSTEM_SNAPSHOT,
    PM2_PROCESSES,
    PM2_ACT,
    TERMINAL_OPEN,
    TERMINAL_LIST,
    TERMINAL_ATTACH,
    TERMINAL_READ,
    TERMINAL_WRITE,
    TERMINAL_RESIZE,
    TERMINAL_DETACH,
    TERMINAL_CLOSE,
    GIT_IDENTITY,
    GIT_SET_IDENTITY,
    SSH_KEYS,
    SSH_GENERATE,
    SSH_TEST,
    FILES_LIST,
    FILES_MKDIR,
    FILES_RENAME,
    FILES_TRASH,
    FILES_READ,
    FILES_WRITE,
    GIT_STAGE,
    GIT_UNSTAGE,
    GIT_COMMIT,
    GIT_LOG,
    GIT_BRANCHES,
    GIT_CREATE_BRANCH,
    GIT_SWITCH_BRANCH,
    GIT_DELETE_BRANCH,
    GIT_STATE,
    GIT_STASHES,
    GIT_STASH_PUSH,
    GIT_STASH_APPLY,
    GIT_STASH_DROP,
    GIT_TAGS,
    GIT_CREATE_TAG,
    GIT_DELETE_TAG,
    GIT_REMOTES,
    GIT_ADD_REMOTE,
    GIT_REMOVE_REMOTE,
    GIT_SHOW,
    GIT_RESET,
    GIT_FETCH,
    GIT_PULL,
    GIT_PUSH,
    GIT_MERGE,
    GIT_REBASE,
    GIT_ABORT,
    GIT_CONTINUE_REBASE,
    GIT_CLONE,
    WORKSPACE_FOLDERS,
    WORKSPACE_ADD,
    DOCTOR_REPORT,
    APP_OPEN_LOGS,
    APP_QUIT_CHOICE,
    APP_SET_QUIT_CHOICE,
    APP_AUTOSTART,
    APP_SET_AUTOSTART,
    WORKSPACE_REMOVE,
];
