//! Accounts: provisioning (with the schedules, profiles and the logins sent through the outbox),
//! password reset, licence acceptance and the onboarding progress.

use hosting_api::types::Onboarding;
use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::{
    ADMINISTRATION, Actor, DEFAULT_PROFILES, Store, attempts, audit, is_unique_violation, outbox,
};
use super::{StoreError, StoreResult};
use crate::messages;
use crate::texts::Language;

/// What the provider's staff give to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Name of the school.
    pub school_name: String,
    /// The hosting manager's e-mail.
    pub email: String,
    /// The hosting manager's mobile phone.
    pub phone: String,
    /// Last day of the contract (YYYY-MM-DD).
    pub contract_ends_on: String,
    /// The language of the account's e-mails and SMS (`fr` unless told).
    pub language: Language,
}

/// An account row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    /// Identifier.
    pub id: i64,
    /// 12 digits.
    pub hosting_number: String,
    /// Keyed digest of the invoice number (see [`crate::invoice`]); compare with
    /// [`Store::invoice_matches`].
    pub invoice_digest: String,
    /// The invoice number sealed for the manager; open with [`Store::invoice_number`].
    pub invoice_sealed: String,
    /// School.
    pub school_name: String,
    /// Manager's e-mail.
    pub email: String,
    /// Manager's phone.
    pub phone: String,
    /// argon2id PHC string of the console password.
    pub password_hash: String,
    /// Accepted licence version.
    pub licence_version: Option<String>,
    /// Contract end.
    pub contract_ends_on: String,
    /// Simultaneous Administrative-mode connections of the licence.
    pub administration_licences: i64,
    /// The kind of contract.
    pub contract_kind: String,
    /// First day of the contract, when recorded.
    pub contract_starts_on: Option<String>,
    /// The language of the account's e-mails and SMS.
    pub language: Language,
}

/// Replaces the hosting manager's console password in `tx` (by the operator, or with a one-time
/// code): clears the account's failed attempts, ends every session opened with the old password
/// (those of the account's manager workstations) and sends the new one by SMS. The number of
/// sessions ended.
pub(super) async fn replace_manager_password(
    tx: &mut Tx,
    account: &AccountRow,
    password: &str,
    password_hash: &str,
    now: i64,
) -> StoreResult<u64> {
    query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    attempts::clear_account(tx, &account.hosting_number, Some(account.id)).await?;
    let sessions_ended = query(
        "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND workstation_id IN (SELECT id FROM workstations WHERE account_id = $2 AND role = 'manager')",
    )
    .bind(now)
    .bind(account.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let sms = messages::new_password_sms(password);
    outbox::enqueue(tx, account.id, now, "sms", &account.phone, &sms).await?;
    Ok(sessions_ended)
}

impl Store {
    /// Creates an account with its schedules `planning01` and `planning02`, their profiles, and
    /// the e-mail and SMS with the logins in the outbox. The numbers are drawn by the caller;
    /// `Ok(None)` means the hosting number is taken and the caller draws again.
    pub async fn create_account(
        &self,
        account: &NewAccount,
        hosting_number: &str,
        invoice_number: &str,
        password: &str,
        password_hash: &str,
    ) -> StoreResult<Option<AccountRow>> {
        let now = self.now();
        let invoice_digest = self.invoice_keys.digest(hosting_number, invoice_number);
        let invoice_sealed = self
            .invoice_keys
            .seal(hosting_number, invoice_number)
            .map_err(StoreError::internal)?;
        let mut tx = self.write().await?;
        let inserted = query_scalar::<i64>(
            "INSERT INTO accounts (hosting_number, invoice_number, invoice_digest, invoice_sealed, school_name, email, phone, password_hash, contract_ends_on, created_at, language) VALUES ($1, '', $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(hosting_number)
        .bind(&invoice_digest)
        .bind(&invoice_sealed)
        .bind(&account.school_name)
        .bind(&account.email)
        .bind(&account.phone)
        .bind(password_hash)
        .bind(&account.contract_ends_on)
        .bind(now)
        .bind(account.language.code())
        .fetch_one(&mut tx)
        .await;
        let account_id = match inserted {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        for name in ["planning01", "planning02"] {
            let schedule_id = query_scalar::<i64>(
                "INSERT INTO schedules (account_id, name, campus_net_licence, time_zone, server_state) VALUES ($1, $2, TRUE, 'Europe/Paris', 'stopped') RETURNING id",
            )
            .bind(account_id)
            .bind(name)
            .fetch_one(&mut tx)
            .await?;
            for profile in DEFAULT_PROFILES {
                query("INSERT INTO profiles (schedule_id, name) VALUES ($1, $2)")
                    .bind(schedule_id)
                    .bind(profile)
                    .execute(&mut tx)
                    .await?;
            }
        }
        for email in messages::logins_emails(
            &account.school_name,
            hosting_number,
            invoice_number,
            &self.console_download_url,
        ) {
            outbox::enqueue(&mut tx, account_id, now, "email", &account.email, &email).await?;
        }
        let sms = messages::console_password_sms(password);
        outbox::enqueue(&mut tx, account_id, now, "sms", &account.phone, &sms).await?;
        audit::record(
            &mut tx,
            &Actor::operator(account_id),
            now,
            "account.provisioned",
            json!({"school_name": account.school_name, "hosting_number": hosting_number}),
        )
        .await?;
        tx.commit().await?;
        self.account_by_id(account_id).await.map(Some)
    }

    /// The account with this hosting number, if any.
    pub async fn account_by_hosting_number(
        &self,
        hosting_number: &str,
    ) -> StoreResult<Option<AccountRow>> {
        Ok(query_as::<AccountRow>(
            "SELECT id, hosting_number, invoice_digest, invoice_sealed, school_name, email, phone, password_hash, licence_version, contract_ends_on, administration_licences, contract_kind, contract_starts_on, language FROM accounts WHERE hosting_number = $1",
        )
        .bind(hosting_number)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The account with this id.
    pub async fn account_by_id(&self, account_id: i64) -> StoreResult<AccountRow> {
        query_as::<AccountRow>(
            "SELECT id, hosting_number, invoice_digest, invoice_sealed, school_name, email, phone, password_hash, licence_version, contract_ends_on, administration_licences, contract_kind, contract_starts_on, language FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::internal(format!("account {account_id} vanished")))
    }

    /// Replaces the console password and sends the new one by SMS. Every session opened with
    /// the manager's password (sessions of the account's manager workstations) ends at once;
    /// superadministrators' sessions, opened with their own passwords, go on.
    pub async fn reset_password(
        &self,
        account: &AccountRow,
        password: &str,
        password_hash: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let sessions_ended =
            replace_manager_password(&mut tx, account, password, password_hash, now).await?;
        audit::record(
            &mut tx,
            &Actor::operator(account.id),
            now,
            "account.password_reset",
            json!({"sessions_ended": sessions_ended}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends the hosting and invoice numbers again by e-mail, and an SMS reminder about the
    /// password (which is stored only as a hash and so cannot be sent again). At most once in
    /// ten minutes per account, so that the route cannot be used to flood a school.
    pub async fn resend_logins(&self, account: &AccountRow) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let recent: i64 = query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE account_id = $1 AND action = 'account.logins_resent' AND at > $2",
        )
        .bind(account.id)
        .bind(now - 600)
        .fetch_one(&mut tx)
        .await?;
        if recent > 0 {
            return Ok(());
        }
        let invoice_number = self.invoice_number(account)?;
        for email in messages::logins_emails(
            &account.school_name,
            &account.hosting_number,
            &invoice_number,
            &self.console_download_url,
        ) {
            outbox::enqueue(&mut tx, account.id, now, "email", &account.email, &email).await?;
        }
        let sms = messages::password_reminder_sms();
        outbox::enqueue(&mut tx, account.id, now, "sms", &account.phone, &sms).await?;
        let actor = Actor {
            account_id: account.id,
            label: "public".to_string(),
            workstation_id: None,
            source_addr: None,
        };
        audit::record(&mut tx, &actor, now, "account.logins_resent", json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the language of the account's e-mails and SMS (the hosting manager's choice),
    /// audited.
    pub async fn set_language(&self, actor: &Actor, language: Language) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let before: Language = query_scalar("SELECT language FROM accounts WHERE id = $1")
            .bind(actor.account_id)
            .fetch_one(&mut tx)
            .await?;
        if before == language {
            return Ok(());
        }
        query("UPDATE accounts SET language = $1 WHERE id = $2")
            .bind(language.code())
            .bind(actor.account_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "account.language_changed",
            json!({"from": before.code(), "to": language.code()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the acceptance of licence `version`.
    pub async fn accept_licence(&self, actor: &Actor, version: &str) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        query("UPDATE accounts SET licence_version = $1, licence_accepted_at = $2 WHERE id = $3")
            .bind(version)
            .bind(now)
            .bind(actor.account_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "licence.accepted",
            json!({"version": version}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Which onboarding steps the account has done.
    pub async fn onboarding(
        &self,
        account: &AccountRow,
        current_licence: &str,
    ) -> StoreResult<Onboarding> {
        let controller: i64 = query_scalar(
            "SELECT COUNT(*) FROM endpoints WHERE account_id = $1 AND owner_kind = 'controller'",
        )
        .bind(account.id)
        .fetch_one(&self.pool)
        .await?;
        let schedules_without_domain: i64 = query_scalar(
            "SELECT COUNT(*) FROM schedules s WHERE s.account_id = $1 AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.owner_kind = 'schedule' AND e.owner_id = s.id)",
        )
        .bind(account.id)
        .fetch_one(&self.pool)
        .await?;
        let superadmins: i64 =
            query_scalar("SELECT COUNT(*) FROM users WHERE account_id = $1 AND superadmin = TRUE")
                .bind(account.id)
                .fetch_one(&self.pool)
                .await?;
        let schedules: i64 = query_scalar("SELECT COUNT(*) FROM schedules WHERE account_id = $1")
            .bind(account.id)
            .fetch_one(&self.pool)
            .await?;
        let schedules_without_superadmin: Vec<String> = query_scalar(
            "SELECT s.name FROM schedules s WHERE s.account_id = $1 AND NOT EXISTS (SELECT 1 FROM profiles p JOIN profile_members m ON m.profile_id = p.id JOIN users u ON u.id = m.user_id WHERE p.schedule_id = s.id AND p.name = $2 AND u.superadmin = TRUE) ORDER BY s.name",
        )
        .bind(account.id)
        .bind(ADMINISTRATION)
        .fetch_all(&self.pool)
        .await?;
        let assigned = schedules - i64::try_from(schedules_without_superadmin.len()).unwrap_or(0);
        Ok(Onboarding {
            licence: account.licence_version.as_deref() == Some(current_licence),
            controller: controller > 0,
            schedules: schedules_without_domain == 0,
            superadmin: superadmins > 0,
            profiles: superadmins > 0 && assigned > 0,
            schedules_without_superadmin,
        })
    }
}
