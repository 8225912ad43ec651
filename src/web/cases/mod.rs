//! Repair cases on the web: logging an incident (`new`), the case page with the current stage's
//! playbook, gate and work (`page`), and every change to a case — its stage work (`work`), its
//! moves through the framework (`moves`) and its follow-up (`follow_up`).
//!
//! Each change is a small form posting to its own route, answered by one use case in `app`. A
//! refused change shows the case page again with that form's input kept and the reason beside
//! it; a change made on a stale page (someone else saved first) gets the 409 version of the
//! same page, input kept.

mod follow_up;
mod moves;
mod new;
mod page;
mod views;
mod work;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::page::{Ctx, flash, flash_at};
use crate::app;
use crate::auth::guard;
use crate::domain::FieldErrors;
use crate::domain::stage::MoveError;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub use views::Forms;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/cases", get(super::case_list::list).post(new::create))
        .route("/cases/export.csv", get(super::case_list::export))
        .route("/cases/new", get(new::new))
        .route("/cases/new/accounts", get(new::suggestions))
        .route("/cases/{number}", get(page::show))
        .route("/cases/{number}/timeline", get(page::timeline))
        .route("/cases/{number}/definition", post(work::save_definition))
        .route("/cases/{number}/assessment", post(work::save_assessment))
        .route("/cases/{number}/reparation", post(work::save_reparation))
        .route(
            "/cases/{number}/conversations",
            post(work::add_conversation),
        )
        .route("/cases/{number}/actions", post(work::add_action))
        .route(
            "/cases/{number}/actions/{item}/done",
            post(work::action_done),
        )
        .route("/cases/{number}/commitments", post(work::add_commitment))
        .route(
            "/cases/{number}/commitments/{id}/mark",
            post(work::mark_commitment),
        )
        .route("/cases/{number}/lessons", post(work::add_lesson))
        .route(
            "/cases/{number}/{list}/{item}/remove",
            post(work::remove_item),
        )
        .route("/cases/{number}/advance", post(moves::advance))
        .route("/cases/{number}/back", post(moves::move_back))
        .route("/cases/{number}/close", post(moves::close))
        .route("/cases/{number}/let-go", post(moves::request_let_go))
        .route(
            "/cases/{number}/let-go/decision",
            post(moves::decide_let_go),
        )
        .route("/cases/{number}/reassign", post(moves::reassign))
        .route("/cases/{number}/plan", post(follow_up::start_plan))
        .route(
            "/cases/{number}/check-ins",
            post(follow_up::complete_check_in),
        )
        .route(
            "/cases/{number}/check-ins/skip",
            post(follow_up::skip_check_in),
        )
        .route_layer(middleware::from_fn(guard::signed_in))
}

/// The case number in a path (`/cases/CR-1042/…`, or plain `1042`); anything else is not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseNumber(pub i64);

impl CaseNumber {
    pub fn parse(raw: &str) -> Option<CaseNumber> {
        let digits = raw
            .strip_prefix("CR-")
            .or_else(|| raw.strip_prefix("cr-"))
            .unwrap_or(raw);
        digits
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(CaseNumber)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CaseNumber {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        params
            .iter()
            .find(|(name, _)| *name == "number")
            .and_then(|(_, value)| CaseNumber::parse(value))
            .ok_or(AppError::NotFound)
    }
}

fn case_url(number: i64) -> String {
    format!("/cases/CR-{number}")
}

/// A part of the case page a form belongs to: htmx answers with it, and without JavaScript the
/// page reloads at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Stage,
    Definition,
    Assessment,
    Conversations,
    MakingItRight,
    FollowUp,
    Lessons,
}

impl Section {
    /// The section element's id.
    pub fn id(self) -> &'static str {
        match self {
            Section::Stage => "stage",
            Section::Definition => "definition",
            Section::Assessment => "assessment",
            Section::Conversations => "conversations",
            Section::MakingItRight => "making_it_right",
            Section::FollowUp => "follow_up_plan",
            Section::Lessons => "lessons",
        }
    }
}

/// The section a form (by its name) is in.
pub fn section_of(form: &str) -> Section {
    match form {
        "definition" => Section::Definition,
        "assessment" => Section::Assessment,
        "conversation" | "conversations" => Section::Conversations,
        "action" | "actions" | "commitment" | "commitments" | "reparation" => {
            Section::MakingItRight
        }
        "plan" | "check_in" | "skip" => Section::FollowUp,
        "lesson" | "lessons" => Section::Lessons,
        _ => Section::Stage,
    }
}

/// After a successful change: with htmx, the section again with the confirmation in it; without
/// JavaScript, back to the case at the section, the confirmation shown there.
async fn done(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    section: Section,
    message: impl Into<String>,
) -> Result<Response> {
    let message = message.into();
    if ctx.htmx && section != Section::Stage {
        return page::saved_section(state, ctx, number, section, message).await;
    }
    flash_at(&ctx.session, section.id(), message).await?;
    Ok(Redirect::to(&format!("{}#{}", case_url(number), section.id())).into_response())
}

/// After a change that moved the case: the whole page again, the confirmation at the top.
/// (A form sent by htmx — a check-in that reopened the case — loads the page in full too: the
/// whole page changed, not just the section.)
async fn moved(ctx: &Ctx, number: i64, message: impl Into<String>) -> Result<Response> {
    flash(&ctx.session, "success", message).await?;
    let url = format!("{}#stage", case_url(number));
    if ctx.htmx {
        // HX-Refresh as well: the address differs from the page's only by its fragment, and a
        // browser told to go there just scrolls; the refresh loads the changed case.
        return Ok((
            [("HX-Redirect", url), ("HX-Refresh", "true".to_string())],
            StatusCode::NO_CONTENT,
        )
            .into_response());
    }
    Ok(Redirect::to(&url).into_response())
}

/// Why a case page is being shown again instead of redirecting.
pub struct Refusal {
    pub status: StatusCode,
    pub errors: FieldErrors,
    pub form: &'static str,
    pub problem: Option<String>,
    /// Every reason a move was refused, each with where to put it right.
    pub blockers: Vec<views::Blocker>,
    /// What is still open, when a close asks for confirmation.
    pub confirm: Vec<String>,
    pub stale: bool,
}

impl Refusal {
    fn invalid(form: &'static str, errors: FieldErrors) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form,
            problem: None,
            blockers: Vec::new(),
            confirm: Vec::new(),
            stale: false,
        }
    }

    fn problem(form: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            problem: Some(message.into()),
            ..Refusal::invalid(form, FieldErrors::default())
        }
    }

    fn stale(form: &'static str) -> Refusal {
        Refusal {
            status: StatusCode::CONFLICT,
            problem: Some("Someone else saved first. Nothing of yours was saved. Your input is kept below — check the case as it is now, then save again.".into()),
            stale: true,
            ..Refusal::invalid(form, FieldErrors::default())
        }
    }
}

/// A form of the case page that is shown again, as submitted, when it is refused.
trait KeptForm: Sized {
    /// The form's name: which form the errors belong to.
    const NAME: &'static str;
    fn keep(self, forms: &mut Forms);
}

/// `KeptForm` for each form: its name, and the field of `Forms` it goes back into.
macro_rules! kept_forms {
    ($($form:ty => $name:literal, $field:ident;)+) => {$(
        impl KeptForm for $form {
            const NAME: &'static str = $name;
            fn keep(self, forms: &mut Forms) {
                forms.$field = self;
            }
        }
    )+};
}

kept_forms! {
    crate::domain::case::DefinitionForm => "definition", definition;
    crate::domain::case::AssessmentForm => "assessment", assessment;
    crate::domain::case::ReparationForm => "reparation", reparation;
    crate::domain::case::ConversationForm => "conversation", conversation;
    crate::domain::case::ActionForm => "action", action;
    crate::domain::commitment::CommitmentForm => "commitment", commitment;
    crate::domain::case::TextForm => "lesson", lesson;
    crate::domain::follow_up::PlanForm => "plan", plan;
    crate::domain::follow_up::CheckInForm => "check_in", check_in;
}

/// The case page again with `form` as submitted and `errors` beside its fields.
async fn refuse<F: KeptForm>(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: F,
    errors: FieldErrors,
) -> Result<Response> {
    page::case_page(
        state,
        ctx,
        number,
        Some(Refusal::invalid(F::NAME, errors)),
        |f| form.keep(f),
    )
    .await
}

/// The page a person sees when use case `e` did not happen: the case page again, with the form
/// named `form` kept by `keep` and the reason shown; or the error page for what is not theirs.
async fn not_done(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: &'static str,
    e: app::Error,
    keep: impl FnOnce(&mut Forms),
) -> Result<Response> {
    let refusal = match e {
        app::Error::NotFound => return Err(AppError::NotFound),
        app::Error::Forbidden => return Err(AppError::Forbidden),
        app::Error::Database(e) => return Err(e.into()),
        app::Error::Stale => Refusal::stale(form),
        app::Error::Invalid(errors) => Refusal::invalid(form, errors),
        app::Error::Refused(m) | app::Error::Conflict(m) | app::Error::AlreadyDone(m) => {
            Refusal::problem(form, m)
        }
        app::Error::Move(e @ (MoveError::ReasonRequired | MoveError::ReasonTooLong)) => {
            // The reason is typed in the form that was sent: the error goes beside it.
            let mut errors = FieldErrors::default();
            errors.add("reason", e.to_string());
            Refusal::invalid(form, errors)
        }
        app::Error::Move(e) => Refusal {
            blockers: page::blockers(std::slice::from_ref(&e)),
            ..Refusal::invalid(form, FieldErrors::default())
        },
        app::Error::Blocked(all) => Refusal {
            problem: Some("The case cannot close yet:".into()),
            blockers: page::blockers(&all),
            ..Refusal::invalid(form, FieldErrors::default())
        },
        app::Error::Confirm(open) => Refusal {
            status: StatusCode::OK,
            problem: Some("Close as restored? These are still open:".into()),
            confirm: open,
            ..Refusal::invalid(form, FieldErrors::default())
        },
    };
    page::case_page(state, ctx, number, Some(refusal), keep).await
}

/// `not_done` for a kept form.
async fn form_not_done<F: KeptForm>(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: F,
    e: app::Error,
) -> Result<Response> {
    not_done(state, ctx, number, F::NAME, e, |f| form.keep(f)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_read_with_or_without_their_prefix() {
        assert_eq!(CaseNumber::parse("CR-1042"), Some(CaseNumber(1042)));
        assert_eq!(CaseNumber::parse("cr-7"), Some(CaseNumber(7)));
        assert_eq!(CaseNumber::parse("1042"), Some(CaseNumber(1042)));
        for bad in ["CR-0", "CR--1", "CR-x", "", "CR-99999999999999999999"] {
            assert_eq!(CaseNumber::parse(bad), None, "{bad}");
        }
    }
}
