//! Commands. Each migrated command is a type (declared with [`command!`]
//! in the module of its domain): its fields are its arguments (camelCase on
//! the wire, as Tauri passes them), [`Command::NAME`] its name and
//! [`Command::Output`] its result, so the page (`ipc::call`) and the desktop
//! side (`Req<T>`) share one definition and a changed field fails to compile
//! on both. [`all`] names every command (the permission manifest is built
//! from it).

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
            // Its arguments are described by the command's doc line.
            #[allow(missing_docs)]
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

/// Every domain's commands (its `COMMANDS`, from its `command!`).
pub const BY_DOMAIN: &[&[&str]] = &[
    crate::app::COMMANDS,
    crate::repos::COMMANDS,
    crate::vscode::COMMANDS,
    crate::mcp::COMMANDS,
    crate::gateway::COMMANDS,
    crate::deployments::COMMANDS,
    crate::services::COMMANDS,
    crate::stack::COMMANDS,
    crate::flow::COMMANDS,
    crate::system::COMMANDS,
    crate::terminal::COMMANDS,
    crate::git::COMMANDS,
    crate::files::COMMANDS,
    crate::hosts::COMMANDS,
];

/// Every command the desktop app registers. `build.rs` turns this list into
/// the app's permission manifest, so a command missing here cannot be called.
pub fn all() -> impl Iterator<Item = &'static str> {
    BY_DOMAIN.iter().flat_map(|d| d.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are unique, and each starts with its domain's prefix (one
    /// plural style: `repos_`, `terminals_`, `workspaces_` …).
    #[test]
    fn names_are_unique_and_prefixed() {
        let mut names: Vec<&str> = all().collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a command name is declared twice");
        let prefixes = [
            "app_",
            "doctor_",
            "repos_",
            "vscode_",
            "mcp_",
            "gateway_",
            "deployments_",
            "services_",
            "stack_",
            "flow_",
            "system_",
            "pm2_",
            "terminals_",
            "ssh_",
            "git_",
            "files_",
            "workspaces_",
            "hosts_",
        ];
        for name in names {
            assert!(
                prefixes.iter().any(|p| name.starts_with(p)),
                "{name} has no domain prefix"
            );
            assert_eq!(name, name.to_lowercase(), "{name} is not snake_case");
        }
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
