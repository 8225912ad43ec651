//! Administration (admins only): users, teams, incident categories and the e-mail outbox.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;

use super::page::{Form, flash};
use crate::db::categories::{self, CategoryError};
use crate::error::AppError;

use super::page::{Chrome, Ctx, Pager, render};
use crate::AppState;
use crate::auth::guard;
use crate::db;
use crate::error::Result;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/admin", get(admin))
        .route("/admin/categories", post(add_category))
        .route("/admin/categories/{id}", post(change_category))
        .route("/admin/outbox", get(outbox))
        .route_layer(middleware::from_fn(guard::admin))
}

pub struct AdminUserRow {
    pub name: String,
    pub email: String,
    pub role: String,
    pub role_label: String,
    pub team: Option<String>,
    pub active: bool,
}

pub struct TeamRow {
    pub name: String,
    pub members: i64,
}

pub struct CategoryRow {
    pub id: uuid::Uuid,
    pub name: String,
    pub retired: bool,
    pub cases: i64,
}

#[derive(Template)]
#[template(path = "pages/admin.html")]
struct AdminPage {
    chrome: Chrome,
    users: Vec<AdminUserRow>,
    teams: Vec<TeamRow>,
    categories: Vec<CategoryRow>,
    /// The category form's input and error, when a change was refused.
    category_name: String,
    category_error: Option<String>,
}

async fn admin(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    admin_page(&state, &ctx, StatusCode::OK, String::new(), None).await
}

async fn admin_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    category_name: String,
    category_error: Option<String>,
) -> Result<Response> {
    let users = db::users::list_all(&state.db)
        .await?
        .into_iter()
        .map(|u| AdminUserRow {
            name: u.name,
            email: u.email,
            role: u.role.as_str().to_string(),
            role_label: u.role.label().to_string(),
            team: u.team,
            active: u.active,
        })
        .collect();
    let teams = db::users::list_teams(&state.db)
        .await?
        .into_iter()
        .map(|(name, members)| TeamRow { name, members })
        .collect();
    let categories = categories::list(&state.db)
        .await?
        .into_iter()
        .map(|c| CategoryRow {
            id: c.id,
            name: c.name,
            retired: c.retired_at.is_some(),
            cases: c.cases,
        })
        .collect();
    Ok(render(
        status,
        &AdminPage {
            chrome: ctx.chrome("Administration"),
            users,
            teams,
            categories,
            category_name,
            category_error,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CategoryForm {
    name: String,
    /// "rename", "retire" or "restore" (changes of an existing category).
    action: String,
}

fn category_name(raw: &str) -> std::result::Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("Enter the category's name.".into())
    } else if name.chars().count() > 100 {
        Err("The name is too long: use at most 100 characters.".into())
    } else {
        Ok(name.to_string())
    }
}

async fn add_category(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CategoryForm>,
) -> Result<Response> {
    let name = match category_name(&form.name) {
        Ok(n) => n,
        Err(e) => {
            return admin_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.name,
                Some(e),
            )
            .await;
        }
    };
    match categories::add(&state.db, &name).await {
        Ok(()) => {
            flash(
                &ctx.session,
                "success",
                format!("Category \u{201c}{name}\u{201d} added."),
            )
            .await?;
            Ok(Redirect::to("/admin#categories").into_response())
        }
        Err(CategoryError::Duplicate) => {
            admin_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.name,
                Some("A category with that name already exists.".into()),
            )
            .await
        }
        Err(CategoryError::NotFound) => Err(AppError::NotFound),
        Err(CategoryError::Database(e)) => Err(e.into()),
    }
}

async fn change_category(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<CategoryForm>,
) -> Result<Response> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let result = match form.action.as_str() {
        "retire" => categories::set_retired(&state.db, id, true)
            .await
            .map(|()| "Category retired: old cases keep it, new ones cannot use it.".to_string()),
        "restore" => categories::set_retired(&state.db, id, false)
            .await
            .map(|()| "Category back in use.".to_string()),
        "rename" => match category_name(&form.name) {
            Ok(name) => categories::rename(&state.db, id, &name)
                .await
                .map(|()| format!("Category renamed to \u{201c}{name}\u{201d}.")),
            Err(e) => {
                return admin_page(
                    &state,
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    form.name,
                    Some(e),
                )
                .await;
            }
        },
        _ => return Err(AppError::BadRequest("unknown category action".into())),
    };
    match result {
        Ok(message) => {
            flash(&ctx.session, "success", message).await?;
            Ok(Redirect::to("/admin#categories").into_response())
        }
        Err(CategoryError::Duplicate) => {
            admin_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.name,
                Some("A category with that name already exists.".into()),
            )
            .await
        }
        Err(CategoryError::NotFound) => Err(AppError::NotFound),
        Err(CategoryError::Database(e)) => Err(e.into()),
    }
}

const OUTBOX_PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OutboxQuery {
    page: String,
}

/// Where a message stands.
pub enum OutboxStatus {
    Sent {
        at: String,
    },
    /// Tried `attempts` times: failed last time (tried again from `next_try`), or, without an
    /// error, being sent right now.
    Waiting {
        attempts: i32,
        next_try: String,
        last_error: Option<String>,
    },
    Queued,
}

pub struct OutboxRow {
    pub id: uuid::Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub kind: &'static str,
    pub created: String,
    pub status: OutboxStatus,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "due" => "Check-in due",
        "missed" => "Check-in missed",
        "digest" => "Weekly digest",
        _ => "Other",
    }
}

#[derive(Template)]
#[template(path = "pages/admin/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    rows: Vec<OutboxRow>,
    total: i64,
    pager: Pager,
}

/// Every e-mail Mend queued, newest first, with what became of it.
async fn outbox(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OutboxQuery>,
) -> Result<Response> {
    let tz = crate::domain::case::time_zone(&ctx.user()?.time_zone);
    let when = |t| crate::domain::case::local_display(t, tz);
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let mut conn = state.db.acquire().await?;
    let total = db::outbox::count(&mut *conn).await?;
    let rows = db::outbox::recent(
        &mut *conn,
        OUTBOX_PAGE_SIZE,
        (page - 1).saturating_mul(OUTBOX_PAGE_SIZE),
    )
    .await?
    .into_iter()
    .map(|m| OutboxRow {
        id: m.id,
        to: m.to_address,
        subject: m.subject,
        body: m.body,
        kind: kind_label(&m.kind),
        created: when(m.created_at),
        status: match (m.sent_at, m.attempts) {
            (Some(at), _) => OutboxStatus::Sent { at: when(at) },
            (None, 0) => OutboxStatus::Queued,
            (None, attempts) => OutboxStatus::Waiting {
                attempts,
                next_try: when(m.send_after),
                last_error: m.last_error,
            },
        },
    })
    .collect();
    let pager = Pager::new("/admin/outbox", &[], page, total, OUTBOX_PAGE_SIZE);
    Ok(render(
        StatusCode::OK,
        &OutboxPage {
            chrome: ctx.chrome("Outbox"),
            rows,
            total,
            pager,
        },
    ))
}
