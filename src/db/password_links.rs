//! One-time "set your password" links. Only the SHA-256 of a link's token is stored; a link
//! works once, until it expires, and only for an active user. Issuing a new link for a user
//! replaces any unused one.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Stores a new link for `user_id`, replacing their unused ones.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn issue(
    conn: &mut PgConnection,
    user_id: Uuid,
    created_by: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from password_links where user_id = $1 and used_at is null",
        user_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into password_links (token_hash, user_id, created_by, expires_at)
         values ($1, $2, $3, $4)",
        token_hash,
        user_id,
        created_by,
        expires_at
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a link is good for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Usable: sets the password of this user.
    Valid {
        user_id: Uuid,
        name: String,
        email: String,
    },
    Used,
    Expired,
    /// The user was deactivated since.
    Inactive,
    /// No such link (never issued, or replaced by a newer one).
    Unknown,
}

struct Row {
    user_id: Uuid,
    name: String,
    email: String,
    active: bool,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

fn state(row: Option<Row>, now: DateTime<Utc>) -> LinkState {
    match row {
        None => LinkState::Unknown,
        Some(r) if r.used_at.is_some() => LinkState::Used,
        Some(r) if r.expires_at <= now => LinkState::Expired,
        Some(r) if !r.active => LinkState::Inactive,
        Some(r) => LinkState::Valid {
            user_id: r.user_id,
            name: r.name,
            email: r.email,
        },
    }
}

/// The state of the link whose token hashes to `token_hash`.
#[tracing::instrument(skip_all)]
pub async fn find(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<LinkState> {
    let row = sqlx::query_as!(
        Row,
        "select l.user_id, u.name, u.email, u.active, l.expires_at, l.used_at
         from password_links l join users u on u.id = l.user_id
         where l.token_hash = $1",
        token_hash
    )
    .fetch_optional(db)
    .await?;
    Ok(state(row, Utc::now()))
}

/// The same, with the link and its user locked until the transaction ends, so it is used once.
#[tracing::instrument(skip_all)]
pub async fn lock(conn: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<LinkState> {
    let row = sqlx::query_as!(
        Row,
        "select l.user_id, u.name, u.email, u.active, l.expires_at, l.used_at
         from password_links l join users u on u.id = l.user_id
         where l.token_hash = $1
         for update",
        token_hash
    )
    .fetch_optional(conn)
    .await?;
    Ok(state(row, Utc::now()))
}

/// Marks the link used, and drops the user's other unused links.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn consume(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update password_links set used_at = now() where token_hash = $1",
        token_hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "delete from password_links where user_id = $1 and used_at is null",
        user_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
