-- Several instances per engine (versions side by side): what the app
-- created is recorded per instance (its id, e.g. `redis` or `redis-6`),
-- no longer one per kind. An existing install keeps its kind as its id, so
-- its container and volume names do not change.
CREATE TABLE service_containers_new (
    instance      TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    container_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    volume        TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO service_containers_new (instance, kind, container_id, name, volume, created_at)
    SELECT kind, kind, container_id, name, volume, created_at FROM service_containers;
DROP TABLE service_containers;
ALTER TABLE service_containers_new RENAME TO service_containers;
