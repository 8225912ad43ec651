//! The public page of a one-time "set your password" link (`/password/{token}`), issued by an
//! admin. It works once, until it expires, for an active user; the new password replaces the old
//! one, which also ends every session the user had (`app::personal::set_password_with_link`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::page::{Chrome, Ctx, Form, flash, render};
use crate::app::{self, personal::LinkUse};
use crate::auth::{password, password_link};
use crate::db;
use crate::db::password_links::LinkState;
use crate::domain::FieldErrors;
use crate::domain::user::Password;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new().route("/password/{token}", get(show).post(set))
}

#[derive(Template)]
#[template(path = "pages/set_password.html")]
struct SetPasswordPage {
    chrome: Chrome,
    /// Where the form posts (the link itself).
    action: String,
    name: String,
    email: String,
    errors: FieldErrors,
    /// Why the link cannot be used, instead of the form.
    problem: Option<&'static str>,
}

/// Why a link cannot be used, with the status to answer.
fn problem(state: &LinkState) -> Option<(StatusCode, &'static str)> {
    match state {
        LinkState::Valid { .. } => None,
        LinkState::Used => Some((
            StatusCode::GONE,
            "This link was already used: each link sets a password once. If you still need to set your password, ask your admin for a new link.",
        )),
        LinkState::Expired => Some((
            StatusCode::GONE,
            "This link has expired. Ask your admin for a new one.",
        )),
        LinkState::Inactive | LinkState::Unknown => Some((
            StatusCode::NOT_FOUND,
            "This link does not work. It may have been replaced by a newer one: use the latest link your admin gave you, or ask for a new one.",
        )),
    }
}

fn page(ctx: &Ctx, token: &str, state: &LinkState, errors: FieldErrors) -> Response {
    let (status, problem) = match problem(state) {
        Some((status, text)) => (status, Some(text)),
        None if errors.is_empty() => (StatusCode::OK, None),
        None => (StatusCode::UNPROCESSABLE_ENTITY, None),
    };
    let (name, email) = match state {
        LinkState::Valid { name, email, .. } => (name.clone(), email.clone()),
        _ => (String::new(), String::new()),
    };
    let mut response = render(
        status,
        &SetPasswordPage {
            chrome: ctx.chrome("Choose your password"),
            action: password_link::path(token),
            name,
            email,
            errors,
            problem,
        },
    );
    // The address holds the secret: never send it on to another site.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[tracing::instrument(skip_all)]
async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response> {
    let link = db::password_links::find(&state.db, &password_link::hash(&token)).await?;
    Ok(page(&ctx, &token, &link, FieldErrors::default()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SetPasswordForm {
    new_password: String,
    repeat_password: String,
}

#[tracing::instrument(skip_all)]
async fn set(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response> {
    let hash = password_link::hash(&token);
    let link = db::password_links::find(&state.db, &hash).await?;
    if !matches!(link, LinkState::Valid { .. }) {
        return Ok(page(&ctx, &token, &link, FieldErrors::default()));
    }
    let mut errors = FieldErrors::default();
    let new = Password::parse(&form.new_password)
        .map_err(|e| errors.add("new_password", e))
        .ok();
    if new.is_some() && form.repeat_password != form.new_password {
        errors.add(
            "repeat_password",
            "The two passwords differ: type the same one twice.",
        );
    }
    let new = match new {
        Some(new) if errors.is_empty() => new,
        _ => return Ok(page(&ctx, &token, &link, errors)),
    };
    // Hash first (it takes a while), then use the link under a lock, so it works only once even
    // when submitted twice at the same moment.
    let password_hash = password::hash(new.expose().to_string()).await?;
    match app::personal::set_password_with_link(&state.db, &hash, &password_hash).await? {
        LinkUse::Set { .. } => {}
        LinkUse::Unusable(link) => return Ok(page(&ctx, &token, &link, FieldErrors::default())),
    }
    flash(
        &ctx.session,
        "success",
        "Your password is set. Sign in with your e-mail address and the new password.",
    )
    .await?;
    Ok(Redirect::to("/login").into_response())
}
