//! Asking the model: one call, its answer streamed into a message, its tool
//! calls given their status.

use super::*;

impl FlowAgent {
    /// One model call: streams the answer into a new message, then gives
    /// its tool calls their status. Returns false when the run must stop.
    pub(super) async fn ask_model(
        self: &Arc<Self>,
        session_id: i64,
        cancel: &mut watch::Receiver<bool>,
    ) -> Result<bool> {
        self.set_state(session_id, RunState::Thinking);
        let session = self.session(session_id)?;
        let messages = self.store.with(|c| store::flow::messages(c, session_id))?;
        let mut answer = message(session_id, FlowRole::Assistant, String::new());
        let (stored, config) = match self.provider_for(&session) {
            Ok(p) => p,
            Err(e) => {
                answer.status = MessageStatus::Error;
                answer.error = Some(e.to_string());
                let m = self
                    .store
                    .with(|c| store::flow::insert_message(c, &answer))?;
                self.emit_message(&m);
                return Ok(false);
            }
        };
        answer.model = Some(config.model.clone());
        // Steps: answers since the user last spoke, or since the last failed or
        // stopped answer (so Retry after the limit grants another round).
        let since_user = messages
            .iter()
            .rev()
            .take_while(|m| {
                m.role != FlowRole::User
                    && !(m.role == FlowRole::Assistant
                        && matches!(m.status, MessageStatus::Error | MessageStatus::Cancelled))
            })
            .filter(|m| m.role == FlowRole::Assistant && m.status == MessageStatus::Done)
            .count();
        if since_user >= stored.max_steps as usize {
            answer.status = MessageStatus::Error;
            answer.error = Some(format!(
                "Stopped after {} steps without a final answer (the step limit, in the Flow settings). Retry lets it go on for as many more.",
                stored.max_steps
            ));
            let m = self
                .store
                .with(|c| store::flow::insert_message(c, &answer))?;
            self.emit_message(&m);
            return Ok(false);
        }
        let offered = match self.offered_tools(&session).await {
            Ok(o) => o,
            Err(e) => {
                answer.status = MessageStatus::Error;
                answer.error = Some(e.to_string());
                let m = self
                    .store
                    .with(|c| store::flow::insert_message(c, &answer))?;
                self.emit_message(&m);
                return Ok(false);
            }
        };
        let names = function_names(&offered);
        let specs: Vec<ToolSpec> = offered
            .iter()
            .zip(&names)
            .map(|(o, name)| ToolSpec {
                name: name.clone(),
                description: o.description.clone(),
                parameters: o.schema.clone(),
            })
            .collect();
        // A recipe's run has its own system prompt.
        let own = self
            .store
            .with(|c| store::flow::system_prompt(c, session_id))?;
        let files = self
            .store
            .with(|c| store::flow::session_attachments(c, session_id))?;
        let chat = history(
            own.as_deref().unwrap_or(&stored.system_prompt),
            &messages,
            &files,
        );

        answer.status = MessageStatus::Streaming;
        let mut answer = self
            .store
            .with(|c| store::flow::insert_message(c, &answer))?;
        self.emit_message(&answer);
        let message_id = answer.id;
        let mut partial = String::new();
        let outcome = {
            let tokens = &self.tokens;
            let partial = &mut partial;
            let stream = provider::stream_chat(&config, &chat, &specs, |text| {
                partial.push_str(text);
                let _ = tokens.send(Token {
                    session_id,
                    message_id,
                    text: text.to_string(),
                });
            });
            tokio::select! {
                r = stream => Some(r),
                _ = cancelled(cancel) => None,
            }
        };
        let completion = match outcome {
            None => {
                answer.content = partial;
                answer.status = MessageStatus::Cancelled;
                answer.error = Some("Stopped by the user.".into());
                self.save(&answer)?;
                return Ok(false);
            }
            Some(Err(e)) => {
                answer.content = match &e {
                    ProviderError::BrokenStream(_, got) => got.content.clone(),
                    _ => partial,
                };
                answer.status = MessageStatus::Error;
                answer.error = Some(e.to_string());
                self.save(&answer)?;
                return Ok(false);
            }
            Some(Ok(c)) => c,
        };
        answer.content = completion.content;
        answer.usage = completion.usage;
        answer.status = MessageStatus::Done;
        let mut any_call = false;
        for (n, call) in completion.tool_calls.into_iter().enumerate() {
            any_call = true;
            let id = if call.id.is_empty() {
                format!("call_{message_id}_{n}")
            } else {
                call.id
            };
            let found = names.iter().position(|name| *name == call.function.name);
            let mut c = FlowToolCall {
                id,
                name: call.function.name.clone(),
                server_id: None,
                server_name: None,
                tool: None,
                description: None,
                arguments: call.function.arguments.clone(),
                status: ToolCallStatus::Pending,
                auto_approved: false,
                changed_since_allowed: false,
                error: None,
                fingerprint: None,
                builtin: false,
                preview: None,
                checkpoint_id: None,
            };
            match found.map(|i| &offered[i]) {
                None => {
                    c.status = ToolCallStatus::Invalid;
                    c.error = Some(format!(
                        "There is no tool named \"{}\" in this session.",
                        call.function.name
                    ));
                }
                Some(o) => {
                    c.server_id = Some(o.server_id);
                    c.server_name = Some(o.server_name.clone());
                    c.tool = Some(o.tool.clone());
                    c.description = Some(o.description.clone());
                    c.fingerprint = Some(o.fingerprint.clone());
                    c.builtin = o.builtin;
                    let args = if call.function.arguments.trim().is_empty() {
                        Ok(serde_json::json!({}))
                    } else {
                        serde_json::from_str::<serde_json::Value>(&call.function.arguments)
                    };
                    match args {
                        Ok(v) if v.is_object() => {
                            // Kept as the model wrote it; `{}` stands in for nothing.
                            if call.function.arguments.trim().is_empty() {
                                c.arguments = "{}".into();
                            }
                            // A change to files is shown as a diff before it
                            // is decided; one that cannot be made is refused
                            // now, and the model hears why.
                            if let Err(e) = self.preview(&session, &mut c, &v) {
                                c.status = ToolCallStatus::Invalid;
                                c.error = Some(e.to_string());
                                answer.tool_calls.push(c);
                                continue;
                            }
                            let granted = self.store.with(|db| {
                                store::flow::grant_fingerprint(db, session_id, o.server_id, &o.tool)
                            })?;
                            match granted {
                                Some(fp) if fp == o.fingerprint => {
                                    c.status = ToolCallStatus::Approved;
                                    c.auto_approved = true;
                                }
                                Some(_) => c.changed_since_allowed = true,
                                None => {}
                            }
                        }
                        Ok(_) => {
                            c.status = ToolCallStatus::Invalid;
                            c.error = Some("The arguments are not a JSON object.".into());
                        }
                        Err(e) => {
                            c.status = ToolCallStatus::Invalid;
                            c.error = Some(format!("The arguments are not valid JSON ({e})."));
                        }
                    }
                }
            }
            answer.tool_calls.push(c);
        }
        self.save(&answer)?;
        Ok(any_call)
    }

    /// Puts on a repository tool's call that changes files the diff of the
    /// change it would make.
    fn preview(
        &self,
        session: &FlowSession,
        call: &mut FlowToolCall,
        args: &serde_json::Value,
    ) -> Result<()> {
        if !call.builtin {
            return Ok(());
        }
        let tool = call
            .tool
            .as_deref()
            .and_then(repo_tools::RepoTool::from_name)
            .filter(|t| t.changes_files());
        let (Some(tool), Some(repository_id)) = (tool, session.repository_id) else {
            return Ok(());
        };
        let change = self.repo_access()?.change(repository_id, tool, args)?;
        call.preview = Some(change.diff()?);
        Ok(())
    }
}
