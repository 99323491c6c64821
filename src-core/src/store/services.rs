//! Queries on `service_containers` and `service_volumes`: the identities of
//! what the Services module created (see migration V7), per Docker engine
//! (migration V28): [`LOCAL`] is this computer's, any other value the id of
//! the host whose engine it is.

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

/// The engine of this computer.
pub const LOCAL: i64 = 0;

/// Token of volumes made before tokens were recorded.
pub const LEGACY_TOKEN: &str = "legacy";

pub fn containers(c: &Connection, engine: i64) -> Result<Vec<ServiceContainer>> {
    let mut stmt = c.prepare_cached(
        "SELECT instance, kind, container_id, name, volume FROM service_containers
         WHERE engine = ?1 ORDER BY kind, instance",
    )?;
    let rows = stmt.query_map([engine], row)?;
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
pub fn container(c: &Connection, engine: i64, instance: &str) -> Result<Option<ServiceContainer>> {
    Ok(c.query_row(
        "SELECT instance, kind, container_id, name, volume FROM service_containers
         WHERE engine = ?1 AND instance = ?2",
        params![engine, instance],
        row,
    )
    .optional()?)
}

pub fn record_container(c: &Connection, engine: i64, s: &ServiceContainer) -> Result<()> {
    c.execute(
        "INSERT INTO service_containers (engine, instance, kind, container_id, name, volume)
         VALUES (?6, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (engine, instance) DO UPDATE SET kind = excluded.kind,
             container_id = excluded.container_id, name = excluded.name,
             volume = excluded.volume, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        params![s.instance, s.kind, s.container_id, s.name, s.volume, engine],
    )?;
    Ok(())
}

pub fn forget_container(c: &Connection, engine: i64, instance: &str) -> Result<()> {
    c.execute(
        "DELETE FROM service_containers WHERE engine = ?1 AND instance = ?2",
        params![engine, instance],
    )?;
    Ok(())
}

/// The token recorded for a volume the app created, if it did.
pub fn volume_token(c: &Connection, engine: i64, name: &str) -> Result<Option<String>> {
    Ok(c.query_row(
        "SELECT token FROM service_volumes WHERE engine = ?1 AND name = ?2",
        params![engine, name],
        |r| r.get(0),
    )
    .optional()?)
}

pub fn record_volume(c: &Connection, engine: i64, name: &str, token: &str) -> Result<()> {
    c.execute(
        "INSERT INTO service_volumes (engine, name, token) VALUES (?3, ?1, ?2)
         ON CONFLICT (engine, name) DO UPDATE SET token = excluded.token",
        params![name, token, engine],
    )?;
    Ok(())
}

pub fn forget_volume(c: &Connection, engine: i64, name: &str) -> Result<()> {
    c.execute(
        "DELETE FROM service_volumes WHERE engine = ?1 AND name = ?2",
        params![engine, name],
    )?;
    Ok(())
}

/// Forgets everything recorded of a host's engine (the host was removed;
/// what runs there is left as it is).
pub fn forget_engine(c: &Connection, engine: i64) -> Result<()> {
    c.execute("DELETE FROM service_containers WHERE engine = ?1", [engine])?;
    c.execute("DELETE FROM service_volumes WHERE engine = ?1", [engine])?;
    Ok(())
}
