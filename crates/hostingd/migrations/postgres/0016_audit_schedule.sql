-- The audit view (issue 13): each record names the schedule it is about, when it is about one,
-- so that a superadministrator sees the actions on the schedules of their Administration
-- profile. Records written before are filled from their detail.
ALTER TABLE audit_log ADD COLUMN schedule_id BIGINT;
UPDATE audit_log SET schedule_id = (detail::jsonb ->> 'schedule_id')::BIGINT
    WHERE detail LIKE '%"schedule_id":%' AND jsonb_typeof(detail::jsonb -> 'schedule_id') = 'number';
CREATE INDEX audit_log_by_schedule ON audit_log (account_id, schedule_id, at);
UPDATE audit_log SET schedule_id = (detail::jsonb ->> 'owner_id')::BIGINT
    WHERE action = 'schedule.domain_set';
