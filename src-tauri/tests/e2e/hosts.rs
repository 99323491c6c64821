//! The Hosts page: a dev box added over a real sshd on a loopback port.

use crate::support::*;
use ai_desktop::testkit::*;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Bad input refused in the dialog; the host key shown with the
/// fingerprint ssh-keygen prints, trusted with a click; the host's tools
/// (this machine's, reached over ssh) on the page; checked again; marked
/// unreachable when its server stops; removed with its remembered key.
#[test]
fn a_host_is_added_over_ssh_checked_and_removed_from_the_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("hosts");
    let sshd = ai_desktop_core::testkit::sshd::Sshd::start(&root.join("sshd"));
    let ssh = home.join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    for (from, to) in [
        (sshd.client_key.clone(), "id_box"),
        (sshd.client_key.with_extension("pub"), "id_box.pub"),
    ] {
        std::fs::copy(&from, ssh.join(to)).unwrap();
    }
    std::fs::set_permissions(ssh.join("id_box"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let fingerprint = stdout(
        Command::new("ssh-keygen")
            .arg("-lf")
            .arg(root.join("sshd/host_key.pub")),
    );
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap().to_string();
    let env = [("HOME", home.display().to_string())];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-hosts]");
    d.find("[data-testid=hosts-empty]");
    d.step("hosts-empty");
    d.click("[data-testid=host-add-open]");
    // Something that would be an option to ssh: refused, nothing asked of it.
    d.type_into(
        "[data-testid=host-destination]",
        "-oProxyCommand=touch /tmp/pwned",
    );
    d.click("[data-testid=host-add-next]");
    wait_text(d, "[data-testid=form-error]", "is not a host");
    d.type_into(
        "[data-testid=host-destination]",
        &format!("{}@127.0.0.1", sshd.user),
    );
    d.type_into("[data-testid=host-port]", "0");
    d.click("[data-testid=host-add-next]");
    wait_text(d, "[data-testid=form-error]", "is not a port");
    d.type_into("[data-testid=host-port]", &sshd.port.to_string());
    choose(d, "[data-testid=host-key]", "~/.ssh/id_box");
    d.type_into("[data-testid=host-name-input]", "Build box");
    d.click("[data-testid=host-add-next]");
    // The key, never seen before: its fingerprint, and a question.
    wait_text(d, "[data-testid=host-key-fingerprint]", &fingerprint);
    wait_text(d, "[data-testid=host-key-scan]", "First connection");
    wait_text(d, "[data-testid=host-add-next]", "Trust this key and add");
    assert!(!data.join("known_hosts").exists());
    d.step("host-key");
    d.click("[data-testid=host-add-next]");

    // Added: where it connects, its key, and what it has.
    wait_text(d, "[data-testid=host-name]", "Build box");
    wait_text(d, "[data-testid=host-fingerprint]", &fingerprint);
    wait_text(
        d,
        "[data-testid=host-system]",
        &stdout(Command::new("uname").arg("-srm")),
    );
    let git = stdout(Command::new("git").arg("--version"));
    let row = wait_text(
        d,
        "[data-testid=host-tool-git]",
        git.trim_start_matches("git version "),
    );
    assert!(row.contains("found"), "{row}");
    d.find("[data-testid=host-tool-docker-engine]");
    d.step("host-added");
    // A repository there: its changes, a file's diff and its log.
    let shop = root.join("shop");
    std::fs::create_dir_all(&shop).unwrap();
    let git = |args: &[&str]| stdout(Command::new("git").arg("-C").arg(&shop).args(args));
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(shop.join("a.txt"), "one\ntwo\n").unwrap();
    git(&["add", "."]);
    git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.org",
        "commit",
        "-qm",
        "First commit",
    ]);
    std::fs::write(shop.join("a.txt"), "one\n2\n").unwrap();
    std::fs::write(shop.join("notes.md"), "new\n").unwrap();
    dismiss_toasts(d);
    d.type_into("[data-testid=host-repo-path]", "shop");
    d.click("[data-testid=host-repo-add]");
    wait_text(
        d,
        "[data-testid=host-repo-error]",
        "not a folder on the host",
    );
    d.type_into("[data-testid=host-repo-path]", &shop.display().to_string());
    d.click("[data-testid=host-repo-add]");
    wait_text(
        d,
        "[data-testid=host-repo-summary]",
        "On main · 0 staged, 1 unstaged, 1 untracked",
    );
    wait_text(d, "[data-testid=host-repo-log]", "First commit");
    d.click("[data-testid=host-repo-file]");
    let diff = wait_text(d, "[data-testid=host-repo-diff]", "+2");
    assert!(diff.contains("-two"), "{diff}");
    d.step("host-repository");
    // Its files there: listed, one read.
    d.click("[data-testid=host-repo-browse]");
    let listed = wait_text(d, "[data-testid=host-files-list]", "notes.md");
    assert!(
        listed.contains("▸ .git") && listed.contains("a.txt"),
        "{listed}"
    );
    d.click("[data-testid=host-files-list] li:nth-child(2) [data-testid=host-file]");
    let text = wait_text(d, "[data-testid=host-file-text]", "one");
    // (The page's text comes back trimmed; the core test checks every byte.)
    assert_eq!(
        text,
        std::fs::read_to_string(shop.join("a.txt"))
            .unwrap()
            .trim_end()
    );
    d.step("host-files");

    let known_line = sshd.known_hosts_line.clone();
    assert_eq!(
        std::fs::read_to_string(data.join("known_hosts")).unwrap(),
        format!("{known_line}\n")
    );
    assert!(
        !ssh.join("known_hosts").exists(),
        "the user's file untouched"
    );

    let checked = d.text(&d.find("[data-testid=host-checked]"));
    // The page shows the check's time to the second: the next one is later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    d.click("[data-testid=host-check]");
    wait_text(d, ".toast", "Build box checked");
    d.wait_until("a newer check on the page", || {
        let now = d.text(&d.find("[data-testid=host-checked]"));
        (now != checked).then_some(())
    });
    dismiss_toasts(d);

    // The host gone: marked unreachable with why, its last check kept.
    drop(sshd);
    d.click("[data-testid=host-check]");
    let toast = wait_text(d, ".toast", "could not be checked");
    // Nothing is missing here: the toast does not send the user to the Doctor.
    assert!(!toast.contains("Open Doctor"), "{toast}");
    wait_text(d, "[data-testid=host-unreachable]", "could not reach");
    d.find("[data-testid=host-tool-git]");
    d.step("host-unreachable");
    dismiss_toasts(d);

    d.click("[data-testid=host-delete]");
    d.click("[data-testid=host-delete-yes]");
    d.find("[data-testid=hosts-empty]");
    d.step("host-removed");
    assert_eq!(
        std::fs::read_to_string(data.join("known_hosts")).unwrap(),
        ""
    );
}
