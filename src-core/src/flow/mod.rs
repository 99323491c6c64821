//! Flow Builder: agent sessions that think with an LLM and act through MCP
//! tools, with the user's approval.
//!
//! The conversation in SQLite *is* the agent's state: a run reads the
//! session's messages and does the next thing they call for (ask the model,
//! run an approved call, wait for a decision), writing each step before the
//! next. So a decision made after a restart carries on where it stopped, and
//! whatever happens, what was said stays.

pub mod anthropic;
mod ask;
pub mod attachments;
mod checkpoints;
mod conversation;
pub mod crash;
mod history;
pub mod provider;
mod recipes;
pub use recipes::CrashWatch;
pub mod repo_tools;
mod run;
mod sessions;
pub mod settings;
mod tools;
mod workshop_tools;

use crate::error::{Error, Result};
use crate::events::{DomainEvent, EventSink};
use crate::mcp::McpHub;
use crate::store::{self, Store};
use crate::util::lock;
use ai_desktop_api::flow::{
    ConnectionReport, FlowMessage, FlowRole, FlowSession, FlowSessionPatch, FlowSettings,
    FlowSettingsInput, FlowToolCall, FlowToolResult, MessageStatus, RunState, ToolCallStatus,
    ToolDecision, ToolGrant,
};
use ai_desktop_api::mcp::{McpContent, McpState};
use provider::{ChatImage, ChatMessage, FunctionCall, ProviderError, ToolCall, ToolSpec};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

use history::*;
pub use tools::fingerprint;
use tools::*;
pub(crate) use tools::{function_names, offered_of};

/// The longest message a user may send.
const MAX_MESSAGE_CHARS: usize = 100_000;
const DEFAULT_TITLE: &str = "New session";

/// A piece of streamed text.
#[derive(Debug, Clone)]
pub struct Token {
    pub session_id: i64,
    pub message_id: i64,
    pub text: String,
}

struct Run {
    state: RunState,
    cancel: watch::Sender<bool>,
    /// A decision arrived while the run was finishing: look again before ending.
    again: bool,
}

/// Why a run is started.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// A new or edited user message, or Retry: asking the model is the point.
    Ask,
    /// A decision: carry on with the calls; never re-ask after an error.
    Continue,
}

pub struct FlowAgent {
    store: Arc<Store>,
    mcp: Arc<McpHub>,
    events: Arc<dyn EventSink>,
    key_file: PathBuf,
    runs: Mutex<HashMap<i64, Run>>,
    tokens: broadcast::Sender<Token>,
    /// The repositories and their files, for sessions that work in one.
    repo_access: OnceLock<repo_tools::RepoAccess>,
    /// Told when recipes change, so their schedule is planned again.
    pub(crate) recipes_changed: tokio::sync::Notify,
    /// The app around it, for what spans modules (a recipe's sandbox).
    app: OnceLock<std::sync::Weak<crate::app::App>>,
}

impl FlowAgent {
    /// `data_dir` holds the API key file (`flow/api-key`, mode 0600).
    pub fn new(
        store: Arc<Store>,
        mcp: Arc<McpHub>,
        events: Arc<dyn EventSink>,
        data_dir: PathBuf,
    ) -> Arc<Self> {
        let (tokens, _) = broadcast::channel(4096);
        let agent = Arc::new(FlowAgent {
            store,
            mcp,
            events,
            key_file: data_dir.join("flow").join("api-key"),
            runs: Mutex::new(HashMap::new()),
            tokens,
            repo_access: OnceLock::new(),
            recipes_changed: tokio::sync::Notify::new(),
            app: OnceLock::new(),
        });
        // An app that stopped mid-answer left messages streaming: settle them.
        match agent.store.with(|c| store::flow::settle_interrupted(c)) {
            Ok(0) => {}
            Ok(n) => log::info!("settled {n} agent message(s) an earlier run left unfinished"),
            Err(e) => log::warn!("could not settle unfinished agent messages: {e}"),
        }
        agent
    }

    /// Gives sessions that work in a repository their repository tools
    /// (once; later calls change nothing).
    /// The app it belongs to (set once by [`crate::app::App::open`]).
    pub(crate) fn set_app(&self, app: std::sync::Weak<crate::app::App>) {
        let _ = self.app.set(app);
    }

    pub fn set_repositories(&self, access: repo_tools::RepoAccess) {
        let _ = self.repo_access.set(access);
    }

    pub(super) fn repo_access(&self) -> Result<&repo_tools::RepoAccess> {
        self.repo_access.get().ok_or_else(|| {
            Error::Unavailable("The repository tools are not available in this build.".into())
        })
    }

    /// Streamed text of every session; the desktop side filters and batches it.
    pub fn subscribe_tokens(&self) -> broadcast::Receiver<Token> {
        self.tokens.subscribe()
    }

    // ---- settings ------------------------------------------------------

    pub fn settings(&self) -> Result<FlowSettings> {
        let stored = settings::load(&self.store)?;
        let key = settings::read_key(&self.key_file)?;
        Ok(settings::view(&stored, key.as_deref()))
    }

    pub fn save_settings(&self, input: FlowSettingsInput) -> Result<FlowSettings> {
        let saved = settings::read_key(&self.key_file)?;
        let saved_url = settings::load(&self.store)?.base_url;
        let (stored, key) = settings::validate(&input, saved, &saved_url)?;
        settings::save(
            &self.store,
            &self.key_file,
            &stored,
            &input.api_key,
            key.as_deref(),
        )?;
        Ok(settings::view(&stored, key.as_deref()))
    }

    /// Tries the form's values (not saved): lists models, or, where the
    /// provider has no list, asks for one token.
    pub async fn test_connection(&self, input: FlowSettingsInput) -> Result<ConnectionReport> {
        let saved = settings::read_key(&self.key_file)?;
        let saved_url = settings::load(&self.store)?.base_url;
        let (stored, key) = settings::validate(&input, saved, &saved_url)?;
        let config = settings::provider_config(&stored, key, stored.model.clone());
        let started = Instant::now();
        let outcome = match provider::list_models(&config).await {
            Ok(Some(models)) => {
                let message = if stored.model.is_empty() {
                    format!(
                        "Connected. The provider offers {} model(s); choose one.",
                        models.len()
                    )
                } else if models.contains(&stored.model) {
                    format!(
                        "Connected. \"{}\" is one of the {} model(s) it offers.",
                        stored.model,
                        models.len()
                    )
                } else {
                    format!(
                        "Connected, but the provider does not list \"{}\" among its {} model(s).",
                        stored.model,
                        models.len()
                    )
                };
                Ok((message, models))
            }
            Ok(None) if stored.model.is_empty() => Ok((
                "Connected (the provider does not list its models). Enter a model name.".into(),
                Vec::new(),
            )),
            Ok(None) => {
                let mut probe = config.clone();
                probe.max_tokens = Some(1);
                provider::stream_chat(&probe, &[ChatMessage::text("user", "ping")], &[], |_| {})
                    .await
                    .map(|_| {
                        (
                            format!("Connected. \"{}\" answers.", stored.model),
                            Vec::new(),
                        )
                    })
            }
            Err(e) => Err(e),
        };
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(match outcome {
            Ok((message, models)) => ConnectionReport {
                ok: true,
                message,
                models,
                duration_ms,
            },
            Err(e) => ConnectionReport {
                ok: false,
                message: e.to_string(),
                models: Vec::new(),
                duration_ms,
            },
        })
    }

    /// One answer from the saved provider to `instruction` (as the system
    /// message) and `text`, without tools or a session: what the Git page's
    /// *Draft* asks for.
    pub async fn draft(&self, instruction: &str, text: &str) -> Result<String> {
        let stored = settings::load(&self.store)?;
        if stored.base_url.trim().is_empty() || stored.model.trim().is_empty() {
            return Err(Error::InvalidInput(
                "Set up the Flow Builder's provider first (Flow Builder → Settings).".into(),
            ));
        }
        let key = settings::read_key(&self.key_file)?;
        let config = settings::provider_config(&stored, key, stored.model.clone());
        let messages = [
            provider::ChatMessage::text("system", instruction),
            provider::ChatMessage::text("user", text),
        ];
        let done = provider::stream_chat(&config, &messages, &[], |_| {})
            .await
            .map_err(|e| Error::failed("The agent did not answer.", e.to_string()))?;
        Ok(done.content)
    }

    /// Models the saved provider lists; empty when it cannot say.
    pub async fn models(&self) -> Result<Vec<String>> {
        let stored = settings::load(&self.store)?;
        let key = settings::read_key(&self.key_file)?;
        let config = settings::provider_config(&stored, key, stored.model.clone());
        Ok(provider::list_models(&config)
            .await
            .ok()
            .flatten()
            .unwrap_or_default())
    }

    // ---- sessions ------------------------------------------------------
}

/// Resolves when `rx` says cancelled (or its sender is gone).
async fn cancelled(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|c| *c).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(server_id: i64, server: &str, tool: &str) -> Offered {
        Offered {
            server_id,
            server_name: server.into(),
            tool: tool.into(),
            description: String::new(),
            schema: serde_json::json!({}),
            fingerprint: String::new(),
            builtin: false,
        }
    }

    #[test]
    fn function_names_keep_same_named_tools_of_two_servers_apart() {
        let names = function_names(&[
            offered(1, "Everything", "echo"),
            offered(2, "Everything", "echo"),
            offered(3, "files & more", "read.file"),
            offered(4, "", "x"),
        ]);
        assert_eq!(
            names,
            [
                "Everything__echo",
                "s2__echo",
                "files___more__read_file",
                "s4__x"
            ]
        );
    }

    #[test]
    fn names_cut_at_64_characters_stay_distinct() {
        let long = "a".repeat(70);
        let names = function_names(&[
            offered(1, "srv", &format!("{long}_one")),
            offered(1, "srv", &format!("{long}_two")),
            offered(1, "srv", &format!("{long}_three")),
            offered(5, "srv", "read.file"),
            offered(5, "srv", "read_file"),
        ]);
        for n in &names {
            assert!(n.len() <= 64, "{n}");
        }
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }

    #[test]
    fn fingerprints_change_with_description_or_schema() {
        let a = fingerprint("Echoes", &serde_json::json!({"type": "object"}));
        assert_eq!(
            a,
            fingerprint("Echoes", &serde_json::json!({"type": "object"}))
        );
        assert_ne!(
            a,
            fingerprint("Echoes!", &serde_json::json!({"type": "object"}))
        );
        assert_ne!(
            a,
            fingerprint(
                "Echoes",
                &serde_json::json!({"type": "object", "required": ["x"]})
            )
        );
    }
}
