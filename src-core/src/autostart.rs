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

/// An argument for `Exec=` as the desktop entry spec wants it. Two layers:
/// the argument is quoted (in double quotes, `"`, `` ` ``, `$` and `\`
/// preceded by a backslash), then the line is a *string* value, whose own
/// escape rule doubles every backslash — so a literal `$` is written `\\$`
/// and a backslash `\\\\` (GLib refuses `\$` as an unknown escape). A
/// literal `%` is `%%` (field codes).
fn quote_exec(arg: &str) -> String {
    let mut out = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' => {
                out.push_str("\\\\");
                out.push(c);
            }
            '\\' => out.push_str("\\\\\\\\"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
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
        // GLib checks that Exec's program exists before it undoes `%%`, so
        // it refuses a correctly escaped path with a `%` in it; `env` as the
        // program (an argument's `%%` is undone) starts it everywhere.
        let program = if exe.contains('%') {
            format!("env {}", quote_exec(exe))
        } else {
            quote_exec(exe)
        };
        Ok(format!(
            "[Desktop Entry]\nType=Application\nName=AI Desktop\nComment=Start AI Desktop at login\nExec={program} {MINIMIZED_FLAG}\nIcon=ai-desktop\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
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
            text.contains("Exec=\"/opt/AI Desktop/ai-desktop\\\\$1\" --minimized\n"),
            "{text}"
        );
        validate(&a.file());
        assert!(!a.set(false).unwrap());
        assert!(!a.file().exists());
        // Off twice is fine.
        assert!(!a.set(false).unwrap());
    }

    fn validate(file: &Path) {
        let check = std::process::Command::new("desktop-file-validate")
            .arg(file)
            .output()
            .expect("desktop-file-validate (desktop-file-utils) is installed by .ci/setup --test");
        assert!(
            check.status.success() && check.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }

    /// The entry as the desktop reads it: GLib (what GNOME's session and
    /// `gio launch` use) starts the app at a path full of characters the
    /// spec escapes, with the flag.
    #[test]
    fn glib_starts_an_app_whose_path_has_dollar_backslash_percent_and_quotes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("A $HOME \\n 100% \"q\" `x`");
        std::fs::create_dir_all(&odd).unwrap();
        let exe = odd.join("ai-desktop");
        let out = dir.path().join("argv.txt");
        std::fs::write(
            &exe,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > '{}'\n",
                out.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let a = Autostart::new(dir.path().join("config"), exe.clone());
        a.set(true).unwrap();
        validate(&a.file());
        let status = std::process::Command::new("gio")
            .arg("launch")
            .arg(a.file())
            .env("HOME", dir.path())
            .status()
            .expect("gio (libglib2.0-bin)");
        assert!(status.success(), "GLib refused the entry");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !out.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "the app never started"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        let argv = std::fs::read_to_string(&out).unwrap();
        assert_eq!(argv, format!("{}\n{MINIMIZED_FLAG}\n", exe.display()));
    }
}
