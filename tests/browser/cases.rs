use crate::common::TestApp;
use crate::driver::Browser;

#[tokio::test]
async fn an_account_manager_logs_an_incident_and_moves_it_to_reaching_out() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee@example.com", "account_manager", Some("North"))
        .await;
    sqlx::query("insert into accounts (name, team_id) select 'Bluefin Logistics', id from teams where name = 'North'")
        .execute(&app.db.pool)
        .await
        .expect("account");
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
    sqlx::query(
        "with a as (insert into accounts (name, team_id) select 'Bluefin Logistics', id from teams where name = 'North' returning id, team_id),
              c as (insert into cases (account_id, team_id, owner_id, title, category_id, severity, detected_by,
                                       occurred_at, detected_at, currency, stage)
                    select a.id, a.team_id, u.id, 'Report came late', (select id from categories limit 1), 'high',
                           'client', now(), now(), 'EUR', 'following_up' from a, users u returning id, owner_id),
              p as (insert into follow_up_plans (case_id, cadence, first_due, assignee_id)
                    select id, 'weekly', current_date, owner_id from c returning id, case_id, assignee_id)
         insert into check_ins (case_id, plan_id, seq, due_date, assignee_id) select case_id, id, 1, current_date, assignee_id from p",
    )
    .execute(&app.db.pool)
    .await
    .expect("fixture");
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
    browser.click("#today form.check-in-form button").await;
    browser
        .wait_for_text(".flashes", "Check-in recorded on CR-")
        .await;
    assert!(browser.text("#today").await.contains("None today"));
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
    let number: i64 = sqlx::query_scalar(
        "with a as (insert into accounts (name, team_id) select 'Cedar Foods', id from teams where name = 'North' returning id, team_id)
         insert into cases (account_id, team_id, owner_id, title, category_id, severity, detected_by,
                            occurred_at, detected_at, currency, created_at, last_activity_at)
         select a.id, a.team_id, u.id, 'Nobody called them back', (select id from categories limit 1), 'high',
                'client', now(), now(), 'EUR', now() - interval '20 days', now() - interval '15 days'
         from a, users u where u.email = 'ann@example.com' returning number",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("fixture");
    let browser = Browser::start().await;
    browser
        .sign_in(
            &app.url("/login?next=%2Freview"),
            "nora@example.com",
            crate::common::PASSWORD,
        )
        .await;
    browser
        .wait_for_text("#stuck", "Nobody called them back")
        .await;

    // Follow the stuck case to its page, then back to the review to reassign it.
    browser
        .click(&format!("#stuck a[href='/cases/CR-{number}']"))
        .await;
    browser.wait_for_text("h1", "Nobody called them back").await;
    browser.client.back().await.expect("back");
    browser.wait_for_text("h1", "Manager review").await;
    browser
        .select(&format!("#owner-stuck-{number}"), "bob")
        .await;
    browser
        .click(&format!(
            "#stuck form[action='/cases/CR-{number}/reassign'] button"
        ))
        .await;
    browser
        .wait_for_text(".flashes", &format!("CR-{number} has a new owner."))
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
