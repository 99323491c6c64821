//! Queries on `service_containers` and `service_volumes`: the identities of
//! what the Services module created (see migration V7).

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// A container the app created for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceContainer {
    pub kind: String,
    pub container_id: String,
    pub name: String,
    pub volume: String,
}

/// Token of volumes made before tokens were recorded.
pub const LEGACY_TOKEN: &str = "legacy";

pub fn containers(c: &Connection) -> Result<Vec<ServiceContainer>> {
    let mut stmt = c.prepare_cached(
        "SELECT kind, container_id, name, volume FROM service_containers ORDER BY kind",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ServiceContainer {
            kind: r.get(0)?,
            container_id: r.get(1)?,
            name: r.get(2)?,
            volume: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn container(c: &Connection, kind: &str) -> Result<Option<ServiceContainer>> {
    Ok(c.query_row(
        "SELECT kind, container_id, name, volume FROM service_containers WHERE kind = ?1",
        [kind],
        |r| {
            Ok(ServiceContainer {
                kind: r.get(0)?,
                container_id: r.get(1)?,
                name: r.get(2)?,
                volume: r.get(3)?,
            })
        },
    )
    .optional()?)
}

pub fn record_container(c: &Connection, s: &ServiceContainer) -> Result<()> {
    c.execute(
        "INSERT INTO service_containers (kind, container_id, name, volume) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind) DO UPDATE SET container_id = excluded.container_id,
             name = excluded.name, volume = excluded.volume,
             created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        params![s.kind, s.container_id, s.name, s.volume],
    )?;
    Ok(())
}

pub fn forget_container(c: &Connection, kind: &str) -> Result<()> {
    c.execute("DELETE FROM service_containers WHERE kind = ?1", [kind])?;
    Ok(())
}

/// The token recorded for a volume the app created, if it did.
pub fn volume_token(c: &Connection, name: &str) -> Result<Option<String>> {
    Ok(c.query_row(
        "SELECT token FROM service_volumes WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
    .optional()?)
}

pub fn record_volume(c: &Connection, name: &str, token: &str) -> Result<()> {
    c.execute(
        "INSERT INTO service_volumes (name, token) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET token = excluded.token",
        params![name, token],
    )?;
    Ok(())
}

pub fn forget_volume(c: &Connection, name: &str) -> Result<()> {
    c.execute("DELETE FROM service_volumes WHERE name = ?1", [name])?;
    Ok(())
}
