//! OAuth 2.1 for remote MCP servers, through rmcp's auth module: a server
//! that answers 401 is signed in to — its protected-resource and
//! authorization-server metadata discovered (from its `WWW-Authenticate`
//! challenge first), this app registered with the authorization server
//! (dynamic client registration) or a pre-registered client the user
//! entered used, the user's browser sent to the
//! authorization page with PKCE, the redirect caught on a loopback port,
//! the code exchanged for tokens. Each stage is reported for the auth view.
//!
//! Tokens are kept per server in `<data>/oauth/<id>.json` (0600, written as
//! every secret is) and used, and refreshed, on every later start; they are
//! never logged or sent to the window.

use crate::error::{Error, Result};
use ai_desktop_api::mcp::{McpAuthStage, McpAuthStep, McpStepState};
use rmcp::transport::auth::{
    AuthError, AuthorizationCallback, AuthorizationManager, AuthorizationRequest,
    AuthorizationSession, CredentialStore, StoredCredentials,
};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long the user has to sign in in the browser.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Opens the authorization page for the user: the desktop's browser in the
/// app; something that follows the page's redirect elsewhere.
pub trait Browser: Send + Sync {
    fn open(&self, url: &str) -> std::result::Result<(), String>;
}

/// One server's tokens on disk.
#[derive(Clone)]
pub struct FileCredentials {
    path: PathBuf,
}

impl FileCredentials {
    pub fn new(dir: &std::path::Path, server_id: i64) -> FileCredentials {
        FileCredentials {
            path: dir.join(format!("{server_id}.json")),
        }
    }

    /// Whether tokens are kept.
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    pub fn forget(&self) -> Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::failed("Could not forget the sign-in.", e))
            }
            _ => Ok(()),
        }
    }
}

fn store_error(e: impl std::fmt::Display) -> AuthError {
    AuthError::InternalError(format!("the token file: {e}"))
}

#[async_trait::async_trait]
impl CredentialStore for FileCredentials {
    async fn load(&self) -> std::result::Result<Option<StoredCredentials>, AuthError> {
        match crate::secrets::read_private(&self.path).map_err(store_error)? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text).map(Some).map_err(store_error),
        }
    }

    async fn save(&self, credentials: StoredCredentials) -> std::result::Result<(), AuthError> {
        if let Some(dir) = self.path.parent() {
            crate::secrets::private_dir(dir).map_err(store_error)?;
        }
        let bytes = serde_json::to_vec(&credentials).map_err(store_error)?;
        crate::secrets::write_private(&self.path, &bytes).map_err(store_error)
    }

    async fn clear(&self) -> std::result::Result<(), AuthError> {
        self.forget().map_err(store_error)
    }
}

/// The stages of one sign-in, reported as they move.
pub struct Steps {
    steps: Mutex<Vec<McpAuthStep>>,
    report: Box<dyn Fn(Vec<McpAuthStep>) + Send + Sync>,
}

impl Steps {
    pub fn new(report: impl Fn(Vec<McpAuthStep>) + Send + Sync + 'static) -> Steps {
        Steps {
            steps: Mutex::new(Vec::new()),
            report: Box::new(report),
        }
    }

    fn set(&self, stage: McpAuthStage, state: McpStepState, detail: Option<String>) {
        let now = {
            let mut steps = crate::util::lock(&self.steps);
            match steps.iter_mut().find(|s| s.stage == stage) {
                Some(s) => {
                    s.state = state;
                    s.detail = detail;
                }
                None => steps.push(McpAuthStep {
                    stage,
                    state,
                    detail,
                }),
            }
            steps.clone()
        };
        (self.report)(now);
    }

    fn begin(&self, stage: McpAuthStage) {
        self.set(stage, McpStepState::Running, None);
    }

    fn done(&self, stage: McpAuthStage, detail: impl Into<Option<String>>) {
        self.set(stage, McpStepState::Done, detail.into());
    }

    /// Marks `stage` failed and answers the error the start reports.
    fn fail(&self, stage: McpAuthStage, what: &str, e: impl std::fmt::Display) -> Error {
        let why = e.to_string();
        self.set(stage, McpStepState::Failed, Some(why.clone()));
        Error::Failed {
            message: format!("Signing in failed: {what}."),
            detail: Some(why),
        }
    }
}

/// A manager that uses (and refreshes) the tokens kept in `store`, if any.
pub async fn from_store(url: &str, store: FileCredentials) -> Option<AuthorizationManager> {
    if !store.exists() {
        return None;
    }
    let mut manager = AuthorizationManager::new(url).await.ok()?;
    manager.set_credential_store(store);
    match manager.initialize_from_store().await {
        Ok(true) => Some(manager),
        _ => None,
    }
}

/// Signs in to the server at `url`, whose 401 carried `challenge`; answers
/// the manager holding the new tokens (also saved in `store`).
pub async fn sign_in(
    url: &str,
    challenge: Option<&str>,
    client: Option<(String, Option<String>)>,
    store: FileCredentials,
    browser: &dyn Browser,
    steps: &Steps,
) -> Result<AuthorizationManager> {
    use McpAuthStage as S;
    steps.begin(S::Discovery);
    let mut manager = AuthorizationManager::new(url)
        .await
        .map_err(|e| steps.fail(S::Discovery, "the server's address", e))?;
    manager.set_credential_store(store);
    let resolution = manager
        .resolve_metadata_from_challenge(challenge)
        .await
        .map_err(|e| steps.fail(S::Discovery, "no authorization server was found", e))?;
    let issuer = resolution
        .metadata
        .issuer
        .clone()
        .unwrap_or_else(|| resolution.metadata.authorization_endpoint.clone());
    // An authorization server that grants tokens to machines only (the
    // client-credentials grant, no authorization code): no browser, the
    // pre-registered client's id and secret get the token.
    let grants: Option<Vec<String>> = resolution
        .metadata
        .additional_fields
        .get("grant_types_supported")
        .and_then(|g| serde_json::from_value(g.clone()).ok());
    let machine_only = grants.as_ref().is_some_and(|g| {
        g.iter().any(|t| t == "client_credentials") && !g.iter().any(|t| t == "authorization_code")
    });
    manager.set_metadata(resolution.metadata);
    steps.done(S::Discovery, format!("authorization server {issuer}"));
    if machine_only {
        return client_credentials(manager, url, challenge, client, steps).await;
    }

    // The browser comes back here.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| steps.fail(S::Registration, "no loopback port for the browser", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| steps.fail(S::Registration, "no loopback port for the browser", e))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");

    steps.begin(S::Registration);
    let mut request = AuthorizationRequest::new(&redirect).with_client_name("AI Desktop");
    if let Some(challenge) = challenge {
        request = request.with_challenge(challenge);
    }
    let pre_registered = client.is_some();
    if let Some((client_id, secret)) = client {
        request = request.with_preregistered_client(client_id);
        if let Some(secret) = secret {
            request = request.with_client_secret(secret);
        }
    }
    let session = AuthorizationSession::new(manager, request)
        .await
        .map_err(|(_, e)| steps.fail(S::Registration, "this app could not register", e))?;
    let client = session
        .get_credentials()
        .await
        .map(|(id, _)| id)
        .unwrap_or_default();
    steps.done(
        S::Registration,
        if pre_registered {
            format!("pre-registered client id {client}")
        } else {
            format!("client id {client}")
        },
    );

    steps.begin(S::Browser);
    browser
        .open(session.get_authorization_url())
        .map_err(|e| steps.fail(S::Browser, "the browser could not be opened", e))?;
    let callback = tokio::time::timeout(SIGN_IN_TIMEOUT, catch_redirect(listener))
        .await
        .map_err(|_| {
            steps.fail(
                S::Browser,
                "the browser did not come back",
                format!("no answer within {} min", SIGN_IN_TIMEOUT.as_secs() / 60),
            )
        })?
        .map_err(|e| steps.fail(S::Browser, "the authorization server said no", e))?;
    steps.done(S::Browser, None);

    steps.begin(S::Token);
    let tokens = session
        .handle_callback_with_issuer(
            &callback.code,
            &callback.csrf_token,
            callback.issuer.as_deref(),
        )
        .await
        .map_err(|e| steps.fail(S::Token, "the code was not exchanged for tokens", e))?;
    // What was granted (the token response's `scope`), never the tokens.
    let scopes = serde_json::to_value(&tokens)
        .ok()
        .and_then(|t| t.get("scope").and_then(|s| s.as_str()).map(str::to_string))
        .filter(|s| !s.is_empty());
    steps.done(
        S::Token,
        Some(match scopes {
            Some(s) => format!("signed in; scopes {s}"),
            None => "signed in".to_string(),
        }),
    );
    Ok(session.auth_manager)
}

/// The client-credentials grant (SEP-1046) with the server's pre-registered
/// client id and secret: the secret goes as the authorization server asks
/// (HTTP Basic or the request body), the token is kept in the store.
async fn client_credentials(
    mut manager: AuthorizationManager,
    url: &str,
    challenge: Option<&str>,
    client: Option<(String, Option<String>)>,
    steps: &Steps,
) -> Result<AuthorizationManager> {
    use rmcp::transport::auth::ClientCredentialsConfig;
    use McpAuthStage as S;
    steps.begin(S::Registration);
    let Some((client_id, Some(client_secret))) = client else {
        return Err(steps.fail(
            S::Registration,
            "this server signs in programs only (client credentials)",
            "enter the client id and secret it gave you under Edit → OAuth client",
        ));
    };
    let scope = challenge.and_then(|c| {
        c.split(',')
            .find_map(|p| p.trim().strip_prefix("scope="))
            .map(|s| s.trim_matches('"').to_string())
    });
    let config = ClientCredentialsConfig::ClientSecret {
        client_id: client_id.clone(),
        client_secret,
        scopes: manager.select_scopes(scope.as_deref(), &[]),
        resource: Some(url.to_string()),
    };
    manager
        .validate_client_credentials_metadata(&config)
        .and_then(|_| manager.configure_client_credentials(&config))
        .map_err(|e| steps.fail(S::Registration, "the client could not be set up", e))?;
    steps.done(
        S::Registration,
        format!("pre-registered client id {client_id} (client credentials)"),
    );
    steps.done(S::Browser, "not needed (client credentials)".to_string());
    steps.begin(S::Token);
    manager
        .exchange_client_credentials(&config)
        .await
        .map_err(|e| steps.fail(S::Token, "the client's credentials were refused", e))?;
    steps.done(S::Token, Some("signed in (client credentials)".to_string()));
    Ok(manager)
}

/// Waits on `listener` for the browser's redirect to `/callback`, answers
/// it with a page the user can close, and returns its parameters. Other
/// requests (a favicon) get a 404 and are waited past.
async fn catch_redirect(
    listener: tokio::net::TcpListener,
) -> std::result::Result<AuthorizationCallback, String> {
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let mut head = Vec::new();
        let mut buf = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let line = String::from_utf8_lossy(&head)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let target = line.split(' ').nth(1).unwrap_or("");
        if !target.starts_with("/callback") {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let url = format!("http://127.0.0.1{target}");
        let denied = reqwest::Url::parse(&url).ok().and_then(|u| {
            let pairs: std::collections::HashMap<String, String> =
                u.query_pairs().into_owned().collect();
            pairs
                .get("error")
                .map(|e| match pairs.get("error_description") {
                    Some(d) => format!("{e}: {d}"),
                    None => e.clone(),
                })
        });
        let (title, text) = match &denied {
            Some(_) => (
                "Not signed in",
                "The sign-in was refused. You can close this tab and look at AI Desktop.",
            ),
            None => (
                "Signed in",
                "AI Desktop is signed in. You can close this tab.",
            ),
        };
        let body = format!(
            "<!doctype html><meta charset=utf-8><title>{title}</title>\
             <body style=\"font-family:sans-serif;margin:4em\"><h1>{title}</h1><p>{text}</p></body>"
        );
        let _ = stream
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            )
            .await;
        if let Some(why) = denied {
            return Err(why);
        }
        return AuthorizationCallback::from_redirect_url(&url).map_err(|e| e.to_string());
    }
}
