-- Processes the app started that may outlive it (code-server now; MCP servers
-- and terminals later). A process is recorded by pid *and* start time (clock
-- ticks since boot, /proc/PID/stat field 22) so that a restarted app can
-- re-adopt it, or know it is gone, without mistaking a reused pid for it.
CREATE TABLE supervised_processes (
    kind        TEXT    NOT NULL,             -- 'code-server', …
    owner_id    INTEGER NOT NULL,             -- the row it serves (a repository id for code-server)
    pid         INTEGER NOT NULL,
    start_time  INTEGER NOT NULL,
    port        INTEGER,
    started_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (kind, owner_id)
);
