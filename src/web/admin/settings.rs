//! The organisation's settings: name, default time zone for new users, the plan form's default
//! cadence, the stuck-case threshold and the day weeks start.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app;
use crate::db;
use crate::domain::FieldErrors;
use crate::domain::organisation::{DEFAULT_CADENCES, OrgSettingsForm, WeekStart, time_zone_names};
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, Form, flash, render};

#[derive(Template)]
#[template(path = "pages/admin/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    form: OrgSettingsForm,
    errors: FieldErrors,
    zones: Vec<&'static str>,
    unknown_zone: bool,
    cadences: Vec<(&'static str, &'static str)>,
    week_starts: Vec<(&'static str, &'static str)>,
    /// Explains the threshold, with the server's `--stuck-after-days` used while it is blank.
    stuck_hint: String,
}

fn page(state: &AppState, ctx: &Ctx, form: OrgSettingsForm, errors: FieldErrors) -> Response {
    let zones = time_zone_names();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &SettingsPage {
            chrome: ctx.chrome("Organisation settings"),
            unknown_zone: !zones.contains(&form.time_zone.as_str()),
            zones,
            form,
            errors,
            cadences: DEFAULT_CADENCES.to_vec(),
            week_starts: WeekStart::ALL
                .iter()
                .map(|w| (w.as_str(), w.label()))
                .collect(),
            stuck_hint: format!(
                "The manager review calls an open case stuck after this many days without activity. Leave it blank to use the server's default, now {} days (set with --stuck-after-days).",
                state.settings.stuck_after_days
            ),
        },
    )
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let saved = db::organisation::get(&state.db).await?;
    Ok(page(
        &state,
        &ctx,
        OrgSettingsForm::from_settings(&saved),
        FieldErrors::default(),
    ))
}

#[tracing::instrument(skip_all)]
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<OrgSettingsForm>,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    let settings = match form.parse() {
        Ok(s) => s,
        Err(errors) => return Ok(page(&state, &ctx, form, errors)),
    };
    let (kind, message) = match app::admin::settings::save(&state.db, &actor, &settings).await {
        Ok(()) => (
            "success",
            "The organisation's settings are saved.".to_string(),
        ),
        Err(app::Error::AlreadyDone(message)) => ("info", message),
        Err(e) => return Err(e.into()),
    };
    flash(&ctx.session, kind, message).await?;
    Ok(Redirect::to("/admin/settings").into_response())
}
