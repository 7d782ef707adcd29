//! The school year's calendar and the rules of the yearly upgrade. Days are UTC days of the
//! service clock; a school year starts in September and is written `2026-2027`.

use std::str::FromStr;

use time::{Date, Month};

use super::Refusal;

/// A day of the year, `MM-DD` (the year-end archive's and the new base's days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDay {
    /// Month.
    pub month: Month,
    /// Day of the month.
    pub day: u8,
}

impl MonthDay {
    /// This day in `year`; a day past the month's end (02-29) is its last day.
    pub fn in_year(self, year: i32) -> Date {
        let last = self.month.length(year);
        Date::from_calendar_date(year, self.month, self.day.min(last)).unwrap_or(Date::MIN)
    }
}

impl FromStr for MonthDay {
    type Err = String;

    fn from_str(text: &str) -> Result<MonthDay, String> {
        let wrong = || format!("write the day as MM-DD, e.g. 07-31 (got {text:?})");
        let (month, day) = text.trim().split_once('-').ok_or_else(wrong)?;
        let month: u8 = month.parse().map_err(|_| wrong())?;
        let day: u8 = day.parse().map_err(|_| wrong())?;
        let month = Month::try_from(month).map_err(|_| wrong())?;
        if day == 0 || day > month.length(2024) {
            return Err(wrong());
        }
        Ok(MonthDay { month, day })
    }
}

/// The UTC day of a Unix time.
pub fn date_of(unix_seconds: i64) -> Date {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// The Unix time of the start (00:00 UTC) of `date`.
pub fn start_of(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

/// A day written `YYYY-MM-DD`, or `None`.
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    Date::parse(text, &format).ok()
}

/// `YYYY-MM-DD`.
pub fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The school year starting in September of `start_year`, e.g. `2026-2027`.
pub fn school_year(start_year: i32) -> String {
    format!("{start_year}-{}", start_year + 1)
}

/// The start year of a school year written `2026-2027`, or `None`.
pub fn parse_school_year(text: &str) -> Option<i32> {
    let (first, second) = text.split_once('-')?;
    if first.len() != 4 || second.len() != 4 {
        return None;
    }
    let first: i32 = first.parse().ok()?;
    let second: i32 = second.parse().ok()?;
    (second == first + 1 && (1990..=9998).contains(&first)).then_some(first)
}

/// The start year of the school year that `date` is in: September to December start one,
/// January to August end the one of the year before.
pub fn school_year_of(date: Date) -> i32 {
    if u8::from(date.month()) >= 9 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The start year of the last finished school year on `today`: the one that ended with the
/// year-end archive's day (`archive`) of this year, once that day has come.
pub fn last_finished_year(today: Date, archive: MonthDay) -> i32 {
    let year = today.year();
    if today >= archive.in_year(year) {
        year - 1
    } else {
        year - 2
    }
}

/// How many finished school years the grid of previous years shows, and how far back a base may
/// be loaded.
pub const YEARS_SHOWN: i32 = 5;
/// How far back (in school years) a member may load a base.
pub const YEARS_LOADABLE: i32 = 10;

/// A release of the provider, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Version, e.g. `2027`.
    pub version: String,
    /// From this day a school may move at once.
    pub prerelease_from: Date,
    /// First day of the window (the default day).
    pub window_start: Date,
    /// Last day of the window.
    pub window_end: Date,
}

/// Checks a release before it is published: the pre-release opens before the window, which
/// is not empty. Returns a sentence that says what to fix.
pub fn check_release(release: &Release) -> Result<(), String> {
    if release.version.is_empty()
        || release.version.len() > 16
        || !release
            .version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.')
    {
        return Err(format!(
            "the version {:?} must be 1 to 16 letters, digits or dots, e.g. 2027",
            release.version
        ));
    }
    if release.window_start > release.window_end {
        return Err(format!(
            "the window's first day ({}) is after its last day ({})",
            iso(release.window_start),
            iso(release.window_end)
        ));
    }
    if release.prerelease_from > release.window_start {
        return Err(format!(
            "the pre-release ({}) must open on or before the window's first day ({})",
            iso(release.prerelease_from),
            iso(release.window_start)
        ));
    }
    Ok(())
}

/// Orders two versions: numerically when both are numbers (2027 > 999), else as text.
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// Where a school's upgrade stands, as the rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Not run yet (or failed today and waits for tomorrow).
    Pending,
    /// Running, done, or given up: the choice can no longer change.
    Closed,
}

/// Checks a school's choice for `release` on `today`: a day of the window from today on, or the
/// pre-release from its date.
pub fn check_choice(
    today: Date,
    release: &Release,
    stage: Stage,
    chosen_date: Option<Date>,
    prerelease: bool,
) -> Result<(), Refusal> {
    if stage == Stage::Closed {
        return Err(Refusal::UpgradeAlreadyDone {
            version: release.version.clone(),
        });
    }
    if prerelease && today < release.prerelease_from {
        return Err(Refusal::PrereleaseNotYet {
            version: release.version.clone(),
            date: iso(release.prerelease_from),
        });
    }
    if let Some(date) = chosen_date {
        if date < today {
            return Err(Refusal::UpgradeDatePast { today: iso(today) });
        }
        if date < release.window_start || date > release.window_end {
            return Err(Refusal::UpgradeDateOutsideWindow {
                start: iso(release.window_start),
                end: iso(release.window_end),
            });
        }
    }
    Ok(())
}

/// The day the upgrade runs: the chosen day, else the window's first day.
pub fn effective_date(release: &Release, chosen_date: Option<Date>) -> Date {
    chosen_date.unwrap_or(release.window_start)
}

/// Days an upgrade that keeps failing is tried after the window's last day before it is given
/// up (and the provider told).
pub const RETRY_DAYS_AFTER_WINDOW: i64 = 7;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn release() -> Release {
        Release {
            version: "2027".into(),
            prerelease_from: date!(2027 - 07 - 01),
            window_start: date!(2027 - 08 - 21),
            window_end: date!(2027 - 08 - 24),
        }
    }

    #[test]
    fn school_years_start_in_september() {
        assert_eq!(school_year_of(date!(2027 - 07 - 31)), 2026);
        assert_eq!(school_year_of(date!(2027 - 08 - 31)), 2026);
        assert_eq!(school_year_of(date!(2027 - 09 - 01)), 2027);
        assert_eq!(school_year(2026), "2026-2027");
        assert_eq!(parse_school_year("2026-2027"), Some(2026));
        for wrong in ["2026-2028", "2026", "26-27", "2026-2027x", "abcd-efgh", ""] {
            assert_eq!(parse_school_year(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn the_last_finished_year_turns_on_the_archive_day() {
        let archive: MonthDay = "07-31".parse().unwrap();
        assert_eq!(last_finished_year(date!(2027 - 07 - 30), archive), 2025);
        assert_eq!(last_finished_year(date!(2027 - 07 - 31), archive), 2026);
        assert_eq!(last_finished_year(date!(2027 - 09 - 15), archive), 2026);
        assert_eq!(last_finished_year(date!(2028 - 01 - 10), archive), 2026);
    }

    #[test]
    fn month_days_parse_and_clamp() {
        let leap: MonthDay = "02-29".parse().unwrap();
        assert_eq!(leap.in_year(2027), date!(2027 - 02 - 28));
        assert_eq!(leap.in_year(2028), date!(2028 - 02 - 29));
        for wrong in ["13-01", "07-32", "0731", "07-00", "x"] {
            assert!(wrong.parse::<MonthDay>().is_err(), "{wrong}");
        }
        assert_eq!(parse_date("2027-08-21"), Some(date!(2027 - 08 - 21)));
        assert_eq!(parse_date("2027-8-21"), None);
        assert_eq!(parse_date("2027-02-30"), None);
        assert_eq!(iso(date!(2027 - 08 - 01)), "2027-08-01");
        assert_eq!(
            date_of(start_of(date!(2027 - 08 - 01)) + 86_399),
            date!(2027 - 08 - 01)
        );
    }

    #[test]
    fn choices_inside_the_window_from_today_on() {
        let r = release();
        let ok = |today, chosen, pre| check_choice(today, &r, Stage::Pending, chosen, pre);
        assert_eq!(
            ok(date!(2027 - 08 - 01), Some(date!(2027 - 08 - 22)), false),
            Ok(())
        );
        assert_eq!(
            ok(date!(2027 - 08 - 22), Some(date!(2027 - 08 - 22)), false),
            Ok(())
        );
        assert!(matches!(
            ok(date!(2027 - 08 - 23), Some(date!(2027 - 08 - 22)), false),
            Err(Refusal::UpgradeDatePast { .. })
        ));
        assert_eq!(
            ok(date!(2027 - 08 - 01), Some(date!(2027 - 08 - 25)), false),
            Err(Refusal::UpgradeDateOutsideWindow {
                start: "2027-08-21".into(),
                end: "2027-08-24".into()
            })
        );
        assert!(matches!(
            ok(date!(2027 - 08 - 01), Some(date!(2027 - 08 - 20)), false),
            Err(Refusal::UpgradeDateOutsideWindow { .. })
        ));
        assert_eq!(
            ok(date!(2027 - 06 - 30), None, true),
            Err(Refusal::PrereleaseNotYet {
                version: "2027".into(),
                date: "2027-07-01".into()
            })
        );
        assert_eq!(ok(date!(2027 - 07 - 01), None, true), Ok(()));
        assert!(matches!(
            check_choice(date!(2027 - 08 - 01), &r, Stage::Closed, None, false),
            Err(Refusal::UpgradeAlreadyDone { .. })
        ));
        assert_eq!(effective_date(&r, None), date!(2027 - 08 - 21));
    }

    #[test]
    fn releases_are_checked_before_they_are_published() {
        assert_eq!(check_release(&release()), Ok(()));
        let mut late = release();
        late.prerelease_from = date!(2027 - 08 - 22);
        assert!(check_release(&late).unwrap_err().contains("pre-release"));
        let mut empty = release();
        empty.window_end = date!(2027 - 08 - 20);
        assert!(
            check_release(&empty)
                .unwrap_err()
                .contains("after its last day")
        );
        let mut odd = release();
        odd.version = "20 27".into();
        assert!(check_release(&odd).is_err());
        assert_eq!(version_order("2027", "999"), std::cmp::Ordering::Greater);
    }
}
