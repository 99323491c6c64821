//! Queries on `gateway_calls`.

use crate::error::Result;
use ai_desktop_api::gateway::GatewayCall;
use rusqlite::{params, Connection};

/// Calls kept; older ones are pruned as new ones come in.
pub const HISTORY_LIMIT: i64 = 200;

/// Keeps `call` (its id and time are the database's) and returns it as kept.
pub fn insert(c: &Connection, call: &GatewayCall) -> Result<GatewayCall> {
    let arguments = serde_json::to_string(&call.arguments).unwrap_or_else(|_| "{}".into());
    let (id, created_at): (i64, String) = c.query_row(
        "INSERT INTO gateway_calls
             (client, tool, server, arguments, decision, is_error, error, summary, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         RETURNING id, created_at",
        params![
            call.client,
            call.tool,
            call.server,
            arguments,
            call.decision,
            call.is_error,
            call.error,
            call.summary,
            call.duration_ms
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    c.execute(
        "DELETE FROM gateway_calls WHERE id <= ?1 - ?2",
        params![id, HISTORY_LIMIT],
    )?;
    Ok(GatewayCall {
        id,
        created_at,
        ..call.clone()
    })
}

/// The kept calls, newest first.
pub fn history(c: &Connection) -> Result<Vec<GatewayCall>> {
    let mut stmt = c.prepare(
        "SELECT id, client, tool, server, arguments, decision, is_error, error, summary,
                duration_ms, created_at
         FROM gateway_calls ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([HISTORY_LIMIT], |r| {
        let arguments: String = r.get(4)?;
        Ok(GatewayCall {
            id: r.get(0)?,
            client: r.get(1)?,
            tool: r.get(2)?,
            server: r.get(3)?,
            arguments: serde_json::from_str(&arguments).unwrap_or_default(),
            decision: r.get(5)?,
            is_error: r.get(6)?,
            error: r.get(7)?,
            summary: r.get(8)?,
            duration_ms: r.get(9)?,
            created_at: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn clear(c: &Connection) -> Result<()> {
    c.execute("DELETE FROM gateway_calls", [])?;
    Ok(())
}
