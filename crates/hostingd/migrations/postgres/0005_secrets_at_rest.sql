-- Secrets at rest (issue 8).
-- The invoice number is kept as a keyed digest (HMAC-SHA256) that enrollment is checked against,
-- and as a sealed copy (AES-256-GCM) for the hosting manager; both keys come from
-- `<data-dir>/invoice.key`. The service fills these columns from `invoice_number` at start and
-- then empties `invoice_number` (a migration cannot: it has no key).
ALTER TABLE accounts ADD COLUMN invoice_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN invoice_sealed TEXT NOT NULL DEFAULT '';

-- A delivered message keeps only its metadata: its body may hold a password.
UPDATE outbox SET body = '' WHERE delivered_at IS NOT NULL;
