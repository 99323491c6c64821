-- code-server for a host's repository, run on the host: the folder of its
-- own there (a random key, so two repositories never share one), and the
-- process it runs as while it runs (pid, start time in clock ticks and the
-- host's boot id: together they name one process, even after a reboot).
-- The SSH forward to it is a local process, in supervised_processes.
CREATE TABLE host_editors (
    host_repository_id INTEGER PRIMARY KEY REFERENCES host_repositories(id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    pid         INTEGER,
    start_ticks TEXT,
    boot_id     TEXT,
    socket      TEXT,
    started_at  TEXT
);
