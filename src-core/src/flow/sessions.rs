//! Sessions: create, change, archive, delete, list; their messages and
//! grants.

use super::*;

impl FlowAgent {
    pub(super) fn with_state(&self, mut s: FlowSession) -> FlowSession {
        if let Some(run) = lock(&self.runs).get(&s.id) {
            s.run_state = run.state;
        }
        s
    }

    pub fn session(&self, id: i64) -> Result<FlowSession> {
        let s = self.store.with(|c| store::flow::get_session(c, id))?;
        Ok(self.with_state(s))
    }

    pub(crate) fn emit_session(&self, id: i64) {
        if let Ok(s) = self.session(id) {
            self.events
                .emit(DomainEvent::FlowSessionUpdated(Box::new(s)));
        }
    }

    pub(super) fn emit_message(&self, m: &FlowMessage) {
        self.events
            .emit(DomainEvent::AgentMessage(Box::new(m.clone())));
    }

    pub fn sessions(&self, archived: bool, query: Option<&str>) -> Result<Vec<FlowSession>> {
        let list = self
            .store
            .with(|c| store::flow::list_sessions(c, archived, query))?;
        Ok(list.into_iter().map(|s| self.with_state(s)).collect())
    }

    pub(super) fn check_patch(
        &self,
        patch: &FlowSessionPatch,
        current: Option<&FlowSession>,
    ) -> Result<(String, Option<String>, Vec<i64>)> {
        let title = match &patch.title {
            Some(t) => {
                let t = t.trim();
                if t.is_empty() {
                    return Err(Error::InvalidInput("A session needs a title.".into()));
                }
                if t.chars().count() > 200 || t.chars().any(char::is_control) {
                    return Err(Error::InvalidInput(
                        "A title is one line of at most 200 characters.".into(),
                    ));
                }
                t.to_string()
            }
            None => current
                .map(|s| s.title.clone())
                .unwrap_or_else(|| DEFAULT_TITLE.into()),
        };
        let model = match &patch.model {
            Some(m) if m.trim().is_empty() => None,
            Some(m) => {
                let m = m.trim();
                if m.len() > 200 || m.chars().any(char::is_control) {
                    return Err(Error::InvalidInput("That model name is not valid.".into()));
                }
                Some(m.to_string())
            }
            None => current.and_then(|s| s.model.clone()),
        };
        let ids = match &patch.mcp_server_ids {
            Some(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                for id in &ids {
                    self.mcp.get(*id).map_err(|_| {
                        Error::InvalidInput(format!("There is no MCP server with id {id}."))
                    })?;
                }
                ids
            }
            None => current
                .map(|s| s.mcp_server_ids.clone())
                .unwrap_or_default(),
        };
        Ok((title, model, ids))
    }

    /// The profile a patch chooses, if it says one (refused if there is
    /// no such profile).
    pub(super) fn patch_profile(&self, patch: &FlowSessionPatch) -> Result<Option<ProfileChoice>> {
        let Some(name) = patch.mcp_profile.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if name.is_empty() {
            return Ok(Some(ProfileChoice::default()));
        }
        let profile = self.mcp.profile(name)?.ok_or_else(|| {
            Error::InvalidInput(format!("There is no MCP profile named \"{name}\"."))
        })?;
        Ok(Some(ProfileChoice {
            servers: Some(profile.servers.iter().map(|s| s.server_id).collect()),
            name: Some(profile.name),
        }))
    }

    /// The repository a patch chooses, if it says one: `Some(None)` for
    /// none (id 0); an unknown repository is refused.
    pub(super) fn patch_repository(&self, patch: &FlowSessionPatch) -> Result<Option<Option<i64>>> {
        match patch.repository_id {
            None => Ok(None),
            Some(0) => Ok(Some(None)),
            Some(id) => {
                self.store
                    .with(|c| store::repos::get(c, id))?
                    .ok_or_else(|| {
                        Error::InvalidInput(format!("There is no repository with id {id}."))
                    })?;
                Ok(Some(Some(id)))
            }
        }
    }

    pub fn create_session(&self, patch: FlowSessionPatch) -> Result<FlowSession> {
        self.create_session_of(patch, None)
    }

    /// A new session; with `recipe` (its id and system prompt), a run of
    /// that recipe from the same write, so nobody sees it as anything else.
    pub(super) fn create_session_of(
        &self,
        mut patch: FlowSessionPatch,
        recipe: Option<(i64, Option<&str>)>,
    ) -> Result<FlowSession> {
        let repository = self.patch_repository(&patch)?;
        let profile = self.patch_profile(&patch)?;
        if let Some(ids) = profile.as_ref().and_then(|p| p.servers.clone()) {
            patch.mcp_server_ids = Some(ids);
        }
        let (title, model, ids) = self.check_patch(&patch, None)?;
        let s = self.store.with(|c| {
            let tx = c.transaction()?;
            let mut s = store::flow::insert_session(&tx, &title, model.as_deref(), &ids)?;
            if let Some(p) = &profile {
                s = store::flow::set_profile(&tx, s.id, p.name.as_deref())?;
            }
            if let Some(Some(repository)) = repository {
                s = store::flow::set_repository(&tx, s.id, Some(repository))?;
            }
            if let Some((recipe_id, system_prompt)) = recipe {
                s = store::flow::set_recipe(&tx, s.id, recipe_id, system_prompt)?;
            }
            tx.commit()?;
            Ok(s)
        })?;
        self.emit_session(s.id);
        Ok(s)
    }

    pub fn update_session(&self, id: i64, mut patch: FlowSessionPatch) -> Result<FlowSession> {
        let current = self.session(id)?;
        let repository = self.patch_repository(&patch)?;
        if repository.is_some_and(|r| r != current.repository_id) {
            Self::keep_sandbox(&current, "change its repository")?;
        }
        let profile = self.patch_profile(&patch)?;
        if let Some(ids) = profile.as_ref().and_then(|p| p.servers.clone()) {
            patch.mcp_server_ids = Some(ids);
        }
        let (title, model, ids) = self.check_patch(&patch, Some(&current))?;
        // Servers chosen by hand end the use of a profile.
        let profile = match (profile, &patch.mcp_server_ids) {
            (Some(p), _) => Some(p.name),
            (None, Some(_)) => Some(None),
            (None, None) => None,
        };
        self.store.with(|c| {
            let tx = c.transaction()?;
            store::flow::update_session(&tx, id, &title, model.as_deref(), &ids)?;
            if let Some(name) = &profile {
                store::flow::set_profile(&tx, id, name.as_deref())?;
            }
            if let Some(repository) = repository {
                store::flow::set_repository(&tx, id, repository)?;
            }
            tx.commit()?;
            Ok(())
        })?;
        self.emit_session(id);
        self.session(id)
    }

    /// Session `id` works from now on in the sandbox `worktree_id`, a
    /// worktree of `origin_id` on `branch` (see [`crate::sandbox`]).
    pub fn set_sandbox(
        &self,
        id: i64,
        origin_id: i64,
        worktree_id: i64,
        branch: &str,
    ) -> Result<FlowSession> {
        self.session(id)?;
        self.store
            .with(|c| store::flow::set_sandbox(c, id, origin_id, worktree_id, branch))?;
        self.emit_session(id);
        self.session(id)
    }

    /// Refuses what would lose track of a session's active sandbox.
    fn keep_sandbox(current: &FlowSession, what: &str) -> Result<()> {
        match &current.sandbox {
            Some(s) if !s.discarded => Err(Error::Conflict(format!(
                "{} works in its sandbox ({}); merge or discard the sandbox before you {what}.",
                current.title, s.branch
            ))),
            _ => Ok(()),
        }
    }

    pub fn archive_session(&self, id: i64, archived: bool) -> Result<FlowSession> {
        self.session(id)?;
        self.store
            .with(|c| store::flow::set_archived(c, id, archived))?;
        self.emit_session(id);
        self.session(id)
    }

    pub async fn delete_session(&self, id: i64) -> Result<()> {
        Self::keep_sandbox(&self.session(id)?, "delete the session")?;
        self.cancel(id).await?;
        self.store.with(|c| store::flow::delete_session(c, id))?;
        self.events.emit(DomainEvent::FlowSessionDeleted(id));
        Ok(())
    }

    /// Attachment `index` of message `message_id`: its type and bytes.
    pub fn attachment(
        &self,
        message_id: i64,
        index: u32,
    ) -> Result<ai_desktop_api::flow::AttachmentData> {
        let (m, data) = self.store.with(|c| {
            Ok((
                store::flow::get_message(c, message_id)?,
                store::flow::attachment(c, message_id, index)?,
            ))
        })?;
        let (Some(meta), Some(data)) = (m.attachments.get(index as usize), data) else {
            return Err(Error::NotFound(format!(
                "Message {message_id} has no attachment {index}."
            )));
        };
        Ok(ai_desktop_api::flow::AttachmentData {
            mime: meta.mime.clone(),
            data: super::attachments::encode(&data),
        })
    }

    pub fn messages(&self, session_id: i64) -> Result<Vec<FlowMessage>> {
        self.session(session_id)?;
        self.store.with(|c| store::flow::messages(c, session_id))
    }

    pub fn grants(&self, session_id: i64) -> Result<Vec<ToolGrant>> {
        self.session(session_id)?;
        self.store.with(|c| store::flow::grants(c, session_id))
    }

    pub fn revoke_grant(&self, session_id: i64, server_id: i64, tool: &str) -> Result<()> {
        self.session(session_id)?;
        self.store
            .with(|c| store::flow::revoke(c, session_id, server_id, tool))
    }

    // ---- the conversation ---------------------------------------------
}

/// A profile a patch chose: its name and servers (both None: no profile).
#[derive(Default)]
pub(super) struct ProfileChoice {
    pub(super) name: Option<String>,
    servers: Option<Vec<i64>>,
}
