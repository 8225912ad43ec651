//! Mend: a client-recovery case tracker.
//!
//! `app(state)` is the whole web application as a router; `database::open` finds the database
//! (the embedded cluster or `DATABASE_URL`); `commands` are what the CLI runs.

pub mod api;
pub mod app;
pub mod auth;
pub mod backup;
pub mod commands;
pub mod config;
pub mod database;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod mail;
pub mod pg;
pub mod rate_limit;
pub mod recent;
pub mod scheduler;
pub mod server;
pub mod state;
pub mod telemetry;
pub mod web;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::Request;
use axum::middleware;
use axum::response::IntoResponse;
use axum_login::AuthManagerLayerBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use config::Settings;
use error::AppError;
pub use state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "mend_session";

/// The folder static files are served from: `MEND_STATIC_DIR`, else the source tree's
/// `static/` when it exists (development), else `./static`.
pub fn static_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MEND_STATIC_DIR") {
        return PathBuf::from(dir);
    }
    let source = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static"));
    if source.is_dir() {
        source
    } else {
        PathBuf::from("static")
    }
}

/// Refuses a path or query holding an encoded NUL character: PostgreSQL stores none in text,
/// so it could only fail later, and no one types one.
async fn refuse_nul(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let uri = request.uri();
    let nul = web::page::contains_nul(uri.path().as_bytes())
        || uri
            .query()
            .is_some_and(|q| web::page::contains_nul(q.as_bytes()));
    if !nul {
        return next.run(request).await;
    }
    if uri.path().starts_with("/api/") {
        api::Problem::bad_request("The address holds a NUL character (%00).").into_response()
    } else {
        AppError::BadRequest("a NUL character in the address".into()).into_response()
    }
}

/// Runs each request in a task of its own, so it finishes even when its client goes away or
/// the request timeout answers first. A handler dropped half-way through a transaction leaves
/// sqlx guessing: dropped between COMMIT and its answer, it rolls back a transaction PostgreSQL
/// already committed ("there is no transaction in progress"); dropped between BEGIN and its
/// answer, it can hand the pool a connection inside an open transaction. Work that must stop is
/// bounded by the statement timeout instead.
async fn run_to_completion(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    // The task's own outage note (a task-local) is carried back to this request's scope.
    match tokio::spawn(db::outage::watch(next.run(request))).await {
        Ok((response, noted)) => {
            if let Some(message) = noted {
                db::outage::note_reported(message);
            }
            response
        }
        Err(e) => {
            let cause = if e.is_panic() {
                anyhow::anyhow!("the request's task panicked")
            } else {
                anyhow::anyhow!("the request's task was cancelled")
            };
            AppError::Internal(cause).into_response()
        }
    }
}

/// The whole web application.
pub fn app(mut state: AppState) -> axum::Router {
    state.api_document = Arc::new(serde_json::to_value(api::openapi()).unwrap_or_default());
    let store = db::sessions::PgSessionStore::new(state.db.clone());
    let session_users = store.users();
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(7)));
    let auth_layer = AuthManagerLayerBuilder::new(
        auth::Backend::new(state.db.clone(), session_users),
        sessions,
    )
    .build();

    let pages = web::Router::new()
        .merge(web::auth::router())
        .merge(web::home::router())
        .merge(web::accounts::router())
        .merge(web::cases::router())
        .merge(web::settings::router())
        .merge(web::calendar::router())
        .merge(web::dashboard::router())
        .merge(web::review::router())
        .merge(web::lessons::router())
        .merge(web::admin::router())
        .merge(web::api_docs::router())
        .merge(web::intake::router())
        .merge(web::password::router())
        .merge(web::setup::router())
        .fallback(|| async { AppError::NotFound })
        // Innermost first: asking before what cannot be undone, the token check, the Origin
        // check, the way to the first-run setup, then error pages framed for the signed-in
        // user, all inside the session.
        .layer(middleware::from_fn(web::confirm::ask_first))
        .layer(middleware::from_fn(auth::csrf::verify))
        .layer(CsrfLayer::new().with_rejection_response(|_| AppError::Csrf.into_response()))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::setup::lead_to_setup,
        ))
        .layer(middleware::from_fn(web::page::render_errors))
        .layer(auth_layer)
        // Pages read the settings they show (the public URL on admin pages) from here.
        .layer(axum::Extension(state.settings.clone()));

    telemetry::handle();
    let routes = web::Router::new()
        .merge(web::health::router())
        .route("/metrics", axum::routing::get(telemetry::endpoint))
        .merge(api::router())
        .nest_service("/static", web::security::static_files(&static_dir()))
        .merge(pages)
        .route_layer(middleware::from_fn(telemetry::track))
        .layer(middleware::from_fn_with_state(
            state.writes.clone(),
            recent::count_writes,
        ))
        .layer(middleware::from_fn(refuse_nul))
        .layer(middleware::from_fn(run_to_completion))
        // A request that takes too long is answered 503 (the error page says to try again).
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            state.settings.request_timeout,
        ))
        .layer(middleware::from_fn(web::page::log_errors));
    web::security::with_headers(routes, state.settings.secure_cookies)
        // Fastest: a page is a few tens of kilobytes of repetitive HTML, which the fastest level
        // still shrinks about fivefold at a fraction of the default level's CPU.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        .layer(
            TraceLayer::new_for_http()
                // `log_errors` logs each failed request once, with its cause and at its level
                // (a warning while the database is unavailable); tower-http would add an
                // error-level line of its own for every 5xx.
                .on_failure(())
                .make_span_with(|request: &Request<_>| {
                    let route = request
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_else(|| request.uri().path().to_owned());
                    let request_id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), route, request_id)
                }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
