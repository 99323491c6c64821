-- A Flow session may work in one registered repository: the app's own
-- repository tools (files, search, git, edits) are offered to its agent.
-- A removed repository leaves its sessions without one.
ALTER TABLE flow_sessions ADD COLUMN repository_id INTEGER
    REFERENCES repositories (id) ON DELETE SET NULL;

-- "Always allow" for the repository tools (flow_tool_grants is keyed by an
-- MCP server).
CREATE TABLE flow_builtin_grants (
    session_id   INTEGER NOT NULL REFERENCES flow_sessions (id) ON DELETE CASCADE,
    tool         TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (session_id, tool)
);

-- Every file change the agent made: the file's bytes before (NULL: it did
-- not exist) and after, so *Undo to here* can put the tree back exactly and
-- tell a change made since by someone else.
CREATE TABLE flow_checkpoints (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  INTEGER NOT NULL REFERENCES flow_sessions (id) ON DELETE CASCADE,
    message_id  INTEGER NOT NULL,
    call_id     TEXT    NOT NULL,
    repository_id INTEGER NOT NULL,
    path        TEXT    NOT NULL,
    before      BLOB,
    after       BLOB    NOT NULL,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX flow_checkpoints_session ON flow_checkpoints (session_id, id);
