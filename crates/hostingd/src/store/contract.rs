//! The hosting contract: the operator's price list, the pro-forma invoices (numbered in the
//! transaction that records them, kept as the documents that were given), the contract's days
//! set by the operator, and the ledger of the reminders of its end.

use hosting_api::About;
use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::notifications::{Audience, Notice, notify};
use super::{Actor, Store, StoreError, StoreResult, audit, outbox};
use crate::renewal::PROFORMAS_PER_DAY;
use crate::rules::Refusal;
use crate::rules::school_year::start_of;

/// A price of the list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PriceRow {
    /// `hosting`, `administration_licence` or `campus_net_licence`.
    pub item: String,
    /// Cents excluding tax, per year and unit.
    pub amount_cents: i64,
    /// Currency, e.g. `EUR`.
    pub currency: String,
    /// VAT in per mille.
    pub vat_per_mille: i64,
    /// From this day (YYYY-MM-DD).
    pub valid_from: String,
}

/// The items of the price list.
pub const PRICE_ITEMS: [&str; 3] = ["hosting", "administration_licence", "campus_net_licence"];

/// A pro-forma invoice as listed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProformaRow {
    /// Identifier.
    pub id: i64,
    /// Number.
    pub number: String,
    /// First day.
    pub period_start: String,
    /// Last day.
    pub period_end: String,
    /// Total excluding tax, cents.
    pub total_excl_cents: i64,
    /// Total including tax, cents.
    pub total_incl_cents: i64,
    /// Currency.
    pub currency: String,
    /// SHA-256 of the PDF.
    pub sha256: String,
    /// Who made it.
    pub created_by: String,
    /// When.
    pub created_at: i64,
}

const PROFORMA_SELECT: &str = "SELECT id, number, period_start, period_end, total_excl_cents, total_incl_cents, currency, sha256, created_by, created_at FROM proformas";

/// What a pro-forma says, before its number is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProformaDraft {
    /// First day.
    pub period_start: String,
    /// Last day.
    pub period_end: String,
    /// Total excluding tax, cents.
    pub total_excl_cents: i64,
    /// Total including tax, cents.
    pub total_incl_cents: i64,
    /// Currency.
    pub currency: String,
    /// `fr` or `en`.
    pub language: String,
}

/// The days of a contract the operator records (`hostingd contract set`); `None` keeps a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractChange {
    /// Kind.
    pub kind: Option<String>,
    /// First day.
    pub starts_on: Option<String>,
    /// Last day.
    pub ends_on: Option<String>,
    /// Licences in Administrative mode.
    pub administration_licences: Option<i64>,
}

/// An account whose contract ends within the reminders' days, for the job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EndingContract {
    /// Account.
    pub account_id: i64,
    /// School.
    pub school_name: String,
    /// Manager's e-mail.
    pub email: String,
    /// Last day.
    pub contract_ends_on: String,
}

impl Store {
    /// Sets the price of `item` from `valid_from` on (replacing one set for the same day).
    pub async fn set_price(&self, price: &PriceRow) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        query(
            "INSERT INTO prices (item, amount_cents, currency, vat_per_mille, valid_from, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (item, valid_from) DO UPDATE SET amount_cents = excluded.amount_cents, currency = excluded.currency, vat_per_mille = excluded.vat_per_mille, created_at = excluded.created_at",
        )
        .bind(&price.item)
        .bind(price.amount_cents)
        .bind(&price.currency)
        .bind(price.vat_per_mille)
        .bind(&price.valid_from)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The price list, by item then day.
    pub async fn prices(&self) -> StoreResult<Vec<PriceRow>> {
        Ok(query_as::<PriceRow>(
            "SELECT item, amount_cents, currency, vat_per_mille, valid_from FROM prices ORDER BY item, valid_from",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The price of `item` on `day` (YYYY-MM-DD): the latest set on or before it.
    pub async fn price_on(&self, item: &str, day: &str) -> StoreResult<Option<PriceRow>> {
        Ok(query_as::<PriceRow>(
            "SELECT item, amount_cents, currency, vat_per_mille, valid_from FROM prices WHERE item = $1 AND valid_from <= $2 ORDER BY valid_from DESC LIMIT 1",
        )
        .bind(item)
        .bind(day)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records a pro-forma: its number is the next of `year` (`PF-<year>-<sequence>`), reserved
    /// in a short transaction of its own; `render` then makes the document that carries it
    /// outside the service's write lock (rendering a PDF takes a while, and every other write
    /// of the service would wait for it), and a second transaction records it. A number whose
    /// document could not be made stays unused (a gap), never given twice. Both transactions
    /// refuse a pro-forma beyond [`PROFORMAS_PER_DAY`] of the account today (the second one
    /// too, so that pro-formas made at the same moment cannot pass the limit together).
    pub async fn issue_proforma(
        &self,
        actor: &Actor,
        year: i32,
        draft: &ProformaDraft,
        render: impl FnOnce(&str) -> Result<Vec<u8>, String>,
    ) -> StoreResult<ProformaRow> {
        let mut tx = self.write().await?;
        self.within_daily_limit(&mut tx, actor.account_id).await?;
        let sequence: i64 = query_scalar(
            "INSERT INTO proforma_counters (year, last) VALUES ($1, 1) ON CONFLICT (year) DO UPDATE SET last = proforma_counters.last + 1 RETURNING last",
        )
        .bind(i64::from(year))
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        let number = format!("PF-{year}-{sequence:06}");
        let pdf = render(&number).map_err(StoreError::Internal)?;
        let now = self.now();
        let mut tx = self.write().await?;
        self.within_daily_limit(&mut tx, actor.account_id).await?;
        let sha256 = hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &pdf));
        let id: i64 = query_scalar(
            "INSERT INTO proformas (account_id, number, period_start, period_end, total_excl_cents, total_incl_cents, currency, language, pdf, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(&number)
        .bind(&draft.period_start)
        .bind(&draft.period_end)
        .bind(draft.total_excl_cents)
        .bind(draft.total_incl_cents)
        .bind(&draft.currency)
        .bind(&draft.language)
        .bind(pdf)
        .bind(&sha256)
        .bind(&actor.label)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "contract.proforma",
            json!({"number": number, "period_start": draft.period_start, "period_end": draft.period_end, "total_incl_cents": draft.total_incl_cents}),
        )
        .await?;
        tx.commit().await?;
        Ok(ProformaRow {
            id,
            number,
            period_start: draft.period_start.clone(),
            period_end: draft.period_end.clone(),
            total_excl_cents: draft.total_excl_cents,
            total_incl_cents: draft.total_incl_cents,
            currency: draft.currency.clone(),
            sha256,
            created_by: actor.label.clone(),
            created_at: now,
        })
    }

    /// Refuses, in `tx`, a pro-forma of an account that made [`PROFORMAS_PER_DAY`] today.
    async fn within_daily_limit(&self, tx: &mut Tx, account_id: i64) -> StoreResult<()> {
        // The service's days are UTC days of its clock.
        let start = start_of(self.clock.today());
        let tomorrow = start + 86_400;
        let made: i64 = query_scalar(
            "SELECT COUNT(*) FROM proformas WHERE account_id = $1 AND created_at >= $2",
        )
        .bind(account_id)
        .bind(start)
        .fetch_one(&mut *tx)
        .await?;
        if made < PROFORMAS_PER_DAY {
            return Ok(());
        }
        Err(Refusal::ProformaLimitReached {
            per_day: PROFORMAS_PER_DAY,
            retry_after_seconds: u64::try_from(tomorrow - self.now()).unwrap_or(1).max(1),
        }
        .into())
    }

    /// The account's pro-formas, newest first.
    pub async fn proformas(&self, account_id: i64) -> StoreResult<Vec<ProformaRow>> {
        Ok(query_as::<ProformaRow>(sqlx::AssertSqlSafe(format!(
            "{PROFORMA_SELECT} WHERE account_id = $1 ORDER BY id DESC"
        )))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One pro-forma of the account with its document.
    pub async fn proforma_pdf(
        &self,
        account_id: i64,
        id: i64,
    ) -> StoreResult<(ProformaRow, Vec<u8>)> {
        let row = query_as::<ProformaRow>(sqlx::AssertSqlSafe(format!(
            "{PROFORMA_SELECT} WHERE account_id = $1 AND id = $2"
        )))
        .bind(account_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("pro-forma invoice"))?;
        let pdf: Vec<u8> = query_scalar("SELECT pdf FROM proformas WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok((row, pdf))
    }

    /// Records the contract's days set by the operator; audited.
    pub async fn set_contract(&self, account_id: i64, change: &ContractChange) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        query(
            "UPDATE accounts SET contract_kind = COALESCE($2, contract_kind), contract_starts_on = COALESCE($3, contract_starts_on), contract_ends_on = COALESCE($4, contract_ends_on), administration_licences = COALESCE($5, administration_licences) WHERE id = $1",
        )
        .bind(account_id)
        .bind(change.kind.clone())
        .bind(change.starts_on.clone())
        .bind(change.ends_on.clone())
        .bind(change.administration_licences)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            &Actor::operator(account_id),
            now,
            "contract.set",
            json!({"kind": change.kind, "starts_on": change.starts_on, "ends_on": change.ends_on, "administration_licences": change.administration_licences}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The accounts whose contract ends between `from` and `to` (YYYY-MM-DD, both included).
    pub async fn contracts_ending(&self, from: &str, to: &str) -> StoreResult<Vec<EndingContract>> {
        Ok(query_as::<EndingContract>(
            "SELECT id AS account_id, school_name, email, contract_ends_on FROM accounts WHERE contract_ends_on >= $1 AND contract_ends_on <= $2 ORDER BY id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sends the reminder `days_before` of a contract's end, with its ledger rows (`covers`: this
    /// threshold and the larger ones it stands for), in one transaction; `false` when it was
    /// sent already.
    pub async fn send_contract_reminder(
        &self,
        contract: &EndingContract,
        days_before: i64,
        covers: &[i64],
        message: &crate::messages::Message,
    ) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let sent: bool = query_scalar(
            "SELECT EXISTS (SELECT 1 FROM contract_reminders WHERE account_id = $1 AND ends_on = $2 AND days_before = $3)",
        )
        .bind(contract.account_id)
        .bind(&contract.contract_ends_on)
        .bind(days_before)
        .fetch_one(&mut tx)
        .await?;
        if sent {
            return Ok(false);
        }
        for threshold in covers {
            query(
                "INSERT INTO contract_reminders (account_id, ends_on, days_before, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, ends_on, days_before) DO NOTHING",
            )
            .bind(contract.account_id)
            .bind(&contract.contract_ends_on)
            .bind(*threshold)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        // Only a superadministrator with console access can renew: they are told too.
        let renewers: Vec<String> = query_scalar(
            "SELECT email FROM users WHERE account_id = $1 AND superadmin = TRUE AND console_access = TRUE AND active = TRUE AND email IS NOT NULL ORDER BY id",
        )
        .bind(contract.account_id)
        .fetch_all(&mut tx)
        .await?;
        let mut recipients = vec![contract.email.clone()];
        recipients.extend(renewers.into_iter().filter(|e| *e != contract.email));
        for recipient in &recipients {
            outbox::enqueue(
                &mut tx,
                contract.account_id,
                now,
                "email",
                recipient,
                message,
            )
            .await?;
        }
        audit::record(
            &mut tx,
            &Actor::service(contract.account_id),
            now,
            "contract.reminder",
            json!({"ends_on": contract.contract_ends_on, "days_before": days_before}),
        )
        .await?;
        // The bell says it too; the reminder above is its e-mail.
        let days_left = crate::rules::school_year::parse_date(&contract.contract_ends_on)
            .map(|ends_on| (ends_on - self.clock.today()).whole_days());
        let notice = Notice {
            about: About::ContractEnding {
                ends_on: contract.contract_ends_on.clone(),
                days_left,
            },
            dedupe_key: format!("contract:{}:{days_before}", contract.contract_ends_on),
            audience: Audience::All,
            schedule_id: None,
            workstation_id: None,
        };
        notify(&mut tx, contract.account_id, now, &notice, None).await?;
        tx.commit().await?;
        Ok(true)
    }
}
