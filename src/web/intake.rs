//! Intake sources (admins only, `/admin/intake`): the tools allowed to open incidents through
//! the signed webhook, each with its shared secret, whether it is internal monitoring (what it
//! reports was detected by us), and who owns a case when the account has no account manager.
//! Creating and changing a source are use cases in `app::admin::intake`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Chrome, Ctx, Form, flash, render};
use crate::app::{self, admin::intake::Change};
use crate::auth::guard;
use crate::db::accounts::{self as db_accounts, Choice};
use crate::db::intake::{self, SourceRow};
use crate::domain::FieldErrors;
use crate::domain::admin::NewSource;
use crate::domain::visibility::Scope;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/admin/intake", get(show).post(create))
        .route("/admin/intake/{id}", post(change))
        .route_layer(middleware::from_fn(guard::admin))
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
    let actor = ctx.user()?.actor();
    let source = match NewSource::parse(
        &form.name,
        form.internal.is_some(),
        &form.default_owner_id,
        &form.category_id,
    ) {
        Ok(source) => source,
        Err(errors) => return page(&state, &ctx, form, errors).await,
    };
    match app::admin::intake::create(&state.db, &actor, &source).await {
        Ok(_) => {}
        Err(app::Error::Invalid(errors)) => return page(&state, &ctx, form, errors).await,
        Err(e) => return Err(e.into()),
    }
    let name = source.name;
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
    let actor = ctx.user()?.actor();
    let (change, message) = match form.action.as_str() {
        "disable" => (
            Change::Disable,
            "Source turned off: its deliveries are refused.",
        ),
        "enable" => (Change::Enable, "Source turned on again."),
        "rotate" => (
            Change::RotateSecret,
            "New secret made: the old one no longer works.",
        ),
        _ => return Err(AppError::BadRequest("unknown action".into())),
    };
    app::admin::intake::change(&state.db, &actor, id, change).await?;
    flash(&ctx.session, "success", message).await?;
    Ok(Redirect::to("/admin/intake").into_response())
}
