//! The weekly follow-up dashboard's numbers, each one an SQL aggregate: check-in discipline per
//! account manager, the framework's signals for a run of weeks, repeat-incident accounts and open
//! cases by stage. Nothing here loads cases row by row.
//!
//! Week bounds are computed by the caller (local midnights in the viewer's time zone, see
//! `domain::week`) and passed in as instants; check-in due dates are calendar dates and are
//! compared with the week's Monday..Sunday.

use crate::domain::cadence::CheckInStatus;
use crate::domain::stage::Stage;
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
           join users u on u.id = ci.assignee_id
           where ci.due_date >= $1 and ci.due_date < $1 + 7
             and ci.team_id in (select id from teams where $2 or id = $3)
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

/// The signals of each of `weeks` (oldest first, consecutive), in one query.
///
/// Every part is an index-only range scan of one team's facts over the whole span, bucketed into
/// weeks with `width_bucket` over the weeks' bounds (local midnights, so a week with a daylight
/// saving change is 167 or 169 hours long and still counted right). See
/// migrations/20261126000001_dashboard_facts.sql for the facts and their indexes.
pub async fn signals(
    db: impl PgExecutor<'_>,
    who: Who,
    weeks: &[WeekSpan],
    today: NaiveDate,
) -> sqlx::Result<Vec<WeekSignals>> {
    let (all, team) = who.scope.sql_params();
    debug_assert!(
        weeks.windows(2).all(|w| w[0].end == w[1].start),
        "weeks must be consecutive"
    );
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Ok(Vec::new());
    };
    // Bounds for width_bucket: each week's start, then the last week's end. Bucket i (1-based)
    // is weeks[i - 1].
    let bounds: Vec<DateTime<Utc>> = weeks
        .iter()
        .map(|w| w.start)
        .chain(std::iter::once(last.end))
        .collect();
    let day_bounds: Vec<NaiveDate> = weeks
        .iter()
        .map(|w| w.monday)
        .chain(std::iter::once(last.monday + chrono::Days::new(7)))
        .collect();
    let mondays: Vec<NaiveDate> = weeks.iter().map(|w| w.monday).collect();
    sqlx::query_as!(
        WeekSignals,
        r#"with w as (
               select monday, n::int4 as n
               from unnest($1::date[]) with ordinality as w(monday, n)
           ),
           teams_in as (select id from teams where $2 or id = $3),
           opened as (
               select width_bucket(c.created_at, $5::timestamptz[]) as n, count(*) as opened,
                      count(*) filter (where c.detected_by = 'us') as by_us,
                      -- greatest() skips nulls: a case without conversations must stay null.
                      percentile_cont(0.5) within group (order by
                          case when c.first_contact_at is not null then
                              greatest(extract(epoch from c.first_contact_at - c.created_at), 0)::float8
                          end) as first_contact
               from cases c
               where c.team_id in (select id from teams_in)
                 and ($4::uuid is null or c.owner_id = $4)
                 and c.created_at >= $6 and c.created_at < $7
               group by 1
           ),
           talks as (
               select width_bucket(v.happened_at, $5::timestamptz[]) as n, count(*) as talks,
                      count(*) filter (where v.channel in ('in_person', 'phone')) as direct,
                      sum(v.sentiment) as mood_sum
               from conversations v
               where v.removed_at is null
                 and v.team_id in (select id from teams_in)
                 and ($4::uuid is null or v.owner_id = $4)
                 and v.happened_at >= $6 and v.happened_at < $7
               group by 1
           ),
           fixed as (
               select width_bucket(c.fixed_at, $5::timestamptz[]) as n,
                      percentile_cont(0.5) within group (
                          order by extract(epoch from c.fixed_at - c.created_at)::float8) as fix
               from cases c
               where c.fixed_at is not null
                 and c.team_id in (select id from teams_in)
                 and ($4::uuid is null or c.owner_id = $4)
                 and c.fixed_at >= $6 and c.fixed_at < $7
               group by 1
           ),
           closed as (
               select width_bucket(c.closed_at, $5::timestamptz[]) as n, count(*) as closed,
                      count(*) filter (where c.outcome = 'restored') as restored,
                      coalesce(sum(c.reparation_cost_minor), 0)::int8 as cost,
                      coalesce(sum((select a.annual_value_minor from accounts a
                                     where a.id = c.account_id))
                          filter (where c.reparation_cost_minor is not null), 0)::int8 as value
               from cases c
               where c.closed_at is not null
                 and c.team_id in (select id from teams_in)
                 and ($4::uuid is null or c.owner_id = $4)
                 and c.closed_at >= $6 and c.closed_at < $7
               group by 1
           ),
           check_moods as (
               select width_bucket(ci.completed_at, $5::timestamptz[]) as n,
                      sum(ci.sentiment) as mood_sum, count(ci.sentiment) as moods
               from check_ins ci
               where ci.status = 'done'
                 and ci.team_id in (select id from teams_in)
                 and ($4::uuid is null or ci.assignee_id = $4)
                 and ci.completed_at >= $6 and ci.completed_at < $7
               group by 1
           ),
           checks as (
               select width_bucket(ci.due_date, $8::date[]) as n,
                      count(*) filter (where ci.status = 'done') as done,
                      count(*) filter (where ci.status = 'missed'
                          or (ci.status = 'scheduled' and ci.due_date < $9)) as missed
               from check_ins ci
               where ci.team_id in (select id from teams_in)
                 and ($4::uuid is null or ci.assignee_id = $4)
                 and ci.due_date >= $10 and ci.due_date < $11
               group by 1
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
                  case when coalesce(t.talks, 0) + coalesce(m.moods, 0) > 0 then
                      ((coalesce(t.mood_sum, 0) + coalesce(m.mood_sum, 0))::float8
                       / (coalesce(t.talks, 0) + coalesce(m.moods, 0)))
                  end as "sentiment?",
                  coalesce(t.talks, 0) + coalesce(m.moods, 0) as "sentiment_count!",
                  coalesce(ch.done, 0) as "check_ins_done!",
                  coalesce(ch.missed, 0) as "check_ins_missed!"
           from w
           left join opened o on o.n = w.n
           left join talks t on t.n = w.n
           left join fixed f on f.n = w.n
           left join closed k on k.n = w.n
           left join check_moods m on m.n = w.n
           left join checks ch on ch.n = w.n
           order by w.n"#,
        &mondays,
        all,
        team,
        who.only,
        &bounds,
        first.start,
        last.end,
        &day_bounds,
        today,
        first.monday,
        last.monday + chrono::Days::new(7)
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
        r#"select a.id as "account_id!", a.name as "name!", r.cases as "cases!"
           from (select c.account_id, count(*) as cases
                 from cases c
                 where c.created_at >= $1 and c.created_at < $2
                   and c.team_id in (select id from teams where $3 or id = $4)
                   and ($5::uuid is null or c.owner_id = $5)
                 group by c.account_id
                 having count(*) >= $6) r
           join accounts a on a.id = r.account_id
           order by r.cases desc, lower(a.name)
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
    pub stage: Stage,
    pub cases: i64,
}

/// Open cases now, per stage (only stages that have some).
pub async fn open_by_stage(db: impl PgExecutor<'_>, who: Who) -> sqlx::Result<Vec<StageCount>> {
    let (all, team) = who.scope.sql_params();
    sqlx::query_as!(
        StageCount,
        r#"select c.stage as "stage!: Stage", count(*) as "cases!"
           from cases c
           where c.outcome = 'open'
             and c.team_id in (select id from teams where $1 or id = $2)
             and ($3::uuid is null or c.owner_id = $3)
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
    pub status: CheckInStatus,
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
                  ci.status as "status: CheckInStatus", ci.completed_at, ci.sentiment
           from check_ins ci
           join cases c on c.id = ci.case_id
           join accounts a on a.id = c.account_id
           join users u on u.id = ci.assignee_id
           where ci.due_date >= $1 and ci.due_date < $1 + 7
             and ci.team_id in (select id from teams where $2 or id = $3)
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

/// What the weekly dashboard reads from the database for one audience and week (reused briefly
/// between views: `crate::recent`).
#[derive(Debug, Clone)]
pub struct Numbers {
    pub counts: Vec<CheckInCounts>,
    pub signals: Vec<WeekSignals>,
    pub repeat: Vec<RepeatAccount>,
    pub by_stage: Vec<StageCount>,
    pub commitments: super::commitments::MarkCounts,
}
