-- Deployments run under PM2. V1 kept the old backend's columns; PM2 is the
-- source of truth for status, pid and metrics, so those columns stay unused.
-- Added: the environment and the start command the user chose, and unique
-- names (the PM2 process is named after the deployment).

ALTER TABLE deployments ADD COLUMN env TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(env) AND json_type(env) = 'object');
ALTER TABLE deployments ADD COLUMN start_command TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX deployments_name ON deployments (name COLLATE NOCASE);
