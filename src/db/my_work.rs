//! What My work lists of a person's cases: their open cases by stage, and their action items
//! due.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::stage::Stage;
use crate::domain::visibility::Scope;

/// An open case on its owner's My work.
#[derive(Debug, Clone)]
pub struct MyCase {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub account: String,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
    /// How many open cases of this owner are in the same stage.
    pub in_stage: i64,
}

/// The oldest `per_stage` open cases `owner` owns and can see in each stage, with the number in
/// each stage.
pub async fn open_owned_by(
    db: impl PgExecutor<'_>,
    scope: Scope,
    owner: Uuid,
    per_stage: i64,
) -> sqlx::Result<Vec<MyCase>> {
    let (all, team) = scope.sql_params();
    // Per stage: a count and the oldest few, each a short range of `cases_owner_open_stage_idx`.
    sqlx::query_as!(
        MyCase,
        r#"select c.id, c.number, c.title, a.name as account, c.stage as "stage: Stage",
                  c.created_at, n.in_stage as "in_stage!"
           from (select stage, count(*) as in_stage from cases
                 where owner_id = $1 and outcome = 'open' and ($2 or team_id = $3)
                 group by stage) n
           cross join lateral (
             select c.id, c.number, c.title, c.account_id, c.stage, c.created_at from cases c
             where c.owner_id = $1 and c.outcome = 'open' and c.stage = n.stage
               and ($2 or c.team_id = $3)
             order by c.created_at, c.number
             limit $4) c
           join accounts a on a.id = c.account_id
           order by c.created_at, c.number"#,
        owner,
        all,
        team,
        per_stage
    )
    .fetch_all(db)
    .await
}

/// An open action item on its owner's My work.
#[derive(Debug, Clone)]
pub struct MyAction {
    pub number: i64,
    pub case_title: String,
    pub what: String,
    pub due_date: Option<NaiveDate>,
}

/// Open action items of open cases owned by `owner`, due by `until` (or undated), soonest first:
/// `limit` of them from `offset`, and how many there are in all.
pub async fn actions_due(
    db: &sqlx::PgPool,
    scope: Scope,
    owner: Uuid,
    until: NaiveDate,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<MyAction>, i64)> {
    let (all, team) = scope.sql_params();
    let rows = sqlx::query!(
        r#"select c.number, c.title as case_title, i.what, i.due_date,
                  count(*) over () as "total!"
           from action_items i join cases c on c.id = i.case_id
           where i.owner_id = $1 and i.done_at is null and i.removed_at is null
             and c.outcome = 'open'
             and (i.due_date is null or i.due_date <= $2) and ($3 or c.team_id = $4)
           order by i.due_date nulls last, c.number
           limit $5 offset $6"#,
        owner,
        until,
        all,
        team,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    // A page past the end has no rows to carry the count: count them on their own.
    let total = match rows.first() {
        Some(r) => r.total,
        None if offset > 0 => {
            sqlx::query_scalar!(
                r#"select count(*) as "n!" from action_items i join cases c on c.id = i.case_id
                   where i.owner_id = $1 and i.done_at is null and i.removed_at is null
                     and c.outcome = 'open'
                     and (i.due_date is null or i.due_date <= $2) and ($3 or c.team_id = $4)"#,
                owner,
                until,
                all,
                team
            )
            .fetch_one(db)
            .await?
        }
        None => 0,
    };
    Ok((
        rows.into_iter()
            .map(|r| MyAction {
                number: r.number,
                case_title: r.case_title,
                what: r.what,
                due_date: r.due_date,
            })
            .collect(),
        total,
    ))
}
