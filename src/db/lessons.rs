//! The lessons library: lessons learned across every case the caller can see, searched (ranked
//! full text over each lesson's own words), filtered and paged; the lessons marked as applying
//! to all clients (the reminders on new cases); and marking a lesson that way.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, Postgres, Transaction};
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
#[derive(Debug, Clone)]
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
    let (all, team) = scope.sql_params();
    let account = filter.account.as_deref().map(super::accounts::like_pattern);
    let rows = sqlx::query_as!(
        LessonRow,
        r#"select l.id, l.text, l.applies_to_all, l.created_at, u.name as "author_name?",
                  c.number as case_number, c.title as case_title, c.owner_id as case_owner_id,
                  c.outcome, a.id as account_id, a.name as account_name,
                  k.name as category_name
           from lessons l
           join cases c on c.id = l.case_id
           join accounts a on a.id = c.account_id
           join categories k on k.id = c.category_id
           left join users u on u.id = l.created_by
           where l.removed_at is null
             and ($1 or c.team_id = $2)
             and ($3::text is null or l.search @@ websearch_to_tsquery('english', $3))
             and ($4::uuid is null or c.category_id = $4)
             and ($5::text is null or a.name ilike $5)
             and ($6::text is null or c.outcome = $6)
             and ($7 or c.outcome <> 'open')
             and (not $8 or l.applies_to_all)
           order by case when $3::text is null then 0
                         else ts_rank(l.search, websearch_to_tsquery('english', $3)) end desc,
                    l.created_at desc, l.id desc
           limit $9 offset $10"#,
        all,
        team,
        filter.search,
        filter.category_id,
        account,
        filter.outcome,
        filter.include_open,
        filter.all_clients,
        limit,
        offset
    )
    .fetch_all(&mut *db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!"
           from lessons l
           join cases c on c.id = l.case_id
           join accounts a on a.id = c.account_id
           where l.removed_at is null
             and ($1 or c.team_id = $2)
             and ($3::text is null or l.search @@ websearch_to_tsquery('english', $3))
             and ($4::uuid is null or c.category_id = $4)
             and ($5::text is null or a.name ilike $5)
             and ($6::text is null or c.outcome = $6)
             and ($7 or c.outcome <> 'open')
             and (not $8 or l.applies_to_all)"#,
        all,
        team,
        filter.search,
        filter.category_id,
        account,
        filter.outcome,
        filter.include_open,
        filter.all_clients
    )
    .fetch_one(&mut *db)
    .await?;
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
