//! The provider settings: plain values in the `settings` table, the API key
//! in its own 0600 file, never handed to the UI (only a mask).

use super::provider::ProviderConfig;
use crate::error::{Error, Result};
use crate::store::Store;
use ai_desktop_api::flow::{ApiKeyChange, FlowSettings, FlowSettingsInput, ProviderProtocol};
use serde::{Deserialize, Serialize};
use std::path::Path;

const KEY: &str = "flow.provider";
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are the assistant inside AI Desktop, a developer's \
local workshop. Answer concisely. Use the tools you are given when they help, and say what you \
did with them.";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stored {
    pub protocol: ProviderProtocol,
    pub base_url: String,
    pub model: String,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub system_prompt: String,
    pub max_steps: u32,
}

impl Default for Stored {
    fn default() -> Self {
        Stored {
            // Ollama's OpenAI-compatible endpoint: the usual local provider.
            protocol: ProviderProtocol::Openai,
            base_url: ProviderProtocol::Openai.default_base_url().into(),
            model: String::new(),
            temperature: None,
            max_tokens: None,
            system_prompt: DEFAULT_SYSTEM_PROMPT.into(),
            max_steps: 10,
        }
    }
}

pub fn load(store: &Store) -> Result<Stored> {
    Ok(store.setting::<Stored>(KEY)?.unwrap_or_default())
}

/// The saved key (its file must be the user's own; a loose mode is put back to 0600).
pub fn read_key(key_file: &Path) -> Result<Option<String>> {
    let key = crate::secrets::read_private(key_file)?
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    if let Some(k) = &key {
        crate::logging::scrub(k);
    }
    Ok(key)
}

/// What the UI may see.
pub fn view(stored: &Stored, key: Option<&str>) -> FlowSettings {
    FlowSettings {
        protocol: stored.protocol,
        base_url: stored.base_url.clone(),
        model: stored.model.clone(),
        temperature: stored.temperature,
        max_tokens: stored.max_tokens,
        system_prompt: stored.system_prompt.clone(),
        max_steps: stored.max_steps,
        api_key_set: key.is_some(),
        api_key_hint: key.map(mask),
    }
}

/// `••••` and, for keys long enough that it gives nothing away, the last four characters.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() >= 16 {
        format!(
            "••••{}",
            chars[chars.len() - 4..].iter().collect::<String>()
        )
    } else {
        "••••".into()
    }
}

/// Checks the form; returns the values to keep and the key to use.
/// `saved_base_url` is where the saved key was meant for: a kept key is
/// never sent to another origin (scheme, host and port) — the key must be
/// entered again for it.
pub fn validate(
    input: &FlowSettingsInput,
    saved_key: Option<String>,
    saved_base_url: &str,
) -> Result<(Stored, Option<String>)> {
    let base_url = input.base_url.trim().trim_end_matches('/').to_string();
    let parsed = reqwest::Url::parse(&base_url).map_err(|_| {
        Error::InvalidInput(format!(
            "\"{base_url}\" is not a URL. Give the provider's base URL, e.g. http://127.0.0.1:11434/v1."
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::InvalidInput(
            "The base URL must start with http:// or https:// and name a host.".into(),
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::InvalidInput(
            "Put the API key in its own field, not in the URL.".into(),
        ));
    }
    let model = input.model.trim().to_string();
    if model.len() > 200 || model.chars().any(char::is_control) {
        return Err(Error::InvalidInput("That model name is not valid.".into()));
    }
    if let Some(t) = input.temperature {
        if !(0.0..=2.0).contains(&t) || t.is_nan() {
            return Err(Error::InvalidInput(
                "The temperature must be between 0 and 2.".into(),
            ));
        }
    }
    if input.max_tokens == Some(0) || input.max_tokens.is_some_and(|m| m > 1_000_000) {
        return Err(Error::InvalidInput(
            "Max tokens must be between 1 and 1,000,000 (or empty for the provider's default)."
                .into(),
        ));
    }
    if !(1..=50).contains(&input.max_steps) {
        return Err(Error::InvalidInput(
            "The step limit must be between 1 and 50.".into(),
        ));
    }
    if input.system_prompt.len() > 20_000 {
        return Err(Error::InvalidInput(
            "The system prompt is longer than 20,000 characters.".into(),
        ));
    }
    let key = match &input.api_key {
        ApiKeyChange::Keep => {
            let same_origin = reqwest::Url::parse(saved_base_url)
                .is_ok_and(|saved| saved.origin() == parsed.origin());
            if saved_key.is_some() && !same_origin {
                return Err(Error::InvalidInput(format!(
                    "The provider's address moved to {}: enter the API key again (a saved key \
                     is only sent to the address it was saved for, {}).",
                    parsed.origin().ascii_serialization(),
                    reqwest::Url::parse(saved_base_url)
                        .map(|u| u.origin().ascii_serialization())
                        .unwrap_or_else(|_| "another address".into())
                )));
            }
            saved_key
        }
        ApiKeyChange::Clear => None,
        ApiKeyChange::Set(k) => {
            let k = k.trim();
            if k.is_empty() {
                None
            } else if k.len() > 1000 || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Error::InvalidInput(
                    "The API key must be one line without spaces.".into(),
                ));
            } else {
                Some(k.to_string())
            }
        }
    };
    Ok((
        Stored {
            protocol: input.protocol,
            base_url,
            model,
            temperature: input.temperature,
            max_tokens: input.max_tokens,
            system_prompt: input.system_prompt.clone(),
            max_steps: input.max_steps,
        },
        key,
    ))
}

pub fn save(
    store: &Store,
    key_file: &Path,
    stored: &Stored,
    change: &ApiKeyChange,
    key: Option<&str>,
) -> Result<()> {
    // The key first: a failure leaves the old settings whole.
    match (change, key) {
        (ApiKeyChange::Keep, _) => {}
        (_, Some(k)) => {
            crate::secrets::write_private(key_file, k.as_bytes())
                .map_err(|e| Error::failed("The API key cannot be saved.", e))?;
        }
        (_, None) => match std::fs::remove_file(key_file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::failed("The API key cannot be removed.", e)),
        },
    }
    store.set_setting(KEY, Some(stored))
}

pub fn provider_config(stored: &Stored, key: Option<String>, model: String) -> ProviderConfig {
    ProviderConfig {
        protocol: stored.protocol,
        base_url: stored.base_url.clone(),
        api_key: key,
        model,
        temperature: stored.temperature,
        max_tokens: stored.max_tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(base_url: &str) -> FlowSettingsInput {
        FlowSettingsInput {
            protocol: Default::default(),
            base_url: base_url.into(),
            model: "llama3.1".into(),
            temperature: Some(0.3),
            max_tokens: None,
            system_prompt: String::new(),
            max_steps: 5,
            api_key: ApiKeyChange::Keep,
        }
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        for url in ["", "ollama", "ftp://h/v1", "http://user:pw@h/v1"] {
            assert!(
                validate(&input(url), None, "http://127.0.0.1:11434/v1").is_err(),
                "{url}"
            );
        }
        let mut i = input("http://127.0.0.1:11434/v1/");
        assert_eq!(
            validate(&i, None, "http://127.0.0.1:11434/v1")
                .unwrap()
                .0
                .base_url,
            "http://127.0.0.1:11434/v1"
        );
        i.api_key = ApiKeyChange::Set("sk-abc\nX-Evil: 1".into());
        assert!(validate(&i, None, "http://127.0.0.1:11434/v1").is_err());
        i.api_key = ApiKeyChange::Keep;
        i.max_steps = 0;
        assert!(validate(&i, None, "http://127.0.0.1:11434/v1").is_err());
        i.max_steps = 5;
        i.temperature = Some(3.0);
        assert!(validate(&i, None, "http://127.0.0.1:11434/v1").is_err());
    }

    #[test]
    fn a_kept_key_is_not_sent_to_another_origin() {
        let key = Some("sk-0123456789abcdef".to_string());
        let saved = "https://api.openai.com/v1";
        // Same origin, another path: kept.
        let (_, k) = validate(&input("https://api.openai.com/v2"), key.clone(), saved).unwrap();
        assert_eq!(k, key);
        // Another host, scheme or port: refused until the key is entered again.
        for url in [
            "https://attacker.example/v1",
            "http://api.openai.com/v1",
            "https://api.openai.com:8443/v1",
        ] {
            let err = validate(&input(url), key.clone(), saved).unwrap_err();
            assert!(
                err.to_string().contains("enter the API key again"),
                "{url}: {err}"
            );
        }
        // With the key entered anew (or none saved), it is fine.
        let mut i = input("https://attacker.example/v1");
        i.api_key = ApiKeyChange::Set("sk-another-key-0000".into());
        assert!(validate(&i, key.clone(), saved).is_ok());
        assert!(validate(&input("https://attacker.example/v1"), None, saved).is_ok());
    }

    #[test]
    fn masks_show_at_most_four_characters() {
        assert_eq!(mask("sk-1234567890abcdef"), "••••cdef");
        assert_eq!(mask("short"), "••••");
    }
}
