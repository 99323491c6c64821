//! The window harness the end-to-end tests and the app benchmark share
//! (feature `e2e`, never in a release build): the real
//! app binary in a real window under Xvfb, driven through WebDriver
//! (tauri-driver in front of WebKitWebDriver), plus what they read from
//! /proc about its processes.

use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
pub const WAIT: Duration = Duration::from_secs(20);

/// A child started in its own process group; the whole group dies with the
/// test, whatever happens. (tauri-driver starts WebKitWebDriver, which would
/// otherwise outlive it and keep the test's output pipes open.)
pub struct Kill(pub Child);

impl Kill {
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Kill> {
        cmd.process_group(0).spawn().map(Kill)
    }

    /// Signals the child and its group. (Xvfb moves itself out of the group
    /// it was started in, so the child is named too.)
    pub fn signal_group(&self, signal: &str) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill")
            .args([signal, "--", &pid, &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Kill {
    fn drop(&mut self) {
        self.signal_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Whatever is left of the group (the child, or its children).
        self.signal_group("-KILL");
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Uses `$DISPLAY` if set, else starts an Xvfb of our own.
pub fn display() -> (String, Option<Kill>) {
    if let Ok(d) = std::env::var("DISPLAY") {
        if !d.is_empty() {
            return (d, None);
        }
    }
    let n = (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("no free X display number");
    let child = Command::new("Xvfb")
        .args([
            format!(":{n}").as_str(),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is not installed (apt-get install xvfb); run .ci/test");
    let guard = Kill(child);
    let socket = format!("/tmp/.X11-unix/X{n}");
    let start = Instant::now();
    while !Path::new(&socket).exists() {
        assert!(start.elapsed() < WAIT, "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (format!(":{n}"), Some(guard))
}

/// The app binary started directly (no WebDriver) on `display`, with its
/// data, logs and HOME under `dir` and WebKit set up as under Xvfb; never
/// handing over to a running AI Desktop (single instance goes over D-Bus).
pub fn app_command(binary: &Path, display: &str, dir: &Path) -> Command {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(binary);
    cmd.env("DISPLAY", display)
        .env("HOME", &home)
        .env("AI_DESKTOP_DATA_DIR", dir.join("data"))
        .env("AI_DESKTOP_LOG_DIR", dir.join("logs"))
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

pub struct Driver {
    pub agent: ureq::Agent,
    pub base: String,
    pub session: String,
    pub shots: PathBuf,
    pub display: String,
    pub step: u32,
}

/// WebDriver's codes for keys that are not characters.
pub mod keys {
    pub const ESCAPE: &str = "\u{E00C}";
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const CONTROL: &str = "\u{E009}";
}

impl Driver {
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|e| panic!("{method} {path} -> {e}"))
    }

    /// A WebDriver call; an error answer is returned as its text.
    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let value: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("{status}: {value}"));
        }
        Ok(value["value"].clone())
    }

    pub fn try_find(&self, css: &str) -> Option<String> {
        let url = format!("{}/session/{}/element", self.base, self.session);
        let mut response = self
            .agent
            .post(&url)
            .send_json(json!({"using": "css selector", "value": css}))
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        let value: Value = response.body_mut().read_json().ok()?;
        value["value"][ELEMENT_KEY].as_str().map(str::to_string)
    }

    pub fn find(&self, css: &str) -> String {
        self.wait_until(css, || self.try_find(css))
    }

    pub fn wait_until<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(v) = probe() {
                return v;
            }
            if start.elapsed() > WAIT {
                self.shot("timeout");
                panic!("timed out waiting for {what}; {}", self.stall_report());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the element `css` finds, once it is enabled (a button the
    /// page enables after typing: a click on it while still disabled would
    /// do nothing). A live update may replace it between finding and
    /// clicking (a row re-rendered with a new status): then it is found
    /// again, as a user's second look would.
    pub fn click(&self, css: &str) {
        let mut attempts = 0;
        loop {
            let el = self.wait_until(&format!("{css} to be enabled"), || {
                let el = self.try_find(css)?;
                let enabled = self
                    .try_call(
                        "POST",
                        "/execute/sync",
                        Some(json!({
                            "script": "return !arguments[0].disabled;",
                            "args": [{ ELEMENT_KEY: el }],
                        })),
                    )
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true);
                enabled.then_some(el)
            });
            // WebKitWebDriver does not scroll inside the page's own scrolling
            // containers: bring the element into view first.
            let clicked = self
                .try_call(
                    "POST",
                    "/execute/sync",
                    Some(json!({
                        "script": "arguments[0].scrollIntoView({block: 'center'});",
                        "args": [{ ELEMENT_KEY: el }],
                    })),
                )
                .and_then(|_| self.try_call("POST", &format!("/element/{el}/click"), None));
            match clicked {
                Ok(_) => return,
                Err(e) if e.contains("stale element reference") && attempts < 5 => {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("clicking {css}: {e}"),
            }
        }
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.call("POST", &format!("/element/{el}/clear"), None);
        self.call(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        );
    }

    /// An element's text content. (WebKitWebDriver's Get Element Text answers
    /// "" for elements in this webview, so read the DOM directly.)
    pub fn text(&self, el: &str) -> String {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "return arguments[0].textContent.trim();",
                "args": [{ ELEMENT_KEY: el }],
            })),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Runs `script` in the page and returns what it returns.
    pub fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Presses `chord`'s keys in order and releases them in reverse where
    /// the focus is, as the keyboard would (WebDriver key actions; a key is
    /// a character or one of the [`keys`] codes): `press(&[keys::ESCAPE])`,
    /// `press(&[keys::CONTROL, "k"])`.
    pub fn press(&self, chord: &[&str]) {
        let down = chord.iter().map(|k| json!({"type": "keyDown", "value": k}));
        let up = chord
            .iter()
            .rev()
            .map(|k| json!({"type": "keyUp", "value": k}));
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{
                "type": "key",
                "id": "keyboard",
                "actions": down.chain(up).collect::<Vec<_>>(),
            }]})),
        );
        self.call("DELETE", "/actions", None);
    }

    /// Whether the focused element is inside the element `css` finds.
    pub fn focus_inside(&self, css: &str) -> bool {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "const e = document.querySelector(arguments[0]);
                           return !!e && e.contains(document.activeElement);",
                "args": [css],
            })),
        )
        .as_bool()
        .unwrap_or(false)
    }

    pub fn async_script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// The names in the table, read in one script so that a re-render between
    /// finding and reading cannot leave a stale element.
    pub fn row_names(&self) -> Vec<String> {
        let names = self.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "return Array.from(document.querySelectorAll('[data-testid=repo-name]'))
                             .map(e => e.textContent.trim());",
                "args": [],
            })),
        );
        serde_json::from_value(names).unwrap_or_default()
    }

    /// Waits until the table shows exactly these names, in this order.
    pub fn wait_rows(&self, expected: &[&str]) {
        let start = Instant::now();
        loop {
            let names = self.row_names();
            if names == expected {
                return;
            }
            if start.elapsed() > WAIT {
                self.shot("timeout");
                panic!(
                    "table shows {names:?}, expected {expected:?}; {}",
                    self.stall_report()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What the page and the app were doing when a wait ran out: the IPC
    /// calls the page still waits for (`window.__aidPendingIpc`, kept by the
    /// UI's `ipc` module), and every thread's stack of the app (gdb), saved
    /// next to the screenshots — a stall is then found, not guessed at.
    /// The page's first errors as it keeps them (`window.__aidPageErrors`,
    /// a JSON list: a panic's message comes first), read from the page.
    pub fn first_page_errors(&self) -> String {
        self.try_call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return JSON.stringify(window.__aidPageErrors || [])", "args": []})),
        )
        .map(|v| v.as_str().unwrap_or("?").to_string())
        .unwrap_or_else(|e| format!("unreadable ({e})"))
    }

    pub fn stall_report(&self) -> String {
        let pending = self
            .try_call(
                "POST",
                "/execute/sync",
                Some(json!({"script": "return JSON.stringify(window.__aidPendingIpc || null)", "args": []})),
            )
            .map(|v| v.as_str().unwrap_or("?").to_string())
            .unwrap_or_else(|e| format!("unreadable ({e})"));
        let errors = self.first_page_errors();
        let _ = std::fs::create_dir_all(&self.shots);
        let mut dumped = Vec::new();
        // The app (whose main thread answers the page's IPC) and the newest
        // web process (where the page runs).
        for (what, pattern) in [("app", "-x ai-desktop"), ("web", "-f WebKitWebProcess")] {
            let mut args = vec!["-n"];
            args.extend(pattern.split(' '));
            let Some(pid) = Command::new("pgrep")
                .args(&args)
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .filter(|p| !p.is_empty())
            else {
                continue;
            };
            let file = self
                .shots
                .join(format!("{:02}-timeout-{what}-stacks.txt", self.step));
            let out = Command::new("timeout")
                .args(["60", "gdb", "-p", &pid, "-batch", "-nx"])
                .args(["-ex", "set pagination off", "-ex", "thread apply all bt 20"])
                .output();
            if let Ok(out) = out {
                if std::fs::write(&file, &out.stdout).is_ok() {
                    dumped.push(format!("{what} (pid {pid}): {}", file.display()));
                }
            }
        }
        format!(
            "IPC calls still waiting: {pending}; the page's first errors: {errors}; thread stacks: {}",
            if dumped.is_empty() {
                "none (gdb or the processes not found)".to_string()
            } else {
                dumped.join(", ")
            }
        )
    }

    /// Screenshots the whole X display with ImageMagick: WebKitWebDriver's own
    /// screenshot command hangs when compositing is disabled, as it must be under Xvfb.
    pub fn shot(&self, name: &str) {
        let path = self.shots.join(format!("{:02}-{name}.png", self.step));
        let _ = std::fs::create_dir_all(&self.shots);
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(&path)
            .status()
            .expect("ImageMagick's import is not installed; run .ci/test");
        assert!(status.success(), "screenshot {name} failed");
    }

    pub fn step(&mut self, name: &str) {
        // What a script just saw in the DOM may not be painted yet.
        std::thread::sleep(Duration::from_millis(250));
        self.step += 1;
        self.shot(name);
    }
}

/// The app under WebDriver, with what keeps it alive.
pub struct Launched {
    pub driver: Driver,
    pub display: String,
    /// The app's log folder: on drop, an uncaught error in the page that
    /// was logged there fails the test (a handler that threw stops that
    /// feature silently, and most tests would not notice).
    pub log_dir: PathBuf,
    /// Page errors a test provokes on purpose (lines containing one pass).
    pub expected_page_errors: Vec<&'static str>,
    // Dropped in this order: the WebDriver session's processes, then X.
    pub _tauri_driver: Kill,
    pub _xvfb: Option<Kill>,
}

/// Starts Xvfb (unless `$DISPLAY` is set), tauri-driver and a WebDriver
/// session running `app` with its data in `data` and `env` added.
pub fn launch(app: &Path, data: &Path, env: &[(&str, String)]) -> Launched {
    launch_on(display(), app, data, env)
}

/// [`launch`] on a display the test started (something else on it must be
/// set up before the app).
pub fn launch_on(
    (display, xvfb): (String, Option<Kill>),
    app: &Path,
    data: &Path,
    env: &[(&str, String)],
) -> Launched {
    // Where the app will log: as `env` says (the app's own rules), else
    // next to `data` rather than in the real HOME.
    let var = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
    let (log_dir, log_env) = match (
        var("AI_DESKTOP_LOG_DIR"),
        var("XDG_STATE_HOME"),
        var("HOME"),
    ) {
        (Some(dir), ..) => (PathBuf::from(dir), None),
        (None, Some(state), _) => (Path::new(state).join("ai-desktop/logs"), None),
        (None, None, Some(home)) => (Path::new(home).join(".local/state/ai-desktop/logs"), None),
        (None, None, None) => {
            let dir = data.with_extension("logs");
            (dir.clone(), Some(dir))
        }
    };
    let port = free_port();
    let native_port = free_port();
    let tauri_driver = Kill::spawn(
        Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .env("AI_DESKTOP_DATA_DIR", data)
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("RUST_LOG", "info")
            .envs(log_env.iter().map(|d| ("AI_DESKTOP_LOG_DIR", d)))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit()),
    )
    .expect("tauri-driver is not on PATH (.ci/setup --test installs it from npm); run .ci/test");

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let base = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    let session = loop {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app}
        }}});
        if let Ok(mut r) = agent.post(format!("{base}/session")).send_json(&caps) {
            let v: Value = r.body_mut().read_json().unwrap_or(Value::Null);
            if let Some(id) = v["value"]["sessionId"].as_str() {
                break id.to_string();
            }
            assert!(start.elapsed() < WAIT, "no WebDriver session: {v}");
        }
        assert!(
            start.elapsed() < WAIT,
            "tauri-driver did not answer on {base}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let driver = Driver {
        agent,
        base,
        session,
        shots: shots_dir(),
        display: display.clone(),
        step: 0,
    };
    Launched {
        driver,
        display,
        log_dir,
        expected_page_errors: Vec::new(),
        _tauri_driver: tauri_driver,
        _xvfb: xvfb,
    }
}

/// The page's uncaught errors and the app's panics in its log files in `dir`.
pub fn page_errors(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .flat_map(|text| {
            text.lines()
                .filter(|l| l.contains(" page] uncaught: ") || l.contains(" ERROR panic] "))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

impl Drop for Launched {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let mut errors = page_errors(&self.log_dir);
        errors.retain(|l| !self.expected_page_errors.iter().any(|e| l.contains(e)));
        assert!(
            errors.is_empty(),
            "the page threw (see {}):\n{}",
            self.log_dir.display(),
            errors.join("\n")
        );
    }
}

pub fn shots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-shots")
}

/// What each end-to-end test starts from: an empty screenshot folder of its
/// own, and a temp root with the app's data folder and a HOME inside it.
pub struct Scene {
    pub shots: PathBuf,
    pub root: PathBuf,
    pub data: PathBuf,
    pub home: PathBuf,
    pub _tmp: tempfile::TempDir,
}

pub fn scene(name: &str) -> Scene {
    let shots = shots_dir().join(name);
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    Scene {
        shots,
        data: root.join("data"),
        home,
        root,
        _tmp: tmp,
    }
}

/// Registers a repository before the app starts, through the same store the
/// app then opens.
pub fn register_before_start(data: &Path, name: &str, path: &Path) {
    let store = std::sync::Arc::new(ai_desktop_core::store::Store::open_in(data).unwrap());
    ai_desktop_core::repos::RepoRegistry::new(
        store,
        std::sync::Arc::new(ai_desktop_core::events::RecordingSink::default()),
    )
    .create(ai_desktop_api::repos::NewRepository {
        name: name.into(),
        path: path.display().to_string(),
        kind: None,
        port: None,
    })
    .unwrap();
}

/// Whether process `pid` runs (a zombie, only waiting to be reaped, does not).
pub fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rfind(')')
                .map(|i| s[i + 1..].trim_start().starts_with('Z'))
        })
        .is_some_and(|zombie| !zombie)
}

/// Whether process group `pgid` has a live member (zombies, which only wait
/// to be reaped, do not count).
pub fn group_alive(pgid: u32) -> bool {
    ai_desktop_core::procs::group_has_live_members(pgid)
}

/// The text of every element matching `css`, read in one script.
pub fn texts(d: &Driver, css: &str) -> Vec<String> {
    let value = d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent.trim());",
            "args": [css],
        })),
    );
    serde_json::from_value(value).unwrap_or_default()
}

/// How far (px) the content of the scrolling element `css` reaches below
/// its visible part: 0 when it is scrolled to its end.
pub fn unscrolled_px(d: &Driver, css: &str) -> f64 {
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "const p = document.querySelector(arguments[0]);
                       return p.scrollHeight - p.scrollTop - p.clientHeight;",
            "args": [css],
        })),
    )
    .as_f64()
    .unwrap_or(f64::INFINITY)
}

/// Closes every toast (they sit over the corner where dialogs have buttons).
pub fn dismiss_toasts(d: &Driver) {
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "document.querySelectorAll('[data-testid=toast] button[aria-label=Dismiss]').forEach(b => b.click());",
            "args": [],
        })),
    );
}

pub fn wait_text(d: &Driver, css: &str, needle: &str) -> String {
    d.wait_until(&format!("{css} to contain {needle:?}"), || {
        texts(d, css).into_iter().find(|t| t.contains(needle))
    })
}

/// Kills the PM2 daemon of a test's PM2_HOME when dropped.
pub struct Pm2Home(pub PathBuf);

impl Drop for Pm2Home {
    fn drop(&mut self) {
        // Every process that runs with this PM2_HOME: the daemon (also one
        // still starting, before it has its title), its apps, a `pm2` call.
        let home = format!("PM2_HOME={}", self.0.display());
        let users = || -> Vec<i32> {
            std::fs::read_dir("/proc")
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| {
                    let pid = entry.file_name().to_string_lossy().parse::<i32>().ok()?;
                    let env = std::fs::read(entry.path().join("environ")).ok()?;
                    env.split(|b| *b == 0)
                        .any(|v| v == home.as_bytes())
                        .then_some(pid)
                })
                .filter(|pid| *pid != std::process::id() as i32)
                .collect()
        };
        // The app under test may still be closing (a `pm2` call of its can
        // start the daemon again after a kill): wait for it to go first.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline
            && users().iter().any(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim() == "ai-desktop")
            })
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("pm2")
            .arg("kill")
            .env("PM2_HOME", &self.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        // Until nothing of it is left for a whole second.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut quiet_since = Instant::now();
        while Instant::now() < deadline && quiet_since.elapsed() < Duration::from_secs(1) {
            let left = users();
            if !left.is_empty() {
                quiet_since = Instant::now();
            }
            for pid in left {
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The app started with this data folder (its environment says so).
pub fn app_pid(data: &Path) -> Option<u32> {
    let needle = format!("AI_DESKTOP_DATA_DIR={}", data.display());
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        let env = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
        (comm.trim() == "ai-desktop" && env.split(|b| *b == 0).any(|v| v == needle.as_bytes()))
            .then_some(pid)
    })
}

/// `root` and all its descendants, with each one's `/proc/PID/stat` fields
/// after the command name (field 3 onwards: state, ppid, …).
pub fn proc_tree(root: u32) -> Vec<(u32, Vec<String>)> {
    let all: Vec<(u32, Vec<String>)> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = &stat[stat.rfind(')')? + 2..];
            Some((pid, rest.split_whitespace().map(str::to_string).collect()))
        })
        .collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i].to_string();
        tree.extend(all.iter().filter(|p| p.1[1] == parent).map(|p| p.0));
        i += 1;
    }
    all.into_iter().filter(|p| tree.contains(&p.0)).collect()
}

/// CPU clock ticks of `root` and all its descendants: utime + stime, plus
/// cutime + cstime, so short-lived children (each `pm2 jlist` is a node
/// process) count once they are reaped.
pub fn tree_ticks(root: u32) -> u64 {
    let pids: Vec<u32> = proc_tree(root).into_iter().map(|(pid, _)| pid).collect();
    ticks(&pids)
}

/// The same (utime + stime + cutime + cstime) summed over these processes.
pub fn ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            let rest = &stat[stat.rfind(')')? + 2..];
            Some(
                rest.split_whitespace()
                    .skip(11)
                    .take(4)
                    .filter_map(|v| v.parse::<u64>().ok())
                    .sum::<u64>(),
            )
        })
        .sum()
}

pub fn cpu_percent(root: u32, over: Duration) -> f64 {
    let hz = 100.0; // USER_HZ on Linux
    let before = tree_ticks(root);
    std::thread::sleep(over);
    let after = tree_ticks(root);
    (after.saturating_sub(before)) as f64 / hz / over.as_secs_f64() * 100.0
}

/// The terminal's screen as text (xterm's DOM renderer keeps one div per row).
pub fn terminal_text(d: &Driver) -> String {
    d.call(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "const r = document.querySelector('.xterm-rows'); return r ? Array.from(r.children).map(c => c.textContent).join('\\n') : '';",
            "args": [],
        })),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

pub fn type_in_terminal(d: &Driver, text: &str) {
    let el = d.find(".xterm-helper-textarea");
    d.call(
        "POST",
        &format!("/element/{el}/value"),
        Some(json!({ "text": text })),
    );
}

/// The id (`0x…`) of the top-level X window titled exactly `title` on
/// `display`, if one is shown. WebKitWebDriver only sees the window it
/// started with; windows the app opens later are found through X.
pub fn x_window(display: &str, title: &str) -> Option<String> {
    let tree = Command::new("xwininfo")
        .args(["-display", display, "-root", "-tree"])
        .output()
        .ok()?;
    let wanted = format!("\"{title}\"");
    String::from_utf8_lossy(&tree.stdout)
        .lines()
        .find(|l| l.contains(&wanted))
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
}

/// A private D-Bus session bus: single-instance forwarding (a second launch
/// handing its deep link to the running app) goes through it on Linux.
pub fn session_bus() -> (String, Kill) {
    session_bus_with(&[])
}

/// [`session_bus`] whose activated services (e.g. the desktop portal) get
/// `env` too.
pub fn session_bus_with(env: &[(&str, String)]) -> (String, Kill) {
    use std::io::BufRead;
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("dbus-daemon is not installed (apt-get install dbus); run .ci/test");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("unix:"), "no bus address: {line:?}");
    (line.trim().to_string(), Kill(child))
}

/// Asks the window to close as a window manager's close button does: a
/// WM_DELETE_WINDOW client message (Xvfb has no window manager to send it).
pub fn close_x_window(display: &str, id: &str) {
    use x11_dl::xlib;
    let x = xlib::Xlib::open().expect("libX11");
    let window = u64::from_str_radix(id.trim_start_matches("0x"), 16).expect("a window id");
    let name = std::ffi::CString::new(display).unwrap();
    // SAFETY: plain Xlib calls on a display this function opens and closes;
    // the event is fully initialised before it is sent.
    unsafe {
        let dpy = (x.XOpenDisplay)(name.as_ptr());
        assert!(!dpy.is_null(), "cannot open X display {display}");
        let protocols = (x.XInternAtom)(dpy, c"WM_PROTOCOLS".as_ptr(), 0);
        let delete = (x.XInternAtom)(dpy, c"WM_DELETE_WINDOW".as_ptr(), 0);
        let mut data = xlib::ClientMessageData::new();
        data.set_long(0, delete as std::os::raw::c_long);
        data.set_long(1, xlib::CurrentTime as std::os::raw::c_long);
        let mut event = xlib::XEvent {
            client_message: xlib::XClientMessageEvent {
                type_: xlib::ClientMessage,
                serial: 0,
                send_event: 1,
                display: dpy,
                window,
                message_type: protocols,
                format: 32,
                data,
            },
        };
        (x.XSendEvent)(dpy, window, 0, xlib::NoEventMask, &mut event);
        (x.XFlush)(dpy);
        (x.XCloseDisplay)(dpy);
    }
}

/// Saves a picture of one X window (ImageMagick's import) and returns the
/// standard deviation of its pixels (0 for a window of one colour, such as
/// a blank white page; a rendered workbench is well above 0.1).
pub fn window_shot(display: &str, id: &str, path: &Path) -> f64 {
    let status = Command::new("import")
        .args(["-display", display, "-window", id])
        .arg(path)
        .status()
        .expect("ImageMagick's import is not installed; run .ci/test");
    assert!(status.success(), "screenshot of window {id} failed");
    let out = Command::new("convert")
        .arg(path)
        .args([
            "-colorspace",
            "Gray",
            "-format",
            "%[fx:standard_deviation]",
            "info:",
        ])
        .output()
        .expect("ImageMagick's convert");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0)
}

/// Width and height of an X window.
pub fn window_size(display: &str, id: &str) -> (i64, i64) {
    let out = Command::new("xwininfo")
        .args(["-display", display, "-id", id])
        .output()
        .expect("xwininfo (x11-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> i64 {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (field("Width:"), field("Height:"))
}
