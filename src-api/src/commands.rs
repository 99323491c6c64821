//! Commands. Each migrated command is a type (declared with [`command!`]
//! in the module of its domain): its fields are its arguments (camelCase on
//! the wire, as Tauri passes them), [`Command::NAME`] its name and
//! [`Command::Output`] its result, so the page (`ipc::call`) and the desktop
//! side (`Req<T>`) share one definition and a changed field fails to compile
//! on both. The constants below name every command (the permission manifest
//! is built from [`ALL`]); for commands not yet typed, their doc says the
//! arguments and result.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A command: its wire name, its arguments (the fields of the implementing
/// type) and its result.
pub trait Command: Serialize + DeserializeOwned {
    /// The name the desktop app registers it under.
    const NAME: &'static str;
    /// What it answers with.
    type Output: Serialize + DeserializeOwned;
}

/// A command that also sends frames to the page while it runs, over a
/// Channel passed as the argument named [`Streaming::CHANNEL`].
pub trait Streaming: Command {
    /// The argument name the Channel goes under.
    const CHANNEL: &'static str;
    /// What each frame carries.
    type Frame: Serialize + DeserializeOwned;
}

/// Declares command types: `Name = "wire_name" { field: Type, … } -> Output;`,
/// or `… -> Output, streams Frame as "onFrame";` for a command that sends
/// frames while it runs (doc comments and field attributes pass through).
#[macro_export]
macro_rules! command {
    ($(
        $(#[$meta:meta])*
        $name:ident = $wire:literal { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? } -> $out:ty
        $(, streams $frame:ty as $chan:literal)?;
    )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            pub struct $name { $($(#[$fmeta])* pub $field: $ty,)* }
            impl $crate::commands::Command for $name {
                const NAME: &'static str = $wire;
                type Output = $out;
            }
            $(
                impl $crate::commands::Streaming for $name {
                    const CHANNEL: &'static str = $chan;
                    type Frame = $frame;
                }
            )?
        )*
        /// The names of this module's commands (one `command!` per module).
        pub const COMMANDS: &[&str] = &[$($wire),*];
    };
}

pub const REPOS_LIST: &str = crate::repos::List::NAME;
pub const REPOS_CREATE: &str = crate::repos::Create::NAME;
pub const REPOS_UPDATE: &str = crate::repos::Update::NAME;
pub const REPOS_DELETE: &str = crate::repos::Delete::NAME;
pub const REPOS_REFRESH_GIT: &str = crate::repos::RefreshGit::NAME;
pub const REPOS_INSPECT: &str = crate::repos::Inspect::NAME;
pub const APP_INFO: &str = crate::app::Info::NAME;
pub const APP_PAINTED: &str = crate::app::Painted::NAME;
pub const APP_LOG: &str = crate::app::Log::NAME;

pub const VSCODE_STATUS: &str = crate::vscode::Status::NAME;
pub const VSCODE_LIST: &str = crate::vscode::List::NAME;
pub const VSCODE_START: &str = crate::vscode::Start::NAME;
pub const VSCODE_STOP: &str = crate::vscode::Stop::NAME;
pub const VSCODE_RESTART: &str = crate::vscode::Restart::NAME;
pub const VSCODE_STOP_ALL: &str = crate::vscode::StopAll::NAME;
pub const VSCODE_CLEANUP: &str = crate::vscode::Cleanup::NAME;
pub const VSCODE_OPEN: &str = crate::vscode::Open::NAME;
pub const VSCODE_LOGS: &str = crate::vscode::Logs::NAME;
pub const VSCODE_SET_BINARY: &str = crate::vscode::SetBinary::NAME;

pub const MCP_LIST: &str = crate::mcp::List::NAME;
pub const MCP_CREATE: &str = crate::mcp::Create::NAME;
pub const MCP_UPDATE: &str = crate::mcp::Update::NAME;
pub const MCP_DELETE: &str = crate::mcp::Delete::NAME;
pub const MCP_REVEAL: &str = crate::mcp::Reveal::NAME;
pub const MCP_DUPLICATE: &str = crate::mcp::Duplicate::NAME;
pub const MCP_IMPORT: &str = crate::mcp::Import::NAME;
pub const MCP_START: &str = crate::mcp::Start::NAME;
pub const MCP_STOP: &str = crate::mcp::Stop::NAME;
pub const MCP_RESTART: &str = crate::mcp::Restart::NAME;
pub const MCP_TOOLS: &str = crate::mcp::Tools::NAME;
pub const MCP_RESOURCES: &str = crate::mcp::Resources::NAME;
pub const MCP_READ_RESOURCE: &str = crate::mcp::ReadResource::NAME;
pub const MCP_PROMPTS: &str = crate::mcp::Prompts::NAME;
pub const MCP_CALL_TOOL: &str = crate::mcp::CallTool::NAME;
pub const MCP_HISTORY: &str = crate::mcp::History::NAME;
pub const MCP_CLEAR_HISTORY: &str = crate::mcp::ClearHistory::NAME;
pub const MCP_LOGS: &str = crate::mcp::Logs::NAME;

pub const DEPLOYMENTS_STATUS: &str = crate::deployments::Status::NAME;
pub const DEPLOYMENTS_LIST: &str = crate::deployments::List::NAME;
pub const DEPLOYMENTS_SUGGEST: &str = crate::deployments::Suggest::NAME;
pub const DEPLOYMENTS_CREATE: &str = crate::deployments::Create::NAME;
pub const DEPLOYMENTS_UPDATE: &str = crate::deployments::Update::NAME;
pub const DEPLOYMENTS_REVEAL: &str = crate::deployments::Reveal::NAME;
pub const DEPLOYMENTS_START: &str = crate::deployments::Start::NAME;
pub const DEPLOYMENTS_STOP: &str = crate::deployments::Stop::NAME;
pub const DEPLOYMENTS_RESTART: &str = crate::deployments::Restart::NAME;
pub const DEPLOYMENTS_DELETE: &str = crate::deployments::Delete::NAME;
pub const DEPLOYMENTS_STOP_ALL: &str = crate::deployments::StopAll::NAME;
pub const DEPLOYMENTS_LOGS: &str = crate::deployments::Logs::NAME;
pub const DEPLOYMENTS_CLEAR_LOGS: &str = crate::deployments::ClearLogs::NAME;
pub const DEPLOYMENTS_SERVICES: &str = crate::deployments::Services::NAME;
pub const DEPLOYMENTS_CONFIGURE: &str = crate::deployments::Configure::NAME;

pub const SERVICES_CATALOG: &str = crate::services::Catalog::NAME;
pub const SERVICES_OVERVIEW: &str = crate::services::Overview::NAME;
pub const SERVICES_INSTALL: &str = crate::services::Install::NAME;
pub const SERVICES_START: &str = crate::services::Start::NAME;
pub const SERVICES_STOP: &str = crate::services::Stop::NAME;
pub const SERVICES_RESTART: &str = crate::services::Restart::NAME;
pub const SERVICES_UNINSTALL: &str = crate::services::Uninstall::NAME;
pub const SERVICES_LOGS: &str = crate::services::Logs::NAME;

pub const FLOW_SETTINGS: &str = crate::flow::Settings::NAME;
pub const FLOW_SAVE_SETTINGS: &str = crate::flow::SaveSettings::NAME;
pub const FLOW_TEST_CONNECTION: &str = crate::flow::TestConnection::NAME;
pub const FLOW_MODELS: &str = crate::flow::Models::NAME;
pub const FLOW_SESSIONS: &str = crate::flow::Sessions::NAME;
pub const FLOW_CREATE_SESSION: &str = crate::flow::CreateSession::NAME;
pub const FLOW_UPDATE_SESSION: &str = crate::flow::UpdateSession::NAME;
pub const FLOW_ARCHIVE_SESSION: &str = crate::flow::ArchiveSession::NAME;
pub const FLOW_DELETE_SESSION: &str = crate::flow::DeleteSession::NAME;
pub const FLOW_MESSAGES: &str = crate::flow::Messages::NAME;
pub const FLOW_SEND: &str = crate::flow::Send::NAME;
pub const FLOW_EDIT_MESSAGE: &str = crate::flow::EditMessage::NAME;
pub const FLOW_RETRY: &str = crate::flow::Retry::NAME;
pub const FLOW_DECIDE: &str = crate::flow::Decide::NAME;
pub const FLOW_CANCEL: &str = crate::flow::Cancel::NAME;
pub const FLOW_GRANTS: &str = crate::flow::Grants::NAME;
pub const FLOW_REVOKE_GRANT: &str = crate::flow::RevokeGrant::NAME;
pub const FLOW_WATCH: &str = crate::flow::Watch::NAME;

pub const SYSTEM_WATCH: &str = crate::system::Watch::NAME;
pub const SYSTEM_SNAPSHOT: &str = crate::system::Snapshot::NAME;
pub const PM2_PROCESSES: &str = crate::system::Pm2Processes::NAME;
pub const PM2_ACT: &str = crate::system::Pm2Act::NAME;

pub const TERMINALS_OPEN: &str = crate::terminal::Open::NAME;
pub const TERMINALS_LIST: &str = crate::terminal::List::NAME;
pub const TERMINALS_ATTACH: &str = crate::terminal::Attach::NAME;
pub const TERMINALS_READ: &str = crate::terminal::Read::NAME;
pub const TERMINALS_WRITE: &str = crate::terminal::Write::NAME;
pub const TERMINALS_RESIZE: &str = crate::terminal::Resize::NAME;
pub const TERMINALS_DETACH: &str = crate::terminal::Detach::NAME;
pub const TERMINALS_CLOSE: &str = crate::terminal::Close::NAME;

pub const GIT_IDENTITY: &str = crate::git::Identity::NAME;
pub const GIT_SET_IDENTITY: &str = crate::git::SetIdentity::NAME;
pub const SSH_KEYS: &str = crate::git::SshKeys::NAME;
pub const SSH_GENERATE: &str = crate::git::SshGenerate::NAME;
pub const SSH_TEST: &str = crate::git::SshTest::NAME;

pub const DOCTOR_REPORT: &str = crate::app::Doctor::NAME;
pub const APP_QUIT_CHOICE: &str = crate::app::QuitChoice::NAME;
pub const APP_AUTOSTART: &str = crate::app::Autostart::NAME;
pub const APP_SET_AUTOSTART: &str = crate::app::SetAutostart::NAME;
pub const APP_SET_QUIT_CHOICE: &str = crate::app::SetQuitChoice::NAME;
pub const APP_OPEN_LOGS: &str = crate::app::OpenLogs::NAME;

pub const WORKSPACES_FOLDERS: &str = crate::files::WorkspaceFolders::NAME;
pub const WORKSPACES_ADD: &str = crate::files::WorkspaceAdd::NAME;
pub const WORKSPACES_REMOVE: &str = crate::files::WorkspaceRemove::NAME;

pub const FILES_LIST: &str = crate::files::List::NAME;
pub const FILES_MKDIR: &str = crate::files::Mkdir::NAME;
pub const FILES_RENAME: &str = crate::files::Rename::NAME;
pub const FILES_TRASH: &str = crate::files::Trash::NAME;
pub const FILES_READ: &str = crate::files::Read::NAME;
pub const FILES_WRITE: &str = crate::files::Write::NAME;

pub const GIT_CHANGES: &str = crate::git::Changes::NAME;
pub const GIT_WATCH: &str = crate::git::Watch::NAME;
pub const GIT_DIFF: &str = crate::git::Diff::NAME;
pub const GIT_STAGE: &str = crate::git::Stage::NAME;
pub const GIT_UNSTAGE: &str = crate::git::Unstage::NAME;
pub const GIT_COMMIT: &str = crate::git::Commit::NAME;
pub const GIT_LOG: &str = crate::git::Log::NAME;
pub const GIT_BRANCHES: &str = crate::git::Branches::NAME;
pub const GIT_CREATE_BRANCH: &str = crate::git::CreateBranch::NAME;
pub const GIT_SWITCH_BRANCH: &str = crate::git::SwitchBranch::NAME;
pub const GIT_DELETE_BRANCH: &str = crate::git::DeleteBranch::NAME;
pub const GIT_STATE: &str = crate::git::State::NAME;
pub const GIT_STASHES: &str = crate::git::Stashes::NAME;
pub const GIT_STASH_PUSH: &str = crate::git::StashPush::NAME;
pub const GIT_STASH_APPLY: &str = crate::git::StashApply::NAME;
pub const GIT_STASH_DROP: &str = crate::git::StashDrop::NAME;
pub const GIT_TAGS: &str = crate::git::Tags::NAME;
pub const GIT_CREATE_TAG: &str = crate::git::CreateTag::NAME;
pub const GIT_DELETE_TAG: &str = crate::git::DeleteTag::NAME;
pub const GIT_REMOTES: &str = crate::git::Remotes::NAME;
pub const GIT_ADD_REMOTE: &str = crate::git::AddRemote::NAME;
pub const GIT_REMOVE_REMOTE: &str = crate::git::RemoveRemote::NAME;
pub const GIT_SHOW: &str = crate::git::Show::NAME;
pub const GIT_RESET: &str = crate::git::Reset::NAME;
pub const GIT_FETCH: &str = crate::git::Fetch::NAME;
pub const GIT_PULL: &str = crate::git::Pull::NAME;
pub const GIT_PUSH: &str = crate::git::Push::NAME;
pub const GIT_MERGE: &str = crate::git::Merge::NAME;
pub const GIT_REBASE: &str = crate::git::Rebase::NAME;
pub const GIT_ABORT: &str = crate::git::Abort::NAME;
pub const GIT_CONTINUE_REBASE: &str = crate::git::ContinueRebase::NAME;
pub const GIT_CLONE: &str = crate::git::CloneRepo::NAME;

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
    TERMINALS_OPEN,
    TERMINALS_LIST,
    TERMINALS_ATTACH,
    TERMINALS_READ,
    TERMINALS_WRITE,
    TERMINALS_RESIZE,
    TERMINALS_DETACH,
    TERMINALS_CLOSE,
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
    GIT_CHANGES,
    GIT_WATCH,
    GIT_DIFF,
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
    WORKSPACES_FOLDERS,
    WORKSPACES_ADD,
    DOCTOR_REPORT,
    APP_OPEN_LOGS,
    APP_QUIT_CHOICE,
    APP_SET_QUIT_CHOICE,
    APP_AUTOSTART,
    APP_SET_AUTOSTART,
    WORKSPACES_REMOVE,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every typed command is registered (and granted) through `ALL`, and
    /// `ALL` names nothing that has no type.
    #[test]
    fn all_is_exactly_the_typed_commands() {
        let mut typed: Vec<&str> = [
            crate::app::COMMANDS,
            crate::repos::COMMANDS,
            crate::vscode::COMMANDS,
            crate::mcp::COMMANDS,
            crate::deployments::COMMANDS,
            crate::services::COMMANDS,
            crate::flow::COMMANDS,
            crate::system::COMMANDS,
            crate::terminal::COMMANDS,
            crate::git::COMMANDS,
            crate::files::COMMANDS,
        ]
        .concat();
        typed.sort_unstable();
        let before = typed.len();
        typed.dedup();
        assert_eq!(typed.len(), before, "a command name is declared twice");
        let mut all = ALL.to_vec();
        all.sort_unstable();
        assert_eq!(all, typed);
    }

    /// Arguments go on the wire as Tauri names them (camelCase keys), and
    /// a command without arguments is an empty object.
    #[test]
    fn arguments_are_camel_case_objects() {
        let open = crate::vscode::Open {
            repository_id: 7,
            target: crate::vscode::OpenTarget::Browser,
        };
        let wire = serde_json::to_value(&open).unwrap();
        assert_eq!(wire["repositoryId"], 7);
        assert!(wire.get("repository_id").is_none());
        assert_eq!(crate::vscode::Open::NAME, "vscode_open");
        assert_eq!(
            serde_json::to_value(crate::repos::List {}).unwrap(),
            serde_json::json!({})
        );
        // A missing optional argument is None, as Tauri gave it before.
        let watch: crate::git::Watch = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(watch.repository_id, None);
        assert_eq!(<crate::git::Fetch as Streaming>::CHANNEL, "onProgress");
    }
}
