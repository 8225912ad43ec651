//! The e-mail outbox. Queueing is idempotent (the unique `dedupe_key`); sending claims rows
//! with `for update skip locked`, so several instances never send the same row at once.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub dedupe_key: String,
    pub user_id: Uuid,
    pub to_address: &'a str,
    pub subject: String,
    pub body: String,
}

/// Queues a message unless one with the same key exists. Returns whether it was queued.
pub async fn enqueue(db: impl PgExecutor<'_>, m: &NewMessage<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into outbox (kind, dedupe_key, user_id, to_address, subject, body)
         values ($1, $2, $3, $4, $5, $6) on conflict (dedupe_key) do nothing",
        m.kind,
        m.dedupe_key,
        m.user_id,
        m.to_address,
        m.subject,
        m.body
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A message as the admin's outbox page shows it.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: Uuid,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub send_after: DateTime<Utc>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The newest messages first.
pub async fn recent(
    db: impl PgExecutor<'_>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as!(
        Message,
        "select id, kind, to_address, subject, body, created_at, send_after, attempts, last_error,
                sent_at
         from outbox order by created_at desc, id limit $1 offset $2",
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "n!" from outbox"#)
        .fetch_one(db)
        .await
}

/// A message claimed for sending: nobody else sends it until `locked_until`.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// Counting this one.
    pub attempts: i32,
}

/// Claims the next message due at `now` (unsent, not claimed by another sender, or its claim
/// expired) until `locked_until`, and counts the attempt, in the caller's short transaction
/// (committed before the message is sent, so the claim holds meanwhile).
/// A message never tried is due as soon as it is queued, whatever `now` says: a scheduler pass
/// takes `now` at its start, and what it queues later in the pass (stamped with the database's
/// clock) goes out in the same pass. Only a retry waits for its `send_after`.
/// `skip locked` lets concurrent senders pass over a row another is claiming right now; the
/// committed `locked_until` keeps them off it afterwards.
#[tracing::instrument(skip_all)]
pub async fn claim_next(
    tx: &mut Transaction<'_, Postgres>,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> sqlx::Result<Option<Claimed>> {
    let Some(id) = sqlx::query_scalar!(
        "select id from outbox
         where sent_at is null and (attempts = 0 or send_after <= $1)
           and (locked_until is null or locked_until < $1)
         order by send_after
         limit 1
         for update skip locked",
        now
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let claimed = sqlx::query_as!(
        Claimed,
        "update outbox set locked_until = $2, attempts = attempts + 1
         where id = $1
         returning id, to_address, subject, body, attempts",
        id,
        locked_until
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(claimed))
}

/// Records that the message went out.
#[tracing::instrument(skip_all, fields(outbox_id = %id))]
pub async fn mark_sent(db: impl PgExecutor<'_>, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query!(
        "update outbox set sent_at = $2, locked_until = null, last_error = null where id = $1",
        id,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt and releases the claim; the message is due again at `retry_at`.
#[tracing::instrument(skip_all, fields(outbox_id = %id))]
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    id: Uuid,
    retry_at: DateTime<Utc>,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update outbox set send_after = $2, locked_until = null, last_error = $3
         where id = $1 and sent_at is null",
        id,
        retry_at,
        error
    )
    .execute(db)
    .await?;
    Ok(())
}
