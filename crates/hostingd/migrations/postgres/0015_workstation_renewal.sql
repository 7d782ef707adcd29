-- A workstation's certificate renewed before its expiry, with the old certificate as proof
-- (issue 12): the new row says which one it replaces; the old one is revoked in that
-- transaction.
ALTER TABLE workstations ADD COLUMN replaces_id BIGINT;
