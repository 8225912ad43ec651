//! Metrics in Prometheus's text format at `/metrics`: requests by route and status, a latency
//! histogram, the database pool, scheduler passes and e-mails sent or failed. The `metrics`
//! facade records them; `metrics-exporter-prometheus` renders them. The endpoint answers only to
//! `Authorization: Bearer <--metrics-token>`; without a token configured it does not exist.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process's recorder, installed on first use (one per process, however many apps run).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("mend_http_request_duration_seconds".into()),
                    &LATENCY_BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics are off: no recorder could be installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Counts and times each request by its route (the pattern, never the path: no case numbers
/// in metric labels).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("mend_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("mend_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Records a scheduler pass and the e-mails it sent or failed to send.
pub fn scheduler_pass(ok: bool, sent: u64, failed: u64) {
    let outcome = if ok { "ok" } else { "failed" };
    metrics::counter!("mend_scheduler_passes_total", "outcome" => outcome).increment(1);
    metrics::counter!("mend_emails_sent_total").increment(sent);
    metrics::counter!("mend_emails_failed_total").increment(failed);
}

/// `GET /metrics`.
pub async fn endpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.settings.metrics_token.as_ref().map(|t| t.0.as_str()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    use subtle::ConstantTimeEq;
    if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Send Authorization: Bearer <the metrics token>.\n",
        )
            .into_response();
    }
    let Some(handle) = handle() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "Metrics are off.\n").into_response();
    };
    metrics::gauge!("mend_db_pool_connections").set(f64::from(state.db.size()));
    metrics::gauge!("mend_db_pool_idle_connections").set(state.db.num_idle() as f64);
    handle.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}
