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
    browser.client.goto(&app.url("/login")).await.expect("goto");
    browser.fill("#email", "ann.lee@example.com").await;
    browser.fill("#password", crate::common::PASSWORD).await;
    browser.click("button[type=submit].primary").await;
    browser.wait_for_text("h1", "Good to see you").await;

    // Log the incident.
    browser
        .client
        .goto(&app.url("/cases/new?q=blue"))
        .await
        .expect("goto");
    browser.wait_for_text("h1", "Log an incident").await;
    browser.select("#account_id", "Bluefin Logistics").await;
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
        .wait_for_text(".flashes", "definition of the damage is saved")
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
        .wait_for_text(".flashes", "assessment is saved")
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
