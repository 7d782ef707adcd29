//! What the provider's staff do from the command line: provision an account, reset a console
//! password, replace a leaked invoice number, revoke a workstation, verify a school's own domain.

use crate::auth::{Passwords, new_console_password, random_digits};
use crate::fault::{Fault, FaultResult};
use crate::rules::Refusal;
use crate::store::{Actor, NewAccount, Store};

/// A provisioned account. The password is not here: it only goes out by SMS (the outbox).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Provisioned {
    /// Account id.
    pub account_id: i64,
    /// 12 digits.
    pub hosting_number: String,
    /// 10 digits.
    pub invoice_number: String,
}

/// Creates an account with fresh random numbers and password, and queues the e-mail and SMS.
pub async fn provision(
    store: &Store,
    passwords: &Passwords,
    account: &NewAccount,
) -> FaultResult<Provisioned> {
    hosting_api::validate::email(&account.email)?;
    if account.school_name.trim().is_empty() || account.phone.trim().is_empty() {
        return Err(Refusal::InvalidAccount.into());
    }
    let password = new_console_password();
    let password_hash = passwords.hash(&password).await?;
    // A collision on 12 random digits is rare; draw again when it happens.
    for _ in 0..16 {
        let hosting_number = random_digits(12);
        let invoice_number = random_digits(10);
        if let Some(row) = store
            .create_account(
                account,
                &hosting_number,
                &invoice_number,
                &password,
                &password_hash,
            )
            .await?
        {
            return Ok(Provisioned {
                account_id: row.id,
                hosting_number: row.hosting_number,
                invoice_number,
            });
        }
    }
    Err(Fault::internal("no free hosting number after 16 draws"))
}

/// Gives the account a new console password, sent by SMS.
pub async fn reset_password(
    store: &Store,
    passwords: &Passwords,
    hosting_number: &str,
) -> FaultResult<()> {
    let hosting_number = hosting_api::validate::hosting_number(hosting_number)?;
    let account = store
        .account_by_hosting_number(&hosting_number)
        .await?
        .ok_or_else(|| Fault::not_found("account"))?;
    let password = new_console_password();
    let password_hash = passwords.hash(&password).await?;
    store
        .reset_password(&account, &password, &password_hash)
        .await?;
    Ok(())
}

/// Gives the account a new invoice number, sent by e-mail: for a number that leaked. The old
/// one no longer enrolls a workstation; the change is audited.
pub async fn rotate_invoice(store: &Store, hosting_number: &str) -> FaultResult<()> {
    let hosting_number = hosting_api::validate::hosting_number(hosting_number)?;
    let account = store
        .account_by_hosting_number(&hosting_number)
        .await?
        .ok_or_else(|| Fault::not_found("account"))?;
    // Never the same number again.
    let invoice_number = loop {
        let drawn = random_digits(10);
        if !store.invoice_matches(&account, &drawn) {
            break drawn;
        }
    };
    store.rotate_invoice(&account, &invoice_number).await?;
    Ok(())
}

/// Revokes a workstation of any account.
pub async fn revoke_workstation(store: &Store, workstation_id: i64) -> FaultResult<()> {
    let account_id = store
        .workstation_account(workstation_id)
        .await?
        .ok_or_else(|| Fault::not_found("workstation"))?;
    store
        .revoke_workstation(&Actor::operator(account_id), workstation_id)
        .await?;
    Ok(())
}

/// Records that the provider checked that the school of `hosting_number` owns `domain` (a full
/// name outside the public `zone`): the school may then give its controller and schedules that
/// name or names under it. Returns the normalised domain.
pub async fn verify_domain(
    store: &Store,
    hosting_number: &str,
    domain: &str,
    zone: &str,
) -> FaultResult<String> {
    let hosting_number = hosting_api::validate::hosting_number(hosting_number)?;
    let account = store
        .account_by_hosting_number(&hosting_number)
        .await?
        .ok_or_else(|| Fault::not_found("account"))?;
    let domain =
        crate::domains::verifiable(zone, domain).map_err(|why| Refusal::NotVerifiable { why })?;
    store.verify_domain(account.id, &domain).await?;
    Ok(domain)
}

/// Publishes a release (or changes the days of one no school was upgraded to yet): `window` is
/// `FIRST..LAST`, days written YYYY-MM-DD. Returns a sentence that says what to fix.
pub async fn publish_release(
    store: &Store,
    version: &str,
    prerelease_from: &str,
    window: &str,
) -> Result<crate::rules::school_year::Release, String> {
    use crate::rules::school_year::{Release, check_release, parse_date};
    let day = |text: &str, what: &str| {
        parse_date(text).ok_or_else(|| format!("{what} {text:?} is not a day: write it YYYY-MM-DD"))
    };
    let (start, end) = window.split_once("..").ok_or_else(|| {
        format!("write the window as FIRST..LAST, e.g. 2027-08-21..2027-08-24 (got {window:?})")
    })?;
    let release = Release {
        version: version.trim().to_string(),
        prerelease_from: day(prerelease_from, "--prerelease-from")?,
        window_start: day(start, "the window's first day")?,
        window_end: day(end, "the window's last day")?,
    };
    check_release(&release)?;
    store
        .publish_release(&release)
        .await
        .map_err(|e| e.to_string())?;
    Ok(release)
}

/// An amount written `1450`, `1450.5` or `1450,50` (at most two decimals), in cents.
pub fn parse_amount(text: &str) -> Result<i64, String> {
    let wrong = || format!("{text:?} is not an amount: write it like 1450.00");
    let text = text.trim().replace(',', ".");
    let (units, decimals) = text.split_once('.').unwrap_or((&text, ""));
    if units.is_empty() || decimals.len() > 2 || !units.chars().all(|c| c.is_ascii_digit()) {
        return Err(wrong());
    }
    if !decimals.chars().all(|c| c.is_ascii_digit()) {
        return Err(wrong());
    }
    let units: i64 = units.parse().map_err(|_| wrong())?;
    let cents: i64 = format!("{decimals:0<2}").parse().map_err(|_| wrong())?;
    units
        .checked_mul(100)
        .and_then(|u| u.checked_add(cents))
        .ok_or_else(wrong)
}

/// Sets a price of the list from a day on: `item` is one of
/// [`crate::store::PRICE_ITEMS`], `amount` excluding tax per year and unit, `vat` a percentage
/// (`20`, `5.5`). Returns a sentence that says what to fix.
pub async fn set_price(
    store: &Store,
    item: &str,
    amount: &str,
    currency: &str,
    vat: &str,
    from: &str,
) -> Result<crate::store::PriceRow, String> {
    if !crate::store::PRICE_ITEMS.contains(&item) {
        return Err(format!(
            "{item:?} is not an item of the price list: use {}",
            crate::store::PRICE_ITEMS.join(", ")
        ));
    }
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "{currency:?} is not a currency: write its three-letter code, e.g. EUR"
        ));
    }
    let vat_per_mille = parse_amount(vat)
        .map_err(|_| format!("{vat:?} is not a VAT rate: write a percentage, e.g. 20 or 5.5"))?
        / 10;
    if vat_per_mille > 1000 {
        return Err(format!("a VAT rate of {vat} % is not possible"));
    }
    let day = crate::rules::school_year::parse_date(from)
        .ok_or_else(|| format!("--from {from:?} is not a day: write it YYYY-MM-DD"))?;
    let price = crate::store::PriceRow {
        item: item.to_string(),
        amount_cents: parse_amount(amount)?,
        currency,
        vat_per_mille,
        valid_from: crate::rules::school_year::iso(day),
    };
    store.set_price(&price).await.map_err(|e| e.to_string())?;
    Ok(price)
}

/// Records the contract of the account of `hosting_number` (a renewal once paid: its new end).
/// Days are YYYY-MM-DD. Returns a sentence that says what to fix.
pub async fn set_contract(
    store: &Store,
    hosting_number: &str,
    change: &crate::store::ContractChange,
) -> Result<(), String> {
    let hosting_number =
        hosting_api::validate::hosting_number(hosting_number).map_err(|e| e.message)?;
    let account = store
        .account_by_hosting_number(&hosting_number)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account has the hosting number {hosting_number}"))?;
    for (flag, value) in [
        ("--starts-on", &change.starts_on),
        ("--ends-on", &change.ends_on),
    ] {
        if let Some(value) = value
            && crate::rules::school_year::parse_date(value).is_none()
        {
            return Err(format!(
                "{flag} {value:?} is not a day: write it YYYY-MM-DD"
            ));
        }
    }
    if let (Some(start), Some(end)) = (&change.starts_on, &change.ends_on)
        && start > end
    {
        return Err(format!(
            "the contract cannot end ({end}) before it starts ({start})"
        ));
    }
    store
        .set_contract(account.id, change)
        .await
        .map_err(|e| e.to_string())
}

/// One message of the outbox as `hostingd outbox` prints it: its head (channel, recipient,
/// subject, and its state when it is not simply waiting), then its body while it has one.
pub fn outbox_entry(message: &crate::store::OutboxMessage) -> String {
    let state = if message.delivered_at.is_some() {
        " (delivered)".to_string()
    } else if let Some(at) = message.abandoned_at {
        format!(
            " (given up at {} after {} attempts: {}; `hostingd outbox --retry {}` tries again{})",
            crate::clock::rfc3339(at),
            message.attempts,
            message.last_error.as_deref().unwrap_or("no error recorded"),
            message.id,
            if message.secret {
                ", but its secret is gone: send a new one"
            } else {
                ""
            }
        )
    } else if message.attempts > 0 {
        format!(
            " (failed {} times: {}; next attempt at {})",
            message.attempts,
            message.last_error.as_deref().unwrap_or("no error recorded"),
            crate::clock::rfc3339(message.next_attempt_at)
        )
    } else {
        String::new()
    };
    let head = format!(
        "--- #{} {} to {}: {}{state}",
        message.id, message.channel, message.recipient, message.subject
    );
    if message.body.is_empty() {
        head
    } else {
        format!("{head}\n{}", message.body)
    }
}

/// What `hostingd outbox --retry` says it did (`id`: the one message asked for).
pub fn requeued_report(done: &crate::store::Requeued, id: Option<i64>) -> String {
    let mut lines = Vec::new();
    if !done.requeued.is_empty() {
        lines.push(format!(
            "re-queued for an attempt now: {}",
            list(&done.requeued)
        ));
    }
    if !done.emptied.is_empty() {
        lines.push(format!(
            "not re-queued, their secret (a password, a code, an invoice number) was emptied when they were given up: {}. Send a new one: `hostingd reset-password` (a password), `hostingd rotate-invoice` (an invoice number), or a new code asked for in the console",
            list(&done.emptied)
        ));
    }
    if lines.is_empty() {
        lines.push(match id {
            Some(id) => format!("message #{id} is not a failed message of the outbox (see `hostingd outbox --failed`)"),
            None => "no failed message in the outbox".to_string(),
        });
    }
    lines.join("\n")
}

fn list(ids: &[i64]) -> String {
    ids.iter()
        .map(|id| format!("#{id}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_are_read_in_cents() {
        assert_eq!(parse_amount("1450"), Ok(145_000));
        assert_eq!(parse_amount("1450.5"), Ok(145_050));
        assert_eq!(parse_amount("1450,05"), Ok(145_005));
        assert_eq!(parse_amount(" 0.99 "), Ok(99));
        for wrong in ["", "-3", "1.234", "12a", "1 450", ".5"] {
            assert!(parse_amount(wrong).is_err(), "{wrong}");
        }
    }
}
