-- Accounts, their schedules, users, profiles, workstations, sessions, audit log and outbox.
-- Times are Unix seconds (INTEGER) so that the same SQL runs on SQLite and PostgreSQL.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    hosting_number TEXT NOT NULL UNIQUE,
    invoice_number TEXT NOT NULL,
    school_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    licence_version TEXT,
    licence_accepted_at BIGINT,
    contract_ends_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    campus_net_licence BOOLEAN NOT NULL,
    time_zone TEXT NOT NULL,
    server_state TEXT NOT NULL,
    active_base_id BIGINT,
    UNIQUE (account_id, name)
);

-- Domain names and ports are unique across the whole service.
CREATE TABLE endpoints (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    domain TEXT NOT NULL UNIQUE,
    port INTEGER NOT NULL UNIQUE,
    UNIQUE (owner_kind, owner_id)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    first_name TEXT NOT NULL,
    surname TEXT NOT NULL,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    superadmin BOOLEAN NOT NULL,
    email TEXT,
    console_access BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, username)
);

CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedules(id),
    name TEXT NOT NULL,
    UNIQUE (schedule_id, name)
);

CREATE TABLE profile_members (
    profile_id INTEGER NOT NULL REFERENCES profiles(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (profile_id, user_id)
);

CREATE TABLE workstations (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    enrolled_at BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    workstation_id INTEGER NOT NULL REFERENCES workstations(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Failed logins are counted per typed hosting number, so that an unknown number locks out
-- exactly like a known one and the answer leaks nothing.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    hosting_number TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_number ON login_failures (hosting_number, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    workstation_id BIGINT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    delivered_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
