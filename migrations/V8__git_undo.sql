-- The Git page's undo: what each undoable operation changed, newest last
-- (a short log: the newest 20 per repository are kept).
--   discard_lines, discard_file: `target` is the file; `before_id` the blob
--     of the working file before (written to the repository's own object
--     store, so the bytes outlive the discard; NULL: no file), `after_id`
--     the blob the discard left (NULL: it removed the file). Undo puts the
--     old bytes back only while the file is still what the discard left.
--   commit, amend, reset: `target` is the ref that moved (refs/heads/… or HEAD),
--     `before_id`/`after_id` its commit before (NULL: none yet) and after.
--     Undo moves it back only while it still points at `after_id` (the
--     index and files are kept, like `git reset --soft`).
--   delete_branch: `target` is the branch, `before_id` its tip.
--   rename_branch: `target` is the new name, `before_id` the old one.
CREATE TABLE git_undo (
    id             INTEGER PRIMARY KEY,
    repository_id  INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    target         TEXT NOT NULL,
    summary        TEXT NOT NULL,
    before_id      TEXT,
    after_id       TEXT,
    mode           INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX git_undo_by_repository ON git_undo (repository_id, id);
