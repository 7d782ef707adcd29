-- One language per account (issue 22): every e-mail and SMS of the account is written in it.
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'fr';

-- What the operator commands need from the running service's flags: the console's download
-- address (`--console-download-url`), written by `serve`, read by `provision`.
CREATE TABLE service_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
