-- Remote hosts reached over SSH: what the user typed, where ssh resolved it
-- to, the host key's fingerprint they accepted, the last check (JSON) and,
-- when the last check could not reach it, why.
CREATE TABLE hosts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    destination TEXT    NOT NULL,
    port        INTEGER,
    key_name    TEXT,
    host_name   TEXT    NOT NULL,
    host_port   INTEGER NOT NULL,
    user_name   TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    report      TEXT,
    -- Why the last check could not reach it, and when (cleared by a check that does).
    unreachable TEXT,
    unreachable_at TEXT,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (host_name, host_port, user_name)
);

-- Git working trees on a host, by their absolute path there.
CREATE TABLE host_repositories (
    id         INTEGER PRIMARY KEY,
    host_id    INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    path       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (host_id, path)
);
