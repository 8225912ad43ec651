//! Confirmation of what cannot be undone, with or without JavaScript. A form for such an
//! action (revoking an API token, turning the calendar link off, removing an item from a case,
//! marking a commitment broken) that arrives without `confirmed=1` is answered with a page that
//! says what will happen and posts the same fields again with `confirmed=1`. With JavaScript,
//! `static/js/mend.js` asks with `confirm()` and adds the field itself, so nobody is asked twice.

use askama::Template;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::page::{Chrome, Ctx, render};
use crate::error::AppError;

/// A form field, as the confirmation page posts it again.
pub struct Field {
    pub name: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "pages/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    message: &'static str,
    action: String,
    fields: Vec<Field>,
    back: String,
}

/// The question to ask before `path` does what its form asks, if it needs asking.
fn question(path: &str, fields: &[(String, String)]) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match segments.as_slice() {
        ["settings", "tokens", _, "revoke"] => {
            Some("Revoke this API token? Anything using it stops working at once.")
        }
        ["settings", "calendar", "off"] => {
            Some("Turn the calendar link off? Calendar apps will stop receiving your check-ins.")
        }
        [
            "cases",
            _,
            "conversations" | "actions" | "commitments" | "lessons",
            _,
            "remove",
        ] => Some(
            "Remove this from the case? The timeline keeps a record of it, but it cannot be brought back.",
        ),
        ["cases", _, "commitments", _, "mark"] if field("mark") == Some("broken") => Some(
            "Mark this commitment broken? The case goes back to Making it right (or a new case opens if it is closed), and the managers are told.",
        ),
        _ => None,
    }
}

/// Middleware: asks before an action that cannot be undone, unless the form says it was asked.
pub async fn ask_first(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let path = request.uri().path().to_string();
    let might_ask = path.starts_with("/settings/") || path.starts_with("/cases/");
    if !might_ask {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, crate::auth::csrf::MAX_FORM_BYTES).await else {
        return AppError::TooLarge.into_response();
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
    let confirmed = fields.iter().any(|(k, v)| k == "confirmed" && v == "1");
    let message = if confirmed {
        None
    } else {
        question(&path, &fields)
    };
    let Some(message) = message else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let ctx = match Ctx::from_request_parts(&mut parts, &()).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let back = parts
        .headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| same_site_path(referer, host))
        .unwrap_or_else(|| "/".to_string());
    render(
        StatusCode::OK,
        &ConfirmPage {
            chrome: ctx.chrome("Please confirm"),
            message,
            action: path,
            fields: fields
                .into_iter()
                .filter(|(k, _)| k != "confirmed")
                .map(|(name, value)| Field { name, value })
                .collect(),
            back,
        },
    )
}

/// The path and query of a Referer on this site (`host`, the request's Host header), as a
/// local path that cannot lead elsewhere (`guard::safe_next`: no `//`, `/\`, control
/// characters); none for another site's address or anything doubtful.
fn same_site_path(referer: &str, host: &str) -> Option<String> {
    let url = url::Url::parse(referer).ok()?;
    let authority = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return None,
    };
    if !authority.eq_ignore_ascii_case(host) || !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    // The raw path as sent, not the parser's normalised one (which turns `\` into `/`).
    let after_scheme = referer.split_once("://")?.1;
    let raw = &after_scheme[after_scheme.find('/')?..];
    let raw = raw.split('#').next().unwrap_or(raw);
    let safe = crate::auth::guard::safe_next(Some(raw));
    (safe == raw).then_some(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn only_what_cannot_be_undone_is_asked() {
        assert!(question("/settings/tokens/abc/revoke", &[]).is_some());
        assert!(question("/settings/calendar/off", &[]).is_some());
        assert!(question("/cases/CR-1/actions/x/remove", &[]).is_some());
        assert!(question("/cases/CR-1/commitments/x/mark", &f(&[("mark", "broken")])).is_some());
        assert!(question("/cases/CR-1/commitments/x/mark", &f(&[("mark", "kept")])).is_none());
        assert!(question("/cases/CR-1/actions", &[]).is_none());
        assert!(question("/settings/calendar", &[]).is_none());
    }

    #[test]
    fn the_way_back_stays_on_this_site() {
        let here = "127.0.0.1:3000";
        assert_eq!(
            same_site_path("http://127.0.0.1:3000/cases/CR-1?x=1#stage", here).as_deref(),
            Some("/cases/CR-1?x=1")
        );
        for bad in [
            "https://evil.example//x",
            "https://evil.example/cases",
            "http://127.0.0.1:3000//evil.example",
            "http://127.0.0.1:3000/\\evil.example",
            "http://127.0.0.1:3000/\t/evil.example",
            "http://127.0.0.1:3000/ok\r\nx",
            "http://127.0.0.1:3001/cases",
            "javascript:alert(1)",
            "/cases/CR-1",
            "nonsense",
        ] {
            assert_eq!(same_site_path(bad, here), None, "{bad:?}");
        }
    }
}
