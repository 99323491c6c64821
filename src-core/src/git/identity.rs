//! The user's git identity (global `user.name` / `user.email`) and SSH keys.
//!
//! The identity is read and written with git2 in the user's `~/.gitconfig`
//! (libgit2 locks the file and renames into place); values that could break
//! out of their line are refused before anything is written. Keys are made
//! in-process (ssh-key: ed25519, optional passphrase with bcrypt-pbkdf +
//! AES-256-CTR, as `ssh-keygen` does), so a passphrase never appears on a
//! command line, and no existing file is ever replaced.

use crate::error::{Error, Result};
use ai_desktop_api::git::{GitIdentity, NewSshKey, SshKey, SshTestResult};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long `ssh -T` may take.
const SSH_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Identity {
    home: PathBuf,
}

fn config_error(e: git2::Error) -> Error {
    Error::failed("The git configuration could not be read or written.", e)
}

fn check_value(what: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::InvalidInput(format!("The {what} is empty.")));
    }
    if v.chars().count() > max {
        return Err(Error::InvalidInput(format!(
            "The {what} is longer than {max} characters."
        )));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(Error::InvalidInput(format!(
            "The {what} must be one line without control characters."
        )));
    }
    Ok(v.to_string())
}

/// A key file name in ~/.ssh: no path, no option look-alike, no hidden file.
pub(crate) fn check_key_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(['-', '.'])
        && !name.ends_with(".pub")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{name}\" is not a key file name: use letters, digits, '.', '_' and '-' (not first), like id_ed25519_work."
        )))
    }
}

/// `[user@]host`: a host name or address, never an option or a URL.
fn check_host(host: &str) -> Result<()> {
    let (user, name) = match host.split_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, host),
    };
    let user_ok = user.is_none_or(|u| {
        !u.is_empty()
            && !u.starts_with('-')
            && u.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    });
    let host_ok = !name.is_empty()
        && name.len() <= 253
        && !name.starts_with(['-', '.'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if user_ok && host_ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{host}\" is not a host: give a name like github.com or git@github.com."
        )))
    }
}

fn create_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

impl Identity {
    /// `home` is the user's home folder (the app passes $HOME; tests a temp dir).
    pub fn new(home: PathBuf) -> Identity {
        Identity { home }
    }

    /// The home folder whose `.gitconfig` this is.
    pub fn home(&self) -> &std::path::Path {
        &self.home
    }

    fn config_file(&self) -> PathBuf {
        self.home.join(".gitconfig")
    }

    fn ssh_dir(&self) -> PathBuf {
        self.home.join(".ssh")
    }

    pub fn get(&self) -> Result<GitIdentity> {
        let file = self.config_file();
        let (name, email) = if file.exists() {
            let config = git2::Config::open(&file).map_err(config_error)?;
            (
                config.get_string("user.name").ok(),
                config.get_string("user.email").ok(),
            )
        } else {
            (None, None)
        };
        Ok(GitIdentity {
            name,
            email,
            config_file: file.display().to_string(),
        })
    }

    pub fn set(&self, name: &str, email: &str) -> Result<GitIdentity> {
        let name = check_value("name", name, 200)?;
        let email = check_value("email", email, 254)?;
        if !email.contains('@') || email.contains(char::is_whitespace) || email.contains(['<', '>'])
        {
            return Err(Error::InvalidInput(format!(
                "\"{email}\" is not an email address."
            )));
        }
        if name.contains(['<', '>']) {
            return Err(Error::InvalidInput(
                "A name cannot contain '<' or '>' (git uses them around the email).".into(),
            ));
        }
        let file = self.config_file();
        let mut config = git2::Config::open(&file).map_err(config_error)?;
        config.set_str("user.name", &name).map_err(config_error)?;
        config.set_str("user.email", &email).map_err(config_error)?;
        self.get()
    }

    pub fn keys(&self) -> Result<Vec<SshKey>> {
        let dir = self.ssh_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::failed(
                    format!("{} cannot be read.", dir.display()),
                    e,
                ))
            }
        };
        let mut keys = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".pub"))
            else {
                continue;
            };
            // Reading a key file is bounded: a public key is one short line.
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || meta.len() > 16 * 1024 {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(key) = ssh_key::PublicKey::from_openssh(text.trim()) else {
                continue; // not a key (known_hosts.pub, a note …)
            };
            keys.push(SshKey {
                name: name.to_string(),
                algorithm: key.algorithm().as_str().to_string(),
                fingerprint: key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
                comment: key.comment().to_string(),
                public_key: text.trim().to_string(),
                has_private: dir.join(name).is_file(),
            });
        }
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(keys)
    }

    /// A new ed25519 pair `~/.ssh/<name>` (0600) and `<name>.pub` (0644).
    /// Refuses if either file exists: a key is never replaced.
    pub fn generate(&self, input: &NewSshKey) -> Result<SshKey> {
        check_key_name(&input.name)?;
        let comment = input.comment.trim();
        if comment.chars().any(|c| c.is_control()) || comment.len() > 200 {
            return Err(Error::InvalidInput(
                "The comment must be one line of at most 200 characters.".into(),
            ));
        }
        let dir = self.ssh_dir();
        let private_path = dir.join(&input.name);
        let public_path = dir.join(format!("{}.pub", input.name));
        if private_path.exists() || public_path.exists() {
            return Err(Error::Conflict(format!(
                "{} already exists; choose another name (an existing key is never replaced).",
                if private_path.exists() {
                    &private_path
                } else {
                    &public_path
                }
                .display()
            )));
        }
        if !dir.exists() {
            std::fs::create_dir_all(&dir)
                .and_then(|_| {
                    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                })
                .map_err(|e| Error::failed(format!("{} cannot be created.", dir.display()), e))?;
        }
        let mut rng = ssh_key::rand_core::OsRng;
        let mut key = ssh_key::PrivateKey::random(&mut rng, ssh_key::Algorithm::Ed25519)
            .map_err(|e| Error::failed("The key could not be generated.", e))?;
        key.set_comment(comment);
        let public = key
            .public_key()
            .to_openssh()
            .map_err(|e| Error::failed("The key could not be encoded.", e))?;
        let stored = match input.passphrase.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => key
                .encrypt(&mut rng, p)
                .map_err(|e| Error::failed("The key could not be encrypted.", e))?,
            None => key,
        };
        let pem = stored
            .to_openssh(ssh_key::LineEnding::LF)
            .map_err(|e| Error::failed("The key could not be encoded.", e))?;
        create_new(&private_path, pem.as_bytes(), 0o600).map_err(|e| {
            Error::failed(format!("{} cannot be written.", private_path.display()), e)
        })?;
        if let Err(e) = create_new(&public_path, format!("{public}\n").as_bytes(), 0o644) {
            // Leave nothing half made.
            let _ = std::fs::remove_file(&private_path);
            return Err(Error::failed(
                format!("{} cannot be written.", public_path.display()),
                e,
            ));
        }
        self.keys()?
            .into_iter()
            .find(|k| k.name == input.name)
            .ok_or_else(|| Error::failed("The new key cannot be read back.", &input.name))
    }

    /// `ssh -T [user@]host` with a key of ~/.ssh (or ssh's defaults): says
    /// whether the host let the key in. Batch mode (no prompts), a host seen
    /// for the first time is remembered (as answering "yes" would), 15 s.
    pub async fn test(
        &self,
        host: &str,
        key: Option<&str>,
        env: &[(String, String)],
    ) -> Result<SshTestResult> {
        let host = host.trim();
        check_host(host)?;
        let mut cmd = tokio::process::Command::new("ssh");
        cmd.args([
            "-T",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            "-o",
            "StrictHostKeyChecking=accept-new",
        ]);
        if let Some(k) = key {
            check_key_name(k)?;
            let path = self.ssh_dir().join(k);
            if !path.is_file() {
                return Err(Error::NotFound(format!(
                    "There is no key {}.",
                    path.display()
                )));
            }
            cmd.arg("-o").arg("IdentitiesOnly=yes").arg("-i").arg(path);
        }
        cmd.arg("--").arg(host);
        cmd.env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("HOME", &self.home)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let out = tokio::time::timeout(SSH_TIMEOUT, cmd.output())
            .await
            .map_err(|_| Error::Failed {
                message: format!("{host} did not answer within {} s.", SSH_TIMEOUT.as_secs()),
                detail: None,
            })?
            .map_err(|e| {
                Error::Unavailable(format!("ssh cannot be run ({e}); install openssh-client."))
            })?;
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        let output: String = output.trim().chars().take(2000).collect();
        // Git hosts refuse a shell after authenticating and say so: exit 1
        // with "successfully authenticated" / "Welcome"; 255 is ssh's own failure.
        let lower = output.to_lowercase();
        let authenticated = out.status.code() == Some(0)
            || (out.status.code() != Some(255)
                && (lower.contains("successfully authenticated") || lower.contains("welcome")));
        Ok(SshTestResult {
            authenticated,
            output,
            exit_code: out.status.code(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_key_names_that_could_be_options_are_refused() {
        for h in [
            "-oProxyCommand=touch /tmp/x",
            "git@-evil",
            "ext::sh -c x",
            "a b",
            "",
            "ssh://-oProxyCommand=x",
        ] {
            assert!(check_host(h).is_err(), "{h}");
        }
        for h in [
            "github.com",
            "git@github.com",
            "10.0.0.1",
            "git@gitlab.example.org",
        ] {
            assert!(check_host(h).is_ok(), "{h}");
        }
        for n in ["-i", "../id", ".hidden", "a/b", "id.pub", "", "x y"] {
            assert!(check_key_name(n).is_err(), "{n}");
        }
        assert!(check_key_name("id_ed25519_work").is_ok());
    }
}
