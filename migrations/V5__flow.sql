-- Flow Builder. flow_sessions keeps its ids and gains what a conversation
-- list needs: a title, archiving, a model override and the MCP servers whose
-- tools the agent may use. Its old status/prompt/output columns (the old
-- backend's) are left in place and no longer written.
ALTER TABLE flow_sessions ADD COLUMN title TEXT NOT NULL DEFAULT 'New session';
ALTER TABLE flow_sessions ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
ALTER TABLE flow_sessions ADD COLUMN model TEXT;
ALTER TABLE flow_sessions ADD COLUMN mcp_server_ids TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(mcp_server_ids) AND json_type(mcp_server_ids) = 'array');
CREATE INDEX flow_sessions_list ON flow_sessions (archived, updated_at);

-- Messages get an integer id (their order), a status, the tool calls an
-- assistant asked for and the result a tool message carries. V1's TEXT-id
-- table was never written by a release; any rows are carried over in order.
CREATE TABLE flow_messages_v5 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id    INTEGER NOT NULL REFERENCES flow_sessions (id) ON DELETE CASCADE,
    role          TEXT    NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content       TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'done'
                  CHECK (status IN ('streaming', 'done', 'error', 'cancelled')),
    tool_calls    TEXT    NOT NULL DEFAULT '[]'
                  CHECK (json_valid(tool_calls) AND json_type(tool_calls) = 'array'),
    tool_call_id  TEXT,
    tool_results  TEXT    CHECK (tool_results IS NULL OR json_valid(tool_results)),
    error         TEXT,
    model         TEXT,
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

INSERT INTO flow_messages_v5 (session_id, role, content, created_at)
SELECT session_id, role, content, created_at
FROM flow_messages
WHERE role IN ('user', 'assistant')
ORDER BY created_at, rowid;

DROP TABLE flow_messages;
ALTER TABLE flow_messages_v5 RENAME TO flow_messages;
CREATE INDEX flow_messages_session ON flow_messages (session_id, id);

-- Tools a session may call without asking. The fingerprint is a hash of the
-- tool's description and input schema as the user saw them: a tool that
-- changed since must be asked for again.
CREATE TABLE flow_tool_grants (
    session_id   INTEGER NOT NULL REFERENCES flow_sessions (id) ON DELETE CASCADE,
    server_id    INTEGER NOT NULL REFERENCES mcp_servers (id) ON DELETE CASCADE,
    tool         TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (session_id, server_id, tool)
);
