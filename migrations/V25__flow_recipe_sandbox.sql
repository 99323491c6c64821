-- A recipe whose runs work in a sandbox of its repository (a branch and
-- worktree of their own, their own VS Code, copies of its databases).
ALTER TABLE flow_recipes ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0;
