-- PM2's own options a deployment may set: watch & restart (with ignored
-- globs), restart on memory, a cron restart, restart delay or backoff.
ALTER TABLE deployments ADD COLUMN pm2_options TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(pm2_options) AND json_type(pm2_options) = 'object');
