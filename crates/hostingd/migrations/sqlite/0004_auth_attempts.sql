-- Password attempts counted per principal and per source address (issue 8), recorded before the
-- password is checked. `key` is the counter: `enroll:<hosting number>:manager`,
-- `enroll:<hosting number>:superadmin:<username>`, `login:<account id>:manager`,
-- `login:<account id>:superadmin:<user id>`, `enroll-from:<address>`, `login-from:<address>`.
-- `outcome` is `pending` (being checked), `failed`, or `locked` (the first refusal of a lock-out,
-- audited once). `login_failures` (0001) is no longer used.
CREATE TABLE auth_attempts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX auth_attempts_by_key ON auth_attempts (key, at);

-- The caller's IP address for audit entries about requests (failed logins and enrollments,
-- lock-outs).
ALTER TABLE audit_log ADD COLUMN source_addr TEXT;
CREATE INDEX audit_log_by_source ON audit_log (source_addr, at);
