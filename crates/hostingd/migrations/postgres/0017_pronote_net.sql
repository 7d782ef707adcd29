-- PRONOTE.net (issue 13): the publication of each schedule's webspaces and the delegation of
-- their authentication. No row: never published, every space on, 20 minutes, no delegation.
CREATE TABLE publications (
    schedule_id BIGINT PRIMARY KEY REFERENCES schedules(id),
    published BOOLEAN NOT NULL DEFAULT FALSE,
    -- Published again at each activation, until a person stops the publication (then it stays
    -- stopped until a person publishes again).
    publish_on_activation BOOLEAN NOT NULL DEFAULT TRUE,
    teachers BOOLEAN NOT NULL DEFAULT TRUE,
    parents BOOLEAN NOT NULL DEFAULT TRUE,
    students BOOLEAN NOT NULL DEFAULT TRUE,
    student_administration BOOLEAN NOT NULL DEFAULT TRUE,
    inactivity_minutes BIGINT NOT NULL DEFAULT 20,
    -- none | cas
    delegation TEXT NOT NULL DEFAULT 'none',
    cas_url TEXT,
    cas_checked_at BIGINT,
    updated_at BIGINT NOT NULL
);
-- "The base is published by default": the running servers with the licence are published.
INSERT INTO publications (schedule_id, published, updated_at)
    SELECT id, TRUE, 0 FROM schedules WHERE server_state = 'running' AND campus_net_licence;
