//! Queries on the `repositories` table.

use crate::error::{Error, Result};
use ai_desktop_api::repos::{RepoKind, Repository};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str =
    "id, name, path, type, port, url, branch, running, pid, created_at, updated_at, trusted, \
     mcp_profile";

/// The fields the registry writes; ids, timestamps and process state are the
/// store's and later modules' business.
#[derive(Debug, Clone)]
pub struct RepoRecord {
    pub name: String,
    pub path: String,
    pub kind: RepoKind,
    pub port: u16,
    pub url: Option<String>,
    pub branch: Option<String>,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Repository> {
    let kind: String = row.get(3)?;
    let port: i64 = row.get(4)?;
    let pid: Option<i64> = row.get(8)?;
    Ok(Repository {
        id: row.get(0)?,
        name: row.get(1)?,
        path: row.get(2)?,
        kind: RepoKind::parse(&kind).unwrap_or(RepoKind::Other),
        port: u16::try_from(port).unwrap_or(0),
        url: row.get(5)?,
        branch: row.get(6)?,
        running: row.get(7)?,
        pid: pid.and_then(|p| u32::try_from(p).ok()),
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        trusted: row.get(11)?,
        mcp_profile: row.get(12)?,
    })
}

/// A UNIQUE violation means another writer got there first: a conflict, not a failure.
fn map_write_error(e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let msg = msg.clone().unwrap_or_default();
            if msg.contains("FOREIGN KEY") {
                Error::Conflict(
                    "This repository is still used by deployments; delete them first.".into(),
                )
            } else {
                Error::Conflict(format!(
                    "Another repository already uses that value ({msg})."
                ))
            }
        }
        _ => e.into(),
    }
}

pub fn list(c: &Connection) -> Result<Vec<Repository>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM repositories ORDER BY name, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, id: i64) -> Result<Option<Repository>> {
    let mut stmt =
        c.prepare_cached(&format!("SELECT {COLUMNS} FROM repositories WHERE id = ?1"))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

/// The repository with this name (case-insensitive), if any.
pub fn find_by_name(c: &Connection, name: &str) -> Result<Option<Repository>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM repositories WHERE name = ?1"
    ))?;
    Ok(stmt.query_row([name], from_row).optional()?)
}

pub fn find_by_path(c: &Connection, path: &str) -> Result<Option<Repository>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM repositories WHERE path = ?1"
    ))?;
    Ok(stmt.query_row([path], from_row).optional()?)
}

pub fn find_by_port(c: &Connection, port: u16) -> Result<Option<Repository>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM repositories WHERE port = ?1"
    ))?;
    Ok(stmt.query_row([port], from_row).optional()?)
}

/// Ports already reserved by repositories.
pub fn ports(c: &Connection) -> Result<Vec<u16>> {
    let mut stmt = c.prepare_cached("SELECT port FROM repositories")?;
    let rows = stmt.query_map([], |r| r.get::<_, u16>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert(c: &Connection, rec: &RepoRecord) -> Result<Repository> {
    // `execute` steps the statement to its end, where an autocommit write
    // really happens; `INSERT … RETURNING` read with `query_row` hands out
    // the id after the first step, and a commit that then fails (a full
    // disk) is lost in the statement's reset.
    c.prepare_cached(
        "INSERT INTO repositories (name, path, type, port, url, branch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        rec.name,
        rec.path,
        rec.kind.as_str(),
        rec.port,
        rec.url,
        rec.branch
    ])
    .map_err(map_write_error)?;
    let id = c.last_insert_rowid();
    get(c, id)?.ok_or_else(|| Error::failed("The new repository vanished.", id))
}

/// Marks a repository trusted (its hooks run, it signs) or not.
pub fn set_trusted(c: &Connection, id: i64, trusted: bool) -> Result<Repository> {
    let n = c.execute(
        "UPDATE repositories SET trusted = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        params![id, trusted],
    )?;
    if n == 0 {
        return Err(Error::NotFound(format!("There is no repository {id}.")));
    }
    get(c, id)?.ok_or_else(|| Error::NotFound(format!("There is no repository {id}.")))
}

/// Sets the MCP profile its VS Code's gateway tools come from.
pub fn set_mcp_profile(c: &Connection, id: i64, profile: Option<&str>) -> Result<Repository> {
    let n = c.execute(
        "UPDATE repositories SET mcp_profile = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        params![id, profile],
    )?;
    if n == 0 {
        return Err(Error::NotFound(format!("There is no repository {id}.")));
    }
    get(c, id)?.ok_or_else(|| Error::NotFound(format!("There is no repository {id}.")))
}

/// The services its stack starts, if the user chose them.
pub fn stack_services(c: &Connection, id: i64) -> Result<Option<Vec<String>>> {
    let text: Option<Option<String>> = c
        .query_row(
            "SELECT stack_services FROM repositories WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(text) = text else {
        return Err(Error::NotFound(format!("There is no repository {id}.")));
    };
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Chooses the services its stack starts (None: those its deployments name).
pub fn set_stack_services(c: &Connection, id: i64, services: Option<&[String]>) -> Result<()> {
    let text = services.map(|s| serde_json::to_string(s).unwrap_or_else(|_| "[]".into()));
    let n = c.execute(
        "UPDATE repositories SET stack_services = ?2 WHERE id = ?1",
        params![id, text],
    )?;
    if n == 0 {
        return Err(Error::NotFound(format!("There is no repository {id}.")));
    }
    Ok(())
}

pub fn update(c: &Connection, id: i64, rec: &RepoRecord) -> Result<Repository> {
    let n = c
        .prepare_cached(
            "UPDATE repositories
                SET name = ?2, path = ?3, type = ?4, port = ?5, url = ?6, branch = ?7,
                    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
              WHERE id = ?1",
        )?
        .execute(params![
            id,
            rec.name,
            rec.path,
            rec.kind.as_str(),
            rec.port,
            rec.url,
            rec.branch
        ])
        .map_err(map_write_error)?;
    if n == 0 {
        return Err(not_found(id));
    }
    get(c, id)?.ok_or_else(|| not_found(id))
}

/// Writes only the git columns, so that a refresh cannot undo a concurrent edit.
pub fn update_git(
    c: &Connection,
    id: i64,
    url: Option<&str>,
    branch: Option<&str>,
) -> Result<Repository> {
    let n = c
        .prepare_cached(
            "UPDATE repositories
                SET url = ?2, branch = ?3, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
              WHERE id = ?1",
        )?
        .execute(params![id, url, branch])?;
    if n == 0 {
        return Err(not_found(id));
    }
    get(c, id)?.ok_or_else(|| not_found(id))
}

pub fn delete(c: &Connection, id: i64) -> Result<()> {
    let n = c
        .prepare_cached("DELETE FROM repositories WHERE id = ?1")?
        .execute([id])
        .map_err(map_write_error)?;
    if n == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

pub fn not_found(id: i64) -> Error {
    Error::NotFound(format!("There is no repository with id {id}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_git_refresh_keeps_an_edit_made_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        store
            .with(|c| {
                let rec = RepoRecord {
                    name: "before".into(),
                    path: "/nowhere".into(),
                    kind: RepoKind::Other,
                    port: 9000,
                    url: None,
                    branch: Some("main".into()),
                };
                let repo = insert(c, &rec)?;
                // An edit lands between the refresh's read and its write.
                update(
                    c,
                    repo.id,
                    &RepoRecord {
                        name: "after".into(),
                        ..rec
                    },
                )?;
                let refreshed = update_git(c, repo.id, Some("https://x/y.git"), Some("dev"))?;
                assert_eq!(refreshed.name, "after");
                assert_eq!(refreshed.branch.as_deref(), Some("dev"));
                assert_eq!(refreshed.url.as_deref(), Some("https://x/y.git"));
                assert!(matches!(
                    update_git(c, 999, None, None),
                    Err(Error::NotFound(_))
                ));
                Ok(())
            })
            .unwrap();
    }
}
