//! Queries on `flow_recipes`.

use crate::error::{Error, Result};
use ai_desktop_api::flow::{FlowRecipe, FlowRecipeInput, RecipeTrigger};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "f.id, f.name, f.prompt, f.system_prompt, f.model, f.repository_id, \
     (SELECT r.name FROM repositories r WHERE r.id = f.repository_id), f.mcp_server_ids, \
     f.mcp_profile, f.trigger, f.deployment_id, \
     (SELECT d.name FROM deployments d WHERE d.id = f.deployment_id), \
     (SELECT count(*) FROM flow_sessions s WHERE s.recipe_id = f.id), \
     (SELECT max(s.created_at) FROM flow_sessions s WHERE s.recipe_id = f.id), \
     f.created_at, f.updated_at, f.every_minutes, f.branch, f.sandbox";

fn from_row(row: &Row<'_>) -> rusqlite::Result<FlowRecipe> {
    let ids: String = row.get(7)?;
    let trigger: String = row.get(9)?;
    Ok(FlowRecipe {
        id: row.get(0)?,
        name: row.get(1)?,
        prompt: row.get(2)?,
        system_prompt: row.get(3)?,
        model: row.get(4)?,
        repository_id: row.get(5)?,
        repository_name: row.get(6)?,
        mcp_server_ids: serde_json::from_str(&ids).unwrap_or_default(),
        mcp_profile: row.get(8)?,
        trigger: RecipeTrigger::ALL
            .into_iter()
            .find(|t| t.as_str() == trigger)
            .unwrap_or_default(),
        deployment_id: row.get(10)?,
        deployment_name: row.get(11)?,
        runs: row.get(12)?,
        last_run_at: row.get(13)?,
        created_at: row.get(14)?,
        updated_at: row.get(15)?,
        every_minutes: row.get(16)?,
        branch: row.get(17)?,
        sandbox: row.get(18)?,
    })
}

pub fn list(c: &Connection) -> Result<Vec<FlowRecipe>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM flow_recipes f ORDER BY f.name COLLATE NOCASE, f.id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, id: i64) -> Result<FlowRecipe> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM flow_recipes f WHERE f.id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("There is no recipe with id {id}.")))
}

/// Inserts (`id` None) or updates a checked input; a taken name is a conflict.
pub fn save(c: &Connection, id: Option<i64>, r: &FlowRecipeInput) -> Result<FlowRecipe> {
    let taken: Option<i64> = c
        .query_row(
            "SELECT id FROM flow_recipes WHERE name = ?1 AND (?2 IS NULL OR id <> ?2)",
            params![r.name, id],
            |row| row.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(Error::Conflict(format!(
            "A recipe named \"{}\" exists already.",
            r.name
        )));
    }
    let ids = serde_json::to_string(&r.mcp_server_ids).unwrap_or_else(|_| "[]".into());
    if let Some(id) = id {
        get(c, id)?;
    }
    // One statement for both: a new row (id NULL), or the existing one changed.
    c.execute(
        "INSERT INTO flow_recipes (name, prompt, system_prompt, model, repository_id,
             mcp_server_ids, mcp_profile, trigger, deployment_id, id, every_minutes, branch,
             sandbox)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, prompt = excluded.prompt,
             system_prompt = excluded.system_prompt, model = excluded.model,
             repository_id = excluded.repository_id, mcp_server_ids = excluded.mcp_server_ids,
             mcp_profile = excluded.mcp_profile, trigger = excluded.trigger,
             deployment_id = excluded.deployment_id, every_minutes = excluded.every_minutes,
             branch = excluded.branch, sandbox = excluded.sandbox,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        params![
            r.name,
            r.prompt,
            r.system_prompt,
            r.model,
            r.repository_id,
            ids,
            r.mcp_profile,
            r.trigger.as_str(),
            r.deployment_id,
            id,
            r.every_minutes,
            r.branch,
            r.sandbox,
        ],
    )?;
    let id = id.unwrap_or_else(|| c.last_insert_rowid());
    get(c, id)
}

/// Its sessions stay (their `recipe_id` is cleared).
pub fn delete(c: &Connection, id: i64) -> Result<()> {
    if c.execute("DELETE FROM flow_recipes WHERE id = ?1", [id])? == 0 {
        return Err(Error::NotFound(format!("There is no recipe with id {id}.")));
    }
    Ok(())
}

/// Crash-triggered recipes that fire for `deployment_id` of `repository_id`.
pub fn on_crash(c: &Connection, repository_id: i64, deployment_id: i64) -> Result<Vec<FlowRecipe>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM flow_recipes f WHERE f.trigger = 'deployment_errored'
           AND f.repository_id = ?1 AND (f.deployment_id IS NULL OR f.deployment_id = ?2)
         ORDER BY f.id"
    ))?;
    let rows = stmt.query_map(params![repository_id, deployment_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Scheduled recipes and the seconds until each is due (negative: overdue):
/// its interval after its newest run, or after it was saved if it never ran
/// (a changed schedule counts from the change).
pub fn schedule(c: &Connection) -> Result<Vec<(i64, f64)>> {
    let mut stmt = c.prepare_cached(
        "SELECT f.id, f.every_minutes * 60.0 - (julianday('now') - julianday(max(f.updated_at,
             coalesce((SELECT max(s.created_at) FROM flow_sessions s WHERE s.recipe_id = f.id), ''))))
             * 86400.0
         FROM flow_recipes f WHERE f.trigger = 'schedule' AND f.every_minutes > 0 ORDER BY f.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Push-triggered recipes of `repository_id` that fire for `branch`.
pub fn on_push(c: &Connection, repository_id: i64, branch: &str) -> Result<Vec<FlowRecipe>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM flow_recipes f WHERE f.trigger = 'push'
           AND f.repository_id = ?1 AND (f.branch IS NULL OR f.branch = ?2)
         ORDER BY f.id"
    ))?;
    let rows = stmt.query_map(params![repository_id, branch], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
