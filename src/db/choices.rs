//! The choices select boxes offer: categories in use, a team's people, the accounts one may log
//! incidents for.

use sqlx::PgExecutor;
use uuid::Uuid;

use super::accounts::Choice;
use crate::domain::visibility::Scope;

/// Active categories, in their order, for select boxes.
pub async fn categories(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select id, name as label from categories where retired_at is null order by position, lower(name)"#
    )
    .fetch_all(db)
    .await
}

/// People in the case's team who can own its work.
pub async fn team_members(db: impl PgExecutor<'_>, team_id: Uuid) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select id, name as label from users where team_id = $1 and active order by lower(name)"#,
        team_id
    )
    .fetch_all(db)
    .await
}

/// Accounts the caller can log incidents for, matching `search`, by name (the account picker).
pub async fn account_choices(
    db: impl PgExecutor<'_>,
    scope: Scope,
    search: &str,
    limit: i64,
) -> sqlx::Result<Vec<Choice>> {
    let (all, team) = scope.sql_params();
    let pattern = format!(
        "%{}%",
        search
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    sqlx::query_as!(
        Choice,
        r#"select id, name as label from accounts
           where ($1 or team_id = $2) and name ilike $3
           order by lower(name) limit $4"#,
        all,
        team,
        pattern,
        limit
    )
    .fetch_all(db)
    .await
}

/// The account the caller can see whose name is `name` (ignoring case and surrounding spaces),
/// if there is exactly one.
pub async fn account_named(
    db: impl PgExecutor<'_>,
    scope: Scope,
    name: &str,
) -> sqlx::Result<Option<Uuid>> {
    let (all, team) = scope.sql_params();
    let ids = sqlx::query_scalar!(
        "select id from accounts where ($1 or team_id = $2) and lower(name) = lower($3) limit 2",
        all,
        team,
        name.trim()
    )
    .fetch_all(db)
    .await?;
    Ok(match ids.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}
