-- Calls other MCP clients made through the gateway (the Hub's servers'
-- tools and the workshop's own), with how each was let through or not.
CREATE TABLE gateway_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    tool TEXT NOT NULL,
    server TEXT NOT NULL,
    arguments TEXT NOT NULL,
    decision TEXT NOT NULL,
    is_error INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    summary TEXT NOT NULL DEFAULT '',
    duration_ms REAL NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
