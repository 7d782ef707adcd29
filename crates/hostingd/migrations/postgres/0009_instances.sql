-- Several hostingd instances may share one database: each audit record names the one that wrote it.
ALTER TABLE audit_log ADD COLUMN instance_id TEXT;
