//! Working a case in a real browser (issue 17): what a person sees at 1280×800 in each stage,
//! answers that land where the person acted (with JavaScript and without), the focus on the
//! first field to fix, moods chosen in words, and an incident logged by keyboard alone.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::common::{Client, PASSWORD, TestApp};
use crate::driver::Browser;

/// The most a case page may be tall at 1280 px wide: three screens of 800 px.
const MAX_HEIGHT: i64 = 3 * 800;

/// A case logged by `am` on a new account, walked (through its forms) to `stage`.
async fn case_in(am: &Client, account: &str, title: &str, stage: &str) -> String {
    let account_id = am.new_account(account).await;
    let case = am.log_incident(&account_id, title).await;
    am.walk_to(&case, stage).await;
    case
}

/// Ann, an account manager of team North, signed in to the router (to set things up through
/// the forms) with a case of hers in `stage`; her e-mail address and the case's path.
async fn ann_with_a_case_in(app: &TestApp, stage: &str) -> (Client, &'static str, String) {
    const ANN: &str = "ann@example.com";
    app.create_user(ANN, "account_manager", Some("North")).await;
    let am = app.client();
    am.sign_in(ANN, PASSWORD).await;
    let case = case_in(&am, "Acme", "Missed the launch", stage).await;
    (am, ANN, case)
}

/// Signs `email` in and opens `path`.
async fn open_as(browser: &Browser, app: &TestApp, email: &str, password: &str, path: &str) {
    let url = app.url(&format!("/login?next={}", path.replace('/', "%2F")));
    browser.sign_in(&url, email, password).await;
    browser
        .wait_for_text(".stepper [aria-current=step]", "")
        .await;
}

/// The page's first `css` match, waited for.
async fn present(browser: &Browser, css: &str) {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
}

#[tokio::test]
async fn at_1280_each_stage_shows_its_checklist_and_first_form_at_once_in_three_screens_at_most() {
    let app = TestApp::spawn().await;
    mend::demo::load(
        &app.db.pool,
        mend::demo::DemoOptions {
            accounts: 30,
            cases: 200,
            seed: 7,
        },
    )
    .await
    .expect("demo data");
    let browser = Browser::start().await;
    browser.set_viewport(1280, 800).await;
    browser
        .sign_in(
            &app.url("/login"),
            &format!("admin@{}", mend::demo::EMAIL_DOMAIN),
            mend::demo::PASSWORD,
        )
        .await;
    browser.wait_for_text("h1", "").await;
    // For each stage, the demo case whose records are the most typical: the median by how much
    // is recorded on it (conversations, actions, commitments, check-ins, timeline entries).
    let mut report = Vec::new();
    for (stage, label, section) in [
        ("detected", "Detected", "definition"),
        ("assessing", "Assessing", "assessment"),
        ("reaching_out", "Reaching out", "conversations"),
        ("making_it_right", "Making it right", "making_it_right"),
        ("following_up", "Following up", "follow_up_plan"),
        ("closed", "Closed", ""),
    ] {
        let number: i64 = sqlx::query_scalar(
            "with sized as (
               select c.number,
                      (select count(*) from conversations x where x.case_id = c.id)
                    + (select count(*) from action_items x where x.case_id = c.id)
                    + (select count(*) from commitments x where x.case_id = c.id)
                    + (select count(*) from check_ins x where x.case_id = c.id)
                    + (select count(*) from case_events x where x.case_id = c.id) as size
               -- A case waiting on a let-go decision shows that decision first instead.
               from cases c where c.stage = $1 and c.let_go <> 'requested')
             select number from sized order by size, number
             offset (select count(*) / 2 from sized) limit 1",
        )
        .bind(stage)
        .fetch_one(&app.db.pool)
        .await
        .unwrap_or_else(|e| panic!("a demo case in {stage}: {e}"));
        browser
            .client
            .goto(&app.url(&format!("/cases/CR-{number}")))
            .await
            .expect("goto");
        browser.wait_for_text("#stage h2", label).await;
        let height = browser.document_height().await;
        report.push(format!("{label}: CR-{number} is {height} px tall"));
        if height > MAX_HEIGHT {
            // The whole page, for whoever reads the failure.
            browser.set_viewport(1280, height as u32).await;
            if let Ok(png) = browser.client.screenshot().await {
                let path = std::env::temp_dir().join(format!("mend-too-tall-{stage}.png"));
                let _ = std::fs::write(&path, png);
                println!("CR-{number} saved to {}", path.display());
            }
        }
        assert!(
            height <= MAX_HEIGHT,
            "{label}: CR-{number} is {height} px tall, more than three screens"
        );
        if stage == "closed" {
            continue;
        }
        present(&browser, "#stage ul.gate").await;
        assert!(
            browser.in_view("#stage ul.gate").await,
            "{label}: CR-{number}'s checklist is in the first screen"
        );
        // The stage's first form: its first field (or button) a person can use.
        let first = browser
            .js(
                "const s = document.getElementById(arguments[0]);
                 const c = [...s.querySelectorAll('form input:not([type=hidden]), form select, form textarea, form button')]
                     .find(e => e.offsetParent !== null);
                 if (!c) return 'no form';
                 const r = c.getBoundingClientRect();
                 return r.top >= 0 && r.bottom <= window.innerHeight ? 'in view'
                     : (c.id || c.tagName.toLowerCase()) + ' at ' + Math.round(r.top) + ' px';",
                vec![serde_json::json!(section)],
            )
            .await;
        if first.as_str() != Some("in view")
            && let Ok(png) = browser.client.screenshot().await
        {
            // What the person saw, for whoever reads the failure.
            let path = std::env::temp_dir().join(format!("mend-first-screen-{stage}.png"));
            let _ = std::fs::write(&path, png);
            println!("first screen of CR-{number} saved to {}", path.display());
        }
        assert_eq!(
            first.as_str(),
            Some("in view"),
            "{label}: CR-{number}'s first work form is in the first screen"
        );
    }
    println!("Case page heights at 1280 px (at most {MAX_HEIGHT}):");
    for line in &report {
        println!("  {line}");
    }
    browser.close().await;
}

#[tokio::test]
async fn saving_a_conversation_answers_in_view_without_reloading_the_page() {
    let app = TestApp::spawn().await;
    let (_, email, case) = ann_with_a_case_in(&app, "reaching_out").await;
    let browser = Browser::start().await;
    open_as(&browser, &app, email, PASSWORD, &case).await;
    // Scrolled down to the form, as a person would be after typing in it.
    browser.mark_page().await;
    browser.select("#channel", "Phone").await;
    browser
        .log_conversation(
            "Dana, head of operations",
            "Apologised and heard the whole complaint.",
            "Unhappy",
        )
        .await;
    browser
        .wait_for_text("#conversations .section-notice", "Conversation logged")
        .await;
    assert!(browser.same_page().await, "the page was not reloaded");
    assert!(
        browser.in_view("#conversations .section-notice").await,
        "the confirmation is in view"
    );
    assert!(
        browser.focused().await.contains("section-notice"),
        "the focus is on the confirmation: {}",
        browser.focused().await
    );
    assert!(
        browser
            .text("#conversations .items")
            .await
            .contains("Dana, head of operations")
    );
    // The checklist and the side column are brought up to date too.
    assert!(
        browser
            .text("#stage ul.gate li.task-done")
            .await
            .contains("conversation")
    );
    assert!(
        browser
            .text("#side #timeline")
            .await
            .contains("Talked with Dana")
    );
    browser.close().await;
}

#[tokio::test]
async fn without_javascript_a_save_lands_at_its_section_and_a_refusal_at_the_first_field() {
    let app = TestApp::spawn().await;
    let (_, email, case) = ann_with_a_case_in(&app, "reaching_out").await;
    let browser = Browser::start_without_javascript().await;
    open_as(&browser, &app, email, PASSWORD, &case).await;
    let scripted = browser.js("return typeof window.htmx;", vec![]).await;
    // (WebDriver's own scripts still run; the page's do not.)
    assert_eq!(scripted.as_str(), Some("undefined"), "htmx did not load");

    // Refused: no mood and no one talked with. The page comes back at the first field to fix.
    browser
        .fill("#summary", "Apologised and heard the whole complaint.")
        .await;
    browser
        .click("#conversation-form button[type=submit]")
        .await;
    browser
        .wait_for_text("#conversations .error-summary", "There is a problem")
        .await;
    assert_eq!(
        browser.focused().await,
        "with_whom",
        "the first invalid field"
    );
    assert!(browser.in_view("#with_whom").await);
    assert_eq!(
        browser.text("#summary").await,
        "Apologised and heard the whole complaint.",
        "the input is kept"
    );
    let links = browser
        .client
        .find_all(Locator::Css("#conversations .error-summary a"))
        .await
        .expect("links");
    let mut hrefs = Vec::new();
    for link in links {
        hrefs.push(link.attr("href").await.expect("href").unwrap_or_default());
    }
    assert_eq!(hrefs, ["#with_whom", "#sentiment"]);

    // Put right and saved: the page reloads at the section, its confirmation in view.
    browser.fill("#with_whom", "Dana").await;
    browser.choose("sentiment", "Neutral").await;
    browser
        .click("#conversation-form button[type=submit]")
        .await;
    browser
        .wait_for_text("#conversations .section-notice", "Conversation logged")
        .await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.fragment(), Some("conversations"));
    assert!(
        browser.in_view("#conversations .section-notice").await,
        "the confirmation is in view"
    );
    browser.close().await;
}

#[tokio::test]
async fn with_javascript_a_refused_form_puts_the_focus_on_its_first_invalid_field() {
    let app = TestApp::spawn().await;
    let (am, email, case) = ann_with_a_case_in(&app, "assessing").await;
    let browser = Browser::start().await;
    open_as(&browser, &app, email, PASSWORD, &case).await;
    browser.mark_page().await;
    browser.fill("#root_cause", "Nobody owned the date.").await;
    browser.fill("#value_at_risk", "a lot").await;
    browser.click("#assessment button[type=submit]").await;
    browser
        .wait_for_text("#assessment .error-summary", "There is a problem")
        .await;
    assert!(browser.same_page().await, "answered in place");
    assert_eq!(browser.focused().await, "value_at_risk");
    assert!(browser.in_view("#value_at_risk").await);
    assert_eq!(
        browser.text("#root_cause").await,
        "Nobody owned the date.",
        "the input is kept"
    );

    // A mood must be chosen: a check-in without one is refused, the focus on the choice.
    let case = case_in(&am, "Bluefin", "Late report", "following_up").await;
    am.plan_weekly(&case, chrono::Utc::now().date_naive()).await;
    browser.client.goto(&app.url(&case)).await.expect("goto");
    present(&browser, "#checkin_summary").await;
    browser.mark_page().await;
    let checked = browser
        .js(
            "return document.querySelectorAll('input[name=checkin_sentiment]:checked').length;",
            vec![],
        )
        .await;
    assert_eq!(
        checked.as_i64(),
        Some(0),
        "no mood is chosen for the person"
    );
    browser.fill("#checkin_summary", "They sounded fine.").await;
    browser
        .click("#follow_up_plan form[action$='/check-ins'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#checkin_sentiment-error", "Angry to Delighted")
        .await;
    assert!(browser.same_page().await);
    assert_eq!(browser.focused().await, "checkin_sentiment");
    browser.close().await;
}

#[tokio::test]
async fn an_incident_is_logged_by_keyboard_alone_in_under_thirty_seconds() {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee@example.com", "account_manager", Some("North"))
        .await;
    let ann = app.client();
    ann.sign_in("ann.lee@example.com", PASSWORD).await;
    for name in ["Bluefin Logistics", "Blue Harbour", "Cedar Foods"] {
        ann.new_account(name).await;
    }
    let browser = Browser::start().await;
    browser
        .sign_in(
            &app.url("/login?next=%2Fcases%2Fnew"),
            "ann.lee@example.com",
            PASSWORD,
        )
        .await;
    browser.wait_for_text("h1", "Log an incident").await;

    let started = Instant::now();
    assert_eq!(
        browser.focused().await,
        "account_name",
        "the first field is focused"
    );
    let tab = || char::from(Key::Tab).to_string();
    let keys = |text: &str| {
        let text = text.to_string();
        let client = browser.client.clone();
        async move {
            client
                .active_element()
                .await
                .expect("the focused element")
                .send_keys(&text)
                .await
                .expect("type");
        }
    };
    keys("Bluefin Logistics").await;
    // Tab through to the title, typing as a person does; selects take their option by letter.
    let mut guard = 0;
    while browser.focused().await != "title" {
        keys(&tab()).await;
        guard += 1;
        assert!(guard < 10, "the title is reachable by Tab");
    }
    keys("Shipment report missed the deadline").await;
    keys(&tab()).await;
    assert_eq!(browser.focused().await, "what_happened");
    keys("The weekly report came two days late.").await;
    keys(&tab()).await;
    assert_eq!(browser.focused().await, "category_id");
    keys("Missed").await;
    // On to the button, and Enter.
    let mut guard = 0;
    while !browser.focused().await.contains("primary") {
        keys(&tab()).await;
        guard += 1;
        assert!(guard < 20, "the button is reachable by Tab");
    }
    keys(&char::from(Key::Enter).to_string()).await;
    browser
        .wait_for_text("h1", "Shipment report missed the deadline")
        .await;
    let took = started.elapsed();
    println!("An incident logged by keyboard alone in {took:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(browser.text(".flashes").await.contains("Logged as CR-"));
    let (account, category): (String, String) = sqlx::query_as(
        "select a.name, k.name from cases c join accounts a on a.id = c.account_id
         join categories k on k.id = c.category_id",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("the case");
    assert_eq!(account, "Bluefin Logistics");
    assert_eq!(category, "Missed deadline");
    browser.close().await;
}
