//! A case's stage work on the web: the versioned edits of the case (definition, assessment,
//! reparation), conversations, actions, commitments, lessons, and removing any of them. Each
//! handler parses its form, calls its use case, and answers with the case page at the section.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    CaseNumber, KeptForm, Refusal, Section, case_url, done, form_not_done, moved, not_done, refuse,
};
use crate::app::{self, Links, cases::Edit, commitments::Marked};
use crate::db::case_work::Item;
use crate::domain::case::{
    ActionForm, AssessmentForm, ConversationForm, DefinitionForm, ReparationForm, TextForm,
    parse_version,
};
use crate::domain::commitment::{CommitmentForm, Mark};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::page::{Ctx, Form, Me, flash};

/// A form of a versioned edit: the version it was opened at, and what its section says once
/// saved.
trait EditForm: KeptForm {
    /// `(anchor, message)`.
    const SAVED: (&'static str, &'static str);
    fn version(&self) -> Option<i32>;
}

impl EditForm for DefinitionForm {
    const SAVED: (&'static str, &'static str) =
        ("definition", "The definition of the damage is saved.");
    fn version(&self) -> Option<i32> {
        parse_version(&self.version)
    }
}

impl EditForm for AssessmentForm {
    const SAVED: (&'static str, &'static str) = ("assessment", "The assessment is saved.");
    fn version(&self) -> Option<i32> {
        parse_version(&self.version)
    }
}

impl EditForm for ReparationForm {
    const SAVED: (&'static str, &'static str) = ("reparation", "The reparation is saved.");
    fn version(&self) -> Option<i32> {
        parse_version(&self.version)
    }
}

/// Saves one of the versioned edits; `form` is shown again when it is refused.
async fn save_edit<F: EditForm>(
    state: &AppState,
    ctx: &Ctx,
    me: &Me,
    number: i64,
    edit: Edit,
    form: F,
) -> Result<Response> {
    match app::cases::edit(&state.db, &me.actor(), number, form.version(), &edit).await {
        Ok(()) => done(state, ctx, number, super::section_of(F::NAME), F::SAVED.1).await,
        Err(e) => form_not_done(state, ctx, number, form, e).await,
    }
}

pub async fn save_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<DefinitionForm>,
) -> Result<Response> {
    match form.parse(me.actor().time_zone, Utc::now()) {
        Ok(def) => save_edit(&state, &ctx, &me, number, Edit::Definition(def), form).await,
        Err(errors) => refuse(&state, &ctx, number, form, errors).await,
    }
}

pub async fn save_assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<AssessmentForm>,
) -> Result<Response> {
    match form.parse() {
        Ok(a) => save_edit(&state, &ctx, &me, number, Edit::Assessment(a), form).await,
        Err(errors) => refuse(&state, &ctx, number, form, errors).await,
    }
}

pub async fn save_reparation(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<ReparationForm>,
) -> Result<Response> {
    match form.parse() {
        Ok(r) => save_edit(&state, &ctx, &me, number, Edit::Reparation(r), form).await,
        Err(errors) => refuse(&state, &ctx, number, form, errors).await,
    }
}

pub async fn add_conversation(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<ConversationForm>,
) -> Result<Response> {
    let actor = me.actor();
    let c = match form.parse(actor.time_zone, Utc::now()) {
        Ok(c) => c,
        Err(errors) => return refuse(&state, &ctx, number, form, errors).await,
    };
    match app::work::add_conversation(&state.db, &actor, number, &c).await {
        Ok(()) => {
            done(
                &state,
                &ctx,
                number,
                Section::Conversations,
                "Conversation logged.",
            )
            .await
        }
        Err(e) => form_not_done(&state, &ctx, number, form, e).await,
    }
}

pub async fn add_action(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<ActionForm>,
) -> Result<Response> {
    let actor = me.actor();
    let a = match form.parse(actor.today(Utc::now())) {
        Ok(a) => a,
        Err(errors) => return refuse(&state, &ctx, number, form, errors).await,
    };
    match app::work::add_action(&state.db, &actor, number, &a).await {
        Ok(()) => {
            done(
                &state,
                &ctx,
                number,
                Section::MakingItRight,
                "Action added.",
            )
            .await
        }
        Err(e) => form_not_done(&state, &ctx, number, form, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneForm {
    done: String,
}

pub async fn action_done(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Path((_, item)): Path<(String, String)>,
    Form(form): Form<DoneForm>,
) -> Result<Response> {
    let item = Uuid::parse_str(&item).map_err(|_| AppError::NotFound)?;
    let done_now = form.done == "1";
    match app::work::set_action_done(&state.db, &me.actor(), number, item, done_now).await {
        Ok(()) => {
            let message = if done_now {
                "Marked done."
            } else {
                "Reopened."
            };
            done(&state, &ctx, number, Section::MakingItRight, message).await
        }
        Err(e) => not_done(&state, &ctx, number, "actions", e, |_| {}).await,
    }
}

pub async fn add_commitment(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<CommitmentForm>,
) -> Result<Response> {
    let actor = me.actor();
    let new = match form.parse(actor.today(Utc::now())) {
        Ok(c) => c,
        Err(errors) => return refuse(&state, &ctx, number, form, errors).await,
    };
    match app::commitments::add(&state.db, &actor, number, &new).await {
        Ok(()) => {
            done(
                &state,
                &ctx,
                number,
                Section::MakingItRight,
                "Commitment recorded.",
            )
            .await
        }
        Err(e) => form_not_done(&state, &ctx, number, form, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkForm {
    mark: String,
}

/// Marks one commitment kept, slipping or broken from the case page (also on a closed case,
/// where a broken one opens a new case).
pub async fn mark_commitment(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<MarkForm>,
) -> Result<Response> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let Ok(Some(mark)) = Mark::parse(&form.mark) else {
        let refusal = Refusal::problem(
            "commitments",
            "Mark the commitment kept, slipping or broken.",
        );
        return super::page::case_page(&state, &ctx, number, Some(refusal), |_| {}).await;
    };
    let links = Links {
        public_url: &state.settings.public_url,
    };
    match app::commitments::mark(&state.db, links, &me.actor(), number, id, mark).await {
        Ok(Marked::NewCase(new)) => {
            flash(
                &ctx.session,
                "info",
                format!(
                    "The commitment is marked broken. This case was closed, so CR-{new} takes the repair up; the managers are told."
                ),
            )
            .await?;
            Ok(Redirect::to(&case_url(new)).into_response())
        }
        Ok(Marked::Reopened) => {
            moved(
                &ctx,
                number,
                "The commitment is marked broken: the case is back in Making it right, and the managers are told.",
            )
            .await
        }
        Ok(Marked::Done) => {
            let message = format!(
                "The commitment is marked {}.",
                mark.label().to_lowercase()
            );
            done(&state, &ctx, number, Section::MakingItRight, message).await
        }
        Err(e) => not_done(&state, &ctx, number, "commitments", e, |_| {}).await,
    }
}

pub async fn add_lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let text = match form.parse("the lesson", 4000) {
        Ok(t) => t,
        Err(errors) => return refuse(&state, &ctx, number, form, errors).await,
    };
    let applies_to_all = form.applies_to_all();
    match app::work::add_lesson(&state.db, &me.actor(), number, &text, applies_to_all).await {
        Ok(()) => done(&state, &ctx, number, Section::Lessons, "Lesson recorded.").await,
        Err(e) => form_not_done(&state, &ctx, number, form, e).await,
    }
}

pub async fn remove_item(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Path((_, list, item)): Path<(String, String, String)>,
) -> Result<Response> {
    let kind = match list.as_str() {
        "conversations" => Item::Conversation,
        "actions" => Item::Action,
        "commitments" => Item::Commitment,
        "lessons" => Item::Lesson,
        _ => return Err(AppError::NotFound),
    };
    let item = Uuid::parse_str(&item).map_err(|_| AppError::NotFound)?;
    match app::work::remove_item(&state.db, &me.actor(), number, kind, item).await {
        Ok(()) => {
            let section = super::section_of(&list);
            let message = "Removed. The timeline keeps a record of it.";
            done(&state, &ctx, number, section, message).await
        }
        Err(e) => not_done(&state, &ctx, number, "", e, |_| {}).await,
    }
}
