//! The e-mail outbox: every message Mend queued, newest first, with what became of it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::db;
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, Pager, render};

const OUTBOX_PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutboxQuery {
    page: String,
}

/// Where a message stands.
pub enum OutboxStatus {
    Sent {
        at: String,
    },
    /// Tried `attempts` times: failed last time (tried again from `next_try`), or, without an
    /// error, being sent right now.
    Waiting {
        attempts: i32,
        next_try: String,
        last_error: Option<String>,
    },
    Queued,
}

pub struct OutboxRow {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub kind: &'static str,
    pub created: String,
    pub status: OutboxStatus,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "due" => "Check-in due",
        "missed" => "Check-in missed",
        "digest" => "Weekly digest",
        "escalation" => "Escalation",
        "commitment" => "Commitment broken",
        _ => "Other",
    }
}

#[derive(Template)]
#[template(path = "pages/admin/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    /// Whether an SMTP server is configured; without one nothing leaves the outbox.
    smtp: bool,
    rows: Vec<OutboxRow>,
    total: i64,
    pager: Pager,
}

/// Every e-mail Mend queued, newest first, with what became of it.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OutboxQuery>,
) -> Result<Response> {
    let tz = crate::domain::case::time_zone(&ctx.user()?.time_zone);
    let when = |t| crate::domain::case::local_display(t, tz);
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let mut conn = state.db.acquire().await?;
    let total = db::outbox::count(&mut *conn).await?;
    let rows = db::outbox::recent(
        &mut *conn,
        OUTBOX_PAGE_SIZE,
        (page - 1).saturating_mul(OUTBOX_PAGE_SIZE),
    )
    .await?
    .into_iter()
    .map(|m| OutboxRow {
        to: m.to_address,
        subject: m.subject,
        body: m.body,
        kind: kind_label(&m.kind),
        created: when(m.created_at),
        status: match (m.sent_at, m.attempts) {
            (Some(at), _) => OutboxStatus::Sent { at: when(at) },
            (None, 0) => OutboxStatus::Queued,
            (None, attempts) => OutboxStatus::Waiting {
                attempts,
                next_try: when(m.send_after),
                last_error: m.last_error,
            },
        },
    })
    .collect();
    let pager = Pager::new("/admin/outbox", &[], page, total, OUTBOX_PAGE_SIZE);
    Ok(render(
        StatusCode::OK,
        &OutboxPage {
            chrome: ctx.chrome("Outbox"),
            smtp: state.settings.smtp_configured,
            rows,
            total,
            pager,
        },
    ))
}
