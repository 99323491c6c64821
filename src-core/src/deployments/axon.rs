//! PM2's daemon, spoken to directly over its two Unix sockets instead of
//! through a `pm2` node process per question:
//!
//! - `rpc.sock` answers calls such as `getMonitorData` (what `pm2 jlist`
//!   prints) in about a millisecond, where `pm2 jlist` costs a node start-up
//!   (~0.1 s of CPU);
//! - `pub.sock` tells every subscriber when a process starts, exits,
//!   restarts or is given up on (`process:event`), so nothing needs to ask
//!   every few seconds.
//!
//! Both speak axon: each message is an amp frame — one byte `version << 4 |
//! argc`, then per argument a big-endian u32 length and the bytes — whose
//! arguments are `s:` strings, `j:` JSON or raw bytes. A call is
//! `[j:{type: "call", method, args}, s:id]` and its answer `[j:{args: [...]}
//! or {error}, s:id]`; an event is `[s:name, j:data]`.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

/// The amp protocol version PM2's axon speaks.
const AMP_VERSION: u8 = 1;
/// At most this many arguments fit in a frame's header.
const MAX_ARGS: usize = 15;
/// A process list with big environments stays well below this.
const MAX_ARG_BYTES: usize = 64 * 1024 * 1024;
/// How long a call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// One amp frame of `args`.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    assert!(
        args.len() <= MAX_ARGS,
        "an amp frame holds at most 15 arguments"
    );
    let mut out = Vec::with_capacity(1 + args.iter().map(|a| 4 + a.len()).sum::<usize>());
    out.push(AMP_VERSION << 4 | args.len() as u8);
    for arg in args {
        out.extend_from_slice(&(arg.len() as u32).to_be_bytes());
        out.extend_from_slice(arg);
    }
    out
}

/// Reads one amp frame's arguments.
pub async fn read_frame<R: AsyncReadExt + Unpin>(r: &mut R) -> std::io::Result<Vec<Vec<u8>>> {
    let meta = r.read_u8().await?;
    let argc = (meta & 0x0f) as usize;
    let mut args = Vec::with_capacity(argc);
    for _ in 0..argc {
        let len = r.read_u32().await? as usize;
        if len > MAX_ARG_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("an axon argument of {len} bytes"),
            ));
        }
        let mut arg = vec![0u8; len];
        r.read_exact(&mut arg).await?;
        args.push(arg);
    }
    Ok(args)
}

/// An argument as a string, if it is one (`s:`).
pub fn as_str(arg: &[u8]) -> Option<&str> {
    arg.strip_prefix(b"s:")
        .and_then(|s| std::str::from_utf8(s).ok())
}

/// An argument as JSON, if it is JSON (`j:`).
pub fn as_json<T: DeserializeOwned>(arg: &[u8]) -> Option<serde_json::Result<T>> {
    arg.strip_prefix(b"j:").map(serde_json::from_slice)
}

/// Calls `method` with `args` on the daemon's RPC socket and returns the
/// first value it answers with.
pub async fn call<T: DeserializeOwned>(
    rpc_socket: &Path,
    method: &str,
    args: serde_json::Value,
) -> Result<T> {
    let io = |e: std::io::Error| {
        Error::failed(
            format!(
                "PM2's daemon did not answer {method} on {}.",
                rpc_socket.display()
            ),
            e,
        )
    };
    let work = async {
        let mut stream = UnixStream::connect(rpc_socket).await.map_err(io)?;
        let request = serde_json::json!({"type": "call", "method": method, "args": args});
        let id = format!("aidesktop-{}:0", std::process::id());
        let body = format!("j:{request}");
        let tag = format!("s:{id}");
        stream
            .write_all(&encode(&[body.as_bytes(), tag.as_bytes()]))
            .await
            .map_err(io)?;
        loop {
            let frame = read_frame(&mut stream).await.map_err(io)?;
            // The answer ends with the id it answers.
            let Some((last, rest)) = frame.split_last() else {
                continue;
            };
            if as_str(last) != Some(id.as_str()) {
                continue;
            }
            let reply: serde_json::Value = rest
                .first()
                .and_then(|a| as_json(a))
                .transpose()
                .map_err(|e| Error::failed(format!("PM2 answered {method} with bad JSON."), e))?
                .unwrap_or_default();
            if let Some(error) = reply.get("error") {
                return Err(Error::Failed {
                    message: format!("PM2's daemon refused {method}."),
                    detail: Some(error.as_str().unwrap_or("").chars().take(300).collect()),
                });
            }
            let first = reply
                .get("args")
                .and_then(|a| a.get(0))
                .cloned()
                .unwrap_or_default();
            // serde's message gives a position, never the text it read (a
            // process list carries environments).
            return serde_json::from_value(first).map_err(|e| {
                Error::failed(
                    format!("PM2 answered {method} with an unexpected shape."),
                    e,
                )
            });
        }
    };
    tokio::time::timeout(CALL_TIMEOUT, work)
        .await
        .map_err(|_| Error::Failed {
            message: format!(
                "PM2's daemon did not answer {method} within {} s.",
                CALL_TIMEOUT.as_secs()
            ),
            detail: None,
        })?
}

/// One event from the daemon's event socket.
#[derive(Debug, Clone, PartialEq)]
pub struct BusEvent {
    /// `process:event`, `log:out`, …
    pub name: String,
    /// For `process:event`: `online`, `exit`, `restart overlimit`, `stop`, …
    pub event: Option<String>,
    /// For process events: the PM2 name of the process.
    pub process: Option<String>,
}

/// The daemon's event socket, subscribed.
pub struct Bus {
    stream: UnixStream,
}

impl Bus {
    pub async fn connect(pub_socket: &Path) -> std::io::Result<Bus> {
        Ok(Bus {
            stream: UnixStream::connect(pub_socket).await?,
        })
    }

    /// The next process event (log lines and other chatter are skipped
    /// without being parsed); an error when the daemon goes away.
    pub async fn next_process_event(&mut self) -> std::io::Result<BusEvent> {
        loop {
            let frame = read_frame(&mut self.stream).await?;
            let Some(name) = frame.first().and_then(|a| as_str(a)) else {
                continue;
            };
            if !name.starts_with("process:") {
                continue;
            }
            #[derive(serde::Deserialize)]
            struct Data {
                event: Option<String>,
                process: Option<Named>,
            }
            #[derive(serde::Deserialize)]
            struct Named {
                name: Option<String>,
            }
            let data: Option<Data> = frame.get(1).and_then(|a| as_json(a)).and_then(|r| r.ok());
            return Ok(BusEvent {
                name: name.to_string(),
                event: data.as_ref().and_then(|d| d.event.clone()),
                process: data.and_then(|d| d.process).and_then(|p| p.name),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip() {
        let frame = encode(&[b"s:process:event", b"j:{\"event\":\"exit\"}", b""]);
        assert_eq!(frame[0], 0x13, "version 1, three arguments");
        let args = read_frame(&mut frame.as_slice()).await.unwrap();
        assert_eq!(as_str(&args[0]), Some("process:event"));
        let data: serde_json::Value = as_json(&args[1]).unwrap().unwrap();
        assert_eq!(data["event"], "exit");
        assert!(args[2].is_empty());
        assert!(as_str(&args[1]).is_none());
    }

    #[tokio::test]
    async fn a_truncated_frame_is_an_error() {
        let frame = encode(&[b"s:abc"]);
        assert!(read_frame(&mut &frame[..frame.len() - 1]).await.is_err());
    }
}
