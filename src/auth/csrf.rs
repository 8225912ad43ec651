//! CSRF protection, checked in one place for every state-changing request.
//!
//! Two defences: tower-http's `CsrfLayer` refuses cross-site requests by their `Origin` /
//! `Sec-Fetch-Site` headers, and this module's per-session token must come back with every
//! POST/PUT/PATCH/DELETE, in the form field `csrf_token` or the `X-CSRF-Token` header (htmx).
//! The token is compared in constant time.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::error::AppError;

/// Session key of the token.
const SESSION_KEY: &str = "csrf_token";
/// Form field and header that carry the token back.
pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
/// Forms are small; anything larger is refused before it is buffered.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The session's token, created on first use.
pub async fn token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(session_error)?
    {
        return Ok(t);
    }
    rotate(session).await
}

/// Replaces the session's token (done at sign-in).
pub async fn rotate(session: &Session) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let t = hex::encode(bytes);
    session
        .insert(SESSION_KEY, &t)
        .await
        .map_err(session_error)?;
    Ok(t)
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session store: {e}"))
}

fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Middleware: refuses a state-changing request whose token is missing or wrong.
pub async fn verify(session: Session, request: Request, next: Next) -> Response {
    if !is_state_changing(request.method()) {
        return next.run(request).await;
    }
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(t)) => t,
        Ok(None) => return AppError::Csrf.into_response(),
        Err(e) => return session_error(e).into_response(),
    };
    let (parts, body) = request.into_parts();
    let from_header = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (submitted, body) = match from_header {
        Some(t) => (Some(t), body),
        None => {
            let is_form = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
            if !is_form {
                return AppError::Csrf.into_response();
            }
            let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
                return AppError::TooLarge.into_response();
            };
            let token = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == FORM_FIELD)
                .map(|(_, v)| v.into_owned());
            (token, Body::from(bytes))
        }
    };
    match submitted {
        Some(t) if bool::from(t.as_bytes().ct_eq(expected.as_bytes())) => {
            next.run(Request::from_parts(parts, body)).await
        }
        _ => AppError::Csrf.into_response(),
    }
}
