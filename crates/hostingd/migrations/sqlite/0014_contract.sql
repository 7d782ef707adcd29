-- The hosting contract (issue 12): its kind and start, the operator's price list, the pro-forma
-- invoices a superadministrator makes to renew it, and the reminders of its end.
ALTER TABLE accounts ADD COLUMN contract_kind TEXT NOT NULL DEFAULT 'hosting';
ALTER TABLE accounts ADD COLUMN contract_starts_on TEXT;

-- A price of the list from a day on (`hostingd prices set`): the price of an item on a day is
-- the one with the latest `valid_from` on or before it. Amounts are cents, excluding tax, per
-- year and unit; VAT in per mille (200 = 20 %).
CREATE TABLE prices (
    item TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    vat_per_mille BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (item, valid_from)
);

-- The last number given each year: pro-forma numbers are PF-<year>-<sequence>, unique.
CREATE TABLE proforma_counters (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- An issued pro-forma invoice, kept as the document that was given (the same bytes each time).
CREATE TABLE proformas (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    number TEXT NOT NULL UNIQUE,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    total_excl_cents BIGINT NOT NULL,
    total_incl_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    language TEXT NOT NULL,
    pdf BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX proformas_by_account ON proformas (account_id, created_at);

-- The reminders of a contract's end sent to the manager, by end day: a renewal (a new end)
-- starts them again.
CREATE TABLE contract_reminders (
    account_id BIGINT NOT NULL,
    ends_on TEXT NOT NULL,
    days_before BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, ends_on, days_before)
);
