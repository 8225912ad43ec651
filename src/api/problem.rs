//! RFC 9457 problem documents: every API error is one, as `application/problem+json`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldErrors;

/// An error, as RFC 9457 describes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a person to read.
    pub detail: String,
    /// For invalid input: each field that was refused and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Seconds to wait before trying again (rate limiting, an unavailable database).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// One refused field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, as named in the request (a dotted path for nested fields).
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: kind.to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "about:blank", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "urn:mend:problem:unauthorized",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "about:blank", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "urn:mend:problem:conflict", detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:mend:problem:malformed",
            detail,
        )
    }

    /// Invalid input: one entry per field.
    pub fn invalid(errors: impl IntoIterator<Item = (String, String)>) -> Problem {
        let errors: Vec<FieldProblem> = errors
            .into_iter()
            .map(|(field, message)| FieldProblem { field, message })
            .collect();
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid.", errors.len()),
        };
        Problem {
            errors,
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "urn:mend:problem:validation",
                detail,
            )
        }
    }

    /// One invalid field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Problem {
        Problem::invalid([(field.to_string(), message.into())])
    }

    /// The pages' validation errors, with the form's field names mapped to the API's.
    pub fn from_fields(errors: &FieldErrors, rename: impl Fn(&str) -> String) -> Problem {
        Problem::invalid(
            errors
                .iter()
                .map(|(field, message)| (rename(field), message.to_string())),
        )
    }

    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "about:blank",
            "Mend hit an unexpected problem and has logged it. Try again later.",
        )
    }

    pub fn unavailable() -> Problem {
        Problem {
            retry_after: Some(crate::error::RETRY_AFTER_SECS),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "about:blank",
                "The database cannot be reached right now. Try again in a moment.",
            )
        }
    }
}

/// A use case that did not happen. Field names are the API's (`checkin_summary` → `summary`,
/// `checkin_words` → `client_words`).
impl From<crate::app::Error> for Problem {
    fn from(e: crate::app::Error) -> Problem {
        use crate::app::Error;
        match e {
            Error::NotFound => {
                Problem::not_found("There is no such thing, or it is not yours to see.")
            }
            Error::Forbidden => Problem::forbidden("Your role may not do this."),
            Error::Stale => Problem::conflict(
                "It changed since you read it: someone else saved first. Read it again, then retry.",
            ),
            Error::Invalid(errors) => Problem::from_fields(&errors, api_field),
            Error::Refused(m) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "urn:mend:problem:refused",
                m,
            ),
            Error::Conflict(m) | Error::AlreadyDone(m) => Problem::conflict(m),
            Error::Move(e) => Problem::conflict(e.to_string()),
            Error::Blocked(all) => Problem::conflict(
                all.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Error::Confirm(open) => Problem::conflict(format!(
                "Still open: {}. Confirm to go ahead.",
                open.join("; ")
            )),
            Error::Database(e) => e.into(),
        }
    }
}

/// The pages' field names, as the API names them.
pub fn api_field(field: &str) -> String {
    match field {
        "checkin_words" => "client_words".to_string(),
        _ => field.trim_start_matches("checkin_").to_string(),
    }
}

impl From<sqlx::Error> for Problem {
    fn from(e: sqlx::Error) -> Problem {
        if crate::db::is_unavailable(&e) {
            tracing::warn!(error = %e, "API request: database unavailable");
            Problem::unavailable()
        } else {
            tracing::error!(error = %e, "API request failed");
            Problem::internal()
        }
    }
}

impl From<crate::error::AppError> for Problem {
    fn from(e: crate::error::AppError) -> Problem {
        use crate::error::AppError;
        match e {
            AppError::NotFound => Problem::not_found("Not found."),
            AppError::Forbidden | AppError::Csrf => Problem::forbidden("Not allowed."),
            AppError::BadRequest(m) => Problem::bad_request(m),
            AppError::TooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "about:blank",
                "The body is too large.",
            ),
            AppError::Conflict(m) => Problem::conflict(m),
            AppError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "API request: database unavailable");
                Problem::unavailable()
            }
            AppError::Database(e) => e.into(),
            AppError::Internal(e) => {
                tracing::error!(error = %e, "API request failed");
                Problem::internal()
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// What API handlers return.
pub type ApiResult<T> = Result<T, Problem>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_a_503_with_retry_after_and_a_broken_query_a_500() {
        let down = Problem::from(sqlx::Error::PoolTimedOut).into_response();
        assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(down.headers()[header::RETRY_AFTER], "5");
        let down = Problem::from(crate::error::AppError::from(sqlx::Error::PoolClosed));
        assert_eq!(down.status, 503);

        let broken = Problem::from(sqlx::Error::Protocol("unexpected message".into()));
        assert_eq!(broken.status, 500);
        assert!(broken.retry_after.is_none());
    }
}
