//! `mend demo`: fills a database with realistic, varied demo data — three teams and their people,
//! client accounts, and repair cases in every stage with their conversations, action items,
//! commitments, lessons, follow-up plans, check-ins and timelines — so Mend can be shown, tried
//! and measured at scale.
//!
//! The history is a working team's: old cases are closed; open ones are recent and were worked
//! on within their severity's escalation limit, bar a few escalated; repeat incidents are rare;
//! and this week has check-ins done, due today, missed and still to come for every account
//! manager.
//!
//! The data is deterministic: the same seed gives the same rows in the same order (times are
//! relative to the moment of loading). Everything is generated in memory first, then written
//! with a few large `insert … select … from unnest(…)` statements per table, by two connections
//! in parallel. The demo admin is written last, so it marks a finished load: running again finds
//! it and adds nothing, and a load that stopped part-way is reported instead of doubled.
//!
//! This module owns the public API (`load` and what it reports) and the order of the load. The
//! parts: [`generate`] draws the teams, accounts and cases' shapes; [`case_maker`] writes each
//! case's story stage by stage; [`follow_up`] places follow-up plans and check-ins in time;
//! [`rows`] holds the rows as generated; [`write`] sends them to the database; [`history`]
//! replays the escalation clock and the trust loop over the loaded history; [`words`] holds the
//! texts.

mod case_maker;
mod follow_up;
mod generate;
mod history;
mod rows;
mod words;
mod write;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{SubsecRound, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::organisation::WeekStart;
use generate::{Category, Rules, generate};
use words::{CATEGORY_TEXTS, GENERIC_CATEGORY, TEAMS};
use write::{insert_accounts, insert_cases, insert_talk, insert_users, insert_work, log_step};

/// The password of every demo user.
pub const PASSWORD: &str = "mend-demo-password";

/// Demo users' e-mail addresses end in this.
pub const EMAIL_DOMAIN: &str = "demo.mend";

/// Serialises concurrent `mend demo` runs on one database (an arbitrary, fixed key).
const ADVISORY_LOCK_KEY: i64 = 0x6d65_6e64_6465_6d6f;

/// How much demo data to make, and from which seed.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub accounts: usize,
    pub cases: usize,
    pub seed: u64,
}

/// What `load` did.
#[derive(Debug)]
pub enum DemoResult {
    /// Demo users already existed, so nothing was added.
    AlreadyLoaded,
    Loaded(Report),
}

/// What was loaded, and how long it took.
#[derive(Debug)]
pub struct Report {
    pub users: Vec<DemoUser>,
    pub counts: Counts,
    pub elapsed: Duration,
}

/// A demo user people can sign in as.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub email: String,
    pub name: &'static str,
    pub role: &'static str,
    pub team: Option<&'static str>,
}

/// Rows written per table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub teams: usize,
    pub users: usize,
    pub accounts: usize,
    pub cases: usize,
    pub events: usize,
    pub conversations: usize,
    pub action_items: usize,
    pub commitments: usize,
    pub lessons: usize,
    pub follow_up_plans: usize,
    pub check_ins: usize,
}

/// Connections `load` uses at once: one holds the lock, two write.
pub const CONNECTIONS: u32 = 3;

/// Loads the demo data, unless it is already there. Needs a pool of at least [`CONNECTIONS`].
///
/// The tables are written by two connections in parallel (PostgreSQL spends most of a bulk load
/// on foreign-key checks and search vectors, one core per connection), so the load is a few
/// transactions rather than one. What a case derives from its rows (its search text, mood, gate
/// counts…) is computed by the database's own definition, `case_facts`: when the load may skip
/// foreign-key checks, the rows go in before the cases and each case is written once with its
/// facts; otherwise the cases go first and their facts are refreshed at the end. The admin user
/// is written last, in the transaction that holds the lock: it marks a finished load.
#[tracing::instrument(skip_all, fields(accounts = options.accounts, cases = options.cases, seed = options.seed))]
pub async fn load(pool: &PgPool, options: DemoOptions) -> anyhow::Result<DemoResult> {
    let started = Instant::now();
    // Held until the end: a second `mend demo` at the same time waits here, then finds this
    // one's data.
    let mut guard = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(ADVISORY_LOCK_KEY)
        .execute(&mut *guard)
        .await?;
    let (finished, started_before): (bool, bool) = sqlx::query_as(
        "select coalesce(bool_or(lower(email) = $1), false), count(*) > 0
         from users where lower(email) like $2",
    )
    .bind(format!("admin@{EMAIL_DOMAIN}"))
    .bind(format!("%@{EMAIL_DOMAIN}"))
    .fetch_one(&mut *guard)
    .await?;
    if finished {
        return Ok(DemoResult::AlreadyLoaded);
    }
    if started_before {
        anyhow::bail!(
            "an earlier `mend demo` stopped before it finished, so this database holds part of \
             the demo data (users with @{EMAIL_DOMAIN} addresses exist, but not admin@{EMAIL_DOMAIN}); \
             load the demo into a new data folder or an empty database"
        );
    }
    // Hashed once: argon2 is deliberately slow, and every demo user shares the password.
    let password_hash = crate::auth::password::hash(PASSWORD.to_string()).await?;

    let mut tx = pool.begin().await?;
    let team_ids = ensure_teams(&mut tx).await?;
    let categories = read_categories(&mut tx).await?;
    let taken_names = read_account_names(&mut tx).await?;
    let rules = read_rules(&mut tx).await?;
    let now = Utc::now().trunc_subsecs(0);
    let mut data = tokio::task::spawn_blocking(move || {
        generate(
            options,
            now,
            rules,
            &team_ids,
            &categories,
            taken_names,
            &password_hash,
        )
    })
    .await
    .context("generating the demo data")?;
    let numbers = case_numbers(&mut tx, data.cases.len()).await?;
    for (case, number) in data.cases.iter_mut().zip(numbers) {
        case.number = number;
    }

    let (staff, admin) = data.users.split_at(data.users.len().saturating_sub(1));
    insert_users(&mut tx, staff, &data)
        .await
        .context("inserting demo users")?;
    insert_accounts(&mut tx, &data)
        .await
        .context("inserting demo accounts")?;
    tx.commit().await?;

    let (first, second) = data.cases.split_at(data.cases.len() / 2);
    if write::rows_first(pool).await? {
        // Each case is written once, with what it derives from its rows already there.
        tokio::try_join!(insert_talk(pool, &data), insert_work(pool, &data))?;
        let timer = Instant::now();
        tokio::try_join!(insert_cases(pool, first), insert_cases(pool, second))
            .context("inserting demo cases")?;
        log_step("cases", data.cases.len(), timer);
    } else {
        let timer = Instant::now();
        tokio::try_join!(insert_cases(pool, first), insert_cases(pool, second))
            .context("inserting demo cases")?;
        log_step("cases", data.cases.len(), timer);
        tokio::try_join!(insert_talk(pool, &data), insert_work(pool, &data))?;
        let timer = Instant::now();
        write::refresh_facts(pool, &data.cases)
            .await
            .context("refreshing what demo cases derive from their rows")?;
        log_step("case facts", data.cases.len(), timer);
    }
    history::escalate(&mut guard)
        .await
        .context("escalating demo cases")?;
    history::trust_loop(&mut guard)
        .await
        .context("marking demo commitments and lessons")?;

    insert_users(&mut guard, admin, &data)
        .await
        .context("inserting the demo admin")?;
    guard.commit().await?;
    // Replaying the history updated many rows, leaving dead versions behind; clear them and
    // refresh the planner's statistics, or the first queries on fresh demo data plan for the
    // wrong sizes.
    let timer = Instant::now();
    sqlx::query("vacuum analyze")
        .execute(pool)
        .await
        .context("vacuuming after the demo load")?;
    tracing::info!(
        seconds = format!("{:.1}", timer.elapsed().as_secs_f64()),
        "vacuumed and analysed"
    );

    Ok(DemoResult::Loaded(Report {
        users: data.demo_users(),
        counts: data.counts(),
        elapsed: started.elapsed(),
    }))
}

/// Takes `count` numbers from the case number sequence, in order. Numbering the cases here
/// rather than by the column default keeps them in the order the cases were opened, however
/// the inserts are split.
async fn case_numbers(conn: &mut PgConnection, count: usize) -> sqlx::Result<Vec<i64>> {
    let mut numbers: Vec<i64> =
        sqlx::query_scalar("select nextval('case_number_seq') from generate_series(1, $1)")
            .bind(i64::try_from(count).unwrap_or(i64::MAX))
            .fetch_all(conn)
            .await?;
    numbers.sort_unstable();
    Ok(numbers)
}

/// Creates the demo teams unless teams with those names exist, and returns their ids in
/// `TEAMS` order.
#[tracing::instrument(skip_all)]
async fn ensure_teams(conn: &mut PgConnection) -> anyhow::Result<Vec<Uuid>> {
    let names: Vec<&str> = TEAMS.iter().map(|t| t.name).collect();
    sqlx::query("insert into teams (name) select unnest($1::text[]) on conflict do nothing")
        .bind(&names)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<(Uuid, String)> =
        sqlx::query_as("select id, lower(name) from teams where lower(name) = any($1)")
            .bind(names.iter().map(|n| n.to_lowercase()).collect::<Vec<_>>())
            .fetch_all(&mut *conn)
            .await?;
    TEAMS
        .iter()
        .map(|team| {
            rows.iter()
                .find(|(_, name)| *name == team.name.to_lowercase())
                .map(|(id, _)| *id)
                .with_context(|| format!("the team {} is missing", team.name))
        })
        .collect()
}

/// The active categories, in their display order.
#[tracing::instrument(skip_all)]
async fn read_categories(conn: &mut PgConnection) -> anyhow::Result<Vec<Category>> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "select id, lower(name) from categories where retired_at is null order by position, lower(name)",
    )
    .fetch_all(conn)
    .await?;
    if rows.is_empty() {
        anyhow::bail!("there are no active categories to file demo cases under: add one first");
    }
    Ok(rows
        .into_iter()
        .map(|(id, name)| Category {
            id,
            text: CATEGORY_TEXTS
                .iter()
                .find(|t| t.name == name)
                .unwrap_or(&GENERIC_CATEGORY),
        })
        .collect())
}

/// The settings the demo's history follows: the escalation clock's limits (one definition,
/// `escalation_limits()`) and the day weeks start.
async fn read_rules(conn: &mut PgConnection) -> anyhow::Result<Rules> {
    let limits: Vec<(String, i32)> =
        sqlx::query_as("select severity, days from escalation_limits()")
            .fetch_all(&mut *conn)
            .await?;
    let days = |severity: &str| {
        limits
            .iter()
            .find(|(s, _)| s == severity)
            .map(|(_, days)| i64::from(*days))
            .with_context(|| format!("no escalation limit for {severity} severity"))
    };
    let week_start: String =
        sqlx::query_scalar("select coalesce(max(week_start), 'monday') from organisation")
            .fetch_one(&mut *conn)
            .await?;
    Ok(Rules {
        quiet_days: [
            days("low")?,
            days("medium")?,
            days("high")?,
            days("critical")?,
        ],
        week_start: WeekStart::parse(&week_start).map_err(anyhow::Error::msg)?,
    })
}

/// Account names already in use (lowercased): demo names steer clear of them.
async fn read_account_names(conn: &mut PgConnection) -> sqlx::Result<HashSet<String>> {
    let names: Vec<String> = sqlx::query_scalar("select lower(name) from accounts")
        .fetch_all(conn)
        .await?;
    Ok(names.into_iter().collect())
}
