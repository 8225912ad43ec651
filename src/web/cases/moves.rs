//! Moving a case on the web: on, back, closed, let go (asked for and decided), and reassigned.
//! These change the case itself, so each form carries the version it was opened at.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{CaseNumber, Forms, moved, not_done};
use crate::app;
use crate::domain::case::parse_version;
use crate::domain::stage::Outcome;
use crate::error::Result;
use crate::state::AppState;
use crate::web::page::{Ctx, Form, Me, flash};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    version: String,
    reason: String,
    /// The reason given in the let-go form (its own field, beside the move-back reason).
    let_go_reason: String,
    outcome: String,
    decision: String,
    owner_id: String,
    /// Where to return after reassigning (a local path, e.g. the manager review).
    back: String,
    /// The lesson learned, given with a let-go request or its approval.
    let_go_lesson: String,
    /// "1": the person confirmed closing while things are still open.
    confirmed: String,
}

impl MoveForm {
    fn version(&self) -> Option<i32> {
        parse_version(&self.version)
    }
}

/// The reason typed, kept in both forms that take one.
fn keep_reason(reason: String) -> impl FnOnce(&mut Forms) {
    move |f: &mut Forms| {
        f.reason = reason.clone();
        f.let_go_reason = reason;
    }
}

/// The reason and the lesson of a let-go request, kept.
fn keep_let_go(reason: String, lesson: String) -> impl FnOnce(&mut Forms) {
    move |f: &mut Forms| {
        f.let_go_reason = reason;
        f.let_go_lesson = lesson;
    }
}

pub async fn advance(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    match app::moves::advance(&state.db, &me.actor(), number, form.version()).await {
        Ok(to) => moved(&ctx, number, format!("Moved on to {}.", to.label())).await,
        Err(e) => not_done(&state, &ctx, number, "stage", e, keep_reason(form.reason)).await,
    }
}

pub async fn move_back(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let went_back =
        app::moves::move_back(&state.db, &me.actor(), number, form.version(), &form.reason).await;
    match went_back {
        Ok(to) => moved(&ctx, number, format!("Moved back to {}.", to.label())).await,
        Err(e) => not_done(&state, &ctx, number, "stage", e, keep_reason(form.reason)).await,
    }
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let outcome = Outcome::parse(&form.outcome).unwrap_or(Outcome::Open);
    let confirmed = form.confirmed == "1";
    match app::moves::close(
        &state.db,
        &me.actor(),
        number,
        form.version(),
        outcome,
        confirmed,
    )
    .await
    {
        Ok(()) => {
            let message = format!("The case is closed: {}.", outcome.label().to_lowercase());
            moved(&ctx, number, message).await
        }
        Err(e) => not_done(&state, &ctx, number, "stage", e, keep_reason(form.reason)).await,
    }
}

pub async fn request_let_go(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let requested = app::moves::request_let_go(
        &state.db,
        &me.actor(),
        number,
        form.version(),
        &form.let_go_reason,
        &form.let_go_lesson,
    )
    .await;
    match requested {
        Ok(()) => {
            let message = "A manager has been asked to approve letting go.";
            moved(&ctx, number, message).await
        }
        Err(e) => {
            let keep = keep_let_go(form.let_go_reason, form.let_go_lesson);
            not_done(&state, &ctx, number, "let-go", e, keep).await
        }
    }
}

pub async fn decide_let_go(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let approve = form.decision == "approve";
    let decided = app::moves::decide_let_go(
        &state.db,
        &me.actor(),
        number,
        form.version(),
        approve,
        &form.let_go_lesson,
    )
    .await;
    match decided {
        Ok(()) => {
            let message = if approve {
                format!("CR-{number}: approved, the case is closed as let go.")
            } else {
                format!("CR-{number}: declined, the repair goes on.")
            };
            if form.back.starts_with("/review") {
                let back = crate::auth::guard::safe_next(Some(&form.back));
                flash(&ctx.session, "success", message).await?;
                return Ok(Redirect::to(&back).into_response());
            }
            moved(&ctx, number, message).await
        }
        Err(e) => {
            let lesson = form.let_go_lesson;
            not_done(&state, &ctx, number, "let-go", e, |f| {
                f.let_go_lesson = lesson
            })
            .await
        }
    }
}

pub async fn reassign(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let owner = Uuid::parse_str(form.owner_id.trim()).ok();
    let reassigned =
        app::cases::reassign(&state.db, &me.actor(), number, form.version(), owner).await;
    if let Err(e) = reassigned {
        return not_done(&state, &ctx, number, "owner", e, keep_reason(form.reason)).await;
    }
    if form.back.starts_with("/review") {
        let back = crate::auth::guard::safe_next(Some(&form.back));
        flash(
            &ctx.session,
            "success",
            format!("CR-{number} has a new owner."),
        )
        .await?;
        return Ok(Redirect::to(&back).into_response());
    }
    moved(&ctx, number, "The case has a new owner.").await
}
