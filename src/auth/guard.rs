//! Route layers: a signed-in user, or a role. Signed-out visitors are sent to
//! `/login?next=<this page>`; a signed-in user without the role gets the 403 page.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::AuthSession;
use crate::domain::Role;
use crate::error::AppError;

/// Middleware: any signed-in user.
pub async fn signed_in(auth: AuthSession, request: Request, next: Next) -> Response {
    check(auth, None, request, next).await
}

/// Middleware: managers and admins.
pub async fn manager(auth: AuthSession, request: Request, next: Next) -> Response {
    check(auth, Some(Role::Manager), request, next).await
}

/// Middleware: admins only.
pub async fn admin(auth: AuthSession, request: Request, next: Next) -> Response {
    check(auth, Some(Role::Admin), request, next).await
}

async fn check(auth: AuthSession, role: Option<Role>, request: Request, next: Next) -> Response {
    match (&auth.user, role) {
        (None, _) => Redirect::to(&login_url(request.uri())).into_response(),
        (Some(user), Some(required)) if !user.role.at_least(required) => {
            AppError::Forbidden.into_response()
        }
        _ => next.run(request).await,
    }
}

fn login_url(uri: &axum::http::Uri) -> String {
    let target = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    if target == "/" {
        "/login".to_string()
    } else {
        format!("/login?next={}", urlencoding::encode(target))
    }
}

/// `next` as a safe redirect target: only a local absolute path, never another host
/// (`//evil.example`, `/\evil.example`, `https://…`) and never a control character.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(safe_next(Some("/review?x=1")), "/review?x=1");
        assert_eq!(safe_next(Some("/")), "/");
    }

    #[test]
    fn anything_that_could_leave_the_site_becomes_home() {
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "/ok\r\nSet-Cookie: x",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_login_url_carries_the_page_asked_for() {
        let uri: axum::http::Uri = "/review?week=2026-W48".parse().expect("uri");
        assert_eq!(login_url(&uri), "/login?next=%2Freview%3Fweek%3D2026-W48");
        assert_eq!(login_url(&"/".parse().expect("uri")), "/login");
    }
}
