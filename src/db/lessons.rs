//! The lessons library: lessons learned across every case the caller can see, searched (ranked
//! full text over each lesson's own words), filtered and paged; the lessons marked as applying
//! to all clients (the reminders on new cases); and marking a lesson that way.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use super::accounts::Choice;
use super::cases::event;
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
