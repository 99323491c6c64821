-- The Git page's undo: what each undoable operation changed, newest last
-- (a short log: the newest 20 per repository are kept). A discard keeps the
-- working file as it was as a blob in the repository's own object store
-- (`before_blob`) and names what it left (`after_blob`), so an undo puts the
-- old bytes back only while the file is still what the discard left.
CREATE TABLE git_undo (
    id             INTEGER PRIMARY KEY,
    repository_id  INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    path           TEXT NOT NULL,
    summary        TEXT NOT NULL,
    before_blob    TEXT,            -- NULL: there was no file
    after_blob     TEXT,            -- NULL: the operation removed the file
    mode           INTEGER NOT NULL,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX git_undo_by_repository ON git_undo (repository_id, id);
