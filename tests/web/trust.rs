//! The trust loop through the front door: adaptive follow-up plans that step their cadence as
//! check-ins go, and the restored gate that waits for a run of good check-ins.

use chrono::{Days, NaiveDate, Utc};
use mend::scheduler::{SchedulerConfig, run_once};
use reqwest::StatusCode;

use crate::common::{Client, Page, TestApp};

async fn post(client: &Client, case: &str, action: &str, fields: &[(&str, &str)]) -> Page {
    let page = client.get(case).await;
    let version = page
        .attr("input[name=version]", "value")
        .unwrap_or_default();
    let mut all: Vec<(&str, &str)> = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    client.submit(case, &format!("{case}/{action}"), &all).await
}

fn number(case: &str) -> i64 {
    case.trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number")
}

/// A case of the signed-in AM in Following up with a lesson, and an adaptive weekly plan whose
/// first check-in is due `first_due`.
async fn adaptive_case(am: &Client, first_due: NaiveDate) -> String {
    let account = am.new_account("Bluefin Logistics").await;
    let case = am
        .log_incident(&account, "The weekly report came late")
        .await;
    am.walk_to(&case, "following_up").await;
    let res = am
        .submit(
            &case,
            &format!("{case}/lessons"),
            &[("text", "Reports need a named stand-in.")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let owner = am
        .get(&case)
        .await
        .attr("#assignee_id option[selected]", "value")
        .expect("owner");
    let first = first_due.format("%Y-%m-%d").to_string();
    let res = am
        .submit(
            &case,
            &format!("{case}/plan"),
            &[
                ("cadence", "weekly"),
                ("first_due", &first),
                ("assignee_id", &owner),
                ("end_rule", "closed"),
                ("adaptive", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    case
}

/// Records the case's next check-in on its due day (time passes until then: see
/// `bring_next_check_in_due`).
async fn check_in(app: &TestApp, am: &Client, case: &str, sentiment: &str) {
    app.bring_next_check_in_due(number(case)).await;
    let res = am
        .submit(
            case,
            &format!("{case}/check-ins"),
            &[
                ("checkin_channel", "phone"),
                ("checkin_summary", "Spoke with Dana."),
                ("checkin_sentiment", sentiment),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );
}

/// The plan's cadence and the due dates of its open check-ins.
async fn plan_of(app: &TestApp, case: &str) -> (String, i32, Vec<NaiveDate>) {
    let (cadence, streak): (String, i32) = sqlx::query_as(
        "select p.cadence, p.good_streak from follow_up_plans p join cases c on c.id = p.case_id
         where c.number = $1 and p.ended_at is null",
    )
    .bind(number(case))
    .fetch_one(&app.db.pool)
    .await
    .expect("plan");
    let open: Vec<NaiveDate> = sqlx::query_scalar(
        "select k.due_date from check_ins k join cases c on c.id = k.case_id
         where c.number = $1 and k.status = 'scheduled' order by k.seq",
    )
    .bind(number(case))
    .fetch_all(&app.db.pool)
    .await
    .expect("check-ins");
    (cadence, streak, open)
}

async fn cadence_events(app: &TestApp, case: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select e.summary from case_events e join cases c on c.id = e.case_id
         where c.number = $1 and e.kind = 'cadence' order by e.id",
    )
    .bind(number(case))
    .fetch_all(&app.db.pool)
    .await
    .expect("events")
}

#[tokio::test]
async fn good_check_ins_step_an_adaptive_plan_down_and_a_bad_one_steps_it_back_up() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let today = Utc::now().date_naive();
    let case = adaptive_case(&am, today).await;
    let page = am.get(&case).await;
    assert!(
        page.text("#adapting")
            .contains("2 more good check-ins in a row step it down to every two weeks"),
        "{}",
        page.text("#adapting")
    );

    check_in(&app, &am, &case, "2").await;
    let (cadence, streak, open) = plan_of(&app, &case).await;
    assert_eq!((cadence.as_str(), streak), ("weekly", 1));
    assert_eq!(open, [today + Days::new(7)]);

    // The second good one in a row, a week later: every two weeks from the check-in just
    // done (time has moved on a week, so that is today plus two weeks).
    check_in(&app, &am, &case, "1").await;
    let (cadence, streak, open) = plan_of(&app, &case).await;
    assert_eq!((cadence.as_str(), streak), ("biweekly", 0));
    assert_eq!(open, [today + Days::new(14)]);
    let events = cadence_events(&app, &case).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0].starts_with("Follow-up cadence stepped down: every two weeks (was every week), after 2 good check-ins in a row"),
        "{}",
        events[0]
    );
    let page = am.get(&case).await;
    assert!(page.text(".timeline").contains("stepped down"));
    assert!(page.text("#follow_up_plan").contains("Every two weeks"));

    // A check-in with the client's mood at 0 steps it back up to weekly.
    check_in(&app, &am, &case, "0").await;
    let (cadence, streak, open) = plan_of(&app, &case).await;
    assert_eq!((cadence.as_str(), streak), ("weekly", 0));
    assert_eq!(open, [today + Days::new(7)]);
    let events = cadence_events(&app, &case).await;
    assert_eq!(events.len(), 2);
    assert!(
        events[1].contains("stepped up: every week"),
        "{}",
        events[1]
    );
    assert!(events[1].contains("mood was not good"), "{}", events[1]);
}

#[tokio::test]
async fn an_adaptive_case_closes_as_restored_only_after_three_good_check_ins_in_a_row() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    check_in(&app, &am, &case, "2").await;
    check_in(&app, &am, &case, "-1").await;
    check_in(&app, &am, &case, "1").await;
    let page = am.get(&case).await;
    assert!(
        page.text("#trust-gate")
            .contains("2 more good check-ins in a row"),
        "{}",
        page.text("#trust-gate")
    );
    let refused = post(&am, &case, "close", &[("outcome", "restored")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#problem")
            .contains("2 more good check-ins in a row"),
        "{}",
        refused.text("#problem")
    );
    check_in(&app, &am, &case, "2").await;
    assert!(
        am.get(&case)
            .await
            .text("#trust-gate")
            .contains("1 more good check-in in a row")
    );
    check_in(&app, &am, &case, "1").await;
    assert!(am.get(&case).await.text("#trust-gate").is_empty());
    // (Confirmed over the action and commitment recorded on the way, still open.)
    let closed = post(
        &am,
        &case,
        "close",
        &[("outcome", "restored"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(
        closed.status,
        StatusCode::SEE_OTHER,
        "{}",
        closed.text("#problem")
    );
    let outcome: String = sqlx::query_scalar("select outcome from cases where number = $1")
        .bind(number(&case))
        .fetch_one(&app.db.pool)
        .await
        .expect("outcome");
    assert_eq!(outcome, "restored");
}

/// Saves the organisation settings with these adaptive-plan numbers.
async fn save_settings(admin: &Client, step_after: &str, restored_after: &str) -> Page {
    admin
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[
                ("name", "Northwind"),
                ("time_zone", "UTC"),
                ("default_cadence", "weekly"),
                ("stuck_after_days", ""),
                ("week_start", "monday"),
                ("adaptive_step_after", step_after),
                ("restored_after", restored_after),
            ],
        )
        .await
}

#[tokio::test]
async fn the_organisation_sets_the_numbers_and_custom_cadences_cannot_adapt() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let res = save_settings(&admin, "1", "0").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text("#restored_after-error").contains("from 1 to 20"));
    assert_eq!(
        res.attr("#adaptive_step_after", "value").as_deref(),
        Some("1")
    );
    let res = save_settings(&admin, "1", "1").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // A plan started now steps after one good check-in.
    let am = app.signed_in("account_manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    check_in(&app, &am, &case, "1").await;
    assert_eq!(plan_of(&app, &case).await.0, "biweekly");
    assert!(am.get(&case).await.text("#trust-gate").is_empty());

    // An adaptive plan needs weekly, biweekly or monthly.
    let owner = am
        .get(&case)
        .await
        .attr("#assignee_id option[selected]", "value")
        .expect("owner");
    let first = Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let refused = am
        .submit(
            &case,
            &format!("{case}/plan"),
            &[
                ("cadence", "custom"),
                ("every_days", "10"),
                ("first_due", &first),
                ("assignee_id", &owner),
                ("end_rule", "closed"),
                ("adaptive", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#cadence-error").contains("adaptive"),
        "{}",
        refused.text("#cadence-error")
    );
}

#[tokio::test]
async fn a_missed_check_in_steps_the_cadence_up_once_with_two_schedulers() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let today = Utc::now().date_naive();
    let case = adaptive_case(&am, today).await;
    check_in(&app, &am, &case, "2").await;
    check_in(&app, &am, &case, "2").await;
    let (cadence, _, open) = plan_of(&app, &case).await;
    assert_eq!(cadence, "biweekly");
    let due = open[0];
    // Nine days after the biweekly check-in's day: two schedulers at once.
    let later = Utc::now() + chrono::Duration::days((due - today).num_days() + 9);
    let config = SchedulerConfig::new("https://mend.example");
    let (a, b) = tokio::join!(
        run_once(&app.db.pool, &config, None, later),
        run_once(&app.db.pool, &config, None, later)
    );
    a.expect("first scheduler");
    b.expect("second scheduler");
    let events = cadence_events(&app, &case).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[1].contains("stepped up: every week"),
        "{}",
        events[1]
    );
    assert!(events[1].contains("missed"), "{}", events[1]);
    let (cadence, streak, _) = plan_of(&app, &case).await;
    assert_eq!((cadence.as_str(), streak), ("weekly", 0));
    // The check-in after the missed one is a week after it.
    let next: NaiveDate = sqlx::query_scalar(
        "select k.due_date from check_ins k join cases c on c.id = k.case_id
         where c.number = $1 and k.due_date > $2 order by k.seq limit 1",
    )
    .bind(number(&case))
    .bind(due)
    .fetch_one(&app.db.pool)
    .await
    .expect("next check-in");
    assert_eq!(next, due + Days::new(7));
}

// ---------------------------------------------------------------------------------------------
// The escalation clock

async fn scheduler_pass(app: &TestApp) {
    let config = SchedulerConfig::new("https://mend.example");
    run_once(&app.db.pool, &config, None, Utc::now())
        .await
        .expect("scheduler pass");
}

async fn escalation_events(app: &TestApp, case: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select e.summary from case_events e join cases c on c.id = e.case_id
         where c.number = $1 and e.kind = 'escalation' order by e.id",
    )
    .bind(number(case))
    .fetch_all(&app.db.pool)
    .await
    .expect("events")
}

async fn escalation_mails(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "select to_address, body from outbox where kind = 'escalation' order by created_at",
    )
    .fetch_all(&app.db.pool)
    .await
    .expect("outbox")
}

async fn quiet_for(app: &TestApp, case: &str, days: i32) {
    sqlx::query(
        "update cases set last_activity_at = now() - make_interval(days => $2),
                escalated_at = case when escalated_at is null then null
                                    else now() - make_interval(days => $2 + 1) end
         where number = $1",
    )
    .bind(number(case))
    .bind(days)
    .execute(&app.db.pool)
    .await
    .expect("backdate");
}

#[tokio::test]
async fn a_quiet_case_is_escalated_once_flagged_for_the_manager_and_cleared_by_work() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let manager = app.signed_in("manager").await;
    let account = am.new_account("Cedar Foods").await;
    // Logged as high severity: the limit is 4 days.
    let case = am
        .log_incident(&account, "Pallets arrived a week late")
        .await;
    quiet_for(&app, &case, 3).await;
    scheduler_pass(&app).await;
    assert!(
        escalation_events(&app, &case).await.is_empty(),
        "3 days is within the limit"
    );

    quiet_for(&app, &case, 5).await;
    // Two schedulers at once escalate it once.
    let config = SchedulerConfig::new("https://mend.example");
    let (a, b) = tokio::join!(
        run_once(&app.db.pool, &config, None, Utc::now()),
        run_once(&app.db.pool, &config, None, Utc::now())
    );
    a.expect("first");
    b.expect("second");
    scheduler_pass(&app).await;
    let events = escalation_events(&app, &case).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0]
            .contains("no recorded activity for 5 days (the limit for high severity is 4 days)"),
        "{}",
        events[0]
    );
    let mails = escalation_mails(&app).await;
    assert_eq!(mails.len(), 1, "one manager, told once: {mails:?}");
    assert!(mails[0].0.starts_with("manager-"), "{}", mails[0].0);
    assert!(mails[0].1.contains(&format!("CR-{}", number(&case))));
    let told: Option<bool> =
        sqlx::query_scalar("select escalation_told_at = escalated_at from cases where number = $1")
            .bind(number(&case))
            .fetch_one(&app.db.pool)
            .await
            .expect("told");
    assert_eq!(
        told,
        Some(true),
        "later passes skip an escalation already told"
    );

    let review = manager.get("/review?reason=escalated").await;
    assert!(
        review
            .text("#queue")
            .contains("Pallets arrived a week late"),
        "{}",
        review.text("#queue")
    );
    assert!(
        review
            .text("#queue .reasons")
            .contains("Escalated: quiet too long")
    );
    assert!(
        am.get(&case)
            .await
            .text("#escalation")
            .contains("Escalated on")
    );

    // A conversation is work: the flag clears. (Logged while the case is still in Detected,
    // as the API allows; the page offers the form from Reaching out.)
    let res = am
        .forge(
            &case,
            &format!("{case}/conversations"),
            &[
                ("channel", "phone"),
                ("with_whom", "Dana"),
                ("summary", "Apologised and agreed a new delivery slot."),
                ("sentiment", "0"),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );
    let review = manager.get("/review?reason=escalated").await;
    assert!(
        review
            .text("#queue")
            .contains("No open case is marked “escalated”."),
        "{}",
        review.text("#queue")
    );
    assert!(am.get(&case).await.text("#escalation").is_empty());

    // Quiet again past the limit: a second crossing, told again.
    quiet_for(&app, &case, 6).await;
    scheduler_pass(&app).await;
    assert_eq!(escalation_events(&app, &case).await.len(), 2);
    assert_eq!(escalation_mails(&app).await.len(), 2);
}

#[tokio::test]
async fn each_severity_has_its_own_limit() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let account = am.new_account("Cedar Foods").await;
    let low = am.log_incident(&account, "A typo in the invoice").await;
    let critical = am
        .log_incident(&account, "The warehouse lost the shipment")
        .await;
    for (case, severity) in [(&low, "low"), (&critical, "critical")] {
        am.define(case, &[("severity", severity)]).await;
        quiet_for(&app, case, 3).await;
    }
    scheduler_pass(&app).await;
    assert!(
        escalation_events(&app, &low).await.is_empty(),
        "low waits 14 days"
    );
    let events = escalation_events(&app, &critical).await;
    assert_eq!(events.len(), 1);
    assert!(
        events[0].contains("the limit for critical severity is 2 days"),
        "{}",
        events[0]
    );
}

#[tokio::test]
async fn a_second_incident_within_90_days_of_a_restored_case_escalates_at_once_and_links_them() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let manager = app.signed_in("manager").await;
    let cedar = am.new_account("Cedar Foods").await;
    let first = am.log_incident(&cedar, "Pallets arrived a week late").await;
    am.close_restored(&first).await;
    sqlx::query("update cases set closed_at = now() - interval '30 days' where number = $1")
        .bind(number(&first))
        .execute(&app.db.pool)
        .await
        .expect("restored");
    let second = am.log_incident(&cedar, "Pallets late again").await;
    let page = am.get(&second).await;
    assert!(
        page.text("#escalation")
            .contains("a second incident on this account within 90 days"),
        "{}",
        page.text("#escalation")
    );
    assert_eq!(
        page.attr("#linked-case a", "href"),
        Some(first.clone()),
        "linked to the restored case"
    );
    let events = escalation_events(&app, &second).await;
    assert_eq!(events.len(), 1);
    assert!(
        events[0].contains(&format!("within 90 days of CR-{}", number(&first))),
        "{}",
        events[0]
    );
    let review = manager.get("/review?reason=escalated").await;
    assert!(review.text("#queue").contains("Pallets late again"));
    assert!(
        review
            .text("#queue .reasons")
            .contains("Escalated: a repeat incident")
    );
    // The managers hear of it with the next scheduler pass, once.
    scheduler_pass(&app).await;
    scheduler_pass(&app).await;
    let mails = escalation_mails(&app).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].1.contains("second incident"), "{}", mails[0].1);

    // A restore longer ago does not count.
    let birch = am.new_account("Birch Media").await;
    let old = am.log_incident(&birch, "Slides were wrong").await;
    am.close_restored(&old).await;
    sqlx::query("update cases set closed_at = now() - interval '120 days' where number = $1")
        .bind(number(&old))
        .execute(&app.db.pool)
        .await
        .expect("restored long ago");
    let later = am.log_incident(&birch, "Slides wrong again").await;
    assert!(am.get(&later).await.text("#escalation").is_empty());
    assert!(escalation_events(&app, &later).await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Two trust readings per check-in

#[tokio::test]
async fn a_check_in_keeps_the_clients_own_words_and_the_case_page_plots_both_readings() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    let page = am.get(&case).await;
    assert!(
        page.attr("#trust-chart", "id").is_none(),
        "no chart before any check-in"
    );
    assert_eq!(
        page.attr("label[for=checkin_words]", "for").as_deref(),
        Some("checkin_words")
    );

    for (sentiment, words) in [
        ("0", ""),
        ("1", "\u{201c}Better than last month.\u{201d}"),
        ("2", "We trust you again."),
    ] {
        app.bring_next_check_in_due(number(&case)).await;
        let res = am
            .submit(
                &case,
                &format!("{case}/check-ins"),
                &[
                    ("checkin_channel", "phone"),
                    ("checkin_summary", "Spoke with Dana."),
                    ("checkin_sentiment", sentiment),
                    ("checkin_words", words),
                ],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{}",
            res.text("#problem")
        );
    }
    let stored: Vec<String> = sqlx::query_scalar(
        "select k.client_words from check_ins k join cases c on c.id = k.case_id
         where c.number = $1 and k.status = 'done' order by k.seq",
    )
    .bind(number(&case))
    .fetch_all(&app.db.pool)
    .await
    .expect("words");
    assert_eq!(
        stored,
        ["", "Better than last month.", "We trust you again."]
    );

    let page = am.get(&case).await;
    let quotes = page.texts("#follow_up_plan tbody td q");
    assert_eq!(quotes, ["Better than last month.", "We trust you again."]);
    let points = page.texts("#trust-chart svg circle title");
    assert_eq!(points.len(), 3, "{points:?}");
    assert!(
        points[0].ends_with("the client was neutral"),
        "{}",
        points[0]
    );
    assert!(
        points[2].contains(
            "the client was delighted; in their words: \u{201c}We trust you again.\u{201d}"
        ),
        "{}",
        points[2]
    );
    // The adaptive plan stepped down after the two good ones: the chart marks it.
    assert!(
        page.text("#trust-chart svg").contains("↓ every 2 weeks"),
        "{}",
        page.text("#trust-chart svg")
    );
    assert!(page.text("#trust-chart-desc").contains("3 check-ins, the client neutral at first and delighted at the last; 2 with the client's own words; 1 cadence change."));

    // Too long a quote is refused, the rest of the input kept.
    app.bring_next_check_in_due(number(&case)).await;
    let long = "x".repeat(501);
    let res = am
        .submit(
            &case,
            &format!("{case}/check-ins"),
            &[
                ("checkin_channel", "phone"),
                ("checkin_summary", "Spoke again."),
                ("checkin_sentiment", "2"),
                ("checkin_words", &long),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.text("#checkin_words-error").is_empty());
    assert_eq!(res.text("#checkin_summary"), "Spoke again.");
}

// ---------------------------------------------------------------------------------------------
// The commitment ledger

async fn add_commitment(app: &TestApp, am: &Client, case: &str, text: &str) -> String {
    let owner = am
        .get(case)
        .await
        .attr("#commitment_owner option[selected]", "value")
        .expect("owner offered");
    let review = (Utc::now().date_naive() + Days::new(14))
        .format("%Y-%m-%d")
        .to_string();
    let res = am
        .submit(
            case,
            &format!("{case}/commitments"),
            &[
                ("commitment", text),
                ("commitment_owner", &owner),
                ("commitment_scope", "team"),
                ("verification", "The delivery log shows Friday noon"),
                ("review_on", &review),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );
    let id: uuid::Uuid = sqlx::query_scalar("select id from commitments where text = $1")
        .bind(text)
        .fetch_one(&app.db.pool)
        .await
        .expect("commitment");
    id.to_string()
}

/// Records the next check-in on its due day, marking `commitment`.
async fn check_in_marking(
    app: &TestApp,
    am: &Client,
    case: &str,
    commitment: &str,
    mark: &str,
) -> Page {
    app.bring_next_check_in_due(number(case)).await;
    let field = format!("mark_{commitment}");
    am.submit(
        case,
        &format!("{case}/check-ins"),
        &[
            ("checkin_channel", "phone"),
            ("checkin_summary", "Went through the deliveries."),
            ("checkin_sentiment", "1"),
            (field.as_str(), mark),
        ],
    )
    .await
}

async fn case_state(app: &TestApp, case: &str) -> (String, String) {
    sqlx::query_as("select stage, outcome from cases where number = $1")
        .bind(number(case))
        .fetch_one(&app.db.pool)
        .await
        .expect("case")
}

async fn done_check_ins(app: &TestApp, case: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from check_ins k join cases c on c.id = k.case_id
         where c.number = $1 and k.status = 'done'",
    )
    .bind(number(case))
    .fetch_one(&app.db.pool)
    .await
    .expect("count")
}

#[tokio::test]
async fn commitments_are_marked_at_check_ins_and_a_broken_one_reopens_the_case() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let manager = app.signed_in("manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    let id = add_commitment(&app, &am, &case, "deliver every Friday by noon").await;
    let page = am.get(&case).await;
    let item = page.text("#commitment-list");
    assert!(item.contains("deliver every Friday by noon"), "{item}");
    assert!(item.contains("Not marked yet"), "{item}");
    assert!(item.contains("All clients of the team"), "{item}");
    assert!(
        item.contains("Verified by: The delivery log shows Friday noon"),
        "{item}"
    );
    assert!(
        page.attr(&format!("#mark_{id}"), "name").is_some(),
        "marked at the check-in"
    );

    // A mark that is not one is refused with the whole check-in, and nothing is recorded.
    let refused = check_in_marking(&app, &am, &case, &id, "perhaps").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.text("#commitments-error").is_empty());
    assert_eq!(
        refused.text("#checkin_summary"),
        "Went through the deliveries."
    );
    assert_eq!(done_check_ins(&app, &case).await, 0);

    let kept = check_in_marking(&app, &am, &case, &id, "kept").await;
    assert_eq!(
        kept.status,
        StatusCode::SEE_OTHER,
        "{}",
        kept.text("#problem")
    );
    assert!(
        am.get(&case)
            .await
            .text("#commitment-list")
            .contains("Kept")
    );
    let dashboard = am.get("/dashboard/weekly").await;
    assert_eq!(dashboard.text("#commitments-kept"), "1");
    assert!(
        manager
            .get("/review?reason=commitment")
            .await
            .text("#queue")
            .contains("No open case is marked “commitment broken or slipping”.")
    );

    // Broken at the next check-in: back to Making it right, with its event and the e-mail.
    let broken = check_in_marking(&app, &am, &case, &id, "broken").await;
    assert_eq!(
        broken.status,
        StatusCode::SEE_OTHER,
        "{}",
        broken.text("#problem")
    );
    assert_eq!(
        broken.location().as_deref(),
        Some(format!("{case}#stage").as_str())
    );
    assert_eq!(
        case_state(&app, &case).await,
        ("making_it_right".into(), "open".into())
    );
    assert_eq!(done_check_ins(&app, &case).await, 2);
    let page = am.get(&case).await;
    assert!(page.text(".flashes").contains("back in Making it right"));
    assert_eq!(
        page.text(".stepper [aria-current=step] .step-label"),
        "Making it right"
    );
    assert!(page.text(".timeline").contains(
        "Reopened into Making it right: the commitment \u{201c}deliver every Friday by noon\u{201d} was broken"
    ));
    let mails: Vec<(String, String)> =
        sqlx::query_as("select to_address, subject from outbox where kind = 'commitment'")
            .fetch_all(&app.db.pool)
            .await
            .expect("outbox");
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].0.starts_with("manager-"));
    assert!(mails[0].1.starts_with("Commitment broken"));
    let review = manager.get("/review?reason=commitment").await;
    assert!(
        review
            .text("#queue .queue-note")
            .contains("deliver every Friday by noon")
    );
    let dashboard = manager.get("/dashboard/weekly").await;
    assert_eq!(dashboard.text("#commitments-broken"), "1");
    assert_eq!(dashboard.text("#commitments-kept"), "1");
    // A broken commitment is not marked again.
    assert!(
        am.get(&case)
            .await
            .attr(&format!("#mark_{id}"), "name")
            .is_none()
    );
}

#[tokio::test]
async fn a_broken_commitment_changes_nothing_unless_all_of_it_is_recorded() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    app.signed_in("manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    let id = add_commitment(&app, &am, &case, "call every Monday").await;
    // The managers' e-mail cannot be queued: the whole check-in must fail with it.
    sqlx::raw_sql(
        "create function refuse_commitment_mail() returns trigger language plpgsql as $$
         begin if new.kind = 'commitment' then raise exception 'outbox unavailable'; end if;
               return new; end $$;
         create trigger refuse_commitment_mail before insert on outbox
             for each row execute function refuse_commitment_mail();",
    )
    .execute(&app.db.pool)
    .await
    .expect("trigger");
    let failed = check_in_marking(&app, &am, &case, &id, "broken").await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        case_state(&app, &case).await,
        ("following_up".into(), "open".into())
    );
    assert_eq!(
        done_check_ins(&app, &case).await,
        0,
        "the check-in was not recorded either"
    );
    let (state, marks): (String, i64) = sqlx::query_as(
        "select m.state, (select count(*) from commitment_marks k where k.commitment_id = m.id)
         from commitments m where m.text = 'call every Monday'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("commitment");
    assert_eq!((state.as_str(), marks), ("open", 0));
    let events: i64 = sqlx::query_scalar(
        "select count(*) from case_events e join cases c on c.id = e.case_id
         where c.number = $1 and e.summary like 'Reopened%'",
    )
    .bind(number(&case))
    .fetch_one(&app.db.pool)
    .await
    .expect("events");
    assert_eq!(events, 0);

    sqlx::raw_sql("drop trigger refuse_commitment_mail on outbox")
        .execute(&app.db.pool)
        .await
        .expect("drop trigger");
    let ok = check_in_marking(&app, &am, &case, &id, "broken").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text("#problem"));
    assert_eq!(case_state(&app, &case).await.0, "making_it_right");
}

#[tokio::test]
async fn a_commitment_broken_after_the_case_closed_opens_a_linked_case() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    app.signed_in("manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    let id = add_commitment(&app, &am, &case, "double-check every invoice").await;
    // The adaptive plan's run of good check-ins, then closed as restored.
    for _ in 0..3 {
        check_in(&app, &am, &case, "2").await;
    }
    am.close(&case, "restored").await;
    let res = am
        .submit(
            &case,
            &format!("{case}/commitments/{id}/mark"),
            &[("mark", "broken"), ("confirmed", "1")],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );
    let new_case = res.location().expect("the new case");
    assert_ne!(new_case, case);
    let page = am.get(&new_case).await;
    assert!(
        page.text("h1")
            .starts_with("Broken commitment: double-check every invoice")
    );
    assert_eq!(
        page.attr("#linked-case a", "href"),
        Some(case.clone()),
        "linked to the closed case"
    );
    assert!(page.text(".flashes").contains("takes the repair up"));
    assert_eq!(
        case_state(&app, &case).await,
        ("closed".into(), "restored".into())
    );
    assert!(
        am.get(&case)
            .await
            .text(".timeline")
            .contains("opened to repair the broken commitment")
    );
}

// ---------------------------------------------------------------------------------------------
// Lessons that spread

/// Makes the user whose e-mail starts with `email_prefix` the account's manager, with the
/// account's edit form.
async fn manage(app: &TestApp, editor: &Client, account: &str, email_prefix: &str) {
    let id: uuid::Uuid = sqlx::query_scalar("select id from users where email like $1 || '%'")
        .bind(email_prefix)
        .fetch_one(&app.db.pool)
        .await
        .expect("user");
    editor
        .edit_account(account, &[("manager_id", &id.to_string())])
        .await;
}

async fn lesson_of(app: &TestApp, case: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar(
        "select l.id from lessons l join cases c on c.id = l.case_id where c.number = $1",
    )
    .bind(number(case))
    .fetch_one(&app.db.pool)
    .await
    .expect("lesson");
    id.to_string()
}

async fn category_of(app: &TestApp, case: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar("select category_id from cases where number = $1")
        .bind(number(case))
        .fetch_one(&app.db.pool)
        .await
        .expect("category");
    id.to_string()
}

#[tokio::test]
async fn a_lessons_checklist_spreads_to_each_account_and_says_where_the_fix_did_not_hold() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let am_email: String =
        sqlx::query_scalar("select email from users where role = 'account_manager'")
            .fetch_one(&app.db.pool)
            .await
            .expect("am");
    let prefix = am_email.split('@').next().unwrap_or_default().to_string();
    let own = am.new_account("Alder Freight").await;
    let birch = am.new_account("Birch Media").await;
    let cedar = am.new_account("Cedar Foods").await;
    for a in [&own, &birch, &cedar] {
        manage(&app, &am, a, &prefix).await;
    }
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    // adaptive_case made its own account: the lesson's account is that one.
    let lesson = lesson_of(&app, &case).await;

    // A checklist needs the lesson to apply to all clients first.
    let refused = am
        .forge(
            "/lessons",
            &format!("/lessons/{lesson}/checklist"),
            &[
                ("checklist", "Name a stand-in"),
                ("reach", "team"),
                ("back", "/lessons"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(
        am.get("/lessons?open=1")
            .await
            .text(".flashes")
            .contains("applying to all clients first")
    );
    let res = am
        .submit(
            "/lessons?open=1",
            &format!("/lessons/{lesson}/all-clients"),
            &[("applies_to_all", "1"), ("back", "/lessons")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = am
        .submit(
            "/lessons?open=1",
            &format!("/lessons/{lesson}/checklist"),
            &[
                ("checklist", "- Name a stand-in for every report\n- Put report dates in the shared calendar\n"),
                ("reach", "team"),
                ("back", "/lessons"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    // Each of the AM's other accounts gets it on My work.
    let home = am.get("/").await;
    let todo = home.texts("#lessons-to-apply > ul > li");
    assert_eq!(
        todo.len(),
        3,
        "Alder, Birch and Cedar; the lesson's own account is left out: {todo:?}"
    );
    assert!(
        todo.iter()
            .all(|t| t.contains("Name a stand-in for every report"))
    );
    assert!(
        !todo.iter().any(|t| t.contains("Bluefin Logistics")),
        "not the lesson's own account"
    );
    let res = am
        .submit(
            "/",
            &format!("/lessons/{lesson}/accounts/{birch}/applied"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let home = am.get("/").await;
    assert!(home.text(".flashes").contains("Done for Birch Media"));
    let todo = home.texts("#lessons-to-apply > ul > li");
    assert_eq!(todo.len(), 2);
    assert!(!todo.iter().any(|t| t.starts_with("Birch Media")));
    let library = am.get("/lessons?open=1").await;
    assert!(
        library
            .text(".rollout")
            .contains("done for 1 of 3 accounts"),
        "{}",
        library.text(".rollout")
    );
    assert!(library.text(".did-not-hold").is_empty());

    // A new case in the lesson's category on Birch, after it was done there: the fix did not
    // hold. On Cedar (not done) and in another category on Birch: nothing to say.
    let category = category_of(&app, &case).await;
    let repeat = am.log_incident(&birch, "Report late again").await;
    let cedar_case = am.log_incident(&cedar, "Cedar report late").await;
    let other = am.log_incident(&birch, "Invoice typo").await;
    for c in [&repeat, &cedar_case] {
        am.define(c, &[("category_id", &category)]).await;
    }
    let another: uuid::Uuid = sqlx::query_scalar(
        "select id from categories where id <> $1::uuid and retired_at is null order by name limit 1",
    )
    .bind(&category)
    .fetch_one(&app.db.pool)
    .await
    .expect("another category");
    am.define(&other, &[("category_id", &another.to_string())])
        .await;
    let flag = am.get("/lessons?open=1").await.text(".did-not-hold");
    assert!(flag.contains("The fix did not hold"), "{flag}");
    assert!(
        flag.contains(&format!("Birch Media ( CR-{} )", number(&repeat))),
        "{flag}"
    );
    assert!(!flag.contains("Cedar"), "{flag}");
    assert!(!flag.contains(&format!("CR-{}", number(&other))), "{flag}");

    // An account out of reach cannot be marked.
    let stranger = app.signed_in("manager").await;
    let res = stranger
        .forge(
            "/",
            &format!("/lessons/{lesson}/accounts/{own}/applied"),
            &[],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "the manager's team sees Alder"
    );
    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    let south = app.client();
    south
        .sign_in("south.am@example.com", crate::common::PASSWORD)
        .await;
    let south_account = south.new_account("Dune Retail").await;
    let res = am
        .forge(
            "/",
            &format!("/lessons/{lesson}/accounts/{south_account}/applied"),
            &[],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::NOT_FOUND,
        "another team's account is not in the team's reach"
    );
}

#[tokio::test]
async fn a_checklist_for_the_organisation_reaches_other_teams_accounts() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    let lesson = lesson_of(&app, &case).await;
    // Someone in another team, managing an account there.
    app.create_user("sam@example.com", "account_manager", Some("South"))
        .await;
    let sam = app.client();
    sam.sign_in("sam@example.com", crate::common::PASSWORD)
        .await;
    let dune = sam.new_account("Dune Retail").await;
    manage(&app, &sam, &dune, "sam@").await;
    am.submit(
        "/lessons?open=1",
        &format!("/lessons/{lesson}/all-clients"),
        &[("applies_to_all", "1"), ("back", "/lessons?open=1")],
    )
    .await;
    for (reach, expected) in [("team", 0), ("organisation", 1)] {
        let res = am
            .submit(
                "/lessons?open=1",
                &format!("/lessons/{lesson}/checklist"),
                &[
                    ("checklist", "Name a stand-in"),
                    ("reach", reach),
                    ("back", "/lessons?open=1"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let todo = sam.get("/").await.texts("#lessons-to-apply > ul > li");
        assert_eq!(todo.len(), expected, "{reach}: {todo:?}");
    }
}

#[tokio::test]
async fn commitments_are_marked_at_a_check_in_recorded_from_my_work_too() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    app.signed_in("manager").await;
    let case = adaptive_case(&am, Utc::now().date_naive()).await;
    let id = add_commitment(&app, &am, &case, "send the minutes the same day").await;
    let home = am.get("/").await;
    let check_in = home
        .attr("#today form.check-in-form", "action")
        .expect("the check-in due today");
    let field = format!("mark_{id}");
    assert!(
        home.attr(&format!("#today select[name={field}]"), "name")
            .is_some(),
        "the commitment is offered for marking"
    );
    let res = am
        .submit(
            "/",
            &check_in,
            &[
                ("checkin_channel", "phone"),
                ("checkin_sentiment", "0"),
                ("checkin_summary", "Minutes came two days late again."),
                (field.as_str(), "broken"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(
        am.get("/")
            .await
            .text("#today .section-notice")
            .contains("back in Making it right")
    );
    assert_eq!(
        case_state(&app, &case).await,
        ("making_it_right".into(), "open".into())
    );
    let marked_at_check_in: i64 = sqlx::query_scalar(
        "select count(*) from commitment_marks where state = 'broken' and check_in_id is not null",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("marks");
    assert_eq!(marked_at_check_in, 1);
}
