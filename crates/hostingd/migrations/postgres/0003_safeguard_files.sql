-- A safeguard keeps the companions of its base as they were when it was taken.
CREATE TABLE safeguard_files (
    safeguard_id BIGINT NOT NULL REFERENCES safeguards(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    blob_id BIGINT NOT NULL REFERENCES blobs(id),
    PRIMARY KEY (safeguard_id, kind)
);
