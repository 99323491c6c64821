//! Crash safety: the app's write path (`crash_writer.rs`: the app built as
//! the desktop app builds it, writing through the managers the commands use, on a real SQLite file) is killed
//! with SIGKILL at random moments, many times in a row. Afterwards the
//! database passes `PRAGMA integrity_check`, every write acknowledged before
//! a kill is there, and at every restart (after reconciling) each running
//! MCP server is exactly one process and nothing else of ours runs. Figures go to `target/crash-test.txt`.

use ai_desktop_core::testkit::{real_tools, this_binary_running};
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const RUNS: usize = 20;

/// Processes whose command line carries this run's tag, by tag.
fn tagged_processes(marker: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if !args.iter().any(|a| a.contains(marker)) {
            continue;
        }
        if let Some(tag) = args.iter().find_map(|a| a.strip_prefix("--crash-tag=")) {
            out.push((pid, tag.to_string()));
        }
    }
    out
}

/// Waits for `ready <names>` and returns the names.
fn ready(rx: &mpsc::Receiver<String>, run: usize) -> BTreeSet<String> {
    let by = Instant::now() + Duration::from_secs(60);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(l) => {
                if let Some(rest) = l.strip_prefix("ready") {
                    return rest
                        .trim()
                        .split(',')
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .collect();
                }
            }
            Err(_) => assert!(Instant::now() < by, "run {run} never got ready"),
        }
    }
}

/// Compares the processes of ours that run with the servers said to run:
/// a process whose server is not running is an orphan; two for one, a duplicate.
fn check_processes(
    marker: &str,
    running: &BTreeSet<String>,
    duplicates: &mut usize,
    orphans: &mut usize,
) {
    let mut seen = BTreeSet::new();
    for (_, tag) in tagged_processes(marker) {
        let name = format!("mcp-{tag}");
        if !seen.insert(name.clone()) {
            *duplicates += 1;
        }
        if !running.contains(&name) {
            *orphans += 1;
        }
    }
}

/// A random-enough delay from the clock (no rand dependency).
fn jitter(run: usize) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    Duration::from_millis(150 + (nanos ^ (run as u64 * 7919)) % 900)
}

fn writer(data: &Path, project: &Path, server_js: &Path, run: usize) -> Command {
    let mut cmd = this_binary_running("crash_writer::writer");
    cmd.env("AI_DESKTOP_DATA_DIR", data)
        .env("CRASH_RUN", run.to_string())
        .env("CRASH_SERVER_JS", server_js)
        .env("CRASH_PROJECT", project)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

#[test]
fn sigkill_while_writing_loses_no_acknowledged_write_and_leaves_no_orphan() {
    if !real_tools("node (the MCP servers it starts)") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let data = root.join("data");
    let project = root.join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"crash\",\"scripts\":{\"start\":\"node index.js\"}}\n",
    )
    .unwrap();
    std::fs::write(project.join("index.js"), "setInterval(() => {}, 1000);\n").unwrap();
    // A copy of the MCP server under this test's temp path marks its processes.
    let server_js = root.join("desc_server.js");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/desc_server.js"),
        &server_js,
    )
    .unwrap();
    let marker = root.display().to_string();

    let mut acked: BTreeSet<(String, String)> = BTreeSet::new();
    let mut started: BTreeSet<String> = BTreeSet::new();
    let mut most_at_once = 0usize;
    let mut duplicates = 0usize;
    let mut orphans_seen = 0usize;
    for run in 0..RUNS {
        let mut child = writer(&data, &project, &server_js, run).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Restarted: the servers the killed run left are reconciled — each
        // running server is one process, nothing else of ours runs.
        let running = ready(&rx, run);
        check_processes(&marker, &running, &mut duplicates, &mut orphans_seen);
        most_at_once = most_at_once.max(running.len());
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "go").unwrap();
        // Killed at a random moment while it writes.
        std::thread::sleep(jitter(run));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        for line in rx.try_iter() {
            if let Some(rest) = line.strip_prefix("ack ") {
                let (kind, name) = rest.split_once(' ').unwrap();
                if kind == "started" {
                    started.insert(name.to_string());
                } else {
                    acked.insert((kind.to_string(), name.to_string()));
                }
            }
        }
        drop(stdin);
    }

    // The database is whole and holds every acknowledged write.
    let conn = Connection::open(data.join("ai-desktop.sqlite3")).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let names = |sql: &str| -> BTreeSet<String> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let stored: BTreeSet<(String, String)> = [
        ("repo", "SELECT name FROM repositories"),
        ("mcp", "SELECT name FROM mcp_servers"),
        ("deployment", "SELECT name FROM deployments"),
        ("session", "SELECT title FROM flow_sessions"),
        (
            "message",
            "SELECT content FROM flow_messages WHERE role = 'user'",
        ),
    ]
    .into_iter()
    .flat_map(|(kind, sql)| names(sql).into_iter().map(move |n| (kind.to_string(), n)))
    .collect();
    let lost: Vec<&(String, String)> = acked.difference(&stored).collect();
    drop(conn);

    // Restart: reconcile stops what the last run left and starts each
    // server that was running exactly once; then quit stopping them.
    let mut last = writer(&data, &project, &server_js, RUNS)
        .env("CRASH_RECONCILE_ONLY", "1")
        .spawn()
        .unwrap();
    let stdout = last.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let running = ready(&rx, RUNS);
    check_processes(&marker, &running, &mut duplicates, &mut orphans_seen);
    writeln!(last.stdin.take().unwrap(), "go").unwrap();
    assert!(last.wait().unwrap().success());
    reader.join().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let orphans = tagged_processes(&marker);

    let figures = format!(
        "runs: {RUNS}\nacknowledged writes: {}\nlost writes: {}\nintegrity: {integrity}\nMCP servers started: {}\nservers running at a restart (most): {most_at_once}\norphans seen at restarts: {orphans_seen}\nservers running twice at restarts: {duplicates}\norphans after the last stop: {}\n",
        acked.len(),
        lost.len(),
        started.len(),
        orphans.len()
    );
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let _ = std::fs::create_dir_all(&target);
    std::fs::write(target.join("crash-test.txt"), &figures).unwrap();
    println!("{figures}");
    assert!(
        acked.len() > RUNS * 3,
        "too few writes to mean anything: {figures}"
    );
    assert!(lost.is_empty(), "lost acknowledged writes: {lost:?}");
    assert_eq!(orphans_seen, 0, "{figures}");
    assert_eq!(duplicates, 0, "{figures}");
    assert!(orphans.is_empty(), "orphaned MCP servers: {orphans:?}");
}
