-- A pre-registered OAuth client for a URL server (from the server's or its
-- authorization server's developer settings), used instead of registering
-- the app on the fly. The secret is a secret like the env and header values.
ALTER TABLE mcp_servers ADD COLUMN oauth_client_id TEXT;
ALTER TABLE mcp_servers ADD COLUMN oauth_client_secret TEXT;
