//! `mend demo`: fills a database with realistic, varied demo data — three teams and their people,
//! client accounts, and repair cases in every stage with their conversations, action items,
//! commitments, lessons, follow-up plans, check-ins and timelines — so Mend can be shown, tried
//! and measured at scale.
//!
//! The data is deterministic: the same seed gives the same rows in the same order (times are
//! relative to the moment of loading). Everything is generated in memory first, then written
//! with a few large `insert … select … from unnest(…)` statements per table, by two connections
//! in parallel. The demo admin is written last, so it marks a finished load: running again finds
//! it and adds nothing, and a load that stopped part-way is reported instead of doubled.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, SubsecRound, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::cadence::{self, Cadence, Reading};
use crate::domain::case::Channel;
use crate::domain::stage::{Outcome, Stage};

/// The password of every demo user.
pub const PASSWORD: &str = "mend-demo-password";

/// Demo users' e-mail addresses end in this.
pub const EMAIL_DOMAIN: &str = "demo.mend";

/// Rows per `insert` statement: large enough to be fast, small enough to keep each statement's
/// arrays and trigger work modest.
const ROWS_PER_STATEMENT: usize = 5_000;

/// Serialises concurrent `mend demo` runs on one database (an arbitrary, fixed key).
const ADVISORY_LOCK_KEY: i64 = 0x6d65_6e64_6465_6d6f;

/// Cases are spread over this many days before now.
const HISTORY_DAYS: i64 = 548;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

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
/// on foreign-key checks and the search triggers, one core per connection), so the load is a few
/// transactions rather than one. The admin user is written last, in the transaction that holds
/// the lock: it marks a finished load.
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
    let now = Utc::now().trunc_subsecs(0);
    let mut data = tokio::task::spawn_blocking(move || {
        generate(
            options,
            now,
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

    let timer = Instant::now();
    let (first, second) = data.cases.split_at(data.cases.len() / 2);
    tokio::try_join!(insert_cases(pool, first), insert_cases(pool, second))
        .context("inserting demo cases")?;
    log_step("cases", data.cases.len(), timer);
    tokio::try_join!(insert_talk(pool, &data), insert_work(pool, &data))?;
    escalate(&mut guard)
        .await
        .context("escalating demo cases")?;
    trust_loop(&mut guard)
        .await
        .context("marking demo commitments and lessons")?;

    insert_users(&mut guard, admin, &data)
        .await
        .context("inserting the demo admin")?;
    guard.commit().await?;
    // The search triggers leave one dead version of every case behind; clear them and refresh
    // the planner's statistics, or the first queries on fresh demo data plan for the wrong sizes.
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

/// What the escalation clock would have done to the demo's history: open cases quiet past
/// their severity's limit were escalated when they crossed it, and an incident logged within
/// 90 days of a restore on the same account was escalated at once and linked to that case.
/// (The scheduler then only tells managers of the escalations of the last week.)
#[tracing::instrument(skip_all)]
async fn escalate(conn: &mut PgConnection) -> sqlx::Result<()> {
    let timer = Instant::now();
    let repeats = sqlx::query(
        "with r as (
             select c.id,
                    (select p.id from cases p
                     where p.account_id = c.account_id and p.outcome = 'restored'
                       and p.closed_at < c.created_at
                       and p.closed_at > c.created_at - interval '90 days'
                     order by p.closed_at desc limit 1) as linked
             from cases c)
         update cases c set linked_case_id = r.linked, escalated_at = c.created_at,
                escalation_reason = 'repeat'
         from r where r.id = c.id and r.linked is not null",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let quiet = sqlx::query(
        "with limits as (
             select coalesce(max(escalate_critical_days), 2) as critical,
                    coalesce(max(escalate_high_days), 4) as high,
                    coalesce(max(escalate_medium_days), 7) as medium,
                    coalesce(max(escalate_low_days), 14) as low
             from organisation)
         update cases c
         set escalated_at = c.last_activity_at + make_interval(days => case c.severity
                 when 'critical' then l.critical when 'high' then l.high
                 when 'medium' then l.medium else l.low end),
             escalation_reason = 'quiet'
         from limits l
         where c.outcome = 'open'
           and c.last_activity_at + make_interval(days => case c.severity
                 when 'critical' then l.critical when 'high' then l.high
                 when 'medium' then l.medium else l.low end) < now()",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    tracing::info!(
        repeats,
        quiet,
        seconds = format!("{:.1}", timer.elapsed().as_secs_f64()),
        "escalated demo cases"
    );
    Ok(())
}

/// The commitment ledger and lessons that spread, on the demo's history: every commitment is
/// its case owner's; a restored case's commitments were marked kept at its last check-in; some
/// open cases' were marked slipping at theirs, or broken while the case was still being made
/// right; the five latest lessons for all clients of each team carry a checklist, done on most
/// of the team's accounts. The choices follow the rows' ids, which follow the seed.
#[tracing::instrument(skip_all)]
async fn trust_loop(conn: &mut PgConnection) -> sqlx::Result<()> {
    let timer = Instant::now();
    // A stable "random" number from 0 to 99 for an id.
    let pick = "(('x' || substr(md5(({id})::text), 1, 7))::bit(28)::int % 100)";
    let pick = |id: &str| pick.replace("{id}", id);
    // Five lessons a team with a checklist: enough to show, few enough that My work stays
    // short at any size.
    let sql = format!(
        "update commitments m set owner_id = c.owner_id from cases c
         where c.id = m.case_id and m.owner_id is null;

         with last as (
             select distinct on (k.case_id) k.case_id, k.id, k.completed_at, c.outcome, c.owner_id
             from check_ins k join cases c on c.id = k.case_id
             where k.status = 'done' and k.completed_at > (select min(created_at) from commitments)
             order by k.case_id, k.completed_at desc),
         marked as (
             select m.id as commitment_id, l.case_id, l.id as check_in_id, l.owner_id, l.completed_at,
                    case when l.outcome = 'restored' then 'kept' else 'slipping' end as state
             from commitments m join last l on l.case_id = m.case_id
             where m.removed_at is null and m.created_at < l.completed_at
               and (l.outcome = 'restored' or (l.outcome = 'open' and {open_pick} < 15))),
         inserted as (
             insert into commitment_marks (commitment_id, case_id, check_in_id, state, marked_by, marked_at)
             select commitment_id, case_id, check_in_id, state, owner_id, completed_at from marked
             returning commitment_id, state, marked_at)
         update commitments m set state = i.state, state_at = i.marked_at
         from inserted i where i.commitment_id = m.id;

         with broken as (
             select distinct on (c.id) m.id, m.text, c.id as case_id, c.owner_id,
                    least(m.created_at + interval '2 days', c.last_activity_at) as at
             from cases c join commitments m on m.case_id = c.id and m.removed_at is null
             where c.outcome = 'open' and c.stage = 'making_it_right' and {case_pick} < 20
             order by c.id, m.created_at),
         marks as (
             insert into commitment_marks (commitment_id, case_id, state, marked_by, marked_at)
             select id, case_id, 'broken', owner_id, at from broken
             returning commitment_id),
         events as (
             insert into case_events (case_id, actor_id, kind, summary, data, created_at)
             select case_id, owner_id, 'commitment', 'Commitment broken: ' || text,
                    jsonb_build_object('commitment', id, 'mark', 'broken'), at
             from broken)
         update commitments m set state = 'broken', state_at = b.at
         from broken b where b.id = m.id;

         with chosen as (
             select id from (
                 select l.id, row_number() over (partition by c.team_id
                                                 order by l.created_at desc, l.id) as rn
                 from lessons l join cases c on c.id = l.case_id
                 where l.applies_to_all and l.removed_at is null and c.outcome <> 'open'
                   and l.created_at < now() - interval '14 days') r
             where rn <= 5)
         update lessons l set reach = 'team', checklist = array[
                 'Walk the client through what we changed after this lesson',
                 'Check their account for the same risk and note what you found',
                 'Agree who on their side hears from us first if it happens again']
         from chosen where chosen.id = l.id;

         insert into lesson_rollouts (lesson_id, account_id, done_by, done_at)
         select l.id, a.id, a.manager_id,
                least(l.created_at + make_interval(days => 1 + {rollout_pick} % 20), now())
         from lessons l join cases c on c.id = l.case_id
         join accounts a on a.team_id = c.team_id and a.id <> c.account_id
         where cardinality(l.checklist) > 0 and {rollout_pick} < 70;",
        open_pick = pick("l.id"),
        case_pick = pick("c.id"),
        rollout_pick = pick("l.id::text || a.id::text"),
    );
    // One statement at a time: several in one string would need the simple protocol.
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    tracing::info!(
        seconds = format!("{:.1}", timer.elapsed().as_secs_f64()),
        "marked demo commitments and spread demo lessons"
    );
    Ok(())
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

/// An active category and the texts its cases are written from.
#[derive(Debug, Clone)]
struct Category {
    id: Uuid,
    text: &'static CategoryText,
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

/// Account names already in use (lowercased): demo names steer clear of them.
async fn read_account_names(conn: &mut PgConnection) -> sqlx::Result<HashSet<String>> {
    let names: Vec<String> = sqlx::query_scalar("select lower(name) from accounts")
        .fetch_all(conn)
        .await?;
    Ok(names.into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// The rows, as generated.

struct UserRow {
    id: Uuid,
    email: String,
    name: &'static str,
    role: &'static str,
    team: Option<usize>,
    time_zone: &'static str,
}

struct AccountRow {
    id: Uuid,
    name: String,
    team: usize,
    manager_id: Uuid,
    annual_value_minor: i64,
    tier: &'static str,
    contact_first: &'static str,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    notes: &'static str,
    created_at: DateTime<Utc>,
}

struct CaseRow {
    id: Uuid,
    /// Assigned from the sequence just before writing.
    number: i64,
    account_id: Uuid,
    team_id: Uuid,
    owner_id: Uuid,
    title: String,
    what_happened: String,
    category_id: Uuid,
    severity: &'static str,
    detected_by: &'static str,
    occurred_at: DateTime<Utc>,
    detected_at: DateTime<Utc>,
    value_at_risk_minor: Option<i64>,
    stage: &'static str,
    outcome: &'static str,
    root_cause: &'static str,
    our_share: Option<&'static str>,
    other_side_view: &'static str,
    relationship_value: Option<&'static str>,
    decision: Option<&'static str>,
    reparation_what: &'static str,
    reparation_cost_minor: Option<i64>,
    reparation_none_reason: &'static str,
    let_go: &'static str,
    let_go_reason: &'static str,
    let_go_requested_by: Option<Uuid>,
    let_go_requested_at: Option<DateTime<Utc>>,
    let_go_decided_by: Option<Uuid>,
    let_go_decided_at: Option<DateTime<Utc>>,
    version: i32,
    created_at: DateTime<Utc>,
    last_activity_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    /// Filled by [`derive_case_facts`] once every row of the case exists.
    derived: Derived,
}

/// What a case derives from its rows. The database's triggers keep these for every other
/// writer; a bulk load asks them to step aside (`mend.bulk_load`, migration 20261128000004) and
/// writes them itself, as [`derive_case_facts`] computes them. The demo's tests compare them with
/// what the database computes from the rows.
#[derive(Debug, Clone, Default)]
struct Derived {
    /// The texts the search vector reads besides the title and what happened.
    lessons_text: String,
    conversations_text: String,
    first_contact_at: Option<DateTime<Utc>>,
    /// Sentiments of conversations and done check-ins, as `{1,-2}` (oldest first).
    mood: String,
    fixed_at: Option<DateTime<Utc>>,
    open_action_due: Option<NaiveDate>,
    conversations: i32,
    non_email: i32,
    actions: i32,
    commitments: i32,
    lessons: i32,
    sentiment_check_ins: i32,
    has_plan: bool,
}

struct EventRow {
    case_id: Uuid,
    /// `None`: Mend itself (the scheduler, an adaptive plan).
    actor_id: Option<Uuid>,
    kind: &'static str,
    summary: String,
    data: String,
    created_at: DateTime<Utc>,
}

struct ConversationRow {
    id: Uuid,
    case_id: Uuid,
    channel: &'static str,
    with_whom: String,
    happened_at: DateTime<Utc>,
    summary: String,
    sentiment: i16,
    listened_fully: bool,
    validated_feelings: bool,
    took_responsibility: bool,
    asked_what_differently: bool,
    created_by: Uuid,
    created_at: DateTime<Utc>,
}

struct ActionItemRow {
    id: Uuid,
    case_id: Uuid,
    what: String,
    owner_id: Uuid,
    due_date: NaiveDate,
    done_at: Option<DateTime<Utc>>,
    created_by: Uuid,
    created_at: DateTime<Utc>,
}

/// A commitment or a lesson: both are a text on a case.
struct NoteRow {
    id: Uuid,
    case_id: Uuid,
    text: &'static str,
    applies_to_all: bool,
    created_by: Uuid,
    created_at: DateTime<Utc>,
}

struct FollowUpPlanRow {
    id: Uuid,
    case_id: Uuid,
    cadence: &'static str,
    every_days: Option<i32>,
    first_due: NaiveDate,
    /// Also who made the plan.
    assignee_id: Uuid,
    end_after: Option<i32>,
    created_at: DateTime<Utc>,
    adaptive: bool,
    base_seq: i32,
    good_streak: i32,
}

struct CheckInRow {
    id: Uuid,
    case_id: Uuid,
    plan_id: Uuid,
    seq: i32,
    due_date: NaiveDate,
    assignee_id: Uuid,
    status: &'static str,
    completed_at: Option<DateTime<Utc>>,
    channel: Option<&'static str>,
    summary: String,
    sentiment: Option<i16>,
    next_step: String,
    skip_reason: String,
    created_at: DateTime<Utc>,
    client_words: &'static str,
}

/// Everything `mend demo` writes.
#[derive(Default)]
struct Dataset {
    users: Vec<UserRow>,
    accounts: Vec<AccountRow>,
    cases: Vec<CaseRow>,
    events: Vec<EventRow>,
    conversations: Vec<ConversationRow>,
    action_items: Vec<ActionItemRow>,
    commitments: Vec<NoteRow>,
    lessons: Vec<NoteRow>,
    follow_up_plans: Vec<FollowUpPlanRow>,
    check_ins: Vec<CheckInRow>,
    team_ids: Vec<Uuid>,
    password_hash: String,
}

impl Dataset {
    fn counts(&self) -> Counts {
        Counts {
            teams: self.team_ids.len(),
            users: self.users.len(),
            accounts: self.accounts.len(),
            cases: self.cases.len(),
            events: self.events.len(),
            conversations: self.conversations.len(),
            action_items: self.action_items.len(),
            commitments: self.commitments.len(),
            lessons: self.lessons.len(),
            follow_up_plans: self.follow_up_plans.len(),
            check_ins: self.check_ins.len(),
        }
    }

    fn demo_users(&self) -> Vec<DemoUser> {
        self.users
            .iter()
            .map(|u| DemoUser {
                email: u.email.clone(),
                name: u.name,
                role: u.role,
                team: u.team.map(|t| TEAMS[t].name),
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Generating.

/// Where a case ends up: still open in a stage, or closed with an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
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
struct CaseSpec {
    account: usize,
    age: i64,
}

/// Makes all the rows. Pure apart from the clock reading passed in as `now`.
#[tracing::instrument(skip_all)]
fn generate(
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
    let mut cases = CaseMaker {
        rng: &mut rng,
        now,
        categories,
        staff: &staff,
        data: &mut data,
    };
    for (spec, plan) in specs.iter().zip(plans) {
        cases.make(*spec, plan);
    }
    // Timeline ids follow time, across cases as well as within each case.
    data.events.sort_by_key(|e| e.created_at);
    derive_case_facts(&mut data);
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
struct Staff {
    manager: Uuid,
    account_managers: Vec<Uuid>,
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

/// Writes one case and everything on it into the dataset.
struct CaseMaker<'a> {
    rng: &'a mut StdRng,
    now: DateTime<Utc>,
    categories: &'a [Category],
    staff: &'a [Staff],
    data: &'a mut Dataset,
}

/// Typical time a case spends in each stage before it moves on, in hours (detected to
/// following up).
const STAGE_HOURS: [(i64, i64); 5] = [(1, 72), (12, 120), (24, 240), (72, 480), (336, 1440)];

impl CaseMaker<'_> {
    fn make(&mut self, spec: CaseSpec, plan: Plan) {
        let rng = &mut *self.rng;
        let now = self.now;
        let staff_all: &[Staff] = self.staff;
        let account = &self.data.accounts[spec.account];
        let (account_id, team, owner, tier, annual_value_minor) = (
            account.id,
            account.team,
            account.manager_id,
            account.tier,
            account.annual_value_minor,
        );
        let contact = account.contact_first;
        let contact_name = account.contact_name.clone();
        let team_id = self.data.team_ids[team];
        let staff = &staff_all[team];
        let case_id = uuid(rng);

        // Detected: what, when, who noticed, how bad.
        let created = now - TimeDelta::seconds(spec.age);
        let category = {
            let weights: Vec<(usize, u32)> = self
                .categories
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.text.weight))
                .collect();
            &self.categories[weighted(rng, &weights)]
        };
        let text = category.text;
        let severity = weighted(
            rng,
            &[("low", 30), ("medium", 40), ("high", 22), ("critical", 8)],
        );
        // The team gets better with Mend: recent incidents are noticed by us first more often,
        // and clients are a little less angry when we reach out.
        let recency = 1.0 - spec.age as f64 / (HISTORY_DAYS * DAY) as f64;
        let by_us = rng.random_bool((0.33 + 0.24 * recency).clamp(0.0, 1.0));
        let logging_delay = if by_us { 12 * HOUR } else { 36 * HOUR };
        let detected = created - TimeDelta::seconds(rng.random_range(0..logging_delay));
        let occurred = detected
            - TimeDelta::seconds(if by_us {
                rng.random_range(10 * MINUTE..48 * HOUR)
            } else {
                rng.random_range(2 * HOUR..14 * DAY)
            });
        let details = Details::new(rng, contact, occurred);
        let (title, first_sentence) = pick(rng, text.incidents);
        let title = capitalised(&details.fill(title));
        let what_happened = {
            let mut sentences = vec![capitalised(&details.fill(first_sentence))];
            if rng.random_bool(0.6) {
                sentences.push(details.fill_one(rng, IMPACTS));
            }
            if rng.random_bool(0.5) {
                let pool = if by_us { FOUND_BY_US } else { FOUND_BY_CLIENT };
                sentences.push(details.fill_one(rng, pool));
            }
            sentences.join(" ")
        };

        // How far the case got, and how it ended.
        let outcome = match plan {
            Plan::Open(_) => Outcome::Open,
            Plan::Restored => Outcome::Restored,
            Plan::Lost => Outcome::Lost,
            Plan::LetGo => Outcome::LetGo,
        };
        let reached = match plan {
            Plan::Open(stage) => stage,
            Plan::Restored => Stage::FollowingUp,
            Plan::LetGo => Stage::Assessing,
            Plan::Lost => weighted(
                rng,
                &[
                    (Stage::Assessing, 10),
                    (Stage::ReachingOut, 25),
                    (Stage::MakingItRight, 35),
                    (Stage::FollowingUp, 30),
                ],
            ),
        };
        let r = usize::from(reached.number() - 1);
        let let_go_requested =
            plan == Plan::LetGo || (plan == Plan::Open(Stage::Assessing) && rng.random_bool(0.25));

        // Moments: each stage move, then the let-go request and decision or the close.
        let mut gaps: Vec<i64> = (0..r)
            .map(|i| rng.random_range(STAGE_HOURS[i].0 * HOUR..STAGE_HOURS[i].1 * HOUR))
            .collect();
        if let_go_requested {
            gaps.push(rng.random_range(12 * HOUR..120 * HOUR));
        }
        match outcome {
            Outcome::Open => {}
            Outcome::Restored => {
                gaps.push(rng.random_range(STAGE_HOURS[4].0 * HOUR..STAGE_HOURS[4].1 * HOUR))
            }
            Outcome::Lost => gaps.push(rng.random_range(24 * HOUR..720 * HOUR)),
            Outcome::LetGo => gaps.push(rng.random_range(2 * HOUR..72 * HOUR)),
        }
        let budget = (spec.age - MINUTE) as f64
            * if outcome == Outcome::Open {
                rng.random_range(0.3..0.9)
            } else {
                rng.random_range(0.6..0.98)
            };
        let total = gaps.iter().sum::<i64>().max(1) as f64;
        // Squeeze a journey into a young case; stretch a short one a little in an old case.
        let scale = if total > budget {
            budget / total
        } else {
            (budget / total).min(2.5)
        };
        let mut moments = Vec::with_capacity(gaps.len());
        let mut at = created;
        for gap in gaps {
            at += TimeDelta::seconds(((gap as f64 * scale) as i64).max(1));
            moments.push(at);
        }
        // Following up: the plan's rhythm decides when an open case entered the stage and when
        // a restored one closed, so their check-ins fit.
        let zone = crate::domain::case::time_zone(TEAMS[team].time_zone);
        let follow_up = if reached == Stage::FollowingUp {
            place_follow_up(rng, outcome, created, now, zone, &mut moments)
        } else {
            None
        };
        let stage_at = |i: usize| if i == 0 { created } else { moments[i - 1] };
        let closed_at = (outcome != Outcome::Open).then(|| moments[moments.len() - 1]);
        let let_go_requested_at = let_go_requested.then(|| moments[r]);
        let end = closed_at.unwrap_or(now);
        // When the case left stage `i` (or now, or when it closed).
        let stage_end = |i: usize| {
            if i < r {
                moments[i]
            } else {
                let_go_requested_at.unwrap_or(end)
            }
        };

        // Assessing: root cause, our share, value at risk, decision.
        let assessed = r >= 2 || let_go_requested;
        let partly = |rng: &mut StdRng, p: f64| assessed || (r == 1 && rng.random_bool(p));
        let severity_share = match severity {
            "low" => (0.02, 0.10),
            "medium" => (0.05, 0.25),
            "high" => (0.15, 0.60),
            _ => (0.40, 1.00),
        };
        let value_at_risk =
            (assessed || rng.random_bool(if r == 1 { 0.7 } else { 0.25 })).then(|| {
                let share = rng.random_range(severity_share.0..severity_share.1);
                let euros = ((annual_value_minor as f64 / 100.0 * share / 100.0).round() * 100.0)
                    .max(500.0) as i64;
                euros * 100
            });
        let root_cause = if partly(rng, 0.6) {
            pick(rng, text.root_causes)
        } else {
            ""
        };
        let our_share = partly(rng, 0.6)
            .then(|| weighted(rng, &[("none", 5), ("some", 35), ("most", 35), ("all", 25)]));
        let other_side_view = if partly(rng, 0.4) && rng.random_bool(0.85) {
            pick(rng, OTHER_SIDE_VIEWS)
        } else {
            ""
        };
        let relationship_value = partly(rng, 0.5).then(|| match tier {
            "strategic" => "high",
            "key" => weighted(rng, &[("high", 60), ("medium", 40)]),
            _ => weighted(rng, &[("medium", 60), ("low", 40)]),
        });
        let decision = if let_go_requested {
            Some("let_go")
        } else if assessed || (r == 1 && rng.random_bool(0.3)) {
            Some("repair")
        } else {
            None
        };
        let what_happened = if r == 0 && rng.random_bool(0.15) {
            String::new()
        } else {
            what_happened
        };

        // Conversations: first contact when reaching out, check-ins while following up.
        // (when it happened, the latest it can have been logged: before the case moved on)
        let mut talks: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        let window = |rng: &mut StdRng, i: usize, n: usize, talks: &mut Vec<_>| {
            let (from, to) = (stage_at(i), stage_end(i) - TimeDelta::seconds(MINUTE));
            for _ in 0..n {
                // Early in the stage: people call soon after they decide to reach out.
                let u: f64 = rng.random();
                let span = (to - from).num_seconds().max(0) as f64;
                let at = from + TimeDelta::seconds((u * u * span) as i64);
                talks.push((at, to.max(from)));
            }
        };
        if let_go_requested && rng.random_bool(0.4) {
            window(rng, 1, 1, &mut talks);
        }
        if r >= 3 {
            let n = if rng.random_bool(0.7) { 1 } else { 2 };
            window(rng, 2, n, &mut talks);
            let n = usize::from(rng.random_bool(0.3));
            window(rng, 3, n, &mut talks);
        } else if r == 2 && rng.random_bool(0.5) {
            window(rng, 2, 1, &mut talks);
        }
        if r == 4 {
            let n = match outcome {
                Outcome::Restored => rng.random_range(1..=3),
                _ => rng.random_range(0..=2),
            };
            window(rng, 4, n, &mut talks);
        }
        talks.sort();
        let email_only = rng.random_bool(0.12);
        let mut sentiment: i16 = match severity {
            "critical" => -2,
            "high" => weighted(rng, &[(-2, 60), (-1, 40)]),
            "medium" => weighted(rng, &[(-2, 20), (-1, 60), (0, 20)]),
            _ => weighted(rng, &[(-1, 50), (0, 50)]),
        };
        if rng.random_bool((0.3 * recency).clamp(0.0, 1.0)) {
            sentiment += 1;
        }
        let talk_count = talks.len();
        // The timeline, in the words the case page itself writes (src/db/cases.rs).
        let mut events = vec![event(
            case_id,
            owner,
            "created",
            format!("Logged the incident \u{201c}{title}\u{201d}"),
            "{}".into(),
            created,
        )];
        let assessment = [
            ("root cause", root_cause.to_string()),
            ("our share", our_share.unwrap_or_default().to_string()),
            ("the client's view", other_side_view.to_string()),
            (
                "relationship value",
                relationship_value.unwrap_or_default().to_string(),
            ),
            (
                "value at risk",
                value_at_risk
                    .map(crate::domain::money::format_input)
                    .unwrap_or_default(),
            ),
            ("decision", decision.unwrap_or_default().to_string()),
        ];
        // Saved while assessing (a case still in Detected may carry a first guess at the value
        // at risk, entered with the incident).
        if let Some((names, data)) = changes(&assessment).filter(|_| r >= 1) {
            events.push(event(
                case_id,
                owner,
                "assessment",
                format!("Assessment: changed {names}"),
                data,
                between(rng, stage_at(1), stage_end(1) - TimeDelta::seconds(MINUTE)),
            ));
        }
        for (k, (happened_at, log_by)) in talks.into_iter().enumerate() {
            let first = k == 0;
            if !first {
                sentiment = if outcome == Outcome::Lost {
                    (sentiment + weighted(rng, &[(-1, 25), (0, 50), (1, 25)])).clamp(-2, 0)
                } else {
                    (sentiment + weighted(rng, &[(0, 30), (1, 50), (2, 20)])).min(2)
                };
            }
            if outcome == Outcome::Restored && k + 1 == talk_count {
                sentiment = sentiment.max(1);
            }
            let channel = if email_only {
                "email"
            } else if first {
                weighted(
                    rng,
                    &[
                        ("phone", 45),
                        ("in_person", 25),
                        ("video", 20),
                        ("email", 10),
                    ],
                )
            } else {
                weighted(
                    rng,
                    &[
                        ("phone", 40),
                        ("video", 25),
                        ("email", 15),
                        ("chat", 10),
                        ("in_person", 10),
                    ],
                )
            };
            let openings = opening_lines(channel, first);
            let summary = format!(
                "{} {}",
                details.fill_one(rng, openings),
                pick(rng, sentiment_lines(sentiment))
            );
            let with_whom = if rng.random_bool(0.85) {
                contact_name.clone()
            } else {
                format!("{contact_name} and {}", pick(rng, OTHER_PEOPLE))
            };
            // Logged a little after it happened, before the case moved on.
            let created_at = (happened_at
                + TimeDelta::seconds(rng.random_range(5 * MINUTE..6 * HOUR)))
            .min(log_by)
            .max(happened_at);
            let p = if first {
                [0.8, 0.7, 0.85, 0.6]
            } else {
                [0.7, 0.5, 0.4, 0.3]
            };
            events.push(event(
                case_id,
                owner,
                "conversation",
                format!(
                    "Logged a conversation {} with {with_whom}",
                    channel_how(channel)
                ),
                format!(r#"{{"sentiment":{sentiment}}}"#),
                created_at,
            ));
            self.data.conversations.push(ConversationRow {
                id: uuid(rng),
                case_id,
                channel,
                with_whom,
                happened_at,
                summary,
                sentiment,
                listened_fully: rng.random_bool(p[0]),
                validated_feelings: rng.random_bool(p[1]),
                took_responsibility: rng.random_bool(p[2]),
                asked_what_differently: rng.random_bool(p[3]),
                created_by: owner,
                created_at,
            });
        }

        // Making it right: action items, the reparation, commitments.
        if r >= 3 {
            let (from, to) = (stage_at(3), stage_end(3) - TimeDelta::seconds(MINUTE));
            let items = if r >= 4 {
                rng.random_range(1..=3)
            } else {
                rng.random_range(0..=2)
            };
            let done_chance = match (outcome, r) {
                (Outcome::Restored, _) => 1.0,
                (Outcome::Lost, _) => 0.5,
                (_, 4) => 0.85,
                _ => 0.3,
            };
            for _ in 0..items {
                let created_at = between(rng, from, to);
                let owner_id = match rng.random_range(0..20) {
                    0..15 => owner,
                    15..18 => {
                        staff.account_managers[rng.random_range(0..staff.account_managers.len())]
                    }
                    _ => staff.manager,
                };
                let due = created_at + TimeDelta::days(rng.random_range(3..=21));
                let done_at = rng
                    .random_bool(done_chance)
                    .then(|| between(rng, created_at, end));
                let what = details.fill_one(rng, text.actions);
                let owner_name = self
                    .data
                    .users
                    .iter()
                    .find(|u| u.id == owner_id)
                    .map_or("", |u| u.name);
                events.push(event(
                    case_id,
                    owner,
                    "action",
                    format!("Added an action for {owner_name}: {what}"),
                    "{}".into(),
                    created_at,
                ));
                if let Some(done_at) = done_at {
                    events.push(event(
                        case_id,
                        owner_id,
                        "action",
                        format!("Done: {what}"),
                        "{}".into(),
                        done_at,
                    ));
                }
                self.data.action_items.push(ActionItemRow {
                    id: uuid(rng),
                    case_id,
                    what,
                    owner_id,
                    due_date: due.date_naive(),
                    done_at,
                    created_by: owner,
                    created_at,
                });
            }
            let commitments = if r >= 4 {
                rng.random_range(1..=2)
            } else {
                usize::from(rng.random_bool(0.5))
            };
            for _ in 0..commitments {
                let created_at = between(rng, from, to);
                let commitment = pick(rng, text.commitments);
                events.push(event(
                    case_id,
                    owner,
                    "commitment",
                    format!("Committed: {commitment}"),
                    "{}".into(),
                    created_at,
                ));
                self.data.commitments.push(NoteRow {
                    id: uuid(rng),
                    case_id,
                    text: commitment,
                    applies_to_all: false,
                    created_by: owner,
                    created_at,
                });
            }
        }
        let (reparation_what, reparation_cost_minor, reparation_none_reason) =
            if r >= 4 || (r == 3 && rng.random_bool(0.4)) {
                if rng.random_bool(0.75) {
                    let basis = value_at_risk.unwrap_or(annual_value_minor / 10) as f64;
                    let cost = ((basis * rng.random_range(0.01..0.08) / 5_000.0).round() * 5_000.0)
                        .max(10_000.0) as i64;
                    (pick(rng, REPARATIONS), Some(cost), "")
                } else {
                    ("", None, pick(rng, NO_REPARATION_REASONS))
                }
            } else {
                ("", None, "")
            };
        if !reparation_what.is_empty() || !reparation_none_reason.is_empty() {
            let summary = if reparation_what.is_empty() {
                format!("Recorded no reparation: {reparation_none_reason}")
            } else {
                format!("Recorded the reparation: {reparation_what}")
            };
            let fields = [
                ("reparation", reparation_what.to_string()),
                (
                    "cost",
                    reparation_cost_minor
                        .map(crate::domain::money::format_input)
                        .unwrap_or_default(),
                ),
                ("why none", reparation_none_reason.to_string()),
            ];
            if let Some((_, data)) = changes(&fields) {
                events.push(event(
                    case_id,
                    owner,
                    "reparation",
                    summary,
                    data,
                    between(rng, stage_at(3), stage_end(3) - TimeDelta::seconds(MINUTE)),
                ));
            }
        }

        // Every stage move, the let-go request and decision, the close.
        for i in 1..=r {
            let (from, to) = (Stage::ALL[i - 1], Stage::ALL[i]);
            events.push(event(
                case_id,
                owner,
                "stage",
                format!("Moved from {} to {}", from.label(), to.label()),
                format!(r#"{{"to":"{to}","outcome":"open","reason":null}}"#),
                stage_at(i),
            ));
        }
        let let_go_reason = if let_go_requested {
            pick(rng, LET_GO_REASONS)
        } else {
            ""
        };
        if let Some(at) = let_go_requested_at {
            events.push(event(
                case_id,
                owner,
                "let_go",
                format!("Asked a manager to approve letting go: {let_go_reason}"),
                "{}".into(),
                at,
            ));
        }
        if let Some(at) = closed_at {
            let from = match plan {
                Plan::LetGo => let_go_requested_at.unwrap_or(at),
                _ => stage_at(r),
            };
            let lessons = if plan == Plan::LetGo {
                1
            } else {
                rng.random_range(1..=2)
            };
            for _ in 0..lessons {
                let pool = if rng.random_bool(0.6) {
                    text.lessons
                } else {
                    GENERAL_LESSONS
                };
                let created_at = between(
                    rng,
                    from.max(at - TimeDelta::seconds(3 * HOUR)),
                    at - TimeDelta::seconds(MINUTE),
                );
                let lesson = pick(rng, pool);
                events.push(event(
                    case_id,
                    owner,
                    "lesson",
                    format!("Learned: {lesson}"),
                    "{}".into(),
                    created_at,
                ));
                self.data.lessons.push(NoteRow {
                    id: uuid(rng),
                    case_id,
                    text: lesson,
                    applies_to_all: rng.random_bool(0.3),
                    created_by: owner,
                    created_at,
                });
            }
            let actor = if plan == Plan::LetGo {
                events.push(event(
                    case_id,
                    staff.manager,
                    "let_go",
                    "Approved letting go".into(),
                    r#"{"decision":"approved"}"#.into(),
                    at,
                ));
                staff.manager
            } else {
                owner
            };
            events.push(event(
                case_id,
                actor,
                "stage",
                format!("Closed: {}", outcome.label()),
                format!(r#"{{"to":"closed","outcome":"{outcome}","reason":null}}"#),
                at,
            ));
        }
        if let Some(follow_up) = follow_up {
            let owner_name = self
                .data
                .users
                .iter()
                .find(|u| u.id == owner)
                .map_or("", |u| u.name);
            follow_up.write(
                rng,
                FollowUpCase {
                    id: case_id,
                    owner,
                    owner_name,
                    outcome,
                    details: &details,
                },
                &mut events,
                &mut self.data.follow_up_plans,
                &mut self.data.check_ins,
            );
        }
        let last_activity_at = events
            .iter()
            .map(|e| e.created_at)
            .max()
            .unwrap_or(created)
            .min(now);
        // Every change after logging the incident bumped the version (optimistic locking).
        let version = i32::try_from(events.len()).unwrap_or(i32::MAX);
        self.data.events.extend(events);

        let stage = if outcome == Outcome::Open {
            reached
        } else {
            Stage::Closed
        };
        let case = CaseRow {
            id: case_id,
            number: 0,
            account_id,
            team_id,
            owner_id: owner,
            title,
            what_happened,
            category_id: category.id,
            severity,
            detected_by: if by_us { "us" } else { "client" },
            occurred_at: occurred,
            detected_at: detected,
            value_at_risk_minor: value_at_risk,
            stage: stage.as_str(),
            outcome: outcome.as_str(),
            root_cause,
            our_share,
            other_side_view,
            relationship_value,
            decision,
            reparation_what,
            reparation_cost_minor,
            reparation_none_reason,
            let_go: match (plan, let_go_requested) {
                (Plan::LetGo, _) => "approved",
                (_, true) => "requested",
                _ => "none",
            },
            let_go_reason,
            let_go_requested_by: let_go_requested.then_some(owner),
            let_go_requested_at,
            let_go_decided_by: (plan == Plan::LetGo).then_some(staff.manager),
            let_go_decided_at: if plan == Plan::LetGo { closed_at } else { None },
            version,
            created_at: created,
            last_activity_at,
            closed_at,
            derived: Derived::default(),
        };
        self.data.cases.push(case);
    }
}

/// Fills each case's [`Derived`] from its rows, as the database's triggers would (the tests in
/// `tests/cli/demo.rs` hold the two to the same result): rows are never removed in the demo,
/// and every plan is in force.
fn derive_case_facts(data: &mut Dataset) {
    let index: HashMap<Uuid, usize> = data
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    // Per case: (when, created, sentiment) of each conversation and done check-in.
    type Mood = Vec<(DateTime<Utc>, DateTime<Utc>, i16)>;
    let mut moods: Vec<Mood> = vec![Vec::new(); data.cases.len()];
    let mut all_done = vec![true; data.cases.len()];
    let mut last_done: Vec<Option<DateTime<Utc>>> = vec![None; data.cases.len()];
    let at = |case_id: Uuid| index.get(&case_id).copied();
    let join = |text: &mut String, more: &str| {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(more);
    };
    for v in &data.conversations {
        let Some(i) = at(v.case_id) else { continue };
        let d = &mut data.cases[i].derived;
        join(&mut d.conversations_text, &v.summary);
        d.first_contact_at = Some(
            d.first_contact_at
                .map_or(v.happened_at, |t| t.min(v.happened_at)),
        );
        d.conversations += 1;
        d.non_email += i32::from(v.channel != "email");
        moods[i].push((v.happened_at, v.created_at, v.sentiment));
    }
    for a in &data.action_items {
        let Some(i) = at(a.case_id) else { continue };
        let d = &mut data.cases[i].derived;
        d.actions += 1;
        match a.done_at {
            Some(done) => last_done[i] = Some(last_done[i].map_or(done, |t| t.max(done))),
            None => {
                all_done[i] = false;
                d.open_action_due =
                    Some(d.open_action_due.map_or(a.due_date, |t| t.min(a.due_date)));
            }
        }
    }
    for l in &data.lessons {
        let Some(i) = at(l.case_id) else { continue };
        let d = &mut data.cases[i].derived;
        join(&mut d.lessons_text, l.text);
        d.lessons += 1;
    }
    for m in &data.commitments {
        if let Some(i) = at(m.case_id) {
            data.cases[i].derived.commitments += 1;
        }
    }
    for p in &data.follow_up_plans {
        if let Some(i) = at(p.case_id) {
            data.cases[i].derived.has_plan = true;
        }
    }
    for c in &data.check_ins {
        let (Some(i), "done", Some(sentiment)) = (at(c.case_id), c.status, c.sentiment) else {
            continue;
        };
        data.cases[i].derived.sentiment_check_ins += 1;
        // PostgreSQL sorts a missing time last.
        let completed = c.completed_at.unwrap_or(DateTime::<Utc>::MAX_UTC);
        moods[i].push((completed, c.created_at, sentiment));
    }
    for (i, case) in data.cases.iter_mut().enumerate() {
        let d = &mut case.derived;
        if d.actions > 0 && all_done[i] {
            d.fixed_at = last_done[i];
        }
        moods[i].sort_by_key(|(at, created, _)| (*at, *created));
        let values: Vec<String> = moods[i].iter().map(|(_, _, s)| s.to_string()).collect();
        d.mood = format!("{{{}}}", values.join(","));
    }
}

fn event(
    case_id: Uuid,
    actor_id: Uuid,
    kind: &'static str,
    summary: String,
    data: String,
    created_at: DateTime<Utc>,
) -> EventRow {
    EventRow {
        case_id,
        actor_id: Some(actor_id),
        kind,
        summary,
        data,
        created_at,
    }
}

/// The fields set (from empty) by an edit, as the case page records them: their names for the
/// summary, and the event data `{"changes": [{"field", "from", "to"}]}`. `None` when nothing
/// was set.
fn changes(fields: &[(&str, String)]) -> Option<(String, String)> {
    let set: Vec<&(&str, String)> = fields.iter().filter(|(_, v)| !v.is_empty()).collect();
    if set.is_empty() {
        return None;
    }
    let names: Vec<&str> = set.iter().map(|(field, _)| *field).collect();
    let changes: Vec<serde_json::Value> = set
        .iter()
        .map(|(field, to)| serde_json::json!({"field": field, "from": "", "to": to}))
        .collect();
    Some((
        names.join(", "),
        serde_json::json!({ "changes": changes }).to_string(),
    ))
}

/// A random (version 4) id drawn from the seeded generator, so ids are deterministic too.
fn uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random::<u128>().to_le_bytes()).into_uuid()
}

/// One of `items`; the lists are non-empty constants.
fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// One of `items`, each as likely as its weight; the lists are non-empty.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
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
fn between(rng: &mut StdRng, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_seconds();
    if span <= 0 {
        from
    } else {
        from + TimeDelta::seconds(rng.random_range(0..=span))
    }
}

/// The details one case's texts share, so its title, story, actions and conversations agree.
struct Details {
    contact: &'static str,
    deliverable: &'static str,
    project: &'static str,
    report: &'static str,
    month: &'static str,
    quarter: &'static str,
    weekday: &'static str,
    days: String,
    weeks: String,
}

impl Details {
    /// Details for an incident that happened at `occurred`: months and quarters lie just before it.
    fn new(rng: &mut StdRng, contact: &'static str, occurred: DateTime<Utc>) -> Details {
        let month0 = occurred.month0() as usize;
        Details {
            contact,
            deliverable: pick(rng, DELIVERABLES),
            project: pick(rng, PROJECTS),
            report: pick(rng, REPORTS),
            month: MONTHS[(month0 + 12 - rng.random_range(0..=2)) % 12],
            quarter: ["Q4", "Q1", "Q2", "Q3"][month0 / 3],
            weekday: pick(
                rng,
                &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            ),
            days: rng.random_range(2..=14).to_string(),
            weeks: rng.random_range(2..=6).to_string(),
        }
    }

    /// `template` with its `{placeholders}` filled in.
    fn fill(&self, template: &str) -> String {
        if !template.contains('{') {
            return template.to_string();
        }
        template
            .replace("{contact}", self.contact)
            .replace("{deliverable}", self.deliverable)
            .replace("{project}", self.project)
            .replace("{report}", self.report)
            .replace("{month}", self.month)
            .replace("{quarter}", self.quarter)
            .replace("{weekday}", self.weekday)
            .replace("{n}", &self.days)
            .replace("{weeks}", &self.weeks)
    }

    /// One of `templates`, filled in.
    fn fill_one(&self, rng: &mut StdRng, templates: &[&str]) -> String {
        self.fill(pick(rng, templates))
    }
}

/// `text` with its first letter in upper case (templates may start with a placeholder).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a conversation was had, as the case page writes it in the timeline ("by phone").
fn channel_how(channel: &str) -> &'static str {
    match channel {
        "in_person" => "in person",
        "phone" => "by phone",
        "video" => "by video call",
        "email" => "by e-mail",
        _ => "by chat",
    }
}

fn opening_lines(channel: &str, first: bool) -> &'static [&'static str] {
    match (channel, first) {
        ("in_person", true) => &[
            "Visited {contact} at their office to apologise in person.",
            "Met {contact} near their office and went through what happened, step by step.",
        ],
        ("phone", true) => &[
            "Called {contact} and let them tell the whole story without interrupting.",
            "Phoned {contact} the same afternoon and apologised for our part.",
            "Called {contact}, listened first, then asked what we could have done differently.",
        ],
        ("video", true) => &[
            "Video call with {contact} and their team lead.",
            "Set up a video call with {contact} to walk through what went wrong.",
        ],
        ("email", true) => &[
            "E-mailed {contact} an apology and our plan to fix it.",
            "Wrote to {contact} explaining what happened and what we are doing about it.",
        ],
        (_, true) => &["Messaged {contact} to acknowledge the problem and ask for a call."],
        ("in_person", false) => &["Dropped by {contact}'s office to check that the fix holds."],
        ("phone", false) => &[
            "Check-in call with {contact}.",
            "Called {contact} to hear how things have gone since the fix.",
        ],
        ("video", false) => &["Video check-in with {contact}."],
        ("email", false) => &["Sent {contact} a short update and asked how things are going."],
        _ => &["Quick chat with {contact} about the latest delivery."],
    }
}

fn sentiment_lines(sentiment: i16) -> &'static [&'static str] {
    match sentiment {
        i16::MIN..=-2 => &[
            "They are still angry and said they are looking at other suppliers.",
            "Very frustrated: this is not the first time.",
        ],
        -1 => &[
            "Still disappointed, but willing to give us the chance to fix it.",
            "Cool and guarded; they want to see results, not words.",
        ],
        0 => &[
            "Neutral: they accepted the plan and will judge us on delivery.",
            "Calmer now; they appreciated hearing it from us directly.",
        ],
        1 => &[
            "Positive: they noticed the improvement.",
            "Friendly; they thanked us for following up.",
        ],
        _ => &[
            "Very positive: they said the relationship feels stronger than before.",
            "Happy again, and they mentioned a new project for us.",
        ],
    }
}

/// How a check-in went, by channel: the first half of its summary.
fn check_in_openings(channel: Channel) -> &'static [&'static str] {
    match channel {
        Channel::InPerson => &[
            "Visited {contact} at their office.",
            "Met {contact} for coffee near their office.",
            "Stopped by after the {weekday} meeting with {contact}.",
        ],
        Channel::Phone => &[
            "Check-in call with {contact}.",
            "Called {contact} to hear how things are going.",
            "Phoned {contact} about {project}.",
            "Quick call with {contact} after the last delivery.",
        ],
        Channel::Video => &[
            "Video check-in with {contact}.",
            "Short video call with {contact} and their team lead.",
            "Went through {project} with {contact} on a video call.",
        ],
        Channel::Email => &[
            "E-mailed {contact} for an update.",
            "Asked {contact} by e-mail how {project} is going.",
        ],
        Channel::Chat => &[
            "Chatted with {contact} about the latest delivery.",
            "Messaged {contact} to ask how things are.",
        ],
    }
}

/// The client's mood at a check-in: the second half of its summary.
fn check_in_moods(sentiment: i16) -> &'static [&'static str] {
    match sentiment {
        i16::MIN..=-2 => &[
            "Still angry; they are talking to other suppliers.",
            "Another slip on {project} made things worse.",
            "They say nothing has really changed.",
        ],
        -1 => &[
            "Guarded: the fix has not convinced them yet.",
            "A small delay on {project} annoyed them again.",
            "Polite but cool; they are keeping score.",
        ],
        0 => &[
            "The fix holds; they are waiting to see more.",
            "Businesslike and calm, no complaints this time.",
            "No news is good news, they said.",
        ],
        1 => &[
            "The fix holds and they sound warmer.",
            "They noticed the improvement on {project}.",
            "Friendly; they say the new routine works.",
            "They thanked us for keeping in touch.",
        ],
        _ => &[
            "Relaxed and positive again.",
            "Happy with us again; they mentioned new work.",
            "They said we handled it well.",
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// Following up: a plan, its check-ins and their place in the case's time.

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
struct FollowUp {
    cadence: Cadence,
    adaptive: bool,
    end_after: Option<i32>,
    first_due: NaiveDate,
    planned_at: DateTime<Utc>,
    /// When check-ins 1, 2, … were settled, and whether each was skipped rather than done.
    settled: Vec<(DateTime<Utc>, bool)>,
    /// Whether the check-in after the settled ones is open (scheduled).
    open_next: bool,
}

/// Draws the follow-up plan of a case that reached Following up and places it in the case's
/// time: `moments` are its stage moves (the fourth entering Following up) and its close, which
/// may move so the check-ins fit. `None` when the case has no plan.
fn place_follow_up(
    rng: &mut StdRng,
    outcome: Outcome,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: Tz,
    moments: &mut [DateTime<Utc>],
) -> Option<FollowUp> {
    let mut draft = Draft::draw(rng);
    // Adaptive plans are shown on restored cases, whose check-ins bring trust back.
    draft.adaptive &= outcome == Outcome::Restored;
    match outcome {
        Outcome::Open => Some(place_open(rng, draft, created, now, zone, moments)),
        Outcome::Restored => Some(place_restored(rng, draft, created, now, zone, moments)),
        Outcome::Lost => place_lost(rng, draft, zone, moments),
        Outcome::LetGo => None,
    }
}

/// An open case: 0–3 check-ins done, then the next one open, overdue or due within two weeks.
/// The case entered Following up when the plan's rhythm says it did: later than drawn, it spent
/// longer making it right; earlier, all its stages were quicker.
fn place_open(
    rng: &mut StdRng,
    draft: Draft,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: Tz,
    moments: &mut [DateTime<Utc>],
) -> FollowUp {
    let want = weighted(rng, &[(0_usize, 20), (1, 30), (2, 30), (3, 20)])
        .min(draft.most().saturating_sub(1));
    let overdue = rng.random_bool(0.2);
    let overdue_days = rng.random_range(1..=10);
    let ahead: f64 = rng.random();
    let enter_secs = rng.random_range(8 * HOUR..18 * HOUR);
    let today = local_date(now, zone);
    let latest = now - TimeDelta::seconds(5 * MINUTE);
    let entered_before = moments[3];
    // The stages before may shrink, but not below a few days (nor below what they were).
    let earliest = created + (entered_before - created).min(TimeDelta::hours(109));
    let placed = (0..=want).rev().find_map(|n| {
        let lag = if overdue {
            -overdue_days
        } else {
            // The last one done is not in the future; a first one is due a few days after the plan.
            let room = if n == 0 {
                draft.lead
            } else {
                period_days(draft.cadence)
            }
            .min(14);
            (ahead * (room + 1) as f64) as i64
        };
        let first = back(today + TimeDelta::days(lag), draft.cadence, n);
        let entered = local_time(first - TimeDelta::days(draft.lead), enter_secs, zone)
            .min(now - TimeDelta::seconds(HOUR));
        (entered >= earliest).then_some((n, first, entered))
    });
    let (n, first, entered) = placed.unwrap_or_else(|| {
        let first = local_date(entered_before, zone) + TimeDelta::days(draft.lead);
        (0, first, entered_before)
    });
    let (planned, times) = draft.times(entered, first, n, zone, latest);
    let mut all = vec![planned];
    all.extend(times);
    if all.last().is_some_and(|&t| t > latest) {
        rescale(&mut all, entered, latest);
    }
    if entered > entered_before {
        moments[3] = entered;
    } else {
        rescale(moments, created, entered);
    }
    FollowUp {
        cadence: draft.cadence,
        adaptive: draft.adaptive,
        end_after: draft.end_after,
        first_due: first,
        planned_at: all[0],
        settled: all[1..].iter().map(|&t| (t, false)).collect(),
        open_next: true,
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
    })
}

/// The case a follow-up plan belongs to.
struct FollowUpCase<'a> {
    id: Uuid,
    owner: Uuid,
    owner_name: &'a str,
    outcome: Outcome,
    details: &'a Details,
}

impl FollowUp {
    /// The plan, its check-ins and their timeline events, in the words the case page writes
    /// (src/db/follow_ups.rs).
    fn write(
        self,
        rng: &mut StdRng,
        case: FollowUpCase<'_>,
        events: &mut Vec<EventRow>,
        plans: &mut Vec<FollowUpPlanRow>,
        check_ins: &mut Vec<CheckInRow>,
    ) {
        let plan_id = uuid(rng);
        let schedule = self.adaptive.then(|| adaptive_schedule(self.first_due));
        // An adaptive plan is stored as its last step left it (src/db/follow_ups.rs).
        let (cadence_name, every_days) = schedule
            .as_ref()
            .map_or(self.cadence, |a| a.cadence)
            .as_parts();
        plans.push(FollowUpPlanRow {
            id: plan_id,
            case_id: case.id,
            cadence: cadence_name,
            every_days,
            first_due: schedule.as_ref().map_or(self.first_due, |a| a.first_due),
            assignee_id: case.owner,
            end_after: self.end_after,
            created_at: self.planned_at,
            adaptive: self.adaptive,
            base_seq: schedule.as_ref().map_or(1, |a| a.base_seq),
            good_streak: schedule.as_ref().map_or(0, |a| a.streak),
        });
        let until = self
            .end_after
            .map(|n| format!(", {n} times"))
            .unwrap_or_else(|| ", until the case closes".into());
        let adapts = if self.adaptive {
            ", adapting to how they go"
        } else {
            ""
        };
        events.push(event(
            case.id,
            case.owner,
            "plan",
            format!(
                "Planned check-ins: {} from {} with {}{until}{adapts}",
                self.cadence.label().to_lowercase(),
                self.first_due.format("%-d %b %Y"),
                case.owner_name
            ),
            "{}".into(),
            self.planned_at,
        ));

        // The client's mood: rising to good when restored, sliding when lost.
        let mut mood: i16 = match case.outcome {
            Outcome::Restored => weighted(rng, &[(-1, 25), (0, 45), (1, 30)]),
            Outcome::Lost => weighted(rng, &[(-2, 30), (-1, 50), (0, 20)]),
            _ => weighted(rng, &[(-2, 10), (-1, 30), (0, 40), (1, 20)]),
        };
        let done = self.settled.iter().filter(|(_, skipped)| !skipped).count();
        let mut done_so_far = 0;
        let mut created_at = self.planned_at;
        let seqs = self.settled.len();
        for (k, &(at, skipped)) in self.settled.iter().enumerate() {
            let due_date = match &schedule {
                Some(a) => a.dues.get(k).copied().unwrap_or(self.first_due),
                None => due(self.first_due, self.cadence, k),
            };
            let mut row = CheckInRow {
                id: uuid(rng),
                case_id: case.id,
                plan_id,
                seq: i32::try_from(k + 1).unwrap_or(i32::MAX),
                due_date,
                assignee_id: case.owner,
                status: "skipped",
                completed_at: None,
                channel: None,
                summary: String::new(),
                sentiment: None,
                next_step: String::new(),
                skip_reason: String::new(),
                created_at,
                client_words: "",
            };
            let summary = if skipped {
                row.skip_reason = case.details.fill_one(rng, SKIP_REASONS);
                format!(
                    "Skipped the check-in due {}: {}",
                    due_date.format("%-d %b %Y"),
                    row.skip_reason
                )
            } else {
                if done_so_far > 0 {
                    mood = match case.outcome {
                        Outcome::Restored => (mood + weighted(rng, &[(0, 40), (1, 60)])).min(2),
                        Outcome::Lost => {
                            (mood + weighted(rng, &[(-1, 40), (0, 50), (1, 10)])).clamp(-2, 0)
                        }
                        _ => (mood + weighted(rng, &[(-1, 15), (0, 40), (1, 45)])).clamp(-2, 2),
                    };
                }
                done_so_far += 1;
                if case.outcome == Outcome::Restored && done_so_far == done {
                    mood = mood.max(1);
                }
                if self.adaptive {
                    mood = ADAPTIVE_MOODS.get(k).copied().unwrap_or(1);
                }
                if rng.random_bool(0.5) {
                    row.client_words = pick(rng, client_words(mood));
                }
                let channel = weighted(
                    rng,
                    &[
                        (Channel::Phone, 45),
                        (Channel::Video, 25),
                        (Channel::InPerson, 20),
                        (Channel::Email, 6),
                        (Channel::Chat, 4),
                    ],
                );
                let summary = format!(
                    "{} {}",
                    case.details.fill_one(rng, check_in_openings(channel)),
                    case.details.fill_one(rng, check_in_moods(mood))
                );
                if rng.random_bool(0.4) {
                    row.next_step = case.details.fill_one(rng, NEXT_STEPS);
                }
                let text = format!(
                    "Checked in ({}), client's mood {mood:+}: {}",
                    channel.label().to_lowercase(),
                    summary.chars().take(120).collect::<String>()
                );
                row.status = "done";
                row.completed_at = Some(at);
                row.channel = Some(channel.as_str());
                row.summary = summary;
                row.sentiment = Some(mood);
                text
            };
            events.push(event(
                case.id,
                case.owner,
                "check_in",
                summary,
                "{}".into(),
                at,
            ));
            check_ins.push(row);
            created_at = at;
            // The adaptive plan stepped after this check-in: Mend's own timeline event.
            if let Some((step, next_due)) = schedule
                .as_ref()
                .and_then(|a| a.steps.iter().find(|(i, _, _)| *i == k))
                .map(|(_, step, next)| (step, next))
            {
                events.push(EventRow {
                    case_id: case.id,
                    actor_id: None,
                    kind: "cadence",
                    summary: format!(
                        "{}; the next check-in is due {}",
                        step.summary(),
                        next_due.format("%-d %b %Y")
                    ),
                    data: serde_json::json!({
                        "from": step.from.as_parts().0,
                        "to": step.to.as_parts().0,
                        "reason": step.reason,
                    })
                    .to_string(),
                    created_at: at,
                });
            }
        }
        if self.open_next {
            check_ins.push(CheckInRow {
                id: uuid(rng),
                case_id: case.id,
                plan_id,
                seq: i32::try_from(seqs + 1).unwrap_or(i32::MAX),
                due_date: due(self.first_due, self.cadence, seqs),
                assignee_id: case.owner,
                status: "scheduled",
                completed_at: None,
                channel: None,
                summary: String::new(),
                sentiment: None,
                next_step: String::new(),
                skip_reason: String::new(),
                created_at,
                client_words: "",
            });
        }
    }
}

/// The readings of a demo adaptive plan's check-ins: a bad one, then trust coming back.
const ADAPTIVE_READINGS: [Reading; 5] = [
    Reading::Bad,
    Reading::Good,
    Reading::Good,
    Reading::Good,
    Reading::Good,
];
/// The client's mood at those check-ins.
const ADAPTIVE_MOODS: [i16; 5] = [0, 1, 2, 1, 2];

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

/// What a client says at a check-in, by mood.
fn client_words(mood: i16) -> &'static [&'static str] {
    match mood {
        i16::MIN..=-1 => &[
            "Honestly, we are still waiting for things to change.",
            "I have heard promises before.",
            "We are looking at other suppliers.",
        ],
        0 => &[
            "It is better, but I need to see it last.",
            "We will see next month.",
            "No complaints this week, no praise either.",
        ],
        _ => &[
            "This is what we expected from you from the start.",
            "Much better than last month.",
            "The team noticed the difference.",
            "We trust you again.",
        ],
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

// ---------------------------------------------------------------------------------------------
// Writing: one `insert … select … from unnest(…)` per table and batch.

/// The values of one column of `rows`, for binding as an array.
fn col<'r, R, T>(rows: &'r [R], f: impl Fn(&'r R) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

/// Conversations, action items, lessons, commitments, follow-up plans and check-ins: the rows
/// each case summarises (search text, first contact, fix time, mood, gate counts), which the
/// cases already carry (`derive_case_facts`), so the load asks the triggers that would
/// recompute them to step aside.
#[tracing::instrument(skip_all)]
async fn insert_talk(pool: &PgPool, data: &Dataset) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    bulk_load(&mut tx).await?;
    let timer = Instant::now();
    insert_conversations(&mut tx, &data.conversations)
        .await
        .context("inserting demo conversations")?;
    let timer = log_step("conversations", data.conversations.len(), timer);
    insert_action_items(&mut tx, &data.action_items)
        .await
        .context("inserting demo action items")?;
    let timer = log_step("action items", data.action_items.len(), timer);
    insert_notes(&mut tx, "lessons", &data.lessons)
        .await
        .context("inserting demo lessons")?;
    let timer = log_step("lessons", data.lessons.len(), timer);
    insert_notes(&mut tx, "commitments", &data.commitments)
        .await
        .context("inserting demo commitments")?;
    let timer = log_step("commitments", data.commitments.len(), timer);
    insert_follow_up_plans(&mut tx, &data.follow_up_plans)
        .await
        .context("inserting demo follow-up plans")?;
    let timer = log_step("follow-up plans", data.follow_up_plans.len(), timer);
    insert_check_ins(&mut tx, &data.check_ins)
        .await
        .context("inserting demo check-ins")?;
    log_step("check-ins", data.check_ins.len(), timer);
    tx.commit().await?;
    Ok(())
}

/// The timeline (no triggers: it can load beside the rest).
#[tracing::instrument(skip_all)]
async fn insert_work(pool: &PgPool, data: &Dataset) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    bulk_load(&mut tx).await?;
    let timer = Instant::now();
    insert_events(&mut tx, &data.events)
        .await
        .context("inserting demo case events")?;
    log_step("timeline events", data.events.len(), timer);
    tx.commit().await?;
    Ok(())
}

/// Logs how long writing one table took; returns the start of the next step.
fn log_step(table: &str, rows: usize, started: Instant) -> Instant {
    tracing::info!(
        rows,
        seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
        "inserted {table}"
    );
    Instant::now()
}

#[tracing::instrument(skip_all)]
async fn insert_users(
    conn: &mut PgConnection,
    rows: &[UserRow],
    data: &Dataset,
) -> sqlx::Result<()> {
    let team_ids: Vec<Option<Uuid>> = col(rows, |u| u.team.map(|t| data.team_ids[t]));
    sqlx::query(
        "insert into users (id, email, name, role, team_id, password_hash, time_zone)
         select id, email, name, role, team_id, $6, time_zone
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $7::text[])
             as t(id, email, name, role, team_id, time_zone)",
    )
    .bind(col(rows, |u| u.id))
    .bind(col(rows, |u| u.email.as_str()))
    .bind(col(rows, |u| u.name))
    .bind(col(rows, |u| u.role))
    .bind(team_ids)
    .bind(data.password_hash.as_str())
    .bind(col(rows, |u| u.time_zone))
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_accounts(conn: &mut PgConnection, data: &Dataset) -> sqlx::Result<()> {
    for rows in data.accounts.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into accounts (id, name, team_id, manager_id, annual_value_minor, currency, tier,
                 contact_name, contact_email, contact_phone, notes, created_at, updated_at)
             select id, name, team_id, manager_id, value, 'EUR', tier,
                 contact_name, contact_email, contact_phone, notes, created_at, created_at
             from unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::int8[], $6::text[],
                 $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
                 as t(id, name, team_id, manager_id, value, tier,
                      contact_name, contact_email, contact_phone, notes, created_at)",
        )
        .bind(col(rows, |a| a.id))
        .bind(col(rows, |a| a.name.as_str()))
        .bind(col(rows, |a| data.team_ids[a.team]))
        .bind(col(rows, |a| a.manager_id))
        .bind(col(rows, |a| a.annual_value_minor))
        .bind(col(rows, |a| a.tier))
        .bind(col(rows, |a| a.contact_name.as_str()))
        .bind(col(rows, |a| a.contact_email.as_str()))
        .bind(col(rows, |a| a.contact_phone.as_str()))
        .bind(col(rows, |a| a.notes))
        .bind(col(rows, |a| a.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_cases(pool: &PgPool, cases: &[CaseRow]) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    bulk_load(&mut tx).await?;
    for rows in cases.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into cases (id, number, account_id, team_id, owner_id, created_by, title,
                 what_happened,
                 category_id, severity, detected_by, occurred_at, detected_at, currency,
                 value_at_risk_minor, stage, outcome, root_cause, our_share, other_side_view,
                 relationship_value, decision, reparation_what, reparation_cost_minor,
                 reparation_none_reason, let_go, let_go_reason, let_go_requested_by,
                 let_go_requested_at, let_go_decided_by, let_go_decided_at, version, created_at,
                 updated_at, last_activity_at, closed_at, search, first_contact_at, mood,
                 fixed_at, open_action_due, conversation_count, non_email_count, action_count,
                 commitment_count, lesson_count, sentiment_check_in_count, has_plan)
             select id, number, account_id, team_id, owner_id, owner_id, title, what_happened,
                 category_id, severity, detected_by, occurred_at, detected_at, 'EUR',
                 value_at_risk, stage, outcome, root_cause, our_share, other_side_view,
                 relationship_value, decision, reparation_what, reparation_cost,
                 reparation_none_reason, let_go, let_go_reason, let_go_requested_by,
                 let_go_requested_at, let_go_decided_by, let_go_decided_at, version, created_at,
                 last_activity_at, last_activity_at, closed_at,
                 case_search_vector(title, what_happened, lessons_text, conversations_text),
                 first_contact_at, mood::smallint[], fixed_at, open_action_due,
                 conversation_count, non_email_count, action_count, commitment_count,
                 lesson_count, sentiment_check_in_count, has_plan
             from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[],
                 $7::uuid[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[],
                 $12::int8[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                 $18::text[], $19::text[], $20::text[], $21::int8[], $22::text[], $23::text[],
                 $24::text[], $25::uuid[], $26::timestamptz[], $27::uuid[], $28::timestamptz[],
                 $29::int4[], $30::timestamptz[], $31::timestamptz[], $32::timestamptz[],
                 $33::int8[], $34::text[], $35::text[], $36::timestamptz[], $37::text[],
                 $38::timestamptz[], $39::date[], $40::int4[], $41::int4[], $42::int4[],
                 $43::int4[], $44::int4[], $45::int4[], $46::bool[])
                 as t(id, account_id, team_id, owner_id, title, what_happened,
                      category_id, severity, detected_by, occurred_at, detected_at,
                      value_at_risk, stage, outcome, root_cause, our_share, other_side_view,
                      relationship_value, decision, reparation_what, reparation_cost,
                      reparation_none_reason, let_go, let_go_reason, let_go_requested_by,
                      let_go_requested_at, let_go_decided_by, let_go_decided_at, version,
                      created_at, last_activity_at, closed_at, number, lessons_text,
                      conversations_text, first_contact_at, mood, fixed_at, open_action_due,
                      conversation_count, non_email_count, action_count, commitment_count,
                      lesson_count, sentiment_check_in_count, has_plan)",
        )
        .bind(col(rows, |c| c.id))
        .bind(col(rows, |c| c.account_id))
        .bind(col(rows, |c| c.team_id))
        .bind(col(rows, |c| c.owner_id))
        .bind(col(rows, |c| c.title.as_str()))
        .bind(col(rows, |c| c.what_happened.as_str()))
        .bind(col(rows, |c| c.category_id))
        .bind(col(rows, |c| c.severity))
        .bind(col(rows, |c| c.detected_by))
        .bind(col(rows, |c| c.occurred_at))
        .bind(col(rows, |c| c.detected_at))
        .bind(col(rows, |c| c.value_at_risk_minor))
        .bind(col(rows, |c| c.stage))
        .bind(col(rows, |c| c.outcome))
        .bind(col(rows, |c| c.root_cause))
        .bind(col(rows, |c| c.our_share))
        .bind(col(rows, |c| c.other_side_view))
        .bind(col(rows, |c| c.relationship_value))
        .bind(col(rows, |c| c.decision))
        .bind(col(rows, |c| c.reparation_what))
        .bind(col(rows, |c| c.reparation_cost_minor))
        .bind(col(rows, |c| c.reparation_none_reason))
        .bind(col(rows, |c| c.let_go))
        .bind(col(rows, |c| c.let_go_reason))
        .bind(col(rows, |c| c.let_go_requested_by))
        .bind(col(rows, |c| c.let_go_requested_at))
        .bind(col(rows, |c| c.let_go_decided_by))
        .bind(col(rows, |c| c.let_go_decided_at))
        .bind(col(rows, |c| c.version))
        .bind(col(rows, |c| c.created_at))
        .bind(col(rows, |c| c.last_activity_at))
        .bind(col(rows, |c| c.closed_at))
        .bind(col(rows, |c| c.number))
        .bind(col(rows, |c| c.derived.lessons_text.as_str()))
        .bind(col(rows, |c| c.derived.conversations_text.as_str()))
        .bind(col(rows, |c| c.derived.first_contact_at))
        .bind(col(rows, |c| c.derived.mood.as_str()))
        .bind(col(rows, |c| c.derived.fixed_at))
        .bind(col(rows, |c| c.derived.open_action_due))
        .bind(col(rows, |c| c.derived.conversations))
        .bind(col(rows, |c| c.derived.non_email))
        .bind(col(rows, |c| c.derived.actions))
        .bind(col(rows, |c| c.derived.commitments))
        .bind(col(rows, |c| c.derived.lessons))
        .bind(col(rows, |c| c.derived.sentiment_check_ins))
        .bind(col(rows, |c| c.derived.has_plan))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Marks the transaction a bulk load: the triggers that keep what cases derive from their rows
/// step aside, because the loader writes those values itself (migration 20261128000004). As a
/// superuser (the embedded database), the load also skips the per-row foreign-key checks
/// (`session_replication_role`): the demo's rows refer to each other by construction, and the
/// demo's tests check that they do.
async fn bulk_load(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("set local mend.bulk_load = 'on'")
        .execute(&mut *conn)
        .await?;
    let superuser: bool = sqlx::query_scalar("select current_setting('is_superuser') = 'on'")
        .fetch_one(&mut *conn)
        .await?;
    if superuser {
        sqlx::query("set local session_replication_role = replica")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_conversations(
    conn: &mut PgConnection,
    conversations: &[ConversationRow],
) -> sqlx::Result<()> {
    for rows in conversations.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            // The case's team and owner, which the copy trigger would add (a bulk load).
            "insert into conversations (id, case_id, channel, with_whom, happened_at, summary,
                 sentiment, listened_fully, validated_feelings, took_responsibility,
                 asked_what_differently, created_by, created_at, team_id, owner_id)
             select t.*, c.team_id, c.owner_id
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[],
                 $5::timestamptz[], $6::text[], $7::int2[], $8::bool[], $9::bool[], $10::bool[],
                 $11::bool[], $12::uuid[], $13::timestamptz[])
                 as t(id, case_id, channel, with_whom, happened_at, summary, sentiment,
                      listened_fully, validated_feelings, took_responsibility,
                      asked_what_differently, created_by, created_at)
             join cases c on c.id = t.case_id",
        )
        .bind(col(rows, |c| c.id))
        .bind(col(rows, |c| c.case_id))
        .bind(col(rows, |c| c.channel))
        .bind(col(rows, |c| c.with_whom.as_str()))
        .bind(col(rows, |c| c.happened_at))
        .bind(col(rows, |c| c.summary.as_str()))
        .bind(col(rows, |c| c.sentiment))
        .bind(col(rows, |c| c.listened_fully))
        .bind(col(rows, |c| c.validated_feelings))
        .bind(col(rows, |c| c.took_responsibility))
        .bind(col(rows, |c| c.asked_what_differently))
        .bind(col(rows, |c| c.created_by))
        .bind(col(rows, |c| c.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_action_items(conn: &mut PgConnection, items: &[ActionItemRow]) -> sqlx::Result<()> {
    for rows in items.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into action_items (id, case_id, what, owner_id, due_date, done_at, created_by,
                 created_at)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::date[],
                 $6::timestamptz[], $7::uuid[], $8::timestamptz[])",
        )
        .bind(col(rows, |a| a.id))
        .bind(col(rows, |a| a.case_id))
        .bind(col(rows, |a| a.what.as_str()))
        .bind(col(rows, |a| a.owner_id))
        .bind(col(rows, |a| a.due_date))
        .bind(col(rows, |a| a.done_at))
        .bind(col(rows, |a| a.created_by))
        .bind(col(rows, |a| a.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Commitments or lessons; `table` is one of those two constant names, never input.
#[tracing::instrument(skip_all, fields(table = %table))]
async fn insert_notes(
    conn: &mut PgConnection,
    table: &'static str,
    notes: &[NoteRow],
) -> sqlx::Result<()> {
    let sql = match table {
        "lessons" => {
            "insert into lessons (id, case_id, text, applies_to_all, created_by, created_at)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::bool[], $5::uuid[],
                 $6::timestamptz[])"
        }
        _ => {
            "insert into commitments (id, case_id, text, created_by, created_at)
             select id, case_id, text, created_by, created_at
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::bool[], $5::uuid[],
                 $6::timestamptz[]) as t(id, case_id, text, applies_to_all, created_by, created_at)"
        }
    };
    for rows in notes.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(sql)
            .bind(col(rows, |n| n.id))
            .bind(col(rows, |n| n.case_id))
            .bind(col(rows, |n| n.text))
            .bind(col(rows, |n| n.applies_to_all))
            .bind(col(rows, |n| n.created_by))
            .bind(col(rows, |n| n.created_at))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_follow_up_plans(
    conn: &mut PgConnection,
    plans: &[FollowUpPlanRow],
) -> sqlx::Result<()> {
    for rows in plans.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into follow_up_plans (id, case_id, cadence, every_days, first_due, assignee_id,
                 end_after, created_by, created_at, adaptive, base_seq, good_streak)
             select id, case_id, cadence, every_days, first_due, assignee_id, end_after,
                 assignee_id, created_at, adaptive, base_seq, good_streak
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::int4[], $5::date[], $6::uuid[],
                 $7::int4[], $8::timestamptz[], $9::bool[], $10::int4[], $11::int4[])
                 as t(id, case_id, cadence, every_days, first_due, assignee_id, end_after,
                      created_at, adaptive, base_seq, good_streak)",
        )
        .bind(col(rows, |p| p.id))
        .bind(col(rows, |p| p.case_id))
        .bind(col(rows, |p| p.cadence))
        .bind(col(rows, |p| p.every_days))
        .bind(col(rows, |p| p.first_due))
        .bind(col(rows, |p| p.assignee_id))
        .bind(col(rows, |p| p.end_after))
        .bind(col(rows, |p| p.created_at))
        .bind(col(rows, |p| p.adaptive))
        .bind(col(rows, |p| p.base_seq))
        .bind(col(rows, |p| p.good_streak))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_check_ins(conn: &mut PgConnection, check_ins: &[CheckInRow]) -> sqlx::Result<()> {
    for rows in check_ins.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            // The case's team and openness, which the copy trigger would add (a bulk load).
            "insert into check_ins (id, case_id, plan_id, seq, due_date, assignee_id, status,
                 completed_at, channel, summary, sentiment, next_step, skip_reason, created_at,
                 client_words, team_id, case_open)
             select t.*, c.team_id, c.outcome = 'open'
             from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int4[], $5::date[],
                 $6::uuid[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::int2[],
                 $12::text[], $13::text[], $14::timestamptz[], $15::text[])
                 as t(id, case_id, plan_id, seq, due_date, assignee_id, status, completed_at,
                      channel, summary, sentiment, next_step, skip_reason, created_at,
                      client_words)
             join cases c on c.id = t.case_id",
        )
        .bind(col(rows, |c| c.id))
        .bind(col(rows, |c| c.case_id))
        .bind(col(rows, |c| c.plan_id))
        .bind(col(rows, |c| c.seq))
        .bind(col(rows, |c| c.due_date))
        .bind(col(rows, |c| c.assignee_id))
        .bind(col(rows, |c| c.status))
        .bind(col(rows, |c| c.completed_at))
        .bind(col(rows, |c| c.channel))
        .bind(col(rows, |c| c.summary.as_str()))
        .bind(col(rows, |c| c.sentiment))
        .bind(col(rows, |c| c.next_step.as_str()))
        .bind(col(rows, |c| c.skip_reason.as_str()))
        .bind(col(rows, |c| c.created_at))
        .bind(col(rows, |c| c.client_words))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_events(conn: &mut PgConnection, events: &[EventRow]) -> sqlx::Result<()> {
    for rows in events.chunks(ROWS_PER_STATEMENT * 2) {
        // Ordered, so event ids follow time.
        sqlx::query(
            "insert into case_events (case_id, actor_id, kind, summary, data, created_at)
             select case_id, actor_id, kind, summary, data::jsonb, created_at
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                 $6::timestamptz[]) with ordinality
                 as t(case_id, actor_id, kind, summary, data, created_at, ord)
             order by ord",
        )
        .bind(col(rows, |e| e.case_id))
        .bind(col(rows, |e| e.actor_id))
        .bind(col(rows, |e| e.kind))
        .bind(col(rows, |e| e.summary.as_str()))
        .bind(col(rows, |e| e.data.as_str()))
        .bind(col(rows, |e| e.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The words the demo is made of.

struct TeamSpec {
    name: &'static str,
    time_zone: &'static str,
    phone_prefix: &'static str,
    /// Relative share of the accounts.
    share: u32,
    /// Larger accounts.
    enterprise: bool,
    manager: &'static str,
    account_managers: [&'static str; 4],
}

const TEAMS: [TeamSpec; 3] = [
    TeamSpec {
        name: "North",
        time_zone: "Europe/Stockholm",
        phone_prefix: "+46 8",
        share: 38,
        enterprise: false,
        manager: "Nora Lindqvist",
        account_managers: ["Erik Holm", "Sanne de Vries", "Jonas Berg", "Ingrid Dahl"],
    },
    TeamSpec {
        name: "South",
        time_zone: "Europe/Madrid",
        phone_prefix: "+34 91",
        share: 38,
        enterprise: false,
        manager: "Marco Rossi",
        account_managers: [
            "Lucía Fernández",
            "Tiago Costa",
            "Chiara Bianchi",
            "Pablo Ortega",
        ],
    },
    TeamSpec {
        name: "Enterprise",
        time_zone: "Europe/London",
        phone_prefix: "+44 20",
        share: 24,
        enterprise: true,
        manager: "Helen Carter",
        account_managers: ["James Okafor", "Priya Shah", "Tom Becker", "Aisha Rahman"],
    },
];

const ADMIN_NAME: &str = "Dana Whitfield";

const NAME_PREFIXES: &[&str] = &[
    "Northwind",
    "Bluefin",
    "Cedar",
    "Harbor",
    "Granite",
    "Silverline",
    "Oakridge",
    "Redwood",
    "Lumen",
    "Brightwater",
    "Ironbridge",
    "Summit",
    "Kestrel",
    "Meridian",
    "Fjord",
    "Copperfield",
    "Willow",
    "Stonegate",
    "Aurora",
    "Pinecrest",
    "Seabright",
    "Highland",
    "Atlas",
    "Juniper",
    "Falcon",
    "Riverside",
    "Evergreen",
    "Crescent",
    "Vantage",
    "Marlow",
    "Beacon",
    "Alder",
    "Orchard",
    "Polaris",
    "Tidewater",
    "Hawthorn",
    "Larkspur",
    "Quarry",
    "Saltmarsh",
    "Westbrook",
];

const NAME_SUFFIXES: &[&str] = &[
    "Logistics",
    "Health",
    "Studios",
    "Foods",
    "Analytics",
    "Engineering",
    "Retail",
    "Pharma",
    "Energy",
    "Media",
    "Capital",
    "Robotics",
    "Textiles",
    "Dental",
    "Architects",
    "Legal",
    "Travel",
    "Hotels",
    "Software",
    "Insurance",
    "Bakeries",
    "Freight",
    "Labs",
    "Furniture",
    "Telecom",
    "Consulting",
    "Motors",
    "Clinics",
    "Publishing",
    "Outdoor",
];

const LEGAL_FORMS: &[&str] = &[
    "", "", "", "", "", "Ltd", "GmbH", "B.V.", "AB", "S.L.", "Oy", "AS", "Group", "& Co",
];

const FIRST_NAMES: &[&str] = &[
    "Anna", "Lars", "Sofia", "Jan", "Maria", "Peter", "Emma", "David", "Laura", "Thomas", "Julia",
    "Marco", "Elena", "Martin", "Sara", "Oliver", "Nina", "Daniel", "Clara", "Henrik", "Eva",
    "Jonas", "Lena", "Paul", "Ines", "Felix", "Hanna", "Victor", "Rosa", "Mats",
];

const LAST_NAMES: &[&str] = &[
    "Andersson",
    "Jansen",
    "Moreau",
    "Novak",
    "Garcia",
    "Schmidt",
    "Eriksen",
    "Rossi",
    "Murphy",
    "Keller",
    "Nilsson",
    "Dubois",
    "Kowalski",
    "Bakker",
    "Lopez",
    "Weber",
    "Hansen",
    "Costa",
    "Walsh",
    "Meyer",
    "Virtanen",
    "Silva",
    "Brandt",
    "Fischer",
    "Larsen",
    "Martin",
    "Vogel",
    "Peeters",
    "Horvat",
    "Ortiz",
];

const OTHER_PEOPLE: &[&str] = &[
    "their COO",
    "the finance lead",
    "the project sponsor",
    "their head of operations",
    "the purchasing manager",
];

const ACCOUNT_NOTES: &[&str] = &[
    "",
    "",
    "Renewal due in the spring.",
    "Prefers calls before 10:00.",
    "Procurement signs off everything above 10k.",
    "New CFO since last quarter.",
    "Long-standing client; introduced us to two others.",
    "Price-sensitive; compares us with two competitors every year.",
    "Weekly status call on Mondays.",
    "Expanding into two new countries this year.",
    "Reference customer for our case studies.",
];

const DELIVERABLES: &[&str] = &[
    "the audit pack",
    "the design mock-ups",
    "the data export",
    "the board presentation",
    "the test report",
    "the onboarding plan",
    "the pricing proposal",
    "the compliance review",
];

const PROJECTS: &[&str] = &[
    "the new portal",
    "the warehouse integration",
    "the CRM rollout",
    "the spring campaign",
    "the mobile app",
    "the payroll switch",
    "the office move",
    "the data migration",
];

const REPORTS: &[&str] = &["KPI report", "usage report", "stock report", "SLA report"];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The texts cases of one category are written from. Templates may use `{contact}` (the client
/// contact's first name), `{deliverable}`, `{project}`, `{report}`, `{month}`, `{quarter}`,
/// `{weekday}`, `{n}` (days) and `{weeks}`; one case fills them all the same way.
#[derive(Debug)]
struct CategoryText {
    /// The seeded category's name, lowercased.
    name: &'static str,
    /// How common the category is, relative to the others.
    weight: u32,
    /// A title and the first sentence of what happened, which belong together.
    incidents: &'static [(&'static str, &'static str)],
    root_causes: &'static [&'static str],
    actions: &'static [&'static str],
    commitments: &'static [&'static str],
    lessons: &'static [&'static str],
}

const CATEGORY_TEXTS: &[CategoryText] = &[
    CategoryText {
        name: "missed deadline",
        weight: 22,
        incidents: &[
            (
                "Missed the {quarter} report deadline",
                "The {quarter} report was due on the agreed date and reached {contact} {n} days later.",
            ),
            (
                "Delivered {deliverable} {n} days late",
                "We committed to {deliverable} by the agreed date and delivered it {n} days late, without warning.",
            ),
            (
                "Go-live of {project} slipped by {weeks} weeks",
                "The team underestimated the work on {project} and told the client only on the planned go-live day.",
            ),
            (
                "Monthly {report} not delivered on time",
                "The {month} {report} was ready but nobody sent it; {contact} had to ask for it.",
            ),
            (
                "Promised {deliverable} for Friday, delivered the next Wednesday",
                "Two people were out sick, the handover never happened and the Friday deadline for {deliverable} passed unnoticed.",
            ),
            (
                "Deadline for {project} missed without warning",
                "The milestone for {project} passed and the client heard nothing from us until they asked.",
            ),
        ],
        root_causes: &[
            "No shared calendar of client deadlines; each consultant tracked their own.",
            "The plan had no slack and nobody raised the risk when the scope grew.",
            "Handover between colleagues relied on memory instead of a checklist.",
        ],
        actions: &[
            "Deliver the missing work and walk {contact} through it",
            "Put every open client deadline into the team calendar",
            "Add a Monday deadline check to the team meeting",
            "Re-plan {project} with realistic dates and share the plan",
        ],
        commitments: &[
            "From now on we will confirm every deadline in writing and warn you a week ahead if it is at risk.",
            "From now on we will send you a short status note every Friday until delivery.",
        ],
        lessons: &[
            "Deadlines live in one shared calendar, not in people's heads.",
            "Warn the client as soon as a date is at risk, not on the day.",
        ],
    },
    CategoryText {
        name: "quality of work",
        weight: 20,
        incidents: &[
            (
                "Errors in {deliverable}",
                "The client found several errors in {deliverable} after sharing it with their board.",
            ),
            (
                "Bug in production after the {month} release",
                "The {month} release broke the export {contact}'s team relies on every morning.",
            ),
            (
                "{deliverable} had to be redone",
                "Part of {deliverable} did not meet the agreed standard and had to be redone.",
            ),
            (
                "Wrong figures in the {quarter} forecast",
                "The figures in our {quarter} forecast did not match the client's own books.",
            ),
            (
                "Translation of {deliverable} full of mistakes",
                "The translated version of {deliverable} was full of mistakes and could not be sent on.",
            ),
            (
                "Shipment for {project} arrived damaged",
                "Half of the equipment for {project} arrived damaged because it was packed without protection.",
            ),
        ],
        root_causes: &[
            "Nobody reviewed the work before it went out; the four-eyes check was skipped under time pressure.",
            "The test plan did not cover the client's way of using the feature.",
            "A junior colleague worked from an outdated template.",
        ],
        actions: &[
            "Correct {deliverable} and send it with a list of what changed",
            "Add a second reviewer for everything that goes to this client",
            "Extend the test plan with the client's daily routine",
            "Retire the outdated template",
        ],
        commitments: &[
            "From now on we will have a second person review everything before it reaches you.",
            "From now on we will test every release against your own daily routine first.",
        ],
        lessons: &[
            "A four-eyes check is cheapest exactly when we feel we have no time for it.",
            "Test against how the client really works, not how we think they work.",
        ],
    },
    CategoryText {
        name: "communication",
        weight: 16,
        incidents: &[
            (
                "Client not told about the delay of {project}",
                "{contact} learned about the delay of {project} from a supplier, not from us.",
            ),
            (
                "Change of account manager not announced",
                "We changed the client's account manager and nobody told {contact}.",
            ),
            (
                "Price change communicated by invoice only",
                "The new prices reached the client only through the {month} invoice.",
            ),
            (
                "Conflicting answers from support and sales",
                "Sales and support gave {contact} two different answers to the same question about {project}.",
            ),
            (
                "Client heard about the outage from their own customers",
                "Our service was down for a morning and the client heard about it from their own customers first.",
            ),
            (
                "Tone of our escalation e-mail upset {contact}",
                "A curt e-mail from our side about {project} landed badly with {contact}.",
            ),
        ],
        root_causes: &[
            "Nobody owned telling the client; everyone assumed someone else had.",
            "Sales and support do not share notes on open client questions.",
            "We wrote in a hurry and did not read it from the client's side.",
        ],
        actions: &[
            "Call {contact} to explain the change properly",
            "Name one person who owns client communication for this account",
            "Share open client questions between sales and support",
        ],
        commitments: &[
            "From now on we will tell you about any change that affects you before it happens.",
            "From now on you will have one contact person who answers all your questions.",
        ],
        lessons: &[
            "Every change that touches a client needs a named person to tell them.",
            "Read an escalation e-mail as the client before sending it, or call instead.",
        ],
    },
    CategoryText {
        name: "billing",
        weight: 12,
        incidents: &[
            (
                "Invoice sent twice",
                "The client was billed twice for {month} and their finance team noticed first.",
            ),
            (
                "Charged the old rate after the {month} renegotiation",
                "The invoice still used the rate from before the {month} renegotiation.",
            ),
            (
                "Credit note promised in {month} never issued",
                "The credit note we promised {contact} in {month} never went out, and they had to chase it.",
            ),
            (
                "Invoice addressed to the wrong entity",
                "Our invoice went to the client's old legal entity and was rejected by their accounts payable.",
            ),
            (
                "Unexpected overage charges on the {month} invoice",
                "The {month} invoice carried overage charges nobody had warned the client about.",
            ),
            (
                "Payment reminder sent although the invoice was paid",
                "A payment reminder went to {contact} for an invoice they had paid weeks before.",
            ),
        ],
        root_causes: &[
            "The new rate was agreed by e-mail and never entered into the billing system.",
            "Manual invoice runs without a duplicate check.",
            "Payments are matched to invoices only once a month.",
        ],
        actions: &[
            "Issue the credit note and confirm it to {contact}",
            "Check every open invoice of this client for the same error",
            "Add a duplicate check to the monthly invoice run",
        ],
        commitments: &[
            "From now on every agreed rate change will be confirmed to you in writing and checked on the next invoice.",
            "From now on we will check your invoices by hand before they go out, for the next six months.",
        ],
        lessons: &[
            "An agreement is not done until it is in the billing system.",
            "Reminders go out only after payments are matched.",
        ],
    },
    CategoryText {
        name: "staffing / no-show",
        weight: 10,
        incidents: &[
            (
                "Consultant did not show up for kickoff",
                "The client had gathered their team for the kickoff of {project} and nobody from our side turned up.",
            ),
            (
                "Engineer missed the on-site visit on {weekday}",
                "Our engineer did not arrive for the visit planned on {weekday}; {contact} waited all morning.",
            ),
            (
                "Trainer cancelled the workshop the evening before",
                "The workshop was cancelled the evening before, after the client had booked a room for twenty people.",
            ),
            (
                "Key consultant replaced mid-project without notice",
                "We moved the lead consultant off {project} without telling the client.",
            ),
            (
                "Nobody from our side joined the {month} steering meeting",
                "The {month} steering meeting for {project} went ahead without anyone from our side.",
            ),
            (
                "Junior staff sent to a senior-level assignment",
                "{contact} expected a senior specialist for {project} and got someone in their first month.",
            ),
        ],
        root_causes: &[
            "Calendar invitations were not forwarded when the assignment changed hands.",
            "Resourcing decisions were made without asking the account manager.",
            "No back-up was planned for a single-person dependency.",
        ],
        actions: &[
            "Reschedule the session at a time that suits {contact}",
            "Introduce the new consultant to {contact} in person",
            "Name a back-up for every client-facing session",
        ],
        commitments: &[
            "From now on we will confirm every visit the day before, and always have a back-up ready.",
            "From now on we will never change your team without talking to you first.",
        ],
        lessons: &[
            "Every client-facing appointment needs a named back-up.",
            "Staffing changes are client news: the account manager tells the client first.",
        ],
    },
    CategoryText {
        name: "lost or late reply",
        weight: 12,
        incidents: &[
            (
                "Support ticket unanswered for {n} days",
                "{contact} opened a support ticket and heard nothing for {n} days.",
            ),
            (
                "E-mail from {contact} about {project} lost in a shared inbox",
                "{contact}'s question about {project} sat in a shared inbox that nobody was watching.",
            ),
            (
                "Quote request answered after {weeks} weeks",
                "The client asked for a quote and got it {weeks} weeks later, after they had gone elsewhere for part of the work.",
            ),
            (
                "Urgent call-back never happened",
                "We promised {contact} a call back the same day and never called.",
            ),
            (
                "Contract question left open since {month}",
                "A question about the contract renewal has been open since {month}; {contact} asked three times.",
            ),
            (
                "Escalation e-mail went to a colleague on leave",
                "The client's escalation went to a colleague on holiday whose auto-reply named no stand-in.",
            ),
        ],
        root_causes: &[
            "The shared inbox has no owner and no rota.",
            "Out-of-office replies do not name a stand-in.",
            "Call-back promises are not tracked anywhere.",
        ],
        actions: &[
            "Answer every open question from {contact} today",
            "Set up a rota for the shared inbox",
            "Make stand-ins mandatory in out-of-office replies",
        ],
        commitments: &[
            "From now on we will answer every message from you within one working day.",
            "From now on you will get a direct number that always reaches someone on your account.",
        ],
        lessons: &[
            "A shared inbox without an owner is nobody's inbox.",
            "A promised call-back is a commitment: track it like one.",
        ],
    },
];

/// For "Other" and for categories an admin added.
const GENERIC_CATEGORY: CategoryText = CategoryText {
    name: "other",
    weight: 8,
    incidents: &[
        (
            "Client unhappy with the handover of {project}",
            "The handover of {project} was rushed and {contact}'s team was left with open questions.",
        ),
        (
            "Access badges for the client's team not ready",
            "The client's team arrived on {weekday} and waited an hour at reception for their badges.",
        ),
        (
            "Meeting room double-booked for the client's visit",
            "The room booked for {contact}'s visit was taken, and the meeting moved to the canteen.",
        ),
        (
            "Confidential file shared with the wrong contact",
            "We shared a draft of {deliverable} with the wrong person at the client.",
        ),
        (
            "Parking promised for the client's visit not arranged",
            "We promised {contact} parking for the visit and forgot to arrange it.",
        ),
    ],
    root_causes: &[
        "No checklist for preparing client visits.",
        "Nobody double-checked the recipient list.",
        "The handover between teams was done in a hurry.",
    ],
    actions: &[
        "Apologise to {contact} and sort it out in person",
        "Write a checklist for client visits",
        "Review who has access to the client's files",
    ],
    commitments: &[
        "From now on we will prepare every visit with a checklist and confirm the details with you.",
        "From now on we will double-check every recipient before sharing your documents.",
    ],
    lessons: &[
        "Small things matter most when trust is already thin.",
        "Checklists beat memory for anything we do only now and then.",
    ],
};

const IMPACTS: &[&str] = &[
    "{contact} had to explain it to their own management.",
    "It cost their team a day of extra work.",
    "{contact} called it the third time this year.",
    "No money was lost, but trust took a hit.",
    "{contact} said they are starting to wonder whether we still care about their account.",
    "It happened in their busiest week of the year.",
];

const FOUND_BY_US: &[&str] = &[
    "We noticed it ourselves in the weekly review and called the client first.",
    "Our own check caught it a day later, before the client said anything.",
];

const FOUND_BY_CLIENT: &[&str] = &[
    "The client noticed before we did and raised it with their account manager.",
    "We heard about it from the client's purchasing department.",
    "{contact} raised it, visibly annoyed, at the end of a status call.",
];

const OTHER_SIDE_VIEWS: &[&str] = &[
    "From their side it looked as if we simply did not care.",
    "They were under pressure from their own management and needed this on time.",
    "They feel they have to chase us for everything.",
    "They had already promised the date to their own customers.",
    "They are fair about it: they know mistakes happen, but not twice.",
];

const REPARATIONS: &[&str] = &[
    "A free extra workshop day for their team",
    "A credit of one month's service fee",
    "Redelivery at our cost, with express shipping",
    "Two days of senior consulting at no charge",
    "The set-up fee for their next project waived",
    "Priority support for three months at no extra cost",
];

const NO_REPARATION_REASONS: &[&str] = &[
    "The client asked for nothing beyond a proper fix.",
    "Our share was small; fixing it quickly is the right answer.",
    "The contract's service credits already cover it.",
];

const LET_GO_REASONS: &[&str] = &[
    "Third serious incident this year, and the account barely covers its cost.",
    "They want a service level we cannot offer at their price.",
    "The relationship has been unprofitable for two years; both sides are better off parting.",
    "They asked us to bend our compliance rules.",
];

const GENERAL_LESSONS: &[&str] = &[
    "Call the client the moment we know something is wrong; do not wait for them to find out.",
    "Pick up the phone for bad news: e-mail loses the tone.",
    "Agree up front what we offer and to what standard, and never over-promise.",
    "Follow up until the client says things are good again, not until we think so.",
    "Take the blame first; the details can be sorted out afterwards.",
    "Small reparations work better than big gestures: slightly better off, not rewarded for complaining.",
];

const SKIP_REASONS: &[&str] = &[
    "{contact} was on holiday.",
    "{contact} asked to move it to the next one.",
    "We met at the quarterly review that week instead.",
    "Their office was closed for a public holiday.",
    "{contact} did not answer and was off sick that week.",
];

const NEXT_STEPS: &[&str] = &[
    "Send {contact} the revised schedule for {project}.",
    "Invite {contact} to the quarterly review.",
    "Confirm the next delivery date in writing.",
    "Share the new escalation contacts with {contact}.",
    "Ask how the next delivery landed with their team.",
    "Book the next visit with {contact}.",
];
