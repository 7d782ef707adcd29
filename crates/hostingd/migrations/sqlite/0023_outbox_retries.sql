-- The outbox through gateway outages (issue 23): a failed message is tried again after a
-- back-off (next_attempt_at) and given up by age, not by count (abandoned_at, counted from the
-- later of created_at and requeued_at, which `hostingd outbox --retry` sets). A message that holds
-- a secret (a password, a one-time code, an invoice number) loses its body once delivered or
-- abandoned; the rows written before this are taken as secret.
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN abandoned_at BIGINT;
ALTER TABLE outbox ADD COLUMN requeued_at BIGINT;
ALTER TABLE outbox ADD COLUMN secret BOOLEAN NOT NULL DEFAULT TRUE;
