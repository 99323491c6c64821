//! The run state machine: send, edit, retry, decide, cancel; one run per
//! session at a time, each step written before the next.

use super::*;

impl FlowAgent {
    pub(super) fn is_running(&self, session_id: i64) -> bool {
        lock(&self.runs).contains_key(&session_id)
    }

    pub(super) fn check_text(text: &str) -> Result<String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::InvalidInput("The message is empty.".into()));
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            return Err(Error::InvalidInput(format!(
                "The message is longer than {MAX_MESSAGE_CHARS} characters."
            )));
        }
        Ok(text.to_string())
    }

    /// The provider and model this session would use; refuses before
    /// anything is stored when there is none.
    pub(super) fn provider_for(
        &self,
        session: &FlowSession,
    ) -> Result<(settings::Stored, provider::ProviderConfig)> {
        self.provider_with(session.model.as_deref())
    }

    /// The provider for `model` (None or empty: the settings' one).
    pub(super) fn provider_with(
        &self,
        model: Option<&str>,
    ) -> Result<(settings::Stored, provider::ProviderConfig)> {
        let stored = settings::load(&self.store)?;
        let model = model
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| stored.model.clone());
        if model.is_empty() {
            return Err(Error::InvalidInput(
                "Choose a model first: in the Flow settings, or for this session.".into(),
            ));
        }
        let key = settings::read_key(&self.key_file)?;
        let config = settings::provider_config(&stored, key, model);
        Ok((stored, config))
    }

    pub(super) fn busy() -> Error {
        Error::Conflict(
            "The agent is still working on this session. Stop it first, or wait.".into(),
        )
    }

    /// Stores the user's message and starts the agent on it. Calls still
    /// waiting for a decision are answered "not run" first (the model must
    /// hear back about every call it made).
    pub fn send(self: &Arc<Self>, session_id: i64, text: &str) -> Result<FlowMessage> {
        self.send_with(session_id, text, &[])
    }

    /// [`Self::send`] with files: text files and images (see
    /// [`super::attachments`]); the text may then be empty.
    pub fn send_with(
        self: &Arc<Self>,
        session_id: i64,
        text: &str,
        files: &[ai_desktop_api::flow::AttachmentInput],
    ) -> Result<FlowMessage> {
        let files = super::attachments::check(files)?;
        let text = if files.is_empty() || !text.trim().is_empty() {
            Self::check_text(text)?
        } else {
            String::new()
        };
        let session = self.session(session_id)?;
        self.provider_for(&session)?;
        if self.is_running(session_id) {
            return Err(Self::busy());
        }
        let mut changed = self.settle_pending(
            session_id,
            ToolCallStatus::Denied,
            "Not run: the user sent a new message instead of deciding.",
        )?;
        let user = self.store.with(|c| {
            let tx = c.transaction()?;
            let mut m = message(session_id, FlowRole::User, text.clone());
            m.attachments = files.iter().map(|f| f.meta.clone()).collect();
            let m = store::flow::insert_message(&tx, &m)?;
            store::flow::insert_attachments(
                &tx,
                m.id,
                &files.iter().map(|f| f.data.clone()).collect::<Vec<_>>(),
            )?;
            if session.title == DEFAULT_TITLE && session.message_count == 0 {
                let first = match text.lines().next() {
                    Some(line) => line,
                    None => files.first().map(|f| f.meta.name.as_str()).unwrap_or(""),
                };
                let title: String = first.chars().take(60).collect();
                store::flow::update_session(
                    &tx,
                    session_id,
                    title.trim(),
                    session.model.as_deref(),
                    &session.mcp_server_ids,
                )?;
            }
            tx.commit()?;
            Ok(m)
        })?;
        changed.push(user.clone());
        for m in &changed {
            self.emit_message(m);
        }
        self.start_run(session_id, Mode::Ask);
        Ok(user)
    }

    /// Changes a user message, drops everything after it, and asks again.
    pub fn edit_message(
        self: &Arc<Self>,
        session_id: i64,
        message_id: i64,
        text: &str,
    ) -> Result<Vec<FlowMessage>> {
        let text = Self::check_text(text)?;
        let session = self.session(session_id)?;
        self.provider_for(&session)?;
        let mut m = self
            .store
            .with(|c| store::flow::get_message(c, message_id))?;
        if m.session_id != session_id || m.role != FlowRole::User {
            return Err(Error::InvalidInput(
                "Only your own messages of this session can be edited.".into(),
            ));
        }
        if self.is_running(session_id) {
            return Err(Self::busy());
        }
        m.content = text;
        self.store.with(|c| {
            let tx = c.transaction()?;
            store::flow::delete_messages_after(&tx, session_id, message_id)?;
            store::flow::update_message(&tx, &m)?;
            tx.commit()?;
            Ok(())
        })?;
        // What the edit left, before the agent adds to it.
        let messages = self.messages(session_id)?;
        self.start_run(session_id, Mode::Ask);
        Ok(messages)
    }

    /// Asks the model again after an error or a stop.
    pub fn retry(self: &Arc<Self>, session_id: i64) -> Result<()> {
        let session = self.session(session_id)?;
        self.provider_for(&session)?;
        if self.is_running(session_id) {
            return Err(Self::busy());
        }
        let messages = self.messages(session_id)?;
        match messages.last() {
            Some(m) if m.role == FlowRole::User => {}
            Some(m)
                if m.role == FlowRole::Assistant
                    && matches!(m.status, MessageStatus::Error | MessageStatus::Cancelled) => {}
            _ => {
                return Err(Error::Conflict(
                    "There is nothing to retry: the last answer is complete.".into(),
                ))
            }
        }
        self.start_run(session_id, Mode::Ask);
        Ok(())
    }

    /// The user's decision on a call waiting for one.
    pub fn decide(
        self: &Arc<Self>,
        session_id: i64,
        message_id: i64,
        call_id: &str,
        decision: ToolDecision,
    ) -> Result<FlowMessage> {
        self.session(session_id)?;
        let mut m = self
            .store
            .with(|c| store::flow::get_message(c, message_id))?;
        if m.session_id != session_id || m.role != FlowRole::Assistant {
            return Err(Error::NotFound(format!(
                "Message {message_id} is not an answer of this session."
            )));
        }
        let call = m
            .tool_calls
            .iter_mut()
            .find(|c| c.id == call_id)
            .ok_or_else(|| Error::NotFound(format!("There is no tool call \"{call_id}\" here.")))?;
        if call.status != ToolCallStatus::Pending {
            return Err(Error::Conflict("This call was already decided.".into()));
        }
        call.status = match decision {
            ToolDecision::Deny => ToolCallStatus::Denied,
            ToolDecision::Approve | ToolDecision::AlwaysAllow => ToolCallStatus::Approved,
        };
        let grant = (decision == ToolDecision::AlwaysAllow)
            .then(|| {
                Some((
                    call.server_id?,
                    call.tool.clone()?,
                    call.fingerprint.clone()?,
                ))
            })
            .flatten();
        let m = self.store.with(|c| {
            let tx = c.transaction()?;
            if let Some((server_id, tool, fp)) = &grant {
                // What the user saw is what is allowed, not what the server says now.
                store::flow::grant(&tx, session_id, *server_id, tool, fp)?;
            }
            let m = store::flow::update_message(&tx, &m)?;
            tx.commit()?;
            Ok(m)
        })?;
        self.emit_message(&m);
        if !m
            .tool_calls
            .iter()
            .any(|c| c.status == ToolCallStatus::Pending)
        {
            self.start_run(session_id, Mode::Continue);
        }
        Ok(m)
    }

    /// Stops the stream and any running call; calls waiting for a decision
    /// are answered "stopped". Returns once the run has ended.
    pub async fn cancel(&self, session_id: i64) -> Result<()> {
        let signalled = {
            let runs = lock(&self.runs);
            match runs.get(&session_id) {
                Some(run) => {
                    let _ = run.cancel.send(true);
                    true
                }
                None => false,
            }
        };
        if signalled {
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.is_running(session_id) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let changed = self.settle_pending(
            session_id,
            ToolCallStatus::Cancelled,
            "Not run: the user stopped the agent.",
        )?;
        for m in &changed {
            self.emit_message(m);
        }
        self.emit_session(session_id);
        Ok(())
    }

    /// Gives every call of the last answer still waiting (pending, or
    /// approved but not run) `status` and a tool message saying `why`.
    pub(super) fn settle_pending(
        &self,
        session_id: i64,
        status: ToolCallStatus,
        why: &str,
    ) -> Result<Vec<FlowMessage>> {
        self.store.with(|c| {
            let messages = store::flow::messages(c, session_id)?;
            let Some(pos) = messages.iter().rposition(|m| m.role == FlowRole::Assistant) else {
                return Ok(Vec::new());
            };
            let mut answer = messages[pos].clone();
            let answered: Vec<&str> = messages[pos + 1..]
                .iter()
                .filter_map(|m| m.tool_call_id.as_deref())
                .collect();
            let open: Vec<usize> = answer
                .tool_calls
                .iter()
                .enumerate()
                .filter(|(_, call)| {
                    matches!(
                        call.status,
                        ToolCallStatus::Pending | ToolCallStatus::Approved
                    ) && !answered.contains(&call.id.as_str())
                })
                .map(|(i, _)| i)
                .collect();
            if open.is_empty() {
                return Ok(Vec::new());
            }
            let tx = c.transaction()?;
            let mut changed = Vec::new();
            for i in open {
                let call = &mut answer.tool_calls[i];
                call.status = status;
                let result = refused(call, why.to_string());
                changed.push(store::flow::insert_message(
                    &tx,
                    &tool_message(session_id, result),
                )?);
            }
            changed.insert(0, store::flow::update_message(&tx, &answer)?);
            tx.commit()?;
            Ok(changed)
        })
    }

    pub(super) fn set_state(&self, session_id: i64, state: RunState) {
        let changed = {
            let mut runs = lock(&self.runs);
            match runs.get_mut(&session_id) {
                Some(run) if run.state != state => {
                    run.state = state;
                    true
                }
                _ => false,
            }
        };
        if changed {
            self.emit_session(session_id);
        }
    }

    /// Starts a run, or, if one is ending, tells it to look again.
    pub(super) fn start_run(self: &Arc<Self>, session_id: i64, mode: Mode) {
        let cancel_rx = {
            let mut runs = lock(&self.runs);
            if let Some(run) = runs.get_mut(&session_id) {
                run.again = true;
                return;
            }
            let (cancel, rx) = watch::channel(false);
            runs.insert(
                session_id,
                Run {
                    state: RunState::Thinking,
                    cancel,
                    again: false,
                },
            );
            rx
        };
        self.emit_session(session_id);
        let agent = self.clone();
        tokio::spawn(async move {
            let mut mode = mode;
            loop {
                if let Err(e) = agent.run(session_id, mode, cancel_rx.clone()).await {
                    log::warn!(
                        "agent run of session {session_id} failed: {}",
                        e.with_detail_text()
                    );
                }
                let mut runs = lock(&agent.runs);
                let again = runs
                    .get_mut(&session_id)
                    .map(|r| std::mem::take(&mut r.again));
                if again == Some(true) && !*cancel_rx.borrow() {
                    mode = Mode::Continue;
                    continue;
                }
                runs.remove(&session_id);
                break;
            }
            agent.emit_session(session_id);
        });
    }

    /// Does what the conversation calls for next until it needs the user or is done.
    pub(super) async fn run(
        self: &Arc<Self>,
        session_id: i64,
        mode: Mode,
        mut cancel: watch::Receiver<bool>,
    ) -> Result<()> {
        let mut first = true;
        loop {
            if *cancel.borrow() {
                return Ok(());
            }
            let messages = self.store.with(|c| store::flow::messages(c, session_id))?;
            let Some(last) = messages.last() else {
                return Ok(());
            };
            // The answer whose calls may still need running.
            let calls_at = messages.iter().rposition(|m| m.role == FlowRole::Assistant);
            let open_calls = calls_at.is_some_and(|i| {
                messages[i].status == MessageStatus::Done
                    && !messages[i].tool_calls.is_empty()
                    && messages[i + 1..].iter().all(|m| m.role == FlowRole::Tool)
            });
            if open_calls {
                let i = calls_at.unwrap_or_default();
                let answered: Vec<String> = messages[i + 1..]
                    .iter()
                    .filter_map(|m| m.tool_call_id.clone())
                    .collect();
                if !self
                    .run_calls(session_id, messages[i].clone(), &answered, &mut cancel)
                    .await?
                {
                    return Ok(());
                }
            } else {
                let may_ask = match last.role {
                    FlowRole::User => true,
                    FlowRole::Assistant => {
                        first
                            && mode == Mode::Ask
                            && matches!(
                                last.status,
                                MessageStatus::Error | MessageStatus::Cancelled
                            )
                    }
                    FlowRole::Tool => false,
                };
                if !may_ask {
                    return Ok(());
                }
            }
            first = false;
            if *cancel.borrow() {
                return Ok(());
            }
            if !self.ask_model(session_id, &mut cancel).await? {
                return Ok(());
            }
        }
    }

    pub(super) fn save(&self, m: &FlowMessage) -> Result<FlowMessage> {
        let m = self.store.with(|c| store::flow::update_message(c, m))?;
        self.emit_message(&m);
        Ok(m)
    }
}
