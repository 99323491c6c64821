//! The repository registry's types.

use serde::{Deserialize, Serialize};

/// What kind of project a repository holds, detected from marker files and
/// editable by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepoKind {
    /// Marker: `package.json` (checked first, so a Tauri app counts as Node).
    Node,
    /// Marker: `Cargo.toml`.
    Rust,
    /// Markers: `pyproject.toml`, `requirements.txt`, `setup.py`, `Pipfile`.
    Python,
    /// Marker: `go.mod`.
    Go,
    /// Markers: `pom.xml`, `build.gradle(.kts)`.
    Java,
    /// Marker: `Gemfile`.
    Ruby,
    /// Marker: `composer.json`.
    Php,
    /// Markers: `global.json`, `*.csproj`, `*.fsproj`, `*.sln`.
    Dotnet,
    /// Marker: `index.html` (and none of the above).
    Static,
    /// None of the above.
    Other,
}

impl RepoKind {
    /// Every kind, in the order the UI lists them.
    pub const ALL: [RepoKind; 10] = [
        RepoKind::Node,
        RepoKind::Rust,
        RepoKind::Python,
        RepoKind::Go,
        RepoKind::Java,
        RepoKind::Ruby,
        RepoKind::Php,
        RepoKind::Dotnet,
        RepoKind::Static,
        RepoKind::Other,
    ];

    /// The wire and database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RepoKind::Node => "node",
            RepoKind::Rust => "rust",
            RepoKind::Python => "python",
            RepoKind::Go => "go",
            RepoKind::Java => "java",
            RepoKind::Ruby => "ruby",
            RepoKind::Php => "php",
            RepoKind::Dotnet => "dotnet",
            RepoKind::Static => "static",
            RepoKind::Other => "other",
        }
    }

    /// The kind of its wire spelling, if it is one.
    pub fn parse(s: &str) -> Option<RepoKind> {
        RepoKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            RepoKind::Node => "Node.js",
            RepoKind::Rust => "Rust",
            RepoKind::Python => "Python",
            RepoKind::Go => "Go",
            RepoKind::Java => "Java",
            RepoKind::Ruby => "Ruby",
            RepoKind::Php => "PHP",
            RepoKind::Dotnet => ".NET",
            RepoKind::Static => "Static site",
            RepoKind::Other => "Other",
        }
    }
}

/// A registered repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    /// The app's id for it.
    pub id: i64,
    /// Its name, unique among repositories.
    pub name: String,
    /// Canonical absolute path.
    pub path: String,
    /// What kind of project it holds.
    #[serde(rename = "type")]
    pub kind: RepoKind,
    /// The port reserved for this repository's code-server.
    pub port: u16,
    /// The `origin` remote's URL, if any.
    pub url: Option<String>,
    /// The checked-out branch (or short commit id when detached).
    pub branch: Option<String>,
    /// Kept for the VS Code module: whether its code-server runs.
    pub running: bool,
    /// Its code-server's process id while it runs.
    pub pid: Option<u32>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC: the last change of its record.
    pub updated_at: String,
    /// The user trusts it: commits from the Git page run its hooks and sign
    /// as the user's config says (off by default).
    #[serde(default)]
    pub trusted: bool,
    /// The MCP profile whose tools its VS Code gets through the gateway
    /// (None: the gateway's own choice).
    #[serde(default)]
    pub mcp_profile: Option<String>,
}

/// Input of `repos_create`. Numbers are wide on purpose: an out-of-range port
/// must reach the domain and be refused with a clear message, not fail to
/// deserialize.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRepository {
    /// Its name, unique among repositories.
    pub name: String,
    /// An existing folder (made canonical).
    pub path: String,
    /// `None`: detect from marker files.
    #[serde(default, rename = "type")]
    pub kind: Option<RepoKind>,
    /// `None`: the first free port from 8100 up.
    #[serde(default)]
    pub port: Option<i64>,
}

/// Input of `repos_update`; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryPatch {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// A new folder (it must exist).
    #[serde(default)]
    pub path: Option<String>,
    /// A kind chosen by the user.
    #[serde(default, rename = "type")]
    pub kind: Option<RepoKind>,
    /// Detect the type from the folder's marker files again (`kind` is then ignored).
    #[serde(default)]
    pub detect_kind: bool,
    /// Another port for its code-server.
    #[serde(default)]
    pub port: Option<i64>,
}

/// What the add dialog learns about a folder before it is registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoInspection {
    /// The canonical folder.
    pub path: String,
    /// The folder's name, as a default for the repository's name.
    pub suggested_name: String,
    /// The kind its marker files say.
    #[serde(rename = "type")]
    pub kind: RepoKind,
    /// The `origin` remote's URL, if any.
    pub url: Option<String>,
    /// The checked-out branch, if it is a git repository.
    pub branch: Option<String>,
    /// Whether it is a git repository.
    pub is_git: bool,
}

crate::command! {
    /// Every registered repository.
    List = "repos_list" {} -> Vec<Repository>;
    /// Registers a folder (kind detected unless given, a free port reserved).
    Create = "repos_create" { input: NewRepository } -> Repository;
    /// Renames, moves, retypes or re-ports one; `None` fields stay.
    Update = "repos_update" { id: i64, input: RepositoryPatch } -> Repository;
    /// Forgets it (its code-server stops first; its folder is never touched).
    Delete = "repos_delete" { id: i64 } -> ();
    /// Trusts it (commits from the Git page run its hooks and sign as the
    /// user's config says) or stops trusting it.
    SetTrusted = "repos_set_trusted" { id: i64, trusted: bool } -> Repository;
    /// Sets the MCP profile its VS Code's gateway tools come from (None: the gateway's).
    SetMcpProfile = "repos_set_mcp_profile" { id: i64, profile: Option<String> } -> Repository;
    /// Reads its git remote and branch again.
    RefreshGit = "repos_refresh_git" { id: i64 } -> Repository;
    /// What the add dialog pre-fills for a folder.
    Inspect = "repos_inspect" { path: String } -> RepoInspection;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_round_trips_through_its_wire_name() {
        for k in RepoKind::ALL {
            assert_eq!(RepoKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        assert_eq!(RepoKind::parse("cobol"), None);
    }

    #[test]
    fn new_repository_accepts_out_of_range_ports_for_the_domain_to_refuse() {
        let input: NewRepository =
            serde_json::from_str(r#"{"name":"a","path":"/x","port":70000}"#).unwrap();
        assert_eq!(input.port, Some(70000));
        assert_eq!(input.kind, None);
    }
}
