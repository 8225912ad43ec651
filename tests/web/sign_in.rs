use mend::Settings;
use reqwest::StatusCode;

use crate::common::{PASSWORD, TestApp};

#[tokio::test]
async fn signing_in_with_the_right_password_shows_the_users_name() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee@example.com", "account_manager", None)
        .await;
    let client = app.client();

    let res = client.sign_in("ann.lee@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/"));

    let home = client.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.text(".user-name"), "ann.lee");
    assert_eq!(home.text("h1"), "My work");
    assert!(
        home.text("main").contains("Good to see you, ann.lee"),
        "{}",
        home.text("main")
    );
}

#[tokio::test]
async fn the_email_address_is_matched_without_regard_to_case() {
    let app = TestApp::spawn().await;
    app.create_user("Mixed.Case@Example.com", "manager", None)
        .await;
    let res = app
        .client()
        .sign_in("mixed.case@example.COM", PASSWORD)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_address_get_the_same_page() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();

    let wrong = client.sign_in("ann@example.com", "not the password").await;
    let unknown = client
        .sign_in("nobody@example.com", "not the password")
        .await;

    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.status, wrong.status);
    let message = wrong.text("#login-error");
    assert!(message.contains("do not match an account"), "{message}");
    assert_eq!(unknown.text("#login-error"), message);
    // The address typed is kept; the password is not echoed back.
    assert_eq!(
        wrong.attr("input[name=email]", "value").as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(wrong.attr("input[name=password]", "value"), None);
    assert_eq!(
        wrong
            .attr("input[name=email]", "aria-describedby")
            .as_deref(),
        Some("login-error")
    );
    // Still signed out.
    assert_eq!(client.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in() {
    let app = TestApp::spawn().await;
    app.create_user("gone@example.com", "manager", None).await;
    app.deactivate("gone@example.com").await;
    let res = app.client().sign_in("gone@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn repeated_failures_for_one_account_lock_it_for_a_while() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();
    let limit = Settings::default().sign_in_failures_per_account;

    for _ in 0..limit {
        let res = client.sign_in("ann@example.com", "guess guess guess").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Now even the right password is refused, with a clear message.
    let res = client.sign_in("ANN@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let message = res.text("#login-error");
    assert!(
        message.contains("Too many attempts, try again in 15 minutes"),
        "{message}"
    );
    assert_eq!(client.get("/").await.status, StatusCode::SEE_OTHER);

    // Another account from the same address is not locked by this one's failures.
    app.create_user("bob@example.com", "account_manager", None)
        .await;
    let other = app.client().sign_in("bob@example.com", PASSWORD).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address() {
    let settings = Settings {
        sign_in_failures_per_address: 3,
        ..Settings::default()
    };
    let app = TestApp::spawn_with(settings).await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();
    for i in 0..3 {
        let res = client
            .sign_in(&format!("someone{i}@example.com"), "guess guess guess")
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = client.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text("#login-error").contains("try again in"));
}

/// Signs in as a browser behind a proxy would: the proxy forwards `X-Forwarded-For: forwarded`.
async fn sign_in_forwarded(
    client: &crate::common::Client,
    email: &str,
    password: &str,
    forwarded: &str,
) -> crate::common::Page {
    let token = client.csrf_token("/login").await;
    client
        .post_with_headers(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", password),
            ],
            &[("x-forwarded-for", forwarded)],
        )
        .await
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_the_others() {
    // The test client connects from 127.0.0.1, which plays the load balancer.
    let settings = Settings {
        sign_in_failures_per_address: 3,
        trusted_proxies: vec!["127.0.0.1".parse().expect("network")],
        ..Settings::default()
    };
    let app = TestApp::spawn_with(settings).await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    for i in 0..3 {
        // What the client wrote into the header itself (left) changes every time; the address
        // the proxy appended (right) does not.
        let res = sign_in_forwarded(
            &app.client(),
            &format!("someone{i}@example.com"),
            "guess guess guess",
            &format!("10.0.0.{i}, 203.0.113.7"),
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    let locked = sign_in_forwarded(&app.client(), "ann@example.com", PASSWORD, "203.0.113.7").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let other = sign_in_forwarded(&app.client(), "ann@example.com", PASSWORD, "198.51.100.2").await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn x_forwarded_for_is_not_believed_from_a_client_that_is_not_a_trusted_proxy() {
    let settings = Settings {
        sign_in_failures_per_address: 3,
        ..Settings::default()
    };
    let app = TestApp::spawn_with(settings).await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    for i in 0..3 {
        let res = sign_in_forwarded(
            &app.client(),
            &format!("someone{i}@example.com"),
            "guess guess guess",
            &format!("203.0.113.{i}"),
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A made-up address does not get the client out of its lock.
    let res = sign_in_forwarded(&app.client(), "ann@example.com", PASSWORD, "198.51.100.2").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn next_takes_the_user_to_the_page_they_asked_for() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "manager", None).await;
    let client = app.client();

    let guarded = client.get("/review").await;
    assert_eq!(guarded.location().as_deref(), Some("/login?next=%2Freview"));
    let form = client.get("/login?next=%2Freview").await;
    assert_eq!(
        form.attr("input[name=next]", "value").as_deref(),
        Some("/review")
    );

    let token = client.csrf_token("/login").await;
    let res = client
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("email", "ann@example.com"),
                ("password", PASSWORD),
                ("next", "/review"),
            ],
        )
        .await;
    assert_eq!(res.location().as_deref(), Some("/review"));
}

#[tokio::test]
async fn next_pointing_at_another_host_is_ignored() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "manager", None).await;
    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let client = app.client();
        let token = client.csrf_token("/login").await;
        let res = client
            .post_raw(
                "/login",
                &[
                    ("csrf_token", &token),
                    ("email", "ann@example.com"),
                    ("password", PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location().as_deref(), Some("/"), "next={evil}");
        // And the sign-in form never carries it either.
        let page = client
            .get(&format!("/login?next={}", urlencoding::encode(evil)))
            .await;
        assert_eq!(
            page.location().as_deref(),
            Some("/"),
            "already signed in: home"
        );
    }
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_with_safe_cookie_flags() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();
    let token = client.csrf_token("/login").await;
    let before = client
        .session_cookie()
        .expect("a session for the sign-in form");

    let res = client
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("email", "ann@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let after = client.session_cookie().expect("a session after signing in");
    assert_ne!(before, after, "the session id must change at sign-in");

    let cookie = res.header("set-cookie").expect("set-cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn secure_cookies_are_marked_secure_when_configured() {
    let app = TestApp::spawn_with(Settings {
        secure_cookies: true,
        ..Settings::default()
    })
    .await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let page = app.client().get("/login").await;
    let cookie = page.header("set-cookie").expect("set-cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    // Served over HTTPS, browsers are told to stay on it.
    assert_eq!(
        page.header("strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    for path in ["/static/css/mend.css", "/healthz", "/api/v1/cases"] {
        let res = app.client().get(path).await;
        assert!(res.header("strict-transport-security").is_some(), "{path}");
    }
    // Without secure cookies (plain HTTP), no such header.
    let plain = TestApp::spawn().await;
    assert!(
        plain
            .client()
            .get("/login")
            .await
            .header("strict-transport-security")
            .is_none()
    );
}

#[tokio::test]
async fn the_session_survives_a_server_restart() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();
    client.sign_in("ann@example.com", PASSWORD).await;
    let cookie = client.session_cookie().expect("session");

    let db = app.stop().await;
    let restarted = TestApp::serve(db, Settings::default()).await;

    // The same cookie, sent to the new server.
    let res = reqwest::Client::new()
        .get(restarted.url("/"))
        .header("cookie", format!("{}={cookie}", mend::SESSION_COOKIE))
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(
        body.contains("Sign out"),
        "still signed in after the restart"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let cookie = client.session_cookie().expect("session");

    let res = client.submit("/", "/logout", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/login"));
    let login = client.get("/login").await;
    assert!(login.text(".flashes").contains("You have signed out."));
    assert_eq!(client.get("/").await.status, StatusCode::SEE_OTHER);

    // The old cookie no longer opens anything, even if someone kept it.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/"))
        .header("cookie", format!("{}={cookie}", mend::SESSION_COOKIE))
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_password_change_ends_existing_sessions() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();
    client.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(client.get("/").await.status, StatusCode::OK);
    // Changed in another browser.
    let elsewhere = app.client();
    elsewhere.sign_in("ann@example.com", PASSWORD).await;
    let res = elsewhere
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new password"),
                ("repeat_password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(client.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn reading_pages_does_not_rewrite_the_session_but_changes_are_saved() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let id = client.session_cookie().expect("a session");
    let row = || async {
        sqlx::query_as::<_, (serde_json::Value, chrono::DateTime<chrono::Utc>)>(
            "select data, expiry_date from sessions where id = $1",
        )
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .expect("the session row")
    };
    let before = row().await;
    for _ in 0..3 {
        assert_eq!(client.get("/cases").await.status, StatusCode::OK);
    }
    assert_eq!(row().await, before, "plain page views wrote the session");

    // A change (a flash message queued by a form) is written, and shown once.
    let account = client.new_account("Flash Co").await;
    assert!(account.len() > 10);
    let after = row().await;
    assert_ne!(after.0, before.0, "the flash was not saved");
    let page = client.get(&format!("/accounts/{account}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_ne!(row().await.0, after.0, "the shown flash was not cleared");
}
