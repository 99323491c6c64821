//! The floor of AI Desktop's start-up and footprint: a Tauri window with a
//! Leptos page and nothing else (no store, no tray, no plugins, no
//! supervisors). `benches/app.rs` starts it exactly like the app and waits
//! for the same log line, so the difference between the two rows is ours.

use std::sync::{Once, OnceLock};
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// The page's first frame is on screen (the app's `app_painted`).
#[tauri::command]
fn painted(page_ms: f64, ready_ms: f64, mounted_ms: f64) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let ms = STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or(0);
        eprintln!(
            "first paint after {ms} ms ({page_ms:.0} ms after the page began loading; \
             its code ran at {ready_ms:.0} ms, mounted at {mounted_ms:.0} ms)"
        );
    });
}

fn main() {
    STARTED.get_or_init(Instant::now);
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!())
        .expect("the reference window failed to run");
}
