//! Personal API tokens. The raw token is shown once when it is made; only its SHA-256 is stored,
//! so a leaked database does not leak working tokens.

use crate::domain::Role;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgExecutor;
use uuid::Uuid;

/// What every token starts with, so secret scanners and people can recognise one.
pub const TOKEN_PREFIX: &str = "mend_";

/// A new random token: the prefix and 32 random bytes in hex.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

/// The stored form of a token.
pub fn hash(raw: &str) -> Vec<u8> {
    Sha256::digest(raw.as_bytes()).to_vec()
}

/// The start of a token, enough to tell tokens apart on the settings page.
fn shown_prefix(raw: &str) -> String {
    raw.chars().take(TOKEN_PREFIX.len() + 6).collect()
}

/// Stores a new token for `user_id` and returns the raw token (never stored).
pub async fn create(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<String> {
    let raw = generate();
    sqlx::query!(
        "insert into api_tokens (user_id, name, token_hash, prefix, expires_at)
         values ($1, $2, $3, $4, $5)",
        user_id,
        name,
        hash(&raw),
        shown_prefix(&raw),
        expires_at
    )
    .execute(db)
    .await?;
    Ok(raw)
}

/// A token as its owner sees it in the list.
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A user's tokens, newest first.
pub async fn list(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as!(
        TokenRow,
        "select id, name, prefix, created_at, expires_at, last_used_at, revoked_at
         from api_tokens where user_id = $1 order by created_at desc, id",
        user_id
    )
    .fetch_all(db)
    .await
}

/// Revokes one of the user's own tokens. False when there is no such (unrevoked) token.
pub async fn revoke(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update api_tokens set revoked_at = now()
         where id = $1 and user_id = $2 and revoked_at is null",
        id,
        user_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who a valid token acts for.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub token_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub time_zone: String,
}

/// What a presented token turned out to be.
#[derive(Debug, Clone)]
pub enum Lookup {
    Valid(TokenUser),
    Expired,
    Revoked,
    /// No such token, or its user is deactivated.
    Unknown,
}

/// Checks a presented token: one index lookup by its hash.
pub async fn lookup(
    db: impl PgExecutor<'_>,
    raw: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Lookup> {
    let row = sqlx::query!(
        r#"select t.id, t.expires_at, t.revoked_at, u.id as user_id, u.role as "role: Role",
                u.team_id, u.time_zone, u.active
         from api_tokens t join users u on u.id = t.user_id
         where t.token_hash = $1"#,
        hash(raw)
    )
    .fetch_optional(db)
    .await?;
    Ok(match row {
        None => Lookup::Unknown,
        Some(r) if !r.active => Lookup::Unknown,
        Some(r) if r.revoked_at.is_some() => Lookup::Revoked,
        Some(r) if r.expires_at.is_some_and(|e| e <= now) => Lookup::Expired,
        Some(r) => Lookup::Valid(TokenUser {
            token_id: r.id,
            user_id: r.user_id,
            role: r.role,
            team_id: r.team_id,
            time_zone: r.time_zone,
        }),
    })
}

/// Records that a token was used, at most once a minute (so reads do not each become a write).
pub async fn touch(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "update api_tokens set last_used_at = now()
         where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')",
        id
    )
    .execute(db)
    .await?;
    Ok(())
}
