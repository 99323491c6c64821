-- MCP Hub. V1 kept the old backend's mcp_servers shape (a TEXT id, a status
-- and pid written by the backend); no release wrote to it. The table is
-- rebuilt with an integer id like every other table (owners of
-- supervised_processes rows are integers), HTTP servers, auto-restart and
-- what the last handshake said. Runtime state (status, pid) lives in the app
-- and in supervised_processes, not here. Any rows are carried over.

CREATE TABLE mcp_servers_v3 (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    description        TEXT,
    transport          TEXT    NOT NULL DEFAULT 'stdio' CHECK (transport IN ('stdio', 'http')),
    command            TEXT    NOT NULL DEFAULT '',
    args               TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(args) AND json_type(args) = 'array'),
    env                TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(env) AND json_type(env) = 'object'),
    working_directory  TEXT,
    url                TEXT,
    headers            TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(headers) AND json_type(headers) = 'object'),
    auto_restart       INTEGER NOT NULL DEFAULT 0 CHECK (auto_restart IN (0, 1)),
    server_info        TEXT    CHECK (server_info IS NULL OR json_valid(server_info)),
    capabilities       TEXT    CHECK (capabilities IS NULL OR json_valid(capabilities)),
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((transport = 'stdio' AND command <> '') OR (transport = 'http' AND url IS NOT NULL))
);

-- Old names could collide case-insensitively; such a row keeps its id as a suffix.
INSERT INTO mcp_servers_v3 (name, description, command, args, env, working_directory, created_at, updated_at)
SELECT CASE WHEN EXISTS (SELECT 1 FROM mcp_servers o
                          WHERE o.rowid < m.rowid AND o.name = m.name COLLATE NOCASE)
            THEN m.name || ' (' || m.id || ')' ELSE m.name END,
       m.description, m.command,
       CASE WHEN json_type(m.args) = 'array' THEN m.args ELSE '[]' END,
       CASE WHEN json_type(m.env) = 'object' THEN m.env ELSE '{}' END,
       m.working_directory, m.created_at, m.updated_at
FROM mcp_servers m
WHERE m.command <> ''
ORDER BY m.rowid;

DROP TABLE mcp_servers;
ALTER TABLE mcp_servers_v3 RENAME TO mcp_servers;

-- Tool calls made through the hub, newest kept (the app prunes old ones).
CREATE TABLE mcp_calls (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id           INTEGER NOT NULL REFERENCES mcp_servers (id) ON DELETE CASCADE,
    tool                TEXT    NOT NULL,
    arguments           TEXT    NOT NULL CHECK (json_valid(arguments)),
    content             TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(content)),
    structured_content  TEXT    CHECK (structured_content IS NULL OR json_valid(structured_content)),
    is_error            INTEGER NOT NULL DEFAULT 0 CHECK (is_error IN (0, 1)),
    error               TEXT,
    duration_ms         REAL    NOT NULL,
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX mcp_calls_server ON mcp_calls (server_id, id);
