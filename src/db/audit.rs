//! The admin audit log: who did what to which user, team, category or setting, and when. Each
//! row is written in the transaction of the change it records, so neither exists without the
//! other.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::admin::AuditAction;

/// What an action was done to.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    kind: &'static str,
    id: Option<Uuid>,
    label: &'a str,
}

impl<'a> Target<'a> {
    pub fn user(id: Uuid, label: &'a str) -> Target<'a> {
        Target {
            kind: "user",
            id: Some(id),
            label,
        }
    }

    pub fn team(id: Uuid, label: &'a str) -> Target<'a> {
        Target {
            kind: "team",
            id: Some(id),
            label,
        }
    }

    pub fn category(id: Uuid, label: &'a str) -> Target<'a> {
        Target {
            kind: "category",
            id: Some(id),
            label,
        }
    }

    pub fn intake_source(id: Uuid, label: &'a str) -> Target<'a> {
        Target {
            kind: "intake_source",
            id: Some(id),
            label,
        }
    }

    pub fn settings() -> Target<'static> {
        Target {
            kind: "settings",
            id: None,
            label: "Organisation settings",
        }
    }
}

/// Records an action. `details` is a JSON object (what changed, from what to what).
#[tracing::instrument(skip_all, fields(action = action.as_str()))]
pub async fn record(
    conn: &mut PgConnection,
    actor_id: Uuid,
    action: AuditAction,
    target: Target<'_>,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into admin_audit (actor_id, action, target_kind, target_id, target_label, details)
         values ($1, $2, $3, $4, $5, $6)",
        actor_id,
        action.as_str(),
        target.kind,
        target.id,
        target.label,
        details
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One row of the log, with the actor's name.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<Uuid>,
    pub target_label: String,
    pub details: serde_json::Value,
}

pub async fn count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "n!" from admin_audit"#)
        .fetch_one(db)
        .await
}

/// The log, newest first.
#[tracing::instrument(skip_all)]
pub async fn page(db: impl PgExecutor<'_>, limit: i64, offset: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as!(
        Entry,
        "select a.id, a.at, a.actor_id, u.name as actor_name, a.action, a.target_kind, a.target_id,
                a.target_label, a.details
         from admin_audit a join users u on u.id = a.actor_id
         order by a.at desc, a.id desc
         limit $1 offset $2",
        limit,
        offset
    )
    .fetch_all(db)
    .await
}
