//! People: create a user (with a password set by the admin or a one-time link), a page per user
//! to change their role and team, issue a password link, deactivate (after a confirmation
//! page; their sessions end in the same transaction) and reactivate. The last active admin can
//! be neither deactivated nor demoted. Each change is one use case in `app::admin::users`; these
//! handlers parse the form, call it, and show the outcome.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::parse_id;
use crate::app;
use crate::app::admin::users::{self as app_users, AccessChanged, IssuedLink, LinkIssued};
use crate::auth::{AuthSession, password, password_link};
use crate::db;
use crate::db::users::AdminUser;
use crate::domain::admin::{AccessForm, NewAccountForm};
use crate::domain::case::{local_display, time_zone};
use crate::domain::organisation::time_zone_names;
use crate::domain::{FieldErrors, Role};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, Flash, Form, flash, render};

/// (value, label) of every role, for a select.
fn role_options() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
}

/// A team for a select.
pub struct TeamOption {
    pub id: String,
    pub name: String,
}

async fn team_options(state: &AppState) -> Result<Vec<TeamOption>> {
    Ok(db::users::list_teams(&state.db)
        .await?
        .into_iter()
        .map(|t| TeamOption {
            id: t.id.to_string(),
            name: t.name,
        })
        .collect())
}

fn team_ids(teams: &[TeamOption]) -> Vec<Uuid> {
    teams
        .iter()
        .filter_map(|t| Uuid::parse_str(&t.id).ok())
        .collect()
}

fn status_for(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn user_page_path(id: Uuid) -> String {
    format!("/admin/users/{id}")
}

// ---------------------------------------------------------------------------------------------
// Creating a user

#[derive(Template)]
#[template(path = "pages/admin/user_new.html")]
struct NewUserPage {
    chrome: Chrome,
    form: NewAccountForm,
    errors: FieldErrors,
    roles: Vec<(&'static str, &'static str)>,
    teams: Vec<TeamOption>,
    zones: Vec<&'static str>,
    /// The submitted zone is not a known one; it is offered too, so the input is kept.
    unknown_zone: bool,
    /// How long a password link works.
    link_hours: i64,
}

async fn new_user_page(
    state: &AppState,
    ctx: &Ctx,
    form: NewAccountForm,
    errors: FieldErrors,
) -> Result<Response> {
    let zones = time_zone_names();
    let page = NewUserPage {
        chrome: ctx.chrome("New user"),
        unknown_zone: !zones.contains(&form.time_zone.as_str()),
        zones,
        link_hours: password_link::LIFETIME.num_hours(),
        teams: team_options(state).await?,
        roles: role_options(),
        // A password is never sent back in a page.
        form: NewAccountForm {
            password: String::new(),
            ..form
        },
        errors,
    };
    Ok(render(status_for(&page.errors), &page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let organisation = db::organisation::get(&state.db).await?;
    let form = NewAccountForm {
        role: Role::AccountManager.as_str().into(),
        time_zone: organisation.time_zone,
        password_mode: "link".into(),
        ..NewAccountForm::default()
    };
    new_user_page(&state, &ctx, form, FieldErrors::default()).await
}

/// Back to a user's page, with a message.
async fn back_to_user(ctx: &Ctx, id: Uuid, kind: &str, message: String) -> Result<Response> {
    flash(&ctx.session, kind, message).await?;
    Ok(Redirect::to(&user_page_path(id)).into_response())
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<NewAccountForm>,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    let teams = team_options(&state).await?;
    let account = match form.parse(&team_ids(&teams)) {
        Ok(account) => account,
        Err(errors) => return new_user_page(&state, &ctx, form, errors).await,
    };
    // Hashing takes a while: it is done before the use case's transaction.
    let hash = password::hash(app_users::first_secret(&account.password)).await?;
    let created = match app_users::create(&state.db, &actor, &account, &hash).await {
        Ok(created) => created,
        Err(app::Error::Invalid(errors)) => {
            return new_user_page(&state, &ctx, form, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    match created.link {
        Some(link) => {
            let message = format!(
                "{} is created. Give them the link below so they can choose their password.",
                account.name
            );
            link_page(&state, &ctx, created.id, &account.name, link, message).await
        }
        None => {
            flash(
                &ctx.session,
                "success",
                format!(
                    "{} is created and can sign in with the password you set. Tell them to change it on their settings page.",
                    account.name
                ),
            )
            .await?;
            Ok(Redirect::to(&user_page_path(created.id)).into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One-time password links

#[derive(Template)]
#[template(path = "pages/admin/password_link.html")]
struct LinkPage {
    chrome: Chrome,
    user_id: Uuid,
    name: String,
    url: String,
    expires: String,
    hours: i64,
}

/// The page that shows a link, once: it is rendered in answer to the form, never stored.
async fn link_page(
    state: &AppState,
    ctx: &Ctx,
    user_id: Uuid,
    name: &str,
    link: IssuedLink,
    message: String,
) -> Result<Response> {
    let tz = time_zone(&ctx.user()?.time_zone);
    let mut chrome = ctx.chrome(format!("Password link for {name}"));
    chrome.flashes.push(Flash {
        at: None,
        kind: "success".into(),
        message,
    });
    let page = LinkPage {
        chrome,
        user_id,
        name: name.to_string(),
        url: format!(
            "{}{}",
            state.settings.public_url,
            password_link::path(&link.token)
        ),
        expires: local_display(link.expires_at, tz),
        hours: password_link::LIFETIME.num_hours(),
    };
    let mut response = render(StatusCode::OK, &page);
    response.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn issue_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let actor = ctx.user()?.actor();
    match app_users::issue_link(&state.db, &actor, id).await {
        Ok(LinkIssued { name, link }) => {
            let message = format!(
                "A new password link for {name} is ready. Any link given to them before no longer works."
            );
            link_page(&state, &ctx, id, &name, link, message).await
        }
        Err(app::Error::Refused(message)) => back_to_user(&ctx, id, "error", message).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// A user's page: role and team

#[derive(Template)]
#[template(path = "pages/admin/user.html")]
struct UserPage {
    chrome: Chrome,
    link_hours: i64,
    user: UserView,
    is_self: bool,
    roles: Vec<(&'static str, &'static str)>,
    teams: Vec<TeamOption>,
    /// The role-and-team form: the saved values, or what was submitted.
    access: AccessForm,
    errors: FieldErrors,
}

struct UserView {
    id: Uuid,
    name: String,
    email: String,
    role: String,
    role_label: String,
    team: Option<String>,
    time_zone: String,
    active: bool,
    created: String,
}

fn view(user: &AdminUser, tz: chrono_tz::Tz) -> UserView {
    UserView {
        id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role.as_str().to_string(),
        role_label: user.role.label().to_string(),
        team: user.team.clone(),
        time_zone: user.time_zone.clone(),
        active: user.active,
        created: local_display(user.created_at, tz),
    }
}

async fn user_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    kept: Option<(AccessForm, FieldErrors, StatusCode)>,
) -> Result<Response> {
    let me = ctx.user()?;
    let user = db::users::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (access, errors, status) = kept.unwrap_or_else(|| {
        (
            AccessForm {
                role: user.role.as_str().to_string(),
                team_id: user.team_id.map(|t| t.to_string()).unwrap_or_default(),
            },
            FieldErrors::default(),
            StatusCode::OK,
        )
    });
    let page = UserPage {
        chrome: ctx.chrome(user.name.clone()),
        link_hours: password_link::LIFETIME.num_hours(),
        user: view(&user, time_zone(&me.time_zone)),
        is_self: me.id == user.id,
        roles: role_options(),
        teams: team_options(state).await?,
        access,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    user_page(&state, &ctx, id, None).await
}

/// Changes a user's role and team. Taking the admin role from the last active admin is
/// refused; an admin who gives up their own admin role goes home, as /admin is closed to them.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn change_access(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<AccessForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let actor = ctx.user()?.actor();
    let teams = team_options(&state).await?;
    let access = match form.parse(&team_ids(&teams)) {
        Ok(access) => access,
        Err(errors) => {
            let kept = (form, errors, StatusCode::UNPROCESSABLE_ENTITY);
            return user_page(&state, &ctx, id, Some(kept)).await;
        }
    };
    let AccessChanged {
        name,
        role,
        team,
        is_self,
    } = match app_users::change_access(&state.db, &actor, id, access).await {
        Ok(changed) => changed,
        Err(app::Error::AlreadyDone(message)) => {
            return back_to_user(&ctx, id, "info", message).await;
        }
        Err(app::Error::Refused(refusal)) => {
            let mut errors = FieldErrors::default();
            errors.add("role", refusal);
            let kept = (form, errors, StatusCode::CONFLICT);
            return user_page(&state, &ctx, id, Some(kept)).await;
        }
        Err(e) => return Err(e.into()),
    };
    let role_text = match role {
        Role::AccountManager => "an account manager",
        Role::Manager => "a manager",
        Role::Admin => "an admin",
    };
    let team_text = team
        .map(|t| format!("in team {t}"))
        .unwrap_or_else(|| "in no team".into());
    flash(
        &ctx.session,
        "success",
        format!("Saved: {name} is now {role_text}, {team_text}."),
    )
    .await?;
    if is_self && role != Role::Admin {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(Redirect::to(&user_page_path(id)).into_response())
}

// ---------------------------------------------------------------------------------------------
// Deactivating and reactivating

#[derive(Template)]
#[template(path = "pages/admin/deactivate.html")]
struct DeactivatePage {
    chrome: Chrome,
    user: UserView,
    is_self: bool,
    open_cases: i64,
    problem: Option<String>,
}

async fn deactivate_page(
    state: &AppState,
    ctx: &Ctx,
    user: &AdminUser,
    problem: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let me = ctx.user()?;
    let page = DeactivatePage {
        chrome: ctx.chrome(format!("Deactivate {}", user.name)),
        user: view(user, time_zone(&me.time_zone)),
        is_self: me.id == user.id,
        open_cases: db::users::open_cases_owned(&state.db, user.id).await?,
        problem,
    };
    Ok(render(status, &page))
}

/// Asks before deactivating: what it does, and what happens to their cases.
pub async fn confirm_deactivation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let user = db::users::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !user.active {
        let message = format!("{} is already deactivated.", user.name);
        return back_to_user(&ctx, id, "info", message).await;
    }
    deactivate_page(&state, &ctx, &user, None, StatusCode::OK).await
}

/// Deactivates a user and deletes their sessions in one transaction, so they are signed out
/// at once. The last active admin cannot be deactivated.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn deactivate(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let actor = ctx.user()?.actor();
    let deactivated = match app_users::deactivate(&state.db, &actor, id).await {
        Ok(deactivated) => deactivated,
        Err(app::Error::AlreadyDone(message)) => {
            return back_to_user(&ctx, id, "info", message).await;
        }
        Err(app::Error::Refused(refusal)) => {
            let user = db::users::get(&state.db, id)
                .await?
                .ok_or(AppError::NotFound)?;
            return deactivate_page(&state, &ctx, &user, Some(refusal), StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(e.into()),
    };
    if deactivated.is_self {
        // This very session was among those deleted; end it here too, so the response does
        // not write it back.
        auth.logout()
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("ending a session: {e}")))?;
        flash(
            &auth.session,
            "info",
            "You deactivated your own account and are signed out.",
        )
        .await?;
        return Ok(Redirect::to("/login").into_response());
    }
    flash(
        &ctx.session,
        "success",
        format!(
            "{} is deactivated and signed out everywhere. They cannot sign in until reactivated.",
            deactivated.name
        ),
    )
    .await?;
    Ok(Redirect::to(&user_page_path(id)).into_response())
}

#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn reactivate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let actor = ctx.user()?.actor();
    let name = match app_users::reactivate(&state.db, &actor, id).await {
        Ok(name) => name,
        Err(app::Error::AlreadyDone(message)) => {
            return back_to_user(&ctx, id, "info", message).await;
        }
        Err(e) => return Err(e.into()),
    };
    flash(
        &ctx.session,
        "success",
        format!(
            "{name} is active again and can sign in with their password (or give them a new password link)."
        ),
    )
    .await?;
    Ok(Redirect::to(&user_page_path(id)).into_response())
}
