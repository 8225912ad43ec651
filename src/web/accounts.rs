//! Client accounts: list (search, filters, pages), create, edit, and the account page with its
//! case history and the repeat-incident warning. Creating and saving an account are use cases
//! in `app::accounts`, shared with the API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Chrome, Ctx, Form, Pager, flash, render};
use crate::app;
use crate::auth::guard;
use crate::db::accounts::{self as db_accounts, AccountFilter, Choice};
use crate::domain::account::{self, AccountForm, Tier};
use crate::domain::visibility::Scope;
use crate::domain::{FieldErrors, money};
use crate::error::{AppError, Result};
use crate::state::AppState;

const PAGE_SIZE: i64 = 25;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/accounts", get(list).post(create))
        .route("/accounts/new", get(new))
        .route("/accounts/{id}", get(show).post(update))
        .route("/accounts/{id}/edit", get(edit))
        .route_layer(middleware::from_fn(guard::signed_in))
}

fn scope(ctx: &Ctx) -> Result<Scope> {
    let user = ctx.user()?;
    Ok(Scope::for_user(user.role, user.team_id))
}

/// An id from the path; anything that is not one is simply not found.
pub fn path_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    team: String,
    manager: String,
    page: String,
}

pub struct AccountListRow {
    pub id: Uuid,
    pub name: String,
    pub team_name: String,
    pub manager_name: String,
    pub annual_value: String,
    pub tier: String,
    pub open_cases: i64,
    pub repeat: bool,
}

#[derive(Template)]
#[template(path = "pages/accounts/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    team: String,
    manager: String,
    teams: Vec<Choice>,
    managers: Vec<Choice>,
    rows: Vec<AccountListRow>,
    total: i64,
    pager: Pager,
    filtered: bool,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let scope = scope(&ctx)?;
    let filter = AccountFilter {
        search: Some(q.q.trim().to_string()).filter(|s| !s.is_empty()),
        team_id: Uuid::parse_str(q.team.trim()).ok(),
        manager_id: Uuid::parse_str(q.manager.trim()).ok(),
    };
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let mut conn = state.db.acquire().await?;
    let (rows, total) =
        db_accounts::list(&mut conn, scope, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let teams = db_accounts::team_choices(&mut *conn, scope).await?;
    let managers = db_accounts::manager_choices(&mut *conn, scope).await?;
    let rows = rows
        .into_iter()
        .map(|r| AccountListRow {
            id: r.id,
            name: r.name,
            team_name: r.team_name,
            manager_name: r.manager_name.unwrap_or_else(|| "—".into()),
            annual_value: money::format(r.annual_value_minor, &r.currency),
            tier: Tier::parse(&r.tier)
                .map(Tier::label)
                .unwrap_or("")
                .to_string(),
            open_cases: r.open_cases,
            repeat: account::repeat_incidents(r.cases_last_year),
        })
        .collect();
    let params = [
        ("q", q.q.trim()),
        ("team", q.team.trim()),
        ("manager", q.manager.trim()),
    ];
    let pager = Pager::new("/accounts", &params, page, total, PAGE_SIZE);
    let filtered =
        filter.search.is_some() || filter.team_id.is_some() || filter.manager_id.is_some();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: ctx.chrome("Accounts"),
            q: q.q.trim().to_string(),
            team: q.team.trim().to_string(),
            manager: q.manager.trim().to_string(),
            teams,
            managers,
            rows,
            total,
            pager,
            filtered,
        },
    ))
}

#[derive(Template)]
#[template(path = "pages/accounts/form.html")]
struct FormPage {
    chrome: Chrome,
    /// None when creating.
    id: Option<Uuid>,
    form: AccountForm,
    errors: FieldErrors,
    teams: Vec<Choice>,
    managers: Vec<Choice>,
    tiers: Vec<(&'static str, &'static str)>,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    id: Option<Uuid>,
    form: AccountForm,
    errors: FieldErrors,
) -> Result<Response> {
    let scope = scope(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        chrome: ctx.chrome(if id.is_some() {
            "Edit account"
        } else {
            "New account"
        }),
        id,
        form,
        errors,
        teams: db_accounts::team_choices(&state.db, scope).await?,
        managers: db_accounts::manager_choices(&state.db, scope).await?,
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
    };
    Ok(render(status, &page))
}

async fn new(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let user = ctx.user()?;
    let form = AccountForm {
        team_id: user.team_id.map(|t| t.to_string()).unwrap_or_default(),
        manager_id: user.id.to_string(),
        currency: "EUR".into(),
        tier: "standard".into(),
        ..AccountForm::default()
    };
    form_page(&state, &ctx, None, form, FieldErrors::default()).await
}

/// The account form's errors, with a taken name's sentence beside the name.
fn refusal(e: app::Error) -> Result<FieldErrors> {
    match e {
        app::Error::Invalid(errors) => Ok(errors),
        app::Error::Conflict(taken) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "name",
                format!("{taken} Open it from the account list, or choose another name."),
            );
            Ok(errors)
        }
        e => Err(e.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return form_page(&state, &ctx, None, form, errors).await,
    };
    match app::accounts::create(&state.db, &actor, &input, None).await {
        Ok(id) => {
            flash(
                &ctx.session,
                "success",
                format!("Account \u{201c}{}\u{201d} created.", input.name),
            )
            .await?;
            Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
        }
        Err(e) => form_page(&state, &ctx, None, form, refusal(e)?).await,
    }
}

async fn edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response> {
    let id = path_id(&id)?;
    let a = db_accounts::get(&state.db, scope(&ctx)?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = AccountForm {
        name: a.name,
        team_id: a.team_id.to_string(),
        manager_id: a.manager_id.map(|m| m.to_string()).unwrap_or_default(),
        annual_value: money::format_input(a.annual_value_minor),
        currency: a.currency,
        tier: a.tier,
        contact_name: a.contact_name,
        contact_email: a.contact_email,
        contact_phone: a.contact_phone,
        notes: a.notes,
    };
    form_page(&state, &ctx, Some(id), form, FieldErrors::default()).await
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    let id = path_id(&id)?;
    let actor = ctx.user()?.actor();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => {
            // An account the user cannot see is not there, whatever was submitted.
            db_accounts::get(&state.db, actor.scope(), id)
                .await?
                .ok_or(AppError::NotFound)?;
            return form_page(&state, &ctx, Some(id), form, errors).await;
        }
    };
    match app::accounts::update(&state.db, &actor, id, &input).await {
        Ok(()) => {
            flash(&ctx.session, "success", "Account saved.").await?;
            Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
        }
        Err(e) => form_page(&state, &ctx, Some(id), form, refusal(e)?).await,
    }
}

pub struct CaseRow {
    pub number: i64,
    pub title: String,
    /// "Following up", or "Closed — restored".
    pub state: String,
    pub severity: &'static str,
    pub severity_class: &'static str,
    pub owner_name: String,
    pub opened: String,
}

#[derive(Template)]
#[template(path = "pages/accounts/show.html")]
struct ShowPage {
    chrome: Chrome,
    account: db_accounts::Account,
    annual_value: String,
    tier: String,
    cases: Vec<CaseRow>,
    cases_last_year: i64,
    repeat: bool,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response> {
    let id = path_id(&id)?;
    let account = db_accounts::get(&state.db, scope(&ctx)?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let cases = db_accounts::cases(&state.db, id).await?;
    let tz = crate::domain::case::time_zone(&ctx.user()?.time_zone);
    let year_ago = chrono::Utc::now() - chrono::Duration::days(365);
    let cases_last_year = cases.iter().filter(|c| c.created_at > year_ago).count() as i64;
    let cases = cases
        .into_iter()
        .map(|c| CaseRow {
            number: c.number,
            title: c.title,
            state: if c.stage == crate::domain::stage::Stage::Closed {
                format!("Closed \u{2014} {}", c.outcome.label().to_lowercase())
            } else {
                c.stage.label().to_string()
            },
            severity: c.severity.label(),
            severity_class: c.severity.as_str(),
            owner_name: c.owner_name,
            opened: c
                .created_at
                .with_timezone(&tz)
                .format("%-d %b %Y")
                .to_string(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ShowPage {
            chrome: ctx.chrome(account.name.clone()),
            annual_value: money::format(account.annual_value_minor, &account.currency),
            tier: Tier::parse(&account.tier)
                .map(Tier::label)
                .unwrap_or("")
                .to_string(),
            account,
            cases,
            cases_last_year,
            repeat: account::repeat_incidents(cases_last_year),
        },
    ))
}
