//! Client accounts. Every read takes a `Scope`: rows outside it do not exist for the caller.
//! Writes run in the caller's transaction (`app::accounts`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::account::AccountInput;
use crate::domain::visibility::Scope;

#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub name: String,
    pub team_id: Uuid,
    pub team_name: String,
    pub manager_id: Option<Uuid>,
    pub manager_name: Option<String>,
    pub annual_value_minor: i64,
    pub currency: String,
    pub tier: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub notes: String,
    pub created_at: DateTime<Utc>,
}

pub async fn get(db: impl PgExecutor<'_>, scope: Scope, id: Uuid) -> sqlx::Result<Option<Account>> {
    let (all, team) = scope.sql_params();
    sqlx::query_as!(
        Account,
        r#"select a.id, a.name, a.team_id, t.name as team_name, a.manager_id,
                  u.name as "manager_name?", a.annual_value_minor, a.currency, a.tier,
                  a.contact_name, a.contact_email, a.contact_phone, a.notes, a.created_at
           from accounts a
           join teams t on t.id = a.team_id
           left join users u on u.id = a.manager_id
           where a.id = $1 and ($2 or a.team_id = $3)"#,
        id,
        all,
        team
    )
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub search: Option<String>,
    pub team_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
    pub team_name: String,
    pub manager_name: Option<String>,
    pub annual_value_minor: i64,
    pub currency: String,
    pub tier: String,
    pub open_cases: i64,
    pub cases_last_year: i64,
}

/// Escapes `%`, `_` and `\` so a search term matches literally inside `like`.
pub(crate) fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// One page of accounts, by name, and how many match in all.
pub async fn list(
    db: &mut PgConnection,
    scope: Scope,
    filter: &AccountFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<AccountRow>, i64)> {
    let (all, team) = scope.sql_params();
    let pattern = filter.search.as_deref().map(like_pattern);
    let rows = sqlx::query_as!(
        AccountRow,
        r#"select a.id, a.name, t.name as team_name, u.name as "manager_name?",
                  a.annual_value_minor, a.currency, a.tier,
                  (select count(*) from cases c where c.account_id = a.id and c.outcome = 'open') as "open_cases!",
                  (select count(*) from cases c where c.account_id = a.id
                     and c.created_at > now() - interval '12 months') as "cases_last_year!"
           from accounts a
           join teams t on t.id = a.team_id
           left join users u on u.id = a.manager_id
           where ($1 or a.team_id = $2)
             and ($3::text is null or a.name ilike $3)
             and ($4::uuid is null or a.team_id = $4)
             and ($5::uuid is null or a.manager_id = $5)
           order by lower(a.name), a.id
           limit $6 offset $7"#,
        all,
        team,
        pattern,
        filter.team_id,
        filter.manager_id,
        limit,
        offset
    )
    .fetch_all(&mut *db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from accounts a
           where ($1 or a.team_id = $2)
             and ($3::text is null or a.name ilike $3)
             and ($4::uuid is null or a.team_id = $4)
             and ($5::uuid is null or a.manager_id = $5)"#,
        all,
        team,
        pattern,
        filter.team_id,
        filter.manager_id
    )
    .fetch_one(&mut *db)
    .await?;
    Ok((rows, total))
}

#[derive(Debug, thiserror::Error)]
pub enum SaveAccountError {
    #[error("an account named {0} already exists")]
    DuplicateName(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn map_save_error(e: sqlx::Error, name: &str) -> SaveAccountError {
    if super::is_unique_violation(&e, "accounts_name_key") {
        SaveAccountError::DuplicateName(name.to_string())
    } else {
        e.into()
    }
}

pub async fn create(
    db: impl PgExecutor<'_>,
    input: &AccountInput,
) -> Result<Uuid, SaveAccountError> {
    sqlx::query_scalar!(
        "insert into accounts (name, team_id, manager_id, annual_value_minor, currency, tier,
                               contact_name, contact_email, contact_phone, notes)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        input.name,
        input.team_id,
        input.manager_id,
        input.annual_value_minor,
        input.currency,
        input.tier.as_str(),
        input.contact_name,
        input.contact_email,
        input.contact_phone,
        input.notes
    )
    .fetch_one(db)
    .await
    .map_err(|e| map_save_error(e, &input.name))
}

/// Updates an account the caller can see; its cases follow it if it moves team (two writes:
/// call it in a transaction). Returns false when the account is not visible.
pub async fn update(
    conn: &mut PgConnection,
    scope: Scope,
    id: Uuid,
    input: &AccountInput,
) -> Result<bool, SaveAccountError> {
    let (all, team) = scope.sql_params();
    let updated = sqlx::query!(
        "update accounts set name = $1, team_id = $2, manager_id = $3, annual_value_minor = $4,
                currency = $5, tier = $6, contact_name = $7, contact_email = $8,
                contact_phone = $9, notes = $10, updated_at = now()
         where id = $11 and ($12 or team_id = $13)",
        input.name,
        input.team_id,
        input.manager_id,
        input.annual_value_minor,
        input.currency,
        input.tier.as_str(),
        input.contact_name,
        input.contact_email,
        input.contact_phone,
        input.notes,
        id,
        all,
        team
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| map_save_error(e, &input.name))?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "update cases set team_id = $1 where account_id = $2 and team_id <> $1",
        input.team_id,
        id
    )
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// A case in an account's history.
#[derive(Debug, Clone)]
pub struct AccountCase {
    pub number: i64,
    pub title: String,
    pub stage: crate::domain::stage::Stage,
    pub outcome: crate::domain::stage::Outcome,
    pub severity: crate::domain::case::Severity,
    pub owner_name: String,
    pub created_at: DateTime<Utc>,
}

pub async fn cases(db: impl PgExecutor<'_>, account_id: Uuid) -> sqlx::Result<Vec<AccountCase>> {
    sqlx::query_as!(
        AccountCase,
        r#"select c.number, c.title, c.stage as "stage: crate::domain::stage::Stage",
                  c.outcome as "outcome: crate::domain::stage::Outcome",
                  c.severity as "severity: crate::domain::case::Severity",
                  u.name as owner_name, c.created_at
           from cases c join users u on u.id = c.owner_id
           where c.account_id = $1
           order by c.created_at desc, c.number desc"#,
        account_id
    )
    .fetch_all(db)
    .await
}

/// A choice in a select box.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: Uuid,
    pub label: String,
}

/// Teams the caller may give an account to.
pub async fn team_choices(db: impl PgExecutor<'_>, scope: Scope) -> sqlx::Result<Vec<Choice>> {
    let (all, team) = scope.sql_params();
    sqlx::query_as!(
        Choice,
        r#"select id, name as label from teams where ($1 or id = $2) order by lower(name)"#,
        all,
        team
    )
    .fetch_all(db)
    .await
}

/// Active people who can own accounts and cases, with their team, for select boxes.
pub async fn manager_choices(db: impl PgExecutor<'_>, scope: Scope) -> sqlx::Result<Vec<Choice>> {
    let (all, team) = scope.sql_params();
    sqlx::query_as!(
        Choice,
        r#"select u.id, u.name || coalesce(' (' || t.name || ')', '') as "label!"
           from users u left join teams t on t.id = u.team_id
           where u.active and ($1 or u.team_id = $2)
           order by lower(u.name)"#,
        all,
        team
    )
    .fetch_all(db)
    .await
}

/// Whether `user_id` is an active user in `team_id` (an account's manager must be in its team).
pub async fn is_team_member(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    team_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from users where id = $1 and team_id = $2 and active) as "e!""#,
        user_id,
        team_id
    )
    .fetch_one(db)
    .await
}

/// An account as the API lists it.
#[derive(Debug, Clone)]
pub struct ApiAccount {
    pub id: Uuid,
    pub name: String,
    pub team_id: Uuid,
    pub team_name: String,
    pub manager_id: Option<Uuid>,
    pub annual_value_minor: i64,
    pub currency: String,
    pub tier: String,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Up to `limit` visible accounts by name after the account named `after` (its lower-case name
/// and id): keyset pagination for the API. `id` reads one account.
pub async fn api_page(
    db: impl PgExecutor<'_>,
    scope: Scope,
    search: Option<&str>,
    id: Option<Uuid>,
    after: Option<(&str, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<ApiAccount>> {
    let (all, team) = scope.sql_params();
    let pattern = search.map(like_pattern);
    let (after_name, after_id) = after.map_or((None, None), |(n, i)| (Some(n), Some(i)));
    sqlx::query_as!(
        ApiAccount,
        r#"select a.id, a.name, a.team_id, t.name as team_name, a.manager_id,
                  a.annual_value_minor, a.currency, a.tier, a.external_id, a.created_at
           from accounts a join teams t on t.id = a.team_id
           where ($1 or a.team_id = $2)
             and ($3::text is null or a.name ilike $3)
             and ($4::uuid is null or a.id = $4)
             and ($5::text is null or (lower(a.name), a.id) > ($5, $6))
           order by lower(a.name), a.id
           limit $7"#,
        all,
        team,
        pattern,
        id,
        after_name,
        after_id,
        limit
    )
    .fetch_all(db)
    .await
}

/// Sets an account's id in another system. False when another account has it already.
pub async fn set_external_id(
    db: impl PgExecutor<'_>,
    id: Uuid,
    external_id: Option<&str>,
) -> sqlx::Result<bool> {
    match sqlx::query!(
        "update accounts set external_id = $2 where id = $1",
        id,
        external_id
    )
    .execute(db)
    .await
    {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e, "accounts_external_id_key") => Ok(false),
        Err(e) => Err(e),
    }
}
