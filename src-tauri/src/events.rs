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
        // An editor's window is signed in to one run of its code-server:
        // once that run ends, all it could show is a lost connection and,
        // reloaded, a password page. It goes with the run.
        if let Some(label) = ended_editor_window(&event) {
            if let Some(window) = self.app.get_webview_window(&label) {
                log::info!("closing {label}: its editor stopped");
                let _ = window.close();
            }
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

/// The label of the editor window whose run `event` says has ended.
fn ended_editor_window(event: &DomainEvent) -> Option<String> {
    use ai_desktop_api::hosts::HostEditorState;
    use ai_desktop_api::vscode::InstanceState;
    match event {
        DomainEvent::VsCodeUpdated(i)
            if matches!(i.state, InstanceState::Stopped | InstanceState::Failed) =>
        {
            Some(ai_desktop_core::vscode::window_label(i.repository_id))
        }
        // Unreachable is not ended: the run goes on there, and its forward
        // is opened again.
        DomainEvent::HostEditorUpdated(e)
            if matches!(e.state, HostEditorState::Stopped | HostEditorState::Failed) =>
        {
            Some(ai_desktop_core::hosts::editor::window_label(e.id))
        }
        _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use ai_desktop_api::hosts::{HostEditor, HostEditorState};
    use ai_desktop_api::vscode::{CodeServerInstance, InstanceState};

    fn local(state: InstanceState) -> DomainEvent {
        DomainEvent::VsCodeUpdated(CodeServerInstance {
            repository_id: 7,
            state,
            port: None,
            pid: None,
            started_at: None,
            adopted: false,
            error: None,
        })
    }

    fn host(state: HostEditorState) -> DomainEvent {
        DomainEvent::HostEditorUpdated(HostEditor {
            id: 3,
            host_id: 1,
            state,
            port: None,
            started_at: None,
            error: None,
        })
    }

    #[test]
    fn an_editor_window_goes_when_its_run_ends_and_only_then() {
        for ended in [InstanceState::Stopped, InstanceState::Failed] {
            assert_eq!(
                ended_editor_window(&local(ended)).as_deref(),
                Some("vscode-7")
            );
        }
        for going_on in [
            InstanceState::Starting,
            InstanceState::Running,
            InstanceState::Stopping,
        ] {
            assert_eq!(ended_editor_window(&local(going_on)), None);
        }
        for ended in [HostEditorState::Stopped, HostEditorState::Failed] {
            assert_eq!(
                ended_editor_window(&host(ended)).as_deref(),
                Some("vscode-host-3")
            );
        }
        for going_on in [
            HostEditorState::Starting,
            HostEditorState::Running,
            HostEditorState::Unreachable,
        ] {
            assert_eq!(ended_editor_window(&host(going_on)), None);
        }
        assert_eq!(ended_editor_window(&DomainEvent::TerminalsChanged), None);
    }
}
