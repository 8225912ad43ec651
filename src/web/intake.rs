//! Intake sources (admins only, `/admin/intake`): the tools allowed to open incidents through
//! the signed webhook, each with its shared secret, whether it is internal monitoring (what it
//! reports was detected by us), and who owns a case when the account has no account manager.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rand::RngCore;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Chrome, Ctx, Form, flash, render};
use crate::auth::guard;
use crate::db::accounts::{self as db_accounts, Choice};
use crate::db::audit::{self, Target};
use crate::db::intake::{self, SourceRow};
use crate::domain::FieldErrors;
use crate::domain::admin::AuditAction;
use crate::domain::visibility::Scope;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/admin/intake", get(show).post(create))
        .route("/admin/intake/{id}", post(change))
        .route_layer(middleware::from_fn(guard::admin))
}

/// A new shared secret: 32 random bytes in hex.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

struct SourceView {
    row: SourceRow,
    created: String,
}

#[derive(Template)]
#[template(path = "pages/admin/intake.html")]
struct IntakePage {
    chrome: Chrome,
    sources: Vec<SourceView>,
    owners: Vec<Choice>,
    categories: Vec<Choice>,
    errors: FieldErrors,
    form: SourceForm,
    public_url: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SourceForm {
    name: String,
    internal: Option<String>,
    default_owner_id: String,
    category_id: String,
    /// For changes: "disable", "enable" or "rotate".
    action: String,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    form: SourceForm,
    errors: FieldErrors,
) -> Result<Response> {
    let tz = crate::domain::case::time_zone(&ctx.user()?.time_zone);
    let sources = intake::list(&state.db)
        .await?
        .into_iter()
        .map(|row| SourceView {
            created: crate::domain::case::local_display(row.created_at, tz),
            row,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &IntakePage {
            chrome: ctx.chrome("Intake sources"),
            sources,
            owners: db_accounts::manager_choices(&state.db, Scope::All).await?,
            categories: crate::db::choices::categories(&state.db).await?,
            errors,
            form,
            public_url: state.settings.public_url.clone(),
        },
    ))
}

async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    page(&state, &ctx, SourceForm::default(), FieldErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SourceForm>,
) -> Result<Response> {
    let user = ctx.user()?;
    let mut errors = FieldErrors::default();
    let name = form.name.trim().to_lowercase();
    let valid_name = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if !valid_name {
        errors.add(
            "name",
            "Use 1 to 63 lower-case letters, digits and dashes, e.g. \u{201c}helpdesk\u{201d}: it becomes part of the webhook's address.",
        );
    }
    let parse = |raw: &str, field: &'static str, errors: &mut FieldErrors| match raw.trim() {
        "" => None,
        s => Uuid::parse_str(s)
            .map_err(|_| errors.add(field, "Choose one of the options offered."))
            .ok(),
    };
    let owner = parse(&form.default_owner_id, "default_owner_id", &mut errors);
    let category = parse(&form.category_id, "category_id", &mut errors);
    if !errors.is_empty() {
        return page(&state, &ctx, form, errors).await;
    }
    let mut tx = state.db.begin().await?;
    let created = match intake::create(
        &mut *tx,
        &name,
        &new_secret(),
        form.internal.is_some(),
        owner,
        category,
        user.id,
    )
    .await
    {
        Ok(Some(id)) => id,
        Ok(None) => {
            errors.add("name", "There is already a source with that name.");
            return page(&state, &ctx, form, errors).await;
        }
        // A chosen owner or category that no longer exists.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23503") => {
            errors.add("default_owner_id", "Choose one of the options offered.");
            return page(&state, &ctx, form, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        user.id,
        AuditAction::IntakeSourceCreated,
        Target::intake_source(created, &name),
        serde_json::json!({"internal": form.internal.is_some()}),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(source = %name, "intake source created");
    flash(
        &ctx.session,
        "success",
        format!(
            "Intake source \u{201c}{name}\u{201d} created. Give its secret to the sending tool."
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/intake#source-{name}")).into_response())
}

async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<SourceForm>,
) -> Result<Response> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    let (name, action, message) = match form.action.as_str() {
        "disable" => (
            intake::set_disabled(&mut *tx, id, true).await?,
            AuditAction::IntakeSourceDisabled,
            "Source turned off: its deliveries are refused.",
        ),
        "enable" => (
            intake::set_disabled(&mut *tx, id, false).await?,
            AuditAction::IntakeSourceEnabled,
            "Source turned on again.",
        ),
        "rotate" => (
            intake::set_secret(&mut *tx, id, &new_secret()).await?,
            AuditAction::IntakeSecretRotated,
            "New secret made: the old one no longer works.",
        ),
        _ => return Err(AppError::BadRequest("unknown action".into())),
    };
    let name = name.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        user.id,
        action,
        Target::intake_source(id, &name),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    flash(&ctx.session, "success", message).await?;
    Ok(Redirect::to("/admin/intake").into_response())
}
