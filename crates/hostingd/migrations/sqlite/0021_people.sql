-- The hosting manager manages the people (issue 22): a deactivated user keeps their rows but
-- can no longer log in, and their sessions end.
ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
