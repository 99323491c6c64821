//! The four services: image, versions, ports, settings, readiness.

use crate::error::{Error, Result};
use ai_desktop_api::services::{CatalogEntry, ServiceKind};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const DOCKER_HINT: &str = "Install Docker (`sudo apt install docker.io`) and start its daemon \
     (`sudo systemctl start docker`); this page recovers by itself once it answers.";

pub fn entry(kind: ServiceKind) -> CatalogEntry {
    let (image, versions, port): (&str, &[&str], u16) = match kind {
        ServiceKind::Postgresql => ("postgres", &["16", "15", "14"], 5432),
        ServiceKind::Mysql => ("mysql", &["8.4", "8.0"], 3306),
        ServiceKind::Mongodb => ("mongo", &["7.0", "6.0"], 27017),
        ServiceKind::Redis => ("redis", &["7.2", "7.0", "6.2"], 6379),
    };
    CatalogEntry {
        kind,
        label: kind.label().to_string(),
        image: image.to_string(),
        versions: versions.iter().map(|v| v.to_string()).collect(),
        internal_port: port,
        default_port: port,
    }
}

pub fn entries() -> Vec<CatalogEntry> {
    ServiceKind::ALL.into_iter().map(entry).collect()
}

/// A Docker tag: letters, digits, `_`, `.`, `-`, at most 128, not starting
/// with `.` or `-`.
pub fn check_tag(tag: &str) -> Result<&str> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !tag.starts_with(['.', '-']);
    if ok {
        Ok(tag)
    } else {
        Err(Error::InvalidInput(format!(
            "\"{tag}\" is not a version tag (letters, digits, '.', '-' and '_' only)."
        )))
    }
}

pub fn data_path(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Postgresql => "/var/lib/postgresql/data",
        ServiceKind::Mysql => "/var/lib/mysql",
        ServiceKind::Mongodb => "/data/db",
        ServiceKind::Redis => "/data",
    }
}

/// The images' standard variables (which service discovery reads back).
pub fn env(kind: ServiceKind, password: &str) -> Vec<String> {
    match kind {
        ServiceKind::Postgresql => vec![
            "POSTGRES_USER=postgres".into(),
            format!("POSTGRES_PASSWORD={password}"),
            "POSTGRES_DB=app".into(),
        ],
        ServiceKind::Mysql => vec![
            format!("MYSQL_ROOT_PASSWORD={password}"),
            "MYSQL_DATABASE=app".into(),
        ],
        ServiceKind::Mongodb => vec![
            "MONGO_INITDB_ROOT_USERNAME=admin".into(),
            format!("MONGO_INITDB_ROOT_PASSWORD={password}"),
        ],
        ServiceKind::Redis => Vec::new(),
    }
}

/// Redis takes its password on the command line (the official image has no
/// variable for it), with persistence on.
pub fn cmd(kind: ServiceKind, password: &str) -> Option<Vec<String>> {
    match kind {
        ServiceKind::Redis => Some(
            [
                "redis-server",
                "--requirepass",
                password,
                "--appendonly",
                "yes",
                "--dir",
                "/data",
            ]
            .map(String::from)
            .to_vec(),
        ),
        _ => None,
    }
}

/// The password a container was created with (the inverse of [`env`] and [`cmd`]).
pub fn password_from(kind: ServiceKind, env: &[String], cmd: &[String]) -> Option<String> {
    let var = |name: &str| {
        env.iter()
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_string))
    };
    match kind {
        ServiceKind::Postgresql => var("POSTGRES_PASSWORD"),
        ServiceKind::Mysql => var("MYSQL_ROOT_PASSWORD"),
        ServiceKind::Mongodb => var("MONGO_INITDB_ROOT_PASSWORD"),
        ServiceKind::Redis => cmd
            .windows(2)
            .find(|w| w[0] == "--requirepass")
            .map(|w| w[1].clone()),
    }
}

pub fn connection_string(kind: ServiceKind, port: u16, password: &str) -> String {
    match kind {
        ServiceKind::Postgresql => format!("postgresql://postgres:{password}@127.0.0.1:{port}/app"),
        ServiceKind::Mysql => format!("mysql://root:{password}@127.0.0.1:{port}/app"),
        ServiceKind::Mongodb => {
            format!("mongodb://admin:{password}@127.0.0.1:{port}/?authSource=admin")
        }
        ServiceKind::Redis => format!("redis://:{password}@127.0.0.1:{port}"),
    }
}

/// Waits until the service accepts connections on `port` (Redis: until it
/// answers an authenticated PING).
pub async fn wait_ready(
    kind: ServiceKind,
    port: u16,
    password: &str,
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let ready = match kind {
            ServiceKind::Redis => redis_ping(port, password).await,
            _ => tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok(),
        };
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Error::Failed {
                message: format!(
                    "{} did not accept connections on 127.0.0.1:{port} within {} s; see its logs.",
                    kind.label(),
                    timeout.as_secs()
                ),
                detail: None,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// AUTH + PING in RESP; true on "+PONG".
async fn redis_ping(port: u16, password: &str) -> bool {
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        let command = format!(
            "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n",
            password.len()
        );
        s.write_all(command.as_bytes()).await.ok()?;
        let mut buf = vec![0u8; 256];
        let mut got = Vec::new();
        while !String::from_utf8_lossy(&got).contains("PONG") {
            let n = s.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            got.extend_from_slice(&buf[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .ok()
        .flatten()
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_with_spaces_or_shell_characters_are_refused() {
        assert!(check_tag("7.2-alpine").is_ok());
        for bad in ["7.2 ", "latest; rm -rf /", "$(id)", "-x", "", "a/b"] {
            assert!(check_tag(bad).is_err(), "{bad}");
        }
    }
}
