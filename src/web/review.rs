//! Manager review (managers and admins). For now: the manager's team; open repairs join it
//! once cases exist.

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
        .route("/review", get(review))
        .route_layer(middleware::from_fn(guard::manager))
}

pub struct MemberRow {
    pub name: String,
    pub email: String,
    pub role: String,
    pub role_label: String,
}

#[derive(Template)]
#[template(path = "pages/review.html")]
struct ReviewPage {
    chrome: Chrome,
    team_name: Option<String>,
    members: Vec<MemberRow>,
}

async fn review(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let (team_name, members) = match ctx.user()?.team_id {
        Some(team_id) => (
            db::users::team_name(&state.db, team_id).await?,
            db::users::list_team(&state.db, team_id).await?,
        ),
        None => (None, Vec::new()),
    };
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            name: m.name,
            email: m.email,
            role: m.role.as_str().to_string(),
            role_label: m.role.label().to_string(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ReviewPage {
            chrome: ctx.chrome("Manager review"),
            team_name,
            members,
        },
    ))
}
