//! Security headers on every response, and static files with cache headers.

use axum::http::{HeaderName, HeaderValue, header};
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// No inline script or style, nothing from other origins, never framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the headers to every response of `router`, each only if the handler did not set its own.
pub fn with_headers<S: Clone + Send + Sync + 'static>(
    router: axum::Router<S>,
    https: bool,
) -> axum::Router<S> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    // Served over HTTPS (secure cookies): browsers are told to come back over HTTPS only, so a
    // later plain-HTTP link cannot expose the session.
    let router = if https {
        router.layer(set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        router
    };
    router
        // Pages carry personal data: browsers and proxies must not keep them. Static files set
        // their own, longer, policy first.
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::CONTENT_SECURITY_POLICY, CSP))
}

/// `static/`, cached for a day by browsers.
pub fn static_files(dir: &std::path::Path) -> axum::Router {
    axum::Router::new().fallback_service(
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ))
            .service(ServeDir::new(dir)),
    )
}
