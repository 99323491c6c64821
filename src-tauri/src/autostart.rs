//! Start at login: an XDG autostart entry
//! (`$XDG_CONFIG_HOME/autostart/ai-desktop.desktop`, usually
//! `~/.config/autostart/`) that starts this binary with `--minimized` (to the
//! tray, when there is one). Off by default; Settings turns it on and off.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "ai-desktop.desktop";
/// The flag the entry passes: start without showing the window.
pub const MINIMIZED_FLAG: &str = "--minimized";

pub struct Autostart {
    config_home: PathBuf,
    exe: PathBuf,
}

/// A value for `Exec=` as the desktop entry spec wants it: in double quotes,
/// with `"`, `` ` ``, `$` and `\` escaped.
fn quote_exec(arg: &str) -> String {
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl Autostart {
    pub fn new(config_home: PathBuf, exe: PathBuf) -> Autostart {
        Autostart { config_home, exe }
    }

    /// From `XDG_CONFIG_HOME` (else `~/.config`) and the running binary.
    pub fn from_env() -> Option<Autostart> {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(Autostart::new(config, std::env::current_exe().ok()?))
    }

    pub fn file(&self) -> PathBuf {
        self.config_home.join("autostart").join(FILE_NAME)
    }

    pub fn enabled(&self) -> bool {
        self.file().is_file()
    }

    pub fn entry(&self) -> Result<String> {
        let exe = self.exe.to_str().ok_or_else(|| {
            Error::InvalidInput(format!(
                "The app's path {} is not UTF-8, so no autostart entry can name it.",
                self.exe.display()
            ))
        })?;
        if exe.chars().any(char::is_control) {
            return Err(Error::InvalidInput(
                "The app's path contains control characters.".into(),
            ));
        }
        Ok(format!(
            "[Desktop Entry]\nType=Application\nName=AI Desktop\nComment=Start AI Desktop at login\nExec={} {MINIMIZED_FLAG}\nIcon=ai-desktop\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
            quote_exec(exe)
        ))
    }

    /// Turns it on (writes the entry, atomically) or off (removes it).
    pub fn set(&self, on: bool) -> Result<bool> {
        let file = self.file();
        if on {
            let text = self.entry()?;
            let dir = file.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::failed(format!("Could not create {}.", dir.display()), e))?;
            let tmp = dir.join(format!(".{FILE_NAME}.tmp"));
            std::fs::write(&tmp, text)
                .and_then(|_| std::fs::rename(&tmp, &file))
                .map_err(|e| Error::failed(format!("Could not write {}.", file.display()), e))?;
        } else if file.exists() {
            std::fs::remove_file(&file)
                .map_err(|e| Error::failed(format!("Could not remove {}.", file.display()), e))?;
        }
        Ok(self.enabled())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_is_written_valid_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let a = Autostart::new(
            dir.path().join("config"),
            PathBuf::from("/opt/AI Desktop/ai-desktop$1"),
        );
        assert!(!a.enabled());
        assert!(a.set(true).unwrap());
        let text = std::fs::read_to_string(a.file()).unwrap();
        assert!(
            text.contains("Exec=\"/opt/AI Desktop/ai-desktop\\$1\" --minimized\n"),
            "{text}"
        );
        let check = std::process::Command::new("desktop-file-validate")
            .arg(a.file())
            .output()
            .expect("desktop-file-validate (desktop-file-utils) is installed by .ci/setup --test");
        assert!(
            check.status.success() && check.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        assert!(!a.set(false).unwrap());
        assert!(!a.file().exists());
        // Off twice is fine.
        assert!(!a.set(false).unwrap());
    }
}
