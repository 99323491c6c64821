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
     url, headers, auto_restart, server_info, capabilities, created_at, updated_at";

/// Calls kept per server; older ones are pruned as new ones come in.
pub const HISTORY_LIMIT: i64 = 200;

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
                                  working_directory, url, headers, auto_restart)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
                    auto_restart = ?11,
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

/// A field of a call as stored; the hub builds these.
pub struct NewCall<'a> {
    pub server_id: i64,
    pub tool: &'a str,
    pub arguments: &'a serde_json::Value,
    pub content: &'a [ai_desktop_api::mcp::McpContent],
    pub structured_content: Option<&'a serde_json::Value>,
    pub is_error: bool,
    pub error: Option<&'a str>,
    pub duration_ms: f64,
}

/// Records a call and prunes the server's history to [`HISTORY_LIMIT`].
///
/// The row is not read back: what was stored is what the caller gave, plus
/// the id and time SQLite assigned (`RETURNING`); a call's round trip
/// through the hub is a few hundred microseconds, of which this is a part.
pub fn insert_call(c: &mut Connection, call: &NewCall<'_>) -> Result<McpCall> {
    let tx = c.transaction()?;
    let (id, created_at) = tx
        .prepare_cached(
            "INSERT INTO mcp_calls (server_id, tool, arguments, content, structured_content,
                                    is_error, error, duration_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             RETURNING id, created_at",
        )?
        .query_row(
            params![
                call.server_id,
                call.tool,
                to_json(call.arguments),
                to_json(&call.content),
                call.structured_content.map(to_json),
                call.is_error,
                call.error,
                call.duration_ms,
            ],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )?;
    tx.prepare_cached(
        "DELETE FROM mcp_calls WHERE server_id = ?1 AND id <= (
             SELECT id FROM mcp_calls WHERE server_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    )?
    .execute(params![call.server_id, HISTORY_LIMIT])?;
    tx.commit()?;
    Ok(McpCall {
        id,
        server_id: call.server_id,
        tool: call.tool.to_string(),
        arguments: call.arguments.clone(),
        content: call.content.to_vec(),
        structured_content: call.structured_content.cloned(),
        is_error: call.is_error,
        error: call.error.map(str::to_string),
        duration_ms: call.duration_ms,
        created_at,
    })
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
        "SELECT {CALL_COLUMNS} FROM mcp_calls WHERE server_id = ?1 ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([server_id], call_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn clear_history(c: &Connection, server_id: i64) -> Result<()> {
    c.execute("DELETE FROM mcp_calls WHERE server_id = ?1", [server_id])?;
    Ok(())
}
