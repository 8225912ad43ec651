//! Teams: create, rename (names are unique whatever their case), and move people between them.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{Refused, overview_page, parse_id};
use crate::db::audit::{self, Target};
use crate::db::users::{self as db_users, TeamError};
use crate::domain::admin::{AuditAction, parse_team_name};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::page::{Ctx, Form, flash};

const DUPLICATE: &str = "A team with that name already exists.";

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
    let actor = ctx.user()?.id;
    let refuse = |error: String| Refused::NewTeam {
        name: form.name.clone(),
        error,
    };
    let name = match parse_team_name(&form.name) {
        Ok(name) => name,
        Err(e) => return overview_page(&state, &ctx, refuse(e)).await,
    };
    let mut tx = state.db.begin().await?;
    let id = match db_users::create_team(&mut tx, &name).await {
        Ok(id) => id,
        Err(TeamError::Duplicate) => {
            drop(tx);
            return overview_page(&state, &ctx, refuse(DUPLICATE.into())).await;
        }
        Err(TeamError::NotFound) => return Err(AppError::NotFound),
        Err(TeamError::Database(e)) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        actor,
        AuditAction::TeamCreated,
        Target::team(id, &name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        "success",
        format!(
            "Team \u{201c}{name}\u{201d} created. Move people into it below, or from their page."
        ),
    )
    .await?;
    Ok(Redirect::to("/admin#teams").into_response())
}

pub async fn rename(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<TeamForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let actor = ctx.user()?.id;
    let refuse = |error: String| Refused::TeamRename {
        id,
        name: form.name.clone(),
        error,
    };
    let name = match parse_team_name(&form.name) {
        Ok(name) => name,
        Err(e) => return overview_page(&state, &ctx, refuse(e)).await,
    };
    let mut tx = state.db.begin().await?;
    let before = match db_users::rename_team(&mut tx, id, &name).await {
        Ok(before) => before,
        Err(TeamError::Duplicate) => {
            drop(tx);
            return overview_page(&state, &ctx, refuse(DUPLICATE.into())).await;
        }
        Err(TeamError::NotFound) => return Err(AppError::NotFound),
        Err(TeamError::Database(e)) => return Err(e.into()),
    };
    if before == name {
        flash(
            &ctx.session,
            "info",
            "The name is the same: nothing changed.",
        )
        .await?;
        return Ok(Redirect::to("/admin#teams").into_response());
    }
    audit::record(
        &mut tx,
        actor,
        AuditAction::TeamRenamed,
        Target::team(id, &name),
        json!({ "name": { "from": before, "to": name } }),
    )
    .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        "success",
        format!("Team \u{201c}{before}\u{201d} renamed to \u{201c}{name}\u{201d}."),
    )
    .await?;
    Ok(Redirect::to("/admin#teams").into_response())
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
    let actor = ctx.user()?.id;
    let refuse = |error: &str| Refused::Move {
        user_id: form.user_id.clone(),
        team_id: form.team_id.clone(),
        error: error.to_string(),
    };
    let Ok(user_id) = Uuid::parse_str(form.user_id.trim()) else {
        return overview_page(&state, &ctx, refuse("Choose who to move.")).await;
    };
    let team_id = match form.team_id.trim() {
        "" => None,
        raw => match Uuid::parse_str(raw) {
            Ok(id) => Some(id),
            Err(_) => {
                return overview_page(&state, &ctx, refuse("Choose a team from the list.")).await;
            }
        },
    };
    let mut tx = state.db.begin().await?;
    let Some(user) = db_users::lock(&mut tx, user_id).await? else {
        drop(tx);
        return overview_page(&state, &ctx, refuse("Choose who to move.")).await;
    };
    let to = match team_id {
        Some(id) => match db_users::team_name(&mut *tx, id).await? {
            Some(name) => Some(name),
            None => {
                drop(tx);
                return overview_page(&state, &ctx, refuse("Choose a team from the list.")).await;
            }
        },
        None => None,
    };
    if user.team_id == team_id {
        flash(
            &ctx.session,
            "info",
            format!("{} is already there: nothing changed.", user.name),
        )
        .await?;
        return Ok(Redirect::to("/admin#teams").into_response());
    }
    db_users::set_access(&mut tx, user.id, user.role, team_id).await?;
    audit::record(
        &mut tx,
        actor,
        AuditAction::UserMoved,
        Target::user(user.id, &user.name),
        json!({ "team": { "from": user.team, "to": to } }),
    )
    .await?;
    tx.commit().await?;
    let message = match &to {
        Some(team) => format!("{} moved to {team}.", user.name),
        None => format!("{} is no longer in a team.", user.name),
    };
    flash(&ctx.session, "success", message).await?;
    Ok(Redirect::to("/admin#teams").into_response())
}
