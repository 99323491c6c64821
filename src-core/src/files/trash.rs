//! The freedesktop.org trash (Trash specification 1.0), so what the app
//! deletes can be restored from the desktop's file manager.
//!
//! An item on the same disk as the home trash (`$XDG_DATA_HOME/Trash`) goes
//! there, with its absolute path in the `.trashinfo`; an item on another
//! disk goes to that disk's trash (`$topdir/.Trash/$uid` when the admin made
//! a sticky `.Trash`, else `$topdir/.Trash-$uid`), with its path relative to
//! the disk's top folder — so nothing is ever copied between disks. The
//! deletion date is local time, as the spec says. The item is moved with
//! `renameat2(RENAME_NOREPLACE)` from its opened parent folder, under a name
//! reserved by creating its `.trashinfo` exclusively.

use crate::error::{Error, Result};
use rustix::fs::{AtFlags, Mode, OFlags, RenameFlags};
use std::io::Write;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where an item on one disk is trashed.
#[derive(Debug, PartialEq, Eq)]
pub struct TrashDir {
    /// The trash folder (holding `files/` and `info/`).
    pub dir: PathBuf,
    /// Paths in `.trashinfo` files are relative to this (a disk's top
    /// folder), or absolute when `None` (the home trash).
    pub relative_to: Option<PathBuf>,
}

/// The top folder of the mount that holds `path` (the highest ancestor on
/// the same device).
pub fn topdir(path: &Path) -> Option<PathBuf> {
    let dev = std::fs::symlink_metadata(path).ok()?.dev();
    let mut top = path.to_path_buf();
    while let Some(parent) = top.parent() {
        match std::fs::metadata(parent) {
            Ok(m) if m.dev() == dev => top = parent.to_path_buf(),
            _ => break,
        }
    }
    Some(top)
}

/// The device of `path`, or of its nearest existing ancestor.
fn device_of(path: &Path) -> Option<u64> {
    path.ancestors()
        .find_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.dev())
}

/// Which trash takes the item at `item` (its real path), given the home
/// trash folder.
pub fn trash_for(item: &Path, home_trash: &Path) -> Result<TrashDir> {
    let item_dev = std::fs::symlink_metadata(item)
        .map_err(|_| Error::NotFound(format!("{} does not exist.", item.display())))?
        .dev();
    if device_of(home_trash) == Some(item_dev) {
        return Ok(TrashDir {
            dir: home_trash.to_path_buf(),
            relative_to: None,
        });
    }
    let top = topdir(item).ok_or_else(|| {
        Error::failed(
            "The disk of this item cannot be found.",
            item.display().to_string(),
        )
    })?;
    // SAFETY: getuid(2) cannot fail and touches no memory.
    let uid = unsafe { libc::getuid() };
    // The admin's shared trash: a real folder (not a link) with the sticky bit.
    let shared = top.join(".Trash");
    let shared_ok = std::fs::symlink_metadata(&shared)
        .is_ok_and(|m| m.is_dir() && !m.file_type().is_symlink() && m.mode() & 0o1000 != 0);
    let dir = if shared_ok {
        shared.join(uid.to_string())
    } else {
        top.join(format!(".Trash-{uid}"))
    };
    Ok(TrashDir {
        dir,
        relative_to: Some(top),
    })
}

/// A private folder (0700) of ours, made if missing; a link or someone
/// else's folder is refused.
fn own_dir(dir: &Path) -> Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            Error::failed(
                format!("The trash folder {} cannot be made.", dir.display()),
                e,
            )
        })?;
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| Error::failed("The trash folder cannot be read.", e))?;
    // SAFETY: getuid(2) cannot fail and touches no memory.
    if meta.file_type().is_symlink() || !meta.is_dir() || meta.uid() != unsafe { libc::getuid() } {
        return Err(Error::Forbidden(format!(
            "{} is not a trash folder of yours; nothing was moved.",
            dir.display()
        )));
    }
    Ok(())
}

use std::os::unix::fs::DirBuilderExt;

/// Now as local time, `YYYY-MM-DDThh:mm:ss` (the spec's DeletionDate).
pub fn local_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as libc::time_t)
        .unwrap_or(0);
    local_time(now)
}

/// `secs` as local time, `YYYY-MM-DDThh:mm:ss`.
pub fn local_time(secs: libc::time_t) -> String {
    // SAFETY: an all-zero tm is valid; localtime_r writes only into it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    unsafe { libc::localtime_r(&secs, &mut tm) };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// A path for `Path=`: every byte but unreserved ones %-escaped (RFC 2396, as the spec says).
fn encode(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str()
        .as_bytes()
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Moves `name` from the opened folder `parent` (whose real path makes
/// `item`) to the trash that holds its disk; returns the name it got there.
pub fn move_to_trash(
    parent: &OwnedFd,
    name: &str,
    item: &Path,
    home_trash: &Path,
) -> Result<String> {
    // The item itself (a link is trashed as a link).
    rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW)
        .map_err(|_| Error::NotFound(format!("{} does not exist.", item.display())))?;
    let target = trash_for(item, home_trash)?;
    let files = target.dir.join("files");
    let info = target.dir.join("info");
    own_dir(&target.dir)?;
    own_dir(&files)?;
    own_dir(&info)?;
    let open_dir = |p: &Path| {
        rustix::fs::open(
            p,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| Error::failed(format!("{} cannot be opened.", p.display()), e))
    };
    let files_fd = open_dir(&files)?;
    let info_fd = rustix::fs::open(
        &info,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::failed(format!("{} cannot be opened.", info.display()), e))?;
    let shown = match &target.relative_to {
        Some(top) => item.strip_prefix(top).unwrap_or(item).to_path_buf(),
        None => item.to_path_buf(),
    };
    // A free name, reserved by creating its info file exclusively.
    let base = name.to_string();
    for n in 1..=10_000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}.{n}")
        };
        let info_name = format!("{candidate}.trashinfo");
        let reserved = rustix::fs::openat(
            &info_fd,
            info_name.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        );
        let info_file = match reserved {
            Ok(f) => f,
            Err(rustix::io::Errno::EXIST) => continue,
            Err(e) => return Err(Error::failed("The trash cannot be written.", e)),
        };
        let text = format!(
            "[Trash Info]\nPath={}\nDeletionDate={}\n",
            encode(&shown),
            local_now()
        );
        let mut info_file = std::fs::File::from(info_file);
        if let Err(e) = info_file
            .write_all(text.as_bytes())
            .and_then(|_| info_file.sync_all())
        {
            let _ = rustix::fs::unlinkat(&info_fd, info_name.as_str(), AtFlags::empty());
            return Err(Error::failed("The trash cannot be written.", e));
        }
        match rustix::fs::renameat_with(
            parent,
            name,
            &files_fd,
            candidate.as_str(),
            RenameFlags::NOREPLACE,
        ) {
            Ok(()) => return Ok(candidate),
            // Taken in files/ without an info file: try the next name.
            Err(rustix::io::Errno::EXIST) => {
                let _ = rustix::fs::unlinkat(&info_fd, info_name.as_str(), AtFlags::empty());
                continue;
            }
            Err(e) => {
                let _ = rustix::fs::unlinkat(&info_fd, info_name.as_str(), AtFlags::empty());
                return Err(if e == rustix::io::Errno::XDEV {
                    Error::Failed {
                        message: format!(
                            "{} is on another disk than its trash ({}); it was left in place.",
                            item.display(),
                            target.dir.display()
                        ),
                        detail: None,
                    }
                } else {
                    Error::failed(
                        format!("{} cannot be moved to the trash.", item.display()),
                        e,
                    )
                });
            }
        }
    }
    Err(Error::failed("The trash is full of that name.", base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_dates_are_local_time() {
        // POSIX rules (no time zone database needed): India, UTC+5:30.
        std::env::set_var("TZ", "IST-5:30");
        // SAFETY: tzset(3) rereads TZ; nothing else here reads local time.
        unsafe { libc_tzset() };
        // 2026-01-02T03:04:05Z is 08:34:05 in India (UTC+5:30).
        assert_eq!(local_time(1_767_323_045), "2026-01-02T08:34:05");
        std::env::set_var("TZ", "UTC0");
        // SAFETY: as above.
        unsafe { libc_tzset() };
        assert_eq!(local_time(1_767_323_045), "2026-01-02T03:04:05");
    }

    extern "C" {
        #[link_name = "tzset"]
        fn libc_tzset();
    }

    #[test]
    fn paths_are_escaped_as_the_spec_wants() {
        assert_eq!(
            encode(Path::new("/home/a b/ü%.txt")),
            "/home/a%20b/%C3%BC%25.txt"
        );
    }
}
