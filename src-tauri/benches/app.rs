//! The app as its users feel it: the release binary (with the UI embedded)
//! in a real window under Xvfb, in one run:
//!
//! 1. start: process spawn to the UI's first painted frame (the UI reports it
//!    over IPC and the app logs "first paint after …");
//! 2. idle footprint with 5 code-server instances, 10 PM2 deployments, 5 MCP
//!    servers and 2 containers: PSS of the app and its WebKit processes
//!    (`/proc/PID/smaps_rollup`) and their CPU over 60 s;
//! 3. IPC round trips from the page (`invoke` timed in the webview) of the
//!    repository list with 1,000 repositories and of `app_info`, against the
//!    same list read in-process;
//! 4. a terminal flood: lines per second reaching the window against the same
//!    command read from a bare pty, PSS while it runs, frame times;
//! 5. sizes: the wasm bundle, the release binary and the .deb;
//! 6. the Flow Builder: from a (loopback) provider writing an answer's first
//!    token to the page showing it, and long answers streamed fast (frame
//!    times, CPU and memory while the page renders them);
//! 7. the Git page's history graph of a 100,000-commit repository: time from
//!    the click to the first rows painted, frame times while flinging
//!    through it, and a jump to its middle, against `git log --graph`;
//! 8. a soak: two hours (`AI_DESKTOP_SOAK_MINUTES`) with 10 deployments
//!    logging and 5 MCP servers, PSS of each process every minute, plotted
//!    (`bench/soak.md`, `bench/soak.svg`).
//!
//! The rest figures of 2 are measured over 60 s (`AI_DESKTOP_BENCH_IDLE_SECS`).
//! `bash .ci/bench` builds what this needs and runs it with the other benches;
//! alone: `cargo bench -p ai-desktop --features custom-protocol,e2e --bench app`
//! (after `.ci/build-ui`, with `.ci/lib.sh`'s PATH). Writes `bench/app.md`.

use ai_desktop::testkit as window;
use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::testkit::docker as docker_support;
use ai_desktop_core::testkit::llm;

use common::{median, percentile};
use serde_json::{json, Value};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use window::{app_pid, proc_tree, terminal_text, ticks, type_in_terminal, Driver, Kill, Pm2Home};

const START_RUNS: usize = 7;
const IPC_CALLS: usize = 400;
const FLOOD_LINES: u64 = 500_000;
const FLOODS: usize = 5;
const IDLE: Duration = Duration::from_secs(60);

fn main() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let mut report = String::from("# The app in its window (release build, Xvfb)\n\n");
    report += &format!("Machine: {}.\n\n", common::machine());

    let (display, _xvfb) = window::display();
    // Each section is printed as soon as it is measured.
    let mut section = |text: String| {
        println!("{text}");
        report += &text;
    };
    // `AI_DESKTOP_BENCH_ONLY=start,footprint,ipc,flow,sizes,graph,soak` (any subset) while profiling.
    let only = std::env::var("AI_DESKTOP_BENCH_ONLY").unwrap_or_default();
    let want = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
    if want("start") {
        section(start_up(&app, &root.join("start"), &display));
        section(floor(&app, &root.join("floor"), &display));
    }
    let mut log_flood = String::new();
    if want("footprint") {
        let (idle, logs) = footprint(&app, &root.join("footprint"));
        section(idle);
        log_flood = logs;
    }
    if want("ipc") {
        section(ipc_and_streams(&app, &root.join("ipc")));
    }
    if !log_flood.is_empty() {
        section(log_flood);
    }
    if want("flow") {
        section(flow(&app, &root.join("flow")));
    }
    if want("sizes") {
        section(sizes(&app));
    }
    if want("graph") {
        // Its own report too (bench/history_window.md), so a run of this
        // section alone leaves its figures.
        let text = history_graph(&app, &root.join("graph"));
        common::publish(
            "history_window",
            &format!(
                "# The history graph in the window\n\nMachine: {}.\n\n{}",
                common::machine(),
                text.replacen("## 7. ", "", 1)
            ),
        );
        section(text);
    }
    // The soak (two hours by default) runs last and has its own report
    // (bench/soak.md), written even by a partial run.
    if want("soak") && soak_minutes() > 0 {
        let text = soak(&app, &root.join("soak"));
        common::publish("soak", &text);
    }
    if !only.is_empty() {
        return; // a partial run does not replace the report
    }
    print!("\n\n");
    common::publish("app", &report);
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn ms_f(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.0} ms")
    }
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

// ---------------------------------------------------------------- 1. start

/// Drops the page cache (root only): the first run then reads the binary and
/// WebKit from disk, as after a reboot.
fn drop_caches() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// Start-up runs of one binary: the cold one, then the warm ones.
struct Starts {
    /// Whether the page cache could be dropped before the first run.
    cold: bool,
    first: Duration,
    /// Spawn to the first paint's log line.
    warm: Vec<Duration>,
    /// The binary's own count from `main`/`run` to the first paint.
    own: Vec<Duration>,
    /// From the page beginning to load to its first paint (the page's clock).
    page: Vec<Duration>,
    /// From the page beginning to load to its wasm code running (HTML,
    /// scripts, the wasm fetched, compiled and instantiated).
    ready: Vec<Duration>,
    /// From the page beginning to load to the shell being mounted.
    mounted: Vec<Duration>,
}

/// Starts `bin` (the app, or the reference window, which logs the same
/// "first paint after N ms (M ms after the page began loading)" line) once
/// after dropping the page cache, then START_RUNS times warm, each with a
/// fresh data folder.
fn starts(bin: &Path, root: &Path, display: &str) -> Starts {
    let mut runs = Starts {
        cold: false,
        first: Duration::ZERO,
        warm: Vec::new(),
        own: Vec::new(),
        page: Vec::new(),
        ready: Vec::new(),
        mounted: Vec::new(),
    };
    for i in 0..=START_RUNS {
        if i == 0 {
            runs.cold = drop_caches();
        }
        let dir = root.join(format!("run{i}"));
        let mut command = window::app_command(bin, display, &dir);
        command.env("RUST_LOG", "info").stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = Kill::spawn(&mut command).expect("start the app");
        let stderr = child.0.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.split("first paint after ").nth(1) {
                    let number = |text: &str| -> u64 {
                        text.split_whitespace()
                            .next()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0)
                    };
                    let after = |marker: &str| rest.split(marker).nth(1).map_or(0, number);
                    let page = after("(");
                    let (ready, mounted) = (after("ran at "), after("mounted at "));
                    let _ = tx.send((Instant::now(), number(rest), page, ready, mounted));
                }
            }
        });
        let (at, own, page, ready, mounted) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the app never reported its first paint");
        println!(
            "start {i} of {}: {} (its own count: {own} ms, page {page} ms)",
            bin.display(),
            ms(at - started)
        );
        if i == 0 {
            runs.first = at - started;
        } else {
            runs.warm.push(at - started);
            runs.own.push(Duration::from_millis(own));
            runs.page.push(Duration::from_millis(page));
            runs.ready.push(Duration::from_millis(ready));
            runs.mounted.push(Duration::from_millis(mounted));
        }
        drop(child);
    }
    runs
}

/// The reference window (`.ci/build-reference`): a bare Tauri window with a
/// bare Leptos page, the floor the app's start and footprint are read against.
fn reference_bin() -> Option<PathBuf> {
    std::env::var_os("AI_DESKTOP_REFERENCE")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
}

fn start_up(app: &Path, root: &Path, display: &str) -> String {
    let ours = starts(app, &root.join("app"), display);
    let floor = reference_bin().map(|bin| starts(&bin, &root.join("reference"), display));
    let row = |what: &str, f: &dyn Fn(&Starts) -> String| {
        format!(
            "| {what} | {} | {} |\n",
            f(&ours),
            floor
                .as_ref()
                .map_or("not built (`.ci/build-reference`)".into(), f)
        )
    };
    let sorted = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        v.iter()
            .map(|d| format!("{:.0}", d.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from(
        "## 1. Start to first painted frame\n\n\
         Process spawn to the UI's first frame on screen (the frame after the first \
         `requestAnimationFrame` after mounting; the UI reports it over IPC), fresh data \
         folder each run (database created, migrations run). The reference is a bare \
         Tauri window showing a bare Leptos page (`bench/reference`, built like the app), \
         started the same way.\n\n\
         | what | the app | reference: bare Tauri + Leptos |\n|---|---|---|\n",
    );
    out += &row(
        &format!(
            "first run ({})",
            if ours.cold {
                "page cache dropped"
            } else {
                "page cache not dropped: not root"
            }
        ),
        &|s| ms(s.first),
    );
    out += &row(&format!("median of {START_RUNS} warm runs"), &|s| {
        ms(median(&s.warm))
    });
    out += &row("warm runs, sorted (ms)", &|s| sorted(&s.warm));
    out += &row(
        "before the binary's own code ran (spawn to `main`), median",
        &|s| ms(median(&s.warm).saturating_sub(median(&s.own))),
    );
    out += &row(
        "the page: begins to load → its wasm runs (HTML, scripts, wasm compiled), median",
        &|s| ms(median(&s.ready)),
    );
    out += &row("the page: begins to load → shell mounted, median", &|s| {
        ms(median(&s.mounted))
    });
    out += &row("the page: begins to load → first frame, median", &|s| {
        ms(median(&s.page))
    });
    out += "\n";
    out
}

/// PSS and USS (private pages) of a binary's own processes (it and its
/// WebKit processes) `REST_AFTER_PAINT` after its first paint, started
/// directly (no WebDriver) with a fresh data folder, nothing managed.
fn at_rest(bin: &Path, dir: &Path, display: &str) -> (u64, u64, usize) {
    let mut command = window::app_command(bin, display, dir);
    command.env("RUST_LOG", "info").stderr(Stdio::piped());
    let mut child = Kill::spawn(&mut command).expect("start the app");
    let stderr = child.0.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    assert!(
        lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.contains("first paint after ")),
        "{} never reported its first paint",
        bin.display()
    );
    // Keep reading its log so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    std::thread::sleep(REST_AFTER_PAINT);
    let pids = own_pids(child.0.id());
    let pss = pids.iter().copied().map(pss_kib).sum();
    let uss = pids.iter().copied().map(private_kib).sum();
    (pss, uss, pids.len())
}

const REST_AFTER_PAINT: Duration = Duration::from_secs(10);

/// The app and the reference window, each just started and at rest: what
/// the page and the app's own code add to what Tauri + WebKit + Leptos cost.
fn floor(app: &Path, root: &Path, display: &str) -> String {
    let reference = reference_bin();
    let ours = at_rest(app, &root.join("app"), display);
    let floor = reference
        .as_deref()
        .map(|bin| at_rest(bin, &root.join("reference"), display));
    let cell = |m: Option<(u64, u64, usize)>, f: &dyn Fn((u64, u64, usize)) -> String| {
        m.map_or("not built (`.ci/build-reference`)".into(), f)
    };
    format!(
        "## 1b. At rest against the floor\n\n\
         Each started alone (no WebDriver session), fresh data folder, nothing managed, \
         {} s after its first paint; the app's own process and its WebKit processes. \
         USS counts only the pages no other process shares, so it does not depend on \
         what else runs.\n\n\
         | what | the app | reference: bare Tauri + Leptos |\n|---|---|---|\n\
         | PSS | {} | {} |\n\
         | USS | {} | {} |\n\
         | processes | {} | {} |\n\n",
        REST_AFTER_PAINT.as_secs(),
        mib(ours.0),
        cell(floor, &|m| mib(m.0)),
        mib(ours.1),
        cell(floor, &|m| mib(m.1)),
        ours.2,
        cell(floor, &|m| m.2.to_string()),
    )
}

// ------------------------------------------------------- processes and memory

/// The app and its WebKit processes (not what it supervises: code-server,
/// MCP servers, shells).
fn own_pids(app: u32) -> Vec<u32> {
    proc_tree(app)
        .into_iter()
        .map(|(pid, _)| pid)
        .filter(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            *pid == app || comm.starts_with("WebKit")
        })
        .collect()
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Memory of `pid` no other process shares (USS: `Private_Clean` +
/// `Private_Dirty`): unlike PSS it does not move when another process maps
/// the same libraries (a second WebKit app started meanwhile).
fn private_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .map(|s| {
            s.lines()
                .filter(|l| l.starts_with("Private_"))
                .filter_map(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The app's WebKit web processes (where the page runs).
fn web_pids(app: u32) -> Vec<u32> {
    own_pids(app)
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .is_ok_and(|c| c.starts_with("WebKitWebProces"))
        })
        .collect()
}

fn own_pss_kib(app: u32) -> u64 {
    own_pids(app).into_iter().map(pss_kib).sum()
}

/// Context switches so far of each thread of `pids` (voluntary: the thread
/// slept and was woken; involuntary: it was preempted), by thread name.
fn switches(pids: &[u32]) -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    for pid in pids {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
                continue;
            };
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(0)
            };
            let comm = status
                .lines()
                .find_map(|l| l.strip_prefix("Name:"))
                .unwrap_or("?")
                .trim()
                .to_string();
            let key = if *pid == pids[0] {
                comm
            } else {
                format!("web:{comm}")
            };
            *out.entry(key).or_insert(0) +=
                field("voluntary_ctxt_switches:") + field("nonvoluntary_ctxt_switches:");
        }
    }
    out
}

/// Wake-ups per second of the app's and the WebKit processes' threads over
/// `over`, and CPU (% of one core, reaped helpers included) of each; the
/// busiest threads are printed.
fn cpu_text(r: &Rest) -> String {
    format!(
        "{:.2} % of one core (app {:.2} %, WebKit {:.2} %)",
        r.cpu_app + r.cpu_web,
        r.cpu_app,
        r.cpu_web
    )
}

/// How long the rest figures are measured: 60 s, or
/// `AI_DESKTOP_BENCH_IDLE_SECS` while working on them.
fn idle_duration() -> Duration {
    std::env::var("AI_DESKTOP_BENCH_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(IDLE, Duration::from_secs)
}

struct Rest {
    wakeups_app: f64,
    wakeups_web: f64,
    cpu_app: f64,
    cpu_web: f64,
}

fn rest(app: u32, over: Duration, what: &str) -> Rest {
    let mut pids = own_pids(app);
    pids.sort_by_key(|p| *p != app); // the app first
    let webkit: Vec<u32> = pids.iter().copied().filter(|p| *p != app).collect();
    let before = (switches(&pids), ticks(&[app]), ticks(&webkit));
    std::thread::sleep(over);
    let after = (switches(&pids), ticks(&[app]), ticks(&webkit));
    let secs = over.as_secs_f64();
    let mut by_thread: Vec<(String, f64)> = after
        .0
        .iter()
        .map(|(name, n)| {
            let d = n.saturating_sub(before.0.get(name).copied().unwrap_or(0));
            (name.clone(), d as f64 / secs)
        })
        .collect();
    by_thread.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = by_thread
        .iter()
        .take(8)
        .map(|(n, w)| format!("{n} {w:.2}/s"))
        .collect();
    println!("{what}: busiest threads {}", top.join(", "));
    let sum = |web: bool| {
        by_thread
            .iter()
            .filter(|(n, _)| n.starts_with("web:") == web)
            .map(|(_, w)| w)
            .sum::<f64>()
    };
    let percent = |t: u64| t as f64 / 100.0 / secs * 100.0;
    Rest {
        wakeups_app: sum(false),
        wakeups_web: sum(true),
        cpu_app: percent(after.1 - before.1),
        cpu_web: percent(after.2 - before.2),
    }
}

/// `n` MCP servers (server-everything), created and started through the app.
fn start_everything_servers(d: &Driver, n: usize) {
    for i in 0..n {
        let server = invoke(
            d,
            "mcp_create",
            json!({"input": {"name": format!("everything{i}"), "command": "mcp-server-everything"}}),
        );
        invoke(d, "mcp_start", json!({"id": server["id"]}));
    }
}

/// Clicks an element from the page: a table row is not "interactable" to
/// WebKitWebDriver.
fn click_in_page(d: &Driver, css: &str) {
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "document.querySelector(arguments[0]).click();", "args": [css]})),
    );
}

/// Starts recording the page's frame times (requestAnimationFrame deltas).
fn record_frames(d: &Driver) {
    d.call(
        "POST",
        "/execute/sync",
        Some(
            json!({"script": "window.__frames = []; window.__recording = true;
            // A loop of an earlier recording still waiting for its frame stops.
            const run = window.__frameRun = (window.__frameRun || 0) + 1;
            let last = performance.now();
            const tick = t => { if (window.__frameRun !== run) return;
                                window.__frames.push(t - last); last = t;
                                if (window.__recording) requestAnimationFrame(tick); };
            requestAnimationFrame(tick);", "args": []}),
        ),
    );
}

/// Stops recording; the frame times in ms.
fn recorded_frames(d: &Driver) -> Vec<f64> {
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "window.__recording = false; return window.__frames;", "args": []})),
    )
    .as_array()
    .map(|a| a.iter().filter_map(Value::as_f64).collect())
    .unwrap_or_default()
}

/// Nearest-rank percentile of plain numbers.
fn pct(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    v[((q / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
}

/// Calls a command from the page, as the UI does.
fn invoke(d: &Driver, cmd: &str, args: Value) -> Value {
    let reply = d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke(arguments[0], arguments[1])
           .then(v => done({ok: v === undefined ? null : v}), e => done({err: e}));",
        json!([cmd, args]),
    );
    match reply.get("ok") {
        Some(v) => v.clone(),
        None => panic!("{cmd} failed: {}", reply["err"]),
    }
}

// ------------------------------------------------------ 7. history graph

const GRAPH_COMMITS: usize = 100_000;
const GRAPH_OPENS: usize = 5;

fn history_graph(app_bin: &Path, root: &Path) -> String {
    let data = root.join("data");
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let repo = root.join("history");
    ai_desktop_core::testkit::git_cli::generate_history(&repo, GRAPH_COMMITS);
    window::register_before_start(&data, "history", &repo);
    let env = [("HOME", home.display().to_string())];
    let mut launched = window::launch(app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = window::shots_dir().join("bench");
    std::fs::create_dir_all(&d.shots).unwrap();
    d.find("[data-testid=nav-git]");

    // Click → first graph row painted, timed in the page. Leaving the page
    // lets the layout go, so every open lists and lays out the history again.
    let open_ms = |d: &Driver| -> f64 {
        d.async_script(
            "const done = arguments[arguments.length - 1];
             const t0 = performance.now();
             document.querySelector('[data-testid=nav-git]').click();
             const poll = () => document.querySelector('[data-testid=git-log] .graph-row')
               ? requestAnimationFrame(() => done(performance.now() - t0))
               : requestAnimationFrame(poll);
             requestAnimationFrame(poll);",
            json!([]),
        )
        .as_f64()
        .expect("a time")
    };
    let mut opens = Vec::new();
    for _ in 0..GRAPH_OPENS {
        opens.push(open_ms(d));
        d.click("[data-testid=nav-system]");
        d.find("[data-testid=page-system]");
    }
    opens.push(open_ms(d));
    d.step("graph-100k");
    let mut git_graph = Vec::new();
    for _ in 0..GRAPH_OPENS {
        let t = Instant::now();
        let out = Command::new("git")
            .args(["log", "--graph", "--oneline", "--branches", "-n", "200"])
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(out.status.success());
        git_graph.push(t.elapsed().as_secs_f64() * 1e3);
    }

    // Idle frames (the reference), then a fling: 10 rows a frame for 3 s.
    record_frames(d);
    std::thread::sleep(Duration::from_secs(2));
    let idle = recorded_frames(d);
    record_frames(d);
    let rows_passed = d
        .async_script(
            "const done = arguments[arguments.length - 1];
             const pane = document.querySelector('[data-testid=git-log]');
             const t0 = performance.now();
             const step = () => {
               pane.scrollTop += 260;
               if (performance.now() - t0 < 3000) requestAnimationFrame(step);
               else done(Math.round(pane.scrollTop / 26));
             };
             requestAnimationFrame(step);",
            json!([]),
        )
        .as_f64()
        .unwrap_or(0.0);
    let fling = recorded_frames(d);
    d.step("graph-flung");
    // A jump to the middle: until the rows there are painted.
    let jump = d
        .async_script(
            "const done = arguments[arguments.length - 1];
             const pane = document.querySelector('[data-testid=git-log]');
             const t0 = performance.now();
             const target = 50000;
             pane.scrollTop = target * 26;
             const poll = () => [...pane.querySelectorAll('.graph-row')]
                 .some(r => Math.abs(parseFloat(r.style.top) / 26 - target) < 20)
               ? requestAnimationFrame(() => done(performance.now() - t0))
               : requestAnimationFrame(poll);
             requestAnimationFrame(poll);",
            json!([]),
        )
        .as_f64()
        .expect("a time");
    d.step("graph-middle");
    d.call("DELETE", "", None);
    drop(launched);

    let med = |v: &[f64]| pct(v, 50.0);
    let (open, git) = (med(&opens), med(&git_graph));
    format!(
        "## 7. History graph, {GRAPH_COMMITS} commits (no commit-graph file)\n\n\
         | what | figure | reference | ratio |\n|---|---|---|---|\n\
         | open the Git page → first graph rows painted (median of {}; each open lays the history out again) | {} | `git log --graph --oneline -n 200`: {} | {:.2} |\n\
         | frame time while flinging 10 rows a frame for 3 s ({rows_passed:.0} rows passed), p50 / p95 / max | {} / {} / {} | idle frames p50 {} | {:.2} (p95 / idle p50) |\n\
         | frames over 50 ms during the fling | {} of {} | | |\n\
         | jump to row 50,000 → its rows painted (one page read) | {} | | |\n\n",
        opens.len(),
        ms_f(open),
        ms_f(git),
        open / git,
        ms_f(pct(&fling, 50.0)),
        ms_f(pct(&fling, 95.0)),
        ms_f(pct(&fling, 100.0)),
        ms_f(med(&idle)),
        pct(&fling, 95.0) / med(&idle).max(1.0),
        fling.iter().filter(|f| **f > 50.0).count(),
        fling.len(),
        ms_f(jump),
    )
}

// ------------------------------------------------------ 3. IPC, 4. streams

fn ipc_and_streams(app_bin: &Path, root: &Path) -> String {
    let data = root.join("data");
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    // 1,000 repositories (plain folders), registered through the app's store.
    let store = Arc::new(ai_desktop_core::store::Store::open_in(&data).unwrap());
    let registry = ai_desktop_core::repos::RepoRegistry::new(
        store,
        Arc::new(ai_desktop_core::events::RecordingSink::default()),
    );
    for i in 0..1000 {
        let dir = root.join(format!("repos/project-{i:04}"));
        std::fs::create_dir_all(&dir).unwrap();
        registry
            .create(ai_desktop_api::repos::NewRepository {
                name: format!("project-{i:04}"),
                path: dir.display().to_string(),
                kind: None,
                port: None,
            })
            .unwrap();
    }
    let env = [
        ("HOME", home.display().to_string()),
        ("SHELL", "/bin/bash".to_string()),
    ];
    let mut launched = window::launch(app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = window::shots_dir().join("bench");
    let _ = std::fs::remove_dir_all(&d.shots);
    std::fs::create_dir_all(&d.shots).unwrap();
    d.wait_until("1,000 rows", || (d.row_names().len() == 1000).then_some(()));
    d.step("1000-repositories");

    // Round trips timed in the page; the same list read in-process.
    let timed = |cmd: &str| -> (Vec<Duration>, u64) {
        let v = d.async_script(
            "const [cmd, n, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
             const invoke = window.__TAURI__.core.invoke;
             (async () => {
               const t = []; let bytes = 0;
               for (let i = 0; i < n; i++) {
                 const s = performance.now();
                 const r = await invoke(cmd);
                 t.push(performance.now() - s);
                 if (i === 0) bytes = JSON.stringify(r).length;
               }
               done({t, bytes});
             })().catch(e => done({err: String(e)}));",
            json!([cmd, IPC_CALLS]),
        );
        assert!(v.get("err").is_none(), "{cmd}: {v}");
        let t = v["t"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| Duration::from_secs_f64(x.as_f64().unwrap() / 1e3))
            .collect();
        (t, v["bytes"].as_u64().unwrap_or(0))
    };
    let (list, list_bytes) = timed("repos_list");
    let (trivial, _) = timed("app_info");
    let in_process: Vec<Duration> = (0..IPC_CALLS)
        .map(|_| {
            let t = Instant::now();
            let repos = registry.list().unwrap();
            let json = serde_json::to_string(&repos).unwrap();
            std::hint::black_box(json);
            t.elapsed()
        })
        .collect();
    let resolution = d.async_script(
        "const done = arguments[arguments.length - 1];
         let a = performance.now(), b = a; while (b === a) b = performance.now(); done(b - a);",
        json!([]),
    );
    let f = |v: &[Duration], p: f64| percentile(v, p).as_secs_f64() * 1e3;
    let mut out = format!(
        "## 3. IPC round trips (timed in the page, {IPC_CALLS} sequential calls each)\n\n\
         | what | p50 | p99 | reference (in-process list + JSON, p50) | ratio p50 |\n|---|---|---|---|---|\n\
         | `repos_list`, 1,000 repositories ({:.0} kB of JSON) | {} | {} | {} | {:.1} |\n\
         | `app_info` (trivial) | {} | {} | | |\n\n\
         The page's clock ticks in steps of {:.3} ms.\n\n",
        list_bytes as f64 / 1e3,
        ms_f(f(&list, 50.0)),
        ms_f(f(&list, 99.0)),
        ms_f(f(&in_process, 50.0)),
        f(&list, 50.0) / f(&in_process, 50.0),
        ms_f(f(&trivial, 50.0)),
        ms_f(f(&trivial, 99.0)),
        resolution.as_f64().unwrap_or(0.0),
    );

    // A terminal flood.
    d.click("[data-testid=nav-terminals]");
    d.find("[data-testid=terminals-empty]");
    d.click("[data-testid=terminal-new]");
    d.find(".xterm-helper-textarea");
    type_in_terminal(d, "echo ready-$((6*7))\n");
    d.wait_until("the shell", || {
        terminal_text(d).contains("ready-42").then_some(())
    });
    let app = app_pid(&data).expect("the app's process");
    let line = "the quick brown fox jumps over the lazy dog 0123456789";
    let command = format!("yes '{line}' | head -n {FLOOD_LINES}");
    let reference = {
        let t = Instant::now();
        let status = Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .stdout(Stdio::null())
            .stdin(Stdio::null())
            .status()
            .expect("script (util-linux)");
        assert!(status.success());
        t.elapsed()
    };
    let pss_before = own_pss_kib(app);
    // The emulator's own ceiling: xterm.js in the same page, on screen,
    // writing the same lines with no shell, IPC or flow control, in pieces
    // of the size the app's view reads (`READ_MAX`, 256 kB: larger pieces
    // are faster for xterm alone too — 7 kB ones took 1.4–1.5× as long). It
    // runs right before each flood, so that each flood's ratio is to a
    // reference taken under the same load of this shared machine (a single
    // reference varied from 1.7 to 3.1 s between runs).
    let xterm_alone = |d: &Driver| {
        let ms = d.async_script(
            "const [text, lines, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
             // The same size and options as the app's terminal on screen.
             const tab = document.querySelector('.xterm').parentElement.getBoundingClientRect();
             const host = document.createElement('div');
             host.style.cssText = `position:fixed;left:0;top:0;width:${tab.width}px;height:${tab.height}px;z-index:99;background:#000`;
             document.body.appendChild(host);
             const term = new window.Terminal({scrollback: 5000, fontFamily: \"'DejaVu Sans Mono', monospace\", fontSize: 13});
             const fit = new window.FitAddon.FitAddon(); term.loadAddon(fit);
             term.open(host); fit.fit();
             window.__benchGrid = `${term.cols}×${term.rows}`;
             let chunk = ''; while (chunk.length < 256 * 1024) chunk += text + '\\r\\n';
             const per = chunk.length / (text.length + 2), n = Math.ceil(lines / per);
             const t0 = performance.now(); let i = 0;
             const next = () => { if (++i < n) term.write(chunk, next);
                                  else { const ms = performance.now() - t0; term.dispose(); host.remove(); done(ms); } };
             term.write(chunk, next);",
            json!([line, FLOOD_LINES]),
        );
        Duration::from_secs_f64(ms.as_f64().expect("xterm's time") / 1e3)
    };
    // Once to warm its code up, as the shell's terminal is by then.
    let _ = xterm_alone(d);
    let grid = d
        .call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return window.__benchGrid + ' (app: ' + document.querySelector('.xterm-rows').children.length + ' rows)';", "args": []})),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Frames while idle, for reference.
    record_frames(d);
    std::thread::sleep(Duration::from_secs(2));
    let idle_frames = recorded_frames(d);
    out += &format!(
        "## 4. Terminal flood\n\n\
         `{command}` ({FLOOD_LINES} lines of {} bytes) run in a terminal tab, {FLOODS} times in a row; \
         time from the first key of `flood N` typed (a shell function running the command, so that WebDriver's key-by-key typing of the whole command line is not timed; what typing is left is shown in brackets) until the line after it is on screen. Reference: the same command read from a \
         bare pty by `script` ({}, {:.0} lines/s); the emulator's own ceiling: xterm.js on screen in the \
         same page, at the same size and font as the app's terminal ({grid}), writing the same lines in 256 kB pieces (the size the app's view reads), without shell or IPC, run right before each flood.\n\n\
         | flood | time | lines/s | ratio to the bare pty | xterm.js alone just before | ratio to it | PSS app + WebKit peak / after | frame time p50 / p99 / max | CPU app / web process |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        line.len() + 1,
        ms(reference),
        FLOOD_LINES as f64 / reference.as_secs_f64(),
    );
    // The floods are typed as a short call of a shell function, so the
    // time is the flood's, not WebDriver's key-by-key typing of the command
    // (about a second for the whole command line on this machine).
    type_in_terminal(
        d,
        &format!("flood() {{ {command}; echo flood-$1-$((40+2)); }}; echo defined-$((6*7))\n"),
    );
    d.wait_until("the flood function", || {
        terminal_text(d).contains("defined-42").then_some(())
    });
    let mut afters = Vec::new();
    // PSS over the whole run of floods (s since the first, MiB), for the plot.
    // A flood is awaited by one script: WebDriver's 30 s default may be short.
    d.call("POST", "/timeouts", Some(json!({"script": 300_000})));
    let floods_started = Instant::now();
    let mut pss_line: Vec<(f64, f64)> = Vec::new();
    for n in 1..=FLOODS {
        let alone = xterm_alone(d);
        record_frames(d);
        let marker = format!("flood-{n}-42");
        let web = web_pids(app);
        let ticks_before = (ticks(&[app]), ticks(&web));
        // The end is seen in the page (an observer of the terminal's rows)
        // and timed by its clock, so WebDriver does not poll the page while
        // it floods (nothing does while xterm.js runs alone above). PSS is
        // sampled from another thread every 250 ms: each sample makes the
        // kernel walk the web process's whole memory map, and sampling every
        // 50 ms (as this did before) seemed to slow the floods.
        let page_started = d
            .call(
                "POST",
                "/execute/sync",
                Some(json!({"script": "const marker = arguments[0];
                    const rows = document.querySelector('.xterm-rows');
                    const flood = window.__flood = { done: null, waiters: [] };
                    const seen = () => Array.from(rows.children).some(c => c.textContent.trim() === marker);
                    const obs = new MutationObserver(() => {
                        if (flood.done === null && seen()) {
                            flood.done = performance.now(); obs.disconnect();
                            flood.waiters.forEach(w => w());
                        }
                    });
                    obs.observe(rows, {childList: true, subtree: true, characterData: true});
                    return performance.now();", "args": [marker]})),
            )
            .as_f64()
            .expect("the page's clock");
        let started = Instant::now();
        let sampling = std::sync::atomic::AtomicBool::new(true);
        let (typing, page_done, peak, samples) = std::thread::scope(|scope| {
            let sampler = scope.spawn(|| {
                let (mut peak, mut samples) = (0, Vec::new());
                while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                    let now = own_pss_kib(app);
                    peak = peak.max(now);
                    samples.push((floods_started.elapsed().as_secs_f64(), now as f64 / 1024.0));
                    std::thread::sleep(Duration::from_millis(250));
                }
                (peak, samples)
            });
            type_in_terminal(d, &format!("flood {n}\n"));
            // WebDriver types key by key; part of the time is that.
            let typing = started.elapsed();
            let done = d.async_script(
                "const done = arguments[arguments.length - 1], flood = window.__flood;
                 if (flood.done !== null) done(flood.done);
                 else flood.waiters.push(() => done(flood.done));",
                json!([]),
            );
            sampling.store(false, std::sync::atomic::Ordering::Relaxed);
            let (peak, samples) = sampler.join().expect("the PSS sampler");
            (typing, done.as_f64(), peak, samples)
        });
        let page_done = page_done.unwrap_or_else(|| panic!("flood {n} never reached the window"));
        pss_line.extend(samples);
        let took = Duration::from_secs_f64((page_done - page_started).max(0.0) / 1e3);
        let cpu = |before: u64, pids: &[u32]| {
            (ticks(pids) - before) as f64 / 100.0 / took.as_secs_f64() * 100.0
        };
        let (cpu_app, cpu_web) = (cpu(ticks_before.0, &[app]), cpu(ticks_before.1, &web));
        let fr = recorded_frames(d);
        std::thread::sleep(Duration::from_secs(2));
        let after = own_pss_kib(app);
        afters.push(after);
        pss_line.push((
            floods_started.elapsed().as_secs_f64(),
            after as f64 / 1024.0,
        ));
        out += &format!(
            "| {n} | {} ({} typing) | {:.0} | {:.2} | {} | {:.2} | {} / {} | {} / {} / {} | {cpu_app:.0} % / {cpu_web:.0} % |\n",
            ms(took),
            ms(typing),
            FLOOD_LINES as f64 / took.as_secs_f64(),
            reference.as_secs_f64() / took.as_secs_f64(),
            ms(alone),
            alone.as_secs_f64() / took.as_secs_f64(),
            mib(peak),
            mib(after),
            ms_f(pct(&fr, 50.0)),
            ms_f(pct(&fr, 99.0)),
            ms_f(pct(&fr, 100.0)),
        );
        if n == 1 {
            d.step("after-flood");
        }
    }
    let mut idle = idle_frames.clone();
    idle.sort_by(f64::total_cmp);
    let chart = common::line_chart(
        "terminal-floods.svg",
        &format!("PSS of the app + WebKit through {FLOODS} terminal floods"),
        "seconds",
        "MiB",
        &[common::Series {
            name: "app + WebKit".into(),
            points: pss_line,
        }],
    );
    out += &format!(
        "\nPSS of the app + WebKit before the first flood: {}; frame time while idle: p50 {}. \
         Lines/s ratio > 1 would mean faster than the bare pty.\n\n\
         ![PSS through the floods]({chart})\n\n",
        mib(pss_before),
        ms_f(idle.get(idle.len() / 2).copied().unwrap_or(0.0)),
    );
    d.call("DELETE", "", None);
    out
}

// -------------------------------------------------------- 6. Flow Builder

const SHORT_ANSWERS: usize = 12;
const LONG_ANSWERS: usize = 3;

fn millis_since_epoch(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1e3
}

/// A long markdown answer (headings, prose with marks, code blocks) in
/// pieces of a few characters, as models stream them.
fn long_answer(n: usize) -> (String, Vec<String>) {
    let mut text = String::new();
    for i in 0..150 {
        text += &format!(
            "### Step {i}\n\nThe service **svc-{i}** answers on port {}; its log says `ready` \
             after a short while, and the next step reads it back.\n\n\
             ```rust\nfn step_{i}() -> u32 {{\n    let x = {i} * 2;\n    x + 1\n}}\n```\n\n",
            3000 + i
        );
    }
    text += &format!("All steps done: long-answer-{n}-end.");
    let chars: Vec<char> = text.chars().collect();
    let pieces = chars.chunks(5).map(|c| c.iter().collect()).collect();
    (text, pieces)
}

/// Section 6: first-token latency over short answers, then long answers
/// streamed at ~800 pieces/s (faster than local models stream).
fn flow(app_bin: &Path, root: &Path) -> String {
    let data = root.join("data");
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let provider = llm::Provider::start(None);
    let env = [("HOME", home.display().to_string())];
    let mut launched = window::launch(app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = window::shots_dir().join("bench");
    let app = app_pid(&data).expect("the app's process");

    d.click("[data-testid=nav-flow]");
    d.click("[data-testid=flow-settings]");
    d.type_into("[data-testid=flow-base-url]", &provider.url);
    d.type_into("[data-testid=flow-settings-model]", llm::MODEL);
    d.click("[data-testid=flow-settings-save]");
    d.wait_until("the provider to be saved", || {
        d.try_find("[data-testid=flow-needs-provider]")
            .is_none()
            .then_some(())
    });
    d.click("[data-testid=flow-new]");
    d.find("[data-testid=flow-conversation-empty]");
    let answered = |d: &Driver| -> usize {
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "return document.querySelectorAll('[data-testid=flow-message-assistant][data-status=done]').length;",
                "args": [],
            })),
        )
        .as_u64()
        .unwrap_or(0) as usize
    };
    let ask = |d: &Driver, n: usize, question: &str| {
        d.type_into("[data-testid=flow-input]", question);
        d.click("[data-testid=flow-send]");
        d.wait_until("the answer", || (answered(d) >= n).then_some(()));
    };

    // First tokens: from the provider writing it to the page showing it.
    let mut first = Vec::new();
    for n in 1..=SHORT_ANSWERS {
        provider.push(llm::text(&[
            "Here",
            " is",
            " answer",
            " number",
            &format!(" {n}."),
        ]));
        ask(d, n, &format!("Question {n}?"));
        let shown = d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "const m = Array.from(document.querySelectorAll('[data-testid=flow-message-assistant]')).pop();
                           return Number(m.getAttribute('data-first-token-at'));",
                "args": [],
            })),
        );
        let sent = millis_since_epoch(provider.first_token_times()[n - 1]);
        first.push(shown.as_f64().expect("the first token's time in the page") - sent);
    }
    let mut out = format!(
        "## 6. Flow Builder\n\n\
         **First token**, from the loopback provider writing an answer's first token to the page \
         showing it (page clock in whole ms), {SHORT_ANSWERS} answers: median {}, p90 {}, max {}.\n\n",
        ms_f(pct(&first, 50.0)),
        ms_f(pct(&first, 90.0)),
        ms_f(pct(&first, 100.0)),
    );

    // Long answers, streamed fast.
    out += "**Long answers**: 150 sections of heading, prose and a code block (30 kB of markdown) \
            in 5-character pieces, 1 ms apart at the provider; the page renders the answer's \
            markdown as it grows.\n\n\
            | answer | pieces | provider: first → last piece | last piece → shown | frame time p50 / p99 / max | CPU app / web process | PSS app + WebKit before / peak / after | conversation left unscrolled at the end |\n\
            |---|---|---|---|---|---|---|---|\n";
    for n in 1..=LONG_ANSWERS {
        let (text, pieces) = long_answer(n);
        let mut events = vec![llm::delta(json!({"role": "assistant", "content": ""}))];
        events.extend(pieces.iter().map(|p| llm::delta(json!({ "content": p }))));
        events.push(llm::finish("stop"));
        provider.push(llm::Reply::Stream {
            events,
            gap: Duration::from_millis(1),
        });
        let marker = format!("long-answer-{n}-end");
        // The moment the end of the answer is in the page.
        d.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "const [marker] = arguments; window.__shownAt = null;
                           const box = document.querySelector('[data-testid=flow-messages]');
                           const mo = new MutationObserver(() => {
                             if (window.__shownAt === null && box.textContent.includes(marker)) {
                               window.__shownAt = Date.now(); mo.disconnect(); } });
                           mo.observe(box, {subtree: true, childList: true, characterData: true});",
                "args": [marker],
            })),
        );
        let web = web_pids(app);
        let before = own_pss_kib(app);
        record_frames(d);
        let ticks_before = (ticks(&[app]), ticks(&web));
        let started = Instant::now();
        d.type_into(
            "[data-testid=flow-input]",
            &format!("Long answer {n}, please."),
        );
        d.click("[data-testid=flow-send]");
        let mut peak = before;
        let deadline = Instant::now() + Duration::from_secs(300);
        let shown_at = loop {
            peak = peak.max(own_pss_kib(app));
            let v = d.call(
                "POST",
                "/execute/sync",
                Some(json!({"script": "return window.__shownAt;", "args": []})),
            );
            if let Some(t) = v.as_f64() {
                break t;
            }
            assert!(Instant::now() < deadline, "long answer {n} never shown");
            std::thread::sleep(Duration::from_millis(100));
        };
        let took = started.elapsed();
        let frames = recorded_frames(d);
        let cpu = |before: u64, pids: &[u32]| {
            (ticks(pids) - before) as f64 / 100.0 / took.as_secs_f64() * 100.0
        };
        let (cpu_app, cpu_web) = (cpu(ticks_before.0, &[app]), cpu(ticks_before.1, &web));
        d.wait_until("the answer saved", || {
            (answered(d) >= SHORT_ANSWERS + n).then_some(())
        });
        std::thread::sleep(Duration::from_secs(2));
        let after = own_pss_kib(app);
        // The conversation should have followed the answer to its end.
        let below = window::unscrolled_px(d, "[data-testid=flow-messages]");
        let streamed = provider.first_token_times()[SHORT_ANSWERS + n - 1];
        let last = provider.last_token_times()[SHORT_ANSWERS + n - 1];
        let stream_ms = last.duration_since(streamed).unwrap().as_secs_f64() * 1e3;
        out += &format!(
            "| {n} ({:.0} kB) | {} | {} | {} | {} / {} / {} | {cpu_app:.0} % / {cpu_web:.0} % | {} / {} / {} | {below} px |\n",
            text.len() as f64 / 1e3,
            pieces.len(),
            ms_f(stream_ms),
            ms_f(shown_at - millis_since_epoch(last)),
            ms_f(pct(&frames, 50.0)),
            ms_f(pct(&frames, 99.0)),
            ms_f(pct(&frames, 100.0)),
            mib(before),
            mib(peak),
            mib(after),
        );
        if n == 1 {
            d.step("flow-long-answer");
        }
    }
    out += "\nCPU is over the whole answer (send → shown), in % of one core.\n\n";
    d.call("DELETE", "", None);
    out
}

// ----------------------------------------------------------- 2. footprint

/// Section 2, and the log flood measured in the same window (section 4b).
fn footprint(app_bin: &Path, root: &Path) -> (String, String) {
    docker_support::redis_image();
    let data = root.join("data");
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let prefix = format!("aidbench{}", std::process::id());
    let _cleanup = docker_support::Cleanup(prefix.clone());
    let pm2_home = Pm2Home(root.join("pm2"));
    // Five small Node.js apps, registered before the app starts.
    for i in 0..5 {
        let dir = root.join(format!("apps/app{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("server.js"),
            "require('http').createServer((q, s) => s.end('up\\n'))\
             .listen(Number(process.env.PORT), '127.0.0.1');\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("package.json"),
            format!("{{\"name\":\"app{i}\",\"scripts\":{{\"start\":\"node server.js\"}}}}\n"),
        )
        .unwrap();
        window::register_before_start(&data, &format!("app{i}"), &dir);
    }
    // A session bus, so the app has its tray and closing the window hides it.
    let (bus, _bus) = window::session_bus();
    let env = [
        ("HOME", home.display().to_string()),
        ("PM2_HOME", pm2_home.0.display().to_string()),
        ("AI_DESKTOP_SERVICES_PREFIX", prefix.clone()),
        ("DBUS_SESSION_BUS_ADDRESS", bus),
    ];
    let mut launched = window::launch(app_bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = window::shots_dir().join("bench");
    d.wait_until("5 rows", || (d.row_names().len() == 5).then_some(()));
    let app = app_pid(&data).expect("the app's process");
    let bare = own_pss_kib(app);

    for id in 1..=5 {
        invoke(d, "vscode_start", json!({"repositoryId": id}));
    }
    for i in 0..10 {
        let dep = invoke(
            d,
            "deployments_create",
            json!({"input": {"repository_id": i / 2 + 1, "name": format!("web{i}")}}),
        );
        invoke(d, "deployments_start", json!({"id": dep["id"]}));
    }
    start_everything_servers(d, 5);
    d.async_script(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('services_install',
             {request: {kind: 'redis'}, onProgress: new window.__TAURI__.core.Channel()})
           .then(done, e => done({err: e}));",
        json!([]),
    );
    let foreign = format!("{prefix}-other");
    let busybox = docker_support::busybox_image();
    let (ok, _) = docker_support::docker(&["run", "-d", "--name", &foreign, busybox]);
    assert!(ok, "docker run busybox");
    // Everything is up: 10 deployments online, 5 MCP servers running, the
    // containers listed.
    d.wait_until("10 deployments online", || {
        let list = invoke(d, "deployments_list", json!({}));
        (list
            .as_array()?
            .iter()
            .filter(|x| x["status"] == "online")
            .count()
            == 10)
            .then_some(())
    });
    let mcp = invoke(d, "mcp_list", json!({}));
    let running = mcp
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "running")
        .count();
    let overview = invoke(d, "services_overview", json!({}));
    let containers = overview["installed"].as_array().map_or(0, Vec::len)
        + overview["foreign"].as_array().map_or(0, Vec::len);
    assert!(
        running == 5 && containers == 2,
        "{running} MCP servers running, {containers} containers listed"
    );
    d.click("[data-testid=nav-repositories]");
    std::thread::sleep(Duration::from_secs(10));
    d.step("footprint");
    let pids = own_pids(app);
    let pss = own_pss_kib(app);
    let supervised: u64 = proc_tree(app)
        .into_iter()
        .map(|(pid, _)| pid)
        .filter(|pid| !pids.contains(pid))
        .map(pss_kib)
        .sum();
    let idle_for = idle_duration();
    let percent = |ticks: u64| ticks as f64 / 100.0 / idle_for.as_secs_f64() * 100.0;
    let webkit: Vec<u32> = pids.iter().copied().filter(|p| *p != app).collect();
    let shown = rest(app, idle_for, "window shown");

    // A deployment printing as fast as it can for 20 s, its log open.
    let flood_dir = root.join("apps/app0");
    std::fs::write(
        flood_dir.join("flood.js"),
        "const end = Date.now() + 20000; let n = 0;
         const line = 'log line from a chatty process, with some words in it';
         function burst() {
           let ok = true;
           while (ok && Date.now() < end) ok = process.stdout.write(line + ' ' + (++n) + '\\n');
           if (Date.now() < end) process.stdout.once('drain', burst);
           else require('fs').writeFileSync('count', String(n));
         }
         burst(); setInterval(() => {}, 1e6);\n",
    )
    .unwrap();
    let chatty = invoke(
        d,
        "deployments_create",
        json!({"input": {"repository_id": 1, "name": "chatty", "start_command": "node flood.js"}}),
    );
    let chatty_id = chatty["id"].as_i64().unwrap();
    d.click("[data-testid=nav-deployments]");
    d.find(&format!("[data-testid=deploy-row-{chatty_id}]"));
    click_in_page(d, &format!("[data-testid=deploy-row-{chatty_id}]"));
    std::thread::sleep(Duration::from_secs(2));
    let log_before = own_pss_kib(app);
    record_frames(d);
    let flood_ticks = (ticks(&[app]), ticks(&webkit));
    let flood_started = Instant::now();
    invoke(d, "deployments_start", json!({"id": chatty_id}));
    let mut log_peak = log_before;
    let mut log_line = vec![(0.0, log_before as f64 / 1024.0)];
    while !flood_dir.join("count").exists() {
        assert!(
            flood_started.elapsed() < Duration::from_secs(90),
            "the chatty deployment never finished"
        );
        let now = own_pss_kib(app);
        log_peak = log_peak.max(now);
        log_line.push((flood_started.elapsed().as_secs_f64(), now as f64 / 1024.0));
        std::thread::sleep(Duration::from_millis(250));
    }
    let flood_took = flood_started.elapsed();
    let flood_cpu = (
        percent(ticks(&[app]) - flood_ticks.0) * idle_for.as_secs_f64() / flood_took.as_secs_f64(),
        percent(ticks(&webkit) - flood_ticks.1) * idle_for.as_secs_f64() / flood_took.as_secs_f64(),
    );
    let log_frames = recorded_frames(d);
    d.step("log-flood");
    std::thread::sleep(Duration::from_secs(3));
    let log_after = own_pss_kib(app);
    log_line.push((
        flood_started.elapsed().as_secs_f64(),
        log_after as f64 / 1024.0,
    ));
    let log_chart = common::line_chart(
        "log-flood.svg",
        "PSS of the app + WebKit through a 20 s log flood (and 3 s after)",
        "seconds",
        "MiB",
        &[common::Series {
            name: "app + WebKit".into(),
            points: log_line,
        }],
    );
    let printed: u64 = std::fs::read_to_string(flood_dir.join("count"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    invoke(d, "deployments_stop", json!({"id": chatty_id}));
    invoke(d, "deployments_delete", json!({"id": chatty_id}));

    // The window closed to the tray: the app alone with what it supervises.
    d.click("[data-testid=nav-repositories]");
    let window_id = window::x_window(&display, "AI Desktop").expect("the app's window");
    window::close_x_window(&display, &window_id);
    std::thread::sleep(Duration::from_secs(5));
    let hidden = rest(app, idle_for, "window hidden");
    let log_report = format!(
        "## 4b. A log flood\n\n\
         A deployment printing as fast as it can for 20 s ({printed} lines, {:.0} lines/s into \
         PM2's log) with its log open on the Deployments page (the view keeps the last 2,000 \
         lines; under a flood it reads at most once per painted frame and marks what it skipped).\n\n\
         | PSS app + WebKit before / peak / 3 s after | frame time p50 / p99 / max | CPU app / WebKit |\n\
         |---|---|---|\n\
         | {} / {} / {} | {} / {} / {} | {:.0} % / {:.0} % |\n\n\
         ![PSS through the log flood]({log_chart})\n\n",
        printed as f64 / flood_took.as_secs_f64(),
        mib(log_before),
        mib(log_peak),
        mib(log_after),
        ms_f(pct(&log_frames, 50.0)),
        ms_f(pct(&log_frames, 99.0)),
        ms_f(pct(&log_frames, 100.0)),
        flood_cpu.0,
        flood_cpu.1,
    );

    let left: Vec<u32> = proc_tree(app)
        .into_iter()
        .map(|(pid, _)| pid)
        .filter(|pid| !pids.contains(pid))
        .collect();
    d.call("DELETE", "", None);
    // The app leaves code-server instances running when it quits (by design).
    for pid in left {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    }
    let idle = format!(
        "## 2. Idle footprint\n\n\
         The window open on the Repositories page with 5 code-server instances, 10 PM2 \
         deployments (online), {running} MCP servers running (server-everything) and \
         {containers} containers (the app's Redis and one other the app lists), after 10 s \
         of rest.\n\n\
         | what | figure |\n|---|---|\n\
         | PSS, app + WebKit processes ({} processes) | {} |\n\
         | the same with nothing managed (just started, 5 repositories) | {} |\n\
         | PSS of what the app supervises (code-server, MCP servers; for scale) | {} |\n\
         | CPU of the app + WebKit over {secs} s, window shown (incl. reaped helpers) | {} |\n\
         | wake-ups per second, window shown: app / WebKit | {:.1} / {:.1} |\n\
         | CPU over {secs} s, window closed to the tray | {} |\n\
         | wake-ups per second, window closed to the tray: app / WebKit | {:.1} / {:.1} |\n\n\
         Wake-ups are the context switches of all threads (`/proc/PID/task/*/status`), \
         including those the bench's own WebDriver session causes in WebKit.\n\n",
        pids.len(),
        mib(pss),
        mib(bare),
        mib(supervised),
        cpu_text(&shown),
        shown.wakeups_app,
        shown.wakeups_web,
        cpu_text(&hidden),
        hidden.wakeups_app,
        hidden.wakeups_web,
        secs = idle_for.as_secs(),
    );
    (idle, log_report)
}

// ---------------------------------------------------------------- 9. soak

/// Minutes the soak runs: 120, or `AI_DESKTOP_SOAK_MINUTES` (0: no soak).
fn soak_minutes() -> u64 {
    std::env::var("AI_DESKTOP_SOAK_MINUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120)
}

/// The app left alone for hours as a tray app is: 10 deployments logging
/// (a line every 100 ms each), 5 MCP servers, the Deployments page open with
/// one deployment's log showing; the window closed to the tray for the
/// second half. PSS of each of its processes every minute, plotted.
fn soak(app_bin: &Path, root: &Path) -> String {
    let minutes = soak_minutes();
    let data = root.join("data");
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    // A copy of the binary: rebuilding the bench meanwhile leaves this run alone.
    let bin = root.join("ai-desktop");
    std::fs::copy(app_bin, &bin).unwrap();
    let pm2_home = Pm2Home(root.join("pm2"));
    for i in 0..5 {
        let dir = root.join(format!("apps/app{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("log.js"),
            "let n = 0;\n\
             setInterval(() => console.log(`request ${++n} served in ${(Math.random() * 40).toFixed(1)} ms`), 100);\n\
             setInterval(() => console.error(`warning ${n}: slow upstream`), 5000);\n",
        )
        .unwrap();
        window::register_before_start(&data, &format!("app{i}"), &dir);
    }
    let (bus, _bus) = window::session_bus();
    let env = [
        ("HOME", home.display().to_string()),
        ("PM2_HOME", pm2_home.0.display().to_string()),
        ("DBUS_SESSION_BUS_ADDRESS", bus),
    ];
    let mut launched = window::launch(&bin, &data, &env);
    let display = launched.display.clone();
    let d = &mut launched.driver;
    d.shots = window::shots_dir().join("bench");
    d.wait_until("5 rows", || (d.row_names().len() == 5).then_some(()));
    let app = app_pid(&data).expect("the app's process");
    let mut first = None;
    for i in 0..10 {
        let dep = invoke(
            d,
            "deployments_create",
            json!({"input": {"repository_id": i / 2 + 1, "name": format!("logger{i}"),
                   "start_command": "node log.js"}}),
        );
        invoke(d, "deployments_start", json!({"id": dep["id"]}));
        first.get_or_insert(dep["id"].as_i64().unwrap());
    }
    start_everything_servers(d, 5);
    d.click("[data-testid=nav-deployments]");
    let row = format!("[data-testid=deploy-row-{}]", first.unwrap());
    d.find(&row);
    // `AI_DESKTOP_SOAK_NO_LOG=1`: the page without a log open (to tell what grows).
    if std::env::var_os("AI_DESKTOP_SOAK_NO_LOG").is_none() {
        click_in_page(d, &row);
    }
    std::thread::sleep(Duration::from_secs(5));
    d.step("soak-start");

    // (minute, MiB) per process kind.
    let mut app_mib = Vec::new();
    let mut web_mib = Vec::new();
    let mut net_mib = Vec::new();
    let mut total_mib = Vec::new();
    let mut private_mib = Vec::new();
    let kind = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let started = Instant::now();
    let mut hidden_at = None;
    for minute in 0..=minutes {
        let target = started + Duration::from_secs(60 * minute);
        if let Some(wait) = target.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        if hidden_at.is_none() && minute >= minutes / 2 {
            d.step("soak-half");
            let id = window::x_window(&display, "AI Desktop").expect("the app's window");
            window::close_x_window(&display, &id);
            hidden_at = Some(minute);
        }
        let pids = own_pids(app);
        let sum = |f: &dyn Fn(&str) -> bool| -> f64 {
            pids.iter()
                .filter(|p| f(&kind(**p)))
                .map(|p| pss_kib(*p))
                .sum::<u64>() as f64
                / 1024.0
        };
        let m = minute as f64;
        let a = pss_kib(app) as f64 / 1024.0;
        let w = sum(&|c| c.starts_with("WebKitWebProces"));
        let n = sum(&|c| c.starts_with("WebKitNetworkPr"));
        app_mib.push((m, a));
        web_mib.push((m, w));
        net_mib.push((m, n));
        total_mib.push((m, a + w + n));
        let private = pids.iter().map(|p| private_kib(*p)).sum::<u64>() as f64 / 1024.0;
        private_mib.push((m, private));
        println!("soak minute {minute}: app {a:.1} MiB, web {w:.1} MiB, network {n:.1} MiB");
    }
    let lines_logged = invoke(
        d,
        "deployments_logs",
        json!({"id": first.unwrap(), "from": null}),
    );
    let shown_lines = lines_logged["lines"].as_array().map_or(0, Vec::len);
    d.call("DELETE", "", None);

    let chart = common::line_chart(
        "soak.svg",
        &format!(
            "PSS over {minutes} minutes (window closed to the tray at minute {})",
            hidden_at.unwrap_or(0)
        ),
        "minutes",
        "MiB",
        &[
            common::Series {
                name: "app + WebKit".into(),
                points: total_mib.clone(),
            },
            common::Series {
                name: "app".into(),
                points: app_mib.clone(),
            },
            common::Series {
                name: "WebKit web process".into(),
                points: web_mib.clone(),
            },
            common::Series {
                name: "WebKit network process".into(),
                points: net_mib.clone(),
            },
            common::Series {
                name: "app + WebKit, private (USS)".into(),
                points: private_mib.clone(),
            },
        ],
    );
    // Growth per hour over each half after a warm-up of 10 minutes (or a
    // fifth of a short run): the window shown, then hidden.
    let half = hidden_at.unwrap_or(minutes) as f64;
    let warm = 10f64.min(half / 5.0);
    let per_hour = |v: &[(f64, f64)], from: f64, to: f64| {
        let part: Vec<(f64, f64)> = v
            .iter()
            .copied()
            .filter(|(m, _)| *m >= from && *m <= to)
            .collect();
        common::slope(&part) * 60.0
    };
    let row = |name: &str, v: &[(f64, f64)]| {
        format!(
            "| {name} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:+.2} MiB/h | {:+.2} MiB/h |\n",
            v.first().map_or(0.0, |p| p.1),
            v.iter().map(|p| p.1).fold(0.0, f64::max),
            v.last().map_or(0.0, |p| p.1),
            per_hour(v, warm, half),
            per_hour(v, half + 1.0, minutes as f64),
        )
    };
    format!(
        "# Soak: the app left running\n\n\
         Machine: {}.\n\n\
         {minutes} minutes with 10 deployments logging (a line every 100 ms each, 200 lines/s in \
         all), 5 MCP servers and the Deployments page open on one deployment's log; the window \
         closed to the tray at minute {}. PSS of each process every minute \
         ([plot]({chart})). Growth is the least-squares slope, after {warm:.0} minutes of \
         warm-up, of each half. The log view held {shown_lines} lines at the end.\n\n\
         | process | start | peak | end | growth, window shown | growth, in the tray |\n\
         |---|---|---|---|---|---|\n{}{}{}{}{}\n\
         USS (memory no other process shares) does not move when another program maps the same \
         libraries, as PSS does.\n\n\
         ![PSS over the soak]({chart})\n\n",
        common::machine(),
        hidden_at.unwrap_or(0),
        row("app + WebKit", &total_mib),
        row("app", &app_mib),
        row("WebKit web process", &web_mib),
        row("WebKit network process", &net_mib),
        row("app + WebKit, private (USS)", &private_mib),
    )
}

// --------------------------------------------------------------- 8. sizes

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn gzip_len(p: &Path) -> u64 {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(p)
        .output()
        .expect("gzip");
    out.stdout.len() as u64
}

fn newest(dir: &Path, ext: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
}

fn sizes(app: &Path) -> String {
    let top = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| top.join("target"));
    let raw = target.join("wasm32-unknown-unknown/wasm-release/ai-desktop-ui.wasm");
    // The UI's wasm is split (`.ci/build-ui`): the main module the window
    // starts with, and every piece, each fetched the first time its page shows.
    let ui = std::fs::read_dir(top.join("src-ui/dist"))
        .expect("src-ui/dist (run .ci/build-ui)")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ui-"))
        })
        .expect("src-ui/dist/ui-* (run .ci/build-ui)");
    let shipped = ui.join("ai-desktop-ui_bg.wasm");
    let pieces: Vec<PathBuf> = std::fs::read_dir(&ui)
        .expect("the UI's folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    let all = |f: &dyn Fn(&Path) -> u64| pieces.iter().map(|p| f(p)).sum::<u64>();
    let deb = std::env::var_os("AI_DESKTOP_DEB")
        .map(PathBuf::from)
        .or_else(|| newest(&target.join("release/bundle/deb"), "deb"));
    let mb = |n: u64| format!("{:.2} MB", n as f64 / 1e6);
    let reference = reference_bin();
    let reference_wasm = newest(&top.join("bench/reference/ui/dist"), "wasm");
    let floor = |p: Option<&Path>, f: &dyn Fn(&Path) -> u64| {
        p.map_or("not built (`.ci/build-reference`)".into(), |p| mb(f(p)))
    };
    format!(
        "## 8. Sizes\n\n\
         The reference is the bare Tauri + Leptos window of section 1, built the same way.\n\n\
         | what | the app | reference | |\n|---|---|---|---|\n\
         | UI wasm as cargo builds it (`wasm-release`: opt-level z, LTO; with the relocations the splitter reads) | {} | | |\n\
         | UI wasm the window starts with (after wasm-split, wasm-bindgen and `wasm-opt -Oz`) | {} | {} | |\n\
         | the same, gzip -9 | {} | {} | |\n\
         | UI wasm shipped in all ({} pieces: the start, each page, what pages share) | {} | | |\n\
         | the same, each piece gzip -9 | {} | | |\n\
         | release binary (UI embedded) | {} | {} | |\n\
         | .deb | {} | | {} |\n\n",
        mb(file_len(&raw)),
        mb(file_len(&shipped)),
        floor(reference_wasm.as_deref(), &file_len),
        mb(gzip_len(&shipped)),
        floor(reference_wasm.as_deref(), &gzip_len),
        pieces.len(),
        mb(all(&file_len)),
        mb(all(&gzip_len)),
        mb(file_len(app)),
        floor(reference.as_deref(), &file_len),
        deb.as_deref()
            .map_or("not built".into(), |p| mb(file_len(p))),
        deb.as_deref()
            .map_or("run `.ci/package` first".into(), |p| p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()),
    )
}
