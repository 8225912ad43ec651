//! First run: while the database has no users, every page leads to `/setup`, where a newcomer
//! names the organisation, picks its time zone, makes the first admin (and their team) and may
//! load demo data; they are then signed in. Once anyone has an account the page is gone for
//! good (404), also for a second form submitted at the same moment (`app::setup::first_run`).

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::page::{Chrome, Ctx, Form, flash, render};
use crate::app;
use crate::auth::{AuthSession, SessionUser, csrf};
use crate::db;
use crate::demo;
use crate::domain::FieldErrors;
use crate::domain::organisation::time_zone_names;
use crate::domain::setup::SetupForm;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub const PATH: &str = "/setup";

pub fn router() -> super::Router {
    super::Router::new().route(PATH, get(show).post(submit))
}

/// Middleware for the pages: before anyone has an account, every page but the setup page
/// itself leads there (calendar feeds are not pages: theirs is a plain "not found").
pub async fn lead_to_setup(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == PATH || path.starts_with("/calendar/") {
        return next.run(request).await;
    }
    match state.set_up.check(&state.db).await {
        Ok(true) => next.run(request).await,
        Ok(false) => Redirect::to(PATH).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "pages/setup.html")]
struct SetupPage {
    chrome: Chrome,
    form: SetupForm,
    errors: FieldErrors,
    zones: Vec<&'static str>,
    demo_cases: usize,
    min_password: usize,
}

fn page(ctx: &Ctx, form: SetupForm, errors: FieldErrors) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &SetupPage {
            chrome: ctx.chrome("Set up Mend"),
            form,
            errors,
            zones: time_zone_names(),
            demo_cases: DEMO.cases,
            min_password: crate::domain::user::MIN_PASSWORD_CHARS,
        },
    )
}

/// What "load demo data" loads: `mend demo`'s defaults.
const DEMO: demo::DemoOptions = demo::DemoOptions {
    accounts: 200,
    cases: 1_000,
    seed: 42,
};

async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    if state.set_up.check(&state.db).await? {
        return Err(AppError::NotFound);
    }
    Ok(page(&ctx, SetupForm::blank(), FieldErrors::default()))
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    mut auth: AuthSession,
    Form(form): Form<SetupForm>,
) -> Result<Response> {
    if state.set_up.check(&state.db).await? {
        return Err(AppError::NotFound);
    }
    let setup = match form.parse() {
        Ok(setup) => setup,
        Err(errors) => {
            let ctx = Ctx::for_session(&auth, PATH).await?;
            return Ok(page(
                &ctx,
                SetupForm {
                    password: String::new(),
                    ..form
                },
                errors,
            ));
        }
    };
    let hash = crate::auth::password::hash(setup.admin.password.expose().to_string())
        .await
        .map_err(AppError::Internal)?;
    let id = match app::setup::first_run(&state.db, &setup, &hash).await {
        Ok(id) => id,
        Err(app::Error::AlreadyDone(message)) => {
            // Someone finished setting up a moment ago.
            state.set_up.done();
            flash(&auth.session, "info", message).await?;
            return Ok(Redirect::to("/login").into_response());
        }
        // No user exists before setup, so no address can be taken.
        Err(app::Error::Invalid(errors)) => {
            return Err(AppError::Internal(anyhow::anyhow!("first admin: {errors}")));
        }
        Err(e) => return Err(e.into()),
    };
    state.set_up.done();

    let user = db::users::find_active(&state.db, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the new admin vanished")))?;
    auth.login(&SessionUser::from(user))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("starting a session: {e}")))?;
    csrf::rotate(&auth.session).await?;

    let welcome = format!(
        "Welcome to Mend, {}. You are its first admin: add your colleagues under Admin → Users.",
        setup.admin.name
    );
    flash(&auth.session, "success", welcome).await?;
    if setup.demo {
        match demo::load(&state.db, DEMO).await {
            Ok(demo::DemoResult::Loaded(report)) => {
                flash(
                    &auth.session,
                    "info",
                    format!(
                        "Demo data is loaded: {} accounts and {} cases in every stage, in three teams. \
                         Open a case under Cases and work it through the stages. The demo's own people \
                         sign in as, for example, am1.north@{} with the password {}.",
                        report.counts.accounts,
                        report.counts.cases,
                        demo::EMAIL_DOMAIN,
                        demo::PASSWORD
                    ),
                )
                .await?;
            }
            Ok(demo::DemoResult::AlreadyLoaded) => {}
            Err(e) => {
                tracing::error!(error = %e, "loading demo data after setup");
                flash(
                    &auth.session,
                    "error",
                    "Mend is set up, but the demo data could not be loaded. You can load it later \
                     with `mend demo`.",
                )
                .await?;
            }
        }
    }
    Ok(Redirect::to("/").into_response())
}
