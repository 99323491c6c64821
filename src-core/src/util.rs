//! Small helpers more than one domain needs.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Locks `m`, going on with the data if a thread panicked while holding
/// it (the data of these locks stays consistent between statements).
/// Never held across an `.await`.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One name of a path: not empty, no `/`, not `.` or `..`, no control
/// characters, at most 255 bytes.
pub fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.len() > 255
        || name.chars().any(|c| c.is_control())
    {
        return Err(Error::InvalidInput(format!(
            "{name:?} is not a usable name: one name without '/', line breaks or control characters."
        )));
    }
    Ok(())
}

/// A relative path made only of usable names (`.` parts dropped); anything
/// that climbs out (`..`, an absolute path) is refused.
pub fn check_relative(rel: &str) -> Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(n) => {
                let n = n
                    .to_str()
                    .ok_or_else(|| Error::InvalidInput("Paths must be valid UTF-8.".into()))?;
                check_name(n)?;
                out.push(n);
            }
            Component::CurDir => {}
            _ => {
                return Err(Error::Forbidden(format!(
                    "{rel:?} leaves the repository; give a path inside it."
                )))
            }
        }
    }
    Ok(out)
}
