//! What every command shares: the core's [`App`] (managed by Tauri), the
//! log streams the pages follow, and running blocking core calls off the
//! event loop.

use ai_desktop_api::{ApiError, ErrorCode};
use ai_desktop_core::error::Result;
use ai_desktop_core::App;
use std::sync::Arc;

/// The state Tauri manages: the app, plus what only the window side needs.
/// Derefs to [`App`], so a command reads `state.repos`, `state.vscode` ….
pub struct AppState {
    pub app: Arc<App>,
    pub log_streams: crate::logs::LogStreams,
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

pub(crate) type CmdResult<T> = std::result::Result<T, ApiError>;

/// What command `C` answers with, as its contract says.
pub(crate) type Out<C> = CmdResult<<C as ai_desktop_api::commands::Command>::Output>;

/// The Channel a streaming command `C` sends its frames over (its
/// parameter must be named after `C::CHANNEL`: `onProgress` → `on_progress`).
pub(crate) type Frames<C> = tauri::ipc::Channel<<C as ai_desktop_api::commands::Streaming>::Frame>;

/// A command's whole argument object as its typed request (a
/// `ai_desktop_api` command type): the page's `ipc::call` sends the same
/// struct, so both sides agree by construction. Other parameters of the
/// command (a `State`, a `Channel` under its own key) are read as before.
pub struct Req<T>(pub T);

impl<'de, T: serde::de::DeserializeOwned, R: tauri::Runtime> tauri::ipc::CommandArg<'de, R>
    for Req<T>
{
    fn from_command(
        command: tauri::ipc::CommandItem<'de, R>,
    ) -> std::result::Result<Self, tauri::ipc::InvokeError> {
        let tauri::ipc::InvokeBody::Json(args) = command.message.payload() else {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!("{} takes JSON arguments.", command.name),
            )
            .into());
        };
        serde_json::from_value(args.clone()).map(Req).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("Bad arguments for {}: {e}", command.name),
            )
            .into()
        })
    }
}

/// Runs a blocking core call (SQLite, the file system, git2: the plain `fn`s
/// of the managers, see the threading rule in `ai_desktop_core::app`) on
/// the blocking pool, so the window's event loop never waits for it.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Failed, format!("Internal error: {e}")))?
        .map_err(ApiError::from)
}

/// The main window was shown or hidden (closed to the tray): sampling that
/// only feeds the window follows.
pub fn main_window_shown<R: tauri::Runtime>(app: &tauri::AppHandle<R>, shown: bool) {
    use tauri::Manager;
    if let Some(state) = app.try_state::<AppState>() {
        state.presence.set_window(shown);
    }
}

/// Shows why the app cannot start, then quits when it is closed. The main
/// window is hidden: without its state the UI could only show errors.
pub fn fatal_dialog(app: &tauri::AppHandle, text: &str) {
    use tauri::Manager;
    use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
    for (_, window) in app.webview_windows() {
        let _ = window.hide();
    }
    let handle = app.clone();
    app.dialog()
        .message(text)
        .title("AI Desktop cannot start")
        .kind(MessageDialogKind::Error)
        .show(move |_| handle.exit(1));
}
