//! Client accounts: creating one and editing one, one function each for the account form and
//! the API. What only the database knows is checked in the transaction that writes: the team is
//! one the actor may give an account to, and the account manager is an active member of it.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Actor, Error, Result};
use crate::db::accounts::{self as db_accounts, SaveAccountError};
use crate::domain::FieldErrors;
use crate::domain::account::AccountInput;
use crate::domain::visibility::Scope;

/// Checks what the form cannot: the team is one `scope` may choose, and the account manager
/// (if any) is an active member of it. `Error::Invalid` with each problem beside its field.
async fn check(conn: &mut PgConnection, scope: Scope, input: &AccountInput) -> Result<()> {
    let mut errors = FieldErrors::default();
    if !scope.sees(input.team_id)
        || db_accounts::team_choices(&mut *conn, scope)
            .await?
            .iter()
            .all(|t| t.id != input.team_id)
    {
        errors.add("team_id", "Choose one of the options offered.");
    }
    if let Some(manager) = input.manager_id
        && !db_accounts::is_team_member(&mut *conn, manager, input.team_id).await?
    {
        errors.add(
            "manager_id",
            "The account manager must be a member of the account's team.",
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// An account's name is taken: `Error::Conflict`, saying so.
fn saving(e: SaveAccountError) -> Error {
    match e {
        SaveAccountError::DuplicateName(name) => Error::Conflict(format!(
            "An account named \u{201c}{name}\u{201d} already exists."
        )),
        SaveAccountError::Database(e) => e.into(),
    }
}

/// Creates an account (with its id in another system, if given); returns its id. A team or
/// account manager the actor may not choose is `Error::Invalid`, as is an external id another
/// account has; a name in use is `Error::Conflict`.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &PgPool,
    actor: &Actor,
    input: &AccountInput,
    external_id: Option<&str>,
) -> Result<Uuid> {
    let mut tx = db.begin().await?;
    let id = create_in(&mut tx, actor, input, external_id).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create`] inside the caller's transaction (logging an incident on a new client).
pub(super) async fn create_in(
    tx: &mut super::Tx,
    actor: &Actor,
    input: &AccountInput,
    external_id: Option<&str>,
) -> Result<Uuid> {
    check(tx, actor.scope(), input).await?;
    let id = db_accounts::create(&mut **tx, input)
        .await
        .map_err(saving)?;
    if external_id.is_some() && !db_accounts::set_external_id(&mut **tx, id, external_id).await? {
        return Err(Error::field(
            "external_id",
            "Another account already has this external id.",
        ));
    }
    Ok(id)
}

/// Saves account `id`, one the actor can see; its cases follow it if it moves team. Refused as
/// [`create`] refuses.
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn update(db: &PgPool, actor: &Actor, id: Uuid, input: &AccountInput) -> Result<()> {
    let scope = actor.scope();
    let mut tx = db.begin().await?;
    db_accounts::get(&mut *tx, scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    check(&mut tx, scope, input).await?;
    if !db_accounts::update(&mut tx, scope, id, input)
        .await
        .map_err(saving)?
    {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
