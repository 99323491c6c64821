//! Remote hosts reached over SSH. Everything goes through the user's own
//! OpenSSH client with their `~/.ssh/config` (aliases, users, ports, keys,
//! the agent), never with a prompt (`BatchMode`), and never trusting a host
//! key silently: a key no known_hosts file has is shown with its
//! fingerprint, and remembered (in the app's own known_hosts file, not the
//! user's) only once the user accepted exactly that fingerprint and the
//! host let the key in. A key that differs from a remembered one is refused
//! outright, as ssh itself would.

use crate::error::{Error, Result};
use crate::store::{self, Store};
use ai_desktop_api::files::{EntryKind, FileEntry, FileText};
use ai_desktop_api::git::{CommitInfo, RepoChanges};
use ai_desktop_api::hosts::{Host, HostKeyScan, HostReport, HostRepository, NewHost};
use ai_desktop_api::system::ToolCheck;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// ssh's own connection timeout (seconds) and the bound on a whole check.
pub mod deploy;
pub mod docker;
pub mod editor;
mod forward;
pub mod stack;

const CONNECT_TIMEOUT_S: u64 = 10;
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
const SCAN_TIMEOUT: Duration = Duration::from_secs(15);

/// Where a destination leads, as `ssh -G` resolves it with the user's config.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    host_name: String,
    port: u16,
    user: String,
    /// The user's known_hosts files, as the config names them (`~` expanded
    /// to the app's home).
    known_hosts: Vec<PathBuf>,
    /// The system's known_hosts files (read to tell a known key, never written).
    global_known_hosts: Vec<PathBuf>,
    /// Reached through a jump host or a proxy command.
    proxied: bool,
}

/// A host key as `ssh-keyscan` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostKey {
    key_type: String,
    /// The key's base64 blob.
    blob: String,
}

impl HostKey {
    fn fingerprint(&self) -> String {
        fingerprint(&self.blob).unwrap_or_default()
    }
}

/// `SHA256:…` of a base64 key blob, as `ssh-keygen -l` prints it.
fn fingerprint(blob: &str) -> Option<String> {
    use base64::Engine;
    use sha2::Digest;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(blob.trim())
        .ok()?;
    let digest = sha2::Sha256::digest(&raw);
    Some(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    ))
}

/// What the known_hosts files say of a host's key.
#[derive(Debug, PartialEq, Eq)]
enum Known {
    Yes,
    No,
    /// A key of the same type is remembered in this file, and it is another.
    Changed(PathBuf),
}

/// `[user@]host` or an alias: a name ssh resolves, never an option.
fn check_destination(destination: &str) -> Result<()> {
    let (user, name) = match destination.split_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, destination),
    };
    let word = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && !s.starts_with(['-', '.'])
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    let host_ok = word(name)
        || (name.starts_with('[') && name.ends_with(']') && {
            let inner = &name[1..name.len() - 1];
            !inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
        })
        || (name.contains(':') && name.chars().all(|c| c.is_ascii_hexdigit() || c == ':'));
    if user.is_none_or(word) && host_ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{destination}\" is not a host: give user@host, a host name or address, or a Host alias of ~/.ssh/config."
        )))
    }
}

fn check_port(port: Option<u16>) -> Result<()> {
    match port {
        Some(0) => Err(Error::InvalidInput(
            "The port must be from 1 to 65535.".into(),
        )),
        _ => Ok(()),
    }
}

/// The host's name in a known_hosts file: `host`, or `[host]:port` off 22.
fn known_name(host_name: &str, port: u16) -> String {
    if port == 22 {
        host_name.to_string()
    } else {
        format!("[{host_name}]:{port}")
    }
}

pub struct Hosts {
    store: Arc<Store>,
    /// The app's home (where `~/.ssh` is read from).
    home: PathBuf,
    /// The known_hosts file of keys the user accepted in the app.
    known_hosts: PathBuf,
    /// One add or delete at a time: both rewrite the app's known_hosts.
    writing: tokio::sync::Mutex<()>,
}

impl Hosts {
    pub fn new(store: Arc<Store>, home: PathBuf, data_dir: &Path) -> Hosts {
        Hosts {
            store,
            home,
            known_hosts: data_dir.join("known_hosts"),
            writing: tokio::sync::Mutex::new(()),
        }
    }

    pub fn list(&self) -> Result<Vec<Host>> {
        self.store.with(|c| store::hosts::list(c))
    }

    pub fn get(&self, id: i64) -> Result<Host> {
        self.store.with(|c| store::hosts::get(c, id))
    }

    fn ssh_config(&self) -> Option<PathBuf> {
        let config = self.home.join(".ssh").join("config");
        config.is_file().then_some(config)
    }

    /// `program` with the user's environment and the app's home, reading the
    /// app's `~/.ssh/config` (OpenSSH itself reads the account's, ignoring
    /// `HOME`).
    fn command(&self, program: &str) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(program);
        cmd.env_clear()
            .envs(crate::procs::user_env())
            .env("HOME", &self.home)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    /// A path `ssh -G` printed, in the app's home: ssh expands `~` to the
    /// account's home, which is not the app's when it runs with another
    /// `HOME`.
    fn expand(&self, path: &str) -> PathBuf {
        if let Some(rest) = path.strip_prefix("~/") {
            return self.home.join(rest);
        }
        let path = PathBuf::from(path);
        match crate::git::cli::account_home() {
            Some(account) if account != self.home => match path.strip_prefix(&account) {
                Ok(rest) => self.home.join(rest),
                Err(_) => path,
            },
            _ => path,
        }
    }

    /// `ssh -G`: reads the config, connects nowhere.
    async fn resolve(&self, destination: &str, port: Option<u16>) -> Result<Route> {
        let mut cmd = self.command("ssh");
        cmd.arg("-G");
        if let Some(config) = self.ssh_config() {
            cmd.arg("-F").arg(config);
        }
        if let Some(port) = port {
            cmd.arg("-p").arg(port.to_string());
        }
        let out = cmd.arg("--").arg(destination).output().await.map_err(|e| {
            Error::Unavailable(format!("ssh cannot be run ({e}); install openssh-client."))
        })?;
        if !out.status.success() {
            return Err(Error::InvalidInput(format!(
                "ssh cannot read where {destination} leads: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let mut route = Route {
            host_name: String::new(),
            port: 22,
            user: String::new(),
            known_hosts: Vec::new(),
            global_known_hosts: Vec::new(),
            proxied: false,
        };
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "hostname" => route.host_name = value.to_string(),
                "port" => route.port = value.parse().unwrap_or(22),
                "user" => route.user = value.to_string(),
                "userknownhostsfile" => {
                    route.known_hosts = value.split_whitespace().map(|p| self.expand(p)).collect()
                }
                "globalknownhostsfile" => {
                    route.global_known_hosts = value.split_whitespace().map(PathBuf::from).collect()
                }
                "proxyjump" | "proxycommand" if !value.is_empty() && value != "none" => {
                    route.proxied = true
                }
                _ => {}
            }
        }
        if route.host_name.is_empty() || route.host_name.starts_with('-') {
            return Err(Error::InvalidInput(format!(
                "ssh resolves {destination} to no host name it can reach."
            )));
        }
        if route.proxied {
            return Err(Error::InvalidInput(format!(
                "{destination} is reached through a ProxyJump or ProxyCommand in ~/.ssh/config; \
                 hosts behind a jump host cannot be added yet."
            )));
        }
        Ok(route)
    }

    /// The host's keys, preferred type first (ed25519, ECDSA, RSA).
    async fn scan_keys(&self, route: &Route) -> Result<Vec<HostKey>> {
        let run = self
            .command("ssh-keyscan")
            .args(["-T", "5", "-t", "ed25519,ecdsa,rsa", "-p"])
            .arg(route.port.to_string())
            .arg("--")
            .arg(&route.host_name)
            .output();
        let out = tokio::time::timeout(SCAN_TIMEOUT, run)
            .await
            .map_err(|_| {
                Error::Unavailable(format!(
                    "{}:{} did not show its key within {} s.",
                    route.host_name,
                    route.port,
                    SCAN_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| {
                Error::Unavailable(format!(
                    "ssh-keyscan cannot be run ({e}); install openssh-client."
                ))
            })?;
        let mut keys: Vec<HostKey> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut words = l.split_whitespace().skip(1);
                let key_type = words.next()?.to_string();
                let blob = words.next()?.to_string();
                fingerprint(&blob)?;
                Some(HostKey { key_type, blob })
            })
            .collect();
        let rank = |t: &str| match t {
            "ssh-ed25519" => 0,
            t if t.starts_with("ecdsa-") => 1,
            _ => 2,
        };
        keys.sort_by_key(|k| rank(&k.key_type));
        if keys.is_empty() {
            return Err(Error::Unavailable(format!(
                "Nothing answers as an SSH server on {}:{}.",
                route.host_name, route.port
            )));
        }
        Ok(keys)
    }

    /// Every known_hosts file consulted for this route: the user's (as
    /// their config names them) and the app's.
    fn known_files(&self, route: &Route) -> Vec<PathBuf> {
        let mut files = route.known_hosts.clone();
        if files.is_empty() {
            files.push(self.home.join(".ssh").join("known_hosts"));
        }
        files.push(self.known_hosts.clone());
        files
    }

    /// Whether the known_hosts files have one of `keys` for the route
    /// (`ssh-keygen -F` reads hashed entries too).
    async fn known(&self, route: &Route, keys: &[HostKey]) -> Result<Known> {
        let name = known_name(&route.host_name, route.port);
        let mut changed = None;
        let files = self.known_files(route);
        for file in files.iter().chain(&route.global_known_hosts) {
            if !file.is_file() {
                continue;
            }
            let out = self
                .command("ssh-keygen")
                .arg("-F")
                .arg(&name)
                .arg("-f")
                .arg(file)
                .output()
                .await
                .map_err(|e| Error::failed("ssh-keygen cannot be run.", e))?;
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                let words: Vec<&str> = line.split_whitespace().collect();
                // A marker (@cert-authority, @revoked) comes first when there is one.
                if words.first().is_some_and(|w| w.starts_with('@')) {
                    continue;
                }
                let (Some(key_type), Some(blob)) = (words.get(1), words.get(2)) else {
                    continue;
                };
                if keys
                    .iter()
                    .any(|k| &k.key_type == key_type && &k.blob == blob)
                {
                    return Ok(Known::Yes);
                }
                if keys.iter().any(|k| &k.key_type == key_type) {
                    changed.get_or_insert(file.clone());
                }
            }
        }
        Ok(changed.map_or(Known::No, Known::Changed))
    }

    /// Where `destination` leads and its host key, nothing saved.
    pub async fn scan(&self, destination: &str, port: Option<u16>) -> Result<HostKeyScan> {
        let destination = destination.trim();
        check_destination(destination)?;
        check_port(port)?;
        let route = self.resolve(destination, port).await?;
        let keys = self.scan_keys(&route).await?;
        let known = match self.known(&route, &keys).await? {
            Known::Yes => true,
            Known::No => false,
            Known::Changed(file) => return Err(changed(&route, &file)),
        };
        Ok(HostKeyScan {
            host_name: route.host_name,
            port: route.port,
            user: route.user,
            key_type: keys[0].key_type.clone(),
            fingerprint: keys[0].fingerprint(),
            known,
        })
    }

    /// Adds a host: its key known or accepted, the key let in, its tools
    /// checked. Nothing is saved (no row, no remembered key) if any of that
    /// fails.
    pub async fn add(&self, input: NewHost) -> Result<Host> {
        let destination = input.destination.trim().to_string();
        check_destination(&destination)?;
        check_port(input.port)?;
        let key = match input
            .key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            Some(k) => {
                crate::git::identity::check_key_name(k)?;
                let path = self.home.join(".ssh").join(k);
                if !path.is_file() {
                    return Err(Error::NotFound(format!(
                        "There is no key {}.",
                        path.display()
                    )));
                }
                Some(k.to_string())
            }
            None => None,
        };
        let name = input
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&destination)
            .to_string();
        if name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(Error::InvalidInput(
                "The name must be one line of at most 80 characters.".into(),
            ));
        }
        let _writing = self.writing.lock().await;
        let route = self.resolve(&destination, input.port).await?;
        if let Some(h) = self
            .store
            .with(|c| store::hosts::find(c, &route.host_name, route.port, &route.user))?
        {
            return Err(Error::Conflict(format!(
                "{}@{}:{} is already added as {}.",
                route.user, route.host_name, route.port, h.name
            )));
        }
        let keys = self.scan_keys(&route).await?;
        let accepted = match self.known(&route, &keys).await? {
            Known::Yes => None,
            Known::Changed(file) => return Err(changed(&route, &file)),
            Known::No => {
                let shown = keys[0].fingerprint();
                match input.trust_fingerprint.as_deref().map(str::trim) {
                    None | Some("") => {
                        return Err(Error::Forbidden(format!(
                            "The key of {} is not known yet: its {} fingerprint is {shown}. \
                             Compare it with the host's (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub there) \
                             and accept it to add the host.",
                            route.host_name, keys[0].key_type
                        )))
                    }
                    Some(f) if f != shown => {
                        return Err(Error::Forbidden(format!(
                            "The key of {} is now {shown}, not the {f} you accepted; nothing was added.",
                            route.host_name
                        )))
                    }
                    Some(_) => Some(format!(
                        "{} {} {}\n",
                        known_name(&route.host_name, route.port),
                        keys[0].key_type,
                        keys[0].blob
                    )),
                }
            }
        };
        // The accepted key is tried from a file of its own first, so a host
        // that does not let the key in leaves nothing remembered.
        let trial = match &accepted {
            Some(line) => {
                let file = self
                    .known_hosts
                    .with_file_name(format!("known_hosts.trial-{}", std::process::id()));
                std::fs::write(&file, line).map_err(|e| {
                    Error::failed(format!("{} cannot be written.", file.display()), e)
                })?;
                Some(file)
            }
            None => None,
        };
        let conn = Conn {
            destination: &destination,
            port: input.port,
            key: key.as_deref(),
        };
        let checked = self.check_route(&conn, &route, trial.as_deref()).await;
        if let Some(file) = &trial {
            let _ = std::fs::remove_file(file);
        }
        let report = checked?;
        if let Some(line) = &accepted {
            self.remember(line)?;
        }
        let host = Host {
            id: 0,
            name,
            destination,
            port: input.port,
            key,
            host_name: route.host_name,
            host_port: route.port,
            user: route.user,
            fingerprint: keys[0].fingerprint(),
            created_at: String::new(),
            report: Some(report),
            unreachable: None,
            unreachable_at: None,
        };
        let added = self.store.with(|c| store::hosts::insert(c, &host));
        if added.is_err() {
            if let Some(line) = &accepted {
                let _ = self.forget(line);
            }
        }
        let added = added?;
        tracing::info!(
            "added host {} ({}@{}:{})",
            added.id,
            added.user,
            added.host_name,
            added.host_port
        );
        Ok(added)
    }

    /// Checks a host again: which tools it has now.
    pub async fn check(&self, id: i64) -> Result<Host> {
        let host = self.get(id)?;
        let conn = Conn {
            destination: &host.destination,
            port: host.port,
            key: host.key.as_deref(),
        };
        let route = self.resolve(&host.destination, host.port).await?;
        match self.check_route(&conn, &route, None).await {
            Ok(report) => self
                .store
                .with(|c| store::hosts::set_report(c, id, &report)),
            Err(e) => {
                let why = e.to_string();
                self.store
                    .with(|c| store::hosts::set_unreachable(c, id, &why))?;
                tracing::info!("host {id} unreachable: {why}");
                Err(e)
            }
        }
    }

    /// Forgets a host, and the key the app remembered for it unless another
    /// host at that address still needs it.
    pub async fn delete(&self, id: i64) -> Result<()> {
        let _writing = self.writing.lock().await;
        let host = self.get(id)?;
        self.store.with(|c| store::hosts::delete(c, id))?;
        let others = self
            .store
            .with(|c| store::hosts::count_at(c, &host.host_name, host.host_port))?;
        if others == 0 {
            self.forget_host(&known_name(&host.host_name, host.host_port))?;
        }
        self.disconnect(&host);
        tracing::info!("deleted host {id} ({})", host.destination);
        Ok(())
    }

    fn remember(&self, line: &str) -> Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.known_hosts)
            .map_err(|e| {
                Error::failed(
                    format!("{} cannot be written.", self.known_hosts.display()),
                    e,
                )
            })?;
        f.write_all(line.as_bytes())
            .map_err(|e| Error::failed("The host's key cannot be remembered.", e))
    }

    /// Rewrites the app's known_hosts without the lines `keep` refuses.
    fn rewrite_known(&self, keep: impl Fn(&str) -> bool) -> Result<()> {
        let Ok(text) = std::fs::read_to_string(&self.known_hosts) else {
            return Ok(());
        };
        let kept: String = text
            .lines()
            .filter(|l| keep(l))
            .map(|l| format!("{l}\n"))
            .collect();
        let tmp = self.known_hosts.with_extension("tmp");
        std::fs::write(&tmp, kept)
            .and_then(|_| std::fs::rename(&tmp, &self.known_hosts))
            .map_err(|e| {
                Error::failed(
                    format!("{} cannot be rewritten.", self.known_hosts.display()),
                    e,
                )
            })
    }

    fn forget(&self, line: &str) -> Result<()> {
        self.rewrite_known(|l| l != line.trim_end())
    }

    fn forget_host(&self, name: &str) -> Result<()> {
        self.rewrite_known(|l| l.split_whitespace().next() != Some(name))
    }

    /// Connects and runs the check script: the system and each tool.
    async fn check_route(
        &self,
        conn: &Conn<'_>,
        route: &Route,
        trial: Option<&Path>,
    ) -> Result<HostReport> {
        let started = Instant::now();
        let out = self.run(conn, route, trial, CHECK_SCRIPT).await?;
        let report = parse_report(&String::from_utf8_lossy(&out.stdout), started.elapsed());
        Ok(report)
    }

    /// Runs `script` with `sh -s` on the host (the script on standard input:
    /// no quoting through the remote shell); what it printed and its exit.
    /// Connections are shared (one SSH connection per host, kept a minute
    /// after its last use, ended when the app quits).
    async fn run(
        &self,
        conn: &Conn<'_>,
        route: &Route,
        trial: Option<&Path>,
        script: &str,
    ) -> Result<std::process::Output> {
        self.run_for(conn, route, trial, script, CHECK_TIMEOUT)
            .await
    }

    /// Runs `script` on `host` over its shared connection, waiting up to
    /// `timeout`.
    async fn script(
        &self,
        host: &Host,
        script: &str,
        timeout: Duration,
    ) -> Result<std::process::Output> {
        let conn = Self::conn_of(host);
        let route = self.resolve(&host.destination, host.port).await?;
        self.run_for(&conn, &route, None, script, timeout).await
    }

    /// Starts `ssh -N -o ExitOnForwardFailure=yes [options] -L <forward>`
    /// to `host`: a forward the app owns, on its own connection (the
    /// shared one's lifetime is not ours), its output in `log`.
    async fn spawn_forward(
        &self,
        host: &Host,
        forward: &str,
        options: &[&str],
        cwd: &Path,
        log: &Path,
    ) -> Result<crate::procs::Supervised> {
        let route = self.resolve(&host.destination, host.port).await?;
        let conn = Self::conn_of(host);
        let mut args = vec!["-N".to_string()];
        args.extend(self.ssh_args(&conn, &route, None, false));
        args.extend(["-o".into(), "ExitOnForwardFailure=yes".into()]);
        for option in options {
            args.extend(["-o".into(), option.to_string()]);
        }
        args.extend([
            "-L".into(),
            forward.to_string(),
            "--".into(),
            host.destination.clone(),
        ]);
        let mut env = crate::procs::user_env();
        env.push(("HOME".into(), self.home.display().to_string()));
        env.push(("LC_ALL".into(), "C".into()));
        let spec = crate::procs::ProcessSpec {
            program: PathBuf::from("ssh"),
            args,
            cwd: cwd.to_path_buf(),
            env,
            output: crate::procs::Output::Files {
                stdout: log.to_path_buf(),
                stderr: log.to_path_buf(),
            },
        };
        crate::procs::spawn(&spec, 200)
    }

    /// ssh's options for `conn`, up to (not including) the destination:
    /// batch mode, the known_hosts files, and either the host's shared
    /// connection (`shared`, never for a key on trial) or none.
    fn ssh_args(
        &self,
        conn: &Conn<'_>,
        route: &Route,
        trial: Option<&Path>,
        shared: bool,
    ) -> Vec<String> {
        let mut files: Vec<PathBuf> = self.known_files(route);
        files.extend(trial.map(Path::to_path_buf));
        let known: Vec<String> = files
            .iter()
            .map(|f| format!("\"{}\"", f.display()))
            .collect();
        let mut args: Vec<String> = Vec::new();
        if let Some(config) = self.ssh_config() {
            args.push("-F".into());
            args.push(config.display().to_string());
        }
        for option in [
            "BatchMode=yes".to_string(),
            format!("ConnectTimeout={CONNECT_TIMEOUT_S}"),
            "StrictHostKeyChecking=yes".into(),
            "UpdateHostKeys=no".into(),
            "CheckHostIP=no".into(),
            "LogLevel=ERROR".into(),
            format!("UserKnownHostsFile={}", known.join(" ")),
            // A link that died is noticed within 30 s.
            "ServerAliveInterval=10".into(),
            "ServerAliveCountMax=3".into(),
        ] {
            args.push("-o".into());
            args.push(option);
        }
        // A trial (a key not yet accepted) never opens a shared connection.
        let control = match (trial, shared) {
            (None, true) => self.control_dir(),
            _ => None,
        };
        let mux = match control {
            Some(dir) => vec![
                "ControlMaster=auto".to_string(),
                "ControlPersist=60".into(),
                format!("ControlPath={}/%C", dir.display()),
            ],
            None => vec!["ControlMaster=no".to_string(), "ControlPath=none".into()],
        };
        for option in mux {
            args.push("-o".into());
            args.push(option);
        }
        if let Some(port) = conn.port {
            args.push("-p".into());
            args.push(port.to_string());
        }
        if let Some(key) = conn.key {
            args.extend(["-o".into(), "IdentitiesOnly=yes".into(), "-i".into()]);
            args.push(self.home.join(".ssh").join(key).display().to_string());
        }
        args
    }

    /// [`Hosts::run`], waiting up to `timeout` for the script to end.
    async fn run_for(
        &self,
        conn: &Conn<'_>,
        route: &Route,
        trial: Option<&Path>,
        script: &str,
        timeout: Duration,
    ) -> Result<std::process::Output> {
        use tokio::io::AsyncWriteExt;
        let mut cmd = self.command("ssh");
        cmd.arg("-T")
            .args(self.ssh_args(conn, route, trial, true))
            .arg("--")
            .arg(conn.destination)
            .arg("sh -s")
            .stdin(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            Error::Unavailable(format!("ssh cannot be run ({e}); install openssh-client."))
        })?;
        if let Some(mut stdin) = child.stdin.take() {
            // Every script sees the PATH a login there has (programs in
            // ~/.local/bin, npm's prefix …), the check and git alike.
            let _ = stdin.write_all(LOGIN_ENV.as_bytes()).await;
            let _ = stdin.write_all(script.as_bytes()).await;
        }
        let out = tokio::time::timeout(timeout, child.wait_with_output())
            .await
            .map_err(|_| Error::Failed {
                message: format!(
                    "{} did not answer within {} s.",
                    conn.destination,
                    timeout.as_secs()
                ),
                detail: None,
            })?
            .map_err(|e| Error::failed("ssh failed.", e))?;
        if out.status.code() == Some(255) {
            let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
            let why = if said.contains("Permission denied") {
                format!(
                    "{} did not let the key in ({said}). Choose the key its authorized_keys has, or add yours to the agent.",
                    conn.destination
                )
            } else if said.contains("Host key verification failed") {
                format!(
                    "The key of {} is not the one remembered ({said}).",
                    conn.destination
                )
            } else {
                format!("ssh could not reach {}: {said}", conn.destination)
            };
            // Failed, not Unavailable: nothing is missing on this machine
            // (that would point the user at the local Doctor).
            return Err(Error::Failed {
                message: why,
                detail: None,
            });
        }
        Ok(out)
    }

    /// Where the shared connections' sockets live: a folder of the user's
    /// own (0700) in the runtime folder, short enough for a socket path.
    fn control_dir(&self) -> Option<PathBuf> {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        let base = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|d| d.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        let dir = base.join(format!("aidesktop-ssh-{uid}"));
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
        let meta = std::fs::symlink_metadata(&dir).ok()?;
        (meta.is_dir() && meta.uid() == uid && meta.mode() & 0o077 == 0).then_some(dir)
    }

    /// Ends every shared connection (at quit): no ssh is left behind.
    pub fn disconnect_all(&self) {
        for host in self.list().unwrap_or_default() {
            self.disconnect(&host);
        }
    }

    /// Ends the host's shared connection, if one is open.
    fn disconnect(&self, host: &Host) {
        if let Some(dir) = self.control_dir() {
            let mut cmd = std::process::Command::new("ssh");
            if let Some(config) = self.ssh_config() {
                cmd.arg("-F").arg(config);
            }
            cmd.args(["-O", "exit", "-o"])
                .arg(format!("ControlPath={}/%C", dir.display()));
            if let Some(port) = host.port {
                cmd.arg("-p").arg(port.to_string());
            }
            let _ = cmd
                .arg("--")
                .arg(&host.destination)
                .env_clear()
                .envs(crate::procs::user_env())
                .env("HOME", &self.home)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }

    fn conn_of(host: &Host) -> Conn<'_> {
        Conn {
            destination: &host.destination,
            port: host.port,
            key: host.key.as_deref(),
        }
    }

    /// Runs git in `repo` on the host with the app's fixed options and the
    /// repository's own programs (filters, diff and merge drivers) disarmed,
    /// as locally: its standard output.
    async fn git(&self, host: &Host, repo: &str, args: &[&str]) -> Result<Vec<u8>> {
        let out = self.git_raw(host, repo, args).await?;
        if !out.status.success() {
            return Err(Error::Failed {
                message: format!(
                    "git on {} failed: {}",
                    host.name,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                detail: None,
            });
        }
        Ok(out.stdout)
    }

    /// [`Hosts::git`], its exit left to the caller; a folder that is not
    /// there is `NotFound`.
    async fn git_raw(
        &self,
        host: &Host,
        repo: &str,
        args: &[&str],
    ) -> Result<std::process::Output> {
        let conn = Self::conn_of(host);
        let route = self.resolve(&host.destination, host.port).await?;
        let mut words: Vec<String> = vec!["--no-optional-locks".into()];
        words.extend(crate::git::cli::FIXED_OPTIONS.iter().map(|s| s.to_string()));
        let fixed: Vec<String> = words.iter().map(|w| sh_quote(w)).collect();
        let quoted: Vec<String> = args.iter().map(|w| sh_quote(w)).collect();
        // One command there (each costs the user's shell starting): the
        // repository's own programs are found and disarmed in the script.
        let script = format!(
            "cd -- {} || exit 3\n{DISARM}exec git {} \"$@\" {}\n",
            sh_quote(repo),
            fixed.join(" "),
            quoted.join(" ")
        );
        let out = self.run(&conn, &route, None, &script).await?;
        match out.status.code() {
            Some(3) => Err(Error::NotFound(format!(
                "{repo} is not on {} any more.",
                host.name
            ))),
            Some(4) => Err(Error::Failed {
                message: format!(
                    "git on {} cannot say where its config's settings come from (git 2.26 or later is needed).",
                    host.name
                ),
                detail: None,
            }),
            _ => Ok(out),
        }
    }

    pub fn repositories(&self, host_id: i64) -> Result<Vec<HostRepository>> {
        self.get(host_id)?;
        self.store.with(|c| store::hosts::repositories(c, host_id))
    }

    /// Adds the working tree at `path` on the host: it must be the top of
    /// one (git says so there).
    pub async fn add_repository(&self, host_id: i64, path: &str) -> Result<HostRepository> {
        let host = self.get(host_id)?;
        let path = check_remote_path(path)?;
        let not_a_tree = || {
            Error::InvalidInput(format!(
                "{path} on {} is not a folder in a git working tree.",
                host.name
            ))
        };
        let out = match self
            .git_raw(&host, &path, &["rev-parse", "--show-toplevel"])
            .await
        {
            Ok(out) if out.status.success() => out,
            Ok(_) | Err(Error::NotFound(_)) => return Err(not_a_tree()),
            Err(e) => return Err(e),
        };
        let top = String::from_utf8_lossy(&out.stdout)
            .trim_end_matches('\n')
            .to_string();
        if top != path {
            return Err(Error::InvalidInput(format!(
                "{path} is inside the working tree {top} on {}; add that folder.",
                host.name
            )));
        }
        let name = path.rsplit('/').next().unwrap_or(&path).to_string();
        let added = self
            .store
            .with(|c| store::hosts::insert_repository(c, host_id, &path, &name))?;
        tracing::info!("added repository {path} on host {host_id}");
        Ok(added)
    }

    pub fn remove_repository(&self, id: i64) -> Result<()> {
        self.store.with(|c| store::hosts::delete_repository(c, id))
    }

    fn host_repository(&self, id: i64) -> Result<(Host, HostRepository)> {
        let repo = self.store.with(|c| store::hosts::repository(c, id))?;
        Ok((self.get(repo.host_id)?, repo))
    }

    /// `git status` there, read as locally.
    pub async fn changes(&self, id: i64) -> Result<RepoChanges> {
        let (host, repo) = self.host_repository(id)?;
        let out = self
            .git(
                &host,
                &repo.path,
                &[
                    "status",
                    "--porcelain=v2",
                    "-z",
                    "--branch",
                    "--untracked-files=all",
                ],
            )
            .await?;
        let changes = crate::git::changes::from_porcelain(&out, branch_of(&out));
        Ok(RepoChanges {
            repository_id: id,
            branch: changes.branch,
            files: changes.files,
            counts: changes.counts,
            truncated: changes.truncated,
        })
    }

    /// One file's diff there (no external diff program, no text conversion).
    pub async fn diff(&self, id: i64, file: &str, staged: bool) -> Result<String> {
        check_repo_file(file)?;
        let (host, repo) = self.host_repository(id)?;
        let mut args = vec!["diff", "--no-ext-diff", "--no-textconv", "--no-color"];
        if staged {
            args.push("--cached");
        }
        args.extend(["--", file]);
        let out = self.git(&host, &repo.path, &args).await?;
        let mut text = String::from_utf8_lossy(&out).into_owned();
        if text.len() > MAX_DIFF {
            let mut cut = MAX_DIFF;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("\n… (cut: the diff is longer than 1 MB)\n");
        }
        Ok(text)
    }

    /// Runs `body` (after [`CONFINE`]) in the repository's top there, with
    /// `rel` (checked: relative, inside) as `$1`.
    async fn in_repository(
        &self,
        id: i64,
        rel: &str,
        body: &str,
    ) -> Result<(HostRepository, std::process::Output)> {
        if !rel.is_empty() {
            check_repo_file(rel)?;
        }
        let (host, repo) = self.host_repository(id)?;
        let route = self.resolve(&host.destination, host.port).await?;
        let script = format!(
            "cd -- {} || exit 3\nset -- {}\n{CONFINE}{body}",
            sh_quote(&repo.path),
            sh_quote(if rel.is_empty() { "." } else { rel })
        );
        let out = self
            .run(&Self::conn_of(&host), &route, None, &script)
            .await?;
        let shown = if rel.is_empty() { &repo.name } else { rel };
        match out.status.code() {
            Some(3) => Err(Error::NotFound(format!(
                "{} is not on {} any more.",
                repo.path, host.name
            ))),
            Some(5) => Err(Error::NotFound(format!(
                "There is no {shown} in {}.",
                repo.name
            ))),
            Some(6) => Err(Error::Forbidden(format!(
                "{shown} leads outside {} (a link out of the repository).",
                repo.name
            ))),
            _ => Ok((repo, out)),
        }
    }

    /// A folder of a host repository: folders first, then files, by name.
    pub async fn files(&self, id: i64, rel: &str) -> Result<Vec<FileEntry>> {
        let (repo, out) = self
            .in_repository(
                id,
                rel,
                "[ -d \"$target\" ] || exit 7\ncd -- \"$target\" || exit 5\n\
                 exec find . -mindepth 1 -maxdepth 1 -printf '%y\\t%s\\t%T@\\t%f\\0'\n",
            )
            .await?;
        if out.status.code() == Some(7) {
            return Err(Error::InvalidInput(format!("{rel} is not a folder.")));
        }
        if !out.status.success() {
            return Err(Error::Failed {
                message: format!(
                    "The folder could not be listed there (GNU find is needed): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                detail: None,
            });
        }
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{}/", rel.trim_end_matches('/'))
        };
        let mut entries: Vec<FileEntry> = out
            .stdout
            .split(|b| *b == 0)
            .filter(|r| !r.is_empty())
            .take(MAX_ENTRIES)
            .filter_map(|record| {
                let record = String::from_utf8_lossy(record);
                let mut f = record.splitn(4, '\t');
                let kind = match f.next()? {
                    "d" => EntryKind::Dir,
                    "l" => EntryKind::Symlink,
                    "f" => EntryKind::File,
                    _ => return None,
                };
                let size = f.next()?.parse().unwrap_or(0);
                let modified = f.next()?.split('.').next()?.parse().ok();
                let name = f.next()?.to_string();
                Some(FileEntry {
                    path: format!("{prefix}{name}"),
                    name,
                    kind,
                    size: if kind == EntryKind::Dir { 0 } else { size },
                    modified,
                    git: None,
                })
            })
            .collect();
        entries.sort_by(|a, b| {
            (a.kind != EntryKind::Dir, a.name.to_lowercase())
                .cmp(&(b.kind != EntryKind::Dir, b.name.to_lowercase()))
        });
        tracing::debug!("listed {} entries of {} there", entries.len(), repo.name);
        Ok(entries)
    }

    /// A text file of a host repository (at most [`crate::files::MAX_TEXT`]).
    pub async fn read_file(&self, id: i64, rel: &str) -> Result<FileText> {
        if rel.is_empty() {
            return Err(Error::InvalidInput("Choose a file to read.".into()));
        }
        let body = format!(
            "[ -f \"$target\" ] || exit 7\n\
             size=$(stat -c %s -- \"$target\") && mtime=$(stat -c %Y -- \"$target\") || exit 5\n\
             [ \"$size\" -le {} ] || exit 8\n\
             printf '%s\\t%s\\n' \"$size\" \"$mtime\"\nexec cat -- \"$target\"\n",
            crate::files::MAX_TEXT
        );
        let (_, out) = self.in_repository(id, rel, &body).await?;
        match out.status.code() {
            Some(7) => return Err(Error::InvalidInput(format!("{rel} is not a file."))),
            Some(8) => {
                return Err(Error::InvalidInput(format!(
                    "{rel} is larger than 1 MB; open it in the host's editor."
                )))
            }
            Some(0) => {}
            _ => {
                return Err(Error::Failed {
                    message: format!(
                        "{rel} could not be read there: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                    detail: None,
                })
            }
        }
        let at = out
            .stdout
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| Error::failed("The host answered nothing readable.", rel))?;
        let head = String::from_utf8_lossy(&out.stdout[..at]).into_owned();
        let (size, mtime) = head.split_once('\t').unwrap_or(("", ""));
        let bytes = &out.stdout[at + 1..];
        let text = std::str::from_utf8(bytes)
            .ok()
            .filter(|t| !t.contains('\0'))
            .ok_or_else(|| Error::InvalidInput(format!("{rel} is not a text file.")))?;
        Ok(FileText {
            path: rel.to_string(),
            text: text.to_string(),
            modified: mtime.parse().ok(),
            version: format!("{size}:{mtime}"),
        })
    }

    /// The newest commits there, from HEAD.
    pub async fn log(&self, id: i64) -> Result<Vec<CommitInfo>> {
        let (host, repo) = self.host_repository(id)?;
        let out = self
            .git(
                &host,
                &repo.path,
                &[
                    "log",
                    "-n",
                    "50",
                    "--no-show-signature",
                    "--format=%H%x1f%h%x1f%an%x1f%ae%x1f%at%x1f%P%x1f%s%x1e",
                ],
            )
            .await?;
        Ok(String::from_utf8_lossy(&out)
            .split('\u{1e}')
            .filter_map(|record| {
                let f: Vec<&str> = record.trim_start_matches('\n').split('\u{1f}').collect();
                let [id, short_id, author, email, time, parents, summary] = f.as_slice() else {
                    return None;
                };
                Some(CommitInfo {
                    id: id.to_string(),
                    short_id: short_id.to_string(),
                    summary: summary.to_string(),
                    author: author.to_string(),
                    email: email.to_string(),
                    time: time.parse().unwrap_or(0),
                    parents: parents.split_whitespace().map(str::to_string).collect(),
                })
            })
            .collect())
    }
}

/// sh, run in a repository on a host before git: sets `"$@"` to the `-c`
/// settings that disarm the programs the repository's own config (local or
/// worktree scope) names — filters, diff commands and text conversions,
/// merge drivers — as [`crate::git::cli::disarming_settings`] does here.
/// Exits 4 if git cannot list its config with scopes (then nothing runs).
const DISARM: &str = r#"keys=$(git config --name-only --show-scope --get-regexp '^(filter|diff|merge)\..*\.(clean|smudge|process|command|textconv|driver)$' 2>/dev/null)
[ $? -le 1 ] || exit 4
set --
while IFS='	' read -r scope key; do
  case "$scope" in local|worktree) ;; *) continue ;; esac
  section=${key%%.*}; rest=${key#*.}; name=${rest%.*}
  case "$section" in
    filter) set -- "$@" -c "filter.$name.clean=" -c "filter.$name.smudge=" -c "filter.$name.process=" -c "filter.$name.required=false" ;;
    diff) set -- "$@" -c "diff.$name.command=" -c "diff.$name.textconv=" ;;
    merge) set -- "$@" -c "merge.$name.driver=false" ;;
  esac
done <<AIDESKTOP_KEYS
$keys
AIDESKTOP_KEYS
"#;

/// sh, run in a host repository's top (`$root`, physical): `$target` is
/// the physical path of `$1` and must be inside the top (a link out is
/// refused: exit 6; missing: exit 5).
const CONFINE: &str = r#"root=$(pwd -P) || exit 3
target=$(realpath -e -- "$1" 2>/dev/null) || exit 5
case "$target/" in "$root"/*) ;; *) exit 6 ;; esac
"#;

/// Entries listed at most from one folder on a host.
const MAX_ENTRIES: usize = 5000;

/// A diff longer than this is cut.
const MAX_DIFF: usize = 1024 * 1024;

/// `'…'` for sh: the text as one word, whatever it holds.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A folder on a host: absolute, without `.`/`..` parts or control
/// characters; without a trailing `/`.
fn check_remote_path(path: &str) -> Result<String> {
    let trimmed = path.trim();
    let path = if trimmed.len() > 1 {
        trimmed.trim_end_matches('/')
    } else {
        trimmed
    };
    let ok = path.starts_with('/')
        && path.len() <= 4096
        && !path.chars().any(char::is_control)
        && path.split('/').all(|part| part != "." && part != "..");
    if ok {
        Ok(path.to_string())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{path}\" is not a folder on the host: give its absolute path, like /home/me/project."
        )))
    }
}

/// A file of a repository: relative, inside it.
fn check_repo_file(file: &str) -> Result<()> {
    let ok = !file.is_empty()
        && !file.starts_with('/')
        && !file.chars().any(char::is_control)
        && file
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{file}\" is not a file of the repository."
        )))
    }
}

/// The branch from porcelain v2's `# branch.head` (the short commit id when
/// detached).
fn branch_of(out: &[u8]) -> Option<String> {
    let mut oid = None;
    for record in out.split(|b| *b == 0) {
        let line = String::from_utf8_lossy(record);
        if let Some(head) = line.strip_prefix("# branch.head ") {
            if head != "(detached)" {
                return Some(head.to_string());
            }
        } else if let Some(o) = line.strip_prefix("# branch.oid ") {
            oid = Some(o.chars().take(7).collect());
        }
    }
    oid
}

/// How to reach a host: what the user typed.
struct Conn<'a> {
    destination: &'a str,
    port: Option<u16>,
    key: Option<&'a str>,
}

fn changed(route: &Route, file: &Path) -> Error {
    Error::Forbidden(format!(
        "The key {}:{} shows is not the one remembered in {}. Someone may be in between; \
         if the host was reinstalled, remove the old key (ssh-keygen -R '{}' -f {}) and add it again.",
        route.host_name,
        route.port,
        file.display(),
        known_name(&route.host_name, route.port),
        file.display()
    ))
}

/// Before every script: the login's environment (`~/.profile`, quietly).
const LOGIN_ENV: &str =
    "[ -r \"$HOME/.profile\" ] && . \"$HOME/.profile\" >/dev/null 2>&1 </dev/null\n";

/// Run on the host by `sh -s`: one tab-separated line per finding. pm2's
/// version is read from its package.json (running `pm2` would start its
/// daemon); the engine is asked through the docker CLI when there is one.
/// code-server the app installed there (in its data folder) comes first.
/// Log lines before a version (`[time] info Wrote default config file…`,
/// code-server's first run) are skipped.
const CHECK_SCRIPT: &str = r#"printf 'system\t%s\n' "$(uname -srm)"
own="${XDG_DATA_HOME:-$HOME/.local/share}/aidesktop/code-server/bin/code-server"
for t in git node npm docker code-server; do
  if [ "$t" = code-server ] && [ -x "$own" ]; then p=$own; t=$own; fi
  if [ "$t" = "$own" ] || p=$(command -v "$t" 2>/dev/null); then
    printf 'tool\t%s\t%s\t%s\n' "${t##*/}" "$p" "$("$t" --version 2>&1 | grep -v '^\[' | head -n 1)"
  else
    printf 'tool\t%s\t\t\n' "$t"
  fi
done
if p=$(command -v pm2 2>/dev/null); then
  v=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$(dirname "$(readlink -f "$p")")/../package.json" 2>/dev/null | head -n 1)
  printf 'tool\tpm2\t%s\t%s\n' "$p" "$v"
else
  printf 'tool\tpm2\t\t\n'
fi
if command -v docker >/dev/null 2>&1; then
  if v=$(docker version --format '{{.Server.Version}}' 2>/dev/null) && [ -n "$v" ]; then
    printf 'engine\tyes\t%s\n' "$v"
  else
    printf 'engine\tno\t%s\n' "$(docker version 2>&1 | tail -n 1)"
  fi
else
  printf 'engine\tno\tthe docker CLI is not there to ask\n'
fi
"#;

/// What each tool is for, and how to get it on a Debian or Ubuntu host.
fn tool_spec(name: &str) -> (&'static [&'static str], &'static str) {
    match name {
        "git" => (&["Repositories on this host"], "sudo apt install git"),
        "node" => (
            &["Deployments", "code-server"],
            "sudo apt install nodejs npm",
        ),
        "npm" => (&["Installing code-server and pm2"], "sudo apt install npm"),
        "pm2" => (&["Deployments"], "npm install --global pm2"),
        "docker" => (&["Services"], "sudo apt install docker.io"),
        "code-server" => (
            &["VS Code"],
            "Install it there from this card (npm, code-server 4.116.0 into the app's folder in your home; needs Node 22)",
        ),
        _ => (
            &["Services"],
            "sudo systemctl enable --now docker (and add the user to the docker group)",
        ),
    }
}

fn parse_report(out: &str, took: Duration) -> HostReport {
    let mut report = HostReport {
        system: String::new(),
        answered_ms: took.as_millis() as u64,
        tools: Vec::new(),
        checked_at: store::now_rfc3339_millis(),
    };
    for line in out.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["system", system] => report.system = system.trim().to_string(),
            ["tool", name, path, said] => {
                let (needed_by, install) = tool_spec(name);
                let found = !path.is_empty();
                report.tools.push(ToolCheck {
                    name: name.to_string(),
                    found,
                    version: if *name == "pm2" {
                        Some(said.trim().to_string()).filter(|v| !v.is_empty())
                    } else {
                        crate::doctor::version_in(said)
                    },
                    path: found.then(|| path.to_string()),
                    detail: (!found).then(|| format!("{name} is not on the PATH of a login there")),
                    needed_by: needed_by.iter().map(|s| s.to_string()).collect(),
                    install: install.to_string(),
                });
            }
            ["engine", ok, said] => {
                let (needed_by, install) = tool_spec("engine");
                let found = *ok == "yes";
                report.tools.push(ToolCheck {
                    name: "docker engine".into(),
                    found,
                    version: found.then(|| said.trim().to_string()),
                    path: None,
                    detail: (!found).then(|| said.trim().to_string()),
                    needed_by: needed_by.iter().map(|s| s.to_string()).collect(),
                    install: install.to_string(),
                });
            }
            _ => {}
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_that_could_be_options_are_refused() {
        for d in [
            "-oProxyCommand=touch /tmp/x",
            "root@-evil",
            "-p",
            "a b",
            "",
            "host;rm",
            "ssh://host",
            "user@",
            "@host",
            "$(id)",
        ] {
            assert!(check_destination(d).is_err(), "{d}");
        }
        for d in [
            "devbox",
            "dev_box",
            "me@devbox.example.org",
            "10.0.0.7",
            "root@127.0.0.1",
            "::1",
            "[fe80::1]",
        ] {
            assert!(check_destination(d).is_ok(), "{d}");
        }
        assert!(check_port(Some(0)).is_err());
        assert!(check_port(Some(2222)).is_ok() && check_port(None).is_ok());
    }

    #[test]
    fn fingerprints_are_what_ssh_keygen_prints() {
        // A key and its fingerprint as `ssh-keygen -lf` printed them.
        let blob = "AAAAC3NzaC1lZDI1NTE5AAAAIN/pwesyXUlVNudUDPvhM7Va6ggHLBX6jvGT8eBGCIbd";
        assert_eq!(
            fingerprint(blob).as_deref(),
            Some("SHA256:UxBHaEUW428ZYV62kd7XxKEqaCXe2Ac6ww1kK/UJz9w")
        );
        assert_eq!(fingerprint("not base64!"), None);
        assert_eq!(known_name("h", 22), "h");
        assert_eq!(known_name("h", 2222), "[h]:2222");
    }

    #[test]
    fn a_check_is_read_line_by_line() {
        let out = "system\tLinux 6.1.0 x86_64\n\
                   tool\tgit\t/usr/bin/git\tgit version 2.39.5\n\
                   tool\tnode\t\t\n\
                   tool\tpm2\t/usr/bin/pm2\t5.4.2\n\
                   engine\tno\tCannot connect to the Docker daemon\n\
                   noise\n";
        let r = parse_report(out, Duration::from_millis(120));
        assert_eq!(r.system, "Linux 6.1.0 x86_64");
        assert_eq!(r.answered_ms, 120);
        let names: Vec<&str> = r.tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["git", "node", "pm2", "docker engine"]);
        assert!(r.tools[0].found && r.tools[0].version.as_deref() == Some("2.39.5"));
        assert!(!r.tools[1].found && r.tools[1].detail.is_some());
        assert_eq!(r.tools[2].version.as_deref(), Some("5.4.2"));
        assert!(!r.tools[3].found);
        assert_eq!(
            r.tools[3].detail.as_deref(),
            Some("Cannot connect to the Docker daemon")
        );
    }
}
