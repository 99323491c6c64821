//! Markdown of model answers to HTML that is safe to put in the page: the
//! model's own HTML is shown as text, links keep only http(s)/mailto targets
//! (and open nothing by themselves: the view copies them), images become
//! links (nothing is fetched), code blocks get a language label and a Copy
//! button.

use super::highlight;
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
    // The fenced block being read: its language and text.
    let mut code: Option<(String, String)> = None;
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
                code = Some((lang, String::new()));
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, body)) = code.as_mut() {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                // Coloured by highlight.js when it knows the language (its
                // HTML escapes the text); plain text otherwise.
                let (lang, body) = code.take().unwrap_or_default();
                match highlight::html(&body, &lang) {
                    Some(html) => {
                        // Replace `<pre><code>` by one that says it is coloured.
                        events.pop();
                        events.push(Event::Html(CowStr::from(format!(
                            "<pre><code class=\"hljs language-{lang}\">{html}</code></pre>"
                        ))));
                    }
                    None => {
                        events.push(Event::Text(CowStr::from(body)));
                        events.push(Event::End(TagEnd::CodeBlock));
                    }
                }
                events.push(Event::Html(CowStr::from("</div>")));
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// A fence's opening line: its character and length (` ``` ` or `~~~`, up to
/// three spaces in).
fn fence(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = rest.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// Whether `line` may not start a block of its own after a blank line: it
/// would continue a list item (indented), start another item of the same
/// list (two lists rendered apart would lose its looseness), or be
/// indented code.
fn may_continue(line: &str) -> bool {
    let first = line.chars().next();
    if matches!(first, Some(' ' | '\t')) {
        return true;
    }
    if matches!(first, Some('-' | '*' | '+'))
        && (line.len() == 1 || line[1..].starts_with([' ', '\t']))
    {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(['.', ')'])
}

/// How much of a markdown text that is still growing renders the same
/// whatever follows: up to the start of the last block that begins after a
/// blank line outside code fences and cannot belong to the block before it.
/// A streamed answer renders that part once and only the rest again as more
/// arrives. (Rare constructs may still render slightly differently while
/// streaming — reference links defined later, HTML blocks with blank lines;
/// the finished answer is rendered whole.)
pub fn settled_len(text: &str) -> usize {
    let mut settled = 0;
    let mut open: Option<(char, usize)> = None;
    let mut blank_before = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        if !line.ends_with('\n') {
            break; // a line still being written
        }
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some((c, n)) = open {
            let t = content.trim();
            if t.len() >= n && t.chars().all(|x| x == c) {
                open = None;
            }
            blank_before = false;
            continue;
        }
        let blank = content.trim().is_empty();
        if !blank && blank_before && !may_continue(content) {
            settled = start;
        }
        open = fence(content);
        blank_before = blank;
    }
    settled
}

#[cfg(test)]
mod tests {
    use super::{render, settled_len};

    /// Rendering the settled part and the rest apart gives the page what
    /// rendering the whole would, at every length the text passes through.
    fn renders_the_same_in_parts(doc: &str) -> usize {
        let mut cuts = 0;
        for end in (0..=doc.len()).filter(|i| doc.is_char_boundary(*i)) {
            let text = &doc[..end];
            let cut = settled_len(text);
            assert!(cut <= text.len());
            if cut > 0 {
                cuts += 1;
                // (Block boundaries may differ by a newline between tags.)
                let same = |html: String| html.replace(">\n<", "><");
                let parts = render(&text[..cut]) + &render(&text[cut..]);
                assert_eq!(same(parts), same(render(text)), "cut at {cut} of {text:?}");
            }
        }
        cuts
    }

    #[test]
    fn a_streamed_answer_is_cut_only_where_the_rest_cannot_change_what_came_before() {
        let doc = "# Plan\n\nFirst **bold** and `code`, then a [link](https://e.org).\n\n\
                   ```rust\nfn main() {\n\n    println!(\"é\");\n}\n```\n\n\
                   ~~~~\n```\n\nstill code\n~~~~\n\n\
                   - one\n- two\n\n- three, loose\n\n  continued\n\n\
                   1. first\n\n2) second\n\n\
                   > quoted\n\n> again\n\n\
                   | a | b |\n|---|---|\n| 1 | 2 |\n\n\
                   Setext\n===\n\n    indented code\n\n    more of it\n\nThe end.\n";
        let cuts = renders_the_same_in_parts(doc);
        assert!(
            cuts > doc.len() / 2,
            "only {cuts} lengths had a settled part"
        );
        // Where it cuts: before the last block that cannot continue.
        assert_eq!(settled_len("a\n\nb\n\nc"), 3);
        assert_eq!(settled_len("a\n\nb\n\nc\n"), 6);
        assert_eq!(settled_len("```\nx\n\ny\n"), 0, "inside a fence");
        assert_eq!(settled_len("- a\n\n- b\n"), 0, "an item of the same list");
        assert_eq!(settled_len("- a\n\n  b\n"), 0, "a continued item");
        assert_eq!(settled_len("- a\n\n-\n"), 0, "an empty item");
        assert_eq!(settled_len("- a\n\n3. b\n"), 0, "an item");
    }

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
