//! Anthropic's Messages API, natively: the conversation in its shape (the
//! system prompt apart, tool calls as `tool_use` blocks, their results as
//! `tool_result` blocks of the next user turn), streamed as its events
//! (`content_block_start` / `_delta` / `_stop`, `message_delta` with the
//! stop reason, `message_stop`). What comes back is the same [`Completion`]
//! the OpenAI-compatible client gives, so the agent does not know which
//! protocol answered. The same limits apply.

use super::provider::{
    authorized, broken, next_data, refusal, ChatMessage, Completion, DataLines, FunctionCall,
    ProviderConfig, ProviderError, ToolCall, ToolSpec, MAX_ANSWER, MAX_ARGUMENTS, MAX_TOOL_CALLS,
    MAX_TOOL_NAME,
};
use serde_json::{json, Value};
use std::time::Duration;

/// The API version this client is written against (`anthropic-version`).
pub const API_VERSION: &str = "2023-06-01";
/// The API needs a limit on the answer; this one when the settings give none.
const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The request body: the system prompt apart, turns alternating, each
/// turn's content as blocks.
pub fn request_body(
    config: &ProviderConfig,
    messages: &[ChatMessage],
    tools: &[ToolSpec],
) -> Value {
    let mut system: Vec<&str> = Vec::new();
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for m in messages {
        let text = m.content.as_deref().unwrap_or("");
        let (role, blocks) = match m.role.as_str() {
            "system" => {
                if !text.trim().is_empty() {
                    system.push(text);
                }
                continue;
            }
            "assistant" => {
                let mut blocks = Vec::new();
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                for call in &m.tool_calls {
                    // The input must be an object; a call whose arguments
                    // were not one was refused and answered as such.
                    let input = serde_json::from_str::<Value>(&call.function.arguments)
                        .ok()
                        .filter(Value::is_object)
                        .unwrap_or_else(|| json!({}));
                    blocks.push(json!({"type": "tool_use", "id": call.id,
                        "name": call.function.name, "input": input}));
                }
                ("assistant", blocks)
            }
            "tool" => (
                "user",
                vec![json!({"type": "tool_result",
                    "tool_use_id": m.tool_call_id.as_deref().unwrap_or(""),
                    "content": text})],
            ),
            _ => {
                let mut blocks = Vec::new();
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                blocks.extend(m.images.iter().map(|i| {
                    json!({"type": "image", "source": {"type": "base64", "media_type": i.mime, "data": i.data}})
                }));
                ("user", blocks)
            }
        };
        if blocks.is_empty() {
            continue;
        }
        // One turn per role in a row: the results of several calls go back
        // together, in one user turn.
        match turns.last_mut() {
            Some((last, content)) if *last == role => content.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    let mut body = json!({
        "model": config.model,
        "max_tokens": config.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": turns
            .into_iter()
            .map(|(role, content)| json!({"role": role, "content": content}))
            .collect::<Vec<_>>(),
        "stream": true,
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if let Some(t) = config.temperature {
        // Anthropic's range is 0–1.
        body["temperature"] = json!(t.min(1.0));
    }
    if !tools.is_empty() {
        body["tools"] = Value::Array(
            tools
                .iter()
                .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
                .collect(),
        );
    }
    body
}

/// The OpenAI-style finish reason for Anthropic's stop reason.
fn finish_reason(stop_reason: &str) -> String {
    match stop_reason {
        "tool_use" => "tool_calls".into(),
        "end_turn" | "stop_sequence" => "stop".into(),
        "max_tokens" => "length".into(),
        other => other.chars().take(64).collect(),
    }
}

/// Sends the conversation to `{base_url}/messages` and streams the answer.
pub async fn stream_chat(
    config: &ProviderConfig,
    messages: &[ChatMessage],
    tools: &[ToolSpec],
    mut on_token: impl FnMut(&str),
) -> Result<Completion, ProviderError> {
    let url = format!("{}/messages", config.base_url.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ProviderError::Unreachable(url.clone(), e.to_string()))?;
    let body = request_body(config, messages, tools);
    let response = authorized(client.post(&url).json(&body), config)
        .send()
        .await
        .map_err(|e| ProviderError::Unreachable(url.clone(), e.to_string()))?;
    if response.status().as_u16() != 200 {
        return Err(refusal(response, &config.model).await);
    }

    let mut done = Completion::default();
    let mut calls: Vec<ToolCall> = Vec::new();
    // Content block index → the tool call it is (text blocks are not kept).
    let mut tool_blocks: Vec<(u64, usize)> = Vec::new();
    let mut lines = DataLines::default();
    let mut finished = false;
    let mut stream = std::pin::pin!(response.bytes_stream());
    while let Some(batch) = next_data(&mut stream, &mut lines).await {
        let data_lines = match batch {
            Ok(l) => l,
            Err(why) => return Err(broken(why, done, calls)),
        };
        for data in data_lines {
            let Ok(event) = serde_json::from_str::<Value>(&data) else {
                continue;
            };
            let index = event["index"].as_u64().unwrap_or(0);
            let mut text = None;
            match event["type"].as_str().unwrap_or("") {
                "message_start" => {
                    // Input tokens, cached ones included.
                    let u = &event["message"]["usage"];
                    let input = [
                        "input_tokens",
                        "cache_creation_input_tokens",
                        "cache_read_input_tokens",
                    ]
                    .iter()
                    .filter_map(|k| u[k].as_u64())
                    .sum::<u64>();
                    if u["input_tokens"].is_u64() {
                        done.usage = Some(ai_desktop_api::flow::TokenUsage {
                            input_tokens: input,
                            output_tokens: u["output_tokens"].as_u64().unwrap_or(0),
                            cost: None,
                        });
                    }
                }
                "content_block_start" => {
                    let block = &event["content_block"];
                    match block["type"].as_str() {
                        Some("text") => text = block["text"].as_str(),
                        Some("tool_use") => {
                            if calls.len() >= MAX_TOOL_CALLS {
                                return Err(broken(
                                    format!("it asked for more than {MAX_TOOL_CALLS} tool calls"),
                                    done,
                                    calls,
                                ));
                            }
                            let name = block["name"].as_str().unwrap_or("");
                            if name.len() > MAX_TOOL_NAME {
                                return Err(broken(
                                    "a tool call's name was too long".into(),
                                    done,
                                    calls,
                                ));
                            }
                            tool_blocks.push((index, calls.len()));
                            calls.push(ToolCall {
                                id: block["id"]
                                    .as_str()
                                    .unwrap_or("")
                                    .chars()
                                    .take(MAX_TOOL_NAME)
                                    .collect(),
                                kind: "function".into(),
                                function: FunctionCall {
                                    name: name.to_string(),
                                    arguments: String::new(),
                                },
                            });
                        }
                        // Thinking and other blocks are not part of the answer.
                        _ => {}
                    }
                }
                "content_block_delta" => {
                    let delta = &event["delta"];
                    match delta["type"].as_str() {
                        Some("text_delta") => text = delta["text"].as_str(),
                        Some("input_json_delta") => {
                            let part = delta["partial_json"].as_str().unwrap_or("");
                            let Some(&(_, call)) = tool_blocks.iter().find(|(i, _)| *i == index)
                            else {
                                continue;
                            };
                            let arguments = &mut calls[call].function.arguments;
                            if arguments.len() + part.len() > MAX_ARGUMENTS {
                                return Err(broken(
                                    "a tool call's arguments were too long".into(),
                                    done,
                                    calls,
                                ));
                            }
                            arguments.push_str(part);
                        }
                        _ => {}
                    }
                }
                "message_delta" => {
                    if let Some(reason) = event["delta"]["stop_reason"].as_str() {
                        done.finish_reason = Some(finish_reason(reason));
                    }
                    // The answer's tokens so far (the last one is the total).
                    if let Some(out) = event["usage"]["output_tokens"].as_u64() {
                        let usage = done.usage.get_or_insert_with(Default::default);
                        usage.output_tokens = out;
                    }
                }
                "message_stop" => finished = true,
                "error" => {
                    let message = event["error"]["message"]
                        .as_str()
                        .unwrap_or("an error without a message");
                    return Err(broken(
                        format!(
                            "the provider reported: {}",
                            message.chars().take(300).collect::<String>()
                        ),
                        done,
                        calls,
                    ));
                }
                // message_start, content_block_stop, ping
                _ => {}
            }
            if let Some(text) = text.filter(|t| !t.is_empty()) {
                if done.content.len() + text.len() > MAX_ANSWER {
                    return Err(broken(
                        format!("the answer passed {} MB", MAX_ANSWER / (1024 * 1024)),
                        done,
                        calls,
                    ));
                }
                on_token(text);
                done.content.push_str(text);
            }
        }
    }
    // A call without arguments streams none: its input is the empty object.
    for call in &mut calls {
        if call.function.arguments.trim().is_empty() {
            call.function.arguments = "{}".into();
        }
    }
    done.tool_calls = calls;
    if !finished {
        return Err(ProviderError::BrokenStream(
            "the connection closed before the end".into(),
            done,
        ));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::super::provider::ChatImage;
    use super::*;
    use ai_desktop_api::flow::ProviderProtocol;

    fn config() -> ProviderConfig {
        ProviderConfig {
            protocol: ProviderProtocol::Anthropic,
            base_url: "https://api.anthropic.com/v1".into(),
            api_key: None,
            model: "claude-test".into(),
            temperature: Some(1.5),
            max_tokens: None,
        }
    }

    fn call(id: &str, name: &str, arguments: &str) -> ToolCall {
        ToolCall {
            id: id.into(),
            kind: "function".into(),
            function: FunctionCall {
                name: name.into(),
                arguments: arguments.into(),
            },
        }
    }

    #[test]
    fn the_conversation_goes_in_anthropics_shape() {
        let messages = [
            ChatMessage::text("system", "Be brief."),
            ChatMessage::text("user", "Look at two files"),
            ChatMessage {
                role: "assistant".into(),
                content: Some("Reading.".into()),
                tool_calls: vec![
                    call("toolu_1", "repository__read_file", "{\"path\": \"a\"}"),
                    call("toolu_2", "repository__git_status", "not json"),
                ],
                tool_call_id: None,
                images: Vec::new(),
            },
            ChatMessage {
                role: "tool".into(),
                content: Some("a's text".into()),
                tool_calls: Vec::new(),
                tool_call_id: Some("toolu_1".into()),
                images: Vec::new(),
            },
            ChatMessage {
                role: "tool".into(),
                content: Some("clean".into()),
                tool_calls: Vec::new(),
                tool_call_id: Some("toolu_2".into()),
                images: Vec::new(),
            },
            // An empty answer is left out; the user's next turn joins the results.
            ChatMessage::text("assistant", ""),
            ChatMessage {
                images: vec![ChatImage {
                    mime: "image/png".into(),
                    data: "iVBORw0K".into(),
                }],
                ..ChatMessage::text("user", "And now?")
            },
        ];
        let tools = [ToolSpec {
            name: "repository__read_file".into(),
            description: "Reads a file.".into(),
            parameters: json!({"type": "object"}),
        }];
        let body = request_body(&config(), &messages, &tools);
        assert_eq!(
            body,
            json!({
                "model": "claude-test",
                "max_tokens": 4096,
                "stream": true,
                "system": "Be brief.",
                "temperature": 1.0,
                "tools": [{"name": "repository__read_file", "description": "Reads a file.",
                           "input_schema": {"type": "object"}}],
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "Look at two files"}]},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "Reading."},
                        {"type": "tool_use", "id": "toolu_1", "name": "repository__read_file", "input": {"path": "a"}},
                        {"type": "tool_use", "id": "toolu_2", "name": "repository__git_status", "input": {}}
                    ]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "a's text"},
                        {"type": "tool_result", "tool_use_id": "toolu_2", "content": "clean"},
                        {"type": "text", "text": "And now?"},
                        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0K"}}
                    ]}
                ]
            })
        );
    }

    #[test]
    fn stop_reasons_read_as_the_agent_expects() {
        assert_eq!(finish_reason("tool_use"), "tool_calls");
        assert_eq!(finish_reason("end_turn"), "stop");
        assert_eq!(finish_reason("max_tokens"), "length");
        assert_eq!(finish_reason("refusal"), "refusal");
    }
}
