//! What every page shares: the frame (`Chrome`: signed-in user, CSRF token, flash messages),
//! the `Ctx` extractor that builds it, and the middleware that turns errors into pages and logs
//! each one once.

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

use crate::config::Settings;

use crate::auth::{AuthSession, SessionUser, csrf};
use crate::error::{AppError, ErrorInfo};

const FLASH_KEY: &str = "flashes";

/// The page frame's data; every page template has a `chrome` field.
pub struct Chrome {
    pub title: String,
    pub user: Option<NavUser>,
    pub csrf_token: String,
    pub flashes: Vec<Flash>,
    pub current_path: String,
    /// A standing warning for admins (e.g. links point at an address Mend is not reached at).
    pub admin_notice: Option<String>,
}

pub struct NavUser {
    pub name: String,
    pub email: String,
    pub role: String,
    pub role_label: String,
    pub is_manager: bool,
    pub is_admin: bool,
}

impl From<&SessionUser> for NavUser {
    fn from(u: &SessionUser) -> Self {
        use crate::domain::Role;
        NavUser {
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role.as_str().to_string(),
            role_label: u.role.label().to_string(),
            is_manager: u.role.at_least(Role::Manager),
            is_admin: u.role.at_least(Role::Admin),
        }
    }
}

/// A one-shot message shown on the next page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub message: String,
    /// The section of the page it belongs in (the case page shows it there, where the person
    /// acted); none for the top of the page.
    #[serde(default)]
    pub at: Option<String>,
}

/// Queues a flash message for the next page this session sees.
pub async fn flash(
    session: &Session,
    kind: &str,
    message: impl Into<String>,
) -> Result<(), AppError> {
    queue(session, kind, message.into(), None).await
}

/// Queues a confirmation for section `at` of the next page this session sees.
pub async fn flash_at(
    session: &Session,
    at: &str,
    message: impl Into<String>,
) -> Result<(), AppError> {
    queue(session, "success", message.into(), Some(at.to_string())).await
}

async fn queue(
    session: &Session,
    kind: &str,
    message: String,
    at: Option<String>,
) -> Result<(), AppError> {
    let mut all: Vec<Flash> = session
        .get(FLASH_KEY)
        .await
        .map_err(session_error)?
        .unwrap_or_default();
    all.push(Flash {
        kind: kind.to_string(),
        message,
        at,
    });
    session.insert(FLASH_KEY, all).await.map_err(session_error)
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session store: {e}"))
}

/// Everything a page handler needs besides its own data. Taking it consumes pending flash
/// messages, so only handlers that render a page should extract it.
pub struct Ctx {
    pub user: Option<SessionUser>,
    pub session: Session,
    csrf_token: String,
    flashes: Vec<Flash>,
    path: String,
    admin_notice: Option<String>,
    /// The request came from htmx (`HX-Request: true`): answer with the part it asked for.
    pub htmx: bool,
}

impl Ctx {
    /// The context for a page at `path`, for handlers that already hold the auth session.
    pub async fn for_session(auth: &AuthSession, path: &str) -> Result<Ctx, AppError> {
        Ctx::build(auth, path.to_string()).await
    }

    async fn build(auth: &AuthSession, path: String) -> Result<Ctx, AppError> {
        let session = auth.session.clone();
        let csrf_token = csrf::token(&session).await?;
        let flashes = session
            .remove::<Vec<Flash>>(FLASH_KEY)
            .await
            .map_err(session_error)?
            .unwrap_or_default();
        Ok(Ctx {
            user: auth.user.clone(),
            session,
            csrf_token,
            flashes,
            path,
            admin_notice: None,
            htmx: false,
        })
    }

    /// The frame for a page titled `title`.
    pub fn chrome(&self, title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            user: self.user.as_ref().map(NavUser::from),
            csrf_token: self.csrf_token.clone(),
            flashes: self.flashes.clone(),
            current_path: self.path.clone(),
            admin_notice: self.admin_notice.clone(),
        }
    }

    /// The signed-in user; routes behind a guard always have one.
    pub fn user(&self) -> Result<&SessionUser, AppError> {
        self.user.as_ref().ok_or(AppError::Forbidden)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts
            .extensions
            .get::<AuthSession>()
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("no auth session on a page route"))
            })?;
        let mut ctx = Ctx::build(&auth, parts.uri.path().to_string()).await?;
        ctx.htmx = parts
            .headers
            .get("hx-request")
            .is_some_and(|v| v.as_bytes() == b"true");
        if ctx.path.starts_with("/admin")
            && let Some(settings) = parts.extensions.get::<Arc<Settings>>()
        {
            let host = parts
                .headers
                .get(axum::http::header::HOST)
                .and_then(|v| v.to_str().ok());
            ctx.admin_notice = public_url_notice(&settings.public_url, host);
        }
        Ok(ctx)
    }
}

/// The signed-in person, for handlers behind `guard::signed_in` (anyone else is refused).
pub struct Me(pub SessionUser);

impl std::ops::Deref for Me {
    type Target = SessionUser;
    fn deref(&self) -> &SessionUser {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Me {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<AuthSession>()
            .and_then(|auth| auth.user.clone())
            .map(Me)
            .ok_or(AppError::Forbidden)
    }
}

/// What admins are told when their browser reached Mend at `host` (the request's Host header)
/// while links that leave the browser (e-mails, calendar events, password links) point at
/// `public_url`: those links would not open for anyone.
pub fn public_url_notice(public_url: &str, host: Option<&str>) -> Option<String> {
    let host = host?.trim().to_ascii_lowercase();
    let public = url::Url::parse(public_url).ok()?;
    let public_host = public.host_str()?.to_ascii_lowercase();
    let port = public.port_or_known_default();
    let (seen_host, seen_port) = match host.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h.to_string(), p.parse::<u16>().ok()),
        _ => (host.clone(), None),
    };
    let seen_port = seen_port.or(port);
    if seen_host == public_host && seen_port == port {
        return None;
    }
    Some(format!(
        "You opened Mend at {host}, but links in e-mails, calendar events and password links point at {public_url}. If people reach Mend at another address, restart it with --public-url (or MEND_PUBLIC_URL) set to that address."
    ))
}

/// Renders a template into a response with `status`.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("rendering a template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub heading: String,
    pub message: String,
    pub request_id: Option<String>,
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn error_page(chrome: Chrome, error: &AppError, request_id: Option<String>) -> ErrorPage {
    let (heading, message) = error.public_text();
    ErrorPage {
        chrome,
        status: error.status().as_u16(),
        heading: heading.to_string(),
        message,
        request_id: error.is_internal().then_some(request_id).flatten(),
    }
}

fn html_page(status: StatusCode, page: &ErrorPage, info: ErrorInfo) -> Response {
    let mut response = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        // The error page itself failed: fall back to text, never to internals.
        Err(_) => (status, "Mend could not show this page.").into_response(),
    };
    if matches!(*info.0, AppError::Unavailable(_)) {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(crate::error::RETRY_AFTER_SECS),
        );
    }
    response.extensions_mut().insert(info);
    response
}

/// Middleware (inside the session layers): an error response becomes the error page, framed
/// for the signed-in user.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let auth = request.extensions().get::<AuthSession>().cloned();
    let path = request.uri().path().to_string();
    let rid = request_id(request.headers());
    let response = next.run(request).await;
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    let status = response.status();
    let chrome = match &auth {
        Some(auth) => match Ctx::build(auth, path.clone()).await {
            Ok(ctx) => ctx.chrome(info.0.public_text().0),
            Err(_) => bare_chrome(info.0.public_text().0, path),
        },
        None => bare_chrome(info.0.public_text().0, path),
    };
    let page = error_page(chrome, &info.0, rid);
    html_page(status, &page, info)
}

fn bare_chrome(title: &str, path: String) -> Chrome {
    Chrome {
        title: title.to_string(),
        user: None,
        csrf_token: String::new(),
        flashes: Vec::new(),
        current_path: path,
        admin_notice: None,
    }
}

/// Middleware (outermost but for request ids and tracing): logs every error exactly once, with
/// its request id, and gives a page to errors that never reached `render_errors` (health
/// checks, static files, a failing session store).
///
/// A request that failed while the database could not be reached (`db::outage`) is answered
/// 503 "Mend is unavailable" and logged as a warning, whichever layer failed: the session
/// store and axum-login report their failures without a cause.
pub async fn log_errors(request: Request, next: Next) -> Response {
    let rid = request_id(request.headers());
    let path = request.uri().path().to_string();
    let (response, outage) = crate::db::outage::watch(next.run(request)).await;
    let reported = matches!(
        response.extensions().get::<ErrorInfo>(),
        Some(ErrorInfo(e)) if matches!(**e, AppError::Unavailable(_))
    );
    if let Some(cause) = outage.filter(|_| response.status().is_server_error() && !reported) {
        let error = AppError::Unavailable(cause);
        tracing::warn!(request_id = rid.as_deref().unwrap_or("-"), error = %error, "database unavailable");
        let page = error_page(bare_chrome(error.public_text().0, path), &error, rid);
        return html_page(error.status(), &page, ErrorInfo(std::sync::Arc::new(error)));
    }
    if let Some(ErrorInfo(error)) = response.extensions().get::<ErrorInfo>() {
        if matches!(**error, AppError::Unavailable(_)) {
            tracing::warn!(request_id = rid.as_deref().unwrap_or("-"), error = %error, "database unavailable");
        } else if error.is_internal() {
            tracing::error!(request_id = rid.as_deref().unwrap_or("-"), error = %error, "request failed");
        } else {
            tracing::debug!(request_id = rid.as_deref().unwrap_or("-"), error = %error, "request refused");
        }
        let is_html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        if is_html {
            return response;
        }
        let info = ErrorInfo(error.clone());
        let page = error_page(bare_chrome(error.public_text().0, path), error, rid);
        return html_page(response.status(), &page, info);
    }
    if response.status().is_server_error() && response.headers().get(header::CONTENT_TYPE).is_none()
    {
        // A layer below (e.g. the session store) failed without an `AppError`.
        tracing::error!(request_id = rid.as_deref().unwrap_or("-"), status = %response.status(), "request failed below the application");
        let error = AppError::Internal(anyhow::anyhow!("a middleware failed"));
        let status = response.status();
        let page = error_page(bare_chrome(error.public_text().0, path), &error, rid);
        let info = ErrorInfo(std::sync::Arc::new(error));
        let mut response = html_page(status, &page, info.clone());
        response.extensions_mut().remove::<ErrorInfo>();
        return response;
    }
    response
}

/// Page links for a list: numbered pages of `size`, the other query parameters kept.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl Pager {
    pub fn new(path: &str, params: &[(&str, &str)], page: i64, total: i64, size: i64) -> Pager {
        let pages = ((total + size - 1) / size).max(1);
        let href = |p: i64| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
                query.append_pair(k, v);
            }
            if p > 1 {
                query.append_pair("page", &p.to_string());
            }
            let query = query.finish();
            if query.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{query}")
            }
        };
        Pager {
            page,
            pages,
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
        }
    }
}

/// `axum::Form`, but a body that cannot be read becomes Mend's 400 or 413 page, never a bare
/// text rejection.
pub struct Form<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(e.body_text())
                }
            })?;
        // PostgreSQL stores no NUL character in text; no one types one.
        if contains_nul(&bytes) {
            return Err(AppError::BadRequest("a NUL character in the form".into()));
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(Form)
            .map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

/// Whether URL-encoded text holds an encoded NUL character (`%00`).
pub fn contains_nul(encoded: &[u8]) -> bool {
    encoded.windows(3).any(|w| w == b"%00") || encoded.contains(&0)
}
