-- Lost passwords (issue 22): a one-time code e-mailed to the hosting manager or to a
-- superadministrator, valid 30 minutes, used once; only its keyed digest is kept.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    -- NULL: the hosting manager's console password.
    user_id BIGINT,
    code_digest TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_account ON password_resets (account_id, created_at);
