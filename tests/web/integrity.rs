//! Defects found by trying Mend from outside (issue 15): dates out of range, check-ins
//! recorded before their day, links to an address Mend is not on, return addresses, words.

use chrono::{Days, Utc};
use reqwest::StatusCode;

use crate::common::{Client, Page, TestApp};

#[tokio::test]
async fn a_conversation_dated_in_year_zero_is_refused_and_the_case_page_still_renders() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    am.walk_to(&case, "reaching_out").await;
    for (raw, says) in [
        ("0000-01-01T00:00", "2000"),
        ("1899-12-31T10:00", "2000"),
        ("275760-09-13T00:00", "not a date"),
        ("-0001-01-01T00:00", "not a date"),
        ("2099-01-01T10:00", "future"),
    ] {
        let refused = am
            .submit(
                &case,
                &format!("{case}/conversations"),
                &[
                    ("channel", "phone"),
                    ("with_whom", "Jo Park"),
                    ("happened_at", raw),
                    ("summary", "Called to apologise."),
                    ("sentiment", "0"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{raw}");
        let error = refused.text("#happened_at-error");
        assert!(error.contains(says), "{raw}: {error}");
        assert_eq!(
            refused.attr("#happened_at", "value").as_deref(),
            Some(raw),
            "the input is kept"
        );
    }
    // A value stored before the checks (or by hand) never breaks the page.
    sqlx::query(
        "insert into conversations (case_id, channel, with_whom, happened_at, summary, sentiment)
         select id, 'phone', 'Jo', '0001-01-01 00:00:00+00 BC', 'Ancient', 0 from cases",
    )
    .execute(&app.db.pool)
    .await
    .expect("an old conversation");
    let page = am.get(&case).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text("#conversations").contains("Ancient"));
    for path in ["/cases", "/", "/dashboard/weekly"] {
        assert_eq!(am.get(path).await.status, StatusCode::OK, "{path}");
    }
    let manager = app.signed_in("manager").await;
    for path in ["/review", "/dashboard/weekly", "/lessons", &case] {
        assert_eq!(manager.get(path).await.status, StatusCode::OK, "{path}");
    }
}

fn number(case: &str) -> i64 {
    case.trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number")
}

/// Records the case's next check-in through its page; the response.
async fn record_check_in(am: &Client, case: &str, sentiment: &str) -> Page {
    am.submit(
        case,
        &format!("{case}/check-ins"),
        &[
            ("checkin_channel", "phone"),
            ("checkin_summary", "Spoke with Dana."),
            ("checkin_sentiment", sentiment),
        ],
    )
    .await
}

#[tokio::test]
async fn next_weeks_check_in_cannot_be_recorded_today_anywhere() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Report came late").await;
    let today = Utc::now().date_naive();
    am.plan_weekly(&case, today).await;

    // Today's is recorded; next week's is announced, not offered.
    let first = record_check_in(&am, &case, "1").await;
    assert_eq!(
        first.status,
        StatusCode::SEE_OTHER,
        "{}",
        first.text("#problem")
    );
    let next_day = (today + Days::new(7)).format("%A %-d %b %Y").to_string();
    let page = am.get(&case).await;
    assert!(
        page.text("#check-in-not-yet")
            .contains(&format!("You can record it from {next_day}")),
        "{}",
        page.text("#follow_up_plan")
    );
    assert!(page.attr("form[action$='/check-ins']", "action").is_none());

    // Posted anyway, it is refused and nothing is recorded.
    let refused = am
        .forge(
            &case,
            &format!("{case}/check-ins"),
            &[
                ("checkin_channel", "phone"),
                ("checkin_summary", "Spoke with Dana."),
                ("checkin_sentiment", "2"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#problem").contains("can be recorded from"),
        "{}",
        refused.text("#problem")
    );
    let done: i64 = sqlx::query_scalar("select count(*) from check_ins where status = 'done'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(done, 1);

    // My work lists it for later this week or beyond without a form, and refuses it too.
    let id: uuid::Uuid = sqlx::query_scalar("select id from check_ins where status = 'scheduled'")
        .fetch_one(&app.db.pool)
        .await
        .expect("the next check-in");
    let token = am.csrf_token("/").await;
    let res = am
        .post_raw(
            &format!("/check-ins/{id}/complete"),
            &[
                ("csrf_token", &token),
                ("checkin_channel", "phone"),
                ("checkin_summary", "Early"),
                ("checkin_sentiment", "2"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        am.get("/")
            .await
            .text(".flashes")
            .contains("can be recorded from"),
    );

    // The API says so too.
    let raw = mend::db::api_tokens::create(&app.db.pool, owner_of(&app, &case).await, "t", None)
        .await
        .expect("token");
    let answer = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/check-ins/{id}/complete")))
        .bearer_auth(raw)
        .json(&serde_json::json!({"channel": "phone", "summary": "Early", "sentiment": 2}))
        .send()
        .await
        .expect("api");
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let body = answer.text().await.expect("body");
    assert!(body.contains("can be recorded from"), "{body}");
    let done: i64 = sqlx::query_scalar("select count(*) from check_ins where status = 'done'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(done, 1, "nothing recorded early");
}

async fn owner_of(app: &TestApp, case: &str) -> uuid::Uuid {
    sqlx::query_scalar("select owner_id from cases where number = $1")
        .bind(number(case))
        .fetch_one(&app.db.pool)
        .await
        .expect("owner")
}

/// Check-ins recorded before their day (before Mend refused them) do not count towards the
/// run of good check-ins that lets a case close as restored; the run is of due days.
#[tokio::test]
async fn good_check_ins_count_once_per_due_day_that_had_arrived() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Report came late").await;
    am.walk_to(&case, "following_up").await;
    let owner = am
        .get(&case)
        .await
        .attr("#assignee_id option[selected]", "value")
        .expect("owner");
    let today = Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let res = am
        .submit(
            &case,
            &format!("{case}/plan"),
            &[
                ("cadence", "weekly"),
                ("first_due", &today),
                ("assignee_id", &owner),
                ("end_rule", "closed"),
                ("adaptive", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    for _ in 0..3 {
        app.bring_next_check_in_due(number(&case)).await;
        let res = record_check_in(&am, &case, "2").await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{}",
            res.text("#problem")
        );
    }
    assert!(am.get(&case).await.text("#trust-gate").is_empty());
    // Had the last two been recorded a week before their days, only one would count.
    sqlx::query(
        "update check_ins set completed_at = completed_at - interval '9 days'
         where status = 'done' and seq > 1",
    )
    .execute(&app.db.pool)
    .await
    .expect("early");
    let gate = am.get(&case).await.text("#trust-gate");
    assert!(gate.contains("2 more good check-ins"), "{gate}");
    // Two on one due day count once.
    sqlx::query(
        "update check_ins set completed_at = completed_at + interval '9 days',
                              due_date = (select min(due_date) from check_ins)
         where status = 'done' and seq > 1",
    )
    .execute(&app.db.pool)
    .await
    .expect("same day");
    let gate = am.get(&case).await.text("#trust-gate");
    assert!(gate.contains("2 more good check-ins"), "{gate}");
}

/// The confirmation page's "No, go back" link comes from the Referer: only a path of this site
/// that cannot lead elsewhere is used.
#[tokio::test]
async fn the_way_back_from_a_confirmation_never_leaves_the_site() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let token = am.csrf_token("/settings").await;
    let here = format!("http://{}", app.addr);
    for (referer, back) in [
        (format!("{here}/settings"), "/settings"),
        (format!("{here}/\\evil.example"), "/"),
        (format!("{here}/\t/evil.example"), "/"),
        (format!("{here}//evil.example"), "/"),
        ("https://evil.example/settings".to_string(), "/"),
    ] {
        let page = am
            .post_with_headers(
                "/settings/calendar/off",
                &[("csrf_token", &token)],
                &[("referer", &referer)],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{referer:?}");
        assert_eq!(page.text("h1"), "Please confirm");
        assert_eq!(
            page.attr(".confirm-card a.button", "href").as_deref(),
            Some(back),
            "{referer:?}"
        );
    }
}

/// A request whose client gives up (closes the connection) still runs to its end: a write
/// abandoned half-way through its transaction (between BEGIN and its answer, or between COMMIT
/// and its answer) left sqlx to roll back a transaction PostgreSQL had already committed (the
/// "there is no transaction in progress" warnings under load), or to return a connection with
/// an open transaction to the pool.
#[tokio::test]
async fn a_write_finishes_even_when_its_client_goes_away() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Report came late").await;
    let token = am.csrf_token(&case).await;
    // Hold the case's row: the conversation's write waits for it.
    let mut holder = app.db.pool.begin().await.expect("begin");
    sqlx::query("select 1 from cases where number = $1 for update")
        .bind(number(&case))
        .execute(&mut *holder)
        .await
        .expect("lock");
    let cookie = am.session_cookie().expect("session");
    let url = app.url(&format!("{case}/conversations"));
    let gave_up = reqwest::Client::new()
        .post(url)
        .header("cookie", format!("{}={cookie}", mend::SESSION_COOKIE))
        .form(&[
            ("csrf_token", token.as_str()),
            ("channel", "phone"),
            ("with_whom", "Jo Park"),
            ("summary", "Called while the client was away."),
            ("sentiment", "1"),
        ])
        .timeout(std::time::Duration::from_millis(500))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client gave up waiting");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    holder.commit().await.expect("release");
    // The write goes on without its client.
    let mut found = 0;
    for _ in 0..50 {
        found = sqlx::query_scalar::<_, i64>(
            "select count(*) from conversations where summary = 'Called while the client was away.'",
        )
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
        if found == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found, 1, "the conversation was recorded");
    let idle_in_transaction: i64 = sqlx::query_scalar(
        "select count(*) from pg_stat_activity
         where datname = current_database() and state like 'idle in transaction%'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("activity");
    assert_eq!(idle_in_transaction, 0);
}

/// What Mend says of e-mails is true: the escalation banner says whether the managers' e-mail
/// exists yet and whether it can go out; the outbox says when no e-mail server is configured and
/// names escalation e-mails.
#[tokio::test]
async fn the_escalation_banner_and_the_outbox_say_what_really_happened_to_the_email() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let admin = app.signed_in("admin").await;
    let _manager = app.signed_in("manager").await;
    let cedar = am.new_account("Cedar Foods").await;
    let first = am.log_incident(&cedar, "Pallets arrived a week late").await;
    am.close_restored(&first).await;
    sqlx::query("update cases set closed_at = now() - interval '30 days' where number = $1")
        .bind(number(&first))
        .execute(&app.db.pool)
        .await
        .expect("restored");
    let second = am.log_incident(&cedar, "Pallets late again").await;
    let banner = am.get(&second).await.text("#escalation");
    assert!(!banner.contains("were told"), "{banner}");
    assert!(!banner.contains("Escalated. Escalated"), "{banner}");
    assert!(
        banner.contains("will wait in the outbox: no e-mail server is configured"),
        "{banner}"
    );
    mend::scheduler::run_once(
        &app.db.pool,
        &mend::scheduler::SchedulerConfig::new("https://mend.example"),
        None,
        Utc::now(),
    )
    .await
    .expect("pass");
    let banner = am.get(&second).await.text("#escalation");
    assert!(
        banner.contains("is waiting in the outbox: no e-mail server is configured"),
        "{banner}"
    );
    let outbox = admin.get("/admin/outbox").await;
    assert!(
        outbox.text("#no-smtp").contains("--smtp-url"),
        "{}",
        outbox.body
    );
    let kinds = outbox.texts("tbody td:nth-child(3)");
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| k == "Escalation"),
        "{kinds:?}"
    );
    assert!(outbox.text("tbody").contains("Not sent"));
}

#[tokio::test]
async fn with_an_email_server_the_banner_says_the_managers_were_emailed() {
    let app = TestApp::spawn_with(mend::Settings {
        smtp_configured: true,
        ..mend::Settings::default()
    })
    .await;
    let am = app.signed_in("account_manager").await;
    let admin = app.signed_in("admin").await;
    let _manager = app.signed_in("manager").await;
    let cedar = am.new_account("Cedar Foods").await;
    let first = am.log_incident(&cedar, "Pallets arrived a week late").await;
    am.close_restored(&first).await;
    sqlx::query("update cases set closed_at = now() - interval '30 days' where number = $1")
        .bind(number(&first))
        .execute(&app.db.pool)
        .await
        .expect("restored");
    let second = am.log_incident(&cedar, "Pallets late again").await;
    let banner = am.get(&second).await.text("#escalation");
    assert!(
        banner.contains("will be e-mailed within minutes"),
        "{banner}"
    );
    mend::scheduler::run_once(
        &app.db.pool,
        &mend::scheduler::SchedulerConfig::new("https://mend.example"),
        None,
        Utc::now(),
    )
    .await
    .expect("pass");
    let banner = am.get(&second).await.text("#escalation");
    assert!(banner.contains("were e-mailed"), "{banner}");
    assert!(admin.get("/admin/outbox").await.text("#no-smtp").is_empty());
}
