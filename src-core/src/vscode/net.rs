//! Talking to an instance over loopback: the readiness probe, the check that
//! a port's listener is our own process, and the one-shot login hand-off.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The HTTP status of `GET path` on 127.0.0.1:`port`, if anything answered.
pub async fn http_status(port: u16, path: &str) -> Option<u16> {
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = [0u8; 32];
        let n = stream.read(&mut head).await.ok()?;
        // "HTTP/1.1 200 OK"
        std::str::from_utf8(&head[..n])
            .ok()?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .ok()
        .flatten()
}

/// Socket inodes listening on `port` on an address 127.0.0.1 reaches
/// (127.0.0.1, 0.0.0.0, ::1, ::), from /proc/net/tcp{,6}.
pub fn listening_inodes(port: u16) -> HashSet<u64> {
    let mut inodes = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let (Some(local), Some(state), Some(inode)) =
                (fields.get(1), fields.get(3), fields.get(9))
            else {
                continue;
            };
            if *state != "0A" {
                continue; // not LISTEN
            }
            let Some((addr, hex_port)) = local.split_once(':') else {
                continue;
            };
            if u16::from_str_radix(hex_port, 16).ok() != Some(port) {
                continue;
            }
            let loopback_reachable = matches!(
                addr,
                "0100007F"
                    | "00000000"
                    | "00000000000000000000000001000000"
                    | "00000000000000000000000000000000"
                    | "0000000000000000FFFF00000100007F"
            );
            if let (true, Ok(inode)) = (loopback_reachable, inode.parse()) {
                inodes.insert(inode);
            }
        }
    }
    inodes
}

/// Pids of the live members of process group `pgid`.
pub fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| crate::procs::process_group(*pid) == Some(pgid))
        .collect()
}

/// Whether every listener on `port` that 127.0.0.1 can reach belongs to a
/// process of group `pgid` (and there is at least one). A squatter on the
/// port, on any loopback address, makes this false.
pub fn port_is_served_by_group(port: u16, pgid: u32) -> bool {
    let wanted = listening_inodes(port);
    if wanted.is_empty() {
        return false;
    }
    let mut found = HashSet::new();
    for pid in group_members(pgid) {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|t| t.strip_suffix(']'))
                .and_then(|t| t.parse::<u64>().ok())
            {
                if wanted.contains(&inode) {
                    found.insert(inode);
                }
            }
        }
    }
    found == wanted
}

/// How long a hand-off page waits to be fetched.
const HANDOFF_TTL: Duration = Duration::from_secs(60);

/// Serves, once, a page that signs the browser in to the instance on
/// `port`: a form that posts the password to code-server's `/login` and
/// submits itself. Returns the page's URL (random path on a random port).
/// The page is never served twice and the listener closes after one hit or
/// [`HANDOFF_TTL`]; a request for any other path gets 404 and is not counted.
pub async fn serve_login_handoff(port: u16, password: String, to: &str) -> std::io::Result<String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let nonce = crate::secrets::random_hex(16).map_err(std::io::Error::other)?;
    let own_port = listener.local_addr()?.port();
    let url = format!("http://127.0.0.1:{own_port}/{nonce}");
    let page = login_page(port, &password, to);
    tokio::spawn(async move {
        let serve = async {
            loop {
                let Ok((mut conn, peer)) = listener.accept().await else {
                    return;
                };
                // The URL passes through argv (xdg-open, the browser), where
                // other users can read it: only our own user gets the page.
                if !peer_is_our_user(peer.port(), own_port) {
                    let _ = conn
                        .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .await;
                    continue;
                }
                let mut buf = vec![0u8; 4096];
                let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
                    .await
                    .ok()
                    .and_then(|r| r.ok())
                    .unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let wanted = format!("GET /{nonce} ");
                if request.starts_with(&wanted) {
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
                        page.len()
                    );
                    let _ = conn.write_all(response.as_bytes()).await;
                    let _ = conn.shutdown().await;
                    return;
                }
                let _ = conn
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
            }
        };
        let _ = tokio::time::timeout(HANDOFF_TTL, serve).await;
    });
    Ok(url)
}

/// Whether the loopback connection from `peer_port` to our `local_port` was
/// opened by a process of the user this app runs as (the socket's owner in
/// /proc/net/tcp, as identd would answer).
pub fn peer_is_our_user(peer_port: u16, local_port: u16) -> bool {
    // SAFETY: getuid(2) cannot fail and touches no memory.
    let uid = unsafe { libc::getuid() };
    let ours = format!("0100007F:{peer_port:04X}");
    let theirs = format!("0100007F:{local_port:04X}");
    let Ok(text) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    text.lines().skip(1).any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.get(1) == Some(&ours.as_str())
            && f.get(2) == Some(&theirs.as_str())
            && f.get(7).and_then(|u| u.parse::<u32>().ok()) == Some(uid)
    })
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A file to open: its absolute path (inside the repository) and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTarget {
    pub path: PathBuf,
    pub line: Option<u32>,
}

/// `relative` resolved inside the repository at `root`: refused when it
/// is absolute, climbs out (also through a symlink), or is not a file.
pub fn file_in_repository(
    root: &Path,
    relative: &str,
    line: Option<u32>,
) -> crate::error::Result<FileTarget> {
    use crate::error::Error;
    let rel = Path::new(relative);
    if relative.is_empty() || rel.is_absolute() || relative.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!(
            "\"{}\" is not a path inside the repository (give it relative to the repository's folder).",
            relative.escape_default()
        )));
    }
    let root = root
        .canonicalize()
        .map_err(|e| Error::failed("The repository's folder cannot be read.", e))?;
    let path = root
        .join(rel)
        .canonicalize()
        .map_err(|_| Error::NotFound(format!("There is no file {relative} in the repository.")))?;
    if !path.starts_with(&root) {
        return Err(Error::Forbidden(format!(
            "{relative} leads outside the repository."
        )));
    }
    if !path.is_file() {
        return Err(Error::InvalidInput(format!("{relative} is not a file.")));
    }
    if line == Some(0) {
        return Err(Error::InvalidInput("Lines are counted from 1.".into()));
    }
    Ok(FileTarget { path, line })
}

/// The workbench's path and query that open `file` (at its line) in the
/// folder `folder` of the instance on `port`: VS Code's web `payload`
/// (`openFile` with `gotoLineMode`), every part percent-encoded so the
/// sign-in's redirect passes it on unchanged.
pub fn open_file_path(port: u16, folder: &str, file: &FileTarget) -> String {
    let mut uri = format!("vscode-remote://127.0.0.1:{port}");
    for part in file.path.iter().skip(1) {
        uri.push('/');
        uri.push_str(&encode(&part.to_string_lossy()));
    }
    if let Some(line) = file.line {
        uri.push_str(&format!(":{line}"));
    }
    let payload = serde_json::json!([["openFile", uri], ["gotoLineMode", "true"]]).to_string();
    format!("/?folder={}&payload={}", encode(folder), encode(&payload))
}

fn login_page(port: u16, password: &str, to: &str) -> String {
    // The password is 48 hex digits (ours), so it needs no escaping; checked anyway.
    let password: String = password
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let origin = format!("http://127.0.0.1:{port}");
    // Percent-encoded: no quote or angle bracket reaches the page.
    let to = encode(to);
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Opening VS Code…</title></head>\
         <body style=\"font-family:sans-serif;color:#555\"><p>Signing in to VS Code…</p>\
         <form id=\"f\" method=\"post\" action=\"{origin}/login?to={to}\">\
         <input type=\"hidden\" name=\"password\" value=\"{password}\">\
         <input type=\"hidden\" name=\"base\" value=\".\">\
         <input type=\"hidden\" name=\"href\" value=\"{origin}/login\">\
         <noscript><button type=\"submit\">Continue</button></noscript></form>\
         <script>document.getElementById('f').submit()</script></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_of_ours_is_recognised_and_an_unrelated_port_is_not() {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let local = listener.local_addr().unwrap().port();
        let client = std::net::TcpStream::connect(("127.0.0.1", local)).unwrap();
        let (_server_side, peer) = listener.accept().unwrap();
        assert_eq!(peer.port(), client.local_addr().unwrap().port());
        assert!(peer_is_our_user(peer.port(), local));
        // A port pair that is not a connection (another user's would look like this).
        assert!(!peer_is_our_user(peer.port(), local.wrapping_add(1)));
    }
}
