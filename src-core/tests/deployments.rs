//! Deployments against a real PM2 (installed by `.ci/setup --test`; each test
//! has its own PM2_HOME, whose daemon is killed when the test ends) running
//! small real Node apps made in temp dirs.

use ai_desktop_api::deployments::{
    DeployMode, DeployOutcome, DeploySource, Deployment, DeploymentInput, DeploymentStatus,
    HealthCheck, HealthKind, Pm2Options,
};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::deployments::DeploymentManager;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::repos::RepoRegistry;
use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::testkit::{real_tools, Pm2Daemon};
use ai_desktop_core::{App, Config};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SERVER_JS: &str = r#"
const http = require('http');
const port = Number(process.env.PORT);
http.createServer((req, res) => {
  res.end(`hello ${process.env.GREETING || 'nobody'} from ${process.pid}\n`);
}).listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
"#;

struct Fixture {
    /// This test's PM2 daemon, killed with everything it runs at the end
    /// (first: fields drop in order, and its PM2_HOME is in `_tmp`).
    _daemon: Pm2Daemon,
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repos: Arc<RepoRegistry>,
    manager: Arc<DeploymentManager>,
    pm2_home: PathBuf,
    env: Vec<(String, String)>,
    presence: Arc<ai_desktop_core::presence::Presence>,
    store: Arc<ai_desktop_core::store::Store>,
    app: Arc<App>,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        // No Docker here: the services panel must say so.
        let mut config = Config {
            docker_socket: format!("unix://{}/no-docker.sock", root.display()),
            ..Config::isolated(&root, "test")
        };
        // PM2's daemon checks memory limits every second, not every 30 s.
        config
            .user_env
            .push(("PM2_WORKER_INTERVAL".into(), "1000".into()));
        let (env, pm2_home) = (config.user_env.clone(), config.default_pm2_home.clone());
        let app = App::open(config, Arc::new(RecordingSink::default())).unwrap();
        let (repos, manager) = (app.repos.clone(), app.deployments.clone());
        Fixture {
            _daemon: Pm2Daemon {
                env: env.clone(),
                home: pm2_home.clone(),
            },
            presence: app.presence.clone(),
            store: app.store.clone(),
            app: app.clone(),
            _tmp: tmp,
            root,
            repos,
            manager,
            pm2_home,
            env,
        }
    }

    /// A loopback LLM provider, saved as the Flow agent's with this system prompt.
    fn provider(&self, system_prompt: &str) -> ai_desktop_core::testkit::llm::Provider {
        use ai_desktop_api::flow::{ApiKeyChange, FlowSettingsInput};
        use ai_desktop_core::testkit::llm;
        let provider = llm::Provider::start(None);
        self.app
            .flow
            .save_settings(FlowSettingsInput {
                protocol: Default::default(),
                base_url: provider.url.clone(),
                model: llm::MODEL.into(),
                temperature: None,
                max_tokens: None,
                system_prompt: system_prompt.into(),
                max_steps: 5,
                api_key: ApiKeyChange::Keep,
            })
            .unwrap();
        provider
    }

    /// A repository with a Node app that serves HTTP on $PORT.
    fn node_repo(&self, name: &str, server: &str) -> i64 {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("package.json"),
            r#"{"name":"app","scripts":{"start":"node server.js"}}"#,
        )
        .unwrap();
        std::fs::write(dir.join("server.js"), server).unwrap();
        self.register(name, &dir)
    }

    fn register(&self, name: &str, dir: &Path) -> i64 {
        self.repos
            .create(NewRepository {
                name: name.into(),
                path: dir.display().to_string(),
                kind: None,
                port: None,
            })
            .unwrap()
            .id
    }

    /// `pm2 ARGS` in this test's PM2_HOME, as a user would type it.
    fn pm2(&self, args: &[&str]) {
        let status = std::process::Command::new("pm2")
            .args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PM2_HOME", &self.pm2_home)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pm2 {args:?}");
    }

    fn manager_presence_watched(&self) -> bool {
        self.presence.now().at_deployments()
    }

    fn jlist_names(&self) -> Vec<String> {
        let out = std::process::Command::new("pm2")
            .arg("jlist")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PM2_HOME", &self.pm2_home)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .rev()
            .find(|l| l.starts_with('[') && !l.starts_with("[PM2]"))
            .unwrap_or("[]");
        let list: Vec<serde_json::Value> = serde_json::from_str(line).unwrap();
        list.iter()
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect()
    }

    async fn wait_status(&self, id: i64, status: DeploymentStatus) -> Deployment {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.manager.refresh().await.unwrap();
            let d = self.manager.get(id).unwrap();
            if d.status == status {
                return d;
            }
            assert!(Instant::now() < deadline, "never {status:?}: {d:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// An input on a port of its own: tests run in parallel, each with its own
/// database, and would otherwise all be offered 3000 (the first test to
/// start would make the others' start fail, correctly, with "in use").
fn input(repository_id: i64, name: &str) -> DeploymentInput {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    DeploymentInput {
        repository_id,
        name: name.into(),
        instances: 1,
        port: Some(port),
        ..Default::default()
    }
}

fn get(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    body.split("\r\n\r\n").nth(1).map(str::to_string)
}

async fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_app_runs_restarts_stops_and_is_deleted() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("shop", SERVER_JS);
    let suggestion = fx.manager.suggest(repo).unwrap();
    assert_eq!(suggestion.command.as_deref(), Some("npm run start"));

    let mut new = input(repo, "shop web");
    // The one test that takes the default port (the next free from 3000).
    new.port = None;
    new.env = BTreeMap::from([("GREETING".to_string(), "pm2 world".to_string())]);
    let d = fx.manager.create(new).unwrap();
    assert_eq!(d.start_command, "npm run start", "detected");
    assert_eq!(d.pm2_name, format!("deploy-{}-shop-web", d.id));
    assert!(d.port >= 3000);
    assert_eq!(d.status, DeploymentStatus::Stopped);

    fx.manager.start(d.id).await.unwrap();
    let online = fx.wait_status(d.id, DeploymentStatus::Online).await;
    assert!(!online.pids.is_empty());
    let body = eventually("the app to answer", || get(d.port)).await;
    assert!(body.starts_with("hello pm2 world"), "env injected: {body}");
    let ecosystem = fx
        .root
        .join(format!("data/deployments/{}/ecosystem.json", d.id));
    assert!(ecosystem.is_file());
    // It holds the app's whole environment; the logs its output: private.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ecosystem), 0o600);
        assert_eq!(mode(ecosystem.parent().unwrap()), 0o700);
        assert_eq!(mode(&ecosystem.with_file_name("out.log")), 0o600);
        assert_eq!(mode(&fx.root.join("data")), 0o700);
    }

    // Its output reaches the log.
    let logs = fx.manager.logs(d.id).unwrap();
    let port_line = format!("listening on {}", d.port);
    eventually("the app's output in the log", || {
        logs.since(0)
            .iter()
            .any(|l| l.text.contains(&port_line))
            .then_some(())
    })
    .await;

    let restarts = online.restarts;
    fx.manager.restart(d.id).await.unwrap();
    let again = fx.wait_status(d.id, DeploymentStatus::Online).await;
    assert_eq!(again.restarts, restarts + 1);
    eventually("the app to answer after the restart", || get(d.port)).await;

    // Metrics come from /proc between jlists.
    assert!(again.memory > 1_000_000, "{again:?}");

    fx.manager.stop(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Stopped).await;
    eventually("the port to close", || get(d.port).is_none().then_some(())).await;

    // Logs can be cleared.
    fx.manager.clear_logs(d.id).unwrap();
    assert!(fx.manager.logs(d.id).unwrap().since(0).is_empty());
    let out = fx.root.join(format!("data/deployments/{}/out.log", d.id));
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 0);

    assert!(fx.jlist_names().contains(&d.pm2_name));
    fx.manager.delete(d.id).await.unwrap();
    assert!(!fx.jlist_names().contains(&d.pm2_name));
    assert!(!ecosystem.exists());
    assert!(matches!(
        fx.manager.get(d.id).unwrap_err(),
        Error::NotFound(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_mode_runs_two_instances_on_one_port() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("api", SERVER_JS);
    let mut new = input(repo, "api");
    new.mode = DeployMode::Cluster;
    new.instances = 2;
    new.start_command = Some("node server.js".into());
    let d = fx.manager.create(new).unwrap();
    fx.manager.start(d.id).await.unwrap();
    let online = eventually_online_with(&fx, d.id, 2).await;
    assert_eq!(online.pids.len(), 2, "{online:?}");
    eventually("the cluster to answer", || get(d.port)).await;
    // Both instances serve: different pids answer. (A worker that is
    // online may take a moment more to accept under load: keep asking.)
    let mut pids = std::collections::HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while pids.len() < 2 && Instant::now() < deadline {
        if let Some(body) = get(d.port) {
            pids.insert(body.trim().rsplit(' ').next().unwrap_or("").to_string());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(pids.len(), 2, "answers came from {pids:?}");
    fx.manager.stop(d.id).await.unwrap();
}

async fn eventually_online_with(fx: &Fixture, id: i64, pids: usize) -> Deployment {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        fx.manager.refresh().await.unwrap();
        let d = fx.manager.get(id).unwrap();
        if d.status == DeploymentStatus::Online && d.pids.len() == pids {
            return d;
        }
        assert!(
            Instant::now() < deadline,
            "never online with {pids} pids: {d:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_that_crashes_at_start_is_errored_with_its_stderr() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo(
        "broken",
        "console.error('fatal: cannot reach the database at db:5432'); process.exit(3);",
    );
    let d = fx.manager.create(input(repo, "broken")).unwrap();
    fx.manager.start(d.id).await.unwrap();
    let errored = fx.wait_status(d.id, DeploymentStatus::Errored).await;
    let error = errored.error.expect("the last stderr lines");
    assert!(
        error.contains("fatal: cannot reach the database"),
        "{error}"
    );
    fx.manager.delete(d.id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_nothing_is_interpreted() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("web", SERVER_JS);

    let err = fx.manager.create(input(repo, "  ")).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut taken = input(repo, "taken");
    taken.port = Some(busy.local_addr().unwrap().port());
    let err = fx.manager.create(taken).unwrap_err();
    assert!(
        matches!(err, Error::Conflict(_)) && err.to_string().contains("in use"),
        "{err}"
    );

    let mut outside = input(repo, "outside");
    outside.start_command = Some("node ../elsewhere/server.js".into());
    let err = fx.manager.create(outside).unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");

    let bare = fx.root.join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    let bare_id = fx.register("bare", &bare);
    let err = fx.manager.create(input(bare_id, "bare")).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput(_)) && err.to_string().contains("could be detected"),
        "{err}"
    );
    assert!(fx.manager.list().unwrap().is_empty(), "nothing was stored");

    // Shell metacharacters in the name and the command are stored as typed
    // and reach the app as plain words.
    let marker = fx.root.join("pwned");
    let name = format!(
        "app; touch {} && $(touch {})",
        marker.display(),
        marker.display()
    );
    let mut odd = input(repo, &name);
    odd.start_command = Some(format!("node server.js ; touch {} $(touch {})", "x", "y"));
    let d = fx.manager.create(odd).unwrap();
    assert_eq!(d.name, name);
    assert!(
        d.pm2_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-'),
        "{}",
        d.pm2_name
    );
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    eventually("the app to answer", || get(d.port)).await;
    assert!(!marker.exists());
    assert!(!Path::new(&fx.root.join("web/x")).exists());
    fx.manager.delete(d.id).await.unwrap();
}

#[tokio::test]
async fn without_docker_services_say_so() {
    let fx = Fixture::new();
    let d = fx.manager.services().await;
    assert!(!d.docker_available);
    assert!(d.message.unwrap().contains("Docker not available"));
}

/// Removes the test's containers when dropped.
struct Containers(Vec<String>);

impl Drop for Containers {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = std::process::Command::new("docker")
                .args(["rm", "-f", name])
                .output();
        }
    }
}

/// Runs docker, expecting success; its stdout.
fn docker(args: &[&str]) -> String {
    let (ok, out) = ai_desktop_core::testkit::docker::docker(args);
    assert!(ok, "docker {args:?} failed");
    out
}

/// Discovery offers the containers the Services module recorded as the
/// app's (by Docker id), with connection strings from their own settings;
/// a container that merely carries the app's labels (anyone can add them)
/// is not offered.
#[tokio::test]
async fn recorded_service_containers_are_offered_with_connection_strings() {
    if !real_tools("dockerd") {
        return;
    }
    let image = ai_desktop_core::testkit::docker::busybox_image();
    let tag = format!("aid-{}", std::process::id());
    let names = Containers(vec![
        format!("{tag}-pg"),
        format!("{tag}-redis"),
        format!("{tag}-other"),
        format!("{tag}-impostor"),
    ]);
    docker(&[
        "run",
        "-d",
        "--name",
        &names.0[0],
        "--label",
        "dev.aidesktop.service=postgresql",
        "-e",
        "POSTGRES_PASSWORD=s3cret/pass",
        "-e",
        "POSTGRES_DB=shop",
        "-p",
        "127.0.0.1:0:5432",
        image,
    ]);
    docker(&[
        "run",
        "-d",
        "--name",
        &names.0[1],
        "--label",
        "dev.aidesktop.service=redis",
        "-p",
        "127.0.0.1:0:6379",
        image,
        "/bin/sh",
        "-c",
        "sleep 3600",
        "--requirepass",
        "r3dis",
    ]);
    // Not ours: never listed.
    docker(&[
        "run",
        "-d",
        "--name",
        &names.0[2],
        "-p",
        "127.0.0.1:0:5432",
        image,
    ]);
    // Labelled like the app's, but not recorded: never offered.
    docker(&[
        "run",
        "-d",
        "--name",
        &names.0[3],
        "--label",
        "dev.aidesktop.service=postgresql",
        "--label",
        "dev.aidesktop.managed=true",
        "-e",
        "POSTGRES_PASSWORD=planted",
        "-p",
        "127.0.0.1:0:5432",
        image,
    ]);
    let pg_port = docker(&["port", &names.0[0], "5432"]);
    let pg_port: u16 = pg_port.rsplit(':').next().unwrap().parse().unwrap();
    let recorded = vec![
        docker(&["inspect", "-f", "{{.Id}}", &names.0[0]]),
        docker(&["inspect", "-f", "{{.Id}}", &names.0[1]]),
    ];

    let found =
        ai_desktop_core::services::discovery::discover("unix:///var/run/docker.sock", &recorded)
            .await;
    assert!(found.docker_available, "{:?}", found.message);
    let ours: Vec<_> = found
        .services
        .iter()
        .filter(|s| s.container.starts_with(&tag))
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    let pg = ours.iter().find(|s| s.kind == "postgresql").unwrap();
    assert!(pg.running);
    assert_eq!(pg.host_port, Some(pg_port));
    assert_eq!(pg.env_var, "DATABASE_URL");
    assert_eq!(
        pg.connection_string.as_deref(),
        Some(format!("postgresql://postgres:s3cret%2Fpass@127.0.0.1:{pg_port}/shop").as_str())
    );
    let redis = ours.iter().find(|s| s.kind == "redis").unwrap();
    assert!(redis
        .connection_string
        .as_deref()
        .unwrap()
        .starts_with("redis://:r3dis@127.0.0.1:"));

    // A stopped one is still offered, marked as such.
    assert!(
        !found.services.iter().any(|s| s.container == names.0[3]),
        "a container with the app's labels it did not make was offered"
    );
    docker(&["stop", "-t", "0", &names.0[0]]);
    let found =
        ai_desktop_core::services::discovery::discover("unix:///var/run/docker.sock", &recorded)
            .await;
    let pg = found
        .services
        .iter()
        .find(|s| s.container == names.0[0])
        .unwrap();
    assert!(!pg.running);
}

/// The System page's PM2 list: every process of this PM2, the user's own
/// too, with actions; the app's deployments are marked and cannot be deleted
/// from there.
#[tokio::test(flavor = "multi_thread")]
async fn the_pm2_list_shows_every_process_and_acts_by_id() {
    if !real_tools("pm2 and node") {
        return;
    }
    use ai_desktop_api::system::Pm2Action;
    let fx = Fixture::new();
    // A process the user started with pm2 directly.
    let status = std::process::Command::new("pm2")
        .args(["start", "sleep", "--name", "users-sleeper", "--", "600"])
        .env_clear()
        .envs(fx.env.iter().map(|(k, v)| (k, v)))
        .env("PM2_HOME", &fx.pm2_home)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let repo = fx.node_repo("web", SERVER_JS);
    let d = fx.manager.create(input(repo, "web")).unwrap();
    fx.manager.start(d.id).await.unwrap();

    let list = fx.manager.pm2_processes().await.unwrap();
    let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["users-sleeper", d.pm2_name.as_str()]);
    let user = &list[0];
    assert_eq!(user.deployment_id, None);
    assert_eq!(user.status, "online");
    assert!(user.pid.is_some());
    assert!(
        user.script.as_deref().unwrap_or("").ends_with("sleep"),
        "{user:?}"
    );
    assert_eq!(list[1].deployment_id, Some(d.id));

    let after = fx
        .manager
        .pm2_act(user.pm_id, Pm2Action::Restart)
        .await
        .unwrap();
    assert_eq!(after[0].restarts, 1);
    assert_ne!(after[0].pid, user.pid);
    let after = fx
        .manager
        .pm2_act(user.pm_id, Pm2Action::Stop)
        .await
        .unwrap();
    assert_eq!(after[0].status, "stopped");
    assert_eq!(after[0].pid, None);

    // The app's deployment: not deleted from here; nothing changes.
    let err = fx
        .manager
        .pm2_act(list[1].pm_id, Pm2Action::Delete)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    assert!(fx.jlist_names().contains(&d.pm2_name));
    let err = fx
        .manager
        .pm2_act(999, Pm2Action::Restart)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");

    let after = fx
        .manager
        .pm2_act(user.pm_id, Pm2Action::Delete)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(fx.jlist_names(), vec![d.pm2_name.clone()]);
}

/// A rename must not lose the running process: the PM2 name is fixed when
/// the deployment is created, so stop and delete still reach it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_deployment_keeps_its_process_for_stop_and_delete() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("api", SERVER_JS);
    let mut new = input(repo, "api");
    new.start_command = Some("node server.js".into());
    let port = new.port;
    let d = fx.manager.create(new.clone()).unwrap();
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    eventually("the app to answer", || get(d.port)).await;

    // Renamed while it runs: the row still says what runs.
    let mut renamed = new.clone();
    renamed.name = "api2".into();
    renamed.port = port;
    let after = fx.manager.update(d.id, renamed.clone()).unwrap();
    assert_eq!(after.name, "api2");
    assert_eq!(
        after.pm2_name, d.pm2_name,
        "the PM2 name is the one it runs under"
    );
    let online = fx.wait_status(d.id, DeploymentStatus::Online).await;
    assert!(!online.pids.is_empty());

    // Stop reaches it: nothing answers on its port any more.
    fx.manager.stop(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Stopped).await;
    eventually("the port to close", || get(d.port).is_none().then_some(())).await;

    // Started again, renamed again, deleted: no process is left in PM2.
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    renamed.name = "api3".into();
    fx.manager.update(d.id, renamed).unwrap();
    fx.manager.delete(d.id).await.unwrap();
    assert!(
        fx.jlist_names().is_empty(),
        "left in PM2: {:?}",
        fx.jlist_names()
    );
    eventually("the port to close after delete", || {
        get(d.port).is_none().then_some(())
    })
    .await;
}

/// Deployment env values reach the page masked; the mask sent back keeps
/// the stored value (which the app gets at start); reveal gives one value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_values_are_masked_kept_and_revealed_one_at_a_time() {
    if !real_tools("pm2 and node") {
        return;
    }
    use ai_desktop_api::secrets::MASKED;
    let fx = Fixture::new();
    let repo = fx.node_repo("masked", SERVER_JS);
    let mut new = input(repo, "masked");
    new.start_command = Some("node server.js".into());
    new.env = BTreeMap::from([("GREETING".to_string(), "planted-greeting-4411".to_string())]);
    let d = fx.manager.create(new.clone()).unwrap();
    assert_eq!(d.env["GREETING"], MASKED);
    let listed = serde_json::to_string(&fx.manager.list().unwrap()).unwrap();
    assert!(!listed.contains("planted-greeting-4411"), "{listed}");
    assert_eq!(
        fx.manager.reveal(d.id, "GREETING").unwrap(),
        "planted-greeting-4411"
    );
    // Edited without retyping it: kept, and the app gets the real value.
    let mut edit = new.clone();
    edit.env.insert("GREETING".into(), MASKED.into());
    edit.port = Some(d.port);
    fx.manager.update(d.id, edit.clone()).unwrap();
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    let body = eventually("the app to answer", || get(d.port)).await;
    assert!(body.starts_with("hello planted-greeting-4411"), "{body}");
    // A new name with the mask is refused.
    edit.env.insert("OTHER".into(), MASKED.into());
    assert!(matches!(
        fx.manager.update(d.id, edit),
        Err(Error::InvalidInput(_))
    ));
    fx.manager.delete(d.id).await.unwrap();
}

/// Looking (the System page's PM2 list, a refresh) never starts PM2: a
/// `pm2` call starts its daemon when none runs, which left daemons behind
/// for a user who never started one (and for tests, in deleted folders).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_never_starts_a_pm2_daemon() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    assert!(fx.manager.pm2_processes().await.unwrap().is_empty());
    fx.manager.refresh().await.unwrap();
    fx.manager.stop_all().await.unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let daemon = format!("God Daemon ({})", fx.pm2_home.display());
    let started = std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&daemon))
    });
    assert!(!started, "a PM2 daemon was started by reading");
    // Once something is started, the list shows it.
    let repo = fx.node_repo("seen", SERVER_JS);
    let mut new = input(repo, "seen");
    new.start_command = Some("node server.js".into());
    let d = fx.manager.create(new).unwrap();
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    assert_eq!(fx.manager.pm2_processes().await.unwrap().len(), 1);
    fx.manager.delete(d.id).await.unwrap();
}

/// Status follows PM2's own events, as the tray and the page show it: a
/// deployment stopped from a terminal, one that crashes and is restarted by
/// PM2, and the daemon killed are all seen without the app being asked to
/// look (no refresh here; nobody is on the Deployments page, so nothing
/// samples /proc either).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_follows_pm2s_events_without_being_asked() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    assert!(!fx.manager_presence_watched());
    tokio::spawn(fx.manager.clone().run_monitor());
    let seen = |id: i64, what: &'static str, ok: fn(&Deployment) -> bool| {
        let manager = fx.manager.clone();
        async move {
            // Only what the app already knows: no refresh, no PM2 call.
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let d = manager.get(id).unwrap();
                if ok(&d) {
                    return d;
                }
                assert!(Instant::now() < deadline, "never {what}: {d:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };

    let repo = fx.node_repo("calm", SERVER_JS);
    let mut new = input(repo, "calm");
    new.start_command = Some("node server.js".into());
    let calm = fx.manager.create(new).unwrap();
    fx.manager.start(calm.id).await.unwrap();
    seen(calm.id, "online", |d| d.status == DeploymentStatus::Online).await;
    // The daemon's RPC socket answers what `pm2 jlist` prints.
    let over_socket: Vec<ai_desktop_core::deployments::pm2::Pm2Process> =
        ai_desktop_core::deployments::axon::call(
            &fx.pm2_home.join("rpc.sock"),
            "getMonitorData",
            serde_json::json!([{}]),
        )
        .await
        .unwrap();
    let names: Vec<String> = over_socket.iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, fx.jlist_names());
    assert!(over_socket[0].pid > 0 && over_socket[0].pm2_env.status == "online");
    // The page pulls CPU and memory: a first read answers at once; with
    // nobody looking nothing is sampled, so a read for a change waits it out.
    let frame = fx.manager.metrics(0, Duration::from_secs(5)).await;
    assert!(
        frame
            .items
            .iter()
            .any(|m| m.id == calm.id && m.memory > 1_000_000),
        "{frame:?}"
    );
    let again = fx
        .manager
        .metrics(frame.version, Duration::from_millis(1500))
        .await;
    assert_eq!(again.version, frame.version, "sampled while nobody looked");

    // Stopped from a terminal.
    fx.pm2(&["stop", &calm.pm2_name]);
    seen(calm.id, "stopped after `pm2 stop`", |d| {
        d.status == DeploymentStatus::Stopped
    })
    .await;

    // A crash two seconds after each start: PM2 restarts it, the count shows it.
    let flaky = fx.node_repo(
        "flaky",
        "setTimeout(() => { console.error('lost the database'); process.exit(1); }, 2000);\n\
         setInterval(() => {}, 1000);\n",
    );
    let mut new = input(flaky, "flaky");
    new.start_command = Some("node server.js".into());
    let flaky = fx.manager.create(new).unwrap();
    let started = fx.manager.start(flaky.id).await.unwrap();
    assert_eq!(started.restarts, 0);
    seen(flaky.id, "restarted by PM2", |d| d.restarts >= 1).await;

    // The daemon killed: everything it ran is gone with it.
    fx.pm2(&["kill"]);
    seen(flaky.id, "stopped with its daemon", |d| {
        d.status == DeploymentStatus::Stopped
    })
    .await;
}

/// A server answering `<VERSION>` (a constant in the file) on /, and on
/// /health 200 once `ready-after` ms have passed since it started (503
/// before) and 500 while a file `sick` exists next to it.
fn versioned_server(version: &str, ready_after_ms: u64) -> String {
    format!(
        r#"
const http = require('http');
const fs = require('fs');
const started = Date.now();
http.createServer((req, res) => {{
  if (req.url === '/health') {{
    if (fs.existsSync(__dirname + '/sick')) {{ res.statusCode = 500; return res.end('sick'); }}
    res.statusCode = Date.now() - started >= {ready_after_ms} ? 200 : 503;
    return res.end();
  }}
  res.end('{version}\n');
}}).listen(Number(process.env.PORT), '127.0.0.1');
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_build_leaves_the_running_version_serving() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("store", &versioned_server("v1", 0));
    let dir = fx.root.join("store");
    // The build writes a file the app could serve; the second one fails.
    std::fs::write(
        dir.join("build.js"),
        "require('fs').writeFileSync('built.txt', 'built'); console.log('compiled 3 modules');",
    )
    .unwrap();
    let suggestion = fx.manager.suggest(repo).unwrap();
    assert_eq!(suggestion.build_command.as_deref(), Some("npm install"));
    let mut new = input(repo, "store");
    new.start_command = Some("node server.js".into());
    new.build_command = Some("node build.js\nnode --version".into());
    let d = fx.manager.create(new).unwrap();
    assert_eq!(
        d.build_command.as_deref(),
        Some("node build.js\nnode --version")
    );

    let run = fx.manager.deploy(d.id, None).await.unwrap();
    assert_eq!(run.outcome, DeployOutcome::Online, "{run:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("built.txt")).unwrap(),
        "built"
    );
    assert_eq!(get(d.port).as_deref(), Some("v1\n"));
    let serving = fx.manager.get(d.id).unwrap();
    let logs = fx.manager.logs(d.id).unwrap();
    eventually("the build's output in the log", || {
        let lines: Vec<String> = logs.since(0).iter().map(|l| l.text.clone()).collect();
        (lines.iter().any(|l| l == "[build] $ node build.js")
            && lines.iter().any(|l| l == "[build] compiled 3 modules"))
        .then_some(())
    })
    .await;

    // A new version whose build fails.
    std::fs::write(dir.join("server.js"), versioned_server("v2", 0)).unwrap();
    std::fs::write(
        dir.join("build.js"),
        "console.error('src/index.ts(3,1): error TS1005: ; expected'); process.exit(2);",
    )
    .unwrap();
    let failed = fx.manager.deploy(d.id, None).await.unwrap();
    assert_eq!(failed.outcome, DeployOutcome::BuildFailed, "{failed:?}");
    let message = failed.message.clone().unwrap();
    assert!(
        message.contains("`node build.js` exited with 2"),
        "{message}"
    );
    assert!(message.contains("error TS1005"), "{message}");
    // What ran before serves on, untouched.
    assert_eq!(get(d.port).as_deref(), Some("v1\n"));
    let after = fx.manager.get(d.id).unwrap();
    assert_eq!(after.pids, serving.pids, "not restarted");
    assert_eq!(after.status, DeploymentStatus::Online);

    let runs = fx.manager.runs(d.id).unwrap();
    assert_eq!(
        runs.iter().map(|r| r.outcome).collect::<Vec<_>>(),
        [DeployOutcome::BuildFailed, DeployOutcome::Online],
        "newest first"
    );
    assert!(runs.iter().all(|r| r.finished_at.is_some()));

    // A build step that leaves the repository is refused when saved.
    let mut bad = input(repo, "store");
    bad.start_command = Some("node server.js".into());
    bad.build_command = Some("cp ../../etc/passwd x".into());
    let refused = fx.manager.update(d.id, bad).unwrap_err();
    assert!(
        matches!(&refused, Error::Forbidden(m) if m.starts_with("The build step names ../../etc/passwd")),
        "{refused:?}"
    );
    assert_eq!(
        fx.manager.get(d.id).unwrap().build_command.as_deref(),
        Some("node build.js\nnode --version"),
        "unchanged"
    );
    fx.manager.stop(d.id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_serves_the_old_commit_without_touching_the_working_tree() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("blog", &versioned_server("v1", 0));
    let dir = fx.root.join("blog");
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "first version"]);
    let first = git(&dir, &["rev-parse", "HEAD"]);
    let mut new = input(repo, "blog");
    new.start_command = Some("node server.js".into());
    new.env = BTreeMap::from([("API_KEY".to_string(), "s3cret-value".to_string())]);
    let d = fx.manager.create(new).unwrap();
    let run = fx.manager.deploy(d.id, None).await.unwrap();
    assert_eq!(run.outcome, DeployOutcome::Online);
    assert_eq!(run.commit_id.as_deref(), Some(first.as_str()));
    assert_eq!(run.branch.as_deref(), Some("main"));
    assert_eq!(run.env_names, ["API_KEY"], "names, not values");

    std::fs::write(dir.join("server.js"), versioned_server("v2", 0)).unwrap();
    git(&dir, &["commit", "-q", "-am", "second version"]);
    let run = fx.manager.deploy(d.id, None).await.unwrap();
    assert_eq!(run.outcome, DeployOutcome::Online);
    assert_eq!(get(d.port).as_deref(), Some("v2\n"));
    // Work in progress the rollback must not touch.
    std::fs::write(dir.join("notes.md"), "draft").unwrap();

    let back = fx
        .manager
        .deploy(d.id, Some(first[..10].to_string()))
        .await
        .unwrap();
    assert_eq!(back.outcome, DeployOutcome::Online, "{back:?}");
    assert_eq!(back.source, DeploySource::Commit);
    assert_eq!(back.commit_summary.as_deref(), Some("first version"));
    assert_eq!(get(d.port).as_deref(), Some("v1\n"), "the old response");
    let pinned = fx.manager.get(d.id).unwrap();
    assert_eq!(pinned.release_commit.as_deref(), Some(first.as_str()));
    // The user's working tree and branch are as they were.
    assert!(std::fs::read_to_string(dir.join("server.js"))
        .unwrap()
        .contains("v2"));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.md")).unwrap(),
        "draft"
    );
    assert_eq!(git(&dir, &["status", "--porcelain"]), "?? notes.md");
    assert_eq!(git(&dir, &["rev-parse", "--abbrev-ref", "HEAD"]), "main");
    // A restart keeps the pinned commit.
    fx.manager.restart(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    assert_eq!(
        eventually("an answer after the restart", || get(d.port)).await,
        "v1\n"
    );
    // No such commit: refused, nothing changes.
    assert!(matches!(
        fx.manager
            .deploy(d.id, Some("0123456789abcdef".into()))
            .await
            .unwrap_err(),
        Error::NotFound(_)
    ));
    assert_eq!(fx.manager.runs(d.id).unwrap().len(), 3);

    // Back to the working tree.
    let forward = fx.manager.deploy(d.id, None).await.unwrap();
    assert_eq!(forward.source, DeploySource::WorkingTree);
    assert_eq!(get(d.port).as_deref(), Some("v2\n"));
    assert_eq!(fx.manager.get(d.id).unwrap().release_commit, None);
    fx.manager.stop(d.id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_check_gates_the_deploy_and_follows_the_app() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    tokio::spawn(fx.manager.clone().run_monitor());
    // Healthy only 3 s after it starts.
    let repo = fx.node_repo("api", &versioned_server("v1", 3000));
    let dir = fx.root.join("api");
    let mut new = input(repo, "api");
    new.start_command = Some("node server.js".into());
    new.health_check = Some(HealthCheck {
        kind: HealthKind::Http,
        path: "/health".into(),
        expect_status: 200,
        interval_secs: 2,
    });
    let d = fx.manager.create(new).unwrap();
    let asked = Instant::now();
    let run = fx.manager.deploy(d.id, None).await.unwrap();
    assert_eq!(run.outcome, DeployOutcome::Online, "{run:?}");
    assert!(
        asked.elapsed() >= Duration::from_secs(3),
        "the deploy waited for the check"
    );
    assert!(
        run.message
            .as_deref()
            .unwrap_or("")
            .contains("/health answered 200"),
        "{run:?}"
    );
    let healthy = fx.manager.get(d.id).unwrap().health.expect("a report");
    assert!(healthy.healthy);

    // The app falls ill: the checker sees it on its interval.
    std::fs::write(dir.join("sick"), "").unwrap();
    let report = eventually("the check to say unhealthy", || {
        fx.manager.get(d.id).unwrap().health.filter(|h| !h.healthy)
    })
    .await;
    assert!(
        report.detail.contains("answered 500, expected 200"),
        "{report:?}"
    );
    std::fs::remove_file(dir.join("sick")).unwrap();
    eventually("healthy again", || {
        fx.manager.get(d.id).unwrap().health.filter(|h| h.healthy)
    })
    .await;

    // Stopped: no report (nothing is checked).
    fx.manager.stop(d.id).await.unwrap();
    eventually("the report to go", || {
        fx.manager.get(d.id).unwrap().health.is_none().then_some(())
    })
    .await;
}

/// PM2's own restart keeps the program a process was first started with;
/// a saved start command must still be what runs after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_start_command_is_what_runs_after_a_restart() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("site", &versioned_server("from server.js", 0));
    std::fs::write(
        fx.root.join("site/other.js"),
        versioned_server("from other.js", 0),
    )
    .unwrap();
    let mut new = input(repo, "site");
    new.start_command = Some("node server.js".into());
    let port = new.port;
    let d = fx.manager.create(new.clone()).unwrap();
    fx.manager.start(d.id).await.unwrap();
    assert_eq!(
        eventually("an answer", || get(d.port)).await,
        "from server.js\n"
    );
    new.start_command = Some("node other.js".into());
    new.port = port;
    fx.manager.update(d.id, new).unwrap();
    fx.manager.restart(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    assert_eq!(
        eventually("an answer after the restart", || get(d.port)).await,
        "from other.js\n"
    );
    // An env change alone is a plain restart (same process name, new value).
    fx.manager.stop(d.id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_localhost_domain_reaches_the_deployment_through_the_apps_proxy() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    // Any free port for the proxy (tests run side by side).
    fx.store
        .set_setting(
            ai_desktop_core::deployments::proxy::PORT_SETTING,
            Some(&0u16),
        )
        .unwrap();
    let repo = fx.node_repo("shop", &versioned_server("the shop", 0));
    let mut new = input(repo, "shop");
    new.start_command = Some("node server.js".into());
    new.domain = Some("Shop.localhost".into());
    let d = fx.manager.create(new).unwrap();
    fx.manager.sync_proxy().await;
    let url = fx.manager.url(d.id).unwrap();
    assert!(url.starts_with("http://shop.localhost:"), "{url}");
    let proxy_port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ask = |host: &str| {
        let mut s = TcpStream::connect(("127.0.0.1", proxy_port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    // Not running yet: the proxy says so.
    let down = ask(&format!("shop.localhost:{proxy_port}"));
    assert!(
        down.starts_with("HTTP/1.1 502") && down.contains("start it"),
        "{down}"
    );
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Online).await;
    let answer = eventually("the app through its domain", || {
        let a = ask(&format!("shop.localhost:{proxy_port}"));
        a.starts_with("HTTP/1.1 200").then_some(a)
    })
    .await;
    assert!(answer.ends_with("the shop\n"), "{answer}");
    assert!(ask("other.localhost").starts_with("HTTP/1.1 404"));
    // A second deployment cannot take the same domain.
    let mut twin = input(repo, "twin");
    twin.start_command = Some("node server.js".into());
    twin.domain = Some("shop.localhost".into());
    assert!(matches!(
        fx.manager.create(twin).unwrap_err(),
        Error::Conflict(_)
    ));
    // Deleted: the name is served no more, and the proxy closes with the last one.
    fx.manager.delete(d.id).await.unwrap();
    fx.manager.sync_proxy().await;
    // (Its listener goes with its task, a moment after the proxy is dropped.)
    eventually("the proxy to close", || {
        TcpStream::connect(("127.0.0.1", proxy_port))
            .is_err()
            .then_some(())
    })
    .await;
}

/// Restarts counted by PM2 once at least `more` happened since `from`.
async fn restarted(fx: &Fixture, id: i64, from: u32, more: u32, what: &str) -> Deployment {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        fx.manager.refresh().await.unwrap();
        let d = fx.manager.get(id).unwrap();
        if d.restarts >= from + more {
            return d;
        }
        assert!(Instant::now() < deadline, "never restarted ({what}): {d:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pm2_restarts_on_file_changes_memory_and_schedule_as_the_options_say() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("watched", &versioned_server("w", 0));
    let dir = fx.root.join("watched");
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    let mut new = input(repo, "watched");
    new.start_command = Some("node server.js".into());
    new.pm2_options = Pm2Options {
        watch: true,
        ignore_watch: vec!["tmp".into(), "  ".into()],
        ..Default::default()
    };
    let d = fx.manager.create(new).unwrap();
    assert_eq!(d.pm2_options.ignore_watch, ["tmp"], "blank globs dropped");
    fx.manager.start(d.id).await.unwrap();
    let online = fx.wait_status(d.id, DeploymentStatus::Online).await;
    eventually("an answer", || get(d.port)).await;
    // An ignored file changes nothing …
    std::fs::write(dir.join("tmp/scratch.txt"), "x").unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    fx.manager.refresh().await.unwrap();
    assert_eq!(
        fx.manager.get(d.id).unwrap().restarts,
        online.restarts,
        "an ignored file"
    );
    // … a watched one restarts it.
    std::fs::write(dir.join("config.json"), "{}").unwrap();
    restarted(&fx, d.id, online.restarts, 1, "a watched file changed").await;
    fx.manager.stop(d.id).await.unwrap();

    // Above its memory limit: PM2 restarts it.
    let hungry = fx.node_repo(
        "hungry",
        "const keep = Buffer.alloc(96 * 1024 * 1024, 1);\n\
         require('http').createServer((q, s) => s.end(String(keep.length))).listen(Number(process.env.PORT), '127.0.0.1');\n",
    );
    let mut new = input(hungry, "hungry");
    new.start_command = Some("node server.js".into());
    new.pm2_options.max_memory_mb = Some(48);
    let h = fx.manager.create(new).unwrap();
    fx.manager.start(h.id).await.unwrap();
    restarted(&fx, h.id, 0, 1, "above 48 MB").await;
    fx.manager.stop(h.id).await.unwrap();

    // On a schedule (every 3 s, seconds first).
    let timed = fx.node_repo("timed", &versioned_server("t", 0));
    let mut new = input(timed, "timed");
    new.start_command = Some("node server.js".into());
    new.pm2_options.cron_restart = Some("*/3 * * * * *".into());
    let t = fx.manager.create(new).unwrap();
    fx.manager.start(t.id).await.unwrap();
    restarted(&fx, t.id, 0, 1, "on its schedule").await;
    fx.manager.stop(t.id).await.unwrap();

    // Bad options are refused, nothing saved.
    for bad in [
        Pm2Options {
            max_memory_mb: Some(1),
            ..Default::default()
        },
        Pm2Options {
            cron_restart: Some("every day".into()),
            ..Default::default()
        },
        Pm2Options {
            cron_restart: Some("0 3 * *".into()),
            ..Default::default()
        },
        Pm2Options {
            restart_delay_ms: Some(1000),
            exp_backoff: true,
            ..Default::default()
        },
    ] {
        let mut again = input(timed, "timed");
        again.start_command = Some("node server.js".into());
        again.pm2_options = bad.clone();
        assert!(
            matches!(
                fx.manager.update(t.id, again).unwrap_err(),
                Error::InvalidInput(_)
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        fx.manager
            .get(t.id)
            .unwrap()
            .pm2_options
            .cron_restart
            .as_deref(),
        Some("*/3 * * * * *")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_reloads_without_a_moment_of_downtime() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    // As PM2 asks of apps that reload: finish what is in flight on SIGINT.
    let graceful = format!(
        "{SERVER_JS}\nprocess.on('SIGINT', () => {{ server.close(() => process.exit(0)); }});\n"
    )
    .replace("http.createServer(", "const server = http.createServer(");
    let repo = fx.node_repo("api", &graceful);
    let mut new = input(repo, "api");
    new.mode = DeployMode::Cluster;
    new.instances = 2;
    new.start_command = Some("node server.js".into());
    let d = fx.manager.create(new).unwrap();
    fx.manager.start(d.id).await.unwrap();
    let before = eventually_online_with(&fx, d.id, 2).await;
    eventually("the cluster to answer", || get(d.port)).await;
    // Asked without a pause while it reloads: every request answered.
    let port = d.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let asker = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let (mut ok, mut failed) = (0, 0);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match get(port) {
                    Some(_) => ok += 1,
                    None => failed += 1,
                }
            }
            (ok, failed)
        })
    };
    fx.manager.reload(d.id).await.unwrap();
    let after = eventually_online_with(&fx, d.id, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (ok, failed) = asker.join().unwrap();
    assert!(ok > 20, "{ok} answered");
    // PM2's reload is near, not strictly, zero-downtime: under load the
    // cluster's master may hand one new connection to a worker that is
    // closing. A restart (both instances at once) fails far more than this.
    assert!(
        failed * 100 <= ok,
        "{failed} of {} requests failed during the reload",
        ok + failed
    );
    assert!(
        after.pids.iter().all(|p| !before.pids.contains(p)),
        "new instances: {:?} → {:?}",
        before.pids,
        after.pids
    );
    // Fork mode has nothing to reload one at a time.
    let single = fx.node_repo("single", SERVER_JS);
    let mut one = input(single, "single");
    one.start_command = Some("node server.js".into());
    let s = fx.manager.create(one).unwrap();
    assert!(matches!(
        fx.manager.reload(s.id).await.unwrap_err(),
        Error::InvalidInput(_)
    ));
    fx.manager.stop(d.id).await.unwrap();
}

/// With a branch to follow, each new commit of it is deployed by itself
/// from a clean copy; other branches and the working tree are left alone;
/// a branch that does not exist is refused and nothing is saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_commits_of_the_followed_branch_are_deployed_as_they_come() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    tokio::spawn(fx.manager.clone().run_monitor());
    let repo = fx.node_repo("shop", &versioned_server("v1", 0));
    let dir = fx.root.join("shop");
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "first version"]);
    git(&dir, &["branch", "experiment"]);
    let mut new = input(repo, "shop");
    new.start_command = Some("node server.js".into());
    new.auto_deploy_branch = Some("nope".into());
    let refused = fx.manager.create(new.clone()).unwrap_err();
    assert!(
        refused.to_string().contains("no branch named nope"),
        "{refused}"
    );
    assert!(fx.manager.list().unwrap().is_empty());
    new.auto_deploy_branch = Some("main".into());
    let d = fx.manager.create(new).unwrap();
    assert_eq!(d.auto_deploy_branch.as_deref(), Some("main"));
    fx.manager.deploy(d.id, None).await.unwrap();
    assert_eq!(get(d.port).as_deref(), Some("v1\n"));
    // The follower is up once the monitor read the settings.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // A commit on main: deployed without being asked.
    std::fs::write(dir.join("server.js"), versioned_server("v2", 0)).unwrap();
    git(&dir, &["commit", "-q", "-am", "second version"]);
    let second = git(&dir, &["rev-parse", "HEAD"]);
    std::fs::write(dir.join("notes.md"), "work in progress").unwrap();
    eventually("v2 deployed by itself", || {
        (get(d.port).as_deref() == Some("v2\n")).then_some(())
    })
    .await;
    let runs = eventually("the run recorded as online", || {
        let runs = fx.manager.runs(d.id).ok()?;
        (runs.len() == 2 && runs[0].outcome == DeployOutcome::Online).then_some(runs)
    })
    .await;
    assert_eq!(runs[0].commit_id.as_deref(), Some(second.as_str()));
    assert_eq!(runs[0].source, DeploySource::Commit);
    assert_eq!(git(&dir, &["status", "--porcelain"]), "?? notes.md");

    // Another branch moving deploys nothing.
    git(&dir, &["checkout", "-q", "experiment"]);
    std::fs::write(dir.join("server.js"), versioned_server("experimental", 0)).unwrap();
    git(&dir, &["commit", "-q", "-am", "an experiment"]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(get(d.port).as_deref(), Some("v2\n"));
    assert_eq!(fx.manager.runs(d.id).unwrap().len(), 2);

    // Turned off: a new commit of main stays where it is.
    git(&dir, &["checkout", "-q", "main"]);
    let mut off = DeploymentInput::from(&fx.manager.get(d.id).unwrap());
    off.auto_deploy_branch = None;
    fx.manager.update(d.id, off).unwrap();
    std::fs::write(dir.join("server.js"), versioned_server("v3", 0)).unwrap();
    git(&dir, &["commit", "-q", "-am", "third version"]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(get(d.port).as_deref(), Some("v2\n"));
    assert_eq!(fx.manager.runs(d.id).unwrap().len(), 2);
    fx.manager.stop(d.id).await.unwrap();
}

/// A chatty app's log is cut at its cap: the older part kept as out.log.1,
/// PM2 going on at the start of the emptied file (no hole of zeros), and
/// the log view still following it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_over_its_cap_is_cut_and_followed_on() {
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    tokio::spawn(fx.manager.clone().run_monitor());
    // About 400 kB a second.
    let repo = fx.node_repo(
        "chatty",
        "let n = 0;\nsetInterval(() => { for (let i = 0; i < 200; i++) console.log(`line ${n++} ${'x'.repeat(100)}`); }, 50);\n",
    );
    let mut new = input(repo, "chatty");
    new.start_command = Some("node server.js".into());
    new.pm2_options.log_max_mb = Some(1);
    let d = fx.manager.create(new.clone()).unwrap();
    let view = fx.manager.logs(d.id).unwrap();
    fx.manager.start(d.id).await.unwrap();
    let [out, _] = fx.manager.log_files(d.id);
    let older = out.with_file_name("out.log.1");
    eventually("the log cut once", || older.exists().then_some(())).await;
    let cut_at = std::fs::metadata(&older).unwrap().len();
    assert!(cut_at > 1024 * 1024, "cut after passing 1 MB: {cut_at}");
    // PM2 goes on at the start of the emptied file, dated lines, no zeros.
    let seen = view.since(0).last().map(|l| l.seq).unwrap_or(0);
    eventually("new lines in the emptied file", || {
        let bytes = std::fs::read(&out).ok()?;
        (bytes.len() > 1000).then_some(())
    })
    .await;
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"20"), "{:?}", &bytes[..40]);
    assert!(!bytes[..1000].contains(&0), "no hole of zeros");
    // The view read on after the cut.
    eventually("the view following on", || {
        (view.since(seen + 1).len() > 100).then_some(())
    })
    .await;
    // Kept under the cap (plus what two seconds write) from then on.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(std::fs::metadata(&out).unwrap().len() < 2 * 1024 * 1024);
    fx.manager.stop(d.id).await.unwrap();
    // A cap out of range is refused and nothing changes.
    new.pm2_options.log_max_mb = Some(0);
    assert!(matches!(
        fx.manager.update(d.id, new).unwrap_err(),
        Error::InvalidInput(_)
    ));
    assert_eq!(
        fx.manager.get(d.id).unwrap().pm2_options.log_max_mb,
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_the_agent_about_a_crash_starts_a_session_that_knows_what_broke() {
    use ai_desktop_api::flow::FlowRole;
    use ai_desktop_core::testkit::llm;
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    let repo = fx.node_repo("shop", "console.log('starting');\n");
    let dir = fx.root.join("shop");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "Works"]);
    // The change that breaks it, not committed.
    std::fs::write(
        dir.join("server.js"),
        "console.error('fatal: cannot reach the database at db:5432'); process.exit(3);\n",
    )
    .unwrap();
    let mut crashing = input(repo, "api");
    crashing.env = BTreeMap::from([("GREETING".to_string(), "s3cret-greeting".to_string())]);
    let d = fx.manager.create(crashing).unwrap();
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Errored).await;

    // No model yet: refused, and no session is left behind.
    let err = fx.app.ask_agent_about_crash(d.id).await.unwrap_err();
    assert!(err.to_string().contains("Choose a model first"), "{err}");
    assert!(fx.app.flow.sessions(false, None).unwrap().is_empty());

    let provider = fx.provider("You fix apps.");
    provider.push(llm::text(&["Looking at server.js."]));
    let session = fx.app.ask_agent_about_crash(d.id).await.unwrap();
    assert_eq!(session.repository_id, Some(repo));
    assert_eq!(session.title, "Fix api (shop)");
    let asked = eventually("the agent's answer", || {
        let m = fx.app.flow.messages(session.id).unwrap();
        (m.len() == 2 && m[1].content == "Looking at server.js.").then_some(m)
    })
    .await;
    assert_eq!(asked[0].role, FlowRole::User);
    let text = &asked[0].content;
    for needle in [
        "\"api\" of the repository \"shop\" crashed",
        "fatal: cannot reach the database at db:5432",
        "no healthy start is on record",
        "+console.error('fatal: cannot reach the database at db:5432'); process.exit(3);",
        "-console.log('starting');",
        "names only): GREETING, PORT (AI Desktop sets it to",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    assert!(
        !text.contains("s3cret-greeting"),
        "an env value reached the agent:\n{text}"
    );
    // What the provider was sent is that message, and the repository's tools.
    let chat = &provider.chats()[0].body;
    let sent = chat["messages"].as_array().unwrap();
    assert_eq!(sent.last().unwrap()["content"], *text);
    assert!(chat["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["function"]["name"] == "repository__edit_file"));
    fx.manager.delete(d.id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipe_runs_by_itself_when_a_deployment_of_its_repository_crashes() {
    use ai_desktop_api::flow::{FlowRecipeInput, FlowRole, RecipeTrigger};
    use ai_desktop_core::testkit::llm;
    if !real_tools("pm2 and node") {
        return;
    }
    let fx = Fixture::new();
    fx.app.start();
    let repo = fx.node_repo("shop", "console.log('starting');\n");
    let other = fx.node_repo("blog", "console.log('blog');\n");
    let provider = fx.provider("You are the settings' prompt.");
    let triage = FlowRecipeInput {
        name: "Triage".into(),
        prompt: "Say what broke, briefly.".into(),
        system_prompt: Some("You are the on-call triager.".into()),
        repository_id: Some(repo),
        trigger: RecipeTrigger::DeploymentErrored,
        ..Default::default()
    };
    // Bad input is refused with why; nothing is saved.
    for (bad, why) in [
        (
            FlowRecipeInput {
                repository_id: None,
                ..triage.clone()
            },
            "needs a repository",
        ),
        (
            FlowRecipeInput {
                prompt: "  ".into(),
                ..triage.clone()
            },
            "first message",
        ),
        (
            FlowRecipeInput {
                repository_id: Some(999),
                ..triage.clone()
            },
            "no repository with id 999",
        ),
        (
            FlowRecipeInput {
                mcp_server_ids: vec![42],
                ..triage.clone()
            },
            "no MCP server with id 42",
        ),
    ] {
        let err = fx.app.flow.save_recipe(None, bad).unwrap_err();
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
    assert!(fx.app.flow.recipes().unwrap().is_empty());
    let recipe = fx.app.flow.save_recipe(None, triage.clone()).unwrap();
    assert_eq!(recipe.repository_name.as_deref(), Some("shop"));
    let taken = fx.app.flow.save_recipe(None, triage.clone()).unwrap_err();
    assert!(taken.to_string().contains("exists already"), "{taken}");
    // Changed and changed back: the same recipe, never a second one.
    let renamed = fx
        .app
        .flow
        .save_recipe(
            Some(recipe.id),
            FlowRecipeInput {
                name: "Triage 2".into(),
                ..triage.clone()
            },
        )
        .unwrap();
    assert_eq!((renamed.id, renamed.name.as_str()), (recipe.id, "Triage 2"));
    let recipe = fx
        .app
        .flow
        .save_recipe(Some(recipe.id), triage.clone())
        .unwrap();
    assert_eq!(recipe.name, "Triage");
    assert_eq!(fx.app.flow.recipes().unwrap().len(), 1);

    // Run by hand: a session titled after it, with its own system prompt.
    provider.push(llm::text(&["Nothing is broken."]));
    let by_hand = fx.app.flow.run_recipe(recipe.id, None, None).await.unwrap();
    assert_eq!(
        (
            by_hand.title.as_str(),
            by_hand.recipe_id,
            by_hand.repository_id
        ),
        ("Triage", Some(recipe.id), Some(repo))
    );
    assert_eq!(by_hand.recipe_name.as_deref(), Some("Triage"));
    eventually("the hand run's answer", || {
        let m = fx.app.flow.messages(by_hand.id).unwrap();
        (m.len() == 2 && m[1].content == "Nothing is broken.").then_some(())
    })
    .await;
    let sent = &provider.chats()[0].body["messages"];
    assert_eq!(sent[0]["role"], "system");
    assert_eq!(sent[0]["content"], "You are the on-call triager.");
    assert_eq!(sent[1]["content"], "Say what broke, briefly.");

    // Another repository's crash sets nothing off; this one's does.
    let calm = fx.manager.create(input(other, "blog web")).unwrap();
    std::fs::write(
        fx.root.join("blog/server.js"),
        "console.error('blog down'); process.exit(4);\n",
    )
    .unwrap();
    fx.manager.start(calm.id).await.unwrap();
    fx.wait_status(calm.id, DeploymentStatus::Errored).await;
    provider.push(llm::text(&["The server exits with code 3."]));
    std::fs::write(
        fx.root.join("shop/server.js"),
        "console.error('fatal: cannot reach the database at db:5432'); process.exit(3);\n",
    )
    .unwrap();
    let d = fx.manager.create(input(repo, "api")).unwrap();
    fx.manager.start(d.id).await.unwrap();
    fx.wait_status(d.id, DeploymentStatus::Errored).await;
    let run = eventually("a run of the recipe on the crash", || {
        fx.app
            .flow
            .sessions(false, None)
            .unwrap()
            .into_iter()
            .find(|s| s.title == "Triage · api crashed")
    })
    .await;
    assert_eq!(run.recipe_id, Some(recipe.id));
    let messages = eventually("the run's answer", || {
        let m = fx.app.flow.messages(run.id).unwrap();
        (m.len() == 2 && m[1].content == "The server exits with code 3.").then_some(m)
    })
    .await;
    assert_eq!(messages[0].role, FlowRole::User);
    let text = &messages[0].content;
    for needle in [
        "Say what broke, briefly.",
        "\"api\" of the repository \"shop\" crashed",
        "fatal: cannot reach the database at db:5432",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    assert!(!text.contains("blog down"), "{text}");
    // Two runs of it, and nothing for the blog's crash.
    let listed = fx.app.flow.recipes().unwrap();
    assert_eq!(listed[0].runs, 2);
    assert!(listed[0].last_run_at.is_some());
    assert_eq!(fx.app.flow.sessions(false, None).unwrap().len(), 2);
    // Deleting the recipe keeps what it made.
    fx.app.flow.delete_recipe(recipe.id).unwrap();
    let kept = fx.app.flow.session(run.id).unwrap();
    assert_eq!(
        (kept.recipe_id, kept.title.as_str()),
        (None, "Triage · api crashed")
    );
    fx.manager.delete(d.id).await.unwrap();
    fx.manager.delete(calm.id).await.unwrap();
}
