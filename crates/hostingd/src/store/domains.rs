//! Domains the provider's staff verified for an account, and the endpoints' hosts.

use serde_json::json;

use super::StoreResult;
use super::db::{query, query_as, query_scalar};
use super::{Actor, Store, audit, is_unique_violation};
use crate::domains::{host_of, is_within};
use crate::rules::Refusal;

impl Store {
    /// The verified domains of an account.
    pub async fn verified_domains(&self, account_id: i64) -> StoreResult<Vec<String>> {
        Ok(query_scalar(
            "SELECT domain FROM verified_domains WHERE account_id = $1 ORDER BY domain",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every verified domain of the service: what the endpoint CA permits besides the zone.
    pub async fn verified_domain_names(&self) -> StoreResult<Vec<String>> {
        Ok(
            query_scalar("SELECT domain FROM verified_domains ORDER BY domain")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Records that the provider verified `domain` (already checked by
    /// [`crate::domains::verifiable`]) for an account: the account may then use it and the names
    /// under it. A domain that overlaps another account's verified domain or endpoint is refused.
    pub async fn verify_domain(&self, account_id: i64, domain: &str) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let verified: Vec<(String, i64)> =
            query_as("SELECT domain, account_id FROM verified_domains")
                .fetch_all(&mut tx)
                .await?;
        if verified
            .iter()
            .any(|(d, owner)| d == domain && *owner == account_id)
        {
            return Ok(());
        }
        let hosts: Vec<(Option<String>, i64)> = query_as("SELECT host, account_id FROM endpoints")
            .fetch_all(&mut tx)
            .await?;
        let overlaps = |name: &str| is_within(name, domain) || is_within(domain, name);
        let taken = verified
            .iter()
            .any(|(d, owner)| *owner != account_id && overlaps(d))
            || hosts.iter().any(|(host, owner)| {
                *owner != account_id && host.as_deref().is_some_and(|h| is_within(h, domain))
            });
        if taken {
            return Err(Refusal::DomainOverlaps {
                domain: domain.to_string(),
            }
            .into());
        }
        query("INSERT INTO verified_domains (account_id, domain, verified_at) VALUES ($1, $2, $3)")
            .bind(account_id)
            .bind(domain)
            .bind(now)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            &Actor::operator(account_id),
            now,
            "domain.verified",
            json!({"domain": domain}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Computes every endpoint's host for the public `zone` (at start: the zone is a flag, and
    /// rows written before the host column existed have none). Two endpoints that end up with
    /// the same host, which the old rules allowed, are logged; the later one keeps no host until
    /// its domain is changed. Full names that no verified domain covers are logged too: their
    /// endpoint certificates fall outside the endpoint CA's name constraints.
    pub async fn refresh_endpoint_hosts(&self, zone: &str) -> StoreResult<()> {
        let rows: Vec<(i64, i64, String, Option<String>)> =
            query_as("SELECT id, account_id, domain, host FROM endpoints ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let verified: Vec<(String, i64)> =
            query_as("SELECT domain, account_id FROM verified_domains")
                .fetch_all(&self.pool)
                .await?;
        for (id, account_id, domain, host) in rows {
            let wanted = host_of(zone, &domain);
            if domain.contains('.')
                && !verified
                    .iter()
                    .any(|(d, owner)| *owner == account_id && is_within(&wanted, d))
            {
                tracing::warn!(endpoint = id, host = %wanted, "a domain outside the public zone was never verified: verify it with `hostingd verify-domain` or have the school change it");
            }
            if host.as_deref() == Some(wanted.as_str()) {
                continue;
            }
            let updated = query("UPDATE endpoints SET host = $1 WHERE id = $2")
                .bind(&wanted)
                .bind(id)
                .execute(&self.pool)
                .await;
            match updated {
                Ok(_) => {}
                Err(error) if is_unique_violation(&error) => {
                    tracing::error!(endpoint = id, host = %wanted, "two endpoints have the same host; this one is left without a host until its domain is changed");
                    query("UPDATE endpoints SET host = NULL WHERE id = $1")
                        .bind(id)
                        .execute(&self.pool)
                        .await?;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }
}
