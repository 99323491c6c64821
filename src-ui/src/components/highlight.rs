//! A small syntax highlighter for the file viewer: comments, strings,
//! numbers and keywords of the common languages, chosen by file extension.
//! It never parses; it only colours tokens, so an odd file shows as text.

/// The kind of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Plain,
    Comment,
    Str,
    Num,
    Keyword,
}

impl Tok {
    pub fn class(self) -> &'static str {
        match self {
            Tok::Plain => "",
            Tok::Comment => "hl-comment",
            Tok::Str => "hl-string",
            Tok::Num => "hl-number",
            Tok::Keyword => "hl-keyword",
        }
    }
}

struct Lang {
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    quotes: &'static [char],
    keywords: &'static [&'static str],
}

const RUST: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];
const JS: &[&str] = &[
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "delete",
    "do",
    "else",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "yield",
];
const PY: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "False", "finally", "for", "from", "global", "if", "import", "in", "is",
    "lambda", "None", "nonlocal", "not", "or", "pass", "raise", "return", "True", "try", "while",
    "with", "yield",
];
const GO: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "false",
    "for",
    "func",
    "go",
    "if",
    "import",
    "interface",
    "map",
    "nil",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "true",
    "type",
    "var",
];
const SH: &[&str] = &[
    "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if", "in",
    "local", "return", "then", "while",
];
const DATA: &[&str] = &["true", "false", "null"];

fn lang(ext: &str) -> Option<Lang> {
    let c_like = |keywords| Lang {
        line_comments: &["//"],
        block_comment: Some(("/*", "*/")),
        quotes: &['"', '\'', '`'],
        keywords,
    };
    Some(match ext {
        "rs" => Lang {
            quotes: &['"'],
            ..c_like(RUST)
        },
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "java" | "c" | "h" | "cpp" | "cc" | "hpp"
        | "cs" | "kt" | "swift" | "scss" | "css" => c_like(JS),
        "go" => c_like(GO),
        "py" => Lang {
            line_comments: &["#"],
            block_comment: None,
            quotes: &['"', '\''],
            keywords: PY,
        },
        "sh" | "bash" | "zsh" | "env" | "dockerfile" => Lang {
            line_comments: &["#"],
            block_comment: None,
            quotes: &['"', '\''],
            keywords: SH,
        },
        "toml" | "yaml" | "yml" | "ini" | "conf" => Lang {
            line_comments: &["#"],
            block_comment: None,
            quotes: &['"', '\''],
            keywords: DATA,
        },
        "json" => Lang {
            line_comments: &[],
            block_comment: None,
            quotes: &['"'],
            keywords: DATA,
        },
        "sql" => Lang {
            line_comments: &["--"],
            block_comment: Some(("/*", "*/")),
            quotes: &['\''],
            keywords: &[
                "SELECT",
                "FROM",
                "WHERE",
                "INSERT",
                "INTO",
                "VALUES",
                "UPDATE",
                "SET",
                "DELETE",
                "CREATE",
                "TABLE",
                "INDEX",
                "ALTER",
                "DROP",
                "JOIN",
                "ON",
                "AND",
                "OR",
                "NOT",
                "NULL",
                "PRIMARY",
                "KEY",
                "REFERENCES",
                "select",
                "from",
                "where",
                "insert",
                "into",
                "values",
                "update",
                "set",
                "delete",
                "create",
                "table",
                "null",
            ],
        },
        "html" | "xml" | "svg" | "vue" => Lang {
            line_comments: &[],
            block_comment: Some(("<!--", "-->")),
            quotes: &['"', '\''],
            keywords: &[],
        },
        _ => return None,
    })
}

/// The extension a file is highlighted by (`Dockerfile` counts as one).
pub fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.eq_ignore_ascii_case("dockerfile") {
        return "dockerfile".into();
    }
    if name.starts_with(".env") {
        return "env".into();
    }
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Splits `text` into coloured pieces; an unknown language is one plain piece.
pub fn highlight(text: &str, ext: &str) -> Vec<(Tok, String)> {
    let Some(lang) = lang(ext) else {
        return vec![(Tok::Plain, text.to_string())];
    };
    let mut out: Vec<(Tok, String)> = Vec::new();
    let mut push = |tok: Tok, s: &str| {
        if s.is_empty() {
            return;
        }
        match out.last_mut() {
            Some((t, acc)) if *t == tok => acc.push_str(s),
            _ => out.push((tok, s.to_string())),
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if lang.line_comments.iter().any(|c| rest.starts_with(*c)) {
            let end = rest.find('\n').unwrap_or(rest.len());
            push(Tok::Comment, &rest[..end]);
            i += end;
            continue;
        }
        if let Some((open, close)) = lang.block_comment {
            if let Some(after) = rest.strip_prefix(open) {
                let end = after
                    .find(close)
                    .map(|e| open.len() + e + close.len())
                    .unwrap_or(rest.len());
                push(Tok::Comment, &rest[..end]);
                i += end;
                continue;
            }
        }
        let c = rest.chars().next().expect("not empty");
        if lang.quotes.contains(&c) {
            // To the closing quote (a backslash escapes); strings other than
            // backticks end at the line's end.
            let mut end = c.len_utf8();
            let mut escaped = false;
            for ch in rest[end..].chars() {
                end += ch.len_utf8();
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == c || (ch == '\n' && c != '`') {
                    break;
                }
            }
            push(Tok::Str, &rest[..end]);
            i += end;
            continue;
        }
        if c.is_ascii_digit() && (i == 0 || !is_word(bytes[i - 1] as char)) {
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
                .unwrap_or(rest.len());
            push(Tok::Num, &rest[..end]);
            i += end;
            continue;
        }
        if is_word(c) {
            let end = rest.find(|ch: char| !is_word(ch)).unwrap_or(rest.len());
            let word = &rest[..end];
            let tok = if lang.keywords.contains(&word) {
                Tok::Keyword
            } else {
                Tok::Plain
            };
            push(tok, word);
            i += end;
            continue;
        }
        push(Tok::Plain, &rest[..c.len_utf8()]);
        i += c.len_utf8();
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, ext: &str) -> Vec<(Tok, String)> {
        highlight(text, ext)
            .into_iter()
            .filter(|(t, _)| *t != Tok::Plain)
            .collect()
    }

    #[test]
    fn rust_tokens() {
        let k = kinds(
            "fn main() { let s = \"a \\\" b\"; // done\n let n = 42; }",
            "rs",
        );
        assert_eq!(
            k,
            vec![
                (Tok::Keyword, "fn".into()),
                (Tok::Keyword, "let".into()),
                (Tok::Str, "\"a \\\" b\"".into()),
                (Tok::Comment, "// done".into()),
                (Tok::Keyword, "let".into()),
                (Tok::Num, "42".into()),
            ]
        );
    }

    #[test]
    fn the_text_is_kept_exactly() {
        let src = "def f(x):\n    # note\n    return 'y' + \"z\"\n/* not python */ été\n";
        let joined: String = highlight(src, "py").into_iter().map(|(_, s)| s).collect();
        assert_eq!(joined, src);
        let unclosed = "let s = \"open\nnext line";
        let joined: String = highlight(unclosed, "rs")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(joined, unclosed);
        assert_eq!(highlight("x", "unknown"), vec![(Tok::Plain, "x".into())]);
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("src/Main.RS"), "rs");
        assert_eq!(extension("docker/Dockerfile"), "dockerfile");
        assert_eq!(extension(".env.local"), "env");
        assert_eq!(extension("README"), "");
        assert!(kinds("a1 = 2", "py")
            .iter()
            .all(|(t, s)| *t != Tok::Num || s == "2"));
    }
}
