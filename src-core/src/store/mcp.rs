//! Queries on `mcp_servers` and `mcp_calls`.
//!
//! Rows come back as [`McpServer`] with the runtime fields (state, pid, error …)
//! at their resting values; the hub fills them in.

use crate::error::{Error, Result};
use ai_desktop_api::mcp::{
    McpCall, McpCapabilities, McpServer, McpServerInfo, McpServerInput, McpState, McpTransport,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, name, description, transport, command, args, env, working_directory, \
     url, headers, auto_restart, server_info, capabilities, created_at, updated_at, disabled_tools, \
     oauth_client_id, oauth_client_secret";

/// Turns `tool` of server `id` off (or on again); false if there is no such server.
pub fn set_tool_enabled(c: &Connection, id: i64, tool: &str, enabled: bool) -> Result<bool> {
    let Some(server) = get(c, id)? else {
        return Ok(false);
    };
    let mut off = server.disabled_tools;
    off.retain(|t| t != tool);
    if !enabled {
        off.push(tool.to_string());
        off.sort();
    }
    c.execute(
        "UPDATE mcp_servers SET disabled_tools = ?2 WHERE id = ?1",
        params![
            id,
            serde_json::to_string(&off).unwrap_or_else(|_| "[]".into())
        ],
    )?;
    Ok(true)
}

/// Calls kept per server; older ones are pruned as new ones come in.
pub const HISTORY_LIMIT: i64 = 200;

/// About one call in 2^PRUNE_BITS prunes its server's history to
/// [`HISTORY_LIMIT`] (see `insert_calls`).
const PRUNE_BITS: u32 = 4;

fn json_col<T: serde::de::DeserializeOwned + Default>(
    row: &Row<'_>,
    i: usize,
) -> rusqlite::Result<T> {
    let text: Option<String> = row.get(i)?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<McpServer> {
    let transport: String = row.get(3)?;
    let server_info: Option<McpServerInfo> = json_col(row, 11)?;
    let capabilities: Option<McpCapabilities> = json_col(row, 12)?;
    Ok(McpServer {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        transport: McpTransport::parse(&transport).unwrap_or_default(),
        command: row.get(4)?,
        args: json_col(row, 5)?,
        env: json_col(row, 6)?,
        working_directory: row.get(7)?,
        url: row.get(8)?,
        headers: json_col(row, 9)?,
        auto_restart: row.get(10)?,
        server_info,
        capabilities,
        state: McpState::Stopped,
        pid: None,
        error: None,
        started_at: None,
        restarts: 0,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        auth: Vec::new(),
        signed_in: false,
        disabled_tools: json_col(row, 15)?,
        oauth_client_id: row.get(16)?,
        oauth_client_secret: row.get(17)?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Plain maps and lists of strings always serialize.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn map_write_error(e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && msg.as_deref().unwrap_or("").contains("mcp_servers.name") =>
        {
            Error::Conflict("Another MCP server already has that name.".into())
        }
        _ => e.into(),
    }
}

pub fn list(c: &Connection) -> Result<Vec<McpServer>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM mcp_servers ORDER BY name, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, id: i64) -> Result<Option<McpServer>> {
    let mut stmt = c.prepare_cached(&format!("SELECT {COLUMNS} FROM mcp_servers WHERE id = ?1"))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

pub fn name_taken(c: &Connection, name: &str, except: Option<i64>) -> Result<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM mcp_servers WHERE name = ?1 AND id IS NOT ?2)",
        params![name, except],
        |r| r.get(0),
    )?)
}

/// Inserts a validated input.
pub fn insert(c: &Connection, input: &McpServerInput) -> Result<McpServer> {
    c.execute(
        "INSERT INTO mcp_servers (name, description, transport, command, args, env,
                                  working_directory, url, headers, auto_restart,
                                  oauth_client_id, oauth_client_secret)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            input.name,
            input.description,
            input.transport.as_str(),
            input.command,
            to_json(&input.args),
            to_json(&input.env),
            input.working_directory,
            input.url,
            to_json(&input.headers),
            input.auto_restart,
            input.oauth_client_id,
            input.oauth_client_secret,
        ],
    )
    .map_err(map_write_error)?;
    let id = c.last_insert_rowid();
    get(c, id)?.ok_or_else(|| Error::NotFound("The new MCP server vanished.".into()))
}

/// Replaces the settings of server `id` with a validated input.
pub fn update(c: &Connection, id: i64, input: &McpServerInput) -> Result<Option<McpServer>> {
    let changed = c
        .execute(
            "UPDATE mcp_servers SET name = ?2, description = ?3, transport = ?4, command = ?5,
                    args = ?6, env = ?7, working_directory = ?8, url = ?9, headers = ?10,
                    auto_restart = ?11, oauth_client_id = ?12, oauth_client_secret = ?13,
                    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
            params![
                id,
                input.name,
                input.description,
                input.transport.as_str(),
                input.command,
                to_json(&input.args),
                to_json(&input.env),
                input.working_directory,
                input.url,
                to_json(&input.headers),
                input.auto_restart,
                input.oauth_client_id,
                input.oauth_client_secret,
            ],
        )
        .map_err(map_write_error)?;
    if changed == 0 {
        return Ok(None);
    }
    get(c, id)
}

/// Keeps what the server said in its last handshake.
pub fn set_handshake(
    c: &Connection,
    id: i64,
    info: &McpServerInfo,
    capabilities: &McpCapabilities,
) -> Result<()> {
    c.execute(
        "UPDATE mcp_servers SET server_info = ?2, capabilities = ?3 WHERE id = ?1",
        params![id, to_json(info), to_json(capabilities)],
    )?;
    Ok(())
}

pub fn delete(c: &Connection, id: i64) -> Result<bool> {
    Ok(c.execute("DELETE FROM mcp_servers WHERE id = ?1", [id])? > 0)
}

/// The id the next recorded call gets (ids are never reused, as with
/// AUTOINCREMENT): the calls are numbered by the hub's history writer, which
/// answers a call before its row is written.
pub fn next_call_id(c: &Connection) -> Result<i64> {
    Ok(c.query_row(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mcp_calls'), 0),
                    coalesce((SELECT max(id) FROM mcp_calls), 0)) + 1",
        [],
        |r| r.get(0),
    )?)
}

/// Stores calls (with the ids and times the hub gave them) in one
/// transaction and prunes their servers' history to [`HISTORY_LIMIT`].
pub fn insert_calls(c: &mut Connection, calls: &[McpCall]) -> Result<()> {
    let tx = c.transaction()?;
    for call in calls {
        tx.prepare_cached(
            "INSERT INTO mcp_calls (id, server_id, tool, arguments, content, structured_content,
                                    is_error, error, duration_ms, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            call.id,
            call.server_id,
            call.tool,
            to_json(&call.arguments),
            to_json(&call.content),
            call.structured_content.as_ref().map(to_json),
            call.is_error,
            call.error,
            call.duration_ms,
            call.created_at,
        ])?;
        // Pruned on about one call in 2^PRUNE_BITS, not on each: the history
        // reads at most HISTORY_LIMIT rows, so the few extra rows in between
        // are never seen. Chosen by a hash of the id (Fibonacci hashing
        // spreads any arithmetic run of ids, such as every other id when two
        // servers take turns), not `id % n`, which such a run could miss for
        // ever.
        if (call.id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PRUNE_BITS) == 0 {
            tx.prepare_cached(
                "DELETE FROM mcp_calls WHERE server_id = ?1 AND id <= (
                     SELECT id FROM mcp_calls WHERE server_id = ?1
                     ORDER BY id DESC LIMIT 1 OFFSET ?2)",
            )?
            .execute(params![call.server_id, HISTORY_LIMIT])?;
        }
    }
    tx.commit()?;
    Ok(())
}

const CALL_COLUMNS: &str = "id, server_id, tool, arguments, content, structured_content, \
     is_error, error, duration_ms, created_at";

fn call_from_row(row: &Row<'_>) -> rusqlite::Result<McpCall> {
    let arguments: String = row.get(3)?;
    let content: String = row.get(4)?;
    let structured: Option<String> = row.get(5)?;
    Ok(McpCall {
        id: row.get(0)?,
        server_id: row.get(1)?,
        tool: row.get(2)?,
        arguments: serde_json::from_str(&arguments).unwrap_or(serde_json::Value::Null),
        content: serde_json::from_str(&content).unwrap_or_default(),
        structured_content: structured.and_then(|s| serde_json::from_str(&s).ok()),
        is_error: row.get(6)?,
        error: row.get(7)?,
        duration_ms: row.get(8)?,
        created_at: row.get(9)?,
    })
}

/// The server's calls, newest first.
pub fn history(c: &Connection, server_id: i64) -> Result<Vec<McpCall>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {CALL_COLUMNS} FROM mcp_calls WHERE server_id = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![server_id, HISTORY_LIMIT], call_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn clear_history(c: &Connection, server_id: i64) -> Result<()> {
    c.execute("DELETE FROM mcp_calls WHERE server_id = ?1", [server_id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use ai_desktop_api::mcp::McpServerInput;

    /// The history shows the newest HISTORY_LIMIT calls of a server, and
    /// what is stored stays within a few 2^PRUNE_BITS rows of that, with other
    /// servers' calls interleaved (ids are shared between servers), also when
    /// two servers take strict turns (every other id).
    #[test]
    fn history_keeps_the_newest_calls_and_prunes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let server = |name: &str| {
            store
                .with(|c| {
                    insert(
                        c,
                        &McpServerInput {
                            name: name.into(),
                            command: "true".into(),
                            ..Default::default()
                        },
                    )
                })
                .unwrap()
                .id
        };
        let (a, b) = (server("a"), server("b"));
        let next = std::cell::Cell::new(store.with(|c| next_call_id(c)).unwrap());
        let record = |server_id: i64, tool: &str| {
            let call = McpCall {
                id: next.replace(next.get() + 1),
                server_id,
                tool: tool.into(),
                arguments: serde_json::json!({}),
                content: Vec::new(),
                structured_content: None,
                is_error: false,
                error: None,
                duration_ms: 0.1,
                created_at: crate::store::now_rfc3339_millis(),
            };
            store
                .with(|c| insert_calls(c, std::slice::from_ref(&call)))
                .unwrap();
            call
        };
        let total = 3 * HISTORY_LIMIT + 5;
        let mut last = None;
        for i in 0..total {
            last = Some(record(a, &format!("call-{i}")));
            record(b, "other");
        }
        let shown = store.with(|c| history(c, a)).unwrap();
        assert_eq!(shown.len() as i64, HISTORY_LIMIT);
        assert_eq!(shown[0].id, last.unwrap().id, "newest first");
        assert_eq!(shown[0].tool, format!("call-{}", total - 1));
        assert_eq!(
            shown.last().unwrap().tool,
            format!("call-{}", total - HISTORY_LIMIT)
        );
        let stored: i64 = store
            .with(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM mcp_calls WHERE server_id = ?1",
                    [a],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert!(
            (HISTORY_LIMIT..=HISTORY_LIMIT + 4 * (1 << PRUNE_BITS)).contains(&stored),
            "{stored} rows stored for a history of {HISTORY_LIMIT}"
        );
        // Ids are never reused, also once the newest rows are gone.
        store.with(|c| clear_history(c, b)).unwrap();
        assert_eq!(store.with(|c| next_call_id(c)).unwrap(), next.get());
    }
}
