-- The running SHA-256 of an unfinished upload, saved with each part in the transaction that moves
-- the offset: it covers exactly `upload_offset` bytes, so that a restarted service goes on
-- hashing where it stopped instead of reading the stored bytes again. An upload may now be
-- created without its hash (the client gives it with the last chunk): `sha256` is '' until then.
ALTER TABLE uploads ADD COLUMN hash_state BYTEA;
