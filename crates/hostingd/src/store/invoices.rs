//! Invoice numbers at rest: checked against their keyed digest, opened from their sealed copy
//! for the hosting manager only, converted from clear text at start, and rotated by the
//! provider's staff when one leaks.

use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::{AccountRow, Actor, Store, audit, outbox};
use super::{StoreError, StoreResult};
use crate::messages;

impl Store {
    /// Keeps `invoice_number` as the account's digest and sealed copy, and empties the clear
    /// column, in `tx`.
    async fn store_invoice(
        &self,
        tx: &mut Tx,
        account_id: i64,
        hosting_number: &str,
        invoice_number: &str,
    ) -> StoreResult<()> {
        let digest = self.invoice_keys.digest(hosting_number, invoice_number);
        let sealed = self
            .invoice_keys
            .seal(hosting_number, invoice_number)
            .map_err(StoreError::internal)?;
        query("UPDATE accounts SET invoice_digest = $1, invoice_sealed = $2, invoice_number = '' WHERE id = $3")
            .bind(&digest)
            .bind(&sealed)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    /// True when `candidate` is the account's invoice number; constant time.
    pub fn invoice_matches(&self, account: &AccountRow, candidate: &str) -> bool {
        self.invoice_keys
            .matches(&account.hosting_number, &account.invoice_digest, candidate)
    }

    /// The account's invoice number in clear, for the hosting manager and the e-mails that
    /// send it.
    pub fn invoice_number(&self, account: &AccountRow) -> StoreResult<String> {
        self.invoice_keys
            .open(&account.hosting_number, &account.invoice_sealed)
            .map_err(StoreError::internal)
    }

    /// Gives the account a new invoice number, sent by e-mail; the old one is refused at once.
    pub async fn rotate_invoice(
        &self,
        account: &AccountRow,
        invoice_number: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        self.store_invoice(&mut tx, account.id, &account.hosting_number, invoice_number)
            .await?;
        let email = messages::rotated_invoice_email(
            &account.school_name,
            &account.hosting_number,
            invoice_number,
        );
        outbox::enqueue(&mut tx, account.id, now, "email", &account.email, &email).await?;
        audit::record(
            &mut tx,
            &Actor::operator(account.id),
            now,
            "account.invoice_rotated",
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// At start: seals and digests the invoice numbers still kept in clear, then empties the
    /// clear column. Refuses to start when the key file is new but the database already holds
    /// numbers sealed with another key (a lost `invoice.key`).
    pub(super) async fn protect_invoice_numbers(&self) -> anyhow::Result<()> {
        if self.invoice_keys.created {
            let sealed: i64 =
                query_scalar("SELECT COUNT(*) FROM accounts WHERE invoice_digest <> ''")
                    .fetch_one(&self.pool)
                    .await?;
            if sealed > 0 {
                anyhow::bail!(
                    "{} was missing and has just been made, but the database holds invoice numbers protected with the old key: stop the service, restore that file from the backup of the data directory and delete the new one",
                    self.invoice_keys.path.display()
                );
            }
        }
        let clear: Vec<(i64, String, String)> = query_as(
            "SELECT id, hosting_number, invoice_number FROM accounts WHERE invoice_number <> ''",
        )
        .fetch_all(&self.pool)
        .await?;
        if clear.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for (id, hosting_number, invoice_number) in &clear {
            self.store_invoice(&mut tx, *id, hosting_number, invoice_number)
                .await?;
        }
        tx.commit().await?;
        self.checkpoint().await;
        tracing::info!(
            accounts = clear.len(),
            "invoice numbers are no longer kept in clear"
        );
        Ok(())
    }
}
