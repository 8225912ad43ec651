//! The settings page (password, time zone, reminders, calendar link) and the private calendar
//! feed, through the real server.

use icalendar::{Calendar, Component, DatePerhapsTime};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::common::{Client, PASSWORD, Page, TestApp};

const NEW_PASSWORD: &str = "a new and longer passphrase";

/// A new account manager in team North, signed in, with their e-mail address.
async fn member(app: &TestApp, name: &str) -> (Client, String) {
    let email = format!("{name}@example.com");
    app.create_user(&email, "account_manager", Some("North"))
        .await;
    let client = app.client();
    let res = client.sign_in(&email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    (client, email)
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .expect("user")
}

/// Tomorrow, where check-ins planned in these tests start.
fn tomorrow() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() + chrono::Days::new(1)
}

/// The ids of a user's check-ins with `status`.
async fn check_in_ids(app: &TestApp, user: Uuid, status: &str) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = sqlx::query_scalar(
        "select id from check_ins where assignee_id = $1 and status = $2 order by id",
    )
    .bind(user)
    .bind(status)
    .fetch_all(&app.db.pool)
    .await
    .expect("check-ins");
    ids.sort();
    ids
}

/// Creates the private calendar link and returns its path.
async fn calendar_link(client: &Client) -> String {
    let res = client.submit("/settings", "/settings/calendar", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = client.get("/settings").await;
    let path = page.text("#calendar-url");
    assert!(
        path.starts_with("/calendar/") && path.ends_with(".ics"),
        "{path:?}"
    );
    path
}

/// Fetches a feed as a calendar app would (no cookies) and parses it.
async fn fetch_feed(app: &TestApp, path: &str) -> (Page, Calendar) {
    let page = app.client().get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let calendar: Calendar = page.body.parse().expect("the feed parses");
    (page, calendar)
}

/// The UIDs of the feed's events, sorted.
fn uids(calendar: &Calendar) -> Vec<String> {
    let mut uids: Vec<String> = calendar
        .events()
        .map(|e| e.get_uid().expect("every event has a UID").to_string())
        .collect();
    uids.sort();
    uids
}

fn uid_of(id: Uuid) -> String {
    format!("checkin-{id}@mend")
}

fn is_checked(page: &Page, id: &str) -> bool {
    page.attr(&format!("#{id}"), "checked").is_some()
}

// ---------------------------------------------------------------------------------------------
// Settings

#[tokio::test]
async fn the_settings_page_needs_a_signed_in_user() {
    let app = TestApp::spawn().await;
    app.create_user("someone@example.com", "account_manager", Some("North"))
        .await;
    let res = app.client().get("/settings").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/login?next=%2Fsettings"));
}

#[tokio::test]
async fn the_settings_page_shows_the_users_time_zone_and_is_in_the_user_menu() {
    let app = TestApp::spawn().await;
    let (client, email) = member(&app, "ann").await;
    let id = user_id(&app, &email).await;
    mend::db::users::set_time_zone(&app.db.pool, id, "America/Chicago")
        .await
        .expect("set zone");

    let home = client.get("/").await;
    assert_eq!(
        home.attr(".user-menu a[href='/settings']", "href")
            .as_deref(),
        Some("/settings")
    );
    let page = client.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("#current-time-zone"), "America/Chicago");
    assert_eq!(
        page.attr("#time_zone option[selected]", "value").as_deref(),
        Some("America/Chicago")
    );
    assert!(page.text("#time_zone-hint").contains("fall due"));
}

#[tokio::test]
async fn changing_the_time_zone_saves_it_and_an_unknown_one_is_refused_with_the_input_kept() {
    let app = TestApp::spawn().await;
    let (client, email) = member(&app, "ann").await;

    let res = client
        .submit(
            "/settings",
            "/settings/time-zone",
            &[("time_zone", "Europe/Berlin")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location().as_deref(), Some("/settings#time-zone"));
    let page = client.get("/settings").await;
    assert!(page.text(".flash-success").contains("Europe/Berlin"));
    assert_eq!(
        page.attr("#time_zone option[selected]", "value").as_deref(),
        Some("Europe/Berlin")
    );

    let refused = client
        .submit(
            "/settings",
            "/settings/time-zone",
            &[("time_zone", "Mars/Olympus_Mons")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#time_zone-error")
            .contains("Mars/Olympus_Mons"),
        "{}",
        refused.text("#time_zone-error")
    );
    assert_eq!(
        refused
            .attr("#time_zone option[selected]", "value")
            .as_deref(),
        Some("Mars/Olympus_Mons"),
        "input kept"
    );
    let saved: String = sqlx::query_scalar("select time_zone from users where email = $1")
        .bind(&email)
        .fetch_one(&app.db.pool)
        .await
        .expect("zone");
    assert_eq!(saved, "Europe/Berlin");
}

#[tokio::test]
async fn reminder_checkboxes_save_what_is_ticked() {
    let app = TestApp::spawn().await;
    let (client, email) = member(&app, "ann").await;
    let page = client.get("/settings").await;
    assert!(
        is_checked(&page, "remind_due")
            && is_checked(&page, "remind_missed")
            && is_checked(&page, "remind_digest"),
        "all on by default"
    );

    let res = client
        .submit(
            "/settings",
            "/settings/reminders",
            &[("remind_missed", "1")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = client.get("/settings").await;
    assert!(page.text(".flash-success").contains("reminder"));
    assert!(!is_checked(&page, "remind_due"));
    assert!(is_checked(&page, "remind_missed"));
    assert!(!is_checked(&page, "remind_digest"));
    let saved: (bool, bool, bool) = sqlx::query_as(
        "select remind_due, remind_missed, remind_digest from users where email = $1",
    )
    .bind(&email)
    .fetch_one(&app.db.pool)
    .await
    .expect("prefs");
    assert_eq!(saved, (false, true, false));

    client
        .submit(
            "/settings",
            "/settings/reminders",
            &[("remind_due", "1"), ("remind_digest", "1")],
        )
        .await;
    let page = client.get("/settings").await;
    assert!(is_checked(&page, "remind_due"));
    assert!(!is_checked(&page, "remind_missed"));
    assert!(is_checked(&page, "remind_digest"));
}

#[tokio::test]
async fn a_wrong_current_password_a_short_new_one_or_a_mismatch_is_refused() {
    let app = TestApp::spawn().await;
    let (client, email) = member(&app, "ann").await;

    let wrong = client
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", "not my password at all"),
                ("new_password", NEW_PASSWORD),
                ("repeat_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text("#current_password-error")
            .contains("not your current password")
    );
    assert_eq!(
        wrong.attr("#current_password", "value"),
        None,
        "a password is never sent back"
    );

    let short = client
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "too short"),
                ("repeat_password", "too short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .text("#new_password-error")
            .contains("at least 12 characters")
    );
    assert!(short.text("#current_password-error").is_empty());

    let mismatch = client
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("repeat_password", "a new and longer passphrasf"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.text("#repeat_password-error").contains("differ"));

    // Nothing changed: the old password still signs in.
    let res = app.client().sign_in(&email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::spawn().await;
    let (client, email) = member(&app, "ann").await;
    let elsewhere = app.client();
    let res = elsewhere.sign_in(&email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(elsewhere.get("/settings").await.status, StatusCode::OK);

    let res = client
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("repeat_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let page = client.get("/settings").await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "this session is still signed in"
    );
    assert!(page.text(".flash-success").contains("password is changed"));
    let other = elsewhere.get("/settings").await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert!(
        other.location().is_some_and(|l| l.starts_with("/login")),
        "{:?}",
        other.location()
    );

    let old = app.client().sign_in(&email, PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new = app.client().sign_in(&email, NEW_PASSWORD).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}

// ---------------------------------------------------------------------------------------------
// The calendar feed

#[tokio::test]
async fn the_feed_has_one_all_day_event_per_open_check_in_with_a_stable_uid() {
    let app = TestApp::spawn().await;
    let (client, email) = member(&app, "ann").await;
    let me = user_id(&app, &email).await;
    let acme = client.new_account("Acme, Inc.").await;
    client
        .case_with_plan(&acme, "Late delivery; twice", tomorrow())
        .await;
    client
        .case_with_plan(&acme, "Wrong invoice", tomorrow())
        .await;
    let scheduled = check_in_ids(&app, me, "scheduled").await;
    assert_eq!(scheduled.len(), 2);

    let page = client.get("/settings").await;
    assert!(page.text("#calendar-url").is_empty(), "no link yet");
    assert!(
        page.text("#calendar")
            .contains("Create a private calendar link")
    );
    let path = calendar_link(&client).await;

    let (feed, calendar) = fetch_feed(&app, &path).await;
    assert_eq!(
        feed.header("content-type").as_deref(),
        Some("text/calendar; charset=utf-8")
    );
    assert_eq!(
        feed.header("cache-control").as_deref(),
        Some("private, max-age=300")
    );
    // RFC 5545: CRLF line ends, lines of at most 75 octets.
    assert!(feed.body.ends_with("END:VCALENDAR\r\n"));
    for line in feed.body.split("\r\n") {
        assert!(!line.contains('\n') && line.len() <= 75, "{line:?}");
    }
    // All-day events (the end exclusive), text escaped.
    let day = |d: chrono::NaiveDate| d.format("%Y%m%d").to_string();
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let after = tomorrow + chrono::Days::new(1);
    assert!(
        feed.body
            .contains(&format!("DTSTART;VALUE=DATE:{}\r\n", day(tomorrow)))
    );
    assert!(
        feed.body
            .contains(&format!("DTEND;VALUE=DATE:{}\r\n", day(after)))
    );
    assert!(
        feed.body.contains(r"Late delivery\; twice"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains(r"Acme\, Inc."), "{}", feed.body);
    let expected: Vec<String> = scheduled.iter().copied().map(uid_of).collect();
    assert_eq!(uids(&calendar), expected);
    for event in calendar.events() {
        assert_eq!(event.get_start(), Some(DatePerhapsTime::Date(tomorrow)));
        assert!(event.get_timestamp().is_some(), "DTSTAMP");
        let summary = event.get_summary().expect("summary");
        assert!(
            summary.starts_with("Check in: Acme, Inc. (CR-"),
            "{summary}"
        );
        let description = event.get_description().expect("description");
        assert!(description.contains("/cases/CR-"), "{description}");
    }
    let titles: Vec<&str> = calendar
        .events()
        .filter_map(|e| e.get_description())
        .collect();
    assert!(
        titles.iter().any(|d| d.contains("Late delivery; twice")),
        "{titles:?}"
    );

    // A second fetch has the same events, so calendar apps update rather than duplicate.
    let (_, again) = fetch_feed(&app, &path).await;
    assert_eq!(uids(&again), expected);

    // A missed check-in stays, marked; a skipped one goes.
    sqlx::query("update check_ins set status = 'missed' where id = $1")
        .bind(scheduled[0])
        .execute(&app.db.pool)
        .await
        .expect("miss");
    sqlx::query("update check_ins set status = 'skipped' where id = $1")
        .bind(scheduled[1])
        .execute(&app.db.pool)
        .await
        .expect("skip");
    let (_, later) = fetch_feed(&app, &path).await;
    assert_eq!(uids(&later), vec![uid_of(scheduled[0])]);
    let missed = later.events().next().expect("the missed one");
    assert!(
        missed
            .get_summary()
            .is_some_and(|s| s.starts_with("Missed check-in:")),
        "{:?}",
        missed.get_summary()
    );
}

#[tokio::test]
async fn revoking_the_link_makes_the_old_address_not_found() {
    let app = TestApp::spawn().await;
    let (client, _) = member(&app, "ann").await;
    let old = calendar_link(&client).await;
    fetch_feed(&app, &old).await;

    let new = calendar_link(&client).await;
    assert_ne!(new, old);
    let gone = app.client().get(&old).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.text("h1").contains("not found"), "{}", gone.text("h1"));
    fetch_feed(&app, &new).await;

    let res = client
        .submit("/settings", "/settings/calendar/off", &[("confirmed", "1")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.client().get(&new).await.status, StatusCode::NOT_FOUND);
    let page = client.get("/settings").await;
    assert!(page.text("#calendar-url").is_empty());
    assert!(
        page.text("#calendar")
            .contains("Create a private calendar link")
    );
}

#[tokio::test]
async fn an_address_that_was_never_issued_is_not_found() {
    let app = TestApp::spawn().await;
    let made_up = format!("/calendar/{}.ics", "ab".repeat(32));
    for path in [
        made_up.as_str(),
        "/calendar/x.ics",
        "/calendar/.ics",
        "/calendar/",
    ] {
        assert_eq!(
            app.client().get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn another_users_check_ins_are_not_in_the_feed() {
    let app = TestApp::spawn().await;
    let (ann, ann_email) = member(&app, "ann").await;
    let (bob, bob_email) = member(&app, "bob").await;
    let acme = ann.new_account("Acme").await;
    ann.case_with_plan(&acme, "Ann's case", tomorrow()).await;
    let globex = bob.new_account("Globex").await;
    bob.case_with_plan(&globex, "Bob's case", tomorrow()).await;
    let anns = check_in_ids(&app, user_id(&app, &ann_email).await, "scheduled").await;
    let bobs = check_in_ids(&app, user_id(&app, &bob_email).await, "scheduled").await;
    assert_eq!((anns.len(), bobs.len()), (1, 1));

    let (_, calendar) = fetch_feed(&app, &calendar_link(&ann).await).await;
    assert_eq!(uids(&calendar), vec![uid_of(anns[0])]);
    let (_, calendar) = fetch_feed(&app, &calendar_link(&bob).await).await;
    assert_eq!(uids(&calendar), vec![uid_of(bobs[0])]);
}
