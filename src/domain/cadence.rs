//! Follow-up cadences and due dates. Pure date arithmetic on calendar dates (a due date is a
//! day in the assignee's time zone, so clock changes cannot move it).
//!
//! The n-th due date is computed from the first one, never from the previous one, so a monthly
//! plan started on the 31st is due on the last day of short months and back on the 31st after.

use chrono::{Datelike, Days, Months, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Weekly,
    Biweekly,
    Monthly,
    EveryDays(u32),
}

impl Cadence {
    /// Parses the plan form's `cadence` and `every_days` fields.
    pub fn parse(cadence: &str, every_days: &str) -> Result<Cadence, String> {
        match cadence.trim() {
            "weekly" => Ok(Cadence::Weekly),
            "biweekly" => Ok(Cadence::Biweekly),
            "monthly" => Ok(Cadence::Monthly),
            "custom" => match every_days.trim().parse::<u32>() {
                Ok(n) if (1..=365).contains(&n) => Ok(Cadence::EveryDays(n)),
                _ => Err("Enter how many days between check-ins, from 1 to 365.".into()),
            },
            _ => Err("Choose how often to check in.".into()),
        }
    }

    /// The stored name and, for a custom cadence, its number of days.
    pub fn as_parts(self) -> (&'static str, Option<i32>) {
        match self {
            Cadence::Weekly => ("weekly", None),
            Cadence::Biweekly => ("biweekly", None),
            Cadence::Monthly => ("monthly", None),
            Cadence::EveryDays(n) => ("custom", i32::try_from(n).ok()),
        }
    }

    /// From the stored name and days.
    pub fn from_parts(name: &str, every_days: Option<i32>) -> Option<Cadence> {
        Cadence::parse(name, &every_days.map(|d| d.to_string()).unwrap_or_default()).ok()
    }

    pub fn label(self) -> String {
        match self {
            Cadence::Weekly => "Every week".into(),
            Cadence::Biweekly => "Every two weeks".into(),
            Cadence::Monthly => "Every month".into(),
            Cadence::EveryDays(1) => "Every day".into(),
            Cadence::EveryDays(n) => format!("Every {n} days"),
        }
    }

    pub const OPTIONS: [(&'static str, &'static str); 4] = [
        ("weekly", "Every week"),
        ("biweekly", "Every two weeks"),
        ("monthly", "Every month"),
        ("custom", "Every … days"),
    ];
}

/// The due date of check-in number `n` (0 for the first) of a plan starting on `first`.
/// `None` only for dates beyond chrono's range.
pub fn due_date(first: NaiveDate, cadence: Cadence, n: u32) -> Option<NaiveDate> {
    match cadence {
        Cadence::Weekly => first.checked_add_days(Days::new(7 * u64::from(n))),
        Cadence::Biweekly => first.checked_add_days(Days::new(14 * u64::from(n))),
        Cadence::EveryDays(d) => first.checked_add_days(Days::new(u64::from(d) * u64::from(n))),
        Cadence::Monthly => monthly(first, n),
    }
}

/// The same day of the month `n` months on, or the month's last day when it is shorter.
fn monthly(first: NaiveDate, n: u32) -> Option<NaiveDate> {
    let month_start = first.with_day(1)?.checked_add_months(Months::new(n))?;
    let last_day = month_start
        .checked_add_months(Months::new(1))?
        .pred_opt()?
        .day();
    month_start.with_day(first.day().min(last_day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn weekly_and_biweekly_step_by_seven_and_fourteen_days() {
        assert_eq!(
            due_date(d(2026, 12, 28), Cadence::Weekly, 1),
            Some(d(2027, 1, 4))
        );
        assert_eq!(
            due_date(d(2026, 12, 28), Cadence::Biweekly, 2),
            Some(d(2027, 1, 25))
        );
        assert_eq!(
            due_date(d(2026, 12, 28), Cadence::Weekly, 0),
            Some(d(2026, 12, 28))
        );
    }

    #[test]
    fn monthly_on_the_31st_clamps_to_short_months_and_comes_back() {
        let first = d(2027, 1, 31);
        let dates: Vec<NaiveDate> = (0..4)
            .filter_map(|n| due_date(first, Cadence::Monthly, n))
            .collect();
        assert_eq!(
            dates,
            [
                d(2027, 1, 31),
                d(2027, 2, 28),
                d(2027, 3, 31),
                d(2027, 4, 30)
            ]
        );
    }

    #[test]
    fn monthly_on_the_29th_and_30th_follow_february_in_leap_years() {
        assert_eq!(
            due_date(d(2028, 1, 29), Cadence::Monthly, 1),
            Some(d(2028, 2, 29))
        );
        assert_eq!(
            due_date(d(2027, 1, 29), Cadence::Monthly, 1),
            Some(d(2027, 2, 28))
        );
        assert_eq!(
            due_date(d(2028, 1, 30), Cadence::Monthly, 1),
            Some(d(2028, 2, 29))
        );
        assert_eq!(
            due_date(d(2028, 1, 30), Cadence::Monthly, 2),
            Some(d(2028, 3, 30))
        );
    }

    #[test]
    fn monthly_crosses_years() {
        assert_eq!(
            due_date(d(2026, 11, 15), Cadence::Monthly, 3),
            Some(d(2027, 2, 15))
        );
        assert_eq!(
            due_date(d(2026, 12, 31), Cadence::Monthly, 14),
            Some(d(2028, 2, 29))
        );
    }

    #[test]
    fn custom_cadences_step_by_their_days() {
        assert_eq!(
            due_date(d(2028, 2, 27), Cadence::EveryDays(3), 1),
            Some(d(2028, 3, 1))
        );
        assert_eq!(
            due_date(d(2027, 2, 27), Cadence::EveryDays(3), 1),
            Some(d(2027, 3, 2))
        );
    }

    #[test]
    fn dates_across_a_clock_change_stay_on_the_same_weekday() {
        // Europe's clocks go forward on 2027-03-28: a weekly plan stays on Mondays.
        let first = d(2027, 3, 22);
        let second = due_date(first, Cadence::Weekly, 1).expect("date");
        assert_eq!(second, d(2027, 3, 29));
        assert_eq!(second.weekday(), first.weekday());
    }

    #[test]
    fn cadences_parse_from_the_form() {
        assert_eq!(Cadence::parse("weekly", ""), Ok(Cadence::Weekly));
        assert_eq!(Cadence::parse("custom", "10"), Ok(Cadence::EveryDays(10)));
        assert!(Cadence::parse("custom", "0").is_err());
        assert!(Cadence::parse("custom", "abc").is_err());
        assert!(Cadence::parse("hourly", "").is_err());
        for (name, _) in Cadence::OPTIONS {
            let c = Cadence::parse(name, "5").expect("parses");
            let (stored, days) = c.as_parts();
            assert_eq!(Cadence::from_parts(stored, days), Some(c));
        }
    }
}
