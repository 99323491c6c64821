//! `aidesktop://` links from the OS: the first launch's argument and those a
//! second launch forwards (single-instance plugin → deep-link plugin).

use crate::state::AppState;
use ai_desktop_api::stack::StackAction;
use ai_desktop_api::vscode::OpenTarget;
use ai_desktop_core::deeplink::{self, DeepLink};
use ai_desktop_core::events::{DomainEvent, EventSink};
use tauri::{AppHandle, Manager};

/// Acts on one link in the background; a refusal becomes a toast.
pub fn handle(app: &AppHandle, raw: String) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        crate::tray::show_main_window(&app);
        let state = app.state::<AppState>();
        let shown: String = raw.chars().take(120).collect();
        let outcome = async {
            let plan = match deeplink::parse(&raw)? {
                DeepLink::Open(reference) => {
                    let repo = deeplink::resolve(&state.repos, &reference)?;
                    log::info!("deep link opens repository {}", repo.id);
                    state.vscode.open(repo.id).await?
                }
                DeepLink::OpenOnHost(host, reference) => {
                    let (host, repo) = deeplink::resolve_on_host(&state.hosts, &host, &reference)?;
                    log::info!("deep link opens repository {} on host {}", repo.id, host.id);
                    state.host_editors.open(repo.id).await?
                }
                DeepLink::Stack(reference, action) => {
                    let repo = deeplink::resolve(&state.repos, &reference)?;
                    log::info!("deep link: stack {action:?} of repository {}", repo.id);
                    // Its progress shows in the window's stack panel; a
                    // failed step is said there.
                    match action {
                        StackAction::Up => state.stack.up(repo.id).await?,
                        StackAction::Down => state.stack.down(repo.id).await?,
                    };
                    return Ok(());
                }
            };
            crate::navigation::show_editor(&app, &plan, OpenTarget::AppWindow).map_err(|e| {
                ai_desktop_core::error::Error::Failed {
                    message: e.message,
                    detail: e.detail,
                }
            })
        }
        .await;
        if let Err(e) = outcome {
            log::warn!("deep link refused ({shown}): {e}");
            crate::events::TauriEventSink::new(app.clone()).emit(DomainEvent::DeepLinkRefused(
                format!("Link not opened: {e}"),
            ));
        }
    });
}
