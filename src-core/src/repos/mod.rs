//! The repository registry: the folders the user works in, each with a
//! detected project kind, a reserved port for its code-server, and its git
//! remote and branch. Every other module finds repositories here.

pub mod detect;
pub mod validate;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::store::{self, Store};
use ai_desktop_api::repos::{NewRepository, RepoInspection, Repository, RepositoryPatch};
use std::net::{Ipv4Addr, TcpListener};
use std::sync::Arc;

/// Ports handed out automatically start here (the old backend's range).
pub const FIRST_AUTO_PORT: u16 = 8100;

pub struct RepoRegistry {
    store: Arc<Store>,
    events: Arc<dyn EventSink>,
}

impl RepoRegistry {
    pub fn new(store: Arc<Store>, events: Arc<dyn EventSink>) -> Self {
        RepoRegistry { store, events }
    }

    pub fn list(&self) -> Result<Vec<Repository>> {
        self.store.with(|c| store::repos::list(c))
    }

    pub fn get(&self, id: i64) -> Result<Repository> {
        self.store
            .with(|c| store::repos::get(c, id))?
            .ok_or_else(|| store::repos::not_found(id))
    }

    /// Looks at a folder without registering it (for the add dialog).
    pub fn inspect(&self, path: &str) -> Result<RepoInspection> {
        let dir = validate::folder(path)?;
        let git = detect::git(&dir);
        Ok(RepoInspection {
            suggested_name: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            kind: detect::kind(&dir),
            path: path_string(&dir),
            url: git.url,
            branch: git.branch,
            is_git: git.is_git,
        })
    }

    pub fn create(&self, input: NewRepository) -> Result<Repository> {
        let name = validate::name(&input.name)?;
        let dir = validate::folder(&input.path)?;
        let requested_port = input.port.map(validate::port).transpose()?;
        let kind = input.kind.unwrap_or_else(|| detect::kind(&dir));
        let git = detect::git(&dir);
        let path = path_string(&dir);

        let repo = self.store.with(|c| {
            ensure_name_free(c, &name, None)?;
            ensure_path_free(c, &path, None)?;
            let port = match requested_port {
                Some(port) => {
                    ensure_port_free(c, port, None)?;
                    port
                }
                None => next_free_port(&store::repos::ports(c)?)?,
            };
            store::repos::insert(
                c,
                &store::repos::RepoRecord {
                    name,
                    path,
                    kind,
                    port,
                    url: git.url,
                    branch: git.branch,
                },
            )
        })?;
        log::info!("registered repository {} ({})", repo.id, repo.path);
        self.events
            .emit(DomainEvent::RepositoryUpdated(repo.clone()));
        Ok(repo)
    }

    pub fn update(&self, id: i64, patch: RepositoryPatch) -> Result<Repository> {
        let name = patch.name.as_deref().map(validate::name).transpose()?;
        let dir = patch.path.as_deref().map(validate::folder).transpose()?;
        let port = patch.port.map(validate::port).transpose()?;

        let repo = self.store.with(|c| {
            let current = store::repos::get(c, id)?.ok_or_else(|| store::repos::not_found(id))?;
            let mut rec = store::repos::RepoRecord {
                name: current.name.clone(),
                path: current.path.clone(),
                kind: patch.kind.unwrap_or(current.kind),
                port: current.port,
                url: current.url.clone(),
                branch: current.branch.clone(),
            };
            if let Some(name) = name {
                ensure_name_free(c, &name, Some(id))?;
                rec.name = name;
            }
            if let Some(dir) = &dir {
                let path = path_string(dir);
                if path != current.path {
                    ensure_path_free(c, &path, Some(id))?;
                    let git = detect::git(dir);
                    rec.path = path;
                    rec.url = git.url;
                    rec.branch = git.branch;
                }
            }
            if patch.detect_kind {
                rec.kind = detect::kind(std::path::Path::new(&rec.path));
            }
            // The port the repository already holds may be bound by its own
            // code-server, so only a new port is probed.
            if let Some(port) = port.filter(|p| *p != current.port) {
                ensure_port_free(c, port, Some(id))?;
                rec.port = port;
            }
            store::repos::update(c, id, &rec)
        })?;
        self.events
            .emit(DomainEvent::RepositoryUpdated(repo.clone()));
        Ok(repo)
    }

    /// Re-reads the remote URL and branch from the repository on disk.
    pub fn refresh_git(&self, id: i64) -> Result<Repository> {
        let current = self.get(id)?;
        let dir = std::path::Path::new(&current.path);
        if !dir.is_dir() {
            return Err(Error::NotFound(format!(
                "The folder {} is gone; move it back or change the repository's path.",
                current.path
            )));
        }
        let git = detect::git(dir);
        if git.url == current.url && git.branch == current.branch {
            return Ok(current);
        }
        let repo = self
            .store
            .with(|c| store::repos::update_git(c, id, git.url.as_deref(), git.branch.as_deref()))?;
        self.events
            .emit(DomainEvent::RepositoryUpdated(repo.clone()));
        Ok(repo)
    }

    /// Marks it trusted (commits from the Git page run its hooks and sign)
    /// or not.
    pub fn set_trusted(&self, id: i64, trusted: bool) -> Result<Repository> {
        let repo = self
            .store
            .with(|c| store::repos::set_trusted(c, id, trusted))?;
        log::info!("repository {id} trusted: {trusted}");
        self.events
            .emit(DomainEvent::RepositoryUpdated(repo.clone()));
        Ok(repo)
    }

    /// Sets the MCP profile (by name; it must exist) whose tools its VS Code
    /// gets through the gateway, or none.
    pub fn set_mcp_profile(&self, id: i64, profile: Option<String>) -> Result<Repository> {
        let profile = profile.filter(|p| !p.trim().is_empty());
        if let Some(name) = &profile {
            let known: Vec<ai_desktop_api::mcp::McpProfile> =
                self.store.setting("mcp.profiles")?.unwrap_or_default();
            if !known.iter().any(|p| &p.name == name) {
                return Err(Error::NotFound(format!(
                    "There is no MCP profile named \"{name}\" (MCP Hub → Profiles…)."
                )));
            }
        }
        let repo = self
            .store
            .with(|c| store::repos::set_mcp_profile(c, id, profile.as_deref()))?;
        self.events
            .emit(DomainEvent::RepositoryUpdated(repo.clone()));
        Ok(repo)
    }

    /// Forgets a repository. Its folder on disk is never touched.
    pub fn delete(&self, id: i64) -> Result<()> {
        self.store.with(|c| store::repos::delete(c, id))?;
        log::info!("unregistered repository {id}");
        self.events.emit(DomainEvent::RepositoryDeleted(id));
        Ok(())
    }
}

fn path_string(dir: &std::path::Path) -> String {
    // `validate::folder` has already refused non-UTF-8 paths.
    dir.to_string_lossy().into_owned()
}

fn ensure_name_free(c: &rusqlite::Connection, name: &str, except: Option<i64>) -> Result<()> {
    match store::repos::find_by_name(c, name)? {
        Some(other) if Some(other.id) != except => Err(Error::Conflict(format!(
            "A repository named \"{}\" already exists; choose another name.",
            other.name
        ))),
        _ => Ok(()),
    }
}

fn ensure_path_free(c: &rusqlite::Connection, path: &str, except: Option<i64>) -> Result<()> {
    match store::repos::find_by_path(c, path)? {
        Some(other) if Some(other.id) != except => Err(Error::Conflict(format!(
            "{path} is already registered as \"{}\".",
            other.name
        ))),
        _ => Ok(()),
    }
}

fn ensure_port_free(c: &rusqlite::Connection, port: u16, except: Option<i64>) -> Result<()> {
    if let Some(other) = store::repos::find_by_port(c, port)? {
        if Some(other.id) != except {
            return Err(Error::Conflict(format!(
                "Port {port} is reserved for \"{}\"; choose another or leave it empty to pick a free one.",
                other.name
            )));
        }
    }
    if !port_is_free(port) {
        return Err(Error::Conflict(format!(
            "Port {port} is in use by another program on this computer; choose another."
        )));
    }
    Ok(())
}

/// Whether nothing listens on 127.0.0.1:`port` right now.
pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// The lowest port from [`FIRST_AUTO_PORT`] up that no repository holds and
/// nothing listens on.
pub fn next_free_port(reserved: &[u16]) -> Result<u16> {
    (FIRST_AUTO_PORT..=u16::MAX)
        .find(|p| !reserved.contains(p) && port_is_free(*p))
        .ok_or_else(|| Error::Conflict(format!("No free port is left above {FIRST_AUTO_PORT}.")))
}
