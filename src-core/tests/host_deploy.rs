//! Deployments on a host under its own PM2: the "remote" host is a real
//! OpenSSH server on a loopback port whose login has this machine's node
//! and pm2; the app there is a real Node server, reached here through the
//! app's forward.

use crate::hosts::{add_box, alive, put_key, wait_for};
use ai_desktop_api::deployments::DeploymentStatus;
use ai_desktop_api::hosts::{Host, HostDeploymentAction, HostDeploymentInput, HostRepository};
use ai_desktop_core::error::Error;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::hosts::deploy::{HostDeploys, APP_FORWARD_KIND, RPC_FORWARD_KIND};
use ai_desktop_core::hosts::Hosts;
use ai_desktop_core::store::Store;
use ai_desktop_core::testkit::sshd::Sshd;
use ai_desktop_core::testkit::Pm2Daemon;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn pids(store: &Store, kind: &str) -> Vec<u32> {
    store
        .recorded_processes(kind)
        .unwrap()
        .iter()
        .map(|r| r.process.pid)
        .collect()
}

/// The body of GET / on 127.0.0.1:`port`, if it answers.
fn get(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.split_once("\r\n\r\n").map(|(_, b)| b.to_string())
}

/// Processes whose command line holds `needle`.
fn argv_holding(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(needle)
                .then_some(pid)
        })
        .collect()
}

async fn until_status(deploys: &HostDeploys, id: i64, want: DeploymentStatus) {
    let start = Instant::now();
    loop {
        let d = deploys.get(id).await.unwrap();
        if d.status == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{:?} never became {want:?}",
            d.status
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The "remote" host of these tests: a private sshd on loopback whose
/// login has this machine's node and pm2 and data and config folders of
/// its own, added as host "Box"; the host's PM2 is ended when it goes.
/// (Fields drop in this order: the folders go last.)
struct RemoteBox {
    sshd: Option<Sshd>,
    _daemon: Pm2Daemon,
    store: Arc<Store>,
    events: Arc<RecordingSink>,
    hosts: Arc<Hosts>,
    host: Host,
    data: PathBuf,
    remote_data: PathBuf,
    sshd_port: u16,
    tmp: tempfile::TempDir,
}

impl RemoteBox {
    async fn start() -> RemoteBox {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let data = tmp.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let remote_data = tmp.path().join("remote-data");
        let store = Arc::new(Store::open_in(&data).unwrap());
        let hosts = Arc::new(Hosts::new(store.clone(), home.clone(), &data));
        let sshd = Self::sshd(
            tmp.path(),
            &remote_data,
            ai_desktop_core::testkit::free_port(),
        );
        put_key(&sshd.client_key, &home, "id_box");
        let host = add_box(&hosts, &sshd).await;
        RemoteBox {
            _daemon: Pm2Daemon {
                env: vec![("PATH".into(), std::env::var("PATH").unwrap())],
                home: remote_data.join("aidesktop/pm2"),
            },
            data,
            remote_data,
            sshd_port: sshd.port,
            sshd: Some(sshd),
            store,
            events: Arc::new(RecordingSink::default()),
            hosts,
            host,
            tmp,
        }
    }

    fn sshd(tmp: &Path, remote_data: &Path, port: u16) -> Sshd {
        let path = std::env::var("PATH").unwrap();
        Sshd::start_with(
            &tmp.join("sshd"),
            port,
            &[
                ("PATH", path.as_str()),
                ("XDG_DATA_HOME", &remote_data.display().to_string()),
                (
                    "XDG_CONFIG_HOME",
                    &tmp.join("remote-config").display().to_string(),
                ),
            ],
        )
    }

    /// Starts the host's sshd again, on the same port and keys.
    fn start_sshd(&mut self) {
        self.sshd = Some(Self::sshd(
            self.tmp.path(),
            &self.remote_data,
            self.sshd_port,
        ));
    }
    /// The host's PM2_HOME there.
    fn remote_pm2(&self) -> PathBuf {
        self.remote_data.join("aidesktop/pm2")
    }

    /// A new run's view of the host's deployments.
    fn deploys(&self) -> Arc<HostDeploys> {
        Arc::new(HostDeploys::new(
            self.hosts.clone(),
            self.store.clone(),
            self.events.clone(),
            self.data.join("hosts/deployments"),
        ))
    }

    /// A git working tree `name` there holding `server.js`, added as the
    /// host's repository.
    async fn repository(&self, name: &str, server_js: &str) -> (HostRepository, PathBuf) {
        let dir = self.tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("server.js"), server_js).unwrap();
        assert!(std::process::Command::new("git")
            .args(["init", "-q"])
            .arg(&dir)
            .status()
            .unwrap()
            .success());
        let repo = self
            .hosts
            .add_repository(self.host.id, &dir.display().to_string())
            .await
            .unwrap();
        (repo, dir)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_is_deployed_under_the_hosts_pm2_and_reached_here_through_the_apps_forward() {
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server) and pm2") {
        return;
    }
    let mut b = RemoteBox::start().await;
    let (store, events, host) = (b.store.clone(), b.events.clone(), b.host.clone());
    let remote_pm2 = b.remote_pm2();
    let remote_data = b.remote_data.clone();
    let deploys = b.deploys();
    let (repo, shop) = b
        .repository(
            "shop",
            "require('http').createServer((q, r) => r.end('hello ' + process.env.GREETING + ' from ' + process.cwd()))\n\
             .listen(process.env.PORT, '127.0.0.1', () => console.log('listening on ' + process.env.PORT));\n",
        )
        .await;
    let port_there = ai_desktop_core::testkit::free_port();
    let secret = format!("s3cr3t-{}", std::process::id());
    let input = HostDeploymentInput {
        repository_id: repo.id,
        name: "web".into(),
        start_command: "node server.js".into(),
        port: port_there,
        env: [("GREETING".to_string(), secret.clone())].into(),
        health_check: None,
    };

    // Bad input: said, nothing stored, nothing asked of the host.
    for bad in [
        HostDeploymentInput {
            name: "a b".into(),
            ..input.clone()
        },
        HostDeploymentInput {
            port: 0,
            ..input.clone()
        },
        HostDeploymentInput {
            start_command: " ".into(),
            ..input.clone()
        },
        HostDeploymentInput {
            start_command: "node 'server.js".into(),
            ..input.clone()
        },
        HostDeploymentInput {
            env: [("PORT".to_string(), "1".to_string())].into(),
            ..input.clone()
        },
    ] {
        let err = deploys.deploy(bad.clone()).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
    let err = deploys
        .deploy(HostDeploymentInput {
            repository_id: repo.id + 100,
            ..input.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let listed = deploys.list(host.id).await.unwrap();
    assert!(listed.deployments.is_empty() && listed.unreachable.is_none());
    assert!(
        !remote_pm2.join("rpc.sock").exists(),
        "no PM2 started there"
    );

    // Deployed: run by the host's own PM2 (its PM2_HOME in the app's
    // folder there), in the repository's folder, with its environment.
    let deployed = deploys.deploy(input.clone()).await.unwrap();
    let id = deployed.id;
    assert_eq!(deployed.pm2_name, format!("deploy-host-{id}-web"));
    assert_eq!(deployed.env["GREETING"], ai_desktop_api::secrets::MASKED);
    until_status(&deploys, id, DeploymentStatus::Online).await;
    assert!(remote_pm2.join("rpc.sock").exists());
    let body = {
        let start = Instant::now();
        loop {
            if let Some(b) = get(port_there) {
                break b;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "never answered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    assert_eq!(body, format!("hello {secret} from {}", shop.display()));
    // The environment travelled in a 0600 file there, never in an argv.
    let ecosystem = remote_data.join(format!(
        "aidesktop/deployments/deploy-host-{id}-web/ecosystem.json"
    ));
    assert_eq!(
        std::fs::metadata(&ecosystem).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(std::fs::read_to_string(&ecosystem)
        .unwrap()
        .contains(&secret));
    assert!(argv_holding(&secret).is_empty());
    // PM2 is read through its forwarded RPC socket: a live figure.
    let now = deploys.get(id).await.unwrap();
    assert!(now.memory > 0, "{now:?}");
    assert!(now.started_at.is_some());
    assert_eq!(pids(&store, RPC_FORWARD_KIND).len(), 1);
    assert!(events.take().iter().any(|e| matches!(
        e,
        DomainEvent::HostDeploymentsUpdated(l) if l.host_id == host.id
            && l.deployments.iter().any(|d| d.id == id)
    )));
    // A crash there is heard at once, through PM2's forwarded event
    // socket (nothing asks): PM2 restarts it and the page is told.
    events.take();
    let app_pid = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .find_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let cwd = std::fs::read_link(e.path().join("cwd")).ok()?;
            (String::from_utf8_lossy(&cmdline).contains("server.js") && cwd == shop).then_some(pid)
        })
        .expect("the app's process");
    unsafe { libc::kill(app_pid as i32, libc::SIGKILL) };
    let start = Instant::now();
    loop {
        let told = events.take().into_iter().any(|e| {
            matches!(e, DomainEvent::HostDeploymentsUpdated(l)
                if l.deployments.iter().any(|d| d.id == id && d.restarts >= 1))
        });
        if told {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the restart there was not told"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Its output there.
    let logs = deploys.logs(id).await.unwrap();
    assert!(
        logs.contains(&format!("listening on {port_there}")),
        "{logs}"
    );
    // The same name again is refused.
    assert!(matches!(
        deploys.deploy(input.clone()).await.unwrap_err(),
        Error::Conflict(_)
    ));

    // Reached here: its port forwarded by the app.
    let forwarded = deploys.forward(id).await.unwrap();
    let here = forwarded.forwarded_port.expect("forwarded");
    assert_eq!(get(here), Some(body.clone()));
    let app_forward = pids(&store, APP_FORWARD_KIND);
    assert_eq!(app_forward.len(), 1);

    // The host goes away: its apps are shown as last known, marked
    // unreachable (not stopped); it comes back, and so does the figure.
    b.sshd = None;
    let listed = deploys.list(host.id).await.unwrap();
    let why = listed.unreachable.clone().expect("unreachable");
    assert!(
        why.starts_with("Box: ") && why.contains("could not reach"),
        "{why}"
    );
    assert_eq!(listed.deployments[0].status, DeploymentStatus::Online);
    assert!(deploys.get(id).await.is_err());
    b.start_sshd();
    let listed = deploys.list(host.id).await.unwrap();
    assert_eq!(listed.unreachable, None);
    assert_eq!(listed.deployments[0].status, DeploymentStatus::Online);

    // Stopped and started there.
    let stopped = deploys.act(id, HostDeploymentAction::Stop).await.unwrap();
    assert_eq!(stopped.status, DeploymentStatus::Stopped);
    assert_eq!(get(port_there), None);
    deploys.act(id, HostDeploymentAction::Start).await.unwrap();
    until_status(&deploys, id, DeploymentStatus::Online).await;

    // Quit: the forwards end, the app keeps running there; the next run
    // reads it from PM2 there again.
    let forwards = [pids(&store, RPC_FORWARD_KIND), app_forward.clone()].concat();
    deploys.end_forwards();
    wait_for("the forwards ended", || forwards.iter().all(|p| !alive(*p))).await;
    assert!(pids(&store, RPC_FORWARD_KIND).is_empty());
    assert!(pids(&store, APP_FORWARD_KIND).is_empty());
    let deploys = b.deploys();
    let listed = deploys.list(host.id).await.unwrap();
    assert_eq!(listed.deployments.len(), 1);
    assert_eq!(listed.deployments[0].status, DeploymentStatus::Online);
    assert_eq!(listed.deployments[0].forwarded_port, None);
    // A killed run's forwards are ended at the next start.
    let left = pids(&store, RPC_FORWARD_KIND);
    assert_eq!(left.len(), 1);
    b.deploys().end_strays();
    wait_for("a killed run's forward ended", || {
        left.iter().all(|p| !alive(*p))
    })
    .await;

    // Deleted: gone from PM2 there with its folder; its forward ended.
    let deploys = b.deploys();
    let here_again = deploys.forward(id).await.unwrap().forwarded_port.unwrap();
    assert_eq!(here_again, here, "the same port here as before");
    deploys.delete(id).await.unwrap();
    assert!(!ecosystem.exists());
    assert_eq!(get(port_there), None);
    assert!(deploys.list(host.id).await.unwrap().deployments.is_empty());
    assert!(
        pids(&store, APP_FORWARD_KIND).is_empty(),
        "{:?}",
        store.recorded_processes(APP_FORWARD_KIND)
    );
    assert!(matches!(
        deploys.get(id).await.unwrap_err(),
        Error::NotFound(_)
    ));
    deploys.end_forwards();
}

/// A host repository's stack in one click, in order: the host's stopped
/// service, the repository's stopped app, then its editor there; down
/// stops the app and the editor and leaves the host's service running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_repositorys_stack_starts_its_services_apps_and_editor_in_order() {
    use ai_desktop_api::hosts::HostEditorState;
    use ai_desktop_api::services::{InstallRequest, ServiceKind, ServiceState};
    use ai_desktop_core::hosts::docker::HostEngines;
    use ai_desktop_core::hosts::editor::HostEditors;
    use ai_desktop_core::hosts::stack::HostStack;
    use ai_desktop_core::testkit::docker::{docker, redis_image, Cleanup};
    if !ai_desktop_core::testkit::real_tools("sshd, dockerd, pm2 and code-server")
        || !crate::vscode::code_server()
    {
        return;
    }
    redis_image();
    let prefix = format!("aidstack{}", std::process::id());
    let _cleanup = Cleanup(prefix.clone());
    let b = RemoteBox::start().await;
    let (store, events, hosts, host, data) = (
        b.store.clone(),
        b.events.clone(),
        b.hosts.clone(),
        b.host.clone(),
        b.data.clone(),
    );
    let stack = HostStack {
        engines: Arc::new(HostEngines::new(
            hosts.clone(),
            store.clone(),
            &data,
            &prefix,
            events.clone(),
        )),
        deploys: b.deploys(),
        editors: Arc::new(HostEditors::new(
            hosts.clone(),
            store.clone(),
            events.clone(),
            data.join("hosts/editors"),
        )),
    };
    let (repo, _) = b
        .repository(
            "shop",
            "require('http').createServer((q, r) => r.end('up')).listen(process.env.PORT, '127.0.0.1');\n",
        )
        .await;
    // A Redis on the host's engine and the repository's app there, both stopped.
    let services = stack.engines.services(host.id).await.unwrap();
    services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    services.stop("redis").await.unwrap();
    let port_there = ai_desktop_core::testkit::free_port();
    let app = stack
        .deploys
        .deploy(HostDeploymentInput {
            repository_id: repo.id,
            name: "web".into(),
            start_command: "node server.js".into(),
            port: port_there,
            env: Default::default(),
            health_check: None,
        })
        .await
        .unwrap();
    stack
        .deploys
        .act(app.id, HostDeploymentAction::Stop)
        .await
        .unwrap();
    let container = format!("{prefix}-redis");
    let running = |name: &str| docker(&["inspect", "-f", "{{.State.Running}}", name]).1 == "true";
    assert!(!running(&container));
    assert_eq!(get(port_there), None);

    // Up: the service, then the app, then the editor.
    let up = stack.up(repo.id).await.unwrap();
    assert_eq!(up.services, ["Redis"]);
    assert_eq!(up.apps, ["web"]);
    assert!(running(&container));
    let start = Instant::now();
    while get(port_there).as_deref() != Some("up") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the app never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(up.editor.window_label, format!("vscode-host-{}", repo.id));
    assert_eq!(
        stack.editors.get(repo.id).unwrap().state,
        HostEditorState::Running
    );
    let redis_state = stack.engines.overview(host.id).await.unwrap().installed[0].state;
    assert_eq!(redis_state, ServiceState::Running);
    // Again: nothing more to start.
    let again = stack.up(repo.id).await.unwrap();
    assert!(again.services.is_empty() && again.apps.is_empty());

    // Down: the app and the editor stop; the host's service keeps running.
    assert_eq!(stack.down(repo.id).await.unwrap(), ["web"]);
    assert_eq!(get(port_there), None);
    assert_eq!(
        stack.editors.get(repo.id).unwrap().state,
        HostEditorState::Stopped
    );
    assert!(running(&container));

    services.uninstall("redis", true).await.unwrap();
    stack.deploys.delete(app.id).await.unwrap();
    stack.engines.end_forwards();
    stack.deploys.end_forwards();
    stack.editors.end_forwards();
}

/// A port of 127.0.0.1 bound by a socket that does not listen: nobody
/// else can bind it, and connections to it are refused.
fn bound_not_listening() -> (std::os::fd::OwnedFd, u16) {
    use std::os::fd::FromRawFd;
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let owned = std::os::fd::OwnedFd::from_raw_fd(fd);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len),
            0
        );
        let mut len = len;
        assert_eq!(
            libc::getsockname(fd, &mut addr as *mut _ as *mut libc::sockaddr, &mut len),
            0
        );
        (owned, u16::from_be(addr.sin_port))
    }
}

/// Waits for an event telling of the host deployment `id` in a state
/// `what` names.
async fn told(
    events: &RecordingSink,
    id: i64,
    what: &str,
    mut pred: impl FnMut(&ai_desktop_api::hosts::HostDeployment) -> bool,
) -> ai_desktop_api::hosts::HostDeployment {
    let start = Instant::now();
    loop {
        for e in events.take() {
            if let DomainEvent::HostDeploymentsUpdated(l) = e {
                if let Some(d) = l.deployments.into_iter().find(|d| d.id == id) {
                    if pred(&d) {
                        return d;
                    }
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never told {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A host app's health check asks the app through the app's forward of
/// its port while PM2 there says it is online, and each change is told;
/// an app PM2 gives up restarting there is told once as a crash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_apps_health_is_checked_through_its_forward_and_a_crash_there_is_told_once() {
    use ai_desktop_api::deployments::{HealthCheck, HealthKind};
    use ai_desktop_core::alerts::Alerts;
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server) and pm2") {
        return;
    }
    let b = RemoteBox::start().await;
    let deploys = b.deploys();
    let (repo, shop) = b
        .repository(
            "shop",
            "require('http').createServer((q, r) => {\n\
               const sick = require('fs').existsSync('sick');\n\
               r.statusCode = q.url === '/health' && !sick ? 200 : 503; r.end();\n\
             }).listen(process.env.PORT, '127.0.0.1');\n",
        )
        .await;
    let input = HostDeploymentInput {
        repository_id: repo.id,
        name: "web".into(),
        start_command: "node server.js".into(),
        port: ai_desktop_core::testkit::free_port(),
        env: Default::default(),
        health_check: Some(HealthCheck {
            path: "/health".into(),
            interval_secs: 2,
            ..Default::default()
        }),
    };

    // A check that cannot be asked is refused before anything runs there.
    let bad = HostDeploymentInput {
        health_check: Some(HealthCheck {
            path: "health".into(),
            ..Default::default()
        }),
        ..input.clone()
    };
    let err = deploys.deploy(bad).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("must start with /")),
        "{err:?}"
    );
    assert!(deploys
        .list(b.host.id)
        .await
        .unwrap()
        .deployments
        .is_empty());
    assert!(!b.remote_pm2().join("rpc.sock").exists());

    // Healthy: asked through a forward of its port here, told by an event.
    let web = deploys.deploy(input.clone()).await.unwrap();
    assert_eq!(web.health_check.as_ref().unwrap().path, "/health");
    let healthy = told(&b.events, web.id, "healthy", |d| {
        d.health.as_ref().is_some_and(|h| h.healthy)
    })
    .await;
    let report = healthy.health.unwrap();
    assert!(
        report.detail.starts_with("/health answered 200"),
        "{report:?}"
    );
    let here = healthy
        .forwarded_port
        .expect("checked through a forward here");
    assert_ne!(here, 0);
    assert_eq!(pids(&b.store, APP_FORWARD_KIND).len(), 1);

    // It answers 503 now: told unhealthy with what it answered.
    std::fs::write(shop.join("sick"), "").unwrap();
    let sick = told(&b.events, web.id, "unhealthy", |d| {
        d.health.as_ref().is_some_and(|h| !h.healthy)
    })
    .await;
    assert!(
        sick.health
            .as_ref()
            .unwrap()
            .detail
            .contains("answered 503, expected 200"),
        "{sick:?}"
    );
    std::fs::remove_file(shop.join("sick")).unwrap();
    told(&b.events, web.id, "healthy again", |d| {
        d.health.as_ref().is_some_and(|h| h.healthy)
    })
    .await;

    // Stopped there: no report shown, no check asked.
    let stopped = deploys
        .act(web.id, HostDeploymentAction::Stop)
        .await
        .unwrap();
    assert_eq!(stopped.status, DeploymentStatus::Stopped);
    assert_eq!(stopped.health, None);

    // A TCP check through the forward: the forward here accepts every
    // connection, so an app that does not listen on its port there is
    // still found unhealthy. (The host is this machine: its port is held
    // bound, not listening, so that connections there are refused and the
    // forward here cannot take the same number and reach itself.)
    let (_held, deaf_port) = bound_not_listening();
    let (deaf_repo, _) = b.repository("deaf", "setInterval(() => {}, 1000);\n").await;
    let deaf = deploys
        .deploy(HostDeploymentInput {
            repository_id: deaf_repo.id,
            name: "deaf".into(),
            start_command: "node server.js".into(),
            port: deaf_port,
            env: Default::default(),
            health_check: Some(HealthCheck {
                kind: HealthKind::Tcp,
                interval_secs: 2,
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let deaf_told = told(&b.events, deaf.id, "the deaf app unhealthy", |d| {
        d.health.is_some()
    })
    .await;
    let report = deaf_told.health.unwrap();
    assert!(!report.healthy, "{report:?}");
    assert!(
        report.detail.contains("nothing accepts the port there"),
        "{report:?}"
    );
    deploys.delete(deaf.id).await.unwrap();

    // An app that exits at once: PM2 there gives up on it; told once.
    b.events.take();
    let (boom_repo, _) = b.repository("boom", "process.exit(3);\n").await;
    let boom = deploys
        .deploy(HostDeploymentInput {
            repository_id: boom_repo.id,
            name: "boom".into(),
            start_command: "node server.js".into(),
            port: ai_desktop_core::testkit::free_port(),
            env: Default::default(),
            health_check: None,
        })
        .await
        .unwrap();
    let mut alerts = Alerts::default();
    let mut said = Vec::new();
    let start = Instant::now();
    loop {
        for e in b.events.take() {
            said.extend(alerts.observe(&e));
        }
        if !said.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the crash there was never told; now {:?}",
            deploys.get(boom.id).await.map(|d| d.status)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    for e in b.events.take() {
        said.extend(alerts.observe(&e));
    }
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(said[0].title, "Deployment boom on Box crashed");
    assert_eq!(
        deploys.get(boom.id).await.unwrap().status,
        DeploymentStatus::Errored
    );

    for id in [web.id, boom.id] {
        deploys.delete(id).await.unwrap();
    }
    assert!(pids(&b.store, APP_FORWARD_KIND).is_empty());
    deploys.end_forwards();
}
