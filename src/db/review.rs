//! Manager review: a team's open repairs, what is stuck, what waits for a manager, and each
//! account manager's load. Aggregates and page-sized lists only: a team may have thousands of
//! open cases.

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
    pub stage: String,
    pub severity: String,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub value_at_risk_minor: Option<i64>,
    pub currency: String,
    pub version: i32,
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
}

/// Up to `limit` cases of `section` (after `offset`), and how many there are in all.
pub async fn cases(
    db: &sqlx::PgPool,
    team: Uuid,
    section: Section,
    stuck_before: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<ReviewCase>, i64)> {
    let (stuck, let_go, high) = (
        section == Section::Stuck,
        section == Section::LetGo,
        section == Section::HighSeverity,
    );
    let rows = sqlx::query_as!(
        ReviewCase,
        r#"select c.id, c.number, c.title, a.name as account, c.owner_id, o.name as owner_name,
                  c.stage, c.severity, c.created_at, c.last_activity_at, c.value_at_risk_minor,
                  c.currency, c.version
           from cases c join accounts a on a.id = c.account_id join users o on o.id = c.owner_id
           where c.team_id = $1 and c.outcome = 'open'
             and (not $2 or c.last_activity_at < $3)
             and (not $4 or c.let_go = 'requested')
             and (not $5 or c.severity in ('high', 'critical'))
           order by c.last_activity_at, c.number
           limit $6 offset $7"#,
        team,
        stuck,
        stuck_before,
        let_go,
        high,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from cases c
           where c.team_id = $1 and c.outcome = 'open'
             and (not $2 or c.last_activity_at < $3)
             and (not $4 or c.let_go = 'requested')
             and (not $5 or c.severity in ('high', 'critical'))"#,
        team,
        stuck,
        stuck_before,
        let_go,
        high
    )
    .fetch_one(db)
    .await?;
    Ok((rows, total))
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
         where k.team_id = $1 and k.outcome = 'open' and c.status = 'missed'
         order by c.due_date, k.number limit $2",
        team,
        limit
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from check_ins c join cases k on k.id = c.case_id
           where k.team_id = $1 and k.outcome = 'open' and c.status = 'missed'"#,
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

/// Every active member of the team with their open cases, check-ins due from `monday` to
/// `sunday`, and missed check-ins, in one query.
pub async fn load(
    db: impl PgExecutor<'_>,
    team: Uuid,
    monday: NaiveDate,
    sunday: NaiveDate,
) -> sqlx::Result<Vec<Load>> {
    sqlx::query_as!(
        Load,
        r#"select u.id as user_id, u.name,
                  (select count(*) from cases c where c.owner_id = u.id and c.outcome = 'open' and c.team_id = $1) as "open_cases!",
                  (select count(*) from check_ins k join cases c on c.id = k.case_id
                    where k.assignee_id = u.id and c.team_id = $1 and c.outcome = 'open'
                      and k.due_date between $2 and $3) as "check_ins_this_week!",
                  (select count(*) from check_ins k join cases c on c.id = k.case_id
                    where k.assignee_id = u.id and c.team_id = $1 and c.outcome = 'open'
                      and k.status = 'missed') as "missed!"
           from users u where u.team_id = $1 and u.active
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
