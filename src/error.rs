//! One error type for the whole application.
//!
//! A handler returns `Result<T, AppError>`. `AppError` becomes a response with the right status
//! and the error itself riding in the response's extensions; `web::page::render_errors` turns
//! that into an HTML page, and `web::page::log_errors` logs each one exactly once with its
//! request id. Internal details never reach the client.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    Csrf,
    /// A request that cannot be read (malformed form data, bad encoding).
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    TooLarge,
    /// A conflict a person can resolve; the message is shown to them.
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached (down, restarting, refusing connections): 503, and the
    /// request may simply be tried again. Holds the cause, for the log only.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Seconds a client is asked to wait (`Retry-After`) when the database is unavailable.
pub const RETRY_AFTER_SECS: u64 = 5;

/// A database that cannot be reached is `Unavailable` (503); any other database error is a
/// `Database` error (500).
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> AppError {
        if crate::db::is_unavailable(&err) {
            AppError::Unavailable(err.to_string())
        } else {
            AppError::Database(err)
        }
    }
}

/// A use case that did not happen, for a handler that does not show it any better itself.
impl From<crate::app::Error> for AppError {
    fn from(e: crate::app::Error) -> AppError {
        use crate::app::Error;
        match e {
            Error::NotFound => AppError::NotFound,
            Error::Forbidden => AppError::Forbidden,
            Error::Stale => AppError::Conflict(
                "This changed since you opened it: someone else saved first. Nothing of yours was saved.".into(),
            ),
            Error::Invalid(errors) => AppError::BadRequest(errors.to_string()),
            Error::Refused(m) | Error::Conflict(m) | Error::AlreadyDone(m) => {
                AppError::Conflict(m)
            }
            Error::Move(e) => AppError::Conflict(e.to_string()),
            Error::Blocked(all) => AppError::Conflict(
                all.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Error::Confirm(open) => AppError::Conflict(format!("Still open: {}.", open.join("; "))),
            Error::Database(e) => e.into(),
        }
    }
}

impl AppError {
    /// An error that several requests share, because they waited on one computation
    /// (`crate::recent`): whoever holds the last reference gets it whole, the others one of the
    /// same kind with its text.
    pub fn shared(err: std::sync::Arc<AppError>) -> AppError {
        std::sync::Arc::try_unwrap(err).unwrap_or_else(|shared| match &*shared {
            AppError::Unavailable(m) => AppError::Unavailable(m.clone()),
            AppError::Database(e) if crate::db::is_unavailable(e) => {
                AppError::Unavailable(e.to_string())
            }
            other => AppError::Internal(anyhow::anyhow!("{other}")),
        })
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The heading and sentence a person sees. Never includes internal details.
    pub fn public_text(&self) -> (&'static str, String) {
        match self {
            AppError::NotFound => (
                "Page not found",
                "There is nothing here. It may have moved, or you may not have access to it.".into(),
            ),
            AppError::Forbidden => (
                "Not allowed",
                "Your role does not give you access to this page. Ask an admin if you need it."
                    .into(),
            ),
            AppError::Csrf => (
                "This form has expired",
                "For your safety the form could not be accepted. Reload the page and submit it again."
                    .into(),
            ),
            AppError::Conflict(message) => ("That did not work", message.clone()),
            AppError::BadRequest(_) => (
                "The form could not be read",
                "What was sent could not be understood. Go back, reload the page and try again.".into(),
            ),
            AppError::TooLarge => (
                "Too much at once",
                "What was sent is larger than Mend accepts. Shorten it and try again.".into(),
            ),
            AppError::Unavailable(_) => (
                "Mend is unavailable",
                "The database cannot be reached right now. Try again in a moment.".into(),
            ),
            AppError::Database(_) | AppError::Internal(_) => (
                "Something went wrong",
                "Mend hit an unexpected problem and has logged it. Try again; if it keeps happening, give the reference below to your admin."
                    .into(),
            ),
        }
    }

    /// Whether this error is the server's fault (and so worth an error-level log line and a
    /// reference on the page). An unavailable database is not: it is logged as a warning, and
    /// it clears up by itself.
    pub fn is_internal(&self) -> bool {
        self.status().is_server_error() && !matches!(self, AppError::Unavailable(_))
    }
}

/// The error, carried in the response's extensions to the middleware that renders and logs it.
#[derive(Debug, Clone)]
pub struct ErrorInfo(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(ErrorInfo(Arc::new(self)));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_a_503_and_a_failing_query_a_500() {
        let down = AppError::from(sqlx::Error::PoolTimedOut);
        assert!(matches!(down, AppError::Unavailable(_)), "{down:?}");
        assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(!down.is_internal(), "logged as a warning, not an error");
        assert_eq!(down.public_text().0, "Mend is unavailable");

        let broken = AppError::from(sqlx::Error::Protocol("unexpected message".into()));
        assert!(matches!(broken, AppError::Database(_)), "{broken:?}");
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(broken.is_internal());
    }
}
