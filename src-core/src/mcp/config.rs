//! What makes a server's settings acceptable, and reading Claude-Desktop-style
//! `mcpServers` documents.

use crate::error::{Error, Result};
use ai_desktop_api::mcp::{ImportRefusal, McpServerInput, McpTransport};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 2000;
const MAX_ARGS: usize = 256;
const MAX_FIELD: usize = 8192;
const MAX_ENV: usize = 256;
/// An import document larger than this is refused unread.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// Trims and checks `input`; the result is what gets stored. Fields of the
/// other transport are cleared, so a server never carries stale settings.
pub fn normalize(mut input: McpServerInput) -> Result<McpServerInput> {
    input.name = input.name.trim().to_string();
    if input.name.is_empty() {
        return Err(Error::InvalidInput("Give the server a name.".into()));
    }
    if input.name.chars().count() > MAX_NAME {
        return Err(Error::InvalidInput(format!(
            "The name is longer than {MAX_NAME} characters."
        )));
    }
    if input.name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "The name cannot contain control characters.".into(),
        ));
    }
    input.description = input
        .description
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if input
        .description
        .as_ref()
        .is_some_and(|d| d.len() > MAX_DESCRIPTION)
    {
        return Err(Error::InvalidInput(format!(
            "The description is longer than {MAX_DESCRIPTION} characters."
        )));
    }
    match input.transport {
        McpTransport::Stdio => normalize_stdio(&mut input)?,
        McpTransport::Http => normalize_http(&mut input)?,
    }
    // A pre-registered OAuth client: an id without spaces; a secret only with one.
    let trimmed = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    input.oauth_client_id = trimmed(&input.oauth_client_id);
    input.oauth_client_secret = trimmed(&input.oauth_client_secret);
    if let Some(id) = &input.oauth_client_id {
        if id.len() > 512 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::InvalidInput(
                "The OAuth client id cannot contain spaces or line breaks (at most 512 characters)."
                    .into(),
            ));
        }
    }
    if input.oauth_client_secret.is_some() && input.oauth_client_id.is_none() {
        return Err(Error::InvalidInput(
            "An OAuth client secret needs its client id.".into(),
        ));
    }
    Ok(input)
}

fn normalize_stdio(input: &mut McpServerInput) -> Result<()> {
    input.url = None;
    input.headers.clear();
    input.oauth_client_id = None;
    input.oauth_client_secret = None;
    input.command = input.command.trim().to_string();
    let command = &input.command;
    if command.is_empty() {
        return Err(Error::InvalidInput(
            "Give the command that starts the server (e.g. npx or a path to a program).".into(),
        ));
    }
    no_nul("The command", command)?;
    if command.len() > MAX_FIELD {
        return Err(Error::InvalidInput("The command is too long.".into()));
    }
    if command.chars().any(char::is_whitespace) && !Path::new(command).is_file() {
        let mut parts = command.split_whitespace();
        let program = parts.next().unwrap_or_default();
        return Err(Error::InvalidInput(format!(
            "The command is one program, not a shell line: put `{program}` as the command and \
             `{}` in the arguments, one per line.",
            parts.collect::<Vec<_>>().join(" ")
        )));
    }
    if command.contains('/') && !Path::new(command).is_absolute() {
        return Err(Error::InvalidInput(
            "A command with a slash must be an absolute path; otherwise give a program name \
             found on PATH."
                .into(),
        ));
    }
    if input.args.len() > MAX_ARGS {
        return Err(Error::InvalidInput(format!(
            "At most {MAX_ARGS} arguments."
        )));
    }
    for arg in &input.args {
        no_nul("An argument", arg)?;
        if arg.len() > MAX_FIELD {
            return Err(Error::InvalidInput("An argument is too long.".into()));
        }
    }
    check_env(&input.env)?;
    input.working_directory = match input
        .working_directory
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(dir) => Some(existing_dir(dir)?),
    };
    Ok(())
}

fn normalize_http(input: &mut McpServerInput) -> Result<()> {
    input.command.clear();
    input.args.clear();
    input.env.clear();
    input.working_directory = None;
    let url = input
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Error::InvalidInput("Give the server's URL.".into()))?;
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::InvalidInput(format!("The URL is not valid: {e}.")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::InvalidInput(
            "The URL must start with http:// or https:// and name a host.".into(),
        ));
    }
    input.url = Some(url.to_string());
    if input.headers.len() > MAX_ENV {
        return Err(Error::InvalidInput(format!("At most {MAX_ENV} headers.")));
    }
    for (name, value) in &input.headers {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(Error::InvalidInput(format!(
                "`{name}` is not a valid HTTP header name."
            )));
        }
        if http::HeaderValue::from_str(value).is_err() {
            return Err(Error::InvalidInput(format!(
                "The value of header `{name}` has characters a header cannot carry."
            )));
        }
    }
    Ok(())
}

fn check_env(env: &BTreeMap<String, String>) -> Result<()> {
    if env.len() > MAX_ENV {
        return Err(Error::InvalidInput(format!(
            "At most {MAX_ENV} environment variables."
        )));
    }
    for (key, value) in env {
        crate::procs::check_env_name(key)?;
        no_nul(&format!("The value of {key}"), value)?;
        if value.len() > MAX_FIELD * 4 {
            return Err(Error::InvalidInput(format!(
                "The value of {key} is too long."
            )));
        }
    }
    Ok(())
}

fn no_nul(what: &str, s: &str) -> Result<()> {
    if s.contains('\0') {
        return Err(Error::InvalidInput(format!(
            "{what} cannot contain a NUL character."
        )));
    }
    Ok(())
}

fn existing_dir(dir: &str) -> Result<String> {
    let path = Path::new(dir);
    if !path.is_absolute() {
        return Err(Error::InvalidInput(format!(
            "The working directory must be an absolute path, not `{dir}`."
        )));
    }
    let canonical = path
        .canonicalize()
        .map_err(|_| Error::InvalidInput(format!("The working directory {dir} does not exist.")))?;
    if !canonical.is_dir() {
        return Err(Error::InvalidInput(format!(
            "The working directory {dir} is not a folder."
        )));
    }
    canonical
        .to_str()
        .map(str::to_string)
        .ok_or_else(|| Error::InvalidInput("The working directory's path is not UTF-8.".into()))
}

/// The `mcpServers` document other clients read (Claude Desktop, Cursor,
/// Claude Code; VS Code with `servers`): a stdio server as `command`,
/// `args`, `env`, `cwd`; a URL one as `type: http`, `url`, `headers`. Env and
/// header values are left out (empty) unless `with_secrets`.
pub fn export(servers: &[ai_desktop_api::mcp::McpServer], with_secrets: bool) -> String {
    let values = |map: &std::collections::BTreeMap<String, String>| -> Value {
        Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if with_secrets {
                        v.clone()
                    } else {
                        String::new()
                    };
                    (k.clone(), Value::String(v))
                })
                .collect(),
        )
    };
    let mut out = Map::new();
    for s in servers {
        let mut entry = Map::new();
        match s.transport {
            McpTransport::Stdio => {
                entry.insert("command".into(), Value::String(s.command.clone()));
                entry.insert(
                    "args".into(),
                    Value::Array(s.args.iter().cloned().map(Value::String).collect()),
                );
                if !s.env.is_empty() {
                    entry.insert("env".into(), values(&s.env));
                }
                if let Some(cwd) = &s.working_directory {
                    entry.insert("cwd".into(), Value::String(cwd.clone()));
                }
            }
            McpTransport::Http => {
                entry.insert("type".into(), Value::String("http".into()));
                entry.insert(
                    "url".into(),
                    Value::String(s.url.clone().unwrap_or_default()),
                );
                if !s.headers.is_empty() {
                    entry.insert("headers".into(), values(&s.headers));
                }
            }
        }
        out.insert(s.name.clone(), Value::Object(entry));
    }
    let doc = serde_json::json!({ "mcpServers": Value::Object(out) });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Reads an `mcpServers` document (Claude Desktop's `claude_desktop_config.json`,
/// or a file with just that key; VS Code's `servers` key too). Each entry is
/// either an input ready for [`normalize`] or a refusal saying why not.
pub fn parse_import(
    json: &str,
) -> Result<Vec<(String, std::result::Result<McpServerInput, String>)>> {
    if json.len() > MAX_IMPORT_BYTES {
        return Err(Error::InvalidInput(format!(
            "The document is larger than {} KiB; an mcpServers file is much smaller.",
            MAX_IMPORT_BYTES / 1024
        )));
    }
    let doc: Value = serde_json::from_str(json).map_err(|e| {
        Error::InvalidInput(format!(
            "This is not valid JSON (line {}, column {}).",
            e.line(),
            e.column()
        ))
    })?;
    let servers = doc
        .get("mcpServers")
        .or_else(|| doc.get("servers"))
        .ok_or_else(|| {
            Error::InvalidInput(
                "No \"mcpServers\" object found: paste a document like \
                 {\"mcpServers\": {\"name\": {\"command\": \"…\", \"args\": […]}}}."
                    .into(),
            )
        })?
        .as_object()
        .ok_or_else(|| Error::InvalidInput("\"mcpServers\" must be an object.".into()))?;
    Ok(servers
        .iter()
        .map(|(name, entry)| (name.clone(), import_entry(name, entry)))
        .collect())
}

fn import_entry(name: &str, entry: &Value) -> std::result::Result<McpServerInput, String> {
    let entry = entry
        .as_object()
        .ok_or("the entry is not an object".to_string())?;
    let kind = entry.get("type").or_else(|| entry.get("transport"));
    let kind = match kind {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err("\"type\" must be a string".into()),
    };
    let transport =
        match (kind, entry.contains_key("url")) {
            (Some("stdio"), _) => McpTransport::Stdio,
            (Some("http" | "streamable-http" | "streamableHttp" | "streamable_http"), _) => {
                McpTransport::Http
            }
            (Some("sse"), _) => return Err(
                "SSE servers are not supported (the older HTTP+SSE transport); use the server's \
                 streamable HTTP endpoint"
                    .into(),
            ),
            (Some(other), _) => return Err(format!("unknown transport type \"{other}\"")),
            (None, true) => McpTransport::Http,
            (None, false) => McpTransport::Stdio,
        };
    let mut input = McpServerInput {
        name: name.to_string(),
        transport,
        description: optional_string(entry, "description")?,
        auto_restart: false,
        ..Default::default()
    };
    match transport {
        McpTransport::Stdio => {
            input.command = optional_string(entry, "command")?
                .ok_or("it has neither \"command\" nor \"url\"")?;
            input.args = match entry.get("args") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|a| a.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or("\"args\" must be a list of strings")?,
                Some(_) => return Err("\"args\" must be a list of strings".into()),
            };
            input.env = string_map(entry, "env")?;
            input.working_directory = optional_string(entry, "cwd")?;
        }
        McpTransport::Http => {
            input.url = Some(optional_string(entry, "url")?.ok_or("it has no \"url\"")?);
            input.headers = string_map(entry, "headers")?;
        }
    }
    Ok(input)
}

fn optional_string(
    entry: &Map<String, Value>,
    key: &str,
) -> std::result::Result<Option<String>, String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("\"{key}\" must be a string")),
    }
}

fn string_map(
    entry: &Map<String, Value>,
    key: &str,
) -> std::result::Result<BTreeMap<String, String>, String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                // Numbers and booleans are written unquoted often enough.
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                _ => Err(format!("\"{key}.{k}\" must be a string")),
            })
            .collect(),
        Some(_) => Err(format!("\"{key}\" must be an object of strings")),
    }
}

/// A refusal for the report.
pub fn refusal(name: &str, reason: impl Into<String>) -> ImportRefusal {
    ImportRefusal {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// The parts of a URL that may be keys (for the log's scrubber): its
/// password, query values, secret-looking path segments, and the URL itself.
pub fn url_secrets(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    if let Ok(parsed) = reqwest::Url::parse(url) {
        out.push(parsed.to_string());
        out.extend(parsed.password().map(str::to_string));
        out.extend(parsed.query_pairs().map(|(_, v)| v.into_owned()));
        if let Some(segs) = parsed.path_segments() {
            out.extend(segs.filter(|s| secret_like(s)).map(str::to_string));
        }
    }
    out
}

fn secret_like(s: &str) -> bool {
    let letters = s.chars().any(|c| c.is_ascii_alphabetic());
    let digits = s.chars().any(|c| c.is_ascii_digit());
    s.len() > 32 || (s.len() > 16 && letters && digits)
}

/// A URL as it may be written to a log or an error message: no user or
/// password, every query value and the fragment replaced by `***`, and path
/// segments that look like keys (long, or mixing letters and digits over 16
/// characters) too. Remote MCP servers are often addressed with a key in the
/// URL itself.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return "(a URL that does not parse)".into();
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let _ = parsed.set_username("***");
        let _ = parsed.set_password(None);
    }
    let segments: Option<Vec<String>> = parsed.path_segments().map(|segs| {
        segs.map(|s| {
            if secret_like(s) {
                "***".to_string()
            } else {
                s.to_string()
            }
        })
        .collect()
    });
    if let Some(segments) = segments {
        parsed.set_path(&segments.join("/"));
    }
    let keys: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if keys.is_empty() {
        parsed.set_query(None);
    } else {
        let query = keys
            .iter()
            .map(|k| format!("{k}=***"))
            .collect::<Vec<_>>()
            .join("&");
        parsed.set_query(Some(&query));
    }
    if parsed.fragment().is_some() {
        parsed.set_fragment(Some("***"));
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdio(command: &str) -> McpServerInput {
        McpServerInput {
            name: "s".into(),
            command: command.into(),
            ..Default::default()
        }
    }

    #[test]
    fn urls_lose_their_keys_before_they_are_logged() {
        let cases = [
            (
                "https://u:pw@mcp.example.com/v1/sk_live_51Habc1234567890xyz/mcp?api_key=abc123&region=eu#tok",
                "https://***@mcp.example.com/v1/***/mcp?api_key=***&region=***#***",
            ),
            ("http://127.0.0.1:8931/mcp", "http://127.0.0.1:8931/mcp"),
            (
                "https://mcp.example.com/servers/my-server-name/sse",
                "https://mcp.example.com/servers/my-server-name/sse",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
        assert!(!redact_url("not a url ?key=1").contains("key"));
    }

    #[test]
    fn a_shell_line_as_command_is_explained() {
        let err = normalize(stdio("npx -y @modelcontextprotocol/server-everything")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`npx`"), "{msg}");
        assert!(
            msg.contains("-y @modelcontextprotocol/server-everything"),
            "{msg}"
        );
    }

    #[test]
    fn relative_paths_and_bad_env_names_are_refused() {
        assert!(normalize(stdio("./server")).is_err());
        let mut input = stdio("node");
        input.env.insert("1BAD".into(), "x".into());
        assert!(normalize(input).is_err());
        let mut input = stdio("node");
        input.working_directory = Some("/definitely/not/here".into());
        assert!(normalize(input)
            .unwrap_err()
            .to_string()
            .contains("does not exist"));
    }

    #[test]
    fn other_transport_fields_are_cleared() {
        let mut input = stdio("node");
        input.url = Some("http://x".into());
        input.headers.insert("A".into(), "b".into());
        let out = normalize(input).unwrap();
        assert_eq!(out.url, None);
        assert!(out.headers.is_empty());
        let input = McpServerInput {
            name: "h".into(),
            transport: McpTransport::Http,
            url: Some("ftp://host/x".into()),
            command: "node".into(),
            ..Default::default()
        };
        assert!(normalize(input).is_err());
    }

    #[test]
    fn import_reads_each_entry_on_its_own() {
        let doc = r#"{"mcpServers": {
            "ok": {"command": "npx", "args": ["-y", "x"], "env": {"PORT": 3000}},
            "web": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer t"}},
            "bad-args": {"command": "npx", "args": "-y x"},
            "sse": {"type": "sse", "url": "http://localhost/sse"},
            "empty": {}
        }}"#;
        let entries = parse_import(doc).unwrap();
        let by_name: std::collections::HashMap<_, _> = entries.into_iter().collect();
        let ok = by_name["ok"].as_ref().unwrap();
        assert_eq!(ok.args, vec!["-y", "x"]);
        assert_eq!(ok.env["PORT"], "3000");
        assert_eq!(
            by_name["web"].as_ref().unwrap().transport,
            McpTransport::Http
        );
        assert!(by_name["bad-args"]
            .as_ref()
            .unwrap_err()
            .contains("list of strings"));
        assert!(by_name["sse"].as_ref().unwrap_err().contains("SSE"));
        assert!(by_name["empty"].as_ref().unwrap_err().contains("neither"));
    }

    #[test]
    fn import_of_a_broken_document_says_where() {
        let err = parse_import("{\"mcpServers\": {\n\"a\": }")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(parse_import("{\"other\": 1}")
            .unwrap_err()
            .to_string()
            .contains("mcpServers"));
    }
}
