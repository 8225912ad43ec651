//! People: creating a user (with a password the admin sets, or a one-time link to choose their
//! own), changing their role and team, issuing a password link, deactivating (their sessions
//! end in the same transaction) and reactivating. The last active admin can be neither
//! deactivated nor demoted (`domain::admin::keep_an_admin`).

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::admin_only;
use crate::app::{Actor, Error, Result};
use crate::auth::password_link;
use crate::db;
use crate::db::audit::{self, Target};
use crate::db::users::{self as db_users, CreateUserError, NewAccountRow};
use crate::domain::Role;
use crate::domain::admin::{
    Access, AdminLoss, AuditAction, FirstPassword, NewAccount, keep_an_admin,
};

/// A one-time "set your password" link just issued: its secret, to show once (it is never
/// stored), and when it stops working.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Issues a link for `user_id`, replacing their unused ones.
async fn issue(conn: &mut PgConnection, user_id: Uuid, actor: Uuid) -> sqlx::Result<IssuedLink> {
    let (token, hash) = password_link::new_token();
    let expires_at = Utc::now() + password_link::LIFETIME;
    db::password_links::issue(conn, user_id, actor, &hash, expires_at).await?;
    Ok(IssuedLink { token, expires_at })
}

/// What a new user's first password hash is made from: the password the admin set, or, for a
/// user who gets a link, a random secret nobody knows, so nobody can sign in as them until they
/// choose their own. The adapter hashes it before calling [`create`] (hashing takes a while).
pub fn first_secret(password: &FirstPassword) -> String {
    match password {
        FirstPassword::Set(p) => p.expose().to_string(),
        FirstPassword::Link => password_link::new_token().0,
    }
}

/// A user just created.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: Uuid,
    /// The link to give them, when they choose their own password.
    pub link: Option<IssuedLink>,
}

/// Creates a user in a team that exists, with `password_hash` (of [`first_secret`]) and, when
/// they choose their own password, a one-time link. `Error::Invalid` on `email` when someone
/// has the address already.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &PgPool,
    actor: &Actor,
    account: &NewAccount,
    password_hash: &str,
) -> Result<Created> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let team = match account.team_id {
        Some(id) => db_users::team_name(&mut *tx, id).await?,
        None => None,
    };
    let row = NewAccountRow {
        email: account.email.as_str(),
        name: &account.name,
        role: account.role,
        team_id: account.team_id,
        time_zone: &account.time_zone,
    };
    let id = match db_users::create_account(&mut tx, &row, password_hash).await {
        Ok(id) => id,
        Err(CreateUserError::DuplicateEmail(email)) => {
            return Err(Error::field(
                "email",
                format!("A user with the e-mail address {email} already exists."),
            ));
        }
        Err(CreateUserError::Database(e)) => return Err(e.into()),
    };
    let link = match account.password {
        FirstPassword::Link => Some(issue(&mut tx, id, actor.id).await?),
        FirstPassword::Set(_) => None,
    };
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::UserCreated,
        Target::user(id, &account.name),
        json!({
            "email": account.email.as_str(),
            "role": account.role.label(),
            "team": team,
            "time_zone": account.time_zone,
            "first_password": if link.is_some() { "one-time link" } else { "set by the admin" },
        }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %id, "user created");
    Ok(Created { id, link })
}

/// A password link issued for an existing user.
#[derive(Debug, Clone)]
pub struct LinkIssued {
    /// The user's name.
    pub name: String,
    pub link: IssuedLink,
}

/// Issues a new one-time password link for user `id`; any link given to them before stops
/// working. Refused for a deactivated user.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn issue_link(db: &PgPool, actor: &Actor, id: Uuid) -> Result<LinkIssued> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let user = db_users::lock(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !user.active {
        return Err(Error::Refused(format!(
            "{} is deactivated: reactivate them before giving them a password link.",
            user.name
        )));
    }
    let link = issue(&mut tx, id, actor.id).await?;
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::PasswordLinkIssued,
        Target::user(id, &user.name),
        json!({ "expires_at": link.expires_at.to_rfc3339() }),
    )
    .await?;
    tx.commit().await?;
    Ok(LinkIssued {
        name: user.name,
        link,
    })
}

/// A user's role and team, changed.
#[derive(Debug, Clone)]
pub struct AccessChanged {
    /// The user's name.
    pub name: String,
    pub role: Role,
    /// Their team's name now, if they are in one.
    pub team: Option<String>,
    /// The actor changed their own role or team.
    pub is_self: bool,
}

/// Changes user `id`'s role and team (`access.team_id` a team that exists). Taking the admin
/// role from the last active admin is `Error::Refused`; no change at all is
/// `Error::AlreadyDone`.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn change_access(
    db: &PgPool,
    actor: &Actor,
    id: Uuid,
    access: Access,
) -> Result<AccessChanged> {
    admin_only(actor)?;
    let Access { role, team_id } = access;
    let mut tx = db.begin().await?;
    // The admins first, then the user (see `lock_active_admins`).
    let admins = db_users::lock_active_admins(&mut tx).await?;
    let user = db_users::lock(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if user.role == role && user.team_id == team_id {
        return Err(Error::AlreadyDone("Nothing changed.".into()));
    }
    let is_self = actor.id == user.id;
    let demoted = user.active && user.role == Role::Admin && role != Role::Admin;
    if demoted && let Err(refusal) = keep_an_admin(admins, AdminLoss::Demotion, is_self) {
        return Err(Error::Refused(refusal.to_string()));
    }
    let team = match team_id {
        Some(team_id) => db_users::team_name(&mut *tx, team_id).await?,
        None => None,
    };
    let mut details = serde_json::Map::new();
    if user.role != role {
        details.insert(
            "role".into(),
            json!({ "from": user.role.label(), "to": role.label() }),
        );
    }
    if user.team_id != team_id {
        details.insert("team".into(), json!({ "from": user.team, "to": team }));
    }
    db_users::set_access(&mut tx, id, role, team_id).await?;
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::UserChanged,
        Target::user(id, &user.name),
        serde_json::Value::Object(details),
    )
    .await?;
    tx.commit().await?;
    Ok(AccessChanged {
        name: user.name,
        role,
        team,
        is_self,
    })
}

/// A user deactivated.
#[derive(Debug, Clone)]
pub struct Deactivated {
    /// The user's name.
    pub name: String,
    /// The actor deactivated themselves (and so is signed out too).
    pub is_self: bool,
}

/// Deactivates user `id` and deletes their sessions in one transaction, so they are signed out
/// at once. Deactivating the last active admin is `Error::Refused`; a user already deactivated
/// is `Error::AlreadyDone`.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn deactivate(db: &PgPool, actor: &Actor, id: Uuid) -> Result<Deactivated> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    // The admins first, then the user (see `lock_active_admins`).
    let admins = db_users::lock_active_admins(&mut tx).await?;
    let user = db_users::lock(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !user.active {
        return Err(Error::AlreadyDone(format!(
            "{} was already deactivated: nothing changed.",
            user.name
        )));
    }
    let is_self = actor.id == user.id;
    if user.role == Role::Admin
        && let Err(refusal) = keep_an_admin(admins, AdminLoss::Deactivation, is_self)
    {
        return Err(Error::Refused(refusal.to_string()));
    }
    db_users::set_active(&mut tx, id, false).await?;
    let sessions = db::sessions::delete_for_user(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::UserDeactivated,
        Target::user(id, &user.name),
        json!({ "sessions_ended": sessions }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %id, sessions, "user deactivated");
    Ok(Deactivated {
        name: user.name,
        is_self,
    })
}

/// Reactivates user `id`; returns their name. A user already active is `Error::AlreadyDone`.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn reactivate(db: &PgPool, actor: &Actor, id: Uuid) -> Result<String> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let user = db_users::lock(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if user.active {
        return Err(Error::AlreadyDone(format!(
            "{} is already active: nothing changed.",
            user.name
        )));
    }
    db_users::set_active(&mut tx, id, true).await?;
    // A request that was under way when they were deactivated may have saved its session
    // again; it must not come back to life now.
    db::sessions::delete_for_user(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::UserReactivated,
        Target::user(id, &user.name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(user.name)
}
