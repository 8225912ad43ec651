//! The first run — the organisation, its first admin and their team, once — and the users that
//! whoever runs the server makes at the command line (`mend user create`). Neither has a
//! signed-in actor: the first run happens while nobody has an account, and the command line
//! is the server's operator. (Loading demo data after the first run is `demo::load`.)

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Error, Result};
use crate::db;
use crate::db::users::CreateUserError;
use crate::domain::setup::Setup;
use crate::domain::user::NewUser;

/// Creates `user` (and their team, if none has its name) with `password_hash`, in `time_zone`.
/// An e-mail address in use is `Error::Invalid` on `email`.
async fn add_user(
    conn: &mut PgConnection,
    user: &NewUser,
    password_hash: &str,
    time_zone: &str,
) -> Result<Uuid> {
    let id = match db::users::create(&mut *conn, user, password_hash).await {
        Ok(id) => id,
        Err(CreateUserError::DuplicateEmail(email)) => {
            return Err(Error::field(
                "email",
                format!("A user with the e-mail address {email} already exists."),
            ));
        }
        Err(CreateUserError::Database(e)) => return Err(e.into()),
    };
    db::users::set_time_zone(&mut *conn, id, time_zone).await?;
    Ok(id)
}

/// Sets Mend up: saves the organisation's name and time zone and creates the first admin (in
/// their team, in the organisation's time zone), all in one transaction that holds the setups'
/// lock, so of two simultaneous submissions the second finds the first's admin. Returns the
/// admin's id. Once anyone has an account it is `Error::AlreadyDone`, and nothing changes.
#[tracing::instrument(skip_all)]
pub async fn first_run(db: &PgPool, setup: &Setup, password_hash: &str) -> Result<Uuid> {
    let mut tx = db.begin().await?;
    db::setup::lock(&mut tx).await?;
    if db::setup::has_users(&mut *tx).await? {
        return Err(Error::AlreadyDone(
            "Mend has just been set up by someone else: sign in with the account they give you."
                .into(),
        ));
    }
    db::organisation::save(&mut tx, &setup.organisation).await?;
    let id = add_user(
        &mut tx,
        &setup.admin,
        password_hash,
        &setup.organisation.time_zone,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %id, demo = setup.demo, "first admin created");
    Ok(id)
}

/// Creates a user for whoever runs the server (`mend user create`), with `password_hash`, in
/// `time_zone`; their team is made if none has its name. Returns the new user's id. An e-mail
/// address in use is `Error::Invalid` on `email`.
#[tracing::instrument(skip_all)]
pub async fn create_user(
    db: &PgPool,
    user: &NewUser,
    password_hash: &str,
    time_zone: &str,
) -> Result<Uuid> {
    let mut tx = db.begin().await?;
    let id = add_user(&mut tx, user, password_hash, time_zone).await?;
    tx.commit().await?;
    Ok(id)
}
