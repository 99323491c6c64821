//! Terminal tabs: shells on pseudo-terminals.

use serde::{Deserialize, Serialize};

/// An open terminal tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalInfo {
    /// The app's number for it (unique while the app runs).
    pub id: u32,
    /// The repository's name, or "home".
    pub title: String,
    /// The folder the shell started in.
    pub cwd: String,
    /// The shell's process id (its session and process group too).
    pub pid: u32,
    /// Whether the shell still runs.
    pub running: bool,
    /// The shell's exit code once it has exited (None if killed by a signal).
    pub exit_code: Option<i32>,
}

/// Output of a terminal (`terminals_read`'s reply). It travels as the bytes
/// of [`TerminalFrame::encode`], not as JSON: a flood is megabytes of text
/// that the page hands to the emulator as they came (no escaping, no
/// parsing, no conversion to a JavaScript string on the way). The view reads
/// again once a batch is written (the shell is paused while too much waits
/// unread).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TerminalFrame {
    /// Output to write to the emulator: UTF-8, cut at a character's edge.
    Data(Vec<u8>),
    /// The shell has exited (its exit code; None if killed by a signal),
    /// after everything it wrote was read.
    Exited(Option<i32>),
    /// Another view took over, or this one was detached: stop reading.
    Detached,
}

impl TerminalFrame {
    /// The first byte of a data frame; the output follows it.
    pub const DATA: u8 = 0;
    /// The first byte of an exit: then the code (4 bytes, little-endian), or nothing.
    pub const EXITED: u8 = 1;
    /// The only byte of a detach.
    pub const DETACHED: u8 = 2;

    /// The wire form.
    pub fn encode(self) -> Vec<u8> {
        match self {
            TerminalFrame::Data(mut data) => {
                data.insert(0, Self::DATA);
                data
            }
            TerminalFrame::Exited(code) => {
                let mut out = vec![Self::EXITED];
                if let Some(code) = code {
                    out.extend_from_slice(&code.to_le_bytes());
                }
                out
            }
            TerminalFrame::Detached => vec![Self::DETACHED],
        }
    }

    /// Reads the wire form; None for bytes no frame encodes to.
    pub fn decode(bytes: &[u8]) -> Option<TerminalFrame> {
        let (&kind, rest) = bytes.split_first()?;
        match (kind, rest.len()) {
            (Self::DATA, _) => Some(TerminalFrame::Data(rest.to_vec())),
            (Self::EXITED, 0) => Some(TerminalFrame::Exited(None)),
            (Self::EXITED, 4) => Some(TerminalFrame::Exited(Some(i32::from_le_bytes(
                rest.try_into().ok()?,
            )))),
            (Self::DETACHED, 0) => Some(TerminalFrame::Detached),
            _ => None,
        }
    }
}

crate::command! {
    /// The user's shell in the repository's folder (or home)
    Open = "terminals_open" { repository_id: Option<i64>, cols: u16, rows: u16 } -> TerminalInfo;
    /// The open terminals.
    List = "terminals_list" {} -> Vec<TerminalInfo>;
    /// Makes the caller the terminal's reader and returns its view number; one view per
    /// terminal (a new attach replaces the old, whose reads end `detached`)
    Attach = "terminals_attach" { id: u32 } -> u64;
    /// Waits for output and returns what waits (the kept output first), up to `max` bytes;
    /// reading is the acknowledgement (flow control)
    Read = "terminals_read" { id: u32, view: u64, max: usize } -> TerminalFrame;
    /// Keys typed, text pasted
    Write = "terminals_write" { id: u32, data: String } -> ();
    /// Tells the shell the terminal's new size.
    Resize = "terminals_resize" { id: u32, cols: u16, rows: u16 } -> ();
    /// The view went away; output goes on into the backlog (a view that was already replaced
    /// changes nothing)
    Detach = "terminals_detach" { id: u32, view: u64 } -> ();
    /// Ends the shell's process group
    Close = "terminals_close" { id: u32 } -> ();
}

#[cfg(test)]
mod tests {
    use super::TerminalFrame;

    #[test]
    fn frames_survive_their_wire_form() {
        for frame in [
            TerminalFrame::Data("naïve \x1b[1mbold\x1b[0m \u{1F600}\r\n".as_bytes().to_vec()),
            TerminalFrame::Data(Vec::new()),
            TerminalFrame::Exited(Some(0)),
            TerminalFrame::Exited(Some(-130)),
            TerminalFrame::Exited(None),
            TerminalFrame::Detached,
        ] {
            assert_eq!(TerminalFrame::decode(&frame.clone().encode()), Some(frame));
        }
        // Data is the output itself after one byte: the page hands it on as is.
        assert_eq!(
            TerminalFrame::Data(b"ls\r\n".to_vec()).encode(),
            b"\0ls\r\n"
        );
        for bad in [&b""[..], b"\x01\x00\x00", b"\x02x", b"\x07"] {
            assert_eq!(TerminalFrame::decode(bad), None, "{bad:?}");
        }
    }
}
