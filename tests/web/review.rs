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

/// A check-in of `number`'s owner missed `days_ago` (a plan cannot start in the past, and only
/// the scheduler marks a check-in missed).
async fn missed_check_in(app: &TestApp, number: i64, days_ago: i32) {
    sqlx::query(
        "with p as (insert into follow_up_plans (case_id, cadence, first_due, assignee_id)
                    select id, 'weekly', current_date - $2, owner_id from cases where number = $1
                    returning id, case_id, assignee_id)
         insert into check_ins (case_id, plan_id, seq, due_date, assignee_id, status)
         select case_id, id, 1, current_date - $2, assignee_id, 'missed' from p",
    )
    .bind(number)
    .bind(days_ago)
    .execute(&app.db.pool)
    .await
    .expect("missed check-in");
}

/// Asks a manager to let `case` go, with a lesson.
async fn ask_to_let_go(client: &Client, case: &str, reason: &str) {
    let asked = client
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

/// The queue's filters as "label count".
fn filters(page: &crate::common::Page) -> Vec<String> {
    page.texts("#queue-filters a")
}

/// The numbers of the cases listed in the queue, in order.
fn queued(page: &crate::common::Page) -> Vec<String> {
    page.texts("#queue .queue-case .queue-title a")
}

#[tokio::test]
async fn the_review_is_a_queue_of_each_case_once_with_why_it_needs_a_manager() {
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
    let calm = case(&app, "bob@example.com", "On track", "low", 1).await;
    case(&app, "south@example.com", "South business", "critical", 30).await;
    let bob = as_user(&app, "bob@example.com").await;
    ask_to_let_go(&bob, &format!("/cases/CR-{asking}"), "Not worth it").await;
    missed_check_in(&app, asking, 9).await;
    // The scheduler escalated the quiet one (no work recorded since).
    sqlx::query(
        "update cases set escalated_at = now(), escalation_reason = 'quiet' where number = $1",
    )
    .bind(quiet)
    .execute(&app.db.pool)
    .await
    .expect("escalated");

    let manager = app.signed_in("manager").await; // team North
    let page = manager.get("/review").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        filters(&page),
        [
            "Needs a manager 3",
            "Escalated 1",
            "Let-go requested 1",
            "Commitment broken or slipping 0",
            "Missed check-in 1",
            "High severity 1",
            "Stuck 1",
            "Every open case 4",
        ]
    );
    assert_eq!(
        page.attr("#queue-filters a[aria-current=page]", "href")
            .as_deref(),
        Some("/review")
    );
    // Each case once, most urgent first: escalated and stuck (8 + 1) before a let-go request
    // with a missed check-in (6 + 3 … the older activity first on a tie), before critical (3).
    assert_eq!(
        queued(&page),
        [
            format!("CR-{quiet}"),
            format!("CR-{asking}"),
            format!("CR-{busy}")
        ]
    );
    let reasons = |n: i64| page.texts(&format!("#case-{n} .reasons li"));
    assert_eq!(
        reasons(quiet),
        ["Escalated: quiet too long", "Stuck: 10 days quiet"]
    );
    let missed_on = (chrono::Utc::now().date_naive() - chrono::Duration::days(9))
        .format("%-d %b")
        .to_string();
    assert_eq!(
        reasons(asking),
        [
            "Let-go requested".to_string(),
            format!("Missed check-in ({missed_on})")
        ]
    );
    assert_eq!(reasons(busy), ["Critical severity"]);
    assert!(
        page.text(&format!("#case-{asking}"))
            .contains("Not worth it"),
        "the let-go request's reason in its row"
    );
    assert!(
        page.text(&format!("#case-{busy}"))
            .contains("Next: Describe what happened."),
        "the next gate item"
    );
    assert!(
        !page.body.contains(&format!("CR-{calm}")),
        "a case on track is not in the queue"
    );
    assert!(
        !page.body.contains("South business"),
        "another team's case is not reviewed here"
    );

    // Each filter is a link that works without JavaScript, and says how many it shows.
    let stuck = manager.get("/review?reason=stuck").await;
    assert_eq!(queued(&stuck), [format!("CR-{quiet}")]);
    assert_eq!(stuck.text("#queue-heading"), "Stuck: 1, most urgent first");
    assert_eq!(
        stuck
            .attr("#queue-filters a[aria-current=page]", "href")
            .as_deref(),
        Some("/review?reason=stuck")
    );
    let everything = manager.get("/review?reason=all").await;
    assert_eq!(queued(&everything).len(), 4);
    assert!(
        everything
            .text(&format!("#case-{calm}"))
            .contains("On track")
    );
    let none = manager.get("/review?reason=commitment").await;
    assert!(
        none.text("#queue")
            .contains("No open case is marked “commitment broken or slipping”."),
        "{}",
        none.text("#queue")
    );
    assert_eq!(
        manager.get("/review?reason=nonsense&page=x").await.status,
        StatusCode::OK,
        "nonsense in the address shows the queue"
    );

    // Load: open cases, check-ins this week and missed, per account manager.
    let load = page.texts("#load tbody tr");
    assert!(load.iter().any(|r| r.starts_with("ann 2 0 0")), "{load:?}");
    assert!(load.iter().any(|r| r.starts_with("bob 2 0 1")), "{load:?}");
    // Only the people who carry cases: the manager reading the page, with none, is not listed.
    assert!(
        load.iter().all(|r| !r.starts_with("manager")),
        "a manager without cases or check-ins is not load: {load:?}"
    );
}

#[tokio::test]
async fn a_broken_commitment_puts_its_case_in_the_queue_once_with_its_words() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await; // North
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    am.define(&case, &[("severity", "low")]).await;
    am.plan_weekly(&case, chrono::Utc::now().date_naive()).await;
    let page = am.get(&case).await;
    let mark = page
        .attr("#commitments-at-check-in select", "name")
        .expect("the commitment is asked about");
    let commitment = page
        .text("#commitments-at-check-in label")
        .trim()
        .to_string();
    let res = am
        .submit(
            &case,
            &format!("{case}/check-ins"),
            &[
                ("checkin_channel", "phone"),
                ("checkin_sentiment", "-2"),
                ("checkin_summary", "Another late delivery."),
                (&mark, "broken"),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );

    let manager = app.signed_in("manager").await;
    let page = manager.get("/review").await;
    let n = case.trim_start_matches("/cases/CR-");
    assert_eq!(queued(&page), [format!("CR-{n}")], "listed once");
    assert_eq!(
        page.texts(&format!("#case-{n} .reasons li")),
        ["Commitment broken"]
    );
    let note = page.text(&format!("#case-{n} .queue-note"));
    assert!(
        note.starts_with("Commitment broken:") && !commitment.is_empty(),
        "{note}"
    );
    assert!(filters(&page).contains(&"Commitment broken or slipping 1".to_string()));
}

#[tokio::test]
async fn the_queue_is_paged_and_every_more_is_a_link() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    for i in 0..27 {
        // Logged high: each needs a manager.
        am.log_incident(&acme, &format!("Late delivery {i:02}"))
            .await;
    }
    let manager = app.signed_in("manager").await;
    let first = manager.get("/review").await;
    assert_eq!(queued(&first).len(), 20);
    assert_eq!(first.text(".pagination [aria-current=page]"), "Page 1 of 2");
    let next = first
        .attr(".pagination a[rel=next]", "href")
        .expect("a link");
    assert_eq!(next, "/review?page=2");
    let second = manager.get(&next).await;
    assert_eq!(queued(&second).len(), 7);
    let mut all: Vec<String> = queued(&first);
    all.extend(queued(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 27, "no case on both pages");
    // A filter's pages keep the filter.
    let high = manager.get("/review?reason=high-severity").await;
    assert_eq!(
        high.attr(".pagination a[rel=next]", "href").as_deref(),
        Some("/review?reason=high-severity&page=2")
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
    assert!(page.text("#queue").contains(&format!("CR-{number}")));
    // The filters stay on the chosen team.
    let stuck = page
        .attr("#queue-filters a[href*='reason=stuck']", "href")
        .expect("filter");
    assert!(stuck.contains(&format!("team={south}")), "{stuck}");
    // Nonsense falls back to a real team instead of failing.
    assert_eq!(
        admin.get("/review?team=nonsense").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_manager_reassigns_in_the_row_and_lands_back_at_it() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    app.create_user("bob@example.com", "account_manager", Some("North"))
        .await;
    let number = case(&app, "ann@example.com", "Stuck one", "high", 12).await;
    let other = case(&app, "ann@example.com", "Stuck two", "high", 11).await;
    let manager = app.signed_in("manager").await;
    let bob: Uuid = sqlx::query_scalar("select id from users where email = 'bob@example.com'")
        .fetch_one(&app.db.pool)
        .await
        .expect("bob");
    let owner = |n: i64| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select u.email from cases c join users u on u.id = c.owner_id where c.number = $1",
            )
            .bind(n)
            .fetch_one(&pool)
            .await
            .expect("owner")
        }
    };

    // Without JavaScript: the row's link opens the form, which comes back to the same view at
    // the row, the answer in it. (The review does not repeat the people in every row.)
    let view = "/review?reason=high-severity";
    let page = manager.get(view).await;
    let link = page
        .attr(&format!("#case-{number} a.reassign-link"), "href")
        .expect("a reassign link");
    assert_eq!(
        link,
        format!("/review/CR-{number}/reassign?view=reason%3Dhigh-severity")
    );
    assert!(page.attr("select[name=owner_id]", "name").is_none());
    let form_page = manager.get(&link).await;
    assert_eq!(form_page.status, StatusCode::OK);
    assert_eq!(form_page.text("h1"), format!("Reassign CR-{number}"));
    assert_eq!(
        form_page.attr(".back-link a", "href"),
        Some(format!("/review?reason=high-severity#case-{number}"))
    );
    let action = format!("/review/CR-{number}/reassign");
    let version = form_page
        .attr("form.reassign-form input[name=version]", "value")
        .expect("version");
    let sent_view = form_page
        .attr("form.reassign-form input[name=view]", "value")
        .expect("view");
    assert_eq!(sent_view, "reason=high-severity");
    let res = manager
        .submit(
            &link,
            &action,
            &[
                ("version", &version),
                ("owner_id", &bob.to_string()),
                ("view", &sent_view),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        Some(format!("/review?reason=high-severity#case-{number}"))
    );
    let page = manager.get(view).await;
    assert_eq!(
        page.text(&format!("#case-{number} .section-notice")),
        format!("CR-{number} has a new owner.")
    );
    assert_eq!(page.text(&format!("#owner-cell-{number} p")), "bob");
    assert!(page.text(".flashes").is_empty(), "the answer is in the row");
    assert_eq!(owner(number).await, "bob@example.com");

    // With htmx: the form comes into the row's owner cell; sent, the row alone comes back,
    // with the answer, and the filters out of band.
    let page = manager.get(view).await;
    let link = page
        .attr(&format!("#case-{other} a.reassign-link"), "hx-get")
        .expect("loaded in place");
    let part = manager
        .get_with_headers(&link, &[("HX-Request", "true")])
        .await;
    assert!(!part.body.contains("<html"), "the form alone");
    assert_eq!(
        part.attr("select[name=owner_id]", "autofocus").as_deref(),
        Some("")
    );
    let version = part.attr("input[name=version]", "value").expect("version");
    let token = manager.csrf_token(view).await;
    let res = manager
        .post_with_headers(
            &format!("/review/CR-{other}/reassign"),
            &[
                ("csrf_token", &token),
                ("version", &version),
                ("owner_id", &bob.to_string()),
                ("view", "reason=high-severity"),
            ],
            &[("HX-Request", "true")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        res.body
            .trim_start()
            .starts_with(&format!("<li class=\"queue-case\" id=\"case-{other}\"")),
        "{}",
        res.body
    );
    assert!(!res.body.contains("<html"), "a part, not a page");
    assert_eq!(
        res.text(".section-notice"),
        format!("CR-{other} has a new owner.")
    );
    assert_eq!(
        res.attr("#queue-filters", "hx-swap-oob").as_deref(),
        Some("true")
    );
    assert_eq!(owner(other).await, "bob@example.com");

    // The same form again (an old version): refused in the row, with the case as it is now.
    let stale = manager
        .post_with_headers(
            &format!("/review/CR-{other}/reassign"),
            &[
                ("csrf_token", &token),
                ("version", &version),
                ("owner_id", &bob.to_string()),
                ("view", "reason=high-severity"),
            ],
            &[("HX-Request", "true")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale
            .text(".problem")
            .contains("changed since this page was loaded")
    );
    assert_ne!(
        stale.attr("input[name=version]", "value"),
        Some(version),
        "the row comes back with the current version"
    );
    // A view that is not one is ignored, never followed.
    let version = manager
        .get(&format!("/review/CR-{number}/reassign"))
        .await
        .attr("input[name=version]", "value")
        .expect("version");
    // A case not in the reviewer's team, or not open, has no such form.
    assert_eq!(
        manager.get("/review/CR-999999/reassign").await.status,
        StatusCode::NOT_FOUND
    );
    let odd = manager
        .forge(
            "/review",
            &format!("/review/CR-{number}/reassign"),
            &[
                ("version", &version),
                ("owner_id", &bob.to_string()),
                ("view", "//evil.example/&reason=%0d%0a"),
            ],
        )
        .await;
    assert_eq!(odd.location(), Some(format!("/review#case-{number}")));
}

#[tokio::test]
async fn a_manager_decides_let_go_requests_in_their_rows() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await; // North
    let acme = am.new_account("Acme").await;
    let first = am.log_incident(&acme, "Third missed delivery").await;
    let second = am.log_incident(&acme, "Rude support call").await;
    let third = am.log_incident(&acme, "Wrong invoice").await;
    let reason = "Their volumes do not fit our routes; both sides lose.";
    for case in [&first, &second, &third] {
        ask_to_let_go(&am, case, reason).await;
    }
    // The second case's lesson is taken back: its approval asks for one.
    let page = am.get(&second).await;
    let remove = page
        .attr("#lessons form[action$='/remove']", "action")
        .expect("remove the lesson");
    let removed = am.submit(&second, &remove, &[("confirmed", "1")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);

    let manager = app.signed_in("manager").await;
    let view = "/review?reason=let-go";
    let review = manager.get(view).await;
    assert!(filters(&review).contains(&"Let-go requested 3".to_string()));
    let n = |case: &str| case.trim_start_matches("/cases/CR-").to_string();
    let (n1, n2, n3) = (n(&first), n(&second), n(&third));
    let item = |n: &str| format!("#case-{n}");
    assert!(
        review.text(&item(&n1)).contains(reason),
        "the reason beside the buttons"
    );
    assert!(
        review
            .attr(
                &format!("{} textarea[name=let_go_lesson]", item(&n1)),
                "name"
            )
            .is_none(),
        "a lesson is recorded: nothing to add"
    );
    assert!(
        review
            .attr(
                &format!("{} textarea[name=let_go_lesson]", item(&n2)),
                "name"
            )
            .is_some(),
        "no lesson yet: the approval asks for it"
    );
    let version = |page: &crate::common::Page, n: &str| {
        page.attr(
            &format!("{} form.let-go-decision input[name=version]", item(n)),
            "value",
        )
        .expect("version")
    };

    // Approved in one step, without JavaScript: back at the row's place, the answer there.
    let v1 = version(&review, &n1);
    let res = manager
        .submit(
            view,
            &format!("/review/CR-{n1}/let-go"),
            &[
                ("version", &v1),
                ("decision", "approve"),
                ("view", "reason=let-go"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some(format!("{view}#case-{n1}")));
    let review = manager.get(view).await;
    assert_eq!(
        review.text(&format!("{} .section-notice", item(&n1))),
        format!("CR-{n1}: approved, the case is closed as let go. Open CR-{n1}")
    );
    assert!(filters(&review).contains(&"Let-go requested 2".to_string()));

    // Approving without the lesson the close needs: refused in the row, nothing lost.
    let v2 = version(&review, &n2);
    let refused = manager
        .submit(
            view,
            &format!("/review/CR-{n2}/let-go"),
            &[
                ("version", &v2),
                ("decision", "approve"),
                ("let_go_lesson", "  "),
                ("view", "reason=let-go"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text(&format!("{} .problem", item(&n2)))
            .contains("write the lesson learned first")
    );
    assert_eq!(
        refused
            .attr(&format!("#let_go_lesson-{n2}"), "aria-invalid")
            .as_deref(),
        Some("true")
    );
    // With htmx, the lesson given: the row says where the case went, the counts follow.
    let token = manager.csrf_token(view).await;
    let res = manager
        .post_with_headers(
            &format!("/review/CR-{n2}/let-go"),
            &[
                ("csrf_token", &token),
                ("version", &v2),
                ("decision", "approve"),
                ("let_go_lesson", "Say no to rush jobs we cannot staff."),
                ("view", "reason=let-go"),
            ],
            &[("HX-Request", "true")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        res.text(&format!("{}.queue-gone", item(&n2)))
            .contains("approved, the case is closed as let go")
    );
    assert!(
        res.texts("#queue-filters a")
            .contains(&"Let-go requested 1".to_string())
    );

    // Declined: the repair goes on; the row stays with the answer, the request gone from it.
    let v3 = version(&manager.get(view).await, &n3);
    let res = manager
        .post_with_headers(
            &format!("/review/CR-{n3}/let-go"),
            &[
                ("csrf_token", &token),
                ("version", &v3),
                ("decision", "decline"),
                ("view", "reason=let-go"),
            ],
            &[("HX-Request", "true")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.text(".section-notice"),
        format!("CR-{n3}: declined, the repair goes on.")
    );
    assert!(res.attr(".let-go-decision", "action").is_none());

    let outcomes: Vec<String> = sqlx::query_scalar("select outcome from cases order by number")
        .fetch_all(&app.db.pool)
        .await
        .expect("outcomes");
    assert_eq!(outcomes, ["let_go", "let_go", "open"]);
    let lessons: Vec<String> = sqlx::query_scalar(
        "select l.text from lessons l join cases c on c.id = l.case_id
         where c.title = 'Rude support call' and l.removed_at is null",
    )
    .fetch_all(&app.db.pool)
    .await
    .expect("lessons");
    assert_eq!(lessons, ["Say no to rush jobs we cannot staff."]);
    let review = manager.get(view).await;
    assert!(
        review
            .text("#queue")
            .contains("No open case is marked “let-go requested”.")
    );
}

#[tokio::test]
async fn the_review_csv_has_the_same_open_repairs_as_the_page() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    let a = case(&app, "ann@example.com", "=cmd|' /C calc'!A0", "low", 10).await;
    let b = case(&app, "ann@example.com", "Second, with a comma", "high", 1).await;
    let manager = app.signed_in("manager").await;
    let page = manager.get("/review?reason=all").await;
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
        "least recently active first"
    );
    assert_eq!(&records[0][1], "'=cmd|' /C calc'!A0", "formula neutralised");
    assert_eq!(&records[1][1], "Second, with a comma");
    assert_eq!(&records[0][8], "true", "stuck");
    let mut listed = queued(&page);
    listed.sort();
    assert_eq!(listed, [format!("CR-{a}"), format!("CR-{b}")]);
}

#[tokio::test]
async fn a_closed_cases_check_ins_leave_the_review_and_return_when_it_reopens() {
    let app = TestApp::spawn().await;
    app.create_user("bob@example.com", "account_manager", Some("North"))
        .await;
    let number = case(&app, "bob@example.com", "Went quiet", "medium", 2).await;
    missed_check_in(&app, number, 9).await;
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
        !page.text("#queue").contains(&format!("CR-{number}")),
        "{}",
        page.text("#queue")
    );
    assert!(filters(&page).contains(&"Missed check-in 0".to_string()));
    let load = page.texts("#load tbody tr");
    assert!(load.iter().any(|r| r.starts_with("bob 0 0 0")), "{load:?}");

    let reopened = bob
        .post_case(&path, "back", &[("reason", "They want to try again")])
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    assert!(case_open().await, "reopening it tells them again");
}
