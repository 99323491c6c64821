//! The OpenAI-compatible client against the loopback provider of
//! `testkit/llm.rs` (HTTP/1.1, chunked `text/event-stream`), since no LLM
//! provider can be reached from here.

use ai_desktop_api::flow::ProviderProtocol;
use ai_desktop_core::flow::provider::{
    stream_chat, ChatMessage, ProviderConfig, ProviderError, ToolSpec,
};
use ai_desktop_core::testkit::llm::{delta, status, Provider, Reply};
use serde_json::{json, Value};
use std::time::Duration;

/// A provider that answers the next request with `reply`.
fn provider(reply: Reply) -> Provider {
    let p = Provider::start(None);
    p.push(reply);
    p
}

fn stream(events: Vec<Value>) -> Reply {
    Reply::Stream {
        events,
        gap: Duration::from_millis(5),
    }
}

fn config(url: &str) -> ProviderConfig {
    ProviderConfig {
        protocol: ProviderProtocol::Openai,
        base_url: url.into(),
        api_key: Some("sk-test-123".into()),
        model: "llama3.1".into(),
        temperature: Some(0.2),
        max_tokens: Some(256),
    }
}

#[tokio::test]
async fn tokens_arrive_as_they_are_streamed() {
    let p = provider(stream(vec![
        delta(json!({"role": "assistant", "content": ""})),
        delta(json!({"content": "Hel"})),
        delta(json!({"content": "lo!"})),
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
    ]));
    let url = p.url.clone();
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
    let request = &p.chats()[0];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.authorization.as_deref(), Some("Bearer sk-test-123"));
    let body = &request.body;
    assert_eq!(body["model"], "llama3.1");
    assert_eq!(body["stream"], true);
    assert_eq!(body["messages"][0]["content"], "hi");
}

#[tokio::test]
async fn tool_calls_are_assembled_from_their_fragments() {
    let p = provider(stream(vec![
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "echo", "arguments": ""}}]}),
        ),
        delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"mess"}}]})),
        delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "age\": \"hi\"}"}}]})),
        delta(
            json!({"tool_calls": [{"index": 1, "id": "call_2", "function": {"name": "get-sum", "arguments": "{\"a\":1,\"b\":2}"}}]}),
        ),
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
    ]));
    let url = p.url.clone();
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
    let body = &p.chats()[0].body;
    assert_eq!(body["tools"][0]["function"]["name"], "echo");
}

#[tokio::test]
async fn provider_errors_are_readable() {
    let p = provider(status(401, &[], r#"{"error":{"message":"bad key"}}"#));
    let url = p.url.clone();
    let err = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err, ProviderError::Unauthorized);

    let p = provider(status(429, &[("Retry-After", "17")], "{}"));
    let url = p.url.clone();
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

    let p = provider(status(
        404,
        &[],
        r#"{"error":{"message":"model \"llama3.1\" not found"}}"#,
    ));
    let url = p.url.clone();
    let err = stream_chat(
        &config(&url),
        &[ChatMessage::text("user", "hi")],
        &[],
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err, ProviderError::ModelNotFound("llama3.1".into()));

    let p = provider(status(500, &[], r#"{"error":{"message":"out of memory"}}"#));
    let url = p.url.clone();
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
    let p = provider(Reply::Break {
        events: vec![delta(json!({"content": "The answer is"}))],
    });
    let url = p.url.clone();
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

/// `data: …` lines of these events, as one byte string.
fn sse(events: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        out.extend_from_slice(format!("data: {e}\n\n").as_bytes());
    }
    out
}

async fn ask(p: &Provider) -> Result<ai_desktop_core::flow::provider::Completion, ProviderError> {
    ask_with(&config(&p.url)).await
}

/// "hi", with no tools, to the provider `config` names.
async fn ask_with(
    config: &ProviderConfig,
) -> Result<ai_desktop_core::flow::provider::Completion, ProviderError> {
    stream_chat(config, &[ChatMessage::text("user", "hi")], &[], |_| {}).await
}

/// A character split between two network chunks arrives whole: decoding
/// each chunk on its own turned both halves into U+FFFD.
#[tokio::test]
async fn a_character_split_across_chunks_arrives_whole() {
    let text = "héllo wörld 🙂 ✓";
    let body = sse(&[
        delta(json!({"content": text})),
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
    ]);
    let mut body_done = body.clone();
    body_done.extend_from_slice(b"data: [DONE]\n\n");
    // Cut inside every multi-byte character of the text.
    let start = body_done
        .windows(2)
        .position(|w| w == "é".as_bytes())
        .unwrap();
    let emoji = body_done
        .windows(4)
        .position(|w| w == "🙂".as_bytes())
        .unwrap();
    let chunks = vec![
        body_done[..start + 1].to_vec(),
        body_done[start + 1..emoji + 2].to_vec(),
        body_done[emoji + 2..].to_vec(),
    ];
    let p = provider(Reply::Raw { chunks });
    let done = ask(&p).await.unwrap();
    assert_eq!(done.content, text);
}

/// A tool call index of four billion would have the client make room for
/// four billion calls (the test process ran out of memory); refused.
#[tokio::test]
async fn a_huge_tool_call_index_is_refused_without_allocating() {
    let body = sse(&[delta(json!({"tool_calls": [{
        "index": 4_000_000_000u64, "id": "c1", "type": "function",
        "function": {"name": "x", "arguments": "{}"}}]}))]);
    let p = provider(Reply::Raw { chunks: vec![body] });
    match ask(&p).await {
        Err(ProviderError::BrokenStream(why, _)) => {
            assert!(why.contains("tool call number 4000000000"), "{why}")
        }
        other => panic!("{other:?}"),
    }
}

/// An event that never ends (no line break) is cut off at 1 MB instead of
/// being gathered for as long as the provider sends.
#[tokio::test]
async fn an_endless_line_is_cut_off() {
    let mut chunks = vec![b"data: {\"choices\":[{\"delta\":{\"content\":\"".to_vec()];
    for _ in 0..3 {
        chunks.push(vec![b'x'; 1024 * 1024]);
    }
    let p = provider(Reply::Raw { chunks });
    match ask(&p).await {
        Err(ProviderError::BrokenStream(why, _)) => {
            assert!(why.contains("one event passed 1024 kB"), "{why}")
        }
        other => panic!("{other:?}"),
    }
}

fn anthropic(url: &str, key: &str) -> ProviderConfig {
    ProviderConfig {
        protocol: ProviderProtocol::Anthropic,
        api_key: Some(key.into()),
        model: "claude-loopback".into(),
        max_tokens: None,
        ..config(url)
    }
}

#[tokio::test]
async fn anthropic_messages_stream_text_and_tool_calls_natively() {
    use ai_desktop_core::testkit::llm::{text, tool_call};
    let p = Provider::start(Some("sk-ant-test-0123456789"));
    p.push(text(&["Hel", "lo!"]));
    p.push(tool_call(
        "toolu_01",
        "repository__read_file",
        &["{\"path\":", " \"README.md\"}"],
    ));
    p.push(tool_call("toolu_02", "repository__git_status", &[]));
    let config = anthropic(&p.url, "sk-ant-test-0123456789");
    let messages = [
        ChatMessage::text("system", "Be brief."),
        ChatMessage::text("user", "hi"),
    ];
    let mut tokens = Vec::new();
    let done = stream_chat(&config, &messages, &[], |t| tokens.push(t.to_string()))
        .await
        .unwrap();
    assert_eq!(tokens, ["Hel", "lo!"]);
    assert_eq!(done.content, "Hello!");
    assert_eq!(done.finish_reason.as_deref(), Some("stop"));
    let request = &p.chats()[0];
    assert_eq!(request.path, "/v1/messages");
    assert_eq!(request.api_key.as_deref(), Some("sk-ant-test-0123456789"));
    assert_eq!(request.anthropic_version.as_deref(), Some("2023-06-01"));
    assert_eq!(
        request.authorization, None,
        "the key goes in x-api-key only"
    );
    assert_eq!(request.body["system"], "Be brief.");
    assert_eq!(request.body["max_tokens"], 4096);
    assert_eq!(
        request.body["messages"],
        json!([{"role": "user", "content": [{"type": "text", "text": "hi"}]}])
    );

    let tools = [ToolSpec {
        name: "repository__read_file".into(),
        description: "Reads a file.".into(),
        parameters: json!({"type": "object", "properties": {"path": {"type": "string"}}}),
    }];
    let done = stream_chat(&config, &messages, &tools, |_| {})
        .await
        .unwrap();
    assert_eq!(done.finish_reason.as_deref(), Some("tool_calls"));
    assert_eq!(done.tool_calls.len(), 1);
    let call = &done.tool_calls[0];
    assert_eq!(
        (
            call.id.as_str(),
            call.function.name.as_str(),
            call.function.arguments.as_str()
        ),
        (
            "toolu_01",
            "repository__read_file",
            "{\"path\": \"README.md\"}"
        )
    );
    assert_eq!(
        p.chats()[1].body["tools"][0]["input_schema"]["properties"]["path"]["type"],
        "string"
    );
    // A call without arguments streams none: its input is {}.
    let done = stream_chat(&config, &messages, &tools, |_| {})
        .await
        .unwrap();
    assert_eq!(done.tool_calls[0].function.arguments, "{}");
}

#[tokio::test]
async fn anthropic_errors_are_readable_and_a_broken_stream_keeps_what_arrived() {
    // A wrong key: Anthropic's own 401 body.
    let p = Provider::start(Some("sk-ant-right-key-000000"));
    let err = ask_with(&anthropic(&p.url, "sk-ant-wrong"))
        .await
        .unwrap_err();
    assert_eq!(err, ProviderError::Unauthorized);
    // Overloaded (529) says what the provider said.
    let p = provider(status(
        529,
        &[],
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    ));
    let err = ask_with(&anthropic(&p.url, "k")).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Server { status: 529, message } if message == "Overloaded"),
        "{err:?}"
    );
    // Cut before message_stop: what arrived is kept.
    let p = provider(Reply::Break {
        events: vec![delta(
            json!({"role": "assistant", "content": "Half an ans"}),
        )],
    });
    let err = ask_with(&anthropic(&p.url, "k")).await.unwrap_err();
    match err {
        ProviderError::BrokenStream(_, got) => assert_eq!(got.content, "Half an ans"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn token_usage_is_read_in_both_protocols_and_a_server_refusing_the_option_is_asked_again() {
    use ai_desktop_core::testkit::llm::{text, ANSWER_TOKENS, PROMPT_TOKENS};
    let p = Provider::start(None);
    p.push(text(&["counted"]));
    let done = ask_with(&config(&p.url)).await.unwrap();
    let usage = done.usage.expect("usage read from the last chunk");
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.cost),
        (PROMPT_TOKENS, ANSWER_TOKENS, None)
    );
    assert_eq!(
        p.chats()[0].body["stream_options"],
        json!({"include_usage": true})
    );
    // A strict server that does not know the option: asked again without it.
    p.push(status(
        400,
        &[],
        r#"{"error":{"message":"Unrecognized request argument supplied: stream_options"}}"#,
    ));
    p.push(text(&["plain"]));
    let done = ask_with(&config(&p.url)).await.unwrap();
    assert_eq!(done.content, "plain");
    assert_eq!(done.usage, None, "nothing reported, nothing made up");
    let chats = p.chats();
    assert!(
        chats[2].body.get("stream_options").is_none(),
        "{:?}",
        chats[2].body
    );
    // Another 400 is not retried.
    p.push(status(400, &[], r#"{"error":{"message":"bad messages"}}"#));
    let err = ask_with(&config(&p.url)).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Server { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(p.chats().len(), 4);
    // OpenRouter's cost comes through.
    p.push(Reply::Stream {
        events: vec![
            delta(json!({"content": "paid"})),
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 1, "cost": 0.00042}}),
        ],
        gap: Duration::from_millis(1),
    });
    let done = ask_with(&config(&p.url)).await.unwrap();
    assert_eq!(done.usage.unwrap().cost, Some(0.00042));
    // Anthropic: input from message_start, output from message_delta.
    p.push(text(&["claude counted"]));
    let done = ask_with(&anthropic(&p.url, "k")).await.unwrap();
    let usage = done.usage.unwrap();
    assert_eq!(
        (usage.input_tokens, usage.output_tokens),
        (PROMPT_TOKENS, ANSWER_TOKENS)
    );
}
