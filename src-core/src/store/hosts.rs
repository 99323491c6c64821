//! Queries on `hosts`.

use crate::error::{Error, Result};
use ai_desktop_api::hosts::{Host, HostReport, HostRepository};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, name, destination, port, key_name, host_name, host_port, user_name, \
     fingerprint, created_at, report, unreachable, unreachable_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Host> {
    let report: Option<String> = row.get(10)?;
    Ok(Host {
        id: row.get(0)?,
        name: row.get(1)?,
        destination: row.get(2)?,
        port: row.get(3)?,
        key: row.get(4)?,
        host_name: row.get(5)?,
        host_port: row.get(6)?,
        user: row.get(7)?,
        fingerprint: row.get(8)?,
        created_at: row.get(9)?,
        report: report.and_then(|r| serde_json::from_str(&r).ok()),
        unreachable: row.get(11)?,
        unreachable_at: row.get(12)?,
    })
}

fn json(report: &HostReport) -> Result<String> {
    serde_json::to_string(report).map_err(|e| Error::failed("The check cannot be stored.", e))
}

pub fn list(c: &Connection) -> Result<Vec<Host>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM hosts ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, id: i64) -> Result<Host> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM hosts WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("There is no host with id {id}.")))
}

/// The host already added for this login at this address, if any.
pub fn find(c: &Connection, host_name: &str, port: u16, user: &str) -> Result<Option<Host>> {
    Ok(c.query_row(
        &format!(
            "SELECT {COLUMNS} FROM hosts WHERE host_name = ?1 AND host_port = ?2 AND user_name = ?3"
        ),
        params![host_name, port, user],
        from_row,
    )
    .optional()?)
}

pub fn insert(c: &Connection, h: &Host) -> Result<Host> {
    let report = h.report.as_ref().map(json).transpose()?;
    c.execute(
        "INSERT INTO hosts (name, destination, port, key_name, host_name, host_port, user_name, \
         fingerprint, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            h.name,
            h.destination,
            h.port,
            h.key,
            h.host_name,
            h.host_port,
            h.user,
            h.fingerprint,
            report
        ],
    )?;
    get(c, c.last_insert_rowid())
}

pub fn set_report(c: &Connection, id: i64, report: &HostReport) -> Result<Host> {
    c.execute(
        "UPDATE hosts SET report = ?2, unreachable = NULL, unreachable_at = NULL WHERE id = ?1",
        params![id, json(report)?],
    )?;
    get(c, id)
}

/// Marks it unreachable, saying why; the last report stays.
pub fn set_unreachable(c: &Connection, id: i64, why: &str) -> Result<Host> {
    c.execute(
        "UPDATE hosts SET unreachable = ?2, unreachable_at = ?3 WHERE id = ?1",
        params![id, why, crate::store::now_rfc3339()],
    )?;
    get(c, id)
}

pub fn delete(c: &Connection, id: i64) -> Result<()> {
    c.execute("DELETE FROM hosts WHERE id = ?1", [id])?;
    Ok(())
}

/// How many hosts are at this address (any login).
pub fn count_at(c: &Connection, host_name: &str, port: u16) -> Result<i64> {
    Ok(c.query_row(
        "SELECT count(*) FROM hosts WHERE host_name = ?1 AND host_port = ?2",
        params![host_name, port],
        |r| r.get(0),
    )?)
}

const REPO_COLUMNS: &str = "id, host_id, path, name, created_at";

fn repo_from_row(row: &Row<'_>) -> rusqlite::Result<HostRepository> {
    Ok(HostRepository {
        id: row.get(0)?,
        host_id: row.get(1)?,
        path: row.get(2)?,
        name: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub fn repositories(c: &Connection, host_id: i64) -> Result<Vec<HostRepository>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {REPO_COLUMNS} FROM host_repositories WHERE host_id = ?1 ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = stmt.query_map([host_id], repo_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn repository(c: &Connection, id: i64) -> Result<HostRepository> {
    c.query_row(
        &format!("SELECT {REPO_COLUMNS} FROM host_repositories WHERE id = ?1"),
        [id],
        repo_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("There is no host repository with id {id}.")))
}

pub fn insert_repository(
    c: &Connection,
    host_id: i64,
    path: &str,
    name: &str,
) -> Result<HostRepository> {
    let exists: Option<String> = c
        .query_row(
            "SELECT name FROM host_repositories WHERE host_id = ?1 AND path = ?2",
            params![host_id, path],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(Error::Conflict(format!(
            "{path} is already added on this host."
        )));
    }
    c.execute(
        "INSERT INTO host_repositories (host_id, path, name) VALUES (?1, ?2, ?3)",
        params![host_id, path, name],
    )?;
    repository(c, c.last_insert_rowid())
}

pub fn delete_repository(c: &Connection, id: i64) -> Result<()> {
    repository(c, id)?;
    c.execute("DELETE FROM host_repositories WHERE id = ?1", [id])?;
    Ok(())
}

/// A host repository's code-server: its folder's key there and, while it
/// runs, the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorRow {
    pub host_repository_id: i64,
    pub key: String,
    pub process: Option<RemoteProcess>,
    pub started_at: Option<String>,
}

/// A process on a host: its pid, its start time (clock ticks since boot,
/// as /proc says) and the host's boot id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteProcess {
    pub pid: u32,
    pub start_ticks: String,
    pub boot_id: String,
    pub socket: String,
}

fn editor_from_row(row: &Row<'_>) -> rusqlite::Result<EditorRow> {
    let pid: Option<u32> = row.get(2)?;
    let process = match (pid, row.get(3)?, row.get(4)?, row.get(5)?) {
        (Some(pid), Some(start_ticks), Some(boot_id), Some(socket)) => Some(RemoteProcess {
            pid,
            start_ticks,
            boot_id,
            socket,
        }),
        _ => None,
    };
    Ok(EditorRow {
        host_repository_id: row.get(0)?,
        key: row.get(1)?,
        process,
        started_at: row.get(6)?,
    })
}

const EDITOR_COLUMNS: &str =
    "host_repository_id, key, pid, start_ticks, boot_id, socket, started_at";

pub fn editor(c: &Connection, host_repository_id: i64) -> Result<Option<EditorRow>> {
    Ok(c.query_row(
        &format!("SELECT {EDITOR_COLUMNS} FROM host_editors WHERE host_repository_id = ?1"),
        [host_repository_id],
        editor_from_row,
    )
    .optional()?)
}

/// The row of a repository's code-server, made with `key` if there is none.
pub fn editor_or_new(c: &Connection, host_repository_id: i64, key: &str) -> Result<EditorRow> {
    c.execute(
        "INSERT OR IGNORE INTO host_editors (host_repository_id, key) VALUES (?1, ?2)",
        params![host_repository_id, key],
    )?;
    editor(c, host_repository_id)?.ok_or_else(|| {
        Error::NotFound(format!(
            "There is no host repository with id {host_repository_id}."
        ))
    })
}

/// Every code-server recorded as running on a host.
pub fn running_editors(c: &Connection) -> Result<Vec<EditorRow>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {EDITOR_COLUMNS} FROM host_editors WHERE pid IS NOT NULL ORDER BY host_repository_id"
    ))?;
    let rows = stmt.query_map([], editor_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_editor_process(
    c: &Connection,
    host_repository_id: i64,
    process: Option<&RemoteProcess>,
) -> Result<()> {
    c.execute(
        "UPDATE host_editors SET pid = ?2, start_ticks = ?3, boot_id = ?4, socket = ?5,
             started_at = CASE WHEN ?2 IS NULL THEN NULL
                               ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
         WHERE host_repository_id = ?1",
        params![
            host_repository_id,
            process.map(|p| p.pid),
            process.map(|p| &p.start_ticks),
            process.map(|p| &p.boot_id),
            process.map(|p| &p.socket),
        ],
    )?;
    Ok(())
}

/// A deployment of a host repository, as the user asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostDeploymentRow {
    pub id: i64,
    pub host_id: i64,
    pub repository_id: i64,
    pub repository_name: String,
    pub repository_path: String,
    pub name: String,
    pub start_command: String,
    pub port: u16,
    pub env: std::collections::BTreeMap<String, String>,
    pub health_check: Option<ai_desktop_api::deployments::HealthCheck>,
}

const DEPLOYMENT_SELECT: &str = "SELECT d.id, r.host_id, r.id, r.name, r.path, d.name, \
     d.start_command, d.port, d.env, d.health_check FROM host_deployments d \
     JOIN host_repositories r ON r.id = d.host_repository_id";

fn deployment_from_row(row: &Row<'_>) -> rusqlite::Result<HostDeploymentRow> {
    let env: String = row.get(8)?;
    Ok(HostDeploymentRow {
        id: row.get(0)?,
        host_id: row.get(1)?,
        repository_id: row.get(2)?,
        repository_name: row.get(3)?,
        repository_path: row.get(4)?,
        name: row.get(5)?,
        start_command: row.get(6)?,
        port: row.get(7)?,
        env: serde_json::from_str(&env).unwrap_or_default(),
        health_check: row
            .get::<_, Option<String>>(9)?
            .and_then(|j| serde_json::from_str(&j).ok()),
    })
}

/// A host's deployments, by repository and name.
pub fn deployments(c: &Connection, host_id: i64) -> Result<Vec<HostDeploymentRow>> {
    let mut stmt = c.prepare_cached(&format!(
        "{DEPLOYMENT_SELECT} WHERE r.host_id = ?1 ORDER BY r.name COLLATE NOCASE, d.name, d.id"
    ))?;
    let rows = stmt.query_map([host_id], deployment_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn deployment(c: &Connection, id: i64) -> Result<HostDeploymentRow> {
    c.query_row(
        &format!("{DEPLOYMENT_SELECT} WHERE d.id = ?1"),
        [id],
        deployment_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("There is no host deployment with id {id}.")))
}

/// Adds a deployment; a name the repository already has there is refused.
pub fn insert_deployment(
    c: &Connection,
    repository_id: i64,
    name: &str,
    start_command: &str,
    port: u16,
    env: &std::collections::BTreeMap<String, String>,
    health_check: Option<&ai_desktop_api::deployments::HealthCheck>,
) -> Result<HostDeploymentRow> {
    let taken: Option<i64> = c
        .query_row(
            "SELECT id FROM host_deployments WHERE host_repository_id = ?1 AND name = ?2",
            params![repository_id, name],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(Error::Conflict(format!(
            "This repository already has a deployment named {name} there."
        )));
    }
    let env = serde_json::to_string(env).unwrap_or_else(|_| "{}".into());
    let health_check = health_check.and_then(|h| serde_json::to_string(h).ok());
    c.execute(
        "INSERT INTO host_deployments (host_repository_id, name, start_command, port, env, health_check)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![repository_id, name, start_command, port, env, health_check],
    )?;
    deployment(c, c.last_insert_rowid())
}

pub fn delete_deployment(c: &Connection, id: i64) -> Result<()> {
    c.execute("DELETE FROM host_deployments WHERE id = ?1", [id])?;
    Ok(())
}
