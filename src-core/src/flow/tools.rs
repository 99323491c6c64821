//! Tools offered to the model: which, under which function names, with
//! what fingerprint for approval; and running the calls of an answer.

use super::*;

/// A tool offered to the model, and where it comes from.
#[derive(Clone)]
pub(crate) struct Offered {
    pub(crate) server_id: i64,
    pub(crate) server_name: String,
    pub(crate) tool: String,
    pub(crate) description: String,
    pub(crate) schema: serde_json::Value,
    pub(crate) fingerprint: String,
    /// One of the app's repository tools (`server_id` is `BUILTIN_SERVER`).
    pub(crate) builtin: bool,
}

/// Hash of what the user approves: the description and the input schema.
pub fn fingerprint(description: &str, schema: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    h.update(description.as_bytes());
    h.update([0]);
    h.update(serde_json::to_string(schema).unwrap_or_default().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `[A-Za-z0-9_-]`, as the function-calling APIs require.
pub(super) fn slug(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    out.trim_matches('_').to_string()
}

/// Longest function name providers take.
pub(super) const MAX_FUNCTION_NAME: usize = 64;

/// Names the model sees: `<server>__<tool>`, at most 64 characters, and
/// distinct after the cut — two servers with a tool of the same name, two
/// long names that differ only past character 64, or two tools that slug to
/// the same text each get their own, so none is unreachable.
pub(crate) fn function_names(offered: &[Offered]) -> Vec<String> {
    let fit = |mut s: String, room: usize| {
        // Slugs are ASCII: any byte is a character boundary.
        s.truncate(room);
        s
    };
    let mut names: Vec<String> = Vec::with_capacity(offered.len());
    for o in offered {
        let server = {
            let s = slug(&o.server_name);
            if s.is_empty() {
                format!("s{}", o.server_id)
            } else {
                s
            }
        };
        let tool = slug(&o.tool);
        let full = format!("{server}__{tool}");
        let by_id = format!("s{}__{tool}", o.server_id);
        let mut name = if full.len() > MAX_FUNCTION_NAME {
            fit(by_id.clone(), MAX_FUNCTION_NAME)
        } else {
            full
        };
        if names.contains(&name) {
            name = fit(by_id.clone(), MAX_FUNCTION_NAME);
        }
        let mut n = 2;
        while names.contains(&name) {
            let suffix = format!("_{n}");
            name = fit(by_id.clone(), MAX_FUNCTION_NAME - suffix.len()) + &suffix;
            n += 1;
        }
        names.push(name);
    }
    names
}

/// What goes back to the model for a tool result.
pub(super) fn result_text(result: &FlowToolResult) -> String {
    if let Some(error) = &result.error {
        return format!("Error: {error}");
    }
    let mut parts: Vec<String> = result
        .content
        .iter()
        .map(|c| match c {
            McpContent::Text { text } => text.clone(),
            McpContent::Image { mime_type, .. } => format!("[image {mime_type}]"),
            McpContent::Audio { mime_type, .. } => format!("[audio {mime_type}]"),
            McpContent::Resource { uri, text, .. } => match text {
                Some(t) => format!("[resource {uri}]\n{t}"),
                None => format!("[resource {uri}]"),
            },
            McpContent::ResourceLink { uri, name, .. } => format!("[link {name}: {uri}]"),
            McpContent::Other { json } => json.to_string(),
        })
        .collect();
    if parts.is_empty() {
        if let Some(s) = &result.structured_content {
            parts.push(s.to_string());
        }
    }
    let text = parts.join("\n");
    if result.is_error {
        format!("Error: {text}")
    } else {
        text
    }
}

impl FlowAgent {
    /// Runs the calls of `answer` that have no result yet, in order. Returns
    /// false when the run must stop (a decision is needed, or it was cancelled).
    pub(super) async fn run_calls(
        self: &Arc<Self>,
        session_id: i64,
        mut answer: FlowMessage,
        answered: &[String],
        cancel: &mut watch::Receiver<bool>,
    ) -> Result<bool> {
        for i in 0..answer.tool_calls.len() {
            if answered.contains(&answer.tool_calls[i].id) {
                continue;
            }
            let call = answer.tool_calls[i].clone();
            let result = match call.status {
                ToolCallStatus::Pending => {
                    self.set_state(session_id, RunState::WaitingApproval);
                    return Ok(false);
                }
                ToolCallStatus::Denied => refused(&call, "The user denied this tool call.".into()),
                ToolCallStatus::Invalid => refused(
                    &call,
                    call.error
                        .clone()
                        .unwrap_or_else(|| "This call is not valid.".into()),
                ),
                ToolCallStatus::Cancelled => {
                    refused(&call, "Not run: the user stopped the agent.".into())
                }
                ToolCallStatus::Running | ToolCallStatus::Done => {
                    refused(&call, "The app stopped while this call ran.".into())
                }
                ToolCallStatus::Approved => {
                    self.set_state(session_id, RunState::RunningTool);
                    answer.tool_calls[i].status = ToolCallStatus::Running;
                    answer = self.save(&answer)?;
                    let (Some(server_id), Some(tool)) = (call.server_id, call.tool.clone()) else {
                        return Err(Error::failed("A tool call lost its tool.", &call.name));
                    };
                    let arguments: serde_json::Value =
                        serde_json::from_str(&call.arguments).unwrap_or_default();
                    let started = Instant::now();
                    let outcome = if call.builtin {
                        // Local work on a blocking thread. A change to a file
                        // is never cut halfway; a command is stopped (its
                        // whole session) when the user stops the agent.
                        let (agent, message_id) = (self.clone(), answer.id);
                        let (c, args) = (call.clone(), arguments.clone());
                        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
                        let stop_in = stop.clone();
                        let mut task = tokio::task::spawn_blocking(move || {
                            agent.call_repo_tool(session_id, message_id, &c, &args, &stop_in)
                        });
                        let stoppable = tool == super::repo_tools::RepoTool::RunCommand.name();
                        let joined = tokio::select! {
                            r = &mut task => r,
                            _ = cancelled(cancel), if stoppable => {
                                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                                task.await
                            }
                        };
                        let done = joined
                            .map_err(|e| Error::failed("The repository tool stopped.", e))
                            .and_then(|r| r);
                        Some(done.map(|(text, checkpoint)| {
                            answer.tool_calls[i].checkpoint_id = checkpoint;
                            repo_call(server_id, &tool, arguments, text, started)
                        }))
                    } else {
                        tokio::select! {
                            r = self.call_tool(server_id, &tool, arguments) => Some(r),
                            _ = cancelled(cancel) => None,
                        }
                    };
                    let duration_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
                    match outcome {
                        None => {
                            answer.tool_calls[i].status = ToolCallStatus::Cancelled;
                            answer.tool_calls[i].error = Some("Stopped by the user.".into());
                            let mut r = refused(&call, "The user stopped this call.".into());
                            r.duration_ms = duration_ms;
                            r
                        }
                        Some(Ok(done)) => {
                            answer.tool_calls[i].status = ToolCallStatus::Done;
                            FlowToolResult {
                                tool_call_id: call.id.clone(),
                                content: done.content,
                                structured_content: done.structured_content,
                                is_error: done.is_error,
                                error: done.error,
                                duration_ms: Some(done.duration_ms),
                            }
                        }
                        Some(Err(e)) => {
                            answer.tool_calls[i].status = ToolCallStatus::Done;
                            let mut r = refused(&call, e.to_string());
                            r.duration_ms = duration_ms;
                            r
                        }
                    }
                }
            };
            let (updated, tool) = self.store.with(|c| {
                let tx = c.transaction()?;
                let updated = store::flow::update_message(&tx, &answer)?;
                let tool = store::flow::insert_message(&tx, &tool_message(session_id, result))?;
                tx.commit()?;
                Ok((updated, tool))
            })?;
            answer = updated;
            self.emit_message(&answer);
            self.emit_message(&tool);
            if *cancel.borrow() {
                // The rest of this answer's calls are settled by `cancel`.
                return Ok(false);
            }
        }
        self.set_state(session_id, RunState::Thinking);
        Ok(true)
    }

    /// Runs an approved repository tool of the session's repository: its
    /// answer, and for a change to a file the checkpoint taken.
    fn call_repo_tool(
        &self,
        session_id: i64,
        message_id: i64,
        call: &FlowToolCall,
        arguments: &serde_json::Value,
        stop: &std::sync::atomic::AtomicBool,
    ) -> Result<(String, Option<i64>)> {
        let session = self.session(session_id)?;
        let repository_id = session.repository_id.ok_or_else(|| {
            Error::Conflict("This session no longer works in a repository.".into())
        })?;
        let tool = call
            .tool
            .as_deref()
            .and_then(super::repo_tools::RepoTool::from_name)
            .ok_or_else(|| Error::failed("A tool call lost its tool.", &call.name))?;
        let access = self.repo_access()?;
        if tool == super::repo_tools::RepoTool::RunCommand {
            return Ok((access.run_command(repository_id, arguments, stop)?, None));
        }
        if tool.in_workshop() {
            // Deployments, services and the editor are async; this runs on a
            // blocking thread of the runtime, which may wait for them.
            let answer = tokio::runtime::Handle::current().block_on(access.workshop(
                repository_id,
                tool,
                arguments,
            ))?;
            return Ok((answer, None));
        }
        if !tool.changes_files() {
            return Ok((access.read(repository_id, tool, arguments)?, None));
        }
        let change = access.apply(repository_id, tool, arguments, call.preview.as_deref())?;
        let checkpoint = self.store.with(|c| {
            store::flow::insert_checkpoint(
                c,
                &store::flow::NewCheckpoint {
                    session_id,
                    message_id,
                    call_id: &call.id,
                    repository_id,
                    path: &change.path,
                    before: change.before.as_deref().map(str::as_bytes),
                    after: change.after.as_bytes(),
                },
            )
        })?;
        let what = if change.before.is_some() {
            "Changed"
        } else {
            "Created"
        };
        Ok((
            format!("{what} {} (checkpoint {checkpoint}).", change.path),
            Some(checkpoint),
        ))
    }

    pub(super) async fn call_tool(
        &self,
        server_id: i64,
        tool: &str,
        arguments: serde_json::Value,
    ) -> Result<ai_desktop_api::mcp::McpCall> {
        if self.mcp.get(server_id)?.state != McpState::Running {
            self.mcp.start(server_id).await?;
        }
        self.mcp.call_tool(server_id, tool, arguments).await
    }

    /// The tools of the session's servers, each started if it is not running.
    pub(super) async fn offered_tools(&self, session: &FlowSession) -> Result<Vec<Offered>> {
        // A session working in a repository: its tools first.
        let mut offered = if session.repository_id.is_some() {
            self.repo_access()?;
            super::repo_tools::offered()
        } else {
            Vec::new()
        };
        // The session's profile leaves more tools out (a deleted profile: none).
        let profile = match &session.mcp_profile {
            Some(name) => self.mcp.profile(name)?,
            None => None,
        };
        for id in &session.mcp_server_ids {
            offered.extend(offered_of(&self.mcp, *id, profile.as_ref()).await?);
        }
        Ok(offered)
    }
}

/// A repository tool's answer in the shape of an MCP call's.
fn repo_call(
    server_id: i64,
    tool: &str,
    arguments: serde_json::Value,
    text: String,
    started: Instant,
) -> ai_desktop_api::mcp::McpCall {
    ai_desktop_api::mcp::McpCall {
        id: 0,
        server_id,
        tool: tool.to_string(),
        arguments,
        content: vec![McpContent::Text { text }],
        structured_content: None,
        is_error: false,
        error: None,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        created_at: String::new(),
    }
}

/// The tools server `id` offers to an agent or another client, started if
/// it is not running: its enabled tools, less those `profile` leaves out.
/// A deleted server offers none.
pub(crate) async fn offered_of(
    mcp: &Arc<McpHub>,
    id: i64,
    profile: Option<&ai_desktop_api::mcp::McpProfile>,
) -> Result<Vec<Offered>> {
    let mut offered = Vec::new();
    let Ok(server) = mcp.get(id) else {
        return Ok(offered); // deleted since it was chosen
    };
    if server.state != McpState::Running {
        mcp.start(id).await.map_err(|e| {
            Error::Unavailable(format!(
                "The MCP server \"{}\" did not start: {e}",
                server.name
            ))
        })?;
    }
    for t in mcp.tools(id).await? {
        // Turned off by the user: the agent never hears of it.
        if server.disabled_tools.contains(&t.name) {
            continue;
        }
        let off_in_profile = profile.is_some_and(|p| {
            p.servers
                .iter()
                .any(|s| s.server_id == id && s.tools_off.contains(&t.name))
        });
        if off_in_profile {
            continue;
        }
        let description = t.description.clone().unwrap_or_default();
        offered.push(Offered {
            server_id: id,
            server_name: server.name.clone(),
            builtin: false,
            fingerprint: fingerprint(&description, &t.input_schema),
            tool: t.name,
            description,
            schema: t.input_schema,
        });
    }
    Ok(offered)
}
