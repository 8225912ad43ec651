use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use mend::scheduler::{SchedulerConfig, run_once};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::{TestDb, create_user};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid time")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn config() -> SchedulerConfig {
    SchedulerConfig::new("https://mend.example")
}

/// A user in `tz`, and an open case of theirs in Following up with a plan.
async fn plan_in_the_past_or_future(
    pool: &PgPool,
    email: &str,
    tz: &str,
    cadence: &str,
    first_due: NaiveDate,
    end_after: Option<i32>,
) -> (Uuid, Uuid) {
    create_user(pool, email, "account_manager", Some("North")).await;
    let user: Uuid =
        sqlx::query_scalar("update users set time_zone = $2 where email = $1 returning id")
            .bind(email)
            .bind(tz)
            .fetch_one(pool)
            .await
            .expect("user");
    let case: Uuid = sqlx::query_scalar(
        "with a as (insert into accounts (name, team_id) select $2, team_id from users where id = $1 returning id, team_id)
         insert into cases (account_id, team_id, owner_id, title, category_id, severity, detected_by,
                            occurred_at, detected_at, currency, stage)
         select a.id, a.team_id, $1, 'Missed the deadline', (select id from categories limit 1), 'high',
                'client', now(), now(), 'EUR', 'following_up' from a returning id",
    )
    .bind(user)
    .bind(format!("Client of {email}"))
    .fetch_one(pool)
    .await
    .expect("case");
    sqlx::query(
        "insert into follow_up_plans (case_id, cadence, first_due, assignee_id, end_after) values ($1, $2, $3, $4, $5)",
    )
    .bind(case)
    .bind(cadence)
    .bind(first_due)
    .bind(user)
    .bind(end_after)
    .execute(pool)
    .await
    .expect("plan");
    (user, case)
}

async fn check_ins(pool: &PgPool, case: Uuid) -> Vec<(i32, NaiveDate, String)> {
    sqlx::query_as("select seq, due_date, status from check_ins where case_id = $1 order by seq")
        .bind(case)
        .fetch_all(pool)
        .await
        .expect("check-ins")
}

#[tokio::test]
async fn three_concurrent_passes_create_each_check_in_exactly_once() {
    let db = TestDb::new().await;
    let (_, case) = plan_in_the_past_or_future(
        &db.pool,
        "ann@example.com",
        "UTC",
        "weekly",
        day(2026, 11, 24),
        None,
    )
    .await;
    let now = at(2026, 11, 24, 6, 0);
    // Three passes at once, each on a pool (and connections) of its own.
    let pools: Vec<PgPool> = (0..3)
        .map(|_| mend::db::pool(db.options.clone(), 2))
        .collect();
    let shared = config();
    let passes = pools.iter().map(|p| run_once(p, &shared, None, now));
    let reports = futures_util::future::join_all(passes).await;
    let created: u64 = reports
        .into_iter()
        .map(|r| r.expect("pass").check_ins_created)
        .sum();

    // 14 days ahead of 24 Nov: the 24th, 1st and 8th.
    let rows = check_ins(&db.pool, case).await;
    assert_eq!(
        rows,
        [
            (1, day(2026, 11, 24), "scheduled".into()),
            (2, day(2026, 12, 1), "scheduled".into()),
            (3, day(2026, 12, 8), "scheduled".into())
        ]
    );
    assert_eq!(created, 3, "the passes together created each one once");
    let again = run_once(&db.pool, &config(), None, now)
        .await
        .expect("pass");
    assert_eq!(again.check_ins_created, 0);
}

#[tokio::test]
async fn a_plan_that_ends_after_n_check_ins_creates_no_more() {
    let db = TestDb::new().await;
    let (_, case) = plan_in_the_past_or_future(
        &db.pool,
        "ann@example.com",
        "UTC",
        "weekly",
        day(2026, 11, 24),
        Some(2),
    )
    .await;
    run_once(&db.pool, &config(), None, at(2026, 11, 24, 6, 0))
        .await
        .expect("pass");
    assert_eq!(check_ins(&db.pool, case).await.len(), 2);
    run_once(&db.pool, &config(), None, at(2027, 3, 1, 6, 0))
        .await
        .expect("pass");
    assert_eq!(check_ins(&db.pool, case).await.len(), 2);
}

#[tokio::test]
async fn a_closed_case_gets_no_new_check_ins() {
    let db = TestDb::new().await;
    let (_, case) = plan_in_the_past_or_future(
        &db.pool,
        "ann@example.com",
        "UTC",
        "monthly",
        day(2026, 11, 30),
        None,
    )
    .await;
    sqlx::query("update cases set stage = 'closed', outcome = 'lost' where id = $1")
        .bind(case)
        .execute(&db.pool)
        .await
        .expect("close");
    let report = run_once(&db.pool, &config(), None, at(2026, 11, 30, 8, 0))
        .await
        .expect("pass");
    assert_eq!(report.check_ins_created, 0);
    assert!(check_ins(&db.pool, case).await.is_empty());
}

#[tokio::test]
async fn a_check_in_is_missed_when_its_day_ends_in_the_assignees_own_time_zone() {
    let db = TestDb::new().await;
    let (_, berlin) = plan_in_the_past_or_future(
        &db.pool,
        "berlin@example.com",
        "Europe/Berlin",
        "monthly",
        day(2026, 11, 24),
        Some(1),
    )
    .await;
    let (_, la) = plan_in_the_past_or_future(
        &db.pool,
        "la@example.com",
        "America/Los_Angeles",
        "monthly",
        day(2026, 11, 24),
        Some(1),
    )
    .await;
    run_once(&db.pool, &config(), None, at(2026, 11, 24, 5, 0))
        .await
        .expect("pass");

    // 22:59 UTC is 23:59 in Berlin: still the 24th there.
    let r = run_once(&db.pool, &config(), None, at(2026, 11, 24, 22, 59))
        .await
        .expect("pass");
    assert_eq!(r.marked_missed, 0);
    // 23:00 UTC is midnight in Berlin (the 25th) but 15:00 of the 24th in Los Angeles.
    let r = run_once(&db.pool, &config(), None, at(2026, 11, 24, 23, 0))
        .await
        .expect("pass");
    assert_eq!(r.marked_missed, 1);
    assert_eq!(check_ins(&db.pool, berlin).await[0].2, "missed");
    assert_eq!(check_ins(&db.pool, la).await[0].2, "scheduled");
    // 08:00 UTC on the 25th is midnight in Los Angeles.
    let r = run_once(&db.pool, &config(), None, at(2026, 11, 25, 8, 0))
        .await
        .expect("pass");
    assert_eq!(r.marked_missed, 1);
    assert_eq!(check_ins(&db.pool, la).await[0].2, "missed");

    // The timeline says so, and a missed-check-in reminder is queued once for each.
    let events: i64 = sqlx::query_scalar(
        "select count(*) from case_events where summary like 'The check-in due % was missed'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("events");
    assert_eq!(events, 2);
    let reminders: Vec<(String, String)> = sqlx::query_as(
        "select to_address, subject from outbox where kind = 'missed' order by to_address",
    )
    .fetch_all(&db.pool)
    .await
    .expect("outbox");
    assert_eq!(reminders.len(), 2);
    assert_eq!(reminders[0].0, "berlin@example.com");
    assert!(
        reminders[0]
            .1
            .starts_with("Missed check-in: Client of berlin@example.com (CR-"),
        "{}",
        reminders[0].1
    );
    let again = run_once(&db.pool, &config(), None, at(2026, 11, 26, 8, 0))
        .await
        .expect("pass");
    assert_eq!((again.marked_missed, again.reminders_queued), (0, 0));
}

#[tokio::test]
async fn the_due_reminder_goes_out_once_on_the_morning_of_the_due_day() {
    let db = TestDb::new().await;
    plan_in_the_past_or_future(
        &db.pool,
        "ann@example.com",
        "Europe/Berlin",
        "weekly",
        day(2026, 11, 26),
        Some(1),
    )
    .await;
    // 05:59 UTC is 06:59 in Berlin: too early.
    let r = run_once(&db.pool, &config(), None, at(2026, 11, 26, 5, 59))
        .await
        .expect("pass");
    assert_eq!(r.reminders_queued, 0);
    let r = run_once(&db.pool, &config(), None, at(2026, 11, 26, 6, 0))
        .await
        .expect("pass");
    assert_eq!(r.reminders_queued, 1);
    let r = run_once(&db.pool, &config(), None, at(2026, 11, 26, 9, 0))
        .await
        .expect("pass");
    assert_eq!(r.reminders_queued, 0, "once only");
    let (subject, body): (String, String) =
        sqlx::query_as("select subject, body from outbox where kind = 'due'")
            .fetch_one(&db.pool)
            .await
            .expect("message");
    assert!(
        subject.starts_with("Check in with Client of ann@example.com today"),
        "{subject}"
    );
    assert!(body.contains("https://mend.example/cases/CR-"), "{body}");
    assert!(body.contains("https://mend.example/settings"), "{body}");
}

#[tokio::test]
async fn a_user_who_turned_reminders_off_gets_none() {
    let db = TestDb::new().await;
    let (user, _) = plan_in_the_past_or_future(
        &db.pool,
        "quiet@example.com",
        "UTC",
        "weekly",
        day(2026, 11, 24),
        Some(1),
    )
    .await;
    sqlx::query("update users set remind_due = false, remind_missed = false, remind_digest = false where id = $1")
        .bind(user)
        .execute(&db.pool)
        .await
        .expect("prefs");
    run_once(&db.pool, &config(), None, at(2026, 11, 24, 9, 0))
        .await
        .expect("pass");
    let r = run_once(&db.pool, &config(), None, at(2026, 11, 30, 9, 0))
        .await
        .expect("pass");
    assert_eq!(r.marked_missed, 1, "still marked missed");
    let queued: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(queued, 0);
}

#[tokio::test]
async fn the_monday_digest_lists_the_weeks_check_ins_overdue_ones_and_open_cases() {
    let db = TestDb::new().await;
    let (_, _) = plan_in_the_past_or_future(
        &db.pool,
        "ann@example.com",
        "UTC",
        "weekly",
        day(2026, 11, 23),
        None,
    )
    .await;
    // Sunday: nothing; an overdue one from last week.
    run_once(&db.pool, &config(), None, at(2026, 11, 15, 9, 0))
        .await
        .expect("pass");
    let sunday = run_once(&db.pool, &config(), None, at(2026, 11, 22, 9, 0))
        .await
        .expect("pass");
    assert_eq!(sunday.digests_queued, 0);
    // Monday 23 Nov, 08:00.
    let monday = run_once(&db.pool, &config(), None, at(2026, 11, 23, 8, 0))
        .await
        .expect("pass");
    assert_eq!(monday.digests_queued, 1);
    let again = run_once(&db.pool, &config(), None, at(2026, 11, 23, 10, 0))
        .await
        .expect("pass");
    assert_eq!(again.digests_queued, 0, "one digest a week");
    let (subject, body): (String, String) =
        sqlx::query_as("select subject, body from outbox where kind = 'digest'")
            .fetch_one(&db.pool)
            .await
            .expect("digest");
    assert_eq!(subject, "Your follow-ups for the week of 23 November 2026");
    assert!(body.contains("Check-ins this week (1):"), "{body}");
    assert!(body.contains("Mon 23 Nov · CR-"), "{body}");
    assert!(
        body.contains("Your open cases by stage:\n  Following up: 1"),
        "{body}"
    );
    // The next Monday brings the next week's digest.
    let next = run_once(&db.pool, &config(), None, at(2026, 11, 30, 8, 0))
        .await
        .expect("pass");
    assert_eq!(next.digests_queued, 1);
}
