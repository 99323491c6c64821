//! The OpenAI-compatible client against a loopback server speaking the real
//! wire protocol (HTTP/1.1, `text/event-stream` chunks), since no LLM
//! provider can be reached from here.

use ai_desktop::flow::provider::{
    stream_chat, ChatMessage, ProviderConfig, ProviderError, ToolSpec,
};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the loopback provider answers to one request.
enum Reply {
    /// SSE events, then `[DONE]` if `finish`.
    Stream { events: Vec<Value>, finish: bool },
    Status {
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: &'static str,
    },
}

/// Serves `reply` once; returns the base URL and a handle yielding the
/// request it received (headers + body).
async fn provider(reply: Reply) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 8192];
        // Headers, then as much body as Content-Length says.
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some(head_end) = text.find("\r\n\r\n") {
                let length = text[..head_end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if request.len() >= head_end + 4 + length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        match reply {
            Reply::Status {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                socket.write_all(head.as_bytes()).await.unwrap();
                socket.write_all(body.as_bytes()).await.unwrap();
            }
            Reply::Stream { events, finish } => {
                socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .await
                    .unwrap();
                let mut chunks: Vec<String> =
                    events.iter().map(|e| format!("data: {e}\n\n")).collect();
                if finish {
                    chunks.push("data: [DONE]\n\n".into());
                }
                for c in chunks {
                    socket
                        .write_all(format!("{:x}\r\n{c}\r\n", c.len()).as_bytes())
                        .await
                        .unwrap();
                    socket.flush().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                if finish {
                    socket.write_all(b"0\r\n\r\n").await.unwrap();
                }
                // Without `finish` the connection just drops: a broken stream.
            }
        }
        String::from_utf8_lossy(&request).to_string()
    });
    (url, handle)
}

fn config(url: &str) -> ProviderConfig {
    ProviderConfig {
        base_url: url.into(),
        api_key: Some("sk-test-123".into()),
        model: "llama3.1".into(),
        temperature: Some(0.2),
        max_tokens: Some(256),
    }
}

fn delta(content: Value) -> Value {
    json!({"choices": [{"index": 0, "delta": content, "finish_reason": null}]})
}

#[tokio::test]
async fn tokens_arrive_as_they_are_streamed() {
    let (url, request) = provider(Reply::Stream {
        events: vec![
            delta(json!({"role": "assistant", "content": ""})),
            delta(json!({"content": "Hel"})),
            delta(json!({"content": "lo!"})),
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
        ],
        finish: true,
    })
    .await;
    let mut tokens = Vec::new();
    let done = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |t| tokens.push(t.to_string()),
    )
    .await
    .unwrap();
    assert_eq!(tokens, ["Hel", "lo!"]);
    assert_eq!(done.content, "Hello!");
    assert_eq!(done.finish_reason.as_deref(), Some("stop"));
    let request = request.await.unwrap();
    assert!(
        request.starts_with("POST /v1/chat/completions"),
        "{request}"
    );
    assert!(request
        .to_ascii_lowercase()
        .contains("authorization: bearer sk-test-123"));
    let body: Value =
        serde_json::from_str(&request[request.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!(body["model"], "llama3.1");
    assert_eq!(body["stream"], true);
    assert_eq!(body["messages"][0]["content"], "hi");
}

#[tokio::test]
async fn tool_calls_are_assembled_from_their_fragments() {
    let (url, request) = provider(Reply::Stream {
        events: vec![
            delta(json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "echo", "arguments": ""}}]})),
            delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"mess"}}]})),
            delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "age\": \"hi\"}"}}]})),
            delta(json!({"tool_calls": [{"index": 1, "id": "call_2", "function": {"name": "get-sum", "arguments": "{\"a\":1,\"b\":2}"}}]})),
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
        ],
        finish: true,
    })
    .await;
    let tools = [ToolSpec {
        name: "echo".into(),
        description: "Echoes back the input string".into(),
        parameters: json!({"type": "object", "properties": {"message": {"type": "string"}}}),
    }];
    let done = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "echo hi")],
        &tools,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(done.tool_calls.len(), 2);
    assert_eq!(done.tool_calls[0].id, "call_1");
    assert_eq!(done.tool_calls[0].function.name, "echo");
    let args: Value = serde_json::from_str(&done.tool_calls[0].function.arguments).unwrap();
    assert_eq!(args, json!({"message": "hi"}));
    assert_eq!(done.tool_calls[1].function.name, "get-sum");
    assert_eq!(done.finish_reason.as_deref(), Some("tool_calls"));
    let request = request.await.unwrap();
    let body: Value =
        serde_json::from_str(&request[request.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!(body["tools"][0]["function"]["name"], "echo");
}

#[tokio::test]
async fn provider_errors_are_readable() {
    let (url, _) = provider(Reply::Status {
        status: 401,
        headers: vec![],
        body: r#"{"error":{"message":"bad key"}}"#,
    })
    .await;
    let err = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err, ProviderError::Unauthorized);

    let (url, _) = provider(Reply::Status {
        status: 429,
        headers: vec![("Retry-After", "17")],
        body: "{}",
    })
    .await;
    let err = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        ProviderError::RateLimited {
            retry_after: Some(17)
        }
    );
    assert!(err.to_string().contains("retry after 17 s"), "{err}");

    let (url, _) = provider(Reply::Status {
        status: 404,
        headers: vec![],
        body: r#"{"error":{"message":"model \"llama3.1\" not found"}}"#,
    })
    .await;
    let err = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err, ProviderError::ModelNotFound("llama3.1".into()));

    let (url, _) = provider(Reply::Status {
        status: 500,
        headers: vec![],
        body: r#"{"error":{"message":"out of memory"}}"#,
    })
    .await;
    let err = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Server { status: 500, message } if message == "out of memory"),
        "{err:?}"
    );

    let err = stream_chat(
        &config("http://127.0.0.1:9/v1"),
        &[ChatMessage::text("user", "hi")],
        &[],
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ProviderError::Unreachable(..)), "{err:?}");
}

#[tokio::test]
async fn a_broken_stream_keeps_what_arrived() {
    let (url, _) = provider(Reply::Stream {
        events: vec![delta(json!({"content": "The answer is"}))],
        finish: false,
    })
    .await;
    let mut seen = String::new();
    let err = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |t| seen.push_str(t),
    )
    .await
    .unwrap_err();
    match err {
        ProviderError::BrokenStream(_, partial) => assert_eq!(partial.content, "The answer is"),
        other => panic!("{other:?}"),
    }
    assert_eq!(seen, "The answer is");
}
