//! The app's own log: standard error and a rotating file in the XDG state
//! folder (`$XDG_STATE_HOME/ai-desktop/logs`, usually
//! `~/.local/state/ai-desktop/logs`). `RUST_LOG` sets what is written
//! (default `info`, with zbus at `warn` and tracing's span records off:
//! dependencies' tracing events come through as log records). The file is cut at [`MAX_BYTES`] and the last [`KEEP`]
//! old files are kept as `ai-desktop.log.1` … `.3`.
//!
//! Nothing the user keeps secret is ever passed to the log macros: env values,
//! API keys, passwords and headers stay out of messages (a test plants
//! secrets everywhere the app takes them and greps the file at `trace`).

use crate::util::lock;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const FILE_NAME: &str = "ai-desktop.log";
/// A log file is rotated when it passes this size.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Rotated files kept.
pub const KEEP: usize = 3;

/// Where the log files go: `AI_DESKTOP_LOG_DIR`, else the XDG state folder.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("AI_DESKTOP_LOG_DIR").map(PathBuf::from) {
        return Some(dir);
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("ai-desktop").join("logs"))
}

/// A file that starts over (keeping [`KEEP`] old ones) past `max` bytes.
pub struct RotatingFile {
    path: PathBuf,
    file: Option<File>,
    size: u64,
    max: u64,
    keep: usize,
    /// The last byte written ended a line: a rotation never splits a record.
    at_line_start: bool,
}

impl RotatingFile {
    pub fn open(dir: &Path, max: u64, keep: usize) -> io::Result<RotatingFile> {
        // The log names the user's projects and commands: the user's only.
        crate::secrets::private_dir(dir)?;
        let path = dir.join(FILE_NAME);
        let file = crate::secrets::create_private_file(&path, false)?;
        // Rotated files of an install from before modes were set.
        for n in 1..=keep {
            let mut old = path.as_os_str().to_owned();
            old.push(format!(".{n}"));
            let old = PathBuf::from(old);
            if std::fs::symlink_metadata(&old).is_ok_and(|m| m.is_file()) {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600));
            }
        }
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            path,
            file: Some(file),
            size,
            max,
            keep,
            at_line_start: true,
        })
    }

    fn rotated(&self, n: usize) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let _ = std::fs::remove_file(self.rotated(self.keep));
        for n in (1..self.keep).rev() {
            let _ = std::fs::rename(self.rotated(n), self.rotated(n + 1));
        }
        std::fs::rename(&self.path, self.rotated(1))?;
        self.file = Some(crate::secrets::create_private_file(&self.path, false)?);
        self.size = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.at_line_start && self.size + buf.len() as u64 > self.max && self.size > 0 {
            self.rotate()?;
        }
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("the log file could not be reopened"))?;
        let n = file.write(buf)?;
        self.size += n as u64;
        if n > 0 {
            self.at_line_start = buf[n - 1] == b'\n';
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Values the app holds as secrets (an MCP server's URL key, header and env
/// values, the provider's API key), replaced by `***` in every record. The
/// app's own messages never name them; this catches dependencies that log
/// what they were given (an HTTP client quoting a URL in an error).
static SECRETS: std::sync::RwLock<Vec<String>> = std::sync::RwLock::new(Vec::new());
/// Shorter values are not scrubbed: they would blank out ordinary words.
const MIN_SECRET: usize = 6;

/// Adds `value` to what records are scrubbed of.
pub fn scrub(value: &str) {
    let value = value.trim();
    if value.len() < MIN_SECRET {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    if !secrets.iter().any(|s| s == value) {
        secrets.push(value.to_string());
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// `text` with every registered secret replaced by `***` (what the log
/// does to its records), for other views of what crossed the wire.
pub fn redact(text: &str) -> String {
    String::from_utf8_lossy(&scrubbed(text.as_bytes())).into_owned()
}

/// `record` with every registered secret replaced by `***`.
fn scrubbed(record: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let secrets = SECRETS.read().unwrap_or_else(|p| p.into_inner());
    if secrets.is_empty() {
        return record.into();
    }
    let text = String::from_utf8_lossy(record);
    if !secrets.iter().any(|s| text.contains(s.as_str())) {
        return record.into();
    }
    let mut text = text.into_owned();
    for s in secrets.iter() {
        text = text.replace(s.as_str(), "***");
    }
    text.into_bytes().into()
}

/// Writes every record to standard error and (if it could be opened) the file.
struct Tee {
    file: Option<Mutex<RotatingFile>>,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let len = buf.len();
        let buf = &*scrubbed(buf);
        let _ = io::stderr().write_all(buf);
        if let Some(file) = &self.file {
            let mut f = lock(file);
            // A full disk must not stop the app: the record is dropped.
            let _ = f.write_all(buf);
        }
        Ok(len)
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(file) = &self.file {
            let _ = lock(file).flush();
        }
        io::stderr().flush()
    }
}

/// Sets up the log (once per process); returns the folder of the file, if any.
pub fn init() -> Option<PathBuf> {
    let dir = log_dir();
    let file = dir
        .as_deref()
        .and_then(|d| match RotatingFile::open(d, MAX_BYTES, KEEP) {
            Ok(f) => Some(Mutex::new(f)),
            Err(e) => {
                eprintln!("no log file in {}: {e}", d.display());
                None
            }
        });
    let has_file = file.is_some();
    // Dependencies that log through `tracing` (rmcp, zbus, hyper) reach
    // this logger too: with no tracing subscriber set, tracing's `log`
    // feature turns their events into log records.
    let _ = env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,zbus=warn,tracing::span=off"),
    )
    .target(env_logger::Target::Pipe(Box::new(Tee { file })))
    .try_init();
    install_panic_hook();
    dir.filter(|_| has_file)
}

/// Panics go to the log file (with where they happened and a backtrace)
/// before the default hook prints them to standard error, which nobody
/// reads for a desktop app.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("unnamed");
            let backtrace = std::backtrace::Backtrace::force_capture();
            log::error!(target: "panic", "thread '{name}' {info}\n{backtrace}");
            log::logger().flush();
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_rotates_and_keeps_three() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = RotatingFile::open(dir.path(), 90, 3).unwrap();
        for i in 0..12 {
            // Written in pieces, as a formatter may: lines stay whole.
            write!(f, "{i:02}").unwrap();
            writeln!(f, " {}", "x".repeat(45)).unwrap();
        }
        f.flush().unwrap();
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
        // 49-byte lines, two per 90-byte file: 12 lines = 6 files, the oldest 2 gone.
        assert!(read(FILE_NAME).starts_with("10 "), "{}", read(FILE_NAME));
        assert!(read("ai-desktop.log.1").starts_with("08 "));
        assert!(read("ai-desktop.log.3").starts_with("04 "));
        assert!(!dir.path().join("ai-desktop.log.4").exists());
        assert!(std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().len() <= 100);
    }
}
