//! Clones, backups and restores of service instances.
//!
//! - **Clone**: a new instance (its own container, port and volume, the
//!   source's password, which its data carries) whose volume is a copy of
//!   the source's, made through Docker's archive endpoints (ownership kept)
//!   while the source is stopped for a consistent copy, then started again.
//! - **Backup**: PostgreSQL `pg_dump -Fc` of one database, run inside the
//!   container; Redis `SAVE`, then its `dump.rdb` copied out. Written to a
//!   container; MySQL / MariaDB `mysqldump` / `mariadb-dump` of one database
//!   (SQL, one transaction); Redis and Valkey `SAVE`, then the `dump.rdb`
//!   copied out. Written to a
//!   temporary file next to the target, renamed into place when complete
//!   (0600: it is the data), so a failed backup leaves no half file.
//! - **Restore**: never over what exists unless asked. PostgreSQL restores
//!   into a new database (`pg_restore` fed the file); *replace* restores
//!   into a new one too and only then swaps it in, keeping the replaced one
//!   renamed. MySQL / MariaDB restore into a new database only (they cannot
//!   rename one to swap it in). Redis restores into a new instance started
//!   from the RDB file.
//!   A failed restore removes what it made and leaves the original as it was.

use super::state::ServiceRecord;
use super::{catalog, container_body, tarball, ServiceManager};
use crate::error::{Error, Result};
use crate::store;
use ai_desktop_api::services::{
    BackupReport, InstalledService, RestoreMode, RestoreReport, ServiceKind, ServiceState,
};
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, DownloadFromContainerOptions, RemoveContainerOptionsBuilder,
    RemoveVolumeOptionsBuilder, StopContainerOptionsBuilder, UploadToContainerOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Output of an exec kept for its error message.
const STDERR_KEPT: usize = 16 * 1024;
/// Progress is told at most this often.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Tells how many bytes a backup wrote or a restore fed, a few times a
/// second (set for one operation with [`ServiceManager::backup_with`] /
/// [`ServiceManager::restore_with`]; the execs of that operation read it).
#[derive(Clone)]
struct Meter {
    report: std::sync::Arc<dyn Fn(ai_desktop_api::services::DataProgress) + Send + Sync>,
    last: std::sync::Arc<std::sync::Mutex<Option<Instant>>>,
    total: Option<u64>,
}

impl Meter {
    fn tick(&self, bytes: u64) {
        let mut last = crate::util::lock(&self.last);
        if last.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        (self.report)(ai_desktop_api::services::DataProgress {
            bytes,
            total: self.total,
        });
    }
}

tokio::task_local! {
    static METER: Meter;
}

impl ServiceManager {
    /// [`ServiceManager::backup`], telling `progress` the bytes written.
    pub async fn backup_with(
        &self,
        id: &str,
        path: &Path,
        database: Option<String>,
        progress: impl Fn(ai_desktop_api::services::DataProgress) + Send + Sync + 'static,
    ) -> Result<BackupReport> {
        let meter = Meter {
            report: std::sync::Arc::new(progress),
            last: Default::default(),
            total: None,
        };
        METER.scope(meter, self.backup(id, path, database)).await
    }

    /// [`ServiceManager::restore`], telling `progress` the bytes fed of the file's.
    pub async fn restore_with(
        &self,
        id: &str,
        path: &Path,
        mode: RestoreMode,
        database: Option<String>,
        name: Option<String>,
        progress: impl Fn(ai_desktop_api::services::DataProgress) + Send + Sync + 'static,
    ) -> Result<RestoreReport> {
        let meter = Meter {
            report: std::sync::Arc::new(progress),
            last: Default::default(),
            total: std::fs::metadata(path).ok().map(|m| m.len()),
        };
        METER
            .scope(meter, self.restore(id, path, mode, database, name))
            .await
    }

    /// A copy of instance `id` as a new instance.
    pub async fn clone_instance(&self, id: &str, name: Option<String>) -> Result<InstalledService> {
        let _op = self.op.lock().await;
        let docker = self.docker().await?;
        let mut file = self.state.load()?;
        let source = file
            .services
            .get(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(super::not_installed(id)))?;
        if !source.kind.keeps_data() {
            return Err(Error::InvalidInput(format!(
                "{} keeps nothing on disk, so there is nothing to clone; add another instance instead.",
                source.title()
            )));
        }
        let source_id = super::target(&source)?.to_string();
        let new_id = self.new_instance_id(&file, name, &format!("{id}-copy"))?;
        let was_running = docker
            .inspect_container(&source_id, None)
            .await
            .ok()
            .and_then(|c| c.state.and_then(|s| s.running))
            .unwrap_or(false);
        let record = self
            .create_instance(
                &docker,
                &mut file,
                &new_id,
                source.kind,
                &source.version,
                &source.image,
                &source.password,
            )
            .await?;
        if was_running {
            let options = StopContainerOptionsBuilder::new().t(10).build();
            if let Err(e) = docker.stop_container(&source_id, Some(options)).await {
                self.discard(&docker, &mut file, &record).await;
                return Err(Error::failed(
                    format!("Docker could not stop {} for the copy.", source.title()),
                    e,
                ));
            }
        }
        let copied = copy_data(&docker, &source_id, &record, source.kind).await;
        if was_running {
            if let Err(e) = docker.start_container(&source_id, None).await {
                log::warn!("clone: {} did not start again: {e}", source.title());
            }
        }
        if let Err(e) = copied {
            self.discard(&docker, &mut file, &record).await;
            return Err(e);
        }
        self.start_record(&docker, &record).await?;
        if was_running {
            self.wait_ready(source.kind, source.port, &source.password)
                .await?;
        }
        self.emit().await;
        Ok(self.describe(&docker, &record).await)
    }

    /// Writes a backup of instance `id` to `path`.
    pub async fn backup(
        &self,
        id: &str,
        path: &Path,
        database: Option<String>,
    ) -> Result<BackupReport> {
        let record = self.record(id).await?;
        let docker = self.docker().await?;
        let container = super::target(&record)?.to_string();
        self.running(&docker, &record, "back it up").await?;
        check_target_file(path)?;
        let partial = partial_path(path);
        let started = Instant::now();
        let result = async {
            let mut out = open_private(&partial).await?;
            let what = match record.kind {
                ServiceKind::Postgresql => {
                    let db = check_database(database.as_deref().unwrap_or("app"))?;
                    exec(
                        &docker,
                        &container,
                        &["pg_dump", "-U", "postgres", "-Fc", "-d", &db],
                        None,
                        Some(&mut out),
                    )
                    .await
                    .map_err(|e| Error::Failed {
                        message: format!("pg_dump of {db} in {} failed.", record.title()),
                        detail: Some(e),
                    })?;
                    format!("database {db} (pg_dump, custom format)")
                }
                kind @ (ServiceKind::Mysql | ServiceKind::Mariadb) => {
                    let (_, dump) = catalog::sql_programs(kind).unwrap_or(("", "mysqldump"));
                    let db = check_database(database.as_deref().unwrap_or("app"))?;
                    exec_env(
                        &docker,
                        &container,
                        &mysql_dump(dump, &db),
                        &[format!("MYSQL_PWD={}", record.password)],
                        None,
                        Some(&mut out),
                    )
                    .await
                    .map_err(|e| Error::Failed {
                        message: format!("{dump} of {db} in {} failed.", record.title()),
                        detail: Some(e),
                    })?;
                    format!("database {db} ({dump}, SQL)")
                }
                ServiceKind::Redis | ServiceKind::Valkey => {
                    // A snapshot of now: one Redis is already writing in the
                    // background (its own save policy, an AOF rewrite) is
                    // waited for, then SAVE asked again.
                    let deadline = Instant::now() + std::time::Duration::from_secs(600);
                    let port = self.reach.local_port(record.port).await?;
                    loop {
                        match catalog::redis_command(port, &record.password, &["SAVE"]).await {
                            Ok(()) => break,
                            Err(e) if e.contains("in progress") && Instant::now() < deadline => {
                                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                            }
                            Err(e) => {
                                return Err(Error::Failed {
                                    message: format!("{} did not save a snapshot.", record.title()),
                                    detail: Some(e),
                                })
                            }
                        }
                    }
                    let options = DownloadFromContainerOptions {
                        path: "/data/dump.rdb".into(),
                    };
                    let stream = docker.download_from_container(&container, Some(options));
                    tarball::first_file(stream, &mut out)
                        .await
                        .map_err(|e| Error::Failed {
                            message: format!("Could not copy {}'s snapshot out.", record.title()),
                            detail: Some(e),
                        })?;
                    "Redis RDB snapshot".to_string()
                }
                other => return Err(unsupported(other, "Backups")),
            };
            out.sync_all()
                .await
                .map_err(|e| Error::failed("Could not write the backup.", e))?;
            Ok(what)
        }
        .await;
        let what = match result {
            Ok(what) => what,
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(e);
            }
        };
        tokio::fs::rename(&partial, path)
            .await
            .map_err(|e| Error::failed(format!("Could not write {}.", path.display()), e))?;
        let bytes = tokio::fs::metadata(path)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        log::info!("backup of {} ({what}): {bytes} bytes", record.title());
        Ok(BackupReport {
            path: path.display().to_string(),
            bytes,
            millis: started.elapsed().as_millis() as u64,
            what,
        })
    }

    /// Restores the backup at `path` (see the module's documentation).
    pub async fn restore(
        &self,
        id: &str,
        path: &Path,
        mode: RestoreMode,
        database: Option<String>,
        name: Option<String>,
    ) -> Result<RestoreReport> {
        let record = self.record(id).await?;
        let meta = tokio::fs::metadata(path).await.map_err(|e| {
            Error::InvalidInput(format!("Cannot read the backup {}: {e}", path.display()))
        })?;
        if !meta.is_file() {
            return Err(Error::InvalidInput(format!(
                "{} is not a file.",
                path.display()
            )));
        }
        let started = Instant::now();
        let docker = self.docker().await?;
        let (target, message) = match record.kind {
            ServiceKind::Postgresql => {
                self.running(&docker, &record, "restore into it").await?;
                self.restore_postgres(&docker, &record, path, mode, database, name)
                    .await?
            }
            ServiceKind::Mysql | ServiceKind::Mariadb => {
                if mode == RestoreMode::Replace {
                    return Err(Error::InvalidInput(format!(
                        "{} cannot rename a database to swap a restored one in: the backup is \
                         restored into a new database, and the one there is left as it is.",
                        record.kind.label()
                    )));
                }
                self.running(&docker, &record, "restore into it").await?;
                self.restore_sql(&docker, &record, path, database, name)
                    .await?
            }
            ServiceKind::Redis | ServiceKind::Valkey => {
                if mode == RestoreMode::Replace {
                    return Err(Error::InvalidInput(format!(
                        "A {} snapshot is restored into a new instance; the running one is left \
                         as it is.",
                        record.kind.label()
                    )));
                }
                self.restore_redis(&docker, &record, path, name).await?
            }
            other => return Err(unsupported(other, "Restores")),
        };
        self.emit().await;
        Ok(RestoreReport {
            target,
            bytes: meta.len(),
            millis: started.elapsed().as_millis() as u64,
            message,
        })
    }

    /// The databases of a PostgreSQL instance (not the templates), or of a
    /// MySQL / MariaDB one (not the system's).
    pub async fn databases(&self, id: &str) -> Result<Vec<String>> {
        let record = self.record(id).await?;
        if record.kind.is_mysql_like() {
            let docker = self.docker().await?;
            self.running(&docker, &record, "list its databases").await?;
            return sql(&docker, &record, "SHOW DATABASES", None)
                .await
                .map(|out| {
                    out.lines()
                        .filter(|d| {
                            !matches!(
                                *d,
                                "information_schema" | "performance_schema" | "mysql" | "sys"
                            )
                        })
                        .map(str::to_string)
                        .collect()
                })
                .map_err(|e| Error::Failed {
                    message: format!("Could not list the databases of {}.", record.title()),
                    detail: Some(e),
                });
        }
        if record.kind != ServiceKind::Postgresql {
            return Err(Error::InvalidInput(format!(
                "{} has no databases to list.",
                record.title()
            )));
        }
        let docker = self.docker().await?;
        self.running(&docker, &record, "list its databases").await?;
        psql(
            &docker,
            super::target(&record)?,
            "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1",
        )
        .await
        .map(|out| out.lines().map(str::to_string).collect())
        .map_err(|e| Error::Failed {
            message: format!("Could not list the databases of {}.", record.title()),
            detail: Some(e),
        })
    }

    async fn restore_postgres(
        &self,
        docker: &Docker,
        record: &ServiceRecord,
        path: &Path,
        mode: RestoreMode,
        database: Option<String>,
        name: Option<String>,
    ) -> Result<(String, String)> {
        let container = super::target(record)?.to_string();
        let source_db = check_database(database.as_deref().unwrap_or("app"))?;
        let existing = self.databases(&record.id).await?;
        let name = if mode == RestoreMode::Fresh {
            name
        } else {
            None
        };
        let suffix = match mode {
            RestoreMode::Fresh => "restored",
            RestoreMode::Replace => "restoring",
        };
        let fresh = new_database_name(record, &existing, &source_db, name, suffix)?;
        exec(
            docker,
            &container,
            &["createdb", "-U", "postgres", &fresh],
            None,
            None,
        )
        .await
        .map_err(|e| Error::Failed {
            message: format!("Could not create the database {fresh}."),
            detail: Some(e),
        })?;
        let restored = exec(
            docker,
            &container,
            &[
                "pg_restore",
                "-U",
                "postgres",
                "--no-owner",
                "--exit-on-error",
                "-d",
                &fresh,
            ],
            Some(path),
            None,
        )
        .await;
        if let Err(e) = restored {
            let _ = exec(
                docker,
                &container,
                &["dropdb", "-U", "postgres", "--if-exists", &fresh],
                None,
                None,
            )
            .await;
            return Err(Error::Failed {
                message: format!(
                    "The restore failed; nothing that existed was changed ({} was removed again).",
                    fresh
                ),
                detail: Some(e),
            });
        }
        if mode == RestoreMode::Fresh {
            return Ok((
                fresh.clone(),
                format!("Restored into the new database {fresh}; {source_db} is as it was."),
            ));
        }
        // Swapped in: the one it replaces is kept under another name.
        let kept = format!(
            "{source_db}_before_restore_{}",
            crate::store::now_rfc3339()
                .chars()
                .filter(char::is_ascii_digit)
                .take(14)
                .collect::<String>()
        );
        let had = existing.contains(&source_db);
        let sql = if had {
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{source_db}' AND pid <> pg_backend_pid(); \
                 ALTER DATABASE \"{source_db}\" RENAME TO \"{kept}\"; \
                 ALTER DATABASE \"{fresh}\" RENAME TO \"{source_db}\";"
            )
        } else {
            format!("ALTER DATABASE \"{fresh}\" RENAME TO \"{source_db}\";")
        };
        psql(docker, &container, &sql)
            .await
            .map_err(|e| Error::Failed {
                message: format!(
                    "The backup was restored into {fresh}, but it could not take the place of \
                     {source_db}; both are there as they are."
                ),
                detail: Some(e),
            })?;
        Ok((
            source_db.clone(),
            if had {
                format!(
                    "Restored in place of {source_db}; the database it replaced is kept as {kept}."
                )
            } else {
                format!("Restored as {source_db}.")
            },
        ))
    }

    /// A SQL dump fed to the client, into a new database (removed again if
    /// the restore fails).
    async fn restore_sql(
        &self,
        docker: &Docker,
        record: &ServiceRecord,
        path: &Path,
        database: Option<String>,
        name: Option<String>,
    ) -> Result<(String, String)> {
        let source_db = check_database(database.as_deref().unwrap_or("app"))?;
        let existing = self.databases(&record.id).await?;
        let fresh = new_database_name(record, &existing, &source_db, name, "restored")?;
        sql(docker, record, &format!("CREATE DATABASE `{fresh}`"), None)
            .await
            .map_err(|e| Error::Failed {
                message: format!("Could not create the database {fresh}."),
                detail: Some(e),
            })?;
        if let Err(e) = sql(docker, record, "", Some((&fresh, path))).await {
            let _ = sql(
                docker,
                record,
                &format!("DROP DATABASE IF EXISTS `{fresh}`"),
                None,
            )
            .await;
            return Err(Error::Failed {
                message: format!(
                    "The restore failed; nothing that existed was changed ({fresh} was removed again)."
                ),
                detail: Some(e),
            });
        }
        Ok((
            fresh.clone(),
            format!("Restored into the new database {fresh}; {source_db} is as it was."),
        ))
    }

    async fn restore_redis(
        &self,
        docker: &Docker,
        record: &ServiceRecord,
        path: &Path,
        name: Option<String>,
    ) -> Result<(String, String)> {
        let _op = self.op.lock().await;
        let mut file = self.state.load()?;
        let new_id = self.new_instance_id(&file, name, &format!("{}-restored", record.id))?;
        let password = crate::secrets::random_hex(16)?;
        let made = self
            .create_instance(
                docker,
                &mut file,
                &new_id,
                record.kind,
                &record.version,
                &record.image,
                &password,
            )
            .await?;
        let uploaded = async {
            let mut rdb = Vec::new();
            let mut f = tokio::fs::File::open(path)
                .await
                .map_err(|e| format!("reading the backup: {e}"))?;
            f.read_to_end(&mut rdb)
                .await
                .map_err(|e| format!("reading the backup: {e}"))?;
            if !rdb.starts_with(b"REDIS") {
                return Err(
                    "the file is not a Redis RDB snapshot (it does not start with REDIS)".into(),
                );
            }
            // With append-only persistence on (as the app runs Redis), Redis
            // 7 loads its AOF, not dump.rdb: the snapshot goes in as the AOF's
            // base file, named by a manifest, as Redis itself writes them.
            let manifest = b"file appendonly.aof.1.base.rdb seq 1 type b\n";
            let mut archive = Vec::with_capacity(rdb.len() * 2 + 8192);
            tarball::push_file(&mut archive, "dump.rdb", &rdb);
            archive.extend_from_slice(&tarball::folder("appendonlydir/", 0o755, 999, 999));
            tarball::push_file(
                &mut archive,
                "appendonlydir/appendonly.aof.1.base.rdb",
                &rdb,
            );
            tarball::push_file(
                &mut archive,
                "appendonlydir/appendonly.aof.manifest",
                manifest,
            );
            archive.extend_from_slice(&tarball::end());
            let options = UploadToContainerOptions {
                path: catalog::data_path(record.kind).into(),
                ..Default::default()
            };
            docker
                .upload_to_container(
                    super::target(&made).map_err(|e| e.to_string())?,
                    Some(options),
                    bollard::body_full(archive.into()),
                )
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        if let Err(e) = uploaded {
            self.discard(docker, &mut file, &made).await;
            return Err(Error::Failed {
                message: "Could not put the snapshot into the new instance; it was removed again."
                    .into(),
                detail: Some(e),
            });
        }
        if let Err(e) = self.start_record(docker, &made).await {
            self.discard(docker, &mut file, &made).await;
            return Err(e);
        }
        Ok((
            new_id.clone(),
            format!(
                "Restored into the new instance {new_id}; {} is as it was.",
                record.id
            ),
        ))
    }

    /// Fails unless the record's container runs.
    pub(super) async fn running(
        &self,
        docker: &Docker,
        record: &ServiceRecord,
        to: &str,
    ) -> Result<()> {
        let state = self.describe(docker, record).await.state;
        if state == ServiceState::Running {
            Ok(())
        } else {
            Err(Error::Conflict(format!(
                "{} is not running; start it to {to}.",
                record.title()
            )))
        }
    }

    /// `wanted`, or the first free of `base`, `base-2` …, checked.
    fn new_instance_id(
        &self,
        file: &super::state::ServicesState,
        wanted: Option<String>,
        base: &str,
    ) -> Result<String> {
        match wanted
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
        {
            Some(w) => {
                super::check_instance_id(&w)?;
                if file.services.contains_key(&w) {
                    return Err(Error::Conflict(format!(
                        "An instance named {w} already exists; pick another name."
                    )));
                }
                Ok(w)
            }
            None => std::iter::once(base.to_string())
                .chain((2..100).map(|n| format!("{base}-{n}")))
                .find(|c| !file.services.contains_key(c) && super::check_instance_id(c).is_ok())
                .ok_or_else(|| Error::Conflict("No free instance name is left.".into())),
        }
    }

    /// A new instance's volume and container (not started), recorded.
    #[allow(clippy::too_many_arguments)]
    async fn create_instance(
        &self,
        docker: &Docker,
        file: &mut super::state::ServicesState,
        id: &str,
        kind: ServiceKind,
        version: &str,
        image: &str,
        password: &str,
    ) -> Result<ServiceRecord> {
        let container = format!("{}-{id}", self.prefix);
        let volume = format!("{}-{id}-data", self.prefix);
        if docker.inspect_volume(&volume).await.is_ok() {
            return Err(Error::Conflict(format!(
                "A volume named {volume} already exists; pick another name."
            )));
        }
        let taken: Vec<u16> = file.services.values().map(|s| s.port).collect();
        let port = (catalog::entry(kind).default_port..=u16::MAX)
            .find(|p| !taken.contains(p) && self.reach.port_is_free(*p))
            .ok_or_else(|| Error::Conflict("No free port is left.".into()))?;
        let labels = super::labels_of(kind);
        self.create_volume(docker, &volume, &labels).await?;
        let body = container_body(kind, image, password, port, &volume, labels);
        let options = CreateContainerOptionsBuilder::new()
            .name(&container)
            .build();
        let created = match docker.create_container(Some(options), body).await {
            Ok(c) => c,
            Err(e) => {
                let _ = docker
                    .remove_volume(
                        &volume,
                        None::<bollard::query_parameters::RemoveVolumeOptions>,
                    )
                    .await;
                let _ = self
                    .store
                    .with(|c| store::services::forget_volume(c, self.engine, &volume));
                return Err(Error::failed(
                    format!("Docker could not create {container}."),
                    e,
                ));
            }
        };
        self.store.with(|c| {
            store::services::record_container(
                c,
                self.engine,
                &store::services::ServiceContainer {
                    instance: id.to_string(),
                    kind: kind.as_str().into(),
                    container_id: created.id.clone(),
                    name: container.clone(),
                    volume: volume.clone(),
                },
            )
        })?;
        let record = ServiceRecord {
            id: id.to_string(),
            kind,
            version: version.to_string(),
            image: image.to_string(),
            container,
            volume,
            port,
            password: password.to_string(),
            installed_at: crate::store::now_rfc3339(),
            container_id: Some(created.id),
        };
        file.services.insert(id.to_string(), record.clone());
        self.state.save(file)?;
        Ok(record)
    }

    /// Removes what [`create_instance`] made (after a failure).
    async fn discard(
        &self,
        docker: &Docker,
        file: &mut super::state::ServicesState,
        record: &ServiceRecord,
    ) {
        if let Some(id) = &record.container_id {
            let options = RemoveContainerOptionsBuilder::new().force(true).build();
            let _ = docker.remove_container(id, Some(options)).await;
        }
        let options = RemoveVolumeOptionsBuilder::new().force(true).build();
        let _ = docker.remove_volume(&record.volume, Some(options)).await;
        let _ = self.store.with(|c| {
            store::services::forget_container(c, self.engine, &record.id)?;
            store::services::forget_volume(c, self.engine, &record.volume)
        });
        file.services.remove(&record.id);
        let _ = self.state.save(file);
        self.emit().await;
    }

    async fn start_record(&self, docker: &Docker, record: &ServiceRecord) -> Result<()> {
        docker
            .start_container(super::target(record)?, None)
            .await
            .map_err(|e| {
                Error::failed(format!("Docker could not start {}.", record.container), e)
            })?;
        self.wait_ready(record.kind, record.port, &record.password)
            .await
    }
}

/// The engine's data folder of `from` copied into `to`'s (both stopped or
/// created), ownership kept.
async fn copy_data(
    docker: &Docker,
    from: &str,
    to: &ServiceRecord,
    kind: ServiceKind,
) -> Result<()> {
    let data = catalog::data_path(kind);
    let parent = Path::new(data)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "/".into());
    let stream = docker
        .download_from_container(
            from,
            Some(DownloadFromContainerOptions { path: data.into() }),
        )
        .map(|chunk| chunk.map_err(std::io::Error::other));
    // Owners as the archive has them (Docker keeps a tar's uid/gid unless
    // told to give everything the container user's).
    let options = UploadToContainerOptions {
        path: parent,
        ..Default::default()
    };
    docker
        .upload_to_container(
            super::target(to)?,
            Some(options),
            bollard::body_try_stream(stream),
        )
        .await
        .map_err(|e| Error::failed("Could not copy the data into the new instance.", e))
}

/// `program` (mysqldump / mariadb-dump) dumping database `db` as root: one
/// consistent snapshot, with its routines, triggers and events.
fn mysql_dump<'a>(program: &'a str, db: &'a str) -> [&'a str; 7] {
    [
        program,
        "-uroot",
        "--single-transaction",
        "--routines",
        "--triggers",
        "--events",
        db,
    ]
}

/// Runs `cmd` in the container: `input` fed to its stdin, its stdout into
/// `output` (or returned as text); Err: its stderr's last part and code.
async fn exec(
    docker: &Docker,
    container: &str,
    cmd: &[&str],
    input: Option<&Path>,
    output: Option<&mut tokio::fs::File>,
) -> std::result::Result<String, String> {
    exec_env(docker, container, cmd, &[], input, output).await
}

/// [`exec`] with variables in its environment (a password, never an argument).
pub(super) async fn exec_env(
    docker: &Docker,
    container: &str,
    cmd: &[&str],
    env: &[String],
    input: Option<&Path>,
    mut output: Option<&mut tokio::fs::File>,
) -> std::result::Result<String, String> {
    let created = docker
        .create_exec(
            container,
            CreateExecOptions {
                cmd: Some(cmd.iter().map(|s| s.to_string()).collect::<Vec<String>>()),
                env: (!env.is_empty()).then(|| env.to_vec()),
                attach_stdin: Some(input.is_some()),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| format!("{}: {e}", cmd[0]))?;
    let started = docker
        .start_exec(
            &created.id,
            Some(StartExecOptions {
                detach: false,
                tty: false,
                output_capacity: None,
            }),
        )
        .await
        .map_err(|e| format!("{}: {e}", cmd[0]))?;
    let StartExecResults::Attached {
        output: mut stream,
        input: mut stdin,
    } = started
    else {
        return Err(format!("{}: Docker did not attach", cmd[0]));
    };
    let meter = METER.try_with(Meter::clone).ok();
    let feeder = input.map(|p| p.to_path_buf()).map(|p: PathBuf| {
        let meter = meter.clone();
        tokio::spawn(async move {
            let mut f = tokio::fs::File::open(&p).await?;
            let mut buf = vec![0u8; 64 * 1024];
            let mut fed = 0u64;
            loop {
                let n = f.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                stdin.write_all(&buf[..n]).await?;
                fed += n as u64;
                if let Some(m) = &meter {
                    m.tick(fed);
                }
            }
            stdin.shutdown().await
        })
    });
    let mut written = 0u64;
    let mut text = Vec::new();
    let mut stderr = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk.map_err(|e| format!("{}: {e}", cmd[0]))? {
            bollard::container::LogOutput::StdOut { message }
            | bollard::container::LogOutput::Console { message } => match output.as_mut() {
                Some(out) => {
                    out.write_all(&message)
                        .await
                        .map_err(|e| format!("writing the output: {e}"))?;
                    written += message.len() as u64;
                    // Only what goes to a file is progress (the rest is answers).
                    if let (Some(m), None) = (&meter, input) {
                        m.tick(written);
                    }
                }
                None => text.extend_from_slice(&message),
            },
            bollard::container::LogOutput::StdErr { message } => {
                stderr.extend_from_slice(&message);
                if stderr.len() > STDERR_KEPT {
                    stderr.drain(..stderr.len() - STDERR_KEPT);
                }
            }
            bollard::container::LogOutput::StdIn { .. } => {}
        }
    }
    if let Some(feeder) = feeder {
        match feeder.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("feeding {}: {e}", cmd[0])),
            Err(e) => return Err(format!("feeding {}: {e}", cmd[0])),
        }
    }
    let code = docker
        .inspect_exec(&created.id)
        .await
        .ok()
        .and_then(|i| i.exit_code)
        .unwrap_or(-1);
    if code != 0 {
        return Err(format!(
            "{} exited with {code}: {}",
            cmd[0],
            String::from_utf8_lossy(&stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&text).trim().to_string())
}

/// The MySQL / MariaDB client in the container as root (password through
/// the environment): `statement` run, or with `feed` the file fed to it
/// against that database. Answers the rows, tab-separated, no header.
async fn sql(
    docker: &Docker,
    record: &ServiceRecord,
    statement: &str,
    feed: Option<(&str, &Path)>,
) -> std::result::Result<String, String> {
    let (client, _) = catalog::sql_programs(record.kind).ok_or("not a SQL engine")?;
    let container = super::target(record).map_err(|e| e.to_string())?;
    let env = [format!("MYSQL_PWD={}", record.password)];
    match feed {
        Some((db, file)) => {
            exec_env(
                docker,
                container,
                &[client, "-uroot", "--batch", db],
                &env,
                Some(file),
                None,
            )
            .await
        }
        None => {
            exec_env(
                docker,
                container,
                &[client, "-uroot", "--batch", "-N", "-e", statement],
                &env,
                None,
                None,
            )
            .await
        }
    }
}

async fn psql(docker: &Docker, container: &str, sql: &str) -> std::result::Result<String, String> {
    exec(
        docker,
        container,
        &[
            "psql",
            "-U",
            "postgres",
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            "postgres",
            "-c",
            sql,
        ],
        None,
        None,
    )
    .await
}

/// The database a restore goes into: `name` if given and free, else the
/// first free of `<source>_<suffix>`, `<source>_<suffix>_2` …
fn new_database_name(
    record: &ServiceRecord,
    existing: &[String],
    source_db: &str,
    name: Option<String>,
    suffix: &str,
) -> Result<String> {
    if let Some(n) = name {
        let n = check_database(&n)?;
        if existing.contains(&n) {
            return Err(Error::Conflict(format!(
                "{} already has a database named {n}; pick another name.",
                record.title()
            )));
        }
        return Ok(n);
    }
    let base = format!("{source_db}_{suffix}");
    std::iter::once(base.clone())
        .chain((2..1000).map(|i| format!("{base}_{i}")))
        .find(|n| !existing.contains(n))
        .ok_or_else(|| Error::Conflict("No free database name is left.".into()))
}

/// A database name the app puts in commands and SQL: letters, digits, `_`
/// and `-`, at most 63.
fn check_database(name: &str) -> Result<String> {
    let ok = (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(name.to_string())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{name}\" is not a database name the app uses (letters, digits, '_' and '-', \
             starting with a letter, at most 63)."
        )))
    }
}

/// An absolute path in an existing folder, not a folder itself.
fn check_target_file(path: &Path) -> Result<()> {
    if !path.is_absolute() {
        return Err(Error::InvalidInput(format!(
            "{} is not an absolute path.",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{} is a folder; choose a file name.",
            path.display()
        )));
    }
    match path.parent() {
        Some(dir) if dir.is_dir() => Ok(()),
        _ => Err(Error::InvalidInput(format!(
            "The folder of {} does not exist.",
            path.display()
        ))),
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

async fn open_private(path: &Path) -> Result<tokio::fs::File> {
    let file = crate::secrets::create_private_file(path, true)
        .map_err(|e| Error::failed(format!("Could not create {}.", path.display()), e))?;
    Ok(tokio::fs::File::from_std(file))
}

fn unsupported(kind: ServiceKind, what: &str) -> Error {
    if !kind.keeps_data() {
        return Error::InvalidInput(format!(
            "{} keeps nothing on disk: there is nothing to back up or restore.",
            kind.label()
        ));
    }
    Error::Unavailable(format!(
        "{what} of {} are not supported yet (PostgreSQL, MySQL, MariaDB, Redis and Valkey are).",
        kind.label()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_reach_commands_and_sql_are_checked() {
        assert!(check_database("app").is_ok());
        assert!(check_database("shop_db-2").is_ok());
        for bad in ["", "a\"b", "x; DROP", "1db", "a b", "x'y", &"a".repeat(64)] {
            assert!(check_database(bad).is_err(), "{bad}");
        }
        assert!(check_target_file(Path::new("relative.dump")).is_err());
        assert!(check_target_file(Path::new("/no/such/folder/x.dump")).is_err());
        assert!(check_target_file(Path::new("/tmp")).is_err());
        assert!(check_target_file(Path::new("/tmp/x.dump")).is_ok());
        assert_eq!(
            partial_path(Path::new("/tmp/a.dump")),
            Path::new("/tmp/.a.dump.partial")
        );
    }
}

/// Databases made for repositories.
impl ServiceManager {
    /// A database named after the repository and a login role of the same
    /// name that owns it and nothing else; other roles may not connect to it.
    pub async fn create_repo_database(
        &self,
        id: &str,
        repository_id: i64,
        repository_name: &str,
    ) -> Result<ai_desktop_api::services::RepoDatabase> {
        let _op = self.op.lock().await;
        let record = self.record(id).await?;
        if record.kind != ServiceKind::Postgresql && !record.kind.is_mysql_like() {
            return Err(unsupported(record.kind, "Databases per repository"));
        }
        let docker = self.docker().await?;
        self.running(&docker, &record, "make a database in it")
            .await?;
        let container = super::target(&record)?.to_string();
        let mut file = self.state.load()?;
        let name = database_name_for(repository_name, repository_id);
        let key = format!("{id}/{name}");
        if let Some(made) = file.databases.get(&key) {
            if made.repository_id == repository_id {
                return Ok(repo_database(&record, made));
            }
        }
        let existing = self.databases(id).await?;
        if existing.contains(&name) || file.databases.contains_key(&key) {
            return Err(Error::Conflict(format!(
                "{} already has a database named {name} that was not made for this repository.",
                record.title()
            )));
        }
        let password = crate::secrets::random_hex(16)?;
        let fail = |what: &str, e: String| Error::Failed {
            message: format!("Could not {what} in {}.", record.title()),
            detail: Some(e),
        };
        if record.kind.is_mysql_like() {
            // A user that reaches this database only (from anywhere: the
            // port is published on 127.0.0.1 alone).
            let made = sql(
                &docker,
                &record,
                &format!(
                    "CREATE DATABASE `{name}`; CREATE USER '{name}'@'%' IDENTIFIED BY '{password}'; \
                     GRANT ALL PRIVILEGES ON `{name}`.* TO '{name}'@'%';"
                ),
                None,
            )
            .await
            .map_err(|e| fail("create the database and its user", e));
            if let Err(e) = made {
                // Nothing half made is left.
                let _ = sql(
                    &docker,
                    &record,
                    &format!("DROP USER IF EXISTS '{name}'@'%'; DROP DATABASE IF EXISTS `{name}`;"),
                    None,
                )
                .await;
                return Err(e);
            }
        } else {
            create_postgres_role_and_database(&docker, &container, &name, &password, fail).await?;
        }
        let made = super::state::RepoDatabaseRecord {
            instance: id.to_string(),
            repository_id,
            database: name.clone(),
            user: name,
            password,
        };
        file.databases.insert(key, made.clone());
        self.state.save(&file)?;
        Ok(repo_database(&record, &made))
    }

    /// Every database made for a repository (of instances still installed).
    pub async fn repo_databases(&self) -> Result<Vec<ai_desktop_api::services::RepoDatabase>> {
        let file = self.state.load()?;
        Ok(file
            .databases
            .values()
            .filter_map(|d| Some(repo_database(file.services.get(&d.instance)?, d)))
            .collect())
    }
}

impl ServiceManager {
    /// A database for `to_repository` (made as [`Self::create_repo_database`]
    /// makes one) holding a copy of what `from_repository`'s database in
    /// instance `id` holds now: its tables, rows, views, functions, owned by
    /// the new database's own user. Nothing is left of the copy if it fails.
    pub async fn copy_repo_database(
        &self,
        id: &str,
        from_repository: i64,
        to_repository: i64,
        to_name: &str,
    ) -> Result<ai_desktop_api::services::RepoDatabase> {
        let source = self
            .state
            .load()?
            .databases
            .values()
            .find(|d| d.instance == id && d.repository_id == from_repository)
            .cloned()
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "{id} has no database made for repository {from_repository}."
                ))
            })?;
        let made = self
            .create_repo_database(id, to_repository, to_name)
            .await?;
        let copied = async {
            let _op = self.op.lock().await;
            let record = self.record(id).await?;
            let docker = self.docker().await?;
            let container = super::target(&record)?.to_string();
            let dir = self.state.dir();
            let dump = tempfile::Builder::new()
                .prefix(".copy-")
                .suffix(".sql")
                .tempfile_in(&dir)
                .map_err(|e| Error::failed("Could not make room for the copy.", e))?;
            let mut out = tokio::fs::File::from_std(
                dump.reopen()
                    .map_err(|e| Error::failed("Could not make room for the copy.", e))?,
            );
            let fail = |what: &str, e: String| Error::Failed {
                message: format!(
                    "Could not {what} {} in {}.",
                    source.database,
                    record.title()
                ),
                detail: Some(e),
            };
            // One dump of the source into the file, then its replay into the copy.
            let mysql = record.kind.is_mysql_like();
            let (_, mysql_dump_program) =
                catalog::sql_programs(record.kind).unwrap_or(("", "mysqldump"));
            let (dump_cmd, env): (Vec<&str>, Vec<String>) = if mysql {
                (
                    mysql_dump(mysql_dump_program, &source.database).to_vec(),
                    vec![format!("MYSQL_PWD={}", record.password)],
                )
            } else {
                // Plain SQL without owners or grants, replayed as the new
                // database's user: everything it makes is that user's.
                (
                    vec![
                        "pg_dump",
                        "-U",
                        "postgres",
                        "--no-owner",
                        "--no-acl",
                        "-d",
                        &source.database,
                    ],
                    Vec::new(),
                )
            };
            exec_env(&docker, &container, &dump_cmd, &env, None, Some(&mut out))
                .await
                .map_err(|e| fail("read", e))?;
            out.sync_all()
                .await
                .map_err(|e| fail("read", e.to_string()))?;
            if mysql {
                sql(&docker, &record, "", Some((&made.database, dump.path())))
                    .await
                    .map_err(|e| fail("copy", e))?;
            } else {
                let set_role = format!("SET ROLE \"{}\"", made.user);
                exec(
                    &docker,
                    &container,
                    &[
                        "psql",
                        "-U",
                        "postgres",
                        "-X",
                        "-q",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-d",
                        &made.database,
                        "-c",
                        &set_role,
                        "-f",
                        "-",
                    ],
                    Some(dump.path()),
                    None,
                )
                .await
                .map_err(|e| fail("copy", e))?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = copied {
            if let Err(cleanup) = self.drop_repo_database(id, to_repository).await {
                log::warn!(
                    "the half-made copy {} stays: {}",
                    made.database,
                    cleanup.with_detail_text()
                );
            }
            return Err(e);
        }
        Ok(made)
    }

    /// Drops the database made for `repository_id` in instance `id` and its
    /// user (no-op if there is none).
    pub async fn drop_repo_database(&self, id: &str, repository_id: i64) -> Result<()> {
        let _op = self.op.lock().await;
        let mut file = self.state.load()?;
        let Some((key, made)) = file
            .databases
            .iter()
            .find(|(_, d)| d.instance == id && d.repository_id == repository_id)
            .map(|(k, d)| (k.clone(), d.clone()))
        else {
            return Ok(());
        };
        let record = self.record(id).await?;
        let docker = self.docker().await?;
        self.running(&docker, &record, "drop a database in it")
            .await?;
        let container = super::target(&record)?.to_string();
        let name = check_database(&made.database)?;
        let user = check_database(&made.user)?;
        let dropped = if record.kind.is_mysql_like() {
            sql(
                &docker,
                &record,
                &format!("DROP DATABASE IF EXISTS `{name}`; DROP USER IF EXISTS '{user}'@'%';"),
                None,
            )
            .await
        } else {
            psql(
                &docker,
                &container,
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            )
            .await
            .and(
                psql(
                    &docker,
                    &container,
                    &format!("DROP ROLE IF EXISTS \"{user}\""),
                )
                .await,
            )
        };
        dropped.map_err(|e| Error::Failed {
            message: format!("Could not drop {name} in {}.", record.title()),
            detail: Some(e),
        })?;
        file.databases.remove(&key);
        self.state.save(&file)?;
        Ok(())
    }
}

async fn create_postgres_role_and_database(
    docker: &Docker,
    container: &str,
    name: &str,
    password: &str,
    fail: impl Fn(&str, String) -> Error,
) -> Result<()> {
    psql(
        docker,
        container,
        &format!(
            "CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}' NOSUPERUSER NOCREATEDB NOCREATEROLE"
        ),
    )
    .await
    .map_err(|e| fail("create the user", e))?;
    let made = async {
        exec(
            docker,
            container,
            &["createdb", "-U", "postgres", "-O", name, name],
            None,
            None,
        )
        .await?;
        psql(
            docker,
            container,
            &format!("REVOKE ALL ON DATABASE \"{name}\" FROM PUBLIC"),
        )
        .await
    }
    .await;
    if let Err(e) = made {
        let _ = psql(
            docker,
            container,
            &format!("DROP ROLE IF EXISTS \"{name}\""),
        )
        .await;
        return Err(fail("create the database", e));
    }
    Ok(())
}

fn repo_database(
    record: &ServiceRecord,
    d: &super::state::RepoDatabaseRecord,
) -> ai_desktop_api::services::RepoDatabase {
    ai_desktop_api::services::RepoDatabase {
        instance: d.instance.clone(),
        repository_id: d.repository_id,
        database: d.database.clone(),
        user: d.user.clone(),
        connection_string: format!(
            "{}://{}:{}@127.0.0.1:{}/{}",
            if record.kind.is_mysql_like() {
                "mysql"
            } else {
                "postgresql"
            },
            d.user,
            d.password,
            record.port,
            d.database
        ),
        deployments_updated: Vec::new(),
    }
}

/// `My Shop` → `my_shop`: lower-case letters, digits and `_`, starting with
/// a letter, at most 40 (`repo_<id>` when nothing is left).
pub fn database_name_for(repository_name: &str, repository_id: i64) -> String {
    let mut name: String = repository_name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_').chars().take(40).collect::<String>();
    let name = name.trim_end_matches('_').to_string();
    if name.starts_with(|c: char| c.is_ascii_lowercase())
        && !["postgres", "app", "template0", "template1"].contains(&name.as_str())
    {
        name
    } else {
        format!("repo_{repository_id}")
    }
}

#[cfg(test)]
mod repo_tests {
    use super::database_name_for;

    #[test]
    fn repository_names_become_safe_database_names() {
        assert_eq!(database_name_for("shop", 1), "shop");
        assert_eq!(database_name_for("My Shop-API", 1), "my_shop_api");
        assert_eq!(database_name_for("42things", 7), "repo_7");
        assert_eq!(
            database_name_for("x'; DROP ROLE postgres; --", 3),
            "x_drop_role_postgres"
        );
        assert_eq!(database_name_for("postgres", 9), "repo_9");
        assert_eq!(database_name_for("ü", 2), "repo_2");
    }
}
