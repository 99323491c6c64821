//! Markdown of model answers to HTML that is safe to put in the page: the
//! model's own HTML is shown as text, links keep only http(s)/mailto targets
//! (and open nothing by themselves: the view copies them), images become
//! links (nothing is fetched), code blocks get a language label and a Copy
//! button.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
}

/// A fenced block's language, reduced to characters that are safe anywhere.
fn language(info: &str) -> String {
    info.split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_' | '.'))
        .take(24)
        .collect()
}

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    // Links whose target is refused are dropped with their end tag.
    let mut dropped_links: Vec<bool> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            // What the model wrote as HTML is text here.
            Event::Html(s) | Event::InlineHtml(s) => events.push(Event::Text(s)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let ok = safe_url(&dest_url);
                dropped_links.push(!ok);
                if ok {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if dropped_links.pop() == Some(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let ok = safe_url(&dest_url);
                dropped_links.push(!ok);
                if ok {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                events.push(Event::Text(CowStr::from("image: ")));
            }
            Event::End(TagEnd::Image) => {
                if dropped_links.pop() == Some(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => language(info),
                    CodeBlockKind::Indented => String::new(),
                };
                events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"code-block\"><div class=\"code-head\"><span>{lang}</span>\
                     <button type=\"button\" class=\"copy-code\">Copy</button></div>"
                ))));
                events.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                events.push(Event::End(TagEnd::CodeBlock));
                events.push(Event::Html(CowStr::from("</div>")));
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn the_models_html_is_text_and_bad_links_are_dropped() {
        let html = render("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![a](http://e/x.png)");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains("<a href=\"http://e/x.png\">image: a</a>"),
            "{html}"
        );
    }

    #[test]
    fn code_blocks_get_a_label_and_a_copy_button() {
        let html = render("```rust\" onclick=x\nfn main() {}\n```");
        assert!(html.contains("<span>rust</span>"), "{html}");
        assert!(html.contains("class=\"copy-code\""), "{html}");
        assert!(html.contains("fn main() {}"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
    }
}
