//! The escalation clock (migration 20261128000006). A case's clock is its `last_activity_at`,
//! which every piece of recorded work moves. An open case quiet for longer than the
//! organisation's limit for its severity is escalated once per quiet spell: the update that
//! sets `escalated_at` only matches cases whose flag is not already up, so of two schedulers
//! one does it. The flag is `escalated_at >= last_activity_at`: the next activity clears it.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use crate::domain::escalation::REPEAT_WINDOW_DAYS;

/// A case just escalated, with what its managers' e-mail needs.
#[derive(Debug, Clone)]
pub struct Escalated {
    pub case_id: Uuid,
    pub number: i64,
    pub title: String,
    pub account: String,
    pub team_id: Uuid,
    pub severity: String,
    pub escalated_at: DateTime<Utc>,
    pub quiet_days: i32,
    pub limit_days: i32,
}

/// Escalates every open case that has been quiet longer than its severity's limit (and is not
/// escalated for this quiet spell yet), and notes it on each case's timeline.
#[tracing::instrument(skip_all)]
pub async fn escalate_quiet(
    tx: &mut Transaction<'_, Postgres>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Escalated>> {
    let escalated = sqlx::query_as!(
        Escalated,
        r#"with limits as (select severity, days from escalation_limits()),
           quiet as (
               select c.id, l.days as limit_days
               from cases c join limits l on l.severity = c.severity
               where c.outcome = 'open'
                 and c.last_activity_at < $1::timestamptz - make_interval(days => (select min(days) from limits))
                 and (c.escalated_at is null or c.escalated_at < c.last_activity_at)
           ),
           e as (
               update cases c set escalated_at = $1, escalation_reason = 'quiet'
               from quiet q
               where c.id = q.id
                 and c.last_activity_at < $1::timestamptz - make_interval(days => q.limit_days)
                 and (c.escalated_at is null or c.escalated_at < c.last_activity_at)
               returning c.id, c.number, c.title, c.account_id, c.team_id, c.severity,
                         c.escalated_at, c.last_activity_at, q.limit_days
           )
           select e.id as "case_id!", e.number as "number!", e.title as "title!",
                  a.name as "account!", e.team_id as "team_id!", e.severity as "severity!",
                  e.escalated_at as "escalated_at!",
                  extract(day from $1::timestamptz - e.last_activity_at)::int as "quiet_days!",
                  e.limit_days as "limit_days!"
           from e join accounts a on a.id = e.account_id"#,
        now
    )
    .fetch_all(&mut **tx)
    .await?;
    for e in &escalated {
        let summary = format!(
            "Escalated: no recorded activity for {} days (the limit for {} severity is {} days); the team's managers are told",
            e.quiet_days, e.severity, e.limit_days
        );
        sqlx::query!(
            "insert into case_events (case_id, actor_id, kind, summary, data)
             values ($1, null, 'escalation', $2, $3)",
            e.case_id,
            summary,
            json!({ "reason": "quiet", "quiet_days": e.quiet_days, "limit_days": e.limit_days })
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(escalated)
}

/// A manager to tell.
#[derive(Debug, Clone)]
pub struct Manager {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

/// The active managers of a team.
pub async fn managers_of(db: impl PgExecutor<'_>, team: Uuid) -> sqlx::Result<Vec<Manager>> {
    sqlx::query_as!(
        Manager,
        "select id, email, name from users
         where team_id = $1 and role = 'manager' and active order by name",
        team
    )
    .fetch_all(db)
    .await
}

/// The restored case a new incident repeats: the latest case of the same account closed as
/// restored within the `REPEAT_WINDOW_DAYS` before `now`.
#[derive(Debug, Clone)]
pub struct Repeated {
    pub id: Uuid,
    pub number: i64,
    pub closed_at: DateTime<Utc>,
}

/// When the account of `case_id` had a case restored within `REPEAT_WINDOW_DAYS`, escalates the
/// new case at once, links it to that one, and notes both on its timeline. Returns the earlier
/// case.
pub async fn escalate_repeat(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
) -> sqlx::Result<Option<Repeated>> {
    let earlier = sqlx::query_as!(
        Repeated,
        r#"select p.id, p.number, p.closed_at as "closed_at!"
           from cases c join cases p on p.account_id = c.account_id and p.id <> c.id
           where c.id = $1 and p.outcome = 'restored'
             and p.closed_at > now() - make_interval(days => $2)
           order by p.closed_at desc limit 1"#,
        case_id,
        REPEAT_WINDOW_DAYS
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(earlier) = earlier else {
        return Ok(None);
    };
    sqlx::query!(
        "update cases set escalated_at = last_activity_at, escalation_reason = 'repeat',
                linked_case_id = $2
         where id = $1",
        case_id,
        earlier.id
    )
    .execute(&mut **tx)
    .await?;
    let summary = format!(
        "Escalated at once: a second incident on this account within {REPEAT_WINDOW_DAYS} days of CR-{}, restored on {}; the team's managers are told",
        earlier.number,
        earlier.closed_at.format("%-d %b %Y")
    );
    sqlx::query!(
        "insert into case_events (case_id, actor_id, kind, summary, data)
         values ($1, null, 'escalation', $2, $3)",
        case_id,
        summary,
        json!({ "reason": "repeat", "linked_case": earlier.number })
    )
    .execute(&mut **tx)
    .await?;
    Ok(Some(earlier))
}

/// An escalated case whose flag is still up, for the managers' e-mail.
#[derive(Debug, Clone)]
pub struct Flagged {
    pub case_id: Uuid,
    pub number: i64,
    pub title: String,
    pub account: String,
    pub team_id: Uuid,
    pub escalated_at: DateTime<Utc>,
    pub reason: String,
    pub linked_number: Option<i64>,
}

/// Open cases escalated since `since` whose flag is still up and whose managers have not been
/// told yet (the e-mail is also queued with a key of the case and the moment, so two schedulers
/// at once still tell each escalation once).
pub async fn flagged_since(
    db: impl PgExecutor<'_>,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<Flagged>> {
    sqlx::query_as!(
        Flagged,
        r#"select c.id as case_id, c.number, c.title, a.name as account, c.team_id,
                  c.escalated_at as "escalated_at!", coalesce(c.escalation_reason, 'quiet') as "reason!",
                  l.number as "linked_number?"
           from cases c join accounts a on a.id = c.account_id
           left join cases l on l.id = c.linked_case_id
           where c.outcome = 'open' and c.escalated_at is not null
             and c.escalation_told_at is distinct from c.escalated_at
             and c.escalated_at >= c.last_activity_at and c.escalated_at >= $1
           order by c.escalated_at"#,
        since
    )
    .fetch_all(db)
    .await
}

/// Notes that the managers were told of the escalation of `case_id` at `escalated_at`.
pub async fn told(
    db: impl PgExecutor<'_>,
    case_id: Uuid,
    escalated_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update cases set escalation_told_at = $2 where id = $1 and escalated_at = $2",
        case_id,
        escalated_at
    )
    .execute(db)
    .await?;
    Ok(())
}
