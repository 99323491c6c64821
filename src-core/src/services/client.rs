//! *Open in…*: a service's own client (psql, redis-cli, mysql, mongosh) in
//! a terminal tab, signed in — the one on this machine if there is one, else
//! the one inside the container through `docker exec` — or a shell inside
//! the container. Passwords go through the environment (`PGPASSWORD`,
//! `REDISCLI_AUTH`, `MYSQL_PWD`; `docker exec -e NAME` passes the value on
//! without it appearing in any argument list), never argv, except mongosh,
//! which reads it only from its URL.

use super::state::ServiceRecord;
use crate::error::{Error, Result};
use ai_desktop_api::services::ServiceKind;
use std::path::PathBuf;

/// What a terminal tab runs for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Added to the tab's environment.
    pub env: Vec<(String, String)>,
    pub title: String,
}

/// The client's name, its arguments against host:port, and the variable
/// that carries the password (None: the engine has no client program).
fn client_of(
    record: &ServiceRecord,
    host: &str,
    port: u16,
) -> Option<(&'static str, Vec<String>, Option<&'static str>)> {
    let port = port.to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    Some(match record.kind {
        ServiceKind::Postgresql => (
            "psql",
            s(&["-h", host, "-p", &port, "-U", "postgres", "app"]),
            Some("PGPASSWORD"),
        ),
        ServiceKind::Redis => (
            "redis-cli",
            s(&["-h", host, "-p", &port]),
            Some("REDISCLI_AUTH"),
        ),
        // valkey-cli reads REDISCLI_AUTH too.
        ServiceKind::Valkey => (
            "valkey-cli",
            s(&["-h", host, "-p", &port]),
            Some("REDISCLI_AUTH"),
        ),
        ServiceKind::Memcached | ServiceKind::Rabbitmq => return None,
        ServiceKind::Mysql => (
            "mysql",
            s(&["-h", host, "-P", &port, "-u", "root", "app"]),
            Some("MYSQL_PWD"),
        ),
        ServiceKind::Mariadb => (
            "mariadb",
            s(&["-h", host, "-P", &port, "-u", "root", "app"]),
            Some("MYSQL_PWD"),
        ),
        ServiceKind::Mongodb => (
            "mongosh",
            vec![format!(
                "mongodb://admin:{}@{host}:{port}/?authSource=admin",
                record.password
            )],
            None,
        ),
    })
}

/// The command for a client (`shell`: a shell inside the container).
pub fn command(record: &ServiceRecord, shell: bool, path_var: &str) -> Result<ClientCommand> {
    let docker = || {
        crate::procs::find_program("docker", path_var).ok_or_else(|| {
            Error::Unavailable(
                "The docker program is not installed (sudo apt install docker.io).".into(),
            )
        })
    };
    let container = super::target(record)?.to_string();
    if shell {
        return Ok(ClientCommand {
            program: docker()?,
            args: ["exec", "-it", &container, "sh"].map(String::from).to_vec(),
            env: Vec::new(),
            title: format!("shell · {}", record.title()),
        });
    }
    let no_client = || {
        Error::InvalidInput(format!(
            "{} has no client program; it answers on 127.0.0.1:{} (its shell can reach it too).",
            record.title(),
            record.port
        ))
    };
    let (name, args, password_var) =
        client_of(record, "127.0.0.1", record.port).ok_or_else(no_client)?;
    let env: Vec<(String, String)> = password_var
        .map(|v| vec![(v.to_string(), record.password.clone())])
        .unwrap_or_default();
    let title = format!("{name} · {}", record.title());
    if let Some(program) = crate::procs::find_program(name, path_var) {
        return Ok(ClientCommand {
            program,
            args,
            env,
            title,
        });
    }
    // Inside the container, against its own port.
    let internal = super::catalog::entry(record.kind).internal_port;
    let (_, inside, _) = client_of(record, "127.0.0.1", internal).ok_or_else(no_client)?;
    let mut exec = vec!["exec".to_string(), "-it".to_string()];
    for (k, _) in &env {
        exec.push("-e".into());
        exec.push(k.clone());
    }
    exec.push(container);
    exec.push(name.to_string());
    exec.extend(inside);
    Ok(ClientCommand {
        program: docker()?,
        args: exec,
        env,
        title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: ServiceKind) -> ServiceRecord {
        ServiceRecord {
            id: kind.as_str().into(),
            kind,
            version: "1".into(),
            image: "x:1".into(),
            container: "aidesktop-x".into(),
            volume: "v".into(),
            port: 6390,
            password: "s3cret".into(),
            installed_at: String::new(),
            container_id: Some("abc123".into()),
        }
    }

    #[test]
    fn passwords_travel_in_the_environment_not_in_arguments() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path();
        for p in ["docker", "redis-cli"] {
            let f = bin.join(p);
            std::fs::write(&f, "#!/bin/sh\n").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let path = bin.display().to_string();
        // The machine's own redis-cli, against the published port.
        let redis = command(&record(ServiceKind::Redis), false, &path).unwrap();
        assert_eq!(redis.program, bin.join("redis-cli"));
        assert_eq!(redis.args, ["-h", "127.0.0.1", "-p", "6390"]);
        assert_eq!(
            redis.env,
            [("REDISCLI_AUTH".to_string(), "s3cret".to_string())]
        );
        // No psql here: the container's, through docker exec.
        let pg = command(&record(ServiceKind::Postgresql), false, &path).unwrap();
        assert_eq!(pg.program, bin.join("docker"));
        assert_eq!(
            pg.args,
            [
                "exec",
                "-it",
                "-e",
                "PGPASSWORD",
                "abc123",
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                "5432",
                "-U",
                "postgres",
                "app"
            ]
        );
        assert!(!pg.args.iter().any(|a| a.contains("s3cret")));
        let shell = command(&record(ServiceKind::Postgresql), true, &path).unwrap();
        assert_eq!(shell.args, ["exec", "-it", "abc123", "sh"]);
        assert!(command(&record(ServiceKind::Redis), true, "/nowhere").is_err());
    }
}
