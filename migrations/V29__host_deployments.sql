-- Apps of host repositories run under the host's PM2 (its own PM2_HOME in
-- the app's folder of the user's there). PM2 there is the source of truth
-- for their state; this is what the user asked to run.
CREATE TABLE host_deployments (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    host_repository_id  INTEGER NOT NULL REFERENCES host_repositories(id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    start_command       TEXT    NOT NULL,
    port                INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    env                 TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(env) AND json_type(env) = 'object'),
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (host_repository_id, name)
);
