//! The signed-in user's own settings: their password, their time zone, which reminder e-mails
//! they get, their private calendar link and their API tokens. Each is a small form of its own,
//! saved by a use case in `app::personal`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::page::{Chrome, Ctx, Form, flash, render};
use crate::app::{self, personal::Reminders};
use crate::auth::{AuthSession, SessionUser, guard, password};
use crate::db::api_tokens;
use crate::db::users as db_users;
use crate::domain::FieldErrors;
use crate::domain::user::{NewToken, Password};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/settings", get(show))
        .route("/settings/password", post(change_password))
        .route("/settings/time-zone", post(change_time_zone))
        .route("/settings/reminders", post(change_reminders))
        .route("/settings/calendar", post(issue_calendar_link))
        .route("/settings/calendar/off", post(turn_off_calendar))
        .route("/settings/tokens", post(create_token))
        .route("/settings/tokens/{id}/revoke", post(revoke_token))
        .route_layer(middleware::from_fn(guard::signed_in))
}

#[derive(Template)]
#[template(path = "pages/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    errors: FieldErrors,
    /// The zone shown as chosen: the saved one, or what was just submitted.
    time_zone: String,
    /// Every IANA zone name, sorted.
    zones: Vec<&'static str>,
    /// The submitted zone is not in `zones`; it is offered too, so the input is kept.
    unknown_zone: bool,
    remind_due: bool,
    remind_missed: bool,
    remind_digest: bool,
    /// The path of the private calendar feed, when a link is issued.
    calendar_path: Option<String>,
    tokens: Vec<TokenView>,
    /// The token form's input, kept when it is refused.
    token_name: String,
    token_expires: String,
    /// A token just created: shown this once.
    new_token: Option<String>,
}

/// An API token in the list.
struct TokenView {
    id: uuid::Uuid,
    name: String,
    prefix: String,
    created: String,
    expires: String,
    last_used: String,
    /// "active", "expired" or "revoked".
    state: &'static str,
}

/// Every IANA time zone name, sorted.
fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    names
}

/// The IANA zone called exactly `raw`, if there is one.
fn known_zone(raw: &str) -> Option<chrono_tz::Tz> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name() == raw)
        .copied()
}

/// What the settings page shows besides what is saved.
#[derive(Default)]
struct Extra {
    errors: FieldErrors,
    /// A refused submission's time zone, shown in place of the saved one.
    kept_zone: Option<String>,
    token_name: String,
    token_expires: String,
    new_token: Option<String>,
}

/// The settings page, from what is saved, with `extra` (a refused form, a new token).
async fn page(state: &AppState, ctx: &Ctx, extra: Extra) -> Result<Response> {
    let user = ctx.user()?;
    let prefs = db_users::prefs(&state.db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz: chrono_tz::Tz = user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let now = chrono::Utc::now();
    let when = |t: chrono::DateTime<chrono::Utc>| crate::domain::case::local_display(t, tz);
    let tokens = api_tokens::list(&state.db, user.id)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            state: if t.revoked_at.is_some() {
                "revoked"
            } else if t.expires_at.is_some_and(|e| e <= now) {
                "expired"
            } else {
                "active"
            },
            name: t.name,
            prefix: t.prefix,
            created: when(t.created_at),
            expires: t.expires_at.map(when).unwrap_or_else(|| "Never".into()),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "Not yet".into()),
        })
        .collect();
    let Extra {
        errors,
        kept_zone,
        token_name,
        token_expires,
        new_token,
    } = extra;
    let time_zone = kept_zone.unwrap_or(prefs.time_zone);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &SettingsPage {
            chrome: ctx.chrome("Settings"),
            errors,
            unknown_zone: known_zone(&time_zone).is_none(),
            time_zone,
            zones: zone_names(),
            remind_due: prefs.remind_due,
            remind_missed: prefs.remind_missed,
            remind_digest: prefs.remind_digest,
            calendar_path: prefs
                .calendar_secret
                .map(|secret| format!("/calendar/{secret}.ics")),
            tokens,
            token_name,
            token_expires,
            new_token,
        },
    ))
}

async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    page(&state, &ctx, Extra::default()).await
}

fn back(section: &str) -> Response {
    Redirect::to(&format!("/settings#{section}")).into_response()
}

// ---------------------------------------------------------------------------------------------
// Password

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    repeat_password: String,
}

/// Changes the password. The session auth hash changes with the password hash, which ends the
/// user's other sessions; this one signs in again with the new hash, so it carries on.
#[tracing::instrument(skip_all)]
async fn change_password(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let user = ctx.user()?;
    let stored = db_users::password_hash(&state.db, user.id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let mut errors = FieldErrors::default();
    if form.current_password.is_empty() {
        errors.add("current_password", "Enter your current password.");
    } else if !password::verify(form.current_password, Some(stored)).await? {
        errors.add(
            "current_password",
            "That is not your current password. Check it and try again.",
        );
    }
    let new = Password::parse(&form.new_password)
        .map_err(|e| errors.add("new_password", e))
        .ok();
    if new.is_some() && form.repeat_password != form.new_password {
        errors.add(
            "repeat_password",
            "The two new passwords differ: type the same one twice.",
        );
    }
    // Passwords are never sent back in the page, so a refused form starts empty.
    let new = match new {
        Some(new) if errors.is_empty() => new,
        _ => {
            return page(
                &state,
                &ctx,
                Extra {
                    errors,
                    ..Extra::default()
                },
            )
            .await;
        }
    };

    let hash = password::hash(new.expose().to_string()).await?;
    let updated = app::personal::change_password(&state.db, &user.actor(), &hash).await?;
    auth.login(&SessionUser::from(updated))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("renewing the session: {e}")))?;
    flash(
        &ctx.session,
        "success",
        "Your password is changed. Anywhere else you were signed in, you have been signed out.",
    )
    .await?;
    Ok(back("password"))
}

// ---------------------------------------------------------------------------------------------
// Time zone

#[derive(Deserialize, Default)]
#[serde(default)]
struct TimeZoneForm {
    time_zone: String,
}

async fn change_time_zone(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TimeZoneForm>,
) -> Result<Response> {
    let user = ctx.user()?;
    let raw = form.time_zone.trim();
    let Some(zone) = known_zone(raw) else {
        let mut errors = FieldErrors::default();
        errors.add(
            "time_zone",
            if raw.is_empty() {
                "Choose your time zone.".to_string()
            } else {
                format!(
                    "\u{201c}{raw}\u{201d} is not a time zone Mend knows: choose one from the list."
                )
            },
        );
        return page(
            &state,
            &ctx,
            Extra {
                errors,
                kept_zone: Some(raw.to_string()),
                ..Extra::default()
            },
        )
        .await;
    };
    app::personal::set_time_zone(&state.db, &user.actor(), zone).await?;
    flash(
        &ctx.session,
        "success",
        format!("Your time zone is now {}.", zone.name()),
    )
    .await?;
    Ok(back("time-zone"))
}

// ---------------------------------------------------------------------------------------------
// Reminders

/// Checkboxes: a ticked one is sent, an unticked one is absent.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RemindersForm {
    remind_due: Option<String>,
    remind_missed: Option<String>,
    remind_digest: Option<String>,
}

async fn change_reminders(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<RemindersForm>,
) -> Result<Response> {
    let user = ctx.user()?;
    let reminders = Reminders {
        due: form.remind_due.is_some(),
        missed: form.remind_missed.is_some(),
        digest: form.remind_digest.is_some(),
    };
    app::personal::set_reminders(&state.db, &user.actor(), reminders).await?;
    flash(&ctx.session, "success", "Your reminder e-mails are saved.").await?;
    Ok(back("reminders"))
}

// ---------------------------------------------------------------------------------------------
// Calendar link

/// Issues a private calendar link, replacing (and so revoking) any link issued before.
async fn issue_calendar_link(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let user = ctx.user()?;
    let secret = super::calendar::new_secret();
    let had_one = app::personal::issue_calendar_link(&state.db, &user.actor(), &secret).await?;
    let message = if had_one {
        "Here is your new calendar link. The old one no longer works: update your calendar app."
    } else {
        "Here is your private calendar link: add it to your calendar app."
    };
    flash(&ctx.session, "success", message).await?;
    Ok(back("calendar"))
}

async fn turn_off_calendar(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let user = ctx.user()?;
    app::personal::turn_off_calendar(&state.db, &user.actor()).await?;
    flash(
        &ctx.session,
        "success",
        "Your calendar link is turned off: calendar apps no longer receive your check-ins.",
    )
    .await?;
    Ok(back("calendar"))
}

// ---------------------------------------------------------------------------------------------
// API tokens

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    token_name: String,
    /// A date (YYYY-MM-DD); empty for a token that does not expire.
    token_expires: String,
}

/// Creates a personal API token and shows it, this once, on the page (never in a redirect or
/// a flash message, which would store it).
async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    let token = match NewToken::parse(
        &form.token_name,
        &form.token_expires,
        actor.time_zone,
        chrono::Utc::now(),
    ) {
        Ok(token) => token,
        Err(errors) => {
            return page(
                &state,
                &ctx,
                Extra {
                    errors,
                    token_name: form.token_name,
                    token_expires: form.token_expires,
                    ..Extra::default()
                },
            )
            .await;
        }
    };
    let raw = app::personal::create_token(&state.db, &actor, &token).await?;
    page(
        &state,
        &ctx,
        Extra {
            new_token: Some(raw),
            ..Extra::default()
        },
    )
    .await
}

async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(_): Form<TokenForm>,
) -> Result<Response> {
    let user = ctx.user()?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    app::personal::revoke_token(&state.db, &user.actor(), id).await?;
    flash(
        &ctx.session,
        "success",
        "Token revoked: it no longer works.",
    )
    .await?;
    Ok(back("tokens"))
}
