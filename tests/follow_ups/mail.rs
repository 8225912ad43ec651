//! E-mail: the outbox sent over a real SMTP conversation (to `smtp_server`), with retries, an
//! unreachable server, a crash between sending and marking, and two senders at once; and the
//! admin's outbox page.

use std::collections::HashSet;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use mend::app::jobs::{SendReport, send_pending};
use mend::db::outbox::{self, NewMessage};
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::{TestApp, TestDb, create_user};
use crate::smtp_server::SmtpServer;

/// A moment just ahead of the database's clock (rows are queued due at its `now()`), whole
/// seconds so that it round-trips through PostgreSQL unchanged.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0) + TimeDelta::seconds(1)
}

/// Creates a user and returns their id.
async fn user(pool: &PgPool, email: &str) -> Uuid {
    create_user(pool, email, "account_manager", Some("North")).await;
    sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .expect("the user")
}

/// Queues a reminder to `to` and returns the outbox row's id.
async fn queue(
    pool: &PgPool,
    user_id: Uuid,
    to: &str,
    key: &str,
    subject: &str,
    body: &str,
) -> Uuid {
    let queued = outbox::enqueue(
        pool,
        &NewMessage {
            kind: "due",
            dedupe_key: key.to_string(),
            user_id,
            to_address: to,
            subject: subject.to_string(),
            body: body.to_string(),
        },
    )
    .await
    .expect("enqueue");
    assert!(queued);
    sqlx::query_scalar("select id from outbox where dedupe_key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .expect("the row")
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    attempts: i32,
    last_error: Option<String>,
    send_after: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
}

async fn row(pool: &PgPool, id: Uuid) -> Row {
    sqlx::query_as(
        "select attempts, last_error, send_after, locked_until, sent_at from outbox where id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .expect("the outbox row")
}

/// The value of header `name` in a raw message.
fn header(message: &str, name: &str) -> Option<String> {
    let prefix = format!("{}: ", name.to_ascii_lowercase());
    message
        .split("\r\n\r\n")
        .next()?
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].to_string())
}

fn body(message: &str) -> String {
    message
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// Undoes quoted-printable (RFC 2045 §6.7) for a test's eyes.
fn decode_quoted_printable(text: &str) -> String {
    let text = text.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'='
            && let Some(hex) = tail.get(..2)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("zz"), 16)
        {
            bytes.push(v);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).expect("UTF-8")
}

#[tokio::test]
async fn a_queued_reminder_is_delivered_once_with_its_address_subject_and_body_and_marked_sent() {
    let db = TestDb::new().await;
    let smtp = SmtpServer::start().await;
    let ann = user(&db.pool, "ann@example.com").await;
    let id = queue(
        &db.pool,
        ann,
        "ann@example.com",
        "due:1",
        "Check in with Acme today (CR-7)",
        "Hello Ann,\n\nA follow-up check-in with Acme is due today.\n",
    )
    .await;
    let now = now();

    let report = send_pending(&db.pool, &smtp.mailer(), now, 100)
        .await
        .expect("send");

    assert_eq!(report, SendReport { sent: 1, failed: 0 });
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(header(m, "To").as_deref(), Some("ann@example.com"));
    assert_eq!(
        header(m, "From").as_deref(),
        Some("Mend <mend@example.com>")
    );
    assert_eq!(
        header(m, "Subject").as_deref(),
        Some("Check in with Acme today (CR-7)")
    );
    assert_eq!(header(m, "Message-ID"), Some(format!("<{id}@example.com>")));
    assert!(
        header(m, "Content-Type").is_some_and(|v| v.starts_with("text/plain; charset=utf-8")),
        "{m}"
    );
    assert_eq!(
        body(m),
        "Hello Ann,\r\n\r\nA follow-up check-in with Acme is due today.\r\n"
    );
    let r = row(&db.pool, id).await;
    assert_eq!(r.sent_at, Some(now));
    assert_eq!(r.attempts, 1);
    assert_eq!(r.locked_until, None);
    assert_eq!(r.last_error, None);

    let again = send_pending(&db.pool, &smtp.mailer(), now + TimeDelta::hours(1), 100)
        .await
        .expect("send again");
    assert_eq!(again, SendReport::default());
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn a_message_with_non_ascii_text_arrives_intact_as_utf8() {
    let db = TestDb::new().await;
    let smtp = SmtpServer::start().await;
    let bo = user(&db.pool, "bo@example.com").await;
    let text = "The check-in for CR-3 \u{201c}Café outage\u{201d} was not recorded · 3 €.";
    queue(
        &db.pool,
        bo,
        "bo@example.com",
        "missed:1",
        "Missed check-in: Café Ünal",
        text,
    )
    .await;

    let report = send_pending(&db.pool, &smtp.mailer(), now(), 100)
        .await
        .expect("send");

    assert_eq!(report.sent, 1);
    let m = &smtp.messages()[0];
    assert_eq!(
        header(m, "Content-Transfer-Encoding").as_deref(),
        Some("quoted-printable"),
        "{m}"
    );
    assert_eq!(decode_quoted_printable(&body(m)), text);
    // The subject is encoded (RFC 2047), not sent as raw 8-bit text.
    let subject = header(m, "Subject").expect("a subject");
    assert!(
        subject.starts_with("Missed check-in: =?utf-8?"),
        "{subject}"
    );
    assert!(m.is_ascii(), "{m}");
}

#[tokio::test]
async fn a_refused_message_waits_for_the_backoff_then_is_delivered() {
    let db = TestDb::new().await;
    let smtp = SmtpServer::start().await;
    let ann = user(&db.pool, "ann@example.com").await;
    let id = queue(&db.pool, ann, "ann@example.com", "due:2", "Subject", "Body").await;
    let now = now();
    smtp.refuse(true);

    let report = send_pending(&db.pool, &smtp.mailer(), now, 100)
        .await
        .expect("a refusal is no error");

    assert_eq!(report, SendReport { sent: 0, failed: 1 });
    assert!(smtp.messages().is_empty());
    let r = row(&db.pool, id).await;
    assert_eq!(r.sent_at, None);
    assert_eq!(r.attempts, 1);
    assert_eq!(r.locked_until, None);
    assert_eq!(r.send_after, now + TimeDelta::minutes(1));
    let error = r.last_error.expect("the error is kept");
    assert!(error.contains("451"), "{error}");

    smtp.refuse(false);
    let early = send_pending(&db.pool, &smtp.mailer(), now + TimeDelta::seconds(30), 100)
        .await
        .expect("send");
    assert_eq!(early, SendReport::default(), "not before the backoff");
    let later = send_pending(&db.pool, &smtp.mailer(), now + TimeDelta::minutes(1), 100)
        .await
        .expect("send");
    assert_eq!(later, SendReport { sent: 1, failed: 0 });
    assert_eq!(smtp.messages().len(), 1);
    let r = row(&db.pool, id).await;
    assert_eq!(r.sent_at, Some(now + TimeDelta::minutes(1)));
    assert_eq!(r.attempts, 2);
    assert_eq!(r.last_error, None);
}

#[tokio::test]
async fn each_failure_doubles_the_wait() {
    let db = TestDb::new().await;
    let smtp = SmtpServer::start().await;
    let ann = user(&db.pool, "ann@example.com").await;
    let id = queue(&db.pool, ann, "ann@example.com", "due:3", "Subject", "Body").await;
    smtp.refuse(true);
    let mut at = now();

    for expected_wait in [1, 2, 4, 8] {
        let report = send_pending(&db.pool, &smtp.mailer(), at, 100)
            .await
            .expect("send");
        assert_eq!(report.failed, 1);
        let r = row(&db.pool, id).await;
        assert_eq!(r.send_after, at + TimeDelta::minutes(expected_wait));
        at = r.send_after;
    }
    assert_eq!(row(&db.pool, id).await.attempts, 4);
}

#[tokio::test]
async fn when_the_smtp_server_is_down_messages_are_kept_for_the_next_pass() {
    let db = TestDb::new().await;
    let smtp = SmtpServer::start().await;
    let mailer = smtp.mailer();
    let ann = user(&db.pool, "ann@example.com").await;
    let first = queue(&db.pool, ann, "ann@example.com", "due:4", "First", "Body").await;
    let second = queue(&db.pool, ann, "ann@example.com", "due:5", "Second", "Body").await;
    smtp.stop().await;
    let now = now();

    let report = send_pending(&db.pool, &mailer, now, 100)
        .await
        .expect("an unreachable server is no error");

    // The round stops at the first connection failure rather than trying every message.
    assert_eq!(report, SendReport { sent: 0, failed: 1 });
    let tried = [row(&db.pool, first).await, row(&db.pool, second).await];
    assert!(
        tried
            .iter()
            .all(|r| r.sent_at.is_none() && r.locked_until.is_none())
    );
    let failed: Vec<&Row> = tried.iter().filter(|r| r.attempts == 1).collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .is_some_and(|e| !e.is_empty())
    );
    assert_eq!(failed[0].send_after, now + TimeDelta::minutes(1));

    // The server is back (on another port, so another mailer).
    let smtp = SmtpServer::start().await;
    let report = send_pending(&db.pool, &smtp.mailer(), now + TimeDelta::minutes(1), 100)
        .await
        .expect("send");
    assert_eq!(report, SendReport { sent: 2, failed: 0 });
    assert_eq!(smtp.messages().len(), 2);
}

#[tokio::test]
async fn a_crash_between_sending_and_marking_repeats_the_message_once_with_the_same_message_id() {
    let db = TestDb::new().await;
    let smtp = SmtpServer::start().await;
    let ann = user(&db.pool, "ann@example.com").await;
    let id = queue(&db.pool, ann, "ann@example.com", "due:6", "Subject", "Body").await;
    let now = now();
    send_pending(&db.pool, &smtp.mailer(), now, 100)
        .await
        .expect("send");
    // Mend died after the server accepted the message, before marking it: the row is as the
    // claim left it.
    sqlx::query("update outbox set sent_at = null, locked_until = $2 where id = $1")
        .bind(id)
        .bind(now + TimeDelta::minutes(10))
        .execute(&db.pool)
        .await
        .expect("undo the mark");

    let while_claimed = send_pending(&db.pool, &smtp.mailer(), now + TimeDelta::minutes(5), 100)
        .await
        .expect("send");
    let after_the_claim = send_pending(&db.pool, &smtp.mailer(), now + TimeDelta::minutes(11), 100)
        .await
        .expect("send");
    let later = send_pending(&db.pool, &smtp.mailer(), now + TimeDelta::hours(1), 100)
        .await
        .expect("send");

    assert_eq!(while_claimed.sent, 0);
    assert_eq!(after_the_claim.sent, 1);
    assert_eq!(later.sent, 0);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "sent at most twice");
    let ids: Vec<Option<String>> = messages.iter().map(|m| header(m, "Message-ID")).collect();
    assert_eq!(ids[0], Some(format!("<{id}@example.com>")));
    assert_eq!(ids[0], ids[1]);
    assert!(row(&db.pool, id).await.sent_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_senders_at_once_deliver_each_message_exactly_once() {
    let db = TestDb::new().await;
    let smtp = SmtpServer::start().await;
    let ann = user(&db.pool, "ann@example.com").await;
    for n in 0..20 {
        queue(
            &db.pool,
            ann,
            "ann@example.com",
            &format!("due:{n}"),
            &format!("Message {n}"),
            "Body",
        )
        .await;
    }
    let now = now();
    let other_pool = mend::db::pool(db.options.clone(), 4);

    let (a, b) = (db.pool.clone(), other_pool.clone());
    let (ma, mb) = (smtp.mailer(), smtp.mailer());
    let first = tokio::spawn(async move { send_pending(&a, &ma, now, 100).await });
    let second = tokio::spawn(async move { send_pending(&b, &mb, now, 100).await });
    let first = first.await.expect("task").expect("send");
    let second = second.await.expect("task").expect("send");

    assert_eq!(first.sent + second.sent, 20, "{first:?} {second:?}");
    assert_eq!(first.failed + second.failed, 0);
    let subjects: Vec<String> = smtp
        .messages()
        .iter()
        .filter_map(|m| header(m, "Subject"))
        .collect();
    assert_eq!(subjects.len(), 20);
    assert_eq!(subjects.iter().collect::<HashSet<_>>().len(), 20);
    let unsent: i64 = sqlx::query_scalar("select count(*) from outbox where sent_at is null")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(unsent, 0);
    other_pool.close().await;
}

#[tokio::test]
async fn an_admin_reads_the_outbox_with_each_message_and_what_became_of_it() {
    // A server with an SMTP server configured (the messages below were sent through one).
    let app = TestApp::spawn_with(mend::Settings {
        smtp_configured: true,
        ..mend::Settings::default()
    })
    .await;
    let admin = app.signed_in("admin").await;
    let empty = admin.get("/admin/outbox").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.text("main").contains("No e-mails yet"),
        "{}",
        empty.body
    );
    assert!(
        admin
            .get("/admin")
            .await
            .attr("a[href='/admin/outbox']", "href")
            .is_some()
    );
    let ann = user(&app.db.pool, "ann@example.com").await;
    queue(
        &app.db.pool,
        ann,
        "ann@example.com",
        "due:1",
        "Check in with Acme today (CR-7)",
        "Hello Ann,\n\nCall <Acme> today.",
    )
    .await;
    let refused = queue(
        &app.db.pool,
        ann,
        "ann@example.com",
        "due:2",
        "Refused one",
        "Body",
    )
    .await;
    sqlx::query("update outbox set attempts = 3 where id = $1")
        .bind(refused)
        .execute(&app.db.pool)
        .await
        .expect("attempts");
    outbox::mark_failed(
        &app.db.pool,
        refused,
        now() + TimeDelta::minutes(4),
        "SMTP: transient error (451): Try again later",
    )
    .await
    .expect("mark failed");
    let sent = queue(
        &app.db.pool,
        ann,
        "ann@example.com",
        "due:3",
        "Sent one",
        "Body",
    )
    .await;
    outbox::mark_sent(&app.db.pool, sent, now())
        .await
        .expect("mark sent");

    let page = admin.get("/admin/outbox").await;

    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts("table.data tbody tr");
    assert_eq!(rows.len(), 3, "{}", page.body);
    let queued = rows
        .iter()
        .find(|r| r.contains("Check in with Acme today (CR-7)"))
        .expect("the reminder's row");
    assert!(queued.contains("ann@example.com"), "{queued}");
    assert!(queued.contains("Check-in due"), "{queued}");
    assert!(queued.contains("Queued"), "{queued}");
    let bodies = page.texts("details pre.prewrap");
    assert!(
        bodies.contains(&"Hello Ann, Call <Acme> today.".to_string()),
        "{bodies:?}"
    );
    let failed = rows
        .iter()
        .find(|r| r.contains("Refused one"))
        .expect("the failed row");
    assert!(failed.contains("Waiting"), "{failed}");
    assert!(failed.contains("attempt 3"), "{failed}");
    assert!(failed.contains("Try again later"), "{failed}");
    let sent = rows
        .iter()
        .find(|r| r.contains("Sent one"))
        .expect("the sent row");
    assert!(sent.contains("Sent"), "{sent}");
}

#[tokio::test]
async fn only_admins_may_read_the_outbox() {
    let app = TestApp::spawn().await;
    let manager = app.signed_in("manager").await;

    let page = manager.get("/admin/outbox").await;

    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[test]
fn a_bad_smtp_url_or_sender_is_refused_with_a_sentence_that_hides_the_password() {
    let refusal = |url: &str, from: &str| {
        mend::mail::Mailer::new(url, from)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("{url} / {from} should be refused"))
    };

    let unknown_scheme = refusal("smtpx://me:hunter22@mail:587", "mend@example.com");
    let not_a_url = refusal("mail.example.com", "mend@example.com");
    let bad_sender = refusal("smtp://127.0.0.1:2525", "Mend at example dot com");

    assert!(unknown_scheme.contains("MEND_SMTP_URL"), "{unknown_scheme}");
    assert!(!unknown_scheme.contains("hunter22"), "{unknown_scheme}");
    assert!(not_a_url.contains("MEND_SMTP_URL"), "{not_a_url}");
    assert!(bad_sender.contains("MEND_MAIL_FROM"), "{bad_sender}");
    for url in [
        "smtp://127.0.0.1:2525",
        "smtp://me:p%40ss@mail.example.com:587?tls=required",
        "smtps://me:pass@mail.example.com",
    ] {
        assert!(
            mend::mail::Mailer::new(url, "Mend <mend@example.com>").is_ok(),
            "{url}"
        );
    }
}

#[test]
fn the_wait_between_attempts_stops_growing_at_six_hours() {
    assert_eq!(mend::mail::backoff(1), TimeDelta::minutes(1));
    assert_eq!(mend::mail::backoff(9), TimeDelta::minutes(256));
    assert_eq!(mend::mail::backoff(10), TimeDelta::hours(6));
    assert_eq!(mend::mail::backoff(i32::MAX), TimeDelta::hours(6));
}
