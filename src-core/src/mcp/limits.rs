//! How much of a tool result the app keeps. A server decides how much it
//! returns; the app stores it, sends it to the page (the history holds the
//! last 200 calls) and back to the model, so what is kept of one call is
//! bounded here, and a cut result says so in its own content.

use ai_desktop_api::mcp::McpContent;
use serde_json::Value;

/// Text kept of one result (all its text items together).
pub const MAX_TEXT: usize = 256 * 1024;
/// Base64 data (images, audio, blobs) kept of one result.
pub const MAX_DATA: usize = 2 * 1024 * 1024;
/// Structured content kept (as JSON text); a larger one is dropped.
pub const MAX_STRUCTURED: usize = 256 * 1024;
/// What the history sends to the page at once; older calls beyond it come
/// without their content.
pub const MAX_HISTORY: usize = 8 * 1024 * 1024;

/// `n` bytes for a person: "512 kB", "3.4 MB".
pub fn size(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", n.div_ceil(1024))
    }
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut cut = max.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// The result as it is kept: text beyond [`MAX_TEXT`] cut, data beyond
/// [`MAX_DATA`] left out, structured content beyond [`MAX_STRUCTURED`]
/// dropped — each with a note in the content saying what went.
pub fn limit(
    content: Vec<McpContent>,
    structured: Option<Value>,
) -> (Vec<McpContent>, Option<Value>) {
    let mut text_left = MAX_TEXT;
    let mut data_left = MAX_DATA;
    let mut notes: Vec<String> = Vec::new();
    let mut kept = Vec::with_capacity(content.len());
    for item in content {
        match item {
            McpContent::Text { text } => {
                if text.len() <= text_left {
                    text_left -= text.len();
                    kept.push(McpContent::Text { text });
                } else {
                    let cut = prefix(&text, text_left).to_string();
                    text_left -= cut.len();
                    if cut.is_empty() {
                        notes.push(format!("a text of {} was left out", size(text.len())));
                    } else {
                        notes.push(format!(
                            "a text of {} was cut to its first {}",
                            size(text.len()),
                            size(cut.len())
                        ));
                        kept.push(McpContent::Text { text: cut });
                    }
                }
            }
            McpContent::Image { data, mime_type } | McpContent::Audio { data, mime_type }
                if data.len() > data_left =>
            {
                notes.push(format!(
                    "{mime_type} data of {} was left out",
                    size(data.len())
                ));
            }
            McpContent::Resource {
                uri,
                mime_type,
                text,
                blob,
            } => {
                let text = text.map(|t| {
                    if t.len() <= text_left {
                        text_left -= t.len();
                        t
                    } else {
                        let cut = prefix(&t, text_left).to_string();
                        notes.push(format!(
                            "the text of {uri} ({}) was cut to its first {}",
                            size(t.len()),
                            size(cut.len())
                        ));
                        text_left -= cut.len();
                        cut
                    }
                });
                let blob = blob.and_then(|b| {
                    if b.len() <= data_left {
                        data_left -= b.len();
                        Some(b)
                    } else {
                        notes.push(format!(
                            "the data of {uri} ({}) was left out",
                            size(b.len())
                        ));
                        None
                    }
                });
                kept.push(McpContent::Resource {
                    uri,
                    mime_type,
                    text,
                    blob,
                });
            }
            McpContent::Other { json } => {
                let n = json.to_string().len();
                if n <= text_left {
                    text_left -= n;
                    kept.push(McpContent::Other { json });
                } else {
                    notes.push(format!("an item of {} was left out", size(n)));
                }
            }
            other => {
                if let McpContent::Image { data, .. } | McpContent::Audio { data, .. } = &other {
                    data_left -= data.len();
                }
                kept.push(other);
            }
        }
    }
    let structured = structured.filter(|s| {
        let n = s.to_string().len();
        let fits = n <= MAX_STRUCTURED;
        if !fits {
            notes.push(format!("structured content of {} was left out", size(n)));
        }
        fits
    });
    if !notes.is_empty() {
        kept.push(McpContent::Text {
            text: format!(
                "[AI Desktop kept part of this result: {}. Limits per call: {} of text, {} of data.]",
                notes.join("; "),
                size(MAX_TEXT),
                size(MAX_DATA)
            ),
        });
    }
    (kept, structured)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> McpContent {
        McpContent::Text { text: s.into() }
    }

    #[test]
    fn a_small_result_is_kept_whole() {
        let (kept, structured) = limit(vec![text("hello")], Some(serde_json::json!({"a": 1})));
        assert_eq!(kept, vec![text("hello")]);
        assert_eq!(structured, Some(serde_json::json!({"a": 1})));
    }

    #[test]
    fn a_huge_result_is_cut_and_says_so() {
        let big = "é".repeat(MAX_TEXT); // 2 bytes each: twice the limit
        let image = McpContent::Image {
            data: "A".repeat(MAX_DATA + 1),
            mime_type: "image/png".into(),
        };
        let structured = serde_json::json!({"rows": "x".repeat(MAX_STRUCTURED)});
        let (kept, structured) = limit(vec![text(&big), image, text("tail")], Some(structured));
        assert!(structured.is_none());
        let McpContent::Text { text: first } = &kept[0] else {
            panic!("{kept:?}")
        };
        assert_eq!(
            first.len(),
            MAX_TEXT,
            "cut at the limit, on a character boundary"
        );
        assert!(kept.iter().all(|c| !matches!(c, McpContent::Image { .. })));
        let McpContent::Text { text: note } = kept.last().unwrap() else {
            panic!("{kept:?}")
        };
        assert!(note.contains("cut to its first 256 kB"), "{note}");
        assert!(
            note.contains("image/png data of 2.0 MB was left out"),
            "{note}"
        );
        assert!(note.contains("structured content"), "{note}");
        let total: usize = kept
            .iter()
            .map(|c| serde_json::to_string(c).unwrap().len())
            .sum();
        assert!(total < MAX_TEXT + MAX_DATA + 4096, "{total}");
    }
}
