//! Logging an incident: the form, and the case it opens.

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
use crate::domain::case::{DetectedBy, IncidentForm, Severity, local_input};
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, Form, Me, flash, render};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    account: String,
    q: String,
}

#[derive(Template)]
#[template(path = "pages/cases/new.html")]
struct NewPage {
    chrome: Chrome,
    form: IncidentForm,
    errors: FieldErrors,
    q: String,
    accounts: Vec<Choice>,
    categories: Vec<Choice>,
    severities: Vec<(&'static str, &'static str)>,
    detected_by: Vec<(&'static str, &'static str)>,
}

/// The account picker shows this many matches; the search box narrows it down.
const PICKER_LIMIT: i64 = 200;

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    form: IncidentForm,
    errors: FieldErrors,
    q: String,
) -> Result<Response> {
    let scope = ctx.user()?.actor().scope();
    let mut accounts =
        crate::db::choices::account_choices(&state.db, scope, &q, PICKER_LIMIT).await?;
    // Keep the chosen account in the list even when the search would hide it.
    if let Ok(chosen) = Uuid::parse_str(form.account_id.trim())
        && !accounts.iter().any(|a| a.id == chosen)
        && let Some(a) = crate::db::accounts::get(&state.db, scope, chosen).await?
    {
        accounts.insert(
            0,
            Choice {
                id: a.id,
                label: a.name,
            },
        );
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &NewPage {
            chrome: ctx.chrome("Log an incident"),
            form,
            errors,
            q,
            accounts,
            categories: crate::web::reference::categories(state).await?,
            severities: Severity::options(),
            detected_by: DetectedBy::options(),
        },
    ))
}

pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    Query(query): Query<NewQuery>,
) -> Result<Response> {
    let form = IncidentForm {
        account_id: query.account.clone(),
        severity: "medium".into(),
        detected_by: "client".into(),
        occurred_at: local_input(Utc::now(), me.actor().time_zone),
        ..IncidentForm::default()
    };
    new_page(
        &state,
        &ctx,
        form,
        FieldErrors::default(),
        query.q.trim().to_string(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    Form(form): Form<IncidentForm>,
) -> Result<Response> {
    let actor = me.actor();
    let incident = match form.parse(actor.time_zone, Utc::now()) {
        Ok(i) => i,
        Err(errors) => return new_page(&state, &ctx, form, errors, String::new()).await,
    };
    match app::cases::log_incident(&state.db, &actor, &incident).await {
        Ok(number) => {
            flash(
                &ctx.session,
                "success",
                format!("Logged as CR-{number}. Now define the damage: what happened, and why?"),
            )
            .await?;
            Ok(Redirect::to(&case_url(number)).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            new_page(&state, &ctx, form, errors, String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}
