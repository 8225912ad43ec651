//! The lessons library: lessons learned across every case the caller can see, searched (ranked
//! full text over each lesson's own words), filtered and paged; the lessons marked as applying
//! to all clients (the reminders on new cases); and marking a lesson that way.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use super::accounts::Choice;
use super::timeline::event;
use crate::domain::visibility::Scope;

/// What the library is narrowed down to. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonFilter {
    /// Words for `websearch_to_tsquery('english', …)`.
    pub search: Option<String>,
    pub category_id: Option<Uuid>,
    /// Part of an account's name, matched case-insensitively.
    pub account: Option<String>,
    /// `restored`, `lost` or `let_go`.
    pub outcome: Option<String>,
    /// Only lessons marked as applying to all clients.
    pub all_clients: bool,
    /// Lessons of cases still open as well as of closed ones.
    pub include_open: bool,
}

/// A lesson in the library, with its case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LessonRow {
    pub id: Uuid,
    pub text: String,
    pub applies_to_all: bool,
    pub created_at: DateTime<Utc>,
    pub author_name: Option<String>,
    pub case_number: i64,
    pub case_title: String,
    pub case_owner_id: Uuid,
    pub outcome: String,
    pub account_id: Uuid,
    pub account_name: String,
    pub category_name: String,
}

/// Pushes `select <columns> from …` for the lessons matching `filter` that `scope` sees, with
/// `query` (the search) in scope. Built at run time because the filters really are dynamic: a
/// filter that is not used leaves no trace in the SQL, so each set of filters gets a plan of its
/// own (an `$n is null or …` form would share one generic plan, which cannot use the search
/// index). Every value is bound. It reads only what the covering indexes hold of each case.
fn push_matching<'a>(
    q: &mut QueryBuilder<'a, Postgres>,
    scope: Scope,
    filter: &'a LessonFilter,
    account: Option<&'a str>,
    columns: &str,
) {
    let (all, team) = scope.sql_params();
    q.push("select ");
    q.push(columns);
    q.push(" from lessons l join cases c on c.id = l.case_id");
    if account.is_some() {
        q.push(" join accounts a on a.id = c.account_id");
    }
    if let Some(search) = &filter.search {
        q.push(", websearch_to_tsquery('english', ")
            .push_bind(search.as_str())
            .push(") as query");
    }
    q.push(" where l.removed_at is null");
    if !all {
        // `team` is None for a user without a team: `= null` matches nothing.
        q.push(" and c.team_id = ").push_bind(team);
    }
    if filter.search.is_some() {
        q.push(" and l.search @@ query");
    }
    if let Some(id) = filter.category_id {
        q.push(" and c.category_id = ").push_bind(id);
    }
    if let Some(pattern) = account {
        q.push(" and a.name ilike ").push_bind(pattern);
    }
    if let Some(outcome) = &filter.outcome {
        q.push(" and c.outcome = ").push_bind(outcome.as_str());
    } else if !filter.include_open {
        q.push(" and c.outcome <> 'open'");
    }
    if filter.all_clients {
        q.push(" and l.applies_to_all");
    }
}

/// One page of lessons — the best matches first when searching, else the newest — and how many
/// match in all.
#[tracing::instrument(skip_all)]
pub async fn page(
    db: &mut PgConnection,
    scope: Scope,
    filter: &LessonFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<LessonRow>, i64)> {
    let account = filter.account.as_deref().map(super::accounts::like_pattern);
    // The page's lessons are found first from the indexes; only those few are then read in
    // full with their cases (reading every matching case's row cost ~100 ms on 100k cases).
    let mut q = QueryBuilder::new(
        "select l.id, l.text, l.applies_to_all, l.created_at, u.name as author_name,
                c.number as case_number, c.title as case_title, c.owner_id as case_owner_id,
                c.outcome, a.id as account_id, a.name as account_name,
                k.name as category_name
         from (",
    );
    let rank = if filter.search.is_some() {
        "ts_rank(l.search, query)"
    } else {
        "0::real"
    };
    push_matching(
        &mut q,
        scope,
        filter,
        account.as_deref(),
        &format!("l.id, {rank} as rank, l.created_at"),
    );
    if filter.search.is_some() {
        q.push(" order by rank desc,");
    } else {
        q.push(" order by");
    }
    q.push(" l.created_at desc, l.id desc limit ")
        .push_bind(limit)
        .push(" offset ")
        .push_bind(offset);
    q.push(
        ") as hit
         join lessons l on l.id = hit.id
         join cases c on c.id = l.case_id
         join accounts a on a.id = c.account_id
         join categories k on k.id = c.category_id
         left join users u on u.id = l.created_by
         order by hit.rank desc, hit.created_at desc, hit.id desc",
    );
    let rows = q.build_query_as::<LessonRow>().fetch_all(&mut *db).await?;
    let mut count = QueryBuilder::new("");
    push_matching(&mut count, scope, filter, account.as_deref(), "count(*)");
    let total: i64 = count.build_query_scalar().fetch_one(&mut *db).await?;
    Ok((rows, total))
}

/// Every category, retired ones too (their cases still have lessons), for the filter.
pub async fn categories(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select id, name || case when retired_at is null then '' else ' (retired)' end as "label!"
           from categories order by retired_at is not null, position, lower(name)"#
    )
    .fetch_all(db)
    .await
}

/// A lesson that applies to all clients, as a reminder.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub case_number: i64,
    pub account_name: String,
}

/// The newest `limit` lessons of closed cases the caller can see that apply to all clients,
/// except those of case `except`, and how many there are in all.
#[tracing::instrument(skip_all, fields(case_id = %except))]
pub async fn reminders(
    db: impl PgExecutor<'_>,
    scope: Scope,
    except: Uuid,
    limit: i64,
) -> sqlx::Result<(Vec<Reminder>, i64)> {
    let (all, team) = scope.sql_params();
    let rows = sqlx::query!(
        r#"select l.text, l.created_at, c.number, a.name as account_name,
                  count(*) over () as "total!"
           from lessons l
           join cases c on c.id = l.case_id
           join accounts a on a.id = c.account_id
           where l.applies_to_all and l.removed_at is null
             and c.outcome <> 'open' and c.id <> $3
             and ($1 or c.team_id = $2)
           order by l.created_at desc, l.id desc
           limit $4"#,
        all,
        team,
        except,
        limit
    )
    .fetch_all(db)
    .await?;
    let total = rows.first().map(|r| r.total).unwrap_or(0);
    let reminders = rows
        .into_iter()
        .map(|r| Reminder {
            text: r.text,
            created_at: r.created_at,
            case_number: r.number,
            account_name: r.account_name,
        })
        .collect();
    Ok((reminders, total))
}

/// A lesson locked together with its case, for a change.
#[derive(Debug, Clone)]
pub struct LockedLesson {
    pub id: Uuid,
    pub text: String,
    pub applies_to_all: bool,
    pub case_id: Uuid,
    pub case_number: i64,
    pub case_owner_id: Uuid,
}

/// Locks a lesson the caller can see (not removed) and its case for the rest of the transaction.
#[tracing::instrument(skip_all, fields(lesson_id = %id))]
pub async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    scope: Scope,
    id: Uuid,
) -> sqlx::Result<Option<LockedLesson>> {
    let (all, team) = scope.sql_params();
    sqlx::query_as!(
        LockedLesson,
        r#"select l.id, l.text, l.applies_to_all, c.id as case_id, c.number as case_number,
                  c.owner_id as case_owner_id
           from lessons l join cases c on c.id = l.case_id
           where l.id = $1 and l.removed_at is null and ($2 or c.team_id = $3)
           for update"#,
        id,
        all,
        team
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Marks a locked lesson as applying to all clients, or no longer, with its timeline event.
#[tracing::instrument(skip_all, fields(lesson_id = %lesson.id))]
pub async fn set_applies_to_all(
    tx: &mut Transaction<'_, Postgres>,
    lesson: &LockedLesson,
    applies_to_all: bool,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update lessons set applies_to_all = $2 where id = $1",
        lesson.id,
        applies_to_all
    )
    .execute(&mut **tx)
    .await?;
    let short: String = lesson.text.chars().take(80).collect();
    let summary = if applies_to_all {
        format!("Marked a lesson as applying to all clients: {short}")
    } else {
        format!("A lesson no longer applies to all clients: {short}")
    };
    event(
        tx,
        lesson.case_id,
        actor,
        "lesson_all_clients",
        &summary,
        json!({"lesson": lesson.id, "applies_to_all": applies_to_all}),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Lessons that spread (migration 20261128000009)

/// Sets (or, with no items, takes away) the checklist of a lesson the caller has locked, and
/// says so on its case's timeline.
pub async fn set_checklist(
    tx: &mut Transaction<'_, Postgres>,
    lesson: &LockedLesson,
    checklist: &crate::domain::lesson::Checklist,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update lessons set checklist = $2, reach = $3 where id = $1",
        lesson.id,
        &checklist.items,
        checklist.reach.as_str()
    )
    .execute(&mut **tx)
    .await?;
    let summary = if checklist.items.is_empty() {
        "Took the checklist off a lesson".to_string()
    } else {
        format!(
            "Checklist for the lesson, to apply for {}: {}",
            checklist.reach.label(),
            checklist.items.join("; ")
        )
    };
    super::timeline::event(
        tx,
        lesson.case_id,
        actor,
        "lesson",
        &summary,
        serde_json::json!({}),
    )
    .await
}

/// How far a lesson's checklist has spread, and where the fix did not hold.
#[derive(Debug, Clone, Default)]
pub struct Rollout {
    pub checklist: Vec<String>,
    pub reach: String,
    /// Accounts in reach, other than the lesson's own.
    pub in_reach: i64,
    /// Of those, where the checklist was done.
    pub done: i64,
    /// Later cases in the lesson's category on accounts where it was done: (account, case).
    pub did_not_hold: Vec<(String, i64)>,
}

#[derive(Debug, serde::Deserialize)]
struct Failure {
    account: String,
    number: i64,
}

/// The rollout of each of `ids` that carries a checklist.
pub async fn rollouts(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, Rollout>> {
    let rows = sqlx::query!(
        r#"select l.id, l.checklist, l.reach,
                  (select count(*) from accounts a
                   where (l.reach = 'organisation' or a.team_id = c.team_id)
                     and a.id <> c.account_id) as "in_reach!",
                  (select count(*) from lesson_rollouts r where r.lesson_id = l.id) as "done!",
                  coalesce((select json_agg(json_build_object('account', a.name, 'number', n.number)
                                            order by n.created_at)
                            from lesson_rollouts r join accounts a on a.id = r.account_id
                            join cases n on n.account_id = r.account_id
                                        and n.category_id = c.category_id
                                        and n.created_at > r.done_at
                            where r.lesson_id = l.id), '[]') as "failed!: sqlx::types::Json<Vec<Failure>>"
           from lessons l join cases c on c.id = l.case_id
           where l.id = any($1) and cardinality(l.checklist) > 0"#,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Rollout {
                    checklist: r.checklist,
                    reach: r.reach,
                    in_reach: r.in_reach,
                    done: r.done,
                    did_not_hold: r
                        .failed
                        .0
                        .into_iter()
                        .map(|f| (f.account, f.number))
                        .collect(),
                },
            )
        })
        .collect())
}

/// A lesson's checklist still to do on one of my accounts.
#[derive(Debug, Clone)]
pub struct ToApply {
    pub lesson_id: Uuid,
    pub text: String,
    pub checklist: Vec<String>,
    pub case_number: i64,
    pub account_id: Uuid,
    pub account_name: String,
}

/// Up to `limit` checklists to do on the accounts `manager` manages, oldest lesson first, and
/// how many there are in all.
pub async fn to_apply(
    db: &sqlx::PgPool,
    manager: Uuid,
    limit: i64,
) -> sqlx::Result<(Vec<ToApply>, i64)> {
    let rows = sqlx::query!(
        r#"select l.id as lesson_id, l.text, l.checklist, c.number as case_number,
                  a.id as account_id, a.name as account_name,
                  count(*) over () as "total!"
           from lessons l join cases c on c.id = l.case_id
           join accounts a on a.manager_id = $1
                          and (l.reach = 'organisation' or a.team_id = c.team_id)
                          and a.id <> c.account_id
           where l.applies_to_all and l.removed_at is null and cardinality(l.checklist) > 0
             and not exists (select 1 from lesson_rollouts r
                             where r.lesson_id = l.id and r.account_id = a.id)
           order by l.created_at, a.name
           limit $2"#,
        manager,
        limit
    )
    .fetch_all(db)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((
        rows.into_iter()
            .map(|r| ToApply {
                lesson_id: r.lesson_id,
                text: r.text,
                checklist: r.checklist,
                case_number: r.case_number,
                account_id: r.account_id,
                account_name: r.account_name,
            })
            .collect(),
        total,
    ))
}

/// Records that the checklist of `lesson` was done on `account`, if the lesson is for all
/// clients with a checklist, the account is in its reach and `scope` sees it. The lesson's
/// case's timeline says so. Returns the account's name when it was recorded (or already was).
pub async fn mark_applied(
    tx: &mut Transaction<'_, Postgres>,
    scope: Scope,
    lesson: Uuid,
    account: Uuid,
    actor: Uuid,
) -> sqlx::Result<Option<String>> {
    let (all, team) = scope.sql_params();
    let target = sqlx::query!(
        "select a.name, c.id as case_id from lessons l join cases c on c.id = l.case_id
         join accounts a on a.id = $2
         where l.id = $1 and l.applies_to_all and l.removed_at is null
           and cardinality(l.checklist) > 0
           and (l.reach = 'organisation' or a.team_id = c.team_id) and a.id <> c.account_id
           and ($3 or a.team_id = $4)",
        lesson,
        account,
        all,
        team
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(target) = target else {
        return Ok(None);
    };
    let inserted = sqlx::query!(
        "insert into lesson_rollouts (lesson_id, account_id, done_by) values ($1, $2, $3)
         on conflict do nothing",
        lesson,
        account,
        actor
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query!(
            "insert into case_events (case_id, actor_id, kind, summary) values ($1, $2, 'lesson', $3)",
            target.case_id,
            actor,
            format!("The lesson's checklist was done for {}", target.name)
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(Some(target.name))
}
