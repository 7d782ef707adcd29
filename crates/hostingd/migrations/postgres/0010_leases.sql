-- Leases: what one holder (a request, an instance) may do alone until `expires_at` (Unix seconds),
-- kept in the database so that every instance over it sees them. An upload's PATCH holds
-- `upload:<id>`; an expired lease can be taken over.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
