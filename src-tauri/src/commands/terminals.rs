//! `terminals_*`: open a terminal in a registered repository's folder (or home),
//! attach a view that reads the output in batches, input, resize, close.

use crate::state::{blocking, AppState, Out, Req};
use ai_desktop_api::terminal;
use ai_desktop_api::terminal::{TerminalFrame, TerminalInfo};
use ai_desktop_core::terminal::Pulled;
use tauri::State;

pub(crate) fn to_api(t: ai_desktop_core::terminal::TerminalInfo) -> TerminalInfo {
    TerminalInfo {
        id: t.id,
        title: t.title,
        cwd: t.cwd.display().to_string(),
        pid: t.pid,
        running: t.exited.is_none(),
        exit_code: t.exited.flatten(),
    }
}

#[tauri::command]
pub async fn terminals_open(
    state: State<'_, AppState>,
    req: Req<terminal::Open>,
) -> Out<terminal::Open> {
    let terminal::Open {
        repository_id,
        cols,
        rows,
    } = req.0;
    let app = state.app.clone();
    blocking(move || app.open_terminal(repository_id, cols, rows))
        .await
        .map(to_api)
}

#[tauri::command]
pub async fn terminals_list(
    state: State<'_, AppState>,
    _req: Req<terminal::List>,
) -> Out<terminal::List> {
    Ok(state.terminals.list().into_iter().map(to_api).collect())
}

/// Makes the calling view the terminal's reader (`terminals_read`); returns
/// the view's number, which its reads and its detach name.
#[tauri::command]
pub async fn terminals_attach(
    state: State<'_, AppState>,
    req: Req<terminal::Attach>,
) -> Out<terminal::Attach> {
    let terminal::Attach { id } = req.0;
    Ok(state.terminals.attach_pull(id)?)
}

/// Everything waiting (up to `max` bytes, at most 1 MB) once there is
/// something; then the exit. One reply per batch: a flood costs the page one
/// call per few hundred kB instead of a script evaluation per 7 kB. The reply
/// is [`TerminalFrame::encode`]'s bytes (an `ArrayBuffer` in the page), so
/// the output reaches the emulator without JSON on either side.
#[tauri::command]
pub async fn terminals_read(
    state: State<'_, AppState>,
    req: Req<terminal::Read>,
) -> crate::state::CmdResult<tauri::ipc::Response> {
    let terminal::Read { id, view, max } = req.0;
    let terminals = state.terminals.clone();
    let pulled = terminals.read(id, view, max.min(1024 * 1024)).await?;
    let frame = match pulled {
        Pulled::Data(data) => TerminalFrame::Data(data.into_bytes()),
        Pulled::Exited(code) => TerminalFrame::Exited(code),
        Pulled::Detached => TerminalFrame::Detached,
    };
    Ok(tauri::ipc::Response::new(frame.encode()))
}

#[tauri::command]
pub async fn terminals_write(
    state: State<'_, AppState>,
    req: Req<terminal::Write>,
) -> Out<terminal::Write> {
    let terminal::Write { id, data } = req.0;
    // A shell that does not read fills the pty: the write may wait.
    let terminals = state.terminals.clone();
    blocking(move || terminals.write(id, &data)).await
}

#[tauri::command]
pub async fn terminals_resize(
    state: State<'_, AppState>,
    req: Req<terminal::Resize>,
) -> Out<terminal::Resize> {
    let terminal::Resize { id, cols, rows } = req.0;
    Ok(state.terminals.resize(id, cols, rows)?)
}

#[tauri::command]
pub async fn terminals_detach(
    state: State<'_, AppState>,
    req: Req<terminal::Detach>,
) -> Out<terminal::Detach> {
    let terminal::Detach { id, view } = req.0;
    Ok(state.terminals.detach_view(id, view)?)
}

#[tauri::command]
pub async fn terminals_close(
    state: State<'_, AppState>,
    req: Req<terminal::Close>,
) -> Out<terminal::Close> {
    let terminal::Close { id } = req.0;
    // Signals, then waits for the session to end (SIGKILL after 2 s).
    let terminals = state.terminals.clone();
    blocking(move || terminals.close(id)).await
}
