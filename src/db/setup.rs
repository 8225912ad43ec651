//! The first run: whether anyone has an account yet, and the lock that lets only one setup
//! happen, even when two people submit the setup form at the same moment (`app::setup`).

use sqlx::{PgConnection, PgExecutor};

/// Serialises first-run setups (an arbitrary, fixed key).
const ADVISORY_LOCK_KEY: i64 = 0x6d65_6e64_7365_7475;

/// Whether any user exists (active or not): then Mend is set up for good.
pub async fn has_users(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"select exists (select 1 from users) as "exists!""#)
        .fetch_one(db)
        .await
}

/// Takes the setups' lock until the transaction `conn` is in ends: a second setup waits for
/// the first, and then finds its admin.
#[tracing::instrument(skip_all)]
pub async fn lock(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("select pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY)
        .execute(conn)
        .await?;
    Ok(())
}
