//! The conversation as messages: building them, and what the model is
//! sent of it.

use super::*;

pub(super) fn message(session_id: i64, role: FlowRole, content: String) -> FlowMessage {
    FlowMessage {
        id: 0,
        session_id,
        role,
        content,
        status: MessageStatus::Done,
        tool_calls: Vec::new(),
        tool_call_id: None,
        tool_result: None,
        error: None,
        model: None,
        usage: None,
        created_at: String::new(),
        attachments: Vec::new(),
    }
}

pub(super) fn tool_message(session_id: i64, result: FlowToolResult) -> FlowMessage {
    let mut m = message(session_id, FlowRole::Tool, result_text(&result));
    m.tool_call_id = Some(result.tool_call_id.clone());
    m.tool_result = Some(result);
    m
}

pub(super) fn refused(call: &FlowToolCall, error: String) -> FlowToolResult {
    FlowToolResult {
        tool_call_id: call.id.clone(),
        content: Vec::new(),
        structured_content: None,
        is_error: false,
        error: Some(error),
        duration_ms: None,
    }
}

/// The conversation as the API takes it: failed or stopped answers are left
/// out (the user still sees them), tool results follow their calls.
/// `files`: the bytes of the user messages' attachments, by message.
pub(super) fn history(
    system_prompt: &str,
    messages: &[FlowMessage],
    files: &std::collections::HashMap<i64, Vec<Vec<u8>>>,
) -> Vec<ChatMessage> {
    let mut out = Vec::with_capacity(messages.len() + 1);
    if !system_prompt.trim().is_empty() {
        out.push(ChatMessage::text("system", system_prompt));
    }
    for m in messages {
        match m.role {
            FlowRole::User if m.attachments.is_empty() => {
                out.push(ChatMessage::text("user", &m.content))
            }
            FlowRole::User => {
                let mut text = m.content.clone();
                let mut images = Vec::new();
                let bytes = files.get(&m.id);
                for (i, a) in m.attachments.iter().enumerate() {
                    let Some(data) = bytes.and_then(|b| b.get(i)) else {
                        continue;
                    };
                    if a.mime.starts_with("image/") {
                        images.push(ChatImage {
                            mime: a.mime.clone(),
                            data: super::attachments::encode(data),
                        });
                    } else {
                        if !text.is_empty() {
                            text.push_str("\n\n");
                        }
                        text.push_str(&super::attachments::text_block(
                            &a.name,
                            &String::from_utf8_lossy(data),
                        ));
                    }
                }
                let mut chat = ChatMessage::text("user", &text);
                chat.images = images;
                out.push(chat);
            }
            FlowRole::Assistant if m.status == MessageStatus::Done => out.push(ChatMessage {
                role: "assistant".into(),
                content: (!m.content.is_empty() || m.tool_calls.is_empty())
                    .then(|| m.content.clone()),
                tool_calls: m
                    .tool_calls
                    .iter()
                    .map(|c| ToolCall {
                        id: c.id.clone(),
                        kind: "function".into(),
                        function: FunctionCall {
                            name: c.name.clone(),
                            arguments: c.arguments.clone(),
                        },
                    })
                    .collect(),
                tool_call_id: None,
                images: Vec::new(),
            }),
            FlowRole::Assistant => {}
            FlowRole::Tool => out.push(ChatMessage {
                role: "tool".into(),
                content: Some(m.content.clone()),
                tool_calls: Vec::new(),
                tool_call_id: m.tool_call_id.clone(),
                images: Vec::new(),
            }),
        }
    }
    out
}
