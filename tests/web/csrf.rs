use reqwest::StatusCode;

use crate::common::{PASSWORD, TestApp};

#[tokio::test]
async fn signing_in_without_the_token_is_refused_and_signs_nobody_in() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();
    client.get("/login").await;

    let res = client
        .post_raw(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.text("h1"), "This form has expired");
    assert!(res.text(".error-page").contains("Reload the page"));
    assert_eq!(client.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signing_out_with_a_wrong_token_is_refused_and_keeps_the_session() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("manager").await;

    let res = client
        .post_raw("/logout", &[("csrf_token", "forged")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = client.post_raw("/logout", &[]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        client.get("/").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn the_token_of_another_session_does_not_work() {
    let app = TestApp::spawn().await;
    let victim = app.signed_in("manager").await;
    let attacker = app.client();
    let attackers_token = attacker.csrf_token("/login").await;

    let res = victim
        .post_raw("/logout", &[("csrf_token", &attackers_token)])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_token_is_accepted_in_a_header_for_htmx_requests() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("manager").await;
    let token = client.csrf_token("/").await;

    let res = client
        .post_with_headers("/logout", &[], &[("x-csrf-token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        client.get("/").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_token() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("manager").await;
    let token = client.csrf_token("/").await;

    let res = client
        .post_with_headers(
            "/logout",
            &[("csrf_token", &token)],
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        client.get("/").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn signing_in_rotates_the_token() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let client = app.client();
    let before = client.csrf_token("/login").await;
    client
        .post_raw(
            "/login",
            &[
                ("csrf_token", &before),
                ("email", "ann@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let after = client.csrf_token("/").await;
    assert_ne!(before, after);
    let res = client.post_raw("/logout", &[("csrf_token", &before)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "the old token is dead");
}
