//! Forwards domain events to every window as Tauri events.

use crate::events::{DomainEvent, EventSink};
use tauri::{AppHandle, Emitter};

pub struct TauriEventSink {
    app: AppHandle,
}

impl TauriEventSink {
    pub fn new(app: AppHandle) -> Self {
        TauriEventSink { app }
    }
}

impl EventSink for TauriEventSink {
    fn emit(&self, event: DomainEvent) {
        if let Err(e) = self.app.emit(&event.name(), event.payload()) {
            log::warn!("could not emit {}: {e}", event.name());
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
