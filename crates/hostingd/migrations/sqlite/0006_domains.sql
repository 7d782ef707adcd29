-- Domains: an endpoint's host (`<label>.<public zone>`, or a domain the operator verified) is
-- unique across the service, whatever was typed. The service fills `host` at start from its
-- --public-zone (a migration does not know the zone) and on every change.
ALTER TABLE endpoints ADD COLUMN host TEXT;
CREATE UNIQUE INDEX endpoints_by_host ON endpoints (host);

-- Domains outside the public zone that the provider's staff verified for one account
-- (`hostingd verify-domain`): the account may use the domain and the names under it.
CREATE TABLE verified_domains (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    domain TEXT NOT NULL UNIQUE,
    verified_at BIGINT NOT NULL
);
