//! Intake sources (a helpdesk or monitoring tool that opens incidents through the signed
//! webhook) and the events they delivered.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

/// A source as the webhook needs it.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: Uuid,
    pub name: String,
    pub secret: String,
    pub internal: bool,
    pub default_owner_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub disabled: bool,
}

/// The source named in the URL, if it exists.
pub async fn find(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<Option<Source>> {
    sqlx::query_as!(
        Source,
        r#"select id, name, secret, internal, default_owner_id, category_id,
                  disabled_at is not null as "disabled!"
           from intake_sources where name = $1"#,
        name
    )
    .fetch_optional(db)
    .await
}

/// A source as admins see it.
#[derive(Debug, Clone)]
pub struct SourceRow {
    pub id: Uuid,
    pub name: String,
    pub secret: String,
    pub internal: bool,
    pub default_owner: Option<String>,
    pub category: Option<String>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub events: i64,
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<SourceRow>> {
    sqlx::query_as!(
        SourceRow,
        r#"select s.id, s.name, s.secret, s.internal, u.name as "default_owner?",
                  k.name as "category?", s.created_at, s.disabled_at,
                  (select count(*) from intake_events e where e.source_id = s.id) as "events!"
           from intake_sources s
           left join users u on u.id = s.default_owner_id
           left join categories k on k.id = s.category_id
           order by s.name"#
    )
    .fetch_all(db)
    .await
}

/// A new source; its id, or None when the name is taken.
pub async fn create(
    db: impl PgExecutor<'_>,
    name: &str,
    secret: &str,
    internal: bool,
    default_owner_id: Option<Uuid>,
    category_id: Option<Uuid>,
    created_by: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "insert into intake_sources (name, secret, internal, default_owner_id, category_id, created_by)
         values ($1, $2, $3, $4, $5, $6) on conflict (name) do nothing returning id",
        name,
        secret,
        internal,
        default_owner_id,
        category_id,
        created_by
    )
    .fetch_optional(db)
    .await
}

/// Turns a source off or on again; its name, or None when there is no such source.
pub async fn set_disabled(
    db: impl PgExecutor<'_>,
    id: Uuid,
    disabled: bool,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "update intake_sources set disabled_at = case when $2 then coalesce(disabled_at, now()) end
         where id = $1 returning name",
        id,
        disabled
    )
    .fetch_optional(db)
    .await
}

/// Gives a source a new secret; its name, or None when there is no such source.
pub async fn set_secret(
    db: impl PgExecutor<'_>,
    id: Uuid,
    secret: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "update intake_sources set secret = $2 where id = $1 returning name",
        id,
        secret
    )
    .fetch_optional(db)
    .await
}

/// The case an earlier delivery of this event opened, if any.
pub async fn delivered(
    db: impl PgExecutor<'_>,
    source_id: Uuid,
    event_id: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select c.number from intake_events e join cases c on c.id = e.case_id
         where e.source_id = $1 and e.event_id = $2",
        source_id,
        event_id
    )
    .fetch_optional(db)
    .await
}

/// Records the event's case; false when a concurrent delivery recorded it first (the caller
/// rolls back its case then).
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    source_id: Uuid,
    event_id: &str,
    case_number: i64,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "insert into intake_events (source_id, event_id, case_id)
         select $1, $2, id from cases where number = $3
         on conflict do nothing",
        source_id,
        event_id,
        case_number
    )
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The account an event names, by its id in another system or by its name (any case).
#[derive(Debug, Clone)]
pub struct IntakeAccount {
    pub id: Uuid,
    pub team_id: Uuid,
    pub manager_id: Option<Uuid>,
}

pub async fn account(
    db: impl PgExecutor<'_>,
    external_id: Option<&str>,
    name: Option<&str>,
) -> sqlx::Result<Option<IntakeAccount>> {
    sqlx::query_as!(
        IntakeAccount,
        r#"select a.id, a.team_id,
                  (select u.id from users u where u.id = a.manager_id and u.active) as "manager_id?"
           from accounts a
           where ($1::text is not null and a.external_id = $1)
              or ($1::text is null and lower(a.name) = lower($2))"#,
        external_id,
        name
    )
    .fetch_optional(db)
    .await
}

/// The category a new case from this event gets: the one it names (if in use), else the
/// source's, else "Other", else the first in use.
pub async fn category(
    db: impl PgExecutor<'_>,
    named: Option<&str>,
    source_default: Option<Uuid>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"select id as "id!" from categories
           where retired_at is null
           order by (lower(name) = lower($1)) desc nulls last,
                    (id = $2) desc nulls last,
                    (lower(name) = 'other') desc,
                    position, name
           limit 1"#,
        named,
        source_default
    )
    .fetch_optional(db)
    .await
}
