//! Recipes: saved session templates. A run is a new session made from the
//! recipe (its repository, servers or profile, model and system prompt),
//! sent the recipe's first message — with, for a run a crash set off, what
//! crashed — and titled after it, so every run stays in the session list.

use super::*;
use ai_desktop_api::flow::{FlowRecipe, FlowRecipeInput, RecipeTrigger};

/// Longest first message and system prompt of a recipe.
const MAX_PROMPT: usize = 20_000;
/// A schedule's shortest and longest interval, in minutes.
const MIN_EVERY: u32 = 15;
const MAX_EVERY: u32 = 7 * 24 * 60;

impl FlowAgent {
    pub fn recipes(&self) -> Result<Vec<FlowRecipe>> {
        self.store.with(|c| store::recipes::list(c))
    }

    pub fn recipe(&self, id: i64) -> Result<FlowRecipe> {
        self.store.with(|c| store::recipes::get(c, id))
    }

    /// Checks the form and saves it (a new recipe when `id` is None).
    pub fn save_recipe(&self, id: Option<i64>, input: FlowRecipeInput) -> Result<FlowRecipe> {
        let bad = |m: &str| Error::InvalidInput(m.to_string());
        let name = input.name.trim().to_string();
        if name.is_empty() {
            return Err(bad("Give the recipe a name."));
        }
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(bad(
                "A recipe's name is one line of at most 100 characters.",
            ));
        }
        let prompt = input.prompt.trim().to_string();
        if prompt.is_empty() {
            return Err(bad("Write the first message each run sends."));
        }
        if prompt.len() > MAX_PROMPT {
            return Err(bad("The first message is longer than 20,000 characters."));
        }
        let system_prompt = input
            .system_prompt
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if system_prompt.as_ref().is_some_and(|s| s.len() > MAX_PROMPT) {
            return Err(bad("The system prompt is longer than 20,000 characters."));
        }
        // The session parts are checked as a session's would be.
        let patch = FlowSessionPatch {
            title: Some(name.clone()),
            model: input.model.clone(),
            mcp_server_ids: Some(input.mcp_server_ids.clone()),
            mcp_profile: input.mcp_profile.clone(),
            repository_id: input.repository_id.filter(|id| *id != 0),
        };
        let repository = self.patch_repository(&patch)?.flatten();
        let profile = self.patch_profile(&patch)?.and_then(|p| p.name);
        let (_, model, ids) = self.check_patch(&patch, None)?;
        let every_minutes = match input.trigger {
            RecipeTrigger::Schedule => match input.every_minutes {
                Some(m) if (MIN_EVERY..=MAX_EVERY).contains(&m) => Some(m),
                _ => {
                    return Err(bad(
                        "A schedule runs every 15 minutes at the most often and once a week at the least: give minutes from 15 to 10,080.",
                    ))
                }
            },
            _ => None,
        };
        let branch = match input.trigger {
            RecipeTrigger::Push => {
                if repository.is_none() {
                    return Err(bad(
                        "A recipe that runs after a push needs a repository: choose the one whose pushes it follows.",
                    ));
                }
                match input
                    .branch
                    .as_deref()
                    .map(str::trim)
                    .filter(|b| !b.is_empty())
                {
                    None => None,
                    Some(b) => {
                        crate::git::args::branch(b)?;
                        Some(b.to_string())
                    }
                }
            }
            _ => None,
        };
        if input.sandbox && repository.is_none() {
            return Err(bad(
                "A recipe that runs in a sandbox needs a repository: choose the one to make the sandbox of.",
            ));
        }
        let deployment_id = match input.trigger {
            RecipeTrigger::Manual | RecipeTrigger::Schedule | RecipeTrigger::Push => None,
            RecipeTrigger::DeploymentErrored => {
                let Some(repository) = repository else {
                    return Err(bad(
                        "A recipe that runs when a deployment crashes needs a repository: choose the one whose deployments it watches.",
                    ));
                };
                match input.deployment_id.filter(|id| *id != 0) {
                    None => None,
                    Some(d) => {
                        let of = self.store.with(|c| store::deployments::get(c, d))?;
                        match of {
                            Some(dep) if dep.repository_id == repository => Some(d),
                            _ => {
                                return Err(bad("That deployment is not one of the repository's."))
                            }
                        }
                    }
                }
            }
        };
        let checked = FlowRecipeInput {
            name,
            prompt,
            system_prompt,
            model,
            repository_id: repository,
            mcp_server_ids: if profile.is_some() { Vec::new() } else { ids },
            mcp_profile: profile,
            trigger: input.trigger,
            deployment_id,
            every_minutes,
            branch,
            sandbox: input.sandbox,
        };
        let saved = self.store.with(|c| store::recipes::save(c, id, &checked))?;
        self.events.emit(DomainEvent::FlowRecipesChanged);
        self.recipes_changed.notify_one();
        Ok(saved)
    }

    pub fn delete_recipe(&self, id: i64) -> Result<()> {
        self.store.with(|c| store::recipes::delete(c, id))?;
        self.events.emit(DomainEvent::FlowRecipesChanged);
        self.recipes_changed.notify_one();
        Ok(())
    }

    /// Runs the scheduled recipes as they fall due, for as long as the
    /// agent lives. It sleeps until the next one is due (not at all while
    /// there is none) and plans again when recipes change. A run that
    /// cannot start (no provider) is tried again one interval later.
    pub async fn run_schedule(self: Arc<Self>) {
        let mut failed: HashMap<i64, Instant> = HashMap::new();
        loop {
            let plan = match self.store.with(|c| store::recipes::schedule(c)) {
                Ok(p) => p,
                Err(e) => {
                    log::warn!("recipe schedule: {}", e.with_detail_text());
                    Vec::new()
                }
            };
            let now = Instant::now();
            let mut next: Option<Duration> = None;
            for (id, secs) in plan {
                // One that could not start waits a whole interval from then.
                let wait = match failed.get(&id) {
                    Some(at) => {
                        let every = self
                            .recipe(id)
                            .ok()
                            .and_then(|r| r.every_minutes)
                            .unwrap_or(MIN_EVERY);
                        let retry =
                            Duration::from_secs(u64::from(every) * 60).saturating_sub(now - *at);
                        retry.as_secs_f64().max(secs)
                    }
                    None => secs,
                };
                if wait <= 0.0 {
                    match self
                        .run_recipe(id, None, Some("Run on its schedule."))
                        .await
                    {
                        Ok(s) => {
                            failed.remove(&id);
                            log::info!("recipe {id} ran on its schedule (session {})", s.id);
                        }
                        Err(e) => {
                            failed.insert(id, now);
                            log::warn!(
                                "recipe {id} could not run on its schedule: {}",
                                e.with_detail_text()
                            );
                        }
                    }
                    // Planned again: its next run counts from this one.
                    next = Some(Duration::ZERO);
                    continue;
                }
                let wait = Duration::from_secs_f64(wait);
                next = Some(next.map_or(wait, |n| n.min(wait)));
            }
            match next {
                Some(d) if d.is_zero() => continue,
                Some(d) => {
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = self.recipes_changed.notified() => {}
                    }
                }
                None => self.recipes_changed.notified().await,
            }
        }
    }

    /// Runs recipe `id`: a new session from it, sent its first message and,
    /// after it, `context` (what set the run off). Nothing is left behind
    /// when the run cannot start (no provider, a server deleted since).
    pub async fn run_recipe(
        self: &Arc<Self>,
        id: i64,
        title: Option<String>,
        context: Option<&str>,
    ) -> Result<FlowSession> {
        let recipe = self.recipe(id)?;
        // Said before anything is made.
        self.provider_with(recipe.model.as_deref())?;
        let session = self
            .create_session_of(
                FlowSessionPatch {
                    title: Some(title.unwrap_or_else(|| recipe.name.clone())),
                    model: recipe.model.clone(),
                    mcp_server_ids: Some(recipe.mcp_server_ids.clone()),
                    mcp_profile: recipe.mcp_profile.clone(),
                    repository_id: recipe.repository_id,
                },
                Some((recipe.id, recipe.system_prompt.as_deref())),
            )
            .map_err(|e| {
                Error::InvalidInput(format!("The recipe \"{}\" cannot run: {e}", recipe.name))
            })?;
        let mut text = recipe.prompt.clone();
        if let Some(context) = context {
            text.push_str("\n\n---\n\n");
            text.push_str(context);
        }
        // A sandbox is made before the first message, so the run starts in it.
        let sandboxed = match (recipe.sandbox, recipe.repository_id) {
            (true, Some(repository_id)) => match self.app.get().and_then(|a| a.upgrade()) {
                Some(app) => app
                    .make_sandbox(session.id, repository_id)
                    .await
                    .map(|_| ()),
                None => Err(Error::failed("Sandboxes are not available here.", "no app")),
            },
            _ => Ok(()),
        };
        let started = sandboxed.and_then(|_| self.send(session.id, &text));
        if let Err(e) = started {
            let _ = self
                .store
                .with(|c| store::flow::delete_session(c, session.id));
            self.events
                .emit(DomainEvent::FlowSessionDeleted(session.id));
            return Err(e);
        }
        self.events.emit(DomainEvent::FlowRecipesChanged);
        self.session(session.id)
    }
}

/// Passes every event on, and tells which deployments just crashed: PM2
/// marked them errored after another status (one first seen errored, at
/// start, is not a crash just now).
pub struct CrashWatch {
    inner: Arc<dyn EventSink>,
    seen: Mutex<HashMap<i64, ai_desktop_api::deployments::DeploymentStatus>>,
    crashed: tokio::sync::mpsc::UnboundedSender<i64>,
}

impl CrashWatch {
    /// The sink to give the managers, and where crashed deployments' ids arrive.
    pub fn new(
        inner: Arc<dyn EventSink>,
    ) -> (Arc<CrashWatch>, tokio::sync::mpsc::UnboundedReceiver<i64>) {
        let (crashed, rx) = tokio::sync::mpsc::unbounded_channel();
        (
            Arc::new(CrashWatch {
                inner,
                seen: Mutex::new(HashMap::new()),
                crashed,
            }),
            rx,
        )
    }
}

impl EventSink for CrashWatch {
    fn emit(&self, event: DomainEvent) {
        use ai_desktop_api::deployments::DeploymentStatus;
        match &event {
            DomainEvent::DeploymentUpdated(d) => {
                let before = lock(&self.seen).insert(d.id, d.status);
                if d.status == DeploymentStatus::Errored
                    && before.is_some_and(|b| b != DeploymentStatus::Errored)
                {
                    let _ = self.crashed.send(d.id);
                }
            }
            DomainEvent::DeploymentDeleted(id) => {
                lock(&self.seen).remove(id);
            }
            _ => {}
        }
        self.inner.emit(event);
    }
}
