//! Incident categories: add, rename, retire (old cases keep a retired category; new ones cannot
//! choose it) and bring back.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{add_to, back_to, parse_id, rename_in};
use crate::app::{self, admin::lists::List};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::page::{Ctx, Form};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    name: String,
    /// "rename", "retire" or "restore" (changes of an existing category).
    action: String,
}

pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CategoryForm>,
) -> Result<Response> {
    add_to(&state, &ctx, List::Categories, form.name).await
}

pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let retire = match form.action.as_str() {
        "retire" => true,
        "restore" => false,
        "rename" => return rename_in(&state, &ctx, List::Categories, id, form.name).await,
        _ => return Err(AppError::BadRequest("unknown category action".into())),
    };
    let actor = ctx.user()?.actor();
    match app::admin::lists::set_retired(&state.db, &actor, id, retire).await {
        Ok(name) => {
            let message = if retire {
                format!(
                    "\u{201c}{name}\u{201d} retired: old cases keep it, new ones cannot use it."
                )
            } else {
                format!("\u{201c}{name}\u{201d} is back in use.")
            };
            back_to(&ctx, "categories", "success", message).await
        }
        Err(app::Error::AlreadyDone(message)) => back_to(&ctx, "categories", "info", message).await,
        Err(e) => Err(e.into()),
    }
}
