//! The git CLI for test fixtures and for checking what the app did: a fixed
//! identity, `main` as the first branch, no global config; panics with git's
//! stderr when git fails. Returns trimmed stdout.

use std::path::Path;
use std::process::Command;

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Script",
            "-c",
            "user.email=s@e",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A fast-import stream of `commits` commits.
fn history_stream(commits: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    let mut mark = 0usize;
    let mut time = 1_600_000_000u64;
    let mut commit = |out: &mut Vec<u8>, branch: &str, from: Option<usize>, merge: &[usize]| {
        mark += 1;
        time += 60;
        let msg = format!("commit {mark} on {branch}\n");
        writeln!(out, "commit refs/heads/{branch}\nmark :{mark}").unwrap();
        writeln!(out, "committer Bench <b@b> {time} +0000").unwrap();
        write!(out, "data {}\n{msg}", msg.len()).unwrap();
        if let Some(f) = from {
            writeln!(out, "from :{f}").unwrap();
        }
        for m in merge {
            writeln!(out, "merge :{m}").unwrap();
        }
        writeln!(out, "M 100644 inline f.txt\ndata {}\n{msg}", msg.len()).unwrap();
        mark
    };
    let mut main = commit(&mut out, "main", None, &[]);
    let mut long: Vec<usize> = (0..4)
        .map(|i| commit(&mut out, &format!("long-{i}"), Some(main), &[]))
        .collect();
    let mut made = 5;
    let mut n = 0usize;
    while made < commits {
        n += 1;
        main = commit(&mut out, "main", Some(main), &[]);
        made += 1;
        if n.is_multiple_of(50) {
            // A side branch of three commits, merged back.
            let mut side = main;
            for _ in 0..3 {
                side = commit(&mut out, "side", Some(side), &[]);
            }
            main = commit(&mut out, "main", Some(main), &[side]);
            made += 4;
        }
        if n.is_multiple_of(7) {
            let i = n % 4;
            long[i] = commit(&mut out, &format!("long-{i}"), Some(long[i]), &[]);
            made += 1;
        }
        if n.is_multiple_of(2000) {
            // The long-lived branches are merged and go on from there.
            main = commit(&mut out, "main", Some(main), &long.clone());
            made += 1;
            for (i, l) in long.iter_mut().enumerate() {
                *l = commit(&mut out, &format!("long-{i}"), Some(main), &[]);
                made += 1;
            }
        }
    }
    out
}

/// Makes `dir` a repository with `commits` commits (within a few): a main
/// line with three-commit side branches merged back every 50 commits and
/// four long-lived branches merged every 2,000, through `git fast-import`
/// (100,000 commits in about two seconds); `main` checked out.
pub fn generate_history(dir: &Path, commits: usize) {
    use std::io::Write;
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q"]);
    let mut import = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    import
        .stdin
        .take()
        .unwrap()
        .write_all(&history_stream(commits))
        .unwrap();
    assert!(import.wait().unwrap().success());
    git(dir, &["checkout", "-q", "-f", "main"]);
}
