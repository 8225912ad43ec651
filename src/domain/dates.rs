//! The dates and times Mend accepts from people and from the API: nothing before 1 January
//! 2000 (no repair case is older; year 0 or a negative year is a typing slip or a probe), what
//! already happened not in the future, and what is planned at most ten years ahead. Pages
//! format every stored value safely whatever it is; these ranges keep nonsense out in the
//! first place.

use chrono::{DateTime, Months, NaiveDate, Utc};

/// The first day Mend accepts.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// How far ahead a planned date (a due date, a review date) may lie.
pub const YEARS_AHEAD: u32 = 10;

/// A moment that has happened: from 1 Jan 2000 until now (with a few minutes' grace for a
/// clock that runs ahead of the server's).
pub fn happened(t: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if t.date_naive() < EARLIEST {
        Err("Enter a date from 1 Jan 2000 on.".into())
    } else if t > now + chrono::Duration::minutes(5) {
        Err("That is in the future: enter when it actually happened.".into())
    } else {
        Ok(t)
    }
}

/// The last day a planned date may fall on, counted from `today`.
pub fn latest_planned(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_months(Months::new(12 * YEARS_AHEAD))
        .unwrap_or(today)
}

/// A planned day: from `today` to ten years ahead. `past` is what to say of a day before today.
pub fn planned(day: NaiveDate, today: NaiveDate, past: &str) -> Result<NaiveDate, String> {
    if day < today {
        Err(past.to_string())
    } else if day > latest_planned(today) {
        Err(format!(
            "Choose a day within {YEARS_AHEAD} years (by {}).",
            latest_planned(today).format("%-d %b %Y")
        ))
    } else {
        Ok(day)
    }
}

/// A day typed as `YYYY-MM-DD` (four-digit year), or the message to show.
pub fn parse_day(raw: &str, example: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    let four_digit_year = raw.split('-').next().is_some_and(|y| y.len() == 4);
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if four_digit_year => Ok(d),
        _ => Err(format!("Enter a date such as {example}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn what_happened_lies_between_2000_and_now() {
        let at = |y, m, d| {
            Utc.with_ymd_and_hms(y, m, d, 10, 0, 0)
                .single()
                .expect("valid")
        };
        assert!(happened(at(2026, 12, 3), now()).is_ok());
        assert!(happened(at(2000, 1, 1), now()).is_ok());
        assert!(
            happened(at(1999, 12, 31), now())
                .unwrap_err()
                .contains("2000")
        );
        assert!(happened(at(0, 1, 1), now()).unwrap_err().contains("2000"));
        assert!(happened(at(-1, 1, 1), now()).unwrap_err().contains("2000"));
        assert!(
            happened(at(2026, 12, 4), now())
                .unwrap_err()
                .contains("future")
        );
        assert!(happened(now() + chrono::Duration::minutes(4), now()).is_ok());
    }

    #[test]
    fn planned_days_lie_between_today_and_ten_years_ahead() {
        let today = now().date_naive();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
        assert_eq!(planned(today, today, "past"), Ok(today));
        assert_eq!(
            planned(day("2026-12-02"), today, "past"),
            Err("past".into())
        );
        assert!(planned(day("2036-12-03"), today, "past").is_ok());
        assert_eq!(
            planned(day("2036-12-04"), today, "past"),
            Err("Choose a day within 10 years (by 3 Dec 2036).".into())
        );
    }

    #[test]
    fn days_need_a_four_digit_year() {
        assert!(parse_day("2026-12-01", "2026-12-01").is_ok());
        assert!(parse_day("0000-01-01", "2026-12-01").is_ok());
        for bad in ["275760-01-01", "-0001-01-01", "26-12-01", "tomorrow", ""] {
            assert_eq!(
                parse_day(bad, "2026-12-01"),
                Err("Enter a date such as 2026-12-01.".into()),
                "{bad}"
            );
        }
    }
}
