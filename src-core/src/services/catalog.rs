//! The services: image, versions, ports, settings, readiness.

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
        ServiceKind::Mariadb => ("mariadb", &["11.4", "10.11"], 3306),
        ServiceKind::Mongodb => ("mongo", &["7.0", "6.0"], 27017),
        ServiceKind::Redis => ("redis", &["7.2", "7.0", "6.2"], 6379),
        ServiceKind::Valkey => ("valkey/valkey", &["8.0", "7.2"], 6379),
        ServiceKind::Memcached => ("memcached", &["1.6"], 11211),
        ServiceKind::Rabbitmq => ("rabbitmq", &["3.13", "3.12"], 5672),
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
        ServiceKind::Mysql | ServiceKind::Mariadb => "/var/lib/mysql",
        ServiceKind::Mongodb => "/data/db",
        ServiceKind::Redis | ServiceKind::Valkey => "/data",
        // Keeps nothing; the volume is there like every instance's.
        ServiceKind::Memcached => "/data",
        ServiceKind::Rabbitmq => "/var/lib/rabbitmq",
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
        ServiceKind::Mariadb => vec![
            format!("MARIADB_ROOT_PASSWORD={password}"),
            "MARIADB_DATABASE=app".into(),
        ],
        ServiceKind::Mongodb => vec![
            "MONGO_INITDB_ROOT_USERNAME=admin".into(),
            format!("MONGO_INITDB_ROOT_PASSWORD={password}"),
        ],
        // RabbitMQ reads these itself; a fixed node name keeps its data
        // folder the same whatever the container's host name.
        ServiceKind::Rabbitmq => vec![
            "RABBITMQ_DEFAULT_USER=app".into(),
            format!("RABBITMQ_DEFAULT_PASS={password}"),
            "RABBITMQ_NODENAME=rabbit@localhost".into(),
        ],
        ServiceKind::Redis | ServiceKind::Valkey | ServiceKind::Memcached => Vec::new(),
    }
}

/// Redis and Valkey take their password on the command line (the official
/// images have no variable for it), with persistence on. Memcached gets its
/// memory limit (it has no password: it is reached on 127.0.0.1 only).
pub fn cmd(kind: ServiceKind, password: &str) -> Option<Vec<String>> {
    let server = match kind {
        ServiceKind::Redis => "redis-server",
        ServiceKind::Valkey => "valkey-server",
        ServiceKind::Memcached => {
            return Some(["memcached", "-m", "64"].map(String::from).to_vec());
        }
        ServiceKind::Postgresql
        | ServiceKind::Mysql
        | ServiceKind::Mariadb
        | ServiceKind::Mongodb
        | ServiceKind::Rabbitmq => return None,
    };
    Some(
        [
            server,
            "--requirepass",
            password,
            "--appendonly",
            "yes",
            "--dir",
            "/data",
        ]
        .map(String::from)
        .to_vec(),
    )
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
        ServiceKind::Mariadb => var("MARIADB_ROOT_PASSWORD").or_else(|| var("MYSQL_ROOT_PASSWORD")),
        ServiceKind::Mongodb => var("MONGO_INITDB_ROOT_PASSWORD"),
        ServiceKind::Redis | ServiceKind::Valkey => cmd
            .windows(2)
            .find(|w| w[0] == "--requirepass")
            .map(|w| w[1].clone()),
        ServiceKind::Memcached => Some(String::new()),
        ServiceKind::Rabbitmq => var("RABBITMQ_DEFAULT_PASS"),
    }
}

pub fn connection_string(kind: ServiceKind, port: u16, password: &str) -> String {
    match kind {
        ServiceKind::Postgresql => format!("postgresql://postgres:{password}@127.0.0.1:{port}/app"),
        // MariaDB's drivers take mysql:// URLs too.
        ServiceKind::Mysql | ServiceKind::Mariadb => {
            format!("mysql://root:{password}@127.0.0.1:{port}/app")
        }
        ServiceKind::Mongodb => {
            format!("mongodb://admin:{password}@127.0.0.1:{port}/?authSource=admin")
        }
        ServiceKind::Redis | ServiceKind::Valkey => {
            format!("redis://:{password}@127.0.0.1:{port}")
        }
        ServiceKind::Memcached => format!("memcached://127.0.0.1:{port}"),
        ServiceKind::Rabbitmq => format!("amqp://app:{password}@127.0.0.1:{port}"),
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
        // Docker's proxy accepts connections before the server inside
        // does: each engine is asked something it answers only when ready.
        let ready = match kind {
            ServiceKind::Redis | ServiceKind::Valkey => redis_ping(port, password).await,
            ServiceKind::Memcached => memcached_version(port).await,
            ServiceKind::Rabbitmq => amqp_starts(port).await,
            ServiceKind::Postgresql => postgres_answers(port).await,
            ServiceKind::Mysql | ServiceKind::Mariadb => mysql_greets(port).await,
            ServiceKind::Mongodb => tokio::net::TcpStream::connect(("127.0.0.1", port))
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

/// A StartupMessage (protocol 3.0, user postgres): a server that is up asks
/// for authentication ('R'); one starting up says so in an error ('E'),
/// and Docker's proxy closes the connection while nothing listens inside.
async fn postgres_answers(port: u16) -> bool {
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        let params = b"user\0postgres\0database\0postgres\0\0";
        let len = (8 + params.len()) as u32;
        let mut msg = Vec::with_capacity(len as usize);
        msg.extend_from_slice(&len.to_be_bytes());
        msg.extend_from_slice(&196608u32.to_be_bytes());
        msg.extend_from_slice(params);
        s.write_all(&msg).await.ok()?;
        let mut first = [0u8; 1];
        s.read_exact(&mut first).await.ok()?;
        (first[0] == b'R').then_some(())
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// MySQL speaks first: a ready server sends its handshake (protocol 10).
async fn mysql_greets(port: u16) -> bool {
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        let mut head = [0u8; 5];
        s.read_exact(&mut head).await.ok()?;
        (head[4] == 10).then_some(())
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// The client and dump programs of a MySQL-like engine, as its image has them.
pub fn sql_programs(kind: ServiceKind) -> Option<(&'static str, &'static str)> {
    match kind {
        ServiceKind::Mysql => Some(("mysql", "mysqldump")),
        ServiceKind::Mariadb => Some(("mariadb", "mariadb-dump")),
        _ => None,
    }
}

/// AUTH, then one command, in RESP; Err: what Redis answered instead of +OK.
pub async fn redis_command(
    port: u16,
    password: &str,
    command: &[&str],
) -> std::result::Result<(), String> {
    let mut wire = format!("*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n", password.len());
    wire.push_str(&format!("*{}\r\n", command.len()));
    for arg in command {
        wire.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
    }
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        s.write_all(wire.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        // Two replies: AUTH's, then the command's.
        while got.iter().filter(|b| **b == b'\n').count() < 2 {
            let n = s.read(&mut buf).await.map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&got).to_string();
        if text.lines().take(2).all(|l| l.starts_with("+OK")) {
            Ok(())
        } else {
            Err(text.trim().to_string())
        }
    };
    tokio::time::timeout(Duration::from_secs(300), attempt)
        .await
        .map_err(|_| "Redis did not answer within 300 s".to_string())?
}

/// AMQP 0-9-1: after the protocol header a ready broker sends its
/// Connection.Start method frame (type 1, class 10, method 10).
async fn amqp_starts(port: u16) -> bool {
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        s.write_all(b"AMQP\x00\x00\x09\x01").await.ok()?;
        let mut head = [0u8; 11];
        s.read_exact(&mut head).await.ok()?;
        (head[0] == 1 && head[7..11] == [0, 10, 0, 10]).then_some(())
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// Memcached's text protocol: `version` is answered `VERSION 1.6.x` once it serves.
async fn memcached_version(port: u16) -> bool {
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        s.write_all(b"version\r\n").await.ok()?;
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).await.ok()?;
        buf[..n].starts_with(b"VERSION ").then_some(())
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .ok()
        .flatten()
        .is_some()
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
