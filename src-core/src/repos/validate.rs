//! Input rules for the repository registry. Each function returns the
//! cleaned value or an `InvalidInput` error that says what to do instead.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

pub const NAME_MAX_CHARS: usize = 100;
/// Ports below 1024 need root, which code-server should never have.
pub const PORT_MIN: i64 = 1024;
pub const PORT_MAX: i64 = 65535;

/// Trims the name and refuses empty, overlong and control-character names.
pub fn name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::InvalidInput("Give the repository a name.".into()));
    }
    let chars = name.chars().count();
    if chars > NAME_MAX_CHARS {
        return Err(Error::InvalidInput(format!(
            "The name is {chars} characters long; use at most {NAME_MAX_CHARS}."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "The name contains control characters (such as tabs or line breaks); use plain text."
                .into(),
        ));
    }
    Ok(name.to_string())
}

/// Checks a folder path from the user and returns its canonical form.
///
/// The path must be absolute, free of `..` (a path that climbs out and back in
/// is almost always a mistake, and we show people exactly the folder we
/// store), exist, and be a directory. Symlinks are resolved so that the same
/// folder cannot be registered twice under two names.
pub fn folder(raw: &str) -> Result<PathBuf> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::InvalidInput(
            "Choose the repository's folder.".into(),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "The folder path contains control characters.".into(),
        ));
    }
    let path = Path::new(trimmed);
    if !path.is_absolute() {
        return Err(Error::InvalidInput(format!(
            "\"{trimmed}\" is a relative path; give the folder's full path (starting with /)."
        )));
    }
    if path.components().any(|c| c == Component::ParentDir) {
        return Err(Error::InvalidInput(format!(
            "\"{trimmed}\" contains \"..\"; give the folder's own path."
        )));
    }
    let canonical = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::InvalidInput(format!(
                "The folder {trimmed} does not exist."
            )))
        }
        Err(e) => {
            return Err(Error::InvalidInput(format!(
                "The folder {trimmed} cannot be read: {e}."
            )))
        }
    };
    if !canonical.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{trimmed} is a file, not a folder; choose the folder that holds the project."
        )));
    }
    if canonical.to_str().is_none() {
        return Err(Error::InvalidInput(format!(
            "The folder path {} is not valid UTF-8; rename the folder.",
            canonical.display()
        )));
    }
    Ok(canonical)
}

/// Range-checks a port given by the user.
pub fn port(raw: i64) -> Result<u16> {
    if !(PORT_MIN..=PORT_MAX).contains(&raw) {
        return Err(Error::InvalidInput(format!(
            "Port {raw} is out of range; choose a port from {PORT_MIN} to {PORT_MAX}."
        )));
    }
    u16::try_from(raw).map_err(|_| Error::InvalidInput(format!("Port {raw} is out of range.")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn invalid<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(name("  api  ").unwrap(), "api");
        assert!(invalid(name("   ")).contains("name"));
        assert!(invalid(name(&"x".repeat(1000))).contains("1000 characters"));
        assert!(invalid(name("evil\u{7}bell")).contains("control"));
        assert!(invalid(name("two\nlines")).contains("control"));
        assert_eq!(name(&"é".repeat(100)).unwrap().chars().count(), 100);
    }

    #[test]
    fn ports_outside_the_range_are_refused() {
        assert!(invalid(port(0)).contains("out of range"));
        assert!(invalid(port(70000)).contains("out of range"));
        assert!(invalid(port(-1)).contains("out of range"));
        assert!(invalid(port(80)).contains("1024"));
        assert_eq!(port(8100).unwrap(), 8100);
        assert_eq!(port(65535).unwrap(), 65535);
    }

    #[test]
    fn folders_must_be_absolute_existing_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("proj")).unwrap();
        std::fs::write(root.join("file.txt"), "x").unwrap();

        assert_eq!(
            folder(root.join("proj").to_str().unwrap()).unwrap(),
            root.join("proj")
        );
        assert!(invalid(folder("proj")).contains("relative"));
        assert!(invalid(folder("")).contains("Choose"));
        assert!(invalid(folder(root.join("missing").to_str().unwrap())).contains("does not exist"));
        assert!(invalid(folder(root.join("file.txt").to_str().unwrap())).contains("not a folder"));
        let dotdot = format!("{}/proj/../proj", root.display());
        assert!(invalid(folder(&dotdot)).contains(".."));
    }

    #[test]
    fn symlinks_resolve_to_the_real_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("real")).unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
        assert_eq!(
            folder(root.join("link").to_str().unwrap()).unwrap(),
            root.join("real")
        );
    }
}
