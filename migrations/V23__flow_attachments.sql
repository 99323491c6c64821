-- Files sent with a user message: what they are (name, type, size) with the
-- message, their bytes apart so listing a conversation does not read them.
ALTER TABLE flow_messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
CREATE TABLE flow_attachments (
    message_id INTEGER NOT NULL REFERENCES flow_messages (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    PRIMARY KEY (message_id, idx)
);
