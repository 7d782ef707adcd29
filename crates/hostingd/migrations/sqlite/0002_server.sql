-- Server PRONOTE: uploaded files (tus), blobs in object storage, bases, safeguards, licences.

ALTER TABLE accounts ADD COLUMN administration_licences BIGINT NOT NULL DEFAULT 5;
ALTER TABLE schedules ADD COLUMN open_base_id BIGINT;
ALTER TABLE schedules ADD COLUMN administration_reserved BIGINT NOT NULL DEFAULT 0;

-- A stored file: its bytes are the concatenation of its parts (objects in blob storage).
CREATE TABLE blobs (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE blob_parts (
    blob_id INTEGER NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    object_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

-- A tus upload. upload_offset only moves after the part holding those bytes is durably stored.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    filename TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    length BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    completed_at BIGINT,
    blob_id BIGINT REFERENCES blobs(id)
);
CREATE INDEX uploads_account ON uploads(account_id);
CREATE INDEX uploads_expiry ON uploads(expires_at);

CREATE TABLE upload_parts (
    upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
    start BIGINT NOT NULL,
    size BIGINT NOT NULL,
    object_key TEXT NOT NULL,
    PRIMARY KEY (upload_id, start)
);

CREATE TABLE bases (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    schedule_id INTEGER NOT NULL REFERENCES schedules(id),
    name TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    activated_at BIGINT
);
CREATE INDEX bases_schedule ON bases(schedule_id);

CREATE TABLE base_files (
    base_id INTEGER NOT NULL REFERENCES bases(id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    blob_id INTEGER NOT NULL REFERENCES blobs(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (base_id, kind)
);

CREATE TABLE safeguards (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    schedule_id INTEGER NOT NULL REFERENCES schedules(id),
    base_id INTEGER NOT NULL REFERENCES bases(id),
    base_name TEXT NOT NULL,
    filename TEXT NOT NULL,
    blob_id INTEGER NOT NULL REFERENCES blobs(id),
    taken_at BIGINT NOT NULL
);
CREATE INDEX safeguards_schedule ON safeguards(schedule_id, taken_at);
