-- A deployment's PM2 process name is fixed when the deployment is created.
-- Before, it was derived from the deployment's current name on every read,
-- so a rename lost the running process (stop, delete and "stop everything"
-- looked for a name PM2 did not know). Existing rows get the name their
-- process runs under, derived from their current name, when the store opens
-- (SQL cannot make that slug); new rows get it at insert.

ALTER TABLE deployments ADD COLUMN pm2_name TEXT;
CREATE UNIQUE INDEX deployments_pm2_name ON deployments (pm2_name);
