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

/// Where a check-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckInStatus {
    /// Planned, not yet due or due today.
    Scheduled,
    Done,
    /// Its day ended without it (still open: it can be recorded late).
    Missed,
    Skipped,
}

impl CheckInStatus {
    pub const ALL: [CheckInStatus; 4] = [
        CheckInStatus::Scheduled,
        CheckInStatus::Done,
        CheckInStatus::Missed,
        CheckInStatus::Skipped,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckInStatus::Scheduled => "scheduled",
            CheckInStatus::Done => "done",
            CheckInStatus::Missed => "missed",
            CheckInStatus::Skipped => "skipped",
        }
    }

    pub fn parse(raw: &str) -> Result<CheckInStatus, String> {
        CheckInStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| format!("Unknown check-in status \u{201c}{raw}\u{201d}."))
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            CheckInStatus::Scheduled => "Scheduled",
            CheckInStatus::Done => "Done",
            CheckInStatus::Missed => "Missed",
            CheckInStatus::Skipped => "Skipped",
        }
    }

    /// Still to be recorded (scheduled, or missed and recordable late).
    pub fn is_open(self) -> bool {
        matches!(self, CheckInStatus::Scheduled | CheckInStatus::Missed)
    }
}

/// A scheduled check-in can be recorded from its due day on, as its assignee's calendar
/// counts days: trust is rebuilt over real time, so next week's check-in cannot be done today
/// (an extra contact before then is a conversation). `Err` carries the first day it can be.
pub fn recordable(due: NaiveDate, today: NaiveDate) -> Result<(), NaiveDate> {
    if due > today { Err(due) } else { Ok(()) }
}

/// What a person is told when a check-in is not due yet.
pub fn not_yet_message(from: NaiveDate) -> String {
    format!(
        "This check-in can be recorded from {} (its due day). To note a contact before then, log it as a conversation.",
        from.format("%a %-d %b %Y")
    )
}

/// How a settled check-in reads for an adaptive plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Done, the client's mood +1 or better.
    Good,
    /// Done, the client's mood 0 or worse.
    Bad,
    /// Its day ended without it.
    Missed,
}

impl Reading {
    pub fn of_sentiment(sentiment: i16) -> Reading {
        if sentiment >= 1 {
            Reading::Good
        } else {
            Reading::Bad
        }
    }
}

/// Where an adaptive plan stands: its cadence and the good check-ins in a row since its last
/// step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adaptive {
    pub cadence: Cadence,
    pub streak: u32,
}

/// A change of cadence, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub from: Cadence,
    pub to: Cadence,
    pub reason: String,
}

impl Step {
    /// The timeline's words for it.
    pub fn summary(&self) -> String {
        let way = if self.to.days_apart() > self.from.days_apart() {
            "down"
        } else {
            "up"
        };
        format!(
            "Follow-up cadence stepped {way}: {} (was {}), {}",
            self.to.label().to_lowercase(),
            self.from.label().to_lowercase(),
            self.reason
        )
    }
}

impl Cadence {
    /// The steps an adaptive plan moves between, most frequent first.
    pub const LADDER: [Cadence; 3] = [Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly];

    /// Whether an adaptive plan can use it (custom cadences have no place on the ladder).
    pub fn is_on_ladder(self) -> bool {
        Cadence::LADDER.contains(&self)
    }

    /// Roughly how many days apart its check-ins are.
    pub fn days_apart(self) -> u32 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Biweekly => 14,
            Cadence::Monthly => 30,
            Cadence::EveryDays(n) => n,
        }
    }

    fn rung(self) -> Option<usize> {
        Cadence::LADDER.iter().position(|c| *c == self)
    }

    /// One step less often, if there is one.
    pub fn less_often(self) -> Option<Cadence> {
        self.rung()
            .and_then(|i| Cadence::LADDER.get(i + 1))
            .copied()
    }

    /// One step more often, if there is one.
    pub fn more_often(self) -> Option<Cadence> {
        self.rung()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| Cadence::LADDER.get(i))
            .copied()
    }
}

/// An adaptive plan after one more check-in: `good_to_step` good check-ins in a row step the
/// cadence down (weekly → every two weeks → monthly); a bad or missed one steps it back up and
/// starts the count again.
pub fn adapt(state: Adaptive, reading: Reading, good_to_step: u32) -> (Adaptive, Option<Step>) {
    match reading {
        Reading::Good => {
            let streak = state.streak + 1;
            match state.cadence.less_often() {
                Some(to) if streak >= good_to_step.max(1) => (
                    Adaptive {
                        cadence: to,
                        streak: 0,
                    },
                    Some(Step {
                        from: state.cadence,
                        to,
                        reason: format!(
                            "after {streak} good check-in{} in a row",
                            if streak == 1 { "" } else { "s" }
                        ),
                    }),
                ),
                _ => (
                    Adaptive {
                        cadence: state.cadence,
                        streak,
                    },
                    None,
                ),
            }
        }
        Reading::Bad | Reading::Missed => {
            let reason = if reading == Reading::Missed {
                "because a check-in was missed".to_string()
            } else {
                "because the client's mood was not good (0 or worse)".to_string()
            };
            let step = state.cadence.more_often().map(|to| Step {
                from: state.cadence,
                to,
                reason,
            });
            (
                Adaptive {
                    cadence: step.as_ref().map_or(state.cadence, |s| s.to),
                    streak: 0,
                },
                step,
            )
        }
    }
}

/// Good check-ins in a row at the end of `readings` (oldest first): what the restored gate
/// counts.
pub fn good_in_a_row(readings: &[Reading]) -> u32 {
    let n = readings
        .iter()
        .rev()
        .take_while(|r| **r == Reading::Good)
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a plan through `readings`, collecting the cadence after each and the steps taken.
    fn run(start: Cadence, readings: &[Reading], k: u32) -> (Vec<Cadence>, Vec<Step>) {
        let mut state = Adaptive {
            cadence: start,
            streak: 0,
        };
        let mut cadences = Vec::new();
        let mut steps = Vec::new();
        for r in readings {
            let (next, step) = adapt(state, *r, k);
            state = next;
            cadences.push(state.cadence);
            steps.extend(step);
        }
        (cadences, steps)
    }

    use Cadence::{Biweekly as B, Monthly as M, Weekly as W};
    use Reading::{Bad, Good, Missed};

    #[test]
    fn good_check_ins_step_the_cadence_down_two_at_a_time() {
        let (cadences, steps) = run(W, &[Good, Good, Good, Good, Good, Good], 2);
        assert_eq!(cadences, [W, B, B, M, M, M]);
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[0].summary(),
            "Follow-up cadence stepped down: every two weeks (was every week), after 2 good check-ins in a row"
        );
    }

    #[test]
    fn a_bad_or_missed_check_in_steps_it_back_up_and_restarts_the_count() {
        let (cadences, steps) = run(W, &[Good, Good, Good, Bad, Good, Good], 2);
        assert_eq!(cadences, [W, B, B, W, W, B]);
        assert_eq!(steps[1].from, B);
        assert_eq!(steps[1].to, W);
        assert!(
            steps[1]
                .summary()
                .starts_with("Follow-up cadence stepped up: every week")
        );
        let (cadences, steps) = run(M, &[Missed, Missed, Missed], 2);
        assert_eq!(cadences, [B, W, W]);
        assert_eq!(steps.len(), 2, "weekly is as often as it gets");
        assert!(steps[0].reason.contains("missed"));
    }

    #[test]
    fn a_good_streak_broken_before_k_does_not_step() {
        let (cadences, steps) = run(B, &[Good, Bad, Good, Missed, Good], 2);
        assert_eq!(cadences, [B, W, W, W, W]);
        assert_eq!(steps.len(), 1);
        // K is configurable: three in a row.
        let (cadences, _) = run(W, &[Good, Good, Good], 3);
        assert_eq!(cadences, [W, W, B]);
    }

    #[test]
    fn the_restored_gate_counts_good_check_ins_at_the_end() {
        assert_eq!(good_in_a_row(&[]), 0);
        assert_eq!(good_in_a_row(&[Good, Good, Bad, Good, Good]), 2);
        assert_eq!(good_in_a_row(&[Good, Good, Good]), 3);
        assert_eq!(good_in_a_row(&[Good, Missed]), 0);
        assert_eq!(Reading::of_sentiment(1), Good);
        assert_eq!(Reading::of_sentiment(0), Bad);
        assert_eq!(Reading::of_sentiment(-2), Bad);
    }

    #[test]
    fn only_the_three_standard_cadences_are_on_the_ladder() {
        assert!(W.is_on_ladder() && B.is_on_ladder() && M.is_on_ladder());
        assert!(!Cadence::EveryDays(10).is_on_ladder());
        assert_eq!(Cadence::EveryDays(10).less_often(), None);
        assert_eq!(M.less_often(), None);
        assert_eq!(W.more_often(), None);
    }

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
