//! `settings`: small typed values stored as JSON under a key.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The code-server binary to run instead of the one on PATH.
pub const CODE_SERVER_BINARY: &str = "vscode.code_server_binary";

impl Store {
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let raw: Option<String> = self.with(|c| {
            Ok(
                c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })?;
        raw.map(|raw| {
            serde_json::from_str(&raw)
                .map_err(|e| Error::failed(format!("The setting {key} is unreadable."), e))
        })
        .transpose()
    }

    /// Stores `value`; `None` removes the setting.
    pub fn set_setting<T: Serialize>(&self, key: &str, value: Option<&T>) -> Result<()> {
        let raw = value
            .map(|v| {
                serde_json::to_string(v)
                    .map_err(|e| Error::failed(format!("The setting {key} cannot be stored."), e))
            })
            .transpose()?;
        self.with(|c| {
            match raw {
                Some(raw) => c.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                    params![key, raw],
                )?,
                None => c.execute("DELETE FROM settings WHERE key = ?1", [key])?,
            };
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_clear() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.setting::<String>("k").unwrap(), None);
        store
            .set_setting("k", Some(&"/opt/cs".to_string()))
            .unwrap();
        store
            .set_setting("k", Some(&"/usr/cs".to_string()))
            .unwrap();
        assert_eq!(
            store.setting::<String>("k").unwrap().as_deref(),
            Some("/usr/cs")
        );
        store.set_setting::<String>("k", None).unwrap();
        assert_eq!(store.setting::<String>("k").unwrap(), None);
    }
}
