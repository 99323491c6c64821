//! A loopback LLM provider for tests: a real HTTP/1.1 server on 127.0.0.1
//! speaking the OpenAI Chat Completions streaming protocol (`text/event-stream`
//! chunks with `choices[0].delta`, `tool_calls` fragments, `[DONE]`), answering
//! each `POST /v1/chat/completions` from a script, and `GET /v1/models`. It
//! speaks Anthropic's Messages API too: a `POST /v1/messages` (key in
//! `x-api-key`, `anthropic-version` required) gets the same scripted answer
//! as Anthropic's events (`message_start`, `content_block_*` with
//! `text_delta` / `input_json_delta`, `message_delta` with the stop reason,
//! `message_stop`), so one script serves both protocols. It runs on its own
//! thread, so async tests and the (blocking) e2e test can both use it. No
//! LLM provider can be reached from these machines.

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

pub enum Reply {
    /// SSE events (one chunk each, `gap` apart), then `[DONE]`.
    Stream { events: Vec<Value>, gap: Duration },
    /// These events, then the connection drops without `[DONE]`.
    Break { events: Vec<Value> },
    /// These events, then nothing until the client hangs up.
    Hang { events: Vec<Value> },
    /// These bytes as the body of an event stream, one HTTP chunk (and one
    /// flush) each, then the end of the body: for splits a well-behaved
    /// provider would not make, and for input no provider should send.
    Raw { chunks: Vec<Vec<u8>> },
    /// A plain HTTP answer (errors).
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

/// A request the provider received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    /// Anthropic's key header and API version header.
    pub api_key: Option<String>,
    pub anthropic_version: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct Shared {
    script: VecDeque<Reply>,
    received: Vec<Received>,
    /// When the first content token of each streamed answer was written.
    first_token_at: Vec<SystemTime>,
    /// When the last one was (for answers with text).
    last_token_at: Vec<SystemTime>,
}

pub struct Provider {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

pub const MODEL: &str = "loopback-model";
/// The token counts every answer reports (when the client asks for them).
pub const PROMPT_TOKENS: u64 = 1234;
pub const ANSWER_TOKENS: u64 = 56;

/// OpenAI's last chunk when `stream_options.include_usage` was asked for.
fn usage_chunk() -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": MODEL, "choices": [],
           "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": ANSWER_TOKENS,
                     "total_tokens": PROMPT_TOKENS + ANSWER_TOKENS}})
}

impl Provider {
    /// Starts serving; `key`, if given, is the only bearer token accepted (else 401).
    pub fn start(key: Option<&str>) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let shared = Arc::new(Mutex::new(Shared::default()));
        let key = key.map(str::to_string);
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = s.clone();
                let key = key.clone();
                std::thread::spawn(move || serve(stream, &s, key.as_deref()));
            }
        });
        Provider { url, shared }
    }

    pub fn push(&self, reply: Reply) {
        self.shared.lock().unwrap().script.push_back(reply);
    }

    /// Chat requests received so far.
    pub fn chats(&self) -> Vec<Received> {
        self.shared
            .lock()
            .unwrap()
            .received
            .iter()
            .filter(|r| r.path.ends_with("/chat/completions") || r.path.ends_with("/messages"))
            .cloned()
            .collect()
    }

    /// Every request received so far (chats, model lists), with its
    /// Authorization header.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    pub fn first_token_times(&self) -> Vec<SystemTime> {
        self.shared.lock().unwrap().first_token_at.clone()
    }

    pub fn last_token_times(&self) -> Vec<SystemTime> {
        self.shared.lock().unwrap().last_token_at.clone()
    }

    pub fn unused_replies(&self) -> usize {
        self.shared.lock().unwrap().script.len()
    }
}

pub fn delta(d: Value) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": MODEL,
           "choices": [{"index": 0, "delta": d, "finish_reason": null}]})
}

pub fn finish(reason: &str) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": MODEL,
           "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
}

/// An answer in pieces of text.
pub fn text(pieces: &[&str]) -> Reply {
    let mut events = vec![delta(json!({"role": "assistant", "content": ""}))];
    events.extend(pieces.iter().map(|p| delta(json!({"content": p}))));
    events.push(finish("stop"));
    Reply::Stream {
        events,
        gap: Duration::from_millis(5),
    }
}

/// One tool call whose arguments arrive in `fragments`.
pub fn tool_call(id: &str, name: &str, fragments: &[&str]) -> Reply {
    let mut events = vec![delta(json!({"role": "assistant", "content": null,
        "tool_calls": [{"index": 0, "id": id, "type": "function",
                        "function": {"name": name, "arguments": ""}}]}))];
    events.extend(
        fragments
            .iter()
            .map(|f| delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": f}}]}))),
    );
    events.push(finish("tool_calls"));
    Reply::Stream {
        events,
        gap: Duration::from_millis(5),
    }
}

/// Several tool calls in one answer: (id, function name, arguments).
pub fn tool_calls(calls: &[(String, String, String)]) -> Reply {
    let mut events = vec![delta(json!({"role": "assistant", "content": null}))];
    for (index, (id, name, arguments)) in calls.iter().enumerate() {
        events.push(delta(
            json!({"tool_calls": [{"index": index, "id": id, "type": "function",
            "function": {"name": name, "arguments": arguments}}]}),
        ));
    }
    events.push(finish("tool_calls"));
    Reply::Stream {
        events,
        gap: Duration::from_millis(0),
    }
}

pub fn status(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    Reply::Status {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_string(),
    }
}

fn serve(stream: TcpStream, shared: &Mutex<Shared>, key: Option<&str>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let mut length = 0usize;
    let mut authorization = None;
    let (mut api_key, mut anthropic_version) = (None, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((&line, ""));
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap_or(0),
            "authorization" => authorization = Some(value.trim().to_string()),
            "x-api-key" => api_key = Some(value.trim().to_string()),
            "anthropic-version" => anthropic_version = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let wants_usage = body["stream_options"]["include_usage"] == true;
    shared.lock().unwrap().received.push(Received {
        path: path.clone(),
        authorization: authorization.clone(),
        api_key: api_key.clone(),
        anthropic_version: anthropic_version.clone(),
        body,
    });
    let anthropic = path.ends_with("/messages");

    let plain = |out: &mut TcpStream, status: u16, headers: &[(String, String)], body: &str| {
        let mut head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = out.write_all(head.as_bytes());
        let _ = out.write_all(body.as_bytes());
    };
    if anthropic && anthropic_version.is_none() {
        plain(
            &mut out,
            400,
            &[],
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}}"#,
        );
        return;
    }
    if let Some(key) = key {
        if anthropic && api_key.as_deref() != Some(key) {
            plain(
                &mut out,
                401,
                &[],
                r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
            );
            return;
        }
        if !anthropic
            && authorization.as_deref() != Some(&format!("Bearer {key}"))
            && api_key.as_deref() != Some(key)
        {
            plain(
                &mut out,
                401,
                &[],
                r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#,
            );
            return;
        }
    }
    if path.ends_with("/models") {
        let body = json!({"object": "list", "data": [
            {"id": MODEL, "object": "model"}, {"id": "other-model", "object": "model"}]});
        plain(&mut out, 200, &[], &body.to_string());
        return;
    }
    let reply = shared.lock().unwrap().script.pop_front();
    let Some(reply) = reply else {
        plain(
            &mut out,
            500,
            &[],
            r#"{"error":{"message":"the test script has no reply left"}}"#,
        );
        return;
    };
    let (events, gap, end) = match reply {
        Reply::Status {
            status,
            headers,
            body,
        } => {
            plain(&mut out, status, &headers, &body);
            return;
        }
        Reply::Raw { chunks } => {
            let _ = out.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            for c in chunks {
                let sent = out
                    .write_all(format!("{:x}\r\n", c.len()).as_bytes())
                    .and_then(|_| out.write_all(&c))
                    .and_then(|_| out.write_all(b"\r\n"))
                    .and_then(|_| out.flush());
                if sent.is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = out.write_all(b"0\r\n\r\n");
            let _ = out.shutdown(std::net::Shutdown::Both);
            return;
        }
        Reply::Stream { events, gap } => (events, gap, "done"),
        Reply::Break { events } => (events, Duration::from_millis(5), "break"),
        Reply::Hang { events } => (events, Duration::from_millis(5), "hang"),
    };
    // The script may carry its own usage chunk; else one is sent if asked for.
    let wants_usage = wants_usage && !events.iter().any(|e| e.get("usage").is_some());
    let events = if anthropic {
        as_anthropic(&events)
    } else {
        events
    };
    let _ = out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    let chunk = |out: &mut TcpStream, data: &str| -> bool {
        let c = match serde_json::from_str::<Value>(data) {
            Ok(e) if anthropic => format!(
                "event: {}\ndata: {data}\n\n",
                e["type"].as_str().unwrap_or("")
            ),
            _ => format!("data: {data}\n\n"),
        };
        out.write_all(format!("{:x}\r\n{c}\r\n", c.len()).as_bytes())
            .and_then(|_| out.flush())
            .is_ok()
    };
    let mut first = true;
    let mut last = None;
    for e in events {
        let has_text = e["choices"][0]["delta"]["content"]
            .as_str()
            .or(e["delta"]["text"].as_str())
            .is_some_and(|t| !t.is_empty());
        if has_text && first {
            first = false;
            shared
                .lock()
                .unwrap()
                .first_token_at
                .push(SystemTime::now());
        }
        if !chunk(&mut out, &e.to_string()) {
            return;
        }
        if has_text {
            last = Some(SystemTime::now());
        }
        std::thread::sleep(gap);
    }
    if let Some(t) = last {
        shared.lock().unwrap().last_token_at.push(t);
    }
    match end {
        "done" => {
            if !anthropic {
                if wants_usage {
                    chunk(&mut out, &usage_chunk().to_string());
                }
                chunk(&mut out, "[DONE]");
            }
            let _ = out.write_all(b"0\r\n\r\n");
        }
        "hang" => {
            // Until the client goes away: a read returns 0 or fails then.
            let _ = out.set_read_timeout(Some(Duration::from_secs(60)));
            let mut buf = [0u8; 64];
            let _ = reader.get_mut().read(&mut buf);
        }
        _ => {} // "break": dropped mid-answer
    }
    let _ = out.shutdown(std::net::Shutdown::Both);
}

/// A scripted answer (OpenAI chunks) as Anthropic's Messages events.
fn as_anthropic(events: &[Value]) -> Vec<Value> {
    let mut out = vec![
        json!({"type": "message_start", "message": {"id": "msg_loopback", "type": "message",
            "role": "assistant", "model": MODEL, "content": [], "stop_reason": null,
            "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": 1}}}),
        json!({"type": "ping"}),
    ];
    // The open content block: its index and whether it is text.
    let mut open: Option<(u64, bool)> = None;
    let mut next = 0u64;
    let close = |out: &mut Vec<Value>, open: &mut Option<(u64, bool)>| {
        if let Some((index, _)) = open.take() {
            out.push(json!({"type": "content_block_stop", "index": index}));
        }
    };
    for e in events {
        let choice = &e["choices"][0];
        let delta = &choice["delta"];
        if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
            if !matches!(open, Some((_, true))) {
                close(&mut out, &mut open);
                out.push(json!({"type": "content_block_start", "index": next,
                    "content_block": {"type": "text", "text": ""}}));
                open = Some((next, true));
                next += 1;
            }
            let index = open.map(|(i, _)| i).unwrap_or(0);
            out.push(json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "text_delta", "text": text}}));
        }
        for f in delta["tool_calls"].as_array().into_iter().flatten() {
            if let Some(id) = f["id"].as_str() {
                close(&mut out, &mut open);
                out.push(json!({"type": "content_block_start", "index": next,
                    "content_block": {"type": "tool_use", "id": id,
                        "name": f["function"]["name"], "input": {}}}));
                open = Some((next, false));
                next += 1;
            }
            if let Some(args) = f["function"]["arguments"]
                .as_str()
                .filter(|a| !a.is_empty())
            {
                let index = open.map(|(i, _)| i).unwrap_or(0);
                out.push(json!({"type": "content_block_delta", "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": args}}));
            }
        }
        if let Some(reason) = choice["finish_reason"].as_str() {
            close(&mut out, &mut open);
            let stop = match reason {
                "tool_calls" => "tool_use",
                "length" => "max_tokens",
                _ => "end_turn",
            };
            out.push(
                json!({"type": "message_delta", "delta": {"stop_reason": stop},
                "usage": {"output_tokens": ANSWER_TOKENS}}),
            );
            out.push(json!({"type": "message_stop"}));
        }
    }
    out
}
