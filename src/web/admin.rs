//! Administration (admins only): users and teams.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;

use super::page::{Chrome, Ctx, render};
use crate::AppState;
use crate::auth::guard;
use crate::db;
use crate::error::Result;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/admin", get(admin))
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

#[derive(Template)]
#[template(path = "pages/admin.html")]
struct AdminPage {
    chrome: Chrome,
    users: Vec<AdminUserRow>,
    teams: Vec<TeamRow>,
}

async fn admin(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
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
    Ok(render(
        StatusCode::OK,
        &AdminPage {
            chrome: ctx.chrome("Administration"),
            users,
            teams,
        },
    ))
}
