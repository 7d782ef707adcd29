-- Live monitoring (issue 22): the Clients' connections to a schedule's server, opened through
-- the session protocol of its endpoint and open while kept alive. Closed rows stay two days,
-- for the 24-hour chart of the Monitoring tab; only the token's digest is kept.
CREATE TABLE connections (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    schedule_id BIGINT NOT NULL REFERENCES schedules(id),
    user_id BIGINT NOT NULL,
    username TEXT NOT NULL,
    -- A member of the schedule's Administration profile when it connected.
    administration BOOLEAN NOT NULL,
    -- The name the Client gives (its computer's).
    workstation TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    opened_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- NULL while open; 'client', 'disconnected' (from the console) or 'expired'.
    closed_at BIGINT,
    closed_by TEXT
);
CREATE INDEX connections_account ON connections (account_id, closed_at);
