//! Drawing the demo from its seed: the teams' people, the client accounts, and for each case
//! its account, age and where it ends up; then each case is written by [`CaseMaker`]. Also the
//! seeded random helpers the other parts draw with.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::case_maker::CaseMaker;
use super::rows::{AccountRow, Dataset, UserRow};
use super::words::{
    ACCOUNT_NOTES, ADMIN_NAME, CategoryText, FIRST_NAMES, LAST_NAMES, LEGAL_FORMS, NAME_PREFIXES,
    NAME_SUFFIXES, TEAMS,
};
use super::{DemoOptions, EMAIL_DOMAIN};
use crate::domain::organisation::WeekStart;
use crate::domain::stage::Stage;

/// Cases are spread over this many days before now.
pub(super) const HISTORY_DAYS: i64 = 548;

pub(super) const MINUTE: i64 = 60;
pub(super) const HOUR: i64 = 60 * MINUTE;
pub(super) const DAY: i64 = 24 * HOUR;

/// An active category and the texts its cases are written from.
#[derive(Debug, Clone)]
pub(super) struct Category {
    pub(super) id: Uuid,
    pub(super) text: &'static CategoryText,
}

/// Where a case ends up: still open in a stage, or closed with an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    Open(Stage),
    Restored,
    Lost,
    LetGo,
}

/// Every plan appears at least once when there are enough cases, so even a small demo shows
/// every stage and every outcome.
const EVERY_PLAN: [Plan; 8] = [
    Plan::Open(Stage::Detected),
    Plan::Open(Stage::Assessing),
    Plan::Open(Stage::ReachingOut),
    Plan::Open(Stage::MakingItRight),
    Plan::Open(Stage::FollowingUp),
    Plan::Restored,
    Plan::Lost,
    Plan::LetGo,
];

/// The organisation's settings the demo's history follows, read from the database.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules {
    /// How many days an open case of each severity may stay quiet before it is escalated
    /// (`escalation_limits()`): low, medium, high, critical.
    pub(super) quiet_days: [i64; 4],
    /// The first day of "this week" on My work and the review.
    pub(super) week_start: WeekStart,
}

impl Rules {
    /// The days an open case of `severity` may stay quiet.
    pub(super) fn limit_days(&self, severity: &str) -> i64 {
        let i = match severity {
            "low" => 0,
            "medium" => 1,
            "high" => 2,
            _ => 3,
        };
        self.quiet_days[i]
    }
}

/// A case before it is written out: its account and how long ago it was opened.
#[derive(Debug, Clone, Copy)]
pub(super) struct CaseSpec {
    pub(super) account: usize,
    pub(super) age: i64,
}

/// Makes all the rows. Pure apart from the clock reading passed in as `now`.
#[tracing::instrument(skip_all)]
pub(super) fn generate(
    options: DemoOptions,
    now: DateTime<Utc>,
    rules: Rules,
    team_ids: &[Uuid],
    categories: &[Category],
    mut taken_names: HashSet<String>,
    password_hash: &str,
) -> Dataset {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut data = Dataset {
        team_ids: team_ids.to_vec(),
        password_hash: password_hash.to_string(),
        ..Dataset::default()
    };
    let staff = make_users(&mut rng, &mut data);
    make_accounts(
        &mut rng,
        now,
        options.accounts,
        &staff,
        &mut taken_names,
        &mut data,
    );

    let specs = case_specs(&mut rng, options, data.accounts.len());
    let plans = plan_cases(&mut rng, &specs, &data.accounts);
    let mut cases = CaseMaker::new(&mut rng, now, rules, categories, &staff, &mut data);
    for (spec, plan) in specs.iter().zip(plans) {
        cases.make(*spec, plan);
    }
    // Timeline ids follow time, across cases as well as within each case.
    data.events.sort_by_key(|e| e.created_at);
    tracing::info!(
        cases = data.cases.len(),
        events = data.events.len(),
        follow_up_plans = data.follow_up_plans.len(),
        check_ins = data.check_ins.len(),
        "generated"
    );
    data
}

/// The user ids of one team.
pub(super) struct Staff {
    pub(super) manager: Uuid,
    pub(super) account_managers: Vec<Uuid>,
}

fn make_users(rng: &mut StdRng, data: &mut Dataset) -> Vec<Staff> {
    let mut staff = Vec::new();
    for (t, team) in TEAMS.iter().enumerate() {
        let key = team.name.to_lowercase();
        let manager = uuid(rng);
        data.users.push(UserRow {
            id: manager,
            email: format!("manager.{key}@{EMAIL_DOMAIN}"),
            name: team.manager,
            role: "manager",
            team: Some(t),
            time_zone: team.time_zone,
        });
        let mut account_managers = Vec::new();
        for (i, name) in team.account_managers.iter().enumerate() {
            let id = uuid(rng);
            data.users.push(UserRow {
                id,
                email: format!("am{}.{key}@{EMAIL_DOMAIN}", i + 1),
                name,
                role: "account_manager",
                team: Some(t),
                time_zone: team.time_zone,
            });
            account_managers.push(id);
        }
        staff.push(Staff {
            manager,
            account_managers,
        });
    }
    data.users.push(UserRow {
        id: uuid(rng),
        email: format!("admin@{EMAIL_DOMAIN}"),
        name: ADMIN_NAME,
        role: "admin",
        team: None,
        time_zone: "UTC",
    });
    staff
}

fn make_accounts(
    rng: &mut StdRng,
    now: DateTime<Utc>,
    count: usize,
    staff: &[Staff],
    taken: &mut HashSet<String>,
    data: &mut Dataset,
) {
    let team_weights: Vec<(usize, u32)> = TEAMS
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.share))
        .collect();
    for _ in 0..count {
        let team = weighted(rng, &team_weights);
        let spec = &TEAMS[team];
        let name = unique_name(rng, taken);
        // Log-uniform: many small accounts, a few large ones.
        let (low, high) = if spec.enterprise {
            (50_000.0_f64, 2_000_000.0_f64)
        } else {
            (5_000.0, 800_000.0)
        };
        let euros = (low.ln() + rng.random::<f64>() * (high.ln() - low.ln())).exp();
        let euros = ((euros / 100.0).round() * 100.0) as i64;
        let tier = match euros {
            e if e >= 500_000 => "strategic",
            e if e >= 100_000 => "key",
            _ => "standard",
        };
        let first = pick(rng, FIRST_NAMES);
        let last = pick(rng, LAST_NAMES);
        let domain: String = name
            .split_whitespace()
            .take(2)
            .collect::<String>()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let staff = &staff[team];
        data.accounts.push(AccountRow {
            id: uuid(rng),
            manager_id: staff.account_managers[rng.random_range(0..staff.account_managers.len())],
            contact_first: first,
            contact_name: format!("{first} {last}"),
            contact_email: format!(
                "{}.{}@{domain}.example",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            contact_phone: format!(
                "{} 555 {:03} {:03}",
                spec.phone_prefix,
                rng.random_range(0..1000),
                rng.random_range(0..1000)
            ),
            notes: pick(rng, ACCOUNT_NOTES),
            created_at: now
                - TimeDelta::seconds(HISTORY_DAYS * DAY + rng.random_range(0..1100 * DAY)),
            name,
            team,
            annual_value_minor: euros * 100,
            tier,
        });
    }
}

/// A company name not yet taken (case-insensitively). Draws the same random numbers whatever is
/// taken, so existing accounts do not change the rest of the demo data.
fn unique_name(rng: &mut StdRng, taken: &mut HashSet<String>) -> String {
    let prefix = pick(rng, NAME_PREFIXES);
    let suffix = pick(rng, NAME_SUFFIXES);
    let form = pick(rng, LEGAL_FORMS);
    let base = if form.is_empty() {
        format!("{prefix} {suffix}")
    } else {
        format!("{prefix} {suffix} {form}")
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name.to_lowercase()) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.insert(name.to_lowercase());
    name
}

/// Which account each case is on and how old it is, oldest first (so case numbers follow time).
fn case_specs(rng: &mut StdRng, options: DemoOptions, accounts: usize) -> Vec<CaseSpec> {
    let mut specs = Vec::with_capacity(options.cases);
    if accounts == 0 {
        return specs;
    }
    // About 5% of accounts are fragile: three or more incidents within the last year.
    let fragile_count = (accounts / 20).max(1).min(options.cases / 6);
    let fragile = rand::seq::index::sample(rng, accounts, fragile_count).into_vec();
    let mut is_fragile = vec![false; accounts];
    for &a in &fragile {
        is_fragile[a] = true;
        for _ in 0..rng.random_range(3..=5) {
            if specs.len() < options.cases {
                specs.push(CaseSpec {
                    account: a,
                    age: rng.random_range(HOUR..365 * DAY),
                });
            }
        }
    }
    // The rest land on accounts with uneven weights: some clients have more incidents.
    let mut cumulative = Vec::with_capacity(accounts);
    let mut total = 0.0;
    for &fragile in &is_fragile {
        // Long-tailed: most clients have the odd incident, a few have many.
        let weight = 0.1 + rng.random::<f64>().powi(3);
        total += weight * if fragile { 2.0 } else { 1.0 };
        cumulative.push(total);
    }
    while specs.len() < options.cases {
        let roll = rng.random::<f64>() * total;
        let account = cumulative.partition_point(|&c| c <= roll).min(accounts - 1);
        // Skewed towards recent months: more cases are logged as the team gets used to Mend.
        let u: f64 = rng.random();
        let age = HOUR + (u.powf(1.3) * (HISTORY_DAYS * DAY - HOUR) as f64) as i64;
        specs.push(CaseSpec { account, age });
    }
    specs.sort_by_key(|s| std::cmp::Reverse(s.age));
    specs
}

/// Picks where each case ends up: old cases are closed, bar a few long follow-ups; the open
/// ones are young, spread over the stages, as on a team that works its cases through in weeks.
fn plan_cases(rng: &mut StdRng, specs: &[CaseSpec], accounts: &[AccountRow]) -> Vec<Plan> {
    use Plan::*;
    let mut plans: Vec<Plan> = specs
        .iter()
        .map(|spec| {
            let days = spec.age / DAY;
            let weights: &[(Plan, u32)] = if days > 120 {
                &[
                    (Restored, 136),
                    (Lost, 32),
                    (LetGo, 31),
                    (Open(Stage::FollowingUp), 1),
                ]
            } else if days > 60 {
                &[
                    (Restored, 60),
                    (Lost, 14),
                    (LetGo, 13),
                    (Open(Stage::FollowingUp), 7),
                    (Open(Stage::MakingItRight), 2),
                    (Open(Stage::ReachingOut), 1),
                ]
            } else if days > 30 {
                &[
                    (Open(Stage::Assessing), 2),
                    (Open(Stage::ReachingOut), 5),
                    (Open(Stage::MakingItRight), 12),
                    (Open(Stage::FollowingUp), 18),
                    (Restored, 44),
                    (Lost, 10),
                    (LetGo, 9),
                ]
            } else if days > 7 {
                &[
                    (Open(Stage::Detected), 5),
                    (Open(Stage::Assessing), 18),
                    (Open(Stage::ReachingOut), 20),
                    (Open(Stage::MakingItRight), 27),
                    (Open(Stage::FollowingUp), 20),
                    (Restored, 5),
                    (Lost, 3),
                    (LetGo, 2),
                ]
            } else {
                &[
                    (Open(Stage::Detected), 35),
                    (Open(Stage::Assessing), 30),
                    (Open(Stage::ReachingOut), 20),
                    (Open(Stage::MakingItRight), 10),
                    (Open(Stage::FollowingUp), 3),
                    (Lost, 1),
                    (LetGo, 1),
                ]
            };
            weighted(rng, weights)
        })
        .collect();
    let mut pinned = vec![false; plans.len()];
    ensure_every_plan(&mut plans, specs, &mut pinned);
    ensure_open_work(&mut plans, specs, accounts, &mut pinned);
    plans
}

/// Open cases in Following up each account manager has at least (of those at least
/// `SETTLED_FOLLOW_UP_AGE` old), so that their week shows check-ins due today, missed, done
/// and to come (see `CaseMaker::week_slot`).
const FOLLOW_UPS_PER_ACCOUNT_MANAGER: usize = 4;

/// An open case in Following up this old has room for check-ins done before its next one.
pub(super) const SETTLED_FOLLOW_UP_AGE: i64 = 14 * DAY;

/// Open cases in Assessing each team has at least, so that a few of them wait for a manager to
/// approve letting go (see `Pace::let_go_turn`).
const ASSESSING_PER_TEAM: usize = 4;

/// Makes sure every account manager has open cases in Following up and every team open cases
/// in Assessing (see the constants above), where their accounts have cases of the right age.
fn ensure_open_work(
    plans: &mut [Plan],
    specs: &[CaseSpec],
    accounts: &[AccountRow],
    pinned: &mut [bool],
) {
    let account = |i: usize| &accounts[specs[i].account];
    let mut managers: Vec<Uuid> = accounts.iter().map(|a| a.manager_id).collect();
    managers.sort_unstable();
    managers.dedup();
    for manager in managers {
        let mine = |i: usize| account(i).manager_id == manager;
        let stage = Stage::FollowingUp;
        let ages = SETTLED_FOLLOW_UP_AGE..75 * DAY;
        ensure_open(
            plans,
            specs,
            pinned,
            mine,
            stage,
            FOLLOW_UPS_PER_ACCOUNT_MANAGER,
            ages,
        );
    }
    for team in 0..TEAMS.len() {
        let ours = |i: usize| account(i).team == team;
        let ages = 2 * DAY..30 * DAY;
        ensure_open(
            plans,
            specs,
            pinned,
            ours,
            Stage::Assessing,
            ASSESSING_PER_TEAM,
            ages,
        );
    }
}

/// Turns cases of `ages`, of those that are `chosen`, into open ones in `stage` until there
/// are `least` (at least as old as `ages` start): those nearest the middle of `ages` first,
/// never the last case of a plan.
fn ensure_open(
    plans: &mut [Plan],
    specs: &[CaseSpec],
    pinned: &mut [bool],
    chosen: impl Fn(usize) -> bool,
    stage: Stage,
    least: usize,
    ages: std::ops::Range<i64>,
) {
    let target = Plan::Open(stage);
    let has = (0..plans.len())
        .filter(|&i| chosen(i) && plans[i] == target && specs[i].age >= ages.start)
        .count();
    let mut missing = least.saturating_sub(has);
    if missing == 0 {
        return;
    }
    let middle = (ages.start + ages.end) / 2;
    let mut order: Vec<usize> = (0..plans.len())
        .filter(|&i| chosen(i) && !pinned[i] && plans[i] != target && ages.contains(&specs[i].age))
        .collect();
    order.sort_by_key(|&i| ((specs[i].age - middle).abs(), i));
    for i in order {
        if missing == 0 {
            break;
        }
        if plans.iter().filter(|p| **p == plans[i]).count() > 1 {
            plans[i] = target;
            pinned[i] = true;
            missing -= 1;
        }
    }
}

/// Turns a few cases of common plans into the missing ones: open stages go to the youngest
/// cases, closed outcomes to cases a month or two old, which had time to get there.
fn ensure_every_plan(plans: &mut [Plan], specs: &[CaseSpec], pinned: &mut [bool]) {
    if plans.len() < EVERY_PLAN.len() * 2 {
        return;
    }
    for target in EVERY_PLAN {
        if plans.contains(&target) {
            continue;
        }
        let mut order: Vec<usize> = (0..plans.len()).collect();
        match target {
            Plan::Open(_) => order.sort_by_key(|&i| specs[i].age),
            _ => order.sort_by_key(|&i| (specs[i].age - 45 * DAY).abs()),
        }
        let common = |plan: Plan, plans: &[Plan]| plans.iter().filter(|p| **p == plan).count() > 1;
        if let Some(i) = order
            .into_iter()
            .find(|&i| !pinned[i] && common(plans[i], plans))
        {
            plans[i] = target;
            pinned[i] = true;
        }
    }
}

/// A random (version 4) id drawn from the seeded generator, so ids are deterministic too.
pub(super) fn uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random::<u128>().to_le_bytes()).into_uuid()
}

/// One of `items`; the lists are non-empty constants.
pub(super) fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// One of `items`, each as likely as its weight; the lists are non-empty.
pub(super) fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for &(item, weight) in items {
        if roll < weight {
            return item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

/// A moment in `[from, to]`, or `from` when the span is empty.
pub(super) fn between(rng: &mut StdRng, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_seconds();
    if span <= 0 {
        from
    } else {
        from + TimeDelta::seconds(rng.random_range(0..=span))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::demo::rows::CaseRow;
    use crate::demo::words::CATEGORY_TEXTS;

    /// The default demo as it would be loaded at `now`.
    fn demo_at(now: DateTime<Utc>) -> Dataset {
        let team_ids: Vec<Uuid> = (1..=3).map(Uuid::from_u128).collect();
        let categories: Vec<Category> = CATEGORY_TEXTS
            .iter()
            .zip(100..)
            .map(|(text, id)| Category {
                id: Uuid::from_u128(id),
                text,
            })
            .collect();
        let rules = Rules {
            quiet_days: [14, 7, 4, 2],
            week_start: WeekStart::Monday,
        };
        let options = DemoOptions {
            accounts: 200,
            cases: 1000,
            seed: 42,
        };
        generate(
            options,
            now,
            rules,
            &team_ids,
            &categories,
            HashSet::new(),
            "",
        )
    }

    /// Whatever the day and hour of loading, open cases were worked on within their limits bar
    /// a few per team, and every account manager has check-ins due today, missed, done this
    /// week and to come.
    #[test]
    fn the_demo_shows_a_working_team_on_any_day() {
        let monday = Utc
            .with_ymd_and_hms(2026, 11, 30, 0, 7, 0)
            .single()
            .expect("a time");
        let limits = [("low", 14), ("medium", 7), ("high", 4), ("critical", 2)];
        for step in 0..9 {
            let now = monday + TimeDelta::minutes(step * 19 * 60 + step * 7);
            let data = demo_at(now);
            let quiet = |c: &CaseRow| {
                let (_, days) = limits
                    .iter()
                    .find(|(s, _)| *s == c.severity)
                    .expect("a limit");
                now - c.last_activity_at > TimeDelta::days(*days)
            };
            for team in &data.team_ids {
                let open: Vec<&CaseRow> = data
                    .cases
                    .iter()
                    .filter(|c| c.outcome == "open" && c.team_id == *team)
                    .collect();
                let escalated = open.iter().filter(|c| quiet(c)).count() as f64;
                let share = 100.0 * escalated / open.len() as f64;
                assert!(
                    (3.0..=12.0).contains(&share),
                    "{now}: {share:.1}% of a team's open cases quiet past their limit"
                );
            }
            let open: HashSet<Uuid> = data
                .cases
                .iter()
                .filter(|c| c.outcome == "open")
                .map(|c| c.id)
                .collect();
            for user in data.users.iter().filter(|u| u.role == "account_manager") {
                let zone = crate::domain::case::time_zone(user.time_zone);
                let today = now.with_timezone(&zone).date_naive();
                let theirs = || {
                    data.check_ins
                        .iter()
                        .filter(|k| k.assignee_id == user.id && open.contains(&k.case_id))
                };
                assert!(
                    theirs().any(|k| k.status == "scheduled" && k.due_date == today),
                    "{now}: {} has no check-in due today",
                    user.email
                );
                assert!(
                    theirs().any(|k| k.status == "missed"),
                    "{now}: {} has missed no check-in",
                    user.email
                );
                // This week, they have done one and have one to come.
                let (first, last) = WeekStart::Monday.week_of(today);
                assert!(
                    theirs().any(|k| k.status == "done" && (first..=today).contains(&k.due_date)),
                    "{now}: {} has done no check-in this week",
                    user.email
                );
                assert!(
                    theirs()
                        .any(|k| k.status == "scheduled" && (today..=last).contains(&k.due_date)),
                    "{now}: {} has no check-in to come this week",
                    user.email
                );
            }
        }
    }
}
