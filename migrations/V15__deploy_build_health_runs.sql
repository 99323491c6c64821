-- Deployments get a build step run before each deploy, an optional health
-- check (JSON: kind http|tcp, path, expect_status, interval_secs), the
-- deployments of the same repository they wait for in a stack, and the
-- commit they run when pinned to one (NULL: the repository's working tree).
ALTER TABLE deployments ADD COLUMN build_command TEXT;
ALTER TABLE deployments ADD COLUMN health_check TEXT
    CHECK (health_check IS NULL OR (json_valid(health_check) AND json_type(health_check) = 'object'));
ALTER TABLE deployments ADD COLUMN depends_on TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(depends_on) AND json_type(depends_on) = 'array');
ALTER TABLE deployments ADD COLUMN release_commit TEXT;

-- Each deploy: what was built and started from where, and how it ended.
-- Environment values are never kept here, only the variables' names.
CREATE TABLE deploy_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    commit_id TEXT,
    commit_summary TEXT,
    branch TEXT,
    source TEXT NOT NULL CHECK (source IN ('working_tree', 'commit')),
    start_command TEXT NOT NULL,
    build_command TEXT,
    env_names TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(env_names)),
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'online', 'build_failed', 'start_failed', 'unhealthy')),
    message TEXT,
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at TEXT
);
CREATE INDEX deploy_runs_deployment ON deploy_runs (deployment_id, id);

-- The services a repository's stack starts (JSON array of kinds); NULL:
-- those its deployments' environment points at.
ALTER TABLE repositories ADD COLUMN stack_services TEXT
    CHECK (stack_services IS NULL OR (json_valid(stack_services) AND json_type(stack_services) = 'array'));
