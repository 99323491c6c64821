//! The databases a deployment can connect to: the containers the Services
//! module created (recorded by Docker id; their service label says the
//! kind), read through bollard, with connection strings built from each
//! container's own settings.

use ai_desktop_api::deployments::{DiscoveredService, ServiceDiscovery};
use bollard::query_parameters::{InspectContainerOptions, ListContainersOptionsBuilder};
use bollard::Docker;
use std::collections::HashMap;
use std::time::Duration;

use super::SERVICE_LABEL;

/// How long Docker gets to answer before it counts as absent.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The socket: `DOCKER_HOST` when it is a `unix://` URL, else Docker's default.
pub fn socket_from_env() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| h.starts_with("unix://"))
        .unwrap_or_else(|| "unix:///var/run/docker.sock".into())
}

fn unavailable(message: String) -> ServiceDiscovery {
    ServiceDiscovery {
        docker_available: false,
        message: Some(message),
        services: Vec::new(),
    }
}

/// Lists the labelled containers. Docker missing, stopped or refusing is an
/// answer (`docker_available: false` with what to do), not an error.
pub async fn discover(socket: &str, recorded: &[String]) -> ServiceDiscovery {
    let docker =
        match Docker::connect_with_unix(socket, TIMEOUT.as_secs(), bollard::API_DEFAULT_VERSION) {
            Ok(d) => d,
            Err(e) => {
                return unavailable(format!(
                "Docker not available ({e}). Install it (`sudo apt install docker.io`) and start \
                 the daemon (`sudo systemctl start docker`)."
            ))
            }
        };
    match tokio::time::timeout(TIMEOUT, docker.ping()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            return unavailable(format!(
                "Docker not available: nothing answers on {socket} ({e}). Start the Docker \
                 daemon (e.g. `sudo systemctl start docker`) or install it (`sudo apt install docker.io`)."
            ))
        }
        Err(_) => {
            return unavailable(format!(
                "Docker not available: {socket} did not answer within {} s.",
                TIMEOUT.as_secs()
            ))
        }
    }
    let filters: HashMap<&str, Vec<&str>> = HashMap::from([("label", vec![SERVICE_LABEL])]);
    let options = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let containers = match docker.list_containers(Some(options)).await {
        Ok(c) => c,
        Err(e) => return unavailable(format!("Docker did not list its containers ({e}).")),
    };
    let mut services = Vec::new();
    for summary in containers {
        let Some(id) = summary.id.clone() else {
            continue;
        };
        // Labels can be put on anyone's container: only what the Services
        // module recorded as created by the app is offered.
        if !recorded.contains(&id) {
            continue;
        }
        let kind = summary
            .labels
            .as_ref()
            .and_then(|l| l.get(SERVICE_LABEL))
            .cloned()
            .unwrap_or_default();
        let name = summary
            .names
            .as_ref()
            .and_then(|n| n.first())
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_else(|| id.chars().take(12).collect());
        let running = matches!(
            summary.state,
            Some(bollard::models::ContainerSummaryStateEnum::RUNNING)
        );
        let private = default_port(&kind);
        let host_port = summary.ports.as_ref().and_then(|ports| {
            ports
                .iter()
                .find(|p| Some(p.private_port) == private && p.public_port.is_some())
                .or_else(|| ports.iter().find(|p| p.public_port.is_some()))
                .and_then(|p| p.public_port)
        });
        let inspect = docker
            .inspect_container(&id, None::<InspectContainerOptions>)
            .await
            .ok();
        let config = inspect.as_ref().and_then(|i| i.config.as_ref());
        let env: HashMap<String, String> = config
            .and_then(|c| c.env.clone())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
        let cmd = config.and_then(|c| c.cmd.clone()).unwrap_or_default();
        let connection_string =
            host_port.and_then(|port| connection_string(&kind, port, &env, &cmd));
        services.push(DiscoveredService {
            container: name,
            env_var: env_var(&kind).to_string(),
            kind,
            running,
            host_port,
            connection_string,
        });
    }
    services.sort_by(|a, b| a.container.cmp(&b.container));
    ServiceDiscovery {
        docker_available: true,
        message: None,
        services,
    }
}

fn default_port(kind: &str) -> Option<u16> {
    match kind {
        "postgresql" => Some(5432),
        "mysql" | "mariadb" => Some(3306),
        "mongodb" => Some(27017),
        "redis" | "valkey" => Some(6379),
        "memcached" => Some(11211),
        "rabbitmq" => Some(5672),
        _ => None,
    }
}

/// The variable apps conventionally read the service from.
pub fn env_var(kind: &str) -> &'static str {
    match kind {
        "mongodb" => "MONGODB_URI",
        // Valkey is reached with Redis's clients and variable.
        "redis" | "valkey" => "REDIS_URL",
        "memcached" => "MEMCACHED_URL",
        "rabbitmq" => "AMQP_URL",
        _ => "DATABASE_URL",
    }
}

/// Percent-encodes a URL userinfo or path part.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A connection string from the container's own settings (the image's
/// standard variables; Redis's `--requirepass`).
pub fn connection_string(
    kind: &str,
    port: u16,
    env: &HashMap<String, String>,
    cmd: &[String],
) -> Option<String> {
    let get = |k: &str| env.get(k).map(String::as_str);
    match kind {
        "postgresql" => {
            let user = get("POSTGRES_USER").unwrap_or("postgres");
            let password = get("POSTGRES_PASSWORD")?;
            let db = get("POSTGRES_DB").unwrap_or(user);
            Some(format!(
                "postgresql://{}:{}@127.0.0.1:{port}/{}",
                enc(user),
                enc(password),
                enc(db)
            ))
        }
        "mysql" | "mariadb" => {
            // MariaDB's image reads its own names first, MySQL's too.
            let var = |name: &str| {
                get(&format!("MARIADB_{name}")).or_else(|| get(&format!("MYSQL_{name}")))
            };
            let (user, password) = match (var("USER"), var("PASSWORD")) {
                (Some(u), Some(p)) => (u, p),
                _ => ("root", var("ROOT_PASSWORD")?),
            };
            let db = var("DATABASE").map(enc).unwrap_or_default();
            Some(format!(
                "mysql://{}:{}@127.0.0.1:{port}/{db}",
                enc(user),
                enc(password)
            ))
        }
        "mongodb" => {
            let user = get("MONGO_INITDB_ROOT_USERNAME")?;
            let password = get("MONGO_INITDB_ROOT_PASSWORD")?;
            Some(format!(
                "mongodb://{}:{}@127.0.0.1:{port}/?authSource=admin",
                enc(user),
                enc(password)
            ))
        }
        "memcached" => Some(format!("memcached://127.0.0.1:{port}")),
        "rabbitmq" => {
            let user = get("RABBITMQ_DEFAULT_USER").unwrap_or("guest");
            let password = get("RABBITMQ_DEFAULT_PASS").unwrap_or("guest");
            Some(format!(
                "amqp://{}:{}@127.0.0.1:{port}",
                enc(user),
                enc(password)
            ))
        }
        "redis" | "valkey" => {
            let password = cmd
                .windows(2)
                .find(|w| w[0] == "--requirepass")
                .map(|w| w[1].as_str())
                .or_else(|| get("REDIS_PASSWORD"));
            Some(match password {
                Some(p) => format!("redis://:{}@127.0.0.1:{port}", enc(p)),
                None => format!("redis://127.0.0.1:{port}"),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn connection_strings_encode_what_a_url_cannot_carry() {
        assert_eq!(
            connection_string(
                "postgresql",
                5433,
                &env(&[("POSTGRES_PASSWORD", "p@ss/w:rd")]),
                &[]
            ),
            Some("postgresql://postgres:p%40ss%2Fw%3Ard@127.0.0.1:5433/postgres".into())
        );
        assert_eq!(
            connection_string("mysql", 3306, &env(&[("MYSQL_ROOT_PASSWORD", "r")]), &[]),
            Some("mysql://root:r@127.0.0.1:3306/".into())
        );
        assert_eq!(
            connection_string(
                "mongodb",
                27017,
                &env(&[
                    ("MONGO_INITDB_ROOT_USERNAME", "admin"),
                    ("MONGO_INITDB_ROOT_PASSWORD", "x y")
                ]),
                &[]
            ),
            Some("mongodb://admin:x%20y@127.0.0.1:27017/?authSource=admin".into())
        );
        let cmd = ["redis-server", "--requirepass", "s3"].map(String::from);
        assert_eq!(
            connection_string("redis", 6380, &HashMap::new(), &cmd),
            Some("redis://:s3@127.0.0.1:6380".into())
        );
        let cmd = ["valkey-server", "--requirepass", "v4"].map(String::from);
        assert_eq!(
            connection_string("valkey", 6381, &HashMap::new(), &cmd),
            Some("redis://:v4@127.0.0.1:6381".into())
        );
        assert_eq!(
            connection_string("memcached", 11212, &HashMap::new(), &[]),
            Some("memcached://127.0.0.1:11212".into())
        );
        assert_eq!(
            connection_string("postgresql", 1, &HashMap::new(), &[]),
            None
        );
    }

    #[tokio::test]
    async fn an_absent_docker_is_an_answer_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let socket = format!("unix://{}/docker.sock", tmp.path().display());
        let d = discover(&socket, &[]).await;
        assert!(!d.docker_available);
        assert!(d.message.unwrap().contains("Docker not available"));
        assert!(d.services.is_empty());
    }
}
