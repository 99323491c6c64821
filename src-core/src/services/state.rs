//! `services.json`: the old backend's store of installed services, kept in
//! the app data dir, mode 0600 (it holds passwords), written atomically. A
//! file that does not parse is kept aside, never overwritten.

use crate::error::{Error, Result};
use ai_desktop_api::services::ServiceKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

impl ServiceRecord {
    /// How the page and messages name it: `Redis`, or `Redis (redis-6)`.
    pub fn title(&self) -> String {
        if self.id == self.kind.as_str() {
            self.kind.label().to_string()
        } else {
            format!("{} ({})", self.kind.label(), self.id)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    /// The instance's id: its key in `services` (files from before
    /// instances have none here; their key is their kind).
    #[serde(default)]
    pub id: String,
    pub kind: ServiceKind,
    pub version: String,
    pub image: String,
    pub container: String,
    pub volume: String,
    pub port: u16,
    pub password: String,
    pub installed_at: String,
    /// Docker's id of the container the app created (older files: none
    /// until it is recorded on the next load).
    #[serde(default)]
    pub container_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesState {
    /// By instance id (one per kind before instances: its kind).
    #[serde(default)]
    pub services: BTreeMap<String, ServiceRecord>,
    /// Volumes kept after an uninstall, with the password their data expects.
    #[serde(default)]
    pub kept_volumes: BTreeMap<String, String>,
    /// Databases made for repositories, by `<instance>/<database>`.
    #[serde(default)]
    pub databases: BTreeMap<String, RepoDatabaseRecord>,
}

/// A database and its own user, made in an instance for a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoDatabaseRecord {
    pub instance: String,
    pub repository_id: i64,
    pub database: String,
    pub user: String,
    pub password: String,
}

pub struct ServicesFile {
    path: PathBuf,
}

impl ServicesFile {
    pub fn new(path: PathBuf) -> ServicesFile {
        ServicesFile { path }
    }

    /// The folder the file is in (the services' own data).
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The state; a missing file is an empty one. A corrupt file is moved to
    /// `services.json.corrupt-<time>` and an empty state returned.
    pub fn load(&self) -> Result<ServicesState> {
        let Some(text) = crate::secrets::read_private(&self.path)? else {
            return Ok(ServicesState::default());
        };
        match serde_json::from_str::<ServicesState>(&text) {
            Ok(mut state) => {
                for (key, record) in state.services.iter_mut() {
                    if record.id.is_empty() {
                        record.id = key.clone();
                    }
                }
                Ok(state)
            }
            Err(e) => {
                let aside = self.path.with_extension(format!(
                    "json.corrupt-{}",
                    crate::store::now_rfc3339().replace(':', "")
                ));
                std::fs::rename(&self.path, &aside).map_err(|err| {
                    Error::failed(
                        format!(
                            "{} is corrupt and could not be moved aside.",
                            self.path.display()
                        ),
                        err,
                    )
                })?;
                log::warn!(
                    "{} did not parse ({e}); kept as {} and starting empty",
                    self.path.display(),
                    aside.display()
                );
                Ok(ServicesState::default())
            }
        }
    }

    pub fn save(&self, state: &ServicesState) -> Result<()> {
        let text = serde_json::to_vec_pretty(state)
            .map_err(|e| Error::failed("Could not encode services.json.", e))?;
        crate::secrets::write_private(&self.path, &text)
            .map_err(|e| Error::failed(format!("Could not write {}.", self.path.display()), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_from_before_instances_keys_each_service_by_its_kind() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("services.json");
        std::fs::write(
            &path,
            r#"{"services":{"redis":{"kind":"redis","version":"7.2","image":"redis:7.2",
               "container":"aidesktop-redis","volume":"aidesktop-redis-data","port":6379,
               "password":"pw","installed_at":"2026-01-01T00:00:00Z"}}}"#,
        )
        .unwrap();
        let state = ServicesFile::new(path).load().unwrap();
        let redis = &state.services["redis"];
        assert_eq!(redis.id, "redis");
        assert_eq!(redis.title(), "Redis");
        let other = ServiceRecord {
            id: "redis-6".into(),
            ..redis.clone()
        };
        assert_eq!(other.title(), "Redis (redis-6)");
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_nothing_is_lost() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("services.json");
        std::fs::write(&path, "{ not json").unwrap();
        let file = ServicesFile::new(path.clone());
        assert_eq!(file.load().unwrap(), ServicesState::default());
        let aside: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(
            std::fs::read_to_string(aside[0].path()).unwrap(),
            "{ not json"
        );
        file.save(&ServicesState::default()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
