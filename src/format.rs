//! Sizes, speeds, durations, dates and hashes as a person reads them.

use crate::i18n::{Language, Texts};

/// A number with one decimal in the language's way (`1.5` or `1,5`).
fn decimal(t: &Texts, value: f64) -> String {
    let text = format!("{value:.1}");
    match t.language() {
        Language::Fr => text.replace('.', ","),
        Language::En => text,
    }
}

/// A size in bytes: `820 B`, `1.5 MB`, `2.3 GB` (decimal units).
pub fn size(t: &Texts, bytes: u64) -> String {
    let value = bytes as f64;
    let (amount, unit) = if bytes < 1_000 {
        return t.with("unit-b", &[("n", &bytes.to_string())]);
    } else if bytes < 1_000_000 {
        (value / 1e3, "unit-kb")
    } else if bytes < 1_000_000_000 {
        (value / 1e6, "unit-mb")
    } else {
        (value / 1e9, "unit-gb")
    };
    t.with(unit, &[("n", &decimal(t, amount))])
}

/// A speed in MB/s.
pub fn speed(t: &Texts, bytes_per_second: f64) -> String {
    t.with(
        "transfer-speed",
        &[("speed", &decimal(t, bytes_per_second / 1e6))],
    )
}

/// A duration: `45 s`, `3 min 05 s`, `1 h 02 min`.
pub fn duration(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        _ => format!("{} h {:02} min", seconds / 3600, (seconds % 3600) / 60),
    }
}

/// An RFC 3339 time as `2026-11-27 08:30` (UTC, as the service gives it).
pub fn date_time(rfc3339: &str) -> String {
    let text: String = rfc3339.chars().take(16).collect();
    text.replace('T', " ")
}

/// The first 12 hex digits of a SHA-256, enough to compare by eye.
pub fn short_hash(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

/// A day written `YYYY-MM-DD`, or `None`.
pub fn parse_day(iso: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(iso.get(..10)?, &format).ok()
}

/// A day for people: `22 August 2027`, `22 août 2027` (the month's name from the locale); the
/// text as given when it is no day.
pub fn day(t: &Texts, iso: &str) -> String {
    match parse_day(iso) {
        Some(date) => t.with(
            "day",
            &[
                ("day", &date.day().to_string()),
                (
                    "month",
                    &t.get(&format!("month-{}", u8::from(date.month()))),
                ),
                ("year", &date.year().to_string()),
            ],
        ),
        None => iso.to_string(),
    }
}

/// Whole days from `from` to `to` (both `YYYY-MM-DD`), negative when `to` is before.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    Some((parse_day(to)? - parse_day(from)?).whole_days())
}

/// An amount in cents: `1 450,00 €` in French, `€1,450.00` in English (another currency keeps
/// its code).
pub fn money(t: &Texts, cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let digits = (cents / 100).to_string();
    let separator = match t.language() {
        Language::Fr => '\u{202f}',
        Language::En => ',',
    };
    let mut units = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            units.push(separator);
        }
        units.push(c);
    }
    let rest = cents % 100;
    let symbol = if currency == "EUR" { "€" } else { currency };
    match t.language() {
        Language::Fr => format!("{sign}{units},{rest:02}\u{a0}{symbol}"),
        Language::En if symbol == "€" => format!("{sign}€{units}.{rest:02}"),
        Language::En => format!("{sign}{symbol} {units}.{rest:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_durations_dates() {
        let en = Texts::new(Language::En);
        let fr = Texts::new(Language::Fr);
        assert_eq!(size(&en, 820), "820 B");
        assert_eq!(size(&en, 1_500_000), "1.5 MB");
        assert_eq!(size(&fr, 1_500_000), "1,5 Mo");
        assert_eq!(speed(&en, 2_500_000.0), "2.5 MB/s");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(185), "3 min 05 s");
        assert_eq!(duration(3720), "1 h 02 min");
        assert_eq!(date_time("2026-11-27T08:30:12Z"), "2026-11-27 08:30");
        assert_eq!(short_hash(&"ab".repeat(32)), "abababababab");
    }
}
