//! ISO 8601 weeks (`2026-W48`): Monday to Sunday, week 1 being the week with the year's first
//! Thursday. The weekly dashboard is keyed by them; a week's bounds are local midnights in the
//! viewer's time zone.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// One ISO week, identified by its Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoWeek {
    monday: NaiveDate,
}

/// Why a week could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeekError {
    #[error("“{0}” is not a week; write it like 2026-W48.")]
    Format(String),
    #[error("{year} has no week {week}.")]
    NoSuchWeek { year: i32, week: u32 },
    #[error("Choose a week from 2000 to 2100.")]
    OutOfRange,
}

impl IsoWeek {
    /// Reads `YYYY-Www` (also lower-case `w`, surrounding spaces ignored).
    pub fn parse(raw: &str) -> Result<IsoWeek, WeekError> {
        let raw = raw.trim();
        let bad = || WeekError::Format(raw.chars().take(40).collect());
        let (year, week) = raw.split_once(['W', 'w']).ok_or_else(bad)?;
        let year = year.strip_suffix('-').ok_or_else(bad)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(week, 2) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(WeekError::OutOfRange);
        }
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .map(|monday| IsoWeek { monday })
            .ok_or(WeekError::NoSuchWeek { year, week })
    }

    /// The week containing `date`.
    pub fn containing(date: NaiveDate) -> IsoWeek {
        let back = u64::from(date.weekday().num_days_from_monday());
        IsoWeek {
            monday: date - Days::new(back),
        }
    }

    /// The week `now` falls in, as seen in `tz`.
    pub fn current(now: DateTime<Utc>, tz: Tz) -> IsoWeek {
        IsoWeek::containing(now.with_timezone(&tz).date_naive())
    }

    /// The ISO year (which differs from the calendar year around New Year).
    pub fn year(self) -> i32 {
        self.monday.iso_week().year()
    }

    pub fn number(self) -> u32 {
        self.monday.iso_week().week()
    }

    pub fn monday(self) -> NaiveDate {
        self.monday
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday + Days::new(6)
    }

    pub fn previous(self) -> IsoWeek {
        IsoWeek {
            monday: self.monday - Days::new(7),
        }
    }

    pub fn next(self) -> IsoWeek {
        IsoWeek {
            monday: self.monday + Days::new(7),
        }
    }

    /// The week `n` weeks earlier.
    pub fn weeks_before(self, n: u64) -> IsoWeek {
        IsoWeek {
            monday: self.monday - Days::new(7 * n),
        }
    }

    /// Monday 00:00 of this week and of the next, in `tz`, as instants: the half-open range
    /// `[start, end)` of the week. A midnight skipped by a clock change becomes the first
    /// instant after it.
    pub fn bounds(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            local_midnight(self.monday, tz),
            local_midnight(self.next().monday, tz),
        )
    }
}

/// The first instant of `date` in `tz`.
pub fn local_midnight(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        // Midnight does not exist that day (a clock change at 00:00): take the hour after.
        chrono::LocalResult::None => {
            let later = midnight + chrono::Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
        }
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-W{:02}", self.year(), self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn week(s: &str) -> IsoWeek {
        IsoWeek::parse(s).expect("valid week")
    }

    #[test]
    fn a_week_runs_monday_to_sunday_and_prints_as_it_was_written() {
        let w = week("2026-W48");
        assert_eq!(w.monday(), date(2026, 11, 23));
        assert_eq!(w.sunday(), date(2026, 11, 29));
        assert_eq!(w.to_string(), "2026-W48");
        assert_eq!(week(" 2026-w05 ").to_string(), "2026-W05");
    }

    #[test]
    fn week_one_can_start_in_late_december() {
        // 1 January 2025 is a Wednesday, so 2025-W01 starts on 30 December 2024.
        let w = week("2025-W01");
        assert_eq!(w.monday(), date(2024, 12, 30));
        assert_eq!(IsoWeek::containing(date(2024, 12, 31)), w);
        assert_eq!(w.previous().to_string(), "2024-W52");
    }

    #[test]
    fn years_starting_on_a_thursday_have_a_week_53() {
        // 1 January 2026 is a Thursday: 2026 has 53 weeks, the last ending on 3 January 2027.
        let w = week("2026-W53");
        assert_eq!(w.monday(), date(2026, 12, 28));
        assert_eq!(w.sunday(), date(2027, 1, 3));
        assert_eq!(w.next().to_string(), "2027-W01");
        assert_eq!(week("2027-W01").previous(), w);
        assert_eq!(week("2026-W52").next(), w);
        assert_eq!(
            IsoWeek::containing(date(2027, 1, 3)).to_string(),
            "2026-W53"
        );
        // 2025 has no week 53.
        assert_eq!(
            IsoWeek::parse("2025-W53"),
            Err(WeekError::NoSuchWeek {
                year: 2025,
                week: 53
            })
        );
        assert_eq!(week("2025-W52").next().to_string(), "2026-W01");
        assert_eq!(week("2026-W01").monday(), date(2025, 12, 29));
    }

    #[test]
    fn bad_weeks_are_refused_with_a_reason() {
        for bad in [
            "",
            "garbage",
            "2026W48",
            "2026-48",
            "2026-W4",
            "2026-W480",
            "26-W48",
            "2026-W00",
            "2026-W54",
            "2026-Wxx",
            "+026-W10",
            "0000-W01",
            "1999-W10",
            "2101-W01",
        ] {
            let err = IsoWeek::parse(bad).expect_err(bad);
            assert!(!err.to_string().is_empty());
        }
        assert!(
            IsoWeek::parse("garbage")
                .unwrap_err()
                .to_string()
                .contains("2026-W48")
        );
    }

    #[test]
    fn the_current_week_depends_on_the_time_zone() {
        // Sunday 29 November 2026, 23:30 UTC is already Monday 00:30 in Berlin (UTC+1).
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
        assert_eq!(IsoWeek::current(now, Tz::UTC).to_string(), "2026-W48");
        assert_eq!(
            IsoWeek::current(now, chrono_tz::Europe::Berlin).to_string(),
            "2026-W49"
        );
        assert_eq!(
            IsoWeek::current(now, chrono_tz::America::New_York).to_string(),
            "2026-W48"
        );
    }

    #[test]
    fn bounds_are_local_midnights() {
        let (start, end) = week("2026-W48").bounds(chrono_tz::Europe::Berlin);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 22, 23, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 11, 29, 23, 0, 0).unwrap());
        // The week of the spring clock change is an hour shorter.
        let (start, end) = week("2026-W13").bounds(chrono_tz::Europe::Berlin);
        assert_eq!(end - start, chrono::Duration::hours(7 * 24 - 1));
        let (start, _) = week("2026-W48").bounds(Tz::UTC);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap());
    }

    #[test]
    fn weeks_before_steps_back_across_years() {
        assert_eq!(week("2027-W02").weeks_before(12).to_string(), "2026-W43");
        assert_eq!(week("2026-W03").weeks_before(4).to_string(), "2025-W51");
    }
}
