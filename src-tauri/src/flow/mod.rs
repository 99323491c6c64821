//! Flow Builder: agent sessions that think with an LLM and act through MCP
//! tools. So far: the provider client (`provider.rs`); sessions, the agent
//! loop and the page come with the Flow Builder issue.

pub mod provider;
