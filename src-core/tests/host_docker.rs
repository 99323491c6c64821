//! Services on a host's Docker engine: the "remote" host is a real OpenSSH
//! server on a loopback port whose login reaches this machine's real
//! dockerd (its socket is what the app forwards), so what the app installs
//! there is a real container, reached here through a real forward.

use crate::hosts::{add_box, alive, put_key, wait_for};
use ai_desktop_api::services::{InstallRequest, ServiceKind, ServiceState};
use ai_desktop_core::error::Error;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::hosts::docker::{HostEngines, PORT_FORWARD_KIND, SOCKET_FORWARD_KIND};
use ai_desktop_core::hosts::Hosts;
use ai_desktop_core::services::ServiceManager;
use ai_desktop_core::store::Store;
use ai_desktop_core::testkit::docker::{docker, redis_image, Cleanup};
use ai_desktop_core::testkit::sshd::Sshd;
use std::os::unix::fs::PermissionsExt;
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

fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default()
}

fn password_of(connection_string: &str) -> String {
    connection_string
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .unwrap()
        .to_string()
}

fn pong(port: u16, password: &str) -> bool {
    // Not through the services tests' helper: that one panics on a refusal.
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let wire = format!(
        "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n",
        password.len()
    );
    if s.write_all(wire.as_bytes()).is_err() {
        return false;
    }
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    while !out.ends_with(b"+PONG\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out == b"+OK\r\n+PONG\r\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_is_installed_on_a_hosts_docker_and_reached_here_through_the_apps_forwards() {
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server) and dockerd") {
        return;
    }
    redis_image();
    let prefix = format!("aidhost{}", std::process::id());
    let _cleanup = Cleanup(prefix.clone());
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let sshd_dir = tmp.path().join("sshd");
    let sshd_port = ai_desktop_core::testkit::free_port();
    let mut sshd = Some(Sshd::start_on(&sshd_dir, sshd_port));
    put_key(&sshd.as_ref().unwrap().client_key, &home, "id_box");
    let store = Arc::new(Store::open_in(&data).unwrap());
    let events = Arc::new(RecordingSink::default());
    let hosts = Arc::new(Hosts::new(store.clone(), home.clone(), &data));
    let engines_of = || {
        Arc::new(HostEngines::new(
            hosts.clone(),
            store.clone(),
            &data,
            &prefix,
            events.clone(),
        ))
    };
    let engines = engines_of();
    let host = add_box(&hosts, sshd.as_ref().unwrap()).await;

    // An unknown host is refused; the host's engine answers through a
    // socket forwarded into a private folder here.
    assert!(matches!(
        engines.overview(host.id + 100).await.unwrap_err(),
        Error::NotFound(_)
    ));
    let overview = engines.overview(host.id).await.unwrap();
    assert!(overview.docker_available, "{overview:?}");
    assert_eq!(overview.host, Some(host.id));
    assert!(overview.installed.is_empty());
    let dir = data.join(format!("hosts/engines/{}", host.id));
    let socket = dir.join("docker.sock");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&socket), 0o600);
    let socket_forward = pids(&store, SOCKET_FORWARD_KIND);
    assert_eq!(socket_forward.len(), 1);
    assert!(alive(socket_forward[0]));
    assert!(
        cmdline(socket_forward[0]).contains(&format!("{}:/var/run/docker.sock", socket.display())),
        "{}",
        cmdline(socket_forward[0])
    );

    // Installed there: a container of the host's engine, its port on the
    // host's 127.0.0.1, forwarded here (the same number when free here).
    let services = engines.services(host.id).await.unwrap();
    let redis_there = services
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
    assert_eq!(redis_there.state, ServiceState::Running);
    let here = redis_there.forwarded_port.expect("forwarded here");
    let password = password_of(&redis_there.connection_string);
    assert!(
        redis_there
            .connection_string
            .ends_with(&format!("@127.0.0.1:{here}")),
        "{}",
        redis_there.connection_string
    );
    let container = format!("{prefix}-redis");
    let (ok, binding) = docker(&[
        "inspect",
        "-f",
        "{{json .HostConfig.PortBindings}}",
        &container,
    ]);
    assert!(ok, "{binding}");
    assert!(
        binding.contains(&format!(
            r#""HostIp":"127.0.0.1","HostPort":"{}""#,
            redis_there.port
        )),
        "{binding}"
    );
    assert!(pong(here, &password));
    let port_forward = pids(&store, PORT_FORWARD_KIND);
    assert_eq!(port_forward.len(), 1);
    assert!(cmdline(port_forward[0])
        .contains(&format!("127.0.0.1:{here}:127.0.0.1:{}", redis_there.port)));
    // The host's services are the host's: this computer's engine (the same
    // dockerd here) does not count them as its own.
    let local = ServiceManager::new(
        store.clone(),
        data.clone(),
        "unix:///var/run/docker.sock".into(),
        &prefix,
        events.clone(),
    );
    assert!(local.list().await.unwrap().is_empty());
    assert!(local
        .overview()
        .await
        .foreign
        .iter()
        .any(|f| f.name == container));
    assert!(matches!(
        local.stop("redis").await.unwrap_err(),
        Error::NotFound(_)
    ));

    // The socket's forward dies: opened again (the port's, on its own
    // connection, is kept).
    unsafe { libc::kill(socket_forward[0] as i32, libc::SIGKILL) };
    wait_for("a new socket forward", || {
        pids(&store, SOCKET_FORWARD_KIND)
            .first()
            .is_some_and(|p| *p != socket_forward[0] && alive(*p))
    })
    .await;
    assert_eq!(pids(&store, PORT_FORWARD_KIND), port_forward);
    assert!(pong(here, &password));
    assert!(engines.overview(host.id).await.unwrap().docker_available);

    // The host goes away: its services are shown unreachable (not
    // stopped), and come back when it does.
    events.take();
    drop(sshd.take());
    let start = Instant::now();
    let message = loop {
        let heard = events.take().into_iter().find_map(|e| match e {
            DomainEvent::ServiceUpdated(o) if o.host == Some(host.id) && !o.docker_available => {
                o.message.clone()
            }
            _ => None,
        });
        if let Some(m) = heard {
            break m;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no unreachable");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(message.contains("Trying again in"), "{message}");
    assert!(pids(&store, SOCKET_FORWARD_KIND).is_empty());
    let (_, state) = docker(&["inspect", "-f", "{{.State.Running}}", &container]);
    assert_eq!(state, "true", "still running there");
    sshd = Some(Sshd::start_on(&sshd_dir, sshd_port));
    // Back: the port forwarded again, on the same port here.
    let start = Instant::now();
    while !pids(&store, PORT_FORWARD_KIND)
        .first()
        .is_some_and(|p| *p != port_forward[0] && alive(*p))
        || !pong(here, &password)
    {
        assert!(start.elapsed() < Duration::from_secs(60), "no reconnect");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Stop and start there: readiness checked through the forward.
    let stopped = services.stop("redis").await.unwrap();
    assert_eq!(stopped.state, ServiceState::Stopped);
    let started = services.start("redis").await.unwrap();
    assert_eq!(started.state, ServiceState::Running);
    assert!(pong(here, &password));

    // Quit: no forward outlives the app; the service keeps running there.
    let all = [
        pids(&store, SOCKET_FORWARD_KIND),
        pids(&store, PORT_FORWARD_KIND),
    ]
    .concat();
    assert_eq!(all.len(), 2);
    engines.end_forwards();
    wait_for("the forwards ended", || all.iter().all(|p| !alive(*p))).await;
    assert!(pids(&store, SOCKET_FORWARD_KIND).is_empty());
    assert!(pids(&store, PORT_FORWARD_KIND).is_empty());
    assert!(std::net::TcpStream::connect(("127.0.0.1", here)).is_err());
    let (_, state) = docker(&["inspect", "-f", "{{.State.Running}}", &container]);
    assert_eq!(state, "true");

    // The next run: the host's services are there again, not forwarded
    // until asked; a killed run's forwards are ended at start.
    let engines = engines_of();
    let overview = engines.overview(host.id).await.unwrap();
    assert_eq!(overview.installed.len(), 1, "{overview:?}");
    assert_eq!(overview.installed[0].forwarded_port, None);
    let services = engines.services(host.id).await.unwrap();
    let forwarded = services.forward("redis").await.unwrap();
    assert_eq!(forwarded.forwarded_port, Some(here));
    assert!(pong(here, &password));
    let left = [
        pids(&store, SOCKET_FORWARD_KIND),
        pids(&store, PORT_FORWARD_KIND),
    ]
    .concat();
    drop(engines);
    engines_of().end_strays();
    wait_for("a killed run's forwards ended", || {
        left.iter().all(|p| !alive(*p))
    })
    .await;
    assert!(pids(&store, SOCKET_FORWARD_KIND).is_empty());

    // Uninstalled there with its data; then the host removed: nothing of
    // its engine is left recorded here.
    let engines = engines_of();
    let services = engines.services(host.id).await.unwrap();
    services.forward("redis").await.unwrap();
    assert!(pong(here, &password));
    let forwarded = pids(&store, PORT_FORWARD_KIND);
    assert_eq!(forwarded.len(), 1);
    services.uninstall("redis", true).await.unwrap();
    assert!(!docker(&["inspect", &container]).0);
    // Its forward ended with it.
    assert!(pids(&store, PORT_FORWARD_KIND).is_empty());
    wait_for("the port's forward ended", || !alive(forwarded[0])).await;
    assert!(std::net::TcpStream::connect(("127.0.0.1", here)).is_err());
    engines.delete_host(host.id).await.unwrap();
    assert!(pids(&store, SOCKET_FORWARD_KIND).is_empty());
    assert!(!dir.exists());
    drop(sshd);
}
