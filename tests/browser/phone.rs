//! The navigation on a phone: at 375 px it folds behind a "Menu" button (a `<details>`, so it
//! works without JavaScript); on a wide screen it is always shown and the button is not.

use crate::common::{PASSWORD, TestApp};
use crate::driver::Browser;

/// Whether the first element matching `css` is shown (not hidden, not in a closed `<details>`).
async fn shown(browser: &Browser, css: &str) -> bool {
    browser
        .js(
            "const e = document.querySelector(arguments[0]); return !!e && e.checkVisibility();",
            vec![serde_json::json!(css)],
        )
        .await
        .as_bool()
        .unwrap_or(false)
}

async fn header_height(browser: &Browser) -> i64 {
    browser
        .js(
            "return Math.round(document.querySelector('.site-header').getBoundingClientRect().height);",
            vec![],
        )
        .await
        .as_i64()
        .unwrap_or(i64::MAX)
}

async fn menu_folds_on_a_phone(browser: Browser, app: &TestApp) {
    browser.set_viewport(375, 812).await;
    browser
        .sign_in(&app.url("/login"), "ann@example.com", PASSWORD)
        .await;
    browser.wait_for_text("h1", "My work").await;
    assert!(
        header_height(&browser).await <= 80,
        "the header takes one row, not {} px",
        header_height(&browser).await
    );
    assert!(shown(&browser, ".nav-toggle").await, "a Menu button");
    assert!(
        !shown(&browser, ".site-nav a[href='/cases']").await
            && !shown(&browser, ".nav-menu .site-nav a[href='/cases']").await,
        "the links are folded away"
    );
    browser.click(".nav-toggle").await;
    assert!(shown(&browser, ".nav-menu .site-nav a[href='/cases']").await);
    assert!(
        browser
            .in_view(".nav-menu .site-nav a[href='/cases']")
            .await
    );
    browser.click(".nav-menu .site-nav a[href='/cases']").await;
    browser.wait_for_text("h1", "Cases").await;
    assert_eq!(browser.path().await, "/cases");
    assert!(
        !shown(&browser, ".nav-menu .site-nav a[href='/accounts']").await,
        "folded again on the next page"
    );

    // On a wide screen: the links, no button.
    browser.set_viewport(1280, 800).await;
    browser.client.refresh().await.expect("reload");
    browser.wait_for_text("h1", "Cases").await;
    assert!(!shown(&browser, ".nav-toggle").await);
    assert!(shown(&browser, ".nav-wide .site-nav a[href='/accounts']").await);
    assert!(!shown(&browser, ".nav-menu .site-nav a[href='/accounts']").await);
    browser.close().await;
}

#[tokio::test]
async fn on_a_phone_the_navigation_folds_behind_a_menu_button() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    menu_folds_on_a_phone(Browser::start().await, &app).await;
}

#[tokio::test]
async fn the_menu_works_without_javascript() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    menu_folds_on_a_phone(Browser::start_without_javascript().await, &app).await;
}
