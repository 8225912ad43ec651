//! The manager review as a triage queue, in a real browser: filtered to let-go requests, one
//! approved and another reassigned in their rows without the page reloading (and, without
//! JavaScript, the page coming back at the row); no sideways scrolling at 1280 or 375 px.

use crate::common::{Client, PASSWORD, TestApp};
use crate::driver::Browser;

/// How far the page scrolls sideways (0 when it fits).
async fn sideways(browser: &Browser) -> i64 {
    browser
        .js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .as_i64()
        .unwrap_or(i64::MAX)
}

/// Whether the first element matching `css` is shown.
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

/// Waits until the select `css` is on the page (htmx brings it in).
async fn present_select(browser: &Browser, css: &str) {
    for _ in 0..50 {
        if shown(browser, css).await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never appeared");
}

/// North with Ann and Bob (account managers) and Nora (their manager); Ann's three cases on
/// Cedar Foods, two of them with a let-go request (and a lesson), the third quiet for 15 days.
async fn team_with_requests(app: &TestApp) -> [i64; 3] {
    for (email, role) in [
        ("ann@example.com", "account_manager"),
        ("bob@example.com", "account_manager"),
        ("nora@example.com", "manager"),
    ] {
        app.create_user(email, role, Some("North")).await;
    }
    let ann: Client = app.client();
    ann.sign_in("ann@example.com", PASSWORD).await;
    let cedar = ann.new_account("Cedar Foods").await;
    let mut numbers = [0; 3];
    for (i, title) in [
        "Third missed delivery this quarter",
        "Invoice sent to the wrong office",
        "Nobody called them back",
    ]
    .into_iter()
    .enumerate()
    {
        let case = ann.log_incident(&cedar, title).await;
        numbers[i] = case
            .trim_start_matches("/cases/CR-")
            .parse()
            .expect("case number");
        if i < 2 {
            let asked = ann
                .post_case(
                    &case,
                    "let-go",
                    &[
                        ("let_go_reason", "Their volumes do not fit our routes."),
                        (
                            "let_go_lesson",
                            "Check volumes fit our routes before signing.",
                        ),
                    ],
                )
                .await;
            assert_eq!(asked.status.as_u16(), 303, "{}", asked.body);
        }
    }
    // Only the clock is moved directly: the third case has been quiet for 15 days.
    sqlx::query(
        "update cases set created_at = now() - interval '20 days',
                          last_activity_at = now() - interval '15 days'
         where number = $1",
    )
    .bind(numbers[2])
    .execute(&app.db.pool)
    .await
    .expect("quiet for 15 days");
    numbers
}

#[tokio::test]
async fn a_manager_filters_to_let_go_requests_approves_one_and_reassigns_another_in_place() {
    let app = TestApp::spawn().await;
    let [first, second, quiet] = team_with_requests(&app).await;
    let nora = Browser::start().await;
    nora.set_viewport(1280, 800).await;
    nora.sign_in(
        &app.url("/login?next=%2Freview"),
        "nora@example.com",
        PASSWORD,
    )
    .await;
    nora.wait_for_text("h1", "Manager review").await;
    assert_eq!(sideways(&nora).await, 0, "no sideways scroll at 1280 px");
    assert!(nora.text("#queue").await.contains(&format!("CR-{quiet}")));

    // The filter is a link.
    nora.click("#queue-filters a[href='/review?reason=let-go']")
        .await;
    nora.wait_for_text("#queue-heading", "Let-go requested: 2")
        .await;
    assert_eq!(nora.path().await, "/review?reason=let-go");
    assert!(!nora.text("#queue").await.contains(&format!("CR-{quiet}")));
    assert_eq!(sideways(&nora).await, 0);
    nora.mark_page().await;

    // Approved in one step: the row says so where it was, and the count follows.
    nora.click(&format!("#case-{first} button.danger")).await;
    nora.wait_for_text(
        &format!("#case-{first}"),
        &format!("CR-{first}: approved, the case is closed as let go."),
    )
    .await;
    assert!(nora.same_page().await, "updated in place, not reloaded");
    assert!(
        nora.in_view(&format!("#case-{first} .section-notice"))
            .await
    );
    nora.wait_for_text("#queue-filters a[aria-current=page]", "Let-go requested 1")
        .await;

    // Another reassigned in its row: the form comes into the owner cell, its choice focused.
    nora.click(&format!("#case-{second} a.reassign-link")).await;
    nora.wait_for_text(&format!("#owner-cell-{second}"), "Reassign")
        .await;
    present_select(&nora, &format!("#owner-{second}")).await;
    assert_eq!(nora.focused().await, format!("owner-{second}"));
    assert!(nora.same_page().await);
    nora.select(&format!("#owner-{second}"), "bob").await;
    nora.click(&format!("#case-{second} .reassign-form button"))
        .await;
    nora.wait_for_text(
        &format!("#case-{second} .section-notice"),
        &format!("CR-{second} has a new owner."),
    )
    .await;
    assert!(nora.same_page().await, "updated in place, not reloaded");
    assert!(
        nora.in_view(&format!("#case-{second} .section-notice"))
            .await
    );
    assert_eq!(
        nora.focused().await,
        "p.section-notice",
        "the answer has the focus"
    );
    let owner: String = sqlx::query_scalar(
        "select u.email from cases c join users u on u.id = c.owner_id where c.number = $1",
    )
    .bind(second)
    .fetch_one(&app.db.pool)
    .await
    .expect("owner");
    assert_eq!(owner, "bob@example.com");
    let outcome: String = sqlx::query_scalar("select outcome from cases where number = $1")
        .bind(first)
        .fetch_one(&app.db.pool)
        .await
        .expect("outcome");
    assert_eq!(outcome, "let_go");

    // At 375 px: the menu opens and closes, and no page scrolls sideways.
    nora.set_viewport(375, 812).await;
    for path in [
        "/review".to_string(),
        "/review?reason=all".to_string(),
        "/".to_string(),
        "/cases".to_string(),
        format!("/cases/CR-{second}"),
        "/accounts".to_string(),
        "/dashboard/weekly".to_string(),
        "/lessons".to_string(),
        "/settings".to_string(),
    ] {
        nora.client.goto(&app.url(&path)).await.expect("goto");
        nora.wait_for_text("footer", "Mend").await;
        assert_eq!(
            sideways(&nora).await,
            0,
            "{path} scrolls sideways at 375 px"
        );
    }
    nora.client.goto(&app.url("/review")).await.expect("goto");
    assert!(!shown(&nora, ".nav-menu .site-nav a[href='/cases']").await);
    nora.click(".nav-toggle").await;
    assert!(shown(&nora, ".nav-menu .site-nav a[href='/cases']").await);
    nora.click(".nav-toggle").await;
    assert!(!shown(&nora, ".nav-menu .site-nav a[href='/cases']").await);
    nora.close().await;
}

#[tokio::test]
async fn without_javascript_a_row_form_comes_back_to_the_row() {
    let app = TestApp::spawn().await;
    let [_, second, quiet] = team_with_requests(&app).await;
    let nora = Browser::start_without_javascript().await;
    nora.set_viewport(1280, 800).await;
    nora.sign_in(
        &app.url("/login?next=%2Freview%3Freason%3Dall"),
        "nora@example.com",
        PASSWORD,
    )
    .await;
    nora.wait_for_text("h1", "Manager review").await;
    // The quiet case is last of three (least urgent): reassign it, on the form's own page.
    nora.click(&format!("#case-{quiet} a.reassign-link")).await;
    nora.wait_for_text("h1", &format!("Reassign CR-{quiet}"))
        .await;
    nora.select(&format!("#owner-{quiet}"), "bob").await;
    nora.click(".reassign-form button").await;
    nora.wait_for_text(
        &format!("#case-{quiet} .section-notice"),
        &format!("CR-{quiet} has a new owner."),
    )
    .await;
    assert_eq!(nora.path().await, "/review?reason=all");
    let url = nora.client.current_url().await.expect("url");
    assert_eq!(url.fragment(), Some(format!("case-{quiet}").as_str()));
    assert!(
        nora.in_view(&format!("#case-{quiet}")).await,
        "the page comes back at the row"
    );

    // Declining a let-go request: back at its row, the request gone from it.
    nora.click(&format!("#case-{second} .let-go-decline button"))
        .await;
    nora.wait_for_text(
        &format!("#case-{second} .section-notice"),
        &format!("CR-{second}: declined, the repair goes on."),
    )
    .await;
    assert!(
        nora.in_view(&format!("#case-{second} .section-notice"))
            .await
    );
    nora.close().await;
}
