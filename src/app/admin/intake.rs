//! Intake sources, as admins keep them: creating one (with its shared secret), turning it off
//! and on again, and replacing its secret. (What a source delivers is `app::intake`.)

use rand::RngCore;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::admin_only;
use crate::app::{Actor, Error, Result};
use crate::db::audit::{self, Target};
use crate::db::intake;
use crate::domain::admin::{AuditAction, NewSource};

/// A new shared secret: 32 random bytes in hex.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

/// Creates an intake source with a new secret; returns its id. A name in use, or an owner or
/// category that no longer exists, is `Error::Invalid`.
#[tracing::instrument(skip_all, fields(source = %source.name))]
pub async fn create(db: &PgPool, actor: &Actor, source: &NewSource) -> Result<Uuid> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let created = match intake::create(
        &mut *tx,
        &source.name,
        &new_secret(),
        source.internal,
        source.default_owner_id,
        source.category_id,
        actor.id,
    )
    .await
    {
        Ok(Some(id)) => id,
        Ok(None) => {
            return Err(Error::field(
                "name",
                "There is already a source with that name.",
            ));
        }
        // A chosen owner or category that no longer exists.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23503") => {
            return Err(Error::field(
                "default_owner_id",
                "Choose one of the options offered.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::IntakeSourceCreated,
        Target::intake_source(created, &source.name),
        json!({"internal": source.internal}),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(source = %source.name, "intake source created");
    Ok(created)
}

/// A change to an intake source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Turn it off: its deliveries are refused.
    Disable,
    /// Turn it on again.
    Enable,
    /// Replace its secret: the old one stops working.
    RotateSecret,
}

/// Changes intake source `id`.
#[tracing::instrument(skip_all, fields(source_id = %id))]
pub async fn change(db: &PgPool, actor: &Actor, id: Uuid, change: Change) -> Result<()> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let (name, action) = match change {
        Change::Disable => (
            intake::set_disabled(&mut *tx, id, true).await?,
            AuditAction::IntakeSourceDisabled,
        ),
        Change::Enable => (
            intake::set_disabled(&mut *tx, id, false).await?,
            AuditAction::IntakeSourceEnabled,
        ),
        Change::RotateSecret => (
            intake::set_secret(&mut *tx, id, &new_secret()).await?,
            AuditAction::IntakeSecretRotated,
        ),
    };
    let name = name.ok_or(Error::NotFound)?;
    audit::record(
        &mut tx,
        actor.id,
        action,
        Target::intake_source(id, &name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
