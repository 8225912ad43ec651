//! The JSON API under `/api/v1`, for integrations: cases, conversations, check-ins and accounts,
//! and the intake webhook. It shares the pages' validation (the `domain` forms) and their
//! database functions, and so their visibility rules: one code path, two front ends.
//!
//! - Authentication is a personal token, `Authorization: Bearer mend_…` (see `db::api_tokens`);
//!   the API is mounted outside the session layer, so cookies are never read here and no CSRF
//!   token is needed. Each token is rate limited.
//! - Errors are RFC 9457 problem documents (`application/problem+json`), see `problem`.
//! - The OpenAPI 3.1 document (`/api/v1/openapi.json`) is generated from the handlers'
//!   annotations by utoipa, and the router is built from the same registrations, so the two
//!   cannot drift apart.

pub mod accounts;
pub mod caller;
pub mod cases;
pub mod intake;
pub mod json;
pub mod problem;

use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use caller::Caller;
pub use problem::Problem;

/// The largest request body the API reads (a JSON incident is a few kilobytes).
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mend API",
        version = "1",
        description = "Repair cases, conversations, check-ins and accounts for integrations, and a signed intake webhook. Authenticate with a personal token from Settings: `Authorization: Bearer mend_…`. Errors are RFC 9457 problem documents."
    ),
    modifiers(&BearerAuth),
    security(("token" = [])),
    tags(
        (name = "cases", description = "Repair cases and their conversations"),
        (name = "check-ins", description = "Follow-up check-ins"),
        (name = "accounts", description = "Client accounts"),
        (name = "intake", description = "Incidents from other tools, signed with a shared secret")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API's routes and its OpenAPI document, from one list of handlers.
pub fn routes() -> (crate::state::Router, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(cases::list, cases::create))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::add_conversation))
        .routes(routes!(cases::complete_check_in))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(intake::receive))
        .split_for_parts()
        .map_doc(with_common_responses)
}

/// `(router, document)` with the document changed.
trait MapDoc {
    fn map_doc(self, f: impl FnOnce(&mut utoipa::openapi::OpenApi)) -> Self;
}

impl MapDoc for (crate::state::Router, utoipa::openapi::OpenApi) {
    fn map_doc(mut self, f: impl FnOnce(&mut utoipa::openapi::OpenApi)) -> Self {
        f(&mut self.1);
        self
    }
}

/// Adds to every operation the answers any request may get, which no handler returns itself:
/// a malformed request (400: bad JSON, a bad query string, a NUL character), too many requests
/// for a token (429), Mend overloaded or its database away (503), and for operations with a
/// body, one too large (413) or not JSON (415). Each is a problem document.
fn with_common_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let token = !path.starts_with("/api/v1/intake");
        for op in [&mut item.get, &mut item.post].into_iter().flatten() {
            let has_body = op.request_body.is_some();
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description).into());
            };
            add(
                "400",
                "The request is malformed: a body that is not valid JSON, a query string that cannot be read, or a NUL character",
            );
            if token {
                add(
                    "429",
                    "Too many requests with this token; the Retry-After header says when to try again",
                );
            }
            add(
                "503",
                "Mend is overloaded or cannot reach its database; try again shortly",
            );
            if has_body {
                add("413", "The body is too large");
                add(
                    "415",
                    "The body is not JSON (send Content-Type: application/json)",
                );
            }
        }
    }
}

/// The OpenAPI document alone (for the documentation page), built once: it is the same for
/// the life of the process.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| routes().1)
}

/// The API router: every documented route, the document itself, and a problem document for
/// anything else under `/api/`.
pub fn router() -> crate::state::Router {
    let (router, _) = routes();
    router
        .route("/api/v1/openapi.json", get(|| async { Json(openapi()) }))
        .route("/api/{*rest}", axum::routing::any(not_found))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

async fn not_found() -> Problem {
    Problem::not_found("There is no such API endpoint. The list is at /api/v1/openapi.json.")
}

/// A list's query string, or a problem naming it.
pub fn query<T>(
    query: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, Problem> {
    query
        .map(|axum::extract::Query(q)| q)
        .map_err(|e| Problem::invalid_field("query", e.body_text()))
}

/// A list's page size: 1 to 100, 50 unless asked.
pub fn page_limit(limit: Option<i64>) -> Result<i64, Problem> {
    let limit = limit.unwrap_or(50);
    if (1..=100).contains(&limit) {
        Ok(limit)
    } else {
        Err(Problem::invalid_field(
            "limit",
            "Use a number from 1 to 100.",
        ))
    }
}

/// A list's search term: trimmed, at most 200 characters, blank is none.
pub fn search_term(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(200).collect())
}

/// A list's cursor, if one was given (blank is none).
pub fn cursor(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|c| !c.is_empty())
}

/// The problem for a cursor that is not one of ours.
pub fn bad_cursor() -> Problem {
    Problem::invalid_field(
        "cursor",
        "Pass the next_cursor of a previous page, unchanged.",
    )
}

/// Cuts `rows` (read with one more than `limit`) to the page, and gives the next page's cursor
/// from its last row when there is a next page.
pub fn next_page<T>(
    rows: &mut Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(cursor_of)
    } else {
        None
    }
}
