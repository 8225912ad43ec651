//! Manager review: a team's open repairs, what is stuck, what waits for a manager, and each
//! account manager's load. Aggregates and page-sized lists only: a team may have thousands of
//! open cases.

use crate::domain::case::Severity;
use crate::domain::stage::Stage;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Why an open case needs a manager: the triage queue's reasons, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Escalated (quiet past its severity's limit, or a repeat), and not worked on since.
    Escalated,
    /// A let-go request waits for a manager's decision.
    LetGo,
    /// A commitment to the client is broken or slipping.
    Commitment,
    /// A check-in was missed.
    Missed,
    /// High or critical severity.
    High,
    /// No activity for the organisation's "stuck" days.
    Stuck,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Escalated,
        Reason::LetGo,
        Reason::Commitment,
        Reason::Missed,
        Reason::High,
        Reason::Stuck,
    ];

    /// The name in the review's address (`/review?reason=let-go`).
    pub fn slug(self) -> &'static str {
        match self {
            Reason::Escalated => "escalated",
            Reason::LetGo => "let-go",
            Reason::Commitment => "commitment",
            Reason::Missed => "missed-check-in",
            Reason::High => "high-severity",
            Reason::Stuck => "stuck",
        }
    }

    pub fn parse(slug: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.slug() == slug)
    }
}

/// Which open cases the queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    /// Every case with at least one reason (the queue's default).
    #[default]
    Attention,
    /// The cases with this reason.
    Only(Reason),
    /// Every open case of the team.
    All,
}

impl Filter {
    pub fn parse(slug: &str) -> Filter {
        match slug.trim() {
            "all" => Filter::All,
            other => Reason::parse(other).map_or(Filter::Attention, Filter::Only),
        }
    }

    /// The name in the address; empty for the default.
    pub fn slug(self) -> &'static str {
        match self {
            Filter::Attention => "",
            Filter::Only(r) => r.slug(),
            Filter::All => "all",
        }
    }
}

/// How many open cases the queue holds under each filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueCounts {
    pub all: i64,
    pub attention: i64,
    pub escalated: i64,
    pub let_go: i64,
    pub commitment: i64,
    pub missed: i64,
    pub high: i64,
    pub stuck: i64,
}

impl QueueCounts {
    pub fn of(&self, filter: Filter) -> i64 {
        match filter {
            Filter::Attention => self.attention,
            Filter::All => self.all,
            Filter::Only(Reason::Escalated) => self.escalated,
            Filter::Only(Reason::LetGo) => self.let_go,
            Filter::Only(Reason::Commitment) => self.commitment,
            Filter::Only(Reason::Missed) => self.missed,
            Filter::Only(Reason::High) => self.high,
            Filter::Only(Reason::Stuck) => self.stuck,
        }
    }
}

/// One page of the queue: the cases' ids in order, and every filter's count.
pub struct QueuePage {
    pub ids: Vec<Uuid>,
    pub counts: QueueCounts,
}

/// A page of the team's triage queue under `filter`, most urgent first, with the counts.
///
/// Each open case of the team is read once (the review's covering index, with the escalated,
/// missed-check-in and troubled-commitment sets from their small partial indexes) and weighed:
/// escalated 8, a let-go request 6, a commitment broken or slipping 4, a missed check-in 3,
/// critical 3 or high 2, stuck 1; ties go to the case quiet longest. The counts and the page
/// come from the same pass.
pub async fn queue(
    db: impl PgExecutor<'_>,
    team: Uuid,
    filter: Filter,
    stuck_before: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<QueuePage> {
    let only = match filter {
        Filter::Only(r) => r.slug(),
        Filter::Attention => "attention",
        Filter::All => "all",
    };
    let rows = sqlx::query!(
        r#"with open_cases as (
               select c.id, c.number, c.last_activity_at, c.severity, c.let_go = 'requested' as let_go
               from cases c where c.team_id = $1 and c.outcome = 'open'
           ),
           escalated as (
               select c.id from cases c
               where c.team_id = $1 and c.outcome = 'open' and c.escalated_at >= c.last_activity_at
           ),
           missed as (
               select distinct k.case_id from check_ins k
               where k.team_id = $1 and k.case_open and k.status = 'missed'
           ),
           troubled as (
               select distinct m.case_id from commitments m join cases c on c.id = m.case_id
               where m.state in ('broken', 'slipping') and m.removed_at is null
                 and c.team_id = $1 and c.outcome = 'open'
           ),
           flagged as (
               select o.id, o.number, o.last_activity_at,
                      e.id is not null as escalated, o.let_go,
                      t.case_id is not null as commitment, m.case_id is not null as missed,
                      o.severity in ('high', 'critical') as high,
                      o.last_activity_at < $2 as stuck,
                      (case when e.id is not null then 8 else 0 end
                       + case when o.let_go then 6 else 0 end
                       + case when t.case_id is not null then 4 else 0 end
                       + case when m.case_id is not null then 3 else 0 end
                       + case o.severity when 'critical' then 3 when 'high' then 2 else 0 end
                       + case when o.last_activity_at < $2 then 1 else 0 end) as urgency
               from open_cases o
               left join escalated e on e.id = o.id
               left join missed m on m.case_id = o.id
               left join troubled t on t.case_id = o.id
           ),
           counts as (
               select count(*) as all_cases,
                      count(*) filter (where urgency > 0) as attention,
                      count(*) filter (where escalated) as escalated,
                      count(*) filter (where let_go) as let_go,
                      count(*) filter (where commitment) as commitment,
                      count(*) filter (where missed) as missed,
                      count(*) filter (where high) as high,
                      count(*) filter (where stuck) as stuck
               from flagged
           )
           select n.all_cases as "all_cases!", n.attention as "attention!",
                  n.escalated as "escalated!", n.let_go as "let_go!",
                  n.commitment as "commitment!", n.missed as "missed!", n.high as "high!",
                  n.stuck as "stuck!", p.id as "id?"
           from counts n
           left join lateral (
               select f.id from flagged f
               where case $3
                   when 'all' then true
                   when 'attention' then f.urgency > 0
                   when 'escalated' then f.escalated
                   when 'let-go' then f.let_go
                   when 'commitment' then f.commitment
                   when 'missed-check-in' then f.missed
                   when 'high-severity' then f.high
                   when 'stuck' then f.stuck
                   else false end
               order by f.urgency desc, f.last_activity_at, f.number
               limit $4 offset $5
           ) p on true"#,
        team,
        stuck_before,
        only,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    let counts = rows
        .first()
        .map_or_else(QueueCounts::default, |r| QueueCounts {
            all: r.all_cases,
            attention: r.attention,
            escalated: r.escalated,
            let_go: r.let_go,
            commitment: r.commitment,
            missed: r.missed,
            high: r.high,
            stuck: r.stuck,
        });
    Ok(QueuePage {
        ids: rows.into_iter().filter_map(|r| r.id).collect(),
        counts,
    })
}

/// An open case as the review lists it, with the facts behind its reasons.
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
    /// A let-go request waits: its reason, and who asked.
    pub let_go_requested: bool,
    pub let_go_reason: String,
    pub let_go_requested_by: Option<String>,
    /// Whether the case has a lesson learned (approving a let-go needs one).
    pub has_lesson: bool,
    /// Quiet since before the organisation's "stuck" limit.
    pub stuck: bool,
    /// Missed check-ins, and the first one's date.
    pub missed: i64,
    pub first_missed: Option<NaiveDate>,
    /// The worst commitment in trouble: its words and state ("broken" or "slipping").
    pub commitment: Option<String>,
    pub commitment_state: Option<String>,
}

/// The open cases of `team` among `ids` (or numbered `numbers`), with their reasons' facts,
/// in no particular order.
pub async fn review_cases(
    db: impl PgExecutor<'_>,
    team: Uuid,
    ids: &[Uuid],
    numbers: &[i64],
    stuck_before: DateTime<Utc>,
) -> sqlx::Result<Vec<ReviewCase>> {
    sqlx::query_as!(
        ReviewCase,
        r#"select c.id, c.number, c.title, a.name as account, c.owner_id, o.name as owner_name,
                  c.stage as "stage: Stage", c.severity as "severity: Severity", c.created_at,
                  c.last_activity_at, c.value_at_risk_minor, c.currency, c.version,
                  case when c.escalated_at >= c.last_activity_at
                       then coalesce(c.escalation_reason, 'quiet') end as escalation,
                  c.let_go = 'requested' as "let_go_requested!",
                  c.let_go_reason, r.name as "let_go_requested_by?",
                  c.lesson_count > 0 as "has_lesson!",
                  c.last_activity_at < $4 as "stuck!",
                  mc.n as "missed!", mc.first as "first_missed?",
                  tc.text as "commitment?", tc.state as "commitment_state?"
           from cases c
           join accounts a on a.id = c.account_id join users o on o.id = c.owner_id
           left join users r on r.id = c.let_go_requested_by
           cross join lateral (
               select count(*) as n, min(k.due_date) as first from check_ins k
               where k.case_id = c.id and k.status = 'missed'
           ) mc
           left join lateral (
               select m.text, m.state from commitments m
               where m.case_id = c.id and m.state in ('broken', 'slipping') and m.removed_at is null
               order by m.state = 'broken' desc, m.state_at desc limit 1
           ) tc on true
           where (c.id = any($2) or c.number = any($3)) and c.team_id = $1 and c.outcome = 'open'"#,
        team,
        ids,
        numbers,
        stuck_before
    )
    .fetch_all(db)
    .await
}

/// Every open case of the team, least recently active first (the CSV export).
pub async fn all_open(
    db: &sqlx::PgPool,
    team: Uuid,
    stuck_before: DateTime<Utc>,
) -> sqlx::Result<Vec<ReviewCase>> {
    let ids = sqlx::query_scalar!(
        "select id from cases where team_id = $1 and outcome = 'open'
         order by last_activity_at, number",
        team
    )
    .fetch_all(db)
    .await?;
    let mut cases = review_cases(db, team, &ids, &[], stuck_before).await?;
    let position: std::collections::HashMap<Uuid, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    cases.sort_by_key(|c| position.get(&c.id).copied().unwrap_or(usize::MAX));
    Ok(cases)
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

/// Each person's load on a team (reused briefly between views: `crate::recent`).
#[derive(Debug, Clone)]
pub struct Numbers {
    pub load: Vec<Load>,
}
