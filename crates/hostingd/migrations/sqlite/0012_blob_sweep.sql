-- The orphan sweep lists blob storage one day at a time (issue 11): new keys begin with their UTC
-- day, `d/YYYY-MM-DD/...`. `name` = 'days': `value` is the last day swept with nothing left to
-- decide, and the sweep lists only the days after it that are older than its grace period;
-- 'undated': the keys without a day (made before) were swept once, `value` is the day it was done.
CREATE TABLE blob_sweep (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Objects that a commit stopped referencing, queued in that same transaction (their `objects`
-- record is removed there too, so that no later commit can reference them again). The caller
-- deletes them after the commit and takes them off the queue; what a crash left in between is
-- deleted by the next sweep, without listing the days already swept.
CREATE TABLE blob_deletions (
    object_key TEXT PRIMARY KEY,
    queued_at BIGINT NOT NULL
);
