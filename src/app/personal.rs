//! A person's own settings: their password, time zone, reminder e-mails, private calendar link
//! and personal API tokens; and setting a password with a one-time link an admin gave them
//! (before they can sign in, so the link is all that says who they are).
//!
//! Passwords arrive hashed: hashing (and checking the current password) is the adapter's, with
//! `auth::password` on the blocking threads, before the use case's transaction.

use chrono_tz::Tz;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::{Actor, Error, Result};
use crate::db;
use crate::db::api_tokens;
use crate::db::audit::{self, Target};
use crate::db::password_links::LinkState;
use crate::db::users::{self as db_users, UserAuth};
use crate::domain::admin::AuditAction;
use crate::domain::user::NewToken;

/// Replaces the actor's password hash with `password_hash`; returns them as they are now, to
/// sign this session in again (the sessions' auth hash changes with the password hash, which
/// ends their other sessions). A deactivated actor is `Error::Forbidden`.
#[tracing::instrument(skip_all, fields(user_id = %actor.id))]
pub async fn change_password(db: &PgPool, actor: &Actor, password_hash: &str) -> Result<UserAuth> {
    let mut tx = db.begin().await?;
    db_users::set_password_hash(&mut *tx, actor.id, password_hash).await?;
    let updated = db_users::find_active(&mut *tx, actor.id)
        .await?
        .ok_or(Error::Forbidden)?;
    tx.commit().await?;
    tracing::info!(user_id = %actor.id, "password changed");
    Ok(updated)
}

/// Sets the actor's time zone.
pub async fn set_time_zone(db: &PgPool, actor: &Actor, zone: Tz) -> Result<()> {
    let mut tx = db.begin().await?;
    db_users::set_time_zone(&mut *tx, actor.id, zone.name()).await?;
    tx.commit().await?;
    Ok(())
}

/// Which reminder e-mails a person gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminders {
    /// A check-in is due.
    pub due: bool,
    /// A check-in was missed.
    pub missed: bool,
    /// The weekly digest.
    pub digest: bool,
}

/// Saves which reminder e-mails the actor gets.
pub async fn set_reminders(db: &PgPool, actor: &Actor, reminders: Reminders) -> Result<()> {
    let mut tx = db.begin().await?;
    db_users::set_reminders(
        &mut *tx,
        actor.id,
        reminders.due,
        reminders.missed,
        reminders.digest,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Issues the actor a private calendar link with `secret`, replacing (and so revoking) any link
/// issued before. Returns whether one was replaced.
pub async fn issue_calendar_link(db: &PgPool, actor: &Actor, secret: &str) -> Result<bool> {
    let mut tx = db.begin().await?;
    let had_one = db_users::prefs(&mut *tx, actor.id)
        .await?
        .is_some_and(|p| p.calendar_secret.is_some());
    db_users::set_calendar_secret(&mut *tx, actor.id, Some(secret)).await?;
    tx.commit().await?;
    Ok(had_one)
}

/// Turns the actor's calendar link off: calendar apps no longer receive their check-ins.
pub async fn turn_off_calendar(db: &PgPool, actor: &Actor) -> Result<()> {
    let mut tx = db.begin().await?;
    db_users::set_calendar_secret(&mut *tx, actor.id, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a personal API token for the actor; returns the raw token, to show this once (only
/// its hash is stored).
#[tracing::instrument(skip_all, fields(user_id = %actor.id))]
pub async fn create_token(db: &PgPool, actor: &Actor, token: &NewToken) -> Result<String> {
    let mut tx = db.begin().await?;
    let raw = api_tokens::create(&mut *tx, actor.id, &token.name, token.expires_at).await?;
    tx.commit().await?;
    tracing::info!(user = %actor.id, "API token created");
    Ok(raw)
}

/// Revokes the actor's token `id`: it stops working at once. A token that is not theirs, or is
/// revoked already, is `Error::NotFound`.
pub async fn revoke_token(db: &PgPool, actor: &Actor, id: Uuid) -> Result<()> {
    let mut tx = db.begin().await?;
    if !api_tokens::revoke(&mut *tx, actor.id, id).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// What a one-time password link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkUse {
    /// The password of this user is set, and the link is used up.
    Set { user_id: Uuid },
    /// The link cannot be used (used, expired, replaced, or its user deactivated): nothing
    /// changed.
    Unusable(LinkState),
}

/// Sets the password of the link whose token hashes to `token_hash` to `password_hash`, under a
/// lock on the link, so it works once even when submitted twice at the same moment. The new
/// password ends every session the user had; the audit log records it.
#[tracing::instrument(skip_all)]
pub async fn set_password_with_link(
    db: &PgPool,
    token_hash: &[u8],
    password_hash: &str,
) -> Result<LinkUse> {
    let mut tx = db.begin().await?;
    let link = db::password_links::lock(&mut tx, token_hash).await?;
    let LinkState::Valid { user_id, name, .. } = &link else {
        return Ok(LinkUse::Unusable(link));
    };
    db_users::set_password_hash(&mut *tx, *user_id, password_hash).await?;
    db::password_links::consume(&mut tx, token_hash, *user_id).await?;
    audit::record(
        &mut tx,
        *user_id,
        AuditAction::PasswordSetWithLink,
        Target::user(*user_id, name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, "password set with a one-time link");
    Ok(LinkUse::Set { user_id: *user_id })
}
