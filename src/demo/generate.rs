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
    let plans = plan_cases(&mut rng, &specs);
    let mut cases = CaseMaker::new(&mut rng, now, categories, &staff, &mut data);
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

/// Picks where each case ends up: old cases are mostly closed, young ones spread over the stages.
fn plan_cases(rng: &mut StdRng, specs: &[CaseSpec]) -> Vec<Plan> {
    use Plan::*;
    let mut plans: Vec<Plan> = specs
        .iter()
        .map(|spec| {
            let days = spec.age / DAY;
            let weights: &[(Plan, u32)] = if days > 90 {
                &[
                    (Restored, 65),
                    (Lost, 15),
                    (LetGo, 10),
                    (Open(Stage::FollowingUp), 5),
                    (Open(Stage::MakingItRight), 3),
                    (Open(Stage::ReachingOut), 1),
                    (Open(Stage::Assessing), 1),
                ]
            } else if days > 30 {
                &[
                    (Open(Stage::Detected), 3),
                    (Open(Stage::Assessing), 5),
                    (Open(Stage::ReachingOut), 10),
                    (Open(Stage::MakingItRight), 20),
                    (Open(Stage::FollowingUp), 32),
                    (Restored, 18),
                    (Lost, 6),
                    (LetGo, 6),
                ]
            } else if days > 7 {
                &[
                    (Open(Stage::Detected), 8),
                    (Open(Stage::Assessing), 15),
                    (Open(Stage::ReachingOut), 20),
                    (Open(Stage::MakingItRight), 25),
                    (Open(Stage::FollowingUp), 22),
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
    ensure_every_plan(&mut plans, specs);
    plans
}

/// Turns a few cases of common plans into the missing ones: open stages go to the youngest
/// cases, closed outcomes to cases a month or two old, which had time to get there.
fn ensure_every_plan(plans: &mut [Plan], specs: &[CaseSpec]) {
    if plans.len() < EVERY_PLAN.len() * 2 {
        return;
    }
    let mut pinned = vec![false; plans.len()];
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
