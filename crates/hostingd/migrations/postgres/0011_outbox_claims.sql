-- Several instances deliver the outbox: a message is claimed (by an instance, until a time) before
-- it is sent, so that no two instances send it; a claim that ran out (its instance died) can be
-- taken again.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
