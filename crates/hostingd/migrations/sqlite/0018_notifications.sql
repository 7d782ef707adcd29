-- Notifications (issue 13): what the console's bell shows, written in the transaction of the
-- event (or by the hourly job for what depends on time), once per dedupe key, with read marks
-- per person.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    -- upgrade_coming | certificate_expiring | safeguard_failed | server_stopped |
    -- contract_ending | workstation_enrolled
    kind TEXT NOT NULL,
    -- 'safeguard:<schedule>:<day>', 'cert:<workstation>', ...: one notification per event.
    dedupe_key TEXT NOT NULL,
    -- all (the manager, and the superadministrators of its schedule) | manager | workstation
    audience TEXT NOT NULL,
    schedule_id BIGINT,
    -- With audience = workstation: only the sessions of this workstation see it.
    workstation_id BIGINT,
    -- JSON: the arguments of the sentence the console writes (never a secret).
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, dedupe_key)
);
CREATE INDEX notifications_by_account ON notifications (account_id, created_at);

-- Who read what: 'manager' or 'superadmin:<username>' (the audit's actor labels).
CREATE TABLE notification_reads (
    notification_id BIGINT NOT NULL REFERENCES notifications(id),
    reader TEXT NOT NULL,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (notification_id, reader)
);
