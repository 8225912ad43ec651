use reqwest::StatusCode;

use crate::common::TestApp;

fn assert_security_headers(page: &crate::common::Page, what: &str) {
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(
        page.header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        page.header("x-frame-options").as_deref(),
        Some("DENY"),
        "{what}"
    );
    assert!(page.header("referrer-policy").is_some(), "{what}");
    assert!(page.header("x-request-id").is_some(), "{what}");
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("admin").await;
    for path in [
        "/login",
        "/",
        "/admin",
        "/no-such-page",
        "/static/css/mend.css",
        "/healthz",
    ] {
        assert_security_headers(&client.get(path).await, path);
    }
    assert_security_headers(&app.client().get("/").await, "redirect when signed out");
}

#[tokio::test]
async fn pages_are_not_cached_but_static_files_are() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let page = client.get("/login").await;
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    let css = client.get("/static/css/mend.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.header("content-type")
            .unwrap_or_default()
            .starts_with("text/css")
    );
    assert!(
        css.header("cache-control")
            .unwrap_or_default()
            .contains("max-age=")
    );
    let htmx = client.get("/static/js/htmx.min.js").await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert_eq!(
        client.get("/static/nope.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_use_no_inline_script_or_style() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("admin").await;
    for path in ["/", "/review", "/admin", "/missing"] {
        let page = client.get(path).await;
        for script in page
            .html()
            .select(&scraper::Selector::parse("script").expect("sel"))
        {
            assert!(
                script.value().attr("src").is_some(),
                "{path}: inline script"
            );
        }
        assert!(!page.body.contains(" style="), "{path}: inline style");
        assert!(!page.body.contains(" onclick="), "{path}: inline handler");
    }
}

#[tokio::test]
async fn an_unknown_page_gets_a_404_page_with_a_way_back() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let page = client.get("/cases/does-not-exist").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert_eq!(page.text("h1"), "Page not found");
    assert_eq!(
        page.attr(".error-page a.button", "href").as_deref(),
        Some("/")
    );
    // Framed for the signed-in user, with no request id (nothing went wrong on our side).
    assert!(!page.text(".user-name").is_empty());
    assert!(page.texts(".request-id").is_empty());
}

#[tokio::test]
async fn the_home_page_greets_the_user_and_says_what_comes_next() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let page = client.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text("title").ends_with("· Mend"),
        "{}",
        page.text("title")
    );
    assert!(!page.text(".empty-state").is_empty());
    assert_eq!(page.texts("main#main").len(), 1, "one main landmark");
    assert_eq!(page.attr("a.skip-link", "href").as_deref(), Some("#main"));
}

#[tokio::test]
async fn health_says_the_process_is_up() {
    let app = TestApp::spawn().await;
    let page = app.client().get("/healthz").await;
    assert_eq!(page.status, StatusCode::OK);
    let ready = app.client().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
}

#[tokio::test]
async fn readiness_is_503_when_the_database_is_gone_while_health_stays_up() {
    let app = TestApp::spawn().await;
    app.db.drop_database().await;
    let ready = app.client().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.client().get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_database_failure_shows_a_page_with_a_reference_and_no_internals() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("admin").await;
    // Break the users table under the running server: the admin page's query now fails.
    sqlx::query("alter table teams rename to teams_gone")
        .execute(&app.db.pool)
        .await
        .expect("rename");
    let page = client.get("/admin").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(page.text("h1"), "Something went wrong");
    let reference = page.text(".request-id code");
    assert_eq!(
        Some(reference),
        page.header("x-request-id"),
        "the reference is the request id"
    );
    assert!(!page.body.contains("teams"), "no SQL or table names leak");
    assert!(
        !page.body.contains("does not exist"),
        "no database error text"
    );
    assert!(!page.body.contains("relation \""), "no database error text");
}

#[tokio::test]
async fn an_oversized_form_gets_413_and_a_malformed_one_400_never_500() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let token = client.csrf_token("/accounts/new").await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let res = client
        .post_raw("/accounts", &[("csrf_token", &token), ("name", &huge)])
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.text("h1"), "Too much at once");

    // Not UTF-8 at all, with the token in a header (as htmx sends it).
    let res = reqwest::Client::new()
        .post(app.url("/accounts"))
        .header(
            "cookie",
            format!(
                "{}={}",
                mend::SESSION_COOKIE,
                client.session_cookie().expect("session")
            ),
        )
        .header("x-csrf-token", &token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![
            b'n', b'a', b'm', b'e', b'=', 0xff, 0xfe, b'&', b't', b'e', b'a', b'm', b'_', b'i',
            b'd', b'=', 0xc3,
        ])
        .send()
        .await
        .expect("POST");
    assert!(res.status().is_client_error(), "{}", res.status());
    // A form that is not a form.
    let res = reqwest::Client::new()
        .post(app.url("/accounts"))
        .header(
            "cookie",
            format!(
                "{}={}",
                mend::SESSION_COOKIE,
                client.session_cookie().expect("session")
            ),
        )
        .header("x-csrf-token", &token)
        .header("content-type", "application/json")
        .body("{\"name\": 1}")
        .send()
        .await
        .expect("POST");
    assert!(res.status().is_client_error(), "{}", res.status());
    let body = res.text().await.expect("body");
    assert!(body.contains("<h1>"), "an HTML error page: {body}");
}

/// The server's limits: a request that runs too long is answered 503, and the database cancels
/// a statement that runs longer than the server's limit.
#[tokio::test]
async fn slow_requests_and_statements_are_cut_off() {
    // A limit no page can meet (each needs a database round trip): every page times out.
    let settings = mend::Settings {
        request_timeout: std::time::Duration::from_nanos(1),
        ..mend::Settings::default()
    };
    let app = TestApp::spawn_with(settings).await;
    let page = app.client().get("/login").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.body.contains("<h1"),
        "an error page, not a bare status: {}",
        page.body
    );

    let limited = mend::db::pool_with_timeout(
        app.db.options.clone(),
        1,
        Some(std::time::Duration::from_millis(200)),
    );
    let shown: String = sqlx::query_scalar("show statement_timeout")
        .fetch_one(&limited)
        .await
        .expect("show");
    assert_eq!(shown, "200ms");
    let slow = sqlx::query("select pg_sleep(2)").execute(&limited).await;
    let code = match slow {
        Err(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
        other => panic!("the statement was not cancelled: {other:?}"),
    };
    assert_eq!(code.as_deref(), Some("57014"), "query_canceled");
}

#[tokio::test]
async fn metrics_need_their_token_and_label_routes_not_paths() {
    let off = TestApp::spawn().await;
    assert_eq!(
        off.client().get("/metrics").await.status,
        StatusCode::NOT_FOUND
    );

    let settings = mend::Settings {
        metrics_token: Some(mend::config::SecretString("scrape-me-0123".into())),
        ..mend::Settings::default()
    };
    let app = TestApp::spawn_with(settings).await;
    let client = app.signed_in("account_manager").await;
    assert_eq!(
        client.get("/cases/CR-424242").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(client.get("/login").await.status, StatusCode::SEE_OTHER);

    let http = reqwest::Client::new();
    let url = app.url("/metrics");
    let anonymous = http.get(&url).send().await.expect("GET");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = http
        .get(&url)
        .bearer_auth("nope")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let res = http
        .get(&url)
        .bearer_auth("scrape-me-0123")
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(
        body.contains(
            r#"mend_http_requests_total{method="GET",route="/cases/{number}",status="404"}"#
        ),
        "{body}"
    );
    assert!(!body.contains("424242"), "paths never become labels");
    assert!(
        body.contains("mend_http_request_duration_seconds_bucket"),
        "{body}"
    );
    assert!(body.contains("mend_db_pool_connections"), "{body}");
}
