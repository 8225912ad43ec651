//! The organisation's settings: saving them, with what changed (from what to what) in the
//! audit log.

use serde_json::json;
use sqlx::PgPool;

use super::admin_only;
use crate::app::{Actor, Error, Result};
use crate::db;
use crate::db::audit::{self, Target};
use crate::domain::admin::AuditAction;
use crate::domain::organisation::OrgSettings;

/// What changed between two versions of the settings, as `{field: {from, to}}`.
fn changes(
    before: &OrgSettings,
    after: &OrgSettings,
) -> serde_json::Map<String, serde_json::Value> {
    let mut details = serde_json::Map::new();
    let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            details.insert(field.into(), json!({ "from": from, "to": to }));
        }
    };
    note("name", json!(before.name), json!(after.name));
    note("time_zone", json!(before.time_zone), json!(after.time_zone));
    note(
        "default_cadence",
        json!(before.default_cadence),
        json!(after.default_cadence),
    );
    note(
        "stuck_after_days",
        json!(before.stuck_after_days),
        json!(after.stuck_after_days),
    );
    note(
        "week_start",
        json!(before.week_start.label()),
        json!(after.week_start.label()),
    );
    note(
        "adaptive_step_after",
        json!(before.adaptive_step_after),
        json!(after.adaptive_step_after),
    );
    note(
        "restored_after",
        json!(before.restored_after),
        json!(after.restored_after),
    );
    note(
        "escalate_after_days",
        json!(before.escalate_after),
        json!(after.escalate_after),
    );
    details
}

/// Saves the organisation's settings. Saving them as they are is `Error::AlreadyDone`, and
/// writes nothing.
#[tracing::instrument(skip_all)]
pub async fn save(db: &PgPool, actor: &Actor, settings: &OrgSettings) -> Result<()> {
    admin_only(actor)?;
    let mut tx = db.begin().await?;
    let before = db::organisation::save(&mut tx, settings).await?;
    let details = changes(&before, settings);
    if details.is_empty() {
        return Err(Error::AlreadyDone("Nothing changed.".into()));
    }
    audit::record(
        &mut tx,
        actor.id,
        AuditAction::SettingsChanged,
        Target::settings(),
        serde_json::Value::Object(details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
