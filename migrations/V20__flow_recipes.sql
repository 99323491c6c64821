-- Recipes: saved session templates (first message, system prompt, model,
-- repository, MCP servers or profile) run by hand or when a deployment of
-- the recipe's repository crashes. `deployment_id` narrows the trigger to
-- one deployment; it is not a foreign key, so deleting that deployment
-- leaves the recipe (which then never fires) instead of deleting it.
CREATE TABLE flow_recipes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL UNIQUE,
    prompt         TEXT    NOT NULL,
    system_prompt  TEXT,
    model          TEXT,
    repository_id  INTEGER REFERENCES repositories (id) ON DELETE SET NULL,
    mcp_server_ids TEXT    NOT NULL DEFAULT '[]',
    mcp_profile    TEXT,
    trigger        TEXT    NOT NULL DEFAULT 'manual',
    deployment_id  INTEGER,
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Each run is a session: which recipe made it, and the system prompt it
-- runs with (NULL: the provider settings' one).
ALTER TABLE flow_sessions ADD COLUMN recipe_id INTEGER
    REFERENCES flow_recipes (id) ON DELETE SET NULL;
ALTER TABLE flow_sessions ADD COLUMN system_prompt TEXT;
