//! Moving a case on the web: on, back, closed, let go (asked for and decided), and reassigned.
//! These change the case itself, so each form carries the version it was opened at.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{CaseNumber, Forms, done, not_done};
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
    outcome: String,
    decision: String,
    owner_id: String,
    /// Where to return after reassigning (a local path, e.g. the manager review).
    back: String,
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

pub async fn advance(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    match app::moves::advance(&state.db, &me.actor(), number, form.version()).await {
        Ok(to) => {
            done(
                &ctx,
                number,
                "stage",
                format!("Moved on to {}.", to.label()),
            )
            .await
        }
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
    let moved =
        app::moves::move_back(&state.db, &me.actor(), number, form.version(), &form.reason).await;
    match moved {
        Ok(to) => {
            done(
                &ctx,
                number,
                "stage",
                format!("Moved back to {}.", to.label()),
            )
            .await
        }
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
    match app::moves::close(&state.db, &me.actor(), number, form.version(), outcome).await {
        Ok(()) => {
            let message = format!("The case is closed: {}.", outcome.label().to_lowercase());
            done(&ctx, number, "stage", message).await
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
    let requested =
        app::moves::request_let_go(&state.db, &me.actor(), number, form.version(), &form.reason)
            .await;
    match requested {
        Ok(()) => {
            let message = "A manager has been asked to approve letting go.";
            done(&ctx, number, "let-go", message).await
        }
        Err(e) => not_done(&state, &ctx, number, "let-go", e, keep_reason(form.reason)).await,
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
    let decided =
        app::moves::decide_let_go(&state.db, &me.actor(), number, form.version(), approve).await;
    match decided {
        Ok(()) => {
            let message = if approve {
                "Approved: the case is closed as let go."
            } else {
                "Declined: the repair goes on."
            };
            done(&ctx, number, "let-go", message).await
        }
        Err(e) => not_done(&state, &ctx, number, "let-go", e, |_| {}).await,
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
    done(&ctx, number, "owner", "The case has a new owner.").await
}
