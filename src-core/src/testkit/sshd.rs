//! A real OpenSSH server on a loopback port, for tests of what goes over
//! ssh: its own host key, one client key allowed in, no password, no PAM.
//! Needs `openssh-server` (`.ci/setup --test` installs it; the package's own
//! service is not started). Stopped when dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";

pub struct Sshd {
    pub port: u16,
    /// The private key the server lets in (its `.pub` is next to it).
    pub client_key: PathBuf,
    /// The server's host key as a `known_hosts` line for `[127.0.0.1]:port`.
    pub known_hosts_line: String,
    /// The login name the server lets in (the user running the test).
    pub user: String,
    child: Child,
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(path)
        .output()
        .expect("ssh-keygen runs");
    assert!(out.status.success(), "ssh-keygen: {out:?}");
}

use super::free_port;

impl Sshd {
    /// Starts a server whose files (keys, config, log) live in `dir`, and
    /// waits until it greets.
    pub fn start(dir: &Path) -> Sshd {
        Sshd::start_on(dir, free_port())
    }

    /// [`Sshd::start`] on `port`; the keys already in `dir` (a server
    /// started there before, now stopped) are kept, so the server comes
    /// back as the same host.
    pub fn start_on(dir: &Path, port: u16) -> Sshd {
        Sshd::start_with(dir, port, &[])
    }

    /// [`Sshd::start_on`], its sessions started with `env` set (sshd's
    /// `SetEnv`: over what the login would have), e.g. a `PATH` holding the
    /// tools the "remote" host has.
    pub fn start_with(dir: &Path, port: u16, env: &[(&str, &str)]) -> Sshd {
        assert!(
            Path::new(SSHD).is_file(),
            "{SSHD} is missing: sudo apt install openssh-server (.ci/setup --test does)"
        );
        std::fs::create_dir_all(dir).unwrap();
        // Run as root, sshd wants its privilege-separation folder, which the
        // package's service would make at start.
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            std::fs::create_dir_all("/run/sshd").unwrap();
        }
        let host_key = dir.join("host_key");
        let client_key = dir.join("client_key");
        for key in [&host_key, &client_key] {
            if !key.is_file() {
                keygen(key);
            }
        }
        let authorized = dir.join("authorized_keys");
        std::fs::copy(client_key.with_extension("pub"), &authorized).unwrap();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile {dir}/sshd.pid\n\
                 AuthorizedKeysFile {authorized}\nUsePAM no\nStrictModes no\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n{set_env}",
                set_env = if env.is_empty() {
                    String::new()
                } else {
                    let pairs: Vec<String> =
                        env.iter().map(|(k, v)| format!("\"{k}={v}\"")).collect();
                    format!("SetEnv {}\n", pairs.join(" "))
                },
                host = host_key.display(),
                dir = dir.display(),
                authorized = authorized.display(),
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("sshd starts");
        let host_pub = std::fs::read_to_string(host_key.with_extension("pub")).unwrap();
        let key: Vec<&str> = host_pub.split_whitespace().take(2).collect();
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        let server = Sshd {
            port,
            client_key,
            known_hosts_line: format!("[127.0.0.1]:{port} {}", key.join(" ")),
            user,
            child,
        };
        server.wait_for_greeting(dir);
        server
    }

    fn wait_for_greeting(&self, dir: &Path) {
        use std::io::Read;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut banner = [0u8; 4];
                if s.read_exact(&mut banner).is_ok() && &banner == b"SSH-" {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "sshd did not greet on port {}: {}",
            self.port,
            std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
        );
    }
}

impl Drop for Sshd {
    /// The host goes away: the server and every connection it serves (each
    /// in a session of its own, so not in the server's process group).
    fn drop(&mut self) {
        let pid = self.child.id();
        // Every descendant, by parent links read from /proc.
        let mut parents = Vec::new();
        if let Ok(procs) = std::fs::read_dir("/proc") {
            for entry in procs.flatten() {
                let Some(p) = entry
                    .file_name()
                    .to_str()
                    .and_then(|n| n.parse::<u32>().ok())
                else {
                    continue;
                };
                let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
                // pid (comm) state ppid …: the fields after the last ')'.
                if let Some(ppid) = stat
                    .rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                    .and_then(|p| p.parse::<u32>().ok())
                {
                    parents.push((p, ppid));
                }
            }
        }
        let mut tree = vec![pid];
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            tree.extend(
                parents
                    .iter()
                    .filter(|(_, pp)| *pp == parent)
                    .map(|(p, _)| *p),
            );
            i += 1;
        }
        for p in tree.into_iter().skip(1) {
            // SAFETY: kill(2) with a pid read from /proc; at worst it is gone.
            unsafe {
                libc::kill(p as i32, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
