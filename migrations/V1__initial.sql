-- The old backend's tables, mapped from PostgreSQL to SQLite, plus settings.
-- Timestamps are RFC 3339 text in UTC; JSON columns are TEXT checked with json_valid.
-- Never edit this file once landed: add V2__… instead.

CREATE TABLE repositories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    path        TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL DEFAULT 'other',
    port        INTEGER NOT NULL UNIQUE CHECK (port BETWEEN 1 AND 65535),
    url         TEXT,
    branch      TEXT,
    running     INTEGER NOT NULL DEFAULT 0 CHECK (running IN (0, 1)),
    pid         INTEGER,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE deployments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    repository_id  INTEGER REFERENCES repositories (id),
    name           TEXT    NOT NULL,
    domain         TEXT,
    port           INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    status         TEXT    NOT NULL DEFAULT 'stopped',
    mode           TEXT    NOT NULL DEFAULT 'fork' CHECK (mode IN ('fork', 'cluster')),
    instances      INTEGER NOT NULL DEFAULT 1,
    pid            INTEGER,
    memory         TEXT,
    cpu            TEXT,
    uptime         TEXT,
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX deployments_repository ON deployments (repository_id);

CREATE TABLE mcp_servers (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    description        TEXT,
    command            TEXT NOT NULL,
    args               TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(args)),
    working_directory  TEXT,
    env                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(env)),
    status             TEXT NOT NULL DEFAULT 'stopped',
    pid                INTEGER,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE flow_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    status      TEXT NOT NULL DEFAULT 'idle',
    prompt      TEXT,
    output      TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE flow_messages (
    id            TEXT    PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES flow_sessions (id) ON DELETE CASCADE,
    role          TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    tool_results  TEXT    CHECK (tool_results IS NULL OR json_valid(tool_results)),
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX flow_messages_session ON flow_messages (session_id, created_at);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL CHECK (json_valid(value)),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
