//! The gateway's listener: HTTP/1.1 on 127.0.0.1, one task per
//! connection; a request without the token is answered 401, anything but
//! [`PATH`] 404; the rest is rmcp's streamable-HTTP server.

use super::handler::Handler;
use super::{Gateway, PATH};
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// Binds `127.0.0.1:port` and serves until `stop`; answers the endpoint's
/// URL and the accepting task (the port is free once it has ended).
pub(super) async fn listen(
    gateway: Arc<Gateway>,
    port: u16,
    stop: CancellationToken,
) -> std::io::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();
    let config = StreamableHttpServerConfig::default()
        .with_cancellation_token(stop.child_token())
        .with_sse_keep_alive(Some(Duration::from_secs(30)));
    let service: StreamableHttpService<Handler, LocalSessionManager> = StreamableHttpService::new(
        {
            let gateway = gateway.clone();
            move || Ok(Handler::new(gateway.clone()))
        },
        Default::default(),
        config,
    );
    let service = Arc::new(service);
    let accepting = tokio::spawn(async move {
        loop {
            let (stream, _) = tokio::select! {
                _ = stop.cancelled() => return,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        log::warn!("gateway: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            // No per-connection owner check (as the code-server sign-in
            // page has): the token, readable by our user only, is what
            // lets a client in; reading /proc/net/tcp costs ~5 ms a
            // connection, and rmcp's client opens one per call.
            // Answers go out as they are written (headers, then each SSE
            // event), not held back for more data.
            let _ = stream.set_nodelay(true);
            let service = service.clone();
            let gateway = gateway.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let serve = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let service = service.clone();
                    let gateway = gateway.clone();
                    async move { Ok::<_, Infallible>(answer(&gateway, &service, req).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), serve);
                tokio::pin!(conn);
                tokio::select! {
                    _ = conn.as_mut() => {}
                    _ = stop.cancelled() => conn.as_mut().graceful_shutdown(),
                }
            });
        }
    });
    Ok((format!("http://127.0.0.1:{port}{PATH}"), accepting))
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_string())).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

async fn answer(
    gateway: &Gateway,
    service: &StreamableHttpService<Handler, LocalSessionManager>,
    req: Request<Incoming>,
) -> Response<Body> {
    let presented = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(caller) = presented.and_then(|p| gateway.caller(p)) else {
        let mut r = plain(
            StatusCode::UNAUTHORIZED,
            "AI Desktop's MCP gateway needs its token: copy the client settings from MCP Hub → Gateway.",
        );
        r.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer realm=\"AI Desktop\""),
        );
        return r;
    };
    if req.uri().path() != PATH {
        return plain(StatusCode::NOT_FOUND, "The MCP endpoint is /mcp.");
    }
    // The handler finds it among the request's parts.
    let mut req = req;
    req.extensions_mut().insert(caller);
    service.handle(req).await
}

#[cfg(test)]
mod tests {
    use super::super::same;

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
        assert!(!same(b"", b"a"));
    }
}
