//! The lessons library (`/lessons`), marking lessons as applying to all clients, and the
//! reminders of those lessons on new cases — checked against a small data set made through the
//! forms and moved back in time.

use reqwest::StatusCode;

use crate::common::{Client, PASSWORD, TestApp};

// Their texts, as the library shows them.
const T1: &str = "Send the invoice only after the client signs off the timesheet.";
const T2: &str = "Invoice errors cost trust: check every invoice twice, invoice by invoice.";
const T3: &str = "Call the client the same day instead of emailing.";
const T4: &str = "Some clients are <em>not</em> worth the effort.";
const T6: &str = "Check the invoice address before sending.";
const T7: &str = "Invoice the South way, in person.";
const T5: &str = "A removed invoice lesson.";

/// Team North: account managers ann (Berlin) and bob, manager mia. Team South: sam. An admin.
/// Their cases and lessons, made through the forms, then moved back in time (no form dates a
/// closing or a lesson in the past):
///
/// - CR-1001 (ann, Acme, Billing), restored 2 Nov: T1 (1 Nov, 23:30 UTC), T2 (20 Oct).
/// - CR-1002 (bob, Globex, Communication), lost 26 Oct: T3 for all clients (25 Oct).
/// - CR-1003 (bob, Acme, Communication), let go 11 Oct: T4 (10 Oct), and T5 for all clients
///   (5 Nov), removed (6 Nov).
/// - CR-1004 (ann, Globex, Billing), in Assessing: T6 for all clients (3 Nov).
/// - CR-1005 (sam, Initech in South, Billing), restored 3 Nov: T7 for all clients (2 Nov).
async fn fixture() -> TestApp {
    let app = TestApp::spawn().await;
    for (email, role, team) in [
        ("ann@example.com", "account_manager", "North"),
        ("bob@example.com", "account_manager", "North"),
        ("mia@example.com", "manager", "North"),
        ("sam@example.com", "account_manager", "South"),
        ("root@example.com", "admin", "North"),
    ] {
        app.create_user(email, role, Some(team)).await;
    }
    let ann = as_user(&app, "ann@example.com").await;
    let bob = as_user(&app, "bob@example.com").await;
    let mia = as_user(&app, "mia@example.com").await;
    let sam = as_user(&app, "sam@example.com").await;
    let res = ann
        .submit(
            "/settings",
            "/settings/time-zone",
            &[("time_zone", "Europe/Berlin")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let acme = ann.new_account("Acme").await;
    let globex = ann.new_account("Globex").await;
    let initech = sam.new_account("Initech").await;
    let c1 = incident(&ann, &acme, "Wrong invoice sent", "Billing").await;
    let c2 = incident(&bob, &globex, "Report e-mailed late", "Communication").await;
    let c3 = incident(&bob, &acme, "Endless complaints", "Communication").await;
    let c4 = incident(&ann, &globex, "Invoice to the old address", "Billing").await;
    let c5 = incident(&sam, &initech, "South invoice", "Billing").await;
    assert_eq!(
        [&c1, &c2, &c3, &c4, &c5],
        [
            "/cases/CR-1001",
            "/cases/CR-1002",
            "/cases/CR-1003",
            "/cases/CR-1004",
            "/cases/CR-1005"
        ]
    );

    let today = chrono::Utc::now().date_naive();
    ann.plan_weekly(&c1, today).await;
    ann.check_in_today(&c1, "2").await;
    ann.add_lesson(&c1, T2).await;
    ann.add_lesson(&c1, T1).await;
    ann.close(&c1, "restored").await;

    bob.add_lesson(&c2, T3).await;
    mark_for_all(&app, &bob, &c2, T3).await;
    bob.close(&c2, "lost").await;

    let asked = bob
        .post_case(
            &c3,
            "let-go",
            &[("let_go_reason", "Not worth it"), ("let_go_lesson", T4)],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    bob.add_lesson(&c3, T5).await;
    mark_for_all(&app, &bob, &c3, T5).await;
    let id = lesson_id(&app, T5).await;
    let removed = bob
        .submit(
            &c3,
            &format!("{c3}/lessons/{id}/remove"),
            &[("confirmed", "1")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let approved = mia
        .post_case(&c3, "let-go/decision", &[("decision", "approve")])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);

    ann.walk_to(&c4, "assessing").await;
    ann.add_lesson(&c4, T6).await;
    mark_for_all(&app, &ann, &c4, T6).await;

    sam.plan_weekly(&c5, today).await;
    sam.check_in_today(&c5, "2").await;
    sam.add_lesson(&c5, T7).await;
    mark_for_all(&app, &sam, &c5, T7).await;
    sam.close(&c5, "restored").await;

    sqlx::raw_sql(BACKDATE)
        .execute(&app.db.pool)
        .await
        .expect("move the fixture back in time");
    app
}

const BACKDATE: &str = r#"
update cases c set closed_at = v.closed::timestamptz
from (values
    (1001, '2026-11-02 10:00Z'),
    (1002, '2026-10-26 10:00Z'),
    (1003, '2026-10-11 10:00Z'),
    (1005, '2026-11-03 10:00Z')
) as v(number, closed)
where c.number = v.number;

update lessons l set created_at = v.at::timestamptz, removed_at = v.removed::timestamptz
from (values
    -- 23:30 UTC on 1 November is 00:30 on 2 November in Berlin.
    ('Send the invoice only after the client signs off the timesheet.', '2026-11-01 23:30Z', null),
    ('Invoice errors cost trust: check every invoice twice, invoice by invoice.', '2026-10-20 10:00Z', null),
    ('Call the client the same day instead of emailing.', '2026-10-25 10:00Z', null),
    ('Some clients are <em>not</em> worth the effort.', '2026-10-10 10:00Z', null),
    ('A removed invoice lesson.', '2026-11-05 10:00Z', '2026-11-06 10:00Z'),
    ('Check the invoice address before sending.', '2026-11-03 10:00Z', null),
    ('Invoice the South way, in person.', '2026-11-02 10:00Z', null)
) as v(text, at, removed)
where l.text = v.text;
"#;

/// Logs an incident on `account` and puts it in the category labelled `category`.
async fn incident(user: &Client, account: &str, title: &str, category: &str) -> String {
    let case = user.log_incident(account, title).await;
    let id = user
        .get(&case)
        .await
        .option_value("#category_id", category)
        .expect("the category is offered");
    user.define(&case, &[("category_id", &id)]).await;
    case
}

/// Marks the lesson with `text` as applying to all clients from the case page.
async fn mark_for_all(app: &TestApp, user: &Client, case: &str, text: &str) {
    let id = lesson_id(app, text).await;
    let res = user
        .submit(
            case,
            &format!("/lessons/{id}/all-clients"),
            &[
                ("applies_to_all", "1"),
                ("back", &format!("{case}#lessons")),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

async fn lesson_id(app: &TestApp, text: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar("select id from lessons where text = $1")
        .bind(text)
        .fetch_one(&app.db.pool)
        .await
        .expect("lesson");
    id.to_string()
}

async fn as_user(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    let res = client.sign_in(email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "sign-in: {}", res.body);
    client
}

/// The lesson texts of a library page, in order.
fn lessons(page: &crate::common::Page) -> Vec<String> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.texts("#lessons tbody td.lesson-text > p.prewrap")
}

async fn category_id(app: &TestApp, name: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar("select id from categories where name = $1")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .expect("category");
    id.to_string()
}

async fn applies_to_all(app: &TestApp, lesson: &str) -> bool {
    sqlx::query_scalar("select applies_to_all from lessons where id = $1::uuid")
        .bind(lesson)
        .fetch_one(&app.db.pool)
        .await
        .expect("lesson")
}

#[tokio::test]
async fn the_library_lists_the_lessons_of_closed_cases_newest_first_with_their_cases() {
    let app = fixture().await;
    let ann = as_user(&app, "ann@example.com").await;

    let page = ann.get("/lessons").await;
    // Not the removed lesson, not the open case's, not another team's.
    assert_eq!(lessons(&page), vec![T1, T3, T2, T4]);
    assert_eq!(page.text("#lessons caption"), "4 lessons, newest first");
    assert!(
        page.text("#lessons-scope")
            .contains("Showing lessons of closed cases only"),
        "the page says open cases are left out"
    );
    assert_eq!(
        page.texts("#lessons tbody tr:first-child td"),
        vec![
            T1,
            "CR-1001 Wrong invoice sent",
            "Acme",
            "Billing",
            "Restored",
            // Recorded at 23:30 UTC: already the next day in ann's Berlin.
            "2 Nov 2026",
            "ann",
            "No Mark this lesson of CR-1001 as applying to all clients",
        ]
    );
    assert_eq!(
        page.attr("#lessons tbody tr:first-child td.lesson-case a", "href")
            .as_deref(),
        Some("/cases/CR-1001")
    );
    assert_eq!(
        page.texts("#lessons td.lesson-outcome"),
        vec!["Restored", "Lost", "Restored", "Let go"]
    );
    // Text is text, never markup.
    assert!(page.body.contains("&#60;em&#62;not&#60;/em&#62;"));
    assert!(page.texts("#lessons td em").is_empty());
    assert_eq!(
        page.attr("nav.site-nav a[aria-current=page]", "href")
            .as_deref(),
        Some("/lessons")
    );

    let with_open = ann.get("/lessons?open=1").await;
    assert_eq!(lessons(&with_open), vec![T6, T1, T3, T2, T4]);
    assert_eq!(
        with_open.text("#lessons tbody tr:first-child td.lesson-outcome"),
        "Open"
    );
    assert!(
        with_open
            .text("#lessons-scope")
            .contains("and of cases still being repaired")
    );
}

#[tokio::test]
async fn lessons_search_finds_exactly_the_lessons_with_the_words_best_matches_first() {
    let app = fixture().await;
    let ann = as_user(&app, "ann@example.com").await;

    // T2 says "invoice" four times, T1 once: the better match comes first although older.
    let page = ann.get("/lessons?q=invoice").await;
    assert_eq!(lessons(&page), vec![T2, T1]);
    assert_eq!(
        page.text("#lessons caption"),
        "2 lessons, best matches first"
    );
    assert_eq!(page.attr("#q", "value").as_deref(), Some("invoice"));

    // English stemming, and web-search syntax.
    assert_eq!(lessons(&ann.get("/lessons?q=invoices").await), vec![T2, T1]);
    assert_eq!(
        lessons(&ann.get("/lessons?q=invoice+-timesheet").await),
        vec![T2]
    );
    assert_eq!(
        lessons(&ann.get("/lessons?q=%22same+day%22").await),
        vec![T3]
    );
    // The open case's lesson, only when asked for.
    assert_eq!(
        lessons(&ann.get("/lessons?q=invoice&open=1").await),
        vec![T2, T6, T1]
    );

    // Nothing matches: a clear empty state, and a way to widen the search.
    let none = ann.get("/lessons?q=address").await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.text(".empty-state h2"), "No lessons match");
    assert_eq!(
        none.attr(".empty-state a", "href").as_deref(),
        Some("/lessons?q=address&open=1")
    );
    assert_eq!(
        lessons(&ann.get("/lessons?q=address&open=1").await),
        vec![T6]
    );

    // Whatever a person types is a search, never an error.
    for q in [
        "%27%3B+drop+table+lessons%3B--",
        "%21%26%7C%3A*%28%29",
        "the",
        "%22",
        "%FF%FE",
        "-",
    ] {
        let page = ann.get(&format!("/lessons?q={q}")).await;
        assert_eq!(page.status, StatusCode::OK, "q={q}: {}", page.body);
    }
}

#[tokio::test]
async fn filters_narrow_the_library_and_bad_values_are_ignored() {
    let app = fixture().await;
    let ann = as_user(&app, "ann@example.com").await;
    let billing = category_id(&app, "Billing").await;

    let page = ann.get(&format!("/lessons?category={billing}")).await;
    assert_eq!(lessons(&page), vec![T1, T2]);
    assert_eq!(
        page.attr("#category option[selected]", "value"),
        Some(billing.clone())
    );
    assert_eq!(
        lessons(&ann.get("/lessons?account=acm").await),
        vec![T1, T2, T4],
        "part of an account's name, any case"
    );
    assert_eq!(lessons(&ann.get("/lessons?outcome=lost").await), vec![T3]);
    assert_eq!(lessons(&ann.get("/lessons?outcome=let_go").await), vec![T4]);
    assert_eq!(lessons(&ann.get("/lessons?all_clients=1").await), vec![T3]);
    assert_eq!(
        lessons(&ann.get("/lessons?all_clients=1&open=1").await),
        vec![T6, T3]
    );
    assert_eq!(
        lessons(
            &ann.get(&format!(
                "/lessons?q=invoice&category={billing}&account=ACME&outcome=restored"
            ))
            .await
        ),
        vec![T2, T1]
    );
    // `%` and `_` in an account name are literal characters, not wildcards.
    let none = ann.get("/lessons?account=%25").await;
    assert_eq!(none.text(".empty-state h2"), "No lessons match");
    assert_eq!(lessons(&ann.get("/lessons?account=a_me").await).len(), 0);

    // Values no form offers are ignored: the whole (closed) library.
    let page = ann
        .get("/lessons?category=nope&outcome=open&all_clients=yes&page=-4&sort=x&outcome=bogus")
        .await;
    assert_eq!(lessons(&page), vec![T1, T3, T2, T4]);
    assert_eq!(
        lessons(&ann.get("/lessons?page=99999999999999999999").await),
        vec![T1, T3, T2, T4],
        "a page number too large to read is the first page"
    );
    let past_the_end = ann.get("/lessons?account=acme&page=7").await;
    assert!(lessons(&past_the_end).is_empty());
    assert_eq!(past_the_end.text(".empty-state h2"), "No lessons on page 7");
    assert_eq!(
        past_the_end.attr(".empty-state a", "href").as_deref(),
        Some("/lessons?account=acme")
    );
}

#[tokio::test]
async fn nobody_sees_the_lessons_of_another_team() {
    let app = fixture().await;
    let l1 = lesson_id(&app, T1).await;
    let sam = as_user(&app, "sam@example.com").await;
    let page = sam.get("/lessons?open=1").await;
    assert_eq!(lessons(&page), vec![T7]);
    assert!(!page.body.contains("Acme"));
    assert!(lessons(&sam.get("/lessons?q=call").await).is_empty());

    let ann = as_user(&app, "ann@example.com").await;
    assert!(lessons(&ann.get("/lessons?q=south").await).is_empty());
    assert!(lessons(&ann.get("/lessons?account=initech").await).is_empty());

    // A manager sees the whole team; an admin sees everything.
    let mia = as_user(&app, "mia@example.com").await;
    assert_eq!(lessons(&mia.get("/lessons").await), vec![T1, T3, T2, T4]);
    let root = as_user(&app, "root@example.com").await;
    assert_eq!(
        lessons(&root.get("/lessons?all_clients=1").await),
        vec![T7, T3]
    );

    // Marking another team's lesson: as if it did not exist.
    let res = sam
        .forge(
            "/lessons",
            &format!("/lessons/{l1}/all-clients"),
            &[("applies_to_all", "1"), ("back", "/lessons")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!applies_to_all(&app, &l1).await);

    let anonymous = app.client();
    let res = anonymous.get("/lessons").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "signing in comes first");
}

#[tokio::test]
async fn a_lesson_marked_for_all_clients_reminds_every_new_case_in_detected() {
    let app = fixture().await;
    let l1 = lesson_id(&app, T1).await;
    let ann = as_user(&app, "ann@example.com").await;

    // Without the form's token, nothing changes.
    let forged = ann
        .post_raw(
            &format!("/lessons/{l1}/all-clients"),
            &[("applies_to_all", "1"), ("back", "/lessons")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!applies_to_all(&app, &l1).await);

    // ann owns CR-1001, so she may mark its lesson from the library.
    let res = ann
        .submit(
            "/lessons?q=invoice",
            &format!("/lessons/{l1}/all-clients"),
            &[("applies_to_all", "1"), ("back", "/lessons?q=invoice")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location().as_deref(), Some("/lessons?q=invoice"));
    assert!(applies_to_all(&app, &l1).await);
    let page = ann.get("/lessons?q=invoice").await;
    assert!(
        page.text(".flashes")
            .contains("The lesson now applies to all clients"),
        "{}",
        page.text(".flashes")
    );
    assert_eq!(
        page.texts("#lessons td.lesson-all"),
        vec![
            "No Mark this lesson of CR-1001 as applying to all clients",
            "Yes Unmark this lesson of CR-1001 as applying to all clients",
        ]
    );
    // Audited on the case's timeline.
    let case = ann.get("/cases/CR-1001").await;
    assert!(
        case.text("#timeline li")
            .starts_with(&format!("Marked a lesson as applying to all clients: {T1}")),
        "{}",
        case.text("#timeline")
    );
    // Submitting the same form twice does not undo it.
    let again = ann
        .forge(
            "/lessons",
            &format!("/lessons/{l1}/all-clients"),
            &[("applies_to_all", "1"), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(again.location().as_deref(), Some("/cases/CR-1001#lessons"));
    assert!(applies_to_all(&app, &l1).await);

    // A new case, in Detected: the team's lessons for all clients, newest first. Not the open
    // case's (it is not learned yet), not another team's, not a removed one.
    let acme: uuid::Uuid = sqlx::query_scalar("select id from accounts where name = 'Acme'")
        .fetch_one(&app.db.pool)
        .await
        .expect("Acme");
    let new_case = ann
        .log_incident(&acme.to_string(), "Invoice sent twice")
        .await;
    let page = ann.get(&new_case).await;
    assert_eq!(page.text("#learned h2"), "What the team has learned");
    assert_eq!(
        page.texts("#learned li p.prewrap"),
        vec![T1, T3],
        "{}",
        page.text("#learned")
    );
    assert_eq!(
        page.texts("#learned li p.hint"),
        vec![
            "CR-1001 · Acme · 2 Nov 2026",
            "CR-1002 · Globex · 25 Oct 2026"
        ]
    );
    assert_eq!(
        page.attr("#learned > p a", "href").as_deref(),
        Some("/lessons?all_clients=1")
    );

    // Unmarked from the case page, it no longer reminds anyone.
    let res = ann
        .submit(
            "/cases/CR-1001",
            &format!("/lessons/{l1}/all-clients"),
            &[("applies_to_all", "0"), ("back", "/cases/CR-1001#lessons")],
        )
        .await;
    assert_eq!(res.location().as_deref(), Some("/cases/CR-1001#lessons"));
    let page = ann.get(&new_case).await;
    assert_eq!(page.texts("#learned li p.prewrap"), vec![T3]);
    assert!(
        ann.get("/cases/CR-1001")
            .await
            .text("#timeline li")
            .starts_with("A lesson no longer applies to all clients")
    );

    // Past Detected, the reminder is gone.
    assert!(ann.get("/cases/CR-1004").await.texts("#learned").is_empty());
}

#[tokio::test]
async fn only_the_case_owner_managers_and_admins_mark_lessons_for_all_clients() {
    let app = fixture().await;
    let l2 = lesson_id(&app, T2).await;
    let l3 = lesson_id(&app, T3).await;
    let l7 = lesson_id(&app, T7).await;
    let l5 = lesson_id(&app, T5).await;

    // bob does not own CR-1001: no form on its lessons, and a forged post is refused.
    let bob = as_user(&app, "bob@example.com").await;
    let page = bob.get("/lessons?q=invoice").await;
    assert_eq!(lessons(&page), vec![T2, T1]);
    assert!(page.texts("#lessons form").is_empty());
    let case = bob.get("/cases/CR-1001").await;
    assert!(
        case.texts("#lessons form[action$='/all-clients']")
            .is_empty()
    );
    let res = bob
        .forge(
            "/lessons",
            &format!("/lessons/{l2}/all-clients"),
            &[("applies_to_all", "1")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(!applies_to_all(&app, &l2).await);
    // His own case's lesson he may unmark.
    let page = bob.get("/lessons?outcome=lost").await;
    assert_eq!(page.texts("#lessons form[action$='/all-clients']").len(), 1);
    let res = bob
        .submit(
            "/lessons?outcome=lost",
            &format!("/lessons/{l3}/all-clients"),
            &[("applies_to_all", "0"), ("back", "/lessons")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(!applies_to_all(&app, &l3).await);

    // A manager of the team may, from the case page too.
    let mia = as_user(&app, "mia@example.com").await;
    let case = mia.get("/cases/CR-1001").await;
    assert_eq!(
        case.texts("#lessons form[action$='/all-clients'] button"),
        vec![
            "Mark as applying to all clients",
            "Mark as applying to all clients"
        ]
    );
    let res = mia
        .submit(
            "/cases/CR-1001",
            &format!("/lessons/{l2}/all-clients"),
            &[("applies_to_all", "1"), ("back", "/cases/CR-1001#lessons")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(applies_to_all(&app, &l2).await);

    // An admin may mark any team's lesson; nobody can mark a removed or unknown one.
    let root = as_user(&app, "root@example.com").await;
    let res = root
        .submit(
            "/lessons?all_clients=1",
            &format!("/lessons/{l7}/all-clients"),
            &[("applies_to_all", "0")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(!applies_to_all(&app, &l7).await);
    for id in [l5.as_str(), "not-a-lesson"] {
        let res = root
            .forge(
                "/lessons",
                &format!("/lessons/{id}/all-clients"),
                &[("applies_to_all", "1")],
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn the_library_pages_and_the_reminder_shows_only_the_newest_three() {
    let app = fixture().await;
    // Imported lessons, with no author: no form makes them.
    sqlx::raw_sql(
        r#"insert into lessons (case_id, text, applies_to_all, created_at)
           select (select id from cases where number = 1002), 'Extra lesson ' || n, true,
                  '2026-11-10 10:00Z'::timestamptz + n * interval '1 hour'
           from generate_series(1, 30) as n"#,
    )
    .execute(&app.db.pool)
    .await
    .expect("more lessons");
    let ann = as_user(&app, "ann@example.com").await;

    // 31 lessons for all clients on closed cases: 25 on page 1, 6 on page 2, the filters kept.
    let first = ann.get("/lessons?all_clients=1").await;
    let rows = lessons(&first);
    assert_eq!(rows.len(), 25);
    assert_eq!(rows[0], "Extra lesson 30");
    assert_eq!(first.text("#lessons caption"), "31 lessons, newest first");
    let next = first.attr("a[rel=next]", "href").expect("a next page");
    assert_eq!(next, "/lessons?all_clients=1&page=2");
    let second = ann.get(&next).await;
    assert_eq!(
        lessons(&second),
        vec![
            "Extra lesson 5",
            "Extra lesson 4",
            "Extra lesson 3",
            "Extra lesson 2",
            "Extra lesson 1",
            T3
        ]
    );
    assert_eq!(
        second.attr("a[rel=prev]", "href").as_deref(),
        Some("/lessons?all_clients=1")
    );
    // Lessons written by no one (imported) are Mend's.
    assert_eq!(second.text("#lessons tbody tr td.lesson-author"), "Mend");

    let acme: uuid::Uuid = sqlx::query_scalar("select id from accounts where name = 'Acme'")
        .fetch_one(&app.db.pool)
        .await
        .expect("Acme");
    let case = ann.log_incident(&acme.to_string(), "Late again").await;
    let page = ann.get(&case).await;
    let reminders = page.texts("#learned li p.prewrap");
    // Three, the newest: enough to check against without pushing the form down.
    assert_eq!(reminders.len(), 3);
    assert_eq!(reminders[0], "Extra lesson 30");
    assert_eq!(reminders[2], "Extra lesson 28");
    assert_eq!(
        page.text("#learned > p a"),
        "See all 31 lessons that apply to all clients"
    );
}

#[tokio::test]
async fn an_empty_library_says_where_lessons_come_from() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let page = am.get("/lessons").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text(".empty-state h2"), "No lessons learned yet");
    assert!(page.texts("#lessons").is_empty());
    // Labels for every field of the filter form.
    for field in ["q", "category", "account", "outcome"] {
        assert_eq!(
            page.texts(&format!("label[for={field}]")).len(),
            1,
            "a label for #{field}"
        );
    }
}
