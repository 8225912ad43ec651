//! The first run: whether anyone has an account yet, and making the first admin — once, even
//! when two people submit the setup form at the same moment.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::users::{CreateUserError, create};
use crate::domain::setup::Setup;

/// Serialises first-run setups (an arbitrary, fixed key).
const ADVISORY_LOCK_KEY: i64 = 0x6d65_6e64_7365_7475;

/// Whether any user exists (active or not): then Mend is set up for good.
pub async fn has_users(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"select exists (select 1 from users) as "exists!""#)
        .fetch_one(db)
        .await
}

/// What `first_admin` did.
#[derive(Debug)]
pub enum Outcome {
    /// The organisation is saved and the admin (and their team) made: their id.
    Created(Uuid),
    /// Someone already has an account: nothing was changed.
    AlreadySetUp,
}

/// Saves the organisation's name and time zone and creates the first admin, in one transaction
/// that holds a lock for setups, so of two simultaneous submissions the second finds the first's
/// admin and changes nothing.
#[tracing::instrument(skip_all)]
pub async fn first_admin(
    conn: &mut PgConnection,
    setup: &Setup,
    password_hash: &str,
) -> Result<Outcome, CreateUserError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    sqlx::query!("select pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    if has_users(&mut *tx).await? {
        return Ok(Outcome::AlreadySetUp);
    }
    super::organisation::save(&mut tx, &setup.organisation).await?;
    let id = create(&mut tx, &setup.admin, password_hash).await?;
    super::users::set_time_zone(&mut *tx, id, &setup.organisation.time_zone).await?;
    tx.commit().await?;
    Ok(Outcome::Created(id))
}
