//! Queries on `flow_sessions`, `flow_messages`, the tool grants and the
//! agent's file checkpoints.
//!
//! Sessions come back with `run_state` at rest; the agent fills it in.

use crate::error::{Error, Result};
use ai_desktop_api::flow::{
    FlowCheckpoint, FlowMessage, FlowRole, FlowSession, FlowToolCall, FlowToolResult,
    MessageStatus, RunState, TokenUsage, ToolGrant,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

const SESSION_COLUMNS: &str = "s.id, s.title, s.archived, s.model, s.mcp_server_ids, \
     s.created_at, s.updated_at, s.mcp_profile, \
     (SELECT count(*) FROM flow_messages m WHERE m.session_id = s.id), \
     (SELECT substr(m.content, 1, 160) FROM flow_messages m \
       WHERE m.session_id = s.id AND m.role <> 'tool' AND m.content <> '' \
       ORDER BY m.id DESC LIMIT 1), \
     coalesce((SELECT m.tool_calls LIKE '%\"status\":\"pending\"%' FROM flow_messages m \
       WHERE m.session_id = s.id AND m.role = 'assistant' ORDER BY m.id DESC LIMIT 1), 0), \
     s.repository_id, (SELECT r.name FROM repositories r WHERE r.id = s.repository_id), \
     s.recipe_id, (SELECT f.name FROM flow_recipes f WHERE f.id = s.recipe_id), \
     s.sandbox_of, (SELECT r.name FROM repositories r WHERE r.id = s.sandbox_of), s.sandbox_branch";

/// The `server_id` grants of the app's repository tools go under.
pub const BUILTIN_SERVER: i64 = 0;

const MESSAGE_COLUMNS: &str = "id, session_id, role, content, status, tool_calls, tool_call_id, \
     tool_results, error, model, created_at, input_tokens, output_tokens, cost, attachments";

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<FlowSession> {
    let ids: String = row.get(4)?;
    let repository_id: Option<i64> = row.get(11)?;
    let origin_id: Option<i64> = row.get(15)?;
    Ok(FlowSession {
        id: row.get(0)?,
        title: row.get(1)?,
        archived: row.get(2)?,
        model: row.get(3)?,
        mcp_server_ids: serde_json::from_str(&ids).unwrap_or_default(),
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        mcp_profile: row.get(7)?,
        message_count: row.get(8)?,
        preview: row.get(9)?,
        run_state: if row.get(10)? {
            RunState::WaitingApproval
        } else {
            RunState::Idle
        },
        repository_name: row.get(12)?,
        recipe_id: row.get(13)?,
        recipe_name: row.get(14)?,
        sandbox: match row.get::<_, Option<String>>(17)? {
            Some(branch) => Some(ai_desktop_api::flow::FlowSandbox {
                discarded: repository_id.is_none(),
                origin_id,
                origin_name: row.get(16)?,
                branch,
            }),
            None => None,
        },
        repository_id,
    })
}

fn role_name(role: FlowRole) -> &'static str {
    match role {
        FlowRole::User => "user",
        FlowRole::Assistant => "assistant",
        FlowRole::Tool => "tool",
    }
}

fn status_name(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Streaming => "streaming",
        MessageStatus::Done => "done",
        MessageStatus::Error => "error",
        MessageStatus::Cancelled => "cancelled",
    }
}

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<FlowMessage> {
    let role: String = row.get(2)?;
    let status: String = row.get(4)?;
    let calls: String = row.get(5)?;
    let result: Option<String> = row.get(7)?;
    Ok(FlowMessage {
        id: row.get(0)?,
        session_id: row.get(1)?,
        role: match role.as_str() {
            "user" => FlowRole::User,
            "tool" => FlowRole::Tool,
            _ => FlowRole::Assistant,
        },
        content: row.get(3)?,
        status: match status.as_str() {
            "streaming" => MessageStatus::Streaming,
            "error" => MessageStatus::Error,
            "cancelled" => MessageStatus::Cancelled,
            _ => MessageStatus::Done,
        },
        tool_calls: serde_json::from_str::<Vec<FlowToolCall>>(&calls).unwrap_or_default(),
        tool_call_id: row.get(6)?,
        tool_result: result.and_then(|r| serde_json::from_str::<FlowToolResult>(&r).ok()),
        error: row.get(8)?,
        model: row.get(9)?,
        created_at: row.get(10)?,
        usage: match (
            row.get::<_, Option<i64>>(11)?,
            row.get::<_, Option<i64>>(12)?,
        ) {
            (Some(i), Some(o)) => Some(TokenUsage {
                input_tokens: i.max(0) as u64,
                output_tokens: o.max(0) as u64,
                cost: row.get(13)?,
            }),
            _ => None,
        },
        attachments: serde_json::from_str(&row.get::<_, String>(14)?).unwrap_or_default(),
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Plain structs and lists always serialize.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// `%`, `_` and `\` matched literally in a LIKE pattern.
fn like_pattern(query: &str) -> String {
    let mut p = String::from("%");
    for ch in query.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// Newest first. `query` matches titles and message text, case-insensitively
/// for ASCII.
pub fn list_sessions(
    c: &Connection,
    archived: bool,
    query: Option<&str>,
) -> Result<Vec<FlowSession>> {
    let query = query.map(str::trim).filter(|q| !q.is_empty());
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM flow_sessions s WHERE s.archived = ?1 AND (?2 IS NULL \
         OR s.title LIKE ?2 ESCAPE '\\' OR EXISTS (SELECT 1 FROM flow_messages m \
         WHERE m.session_id = s.id AND m.content LIKE ?2 ESCAPE '\\')) \
         ORDER BY s.updated_at DESC, s.id DESC"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![archived, query.map(like_pattern)], session_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get_session(c: &Connection, id: i64) -> Result<FlowSession> {
    c.query_row(
        &format!("SELECT {SESSION_COLUMNS} FROM flow_sessions s WHERE s.id = ?1"),
        [id],
        session_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("There is no session with id {id}.")))
}

pub fn insert_session(
    c: &Connection,
    title: &str,
    model: Option<&str>,
    mcp_server_ids: &[i64],
) -> Result<FlowSession> {
    c.execute(
        "INSERT INTO flow_sessions (title, model, mcp_server_ids) VALUES (?1, ?2, ?3)",
        params![title, model, to_json(&mcp_server_ids)],
    )?;
    get_session(c, c.last_insert_rowid())
}

pub fn update_session(
    c: &Connection,
    id: i64,
    title: &str,
    model: Option<&str>,
    mcp_server_ids: &[i64],
) -> Result<FlowSession> {
    c.execute(
        "UPDATE flow_sessions SET title = ?2, model = ?3, mcp_server_ids = ?4,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
        params![id, title, model, to_json(&mcp_server_ids)],
    )?;
    get_session(c, id)
}

/// The MCP profile session `id` uses (None: its own servers).
pub fn set_profile(c: &Connection, id: i64, profile: Option<&str>) -> Result<FlowSession> {
    c.execute(
        "UPDATE flow_sessions SET mcp_profile = ?2 WHERE id = ?1",
        params![id, profile],
    )?;
    get_session(c, id)
}

/// The repository session `id` works in (None: none).
pub fn set_repository(c: &Connection, id: i64, repository_id: Option<i64>) -> Result<FlowSession> {
    c.execute(
        "UPDATE flow_sessions SET repository_id = ?2 WHERE id = ?1",
        params![id, repository_id],
    )?;
    get_session(c, id)
}

/// Session `id` works in the sandbox `worktree_id` (a worktree of
/// `origin_id` on `branch`).
pub fn set_sandbox(
    c: &Connection,
    id: i64,
    origin_id: i64,
    worktree_id: i64,
    branch: &str,
) -> Result<FlowSession> {
    c.execute(
        "UPDATE flow_sessions SET sandbox_of = ?2, repository_id = ?3, sandbox_branch = ?4 \
         WHERE id = ?1",
        params![id, origin_id, worktree_id, branch],
    )?;
    get_session(c, id)
}

/// The title of the session whose live sandbox is repository `repository_id`.
pub fn sandbox_holder(c: &Connection, repository_id: i64) -> Result<Option<String>> {
    Ok(c.query_row(
        "SELECT title FROM flow_sessions WHERE repository_id = ?1 AND sandbox_branch IS NOT NULL
         ORDER BY id LIMIT 1",
        [repository_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// Marks session `id` as a run of `recipe_id`, with the system prompt it runs with.
pub fn set_recipe(
    c: &Connection,
    id: i64,
    recipe_id: i64,
    system_prompt: Option<&str>,
) -> Result<FlowSession> {
    c.execute(
        "UPDATE flow_sessions SET recipe_id = ?2, system_prompt = ?3 WHERE id = ?1",
        params![id, recipe_id, system_prompt],
    )?;
    get_session(c, id)
}

/// Gives session `id` a system prompt of its own (None: the settings').
pub fn set_system_prompt(c: &Connection, id: i64, system_prompt: Option<&str>) -> Result<()> {
    c.execute(
        "UPDATE flow_sessions SET system_prompt = ?2 WHERE id = ?1",
        params![id, system_prompt],
    )?;
    Ok(())
}

/// The system prompt session `id` runs with, if it has its own.
pub fn system_prompt(c: &Connection, id: i64) -> Result<Option<String>> {
    Ok(c.query_row(
        "SELECT system_prompt FROM flow_sessions WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()?
    .flatten())
}

pub fn set_archived(c: &Connection, id: i64, archived: bool) -> Result<FlowSession> {
    c.execute(
        "UPDATE flow_sessions SET archived = ?2 WHERE id = ?1",
        params![id, archived],
    )?;
    get_session(c, id)
}

/// Messages and grants go with it (ON DELETE CASCADE).
pub fn delete_session(c: &Connection, id: i64) -> Result<()> {
    let n = c.execute("DELETE FROM flow_sessions WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(Error::NotFound(format!(
            "There is no session with id {id}."
        )));
    }
    Ok(())
}

fn touch(c: &Connection, session_id: i64) -> Result<()> {
    c.execute(
        "UPDATE flow_sessions SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
        [session_id],
    )?;
    Ok(())
}

/// Oldest first.
pub fn messages(c: &Connection, session_id: i64) -> Result<Vec<FlowMessage>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM flow_messages WHERE session_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([session_id], message_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get_message(c: &Connection, id: i64) -> Result<FlowMessage> {
    c.query_row(
        &format!("SELECT {MESSAGE_COLUMNS} FROM flow_messages WHERE id = ?1"),
        [id],
        message_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("There is no message with id {id}.")))
}

/// Inserts `m` (its id and created_at are ignored) and returns it as stored.
pub fn insert_message(c: &Connection, m: &FlowMessage) -> Result<FlowMessage> {
    c.execute(
        "INSERT INTO flow_messages (session_id, role, content, status, tool_calls, tool_call_id,
             tool_results, error, model, attachments)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            m.session_id,
            role_name(m.role),
            m.content,
            status_name(m.status),
            to_json(&m.tool_calls),
            m.tool_call_id,
            m.tool_result.as_ref().map(to_json),
            m.error,
            m.model,
            to_json(&m.attachments),
        ],
    )?;
    let id = c.last_insert_rowid();
    touch(c, m.session_id)?;
    get_message(c, id)
}

/// Keeps the bytes of message `message_id`'s attachments, in order.
pub fn insert_attachments(c: &Connection, message_id: i64, files: &[Vec<u8>]) -> Result<()> {
    let mut stmt = c.prepare_cached(
        "INSERT INTO flow_attachments (message_id, idx, data) VALUES (?1, ?2, ?3)",
    )?;
    for (i, data) in files.iter().enumerate() {
        stmt.execute(params![message_id, i as i64, data])?;
    }
    Ok(())
}

/// Gives message `to` the attachment bytes of message `from` (a fork's copy).
pub fn copy_attachments(c: &Connection, from: i64, to: i64) -> Result<()> {
    c.execute(
        "INSERT INTO flow_attachments (message_id, idx, data)
         SELECT ?2, idx, data FROM flow_attachments WHERE message_id = ?1",
        params![from, to],
    )?;
    Ok(())
}

/// The bytes of attachment `index` of message `message_id`.
pub fn attachment(c: &Connection, message_id: i64, index: u32) -> Result<Option<Vec<u8>>> {
    Ok(c.query_row(
        "SELECT data FROM flow_attachments WHERE message_id = ?1 AND idx = ?2",
        params![message_id, index],
        |r| r.get(0),
    )
    .optional()?)
}

/// The bytes of every attachment of session `session_id`'s messages, by
/// message, in order.
pub fn session_attachments(
    c: &Connection,
    session_id: i64,
) -> Result<std::collections::HashMap<i64, Vec<Vec<u8>>>> {
    let mut stmt = c.prepare_cached(
        "SELECT a.message_id, a.data FROM flow_attachments a
         JOIN flow_messages m ON m.id = a.message_id
         WHERE m.session_id = ?1 ORDER BY a.message_id, a.idx",
    )?;
    let mut out: std::collections::HashMap<i64, Vec<Vec<u8>>> = Default::default();
    let rows = stmt.query_map([session_id], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?;
    for row in rows {
        let (id, data) = row?;
        out.entry(id).or_default().push(data);
    }
    Ok(out)
}

/// Writes the changeable parts of `m` (content, status, calls, result, error, model).
pub fn update_message(c: &Connection, m: &FlowMessage) -> Result<FlowMessage> {
    c.execute(
        "UPDATE flow_messages SET content = ?2, status = ?3, tool_calls = ?4, tool_results = ?5,
             error = ?6, model = ?7, input_tokens = ?8, output_tokens = ?9, cost = ?10
         WHERE id = ?1",
        params![
            m.id,
            m.content,
            status_name(m.status),
            to_json(&m.tool_calls),
            m.tool_result.as_ref().map(to_json),
            m.error,
            m.model,
            m.usage.map(|u| u.input_tokens as i64),
            m.usage.map(|u| u.output_tokens as i64),
            m.usage.and_then(|u| u.cost),
        ],
    )?;
    touch(c, m.session_id)?;
    get_message(c, m.id)
}

/// Drops every message of the session after `id`.
pub fn delete_messages_after(c: &Connection, session_id: i64, id: i64) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM flow_messages WHERE session_id = ?1 AND id > ?2",
        params![session_id, id],
    )?)
}

/// What an app that stopped mid-answer left: streaming messages become
/// errors and running calls cancelled. Returns how many messages changed.
pub fn settle_interrupted(c: &Connection) -> Result<usize> {
    let mut stmt = c.prepare(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM flow_messages WHERE status = 'streaming'
             OR (role = 'assistant' AND tool_calls LIKE '%\"running\"%')"
    ))?;
    let found: Vec<FlowMessage> = stmt
        .query_map([], message_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = 0;
    for mut m in found {
        let mut touched = false;
        if m.status == MessageStatus::Streaming {
            m.status = MessageStatus::Error;
            m.error = Some("The app stopped before this answer was finished.".into());
            touched = true;
        }
        for call in &mut m.tool_calls {
            if matches!(call.status, ai_desktop_api::flow::ToolCallStatus::Running) {
                call.status = ai_desktop_api::flow::ToolCallStatus::Cancelled;
                call.error = Some("The app stopped while this call ran.".into());
                touched = true;
            }
        }
        if touched {
            update_message(c, &m)?;
            changed += 1;
        }
    }
    Ok(changed)
}

pub fn grants(c: &Connection, session_id: i64) -> Result<Vec<ToolGrant>> {
    let mut stmt = c.prepare_cached(
        "SELECT g.server_id, s.name, g.tool, g.created_at FROM flow_tool_grants g
             LEFT JOIN mcp_servers s ON s.id = g.server_id
         WHERE g.session_id = ?1
         UNION ALL
         SELECT 0, 'repository', b.tool, b.created_at FROM flow_builtin_grants b
         WHERE b.session_id = ?1
         ORDER BY 2, 3",
    )?;
    let rows = stmt.query_map([session_id], |r| {
        Ok(ToolGrant {
            server_id: r.get(0)?,
            server_name: r.get(1)?,
            tool: r.get(2)?,
            created_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The fingerprint the tool had when it was allowed, if it was
/// (`BUILTIN_SERVER`: a repository tool).
pub fn grant_fingerprint(
    c: &Connection,
    session_id: i64,
    server_id: i64,
    tool: &str,
) -> Result<Option<String>> {
    let found = if server_id == BUILTIN_SERVER {
        c.query_row(
            "SELECT fingerprint FROM flow_builtin_grants WHERE session_id = ?1 AND tool = ?2",
            params![session_id, tool],
            |r| r.get(0),
        )
    } else {
        c.query_row(
            "SELECT fingerprint FROM flow_tool_grants
                 WHERE session_id = ?1 AND server_id = ?2 AND tool = ?3",
            params![session_id, server_id, tool],
            |r| r.get(0),
        )
    };
    Ok(found.optional()?)
}

pub fn grant(
    c: &Connection,
    session_id: i64,
    server_id: i64,
    tool: &str,
    fingerprint: &str,
) -> Result<()> {
    if server_id == BUILTIN_SERVER {
        c.execute(
            "INSERT INTO flow_builtin_grants (session_id, tool, fingerprint) VALUES (?1, ?2, ?3)
             ON CONFLICT (session_id, tool) DO UPDATE SET fingerprint = excluded.fingerprint,
                 created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            params![session_id, tool, fingerprint],
        )?;
        return Ok(());
    }
    c.execute(
        "INSERT INTO flow_tool_grants (session_id, server_id, tool, fingerprint)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (session_id, server_id, tool) DO UPDATE SET fingerprint = excluded.fingerprint,
             created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        params![session_id, server_id, tool, fingerprint],
    )?;
    Ok(())
}

/// Drops every session's grants for one server (it became another program).
pub fn revoke_server(c: &Connection, server_id: i64) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM flow_tool_grants WHERE server_id = ?1",
        [server_id],
    )?)
}

pub fn revoke(c: &Connection, session_id: i64, server_id: i64, tool: &str) -> Result<()> {
    let n = if server_id == BUILTIN_SERVER {
        c.execute(
            "DELETE FROM flow_builtin_grants WHERE session_id = ?1 AND tool = ?2",
            params![session_id, tool],
        )?
    } else {
        c.execute(
            "DELETE FROM flow_tool_grants WHERE session_id = ?1 AND server_id = ?2 AND tool = ?3",
            params![session_id, server_id, tool],
        )?
    };
    if n == 0 {
        return Err(Error::NotFound(format!(
            "\"{tool}\" was not allowed in this session."
        )));
    }
    Ok(())
}

/// A change the agent made to a file, as stored.
pub struct CheckpointRow {
    pub id: i64,
    pub repository_id: i64,
    pub path: String,
    pub before: Option<Vec<u8>>,
    pub after: Vec<u8>,
}

/// What a file change the agent made needs to be undone.
pub struct NewCheckpoint<'a> {
    pub session_id: i64,
    pub message_id: i64,
    pub call_id: &'a str,
    pub repository_id: i64,
    pub path: &'a str,
    pub before: Option<&'a [u8]>,
    pub after: &'a [u8],
}

pub fn insert_checkpoint(c: &Connection, n: &NewCheckpoint<'_>) -> Result<i64> {
    c.execute(
        "INSERT INTO flow_checkpoints (session_id, message_id, call_id, repository_id, path, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            n.session_id,
            n.message_id,
            n.call_id,
            n.repository_id,
            n.path,
            n.before,
            n.after
        ],
    )?;
    Ok(c.last_insert_rowid())
}

/// Oldest first.
pub fn checkpoints(c: &Connection, session_id: i64) -> Result<Vec<FlowCheckpoint>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, session_id, message_id, call_id, path, before IS NULL, created_at
         FROM flow_checkpoints WHERE session_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([session_id], |r| {
        Ok(FlowCheckpoint {
            id: r.get(0)?,
            session_id: r.get(1)?,
            message_id: r.get(2)?,
            call_id: r.get(3)?,
            path: r.get(4)?,
            created: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The session's changes from checkpoint `from` on, oldest first, with
/// their bytes.
pub fn checkpoints_from(c: &Connection, session_id: i64, from: i64) -> Result<Vec<CheckpointRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, repository_id, path, before, after FROM flow_checkpoints
         WHERE session_id = ?1 AND id >= ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![session_id, from], |r| {
        Ok(CheckpointRow {
            id: r.get(0)?,
            repository_id: r.get(1)?,
            path: r.get(2)?,
            before: r.get(3)?,
            after: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets the session's changes from checkpoint `from` on (they were undone).
pub fn delete_checkpoints_from(c: &Connection, session_id: i64, from: i64) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM flow_checkpoints WHERE session_id = ?1 AND id >= ?2",
        params![session_id, from],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn search_finds_titles_and_message_text_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        store
            .with(|c| {
                let a = insert_session(c, "Deploy plan", None, &[])?;
                let b = insert_session(c, "Other", None, &[])?;
                insert_session(c, "100% done", None, &[])?;
                let mut m = FlowMessage {
                    id: 0,
                    session_id: b.id,
                    role: FlowRole::User,
                    content: "how do I rotate the redis password?".into(),
                    status: MessageStatus::Done,
                    tool_calls: Vec::new(),
                    tool_call_id: None,
                    tool_result: None,
                    error: None,
                    model: None,
                    usage: None,
                    created_at: String::new(),
                    attachments: Vec::new(),
                };
                m = insert_message(c, &m)?;
                let titles = |q: &str| -> Result<Vec<String>> {
                    Ok(list_sessions(c, false, Some(q))?
                        .into_iter()
                        .map(|s| s.title)
                        .collect())
                };
                assert_eq!(titles("deploy")?, vec!["Deploy plan"]);
                assert_eq!(titles("REDIS")?, vec!["Other"]);
                assert_eq!(titles("%")?, vec!["100% done"]);
                assert!(titles("nothing like it")?.is_empty());
                assert_eq!(list_sessions(c, false, None)?.len(), 3);
                let other = get_session(c, b.id)?;
                assert_eq!(other.message_count, 1);
                assert_eq!(other.preview.as_deref(), Some(m.content.as_str()));
                set_archived(c, a.id, true)?;
                assert_eq!(list_sessions(c, true, None)?.len(), 1);
                Ok(())
            })
            .unwrap();
    }
}
