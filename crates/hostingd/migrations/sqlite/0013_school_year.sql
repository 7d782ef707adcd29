-- The school year (issue 12): the provider's releases and each school's upgrade, the bases of the
-- finished school years, and what the year's jobs did.

-- A release the operator published (`hostingd release publish`): from `prerelease_from` a school
-- may move at once; otherwise it chooses a day of the window, whose first day is the default.
-- Dates are YYYY-MM-DD (UTC days of the service clock).
CREATE TABLE releases (
    version TEXT PRIMARY KEY,
    prerelease_from TEXT NOT NULL,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    published_at BIGINT NOT NULL
);

-- The version each school runs, and the version each base was made or converted with (NULL:
-- made before versions were recorded; it is the school's version).
ALTER TABLE accounts ADD COLUMN current_version TEXT NOT NULL DEFAULT '2026';
ALTER TABLE bases ADD COLUMN version TEXT;

-- A school's choice for one release and the run of its upgrade. `last_attempt_on`: the day of
-- the last try, so that a failed upgrade is tried again the next day, not twice the same day.
CREATE TABLE upgrades (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    to_version TEXT NOT NULL REFERENCES releases(version),
    from_version TEXT NOT NULL,
    chosen_date TEXT,
    prerelease_requested_at BIGINT,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    last_attempt_on TEXT,
    last_error TEXT,
    done_at BIGINT,
    UNIQUE (account_id, to_version)
);

-- The base of each finished school year of a schedule, read-only: archived by the year-end job,
-- or loaded by a member of the schedule's Administration profile (replacing is a new row).
CREATE TABLE year_bases (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    schedule_id INTEGER NOT NULL REFERENCES schedules(id),
    school_year TEXT NOT NULL,
    origin TEXT NOT NULL,
    base_name TEXT NOT NULL,
    version TEXT,
    source_base_id BIGINT,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    UNIQUE (schedule_id, school_year)
);
CREATE TABLE year_base_files (
    year_base_id INTEGER NOT NULL REFERENCES year_bases(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    blob_id INTEGER NOT NULL REFERENCES blobs(id),
    PRIMARY KEY (year_base_id, kind)
);

-- What the year's jobs did, one row per step, school year and schedule, written in the
-- transaction of the effect: a second run (the same day, or on another instance) does nothing.
CREATE TABLE year_steps (
    step TEXT NOT NULL,
    school_year TEXT NOT NULL,
    schedule_id BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (step, school_year, schedule_id)
);
