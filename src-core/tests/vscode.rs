//! The VS Code Manager against a real code-server (installed by `.ci/setup
//! --test` into the tools dir that `.ci/lib.sh` puts on PATH).

use ai_desktop_api::repos::NewRepository;
use ai_desktop_api::vscode::InstanceState;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::procs::ProcessIdentity;
use ai_desktop_core::repos::RepoRegistry;
use ai_desktop_core::store::Store;
use ai_desktop_core::vscode::{net, VsCodeConfig, VsCodeManager, PROCESS_KIND};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    store: Arc<Store>,
    repos: Arc<RepoRegistry>,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        Fixture::at(tmp)
    }

    fn at(tmp: tempfile::TempDir) -> Fixture {
        let root = tmp.path().canonicalize().unwrap();
        let store = Arc::new(Store::open_in(&root.join("data")).unwrap());
        let repos = Arc::new(RepoRegistry::new(
            store.clone(),
            Arc::new(RecordingSink::default()),
        ));
        Fixture {
            _tmp: tmp,
            root,
            store,
            repos,
        }
    }

    /// What the app would pass: the test's PATH (with code-server on it),
    /// and a HOME of its own, because code-server writes a config.yaml there.
    fn env(&self, path: &str) -> Vec<(String, String)> {
        let home = self.root.join("home");
        std::fs::create_dir_all(&home).unwrap();
        vec![
            ("PATH".into(), path.into()),
            ("HOME".into(), home.display().to_string()),
            ("LANG".into(), "C.UTF-8".into()),
        ]
    }

    fn manager(&self) -> Arc<VsCodeManager> {
        let path = std::env::var("PATH").unwrap();
        Arc::new(VsCodeManager::new(
            self.store.clone(),
            self.repos.clone(),
            Arc::new(RecordingSink::default()),
            VsCodeConfig {
                root: self.root.join("data/vscode"),
                env: self.env(&path),
            },
        ))
    }

    fn repo(&self, name: &str) -> i64 {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        git2::Repository::init(&dir).unwrap();
        std::fs::write(dir.join("README.md"), "hello\n").unwrap();
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
}

/// Whether the tests that run code-server run (see `testkit::real_tools`);
/// when they do, it must be on PATH.
pub(crate) fn code_server() -> bool {
    if !ai_desktop_core::testkit::real_tools("code-server") {
        return false;
    }
    let found = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| Path::new(d).join("code-server").exists());
    assert!(
        found,
        "code-server is not on PATH; run the tests through `bash .ci/test`, which installs it"
    );
    true
}

/// A raw HTTP/1.1 exchange, so that status, headers and redirects are seen as sent.
pub(crate) fn http(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

pub(crate) fn get(port: u16, path: &str, cookie: Option<&str>) -> String {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    http(
        port,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{cookie}Connection: close\r\n\r\n"
        ),
    )
}

pub(crate) fn status_of(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Follows the hand-off page the way a browser would: fetch it, post its form.
/// Returns the session cookie ("name=value").
pub(crate) fn sign_in_through(handoff_url: &str) -> (String, String) {
    let rest = handoff_url.strip_prefix("http://127.0.0.1:").unwrap();
    let (port, path) = rest.split_once('/').unwrap();
    let page = get(port.parse().unwrap(), &format!("/{path}"), None);
    assert_eq!(status_of(&page), 200, "{page}");
    let field = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = page.find(&marker).unwrap() + marker.len();
        page[start..start + page[start..].find('"').unwrap()].to_string()
    };
    let action_marker = "action=\"http://127.0.0.1:";
    let start = page.find(action_marker).unwrap() + action_marker.len();
    let action = &page[start..start + page[start..].find('"').unwrap()];
    let (cs_port, login_path) = action.split_once('/').unwrap();
    let body = format!("password={}&base=.", field("password"));
    let response = http(
        cs_port.parse().unwrap(),
        &format!(
            "POST /{login_path} HTTP/1.1\r\nHost: 127.0.0.1:{cs_port}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status_of(&response), 302, "{response}");
    let cookie = response
        .lines()
        .find_map(|l| l.strip_prefix("Set-Cookie: "))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    (cookie, page)
}

/// Whether `cookie` gets past the login page of the instance on `port`
/// (signed in, `/` redirects to the folder; signed out, to `./login`).
pub(crate) fn signed_in(port: u16, cookie: Option<&str>) -> bool {
    let response = get(port, "/", cookie);
    let location = response
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .unwrap_or("");
    assert!(matches!(status_of(&response), 200 | 302), "{response}");
    !location.contains("login")
}

/// Sends a WebSocket upgrade and reads only the response head (an accepted
/// socket stays open and keeps talking).
pub(crate) fn websocket_status(port: u16, origin: &str, cookie: &str) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(
            format!(
            "GET /?reconnectionToken=x&reconnection=false&skipWebSocketFrames=false HTTP/1.1\r\n\
             Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Origin: {origin}\r\nCookie: {cookie}\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    status_of(&String::from_utf8_lossy(&head))
}

async fn eventually(what: &str, secs: u64, mut probe: impl FnMut() -> bool) {
    let start = Instant::now();
    while !probe() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_are_private_to_loopback_and_to_their_password() {
    if !code_server() {
        return;
    }
    let fx = Fixture::new();
    let a = fx.repo("alpha");
    let b = fx.repo("beta");
    // Another program already listens on alpha's port: it must be skipped.
    let alpha_port = fx.repos.get(a).unwrap().port;
    let squatter = TcpListener::bind(("127.0.0.1", alpha_port)).unwrap();
    let vscode = fx.manager();

    let started = Instant::now();
    let ia = vscode.start(a).await.unwrap();
    eprintln!("alpha ready in {} ms", started.elapsed().as_millis());
    let ib = vscode.start(b).await.unwrap();
    assert_eq!(ia.state, InstanceState::Running);
    assert_eq!(ib.state, InstanceState::Running);
    let (pa, pb) = (ia.port.unwrap(), ib.port.unwrap());
    assert_ne!(pa, alpha_port, "the squatted port was not skipped");
    assert_ne!(pa, pb);
    drop(squatter);

    // Loopback only: 127.0.0.1 answers, 127.0.0.2 (also loopback, not bound) does not.
    assert_eq!(status_of(&get(pa, "/healthz", None)), 200);
    assert!(TcpStream::connect(("127.0.0.2", pa)).is_err());

    // The secret: a 0600 file, not in argv, not in the logs.
    let password_file = fx.root.join(format!("data/vscode/{a}/password"));
    let password = std::fs::read_to_string(&password_file).unwrap();
    assert_eq!(
        std::fs::metadata(&password_file)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let pid = ia.pid.unwrap();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(!String::from_utf8_lossy(&cmdline).contains(password.trim()));
    assert!(String::from_utf8_lossy(&cmdline).contains("--config\0/dev/null"));
    let logs = vscode.logs(a).unwrap().unwrap().since(0);
    assert!(!logs.is_empty());
    assert!(logs.iter().all(|l| !l.text.contains(password.trim())));

    // Without the session cookie: sent to the login page.
    assert!(!signed_in(pa, None));

    // The hand-off signs in, once, and only for this user: its URL goes
    // through argv (xdg-open, the browser), which other users can read.
    let plan = vscode.open(a).await.unwrap();
    if unsafe { libc::getuid() } == 0 {
        let other_user = std::process::Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "curl",
                "-s",
            ])
            .args(["-o", "/dev/null", "-w", "%{http_code}", &plan.handoff_url])
            .output()
            .expect("setpriv and curl (util-linux, curl)");
        assert_eq!(String::from_utf8_lossy(&other_user.stdout), "403");
    }
    let (cookie_a, _) = sign_in_through(&plan.handoff_url);
    assert!(signed_in(pa, Some(&cookie_a)));
    let again = plan.handoff_url.strip_prefix("http://127.0.0.1:").unwrap();
    let (hp, hpath) = again.split_once('/').unwrap();
    let replay = TcpStream::connect(("127.0.0.1", hp.parse::<u16>().unwrap()))
        .map(|_| status_of(&get(hp.parse().unwrap(), &format!("/{hpath}"), None)))
        .unwrap_or(0);
    assert_ne!(replay, 200, "the hand-off page was served twice");

    // A's cookie does not open B.
    assert!(!signed_in(pb, Some(&cookie_a)));
    // Its name is the instance's own (--cookie-suffix): a browser sends
    // cookies to every port of 127.0.0.1, and would otherwise let A's and
    // B's sign-ins overwrite each other.
    assert!(
        cookie_a.starts_with(&format!("code-server-session-aidesktop-{a}=")),
        "{cookie_a}"
    );

    // WebSocket upgrades from a foreign origin are refused; our own origin is not.
    assert_eq!(websocket_status(pa, "https://evil.example", &cookie_a), 403);
    assert_eq!(
        websocket_status(pa, &format!("http://127.0.0.1:{pa}"), &cookie_a),
        101
    );

    // A squatter on another loopback address of B's port: B is not opened.
    if let Ok(ipv6_squatter) = TcpListener::bind(("::1", pb)) {
        let err = vscode.open(b).await.unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)), "{err}");
        drop(ipv6_squatter);
    }
    assert!(net::port_is_served_by_group(pb, ib.pid.unwrap()));
    // Another program's listener is not B's, whatever B's group.
    let other = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let other_port = other.local_addr().unwrap().port();
    assert!(!net::port_is_served_by_group(other_port, ib.pid.unwrap()));

    // Stop leaves nothing of the group, and forgets the record.
    let stopped = vscode.stop(a).await.unwrap();
    assert_eq!(stopped.state, InstanceState::Stopped);
    assert!(net::group_members(pid).is_empty());
    assert!(fx
        .store
        .recorded_process(PROCESS_KIND, a)
        .unwrap()
        .is_none());
    assert!(TcpStream::connect(("127.0.0.1", pa)).is_err());

    // Started again, it has a new password: the old session cookie (derived
    // from the password) signs nobody in any more.
    let again = vscode.start(a).await.unwrap();
    let pa2 = again.port.unwrap();
    assert_ne!(std::fs::read_to_string(&password_file).unwrap(), password);
    assert!(
        !signed_in(pa2, Some(&cookie_a)),
        "last run's cookie still works"
    );
    let (cookie_a2, _) = sign_in_through(&vscode.open(a).await.unwrap().handoff_url);
    assert!(signed_in(pa2, Some(&cookie_a2)));

    let all = vscode.stop_all().await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(net::group_members(ib.pid.unwrap()).is_empty());
}

/// Runs only when `vscode_child_app` spawns it: plays an app that starts an
/// instance and then is killed with SIGKILL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "helper process for a_killed_app_finds_its_instance_again"]
async fn helper_app_that_starts_an_instance() {
    let Ok(dir) = std::env::var("AI_DESKTOP_TEST_FIXTURE") else {
        return;
    };
    let fx = Fixture::at(tempfile::TempDir::new_in(&dir).unwrap());
    let id = fx.repo("survivor");
    let vscode = fx.manager();
    vscode.start(id).await.unwrap();
    std::fs::write(Path::new(&dir).join("ready"), fx.root.display().to_string()).unwrap();
    // Keep the fixture's files: the parent test reads them after the kill.
    std::mem::forget(fx);
    tokio::time::sleep(Duration::from_secs(600)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_app_finds_its_instance_again_and_sees_it_die() {
    if !code_server() {
        return;
    }
    let outer = tempfile::tempdir().unwrap();
    let mut app =
        ai_desktop_core::testkit::this_binary_running("vscode::helper_app_that_starts_an_instance")
            .env("AI_DESKTOP_TEST_FIXTURE", outer.path())
            .spawn()
            .unwrap();
    let ready = outer.path().join("ready");
    eventually("the helper app's instance", 120, || ready.exists()).await;
    app.kill().unwrap(); // SIGKILL: no chance to clean up
    app.wait().unwrap();

    let root = PathBuf::from(std::fs::read_to_string(&ready).unwrap());
    let store = Arc::new(Store::open_in(&root.join("data")).unwrap());
    let record = store.recorded_process(PROCESS_KIND, 1).unwrap().unwrap();
    assert!(
        ProcessIdentity::from(record.process).is_alive(),
        "the instance died with the app"
    );
    let repos = Arc::new(RepoRegistry::new(
        store.clone(),
        Arc::new(RecordingSink::default()),
    ));
    let path = std::env::var("PATH").unwrap();
    let vscode = Arc::new(VsCodeManager::new(
        store.clone(),
        repos,
        Arc::new(RecordingSink::default()),
        VsCodeConfig {
            root: root.join("data/vscode"),
            env: vec![
                ("PATH".into(), path),
                ("HOME".into(), root.join("home").display().to_string()),
            ],
        },
    ));
    let adopted = vscode.reconcile().unwrap();
    assert_eq!(adopted.len(), 1);
    assert_eq!(adopted[0].state, InstanceState::Running);
    assert!(adopted[0].adopted);
    assert_eq!(adopted[0].pid, Some(record.process.pid));
    let port = adopted[0].port.unwrap();
    assert_eq!(status_of(&get(port, "/healthz", None)), 200);
    // Its log files are read again.
    let logs = vscode.logs(1).unwrap().unwrap();
    eventually("the adopted instance's log history", 10, || {
        !logs.since(0).is_empty()
    })
    .await;

    // Killed from outside: as a supervisor would, the app starts it again
    // (a new process of its own, recorded), and says what happened meanwhile.
    unsafe {
        libc::kill(-(record.process.pid as i32), libc::SIGKILL);
    }
    eventually("the exit to be noticed", 10, || {
        vscode
            .get(1)
            .unwrap()
            .error
            .is_some_and(|e| e.contains("exited on its own") && e.contains("restarting"))
            || vscode
                .get(1)
                .unwrap()
                .pid
                .is_some_and(|p| p != record.process.pid)
    })
    .await;
    eventually("the instance restarted", 30, || {
        let i = vscode.get(1).unwrap();
        i.state == InstanceState::Running && i.pid.is_some_and(|p| p != record.process.pid)
    })
    .await;
    let again = vscode.get(1).unwrap();
    assert!(!again.adopted);
    let new_record = store.recorded_process(PROCESS_KIND, 1).unwrap().unwrap();
    assert_eq!(Some(new_record.process.pid), again.pid);
    assert_eq!(status_of(&get(again.port.unwrap(), "/healthz", None)), 200);
    vscode.stop(1).await.unwrap();
    assert!(store.recorded_process(PROCESS_KIND, 1).unwrap().is_none());
    // A reconcile now adopts nothing: the record is gone with the stop.
    assert!(vscode.reconcile().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_stops_only_our_untracked_processes_and_stale_folders() {
    if !code_server() {
        return;
    }
    let fx = Fixture::new();
    let id = fx.repo("orphaned");
    let first = fx.manager();
    let instance = first.start(id).await.unwrap();
    let pid = instance.pid.unwrap();
    // The app loses track of it (as after a crash with the record lost).
    drop(first);
    fx.store
        .forget_process(
            PROCESS_KIND,
            id,
            ai_desktop_core::procs::ProcessIdentity::of(pid)
                .unwrap()
                .into(),
        )
        .unwrap();
    // A process that merely looks similar, with its data elsewhere.
    let mut decoy = std::process::Command::new("/bin/sh")
        .args([
            "-c",
            "exec sleep 60",
            "--user-data-dir",
            "/elsewhere/vscode/1",
        ])
        .spawn()
        .unwrap();
    // Processes that name our folder but are not our instances: a grep in
    // someone's pipeline (its group led by the user's shell), and a node
    // program given the same --user-data-dir. Neither group is touched.
    let user_data = fx.root.join(format!("data/vscode/{id}/user-data"));
    let mut pipeline = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "sleep 60 | grep -- --user-data-dir {}; true",
            user_data.display()
        ))
        .process_group(0)
        .spawn()
        .unwrap();
    let mut node = std::process::Command::new("node")
        .args(["-e", "setTimeout(() => {}, 60000)", "--", "--user-data-dir"])
        .arg(&user_data)
        .process_group(0)
        .spawn()
        .unwrap();
    let stale = fx.root.join("data/vscode/999");
    std::fs::create_dir_all(stale.join("user-data")).unwrap();

    let second = fx.manager();
    assert!(second.reconcile().unwrap().is_empty());
    let report = second.cleanup().await.unwrap();
    assert_eq!(report.killed_pids.len(), 1, "{report:?}");
    eventually("the orphan gone", 10, || net::group_members(pid).is_empty()).await;
    assert!(decoy.try_wait().unwrap().is_none(), "the decoy was killed");
    decoy.kill().unwrap();
    assert!(
        pipeline.try_wait().unwrap().is_none(),
        "the group of a grep naming our folder was killed"
    );
    assert!(
        node.try_wait().unwrap().is_none(),
        "a look-alike was killed"
    );
    unsafe { libc::kill(-(pipeline.id() as i32), libc::SIGKILL) };
    let _ = pipeline.wait();
    node.kill().unwrap();
    let _ = node.wait();
    assert_eq!(report.removed_dirs, vec![stale.display().to_string()]);
    assert!(fx.root.join(format!("data/vscode/{id}")).exists());
}

#[tokio::test]
async fn without_code_server_start_is_unavailable_with_the_install_hint() {
    let fx = Fixture::new();
    let id = fx.repo("lonely");
    let vscode = Arc::new(VsCodeManager::new(
        fx.store.clone(),
        fx.repos.clone(),
        Arc::new(RecordingSink::default()),
        VsCodeConfig {
            root: fx.root.join("data/vscode"),
            env: fx.env("/nonexistent/bin"),
        },
    ));
    let status = vscode.status().unwrap();
    assert!(!status.installed);
    let err = vscode.start(id).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err}");
    assert!(err.to_string().contains("npm install"), "{err}");
    assert_eq!(vscode.get(id).unwrap().state, InstanceState::Stopped);
    // A configured path that is not a program is refused and not stored.
    let not_a_program = fx.root.join("notes.txt");
    std::fs::write(&not_a_program, "hi").unwrap();
    let err = vscode
        .set_binary(Some(not_a_program.display().to_string()))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    // A program, but not code-server.
    let err = vscode.set_binary(Some("/bin/false".into())).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert_eq!(vscode.status().unwrap().configured_path, None);
    assert!(vscode
        .set_binary(Some("relative/code-server".into()))
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_loop_is_restarted_with_backoff_then_left_failed() {
    if !code_server() {
        return;
    }
    let fx = Fixture::new();
    let id = fx.repo("looping");
    let vscode = fx.manager();
    let first = vscode.start(id).await.unwrap();
    let mut pids = vec![first.pid.unwrap()];
    // Killed right after each start: quick crashes. The first two are
    // restarted (after 1 s, then 2 s); the third leaves it failed.
    for round in 1..=3 {
        let pid = *pids.last().unwrap();
        unsafe {
            libc::kill(-(pid as i32), libc::SIGKILL);
        }
        if round < 3 {
            let started = Instant::now();
            eventually("a restart", 30, || {
                let i = vscode.get(id).unwrap();
                i.state == InstanceState::Running && i.pid.is_some_and(|p| !pids.contains(&p))
            })
            .await;
            // Not at once: after the backoff.
            assert!(
                started.elapsed() >= Duration::from_millis(900 * round as u64),
                "restarted after {:?} (round {round})",
                started.elapsed()
            );
            pids.push(vscode.get(id).unwrap().pid.unwrap());
        }
    }
    eventually("the instance given up on", 15, || {
        vscode.get(id).unwrap().state == InstanceState::Failed
    })
    .await;
    let failed = vscode.get(id).unwrap();
    let error = failed.error.unwrap();
    assert!(error.contains("crashed 3 times"), "{error}");
    assert!(failed.pid.is_none());
    // It stays down: nothing restarts it behind the user's back.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(vscode.get(id).unwrap().state, InstanceState::Failed);
    assert!(fx
        .store
        .recorded_process(PROCESS_KIND, id)
        .unwrap()
        .is_none());
    // A start by the user begins afresh.
    let again = vscode.start(id).await.unwrap();
    assert_eq!(again.state, InstanceState::Running);
    assert!(again.error.is_none());
    vscode.stop(id).await.unwrap();
}
