//! The intake webhook: a helpdesk or monitoring tool opens an incident with
//! `POST /api/v1/intake/{source}`, signed with the source's shared secret.
//!
//! Signature: `X-Mend-Signature: sha256=<hex>` where the hex is HMAC-SHA256 with the secret over
//! `<timestamp>.<body>`, and `X-Mend-Timestamp` is that timestamp (Unix seconds). A request more
//! than five minutes from Mend's clock is refused, so a captured request cannot be replayed
//! later; within that window, the event id makes a retry harmless: a second delivery of the same
//! event answers with the case the first one opened, and opens nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use super::Problem;
use super::cases::Severity;
use super::problem::ApiResult;
use crate::app;
use crate::db::intake;
use crate::state::AppState;

/// How far a request's timestamp may be from Mend's clock.
pub const TOLERANCE_SECS: i64 = 300;

/// The account an event is about: by its id in the sending system, or by name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeAccount {
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// An incident reported by another tool.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeEvent {
    /// The sender's id for this event; a retry with the same id opens no second case.
    pub event_id: String,
    pub account: IntakeAccount,
    pub title: String,
    #[serde(default)]
    pub what_happened: String,
    pub severity: Severity,
    /// A category's name; default: the source's category, else "Other".
    #[serde(default)]
    pub category: Option<String>,
    /// When it happened (default: now).
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
}

/// What the webhook answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeResult {
    pub number: i64,
    pub reference: String,
    /// True when this event was delivered before: nothing new was opened.
    pub duplicate: bool,
}

type HmacSha256 = Hmac<Sha256>;

/// The signature header's value for `body` sent at `timestamp` (what a sender computes).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks the signature in constant time.
fn verify(secret: &str, timestamp: i64, body: &[u8], presented: &str) -> bool {
    let Some(hex_sig) = presented.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Opens an incident from another tool.
#[utoipa::path(
    post,
    path = "/api/v1/intake/{source}",
    tag = "intake",
    security(()),
    params(
        ("source" = String, Path, description = "The intake source's name, as an admin set it up"),
        ("X-Mend-Timestamp" = i64, Header, description = "Unix seconds when the request was signed"),
        ("X-Mend-Signature" = String, Header, description = "sha256= and the hex HMAC-SHA256 of `<timestamp>.<body>` with the source's secret")
    ),
    request_body = IntakeEvent,
    responses(
        (status = 201, description = "A new case was opened", body = IntakeResult),
        (status = 200, description = "This event was delivered before; its case", body = IntakeResult),
        (status = 401, description = "Missing, wrong or stale signature", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source, or it is turned off", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn receive(
    State(state): State<AppState>,
    Path(source): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(super::json::body_rejection)?;
    let source = match intake::find(&state.db, source.trim()).await? {
        Some(s) if !s.disabled => s,
        _ => {
            return Err(Problem::not_found(
                "There is no such intake source, or it is turned off.",
            ));
        }
    };
    // Authenticate before parsing: nothing unsigned is read as JSON.
    let timestamp = header(&headers, "x-mend-timestamp")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            Problem::unauthorized("Send X-Mend-Timestamp: the Unix time the request was signed at.")
        })?;
    let signature = header(&headers, "x-mend-signature").ok_or_else(|| {
        Problem::unauthorized(
            "Send X-Mend-Signature: sha256=<hex HMAC-SHA256 of \"<timestamp>.<body>\">.",
        )
    })?;
    if !verify(&source.secret, timestamp, &body, signature) {
        return Err(Problem::unauthorized(
            "The signature does not match the body and timestamp.",
        ));
    }
    if (Utc::now().timestamp() - timestamp).abs() > TOLERANCE_SECS {
        return Err(Problem::unauthorized(
            "The timestamp is more than five minutes from Mend's clock: a replayed or delayed request is refused. Sign it again with the current time.",
        ));
    }
    let event: IntakeEvent = super::json::parse(&body)?;
    let opened = app::intake::receive(
        &state.db,
        &source,
        app::intake::Event {
            event_id: &event.event_id,
            account_external_id: event.account.external_id.as_deref(),
            account_name: event.account.name.as_deref(),
            title: event.title,
            what_happened: event.what_happened,
            severity: event.severity.into(),
            category: event.category.as_deref(),
            occurred_at: event.occurred_at,
        },
        Utc::now(),
    )
    .await?;
    let status = if opened.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(answer(status, opened.number, opened.duplicate))
}

fn answer(status: StatusCode, number: i64, duplicate: bool) -> Response {
    (
        status,
        Json(IntakeResult {
            number,
            reference: format!("CR-{number}"),
            duplicate,
        }),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_only_the_same_secret_time_and_body() {
        let sig = signature("s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64, "{sig}");
        assert!(verify("s3cret", 1_700_000_000, b"{\"a\":1}", &sig));
        assert!(!verify("other", 1_700_000_000, b"{\"a\":1}", &sig));
        assert!(!verify("s3cret", 1_700_000_001, b"{\"a\":1}", &sig));
        assert!(!verify("s3cret", 1_700_000_000, b"{\"a\":2}", &sig));
        assert!(!verify("s3cret", 1_700_000_000, b"{\"a\":1}", "sha256=zz"));
        assert!(!verify("s3cret", 1_700_000_000, b"{\"a\":1}", &sig[7..]));
    }
}
