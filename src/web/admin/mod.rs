//! Administration (admins only): users, teams, incident categories, the organisation's
//! settings, the e-mail outbox and the audit log of every admin action.
//!
//! Every change is one use case in `app::admin`, which writes it with its audit row in one
//! transaction; these handlers parse the form, call it, and show the outcome.

mod audit;
mod categories;
mod outbox;
mod settings;
mod teams;
mod users;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

use super::page::{Chrome, Ctx, flash, render};
use crate::app::{self, admin::lists::List};
use crate::auth::guard;
use crate::db;
use crate::domain::FieldErrors;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/admin", get(overview))
        .route("/admin/users", post(users::create))
        .route("/admin/users/new", get(users::new_form))
        .route("/admin/users/{id}", get(users::show))
        .route("/admin/users/{id}/access", post(users::change_access))
        .route("/admin/users/{id}/password-link", post(users::issue_link))
        .route(
            "/admin/users/{id}/deactivate",
            get(users::confirm_deactivation).post(users::deactivate),
        )
        .route("/admin/users/{id}/reactivate", post(users::reactivate))
        .route("/admin/teams", post(teams::create))
        .route("/admin/teams/{id}", post(teams::rename))
        .route("/admin/team-moves", post(teams::move_user))
        .route("/admin/categories", post(categories::add))
        .route("/admin/categories/{id}", post(categories::change))
        .route("/admin/settings", get(settings::show).post(settings::save))
        .route("/admin/audit", get(audit::page))
        .route("/admin/outbox", get(outbox::page))
        .route_layer(middleware::from_fn(guard::admin))
}

/// An id from the path; anything else is a page that does not exist.
fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

pub struct AdminUserRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub role_label: String,
    pub team: Option<String>,
    pub active: bool,
}

pub struct TeamRow {
    pub id: Uuid,
    pub name: String,
    pub members: i64,
    /// The rename field's value: the name, or what was submitted when renaming was refused.
    pub rename: String,
    pub rename_error: Option<String>,
}

pub struct CategoryRow {
    pub id: Uuid,
    pub name: String,
    pub retired: bool,
    pub cases: i64,
    pub rename: String,
    pub rename_error: Option<String>,
}

/// A refused form on the overview: which one, what was typed, and why.
#[derive(Debug, Default)]
pub enum Refused {
    #[default]
    Nothing,
    /// A new team or category.
    New {
        list: List,
        name: String,
        error: String,
    },
    /// Renaming a team or category.
    Rename {
        list: List,
        id: Uuid,
        name: String,
        error: String,
    },
    Move {
        user_id: String,
        team_id: String,
        error: String,
    },
}

/// The overview's section of a list.
fn section(list: List) -> &'static str {
    match list {
        List::Teams => "teams",
        List::Categories => "categories",
    }
}

/// Back to a section of the overview, with a message.
async fn back_to(ctx: &Ctx, section: &str, kind: &str, message: String) -> Result<Response> {
    flash(&ctx.session, kind, message).await?;
    Ok(Redirect::to(&format!("/admin#{section}")).into_response())
}

/// The first of a refusal's sentences (each form on the overview shows one).
fn first_error(errors: &FieldErrors) -> String {
    errors
        .iter()
        .next()
        .map(|(_, message)| message.to_string())
        .unwrap_or_default()
}

/// A change on the overview that did not happen: the overview again with the form refused
/// (`refused` is given the reason), or back to `section` with a note when there was nothing to
/// do, or the error's own page.
async fn not_done(
    state: &AppState,
    ctx: &Ctx,
    section: &str,
    e: app::Error,
    refused: impl FnOnce(String) -> Refused,
) -> Result<Response> {
    match e {
        app::Error::Invalid(errors) => {
            overview_page(state, ctx, refused(first_error(&errors))).await
        }
        app::Error::AlreadyDone(message) => back_to(ctx, section, "info", message).await,
        e => Err(e.into()),
    }
}

/// Adds a team or a category from the overview's form (the two are the same change).
async fn add_to(state: &AppState, ctx: &Ctx, list: List, name: String) -> Result<Response> {
    let actor = ctx.user()?.actor();
    match app::admin::lists::add(&state.db, &actor, list, &name).await {
        Ok(saved) => {
            let message = match list {
                List::Teams => format!(
                    "Team \u{201c}{saved}\u{201d} created. Move people into it below, or from their page."
                ),
                List::Categories => format!("Category \u{201c}{saved}\u{201d} added."),
            };
            back_to(ctx, section(list), "success", message).await
        }
        Err(e) => {
            not_done(state, ctx, section(list), e, |error| Refused::New {
                list,
                name,
                error,
            })
            .await
        }
    }
}

/// Renames a team or a category from its row on the overview.
async fn rename_in(
    state: &AppState,
    ctx: &Ctx,
    list: List,
    id: Uuid,
    name: String,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    match app::admin::lists::rename(&state.db, &actor, list, id, &name).await {
        Ok(renamed) => {
            let what = match list {
                List::Teams => "Team",
                List::Categories => "Category",
            };
            let message = format!(
                "{what} \u{201c}{}\u{201d} renamed to \u{201c}{}\u{201d}.",
                renamed.before, renamed.name
            );
            back_to(ctx, section(list), "success", message).await
        }
        Err(e) => {
            not_done(state, ctx, section(list), e, |error| Refused::Rename {
                list,
                id,
                name,
                error,
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "pages/admin.html")]
struct AdminPage {
    chrome: Chrome,
    organisation: String,
    users: Vec<AdminUserRow>,
    /// Active users, for the move form.
    movable: Vec<AdminUserRow>,
    teams: Vec<TeamRow>,
    categories: Vec<CategoryRow>,
    team_name: String,
    team_error: Option<String>,
    move_user: String,
    move_team: String,
    move_error: Option<String>,
    category_name: String,
    category_error: Option<String>,
}

async fn overview(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    overview_page(&state, &ctx, Refused::Nothing).await
}

/// The overview, with a refused form's input and error in place (then with status 422).
async fn overview_page(state: &AppState, ctx: &Ctx, refused: Refused) -> Result<Response> {
    let (users, teams, categories, organisation) = tokio::try_join!(
        db::users::list_all(&state.db),
        db::users::list_teams(&state.db),
        db::categories::list(&state.db),
        db::organisation::get(&state.db),
    )?;
    let users: Vec<AdminUserRow> = users
        .into_iter()
        .map(|u| AdminUserRow {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role.as_str().to_string(),
            role_label: u.role.label().to_string(),
            team: u.team,
            active: u.active,
        })
        .collect();
    let movable = users
        .iter()
        .filter(|u| u.active)
        .map(|u| AdminUserRow {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role.clone(),
            role_label: u.role_label.clone(),
            team: u.team.clone(),
            active: u.active,
        })
        .collect();
    let mut teams: Vec<TeamRow> = teams
        .into_iter()
        .map(|t| TeamRow {
            id: t.id,
            rename: t.name.clone(),
            name: t.name,
            members: t.members,
            rename_error: None,
        })
        .collect();
    let mut categories: Vec<CategoryRow> = categories
        .into_iter()
        .map(|c| CategoryRow {
            id: c.id,
            rename: c.name.clone(),
            name: c.name,
            retired: c.retired_at.is_some(),
            cases: c.cases,
            rename_error: None,
        })
        .collect();
    let status = match refused {
        Refused::Nothing => StatusCode::OK,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut page = AdminPage {
        chrome: ctx.chrome("Administration"),
        organisation: organisation.name,
        users,
        movable,
        teams: Vec::new(),
        categories: Vec::new(),
        team_name: String::new(),
        team_error: None,
        move_user: String::new(),
        move_team: String::new(),
        move_error: None,
        category_name: String::new(),
        category_error: None,
    };
    match refused {
        Refused::Nothing => {}
        Refused::New {
            list: List::Teams,
            name,
            error,
        } => {
            page.team_name = name;
            page.team_error = Some(error);
        }
        Refused::New {
            list: List::Categories,
            name,
            error,
        } => {
            page.category_name = name;
            page.category_error = Some(error);
        }
        Refused::Rename {
            list: List::Teams,
            id,
            name,
            error,
        } => {
            if let Some(t) = teams.iter_mut().find(|t| t.id == id) {
                t.rename = name;
                t.rename_error = Some(error);
            }
        }
        Refused::Rename {
            list: List::Categories,
            id,
            name,
            error,
        } => {
            if let Some(c) = categories.iter_mut().find(|c| c.id == id) {
                c.rename = name;
                c.rename_error = Some(error);
            }
        }
        Refused::Move {
            user_id,
            team_id,
            error,
        } => {
            page.move_user = user_id;
            page.move_team = team_id;
            page.move_error = Some(error);
        }
    }
    page.teams = teams;
    page.categories = categories;
    Ok(render(status, &page))
}
