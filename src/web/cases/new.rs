//! Logging an incident: one form, first field focused. The account is typed with suggestions
//! (a `<datalist>`, refreshed as you type when JavaScript runs); a client new to Mend is added
//! from the same form (name, owner, value) without leaving it or losing what was typed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::case_url;
use crate::app;
use crate::db::accounts::Choice;
use crate::domain::FieldErrors;
use crate::domain::account::AccountForm;
use crate::domain::case::{DetectedBy, IncidentForm, Severity, local_input};
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, Form, Me, flash, render};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    account: String,
    account_name: String,
}

#[derive(Template)]
#[template(path = "pages/cases/new.html")]
struct NewPage {
    chrome: Chrome,
    form: IncidentForm,
    errors: FieldErrors,
    /// Suggestions for the account field.
    accounts: Vec<Choice>,
    categories: Vec<Choice>,
    severities: Vec<(&'static str, &'static str)>,
    detected_by: Vec<(&'static str, &'static str)>,
    /// For a new client: the teams the person may give it to (one: no choice shown), and the
    /// people who may own it.
    teams: Vec<Choice>,
    owners: Vec<Choice>,
    new_account: bool,
}

impl NewPage {
    /// The account field is where the form starts, and where it goes back to when the account
    /// is what was wrong.
    fn focus_account(&self) -> bool {
        self.errors.is_empty()
            || self
                .errors
                .iter()
                .next()
                .is_some_and(|(f, _)| f == "account_name")
    }

    /// The errors in the order of the form, for the error summary.
    fn problems(&self) -> Vec<(&str, &str)> {
        self.errors.iter().collect()
    }
}

/// The suggestions for the account field (the first this many matches).
const SUGGESTIONS: i64 = 50;

/// The name of account `id`, if the person may see it.
async fn account_name(state: &AppState, actor: &app::Actor, id: Uuid) -> Result<String> {
    Ok(crate::db::accounts::get(&state.db, actor.scope(), id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default())
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    mut form: IncidentForm,
    errors: FieldErrors,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    let scope = actor.scope();
    // An account chosen by id (from its page) is shown by its name.
    if form.account_name.trim().is_empty()
        && let Ok(id) = Uuid::parse_str(form.account_id.trim())
    {
        form.account_name = account_name(state, &actor, id).await?;
    }
    let accounts = crate::db::choices::account_choices(&state.db, scope, "", SUGGESTIONS).await?;
    let teams = crate::db::accounts::team_choices(&state.db, scope).await?;
    let owners = match actor.team_id {
        Some(team) => crate::web::reference::team_members(state, team).await?,
        None => crate::db::accounts::manager_choices(&state.db, scope).await?,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &NewPage {
            chrome: ctx.chrome("Log an incident"),
            new_account: form.new_account.is_some(),
            form,
            errors,
            accounts,
            categories: crate::web::reference::categories(state).await?,
            severities: Severity::options(),
            detected_by: DetectedBy::options(),
            teams,
            owners,
        },
    ))
}

pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    Query(query): Query<NewQuery>,
) -> Result<Response> {
    let actor = me.actor();
    // Coming from an account's page: that account, by name.
    let form = IncidentForm {
        account_id: query.account.clone(),
        account_name: query.account_name.clone(),
        severity: "medium".into(),
        detected_by: "client".into(),
        occurred_at: local_input(Utc::now(), actor.time_zone),
        ..IncidentForm::default()
    };
    new_page(&state, &ctx, form, FieldErrors::default()).await
}

#[derive(Template)]
#[template(
    source = r#"<datalist id="account-options">{% for a in accounts %}<option value="{{ a.label }}"></option>{% endfor %}</datalist>"#,
    ext = "html"
)]
struct Suggestions {
    accounts: Vec<Choice>,
}

/// `GET /cases/new/accounts?account_name=…`: the suggestions for what was typed so far (htmx
/// replaces the form's `<datalist>` with them).
pub async fn suggestions(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NewQuery>,
) -> Result<Response> {
    let scope = ctx.user()?.actor().scope();
    let accounts =
        crate::db::choices::account_choices(&state.db, scope, &query.account_name, SUGGESTIONS)
            .await?;
    Ok(render(StatusCode::OK, &Suggestions { accounts }))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    Form(mut form): Form<IncidentForm>,
) -> Result<Response> {
    let actor = me.actor();
    let now = Utc::now();
    if form.new_account.is_some() {
        return create_with_new_account(&state, &ctx, &actor, form).await;
    }
    // The account as typed: its name (the field's usual use), or its id (from an account page).
    let typed = form.account_name.trim().to_string();
    let by_id = Uuid::parse_str(form.account_id.trim()).is_ok();
    if !typed.is_empty() {
        let named = crate::db::choices::account_named(&state.db, actor.scope(), &typed).await?;
        match named {
            Some(id) => form.account_id = id.to_string(),
            None if !by_id => {
                let mut errors = form.parse(actor.time_zone, now).err().unwrap_or_default();
                let mut all = FieldErrors::default();
                all.add(
                    "account_name",
                    format!(
                        "No client is named \u{201c}{typed}\u{201d}. Choose one of the suggestions, or tick \u{201c}This is a new client\u{201d} to add it."
                    ),
                );
                for (field, message) in errors.iter().filter(|(f, _)| *f != "account_id") {
                    all.add(field, message);
                }
                errors = all;
                return new_page(&state, &ctx, form, errors).await;
            }
            None => {}
        }
    }
    let incident = match form.parse(actor.time_zone, now) {
        Ok(i) => i,
        Err(errors) => {
            return new_page(&state, &ctx, form, account_field(errors)).await;
        }
    };
    match app::cases::log_incident(&state.db, &actor, &incident).await {
        Ok(number) => logged(&ctx, number).await,
        Err(app::Error::Invalid(errors)) => {
            new_page(&state, &ctx, form, account_field(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Errors about the account are shown beside the field people type it in.
fn account_field(errors: FieldErrors) -> FieldErrors {
    let mut all = FieldErrors::default();
    for (field, message) in errors.iter() {
        if field == "account_id" && errors.get("account_id").is_some() {
            // Said for the field people type in: a name, not a choice from a list.
            let message = if message.starts_with("Choose the client") {
                "Choose the client this is about: start typing its name."
            } else {
                message
            };
            all.add("account_name", message);
        } else {
            all.add(field, message);
        }
    }
    all
}

/// A new client and the incident on it, from the same form.
async fn create_with_new_account(
    state: &AppState,
    ctx: &Ctx,
    actor: &app::Actor,
    mut form: IncidentForm,
) -> Result<Response> {
    let teams = crate::db::accounts::team_choices(&state.db, actor.scope()).await?;
    let team = if form.new_account_team.trim().is_empty() {
        actor
            .team_id
            .or_else(|| (teams.len() == 1).then(|| teams[0].id))
            .map(|t| t.to_string())
            .unwrap_or_default()
    } else {
        form.new_account_team.clone()
    };
    let account = AccountForm {
        name: form.account_name.clone(),
        team_id: team,
        manager_id: form.new_account_owner.clone(),
        annual_value: form.new_account_value.clone(),
        ..AccountForm::default()
    };
    // The incident's own fields are checked with a stand-in account.
    form.account_id = Uuid::nil().to_string();
    let parsed = form.parse(actor.time_zone, Utc::now());
    let mut errors = FieldErrors::default();
    let account = match account.parse() {
        Ok(a) => Some(a),
        Err(e) => {
            for (field, message) in e.iter() {
                errors.add(new_account_field(field), message);
            }
            None
        }
    };
    if let Err(e) = &parsed {
        for (field, message) in e.iter() {
            errors.add(field, message);
        }
    }
    let (Some(account), Ok(incident)) = (account, parsed) else {
        form.account_id.clear();
        return new_page(state, ctx, form, errors).await;
    };
    match app::cases::log_incident_for_new_account(&state.db, actor, &account, incident).await {
        Ok(number) => logged(ctx, number).await,
        Err(app::Error::Invalid(e)) => {
            let mut errors = FieldErrors::default();
            for (field, message) in e.iter() {
                errors.add(new_account_field(field), message);
            }
            form.account_id.clear();
            new_page(state, ctx, form, errors).await
        }
        Err(app::Error::Conflict(message)) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "account_name",
                format!("{message} Untick \u{201c}This is a new client\u{201d} to log the incident on it."),
            );
            form.account_id.clear();
            new_page(state, ctx, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The incident form's name for an account form's field.
fn new_account_field(field: &'static str) -> &'static str {
    match field {
        "name" => "account_name",
        "team_id" => "new_account_team",
        "manager_id" => "new_account_owner",
        "annual_value" => "new_account_value",
        other => other,
    }
}

async fn logged(ctx: &Ctx, number: i64) -> Result<Response> {
    flash(
        &ctx.session,
        "success",
        format!("Logged as CR-{number}. Now define the damage: what happened, and why?"),
    )
    .await?;
    Ok(Redirect::to(&case_url(number)).into_response())
}
