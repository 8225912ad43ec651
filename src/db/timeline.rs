//! The case timeline: every change is an event, appended in the change's own transaction and
//! never edited; an event also marks the case as active (which clears an escalation).

use serde_json::json;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

/// Appends to the timeline and marks the case as active.
pub async fn event(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    actor: Uuid,
    kind: &str,
    summary: &str,
    data: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into case_events (case_id, actor_id, kind, summary, data) values ($1, $2, $3, $4, $5)",
        case_id,
        actor,
        kind,
        summary,
        data
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "update cases set last_activity_at = now() where id = $1",
        case_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Field changes for the timeline: `(field, old, new)`, only those that differ.
#[derive(Default)]
pub struct Changes(Vec<serde_json::Value>);

impl Changes {
    pub fn diff(&mut self, field: &str, from: impl Into<String>, to: impl Into<String>) {
        let (from, to) = (from.into(), to.into());
        if from != to {
            self.0.push(json!({"field": field, "from": from, "to": to}));
        }
    }

    pub fn fields(&self) -> String {
        let names: Vec<&str> = self.0.iter().filter_map(|c| c["field"].as_str()).collect();
        names.join(", ")
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn data(self) -> serde_json::Value {
        json!({ "changes": self.0 })
    }
}

pub fn opt(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}
