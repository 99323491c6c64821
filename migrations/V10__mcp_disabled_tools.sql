-- The tools of a server the user turned off (a JSON array of names): never
-- offered to a Flow agent, never callable, until turned on again.
ALTER TABLE mcp_servers ADD COLUMN disabled_tools TEXT NOT NULL DEFAULT '[]';
