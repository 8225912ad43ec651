//! The pace of a team that works its cases: most open cases were worked on within their
//! severity's escalation limit, a few were left quiet past it (and the escalation clock caught
//! them); every account manager's week has check-ins due today, missed, done and to come; a few
//! let-go requests wait for a manager; and repeat incidents (within `REPEAT_WINDOW_DAYS` of a
//! restore on the same account) are rare. Shares are kept per team by counting rather than by
//! chance, so even a small demo shows each of them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rand::Rng;
use uuid::Uuid;

use super::super::follow_up::Slot;
use super::super::generate::{CaseSpec, DAY, HOUR, Plan, Rules, SETTLED_FOLLOW_UP_AGE};
use super::super::rows::AccountRow;
use super::super::words::TEAMS;
use super::{CaseMaker, Incident};
use crate::domain::escalation::REPEAT_WINDOW_DAYS;
use crate::domain::stage::Stage;

/// The share of a team's open cases left quiet past their limit.
const ESCALATED_SHARE: f64 = 0.08;

/// The share of open cases in Assessing whose owner asked a manager to let go.
const LET_GO_SHARE: f64 = 0.35;

/// The share of would-be repeat incidents that stay on their account.
const KEPT_REPEATS: f64 = 0.01;

/// How long an open case has been left alone.
pub(super) struct Quiet {
    /// The end of the case's story: now, or, for a case left quiet past its limit, when it was
    /// last worked on.
    pub(super) until: DateTime<Utc>,
    /// For an open case: someone last worked on it at this moment, or later (see
    /// `CaseMaker::touch`).
    pub(super) touch_at: Option<DateTime<Utc>>,
}

/// What an account manager's week shows so far.
#[derive(Debug, Clone, Copy, Default)]
struct WeekShows {
    due_today: bool,
    missed: bool,
    done: bool,
    to_come: bool,
}

/// A team's today and this week, in its time zone.
#[derive(Debug, Clone, Copy)]
struct Week {
    today: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
}

/// The counts the pace is kept by, across the cases made so far.
pub(super) struct Pace {
    rules: Rules,
    /// Per team: the share of an open case left quiet or asking to let go, carried over.
    quiet_share: Vec<f64>,
    let_go_share: Vec<f64>,
    /// Of the cases that would repeat a restore, the share that stays on its account.
    kept_repeats: f64,
    weeks: Vec<Week>,
    /// Per account manager, and per team: their accounts (indexes into the dataset's).
    accounts_of: HashMap<Uuid, Vec<usize>>,
    team_accounts: Vec<Vec<usize>>,
    /// Per account: when its restored cases closed.
    restored: Vec<Vec<DateTime<Utc>>>,
    shows: HashMap<Uuid, WeekShows>,
}

impl Pace {
    pub(super) fn new(now: DateTime<Utc>, rules: Rules, accounts: &[AccountRow]) -> Pace {
        let weeks = TEAMS
            .iter()
            .map(|team| {
                let zone = crate::domain::case::time_zone(team.time_zone);
                let today = now.with_timezone(&zone).date_naive();
                let (first, last) = rules.week_start.week_of(today);
                Week { today, first, last }
            })
            .collect();
        Pace {
            rules,
            // Started part-way, so a team's first few cases already count.
            quiet_share: vec![0.9; TEAMS.len()],
            let_go_share: vec![0.75; TEAMS.len()],
            kept_repeats: 0.5,
            weeks,
            accounts_of: accounts.iter().enumerate().fold(
                HashMap::new(),
                |mut theirs: HashMap<Uuid, Vec<usize>>, (i, account)| {
                    theirs.entry(account.manager_id).or_default().push(i);
                    theirs
                },
            ),
            team_accounts: (0..TEAMS.len())
                .map(|team| {
                    (0..accounts.len())
                        .filter(|&a| accounts[a].team == team)
                        .collect()
                })
                .collect(),
            restored: vec![Vec::new(); accounts.len()],
            shows: HashMap::new(),
        }
    }

    /// The first and last day of this week for `team`.
    pub(super) fn week(&self, team: usize) -> (NaiveDate, NaiveDate) {
        (self.weeks[team].first, self.weeks[team].last)
    }

    /// Whether this open case in Assessing of `team` waits for a manager to approve letting go.
    pub(super) fn let_go_turn(&mut self, team: usize) -> bool {
        take_turn(&mut self.let_go_share[team], LET_GO_SHARE, true)
    }

    /// A case on `account` was restored at `at`.
    pub(super) fn restored(&mut self, account: usize, at: DateTime<Utc>) {
        self.restored[account].push(at);
    }

    /// Whether a case opened at `created` on `account` repeats a restored one.
    fn repeats(&self, account: usize, created: DateTime<Utc>) -> bool {
        let window = TimeDelta::days(REPEAT_WINDOW_DAYS.into());
        // A case opened earlier may have closed later, so not only the latest restore counts.
        self.restored[account]
            .iter()
            .any(|&at| at < created && at > created - window)
    }

    /// The first kind of check-in the week of `owner` does not show yet.
    fn missing_this_week(&self, owner: Uuid) -> Option<Slot> {
        let shows = self.shows.get(&owner).copied().unwrap_or_default();
        [
            (shows.due_today, Slot::DueToday),
            (shows.missed, Slot::Missed),
            (shows.done, Slot::DoneThisWeek),
            (shows.to_come, Slot::LaterThisWeek),
        ]
        .into_iter()
        .find(|(shown, _)| !shown)
        .map(|(_, slot)| slot)
    }
}

/// Adds `share` to `carried`; a turn when it reaches one. With `eligible` false the share is
/// carried over to the next case.
fn take_turn(carried: &mut f64, share: f64, eligible: bool) -> bool {
    *carried += share;
    if *carried >= 1.0 && eligible {
        *carried -= 1.0;
        true
    } else {
        false
    }
}

impl CaseMaker<'_> {
    /// On a team that works, a second incident soon after a client was won back is rare: most
    /// cases that would repeat a restore land on another account instead.
    pub(super) fn steer_clear_of_repeats(&mut self, spec: CaseSpec) -> CaseSpec {
        let created = self.now - TimeDelta::seconds(spec.age);
        if !self.pace.repeats(spec.account, created)
            || take_turn(&mut self.pace.kept_repeats, KEPT_REPEATS, true)
        {
            return spec;
        }
        // Another client of the same account manager, so each one's cases stay as planned (see
        // `generate::ensure_open_work`); failing that (a small demo, where every client had a
        // case restored lately), of the same team.
        let account = &self.data.accounts[spec.account];
        for theirs in [
            &self.pace.accounts_of[&account.manager_id],
            &self.pace.team_accounts[account.team],
        ] {
            for _ in 0..20 {
                let account = theirs[self.rng.random_range(0..theirs.len())];
                if !self.pace.repeats(account, created) {
                    return CaseSpec { account, ..spec };
                }
            }
        }
        spec
    }

    /// Where an open case in Following up puts its next check-in in its owner's week: the
    /// first kind the week does not show yet, given to cases old enough to have check-ins done
    /// before it.
    pub(super) fn week_slot(
        &self,
        incident: &Incident,
        spec: CaseSpec,
        plan: Plan,
    ) -> Option<Slot> {
        (plan == Plan::Open(Stage::FollowingUp) && spec.age >= SETTLED_FOLLOW_UP_AGE)
            .then(|| self.pace.missing_this_week(incident.owner))
            .flatten()
    }

    /// How long an open case has been left alone: about one in twelve of a team's (those old
    /// enough, and `may_lapse`) were left quiet for up to three weeks past their limit; the
    /// others were worked on well within it, most of them in the last day or two.
    pub(super) fn quiet(
        &mut self,
        incident: &Incident,
        spec: CaseSpec,
        plan: Plan,
        may_lapse: bool,
    ) -> Quiet {
        let now = self.now;
        if !matches!(plan, Plan::Open(_)) {
            return Quiet {
                until: now,
                touch_at: None,
            };
        }
        let limit = self.pace.rules.limit_days(incident.severity) * DAY;
        let room = spec.age - limit - DAY;
        let share = &mut self.pace.quiet_share[incident.team];
        if take_turn(share, ESCALATED_SHARE, may_lapse && room > 6 * HOUR) {
            let over = self.rng.random_range(6 * HOUR..=room.min(20 * DAY));
            let until = now - TimeDelta::seconds(limit + over);
            return Quiet {
                until,
                touch_at: Some(until),
            };
        }
        let u: f64 = self.rng.random();
        let ago = (limit as f64 * 0.9 * u.powf(1.5)) as i64;
        Quiet {
            until: now,
            touch_at: Some(now - TimeDelta::seconds(ago)),
        }
    }

    /// Notes what the open case `case_id`'s check-ins add to its owner's week.
    pub(super) fn count_this_week(&mut self, case_id: Uuid, owner: Uuid, team: usize) {
        let week = self.pace.weeks[team];
        let shows = self.pace.shows.entry(owner).or_default();
        let this_week = |due: NaiveDate| (week.first..=week.last).contains(&due);
        for k in self
            .data
            .check_ins
            .iter()
            .rev()
            .take_while(|k| k.case_id == case_id)
        {
            match k.status {
                "scheduled" if k.due_date == week.today => {
                    shows.due_today = true;
                    shows.to_come |= week.today == week.last;
                }
                "scheduled" if k.due_date > week.today && this_week(k.due_date) => {
                    shows.to_come = true
                }
                // On the week's first day, a check-in missed last week will do.
                "missed" if this_week(k.due_date) || week.today == week.first => {
                    shows.missed = true
                }
                "done" if k.due_date <= week.today && this_week(k.due_date) => shows.done = true,
                _ => {}
            }
        }
    }
}
