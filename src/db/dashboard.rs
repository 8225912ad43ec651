//! The weekly follow-up dashboard's numbers, each one an SQL aggregate: check-in discipline per
//! account manager, the framework's signals for a run of weeks, repeat-incident accounts and open
//! cases by stage. Nothing here loads cases row by row.
//!
//! Week bounds are computed by the caller (local midnights in the viewer's time zone, see
//! `domain::week`) and passed in as instants; check-in due dates are calendar dates and are
//! compared with the week's Monday..Sunday.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::visibility::Scope;

/// Whose numbers: a scope of teams, and optionally one account manager's own work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    pub scope: Scope,
    /// Only cases this user owns and check-ins assigned to them.
    pub only: Option<Uuid>,
}

/// One week, as the queries need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekSpan {
    pub monday: NaiveDate,
    /// Monday 00:00 local, inclusive.
    pub start: DateTime<Utc>,
    /// The next Monday 00:00 local, exclusive.
    pub end: DateTime<Utc>,
}

/// Check-ins due in the week for one assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInCounts {
    pub assignee_id: Uuid,
    pub assignee: String,
    pub due: i64,
    pub on_time: i64,
    pub late: i64,
    pub missed: i64,
    pub skipped: i64,
    /// Still scheduled and not yet past due.
    pub open: i64,
}

/// Check-ins due in the week, per assignee, by name. `today` (in the viewer's zone) decides
/// which scheduled check-ins are already missed; `tz` decides on which day one was done.
pub async fn check_ins_per_assignee(
    db: impl PgExecutor<'_>,
    who: Who,
    monday: NaiveDate,
    today: NaiveDate,
    tz: &str,
) -> sqlx::Result<Vec<CheckInCounts>> {
    let (all, team) = who.scope.sql_params();
    sqlx::query_as!(
        CheckInCounts,
        r#"select u.id as "assignee_id!", u.name as "assignee!",
                  count(*) as "due!",
                  count(*) filter (where ci.status = 'done'
                      and (ci.completed_at at time zone $6)::date <= ci.due_date) as "on_time!",
                  count(*) filter (where ci.status = 'done'
                      and (ci.completed_at at time zone $6)::date > ci.due_date) as "late!",
                  count(*) filter (where ci.status = 'missed'
                      or (ci.status = 'scheduled' and ci.due_date < $5)) as "missed!",
                  count(*) filter (where ci.status = 'skipped') as "skipped!",
                  count(*) filter (where ci.status = 'scheduled' and ci.due_date >= $5) as "open!"
           from check_ins ci
           join cases c on c.id = ci.case_id
           join users u on u.id = ci.assignee_id
           where ci.due_date >= $1 and ci.due_date < $1 + 7
             and ($2 or c.team_id = $3)
             and ($4::uuid is null or ci.assignee_id = $4)
           group by u.id, u.name
           order by lower(u.name), u.id"#,
        monday,
        all,
        team,
        who.only,
        today,
        tz
    )
    .fetch_all(db)
    .await
}

/// The signals of one week.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekSignals {
    pub monday: NaiveDate,
    /// Cases opened in the week, and how many of them we noticed before the client did.
    pub opened: i64,
    pub detected_by_us: i64,
    /// Median seconds from opening a case (opened this week) to its first conversation.
    pub first_contact_secs: Option<f64>,
    /// Conversations held in the week, and how many in person or by phone.
    pub conversations: i64,
    pub direct_conversations: i64,
    /// Median seconds from opening to the last action item done, for cases whose action items
    /// were all done, the last of them in this week.
    pub fix_secs: Option<f64>,
    /// Cases closed in the week, and how many restored.
    pub closed: i64,
    pub restored: i64,
    /// Of the cases closed this week with a recorded reparation: its cost and their accounts'
    /// annual value (minor units; mixed currencies are summed as they are).
    pub reparation_cost_minor: i64,
    pub reparation_value_minor: i64,
    /// Average sentiment (−2..+2) of the week's conversations and done check-ins.
    pub sentiment: Option<f64>,
    pub sentiment_count: i64,
    /// Check-ins due in the week: done (on time or late) and missed.
    pub check_ins_done: i64,
    pub check_ins_missed: i64,
}

/// The signals of each of `weeks` (oldest first), in one query.
pub async fn signals(
    db: impl PgExecutor<'_>,
    who: Who,
    weeks: &[WeekSpan],
    today: NaiveDate,
) -> sqlx::Result<Vec<WeekSignals>> {
    let (all, team) = who.scope.sql_params();
    let starts: Vec<DateTime<Utc>> = weeks.iter().map(|w| w.start).collect();
    let ends: Vec<DateTime<Utc>> = weeks.iter().map(|w| w.end).collect();
    let mondays: Vec<NaiveDate> = weeks.iter().map(|w| w.monday).collect();
    // The whole span as plain bounds too, so each part of the query is an index range scan
    // instead of a scan of every case joined against the weeks.
    let (Some(lo), Some(hi)) = (starts.iter().min().copied(), ends.iter().max().copied()) else {
        return Ok(Vec::new());
    };
    let first_monday = mondays.iter().min().copied().unwrap_or(today);
    let after_last = mondays
        .iter()
        .max()
        .map_or(today, |m| *m + chrono::Days::new(7));
    sqlx::query_as!(
        WeekSignals,
        r#"with w as (
               select ws, we, monday, n
               from unnest($1::timestamptz[], $2::timestamptz[], $3::date[])
                    with ordinality as w(ws, we, monday, n)
           ),
           opened as (
               select w.n, count(*) as opened,
                      count(*) filter (where c.detected_by = 'us') as by_us,
                      percentile_cont(0.5) within group (order by fc.secs) as first_contact
               from w
               join cases c on c.created_at >= w.ws and c.created_at < w.we
               left join lateral (
                   -- greatest() skips nulls: a case without conversations must stay null.
                   select case when min(v.happened_at) is not null then
                          greatest(extract(epoch from min(v.happened_at) - c.created_at), 0)::float8
                          end as secs
                   from conversations v
                   where v.case_id = c.id and v.removed_at is null
               ) fc on true
               where ($4 or c.team_id = $5) and ($6::uuid is null or c.owner_id = $6)
                 and c.created_at >= $8 and c.created_at < $9
               group by w.n
           ),
           talks as (
               select w.n, count(*) as talks,
                      count(*) filter (where v.channel in ('in_person', 'phone')) as direct
               from w
               join conversations v on v.happened_at >= w.ws and v.happened_at < w.we
               join cases c on c.id = v.case_id
               where v.removed_at is null
                 and ($4 or c.team_id = $5) and ($6::uuid is null or c.owner_id = $6)
                 and v.happened_at >= $8 and v.happened_at < $9
               group by w.n
           ),
           finished as (
               select c.id, c.created_at, max(a.done_at) as last_done
               from action_items a
               join cases c on c.id = a.case_id
               where a.removed_at is null
                 and ($4 or c.team_id = $5) and ($6::uuid is null or c.owner_id = $6)
                 and c.id in (select x.case_id from action_items x
                              where x.done_at >= $8 and x.done_at < $9
                                and x.removed_at is null)
               group by c.id, c.created_at
               having count(*) = count(a.done_at)
           ),
           fixed as (
               select w.n,
                      percentile_cont(0.5) within group (
                          order by extract(epoch from f.last_done - f.created_at)::float8) as fix
               from w join finished f on f.last_done >= w.ws and f.last_done < w.we
               group by w.n
           ),
           closed as (
               select w.n, count(*) as closed,
                      count(*) filter (where c.outcome = 'restored') as restored,
                      coalesce(sum(c.reparation_cost_minor), 0)::int8 as cost,
                      coalesce(sum(a.annual_value_minor)
                          filter (where c.reparation_cost_minor is not null), 0)::int8 as value
               from w
               join cases c on c.closed_at >= w.ws and c.closed_at < w.we
               join accounts a on a.id = c.account_id
               where ($4 or c.team_id = $5) and ($6::uuid is null or c.owner_id = $6)
                 and c.closed_at >= $8 and c.closed_at < $9
               group by w.n
           ),
           moods as (
               select w.n, avg(s.sentiment)::float8 as sentiment, count(*) as moods
               from w join (
                   select v.happened_at as at, v.sentiment
                   from conversations v join cases c on c.id = v.case_id
                   where v.removed_at is null
                     and v.happened_at >= $8 and v.happened_at < $9
                     and ($4 or c.team_id = $5) and ($6::uuid is null or c.owner_id = $6)
                   union all
                   select ci.completed_at, ci.sentiment
                   from check_ins ci join cases c on c.id = ci.case_id
                   where ci.status = 'done' and ci.sentiment is not null
                     and ci.completed_at >= $8 and ci.completed_at < $9
                     and ($4 or c.team_id = $5) and ($6::uuid is null or ci.assignee_id = $6)
               ) s on s.at >= w.ws and s.at < w.we
               group by w.n
           ),
           checks as (
               select w.n,
                      count(*) filter (where ci.status = 'done') as done,
                      count(*) filter (where ci.status = 'missed'
                          or (ci.status = 'scheduled' and ci.due_date < $7)) as missed
               from w
               join check_ins ci on ci.due_date >= w.monday and ci.due_date < w.monday + 7
               join cases c on c.id = ci.case_id
               where ($4 or c.team_id = $5) and ($6::uuid is null or ci.assignee_id = $6)
                 and ci.due_date >= $10 and ci.due_date < $11
               group by w.n
           )
           select w.monday as "monday!",
                  coalesce(o.opened, 0) as "opened!", coalesce(o.by_us, 0) as "detected_by_us!",
                  o.first_contact as "first_contact_secs?",
                  coalesce(t.talks, 0) as "conversations!",
                  coalesce(t.direct, 0) as "direct_conversations!",
                  f.fix as "fix_secs?",
                  coalesce(k.closed, 0) as "closed!", coalesce(k.restored, 0) as "restored!",
                  coalesce(k.cost, 0) as "reparation_cost_minor!",
                  coalesce(k.value, 0) as "reparation_value_minor!",
                  m.sentiment as "sentiment?", coalesce(m.moods, 0) as "sentiment_count!",
                  coalesce(ch.done, 0) as "check_ins_done!",
                  coalesce(ch.missed, 0) as "check_ins_missed!"
           from w
           left join opened o on o.n = w.n
           left join talks t on t.n = w.n
           left join fixed f on f.n = w.n
           left join closed k on k.n = w.n
           left join moods m on m.n = w.n
           left join checks ch on ch.n = w.n
           order by w.n"#,
        &starts,
        &ends,
        &mondays,
        all,
        team,
        who.only,
        today,
        lo,
        hi,
        first_monday,
        after_last
    )
    .fetch_all(db)
    .await
}

/// An account with several incidents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatAccount {
    pub account_id: Uuid,
    pub name: String,
    pub cases: i64,
}

/// Accounts with `min_cases` or more cases opened in `[since, until)`, the most first.
pub async fn repeat_accounts(
    db: impl PgExecutor<'_>,
    who: Who,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    min_cases: i64,
) -> sqlx::Result<Vec<RepeatAccount>> {
    let (all, team) = who.scope.sql_params();
    sqlx::query_as!(
        RepeatAccount,
        r#"select a.id as "account_id!", a.name as "name!", count(*) as "cases!"
           from cases c join accounts a on a.id = c.account_id
           where c.created_at >= $1 and c.created_at < $2
             and ($3 or c.team_id = $4) and ($5::uuid is null or c.owner_id = $5)
           group by a.id, a.name
           having count(*) >= $6
           order by count(*) desc, lower(a.name)
           limit 100"#,
        since,
        until,
        all,
        team,
        who.only,
        min_cases
    )
    .fetch_all(db)
    .await
}

/// Open cases in one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageCount {
    pub stage: String,
    pub cases: i64,
}

/// Open cases now, per stage (only stages that have some).
pub async fn open_by_stage(db: impl PgExecutor<'_>, who: Who) -> sqlx::Result<Vec<StageCount>> {
    let (all, team) = who.scope.sql_params();
    sqlx::query_as!(
        StageCount,
        r#"select c.stage as "stage!", count(*) as "cases!"
           from cases c
           where c.outcome = 'open'
             and ($1 or c.team_id = $2) and ($3::uuid is null or c.owner_id = $3)
           group by c.stage"#,
        all,
        team,
        who.only
    )
    .fetch_all(db)
    .await
}

/// One check-in of the week, for the export.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekCheckIn {
    pub due_date: NaiveDate,
    pub case_number: i64,
    pub account: String,
    pub assignee: String,
    pub status: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub sentiment: Option<i16>,
}

/// Every check-in due in the week starting `monday` (a week's worth: a few hundred at most per
/// team), by due date and case.
pub async fn week_check_ins(
    db: impl PgExecutor<'_>,
    who: Who,
    monday: NaiveDate,
) -> sqlx::Result<Vec<WeekCheckIn>> {
    let (all, team) = who.scope.sql_params();
    sqlx::query_as!(
        WeekCheckIn,
        r#"select ci.due_date, c.number as case_number, a.name as account, u.name as assignee,
                  ci.status, ci.completed_at, ci.sentiment
           from check_ins ci
           join cases c on c.id = ci.case_id
           join accounts a on a.id = c.account_id
           join users u on u.id = ci.assignee_id
           where ci.due_date >= $1 and ci.due_date < $1 + 7
             and ($2 or c.team_id = $3)
             and ($4::uuid is null or ci.assignee_id = $4)
           order by ci.due_date, c.number, ci.seq"#,
        monday,
        all,
        team,
        who.only
    )
    .fetch_all(db)
    .await
}
