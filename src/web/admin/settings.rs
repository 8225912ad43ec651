//! The organisation's settings: name, default time zone for new users, the plan form's default
//! cadence, the stuck-case threshold and the day weeks start.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::db;
use crate::db::audit::{self, Target};
use crate::domain::FieldErrors;
use crate::domain::admin::AuditAction;
use crate::domain::organisation::{
    DEFAULT_CADENCES, OrgSettings, OrgSettingsForm, WeekStart, time_zone_names,
};
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

/// What changed between two versions of the settings, as `{field: {from, to}}`.
fn changes(
    before: &OrgSettings,
    after: &OrgSettings,
) -> serde_json::Map<String, serde_json::Value> {
    let mut details = serde_json::Map::new();
    let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            details.insert(field.into(), json!({ "from": from, "to": to }));
        }
    };
    note("name", json!(before.name), json!(after.name));
    note("time_zone", json!(before.time_zone), json!(after.time_zone));
    note(
        "default_cadence",
        json!(before.default_cadence),
        json!(after.default_cadence),
    );
    note(
        "stuck_after_days",
        json!(before.stuck_after_days),
        json!(after.stuck_after_days),
    );
    note(
        "week_start",
        json!(before.week_start.label()),
        json!(after.week_start.label()),
    );
    note(
        "adaptive_step_after",
        json!(before.adaptive_step_after),
        json!(after.adaptive_step_after),
    );
    note(
        "restored_after",
        json!(before.restored_after),
        json!(after.restored_after),
    );
    note(
        "escalate_after_days",
        json!(before.escalate_after),
        json!(after.escalate_after),
    );
    details
}

#[tracing::instrument(skip_all)]
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<OrgSettingsForm>,
) -> Result<Response> {
    let actor = ctx.user()?.id;
    let settings = match form.parse() {
        Ok(s) => s,
        Err(errors) => return Ok(page(&state, &ctx, form, errors)),
    };
    let mut tx = state.db.begin().await?;
    let before = db::organisation::save(&mut tx, &settings).await?;
    let details = changes(&before, &settings);
    if details.is_empty() {
        drop(tx);
        flash(&ctx.session, "info", "Nothing changed.").await?;
        return Ok(Redirect::to("/admin/settings").into_response());
    }
    audit::record(
        &mut tx,
        actor,
        AuditAction::SettingsChanged,
        Target::settings(),
        serde_json::Value::Object(details),
    )
    .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        "success",
        "The organisation's settings are saved.",
    )
    .await?;
    Ok(Redirect::to("/admin/settings").into_response())
}
