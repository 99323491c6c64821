//! Forwards domain events to every window as Tauri events.

use crate::events::{DomainEvent, EventSink};
use tauri::{AppHandle, Emitter};

pub struct TauriEventSink {
    app: AppHandle,
    alerts: std::sync::Mutex<crate::alerts::Alerts>,
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
            // The title only: the body quotes process output, which may hold anything.
            log::warn!("{}", alert.title);
            tauri::async_runtime::spawn(async move {
                if let Err(e) = crate::notify::Notifier::session().send(&alert).await {
                    log::info!("no desktop notification ({e})");
                }
            });
        }
        match event {
            DomainEvent::ServiceUpdated(_) => super::tray::refresh(&self.app, true),
            DomainEvent::RepositoryUpdated(_)
            | DomainEvent::RepositoryDeleted(_)
            | DomainEvent::VsCodeUpdated(_)
            | DomainEvent::DeploymentUpdated(_)
            | DomainEvent::DeploymentDeleted(_)
            | DomainEvent::McpUpdated(_)
            | DomainEvent::McpDeleted(_) => super::tray::refresh(&self.app, false),
            _ => {}
        }
    }
}
