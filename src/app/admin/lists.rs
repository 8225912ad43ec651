//! The two lists Mend keeps by name, teams and incident categories: both are added to and
//! renamed the same way (a name is unique whatever its case, and the audit log says from what
//! to what), by one pair of functions. Then what is particular to each: moving people between
//! teams, and retiring a category (old cases keep it; new ones cannot choose it) or bringing it
//! back.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::admin_only;
use crate::app::{Actor, Error, Result};
use crate::db::audit::{self, Target};
use crate::db::categories::{self, CategoryError};
use crate::db::users::{self as db_users, TeamError};
use crate::domain::admin::{AuditAction, parse_category_name, parse_team_name};

/// One of the lists kept by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Teams,
    Categories,
}

impl List {
    /// A submitted name, trimmed and bounded, or the sentence to show beside the field.
    fn parse_name(self, raw: &str) -> Result<String, String> {
        match self {
            List::Teams => parse_team_name(raw),
            List::Categories => parse_category_name(raw),
        }
    }

    /// What an admin reads when the name is taken.
    fn duplicate(self) -> Error {
        Error::field(
            "name",
            match self {
                List::Teams => "A team with that name already exists.",
                List::Categories => "A category with that name already exists.",
            },
        )
    }

    fn target(self, id: Uuid, name: &str) -> Target<'_> {
        match self {
            List::Teams => Target::team(id, name),
            List::Categories => Target::category(id, name),
        }
    }

    fn added(self) -> AuditAction {
        match self {
            List::Teams => AuditAction::TeamCreated,
            List::Categories => AuditAction::CategoryAdded,
        }
    }

    fn renamed(self) -> AuditAction {
        match self {
            List::Teams => AuditAction::TeamRenamed,
            List::Categories => AuditAction::CategoryRenamed,
        }
    }

    /// Inserts `name`; its id.
    async fn insert(self, conn: &mut PgConnection, name: &str) -> Result<Uuid> {
        match self {
            List::Teams => db_users::create_team(conn, name)
                .await
                .map_err(|e| self.error(e.into())),
            List::Categories => categories::add(conn, name)
                .await
                .map_err(|e| self.error(e.into())),
        }
    }

    /// Renames row `id` to `name`; its name before.
    async fn rename(self, conn: &mut PgConnection, id: Uuid, name: &str) -> Result<String> {
        match self {
            List::Teams => db_users::rename_team(conn, id, name)
                .await
                .map_err(|e| self.error(e.into())),
            List::Categories => categories::rename(conn, id, name)
                .await
                .map_err(|e| self.error(e.into())),
        }
    }

    fn error(self, e: NameError) -> Error {
        match e {
            NameError::Duplicate => self.duplicate(),
            NameError::NotFound => Error::NotFound,
            NameError::Database(e) => Error::Database(e),
        }
    }
}

/// Why a name was not written, whichever the list.
enum NameError {
    Duplicate,
    NotFound,
    Database(sqlx::Error),
}

impl From<TeamError> for NameError {
    fn from(e: TeamError) -> NameError {
        match e {
            TeamError::Duplicate => NameError::Duplicate,
            TeamError::NotFound => NameError::NotFound,
            TeamError::Database(e) => NameError::Database(e),
        }
    }
}

impl From<CategoryError> for NameError {
    fn from(e: CategoryError) -> NameError {
        match e {
            CategoryError::Duplicate => NameError::Duplicate,
            CategoryError::NotFound => NameError::NotFound,
            CategoryError::Database(e) => NameError::Database(e),
        }
    }
}

/// Adds a team or a category called `name` (trimmed); returns the name as saved. A name that is
/// blank, too long or taken is `Error::Invalid` on `name`.
#[tracing::instrument(skip_all, fields(list = ?list))]
pub async fn add(db: &PgPool, actor: &Actor, list: List, name: &str) -> Result<String> {
    admin_only(actor)?;
    let name = list.parse_name(name).map_err(|e| Error::field("name", e))?;
    let mut tx = db.begin().await?;
    let id = list.insert(&mut tx, &name).await?;
    audit::record(
        &mut tx,
        actor.id,
        list.added(),
        list.target(id, &name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(name)
}

/// A team or category renamed.
#[derive(Debug, Clone)]
pub struct Renamed {
    pub before: String,
    pub name: String,
}

/// Renames team or category `id` to `name` (trimmed). A name that is blank, too long or taken
/// is `Error::Invalid` on `name`; the same name again is `Error::AlreadyDone`.
#[tracing::instrument(skip_all, fields(list = ?list, id = %id))]
pub async fn rename(
    db: &PgPool,
    actor: &Actor,
    list: List,
    id: Uuid,
    name: &str,
) -> Result<Renamed> {
    admin_only(actor)?;
    let name = list.parse_name(name).map_err(|e| Error::field("name", e))?;
    let mut tx = db.begin().await?;
    let before = list.rename(&mut tx, id, &name).await?;
    if before == name {
        return Err(Error::AlreadyDone(
            "The name is the same: nothing changed.".into(),
        ));
    }
    audit::record(
        &mut tx,
        actor.id,
        list.renamed(),
        list.target(id, &name),
        json!({ "name": { "from": before, "to": name } }),
    )
    .await?;
    tx.commit().await?;
    Ok(Renamed { before, name })
}

/// Someone moved to another team.
#[derive(Debug, Clone)]
pub struct Moved {
    /// Their name.
    pub name: String,
    /// The team's name, or none when they are in no team now.
    pub to: Option<String>,
}

/// Moves user `user_id` to team `team_id` (or out of every team). Their cases and accounts stay
/// where they are: accounts belong to teams, not to people. An unknown user or team is
/// `Error::Invalid` (on `user_id` or `team_id`); no move at all is `Error::AlreadyDone`.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn move_person(
    db: &PgPool,
    actor: &Actor,
    user_id: Uuid,
    team_id: Option<Uuid>,
) -> Result<Moved> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let Some(user) = db_users::lock(&mut tx, user_id).await? else {
        return Err(Error::field("user_id", "Choose who to move."));
    };
    let to = match team_id {
        Some(id) => match db_users::team_name(&mut *tx, id).await? {
            Some(name) => Some(name),
            None => return Err(Error::field("team_id", "Choose a team from the list.")),
        },
        None => None,
    };
    if user.team_id == team_id {
        return Err(Error::AlreadyDone(format!(
            "{} is already there: nothing changed.",
            user.name
        )));
    }
    db_users::set_access(&mut tx, user.id, user.role, team_id).await?;
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::UserMoved,
        Target::user(user.id, &user.name),
        json!({ "team": { "from": user.team, "to": to } }),
    )
    .await?;
    tx.commit().await?;
    Ok(Moved {
        name: user.name,
        to,
    })
}

/// Retires category `id` (or, with `retired` false, brings it back); returns its name. A
/// category already so is `Error::AlreadyDone`.
#[tracing::instrument(skip_all, fields(category_id = %id))]
pub async fn set_retired(db: &PgPool, actor: &Actor, id: Uuid, retired: bool) -> Result<String> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let (name, changed) = categories::set_retired(&mut tx, id, retired)
        .await
        .map_err(|e| List::Categories.error(e.into()))?;
    if !changed {
        return Err(Error::AlreadyDone(format!(
            "\u{201c}{name}\u{201d} was already {}: nothing changed.",
            if retired { "retired" } else { "in use" }
        )));
    }
    let action = if retired {
        AuditAction::CategoryRetired
    } else {
        AuditAction::CategoryRestored
    };
    audit::record(
        &mut tx,
        actor.id,
        action,
        Target::category(id, &name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(name)
}
