use crate::common::{PASSWORD, TestApp};
use crate::driver::Browser;

#[tokio::test]
async fn a_manager_signs_in_lands_on_the_page_they_asked_for_and_signs_out() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee@example.com", "manager", Some("North"))
        .await;
    let browser = Browser::start().await;

    // Asking for the review page while signed out leads to the sign-in form.
    browser
        .client
        .goto(&app.url("/review"))
        .await
        .expect("goto");
    assert_eq!(browser.path().await, "/login?next=%2Freview");
    assert_eq!(browser.text("h1").await, "Sign in to Mend");

    browser.fill("#email", "ann.lee@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit].primary").await;

    browser.wait_for_text("h1", "Manager review").await;
    assert_eq!(browser.path().await, "/review");
    assert_eq!(browser.text(".user-name").await, "ann.lee");
    assert!(browser.text("main").await.contains("North"));

    browser.click(".user-menu button").await;
    browser.wait_for_text("h1", "Sign in to Mend").await;
    assert!(
        browser
            .text(".flashes")
            .await
            .contains("You have signed out.")
    );
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_password_keeps_the_address_and_says_what_went_wrong() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", None)
        .await;
    let browser = Browser::start().await;

    browser.client.goto(&app.url("/login")).await.expect("goto");
    browser.fill("#email", "ann@example.com").await;
    browser.fill("#password", "not my password").await;
    browser.click("button[type=submit].primary").await;

    browser
        .wait_for_text("#login-error", "do not match an account")
        .await;
    let kept = browser
        .client
        .find(fantoccini::Locator::Css("#email"))
        .await
        .expect("email field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("ann@example.com"));
    browser.close().await;
}
