-- Objects of blob storage, recorded BEFORE they are written (issue 8, data loss). A commit that
-- references an object checks, in its transaction, that the object is still recorded (or already
-- referenced); the orphan sweep removes the record in its own transaction before it deletes the
-- object. SQLite serialises the two, so the sweep can never delete an object a commit is about to
-- reference, whatever the object's file modification time (hard links keep the old one).
CREATE TABLE objects (
    object_key TEXT PRIMARY KEY,
    account_id BIGINT REFERENCES accounts(id),
    -- The object whose bytes this one shares (a hard link on a local directory), or itself:
    -- the quota counts each content once.
    content_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX objects_created ON objects (created_at);
CREATE INDEX blob_parts_object ON blob_parts (object_key);
CREATE INDEX upload_parts_object ON upload_parts (object_key);
