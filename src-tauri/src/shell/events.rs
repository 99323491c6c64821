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
        if matches!(
            event,
            DomainEvent::RepositoryUpdated(_)
                | DomainEvent::RepositoryDeleted(_)
                | DomainEvent::VsCodeUpdated(_)
        ) {
            super::tray::refresh(&self.app);
        }
    }
}
