//! The e-mail outbox. Queueing is idempotent (the unique `dedupe_key`); sending claims rows
//! with `for update skip locked`, so several instances never send the same row at once.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
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
        "select id, kind, to_address, subject, body, created_at, attempts, last_error, sent_at
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
