//! The journeys a newcomer and a team make, end to end in a real browser: first-run setup →
//! log an incident → work it through every stage to Restored → see it on the weekly dashboard;
//! and an account manager and a manager working at the same time in two browsers.

use std::time::Duration;

use crate::common::TestApp;
use crate::driver::Browser;

/// Clicks a button that asks for confirmation first, and says yes.
async fn click_and_confirm(browser: &Browser, css: &str) {
    browser.click(css).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match browser.client.accept_alert().await {
            Ok(()) => return,
            Err(e) if std::time::Instant::now() > deadline => {
                panic!("no confirmation for {css}: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Closes the case as restored; when something is still open, Mend lists it and asks, and the
/// person goes ahead.
async fn close_restored(browser: &Browser) {
    browser.click("#stage form[action$='/close'] button").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let heading = browser.text("#stage h2").await;
        if heading.contains("Closed") {
            return;
        }
        if let Ok(b) = browser
            .client
            .find(fantoccini::Locator::Css("#problem form button"))
            .await
        {
            b.click().await.expect("close anyway");
            browser.wait_for_text("#stage h2", "Closed").await;
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the case did not close"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the lessons' form and records `lesson`.
async fn add_lesson(browser: &Browser, lesson: &str) {
    browser.click("#lessons details > summary").await;
    browser.fill("#lesson", lesson).await;
    browser
        .click("#lessons form[action$='/lessons'] button")
        .await;
    browser.wait_for_text("#lessons", lesson).await;
}

/// Moves the case on and waits for the stepper to show `next`.
async fn move_on(browser: &Browser, next: &str) {
    browser
        .click("#stage form[action$='/advance'] button")
        .await;
    browser
        .wait_for_text(".stepper [aria-current=step]", next)
        .await;
}

#[tokio::test]
async fn a_newcomer_sets_up_mend_and_works_an_incident_to_restored() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;

    // Any address leads to the setup page while nobody has an account.
    browser.client.goto(&app.url("/")).await.expect("goto");
    browser.wait_for_text("h1", "Set up Mend").await;
    assert_eq!(browser.path().await, "/setup");
    browser.fill_setup().await;
    browser.select("#time_zone", "Europe/Berlin").await;
    // Start empty: untick the demo data.
    browser.click("#demo").await;
    browser.click("button.primary[type=submit]").await;
    browser
        .wait_for_text(".flashes", "Welcome to Mend, Ada Admin")
        .await;

    // A client account, then the incident.
    browser
        .client
        .goto(&app.url("/accounts/new"))
        .await
        .expect("goto");
    browser.fill("#name", "Bluefin Logistics").await;
    browser.click("button.primary[type=submit]").await;
    browser.wait_for_text("h1", "Bluefin Logistics").await;
    browser
        .client
        .goto(&app.url("/cases/new"))
        .await
        .expect("goto");
    browser.fill("#account_name", "Bluefin Logistics").await;
    browser
        .fill("#title", "Quarterly report missed the deadline")
        .await;
    browser.select("#category_id", "Missed deadline").await;
    browser.click("button.primary[type=submit]").await;
    browser
        .wait_for_text("h1", "Quarterly report missed the deadline")
        .await;
    let case_path = browser.path().await;
    assert!(case_path.starts_with("/cases/CR-"), "{case_path}");

    // 1 → 2: what happened.
    browser
        .fill(
            "#what_happened",
            "The report came four days late; the client found out first.",
        )
        .await;
    browser.click("#definition button[type=submit]").await;
    browser
        .wait_for_text(
            "#definition .section-notice",
            "definition of the damage is saved",
        )
        .await;
    move_on(&browser, "Assessing").await;

    // 2 → 3: the assessment.
    browser
        .fill(
            "#root_cause",
            "Nobody owned the report while its author was away.",
        )
        .await;
    browser.select("#our_share", "All of it").await;
    browser.fill("#value_at_risk", "40000").await;
    browser.select("#decision", "Repair").await;
    browser.click("#assessment button[type=submit]").await;
    browser
        .wait_for_text("#assessment .section-notice", "assessment is saved")
        .await;
    move_on(&browser, "Reaching out").await;

    // 3 → 4: a call with the client.
    browser.select("#channel", "Phone").await;
    browser
        .log_conversation(
            "Dana, head of operations",
            "Apologised, listened to everything, asked what we could do better.",
            "Unhappy",
        )
        .await;
    browser
        .wait_for_text("#conversations", "Dana, head of operations")
        .await;
    move_on(&browser, "Making it right").await;

    // 4 → 5: an action done, a commitment, the reparation.
    browser.fill("#what", "Send the report today").await;
    browser
        .click("#making_it_right form[action$='/actions'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#making_it_right .items", "Send the report today")
        .await;
    browser
        .click("#making_it_right form[action$='/done'] button[type=submit]")
        .await;
    // Done once the section is redrawn: the action then offers to be reopened.
    browser
        .wait_for_text("#making_it_right .item", "Reopen")
        .await;
    browser
        .fill("#commitment", "name a stand-in for every recurring report")
        .await;
    browser
        .click("#making_it_right form[action$='/commitments'] button[type=submit]")
        .await;
    browser
        .wait_for_text(
            "#commitment-list",
            "name a stand-in for every recurring report",
        )
        .await;
    browser
        .fill("#reparation_what", "Next quarter's report free")
        .await;
    browser.fill("#reparation_cost", "500").await;
    browser
        .click("#making_it_right form[action$='/reparation'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#making_it_right .section-notice", "reparation")
        .await;
    move_on(&browser, "Following up").await;

    // 5: a weekly plan whose first check-in is today, recorded with a happy client.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    browser
        .client
        .execute(
            "document.getElementById('first_due').value = arguments[0];",
            vec![serde_json::json!(today.format("%Y-%m-%d").to_string())],
        )
        .await
        .expect("set the first check-in");
    browser
        .click("#follow_up_plan form[action$='/plan'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#check_in", "Record the check-in due")
        .await;
    browser.select("#checkin_channel", "Phone").await;
    browser.choose("checkin_sentiment", "Delighted").await;
    browser
        .fill(
            "#checkin_summary",
            "Reports arrive on time; Dana is relieved.",
        )
        .await;
    browser
        .click("#follow_up_plan form[action$='/check-ins'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#follow_up_plan .section-notice", "Check-in recorded")
        .await;

    // 6: the lesson, then close as restored (the commitment is still open: Mend asks).
    add_lesson(
        &browser,
        "Every recurring deliverable needs a named stand-in.",
    )
    .await;
    close_restored(&browser).await;
    assert!(browser.text("#stage h2").await.contains("Restored"));

    // The week on the dashboard: the check-in done on time, and the case restored.
    browser
        .client
        .goto(&app.url("/dashboard/weekly"))
        .await
        .expect("goto");
    browser.wait_for_text("h1", "Weekly").await;
    let page = browser.text("main").await;
    assert!(
        page.contains("Ada Admin"),
        "the check-in's owner is on the dashboard"
    );
    let (outcome, done): (String, i64) = sqlx::query_as(
        "select c.outcome, (select count(*) from check_ins k where k.case_id = c.id and k.completed_at is not null)
         from cases c where c.title = 'Quarterly report missed the deadline'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("the case");
    assert_eq!((outcome.as_str(), done), ("restored", 1));
    browser.close().await;
}

#[tokio::test]
async fn a_newcomer_loads_the_demo_data_and_restores_a_demo_case_without_the_cli() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;
    browser.client.goto(&app.url("/cases")).await.expect("goto");
    browser.wait_for_text("h1", "Set up Mend").await;
    browser.fill_setup().await;
    // The demo box is ticked already.
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#demo"))
            .await
            .expect("demo box")
            .is_selected()
            .await
            .expect("state")
    );
    browser.click("button.primary[type=submit]").await;
    // Loading the demo data takes a few seconds.
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(90))
        .for_element(fantoccini::Locator::XPath(
            "//*[contains(@class, 'flash') and contains(., 'Demo data is loaded')]",
        ))
        .await
        .expect("the demo data is loaded");

    // Cases → filter to "Following up" → the first case.
    browser.click("nav a[href='/cases']").await;
    browser.wait_for_text("h1", "Cases").await;
    browser.select("#stage", "Following up").await;
    browser.click("form.filters button[type=submit]").await;
    browser.wait_for_text("caption", "case").await;
    // Down the list to the first case whose check-in is due (one due later cannot be recorded
    // yet: its page says from when).
    let mut hrefs = Vec::new();
    for link in browser
        .client
        .find_all(fantoccini::Locator::Css(
            "table.data tbody tr td a[href^='/cases/CR-']",
        ))
        .await
        .expect("case links")
    {
        if let Some(href) = link.attr("href").await.expect("href") {
            hrefs.push(href);
        }
    }
    let mut due = None;
    for href in hrefs {
        browser.client.goto(&app.url(&href)).await.expect("goto");
        browser
            .wait_for_text(".stepper [aria-current=step]", "Following up")
            .await;
        let heading = match browser
            .client
            .find(fantoccini::Locator::Css("#check_in"))
            .await
        {
            Ok(h) => h.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if heading.contains("Record the check-in due") {
            due = Some(href);
            break;
        }
    }
    let case_path = due.expect("a Following up case with a check-in due");

    // Record the check-in that is due, with a happy client, and what the team learned.
    browser.choose("checkin_sentiment", "Delighted").await;
    browser
        .fill(
            "#checkin_summary",
            "All good again; they renewed for a year.",
        )
        .await;
    browser
        .click("#follow_up_plan form[action$='/check-ins'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#follow_up_plan .section-notice", "Check-in recorded")
        .await;
    add_lesson(
        &browser,
        "Call the client the day a delivery slips, not after.",
    )
    .await;
    close_restored(&browser).await;
    assert!(browser.text("#stage h2").await.contains("Restored"));
    let number: i64 = case_path
        .trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number");
    let outcome: String = sqlx::query_scalar("select outcome from cases where number = $1")
        .bind(number)
        .fetch_one(&app.db.pool)
        .await
        .expect("outcome");
    assert_eq!(outcome, "restored");
    browser.close().await;
}

#[tokio::test]
async fn an_account_manager_and_a_manager_work_a_let_go_at_the_same_time() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("nora@example.com", "manager", Some("North"))
        .await;
    // ann's case in Assessing, its decision "let go", set up through the forms.
    let setup = signed_in_as(&app, "ann@example.com").await;
    let cedar = setup.new_account("Cedar Foods").await;
    let case = setup
        .log_incident(&cedar, "Third missed delivery this quarter")
        .await;
    setup.walk_to(&case, "assessing").await;
    let res = setup
        .post_case(
            &case,
            "assessment",
            &[
                ("root_cause", "Their volumes are too small for our routes."),
                ("our_share", "some"),
                ("value_at_risk", "1,200"),
                ("decision", "let_go"),
            ],
        )
        .await;
    assert_eq!(res.status, reqwest::StatusCode::SEE_OTHER, "{}", res.body);
    let number = number_of(&case);
    let case_path = format!("/cases/CR-{number}");

    let ann = Browser::start().await;
    let nora = Browser::start().await;
    for (browser, email, next) in [
        (&ann, "ann@example.com", case_path.as_str()),
        (&nora, "nora@example.com", "/review?reason=let-go"),
    ] {
        let url = app.url(&format!("/login?next={}", next.replace('/', "%2F")));
        browser.sign_in(&url, email, crate::common::PASSWORD).await;
    }
    ann.wait_for_text("h1", "Third missed delivery this quarter")
        .await;
    nora.wait_for_text("h1", "Manager review").await;
    nora.wait_for_text("#queue", "No open case is marked “let-go requested”.")
        .await;

    // Ann asks to let go, with her reason and what the team learned (closing needs a lesson,
    // so the manager can approve at once); Nora's review shows the request once she reloads.
    ann.click("#stage .more-moves > summary").await;
    ann.fill(
        "#let_go_reason",
        "Their volumes do not fit our routes; both sides lose.",
    )
    .await;
    ann.fill(
        "#let_go_lesson",
        "Check a client's volumes fit our routes before we sign.",
    )
    .await;
    ann.click("#stage form[action$='/let-go'] button").await;
    ann.wait_for_text("#let-go", "Awaiting a manager's approval")
        .await;
    nora.client.refresh().await.expect("reload");
    nora.wait_for_text("#queue", "Third missed delivery this quarter")
        .await;
    assert!(
        nora.text(&format!("#case-{number}"))
            .await
            .contains("Their volumes do not fit our routes")
    );

    // Nora approves from the review, in one step; Ann's page shows the case closed.
    nora.click(&format!("#case-{number} button.danger")).await;
    nora.wait_for_text(
        &format!("#case-{number}"),
        &format!("CR-{number}: approved"),
    )
    .await;
    assert_eq!(nora.path().await, "/review?reason=let-go");
    ann.client.refresh().await.expect("reload");
    ann.wait_for_text("#stage h2", "Closed: Let go").await;
    assert!(
        ann.text("#stage")
            .await
            .contains("A manager approved letting go")
    );
    let outcome: String = sqlx::query_scalar("select outcome from cases where number = $1")
        .bind(number)
        .fetch_one(&app.db.pool)
        .await
        .expect("outcome");
    assert_eq!(outcome, "let_go");
    ann.close().await;
    nora.close().await;
}

#[tokio::test]
async fn marking_a_commitment_broken_at_a_check_in_reopens_the_case() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("nora@example.com", "manager", Some("North"))
        .await;
    // ann's case in Following up, with her commitment and a check-in due today, set up through
    // the forms.
    let setup = signed_in_as(&app, "ann@example.com").await;
    let cedar = setup.new_account("Cedar Foods").await;
    let case = setup.log_incident(&cedar, "Deliveries kept slipping").await;
    setup.walk_to(&case, "making_it_right").await;
    let res = setup
        .post_case(
            &case,
            "commitments",
            &[("commitment", "deliver every Friday by noon")],
        )
        .await;
    assert_eq!(res.status, reqwest::StatusCode::SEE_OTHER, "{}", res.body);
    setup
        .plan_weekly(&case, chrono::Utc::now().date_naive())
        .await;
    let number = number_of(&case);
    let browser = Browser::start().await;
    browser
        .sign_in(
            &app.url(&format!("/login?next=%2Fcases%2FCR-{number}")),
            "ann@example.com",
            crate::common::PASSWORD,
        )
        .await;
    browser
        .wait_for_text("h1", "Deliveries kept slipping")
        .await;
    browser
        .wait_for_text("#commitments-at-check-in", "deliver every Friday by noon")
        .await;

    browser.choose("checkin_sentiment", "Unhappy").await;
    browser
        .fill(
            "#checkin_summary",
            "Two more late deliveries; Dana is upset again.",
        )
        .await;
    browser
        .fill("#checkin_words", "You promised Fridays.")
        .await;
    browser
        .select(
            "#commitments-at-check-in select",
            "Broken: back to making it right",
        )
        .await;
    browser
        .click("#follow_up_plan form[action$='/check-ins'] button[type=submit]")
        .await;
    browser
        .wait_for_text(".flashes", "back in Making it right")
        .await;
    browser
        .wait_for_text(".stepper [aria-current=step]", "Making it right")
        .await;
    assert!(browser.text("#commitment-list").await.contains("Broken"));
    assert!(
        browser
            .text("#timeline")
            .await
            .contains("Reopened into Making it right")
    );
    let mails: i64 = sqlx::query_scalar(
        "select count(*) from outbox where kind = 'commitment' and to_address = 'nora@example.com'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("outbox");
    assert_eq!(mails, 1, "the manager is told");
    browser.close().await;
}

#[tokio::test]
async fn removing_an_item_asks_once_in_the_browser() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    // ann's case in Making it right with one action, set up through the forms.
    let setup = signed_in_as(&app, "ann@example.com").await;
    let cedar = setup.new_account("Cedar Foods").await;
    let case = setup.log_incident(&cedar, "Invoice sent twice").await;
    setup.walk_to(&case, "making_it_right").await;
    let owner = setup
        .get(&case)
        .await
        .attr("#action_owner option[selected]", "value")
        .expect("owner");
    let res = setup
        .post_case(
            &case,
            "actions",
            &[
                ("what", "Refund the second invoice"),
                ("owner_id", &owner),
                ("due_date", ""),
            ],
        )
        .await;
    assert_eq!(res.status, reqwest::StatusCode::SEE_OTHER, "{}", res.body);
    let number = number_of(&case);
    let browser = Browser::start().await;
    browser
        .sign_in(
            &app.url(&format!("/login?next=%2Fcases%2FCR-{number}")),
            "ann@example.com",
            crate::common::PASSWORD,
        )
        .await;
    browser
        .wait_for_text("#making_it_right", "Refund the second invoice")
        .await;
    // The browser asks; the server, told so, does not ask again.
    click_and_confirm(
        &browser,
        "#making_it_right form[action*='/actions/'][action$='/remove'] button",
    )
    .await;
    browser
        .wait_for_text("#making_it_right .section-notice", "Removed")
        .await;
    assert_ne!(browser.text("h1").await, "Please confirm");
    assert!(
        !browser
            .text("#making_it_right .items")
            .await
            .contains("Refund the second invoice")
    );
    browser.close().await;
}

/// A client of the router signed in as `email` (a test user), to set up what a test needs
/// through the forms.
async fn signed_in_as(app: &TestApp, email: &str) -> crate::common::Client {
    let client = app.client();
    client.sign_in(email, crate::common::PASSWORD).await;
    client
}

/// The number of the case at `path` (`/cases/CR-1001` → 1001).
fn number_of(path: &str) -> i64 {
    path.trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number")
}
