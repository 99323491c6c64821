//! What is done with a whole conversation: forking it at a message into a
//! new session, and exporting it as Markdown or JSON.

use super::*;
use ai_desktop_api::flow::{ExportFormat, ToolCallStatus};
use std::path::Path;

impl FlowAgent {
    /// A new session holding this one's conversation up to `message_id`
    /// (with the results of that message's tool calls), and the same model,
    /// tools, repository and system prompt; the original is not touched.
    /// Its checkpoints stay with the original (*Undo to here* is there).
    pub fn fork(&self, session_id: i64, message_id: i64) -> Result<FlowSession> {
        let session = self.session(session_id)?;
        let messages = self.store.with(|c| store::flow::messages(c, session_id))?;
        let at = messages
            .iter()
            .position(|m| m.id == message_id)
            .ok_or_else(|| Error::NotFound(format!("This session has no message {message_id}.")))?;
        let m = &messages[at];
        if m.status == MessageStatus::Streaming {
            return Err(Error::Conflict(
                "That answer is still being written: wait for it or stop it first.".into(),
            ));
        }
        if m.tool_calls.iter().any(|c| {
            matches!(
                c.status,
                ToolCallStatus::Pending | ToolCallStatus::Approved | ToolCallStatus::Running
            )
        }) {
            return Err(Error::Conflict(
                "That answer's tool calls are not settled yet: decide them first, or fork from an earlier message.".into(),
            ));
        }
        // The results of its calls come with it.
        let calls: Vec<&str> = m.tool_calls.iter().map(|c| c.id.as_str()).collect();
        let mut end = at;
        while end + 1 < messages.len()
            && messages[end + 1].role == FlowRole::Tool
            && messages[end + 1]
                .tool_call_id
                .as_deref()
                .is_some_and(|id| calls.contains(&id))
        {
            end += 1;
        }
        let own_prompt = self
            .store
            .with(|c| store::flow::system_prompt(c, session_id))?;
        let title: String = format!("{} (fork)", session.title)
            .chars()
            .take(200)
            .collect();
        let fork = self.store.with(|c| {
            let tx = c.transaction()?;
            let mut s = store::flow::insert_session(
                &tx,
                &title,
                session.model.as_deref(),
                &session.mcp_server_ids,
            )?;
            if session.mcp_profile.is_some() {
                s = store::flow::set_profile(&tx, s.id, session.mcp_profile.as_deref())?;
            }
            if session.repository_id.is_some() {
                s = store::flow::set_repository(&tx, s.id, session.repository_id)?;
            }
            if own_prompt.is_some() {
                store::flow::set_system_prompt(&tx, s.id, own_prompt.as_deref())?;
            }
            for m in &messages[..=end] {
                let mut copy = m.clone();
                copy.session_id = s.id;
                for call in &mut copy.tool_calls {
                    call.checkpoint_id = None;
                }
                let inserted = store::flow::insert_message(&tx, &copy)?;
                store::flow::copy_attachments(&tx, m.id, inserted.id)?;
                // Tokens and the rest of what the insert does not take.
                let mut full = copy;
                full.id = inserted.id;
                store::flow::update_message(&tx, &full)?;
            }
            tx.commit()?;
            Ok(s.id)
        })?;
        self.emit_session(fork);
        self.session(fork)
    }

    /// The conversation as `format`: its file name and text.
    pub fn export(&self, session_id: i64, format: ExportFormat) -> Result<(String, String)> {
        let session = self.session(session_id)?;
        let messages = self.store.with(|c| store::flow::messages(c, session_id))?;
        let stem: String = session
            .title
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
            .chars()
            .take(80)
            .collect();
        let stem = if stem.is_empty() {
            format!("session-{session_id}")
        } else {
            stem
        };
        let text = match format {
            ExportFormat::Json => serde_json::to_string_pretty(&serde_json::json!({
                "exported_by": "AI Desktop",
                "exported_at": chrono::Utc::now().to_rfc3339(),
                "session": session,
                "messages": messages,
            }))
            .map_err(|e| Error::failed("The conversation could not be written as JSON.", e))?,
            ExportFormat::Markdown => markdown(&session, &messages),
        };
        let ext = match format {
            ExportFormat::Json => "json",
            ExportFormat::Markdown => "md",
        };
        Ok((format!("{stem}.{ext}"), text))
    }

    /// Writes the export into `dir` under a name no file has yet (never
    /// replacing one); its path.
    pub fn export_to(
        &self,
        session_id: i64,
        format: ExportFormat,
        dir: &Path,
    ) -> Result<std::path::PathBuf> {
        let (name, text) = self.export(session_id, format)?;
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::failed(format!("Could not make the folder {}.", dir.display()), e)
        })?;
        let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
        for n in 1..1000 {
            let candidate = if n == 1 {
                dir.join(&name)
            } else {
                dir.join(format!("{stem}-{n}.{ext}"))
            };
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&candidate)
            {
                Ok(mut f) => {
                    use std::io::Write;
                    f.write_all(text.as_bytes()).map_err(|e| {
                        let _ = std::fs::remove_file(&candidate);
                        Error::failed(format!("Could not write {}.", candidate.display()), e)
                    })?;
                    return Ok(candidate);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(Error::failed(
                        format!("Could not write {}.", candidate.display()),
                        e,
                    ))
                }
            }
        }
        Err(Error::Conflict(format!(
            "{} has 999 exports of this session already.",
            dir.display()
        )))
    }
}

/// A fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn markdown(session: &FlowSession, messages: &[FlowMessage]) -> String {
    let mut out = format!("# {}\n\n", session.title);
    let mut about = vec![format!(
        "Exported from AI Desktop, {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )];
    if let Some(r) = &session.repository_name {
        about.push(format!("working in {r}"));
    }
    if let Some(r) = &session.recipe_name {
        about.push(format!("a run of the recipe {r}"));
    }
    out.push_str(&format!("*{}*\n\n", about.join(" · ")));
    for m in messages {
        match m.role {
            FlowRole::User => {
                out.push_str(&format!("## You\n\n{}\n\n", m.content.trim_end()));
                for a in &m.attachments {
                    out.push_str(&format!(
                        "*Attached:* `{}` ({}, {} bytes)\n\n",
                        a.name, a.mime, a.size
                    ));
                }
            }
            FlowRole::Assistant => {
                let mut head = String::from("## Assistant");
                if let Some(model) = &m.model {
                    head.push_str(&format!(" ({model})"));
                }
                out.push_str(&head);
                out.push_str("\n\n");
                if !m.content.trim().is_empty() {
                    out.push_str(m.content.trim_end());
                    out.push_str("\n\n");
                }
                if let Some(e) = &m.error {
                    out.push_str(&format!("> **Error:** {e}\n\n"));
                }
                if let Some(u) = &m.usage {
                    out.push_str(&format!(
                        "*{} tokens in, {} out*\n\n",
                        u.input_tokens, u.output_tokens
                    ));
                }
                for c in &m.tool_calls {
                    let status = format!("{:?}", c.status).to_lowercase();
                    out.push_str(&format!("**Tool call** `{}` — {status}\n\n", c.name));
                    let args = serde_json::from_str::<serde_json::Value>(&c.arguments)
                        .ok()
                        .and_then(|v| serde_json::to_string_pretty(&v).ok())
                        .unwrap_or_else(|| c.arguments.clone());
                    let f = fence(&args);
                    out.push_str(&format!("{f}json\n{args}\n{f}\n\n"));
                    if let Some(diff) = &c.preview {
                        let f = fence(diff);
                        out.push_str(&format!("{f}diff\n{}\n{f}\n\n", diff.trim_end()));
                    }
                }
            }
            FlowRole::Tool => {
                let f = fence(&m.content);
                out.push_str(&format!(
                    "**Result** of `{}`\n\n{f}text\n{}\n{f}\n\n",
                    m.tool_call_id.as_deref().unwrap_or("?"),
                    m.content.trim_end()
                ));
            }
        }
    }
    out
}
