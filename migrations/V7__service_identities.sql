-- What the Services module created, by identity. Labels alone can be put on
-- anyone's container (a cloned repository's compose file can add them), so a
-- container is taken back, offered to deployments or removed only when its
-- Docker id is recorded here, and a volume is deleted only when it carries
-- the random token recorded for it (its `dev.aidesktop.install` label, set
-- when the app created it; 'legacy' for volumes made before tokens).
CREATE TABLE service_containers (
    kind          TEXT PRIMARY KEY,
    container_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    volume        TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE service_volumes (
    name        TEXT PRIMARY KEY,
    token       TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
