-- Services on a remote host's Docker engine (reached through a forwarded
-- socket) are recorded like this computer's, per engine: 0 is this
-- computer's, any other value the id of the host whose engine made them.
-- The same instance id (`redis`) or volume name may exist on each engine.
CREATE TABLE service_containers_new (
    engine        INTEGER NOT NULL DEFAULT 0,
    instance      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    container_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    volume        TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (engine, instance)
);
INSERT INTO service_containers_new (engine, instance, kind, container_id, name, volume, created_at)
    SELECT 0, instance, kind, container_id, name, volume, created_at FROM service_containers;
DROP TABLE service_containers;
ALTER TABLE service_containers_new RENAME TO service_containers;

CREATE TABLE service_volumes_new (
    engine      INTEGER NOT NULL DEFAULT 0,
    name        TEXT NOT NULL,
    token       TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (engine, name)
);
INSERT INTO service_volumes_new (engine, name, token, created_at)
    SELECT 0, name, token, created_at FROM service_volumes;
DROP TABLE service_volumes;
ALTER TABLE service_volumes_new RENAME TO service_volumes;
