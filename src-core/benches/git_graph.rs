//! The history graph of a generated 100,000-commit repository (a main line
//! with side branches merged back and four long-lived branches): the app's
//! first page (the whole walk and lane layout), a page from the middle once
//! laid out, and the memory the layout holds, against
//! `git log --graph -n 200` and `git rev-list --topo-order` measured in the
//! same run.
//!
//! Then blame of a 5,000-line file with 500 commits of history: the app's
//! (git's porcelain, parsed) against `git blame --porcelain` and libgit2's.
//!
//! `cargo bench -p ai-desktop-core --bench git_graph` prints the figures and
//! writes them to `bench/git_graph.md`.

use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::{App, Config};
use common::median;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const COMMITS: usize = 100_000;
const RUNS: usize = 5;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn time_git(repo: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .stderr(Stdio::null())
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}");
    t.elapsed()
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let repo = root.join("history");
    std::fs::create_dir_all(&repo).unwrap();
    let made = Instant::now();
    ai_desktop_core::testkit::git_cli::generate_history(&repo, COMMITS);
    eprintln!("fixture made in {:.1} s", made.elapsed().as_secs_f64());

    let app = App::open(
        Config::isolated(&root, "bench"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let id = app
        .repos
        .create(NewRepository {
            name: "history".into(),
            path: repo.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    let ops = app.git_ops.clone();

    // The first page, the rest by paging to the end, a page from
    // the middle once laid out, and git's own, without and then with a
    // commit-graph file (which `git gc` writes by default).
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (mut held, mut grown) = (0, 0);
    let mut table = String::new();
    let mut middle_ms = 0.0;
    for with_graph in [false, true] {
        if with_graph {
            let written = Command::new("git")
                .args(["commit-graph", "write", "--reachable"])
                .current_dir(&repo)
                .status()
                .unwrap();
            assert!(written.success());
        }
        let mut first = Vec::new();
        let mut rest = Vec::new();
        let mut middle = Vec::new();
        for run in 0..RUNS {
            ops.forget_graph();
            let before = rss_kib();
            let t = Instant::now();
            let mut p = ops.graph(id, 0, 200).unwrap();
            first.push(t.elapsed());
            assert_eq!(p.rows.len(), 200);
            // Scrolled to the end: the rest of the history laid out.
            let t = Instant::now();
            while !p.complete {
                p = ops.graph(id, p.total, 500).unwrap();
            }
            rest.push(t.elapsed());
            if run == 0 && !with_graph {
                grown = rss_kib().saturating_sub(before);
                held = ops.graph_bytes();
            }
            let listed = Command::new("git")
                .args(["rev-list", "--count", "HEAD", "--branches"])
                .current_dir(&repo)
                .output()
                .unwrap();
            let count: u32 = String::from_utf8_lossy(&listed.stdout)
                .trim()
                .parse()
                .unwrap();
            assert_eq!(p.total, count, "the graph lists every commit git lists");
            let t = Instant::now();
            let p = ops.graph(id, p.total / 2, 200).unwrap();
            middle.push(t.elapsed());
            assert_eq!(p.rows.len(), 200);
        }
        let mut git_graph = Vec::new();
        let mut git_topo = Vec::new();
        for _ in 0..RUNS {
            git_graph.push(time_git(
                &repo,
                &["log", "--graph", "--oneline", "--branches", "-n", "200"],
            ));
            git_topo.push(time_git(
                &repo,
                &["rev-list", "--topo-order", "--parents", "--branches"],
            ));
        }
        let (first, git_graph, git_topo) = (median(&first), median(&git_graph), median(&git_topo));
        let rest = median(&rest);
        middle_ms = ms(median(&middle));
        let graph_file = if with_graph { "with" } else { "no" };
        table.push_str(&format!(
            "| {graph_file} | app, first page of 200 rows (git's listing read as far as needed, laid out) | {:.0} ms | {:.2} |\n\
             | {graph_file} | `git log --graph --oneline --branches -n 200` | {:.0} ms | 1.00 |\n\
             | {graph_file} | app, then paging to the end (the rest listed and laid out) | {:.0} ms | |\n\
             | {graph_file} | `git rev-list --topo-order --parents` (the listing the app reads) | {:.0} ms | {:.2} |\n",
            ms(first),
            ms(first) / ms(git_graph),
            ms(git_graph),
            ms(rest),
            ms(git_topo),
            ms(git_topo) / ms(git_graph),
        ));
    }
    // libgit2's own walk, which the app used before (and falls back to without git).
    let handle = git2::Repository::open(&repo).unwrap();
    let mut walk = Vec::new();
    for _ in 0..RUNS {
        let mut w = handle.revwalk().unwrap();
        w.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
            .unwrap();
        w.push_glob("refs/heads").unwrap();
        let t = Instant::now();
        let parents: usize = w
            .map(|id| handle.find_commit(id.unwrap()).unwrap().parent_count())
            .sum();
        assert!(parents > 0);
        walk.push(t.elapsed());
    }
    let report = format!(
        "# History graph, {COMMITS} commits\n\n\
         Machine: {}. Median of {RUNS} runs, warm page cache; measured in the same run, \
         without and then with a commit-graph file.\n\n\
         | commit-graph | what | median | ratio |\n|---|---|---|---|\n{table}\
         | with | libgit2's topological walk reading each commit (the fallback without git) | {:.0} ms | |\n\
         | with | app, a page of 200 rows from the middle once laid out | {middle_ms:.1} ms | |\n\n\
         The layout held while the history is open: {:.1} MiB (its rows and lanes; the process grew \
         {:.1} MiB laying it all out); it is let go when the Git page closes.\n",
        common::machine(),
        ms(median(&walk)),
        held as f64 / (1024.0 * 1024.0),
        grown as f64 / 1024.0,
    );
    let report = report + &blame_section(&root, &app);
    common::publish("git_graph", &report);
}

const BLAME_LINES: usize = 5000;
const BLAME_COMMITS: usize = 500;

/// A file rewritten by `BLAME_COMMITS` commits, each changing 10 lines.
fn blame_repo(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let init = Command::new("git")
        .args(["init", "-q", "-b", "main"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(init.success());
    let mut lines: Vec<String> = (0..BLAME_LINES).map(|i| format!("line {i} v0")).collect();
    let mut stream = Vec::new();
    let mut seed = 7u64;
    for c in 1..=BLAME_COMMITS {
        if c > 1 {
            for _ in 0..10 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % BLAME_LINES;
                lines[at] = format!("line {at} v{c}");
            }
        }
        let text = lines.join("\n") + "\n";
        let msg = format!("change {c}\n");
        stream.extend_from_slice(
            format!(
                "commit refs/heads/main\nmark :{c}\ncommitter B <b@b> {} +0000\ndata {}\n{msg}{}M 100644 inline long.txt\ndata {}\n{text}\n",
                1_600_000_000 + c * 60,
                msg.len(),
                if c > 1 { format!("from :{}\n", c - 1) } else { String::new() },
                text.len()
            )
            .as_bytes(),
        );
    }
    let mut import = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    import.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(import.wait().unwrap().success());
    let checkout = Command::new("git")
        .args(["checkout", "-q", "-f", "main"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(checkout.success());
}

fn blame_section(root: &Path, app: &App) -> String {
    let repo = root.join("long");
    blame_repo(&repo);
    let id = app
        .repos
        .create(NewRepository {
            name: "long".into(),
            path: repo.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    let handle = git2::Repository::open(&repo).unwrap();
    let (mut ours, mut git, mut libgit2) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t = Instant::now();
        let b = app.git_ops.blame(id, "long.txt").unwrap();
        ours.push(t.elapsed());
        assert_eq!(b.lines.len(), BLAME_LINES);
        git.push(time_git(&repo, &["blame", "--porcelain", "--", "long.txt"]));
        let t = Instant::now();
        let b = handle.blame_file(Path::new("long.txt"), None).unwrap();
        libgit2.push(t.elapsed());
        assert!(!b.is_empty());
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (ours, git, libgit2) = (median(&ours), median(&git), median(&libgit2));
    format!(
        "\n## Blame, a {BLAME_LINES}-line file with {BLAME_COMMITS} commits of history\n\n\
         | what | median | ratio |\n|---|---|---|\n\
         | app (`git_blame`: git's porcelain of the working copy, parsed) | {:.0} ms | {:.2} |\n\
         | `git blame --porcelain` | {:.0} ms | 1.00 |\n\
         | libgit2's `blame_file` (not used) | {:.0} ms | {:.2} |\n",
        ms(ours),
        ms(ours) / ms(git),
        ms(git),
        ms(libgit2),
        ms(libgit2) / ms(git),
    )
}
