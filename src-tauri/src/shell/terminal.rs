//! Terminal commands: open in a registered repository's folder (or home),
//! attach a view that reads the output in batches, input, resize, close.

use super::commands::CmdResult;
use super::AppState;
use crate::error::Error;
use crate::terminal::Pulled;
use ai_desktop_api::terminal::{TerminalFrame, TerminalInfo};
use std::path::PathBuf;
use tauri::State;

fn to_api(t: crate::terminal::TerminalInfo) -> TerminalInfo {
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
pub async fn terminal_open(
    state: State<'_, AppState>,
    repository_id: Option<i64>,
    cols: u16,
    rows: u16,
) -> CmdResult<TerminalInfo> {
    let env = crate::procs::user_env();
    let (cwd, title) = match repository_id {
        // Only registered repositories: the id is looked up, never a path.
        Some(id) => {
            let repo = state.repos.get(id)?;
            (PathBuf::from(repo.path), repo.name)
        }
        None => {
            let home = env
                .iter()
                .find(|(k, _)| k == "HOME")
                .map(|(_, v)| PathBuf::from(v))
                .ok_or_else(|| Error::Unavailable("HOME is not set.".into()))?;
            (home, "home".to_string())
        }
    };
    Ok(to_api(
        state.terminals.open(&cwd, &title, cols, rows, &env)?,
    ))
}

#[tauri::command]
pub async fn terminal_list(state: State<'_, AppState>) -> CmdResult<Vec<TerminalInfo>> {
    Ok(state.terminals.list().into_iter().map(to_api).collect())
}

/// Makes the calling view the terminal's reader (`terminal_read`); returns
/// the view's number, which its reads and its detach name.
#[tauri::command]
pub async fn terminal_attach(state: State<'_, AppState>, id: u32) -> CmdResult<u64> {
    Ok(state.terminals.attach_pull(id)?)
}

/// Everything waiting (up to `max` bytes, at most 1 MB) once there is
/// something; then the exit. One reply per batch: a flood costs the page one
/// call per few hundred kB instead of a script evaluation per 7 kB.
#[tauri::command]
pub async fn terminal_read(
    state: State<'_, AppState>,
    id: u32,
    view: u64,
    max: usize,
) -> CmdResult<TerminalFrame> {
    let terminals = state.terminals.clone();
    let pulled = terminals.read(id, view, max.min(1024 * 1024)).await?;
    Ok(match pulled {
        Pulled::Data(data) => TerminalFrame {
            data,
            ..Default::default()
        },
        Pulled::Exited(code) => TerminalFrame {
            exited: true,
            exit_code: code,
            ..Default::default()
        },
        Pulled::Detached => TerminalFrame {
            detached: true,
            ..Default::default()
        },
    })
}

#[tauri::command]
pub async fn terminal_write(state: State<'_, AppState>, id: u32, data: String) -> CmdResult<()> {
    Ok(state.terminals.write(id, &data)?)
}

#[tauri::command]
pub async fn terminal_resize(
    state: State<'_, AppState>,
    id: u32,
    cols: u16,
    rows: u16,
) -> CmdResult<()> {
    Ok(state.terminals.resize(id, cols, rows)?)
}

#[tauri::command]
pub async fn terminal_detach(state: State<'_, AppState>, id: u32, view: u64) -> CmdResult<()> {
    Ok(state.terminals.detach_view(id, view)?)
}

#[tauri::command]
pub async fn terminal_close(state: State<'_, AppState>, id: u32) -> CmdResult<()> {
    Ok(state.terminals.close(id)?)
}
