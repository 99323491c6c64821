//! Workspace folders: folders the user works in besides registered
//! repositories. The file browser offers them as roots and clones go into
//! them. Stored in the settings table; a path from the UI is used only if it
//! is one of them.

use crate::error::{Error, Result};
use crate::repos::validate;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

const KEY: &str = "workspace.folders";

pub struct Workspaces {
    store: Arc<Store>,
}

impl Workspaces {
    pub fn new(store: Arc<Store>) -> Workspaces {
        Workspaces { store }
    }

    pub fn list(&self) -> Result<Vec<String>> {
        Ok(self.store.setting::<Vec<String>>(KEY)?.unwrap_or_default())
    }

    /// Adds a folder (absolute, existing; stored in its canonical form).
    /// `/` is refused: the browser would reach every file of the machine.
    pub fn add(&self, path: &str) -> Result<Vec<String>> {
        let dir = validate::folder(path)?;
        if dir.parent().is_none() {
            return Err(Error::InvalidInput(
                "The whole file system cannot be a workspace folder; choose a folder in it.".into(),
            ));
        }
        let dir = dir.to_string_lossy().into_owned();
        let mut list = self.list()?;
        if list.contains(&dir) {
            return Err(Error::Conflict(format!(
                "{dir} is already a workspace folder."
            )));
        }
        list.push(dir);
        list.sort();
        self.store.set_setting(KEY, Some(&list))?;
        Ok(list)
    }

    /// Forgets a folder (nothing on disk changes).
    pub fn remove(&self, path: &str) -> Result<Vec<String>> {
        let mut list = self.list()?;
        let before = list.len();
        list.retain(|p| p != path);
        if list.len() == before {
            return Err(Error::NotFound(format!(
                "{path} is not a workspace folder."
            )));
        }
        self.store.set_setting(KEY, Some(&list))?;
        Ok(list)
    }

    /// The folder `path` names, if it is one of the list and still exists.
    pub fn resolve(&self, path: &str) -> Result<PathBuf> {
        if !self.list()?.iter().any(|p| p == path) {
            return Err(Error::Forbidden(format!(
                "{path} is not a workspace folder; add it on the Files page first."
            )));
        }
        let dir = PathBuf::from(path);
        let real = std::fs::canonicalize(&dir).map_err(|_| {
            Error::NotFound(format!("The workspace folder {path} no longer exists."))
        })?;
        if real != dir || !real.is_dir() {
            return Err(Error::Forbidden(format!(
                "The workspace folder {path} was replaced by a link or a file; remove it and add it again."
            )));
        }
        Ok(real)
    }
}
