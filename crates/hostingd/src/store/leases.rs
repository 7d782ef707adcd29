//! Leases: a name that one holder has to itself until a time, in the database, so that several
//! instances over one database agree on who does what (one PATCH per upload, later the schedules'
//! endpoints). A holder renews its lease before it expires; an expired lease can be taken.

use super::db::{Tx, query, query_scalar};
use super::{Store, StoreResult};

impl Store {
    /// Takes the lease `name` for `holder` for `ttl_seconds` from now, or renews it if `holder`
    /// has it; true when `holder` has it afterwards. A lease held by another and not expired is
    /// left alone (false).
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl_seconds: i64,
    ) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let held: Option<String> = query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at <= $4 \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now + ttl_seconds)
        .bind(now)
        .fetch_optional(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(held.is_some())
    }

    /// Gives the lease `name` back, if `holder` still has it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// At start: forgets the leases that earlier processes left, which a `kill -9` would
    /// otherwise keep for the lease's length. A SQLite database has one instance at a time, so
    /// every lease in it belonged to a process that is gone. A PostgreSQL database is shared by
    /// instances that hold leases now: only those of this instance's id (an earlier life of it,
    /// when the operator gives a stable `--instance-id`) are forgotten, the others expire.
    /// Returns how many were forgotten.
    pub async fn forget_leases_of_gone_processes(&self) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let gone = if self.is_postgres() {
            delete_leases_of_this_instance(&mut tx).await?
        } else {
            query("DELETE FROM leases")
                .execute(&mut tx)
                .await?
                .rows_affected()
        };
        tx.commit().await?;
        Ok(gone)
    }

    /// At a planned stop: gives back every lease of this instance (its holders are
    /// `<instance id>:…`) and its outbox claims, so that another instance takes over at once.
    /// Returns how many leases and claims were given back.
    pub async fn release_this_instance(&self) -> StoreResult<(u64, u64)> {
        let mut tx = self.write().await?;
        let leases = delete_leases_of_this_instance(&mut tx).await?;
        let claims = query(
            "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND delivered_at IS NULL",
        )
        .bind(crate::instance::id())
        .execute(&mut tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok((leases, claims))
    }

    /// How many leases this instance holds now (for the metrics).
    pub async fn leases_of_this_instance(&self) -> StoreResult<i64> {
        let (mine, length) = this_instance_prefix();
        Ok(query_scalar(
            "SELECT COUNT(*) FROM leases WHERE substr(holder, 1, CAST($2 AS INTEGER)) = $1 AND expires_at > $3",
        )
        .bind(mine)
        .bind(length)
        .bind(self.now())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Who has the lease `name` now, if anyone.
    pub async fn lease_holder(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(
            query_scalar("SELECT holder FROM leases WHERE name = $1 AND expires_at > $2")
                .bind(name)
                .bind(self.now())
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

/// The prefix of this instance's lease holders (`<instance id>:`, see
/// [`crate::instance::lease_holder`]) and its length, as the queries compare it.
fn this_instance_prefix() -> (String, i64) {
    let mine = format!("{}:", crate::instance::id());
    let length = i64::try_from(mine.len()).unwrap_or(i64::MAX);
    (mine, length)
}

/// Deletes the leases of this instance in `tx`; how many.
async fn delete_leases_of_this_instance(tx: &mut Tx) -> StoreResult<u64> {
    let (mine, length) = this_instance_prefix();
    Ok(
        query("DELETE FROM leases WHERE substr(holder, 1, CAST($2 AS INTEGER)) = $1")
            .bind(mine)
            .bind(length)
            .execute(tx)
            .await?
            .rows_affected(),
    )
}
