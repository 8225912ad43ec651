use reqwest::StatusCode;
use uuid::Uuid;

use crate::common::{Client, TestApp};

/// Signs in as `email`.
async fn as_user(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    let res = client.sign_in(email, crate::common::PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    client
}

/// A case of `owner_email`'s on an account of its own (both named `title`), of `severity`,
/// created three days before it went quiet and quiet for `quiet_days`.
async fn case(
    app: &TestApp,
    owner_email: &str,
    title: &str,
    severity: &str,
    quiet_days: i32,
) -> i64 {
    let owner = as_user(app, owner_email).await;
    let account = owner.new_account(title).await;
    let path = owner.log_incident(&account, title).await;
    if severity != "high" {
        owner.define(&path, &[("severity", severity)]).await;
    }
    let number = path
        .trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number");
    sqlx::query(
        "update cases set created_at = now() - make_interval(days => $2 + 3),
                          last_activity_at = now() - make_interval(days => $2)
         where number = $1",
    )
    .bind(number)
    .bind(quiet_days)
    .execute(&app.db.pool)
    .await
    .expect("time passes");
    number
}

#[tokio::test]
async fn the_review_shows_what_needs_a_manager_for_the_managers_team() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("bob@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("south@example.com", "account_manager", Some("South"))
        .await;
    let quiet = case(&app, "ann@example.com", "Quiet for ten days", "low", 10).await;
    let busy = case(&app, "ann@example.com", "Active yesterday", "critical", 1).await;
    let asking = case(&app, "bob@example.com", "Wants to let go", "medium", 2).await;
    case(&app, "south@example.com", "South business", "critical", 30).await;
    let bob = as_user(&app, "bob@example.com").await;
    let asked = bob
        .post_case(
            &format!("/cases/CR-{asking}"),
            "let-go",
            &[
                ("let_go_reason", "Not worth it"),
                ("let_go_lesson", "Say no sooner."),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    // A plan with a check-in missed 9 days ago for Bob (a plan cannot start in the past).
    sqlx::query(
        "with p as (insert into follow_up_plans (case_id, cadence, first_due, assignee_id)
                    select id, 'weekly', current_date - 9, owner_id from cases where number = $1 returning id, case_id, assignee_id)
         insert into check_ins (case_id, plan_id, seq, due_date, assignee_id, status)
         select case_id, id, 1, current_date - 9, assignee_id, 'missed' from p",
    )
    .bind(asking)
    .execute(&app.db.pool)
    .await
    .expect("missed check-in");

    let manager = app.signed_in("manager").await; // team North
    let page = manager.get("/review").await;
    assert_eq!(page.status, StatusCode::OK);
    let stuck = page.text("#stuck");
    assert!(
        stuck.contains(&format!("CR-{quiet}")) && stuck.contains("(1)"),
        "{stuck}"
    );
    assert!(!stuck.contains(&format!("CR-{busy}")), "{stuck}");
    assert!(page.text("#let-go").contains(&format!("CR-{asking}")));
    assert!(page.text("#missed").contains(&format!("CR-{asking}")));
    let high = page.text("#high");
    assert!(
        high.contains(&format!("CR-{busy}")) && !high.contains(&format!("CR-{quiet}")),
        "{high}"
    );
    let all = page.text("#all");
    assert!(all.contains("(3)"), "three open repairs in North: {all}");
    assert!(
        all.contains("Describe what happened."),
        "the next gate item: {all}"
    );
    assert!(
        !page.body.contains("South business"),
        "another team's case is not reviewed here"
    );
    // Load: open cases, check-ins this week and missed, per account manager.
    let load = page.texts("#load tbody tr");
    assert!(load.iter().any(|r| r.starts_with("ann 2 0 0")), "{load:?}");
    assert!(load.iter().any(|r| r.starts_with("bob 1 0 1")), "{load:?}");
    // Only the people who carry cases: the manager reading the page, with none, is not listed.
    assert!(
        load.iter().all(|r| !r.starts_with("manager")),
        "a manager without cases or check-ins is not load: {load:?}"
    );
}

#[tokio::test]
async fn an_admin_chooses_the_team_to_review() {
    let app = TestApp::spawn().await;
    app.create_user("south@example.com", "account_manager", Some("South"))
        .await;
    let number = case(&app, "south@example.com", "South business", "critical", 30).await;
    let admin = app.signed_in("admin").await;
    let south: Uuid = sqlx::query_scalar("select id from teams where name = 'South'")
        .fetch_one(&app.db.pool)
        .await
        .expect("team");
    let page = admin.get(&format!("/review?team={south}")).await;
    assert_eq!(
        page.attr("#team option[selected]", "value").as_deref(),
        Some(south.to_string().as_str())
    );
    assert!(page.text("#all").contains(&format!("CR-{number}")));
    // Nonsense falls back to a real team instead of failing.
    assert_eq!(
        admin.get("/review?team=nonsense").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_manager_reassigns_from_the_review_and_comes_back_to_it() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("bob@example.com", "account_manager", Some("North"))
        .await;
    let number = case(&app, "ann@example.com", "Stuck one", "high", 12).await;
    let manager = app.signed_in("manager").await;
    let page = manager.get("/review").await;
    let form = format!("#stuck form[action='/cases/CR-{number}/reassign']");
    let version = page
        .attr(&format!("{form} input[name=version]"), "value")
        .expect("version");
    let bob: Uuid = sqlx::query_scalar("select id from users where email = 'bob@example.com'")
        .fetch_one(&app.db.pool)
        .await
        .expect("bob");
    let res = manager
        .submit(
            "/review",
            &format!("/cases/CR-{number}/reassign"),
            &[
                ("version", &version),
                ("owner_id", &bob.to_string()),
                ("back", "/review"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/review"));
    let page = manager.get("/review").await;
    assert!(
        page.text(".flashes")
            .contains(&format!("CR-{number} has a new owner."))
    );
    let owner: String = sqlx::query_scalar(
        "select u.email from cases c join users u on u.id = c.owner_id where c.number = $1",
    )
    .bind(number)
    .fetch_one(&app.db.pool)
    .await
    .expect("owner");
    assert_eq!(owner, "bob@example.com");
}

#[tokio::test]
async fn a_manager_decides_a_let_go_from_the_review_in_one_step() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await; // North
    let acme = am.new_account("Acme").await;
    let first = am.log_incident(&acme, "Third missed delivery").await;
    let second = am.log_incident(&acme, "Rude support call").await;
    let reason = "Their volumes do not fit our routes; both sides lose.";
    for case in [&first, &second] {
        let asked = am
            .post_case(
                case,
                "let-go",
                &[
                    ("let_go_reason", reason),
                    (
                        "let_go_lesson",
                        "Check volumes fit our routes before signing.",
                    ),
                ],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    }
    // The second case's lesson is taken back: its approval asks for one.
    let page = am.get(&second).await;
    let remove = page
        .attr("#lessons form[action$='/remove']", "action")
        .expect("remove the lesson");
    let removed = am.submit(&second, &remove, &[("confirmed", "1")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);

    let manager = app.signed_in("manager").await;
    let review = manager.get("/review").await;
    let n1 = first.trim_start_matches("/cases/CR-");
    let n2 = second.trim_start_matches("/cases/CR-");
    let item = |n: &str| format!("#let-go-{n}");
    assert!(
        review.text(&item(n1)).contains(reason),
        "the reason beside the buttons"
    );
    assert!(
        review
            .attr(
                &format!("{} textarea[name=let_go_lesson]", item(n1)),
                "name"
            )
            .is_none(),
        "a lesson is recorded: nothing to add"
    );
    assert!(
        review
            .attr(
                &format!("{} textarea[name=let_go_lesson]", item(n2)),
                "name"
            )
            .is_some(),
        "no lesson yet: the approval asks for it"
    );
    let version = |n: &str| {
        review
            .attr(
                &format!("{} form.let-go-decision input[name=version]", item(n)),
                "value",
            )
            .expect("version")
    };
    let approve = |n: &str, lesson: &'static str| {
        let version = version(n);
        let manager = &manager;
        let n = n.to_string();
        async move {
            // The lesson field is offered only where the case has none yet.
            let mut fields = vec![
                ("version", version.as_str()),
                ("decision", "approve"),
                ("back", "/review#let-go"),
            ];
            if !lesson.is_empty() {
                fields.push(("let_go_lesson", lesson));
            }
            manager
                .submit(
                    "/review",
                    &format!("/cases/CR-{n}/let-go/decision"),
                    &fields,
                )
                .await
        }
    };
    let res = approve(n1, "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/review#let-go"));
    let res = approve(n2, "Say no to rush jobs we cannot staff.").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location().as_deref(), Some("/review#let-go"));
    let review = manager.get("/review").await;
    assert!(review.text(".flashes").contains("approved"));
    assert!(
        review
            .text("#let-go")
            .contains("No let-go request is waiting.")
    );
    let outcomes: Vec<String> = sqlx::query_scalar("select outcome from cases order by number")
        .fetch_all(&app.db.pool)
        .await
        .expect("outcomes");
    assert_eq!(outcomes, ["let_go", "let_go"]);
    let lessons: Vec<String> = sqlx::query_scalar(
        "select l.text from lessons l join cases c on c.id = l.case_id
         where c.title = 'Rude support call' and l.removed_at is null",
    )
    .fetch_all(&app.db.pool)
    .await
    .expect("lessons");
    assert_eq!(lessons, ["Say no to rush jobs we cannot staff."]);
}

#[tokio::test]
async fn the_review_csv_has_the_same_open_repairs_as_the_page() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    let a = case(&app, "ann@example.com", "=cmd|' /C calc'!A0", "low", 10).await;
    let b = case(&app, "ann@example.com", "Second, with a comma", "high", 1).await;
    let manager = app.signed_in("manager").await;
    let page = manager.get("/review").await;
    let href = page.attr(".list-tools a", "href").expect("export link");
    let csv = manager.get(&href).await;
    assert!(
        csv.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let cases: Vec<&str> = records.iter().map(|r| &r[0]).collect();
    assert_eq!(
        cases,
        [format!("CR-{a}"), format!("CR-{b}")],
        "least recently active first, as on the page"
    );
    assert_eq!(&records[0][1], "'=cmd|' /C calc'!A0", "formula neutralised");
    assert_eq!(&records[1][1], "Second, with a comma");
    assert_eq!(&records[0][8], "true", "stuck");
    assert!(
        page.text("#all").contains(&format!("CR-{a}"))
            && page.text("#all").contains(&format!("CR-{b}"))
    );
}

#[tokio::test]
async fn a_closed_cases_check_ins_leave_the_review_and_return_when_it_reopens() {
    let app = TestApp::spawn().await;
    app.create_user("bob@example.com", "account_manager", Some("North"))
        .await;
    let number = case(&app, "bob@example.com", "Went quiet", "medium", 2).await;
    sqlx::query(
        "with p as (insert into follow_up_plans (case_id, cadence, first_due, assignee_id)
                    select id, 'weekly', current_date - 9, owner_id from cases where number = $1 returning id, case_id, assignee_id)
         insert into check_ins (case_id, plan_id, seq, due_date, assignee_id, status)
         select case_id, id, 1, current_date - 9, assignee_id, 'missed' from p",
    )
    .bind(number)
    .execute(&app.db.pool)
    .await
    .expect("missed check-in");
    let case_open = || async {
        sqlx::query_scalar::<_, bool>(
            "select ci.case_open from check_ins ci join cases c on c.id = ci.case_id where c.number = $1",
        )
        .bind(number)
        .fetch_one(&app.db.pool)
        .await
        .expect("check-in")
    };
    assert!(case_open().await);
    let bob = as_user(&app, "bob@example.com").await;
    let path = format!("/cases/CR-{number}");
    bob.add_lesson(&path, "Call before it goes quiet.").await;
    bob.close(&path, "lost").await;
    assert!(!case_open().await, "closing the case tells its check-ins");

    let manager = app.signed_in("manager").await;
    let page = manager.get("/review").await;
    assert!(
        !page.text("#missed").contains(&format!("CR-{number}")),
        "{}",
        page.text("#missed")
    );
    let load = page.texts("#load tbody tr");
    assert!(load.iter().any(|r| r.starts_with("bob 0 0 0")), "{load:?}");

    let reopened = bob
        .post_case(&path, "back", &[("reason", "They want to try again")])
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    assert!(case_open().await, "reopening it tells them again");
}
