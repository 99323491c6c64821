//! Queries on `deployments`. Rows come back with their live fields (status,
//! pids, metrics) at rest; the deployments module fills them from PM2.

use crate::error::{Error, Result};
use ai_desktop_api::deployments::{
    DeployMode, DeployOutcome, DeployRun, Deployment, DeploymentStatus, HealthCheck,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::BTreeMap;

const COLUMNS: &str = "d.id, d.repository_id, r.name, d.name, d.domain, d.port, d.mode, \
     d.instances, d.env, d.start_command, d.created_at, d.updated_at, d.pm2_name, \
     d.build_command, d.health_check, d.depends_on, d.release_commit, d.pm2_options, \
     d.auto_deploy_branch";

/// The fields the deployments module writes.
#[derive(Debug, Clone)]
pub struct DeploymentRecord {
    pub repository_id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub port: u16,
    pub mode: DeployMode,
    pub instances: u32,
    pub env: BTreeMap<String, String>,
    pub start_command: String,
    pub build_command: Option<String>,
    pub health_check: Option<HealthCheck>,
    pub depends_on: Vec<i64>,
    pub pm2_options: ai_desktop_api::deployments::Pm2Options,
    pub auto_deploy_branch: Option<String>,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Deployment> {
    let id: i64 = row.get(0)?;
    let name: String = row.get(3)?;
    let port: i64 = row.get(5)?;
    let mode: String = row.get(6)?;
    let instances: i64 = row.get(7)?;
    let env: String = row.get(8)?;
    Ok(Deployment {
        id,
        repository_id: row.get(1)?,
        repository_name: row.get(2)?,
        // Fixed at creation; rows from before V6 get theirs when the store opens.
        pm2_name: row
            .get::<_, Option<String>>(12)?
            .unwrap_or_else(|| pm2_name(id, &name)),
        name,
        domain: row.get(4)?,
        url: None,
        port: u16::try_from(port).unwrap_or(0),
        mode: DeployMode::parse(&mode).unwrap_or_default(),
        instances: u32::try_from(instances).unwrap_or(1),
        env: serde_json::from_str(&env).unwrap_or_default(),
        start_command: row.get(9)?,
        status: DeploymentStatus::Stopped,
        pids: Vec::new(),
        cpu: 0.0,
        memory: 0,
        started_at: None,
        restarts: 0,
        error: None,
        build_command: row.get(13)?,
        health_check: row
            .get::<_, Option<String>>(14)?
            .and_then(|t| serde_json::from_str(&t).ok()),
        health: None,
        depends_on: serde_json::from_str(&row.get::<_, String>(15)?).unwrap_or_default(),
        release_commit: row.get(16)?,
        pm2_options: serde_json::from_str(&row.get::<_, String>(17)?).unwrap_or_default(),
        auto_deploy_branch: row.get(18)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}

/// `deploy-{id}-{name}`, the name reduced to characters PM2 and file names
/// take literally (letters, digits, `-`, `_`).
pub fn pm2_name(id: i64, name: &str) -> String {
    let mut slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while slug.contains("--") {
        slug = slug.replace("--", "-");
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        format!("deploy-{id}")
    } else {
        format!("deploy-{id}-{slug}")
    }
}

fn map_write_error(e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let msg = msg.clone().unwrap_or_default();
            if msg.contains("FOREIGN KEY") {
                Error::NotFound("That repository is not registered.".into())
            } else if msg.contains("deployments.name") {
                Error::Conflict("Another deployment already has that name.".into())
            } else {
                Error::InvalidInput(format!("The deployment was refused ({msg})."))
            }
        }
        _ => e.into(),
    }
}

/// Whether any deployment exists.
pub fn any(c: &Connection) -> Result<bool> {
    Ok(
        c.query_row("SELECT EXISTS (SELECT 1 FROM deployments)", [], |r| {
            r.get(0)
        })?,
    )
}

pub fn list(c: &Connection) -> Result<Vec<Deployment>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM deployments d JOIN repositories r ON r.id = d.repository_id
         ORDER BY d.name, d.id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, id: i64) -> Result<Option<Deployment>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM deployments d JOIN repositories r ON r.id = d.repository_id
         WHERE d.id = ?1"
    ))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

pub fn name_taken(c: &Connection, name: &str, except: Option<i64>) -> Result<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM deployments WHERE name = ?1 COLLATE NOCASE AND id IS NOT ?2)",
        params![name, except],
        |r| r.get(0),
    )?)
}

/// Ports other deployments hold.
pub fn ports(c: &Connection, except: Option<i64>) -> Result<Vec<u16>> {
    let mut stmt = c.prepare_cached("SELECT port FROM deployments WHERE id IS NOT ?1")?;
    let rows = stmt.query_map([except], |r| r.get::<_, i64>(0))?;
    Ok(rows
        .filter_map(|p| p.ok().and_then(|p| u16::try_from(p).ok()))
        .collect())
}

pub fn insert(c: &Connection, d: &DeploymentRecord) -> Result<Deployment> {
    // Row and process name together, or neither.
    let tx = c.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO deployments (repository_id, name, domain, port, mode, instances, env,
                                  start_command, build_command, health_check, depends_on,
                                  pm2_options, auto_deploy_branch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            d.repository_id,
            d.name,
            d.domain,
            d.port,
            d.mode.as_str(),
            d.instances,
            serde_json::to_string(&d.env).unwrap_or_else(|_| "{}".into()),
            d.start_command,
            d.build_command,
            health_json(d),
            depends_json(d),
            options_json(d),
            d.auto_deploy_branch,
        ],
    )
    .map_err(map_write_error)?;
    let id = tx.last_insert_rowid();
    // The process name is the deployment's for good: a rename keeps it.
    tx.execute(
        "UPDATE deployments SET pm2_name = ?2 WHERE id = ?1",
        params![id, pm2_name(id, &d.name)],
    )?;
    tx.commit()?;
    get(c, id)?.ok_or_else(|| Error::NotFound("The new deployment vanished.".into()))
}

/// Gives rows written before PM2 names were stored the name their process
/// runs under (derived from their name, as it was then).
pub fn fill_missing_pm2_names(c: &Connection) -> Result<usize> {
    let mut stmt = c.prepare("SELECT id, name FROM deployments WHERE pm2_name IS NULL")?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name) in &rows {
        c.execute(
            "UPDATE deployments SET pm2_name = ?2 WHERE id = ?1 AND pm2_name IS NULL",
            params![id, pm2_name(*id, name)],
        )?;
    }
    Ok(rows.len())
}

pub fn update(c: &Connection, id: i64, d: &DeploymentRecord) -> Result<Option<Deployment>> {
    let changed = c
        .execute(
            "UPDATE deployments SET repository_id = ?2, name = ?3, domain = ?4, port = ?5,
                    mode = ?6, instances = ?7, env = ?8, start_command = ?9,
                    build_command = ?10, health_check = ?11, depends_on = ?12, pm2_options = ?13,
                    auto_deploy_branch = ?14,
                    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
            params![
                id,
                d.repository_id,
                d.name,
                d.domain,
                d.port,
                d.mode.as_str(),
                d.instances,
                serde_json::to_string(&d.env).unwrap_or_else(|_| "{}".into()),
                d.start_command,
                d.build_command,
                health_json(d),
                depends_json(d),
                options_json(d),
                d.auto_deploy_branch,
            ],
        )
        .map_err(map_write_error)?;
    if changed == 0 {
        return Ok(None);
    }
    get(c, id)
}

fn health_json(d: &DeploymentRecord) -> Option<String> {
    d.health_check
        .as_ref()
        .and_then(|h| serde_json::to_string(h).ok())
}

fn options_json(d: &DeploymentRecord) -> String {
    serde_json::to_string(&d.pm2_options).unwrap_or_else(|_| "{}".into())
}

fn depends_json(d: &DeploymentRecord) -> String {
    serde_json::to_string(&d.depends_on).unwrap_or_else(|_| "[]".into())
}

/// Pins it to a commit (a clean checkout in the data folder) or back to the
/// working tree (None).
pub fn set_release(c: &Connection, id: i64, commit: Option<&str>) -> Result<()> {
    c.execute(
        "UPDATE deployments SET release_commit = ?2 WHERE id = ?1",
        params![id, commit],
    )?;
    Ok(())
}

/// Deploys kept per deployment.
pub const RUNS_KEPT: i64 = 100;

const RUN_COLUMNS: &str = "id, deployment_id, commit_id, commit_summary, branch, source, \
     start_command, build_command, env_names, outcome, message, started_at, finished_at";

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<DeployRun> {
    let source: String = row.get(5)?;
    let outcome: String = row.get(9)?;
    Ok(DeployRun {
        id: row.get(0)?,
        deployment_id: row.get(1)?,
        commit_id: row.get(2)?,
        commit_summary: row.get(3)?,
        branch: row.get(4)?,
        source: serde_json::from_value(source.into()).unwrap_or_default(),
        start_command: row.get(6)?,
        build_command: row.get(7)?,
        env_names: serde_json::from_str(&row.get::<_, String>(8)?).unwrap_or_default(),
        outcome: serde_json::from_value(outcome.into()).unwrap_or_default(),
        message: row.get(10)?,
        started_at: row.get(11)?,
        finished_at: row.get(12)?,
    })
}

fn wire<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Records a deploy that begins (outcome `running`); older runs beyond
/// [`RUNS_KEPT`] are let go.
pub fn insert_run(c: &Connection, run: &DeployRun) -> Result<DeployRun> {
    let tx = c.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO deploy_runs (deployment_id, commit_id, commit_summary, branch, source,
                                  start_command, build_command, env_names, outcome, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            run.deployment_id,
            run.commit_id,
            run.commit_summary,
            run.branch,
            wire(run.source),
            run.start_command,
            run.build_command,
            serde_json::to_string(&run.env_names).unwrap_or_else(|_| "[]".into()),
            wire(run.outcome),
            run.message,
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "DELETE FROM deploy_runs WHERE deployment_id = ?1 AND id NOT IN
           (SELECT id FROM deploy_runs WHERE deployment_id = ?1 ORDER BY id DESC LIMIT ?2)",
        params![run.deployment_id, RUNS_KEPT],
    )?;
    tx.commit()?;
    run_by_id(c, id)
}

fn run_by_id(c: &Connection, id: i64) -> Result<DeployRun> {
    c.query_row(
        &format!("SELECT {RUN_COLUMNS} FROM deploy_runs WHERE id = ?1"),
        [id],
        run_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("There is no deploy with id {id}.")))
}

/// Ends a run with its outcome.
pub fn finish_run(
    c: &Connection,
    id: i64,
    outcome: DeployOutcome,
    message: Option<&str>,
) -> Result<DeployRun> {
    c.execute(
        "UPDATE deploy_runs SET outcome = ?2, message = ?3,
                finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        params![id, wire(outcome), message],
    )?;
    run_by_id(c, id)
}

/// Runs left `running` by an app that stopped mid-deploy end as failed.
pub fn end_interrupted_runs(c: &Connection) -> Result<usize> {
    Ok(c.execute(
        "UPDATE deploy_runs SET outcome = 'start_failed',
                message = 'The app stopped during this deploy.',
                finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE outcome = 'running'",
        [],
    )?)
}

/// A deployment's runs, newest first.
pub fn runs(c: &Connection, deployment_id: i64) -> Result<Vec<DeployRun>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM deploy_runs WHERE deployment_id = ?1 ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([deployment_id], run_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn delete(c: &Connection, id: i64) -> Result<bool> {
    Ok(c.execute("DELETE FROM deployments WHERE id = ?1", [id])? > 0)
}

#[cfg(test)]
mod tests {
    use super::pm2_name;

    #[test]
    fn pm2_names_carry_nothing_a_shell_or_pm2_would_read() {
        assert_eq!(pm2_name(3, "shop api"), "deploy-3-shop-api");
        assert_eq!(pm2_name(4, "app; rm -rf ~ && $(x)"), "deploy-4-app-rm-rf-x");
        assert_eq!(pm2_name(5, "ünïcode"), "deploy-5-n-code");
        assert_eq!(pm2_name(6, "$$$"), "deploy-6");
    }
}
