//! Follow-up plans and check-ins on a case. Creating the next check-in is idempotent by
//! construction: `(plan_id, seq)` is unique and inserts use `on conflict do nothing`, so any
//! number of processes (the case page now, the scheduler later) may try at once.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::cases::event;
use crate::domain::cadence::{self, Cadence};
use crate::domain::case::{CheckInResult, NewPlan};

#[derive(Debug, Clone)]
pub struct Plan {
    pub id: Uuid,
    pub cadence: String,
    pub every_days: Option<i32>,
    pub first_due: NaiveDate,
    pub assignee_id: Uuid,
    pub assignee_name: String,
    pub end_after: Option<i32>,
}

impl Plan {
    pub fn cadence(&self) -> Option<Cadence> {
        Cadence::from_parts(&self.cadence, self.every_days)
    }
}

pub async fn active_plan(db: impl PgExecutor<'_>, case_id: Uuid) -> sqlx::Result<Option<Plan>> {
    sqlx::query_as!(
        Plan,
        "select p.id, p.cadence, p.every_days, p.first_due, p.assignee_id, u.name as assignee_name, p.end_after
         from follow_up_plans p join users u on u.id = p.assignee_id
         where p.case_id = $1 and p.ended_at is null",
        case_id
    )
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone)]
pub struct CheckIn {
    pub id: Uuid,
    pub seq: i32,
    pub due_date: NaiveDate,
    pub assignee_name: String,
    pub status: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub channel: Option<String>,
    pub summary: String,
    pub sentiment: Option<i16>,
    pub next_step: String,
    pub skip_reason: String,
}

pub async fn check_ins(db: impl PgExecutor<'_>, case_id: Uuid) -> sqlx::Result<Vec<CheckIn>> {
    sqlx::query_as!(
        CheckIn,
        "select c.id, c.seq, c.due_date, u.name as assignee_name, c.status, c.completed_at, c.channel,
                c.summary, c.sentiment, c.next_step, c.skip_reason
         from check_ins c join users u on u.id = c.assignee_id
         where c.case_id = $1 order by c.due_date, c.created_at",
        case_id
    )
    .fetch_all(db)
    .await
}

/// Starts a plan (ending the one before, whose open check-ins are skipped) and schedules its
/// first check-in. False when the assignee is not an active member of the case's team.
pub async fn start_plan(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    team_id: Uuid,
    plan: &NewPlan,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let assignee = sqlx::query_scalar!(
        "select name from users where id = $1 and team_id = $2 and active",
        plan.assignee_id,
        team_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(assignee) = assignee else {
        return Ok(false);
    };
    let old = sqlx::query_scalar!(
        "update follow_up_plans set ended_at = now() where case_id = $1 and ended_at is null returning id",
        case_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(old) = old {
        sqlx::query!(
            "update check_ins set status = 'skipped', skip_reason = 'The follow-up plan was replaced.'
             where plan_id = $1 and status in ('scheduled', 'missed')",
            old
        )
        .execute(&mut **tx)
        .await?;
    }
    let (name, days) = plan.cadence.as_parts();
    let plan_id = sqlx::query_scalar!(
        "insert into follow_up_plans (case_id, cadence, every_days, first_due, assignee_id, end_after, created_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
        case_id,
        name,
        days,
        plan.first_due,
        plan.assignee_id,
        plan.end_after,
        actor
    )
    .fetch_one(&mut **tx)
    .await?;
    schedule(tx, case_id, plan_id, 1, plan.first_due, plan.assignee_id).await?;
    let until = plan
        .end_after
        .map(|n| format!(", {n} times"))
        .unwrap_or_else(|| ", until the case closes".into());
    let summary = format!(
        "Planned check-ins: {} from {} with {assignee}{until}",
        plan.cadence.label().to_lowercase(),
        plan.first_due.format("%-d %b %Y")
    );
    event(tx, case_id, actor, "plan", &summary, json!({})).await?;
    Ok(true)
}

/// Creates check-in `seq` of a plan unless it exists.
async fn schedule(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    plan_id: Uuid,
    seq: i32,
    due: NaiveDate,
    assignee: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into check_ins (case_id, plan_id, seq, due_date, assignee_id) values ($1, $2, $3, $4, $5)
         on conflict (plan_id, seq) do nothing",
        case_id,
        plan_id,
        seq,
        due,
        assignee
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What happened to the earliest open check-in.
pub enum Outcome<'a> {
    Done(&'a CheckInResult),
    Skipped(&'a str),
}

/// Completes or skips the earliest open check-in of the active plan, and schedules the next
/// one unless the plan has run its course. False when no check-in is open.
pub async fn settle_next(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    outcome: Outcome<'_>,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let open = sqlx::query!(
        "select c.id, c.seq, c.due_date, p.id as plan_id, p.cadence, p.every_days, p.first_due, p.end_after, p.assignee_id
         from check_ins c join follow_up_plans p on p.id = c.plan_id
         where c.case_id = $1 and p.ended_at is null and c.status in ('scheduled', 'missed')
         order by c.seq limit 1 for update of c",
        case_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(open) = open else { return Ok(false) };
    let summary = match outcome {
        Outcome::Done(r) => {
            sqlx::query!(
                "update check_ins set status = 'done', completed_at = now(), channel = $2, summary = $3,
                        sentiment = $4, next_step = $5 where id = $1",
                open.id,
                r.channel.as_str(),
                r.summary,
                r.sentiment,
                r.next_step
            )
            .execute(&mut **tx)
            .await?;
            format!(
                "Checked in ({}), client's mood {:+}: {}",
                r.channel.label().to_lowercase(),
                r.sentiment,
                r.summary.chars().take(120).collect::<String>()
            )
        }
        Outcome::Skipped(reason) => {
            sqlx::query!(
                "update check_ins set status = 'skipped', skip_reason = $2 where id = $1",
                open.id,
                reason
            )
            .execute(&mut **tx)
            .await?;
            format!(
                "Skipped the check-in due {}: {reason}",
                open.due_date.format("%-d %b %Y")
            )
        }
    };
    let more = open.end_after.is_none_or(|n| open.seq < n);
    if more && let Some(c) = Cadence::from_parts(&open.cadence, open.every_days) {
        let n = u32::try_from(open.seq).unwrap_or(u32::MAX);
        if let Some(due) = cadence::due_date(open.first_due, c, n) {
            schedule(
                tx,
                case_id,
                open.plan_id,
                open.seq + 1,
                due,
                open.assignee_id,
            )
            .await?;
        }
    }
    event(tx, case_id, actor, "check_in", &summary, json!({})).await?;
    Ok(true)
}
