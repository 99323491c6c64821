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
            tauri::async_runtime::spawn(async move {
                if let Err(e) = ai_desktop_core::notify::Notifier::session()
                    .send(&alert)
                    .await
                {
                    log::info!("no desktop notification ({e})");
                }
            });
        }
        match event {
            DomainEvent::ServiceUpdated(_) => crate::tray::refresh(&self.app, true),
            DomainEvent::RepositoryUpdated(_)
            | DomainEvent::RepositoryDeleted(_)
            | DomainEvent::VsCodeUpdated(_)
            | DomainEvent::DeploymentUpdated(_)
            | DomainEvent::DeploymentDeleted(_)
            | DomainEvent::McpUpdated(_)
            | DomainEvent::McpDeleted(_)
            | DomainEvent::FlowRecipesChanged => crate::tray::refresh(&self.app, false),
            _ => {}
        }
    }
}
