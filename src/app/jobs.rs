//! The scheduler's use cases: one pass creates upcoming check-ins from plans, marks overdue ones
//! missed (stepping adaptive plans), escalates quiet cases, queues reminder e-mails, weekly
//! digests and the managers' escalation e-mails, and sends what is queued. `scheduler` runs
//! passes on a timer; `mend scheduler run-once` runs one.
//!
//! Every step is idempotent by construction, so any number of instances may run passes at the
//! same time, and a pass that crashes half-way is simply finished by the next one:
//! check-ins are keyed by (plan, seq) and inserted with `on conflict do nothing`; marking missed
//! is an `update … where status = 'scheduled'`, which a second instance finds already done; every
//! e-mail has a unique `dedupe_key` in the outbox; sending claims rows `for update skip locked`.
//! `run_once()` takes the current time and returns what it did, so tests drive it without sleeping.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use sqlx::PgPool;

use crate::db::outbox::{self, NewMessage};
use crate::domain::cadence::{self, Cadence};
use crate::domain::case::time_zone;
use crate::mail::{Mailer, SendError, backoff};

/// How the scheduler behaves.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Check-ins are created this many days ahead.
    pub horizon_days: u64,
    /// Reminders and digests go out from this hour of the recipient's morning.
    pub morning_hour: u32,
    /// Where links in e-mails point, without a trailing slash.
    pub public_url: String,
    /// Messages sent per pass at most.
    pub send_batch: i64,
}

impl SchedulerConfig {
    pub fn new(public_url: &str) -> SchedulerConfig {
        SchedulerConfig {
            horizon_days: 14,
            morning_hour: 7,
            public_url: public_url.trim_end_matches('/').to_string(),
            send_batch: 100,
        }
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub check_ins_created: u64,
    pub marked_missed: u64,
    pub reminders_queued: u64,
    pub digests_queued: u64,
    pub escalated: u64,
    pub escalation_mails: u64,
    pub sent: u64,
    pub send_failures: u64,
}

impl PassReport {
    pub fn is_empty(&self) -> bool {
        *self == PassReport::default()
    }
}

impl fmt::Display for PassReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Scheduler pass: {} check-ins created, {} marked missed, {} cases escalated ({} e-mails to managers), {} reminders and {} digests queued, {} e-mails sent, {} failed.",
            self.check_ins_created,
            self.marked_missed,
            self.escalated,
            self.escalation_mails,
            self.reminders_queued,
            self.digests_queued,
            self.sent,
            self.send_failures
        )
    }
}

/// One pass at `now`.
#[tracing::instrument(skip_all)]
pub async fn run_once(
    pool: &PgPool,
    config: &SchedulerConfig,
    mailer: Option<&Mailer>,
    now: DateTime<Utc>,
) -> anyhow::Result<PassReport> {
    let mut report = PassReport {
        check_ins_created: materialise(pool, config, now).await?,
        marked_missed: 0,
        ..PassReport::default()
    };
    let (missed, missed_queued) = mark_missed(pool, config, now).await?;
    report.marked_missed = missed;
    report.reminders_queued = missed_queued + queue_due_reminders(pool, config, now).await?;
    report.digests_queued = queue_digests(pool, config, now).await?;
    let (escalated, told) = escalate(pool, config, now).await?;
    report.escalated = escalated;
    report.escalation_mails = told;
    if let Some(mailer) = mailer {
        let sent = send_pending(pool, mailer, now, config.send_batch).await?;
        report.sent = sent.sent;
        report.send_failures = sent.failed;
    }
    Ok(report)
}

/// The date and hour at `now` in the IANA zone `tz`.
fn local(now: DateTime<Utc>, tz: &str) -> (NaiveDate, u32, chrono::Weekday) {
    let t = now.with_timezone(&time_zone(tz));
    (t.date_naive(), t.hour(), t.weekday())
}

/// Creates every check-in of every active plan (of an open case) due within the horizon.
#[tracing::instrument(skip_all)]
async fn materialise(
    pool: &PgPool,
    config: &SchedulerConfig,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let plans =
        crate::db::follow_ups::plans_to_extend(pool, now, config.horizon_days as i32).await?;
    let mut created = 0;
    for p in plans {
        let Some(c) = Cadence::from_parts(&p.cadence, p.every_days) else {
            continue;
        };
        let (today, _, _) = local(now, &p.time_zone);
        let until = today + chrono::Days::new(config.horizon_days);
        let mut seq = p.max_seq + 1;
        loop {
            if p.end_after.is_some_and(|n| seq > n) {
                break;
            }
            let Ok(n) = u32::try_from(seq - p.base_seq) else {
                break;
            };
            let Some(due) = cadence::due_date(p.first_due, c, n) else {
                break;
            };
            if due > until {
                break;
            }
            if crate::db::follow_ups::schedule_check_in(
                pool,
                p.case_id,
                p.plan_id,
                seq,
                due,
                p.assignee_id,
                p.base_seq,
            )
            .await?
            {
                created += 1;
            }
            seq += 1;
        }
    }
    Ok(created)
}

fn case_link(config: &SchedulerConfig, number: i64) -> String {
    format!("{}/cases/CR-{number}", config.public_url)
}

fn footer(config: &SchedulerConfig, what: &str) -> String {
    format!(
        "\n\n-- \nMend · you get this because {what} are on; change that at {}/settings",
        config.public_url
    )
}

/// Marks scheduled check-ins whose due day has ended (in the assignee's zone) as missed, and
/// queues the "missed" reminder, in one transaction per pass.
#[tracing::instrument(skip_all)]
async fn mark_missed(
    pool: &PgPool,
    config: &SchedulerConfig,
    now: DateTime<Utc>,
) -> anyhow::Result<(u64, u64)> {
    let mut tx = pool.begin().await?;
    let missed = crate::db::follow_ups::mark_missed(&mut tx, now).await?;
    for m in &missed {
        crate::db::follow_ups::adapt_after_missed(&mut tx, m.check_in_id).await?;
    }
    let mut queued = 0;
    for m in &missed {
        if !m.remind_missed {
            continue;
        }
        let message = NewMessage {
            kind: "missed",
            dedupe_key: format!("missed:{}", m.check_in_id),
            user_id: m.user_id,
            to_address: &m.email,
            subject: format!("Missed check-in: {} (CR-{})", m.account, m.number),
            body: format!(
                "Hello {},\n\nThe check-in with {} due {} for CR-{} \u{201c}{}\u{201d} was not recorded.\n\n\
                 Trust comes back through consistency: call them today, then record it or say why it was skipped:\n{}{}",
                m.user_name,
                m.account,
                m.due_date.format("%A %-d %B"),
                m.number,
                m.title,
                case_link(config, m.number),
                footer(config, "reminders for missed check-ins")
            ),
        };
        if outbox::enqueue(&mut *tx, &message).await? {
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok((missed.len() as u64, queued))
}

/// Escalates the cases that went quiet for too long, then queues one e-mail per escalation to
/// each of the team's managers (escalations made when a case was logged are told here too).
#[tracing::instrument(skip_all)]
async fn escalate(
    pool: &PgPool,
    config: &SchedulerConfig,
    now: DateTime<Utc>,
) -> anyhow::Result<(u64, u64)> {
    let mut tx = pool.begin().await?;
    let escalated = crate::db::escalation::escalate_quiet(&mut tx, now).await?;
    tx.commit().await?;
    let flagged =
        crate::db::escalation::flagged_since(pool, now - chrono::Duration::days(7)).await?;
    let mut queued = 0;
    for f in flagged {
        let why = match f.linked_number {
            Some(linked) if f.reason == "repeat" => format!(
                "it is a second incident on {} within {} days of CR-{linked}, which was restored",
                f.account,
                crate::domain::escalation::REPEAT_WINDOW_DAYS
            ),
            _ => "nobody has recorded any work on it for longer than its severity allows".into(),
        };
        for m in crate::db::escalation::managers_of(pool, f.team_id).await? {
            let message = NewMessage {
                kind: "escalation",
                dedupe_key: format!(
                    "escalation:{}:{}:{}",
                    f.case_id,
                    f.escalated_at.timestamp_micros(),
                    m.id
                ),
                user_id: m.id,
                to_address: &m.email,
                subject: format!("Escalated: {} (CR-{})", f.account, f.number),
                body: format!(
                    "Hello {},\n\nCR-{} \u{201c}{}\u{201d} is escalated: {why}.\n\n\
                     It is flagged on your review until someone works on it:\n{}\n\n-- \nMend",
                    m.name,
                    f.number,
                    f.title,
                    case_link(config, f.number)
                ),
            };
            if outbox::enqueue(pool, &message).await? {
                queued += 1;
            }
        }
        crate::db::escalation::told(pool, f.case_id, f.escalated_at).await?;
    }
    Ok((escalated.len() as u64, queued))
}

/// Queues the morning reminder for check-ins due today (in the assignee's zone).
#[tracing::instrument(skip_all)]
async fn queue_due_reminders(
    pool: &PgPool,
    config: &SchedulerConfig,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let due = crate::db::follow_ups::due_without_reminder(pool, now).await?;
    let mut queued = 0;
    for d in due {
        let (_, hour, _) = local(now, &d.time_zone);
        if hour < config.morning_hour {
            continue;
        }
        let message = NewMessage {
            kind: "due",
            dedupe_key: format!("due:{}", d.check_in_id),
            user_id: d.user_id,
            to_address: &d.email,
            subject: format!("Check in with {} today (CR-{})", d.account, d.number),
            body: format!(
                "Hello {},\n\nA follow-up check-in with {} is due today for CR-{} \u{201c}{}\u{201d}.\n\n\
                 Ask how things have been since the fix, listen to the whole answer, and record the client's mood:\n{}{}",
                d.user_name,
                d.account,
                d.number,
                d.title,
                case_link(config, d.number),
                footer(config, "reminders for due check-ins")
            ),
        };
        if outbox::enqueue(pool, &message).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// On Monday mornings (each user's own), queues their digest for the week.
#[tracing::instrument(skip_all)]
async fn queue_digests(
    pool: &PgPool,
    config: &SchedulerConfig,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let users = crate::db::follow_ups::digest_recipients(pool).await?;
    let mut queued = 0;
    for u in users {
        let (today, hour, weekday) = local(now, &u.time_zone);
        if weekday != chrono::Weekday::Mon || hour < config.morning_hour {
            continue;
        }
        let week = today.iso_week();
        let key = format!("digest:{}:{}-W{:02}", u.id, week.year(), week.week());
        let week_end = today + chrono::Days::new(6);
        let digest = crate::db::follow_ups::digest(pool, u.id, today, week_end).await?;
        let body = digest_body(config, &u.name, today, &digest);
        let message = NewMessage {
            kind: "digest",
            dedupe_key: key,
            user_id: u.id,
            to_address: &u.email,
            subject: format!(
                "Your follow-ups for the week of {}",
                today.format("%-d %B %Y")
            ),
            body,
        };
        if outbox::enqueue(pool, &message).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

fn digest_body(
    config: &SchedulerConfig,
    name: &str,
    monday: NaiveDate,
    d: &crate::db::follow_ups::Digest,
) -> String {
    let mut b = format!(
        "Hello {name},\n\nYour follow-ups for the week of {}.\n",
        monday.format("%-d %B %Y")
    );
    let line = |c: &crate::db::follow_ups::DigestCheckIn| {
        format!(
            "  - {} · CR-{} {} ({}) {}\n",
            c.due_date.format("%a %-d %b"),
            c.number,
            c.title,
            c.account,
            case_link(config, c.number)
        )
    };
    b.push_str(&format!("\nCheck-ins this week ({}):\n", d.this_week.len()));
    if d.this_week.is_empty() {
        b.push_str("  none\n");
    }
    for c in &d.this_week {
        b.push_str(&line(c));
    }
    b.push_str(&format!("\nOverdue ({}):\n", d.overdue.len()));
    if d.overdue.is_empty() {
        b.push_str("  none, well done\n");
    }
    for c in &d.overdue {
        b.push_str(&line(c));
    }
    b.push_str("\nYour open cases by stage:\n");
    if d.open_by_stage.is_empty() {
        b.push_str("  none\n");
    }
    for (stage, n) in &d.open_by_stage {
        let label = crate::domain::stage::Stage::parse(stage)
            .map(|s| s.label())
            .unwrap_or("");
        b.push_str(&format!("  {label}: {n}\n"));
    }
    b.push_str(&footer(config, "weekly digests"));
    b
}

/// What one sending round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u64,
    pub failed: u64,
}

/// Sends up to `limit` due messages of the outbox, one claim at a time, so any number of passes
/// may run at once. A message that fails is rescheduled and the round goes on; when the server
/// cannot be reached at all, the round stops there and the rest wait for the next pass.
/// Only database errors are returned.
#[tracing::instrument(skip_all)]
pub async fn send_pending(
    pool: &PgPool,
    mailer: &Mailer,
    now: DateTime<Utc>,
    limit: i64,
) -> anyhow::Result<SendReport> {
    let mut report = SendReport::default();
    for _ in 0..limit.max(0) {
        // Each claim commits on its own: the claim must hold while the message is sent.
        let mut tx = pool.begin().await?;
        let claimed = outbox::claim_next(&mut tx, now, now + crate::mail::CLAIM).await?;
        tx.commit().await?;
        let Some(message) = claimed else {
            break;
        };
        match mailer.send(&message, now).await {
            Ok(()) => {
                outbox::mark_sent(pool, message.id, now).await?;
                report.sent += 1;
            }
            Err(e) => {
                let error: String = e
                    .text()
                    .chars()
                    .take(crate::mail::MAX_ERROR_CHARS)
                    .collect();
                let retry_at = now + backoff(message.attempts);
                tracing::warn!(
                    outbox_id = %message.id,
                    attempts = message.attempts,
                    %retry_at,
                    error = %error,
                    "an e-mail was not sent; it will be retried"
                );
                outbox::mark_failed(pool, message.id, retry_at, &error).await?;
                report.failed += 1;
                if matches!(e, SendError::Unreachable(_)) {
                    break;
                }
            }
        }
    }
    Ok(report)
}
