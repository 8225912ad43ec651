//! Incident categories: add, rename, retire (old cases keep a retired category; new ones cannot
//! choose it) and bring back.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::{Refused, overview_page, parse_id};
use crate::db::audit::{self, Target};
use crate::db::categories::{self, CategoryError};
use crate::domain::admin::AuditAction;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::page::{Ctx, Form, flash};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
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

const DUPLICATE: &str = "A category with that name already exists.";

fn back() -> Response {
    Redirect::to("/admin#categories").into_response()
}

pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CategoryForm>,
) -> Result<Response> {
    let actor = ctx.user()?.id;
    let refuse = |error: String| Refused::NewCategory {
        name: form.name.clone(),
        error,
    };
    let name = match category_name(&form.name) {
        Ok(n) => n,
        Err(e) => return overview_page(&state, &ctx, refuse(e)).await,
    };
    let mut tx = state.db.begin().await?;
    let id = match categories::add(&mut tx, &name).await {
        Ok(id) => id,
        Err(CategoryError::Duplicate) => {
            drop(tx);
            return overview_page(&state, &ctx, refuse(DUPLICATE.into())).await;
        }
        Err(CategoryError::NotFound) => return Err(AppError::NotFound),
        Err(CategoryError::Database(e)) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        actor,
        AuditAction::CategoryAdded,
        Target::category(id, &name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        "success",
        format!("Category \u{201c}{name}\u{201d} added."),
    )
    .await?;
    Ok(back())
}

pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let actor = ctx.user()?.id;
    let mut tx = state.db.begin().await?;
    let (action, name, message) = match form.action.as_str() {
        "retire" | "restore" => {
            let retire = form.action == "retire";
            let (name, changed) = match categories::set_retired(&mut tx, id, retire).await {
                Ok(done) => done,
                Err(CategoryError::NotFound) => return Err(AppError::NotFound),
                Err(e) => return Err(database(e)),
            };
            if !changed {
                flash(
                    &ctx.session,
                    "info",
                    format!(
                        "\u{201c}{name}\u{201d} was already {}: nothing changed.",
                        if retire { "retired" } else { "in use" }
                    ),
                )
                .await?;
                return Ok(back());
            }
            if retire {
                (
                    AuditAction::CategoryRetired,
                    name.clone(),
                    format!(
                        "\u{201c}{name}\u{201d} retired: old cases keep it, new ones cannot use it."
                    ),
                )
            } else {
                (
                    AuditAction::CategoryRestored,
                    name.clone(),
                    format!("\u{201c}{name}\u{201d} is back in use."),
                )
            }
        }
        "rename" => {
            let refuse = |error: String| Refused::CategoryRename {
                id,
                name: form.name.clone(),
                error,
            };
            let name = match category_name(&form.name) {
                Ok(name) => name,
                Err(e) => return overview_page(&state, &ctx, refuse(e)).await,
            };
            let before = match categories::rename(&mut tx, id, &name).await {
                Ok(before) => before,
                Err(CategoryError::Duplicate) => {
                    drop(tx);
                    return overview_page(&state, &ctx, refuse(DUPLICATE.into())).await;
                }
                Err(CategoryError::NotFound) => return Err(AppError::NotFound),
                Err(CategoryError::Database(e)) => return Err(e.into()),
            };
            if before == name {
                flash(
                    &ctx.session,
                    "info",
                    "The name is the same: nothing changed.",
                )
                .await?;
                return Ok(back());
            }
            audit::record(
                &mut tx,
                actor,
                AuditAction::CategoryRenamed,
                Target::category(id, &name),
                json!({ "name": { "from": before, "to": name } }),
            )
            .await?;
            tx.commit().await?;
            flash(
                &ctx.session,
                "success",
                format!("Category \u{201c}{before}\u{201d} renamed to \u{201c}{name}\u{201d}."),
            )
            .await?;
            return Ok(back());
        }
        _ => return Err(AppError::BadRequest("unknown category action".into())),
    };
    audit::record(
        &mut tx,
        actor,
        action,
        Target::category(id, &name),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    flash(&ctx.session, "success", message).await?;
    Ok(back())
}

fn database(e: CategoryError) -> AppError {
    match e {
        CategoryError::Database(e) => e.into(),
        other => AppError::Internal(anyhow::anyhow!("{other}")),
    }
}
