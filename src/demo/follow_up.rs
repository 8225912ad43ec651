//! Following up: a case's follow-up plan, drawn and then placed in the case's time (an open case
//! has check-ins done and the next one to come, or missed, perhaps in a given slot of this week;
//! a restored one closed a little after its last; a lost one stopped where it closed), and the
//! steps of an adaptive plan worked out by the live cadence rules (`domain::cadence`). The
//! plan's rows, its check-ins and their timeline events are written by [`check_ins`].

mod check_ins;

use chrono::{DateTime, Days, Months, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use rand::Rng;
use rand::rngs::StdRng;

use super::generate::{DAY, HOUR, MINUTE, weighted};
use crate::domain::cadence::{self, Cadence, Reading};
use crate::domain::stage::Outcome;

pub(super) use check_ins::FollowUpCase;

/// The time a case's follow-up is placed in.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    /// The moment of loading.
    pub(super) now: DateTime<Utc>,
    /// The last moment anyone worked on the case: `now`, or earlier for a case left quiet.
    pub(super) until: DateTime<Utc>,
    /// The assignee's time zone.
    pub(super) zone: Tz,
    /// The first and last day of this week (the organisation's) in `zone`.
    pub(super) week: (NaiveDate, NaiveDate),
}

/// Where an open case's next check-in falls in this week, so that each account manager's week
/// shows every kind: due today, missed, done, and still to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// The next one is due today.
    DueToday,
    /// The next one was due earlier this week (or, on its first day, in the last few days) and
    /// was missed.
    Missed,
    /// The last one done was due this week, and done on time.
    DoneThisWeek,
    /// The next one is due later this week (today, on its last day).
    LaterThisWeek,
}

/// What is drawn for a follow-up plan before it is placed in time.
struct Draft {
    cadence: Cadence,
    /// An adaptive weekly plan of a restored case: its check-ins follow `ADAPTIVE_READINGS`.
    adaptive: bool,
    end_after: Option<i32>,
    /// Days from entering Following up to the first check-in.
    lead: i64,
    /// Seconds from entering Following up to making the plan.
    plan_delay: i64,
    /// Per check-in: the local time of day it was settled (seconds) and how many days late.
    settle: [(i64, i64); 4],
}

impl Draft {
    fn draw(rng: &mut StdRng) -> Draft {
        let cadence = weighted(
            rng,
            &[
                (Cadence::Weekly, 50),
                (Cadence::Biweekly, 30),
                (Cadence::Monthly, 15),
                (Cadence::EveryDays(10), 5),
            ],
        );
        let end_after = rng.random_bool(0.2).then(|| rng.random_range(3..=6_i32));
        let adaptive = cadence == Cadence::Weekly && rng.random_bool(0.5);
        let lead = rng.random_range(2..=7);
        let plan_delay = rng.random_range(10 * MINUTE..DAY);
        let settle = std::array::from_fn(|_| {
            (
                rng.random_range(8 * HOUR..18 * HOUR),
                weighted(rng, &[(0, 75), (1, 20), (2, 5)]),
            )
        });
        Draft {
            cadence,
            adaptive,
            end_after,
            lead,
            plan_delay,
            settle,
        }
    }

    /// The due date of check-in `k` (0 for the first).
    fn due(&self, first: NaiveDate, k: usize) -> NaiveDate {
        if self.adaptive {
            adaptive_schedule(first)
                .dues
                .get(k)
                .copied()
                .unwrap_or(first)
        } else {
            due(first, self.cadence, k)
        }
    }

    /// The most check-ins the plan allows (`usize::MAX`: until the case closes).
    fn most(&self) -> usize {
        self.end_after
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(usize::MAX)
    }

    /// When the plan was made and the first `n` check-ins were settled, for a case that entered
    /// Following up at `entered` with its first check-in due on `first`. The plan is made well
    /// before `latest`; the check-ins follow their due dates, so they may fall after it.
    fn times(
        &self,
        entered: DateTime<Utc>,
        first: NaiveDate,
        n: usize,
        zone: Tz,
        latest: DateTime<Utc>,
    ) -> (DateTime<Utc>, Vec<DateTime<Utc>>) {
        let room = (latest - entered).num_seconds().max(0) / 4;
        let planned = entered + TimeDelta::seconds(self.plan_delay.min(room));
        let mut at = planned;
        let settled = (0..n)
            .map(|k| {
                let (secs, late) = self.settle[k.min(self.settle.len() - 1)];
                let day = self.due(first, k) + TimeDelta::days(late);
                at = local_time(day, secs, zone).max(at + TimeDelta::seconds(10 * MINUTE));
                at
            })
            .collect();
        (planned, settled)
    }
}

/// A case's follow-up plan, placed in time.
pub(super) struct FollowUp {
    cadence: Cadence,
    adaptive: bool,
    end_after: Option<i32>,
    first_due: NaiveDate,
    planned_at: DateTime<Utc>,
    /// When check-ins 1, 2, … were settled, and whether each was skipped rather than done.
    settled: Vec<(DateTime<Utc>, bool)>,
    /// Whether the check-in after the settled ones is open (scheduled, or missed).
    open_next: bool,
    /// When the open check-in was marked missed, if its due day has passed.
    missed_at: Option<DateTime<Utc>>,
}

/// Draws the follow-up plan of a case that reached Following up and places it in the case's
/// time: `moments` are its stage moves (the fourth entering Following up) and its close, which
/// may move so the check-ins fit. `None` when the case has no plan.
/// An open case's next check-in goes in `slot` of this week when one is given.
pub(super) fn place_follow_up(
    rng: &mut StdRng,
    outcome: Outcome,
    created: DateTime<Utc>,
    clock: Clock,
    slot: Option<Slot>,
    moments: &mut [DateTime<Utc>],
) -> Option<FollowUp> {
    let mut draft = Draft::draw(rng);
    // Adaptive plans are shown on restored cases, whose check-ins bring trust back.
    draft.adaptive &= outcome == Outcome::Restored;
    let (now, zone) = (clock.now, clock.zone);
    match outcome {
        Outcome::Open => Some(place_open(rng, draft, created, clock, slot, moments)),
        Outcome::Restored => Some(place_restored(rng, draft, created, now, zone, moments)),
        Outcome::Lost => place_lost(rng, draft, zone, moments),
        Outcome::LetGo => None,
    }
}

/// An open case: 0–3 check-ins done, then the next one open: overdue (and then missed) or due
/// within two weeks, or in `slot` of this week. A case left quiet since `clock.until` had its
/// check-ins placed as of then. The case entered Following up when the plan's rhythm says it
/// did: later than drawn, it spent longer making it right; earlier, all its stages were quicker.
fn place_open(
    rng: &mut StdRng,
    mut draft: Draft,
    created: DateTime<Utc>,
    clock: Clock,
    slot: Option<Slot>,
    moments: &mut [DateTime<Utc>],
) -> FollowUp {
    let want = weighted(rng, &[(0_usize, 20), (1, 30), (2, 30), (3, 20)]);
    let want = if slot == Some(Slot::DoneThisWeek) {
        want.max(1)
    } else {
        want
    }
    .min(draft.most().saturating_sub(1));
    let overdue = rng.random_bool(0.12);
    let overdue_days = rng.random_range(1..=10);
    let ahead: f64 = rng.random();
    let enter_secs = rng.random_range(8 * HOUR..18 * HOUR);
    let (now, zone) = (clock.until, clock.zone);
    let today = local_date(now, zone);
    let latest = now - TimeDelta::seconds(5 * MINUTE);
    let entered_before = moments[3];
    // The stages before may shrink, but not below a few days (nor below what they were).
    let earliest = created + (entered_before - created).min(TimeDelta::hours(109));
    // Days of this week before today, and after it.
    let (week_first, week_last) = clock.week;
    let since = (today - week_first).num_days().max(0);
    let left = (week_last - today).num_days().max(0);
    // Days from today to the next check-in's due date, with `n` done before it.
    let lag = |n: usize| -> Option<i64> {
        let within = |days: i64| (ahead * days as f64) as i64;
        Some(match slot {
            None if overdue => -overdue_days,
            None => {
                // The last one done is not in the future; a first one is due a few days after
                // the plan.
                let room = if n == 0 {
                    draft.lead
                } else {
                    period_days(draft.cadence)
                }
                .min(14);
                within(room + 1)
            }
            Some(Slot::DueToday) => 0,
            Some(Slot::LaterThisWeek) => (1 + within(left)).min(left),
            Some(Slot::Missed) if since > 0 => -1 - within(since),
            Some(Slot::Missed) => -1 - within(3),
            Some(Slot::DoneThisWeek) if n == 0 => return None,
            Some(Slot::DoneThisWeek) => {
                let last_done = today - TimeDelta::days(within(since + 1));
                (due(last_done, draft.cadence, 1) - today).num_days()
            }
        })
    };
    let placed = (0..=want).rev().find_map(|n| {
        let lag = lag(n)?;
        let first = back(today + TimeDelta::days(lag), draft.cadence, n);
        let entered = local_time(first - TimeDelta::days(draft.lead), enter_secs, zone)
            .min(now - TimeDelta::seconds(HOUR));
        (entered >= earliest).then_some((n, first, entered))
    });
    let (n, first, entered) = placed.unwrap_or_else(|| {
        let first = local_date(entered_before, zone) + TimeDelta::days(draft.lead);
        (0, first, entered_before)
    });
    if slot == Some(Slot::DoneThisWeek) && n > 0 {
        // Done on its due day, this week.
        draft.settle[(n - 1).min(draft.settle.len() - 1)].1 = 0;
    }
    let (planned, times) = draft.times(entered, first, n, zone, latest);
    let mut all = vec![planned];
    all.extend(times);
    if all.last().is_some_and(|&t| t > latest) {
        rescale(&mut all, entered, latest);
        // Squeezed before its due day, a check-in is done on that day instead: Mend records
        // one only from its due day on, by its assignee's calendar. (The last one done is due
        // today at the latest, so that day has begun.)
        for (k, at) in all[1..].iter_mut().enumerate() {
            if let Err(from) = cadence::recordable(draft.due(first, k), local_date(*at, zone)) {
                let secs = draft.settle[k.min(draft.settle.len() - 1)].0;
                *at = local_time(from, secs, zone)
                    .min(latest)
                    .max(local_time(from, 0, zone));
            }
        }
    }
    if entered > entered_before {
        moments[3] = entered;
    } else {
        rescale(moments, created, entered);
    }
    // The scheduler marks a check-in missed once its due day has ended where its assignee is.
    let next_due = draft.due(first, n);
    let missed_at = (next_due < local_date(clock.now, zone))
        .then(|| local_time(next_due + TimeDelta::days(1), 0, zone));
    FollowUp {
        cadence: draft.cadence,
        adaptive: draft.adaptive,
        end_after: draft.end_after,
        first_due: first,
        planned_at: all[0],
        settled: all[1..].iter().map(|&t| (t, false)).collect(),
        open_next: true,
        missed_at,
    }
}

/// A restored case: 1–4 check-ins (one in the middle perhaps skipped), the last one done, and
/// the case closed a little after it. When that would be in the future, fewer check-ins; when
/// even one does not fit, the stages before shrink.
fn place_restored(
    rng: &mut StdRng,
    mut draft: Draft,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: Tz,
    moments: &mut [DateTime<Utc>],
) -> FollowUp {
    let rows = weighted(rng, &[(1_usize, 20), (2, 35), (3, 30), (4, 15)]).min(draft.most());
    let skip = (rows >= 3 && rng.random_bool(0.2)).then(|| rng.random_range(1..rows - 1));
    // An adaptive plan: every check-in of its pattern, none skipped, until the case closes.
    let (rows, skip) = if draft.adaptive {
        draft.end_after = None;
        (ADAPTIVE_READINGS.len(), None)
    } else {
        (rows, skip)
    };
    let close_delay = TimeDelta::seconds(rng.random_range(HOUR..3 * DAY));
    let latest = (now - TimeDelta::seconds(10 * MINUTE)).max(moments[4]);
    let mut entered = moments[3];
    let mut n = rows;
    let (first, planned, times, closed) = loop {
        let first = local_date(entered, zone) + TimeDelta::days(draft.lead);
        let (planned, times) = draft.times(entered, first, n, zone, latest);
        let close = times.last().copied().unwrap_or(planned) + close_delay;
        if close <= latest {
            break (first, planned, times, close);
        }
        if n > 1 {
            n -= 1;
            continue;
        }
        let earlier = entered - (close - latest) - TimeDelta::days(1);
        if earlier > created + TimeDelta::seconds(HOUR) {
            entered = earlier;
            continue;
        }
        // Too young for the plan's rhythm: one check-in on the day, in the time there was.
        let first = local_date(entered, zone);
        let (planned, times) = draft.times(entered, first, 1, zone, latest);
        let mut all = vec![planned];
        all.extend(times);
        let span = latest - entered;
        if all.last().is_some_and(|&t| t > entered + span * 3 / 4) {
            rescale(&mut all, entered, entered + span * 3 / 4);
        }
        break (first, all[0], all[1..].to_vec(), entered + span * 7 / 8);
    };
    if draft.adaptive && times.len() < ADAPTIVE_READINGS.len() {
        // Too young for the whole pattern: an ordinary plan instead.
        draft.adaptive = false;
        return place_restored(rng, draft, created, now, zone, moments);
    }
    if entered != moments[3] {
        rescale(&mut moments[..4], created, entered);
    }
    moments[4] = closed;
    let skip = skip.filter(|&i| i + 1 < n);
    FollowUp {
        cadence: draft.cadence,
        adaptive: draft.adaptive,
        end_after: draft.end_after,
        first_due: first,
        planned_at: planned,
        settled: times
            .into_iter()
            .enumerate()
            .map(|(i, t)| (t, Some(i) == skip))
            .collect(),
        open_next: false,
        missed_at: None,
    }
}

/// A lost case that had reached Following up: its plan, and the check-ins settled (done or
/// skipped) before it closed. No plan when it closed within hours.
fn place_lost(
    rng: &mut StdRng,
    draft: Draft,
    zone: Tz,
    moments: &[DateTime<Utc>],
) -> Option<FollowUp> {
    let (entered, closed) = (moments[3], moments[4]);
    let latest = closed - TimeDelta::seconds(30 * MINUTE);
    if latest - entered < TimeDelta::hours(6) {
        return None;
    }
    let want = weighted(rng, &[(0_usize, 25), (1, 35), (2, 25), (3, 15)]).min(draft.most());
    let skipped: Vec<bool> = (0..want).map(|_| rng.random_bool(0.3)).collect();
    let first = local_date(entered, zone) + TimeDelta::days(draft.lead);
    let (planned, times) = draft.times(entered, first, want, zone, latest);
    Some(FollowUp {
        cadence: draft.cadence,
        adaptive: draft.adaptive,
        end_after: draft.end_after,
        first_due: first,
        planned_at: planned,
        settled: times
            .into_iter()
            .zip(skipped)
            .filter(|(t, _)| *t <= latest)
            .collect(),
        open_next: false,
        missed_at: None,
    })
}

/// The readings of a demo adaptive plan's check-ins: a bad one, then trust coming back.
const ADAPTIVE_READINGS: [Reading; 5] = [
    Reading::Bad,
    Reading::Good,
    Reading::Good,
    Reading::Good,
    Reading::Good,
];

/// A demo adaptive plan worked through `ADAPTIVE_READINGS` by the real rules
/// (`cadence::adapt`, re-basing as src/db/follow_ups.rs does): its due dates, its steps (after
/// which check-in, the step, the next due date) and the plan as it is left.
struct AdaptiveSchedule {
    dues: Vec<NaiveDate>,
    steps: Vec<(usize, cadence::Step, NaiveDate)>,
    cadence: Cadence,
    first_due: NaiveDate,
    base_seq: i32,
    streak: i32,
}

fn adaptive_schedule(first: NaiveDate) -> AdaptiveSchedule {
    let mut state = cadence::Adaptive {
        cadence: Cadence::Weekly,
        streak: 0,
    };
    let (mut base_first, mut base_seq) = (first, 1_i32);
    let mut dues = Vec::new();
    let mut steps = Vec::new();
    for (k, reading) in ADAPTIVE_READINGS.iter().enumerate() {
        let seq = i32::try_from(k + 1).unwrap_or(i32::MAX);
        let this = cadence::due_date(
            base_first,
            state.cadence,
            u32::try_from(seq - base_seq).unwrap_or(0),
        )
        .unwrap_or(base_first);
        dues.push(this);
        let (next, step) = cadence::adapt(state, *reading, 2);
        state = next;
        if let Some(step) = step {
            base_first = cadence::due_date(this, step.to, 1).unwrap_or(this);
            base_seq = seq + 1;
            steps.push((k, step, base_first));
        }
    }
    AdaptiveSchedule {
        dues,
        steps,
        cadence: state.cadence,
        first_due: base_first,
        base_seq,
        streak: i32::try_from(state.streak).unwrap_or(0),
    }
}

/// The due date of check-in `k` (0 for the first) of a plan whose first is due on `first`.
fn due(first: NaiveDate, cadence: Cadence, k: usize) -> NaiveDate {
    cadence::due_date(first, cadence, u32::try_from(k).unwrap_or(0)).unwrap_or(first)
}

/// The date `n` check-ins before `date` (the first due date of a plan whose (n+1)-th is due
/// then, up to month-end clamping).
fn back(date: NaiveDate, cadence: Cadence, n: usize) -> NaiveDate {
    let n = u32::try_from(n).unwrap_or(0);
    match cadence {
        Cadence::Monthly => date.checked_sub_months(Months::new(n)),
        c => date.checked_sub_days(Days::new(u64::from(n) * period_days(c).unsigned_abs())),
    }
    .unwrap_or(date)
}

/// The shortest time between two check-ins, in days.
fn period_days(cadence: Cadence) -> i64 {
    match cadence {
        Cadence::Weekly => 7,
        Cadence::Biweekly => 14,
        Cadence::Monthly => 28,
        Cadence::EveryDays(d) => i64::from(d),
    }
}

/// The calendar date of `t` in `zone`.
fn local_date(t: DateTime<Utc>, zone: Tz) -> NaiveDate {
    t.with_timezone(&zone).date_naive()
}

/// `secs` after midnight on `date` in `zone`.
fn local_time(date: NaiveDate, secs: i64, zone: Tz) -> DateTime<Utc> {
    let naive = date.and_time(NaiveTime::MIN) + TimeDelta::seconds(secs);
    zone.from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

/// Stretches or shrinks `moments` (in order, after `from`) so the last lands on `to`, keeping
/// their proportions.
fn rescale(moments: &mut [DateTime<Utc>], from: DateTime<Utc>, to: DateTime<Utc>) {
    let Some(&last) = moments.last() else {
        return;
    };
    let old = i128::from((last - from).num_seconds().max(1));
    let new = i128::from((to - from).num_seconds().max(0));
    for m in moments.iter_mut() {
        let offset = i128::from((*m - from).num_seconds()) * new / old;
        *m = from + TimeDelta::seconds(i64::try_from(offset).unwrap_or(0));
    }
    if let Some(last) = moments.last_mut() {
        *last = to;
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::domain::organisation::WeekStart;

    /// The due date of check-in `k` of `plan`, as `FollowUp::write` gives it.
    fn due_of(plan: &FollowUp, k: usize) -> NaiveDate {
        if plan.adaptive {
            adaptive_schedule(plan.first_due).dues[k]
        } else {
            due(plan.first_due, plan.cadence, k)
        }
    }

    /// Mend records a check-in only from its due day on (by its assignee's calendar), so the
    /// demo's history must not hold one done earlier, however a case's time was squeezed.
    #[test]
    fn no_check_in_is_done_before_its_due_day() {
        let zones = [
            "Europe/Stockholm",
            "Europe/London",
            "Pacific/Auckland",
            "America/Los_Angeles",
        ];
        let start = Utc
            .with_ymd_and_hms(2026, 12, 3, 0, 2, 0)
            .single()
            .expect("a time");
        for seed in 0..10_000_u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let zone = crate::domain::case::time_zone(zones[(seed % 4) as usize]);
            // Any time of day, and often just after midnight where the assignee is (when the
            // last check-in done may be due today).
            let now = if seed % 2 == 0 {
                start + TimeDelta::seconds(rng.random_range(0..DAY))
            } else {
                local_time(
                    local_date(start, zone),
                    rng.random_range(0..10 * MINUTE),
                    zone,
                )
            };
            let age = rng.random_range(HOUR..200 * DAY);
            let created = now - TimeDelta::seconds(age);
            let outcome = [Outcome::Open, Outcome::Restored, Outcome::Lost][(seed % 3) as usize];
            let mut moments: Vec<DateTime<Utc>> = (1..=5)
                .map(|i| created + TimeDelta::seconds(age * i / 6))
                .collect();
            if outcome == Outcome::Open {
                moments.truncate(4);
            }
            // Open cases: in each slot of the week, or left quiet for a while.
            let (slot, until) = match (outcome, seed / 3 % 6) {
                (Outcome::Open, 0) => (Some(Slot::DueToday), now),
                (Outcome::Open, 1) => (Some(Slot::Missed), now),
                (Outcome::Open, 2) => (Some(Slot::DoneThisWeek), now),
                (Outcome::Open, 3) => (Some(Slot::LaterThisWeek), now),
                (Outcome::Open, 4) if age > 20 * DAY => (None, now - TimeDelta::days(15)),
                _ => (None, now),
            };
            let clock = Clock {
                now,
                until,
                zone,
                week: WeekStart::Monday.week_of(local_date(now, zone)),
            };
            let Some(plan) = place_follow_up(&mut rng, outcome, created, clock, slot, &mut moments)
            else {
                continue;
            };
            let mut before = plan.planned_at;
            for (k, &(at, skipped)) in plan.settled.iter().enumerate() {
                assert!(
                    at >= before,
                    "seed {seed}: check-in {k} settled out of order"
                );
                before = at;
                let day = local_date(at, zone);
                assert!(
                    skipped || cadence::recordable(due_of(&plan, k), day).is_ok(),
                    "seed {seed}, {outcome:?}: check-in {k} due {} done on {day}",
                    due_of(&plan, k)
                );
                assert!(at <= until, "seed {seed}: check-in {k} done in the future");
            }
        }
    }

    /// Each slot puts an open case's check-ins where it says in this week, whatever day of the
    /// week it is and whichever day the week starts on.
    #[test]
    fn slots_put_check_ins_in_this_week() {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 30, 0, 0, 0)
            .single()
            .expect("a time");
        let zone = crate::domain::case::time_zone("Europe/Stockholm");
        let slots = [
            Slot::DueToday,
            Slot::Missed,
            Slot::DoneThisWeek,
            Slot::LaterThisWeek,
        ];
        for seed in 0..4_000_u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let now = start + TimeDelta::seconds(rng.random_range(0..14 * DAY));
            let week_start = [WeekStart::Monday, WeekStart::Sunday][(seed % 2) as usize];
            let today = local_date(now, zone);
            let (first, last) = week_start.week_of(today);
            let slot = slots[(seed / 2 % 4) as usize];
            // Old enough for a few check-ins: the slots are given to such cases.
            let age = rng.random_range(30 * DAY..120 * DAY);
            let created = now - TimeDelta::seconds(age);
            let mut moments: Vec<DateTime<Utc>> = (1..=4)
                .map(|i| created + TimeDelta::seconds(age * i / 6))
                .collect();
            let clock = Clock {
                now,
                until: now,
                zone,
                week: (first, last),
            };
            let plan = place_follow_up(
                &mut rng,
                Outcome::Open,
                created,
                clock,
                Some(slot),
                &mut moments,
            )
            .expect("an open case's plan");
            let next = due_of(&plan, plan.settled.len());
            let this_week = first..=last;
            let placed = match slot {
                Slot::DueToday => next == today && plan.missed_at.is_none(),
                Slot::Missed if today == first => next < today && plan.missed_at.is_some(),
                Slot::Missed => {
                    next < today && this_week.contains(&next) && plan.missed_at.is_some()
                }
                Slot::DoneThisWeek => plan.settled.last().is_some_and(|&(at, skipped)| {
                    let due = due_of(&plan, plan.settled.len() - 1);
                    !skipped && at <= now && this_week.contains(&due) && due <= today
                }),
                Slot::LaterThisWeek if today == last => next == today,
                Slot::LaterThisWeek => next > today && this_week.contains(&next),
            };
            assert!(
                placed,
                "seed {seed}: {slot:?} on {today} ({week_start:?} week): next due {next}, settled {:?}",
                plan.settled
            );
        }
    }
}
