//! Files only the user may read: the data folder (0700) and everything in it
//! that holds a secret (0600) — passwords, the API key, the database,
//! ecosystem files with a deployment's environment, the logs.
//!
//! Writes go through an exclusive temp file with a random name (`O_EXCL`,
//! created 0600, never following a planted symlink) renamed over the target;
//! reads refuse anything but a regular file of ours and put a loose mode
//! back to 0600. [`repair_data_dir`] does the same for an existing install at
//! start-up, whatever umask the app runs with.

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of private files.
pub const FILE_MODE: u32 = 0o600;
/// Mode of private folders.
pub const DIR_MODE: u32 = 0o700;
/// A secret file larger than this is not ours.
const MAX_SECRET: u64 = 1024 * 1024;

/// `bytes` random bytes from the kernel, as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| Error::failed("Could not read random bytes.", e))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn our_uid() -> u32 {
    // SAFETY: getuid(2) cannot fail and touches no memory.
    unsafe { libc::getuid() }
}

/// Creates `dir` (and missing parents) as 0700; an existing folder of ours
/// with a looser mode is tightened. A folder owned by someone else is refused.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    tighten(dir, DIR_MODE)
}

/// Puts `path`'s mode to `mode` if it lets group or others in (a symlink is
/// left alone: its target may not be ours to change).
fn tighten(path: &Path, mode: u32) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    if meta.uid() != our_uid() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{} belongs to another user", path.display()),
        ));
    }
    if meta.mode() & 0o077 != 0 {
        log::warn!(
            "{} was readable by other users (mode {:o}); set to {mode:o}",
            path.display(),
            meta.mode() & 0o777
        );
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// Writes `bytes` to `path`, readable by the user only, atomically: an
/// exclusive temp file next to it (random name, 0600), fsync, rename over
/// `path` (a symlink at `path` is replaced, not followed). Creates the
/// parent folder 0700.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .permissions(std::fs::Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The contents of a private file, `None` if it does not exist. Refused: a
/// symlink, anything but a regular file, a file of another user, one over
/// 1 MB. A loose mode is put back to 0600 (and logged).
pub fn read_private(path: &Path) -> Result<Option<String>> {
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Error::Forbidden(format!(
            "{} is a symbolic link; a secret is only read from a file of the app's own. Delete it.",
            path.display()
        )))
        }
        Err(e) => {
            return Err(Error::failed(
                format!("{} cannot be read.", path.display()),
                e,
            ))
        }
    };
    let meta = file
        .metadata()
        .map_err(|e| Error::failed(format!("{} cannot be read.", path.display()), e))?;
    if !meta.is_file() || meta.uid() != our_uid() || meta.len() > MAX_SECRET {
        return Err(Error::Forbidden(format!(
            "{} is not a file of this user's; it was not used. Delete it.",
            path.display()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        log::warn!(
            "{} was readable by other users (mode {:o}); set to 600",
            path.display(),
            meta.mode() & 0o777
        );
        file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
            .map_err(|e| Error::failed(format!("{} cannot be made private.", path.display()), e))?;
    }
    let mut text = String::new();
    (&file)
        .take(MAX_SECRET)
        .read_to_string(&mut text)
        .map_err(|e| Error::failed(format!("{} cannot be read.", path.display()), e))?;
    Ok(Some(text))
}

/// Creates or truncates `path` as a 0600 file (an existing one is tightened).
pub fn create_private_file(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(truncate)
        .append(!truncate)
        .mode(FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)?;
    if file.metadata()?.mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    }
    Ok(file)
}

/// The secret in `file`, created with a new random value (48 hex digits) if
/// there is none yet.
pub fn load_or_create(file: &Path) -> Result<String> {
    if let Some(secret) = read_private(file)? {
        let secret = secret.trim().to_string();
        if secret.len() >= 32 && secret.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(secret);
        }
        // Not one of ours: replaced below.
    }
    rotate(file)
}

/// A new random secret in `file` (48 hex digits), replacing any old one.
pub fn rotate(file: &Path) -> Result<String> {
    let secret = random_hex(24)?;
    write_private(file, secret.as_bytes()).map_err(|e| {
        Error::failed(
            format!("Could not store a secret in {}.", file.display()),
            e,
        )
    })?;
    Ok(secret)
}

/// At start-up: the data folder and every folder in it 0700, every file in
/// it 0600 (an install made under a umask of 022 had 0755/0644). Symlinks
/// are not followed; code-server's own user-data and extensions folders are
/// left as code-server made them (their insides are under a 0700 folder).
pub fn repair_data_dir(data_dir: &Path) -> std::io::Result<()> {
    private_dir(data_dir)?;
    fn walk(dir: &Path, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            if kind.is_dir() {
                let _ = tighten(&path, DIR_MODE);
                // vscode/<id>/{user-data,extensions,webview}: code-server's
                // and WebKit's own trees, private through their parent.
                let foreign = matches!(
                    name.to_str(),
                    Some("user-data" | "extensions" | "webview" | "probe-home")
                );
                if depth < 3 && !foreign {
                    walk(&path, depth + 1);
                }
            } else if kind.is_file() {
                let _ = tighten(&path, FILE_MODE);
            }
        }
    }
    walk(data_dir, 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().mode() & 0o777
    }

    #[test]
    fn secrets_are_private_stable_and_repaired_when_loose() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/password");
        let first = load_or_create(&file).unwrap();
        assert_eq!(first.len(), 48);
        assert_eq!(load_or_create(&file).unwrap(), first);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(load_or_create(&file).unwrap(), first);
        assert_eq!(mode(&file), 0o600, "a loose mode is put back");
        assert_ne!(rotate(&file).unwrap(), first);
        assert_ne!(random_hex(16).unwrap(), random_hex(16).unwrap());
    }

    #[test]
    fn a_planted_symlink_is_neither_followed_on_write_nor_read() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("api-key");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        // Reading through it is refused.
        let err = read_private(&link).unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
        // The old fixed temp name as a symlink is not written through either.
        let old_tmp = dir.path().join("api-key.tmp");
        std::os::unix::fs::symlink(&victim, &old_tmp).unwrap();
        write_private(&link, b"secret").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "secret");
        assert_eq!(mode(&link), 0o600);
        // No temp file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".tmp-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn an_install_made_under_a_loose_umask_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("deployments/3")).unwrap();
        std::fs::write(data.join("ai-desktop.sqlite3"), "x").unwrap();
        std::fs::write(data.join("deployments/3/ecosystem.json"), "{}").unwrap();
        for p in ["", "deployments", "deployments/3"] {
            std::fs::set_permissions(data.join(p), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for p in ["ai-desktop.sqlite3", "deployments/3/ecosystem.json"] {
            std::fs::set_permissions(data.join(p), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        repair_data_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("deployments/3")), 0o700);
        assert_eq!(mode(&data.join("ai-desktop.sqlite3")), 0o600);
        assert_eq!(mode(&data.join("deployments/3/ecosystem.json")), 0o600);
    }
}
