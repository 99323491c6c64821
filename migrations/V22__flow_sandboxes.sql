-- A session may work in a sandbox: a branch of its own checked out in a
-- worktree (registered as a repository, which `repository_id` then names).
-- `sandbox_of` is the repository it was made from; `sandbox_branch` stays
-- after Discard removes the worktree, so the session still says what it was.
ALTER TABLE flow_sessions ADD COLUMN sandbox_of INTEGER
    REFERENCES repositories (id) ON DELETE SET NULL;
ALTER TABLE flow_sessions ADD COLUMN sandbox_branch TEXT;
