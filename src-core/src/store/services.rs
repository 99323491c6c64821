//! Queries on `service_containers` and `service_volumes`: the identities of
//! what the Services module created (see migration V7).

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// A container the app created for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceContainer {
    /// The instance's id (`redis`, `redis-6`).
    pub instance: String,
    pub kind: String,
    pub container_id: String,
    pub name: String,
    pub volume: String,
}

/// Token of volumes made before tokens were recorded.
pub const LEGACY_TOKEN: &str = "legacy";

pub fn containers(c: &Connection) -> Result<Vec<ServiceContainer>> {
    let mut stmt = c.prepare_cached(
        "SELECT instance, kind, container_id, name, volume FROM service_containers
         ORDER BY kind, instance",
    )?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ServiceContainer> {
    Ok(ServiceContainer {
        instance: r.get(0)?,
        kind: r.get(1)?,
        container_id: r.get(2)?,
        name: r.get(3)?,
        volume: r.get(4)?,
    })
}

/// The container recorded for an instance.
pub fn container(c: &Connection, instance: &str) -> Result<Option<ServiceContainer>> {
    Ok(c.query_row(
        "SELECT instance, kind, container_id, name, volume FROM service_containers
         WHERE instance = ?1",
        [instance],
        row,
    )
    .optional()?)
}

pub fn record_container(c: &Connection, s: &ServiceContainer) -> Result<()> {
    c.execute(
        "INSERT INTO service_containers (instance, kind, container_id, name, volume)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (instance) DO UPDATE SET kind = excluded.kind,
             container_id = excluded.container_id, name = excluded.name,
             volume = excluded.volume, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        params![s.instance, s.kind, s.container_id, s.name, s.volume],
    )?;
    Ok(())
}

pub fn forget_container(c: &Connection, instance: &str) -> Result<()> {
    c.execute(
        "DELETE FROM service_containers WHERE instance = ?1",
        [instance],
    )?;
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
