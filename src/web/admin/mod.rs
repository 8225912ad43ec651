//! Administration (admins only): users, teams, incident categories, the organisation's
//! settings, the e-mail outbox and the audit log of every admin action.
//!
//! Every change is written with its audit row in one transaction (`db::audit::record`).

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
use axum::response::Response;
use axum::routing::{get, post};
use uuid::Uuid;

use super::page::{Chrome, Ctx, render};
use crate::auth::guard;
use crate::db;
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
    NewTeam {
        name: String,
        error: String,
    },
    TeamRename {
        id: Uuid,
        name: String,
        error: String,
    },
    Move {
        user_id: String,
        team_id: String,
        error: String,
    },
    NewCategory {
        name: String,
        error: String,
    },
    CategoryRename {
        id: Uuid,
        name: String,
        error: String,
    },
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
        Refused::NewTeam { name, error } => {
            page.team_name = name;
            page.team_error = Some(error);
        }
        Refused::TeamRename { id, name, error } => {
            if let Some(t) = teams.iter_mut().find(|t| t.id == id) {
                t.rename = name;
                t.rename_error = Some(error);
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
        Refused::NewCategory { name, error } => {
            page.category_name = name;
            page.category_error = Some(error);
        }
        Refused::CategoryRename { id, name, error } => {
            if let Some(c) = categories.iter_mut().find(|c| c.id == id) {
                c.rename = name;
                c.rename_error = Some(error);
            }
        }
    }
    page.teams = teams;
    page.categories = categories;
    Ok(render(status, &page))
}
