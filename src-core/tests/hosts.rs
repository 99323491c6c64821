//! Remote hosts over a real OpenSSH server on a loopback port: the host key
//! shown with the fingerprint `ssh-keygen` prints, accepted once, the key
//! let in, the host's tools found; bad input, an unaccepted or changed key
//! and a key the host refuses change nothing.

use ai_desktop_api::hosts::NewHost;
use ai_desktop_core::error::Error;
use ai_desktop_core::hosts::Hosts;
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

fn put_key(from: &Path, home: &Path, name: &str) {
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
