//! The commitment ledger (migration 20261128000008): commitments with an owner, a scope, a way
//! to verify them and a review date; their marks (kept, slipping, broken), each kept; and the
//! linked case a commitment broken after its case closed opens. What a broken one sets off is
//! decided in `app::commitments`.

use serde_json::json;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::timeline::event;
use crate::domain::commitment::{Mark, NewCommitment};
use crate::domain::stage::{Outcome, Stage};

/// Records a commitment. False when the owner is not an active member of the case's team.
pub async fn add(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    team_id: Uuid,
    c: &NewCommitment,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let owner = sqlx::query!(
        "select u.id, u.name from users u
         where u.id = coalesce($1, (select owner_id from cases where id = $3))
           and u.team_id = $2 and u.active",
        c.owner_id,
        team_id,
        case_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(owner) = owner else {
        return Ok(false);
    };
    let (owner_id, owner) = (owner.id, owner.name);
    sqlx::query!(
        "insert into commitments (case_id, text, created_by, owner_id, scope, verification, review_on)
         values ($1, $2, $3, $4, $5, $6, $7)",
        case_id,
        c.text,
        actor,
        owner_id,
        c.scope.as_str(),
        c.verification,
        c.review_on
    )
    .execute(&mut **tx)
    .await?;
    let review = c
        .review_on
        .map(|d| format!(", reviewed on {}", d.format("%-d %b %Y")))
        .unwrap_or_default();
    event(
        tx,
        case_id,
        actor,
        "commitment",
        &format!(
            "Committed: \u{201c}{}\u{201d} (owner {owner}; for {}{review})",
            c.text,
            c.scope.label().to_lowercase()
        ),
        json!({}),
    )
    .await?;
    Ok(true)
}

/// The case a mark lands on, as a broken commitment needs it.
#[derive(Debug, Clone)]
pub struct CaseForMark {
    pub id: Uuid,
    pub number: i64,
    pub stage: Stage,
    pub outcome: Outcome,
    pub team_id: Uuid,
    pub title: String,
    pub account: String,
}

/// The case `case_id`, for marking.
pub async fn case_for_mark(db: impl PgExecutor<'_>, case_id: Uuid) -> sqlx::Result<CaseForMark> {
    sqlx::query_as!(
        CaseForMark,
        r#"select c.id, c.number, c.stage as "stage: Stage", c.outcome as "outcome: Outcome",
                  c.team_id, c.title, a.name as account
           from cases c join accounts a on a.id = c.account_id where c.id = $1"#,
        case_id
    )
    .fetch_one(db)
    .await
}

/// Records mark `mark` of commitment `id` of case `case_id` (locked by the caller), at check-in
/// `check_in` if any: its state, the mark kept in the ledger, the timeline event. `None` when no
/// such open commitment is on the case (removed, broken already, or another case's); else the
/// mark's id and the commitment's text.
pub async fn record_mark(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    id: Uuid,
    mark: Mark,
    check_in: Option<Uuid>,
    actor: Uuid,
) -> sqlx::Result<Option<(Uuid, String)>> {
    let text = sqlx::query_scalar!(
        "update commitments set state = $3, state_at = now()
         where id = $1 and case_id = $2 and removed_at is null and state <> 'broken'
         returning text",
        id,
        case_id,
        mark.as_str()
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(text) = text else {
        return Ok(None);
    };
    let mark_id = sqlx::query_scalar!(
        "insert into commitment_marks (commitment_id, case_id, check_in_id, state, marked_by)
         values ($1, $2, $3, $4, $5) returning id",
        id,
        case_id,
        check_in,
        mark.as_str(),
        actor
    )
    .fetch_one(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "commitment",
        &format!(
            "Marked a commitment {}: {text}",
            mark.label().to_lowercase()
        ),
        json!({ "commitment": id, "mark": mark.as_str() }),
    )
    .await?;
    Ok(Some((mark_id, text)))
}

/// A new case on the same account, linked to the closed one whose commitment broke.
pub async fn open_linked_case(
    tx: &mut Transaction<'_, Postgres>,
    case: &CaseForMark,
    text: &str,
    actor: Uuid,
) -> sqlx::Result<i64> {
    let title: String = format!("Broken commitment: {text}")
        .chars()
        .take(200)
        .collect();
    let row = sqlx::query!(
        "insert into cases (account_id, team_id, owner_id, created_by, title, what_happened,
                            category_id, severity, detected_by, occurred_at, detected_at, currency,
                            linked_case_id)
         select c.account_id, c.team_id, c.owner_id, $2, $3, $4, c.category_id, c.severity, 'us',
                now(), now(), c.currency, c.id
         from cases c where c.id = $1
         returning id, number",
        case.id,
        actor,
        title,
        format!(
            "On CR-{} we committed: \u{201c}{text}\u{201d}. It was marked broken.",
            case.number
        )
    )
    .fetch_one(&mut **tx)
    .await?;
    event(
        tx,
        row.id,
        actor,
        "created",
        &format!(
            "Opened because a commitment of CR-{} was broken: \u{201c}{text}\u{201d}",
            case.number
        ),
        json!({ "linked_case": case.number }),
    )
    .await?;
    event(
        tx,
        case.id,
        actor,
        "commitment",
        &format!("CR-{} opened to repair the broken commitment", row.number),
        json!({ "linked_case": row.number }),
    )
    .await?;
    Ok(row.number)
}

/// Counts of a week's marks for a team (all teams when `team` is `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkCounts {
    pub kept: i64,
    pub slipping: i64,
    pub broken: i64,
}

pub async fn mark_counts(
    db: impl PgExecutor<'_>,
    team: Option<Uuid>,
    owner: Option<Uuid>,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<MarkCounts> {
    sqlx::query_as!(
        MarkCounts,
        r#"select count(*) filter (where m.state = 'kept') as "kept!",
                  count(*) filter (where m.state = 'slipping') as "slipping!",
                  count(*) filter (where m.state = 'broken') as "broken!"
           from commitment_marks m join cases c on c.id = m.case_id
           where m.marked_at >= $1 and m.marked_at < $2
             and ($3::uuid is null or c.team_id = $3)
             and ($4::uuid is null or c.owner_id = $4)"#,
        from,
        to,
        team,
        owner
    )
    .fetch_one(db)
    .await
}

/// The commitments still marked at check-ins (not removed, not broken) of the cases numbered
/// `numbers`, oldest first: `(case number, id, text)`.
pub async fn open_for_cases(
    db: impl PgExecutor<'_>,
    numbers: &[i64],
) -> sqlx::Result<Vec<(i64, Uuid, String)>> {
    let rows = sqlx::query!(
        "select c.number, m.id, m.text from commitments m join cases c on c.id = m.case_id
         where c.number = any($1) and m.removed_at is null and m.state <> 'broken'
         order by m.created_at",
        numbers
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.number, r.id, r.text)).collect())
}
