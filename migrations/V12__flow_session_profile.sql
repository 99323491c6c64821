-- The MCP profile a Flow session uses (by name): its servers, minus the
-- tools the profile turns off. NULL: the session's own choice of servers.
ALTER TABLE flow_sessions ADD COLUMN mcp_profile TEXT;
