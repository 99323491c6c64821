-- The MCP profile (by name) whose tools the repository's VS Code gets
-- through the gateway. NULL: the gateway's own choice.
ALTER TABLE repositories ADD COLUMN mcp_profile TEXT;
