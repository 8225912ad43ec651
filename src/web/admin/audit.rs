//! The audit log of admin actions, newest first, in the reader's time zone.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::db;
use crate::domain::admin::AuditAction;
use crate::domain::case::{local_display, time_zone};
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, Pager, render};

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    page: String,
}

pub struct AuditRow {
    pub when: String,
    /// Machine-readable, for `datetime`.
    pub at: String,
    pub actor_id: Uuid,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// The target's admin page, for users.
    pub target_href: Option<String>,
    pub details: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    total: i64,
    pager: Pager,
}

/// A JSON value as a person reads it.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "none".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `{field: {from, to}}` as "field: from → to"; other values as "field: value".
fn describe(details: &serde_json::Value) -> Vec<String> {
    let Some(map) = details.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(field, value)| {
            let field = field.replace('_', " ");
            match value.as_object() {
                Some(change) if change.contains_key("from") && change.contains_key("to") => {
                    format!(
                        "{field}: {} \u{2192} {}",
                        plain(&change["from"]),
                        plain(&change["to"])
                    )
                }
                _ => format!("{field}: {}", plain(value)),
            }
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> Result<Response> {
    let tz = time_zone(&ctx.user()?.time_zone);
    let page = q
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let (total, entries) = tokio::try_join!(
        db::audit::count(&state.db),
        db::audit::page(&state.db, PAGE_SIZE, (page - 1) * PAGE_SIZE),
    )?;
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            when: local_display(e.at, tz),
            at: e.at.to_rfc3339(),
            actor_id: e.actor_id,
            actor: e.actor_name,
            action: AuditAction::parse(&e.action)
                .map(|a| a.label().to_string())
                .unwrap_or(e.action),
            target_href: match (e.target_kind.as_str(), e.target_id) {
                ("user", Some(id)) => Some(format!("/admin/users/{id}")),
                _ => None,
            },
            target: e.target_label,
            details: describe(&e.details),
        })
        .collect();
    let pager = Pager::new("/admin/audit", &[], page, total, PAGE_SIZE);
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            chrome: ctx.chrome("Audit log"),
            rows,
            total,
            pager,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_read_from_old_to_new() {
        let lines = describe(&json!({
            "role": { "from": "Account manager", "to": "Manager" },
            "team": { "from": null, "to": "North" },
            "sessions_ended": 2,
        }));
        assert_eq!(
            lines,
            [
                "role: Account manager \u{2192} Manager",
                "sessions ended: 2",
                "team: none \u{2192} North",
            ]
        );
        assert!(describe(&json!({})).is_empty());
    }
}
