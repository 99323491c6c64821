//! Health checks of deployments: an HTTP GET or a TCP connect on the
//! deployment's port (127.0.0.1), with a short timeout. Checked on the
//! deployment's interval only while PM2 says it is online (no periodic work
//! for a deployment without a check, or one that is stopped).

use crate::error::{Error, Result};
use ai_desktop_api::deployments::{HealthCheck, HealthKind, HealthReport};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one check may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// The bytes of an answer read for its status line.
const MAX_HEAD: usize = 8 * 1024;

/// Checks what the user entered.
pub fn check(c: &HealthCheck) -> Result<HealthCheck> {
    let path = c.path.trim().to_string();
    if c.kind == HealthKind::Http {
        if !path.starts_with('/')
            || path.len() > 2000
            || path.chars().any(|ch| ch.is_whitespace() || ch.is_control())
        {
            return Err(Error::InvalidInput(format!(
                "The health check's path must start with / and have no spaces (got \"{path}\")."
            )));
        }
        if !(100..=599).contains(&c.expect_status) {
            return Err(Error::InvalidInput(format!(
                "{} is not an HTTP status (100–599).",
                c.expect_status
            )));
        }
    }
    if !(2..=3600).contains(&c.interval_secs) {
        return Err(Error::InvalidInput(
            "Check its health every 2 to 3600 seconds.".into(),
        ));
    }
    Ok(HealthCheck {
        path: if path.is_empty() { "/".into() } else { path },
        ..c.clone()
    })
}

/// One check of 127.0.0.1:`port`.
pub async fn probe(c: &HealthCheck, port: u16) -> HealthReport {
    probe_at(c, port, false).await
}

/// One check through an SSH forward listening on 127.0.0.1:`port`: the
/// forward accepts every connection here, and closes it at once when
/// nothing accepts it there, so a TCP check also waits a moment for that.
pub async fn probe_forwarded(c: &HealthCheck, port: u16) -> HealthReport {
    probe_at(c, port, true).await
}

async fn probe_at(c: &HealthCheck, port: u16, forwarded: bool) -> HealthReport {
    let started = Instant::now();
    let outcome = tokio::time::timeout(PROBE_TIMEOUT, ask(c, port, forwarded)).await;
    let ms = started.elapsed().as_millis();
    let (healthy, detail) = match outcome {
        Err(_) => (
            false,
            format!("no answer within {} s", PROBE_TIMEOUT.as_secs()),
        ),
        Ok(Err(e)) => (false, e),
        Ok(Ok(None)) => (true, format!("port {port} accepts connections ({ms} ms)")),
        Ok(Ok(Some(status))) if status == c.expect_status => {
            (true, format!("{} answered {status} in {ms} ms", c.path))
        }
        Ok(Ok(Some(status))) => (
            false,
            format!(
                "{} answered {status}, expected {} ({ms} ms)",
                c.path, c.expect_status
            ),
        ),
    };
    HealthReport {
        healthy,
        detail,
        checked_at: crate::store::now_rfc3339(),
    }
}

/// How long a TCP check through a forward waits for the forward to close
/// a connection nothing accepted there.
const FORWARD_SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

/// TCP: connects (None). HTTP: the answer's status.
async fn ask(
    c: &HealthCheck,
    port: u16,
    forwarded: bool,
) -> std::result::Result<Option<u16>, String> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("port {port}: {}", short_io(&e)))?;
    if c.kind == HealthKind::Tcp {
        if forwarded {
            let mut one = [0u8; 1];
            match tokio::time::timeout(FORWARD_SETTLE, stream.read(&mut one)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    return Err(
                        "nothing accepts the port there (the forward closed the connection)".into(),
                    )
                }
                // Still open, or the app spoke first: something accepted it.
                _ => {}
            }
        }
        return Ok(None);
    }
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: AI-Desktop-health-check\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n",
        c.path
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("sending the request: {}", short_io(&e)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < MAX_HEAD {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| format!("reading the answer: {}", short_io(&e)))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    status_of(&head).map(Some).ok_or_else(|| {
        if head.is_empty() {
            "the connection closed without an answer".to_string()
        } else {
            "the answer is not HTTP".to_string()
        }
    })
}

/// The status of `HTTP/1.x NNN …`.
fn status_of(head: &[u8]) -> Option<u16> {
    let line = head.split(|b| *b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split(' ');
    if !words.next()?.starts_with("HTTP/1.") {
        return None;
    }
    words.next()?.parse().ok()
}

fn short_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        std::io::ErrorKind::ConnectionReset => "connection reset".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read_strictly() {
        assert_eq!(status_of(b"HTTP/1.1 204 No Content\r\n"), Some(204));
        assert_eq!(status_of(b"HTTP/1.0 503 x\r\n\r\n"), Some(503));
        assert_eq!(status_of(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(status_of(b""), None);
    }

    #[test]
    fn bad_checks_are_refused() {
        let ok = HealthCheck::default();
        assert!(check(&ok).is_ok());
        for bad in [
            HealthCheck {
                path: "health".into(),
                ..ok.clone()
            },
            HealthCheck {
                path: "/a b".into(),
                ..ok.clone()
            },
            HealthCheck {
                expect_status: 42,
                ..ok.clone()
            },
            HealthCheck {
                interval_secs: 1,
                ..ok.clone()
            },
        ] {
            assert!(check(&bad).is_err(), "{bad:?}");
        }
        // A TCP check has no path to check.
        assert!(check(&HealthCheck {
            kind: HealthKind::Tcp,
            path: String::new(),
            ..ok
        })
        .is_ok());
    }

    #[tokio::test]
    async fn probes_say_what_answered() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 1024];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let asked = String::from_utf8_lossy(&buf[..n]).to_string();
                let status = if asked.starts_with("GET /health ") {
                    "200 OK"
                } else {
                    "404 Not Found"
                };
                let _ = s
                    .write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n").as_bytes())
                    .await;
            }
        });
        let health = HealthCheck {
            path: "/health".into(),
            ..Default::default()
        };
        let good = probe(&health, port).await;
        assert!(good.healthy, "{good:?}");
        let bad = probe(
            &HealthCheck {
                path: "/nope".into(),
                ..health.clone()
            },
            port,
        )
        .await;
        assert!(!bad.healthy);
        assert!(bad.detail.contains("answered 404, expected 200"), "{bad:?}");
        let closed = free_port();
        let refused = probe(&health, closed).await;
        assert!(!refused.healthy);
        assert!(refused.detail.contains("connection refused"), "{refused:?}");
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}
