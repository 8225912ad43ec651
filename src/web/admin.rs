//! Administration (admins only): users and teams.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;

use super::page::{Form, flash};
use crate::db::categories::{self, CategoryError};
use crate::error::AppError;

use super::page::{Chrome, Ctx, render};
use crate::AppState;
use crate::auth::guard;
use crate::db;
use crate::error::Result;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/admin", get(admin))
        .route("/admin/categories", post(add_category))
        .route("/admin/categories/{id}", post(change_category))
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
