//! Renewing the hosting contract: a pro-forma invoice made from the request, the contract (its
//! licences, the schedules with the Campus.net licence) and the operator's price list on the
//! first day of the new period, rendered as a PDF and issued with the next number.

use hosting_api::contract::ProformaRequest;
use time::Date;

use crate::fault::FaultResult;
use crate::proforma::{self, Renewal};
use crate::rules::Refusal;
use crate::rules::school_year::{iso, parse_date};
use crate::store::{Actor, PRICE_ITEMS, ProformaDraft, ProformaRow, Store};
use crate::texts::Texts;

/// The longest renewal, in years.
pub const MAX_YEARS: u8 = 3;
/// How far from today a renewal may start, in days (before and after).
pub const START_WINDOW_DAYS: i64 = 400;
/// The most pro-forma invoices an account makes in a day of the service's clock: each is a
/// PDF made and kept for ever, and a person renewing makes a few.
pub const PROFORMAS_PER_DAY: i64 = 20;

/// The first and last days of the period `request` asks for, refused when it is too long or
/// starts too far from `today`.
fn period(request: &ProformaRequest, today: Date) -> Result<(Date, Date), Refusal> {
    let start = parse_date(&request.period_start).ok_or_else(|| Refusal::InvalidDate {
        field: "period_start",
        given: request.period_start.chars().take(40).collect(),
    })?;
    let too_far = (start - today).whole_days().abs() > START_WINDOW_DAYS;
    if !(1..=MAX_YEARS).contains(&request.years) || too_far {
        return Err(Refusal::InvalidContractPeriod {
            max_years: MAX_YEARS,
            window_days: START_WINDOW_DAYS,
            today: iso(today),
            field: if too_far { "period_start" } else { "years" },
        });
    }
    let end = start
        .replace_year(start.year() + i32::from(request.years))
        .unwrap_or_else(|_| start + time::Duration::days(365 * i64::from(request.years)))
        - time::Duration::days(1);
    Ok((start, end))
}

/// Makes and issues the pro-forma invoice of `request` for the actor's account; `provider` is
/// the name printed on it.
pub async fn make_proforma(
    store: &Store,
    provider: &str,
    actor: &Actor,
    request: &ProformaRequest,
) -> FaultResult<ProformaRow> {
    let today = store.clock().today();
    let (start, end) = period(request, today)?;
    let account = store.account_by_id(actor.account_id).await?;
    let schedules = store.schedules(actor.account_id).await?;
    let language = crate::texts::language_of(request.language.as_deref());
    let renewal = Renewal {
        years: i64::from(request.years),
        administration_licences: account.administration_licences,
        campus_net_schedules: schedules
            .iter()
            .filter(|s| s.campus_net_licence)
            .map(|s| s.name.clone())
            .collect(),
    };
    let day = iso(start);
    let mut prices = Vec::new();
    for item in PRICE_ITEMS {
        if let Some(price) = store.price_on(item, &day).await? {
            prices.push(price);
        }
    }
    // Fluent's bundle is not `Send`: it lives only in this block, never across an await.
    let priced = {
        let texts = Texts::new(language);
        proforma::lines(&texts, &renewal, |item| {
            prices.iter().find(|p| p.item == item).cloned()
        })
    };
    let (lines, currency) = priced.map_err(|item| Refusal::NoPriceList {
        item,
        day: day.clone(),
    })?;
    let (excl, incl) = proforma::totals(&lines);
    let draft = ProformaDraft {
        period_start: day,
        period_end: iso(end),
        total_excl_cents: excl,
        total_incl_cents: incl,
        currency: currency.clone(),
        language: language.code().to_string(),
    };
    let row = store
        .issue_proforma(actor, today.year(), &draft, |number| {
            proforma::pdf(&proforma::Document {
                language,
                provider,
                number,
                issued_on: today,
                school: &account.school_name,
                hosting_number: &account.hosting_number,
                period_start: start,
                period_end: end,
                lines: &lines,
                currency: &currency,
            })
        })
        .await?;
    Ok(row)
}
