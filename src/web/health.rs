//! `GET /healthz`: the process is up. `GET /readyz`: the database answers (503 if not).
//! Neither touches sessions, so they stay cheap and work while the database is down.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let ping = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.db);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready\n"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            tracing::warn!("readiness check: database timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
