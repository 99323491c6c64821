//! Terminal commands: open in a registered repository's folder (or home),
//! attach a view over a Channel, input, resize, acknowledgements, close.

use super::commands::CmdResult;
use super::AppState;
use crate::error::Error;
use crate::terminal::Output;
use ai_desktop_api::terminal::{TerminalFrame, TerminalInfo};
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

/// A frame's JSON stays under Tauri's 8 kB fast path. Larger channel
/// messages are fetched by the page in an extra request, and a stalled
/// fetch holds up every frame after it (which, with flow control, pauses
/// the shell): so the budget counts bytes as JSON will spell them.
const FRAME_BUDGET: usize = 7 * 1024;

/// Splits `text` into pieces whose JSON-escaped size is at most `budget`.
fn json_pieces(text: &str, budget: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut cost = 0;
    for (i, c) in text.char_indices() {
        let c_cost = super::logs::json_char_len(c);
        if cost + c_cost > budget && i > start {
            pieces.push(&text[start..i]);
            start = i;
            cost = 0;
        }
        cost += c_cost;
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

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

#[tauri::command]
pub async fn terminal_attach(
    state: State<'_, AppState>,
    id: u32,
    on_frame: Channel<TerminalFrame>,
) -> CmdResult<()> {
    state.terminals.attach(
        id,
        Box::new(move |out| match out {
            Output::Data(text) => json_pieces(&text, FRAME_BUDGET).into_iter().all(|piece| {
                on_frame
                    .send(TerminalFrame {
                        data: piece.to_string(),
                        ..Default::default()
                    })
                    .is_ok()
            }),
            Output::Exited(code) => on_frame
                .send(TerminalFrame {
                    data: String::new(),
                    exited: true,
                    exit_code: code,
                })
                .is_ok(),
        }),
    )?;
    Ok(())
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
pub async fn terminal_ack(state: State<'_, AppState>, id: u32, bytes: usize) -> CmdResult<()> {
    Ok(state.terminals.ack(id, bytes)?)
}

#[tauri::command]
pub async fn terminal_detach(state: State<'_, AppState>, id: u32) -> CmdResult<()> {
    Ok(state.terminals.detach(id)?)
}

#[tauri::command]
pub async fn terminal_close(state: State<'_, AppState>, id: u32) -> CmdResult<()> {
    Ok(state.terminals.close(id)?)
}

#[cfg(test)]
mod tests {
    use super::json_pieces;

    #[test]
    fn pieces_stay_under_the_budget_once_escaped() {
        let text = "y\n".repeat(5000) + &"\u{1b}[0m".repeat(1000) + "é\"done\"";
        let pieces = json_pieces(&text, 7 * 1024);
        assert_eq!(pieces.concat(), text);
        for p in &pieces {
            let json = serde_json::to_string(p).unwrap();
            assert!(json.len() <= 7 * 1024 + 2, "{} bytes", json.len());
        }
        assert!(pieces.len() > 3);
    }
}
