//! What a folder holds: its project kind (from marker files) and its git
//! remote and branch (read with git2, which runs no hooks, filters or
//! fsmonitor programs named by the repository's own config).

use ai_desktop_api::repos::RepoKind;
use std::path::Path;

/// Marker files in the order they are checked: the first match wins, so a
/// Tauri app (package.json and Cargo.toml) counts as Node, as its dev loop is.
const MARKERS: &[(&str, RepoKind)] = &[
    ("package.json", RepoKind::Node),
    ("Cargo.toml", RepoKind::Rust),
    ("pyproject.toml", RepoKind::Python),
    ("requirements.txt", RepoKind::Python),
    ("setup.py", RepoKind::Python),
    ("Pipfile", RepoKind::Python),
    ("go.mod", RepoKind::Go),
    ("pom.xml", RepoKind::Java),
    ("build.gradle", RepoKind::Java),
    ("build.gradle.kts", RepoKind::Java),
    ("Gemfile", RepoKind::Ruby),
    ("composer.json", RepoKind::Php),
    ("global.json", RepoKind::Dotnet),
    ("index.html", RepoKind::Static),
];

pub fn kind(dir: &Path) -> RepoKind {
    if let Some((_, kind)) = MARKERS.iter().find(|(file, _)| dir.join(file).is_file()) {
        return *kind;
    }
    let has_dotnet_project = std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.ends_with(".csproj") || name.ends_with(".sln") || name.ends_with(".fsproj")
            })
        })
        .unwrap_or(false);
    if has_dotnet_project {
        RepoKind::Dotnet
    } else {
        RepoKind::Other
    }
}

/// A repository's remote URL and current branch; both `None` outside git.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitInfo {
    pub is_git: bool,
    pub url: Option<String>,
    pub branch: Option<String>,
}

/// Reads the `origin` remote (or the first remote) and the checked-out branch.
/// A folder inside a larger repository reports that repository's state.
pub fn git(dir: &Path) -> GitInfo {
    let Ok(repo) = git2::Repository::discover(dir) else {
        return GitInfo::default();
    };
    GitInfo {
        is_git: true,
        url: remote_url(&repo).map(|u| redact_credentials(&u)),
        branch: branch(&repo),
    }
}

fn remote_url(repo: &git2::Repository) -> Option<String> {
    if let Ok(origin) = repo.find_remote("origin") {
        return origin.url().ok().map(str::to_string);
    }
    let names = repo.remotes().ok()?;
    let first = names.iter().flatten().flatten().next()?;
    repo.find_remote(first).ok()?.url().ok().map(str::to_string)
}

pub(crate) fn branch(repo: &git2::Repository) -> Option<String> {
    match repo.head() {
        Ok(head) if head.is_branch() => head.shorthand().ok().map(str::to_string),
        // Detached HEAD: show the short commit id, as `git status` does.
        Ok(head) => head
            .target()
            .map(|oid| oid.to_string().chars().take(7).collect()),
        // A new repository without commits still has a branch name in HEAD.
        Err(_) => repo
            .find_reference("HEAD")
            .ok()?
            .symbolic_target()
            .ok()
            .flatten()
            .map(|t| t.trim_start_matches("refs/heads/").to_string()),
    }
}

/// Removes a password or token from `https://user:token@host/…` so that it is
/// never stored or shown; the user name stays.
pub fn redact_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}@{host}{path}")
            } else {
                url.to_string()
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_marker_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(kind(dir.path()), RepoKind::Other);
        std::fs::write(dir.path().join("App.csproj"), "").unwrap();
        assert_eq!(kind(dir.path()), RepoKind::Dotnet);
        std::fs::write(dir.path().join("requirements.txt"), "").unwrap();
        assert_eq!(kind(dir.path()), RepoKind::Python);
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        assert_eq!(kind(dir.path()), RepoKind::Rust);
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
        assert_eq!(kind(dir.path()), RepoKind::Node);
    }

    #[test]
    fn a_directory_named_like_a_marker_does_not_count() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("package.json")).unwrap();
        assert_eq!(kind(dir.path()), RepoKind::Other);
    }

    #[test]
    fn credentials_are_redacted_from_urls() {
        assert_eq!(
            redact_credentials("https://me:ghp_secret@github.com/o/r.git"),
            "https://me@github.com/o/r.git"
        );
        assert_eq!(
            redact_credentials("https://github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            redact_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(
            redact_credentials("ssh://git@host:22/o/r.git"),
            "ssh://git@host:22/o/r.git"
        );
    }
}
