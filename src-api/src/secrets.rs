//! Secret values on their way to the page: environment variable values and
//! HTTP header values of MCP servers and deployments never cross IPC in
//! lists, results or events. The page gets [`MASKED`] in their place, sends
//! it back unchanged to keep a stored value, and asks for one value at a
//! time with an explicit reveal command when the user clicks *Show*.

use std::collections::BTreeMap;

/// What the page sees (and sends back to keep the stored value) instead of
/// a secret value.
pub const MASKED: &str = "••••••••";

/// `values` with every value replaced by [`MASKED`] (keys stay).
pub fn masked(values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    values
        .keys()
        .map(|k| (k.clone(), MASKED.to_string()))
        .collect()
}

/// Which of an MCP server's secret maps a reveal asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretPart {
    /// A value of the environment.
    Env,
    /// A value of the HTTP headers.
    Header,
}
