//! Forwards domain events to every window as Tauri events.

use ai_desktop_core::events::{DomainEvent, EventSink};
use tauri::{AppHandle, Emitter, Manager};

pub struct TauriEventSink {
    app: AppHandle,
    alerts: std::sync::Mutex<ai_desktop_core::alerts::Alerts>,
}

impl TauriEventSink {
    pub fn new(app: AppHandle) -> Self {
        TauriEventSink {
            app,
            alerts: Default::default(),
        }
    }
}

impl EventSink for TauriEventSink {
    fn emit(&self, event: DomainEvent) {
        if let Err(e) = self.app.emit(&event.name(), event.payload()) {
            log::warn!("could not emit {}: {e}", event.name());
        }
        // Crashes and services going away become desktop notifications.
        let alerts = self
            .alerts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .observe(&event);
        for alert in alerts {
            // What asks for the window is not told while the window has the
            // focus: it shows it there.
            if alert.needs_window
                && self
                    .app
                    .get_webview_window("main")
                    .and_then(|w| w.is_focused().ok())
                    .unwrap_or(false)
            {
                continue;
            }
            // The title only: the body quotes process output, which may hold anything.
            log::warn!("{}", alert.title);
            let app = self.app.clone();
            tauri::async_runtime::spawn(async move {
                // A button is waited for while the notification stays (an hour at most).
                let pressed = ai_desktop_core::notify::Notifier::session()
                    .send_and_wait(&alert, std::time::Duration::from_secs(3600))
                    .await;
                match (pressed, alert.action) {
                    (Err(e), _) => log::info!("no desktop notification ({e})"),
                    (Ok(Some(key)), Some(action)) if key == action.key() => {
                        act_on_alert(&app, action).await
                    }
                    _ => {}
                }
            });
        }
        match event {
            DomainEvent::ServiceUpdated(_) => crate::tray::refresh(&self.app, true),
            DomainEvent::RepositoryUpdated(_)
            | DomainEvent::RepositoryDeleted(_)
            | DomainEvent::VsCodeUpdated(_)
            | DomainEvent::HostEditorUpdated(_)
            | DomainEvent::DeploymentUpdated(_)
            | DomainEvent::DeploymentDeleted(_)
            | DomainEvent::McpUpdated(_)
            | DomainEvent::McpDeleted(_)
            | DomainEvent::FlowRecipesChanged => crate::tray::refresh(&self.app, false),
            _ => {}
        }
    }
}

/// What a notification's button asks for.
async fn act_on_alert(app: &AppHandle, action: ai_desktop_core::alerts::AlertAction) {
    use ai_desktop_core::alerts::AlertAction;
    let Some(state) = app.try_state::<crate::state::AppState>() else {
        return;
    };
    match action {
        AlertAction::AskAgent(deployment_id) => {
            match state.app.ask_agent_about_crash(deployment_id).await {
                Ok(session) => {
                    crate::tray::show_main_window(app);
                    let _ = app.emit(
                        ai_desktop_api::events::SHOW_SESSION,
                        ai_desktop_api::events::ShowSession {
                            session_id: session.id,
                        },
                    );
                }
                Err(e) => log::warn!(
                    "Ask the agent from a notification: {}",
                    e.with_detail_text()
                ),
            }
        }
    }
}
