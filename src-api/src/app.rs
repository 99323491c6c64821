//! `app_*` and `doctor_*`: the app itself.

use crate::system::{AppInfo, DoctorReport};

crate::command! {
    /// The app's version and where its data is.
    Info = "app_info" {} -> AppInfo;
    /// The UI's first frame is on screen (`pageMs` after the page began loading; its wasm
    /// code began to run at `readyMs` and the shell was mounted at `mountedMs`); logged once
    /// with the time since start.
    Painted = "app_painted" { page_ms: f64, ready_ms: f64, mounted_ms: f64 } -> ();
    /// The page's console errors, uncaught exceptions and unhandled rejections, into the app's
    /// log file (`level` is `error` or `warn`; cut at 4 kB; at most 60 a minute).
    Log = "app_log" { level: String, message: String } -> ();
    /// The programs each module needs, versions, install commands
    Doctor = "doctor_report" {} -> DoctorReport;
    /// What Quit does with managed processes: `stop`, `leave`, none = ask
    QuitChoice = "app_quit_choice" {} -> Option<String>;
    /// An XDG autostart entry starts the app at login
    Autostart = "app_autostart" {} -> bool;
    /// Starts the app at login or not; answers the setting now.
    SetAutostart = "app_set_autostart" { enabled: bool } -> bool;
    /// Remembers what Quit does (`stop`, `leave`; none: ask each time).
    SetQuitChoice = "app_set_quit_choice" { choice: Option<String> } -> Option<String>;
    /// The log folder in the file manager
    OpenLogs = "app_open_logs" {} -> ();
}
