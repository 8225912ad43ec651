//! Manager review: a team's open repairs, what is stuck, what waits for a manager, and each
//! account manager's load. Aggregates and page-sized lists only: a team may have thousands of
//! open cases.

use crate::domain::case::Severity;
use crate::domain::stage::Stage;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// An open case as the review lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewCase {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub account: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub stage: Stage,
    pub severity: Severity,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub value_at_risk_minor: Option<i64>,
    pub currency: String,
    pub version: i32,
    /// Escalated and not worked on since: why ("quiet" or "repeat").
    pub escalation: Option<String>,
    /// A let-go request's reason, and who asked.
    pub let_go_reason: String,
    pub let_go_requested_by: Option<String>,
    /// Whether the case has a lesson learned (approving a let-go needs one).
    pub has_lesson: bool,
}

/// Which open cases a section lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Every open case, least recently active first.
    All,
    /// No activity since `stuck_before`.
    Stuck,
    /// A let-go request waits for a manager.
    LetGo,
    /// High or critical severity.
    HighSeverity,
    /// Escalated, and nobody has worked on it since.
    Escalated,
}

/// Up to `limit` cases of `section` (after `offset`), least recently active first.
///
/// The page's cases are chosen from an index first (a covering one for every section but the
/// let-go requests, which have a small partial index of their own and a query that names it
/// plainly, so the planner uses it whatever the parameters), then read with their columns.
pub async fn cases(
    db: &sqlx::PgPool,
    team: Uuid,
    section: Section,
    stuck_before: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ReviewCase>> {
    let ids = if section == Section::Escalated {
        sqlx::query_scalar!(
            "select id from cases
             where team_id = $1 and outcome = 'open' and escalated_at >= last_activity_at
             order by last_activity_at, number limit $2 offset $3",
            team,
            limit,
            offset
        )
        .fetch_all(db)
        .await?
    } else if section == Section::LetGo {
        sqlx::query_scalar!(
            "select id from cases
             where team_id = $1 and outcome = 'open' and let_go = 'requested'
             order by last_activity_at, number limit $2 offset $3",
            team,
            limit,
            offset
        )
        .fetch_all(db)
        .await?
    } else {
        sqlx::query_scalar!(
            "select id from cases
             where team_id = $1 and outcome = 'open'
               and (not $2 or last_activity_at < $3)
               and (not $4 or severity in ('high', 'critical'))
             order by last_activity_at, number limit $5 offset $6",
            team,
            section == Section::Stuck,
            stuck_before,
            section == Section::HighSeverity,
            limit,
            offset
        )
        .fetch_all(db)
        .await?
    };
    sqlx::query_as!(
        ReviewCase,
        r#"select c.id, c.number, c.title, a.name as account, c.owner_id, o.name as owner_name,
                  c.stage as "stage: Stage", c.severity as "severity: Severity", c.created_at,
                  c.last_activity_at, c.value_at_risk_minor, c.currency, c.version,
                  case when c.escalated_at >= c.last_activity_at
                       then coalesce(c.escalation_reason, 'quiet') end as escalation,
                  c.let_go_reason, r.name as "let_go_requested_by?",
                  c.lesson_count > 0 as "has_lesson!"
           from cases c
           join accounts a on a.id = c.account_id join users o on o.id = c.owner_id
           left join users r on r.id = c.let_go_requested_by
           where c.id = any($1)
           order by c.last_activity_at, c.number"#,
        &ids
    )
    .fetch_all(db)
    .await
}

/// How many open cases each section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SectionCounts {
    pub all: i64,
    pub stuck: i64,
    pub let_go: i64,
    pub high: i64,
}

/// Every section's count, in one pass over the team's open cases (an index-only scan).
pub async fn section_counts(
    db: impl PgExecutor<'_>,
    team: Uuid,
    stuck_before: DateTime<Utc>,
) -> sqlx::Result<SectionCounts> {
    sqlx::query_as!(
        SectionCounts,
        r#"select count(*) as "all!",
                  count(*) filter (where c.last_activity_at < $2) as "stuck!",
                  count(*) filter (where c.let_go = 'requested') as "let_go!",
                  count(*) filter (where c.severity in ('high', 'critical')) as "high!"
           from cases c where c.team_id = $1 and c.outcome = 'open'"#,
        team,
        stuck_before
    )
    .fetch_one(db)
    .await
}

/// How many open cases of the team are escalated (a small partial index).
pub async fn escalated_count(db: impl PgExecutor<'_>, team: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from cases
           where team_id = $1 and outcome = 'open' and escalated_at >= last_activity_at"#,
        team
    )
    .fetch_one(db)
    .await
}

/// A missed check-in of the team, still open.
#[derive(Debug, Clone)]
pub struct MissedCheckIn {
    pub number: i64,
    pub title: String,
    pub account: String,
    pub assignee: String,
    pub due_date: NaiveDate,
}

/// The team's missed check-ins on open cases, oldest first, and how many there are.
pub async fn missed_check_ins(
    db: &sqlx::PgPool,
    team: Uuid,
    limit: i64,
) -> sqlx::Result<(Vec<MissedCheckIn>, i64)> {
    let rows = sqlx::query_as!(
        MissedCheckIn,
        "select k.number, k.title, a.name as account, u.name as assignee, c.due_date
         from check_ins c join cases k on k.id = c.case_id join accounts a on a.id = k.account_id
         join users u on u.id = c.assignee_id
         where c.team_id = $1 and c.status = 'missed' and c.case_open
         order by c.due_date, k.number limit $2",
        team,
        limit
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from check_ins c
           where c.team_id = $1 and c.status = 'missed' and c.case_open"#,
        team
    )
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}

/// One account manager's load.
#[derive(Debug, Clone)]
pub struct Load {
    pub user_id: Uuid,
    pub name: String,
    pub open_cases: i64,
    pub check_ins_this_week: i64,
    pub missed: i64,
}

/// Every active member of the team who carries cases (an account manager, or anyone who owns an
/// open case or has check-ins on one) with their open cases, check-ins due from `monday` to
/// `sunday`, and missed check-ins (all on open cases), in one query: each count is one grouped
/// pass over the team's rows, not a subquery per member, and check-ins know whether their case
/// is open (`check_ins.case_open`, kept by triggers).
pub async fn load(
    db: impl PgExecutor<'_>,
    team: Uuid,
    monday: NaiveDate,
    sunday: NaiveDate,
) -> sqlx::Result<Vec<Load>> {
    sqlx::query_as!(
        Load,
        r#"with open_cases as (
               select c.owner_id as who, count(*) as n from cases c
               where c.team_id = $1 and c.outcome = 'open' group by c.owner_id
           ),
           week as (
               select k.assignee_id as who, count(*) as n from check_ins k
               where k.team_id = $1 and k.due_date between $2 and $3 and k.case_open
               group by k.assignee_id
           ),
           missed as (
               select k.assignee_id as who, count(*) as n from check_ins k
               where k.team_id = $1 and k.status = 'missed' and k.case_open
               group by k.assignee_id
           )
           select u.id as user_id, u.name,
                  coalesce(o.n, 0) as "open_cases!",
                  coalesce(w.n, 0) as "check_ins_this_week!",
                  coalesce(m.n, 0) as "missed!"
           from users u
           left join open_cases o on o.who = u.id
           left join week w on w.who = u.id
           left join missed m on m.who = u.id
           where u.team_id = $1 and u.active
             and (u.role = 'account_manager' or o.n is not null or w.n is not null
                  or m.n is not null)
           order by lower(u.name)"#,
        team,
        monday,
        sunday
    )
    .fetch_all(db)
    .await
}

/// A team's name, if it exists.
pub async fn team_name(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("select name from teams where id = $1", id)
        .fetch_optional(db)
        .await
}

/// The first team by name (an admin without a team starts there).
pub async fn first_team(db: impl PgExecutor<'_>) -> sqlx::Result<Option<(Uuid, String)>> {
    let row = sqlx::query!("select id, name from teams order by lower(name) limit 1")
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| (r.id, r.name)))
}

/// The review's aggregates for a team: how many cases each section holds, and each person's
/// load (reused briefly between views: `crate::recent`).
#[derive(Debug, Clone)]
pub struct Numbers {
    pub counts: SectionCounts,
    pub escalated: i64,
    pub load: Vec<Load>,
}
