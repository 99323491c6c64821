//! `system_*`: the system monitor, sampled while the System page is open.

use crate::state::AppState;
use crate::state::{blocking, Frames, Out, Req};
use ai_desktop_api::system;
use ai_desktop_api::system::SystemSnapshot;
use ai_desktop_core::presence::Presence;
use ai_desktop_core::system::SystemMonitor;
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::State;

/// How often the open System page gets a sample.
const PERIOD: Duration = Duration::from_secs(1);

#[tauri::command]
pub async fn system_snapshot(
    state: State<'_, AppState>,
    _req: Req<system::Snapshot>,
) -> Out<system::Snapshot> {
    let system = state.system.clone();
    blocking(move || system.sample()).await
}

/// Samples every second while the page is open; `active: false` (or the
/// page going away, which makes sends fail) stops it, so a closed page costs
/// nothing.
#[tauri::command]
pub async fn system_watch(
    state: State<'_, AppState>,
    on_frame: Frames<system::Watch>,
    req: Req<system::Watch>,
) -> Out<system::Watch> {
    let system::Watch { active } = req.0;
    let task = active.then(|| stream(state.system.clone(), state.presence.clone(), on_frame));
    state.log_streams.replace_with("system", task);
    Ok(())
}

async fn stream(
    system: Arc<SystemMonitor>,
    presence: Arc<Presence>,
    channel: Channel<SystemSnapshot>,
) {
    let mut tick = tokio::time::interval(PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // Closed to the tray, the page is not seen: nothing is sampled.
        if !presence.now().window {
            presence.until(|l| l.window).await;
            tick.reset();
        }
        let s = system.clone();
        let sample = match tokio::task::spawn_blocking(move || s.sample()).await {
            Ok(Ok(sample)) => sample,
            Ok(Err(e)) => {
                log::warn!("system sample: {}", e.with_detail_text());
                continue;
            }
            Err(_) => return,
        };
        if channel.send(sample).is_err() {
            return;
        }
    }
}
