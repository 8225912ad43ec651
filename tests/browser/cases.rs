use crate::common::TestApp;
use crate::driver::Browser;

#[tokio::test]
async fn an_account_manager_logs_an_incident_and_moves_it_to_reaching_out() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee@example.com", "account_manager", Some("North"))
        .await;
    let ann = app.client();
    ann.sign_in("ann.lee@example.com", crate::common::PASSWORD)
        .await;
    ann.new_account("Bluefin Logistics").await;
    let browser = Browser::start().await;
    browser
        .sign_in(
            &app.url("/login"),
            "ann.lee@example.com",
            crate::common::PASSWORD,
        )
        .await;
    browser.wait_for_text("h1", "My work").await;

    // Log the incident.
    browser
        .client
        .goto(&app.url("/cases/new?q=blue"))
        .await
        .expect("goto");
    browser.wait_for_text("h1", "Log an incident").await;
    browser.fill("#account_name", "Bluefin Logistics").await;
    browser
        .fill("#title", "Shipment report missed the deadline")
        .await;
    browser.select("#category_id", "Missed deadline").await;
    browser.click("button.primary[type=submit]").await;
    browser
        .wait_for_text("h1", "Shipment report missed the deadline")
        .await;
    assert!(browser.text(".flashes").await.contains("Logged as CR-"));
    assert!(
        browser
            .text("ul.gate")
            .await
            .contains("Describe what happened.")
    );

    // Detected → Assessing: describe what happened, then move on.
    browser
        .fill(
            "#what_happened",
            "The weekly report came two days late and the client escalated.",
        )
        .await;
    browser.click("#definition button[type=submit]").await;
    browser
        .wait_for_text(
            "#definition .section-notice",
            "definition of the damage is saved",
        )
        .await;
    browser
        .click("#stage form[action$='/advance'] button")
        .await;
    browser
        .wait_for_text(".stepper [aria-current=step]", "Assessing")
        .await;

    // Assessing → Reaching out: the assessment, with the decision to repair.
    browser
        .fill("#root_cause", "The report job ran on a holiday calendar.")
        .await;
    browser.select("#our_share", "All of it").await;
    browser.fill("#value_at_risk", "25000").await;
    browser.select("#decision", "Repair").await;
    browser.click("#assessment button[type=submit]").await;
    browser
        .wait_for_text("#assessment .section-notice", "assessment is saved")
        .await;
    browser
        .click("#stage form[action$='/advance'] button")
        .await;
    browser
        .wait_for_text(".stepper [aria-current=step]", "Reaching out")
        .await;
    assert!(browser.text("ul.gate").await.contains("conversation"));
    browser.close().await;
}

#[tokio::test]
async fn an_account_manager_records_a_check_in_from_my_work() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee@example.com", "account_manager", Some("North"))
        .await;
    // A case in Following up with a check-in due today, set up through the forms.
    let ann = app.client();
    ann.sign_in("ann.lee@example.com", crate::common::PASSWORD)
        .await;
    let bluefin = ann.new_account("Bluefin Logistics").await;
    ann.case_with_plan(
        &bluefin,
        "Report came late",
        chrono::Utc::now().date_naive(),
    )
    .await;
    let browser = Browser::start().await;
    browser
        .sign_in(
            &app.url("/login"),
            "ann.lee@example.com",
            crate::common::PASSWORD,
        )
        .await;
    browser.wait_for_text("#today", "Report came late").await;

    browser.choose("checkin_sentiment", "Satisfied").await;
    browser
        .fill(
            "#today input[name=checkin_summary]",
            "Client is happy with the new schedule",
        )
        .await;
    browser.mark_page().await;
    browser.click("#today form.check-in-form button").await;
    // Recorded in place: the answer where the check-in was, the page not reloaded.
    browser
        .wait_for_text("#today .section-notice", "Check-in recorded on CR-")
        .await;
    assert!(browser.same_page().await);
    assert!(browser.in_view("#today .section-notice").await);
    assert_eq!(browser.focused().await, "p.section-notice");
    browser.client.refresh().await.expect("reload");
    browser.wait_for_text("#today", "None today").await;
    browser.close().await;
}

#[tokio::test]
async fn a_manager_opens_the_review_follows_a_stuck_case_and_reassigns_it() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("bob@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("nora@example.com", "manager", Some("North"))
        .await;
    // ann's case, logged through the form, then left quiet: only the clock is moved directly.
    let ann = app.client();
    ann.sign_in("ann@example.com", crate::common::PASSWORD)
        .await;
    let cedar = ann.new_account("Cedar Foods").await;
    let case = ann.log_incident(&cedar, "Nobody called them back").await;
    let number: i64 = case
        .trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number");
    sqlx::query(
        "update cases set created_at = now() - interval '20 days',
                          last_activity_at = now() - interval '15 days'
         where number = $1",
    )
    .bind(number)
    .execute(&app.db.pool)
    .await
    .expect("quiet for 15 days");
    let browser = Browser::start().await;
    browser
        .sign_in(
            &app.url("/login?next=%2Freview"),
            "nora@example.com",
            crate::common::PASSWORD,
        )
        .await;
    browser
        .wait_for_text("#queue", "Nobody called them back")
        .await;
    assert!(
        browser
            .text(&format!("#case-{number} .reasons"))
            .await
            .contains("Stuck: 15 days quiet")
    );

    // Follow the stuck case to its page, then back to the review to reassign it.
    browser
        .click(&format!("#case-{number} a[href='/cases/CR-{number}']"))
        .await;
    browser.wait_for_text("h1", "Nobody called them back").await;
    browser.client.back().await.expect("back");
    browser.wait_for_text("h1", "Manager review").await;
    browser
        .click(&format!("#case-{number} a.reassign-link"))
        .await;
    browser
        .wait_for_text(&format!("#owner-cell-{number}"), "Reassign")
        .await;
    for _ in 0..50 {
        if browser.in_view(&format!("#owner-{number}")).await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.select(&format!("#owner-{number}"), "bob").await;
    browser
        .click(&format!("#case-{number} .reassign-form button"))
        .await;
    browser
        .wait_for_text(
            &format!("#case-{number} .section-notice"),
            &format!("CR-{number} has a new owner."),
        )
        .await;
    let owner: String = sqlx::query_scalar(
        "select u.email from cases c join users u on u.id = c.owner_id where c.number = $1",
    )
    .bind(number)
    .fetch_one(&app.db.pool)
    .await
    .expect("owner");
    assert_eq!(owner, "bob@example.com");
    browser.close().await;
}
