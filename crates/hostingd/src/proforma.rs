//! The pro-forma invoice of a contract's renewal: its lines priced from the operator's list for
//! the period, its totals with the VAT of each rate, and its document in French or English.

use crate::store::PriceRow;
use crate::texts::{Arg, Language, Texts, amount, day};

/// One priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What it is, in words.
    pub label: String,
    /// Units × years.
    pub quantity: i64,
    /// Price of one unit for one year, cents excluding tax.
    pub unit_cents: i64,
    /// VAT of the line's item, per mille.
    pub vat_per_mille: i64,
}

impl Line {
    /// The line's amount excluding tax, in cents.
    pub fn total_cents(&self) -> i64 {
        self.quantity.saturating_mul(self.unit_cents)
    }
}

/// What the renewal covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewal {
    /// Years, 1 to 3.
    pub years: i64,
    /// Licences in Administrative mode of the contract.
    pub administration_licences: i64,
    /// The schedules with a Campus.net licence.
    pub campus_net_schedules: Vec<String>,
}

/// The lines of a renewal with the prices of its first day; `Err(item)` names an item the
/// list has no price for (or one in another currency than the hosting's).
pub fn lines(
    texts: &Texts,
    renewal: &Renewal,
    price: impl Fn(&str) -> Option<PriceRow>,
) -> Result<(Vec<Line>, String), String> {
    let hosting = price("hosting").ok_or("hosting")?;
    let currency = hosting.currency.clone();
    let years = Arg::Number(renewal.years);
    let mut lines = vec![Line {
        label: texts.get("proforma-item-hosting", &[("years", years.clone())]),
        quantity: renewal.years,
        unit_cents: hosting.amount_cents,
        vat_per_mille: hosting.vat_per_mille,
    }];
    let priced = |item: &str| {
        price(item)
            .filter(|p| p.currency == currency)
            .ok_or_else(|| item.to_string())
    };
    if renewal.administration_licences > 0 {
        let licence = priced("administration_licence")?;
        lines.push(Line {
            label: texts.get(
                "proforma-item-administration",
                &[
                    ("count", Arg::Number(renewal.administration_licences)),
                    ("years", years.clone()),
                ],
            ),
            quantity: renewal.administration_licences * renewal.years,
            unit_cents: licence.amount_cents,
            vat_per_mille: licence.vat_per_mille,
        });
    }
    for schedule in &renewal.campus_net_schedules {
        let licence = priced("campus_net_licence")?;
        lines.push(Line {
            label: texts.get(
                "proforma-item-campus-net",
                &[("schedule", Arg::Text(schedule))],
            ),
            quantity: renewal.years,
            unit_cents: licence.amount_cents,
            vat_per_mille: licence.vat_per_mille,
        });
    }
    Ok((lines, currency))
}

/// The VAT of each rate (per mille, cents), rates in increasing order; each rate's VAT is
/// rounded once, on the sum of its lines.
pub fn vat(lines: &[Line]) -> Vec<(i64, i64)> {
    let mut rates: Vec<i64> = lines.iter().map(|l| l.vat_per_mille).collect();
    rates.sort_unstable();
    rates.dedup();
    rates
        .into_iter()
        .map(|rate| {
            let base: i64 = lines
                .iter()
                .filter(|l| l.vat_per_mille == rate)
                .map(Line::total_cents)
                .sum();
            // Half up, in integers.
            (rate, (base * rate + 500) / 1000)
        })
        .collect()
}

/// Everything the document shows.
pub struct Document<'a> {
    /// The language.
    pub language: Language,
    /// The provider's name.
    pub provider: &'a str,
    /// Its number.
    pub number: &'a str,
    /// The day it is made.
    pub issued_on: time::Date,
    /// The school.
    pub school: &'a str,
    /// The hosting number.
    pub hosting_number: &'a str,
    /// First day of the period.
    pub period_start: time::Date,
    /// Last day.
    pub period_end: time::Date,
    /// The lines.
    pub lines: &'a [Line],
    /// The currency.
    pub currency: &'a str,
}

/// The PDF of a pro-forma.
pub fn pdf(doc: &Document<'_>) -> Result<Vec<u8>, String> {
    let t = Texts::new(doc.language);
    let money = |cents| amount(doc.language, cents, doc.currency);
    let text = |key: &str| t.get(key, &[]);
    let taxes = vat(doc.lines);
    let excl: i64 = doc.lines.iter().map(Line::total_cents).sum();
    let incl = excl + taxes.iter().map(|(_, v)| v).sum::<i64>();
    let mut totals = vec![(text("proforma-total-excl"), money(excl))];
    for (rate, value) in &taxes {
        let rate = if rate % 10 == 0 {
            (rate / 10).to_string()
        } else {
            format!("{}.{}", rate / 10, rate % 10)
        };
        totals.push((
            t.get("proforma-vat", &[("rate", Arg::Text(&rate))]),
            money(*value),
        ));
    }
    totals.push((text("proforma-total-incl"), money(incl)));
    let document = hosting_docs::Proforma {
        title: text("proforma-title"),
        provider: doc.provider.to_string(),
        header: vec![
            (text("proforma-number"), doc.number.to_string()),
            (text("proforma-date"), day(doc.issued_on)),
            (text("proforma-school"), doc.school.to_string()),
            (
                text("proforma-hosting-number"),
                doc.hosting_number.to_string(),
            ),
            (
                text("proforma-period"),
                t.get(
                    "proforma-period-value",
                    &[
                        ("start", Arg::Text(&day(doc.period_start))),
                        ("end", Arg::Text(&day(doc.period_end))),
                    ],
                ),
            ),
        ],
        columns: [
            text("proforma-col-item"),
            text("proforma-col-quantity"),
            text("proforma-col-unit"),
            text("proforma-col-amount"),
        ],
        lines: doc
            .lines
            .iter()
            .map(|line| {
                [
                    line.label.clone(),
                    line.quantity.to_string(),
                    money(line.unit_cents),
                    money(line.total_cents()),
                ]
            })
            .collect(),
        totals,
        note: text("proforma-note"),
    };
    hosting_docs::proforma_pdf(&document).map_err(|e| e.to_string())
}

/// The totals of `lines`: (excluding tax, including tax), cents.
pub fn totals(lines: &[Line]) -> (i64, i64) {
    let excl: i64 = lines.iter().map(Line::total_cents).sum();
    (excl, excl + vat(lines).iter().map(|(_, v)| v).sum::<i64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(item: &str, cents: i64, vat: i64) -> PriceRow {
        PriceRow {
            item: item.into(),
            amount_cents: cents,
            currency: "EUR".into(),
            vat_per_mille: vat,
            valid_from: "2027-01-01".into(),
        }
    }

    #[test]
    fn a_renewal_is_priced_line_by_line_with_its_vat() {
        let t = Texts::new(Language::En);
        let renewal = Renewal {
            years: 2,
            administration_licences: 3,
            campus_net_schedules: vec!["planning01".into()],
        };
        let list = [
            price("hosting", 145_000, 200),
            price("administration_licence", 12_050, 200),
            price("campus_net_licence", 30_000, 55),
        ];
        let (lines, currency) = lines(&t, &renewal, |item| {
            list.iter().find(|p| p.item == item).cloned()
        })
        .unwrap();
        assert_eq!(currency, "EUR");
        assert_eq!(
            lines.iter().map(Line::total_cents).collect::<Vec<_>>(),
            [290_000, 72_300, 60_000]
        );
        assert!(lines[1].label.contains("3 × 2 years"), "{}", lines[1].label);
        // 20 % of 3 623.00 and 5.5 % of 600.00.
        assert_eq!(vat(&lines), [(55, 3_300), (200, 72_460)]);
        assert_eq!(totals(&lines), (422_300, 498_060));
        // An item without a price is named.
        let missing = super::lines(&t, &renewal, |item| {
            list.iter()
                .find(|p| p.item == item && item != "campus_net_licence")
                .cloned()
        });
        assert_eq!(missing.unwrap_err(), "campus_net_licence");
    }
}
