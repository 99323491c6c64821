//! A repository's compose file read as a plan: which of its services are
//! engines the app runs (PostgreSQL, MySQL, MariaDB, MongoDB, Redis,
//! Valkey, Memcached, by their official images), at which version, under
//! which instance name, and what the import does differently from the file
//! — ports on 127.0.0.1 only, generated passwords, a fresh volume — and,
//! for the others (built from source, other images, unresolved variables),
//! why they are not imported. Nothing here touches Docker: the import is
//! the App's (install each, then make them the repository's stack services).

use super::check_instance_id;
use crate::error::{Error, Result};
use ai_desktop_api::services::{ComposePlan, ComposeService, InstalledService, ServiceKind};
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

/// The names `docker compose` looks for, in its order.
pub const FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Larger files are refused (a compose file is a few kB).
const MAX_BYTES: u64 = 1024 * 1024;

/// The repository's compose file, if it has one.
pub fn find(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
}

/// Reads the compose file of the repository at `dir` into a plan.
pub fn plan(repository_id: i64, dir: &Path, installed: &[InstalledService]) -> Result<ComposePlan> {
    let path = find(dir).ok_or_else(|| {
        Error::NotFound(format!(
            "{} has no compose file ({}).",
            dir.display(),
            FILE_NAMES.join(", ")
        ))
    })?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_BYTES {
        return Err(Error::InvalidInput(format!(
            "{file} is {size} bytes; a compose file the app reads is at most 1 MB."
        )));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::failed(format!("Could not read {}.", path.display()), e))?;
    let doc: Value = serde_yaml_ng::from_str(&text)
        .map_err(|e| Error::InvalidInput(format!("{file} is not valid YAML: {e}")))?;
    let Some(services) = doc.get("services").and_then(Value::as_mapping) else {
        return Err(Error::InvalidInput(format!(
            "{file} has no `services:` section."
        )));
    };
    let mut taken: Vec<String> = Vec::new();
    let services = services
        .iter()
        .map(|(name, spec)| {
            let name = name.as_str().unwrap_or_default().to_string();
            let s = service(&name, spec, installed, &taken);
            if let Some(id) = s.instance.clone().filter(|_| s.importable) {
                taken.push(id);
            }
            s
        })
        .collect();
    Ok(ComposePlan {
        repository_id,
        file,
        services,
    })
}

/// The engine of an official image (`postgres`, `docker.io/library/redis`,
/// `valkey/valkey` …) and its tag.
fn engine_of(image: &str) -> Option<(ServiceKind, Option<&str>)> {
    let image = image.split('@').next().unwrap_or(image);
    let mut parts: Vec<&str> = image.split('/').collect();
    // A registry host: has a dot or a port, or is localhost.
    if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        if !matches!(
            parts[0],
            "docker.io" | "index.docker.io" | "registry-1.docker.io"
        ) {
            return None;
        }
        parts.remove(0);
    }
    if parts.len() == 2 && parts[0] == "library" {
        parts.remove(0);
    }
    let last = parts.pop()?;
    let (repo, tag) = match last.split_once(':') {
        Some((r, t)) => (r, Some(t)),
        None => (last, None),
    };
    let path = parts
        .iter()
        .copied()
        .chain(std::iter::once(repo))
        .collect::<Vec<_>>()
        .join("/");
    let kind = match path.as_str() {
        "postgres" => ServiceKind::Postgresql,
        "mysql" => ServiceKind::Mysql,
        "mariadb" => ServiceKind::Mariadb,
        "mongo" => ServiceKind::Mongodb,
        "redis" => ServiceKind::Redis,
        "valkey/valkey" => ServiceKind::Valkey,
        "memcached" => ServiceKind::Memcached,
        "rabbitmq" => ServiceKind::Rabbitmq,
        _ => return None,
    };
    Some((kind, tag))
}

/// `${VAR:-default}` and `${VAR-default}` take their default; `None` when a
/// variable has none (the app does not read the user's `.env`).
fn interpolate(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(after) = after.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let inner = after.strip_prefix('{')?;
        let end = inner.find('}')?;
        let expr = &inner[..end];
        let default = expr
            .split_once(":-")
            .or_else(|| expr.split_once('-'))
            .map(|(_, d)| d)?;
        out.push_str(default);
        rest = &inner[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The instance name a compose service gets: its name, cleaned, or the
/// engine's with a number when taken.
fn instance_name(name: &str, kind: ServiceKind) -> String {
    let mut id: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while id.contains("--") {
        id = id.replace("--", "-");
    }
    let id = id.trim_matches('-').to_string();
    if check_instance_id(&id).is_ok() {
        id
    } else {
        kind.as_str().to_string()
    }
}

/// The variables of a service's `environment` (map or `KEY=value` list).
fn environment(spec: &Value) -> Vec<(String, String)> {
    match spec.get("environment") {
        Some(Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, v)| {
                let value = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => String::new(),
                };
                Some((k.as_str()?.to_string(), value))
            })
            .collect(),
        Some(Value::Sequence(list)) => list
            .iter()
            .filter_map(|v| {
                let s = v.as_str()?;
                let (k, v) = s.split_once('=').unwrap_or((s, ""));
                Some((k.to_string(), v.to_string()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn service(
    name: &str,
    spec: &Value,
    installed: &[InstalledService],
    taken: &[String],
) -> ComposeService {
    let refuse = |image: Option<String>, reason: String| ComposeService {
        name: name.to_string(),
        image,
        reason: Some(reason),
        ..Default::default()
    };
    let raw_image = spec.get("image").and_then(Value::as_str);
    if spec.get("build").is_some() {
        return refuse(
            raw_image.map(str::to_string),
            "It is built from source (`build:`): run it as a deployment instead.".into(),
        );
    }
    let Some(raw_image) = raw_image else {
        return refuse(None, "It names no image.".into());
    };
    let Some(image) = interpolate(raw_image) else {
        return refuse(
            Some(raw_image.to_string()),
            format!(
                "Its image ({raw_image}) names a variable without a default; the app does not \
                 read your .env."
            ),
        );
    };
    let Some((kind, tag)) = engine_of(&image) else {
        return refuse(
            Some(image.clone()),
            format!(
                "{image} is not an engine the app runs (PostgreSQL, MySQL, MariaDB, MongoDB, \
                 Redis, Valkey, Memcached and RabbitMQ, by their official images)."
            ),
        );
    };
    let mut notes = Vec::new();
    let version = match tag {
        None | Some("latest") => {
            notes.push(format!(
                "No version pinned: {} {} (the catalog's newest).",
                kind.label(),
                super::catalog::entry(kind).versions[0]
            ));
            None
        }
        Some(t) => match super::catalog::check_tag(t) {
            Ok(t) => Some(t.to_string()),
            Err(e) => return refuse(Some(image.clone()), e.to_string()),
        },
    };
    let instance = instance_name(name, kind);
    let already = installed.iter().any(|s| s.id == instance);
    if already || taken.contains(&instance) {
        return ComposeService {
            name: name.to_string(),
            image: Some(image),
            kind: Some(kind),
            version,
            instance: Some(instance.clone()),
            importable: false,
            installed: already,
            notes,
            reason: Some(if already {
                format!("Already installed as the instance {instance}.")
            } else {
                format!("Another service of the file becomes the instance {instance}.")
            }),
        };
    }
    if let Some(ports) = spec.get("ports").and_then(Value::as_sequence) {
        let shown: Vec<String> = ports
            .iter()
            .filter_map(|p| match p {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Mapping(m) => m
                    .get("published")
                    .map(|v| format!("{}", v.as_u64().unwrap_or_default())),
                _ => None,
            })
            .collect();
        if !shown.is_empty() {
            notes.push(format!(
                "Published on 127.0.0.1 only, on its standard port or the next free one (the \
                 file asks for {}).",
                shown.join(", ")
            ));
        }
    }
    let env = environment(spec);
    let secret = |k: &str| {
        k.contains("PASSWORD")
            || k.ends_with("_PASS")
            || k.contains("SECRET")
            || k.ends_with("_KEY")
            || k == "REDIS_ARGS"
    };
    if env.iter().any(|(k, _)| secret(k))
        || spec
            .get("command")
            .is_some_and(|c| format!("{c:?}").contains("requirepass"))
    {
        notes.push("A new password is generated; the file's is not used.".into());
    }
    for (k, v) in &env {
        if matches!(
            k.as_str(),
            "POSTGRES_DB" | "MYSQL_DATABASE" | "MARIADB_DATABASE" | "MONGO_INITDB_DATABASE"
        ) && v != "app"
        {
            notes.push(format!(
                "Its database is named app (the file asks for {v}: make it with the client, or \
                 use *Database for…*)."
            ));
        }
    }
    let standard = [
        "POSTGRES_DB",
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
        "MYSQL_DATABASE",
        "MYSQL_ROOT_PASSWORD",
        "MARIADB_DATABASE",
        "MARIADB_ROOT_PASSWORD",
        "MONGO_INITDB_ROOT_USERNAME",
        "MONGO_INITDB_ROOT_PASSWORD",
        "MONGO_INITDB_DATABASE",
        "RABBITMQ_DEFAULT_USER",
        "RABBITMQ_DEFAULT_PASS",
    ];
    let others: Vec<&str> = env
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !standard.contains(k))
        .collect();
    if !others.is_empty() {
        notes.push(format!("Not used: {}.", others.join(", ")));
    }
    if spec.get("volumes").is_some() {
        notes.push(if kind.keeps_data() {
            "Its data goes into a new volume of its own; the file's volumes are not copied."
                .to_string()
        } else {
            "The file's volumes are not used.".to_string()
        });
    }
    if spec.get("command").is_some() || spec.get("entrypoint").is_some() {
        notes.push("The file's command is not used (the app runs the engine its own way).".into());
    }
    ComposeService {
        name: name.to_string(),
        image: Some(image),
        kind: Some(kind),
        version,
        instance: Some(instance),
        importable: true,
        installed: false,
        notes,
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installed(id: &str) -> InstalledService {
        InstalledService {
            id: id.into(),
            title: id.into(),
            kind: ServiceKind::Postgresql,
            version: "16".into(),
            image: "postgres:16".into(),
            container: format!("aidesktop-{id}"),
            volume: format!("aidesktop-{id}-data"),
            port: 5432,
            forwarded_port: None,
            state: ai_desktop_api::services::ServiceState::Running,
            connection_string: String::new(),
            installed_at: String::new(),
        }
    }

    #[test]
    fn official_images_are_engines_others_are_not() {
        for (image, kind, tag) in [
            (
                "postgres:16-alpine",
                ServiceKind::Postgresql,
                Some("16-alpine"),
            ),
            (
                "docker.io/library/redis:7.2",
                ServiceKind::Redis,
                Some("7.2"),
            ),
            ("library/mysql", ServiceKind::Mysql, None),
            ("mariadb:11.4", ServiceKind::Mariadb, Some("11.4")),
            ("mongo:7.0@sha256:abc", ServiceKind::Mongodb, Some("7.0")),
            ("valkey/valkey:8.0", ServiceKind::Valkey, Some("8.0")),
            (
                "memcached:1.6-alpine",
                ServiceKind::Memcached,
                Some("1.6-alpine"),
            ),
        ] {
            assert_eq!(engine_of(image), Some((kind, tag)), "{image}");
        }
        for image in [
            "nginx:1.27",
            "bitnami/postgresql:16",
            "ghcr.io/acme/postgres:16",
            "localhost:5000/redis",
            "postgres-exporter",
        ] {
            assert_eq!(engine_of(image), None, "{image}");
        }
    }

    #[test]
    fn variables_take_their_defaults_or_stop_the_import() {
        assert_eq!(
            interpolate("postgres:${PG_VERSION:-16}").as_deref(),
            Some("postgres:16")
        );
        assert_eq!(interpolate("redis:${V-7.2}").as_deref(), Some("redis:7.2"));
        assert_eq!(interpolate("a$$b").as_deref(), Some("a$b"));
        assert_eq!(interpolate("postgres:${PG_VERSION}"), None);
        assert_eq!(interpolate("postgres:$PG_VERSION"), None);
    }

    #[test]
    fn a_plan_says_what_changes_and_what_cannot_be_imported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("docker-compose.yml"),
            r#"
services:
  db:
    image: postgres:${PG:-15}
    ports: ["5432:5432"]
    environment:
      POSTGRES_PASSWORD: example
      POSTGRES_DB: shop
      TZ: UTC
    volumes: [pgdata:/var/lib/postgresql/data]
  Cache_1:
    image: redis:7.2
    command: redis-server --requirepass example
  web:
    build: .
    ports: ["3000:3000"]
  proxy:
    image: nginx:1.27
  queue:
    image: redis:${REDIS_TAG}
  old:
    image: postgres
volumes:
  pgdata:
"#,
        )
        .unwrap();
        let plan = plan(3, dir.path(), &[installed("old")]).unwrap();
        assert_eq!(plan.file, "docker-compose.yml");
        let names: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["db", "Cache_1", "web", "proxy", "queue", "old"]);
        let db = &plan.services[0];
        assert!(db.importable);
        assert_eq!(
            (db.kind, db.version.as_deref(), db.instance.as_deref()),
            (Some(ServiceKind::Postgresql), Some("15"), Some("db"))
        );
        let notes = db.notes.join(" | ");
        for said in [
            "127.0.0.1 only",
            "5432:5432",
            "new password",
            "named app (the file asks for shop",
            "Not used: TZ",
            "new volume",
        ] {
            assert!(notes.contains(said), "{said} in {notes}");
        }
        let cache = &plan.services[1];
        assert_eq!(cache.instance.as_deref(), Some("cache-1"));
        assert!(cache.notes.iter().any(|n| n.contains("new password")));
        assert!(cache
            .notes
            .iter()
            .any(|n| n.contains("command is not used")));
        assert!(plan.services[2]
            .reason
            .as_deref()
            .unwrap()
            .contains("build"));
        assert!(plan.services[3]
            .reason
            .as_deref()
            .unwrap()
            .contains("nginx:1.27 is not"));
        assert!(plan.services[4]
            .reason
            .as_deref()
            .unwrap()
            .contains("variable"));
        let old = &plan.services[5];
        assert!(!old.importable && old.installed);
        assert!(old.reason.as_deref().unwrap().contains("Already installed"));
    }

    #[test]
    fn bad_files_are_refused_saying_why() {
        let dir = tempfile::tempdir().unwrap();
        let missing = plan(1, dir.path(), &[]).unwrap_err();
        assert!(matches!(missing, Error::NotFound(_)), "{missing}");
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  db: [unclosed\n",
        )
        .unwrap();
        let broken = plan(1, dir.path(), &[]).unwrap_err().to_string();
        assert!(
            broken.contains("compose.yaml is not valid YAML"),
            "{broken}"
        );
        assert!(broken.contains("line"), "{broken}");
        std::fs::write(dir.path().join("compose.yaml"), "version: '3'\n").unwrap();
        let empty = plan(1, dir.path(), &[]).unwrap_err().to_string();
        assert!(empty.contains("no `services:`"), "{empty}");
    }
}
