//! Signing in and out. Unknown e-mail and wrong password get the same page and take the same
//! time; failures are counted per e-mail address and per client address (`client_ip`: behind a
//! trusted proxy, the address it forwards), in the database so every instance sees them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use super::client_ip::ClientIp;
use super::page::{Chrome, Ctx, Form, flash, render};
use crate::auth::guard::safe_next;
use crate::auth::{AuthSession, Credentials, csrf, guard};
use crate::db;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/login", get(show).post(sign_in))
        .merge(
            super::Router::new()
                .route("/logout", post(sign_out))
                .route_layer(middleware::from_fn(guard::signed_in)),
        )
}

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn show(auth: AuthSession, ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if auth.user.is_some() {
        return Redirect::to(&next).into_response();
    }
    render(
        StatusCode::OK,
        &LoginPage {
            chrome: ctx.chrome("Sign in"),
            email: String::new(),
            next,
            error: None,
        },
    )
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn sign_in(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ClientIp(ip): ClientIp,
    Form(form): Form<SignInForm>,
) -> Result<Response> {
    let next = safe_next(form.next.as_deref());
    let email = form.email.trim().to_string();
    let settings = &state.settings;

    let window = chrono::Duration::minutes(settings.sign_in_window_minutes);
    let now = Utc::now();
    let recent = db::sign_in::recent_failures(&state.db, &email, ip, now - window).await?;
    let locked_until = [
        (recent.for_email >= settings.sign_in_failures_per_account)
            .then_some(recent.oldest_for_email)
            .flatten(),
        (recent.for_address >= settings.sign_in_failures_per_address)
            .then_some(recent.oldest_for_address)
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .map(|oldest| oldest + window)
    .max();
    if let Some(until) = locked_until {
        let seconds = (until - now).num_seconds().max(1);
        let minutes = (seconds + 59) / 60;
        let plural = if minutes == 1 { "" } else { "s" };
        return login_again(
            &auth,
            StatusCode::TOO_MANY_REQUESTS,
            email,
            next,
            format!("Too many attempts, try again in {minutes} minute{plural}."),
        )
        .await;
    }

    let creds = Credentials {
        email: email.clone(),
        password: form.password,
    };
    let user = auth
        .authenticate(creds)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("signing in: {e}")))?;
    let Some(user) = user else {
        db::sign_in::record_failure(&state.db, &email, ip).await?;
        tracing::info!("sign-in refused");
        return login_again(
            &auth,
            StatusCode::UNPROCESSABLE_ENTITY,
            email,
            next,
            "That e-mail address and password do not match an account. Check them and try again."
                .into(),
        )
        .await;
    };
    auth.login(&user)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("starting a session: {e}")))?;
    csrf::rotate(&auth.session).await?;
    db::sign_in::clear_for_email(&state.db, &email).await?;
    db::sign_in::prune(&state.db, now - chrono::Duration::days(1)).await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(Redirect::to(&next).into_response())
}

async fn login_again(
    auth: &AuthSession,
    status: StatusCode,
    email: String,
    next: String,
    error: String,
) -> Result<Response> {
    let ctx = Ctx::for_session(auth, "/login").await?;
    Ok(render(
        status,
        &LoginPage {
            chrome: ctx.chrome("Sign in"),
            email,
            next,
            error: Some(error),
        },
    ))
}

async fn sign_out(mut auth: AuthSession) -> Result<Response> {
    auth.logout()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("ending a session: {e}")))?;
    flash(&auth.session, "info", "You have signed out.").await?;
    Ok(Redirect::to("/login").into_response())
}
