//! A case itself: logging an incident, the versioned edits of what it records (the definition
//! of the damage, the assessment, the reparation), and giving it to another owner.

use sqlx::PgPool;

use super::{Actor, Error, Result, open_case};
use crate::db::cases::{self as db_cases, CreateCaseError};
use crate::domain::case::{Assessment, Definition, NewIncident, Reparation};
use crate::domain::visibility::may_reassign;

/// Logs an incident on an account the actor can see, owned by the actor. A second incident on
/// the account soon after a restored case is escalated at once (`db::escalation`). Returns the
/// new case's number.
pub async fn log_incident(db: &PgPool, actor: &Actor, incident: &NewIncident) -> Result<i64> {
    let mut tx = db.begin().await?;
    let created = match db_cases::create(&mut tx, actor.scope(), incident, actor.id, actor.id).await
    {
        Ok(created) => created,
        Err(CreateCaseError::UnknownAccount) => {
            return Err(Error::field(
                "account_id",
                "Choose one of the accounts offered.",
            ));
        }
        Err(CreateCaseError::UnknownCategory) => {
            return Err(Error::field(
                "category_id",
                "Choose one of the categories offered.",
            ));
        }
        Err(CreateCaseError::Database(e)) => return Err(e.into()),
    };
    crate::db::escalation::escalate_repeat(&mut tx, created.id).await?;
    tx.commit().await?;
    Ok(created.number)
}

/// Logs an incident on a client new to Mend: the account (`account`, checked as the account
/// form is) and the case on it, in one transaction, so neither exists without the other.
pub async fn log_incident_for_new_account(
    db: &PgPool,
    actor: &Actor,
    account: &crate::domain::account::AccountInput,
    incident: NewIncident,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let account_id = super::accounts::create_in(&mut tx, actor, account, None).await?;
    let incident = NewIncident {
        account_id,
        ..incident
    };
    let created =
        match db_cases::create(&mut tx, actor.scope(), &incident, actor.id, actor.id).await {
            Ok(created) => created,
            Err(CreateCaseError::UnknownCategory) => {
                return Err(Error::field(
                    "category_id",
                    "Choose one of the categories offered.",
                ));
            }
            Err(CreateCaseError::UnknownAccount) => return Err(Error::NotFound),
            Err(CreateCaseError::Database(e)) => return Err(e.into()),
        };
    tx.commit().await?;
    Ok(created.number)
}

/// One of the versioned edits of a case.
#[derive(Debug, Clone)]
pub enum Edit {
    Definition(Definition),
    Assessment(Assessment),
    Reparation(Reparation),
}

/// Saves `edit` on case `number` if it still is at `version` (the version the actor's form
/// was opened at): otherwise `Error::Stale`, and nothing is written. Each changed field goes
/// to the timeline as old → new.
pub async fn edit(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    edit: &Edit,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    match edit {
        Edit::Definition(def) => {
            if !db_cases::update_definition(&mut tx, case.id, def, actor.id, actor.time_zone)
                .await?
            {
                return Err(Error::field(
                    "category_id",
                    "Choose one of the categories offered.",
                ));
            }
        }
        Edit::Assessment(a) => db_cases::save_assessment(&mut tx, case.id, a, actor.id).await?,
        Edit::Reparation(r) => db_cases::save_reparation(&mut tx, case.id, r, actor.id).await?,
    }
    tx.commit().await?;
    Ok(())
}

/// Gives case `number` to `owner`, an active member of the case's team (managers and admins).
pub async fn reassign(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    owner: Option<uuid::Uuid>,
) -> Result<()> {
    if !may_reassign(actor.role) {
        return Err(Error::Forbidden);
    }
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let reassigned = match owner {
        Some(owner) => db_cases::reassign(&mut tx, case.id, case.team_id, owner, actor.id).await?,
        None => false,
    };
    if !reassigned {
        return Err(Error::Refused(
            "Choose someone from the case's team as the new owner.".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}
