//! Teams: create, rename (names are unique whatever their case), and move people between them.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::{Refused, add_to, back_to, not_done, overview_page, parse_id, rename_in};
use crate::app::admin::lists::{self, List};
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Ctx, Form};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TeamForm {
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TeamForm>,
) -> Result<Response> {
    add_to(&state, &ctx, List::Teams, form.name).await
}

pub async fn rename(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<TeamForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    rename_in(&state, &ctx, List::Teams, id, form.name).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    user_id: String,
    /// Blank: no team.
    team_id: String,
}

/// Moves someone to another team (or out of every team). Their cases and accounts stay where
/// they are: accounts belong to teams, not to people.
pub async fn move_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    let refuse = |error: String| Refused::Move {
        user_id: form.user_id.clone(),
        team_id: form.team_id.clone(),
        error,
    };
    let Ok(user_id) = Uuid::parse_str(form.user_id.trim()) else {
        return overview_page(&state, &ctx, refuse("Choose who to move.".into())).await;
    };
    let team_id = match form.team_id.trim() {
        "" => None,
        raw => match Uuid::parse_str(raw) {
            Ok(id) => Some(id),
            Err(_) => {
                let error = "Choose a team from the list.".into();
                return overview_page(&state, &ctx, refuse(error)).await;
            }
        },
    };
    match lists::move_person(&state.db, &actor, user_id, team_id).await {
        Ok(moved) => {
            let message = match &moved.to {
                Some(team) => format!("{} moved to {team}.", moved.name),
                None => format!("{} is no longer in a team.", moved.name),
            };
            back_to(&ctx, "teams", "success", message).await
        }
        Err(e) => not_done(&state, &ctx, "teams", e, refuse).await,
    }
}
