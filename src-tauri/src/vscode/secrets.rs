//! Per-instance secrets: generated once, kept in files only the user can read.

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// `bytes` random bytes from the kernel, as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| Error::failed("Could not read random bytes.", e))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The secret in `file`, created (mode 0600) with a new random value if the
/// file does not exist yet. A file others can read is refused.
pub fn load_or_create(file: &Path) -> Result<String> {
    match std::fs::read_to_string(file) {
        Ok(secret) => {
            let mode = std::fs::metadata(file)
                .map_err(|e| Error::failed("Could not read the instance's password file.", e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(Error::Forbidden(format!(
                    "{} can be read by other users (mode {:o}); fix it with chmod 600 or delete it.",
                    file.display(),
                    mode & 0o777
                )));
            }
            let secret = secret.trim().to_string();
            if secret.len() >= 32 {
                return Ok(secret);
            }
            // Too short to be ours: replace it below.
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::failed(
                "Could not read the instance's password file.",
                e,
            ))
        }
    }
    let secret = random_hex(24)?;
    write_private(file, secret.as_bytes())
        .map_err(|e| Error::failed("Could not store the instance's password.", e))?;
    Ok(secret)
}

/// Writes `bytes` to `path` readable by the user only (0600), atomically:
/// a temp file next to it, fsync, rename. Creates the parent folder.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_private_stable_and_refused_when_readable_by_others() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/password");
        let first = load_or_create(&file).unwrap();
        assert_eq!(first.len(), 48);
        assert_eq!(load_or_create(&file).unwrap(), first);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(&file).unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)), "{err}");
        assert_ne!(random_hex(16).unwrap(), random_hex(16).unwrap());
    }
}
