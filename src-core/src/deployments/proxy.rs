//! Local domains: `http://shop.localhost:<port>/` reaches the deployment
//! whose domain is `shop.localhost`. A small reverse proxy of the app on
//! 127.0.0.1 (no root, no /etc/hosts: browsers and systemd-resolved send
//! every `*.localhost` name to the loopback address).
//!
//! Each connection is routed by the Host of its first request, then its
//! bytes are passed both ways unchanged (so keep-alive, streaming answers
//! and WebSocket upgrades work). A Host that names no deployment gets a
//! 404, a deployment that does not answer a 502, each with a line saying
//! why. Only `*.localhost` names are served, so a page of another origin
//! rebinding its name to 127.0.0.1 reaches nothing.

use crate::util::lock;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Where the proxy listens unless the setting says otherwise.
pub const DEFAULT_PORT: u16 = 7380;
/// Settings key of its port (JSON number).
pub const PORT_SETTING: &str = "deployments.proxy_port";
/// The request head read for its Host.
const MAX_HEAD: usize = 16 * 1024;
/// How long a client gets to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `domain` is one the proxy serves.
pub fn served(domain: &str) -> bool {
    let d = domain.to_ascii_lowercase();
    d.ends_with(".localhost") && d.len() > ".localhost".len()
}

/// Domain (lower case) → the port of the deployment that has it.
pub type Routes = Arc<Mutex<HashMap<String, (u16, String)>>>;

/// The running proxy.
pub struct LocalProxy {
    pub port: u16,
    pub routes: Routes,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LocalProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LocalProxy {
    /// Listens on 127.0.0.1:`port` (0: any free port).
    pub async fn start(port: u16) -> std::io::Result<LocalProxy> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let routes: Routes = Arc::default();
        let table = routes.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let table = table.clone();
                tokio::spawn(async move {
                    if let Err(e) = serve(client, table, port).await {
                        log::debug!("local domains: {e}");
                    }
                });
            }
        });
        log::info!("local domains: *.localhost served on 127.0.0.1:{port}");
        Ok(LocalProxy { port, routes, task })
    }

    /// Replaces the routes: (domain, port of the app, deployment name).
    pub fn set_routes(&self, routes: impl IntoIterator<Item = (String, u16, String)>) {
        let mut table = lock(&self.routes);
        table.clear();
        for (domain, port, name) in routes {
            table.insert(domain.to_ascii_lowercase(), (port, name));
        }
    }
}

async fn serve(mut client: TcpStream, routes: Routes, own_port: u16) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    let read_head = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            if head.len() > MAX_HEAD {
                return Err(std::io::Error::other("request head too large"));
            }
            let n = client.read(&mut buf).await?;
            if n == 0 {
                return Err(std::io::Error::other("closed before a request"));
            }
            head.extend_from_slice(&buf[..n]);
        }
        Ok(())
    };
    match tokio::time::timeout(HEAD_TIMEOUT, read_head).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            if head.len() > MAX_HEAD {
                answer(&mut client, 431, "The request's header is too large.").await;
            }
            return Err(e);
        }
        Err(_) => return Ok(()),
    }
    let Some(host) = host_of(&head) else {
        answer(&mut client, 400, "The request names no Host.").await;
        return Ok(());
    };
    let route = lock(&routes).get(&host).cloned();
    let Some((port, name)) = route else {
        let message = if served(&host) {
            format!("No deployment has the domain {host}. Give one that domain on AI Desktop's Deployments page.")
        } else {
            format!("AI Desktop serves only *.localhost names here (this is 127.0.0.1:{own_port}); {host} is not one.")
        };
        answer(&mut client, 404, &message).await;
        return Ok(());
    };
    let mut app = match TcpStream::connect(("127.0.0.1", port)).await {
        Ok(s) => s,
        Err(e) => {
            answer(
                &mut client,
                502,
                &format!("{name} does not answer on port {port} ({e}); start it on AI Desktop's Deployments page."),
            )
            .await;
            return Ok(());
        }
    };
    app.write_all(&head).await?;
    tokio::io::copy_bidirectional(&mut client, &mut app).await?;
    Ok(())
}

/// The Host header's name, lower case, without its port.
fn host_of(head: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(head).ok()?;
    let value = text.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("host")
            .then(|| value.trim())
    })?;
    let name = match value.rsplit_once(':') {
        Some((n, port)) if port.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => value,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

async fn answer(client: &mut TcpStream, status: u16, message: &str) {
    let reason = match status {
        400 => "Bad Request",
        404 => "Not Found",
        431 => "Request Header Fields Too Large",
        _ => "Bad Gateway",
    };
    let body = format!("{message}\n");
    let text = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.write_all(text.as_bytes()).await;
    let _ = client.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_without_port_or_case() {
        assert_eq!(
            host_of(b"GET / HTTP/1.1\r\nHost: Shop.LocalHost:7380\r\n\r\n").as_deref(),
            Some("shop.localhost")
        );
        assert_eq!(
            host_of(b"GET / HTTP/1.1\r\nhost:api.localhost.\r\n\r\n").as_deref(),
            Some("api.localhost")
        );
        assert_eq!(host_of(b"GET / HTTP/1.1\r\nX: y\r\n\r\n"), None);
        assert!(served("shop.localhost") && !served("localhost") && !served("shop.example"));
    }

    async fn ask(port: u16, host: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(
            format!("GET /x HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn requests_reach_the_app_their_host_names() {
        let app = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let app_port = app.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = app.accept().await.unwrap();
                let mut buf = vec![0u8; 2048];
                let n = s.read(&mut buf).await.unwrap();
                let asked = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let body = format!("app saw {asked}");
                let _ = s
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            }
        });
        let proxy = LocalProxy::start(0).await.unwrap();
        let closed = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        proxy.set_routes([
            ("Shop.localhost".to_string(), app_port, "shop".to_string()),
            ("down.localhost".to_string(), closed, "down".to_string()),
        ]);
        let p = proxy.port;
        let ok = ask(p, &format!("shop.localhost:{p}")).await;
        assert!(
            ok.starts_with("HTTP/1.1 200") && ok.ends_with("app saw GET /x HTTP/1.1"),
            "{ok}"
        );
        let unknown = ask(p, &format!("other.localhost:{p}")).await;
        assert!(unknown.starts_with("HTTP/1.1 404"), "{unknown}");
        assert!(
            unknown.contains("No deployment has the domain other.localhost"),
            "{unknown}"
        );
        let rebound = ask(p, "evil.example").await;
        assert!(
            rebound.contains("serves only *.localhost names"),
            "{rebound}"
        );
        let down = ask(p, "down.localhost").await;
        assert!(
            down.starts_with("HTTP/1.1 502") && down.contains("down does not answer"),
            "{down}"
        );
    }
}
