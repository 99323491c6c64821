//! An OpenAI-compatible Chat Completions client with streaming and tool
//! calling: what Ollama, LM Studio, llama.cpp's server, vLLM, OpenAI and most
//! hosted gateways speak. Tokens are handed over as they arrive; tool calls
//! are assembled from their streamed fragments. Errors say what happened in
//! words a person can act on, and what was already received is kept.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

/// Longest line of the event stream taken (one `data:` event).
pub const MAX_LINE: usize = 1024 * 1024;
/// Most text kept of one answer.
pub const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// Most tool calls one answer may ask for (their `index` must be below it).
pub const MAX_TOOL_CALLS: usize = 64;
/// Longest tool name and arguments taken of one call.
pub const MAX_TOOL_NAME: usize = 256;
pub const MAX_ARGUMENTS: usize = 1024 * 1024;
/// Most of an error body (or model list) read.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// At most `max` bytes of a response body, and whether that was all of it
/// (false also when the body broke off).
async fn body_capped(response: reqwest::Response, max: usize) -> (Vec<u8>, bool) {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return (body, false);
        };
        if body.len() + chunk.len() > max {
            body.extend_from_slice(&chunk[..max - body.len()]);
            return (body, false);
        }
        body.extend_from_slice(&chunk);
    }
    (body, true)
}

/// Where and how to ask.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    /// The wire protocol: OpenAI's Chat Completions or Anthropic's Messages.
    pub protocol: ai_desktop_api::flow::ProviderProtocol,
    /// e.g. `http://127.0.0.1:11434/v1` (Ollama) or `https://api.openai.com/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
}

/// One message of the conversation, as the API takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tool_calls: Vec<ToolCall>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Pictures sent with a user message (each protocol puts them its way).
    #[serde(skip)]
    pub images: Vec<ChatImage>,
}

/// An image of a user message: its type and its bytes as base64.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatImage {
    pub mime: String,
    pub data: String,
}

impl ChatMessage {
    pub fn text(role: &str, content: &str) -> ChatMessage {
        ChatMessage {
            role: role.into(),
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_call_id: None,
            images: Vec::new(),
        }
    }

    /// The message in the OpenAI chat shape: with images, its content is a
    /// list of a `text` part and `image_url` parts holding data URLs.
    pub fn openai(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if !self.images.is_empty() {
            let mut parts =
                vec![json!({"type": "text", "text": self.content.as_deref().unwrap_or("")})];
            parts.extend(self.images.iter().map(|i| {
                json!({"type": "image_url", "image_url": {"url": format!("data:{};base64,{}", i.mime, i.data)}})
            }));
            v["content"] = Value::Array(parts);
        }
        v
    }
}

/// A tool the model may call: a name, a description, a JSON Schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

/// A call the model asked for; `arguments` is the JSON text it produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: FunctionCall,
}

fn function_type() -> String {
    "function".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    pub name: String,
    pub arguments: String,
}

/// What a finished (or broken) answer holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<String>,
    /// The tokens it took, when the provider reported them.
    pub usage: Option<ai_desktop_api::flow::TokenUsage>,
}

/// An OpenAI-style `usage` object (`prompt_tokens`, `completion_tokens`,
/// and OpenRouter's `cost`), if it is one.
fn usage_of(usage: &Value) -> Option<ai_desktop_api::flow::TokenUsage> {
    Some(ai_desktop_api::flow::TokenUsage {
        input_tokens: usage["prompt_tokens"].as_u64()?,
        output_tokens: usage["completion_tokens"].as_u64()?,
        cost: usage["cost"]
            .as_f64()
            .filter(|c| c.is_finite() && *c >= 0.0),
    })
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("The provider refused the API key (401). Check the key in the settings.")]
    Unauthorized,
    #[error("The provider is rate limiting{}. Try again later.", .retry_after.map(|s| format!(" (retry after {s} s)")).unwrap_or_default())]
    RateLimited { retry_after: Option<u64> },
    #[error("The model \"{0}\" was not found on this provider.")]
    ModelNotFound(String),
    #[error("The provider failed ({status}): {message}")]
    Server { status: u16, message: String },
    #[error("The answer stopped in the middle ({0}); what arrived is kept.")]
    BrokenStream(String, Completion),
    #[error("Could not reach the provider at {0}: {1}")]
    Unreachable(String, String),
}

/// `request` with the key as the protocol sends it: a bearer token, or
/// Anthropic's `x-api-key` with the API version it is written against.
pub(super) fn authorized(
    request: reqwest::RequestBuilder,
    config: &ProviderConfig,
) -> reqwest::RequestBuilder {
    let key = config.api_key.as_deref().filter(|k| !k.is_empty());
    match config.protocol {
        ai_desktop_api::flow::ProviderProtocol::Openai => match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        },
        ai_desktop_api::flow::ProviderProtocol::Anthropic => {
            let request = request.header("anthropic-version", super::anthropic::API_VERSION);
            match key {
                Some(key) => request.header("x-api-key", key),
                None => request,
            }
        }
    }
}

/// What an answer other than 200 means. Both protocols put the reason in
/// `error.message`.
pub(super) async fn refusal(response: reqwest::Response, model: &str) -> ProviderError {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = String::from_utf8_lossy(&body_capped(response, 64 * 1024).await.0).into_owned();
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| text.chars().take(300).collect());
    match status {
        401 | 403 => ProviderError::Unauthorized,
        429 => ProviderError::RateLimited { retry_after },
        404 => ProviderError::ModelNotFound(model.to_string()),
        _ if message.contains("model") && message.contains("not found") => {
            ProviderError::ModelNotFound(model.to_string())
        }
        _ => ProviderError::Server { status, message },
    }
}

/// The `data:` payloads of an event stream, taken as whole lines arrive
/// (bytes, not text: a character split across two network chunks is only
/// decoded once its line is whole).
#[derive(Default)]
pub(super) struct DataLines {
    pending: Vec<u8>,
}

impl DataLines {
    /// The payloads `chunk` completes; Err when one line passes [`MAX_LINE`].
    pub(super) fn push(&mut self, chunk: &[u8]) -> Result<Vec<String>, String> {
        self.pending.extend_from_slice(chunk);
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(end) = self.pending[start..].iter().position(|b| *b == b'\n') {
            let line = String::from_utf8_lossy(&self.pending[start..start + end]).into_owned();
            start += end + 1;
            if let Some(data) = line.trim().strip_prefix("data:") {
                out.push(data.trim().to_string());
            }
        }
        self.pending.drain(..start);
        if self.pending.len() > MAX_LINE {
            return Err(format!("one event passed {} kB", MAX_LINE / 1024));
        }
        Ok(out)
    }
}

/// The next payloads of an event stream: None at its end; Err (saying
/// why) when it broke off or one line passed [`MAX_LINE`].
pub(super) async fn next_data<S, B, E>(
    stream: &mut S,
    lines: &mut DataLines,
) -> Option<Result<Vec<String>, String>>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    Some(match stream.next().await? {
        Ok(chunk) => lines.push(chunk.as_ref()),
        Err(e) => Err(e.to_string()),
    })
}

/// An answer that broke off: what arrived of it, and why.
pub(super) fn broken(why: String, mut done: Completion, calls: Vec<ToolCall>) -> ProviderError {
    done.tool_calls = calls;
    ProviderError::BrokenStream(why, done)
}

/// Sends the conversation and streams the answer: `on_token` gets each piece
/// of text as it arrives. Returns the whole answer (text and tool calls).
pub async fn stream_chat(
    config: &ProviderConfig,
    messages: &[ChatMessage],
    tools: &[ToolSpec],
    mut on_token: impl FnMut(&str),
) -> Result<Completion, ProviderError> {
    if config.protocol == ai_desktop_api::flow::ProviderProtocol::Anthropic {
        return super::anthropic::stream_chat(config, messages, tools, on_token).await;
    }
    let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
    let mut body = json!({
        "model": config.model,
        "messages": messages.iter().map(ChatMessage::openai).collect::<Vec<_>>(),
        "stream": true,
        // The token counts, in a last chunk (OpenAI, vLLM, LM Studio, Ollama,
        // OpenRouter); a server that refuses the option is asked again without.
        "stream_options": {"include_usage": true},
    });
    if let Some(t) = config.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(m) = config.max_tokens {
        body["max_tokens"] = json!(m);
    }
    if !tools.is_empty() {
        body["tools"] = Value::Array(
            tools
                .iter()
                .map(|t| {
                    json!({"type": "function", "function": {
                        "name": t.name, "description": t.description, "parameters": t.parameters
                    }})
                })
                .collect(),
        );
    }
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ProviderError::Unreachable(url.clone(), e.to_string()))?;
    let send = |body: &Value| authorized(client.post(&url).json(body), config).send();
    let mut response = send(&body)
        .await
        .map_err(|e| ProviderError::Unreachable(url.clone(), e.to_string()))?;
    if matches!(response.status().as_u16(), 400 | 422) {
        let refused = refusal(response, &config.model).await;
        if !refused.to_string().contains("stream_options") {
            return Err(refused);
        }
        body.as_object_mut().map(|b| b.remove("stream_options"));
        response = send(&body)
            .await
            .map_err(|e| ProviderError::Unreachable(url.clone(), e.to_string()))?;
    }
    if response.status().as_u16() != 200 {
        return Err(refusal(response, &config.model).await);
    }

    let mut done = Completion::default();
    // Tool calls arrive in fragments keyed by index.
    let mut calls: Vec<ToolCall> = Vec::new();
    let mut lines = DataLines::default();
    let mut finished = false;
    let mut stream = std::pin::pin!(response.bytes_stream());
    while let Some(batch) = next_data(&mut stream, &mut lines).await {
        let data_lines = match batch {
            Ok(l) => l,
            Err(why) => return Err(broken(why, done, calls)),
        };
        for data in data_lines {
            if data == "[DONE]" {
                finished = true;
                continue;
            }
            let Ok(event) = serde_json::from_str::<Value>(&data) else {
                continue;
            };
            if let Some(usage) = usage_of(&event["usage"]) {
                done.usage = Some(usage);
            }
            let choice = &event["choices"][0];
            if let Some(reason) = choice["finish_reason"].as_str() {
                done.finish_reason = Some(reason.chars().take(64).collect());
            }
            let delta = &choice["delta"];
            if let Some(text) = delta["content"].as_str() {
                if done.content.len() + text.len() > MAX_ANSWER {
                    return Err(broken(
                        format!("the answer passed {} MB", MAX_ANSWER / (1024 * 1024)),
                        done,
                        calls,
                    ));
                }
                if !text.is_empty() {
                    on_token(text);
                    done.content.push_str(text);
                }
            }
            if let Some(fragments) = delta["tool_calls"].as_array() {
                for f in fragments {
                    let index = f["index"].as_u64().unwrap_or(0);
                    let Some(index) = usize::try_from(index).ok().filter(|i| *i < MAX_TOOL_CALLS)
                    else {
                        return Err(broken(
                            format!(
                                "it asked for tool call number {index}; at most {MAX_TOOL_CALLS} are taken"
                            ),
                            done,
                            calls,
                        ));
                    };
                    while calls.len() <= index {
                        calls.push(ToolCall {
                            id: String::new(),
                            kind: function_type(),
                            function: FunctionCall {
                                name: String::new(),
                                arguments: String::new(),
                            },
                        });
                    }
                    let call = &mut calls[index];
                    if let Some(id) = f["id"].as_str() {
                        call.id = id.chars().take(MAX_TOOL_NAME).collect();
                    }
                    let name = f["function"]["name"].as_str().unwrap_or("");
                    let args = f["function"]["arguments"].as_str().unwrap_or("");
                    if call.function.name.len() + name.len() > MAX_TOOL_NAME
                        || call.function.arguments.len() + args.len() > MAX_ARGUMENTS
                    {
                        return Err(broken(
                            "a tool call's name or arguments were too long".into(),
                            done,
                            calls,
                        ));
                    }
                    call.function.name.push_str(name);
                    call.function.arguments.push_str(args);
                }
            }
        }
    }
    done.tool_calls = calls;
    if !finished && done.finish_reason.is_none() {
        return Err(ProviderError::BrokenStream(
            "the connection closed before the end".into(),
            done,
        ));
    }
    Ok(done)
}

/// The models the provider lists (`GET /models`). `Ok(None)` when it does
/// not offer that endpoint (404/405), which some servers do not.
pub async fn list_models(config: &ProviderConfig) -> Result<Option<Vec<String>>, ProviderError> {
    let url = format!("{}/models", config.base_url.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| ProviderError::Unreachable(url.clone(), e.to_string()))?;
    let response = authorized(client.get(&url), config)
        .send()
        .await
        .map_err(|e| ProviderError::Unreachable(url.clone(), e.to_string()))?;
    let status = response.status().as_u16();
    match status {
        200 => {}
        401 | 403 => return Err(ProviderError::Unauthorized),
        404 | 405 => return Ok(None),
        429 => return Err(ProviderError::RateLimited { retry_after: None }),
        _ => {
            let (text, _) = body_capped(response, 64 * 1024).await;
            return Err(ProviderError::Server {
                status,
                message: String::from_utf8_lossy(&text).chars().take(300).collect(),
            });
        }
    }
    let (bytes, whole) = body_capped(response, MAX_BODY).await;
    if !whole {
        return Err(ProviderError::Server {
            status,
            message: format!(
                "the model list is over {} MB or broke off",
                MAX_BODY / (1024 * 1024)
            ),
        });
    }
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| ProviderError::Server {
        status,
        message: format!("the model list is not JSON: {e}"),
    })?;
    let mut models: Vec<String> = body["data"]
        .as_array()
        .or_else(|| body["models"].as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|m| m["id"].as_str().or_else(|| m["name"].as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    models.sort();
    models.dedup();
    Ok(Some(models))
}
