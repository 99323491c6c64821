//! Git identity and SSH keys, checked with git and OpenSSH themselves.

use ai_desktop_api::git::NewSshKey;
use ai_desktop_core::error::Error;
use ai_desktop_core::git::identity::Identity;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn git_config(home: &Path, key: &str) -> Option<String> {
    let out = Command::new("git")
        .args(["config", "--file"])
        .arg(home.join(".gitconfig"))
        .arg(key)
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn the_identity_is_written_for_git_and_nothing_can_be_injected() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let id = Identity::new(home.to_path_buf());
    let empty = id.get().unwrap();
    assert_eq!((empty.name, empty.email), (None, None));

    let set = id.set("Ada Lovelace", "ada@example.org").unwrap();
    assert_eq!(set.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        git_config(home, "user.name").as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(
        git_config(home, "user.email").as_deref(),
        Some("ada@example.org")
    );
    let before = std::fs::read(home.join(".gitconfig")).unwrap();

    for (name, email) in [
        (
            "Eve\n[core]\n\tsshCommand = touch /tmp/pwned",
            "eve@example.org",
        ),
        ("Eve\rMallory", "eve@example.org"),
        ("Eve <root>", "eve@example.org"),
        (
            "Eve",
            "eve@example.org\n[core]\n\tfsmonitor = touch /tmp/pwned",
        ),
        ("Eve", "not-an-email"),
        ("Eve", "eve @example.org"),
        ("", "eve@example.org"),
    ] {
        let err = id.set(name, email).unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "{name:?} {email:?}: {err:?}"
        );
    }
    assert_eq!(
        std::fs::read(home.join(".gitconfig")).unwrap(),
        before,
        "nothing was written"
    );
    assert_eq!(git_config(home, "core.sshCommand"), None);
    assert_eq!(git_config(home, "core.fsmonitor"), None);
}

fn keygen(args: &[&str]) -> (bool, String) {
    let out = Command::new("ssh-keygen").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

#[test]
fn keys_are_made_for_openssh_listed_and_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let id = Identity::new(home.to_path_buf());
    assert!(id.keys().unwrap().is_empty());

    let key = id
        .generate(&NewSshKey {
            name: "id_ed25519".into(),
            comment: "ada@laptop".into(),
            passphrase: None,
        })
        .unwrap();
    let ssh = home.join(".ssh");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&ssh), 0o700);
    assert_eq!(mode(&ssh.join("id_ed25519")), 0o600);
    assert_eq!(mode(&ssh.join("id_ed25519.pub")), 0o644);
    assert_eq!(key.algorithm, "ssh-ed25519");
    assert_eq!(key.comment, "ada@laptop");
    assert!(key.has_private);
    // OpenSSH reads both halves and agrees on the fingerprint.
    let private = ssh.join("id_ed25519").display().to_string();
    let (ok, derived) = keygen(&["-y", "-f", &private]);
    assert!(ok);
    assert!(
        key.public_key.starts_with(&derived),
        "{derived} vs {}",
        key.public_key
    );
    let (ok, listed) = keygen(&["-l", "-E", "sha256", "-f", &format!("{private}.pub")]);
    assert!(ok);
    assert!(
        listed.contains(&key.fingerprint),
        "{listed} vs {}",
        key.fingerprint
    );

    // With a passphrase: OpenSSH needs it.
    id.generate(&NewSshKey {
        name: "work".into(),
        comment: "ada@work".into(),
        passphrase: Some("correct horse".into()),
    })
    .unwrap();
    let work = ssh.join("work").display().to_string();
    assert!(!keygen(&["-y", "-P", "wrong", "-f", &work]).0);
    assert!(keygen(&["-y", "-P", "correct horse", "-f", &work]).0);

    // An existing name is refused and both files stay as they were.
    let before = std::fs::read(ssh.join("id_ed25519")).unwrap();
    let err = id
        .generate(&NewSshKey {
            name: "id_ed25519".into(),
            comment: "again".into(),
            passphrase: None,
        })
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(std::fs::read(ssh.join("id_ed25519")).unwrap(), before);
    // Only a .pub left over also blocks the name.
    std::fs::write(ssh.join("orphan.pub"), "not a key\n").unwrap();
    assert!(id
        .generate(&NewSshKey {
            name: "orphan".into(),
            ..Default::default()
        })
        .is_err());
    for bad in ["../escape", "-oProxyCommand", ".hidden", "a b"] {
        let err = id
            .generate(&NewSshKey {
                name: bad.into(),
                ..Default::default()
            })
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad}");
    }
    assert!(!home.join("escape").exists());

    let names: Vec<String> = id.keys().unwrap().into_iter().map(|k| k.name).collect();
    assert_eq!(names, ["id_ed25519", "work"], "the non-key .pub is skipped");
}

#[tokio::test]
async fn testing_a_host_runs_ssh_safely() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let id = Identity::new(home.to_path_buf());
    let env = vec![("PATH".to_string(), std::env::var("PATH").unwrap())];
    let pwned = home.join("pwned");
    for host in [
        format!("-oProxyCommand=touch {}", pwned.display()),
        "git@-oProxyCommand=x".into(),
        "ext::sh -c touch".into(),
        "ssh://-oProxyCommand=x".into(),
    ] {
        let err = id.test(&host, None, &env).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{host}: {err:?}");
    }
    assert!(!pwned.exists());
    // Nobody listens on port 22 here: a clear "no", quickly.
    let r = id.test("nobody@127.0.0.1", None, &env).await.unwrap();
    assert!(!r.authenticated);
    assert_eq!(r.exit_code, Some(255), "{r:?}");
    assert!(
        r.output.to_lowercase().contains("refused") || r.output.contains("port 22"),
        "{r:?}"
    );
    let err = id
        .test("github.com", Some("missing"), &env)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)));
}
