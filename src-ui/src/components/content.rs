//! What an MCP server answers (a tool result, a resource, a prompt): text
//! (JSON pretty-printed), images, audio, embedded resources and links.

use ai_desktop_api::mcp::McpContent;
use leptos::prelude::*;

/// Text that is JSON is shown pretty-printed.
pub fn pretty(text: &str) -> String {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
            return serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string());
        }
    }
    text.to_string()
}

pub fn content_view(content: McpContent) -> AnyView {
    match content {
        McpContent::Text { text } => {
            view! { <pre class="pre content-text" data-testid="content-text">{pretty(&text)}</pre> }
                .into_any()
        }
        McpContent::Image { data, mime_type } => view! {
            <img class="content-image" alt="Image returned by the tool" src=format!("data:{mime_type};base64,{data}")/>
        }
        .into_any(),
        McpContent::Audio { data, mime_type } => view! {
            <audio controls=true src=format!("data:{mime_type};base64,{data}")></audio>
        }
        .into_any(),
        McpContent::Resource {
            uri,
            mime_type,
            text,
            blob,
        } => view! {
            <div class="content-resource">
                <div class="mono small-text">{uri}{mime_type.map(|m| format!(" · {m}"))}</div>
                {text.map(|t| view! { <pre class="pre">{pretty(&t)}</pre> })}
                {blob.map(|b| view! { <div class="muted small-text">{format!("{} bytes of binary data (base64)", b.len() * 3 / 4)}</div> })}
            </div>
        }
        .into_any(),
        McpContent::ResourceLink {
            uri,
            name,
            description,
            ..
        } => view! {
            <div class="content-resource">
                <strong>{name}</strong>" "<span class="mono small-text">{uri}</span>
                {description.map(|d| view! { <div class="muted small-text">{d}</div> })}
            </div>
        }
        .into_any(),
        McpContent::Other { json } => {
            view! { <pre class="pre mono">{serde_json::to_string_pretty(&json).unwrap_or_default()}</pre> }
                .into_any()
        }
    }
}
