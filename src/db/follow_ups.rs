//! Follow-up plans and check-ins on a case. Creating the next check-in is idempotent by
//! construction: `(plan_id, seq)` is unique and inserts use `on conflict do nothing`, so any
//! number of processes (the case page now, the scheduler later) may try at once.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::timeline::event;
use crate::domain::cadence::{self, Adaptive, Cadence, CheckInStatus, Reading};
use crate::domain::follow_up::{CheckInResult, NewPlan};

/// Starts a plan (ending the one before, whose open check-ins are skipped) and schedules its
/// first check-in. False when the assignee is not an active member of the case's team.
pub async fn start_plan(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    team_id: Uuid,
    plan: &NewPlan,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let assignee = sqlx::query_scalar!(
        "select name from users where id = $1 and team_id = $2 and active",
        plan.assignee_id,
        team_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(assignee) = assignee else {
        return Ok(false);
    };
    let old = sqlx::query_scalar!(
        "update follow_up_plans set ended_at = now() where case_id = $1 and ended_at is null returning id",
        case_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(old) = old {
        sqlx::query!(
            "update check_ins set status = 'skipped', skip_reason = 'The follow-up plan was replaced.'
             where plan_id = $1 and status in ('scheduled', 'missed')",
            old
        )
        .execute(&mut **tx)
        .await?;
    }
    let (name, days) = plan.cadence.as_parts();
    // An adaptive plan keeps the organisation's numbers as they are when it starts.
    let plan_id = sqlx::query_scalar!(
        "insert into follow_up_plans (case_id, cadence, every_days, first_due, assignee_id, end_after,
                                      created_by, adaptive, step_after, restored_after)
         select $1, $2, $3, $4, $5, $6, $7, $8, o.adaptive_step_after, o.restored_after
         from (select coalesce(max(adaptive_step_after), 2) as adaptive_step_after,
                      coalesce(max(restored_after), 3) as restored_after
               from organisation) o
         returning id",
        case_id,
        name,
        days,
        plan.first_due,
        plan.assignee_id,
        plan.end_after,
        actor,
        plan.adaptive
    )
    .fetch_one(&mut **tx)
    .await?;
    schedule(tx, case_id, plan_id, 1, plan.first_due, plan.assignee_id).await?;
    let until = plan
        .end_after
        .map(|n| format!(", {n} times"))
        .unwrap_or_else(|| ", until the case closes".into());
    let adapts = if plan.adaptive {
        ", adapting to how they go"
    } else {
        ""
    };
    let summary = format!(
        "Planned check-ins: {} from {} with {assignee}{until}{adapts}",
        plan.cadence.label().to_lowercase(),
        plan.first_due.format("%-d %b %Y")
    );
    event(tx, case_id, actor, "plan", &summary, json!({})).await?;
    Ok(true)
}

/// Creates check-in `seq` of a plan unless it exists.
async fn schedule(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    plan_id: Uuid,
    seq: i32,
    due: NaiveDate,
    assignee: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into check_ins (case_id, plan_id, seq, due_date, assignee_id) values ($1, $2, $3, $4, $5)
         on conflict (plan_id, seq) do nothing",
        case_id,
        plan_id,
        seq,
        due,
        assignee
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What happened to the earliest open check-in.
#[derive(Clone, Copy)]
pub enum Outcome<'a> {
    Done(&'a CheckInResult),
    Skipped(&'a str),
}

/// What became of a check-in asked to be settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Done or skipped: this check-in.
    Now(Uuid),
    /// No such check-in is open (already settled: a no-op).
    NotOpen,
    /// Not due yet: it can be recorded from this day on (`cadence::recordable`).
    NotYet(NaiveDate),
}

impl Settled {
    /// The check-in settled, if one was.
    pub fn check_in(self) -> Option<Uuid> {
        match self {
            Settled::Now(id) => Some(id),
            _ => None,
        }
    }
}

/// Completes or skips the earliest open check-in of the active plan, and schedules the next
/// one unless the plan has run its course.
pub async fn settle_next(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    outcome: Outcome<'_>,
    actor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Settled> {
    settle(tx, case_id, None, outcome, actor, now).await
}

/// Completes or skips check-in `only` of the case (or, with `None`, its earliest open one) and
/// schedules the next. A check-in is completed from its due day on, by its assignee's calendar
/// at `now`; it may be skipped any time.
pub async fn settle(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    only: Option<Uuid>,
    outcome: Outcome<'_>,
    actor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Settled> {
    // The plan is locked too: an adaptive plan may change its cadence here, and the scheduler
    // extends plans under a share lock (`schedule_check_in`).
    let open = sqlx::query!(
        "select c.id, c.seq, c.due_date, p.id as plan_id, p.cadence, p.every_days, p.first_due, p.end_after,
                p.assignee_id, p.adaptive, p.base_seq, p.good_streak, p.step_after,
                u.time_zone as assignee_time_zone
         from check_ins c join follow_up_plans p on p.id = c.plan_id
         join users u on u.id = c.assignee_id
         where c.case_id = $1 and ($2::uuid is null or c.id = $2)
           and p.ended_at is null and c.status in ('scheduled', 'missed')
         order by c.seq limit 1 for update of c, p",
        case_id,
        only
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(open) = open else {
        return Ok(Settled::NotOpen);
    };
    if let Outcome::Done(_) = outcome {
        let tz = crate::domain::case::time_zone(&open.assignee_time_zone);
        if let Err(from) = cadence::recordable(open.due_date, now.with_timezone(&tz).date_naive()) {
            return Ok(Settled::NotYet(from));
        }
    }
    let mut plan = PlanState {
        id: open.plan_id,
        cadence: open.cadence,
        every_days: open.every_days,
        first_due: open.first_due,
        base_seq: open.base_seq,
        good_streak: open.good_streak,
        step_after: open.step_after,
    };
    let summary = match outcome {
        Outcome::Done(r) => {
            sqlx::query!(
                "update check_ins set status = 'done', completed_at = now(), channel = $2, summary = $3,
                        sentiment = $4, next_step = $5, client_words = $6 where id = $1",
                open.id,
                r.channel.as_str(),
                r.summary,
                r.sentiment,
                r.next_step,
                r.client_words
            )
            .execute(&mut **tx)
            .await?;
            format!(
                "Checked in {} \u{2014} {}: {}",
                r.channel.how(),
                crate::domain::case::mood_sentence(r.sentiment),
                r.summary.chars().take(120).collect::<String>()
            )
        }
        Outcome::Skipped(reason) => {
            sqlx::query!(
                "update check_ins set status = 'skipped', skip_reason = $2 where id = $1",
                open.id,
                reason
            )
            .execute(&mut **tx)
            .await?;
            format!(
                "Skipped the check-in due {}: {reason}",
                open.due_date.format("%-d %b %Y")
            )
        }
    };
    event(tx, case_id, actor, "check_in", &summary, json!({})).await?;
    if open.adaptive
        && let Outcome::Done(r) = outcome
    {
        let reading = Reading::of_sentiment(r.sentiment);
        adapt_plan(tx, case_id, &mut plan, open.seq, open.due_date, reading).await?;
    }
    let more = open.end_after.is_none_or(|n| open.seq < n);
    if more && let Some(due) = plan.due(open.seq + 1) {
        schedule(
            tx,
            case_id,
            open.plan_id,
            open.seq + 1,
            due,
            open.assignee_id,
        )
        .await?;
    }
    Ok(Settled::Now(open.id))
}

/// What an active plan's due dates follow.
struct PlanState {
    id: Uuid,
    cadence: String,
    every_days: Option<i32>,
    first_due: NaiveDate,
    base_seq: i32,
    good_streak: i32,
    step_after: i32,
}

impl PlanState {
    /// The due date of check-in `seq`.
    fn due(&self, seq: i32) -> Option<NaiveDate> {
        let c = Cadence::from_parts(&self.cadence, self.every_days)?;
        let n = u32::try_from(seq - self.base_seq).ok()?;
        cadence::due_date(self.first_due, c, n)
    }
}

/// Feeds one settled check-in (number `seq`, due on `due`) to an adaptive plan, whose row the
/// caller has locked. When the cadence steps, the plan is re-based so check-in `seq + 1` falls
/// one new step after `due`, the check-ins already scheduled after it move, and the timeline
/// says why.
async fn adapt_plan(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    plan: &mut PlanState,
    seq: i32,
    due: NaiveDate,
    reading: Reading,
) -> sqlx::Result<()> {
    let Some(current) = Cadence::from_parts(&plan.cadence, plan.every_days) else {
        return Ok(());
    };
    let state = Adaptive {
        cadence: current,
        streak: u32::try_from(plan.good_streak).unwrap_or(0),
    };
    let (next, step) = cadence::adapt(state, reading, u32::try_from(plan.step_after).unwrap_or(2));
    let streak = i32::try_from(next.streak).unwrap_or(i32::MAX);
    let Some(step) = step else {
        plan.good_streak = streak;
        sqlx::query!(
            "update follow_up_plans set good_streak = $2 where id = $1",
            plan.id,
            streak
        )
        .execute(&mut **tx)
        .await?;
        return Ok(());
    };
    let Some(first_due) = cadence::due_date(due, step.to, 1) else {
        return Ok(());
    };
    let (name, days) = step.to.as_parts();
    *plan = PlanState {
        id: plan.id,
        cadence: name.to_string(),
        every_days: days,
        first_due,
        base_seq: seq + 1,
        good_streak: streak,
        step_after: plan.step_after,
    };
    sqlx::query!(
        "update follow_up_plans set cadence = $2, every_days = $3, first_due = $4, base_seq = $5,
                good_streak = $6 where id = $1",
        plan.id,
        name,
        days,
        first_due,
        plan.base_seq,
        streak
    )
    .execute(&mut **tx)
    .await?;
    let later = sqlx::query_scalar!(
        "select seq from check_ins where plan_id = $1 and seq > $2 and status = 'scheduled'",
        plan.id,
        seq
    )
    .fetch_all(&mut **tx)
    .await?;
    for later_seq in later {
        if let Some(new_due) = plan.due(later_seq) {
            sqlx::query!(
                "update check_ins set due_date = $3 where plan_id = $1 and seq = $2",
                plan.id,
                later_seq,
                new_due
            )
            .execute(&mut **tx)
            .await?;
        }
    }
    let summary = format!(
        "{}; the next check-in is due {}",
        step.summary(),
        first_due.format("%-d %b %Y")
    );
    // Written by nobody: Mend decided it.
    sqlx::query!(
        "insert into case_events (case_id, actor_id, kind, summary, data) values ($1, null, 'cadence', $2, $3)",
        case_id,
        summary,
        json!({ "from": step.from.as_parts().0, "to": step.to.as_parts().0, "reason": step.reason })
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Feeds a check-in the scheduler just marked missed to its plan, if that plan adapts.
pub async fn adapt_after_missed(
    tx: &mut Transaction<'_, Postgres>,
    check_in: Uuid,
) -> sqlx::Result<()> {
    let row = sqlx::query!(
        "select c.case_id, c.seq, c.due_date, p.id as plan_id, p.cadence, p.every_days, p.first_due,
                p.base_seq, p.good_streak, p.step_after
         from check_ins c join follow_up_plans p on p.id = c.plan_id
         where c.id = $1 and p.adaptive and p.ended_at is null
         for update of p",
        check_in
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(()) };
    let mut plan = PlanState {
        id: row.plan_id,
        cadence: row.cadence,
        every_days: row.every_days,
        first_due: row.first_due,
        base_seq: row.base_seq,
        good_streak: row.good_streak,
        step_after: row.step_after,
    };
    adapt_plan(
        tx,
        row.case_id,
        &mut plan,
        row.seq,
        row.due_date,
        Reading::Missed,
    )
    .await
}

/// The number of the visible case a check-in belongs to.
pub async fn case_of(
    db: impl PgExecutor<'_>,
    scope: crate::domain::visibility::Scope,
    check_in: Uuid,
) -> sqlx::Result<Option<i64>> {
    let (all, team) = scope.sql_params();
    sqlx::query_scalar!(
        "select k.number from check_ins c join cases k on k.id = c.case_id
         where c.id = $1 and ($2 or k.team_id = $3)",
        check_in,
        all,
        team
    )
    .fetch_optional(db)
    .await
}

/// A check-in on someone's My work.
#[derive(Debug, Clone)]
pub struct MyCheckIn {
    pub id: Uuid,
    pub due_date: NaiveDate,
    pub status: CheckInStatus,
    pub number: i64,
    pub title: String,
    pub account: String,
    /// Due by `today` (missed, overdue or due today), else later this week.
    pub now: bool,
    /// How many check-ins share this one's section of the page (to record now, later).
    pub in_section: i64,
}

/// Which check-ins of each of My work's sections to list: `limit` from `now_offset` of those
/// to record now (missed, overdue or due today) and from `later_offset` of those due later this
/// week; and `keep` wherever it falls (a check-in whose form is shown again with its errors).
#[derive(Debug, Clone, Copy)]
pub struct MyCheckInPage {
    pub limit: i64,
    pub now_offset: i64,
    pub later_offset: i64,
    pub keep: Option<Uuid>,
}

/// The open check-ins assigned to `user` on open cases they can see, due up to `until`,
/// earliest first, one page of each section of My work (see [`MyCheckInPage`]).
pub async fn open_for(
    db: impl PgExecutor<'_>,
    scope: crate::domain::visibility::Scope,
    user: Uuid,
    today: NaiveDate,
    until: NaiveDate,
    page: MyCheckInPage,
) -> sqlx::Result<Vec<MyCheckIn>> {
    let (all, team) = scope.sql_params();
    sqlx::query_as!(
        MyCheckIn,
        r#"select s.id as "id!", s.due_date as "due_date!", s.status as "status!: CheckInStatus",
                  s.number as "number!", s.title as "title!", a.name as account,
                  s.now as "now!", s.in_section as "in_section!"
           from (select c.id, c.due_date, c.status, k.number, k.title, k.account_id, c.now,
                        row_number() over w as rn,
                        count(*) over (partition by c.now) as in_section
                 from (select c.*, (c.status = 'missed' or c.due_date <= $5) as now
                       from check_ins c
                       where c.assignee_id = $1 and c.status in ('scheduled', 'missed')
                         and c.due_date <= $2) c
                 join cases k on k.id = c.case_id
                 where k.outcome = 'open' and ($3 or k.team_id = $4)
                 window w as (partition by c.now order by c.due_date, k.number)) s
           join accounts a on a.id = s.account_id
           where (s.now and s.rn > $7 and s.rn <= $7 + $6)
              or (not s.now and s.rn > $8 and s.rn <= $8 + $6)
              or s.id = $9
           order by s.due_date, s.number"#,
        user,
        until,
        all,
        team,
        today,
        page.limit,
        page.now_offset,
        page.later_offset,
        page.keep
    )
    .fetch_all(db)
    .await
}

/// A plan whose check-ins do not yet reach the horizon.
#[derive(Debug, Clone)]
pub struct PlanToExtend {
    pub plan_id: Uuid,
    pub case_id: Uuid,
    pub cadence: String,
    pub every_days: Option<i32>,
    pub first_due: NaiveDate,
    pub end_after: Option<i32>,
    pub assignee_id: Uuid,
    pub time_zone: String,
    pub max_seq: i32,
    /// The check-in whose due date is `first_due` (an adaptive plan re-bases when it steps).
    pub base_seq: i32,
}

/// Active plans of open cases whose last check-in is due before the horizon, with room left.
pub async fn plans_to_extend(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    horizon_days: i32,
) -> sqlx::Result<Vec<PlanToExtend>> {
    sqlx::query_as!(
        PlanToExtend,
        r#"select p.id as plan_id, p.case_id, p.cadence, p.every_days, p.first_due, p.end_after,
                  p.assignee_id, u.time_zone, coalesce(max(c.seq), 0) as "max_seq!", p.base_seq
           from follow_up_plans p
           join cases k on k.id = p.case_id and k.outcome = 'open'
           join users u on u.id = p.assignee_id
           left join check_ins c on c.plan_id = p.id
           where p.ended_at is null
           group by p.id, u.time_zone
           having coalesce(max(c.due_date), p.first_due - 1) < ($1::timestamptz at time zone u.time_zone)::date + $2::int
              and (p.end_after is null or coalesce(max(c.seq), 0) < p.end_after)"#,
        now,
        horizon_days
    )
    .fetch_all(db)
    .await
}

/// Creates check-in `seq` of a plan unless it exists; true when this call created it. `base_seq`
/// is the plan's as the due date was computed: if an adaptive plan stepped since (or ended),
/// nothing is created (the plan row is read under a share lock, so a step either happened
/// before, and is seen, or waits until this insert is done, and moves it).
pub async fn schedule_check_in(
    db: impl PgExecutor<'_>,
    case_id: Uuid,
    plan_id: Uuid,
    seq: i32,
    due: NaiveDate,
    assignee: Uuid,
    base_seq: i32,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "with p as (select id from follow_up_plans
                    where id = $2 and base_seq = $6 and ended_at is null for share)
         insert into check_ins (case_id, plan_id, seq, due_date, assignee_id)
         select $1, p.id, $3, $4, $5 from p
         on conflict (plan_id, seq) do nothing",
        case_id,
        plan_id,
        seq,
        due,
        assignee,
        base_seq
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A check-in just marked missed, with what its reminder needs.
#[derive(Debug, Clone)]
pub struct Missed {
    pub check_in_id: Uuid,
    pub case_id: Uuid,
    pub due_date: NaiveDate,
    pub number: i64,
    pub title: String,
    pub account: String,
    pub user_id: Uuid,
    pub email: String,
    pub user_name: String,
    pub remind_missed: bool,
}

/// Marks scheduled check-ins of open cases missed once their due day has ended in the assignee's
/// zone, and notes it on each case's timeline (not as activity: nobody did anything).
pub async fn mark_missed(
    tx: &mut Transaction<'_, Postgres>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Missed>> {
    let missed = sqlx::query_as!(
        Missed,
        r#"with m as (
               update check_ins c set status = 'missed'
               from users u, cases k
               where u.id = c.assignee_id and k.id = c.case_id and k.outcome = 'open'
                 and c.status = 'scheduled'
                 and c.due_date < ($1::timestamptz at time zone u.time_zone)::date
               returning c.id, c.case_id, c.due_date, c.assignee_id
           )
           select m.id as check_in_id, m.case_id, m.due_date, k.number, k.title, a.name as account,
                  u.id as user_id, u.email, u.name as user_name, u.remind_missed
           from m join cases k on k.id = m.case_id join accounts a on a.id = k.account_id
           join users u on u.id = m.assignee_id"#,
        now
    )
    .fetch_all(&mut **tx)
    .await?;
    for m in &missed {
        sqlx::query!(
            "insert into case_events (case_id, actor_id, kind, summary) values ($1, null, 'check_in', $2)",
            m.case_id,
            format!("The check-in due {} was missed", m.due_date.format("%-d %b %Y"))
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(missed)
}

/// A check-in due today (in its assignee's zone) that has no reminder queued yet.
#[derive(Debug, Clone)]
pub struct DueToday {
    pub check_in_id: Uuid,
    pub number: i64,
    pub title: String,
    pub account: String,
    pub user_id: Uuid,
    pub email: String,
    pub user_name: String,
    pub time_zone: String,
}

pub async fn due_without_reminder(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<DueToday>> {
    sqlx::query_as!(
        DueToday,
        r#"select c.id as check_in_id, k.number, k.title, a.name as account, u.id as user_id,
                  u.email, u.name as user_name, u.time_zone
           from check_ins c
           join users u on u.id = c.assignee_id and u.active and u.remind_due
           join cases k on k.id = c.case_id and k.outcome = 'open'
           join accounts a on a.id = k.account_id
           where c.status = 'scheduled'
             and c.due_date = ($1::timestamptz at time zone u.time_zone)::date
             and not exists (select 1 from outbox o where o.dedupe_key = 'due:' || c.id::text)"#,
        now
    )
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone)]
pub struct DigestRecipient {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub time_zone: String,
}

pub async fn digest_recipients(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<DigestRecipient>> {
    sqlx::query_as!(
        DigestRecipient,
        "select id, email, name, time_zone from users where active and remind_digest order by id"
    )
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone)]
pub struct DigestCheckIn {
    pub due_date: NaiveDate,
    pub number: i64,
    pub title: String,
    pub account: String,
}

/// A user's week: check-ins due from `monday` to `sunday`, overdue ones, open cases by stage.
#[derive(Debug, Clone, Default)]
pub struct Digest {
    pub this_week: Vec<DigestCheckIn>,
    pub overdue: Vec<DigestCheckIn>,
    pub open_by_stage: Vec<(String, i64)>,
}

pub async fn digest(
    db: &sqlx::PgPool,
    user_id: Uuid,
    monday: NaiveDate,
    sunday: NaiveDate,
) -> sqlx::Result<Digest> {
    let this_week = sqlx::query_as!(
        DigestCheckIn,
        "select c.due_date, k.number, k.title, a.name as account
         from check_ins c join cases k on k.id = c.case_id join accounts a on a.id = k.account_id
         where c.assignee_id = $1 and c.status = 'scheduled' and k.outcome = 'open'
           and c.due_date between $2 and $3
         order by c.due_date, k.number",
        user_id,
        monday,
        sunday
    )
    .fetch_all(db)
    .await?;
    let overdue = sqlx::query_as!(
        DigestCheckIn,
        "select c.due_date, k.number, k.title, a.name as account
         from check_ins c join cases k on k.id = c.case_id join accounts a on a.id = k.account_id
         where c.assignee_id = $1 and k.outcome = 'open'
           and (c.status = 'missed' or (c.status = 'scheduled' and c.due_date < $2))
         order by c.due_date, k.number",
        user_id,
        monday
    )
    .fetch_all(db)
    .await?;
    let open_by_stage = sqlx::query!(
        r#"select stage, count(*) as "n!" from cases where owner_id = $1 and outcome = 'open'
           group by stage
           order by array_position(array['detected','assessing','reaching_out','making_it_right','following_up'], stage)"#,
        user_id
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| (r.stage, r.n))
    .collect();
    Ok(Digest {
        this_week,
        overdue,
        open_by_stage,
    })
}
