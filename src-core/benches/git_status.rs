//! Git status of a generated 50,000-file repository: the app's read
//! (`git::changes::read`, what the Git and VS Code pages show; the git CLI
//! for a tree this large) and git2's alone, against
//! `git status --porcelain` measured in the same run.
//!
//! `cargo bench -p ai-desktop-core --bench git_status` prints the figures and
//! writes them to `bench/git_status.md`.

use ai_desktop_core::testkit::bench as common;

use common::median;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const FILES: usize = 50_000;
const PER_DIR: usize = 100;
const RUNS: usize = 7;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "core.fsmonitor=false",
            "-c",
            "user.name=b",
            "-c",
            "user.email=b@b",
        ])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("big");
    std::fs::create_dir_all(&repo).unwrap();
    let made = Instant::now();
    for i in 0..FILES {
        let dir = repo.join(format!("d{:03}", i / PER_DIR));
        if i % PER_DIR == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        std::fs::write(dir.join(format!("f{i}.txt")), format!("file {i}\n")).unwrap();
    }
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    // Some of everything: 100 modified, 50 untracked.
    for i in (0..FILES).step_by(FILES / 100) {
        let f = repo.join(format!("d{:03}/f{i}.txt", i / PER_DIR));
        std::fs::write(f, "changed\n").unwrap();
    }
    for i in 0..50 {
        std::fs::write(repo.join(format!("new{i}.txt")), "new\n").unwrap();
    }
    eprintln!("fixture made in {:.1} s", made.elapsed().as_secs_f64());

    // Warm both once (page cache, index stat data).
    let warm = ai_desktop_core::git::changes::read(&repo).unwrap();
    assert_eq!(warm.counts.unstaged, 100);
    assert_eq!(warm.counts.untracked, 50);
    let mut ours = Vec::new();
    let mut git2_only = Vec::new();
    let handle = git2::Repository::open(&repo).unwrap();
    let mut cli = Vec::new();
    let mut cli_one_thread = Vec::new();
    let git = |extra: &[&str]| {
        let t = Instant::now();
        let out = Command::new("git")
            .args(["-c", "core.fsmonitor=false"])
            .args(extra)
            .args(["status", "--porcelain"])
            .current_dir(&repo)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 150);
        t.elapsed()
    };
    for _ in 0..RUNS {
        let t = Instant::now();
        let c = ai_desktop_core::git::changes::read(&repo).unwrap();
        ours.push(t.elapsed());
        assert_eq!(c.files.len(), 150);

        let t = Instant::now();
        let c = ai_desktop_core::git::changes::read_with_git2(&handle).unwrap();
        git2_only.push(t.elapsed());
        assert_eq!(c.files.len(), 150);

        cli.push(git(&[]));
        // git stats the index entries on several threads (core.preloadIndex),
        // libgit2 on one: the same command on one thread shows what that is worth.
        cli_one_thread.push(git(&["-c", "core.preloadIndex=false"]));
    }
    let (ours, cli, cli_one_thread) = (median(&ours), median(&cli), median(&cli_one_thread));
    let git2_only = median(&git2_only);
    let ratio = ours.as_secs_f64() / cli.as_secs_f64();
    let report = format!(
        "# Git status, {FILES} files (100 modified, 50 untracked)\n\n\
         Machine: {}. Median of {RUNS} warm runs, measured in the same run.\n\n\
         | what | median | ratio |\n|---|---|---|\n\
         | app (`changes::read`: above ~10,000 files, the git CLI's porcelain v2 with the app's fixed options and disarmed filters) | {:.1} ms | {ratio:.2} |\n\
         | app through git2 alone (as below ~10,000 files, and for every size before) | {:.1} ms | {:.2} |\n\
         | `git status --porcelain` | {:.1} ms | 1.00 |\n\
         | the same with `-c core.preloadIndex=false` (one thread stats the files, as libgit2 does) | {:.1} ms | {:.2} |\n\n\
         The last row shows how much of git's lead is its threaded index preload (libgit2 has none).\n",
        common::machine(),
        ours.as_secs_f64() * 1e3,
        git2_only.as_secs_f64() * 1e3,
        git2_only.as_secs_f64() / cli.as_secs_f64(),
        cli.as_secs_f64() * 1e3,
        cli_one_thread.as_secs_f64() * 1e3,
        cli_one_thread.as_secs_f64() / cli.as_secs_f64(),
    );
    common::publish("git_status", &report);
}
