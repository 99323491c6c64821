//! A repository's stack against real components: dockerd with a locally
//! built Redis image that takes 5 s to answer after each start, PM2 running
//! two Node apps (one waits for Redis, the other for the first), and a
//! real code-server.

use ai_desktop_api::deployments::{DeploymentInput, DeploymentStatus, HealthCheck};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_api::services::{InstallRequest, ServiceKind, ServiceState};
use ai_desktop_api::stack::{
    StackAction, StackRun, StepKind, StepState, TimelinePage, TimelineQuery, TimelineSource,
};
use ai_desktop_api::vscode::InstanceState;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::testkit::docker::psql;
use ai_desktop_core::testkit::docker::{docker, slow_redis_image, Cleanup};
use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::testkit::{real_tools, Pm2Daemon};
use ai_desktop_core::{App, Config};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// At start: PINGs Redis (exits 1 if it does not answer: started too early),
/// then serves `/health`.
const API_JS: &str = r#"
const net = require('net');
const http = require('http');
const fs = require('fs');
const url = new URL(process.env.REDIS_URL);
const s = net.connect(Number(url.port), url.hostname);
s.setTimeout(2000, () => { console.error('redis: no answer'); process.exit(1); });
s.on('error', (e) => { console.error('redis: ' + e.message); process.exit(1); });
s.write(`AUTH ${decodeURIComponent(url.password)}\r\nPING\r\n`);
let got = '';
s.on('data', (d) => {
  got += d;
  if (!got.includes('PONG')) return;
  s.end();
  fs.writeFileSync('api.started', `redis answered ${got.includes('+PONG') ? 'PONG' : got}`);
  http.createServer((req, res) => res.end('api ok\n'))
    .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('api listening'));
});
"#;

/// At start: asks the api's `/health` (exits 1 if it does not answer).
const WEB_JS: &str = r#"
const http = require('http');
const fs = require('fs');
console.error('web: no cache configured');
http.get(`http://127.0.0.1:${process.env.API_PORT}/health`, (res) => {
  fs.writeFileSync('web.started', `api answered ${res.statusCode}`);
  http.createServer((req, res) => res.end('web ok\n'))
    .listen(Number(process.env.PORT), '127.0.0.1');
}).on('error', (e) => { console.error('api: ' + e.message); process.exit(1); });
"#;

use ai_desktop_core::testkit::free_port;

fn get(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    body.split("\r\n\r\n").nth(1).map(str::to_string)
}

fn labels(run: &StackRun) -> Vec<(String, StepState)> {
    run.steps
        .iter()
        .map(|s| (s.label.clone(), s.state))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_comes_up_in_order_behind_health_gates_and_goes_down_backwards() {
    if !real_tools("dockerd, pm2, node and code-server") {
        return;
    }
    let version = slow_redis_image();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let prefix = format!("aidstack{}", std::process::id());
    let _cleanup = Cleanup(prefix.clone());
    let config = Config::isolated(&root, &prefix);
    let (env, pm2_home) = (config.user_env.clone(), config.default_pm2_home.clone());
    let _pm2 = Pm2Daemon {
        env: env.clone(),
        home: pm2_home,
    };
    let sink = Arc::new(RecordingSink::default());
    let app = App::open(config, sink.clone()).unwrap();

    // Redis, installed and then stopped: the stack must start it.
    let redis = app
        .services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: Some(version.into()),
                port: Some(free_port()),
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    app.services.stop("redis").await.unwrap();

    let dir = root.join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("api.js"), API_JS).unwrap();
    std::fs::write(dir.join("web.js"), WEB_JS).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "api.js", "web.js"]);
    git(&dir, &["commit", "-q", "-m", "the shop's first apps"]);
    let repo = app
        .repos
        .create(NewRepository {
            name: "shop".into(),
            path: dir.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap();
    let (api_port, web_port) = (free_port(), free_port());
    let api = app
        .deployments
        .create(DeploymentInput {
            repository_id: repo.id,
            name: "api".into(),
            port: Some(api_port),
            instances: 1,
            start_command: Some("node api.js".into()),
            env: BTreeMap::from([("REDIS_URL".into(), redis.connection_string.clone())]),
            health_check: Some(HealthCheck {
                path: "/health".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .unwrap();
    let web = app
        .deployments
        .create(DeploymentInput {
            repository_id: repo.id,
            name: "web".into(),
            port: Some(web_port),
            instances: 1,
            start_command: Some("node web.js".into()),
            env: BTreeMap::from([("API_PORT".into(), api_port.to_string())]),
            depends_on: vec![api.id],
            ..Default::default()
        })
        .unwrap();

    // The plan: Redis (named by the api's REDIS_URL), api, web (after api), VS Code.
    let plan = app.stack.plan(repo.id).await.unwrap();
    assert_eq!(
        labels(&plan),
        [
            ("Redis".to_string(), StepState::Pending),
            ("api".into(), StepState::Pending),
            ("web".into(), StepState::Pending),
            ("VS Code".into(), StepState::Pending),
        ]
    );
    assert_eq!(plan.steps[2].waits_for, ["Redis", "api"]);
    sink.take();

    let asked = Instant::now();
    let up = app.stack.up(repo.id).await.unwrap();
    let up_time = asked.elapsed();
    assert!(up.ok, "{up:#?}");
    assert!(
        up.steps.iter().all(|s| s.state == StepState::Done),
        "{up:#?}"
    );
    // Redis took its 5 s to answer, and the api was started only after.
    assert!(up.steps[0].elapsed_ms.unwrap() >= 5000, "{up:#?}");
    assert!(up.steps[0]
        .detail
        .as_deref()
        .unwrap()
        .contains("ready on 127.0.0.1"));
    assert_eq!(
        std::fs::read_to_string(dir.join("api.started")).unwrap(),
        "redis answered PONG"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("web.started")).unwrap(),
        "api answered 200"
    );
    assert_eq!(get(api_port).as_deref(), Some("api ok\n"));
    assert_eq!(get(web_port).as_deref(), Some("web ok\n"));
    let editor = app.vscode.get(repo.id).unwrap();
    assert_eq!(editor.state, InstanceState::Running);
    // Progress was told step by step, in order: each step running, then done.
    let progress: Vec<(String, StepState)> = sink
        .take()
        .into_iter()
        .filter_map(|e| match e {
            DomainEvent::StackProgress(run) => Some(run),
            _ => None,
        })
        .flat_map(|run| {
            run.steps
                .into_iter()
                .filter(|s| s.state != StepState::Pending)
                .map(|s| (s.label, s.state))
                .collect::<Vec<_>>()
        })
        .fold(Vec::new(), |mut seen, step| {
            if !seen.contains(&step) {
                seen.push(step);
            }
            seen
        });
    let order: Vec<String> = progress
        .iter()
        .filter(|(_, s)| *s == StepState::Done)
        .map(|(l, _)| l.clone())
        .collect();
    assert_eq!(order, ["Redis", "api", "web", "VS Code"]);
    assert!(
        progress.contains(&("api".into(), StepState::Waiting)),
        "the api was shown waiting for its health: {progress:?}"
    );

    // The repository's timeline has it all, in the order it happened: the
    // commit, the stack's steps, Redis's own "ready" (Docker's time) before
    // the api's first line (PM2's date), which came after Redis answered.
    let timeline = app
        .stack
        .timeline(repo.id, TimelineQuery::default())
        .await
        .unwrap();
    assert!(timeline.gaps.is_empty(), "{:?}", timeline.gaps);
    let find = |page: &TimelinePage, source: TimelineSource, text: &str| {
        page.entries
            .iter()
            .position(|e| e.source == source && e.text.contains(text))
            .unwrap_or_else(|| panic!("no {source:?} line with {text:?} in {:#?}", page.entries))
    };
    let commit = find(&timeline, TimelineSource::Git, "the shop's first apps");
    let stack_up = find(&timeline, TimelineSource::Stack, "Stack up: 4 steps");
    let redis_ready = find(
        &timeline,
        TimelineSource::Service,
        "Ready to accept connections",
    );
    let api_listening = find(&timeline, TimelineSource::Deployment, "api listening");
    let redis_done = find(&timeline, TimelineSource::Stack, "Redis — done: ready on");
    assert!(commit < stack_up, "{:#?}", timeline.entries);
    assert!(redis_ready < api_listening, "{:#?}", timeline.entries);
    assert!(redis_done < api_listening, "{:#?}", timeline.entries);
    assert_eq!(timeline.entries[api_listening].name, "api");
    assert!(timeline.entries[redis_ready].name.contains("Redis"));
    // The dates are the lines' own, not when they were read.
    let read_at = ai_desktop_core::procs::logs::now_ms();
    assert!(read_at - timeline.entries[redis_ready].at_ms > 1_000);
    assert!(timeline
        .entries
        .windows(2)
        .all(|w| w[0].at_ms <= w[1].at_ms));
    // Filters: one source; text; nothing older than a time.
    let services_only = app
        .stack
        .timeline(
            repo.id,
            TimelineQuery {
                sources: vec![TimelineSource::Service],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!services_only.entries.is_empty());
    assert!(services_only
        .entries
        .iter()
        .all(|e| e.source == TimelineSource::Service));
    let searched = app
        .stack
        .timeline(
            repo.id,
            TimelineQuery {
                text: "API LISTENING".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(searched.entries.len(), 1, "{:#?}", searched.entries);
    let later = app
        .stack
        .timeline(
            repo.id,
            TimelineQuery {
                since_ms: Some(read_at),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(later.entries.is_empty(), "{:#?}", later.entries);

    // Up again: everything already runs.
    let again = app.stack.up(repo.id).await.unwrap();
    assert!(again.ok);
    assert!(
        again.steps.iter().all(|s| s.state == StepState::Skipped),
        "{again:#?}"
    );

    let asked = Instant::now();
    let down = app.stack.down(repo.id).await.unwrap();
    let down_time = asked.elapsed();
    assert!(down.ok, "{down:#?}");
    assert_eq!(down.action, StackAction::Down);
    assert_eq!(
        labels(&down),
        [
            ("VS Code".to_string(), StepState::Done),
            ("web".into(), StepState::Done),
            ("api".into(), StepState::Done),
            ("Redis".into(), StepState::Done),
        ]
    );
    assert_eq!(get(api_port), None);
    assert_eq!(get(web_port), None);
    assert_eq!(
        app.deployments.get(api.id).unwrap().status,
        DeploymentStatus::Stopped
    );
    let (_, running) = docker(&["inspect", "-f", "{{.State.Running}}", &redis.container]);
    assert_eq!(running, "false");
    assert_eq!(
        app.vscode.get(repo.id).unwrap().state,
        InstanceState::Stopped
    );
    println!(
        "stack of 1 service and 2 deployments + code-server: up {} ms (Redis's own 5 s wait \
         included), down {} ms",
        up_time.as_millis(),
        down_time.as_millis()
    );

    // A deployment that cannot start stops the sequence there, saying why.
    let mut broken = app.deployments.get(web.id).unwrap();
    broken.start_command = "node missing.js".into();
    app.deployments
        .update(
            web.id,
            DeploymentInput {
                repository_id: repo.id,
                name: "web".into(),
                port: Some(web_port),
                instances: 1,
                start_command: Some(broken.start_command.clone()),
                env: BTreeMap::from([("API_PORT".into(), api_port.to_string())]),
                depends_on: vec![api.id],
                ..Default::default()
            },
        )
        .unwrap();
    let failed = app.stack.up(repo.id).await.unwrap();
    assert!(!failed.ok);
    assert_eq!(
        labels(&failed)
            .into_iter()
            .map(|(_, s)| s)
            .collect::<Vec<_>>(),
        [
            StepState::Done,
            StepState::Done,
            StepState::Failed,
            StepState::Pending
        ],
        "{failed:#?}"
    );
    let error = failed.error.clone().unwrap();
    assert!(error.starts_with("web failed:"), "{error}");
    assert!(error.contains("missing.js"), "{error}");
    // Errors only: the failed step (why is in it) and what the apps wrote to stderr.
    let errors = app
        .stack
        .timeline(
            repo.id,
            TimelineQuery {
                errors_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(errors.entries.iter().all(|e| e.error));
    find(&errors, TimelineSource::Stack, "missing.js");
    let complaint = find(&errors, TimelineSource::Deployment, "no cache configured");
    assert_eq!(errors.entries[complaint].name, "web");
    assert!(matches!(
        app.stack
            .timeline(999, TimelineQuery::default())
            .await
            .unwrap_err(),
        Error::NotFound(_)
    ));
    assert_eq!(
        app.vscode.get(repo.id).unwrap().state,
        InstanceState::Stopped
    );
    assert_eq!(app.stack.runs().len(), 1);

    // A service left out by the user is not started; one not installed fails clearly.
    app.stack
        .set_services(repo.id, Some(vec!["postgresql".to_string()]))
        .await
        .unwrap();
    let plan = app.stack.plan(repo.id).await.unwrap();
    assert_eq!(plan.steps[0].kind, StepKind::Service);
    assert_eq!(plan.steps[0].label, "PostgreSQL");
    app.stack.down(repo.id).await.unwrap();
    let missing = app.stack.up(repo.id).await.unwrap();
    assert!(missing
        .error
        .as_deref()
        .unwrap()
        .contains("PostgreSQL is not installed"));
    assert!(matches!(
        app.stack.up(999).await.unwrap_err(),
        Error::NotFound(_)
    ));
    let state = app.services.list().await.unwrap()[0].state;
    assert_eq!(
        state,
        ServiceState::Running,
        "left out of the stack, Redis was not stopped by its down"
    );
    app.stack.set_services(repo.id, None).await.unwrap();
    let down = app.stack.down(repo.id).await.unwrap();
    assert!(down.ok, "{down:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_gets_a_database_only_its_own_user_reaches() {
    if !real_tools("dockerd") {
        return;
    }
    let version = ai_desktop_core::testkit::docker::postgres_image();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let prefix = format!("aidrepodb{}", std::process::id());
    let _cleanup = Cleanup(prefix.clone());
    let app = App::open(
        Config::isolated(&root, &prefix),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let pg = app
        .services
        .install(
            InstallRequest {
                kind: ServiceKind::Postgresql,
                version: Some(version.into()),
                port: Some(free_port()),
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    let repo = |name: &str| {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("server.js"), "").unwrap();
        app.repos
            .create(NewRepository {
                name: name.into(),
                path: dir.display().to_string(),
                kind: None,
                port: None,
            })
            .unwrap()
            .id
    };
    let (shop, blog) = (repo("My Shop"), repo("blog"));
    let web = app
        .deployments
        .create(DeploymentInput {
            repository_id: shop,
            name: "shop web".into(),
            port: Some(free_port()),
            instances: 1,
            start_command: Some("node server.js".into()),
            ..Default::default()
        })
        .unwrap();

    let made = app
        .create_repository_database("postgresql", shop, true)
        .await
        .unwrap();
    assert_eq!(
        (made.database.as_str(), made.user.as_str()),
        ("my_shop", "my_shop")
    );
    assert_eq!(made.deployments_updated, ["shop web"]);
    let url = made.connection_string.clone();
    assert!(url.starts_with("postgresql://my_shop:"), "{url}");
    // The deployment got it (masked to the page, in clear where it runs).
    assert_eq!(app.deployments.reveal(web.id, "DATABASE_URL").unwrap(), url);
    // Its user owns its database and can build in it …
    let (ok, out) = psql(&url, "CREATE TABLE orders (id int); SELECT current_user");
    assert!(ok, "{out}");
    assert_eq!(out, "my_shop");
    // … and is no superuser and cannot make databases.
    let (_, out) = psql(
        &url,
        "SELECT rolsuper || ' ' || rolcreatedb FROM pg_roles WHERE rolname = current_user",
    );
    assert_eq!(out, "false false");
    // Another repository's user cannot even connect to it.
    let other = app
        .create_repository_database("postgresql", blog, false)
        .await
        .unwrap();
    assert!(other.deployments_updated.is_empty());
    let (base, _) = other.connection_string.rsplit_once('/').unwrap();
    let (ok, out) = psql(&format!("{base}/my_shop"), "SELECT 1");
    assert!(!ok && out.contains("permission denied"), "{out}");
    // Asked again: the same database, not a second one.
    let again = app
        .create_repository_database("postgresql", shop, false)
        .await
        .unwrap();
    assert_eq!(again.connection_string, url);
    assert_eq!(app.services.repo_databases().await.unwrap().len(), 2);
    // Only PostgreSQL (for now), said clearly; nothing made.
    assert!(app
        .create_repository_database("nope", shop, false)
        .await
        .is_err());
    let _ = pg;
}

/// A repository's docker-compose.yml: its PostgreSQL, Redis and Memcached
/// become instances (on 127.0.0.1, new passwords) and its stack's services;
/// what the app does not run is skipped saying why; importing again
/// changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compose_files_databases_become_the_repositorys_services() {
    if !real_tools("dockerd") {
        return;
    }
    let pg_version = ai_desktop_core::testkit::docker::postgres_image();
    ai_desktop_core::testkit::docker::redis_image();
    ai_desktop_core::testkit::docker::memcached_image();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let prefix = format!("aidcompose{}", std::process::id());
    let _cleanup = Cleanup(prefix.clone());
    let app = App::open(
        Config::isolated(&root, &prefix),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let dir = root.join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("docker-compose.yml"),
        format!(
            r#"services:
  db:
    image: postgres:{pg_version}
    ports: ["5432:5432"]
    environment:
      POSTGRES_PASSWORD: example
  cache:
    image: redis:7.2
    command: redis-server --requirepass example
  sessions:
    image: memcached:1.6
  web:
    build: .
  proxy:
    image: nginx:1.27
"#
        ),
    )
    .unwrap();
    let repo = app
        .repos
        .create(NewRepository {
            name: "shop".into(),
            path: dir.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap();
    let plan = app.compose_plan(repo.id).await.unwrap();
    let importable: Vec<&str> = plan
        .services
        .iter()
        .filter(|s| s.importable)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(importable, ["db", "cache", "sessions"]);

    let all: Vec<String> = ["db", "cache", "sessions", "web", "proxy"]
        .map(String::from)
        .to_vec();
    let done = app.compose_import(repo.id, &all).await.unwrap();
    let ids: Vec<&str> = done.installed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["db", "cache", "sessions"]);
    assert!(done
        .installed
        .iter()
        .all(|s| s.state == ServiceState::Running));
    let skipped: Vec<(&str, &str)> = done
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].0 == "web" && skipped[0].1.contains("built from source"));
    assert!(skipped[1].0 == "proxy" && skipped[1].1.contains("not an engine"));
    // The database answers with its generated password, not the file's, on loopback.
    let db = &done.installed[0];
    assert!(!db.connection_string.contains(":example@"));
    let (ok, out) = psql(&db.connection_string, "SELECT 41 + 1");
    assert!(ok && out.trim() == "42", "{out}");
    let (_, bindings) = docker(&[
        "inspect",
        "-f",
        "{{json .HostConfig.PortBindings}}",
        &db.container,
    ]);
    assert!(bindings.contains("\"HostIp\":\"127.0.0.1\""), "{bindings}");
    // They are the repository's stack services now.
    let chosen = app.stack.services_of(repo.id).await.unwrap().chosen;
    assert_eq!(
        chosen,
        Some(vec!["cache".to_string(), "db".into(), "sessions".into()])
    );
    let plan = app.stack.plan(repo.id).await.unwrap();
    assert_eq!(plan.steps.len(), 4, "3 services and VS Code: {plan:#?}");

    // Again: already there, nothing new; bad requests change nothing.
    let again = app.compose_import(repo.id, &all[..1]).await.unwrap();
    assert!(again.installed.is_empty());
    assert!(again.skipped[0].reason.contains("Already installed"));
    assert!(matches!(
        app.compose_import(repo.id, &[]).await.unwrap_err(),
        Error::InvalidInput(_)
    ));
    // A name that is not in the file: refused before anything is installed.
    std::fs::write(
        dir.join("docker-compose.yml"),
        "services:\n  jobs:\n    image: redis:7.2\n",
    )
    .unwrap();
    assert!(matches!(
        app.compose_import(repo.id, &["jobs".to_string(), "nope".to_string()])
            .await
            .unwrap_err(),
        Error::NotFound(_)
    ));
    assert_eq!(app.services.list().await.unwrap().len(), 3);
}
