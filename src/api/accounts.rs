//! Accounts over the API: list (search, keyset pages) and create, through the same use case
//! (`app::accounts::create`) and validation as the account form.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::ApiJson;
use super::problem::ApiResult;
use super::{Caller, Problem};
use crate::db::accounts::{self as db_accounts, ApiAccount};
use crate::domain::account::AccountForm;
use crate::domain::money;
use crate::{AppState, app};

/// A client account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: Uuid,
    pub name: String,
    pub team_id: Uuid,
    pub team_name: String,
    /// The account manager, if one is set.
    pub manager_id: Option<Uuid>,
    /// In minor units (cents) of `currency`.
    pub annual_value_minor: i64,
    pub currency: String,
    /// strategic, key or standard.
    pub tier: String,
    /// The account's id in another system.
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<ApiAccount> for Account {
    fn from(a: ApiAccount) -> Account {
        Account {
            id: a.id,
            name: a.name,
            team_id: a.team_id,
            team_name: a.team_name,
            manager_id: a.manager_id,
            annual_value_minor: a.annual_value_minor,
            currency: a.currency,
            tier: a.tier,
            external_id: a.external_id,
            created_at: a.created_at,
        }
    }
}

/// One page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountPage {
    pub items: Vec<Account>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Part of the account's name.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// Lists the accounts the token's user can see, by name.
#[utoipa::path(
    get,
    path = "/api/v1/accounts",
    tag = "accounts",
    params(AccountQuery),
    responses(
        (status = 200, description = "A page of accounts", body = AccountPage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AccountQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<AccountPage>> {
    let q = super::query(query)?;
    let limit = super::page_limit(q.limit)?;
    // The cursor is the last account's id; its name is read back so the order is by name.
    let after = match super::cursor(q.cursor.as_deref()) {
        None => None,
        Some(raw) => {
            let id = Uuid::parse_str(raw).map_err(|_| super::bad_cursor())?;
            let last = db_accounts::api_page(&state.db, caller.scope(), None, Some(id), None, 1)
                .await?
                .pop()
                .ok_or_else(super::bad_cursor)?;
            Some((last.name.to_lowercase(), id))
        }
    };
    let search = super::search_term(q.q.as_deref());
    let mut rows = db_accounts::api_page(
        &state.db,
        caller.scope(),
        search.as_deref(),
        None,
        after.as_ref().map(|(n, i)| (n.as_str(), *i)),
        limit + 1,
    )
    .await?;
    let next_cursor = super::next_page(&mut rows, limit, |a| a.id.to_string());
    Ok(Json(AccountPage {
        items: rows.into_iter().map(Account::from).collect(),
        next_cursor,
    }))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub name: String,
    /// Default: the token user's team.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// An active member of the account's team.
    #[serde(default)]
    pub manager_id: Option<Uuid>,
    /// In minor units (cents); default 0.
    #[serde(default)]
    pub annual_value_minor: i64,
    /// ISO 4217, default EUR.
    #[serde(default)]
    pub currency: Option<String>,
    /// strategic, key or standard (default).
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub notes: String,
    /// The account's id in another system (unique).
    #[serde(default)]
    pub external_id: Option<String>,
}

/// The account form's field names, as the API names them.
fn api_field(field: &str) -> String {
    match field {
        "annual_value" => "annual_value_minor".to_string(),
        other => other.to_string(),
    }
}

/// Creates an account.
#[utoipa::path(
    post,
    path = "/api/v1/accounts",
    tag = "accounts",
    request_body = NewAccount,
    responses(
        (status = 201, description = "The new account", body = Account),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewAccount>,
) -> ApiResult<Response> {
    if body.annual_value_minor < 0 {
        return Err(Problem::invalid_field(
            "annual_value_minor",
            "The annual value cannot be negative.",
        ));
    }
    let external_id = body
        .external_id
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    if external_id
        .as_ref()
        .is_some_and(|e| e.chars().count() > 200)
    {
        return Err(Problem::invalid_field(
            "external_id",
            "Use at most 200 characters.",
        ));
    }
    let form = AccountForm {
        name: body.name,
        team_id: body
            .team_id
            .or(caller.team_id)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        manager_id: body.manager_id.map(|m| m.to_string()).unwrap_or_default(),
        annual_value: money::format_input(body.annual_value_minor),
        currency: body.currency.unwrap_or_else(|| "EUR".into()),
        tier: body.tier.unwrap_or_else(|| "standard".into()),
        contact_name: body.contact_name,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone,
        notes: body.notes,
    };
    let input = form
        .parse()
        .map_err(|e| Problem::from_fields(&e, api_field))?;
    let id = match app::accounts::create(&state.db, &caller.actor(), &input, external_id.as_deref())
        .await
    {
        Ok(id) => id,
        Err(app::Error::Invalid(errors)) => return Err(Problem::from_fields(&errors, api_field)),
        Err(app::Error::Conflict(taken)) => return Err(Problem::invalid_field("name", taken)),
        Err(e) => return Err(e.into()),
    };
    let scope = caller.scope();
    let account = db_accounts::api_page(&state.db, scope, None, Some(id), None, 1)
        .await?
        .pop()
        .map(Account::from)
        .ok_or_else(Problem::internal)?;
    // The account's page: the API has no single-account endpoint.
    Ok(super::cases::created_response(
        format!("/accounts/{id}"),
        account,
    ))
}
