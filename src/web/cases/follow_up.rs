//! Following up on the web: planning the check-ins, recording the next one (with the marks of
//! the case's commitments), and skipping one.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

use super::{CaseNumber, Section, done, form_not_done, moved, not_done, refuse};
use crate::app::{self, Links, check_ins::Which};
use crate::domain::follow_up::{CheckInForm, PlanForm};
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Ctx, Form, Me};

pub async fn start_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<PlanForm>,
) -> Result<Response> {
    let actor = me.actor();
    let plan = match form.parse(actor.today(Utc::now())) {
        Ok(p) => p,
        Err(errors) => return refuse(&state, &ctx, number, form, errors).await,
    };
    match app::check_ins::start_plan(&state.db, &actor, number, &plan).await {
        Ok(()) => {
            done(
                &state,
                &ctx,
                number,
                Section::FollowUp,
                "Check-ins are planned.",
            )
            .await
        }
        Err(e) => form_not_done(&state, &ctx, number, form, e).await,
    }
}

pub async fn complete_check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<CheckInForm>,
) -> Result<Response> {
    let (result, marks) = match form.parse().and_then(|r| Ok((r, form.marks()?))) {
        Ok(r) => r,
        Err(errors) => return refuse(&state, &ctx, number, form, errors).await,
    };
    let links = Links {
        public_url: &state.settings.public_url,
    };
    let recorded = app::check_ins::record(
        &state.db,
        links,
        &me.actor(),
        Which::NextOf(number),
        &result,
        &marks,
        Utc::now(),
    )
    .await;
    match recorded {
        Ok(r) if r.reopened => {
            moved(
                &ctx,
                number,
                "Check-in recorded. A commitment was broken: the case is back in Making it right, and the managers are told.",
            )
            .await
        }
        Ok(_) => done(&state, &ctx, number, Section::FollowUp, "Check-in recorded.").await,
        Err(e) => form_not_done(&state, &ctx, number, form, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SkipForm {
    skip_reason: String,
}

pub async fn skip_check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<SkipForm>,
) -> Result<Response> {
    match app::check_ins::skip(&state.db, &me.actor(), number, &form.skip_reason).await {
        Ok(()) => done(&state, &ctx, number, Section::FollowUp, "Check-in skipped.").await,
        Err(e) => {
            let reason = form.skip_reason;
            not_done(&state, &ctx, number, "skip", e, |f| f.skip_reason = reason).await
        }
    }
}
