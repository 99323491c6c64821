-- A repository the user marked trusted: its own hooks run on commits from
-- the Git page and it signs as the user's config says. Off by default,
-- because a repository's config and hooks can name any program.
ALTER TABLE repositories ADD COLUMN trusted INTEGER NOT NULL DEFAULT 0;
