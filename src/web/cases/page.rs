//! The case page: what the case is (its identity, facts and stepper), the current stage's
//! playbook and gate, and the work recorded so far. The page is assembled from one builder per
//! section (conversations, actions, commitments, follow-up, timeline), each turning what
//! `db::case_page` read into what the template shows.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{CaseNumber, Refusal};
use crate::db::accounts::Choice;
use crate::db::case_page::{self, PageData};
use crate::db::cases as db_cases;
use crate::domain::cadence::{Cadence, CheckInStatus};
use crate::domain::case::{
    self as case_input, ActionForm, AssessmentForm, Channel, ConversationForm, DefinitionForm,
    DetectedBy, OurShare, RelationshipValue, ReparationForm, Severity, TextForm, local_display,
    local_input,
};
use crate::domain::commitment::CommitmentForm;
use crate::domain::follow_up::{CheckInForm, PlanForm};
use crate::domain::moment::Moment;
use crate::domain::stage::{self, Decision, GateItem, LetGoRequest, Outcome, Stage};
use crate::domain::visibility::{may_mark_for_all_clients, may_reassign};
use crate::domain::{FieldErrors, Role, money};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, render};

/// The trust chart of the case's completed check-ins and its cadence steps, as SVG.
fn trust_svg(
    check_ins: &[case_page::CheckIn],
    timeline: &[case_page::Event],
) -> Result<Option<String>> {
    let mut readings: Vec<crate::web::trust_chart::Reading> = check_ins
        .iter()
        .filter(|c| c.status == CheckInStatus::Done)
        .filter_map(|c| {
            Some(crate::web::trust_chart::Reading {
                due: c.due_date,
                done_at: c.completed_at?,
                sentiment: c.sentiment?,
                words: c.client_words.clone(),
            })
        })
        .collect();
    readings.sort_by_key(|r| (r.due, r.done_at));
    let steps: Vec<crate::web::trust_chart::StepMark> = timeline
        .iter()
        .filter(|e| e.kind == "cadence")
        .filter_map(|e| {
            let from = Cadence::from_parts(e.data["from"].as_str()?, None)?;
            let to = Cadence::from_parts(e.data["to"].as_str()?, None)?;
            Some(crate::web::trust_chart::StepMark {
                at: e.created_at,
                to,
                down: to.days_apart() > from.days_apart(),
            })
        })
        .collect();
    crate::web::trust_chart::chart(&readings, &steps)
        .map(|c| c.render())
        .transpose()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering the trust chart: {e}")))
}

/// A stage in the stepper.
pub struct Step {
    pub number: u8,
    pub label: &'static str,
    pub purpose: &'static str,
    pub state: &'static str, // "done", "current", "todo"
}

pub struct ConversationView {
    pub id: Uuid,
    pub channel: &'static str,
    pub with_whom: String,
    pub when: Moment,
    pub summary: String,
    pub sentiment: i16,
    pub sentiment_label: &'static str,
    pub practices: Vec<&'static str>,
}

#[derive(Clone)]
pub struct ActionView {
    pub id: Uuid,
    pub what: String,
    pub owner_name: String,
    pub due: String,
    pub overdue: bool,
    pub done: bool,
}

pub struct CommitmentView {
    pub id: Uuid,
    pub text: String,
    pub owner: String,
    pub scope: &'static str,
    pub verification: String,
    pub review: String,
    /// The stored state, for a CSS class.
    pub state: &'static str,
    pub state_label: &'static str,
    /// Not broken: still marked at check-ins.
    pub open: bool,
    pub marks: i64,
}

pub struct EventView {
    pub summary: String,
    pub actor: String,
    pub when: Moment,
    pub changes: Vec<(String, String, String)>,
    pub reason: Option<String>,
}

/// The inputs of every small form on the page: empty, prefilled, or as the user submitted them.
#[derive(Default)]
pub struct Forms {
    pub definition: DefinitionForm,
    pub assessment: AssessmentForm,
    pub reparation: ReparationForm,
    pub conversation: ConversationForm,
    pub action: ActionForm,
    pub commitment: CommitmentForm,
    pub lesson: TextForm,
    pub reason: String,
    pub let_go_reason: String,
    pub let_go_lesson: String,
    pub plan: PlanForm,
    pub check_in: CheckInForm,
    pub skip_reason: String,
}

pub struct PlanView {
    pub cadence: String,
    pub assignee_name: String,
    pub until: String,
    /// For an adaptive plan: where it stands, said plainly.
    pub adapting: Option<String>,
}

pub struct CheckInView {
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub assignee_name: String,
    pub detail: String,
    pub sentiment: Option<i16>,
    pub next_step: String,
    pub open: bool,
    /// The client's own words, quoted.
    pub words: String,
    /// Open but not due yet: the day it can be recorded from, by its assignee's calendar.
    pub recordable_from: Option<String>,
}

/// The next open check-in, as the case page offers it.
pub struct NextCheckIn {
    pub due: String,
    /// Not due yet: the day it can be recorded from (the form is not offered before).
    pub recordable_from: Option<String>,
}

/// One line of the current stage's checklist.
pub struct ChecklistItem {
    pub label: &'static str,
    pub done: bool,
    /// What to do, for an item still to do.
    pub instruction: &'static str,
    /// The id of the field that does it.
    pub target: &'static str,
}

/// One reason a move or a close was refused, with where it is put right.
pub struct Blocker {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/cases/show.html")]
pub struct CasePage {
    chrome: Chrome,
    case: db_cases::Case,
    severity: &'static str,
    detected_by: &'static str,
    stage: Stage,
    outcome: &'static str,
    outcome_is_let_go: bool,
    closed: Option<String>,
    is_open: bool,
    steps: Vec<Step>,
    playbook: &'static [&'static str],
    checklist: Vec<ChecklistItem>,
    missing: Vec<GateItem>,
    warnings: Vec<&'static str>,
    /// The restored gate of an adaptive plan, while it is not met.
    trust_needed: Option<String>,
    /// Whether closing as restored would succeed now.
    can_close_restored: bool,
    /// Why the case is escalated, while nobody has worked on it since.
    escalation: Option<String>,
    /// The trust chart (SVG), once a check-in is done.
    trust_svg: Option<String>,
    /// The earlier case this one repeats.
    linked_number: Option<i64>,
    value_at_risk: String,
    our_share: &'static str,
    decision: &'static str,
    reparation_cost: String,
    reparation_share: Option<String>,
    occurred: String,
    let_go: LetGoRequest,
    can_decide_let_go: bool,
    can_reassign: bool,
    members: Vec<Choice>,
    categories: Vec<Choice>,
    conversations: Vec<ConversationView>,
    /// The conversations in a sentence, for the summary of an earlier stage.
    conversation_summary: String,
    actions: Vec<ActionView>,
    open_actions: Vec<ActionView>,
    commitments: Vec<CommitmentView>,
    /// Actions, commitments and the reparation in a sentence.
    making_summary: String,
    lessons: Vec<case_page::Note>,
    /// The lessons section is part of the current work (Following up, or closed).
    lessons_prominent: bool,
    /// Whether the viewer may mark this case's lessons as applying to all clients.
    can_mark_lessons: bool,
    /// In Detected: what the team has learned on other cases, for all clients.
    reminders: Option<crate::web::lessons::Reminders>,
    /// The newest few timeline entries, and how many there are in all.
    latest: Vec<EventView>,
    timeline_total: usize,
    plan: Option<PlanView>,
    check_ins: Vec<CheckInView>,
    /// The earliest open check-in: the one the check-in form completes.
    next_check_in: Option<NextCheckIn>,
    cadences: Vec<(&'static str, &'static str)>,
    moods: Vec<(i16, &'static str)>,
    forms: Forms,
    errors: FieldErrors,
    /// Which form the errors belong to (its name).
    error_form: &'static str,
    /// Why the last action was refused; shown in the section of the form that was refused.
    problem: Option<String>,
    blockers: Vec<Blocker>,
    /// Closing as restored asked for confirmation: what is still open.
    confirm_open: Vec<String>,
    stale: bool,
    /// The confirmation of what was just saved: `(section id, message)`.
    notice: Option<(String, String)>,
    /// A nudge beside a confirmation (all conversations so far by e-mail).
    nudge: Option<&'static str>,
    /// Rendered as an out-of-band part of an htmx answer.
    oob: bool,
    severities: Vec<(&'static str, &'static str)>,
    detected_options: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    shares: Vec<(&'static str, &'static str)>,
    values: Vec<(&'static str, &'static str)>,
    decisions: Vec<(&'static str, &'static str)>,
}

impl CasePage {
    /// Whether any commitment is still marked at check-ins.
    fn has_open_commitments(&self) -> bool {
        self.commitments.iter().any(|c| c.open)
    }

    /// The error for `field`, if the form that failed is `form`.
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        if self.error_form == form {
            self.errors.get(field)
        } else {
            None
        }
    }

    /// Whether `field` of `form` is the first invalid field (it gets the focus).
    fn focus(&self, form: &str, field: &str) -> bool {
        self.error_form == form && self.errors.iter().next().is_some_and(|(f, _)| f == field)
    }

    /// The errors of `form`, for its error summary: `(field id, message)`.
    fn errors_of(&self, form: &str) -> Vec<(&str, &str)> {
        if self.error_form != form {
            return Vec::new();
        }
        self.errors
            .iter()
            .map(|(field, message)| (field_id(form, field), message))
            .collect()
    }

    /// The confirmation for section `id`, if something was just saved there.
    fn notice_at(&self, id: &str) -> Option<&str> {
        self.notice
            .as_ref()
            .filter(|(at, _)| at == id)
            .map(|(_, m)| m.as_str())
    }

    /// Whether a later stage's records already exist (a conversation logged while still
    /// assessing, an action through the API): they are shown, not hidden until their stage.
    fn recorded_ahead(&self) -> bool {
        (self.stage < Stage::ReachingOut && !self.conversations.is_empty())
            || (self.stage < Stage::MakingItRight
                && (!self.actions.is_empty() || !self.commitments.is_empty()))
            || (self.stage < Stage::FollowingUp && self.plan.is_some())
    }

    /// Whether every item of the stage's checklist is met.
    fn all_done(&self) -> bool {
        self.checklist.iter().all(|i| i.done)
    }

    /// Whether some item of the stage's checklist is met (they are listed apart).
    fn any_done(&self) -> bool {
        self.checklist.iter().any(|i| i.done)
    }

    /// Whether a reason shown for a refused move links to field `id` (its section opens).
    fn points_to(&self, id: &str) -> bool {
        let href = format!("#{id}");
        self.blockers
            .iter()
            .any(|b| b.href.as_deref() == Some(href.as_str()))
    }

    /// Whether the refusal shown belongs in section `id`.
    fn problem_in(&self, id: &str) -> bool {
        (self.problem.is_some() || !self.blockers.is_empty() || !self.confirm_open.is_empty())
            && super::section_of(self.error_form).id() == id
    }

    /// Long text shortened for a summary.
    fn short(&self, text: &str) -> String {
        let mut short: String = text.chars().take(240).collect();
        if text.chars().count() > 240 {
            short.push('\u{2026}');
        }
        short
    }

    /// The word for a mood.
    fn mood_word(&self, v: &i16) -> &'static str {
        case_input::sentiment_label(*v)
    }
}

/// The id of the element a form's field error links to (most fields are named as their ids).
fn field_id<'a>(form: &str, field: &'a str) -> &'a str {
    match (form, field) {
        ("action", "owner_id") => "action_owner",
        ("lesson", "text") => "lesson",
        ("let-go", "reason") => "let_go_reason",
        _ => field,
    }
}

/// The element a gate item's link lands on: the first field that meets it.
fn gate_target(item: GateItem) -> &'static str {
    match item {
        GateItem::Category => "category_id",
        GateItem::Conversation => "channel",
        GateItem::ActionItem => "what",
        GateItem::Reparation => "reparation_what",
        GateItem::FollowUpPlan => "cadence",
        GateItem::CheckIn => "check_in",
        GateItem::Lessons => "lesson",
        other => other.field(),
    }
}

/// Where a refused move is put right.
fn blocker(e: &stage::MoveError) -> Vec<Blocker> {
    use stage::MoveError;
    match e {
        MoveError::GateNotMet(items) => items
            .iter()
            .map(|i| Blocker {
                text: i.message().to_string(),
                href: Some(format!("#{}", gate_target(*i))),
            })
            .collect(),
        MoveError::LessonsRequired => vec![Blocker {
            text: e.to_string(),
            href: Some("#lesson".into()),
        }],
        MoveError::TrustNotBack(_) => vec![Blocker {
            text: e.to_string(),
            href: Some("#check_in".into()),
        }],
        other => vec![Blocker {
            text: other.to_string(),
            href: None,
        }],
    }
}

/// Every reason in `errors`, each with its link.
pub(super) fn blockers(errors: &[stage::MoveError]) -> Vec<Blocker> {
    errors.iter().flat_map(blocker).collect()
}

/// The page's forms, filled with what the case records (and sensible starting values).
fn prefilled(case: &db_cases::Case, tz: Tz) -> Forms {
    let v = case.version.to_string();
    Forms {
        definition: DefinitionForm {
            version: v.clone(),
            title: case.title.clone(),
            what_happened: case.what_happened.clone(),
            category_id: case.category_id.to_string(),
            severity: case.severity.as_str().into(),
            detected_by: case.detected_by.as_str().into(),
            occurred_at: local_input(case.occurred_at, tz),
        },
        assessment: AssessmentForm {
            version: v.clone(),
            root_cause: case.root_cause.clone(),
            our_share: case
                .our_share
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            other_side_view: case.other_side_view.clone(),
            relationship_value: case
                .relationship_value
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            value_at_risk: case
                .value_at_risk_minor
                .map(money::format_input)
                .unwrap_or_default(),
            decision: case
                .decision
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
        },
        reparation: ReparationForm {
            version: v,
            what: case.reparation_what.clone(),
            cost: case
                .reparation_cost_minor
                .map(money::format_input)
                .unwrap_or_default(),
            none_reason: case.reparation_none_reason.clone(),
        },
        conversation: ConversationForm {
            channel: "phone".into(),
            ..ConversationForm::default()
        },
        plan: PlanForm {
            cadence: "weekly".into(),
            first_due: (Utc::now().with_timezone(&tz).date_naive() + chrono::Days::new(7))
                .format("%Y-%m-%d")
                .to_string(),
            assignee_id: case.owner_id.to_string(),
            end_rule: "closed".into(),
            ..PlanForm::default()
        },
        check_in: CheckInForm {
            channel: "phone".into(),
            ..CheckInForm::default()
        },
        ..Forms::default()
    }
}

/// What the case page says of an escalation in force: when and why, whether the managers'
/// e-mail exists yet (the scheduler queues it) and whether it can go out at all, and what
/// clears it.
fn escalation_message(e: &crate::db::case_page::Escalation, tz: Tz, smtp: bool) -> String {
    let when = local_display(e.at, tz);
    let why = if e.reason == "repeat" {
        format!(
            "a second incident on this account within {} days of a restored case",
            crate::domain::escalation::REPEAT_WINDOW_DAYS
        )
    } else {
        "nobody had recorded any work on this case for longer than its severity allows".into()
    };
    let told = match (e.told, smtp) {
        _ if !e.managers => {
            "The team has no manager to e-mail: an admin can make someone the team's manager."
        }
        (true, true) => "The team's managers were e-mailed.",
        (true, false) => {
            "An e-mail to the team's managers is waiting in the outbox: no e-mail server is configured."
        }
        (false, true) => "The team's managers will be e-mailed within minutes.",
        (false, false) => {
            "An e-mail to the team's managers will wait in the outbox: no e-mail server is configured."
        }
    };
    format!(
        "Escalated on {when}: {why}. {told} The flag clears with the next piece of work recorded here."
    )
}

impl Refusal {
    /// No refusal: the page as it is.
    fn none() -> Refusal {
        Refusal {
            status: StatusCode::OK,
            errors: FieldErrors::default(),
            form: "",
            problem: None,
            blockers: Vec::new(),
            confirm: Vec::new(),
            stale: false,
        }
    }
}

/// `GET /cases/{number}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    CaseNumber(number): CaseNumber,
) -> Result<Response> {
    case_page(&state, &ctx, number, None, |_| {}).await
}

/// Renders the case page (or, for htmx, the section of the form in question); `update` replaces
/// some prefilled forms with what the user submitted, and `refusal` says why it is shown again.
pub(super) async fn case_page(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    refusal: Option<Refusal>,
    update: impl FnOnce(&mut Forms),
) -> Result<Response> {
    let refusal = refusal.unwrap_or_else(Refusal::none);
    let section = ctx.htmx.then(|| super::section_of(refusal.form));
    let status = refusal.status;
    let page = build(state, ctx, number, refusal, None, update).await?;
    Ok(match section {
        Some(section) => render_section(status, &page, section, false),
        None => render(status, &page),
    })
}

/// The answer to a form saved from `section`: for htmx, the section with `message` in it and
/// the stage card and side column out of band; else (the caller redirects) nothing.
pub(super) async fn saved_section(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    section: super::Section,
    message: String,
) -> Result<Response> {
    let page = build(
        state,
        ctx,
        number,
        Refusal::none(),
        Some((section.id().to_string(), message)),
        |_| {},
    )
    .await?;
    Ok(render_section(StatusCode::OK, &page, section, true))
}

/// One part of the case page, for htmx: the section, and with `oob` the stage card and side
/// column too (they change when work is recorded).
fn render_section(
    status: StatusCode,
    page: &CasePage,
    section: super::Section,
    oob: bool,
) -> Response {
    use super::Section as S;
    let html = match section {
        S::Definition => DefinitionPart { page }.render(),
        S::Assessment => AssessmentPart { page }.render(),
        S::Conversations => ConversationsPart { page }.render(),
        S::MakingItRight => MakingItRightPart { page }.render(),
        S::FollowUp => FollowUpPart { page }.render(),
        S::Lessons => LessonsPart { page }.render(),
        S::Stage => StagePart { page, oob: false }.render(),
    };
    let extra = if oob && section != S::Stage {
        StagePart { page, oob: true }.render().and_then(|stage| {
            SidePart { page, oob: true }
                .render()
                .map(|side| stage + &side)
        })
    } else {
        Ok(String::new())
    };
    match html.and_then(|h| extra.map(|e| h + &e)) {
        Ok(body) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            AppError::Internal(anyhow::anyhow!("rendering a case section: {e}")).into_response()
        }
    }
}

/// A part of the case page rendered alone: the same data, one partial.
macro_rules! parts {
    ($($name:ident => $path:literal),+ $(,)?) => {$(
        #[derive(Template)]
        #[template(path = $path)]
        struct $name<'a> {
            page: &'a CasePage,
        }

        impl std::ops::Deref for $name<'_> {
            type Target = CasePage;
            fn deref(&self) -> &CasePage {
                self.page
            }
        }
    )+};
}

parts! {
    DefinitionPart => "partials/case/definition.html",
    AssessmentPart => "partials/case/assessment.html",
    ConversationsPart => "partials/case/conversations.html",
    MakingItRightPart => "partials/case/making_it_right.html",
    FollowUpPart => "partials/case/follow_up.html",
    LessonsPart => "partials/case/lessons.html",
}

/// The stage card or the side column alone, `oob` for an out-of-band swap.
macro_rules! oob_parts {
    ($($name:ident => $path:literal),+ $(,)?) => {$(
        #[derive(Template)]
        #[template(path = $path)]
        struct $name<'a> {
            page: &'a CasePage,
            oob: bool,
        }

        impl std::ops::Deref for $name<'_> {
            type Target = CasePage;
            fn deref(&self) -> &CasePage {
                self.page
            }
        }
    )+};
}

oob_parts! {
    StagePart => "partials/case/stage.html",
    SidePart => "partials/case/side.html",
}

/// Gathers the case page's data.
async fn build(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    refusal: Refusal,
    saved: Option<(String, String)>,
    update: impl FnOnce(&mut Forms),
) -> Result<CasePage> {
    let user = ctx.user()?;
    let actor = user.actor();
    let tz = actor.time_zone;
    let PageData {
        case,
        facts,
        conversations,
        actions,
        commitments,
        lessons,
        timeline,
        plan,
        check_ins,
        escalated,
        linked_number,
    } = case_page::read(&state.db, actor.scope(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let stage = case.stage;
    let mut forms = prefilled(&case, tz);
    // The organisation's default cadence, unless the submitted form is shown again.
    forms.plan.cadence = crate::web::reference::organisation(state)
        .await?
        .default_cadence
        .clone();
    update(&mut forms);
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let trust_svg = trust_svg(&check_ins, &timeline)?;
    let check_ins = check_in_views(check_ins, today, now, tz);
    let next_check_in = check_ins.iter().find(|c| c.open).map(|c| NextCheckIn {
        due: c.due.clone(),
        recordable_from: c.recordable_from.clone(),
    });
    let reminders = if stage == Stage::Detected {
        Some(crate::web::lessons::reminders(&state.db, actor.scope(), case.id, tz).await?)
    } else {
        None
    };
    // A confirmation saved for a section (no JavaScript: it came with the redirect) is shown
    // there, not at the top of the page.
    let mut chrome = ctx.chrome(format!("CR-{} {}", case.number, case.title));
    let notice = saved.or_else(|| {
        let at = chrome.flashes.iter().position(|f| f.at.is_some())?;
        let flash = chrome.flashes.remove(at);
        Some((flash.at.unwrap_or_default(), flash.message))
    });
    let warnings: Vec<&'static str> = stage::warnings(stage, &facts)
        .into_iter()
        .map(|w| w.message())
        .collect();
    let only_email = stage::warnings(Stage::ReachingOut, &facts)
        .into_iter()
        .next()
        .map(|w| w.message());
    let nudge = notice
        .as_ref()
        .filter(|(at, _)| at == "conversations")
        .and(only_email);
    let conversations = conversation_views(conversations, now, tz);
    let actions = action_views(actions, today);
    let commitments = commitment_views(commitments);
    let timeline = event_views(timeline, now, tz);
    let timeline_total = timeline.len();
    // Following up ends in closing, which needs a lesson learned: the checklist says so too.
    let mut items = stage::checklist(stage, &facts);
    if stage == Stage::FollowingUp {
        items.push((GateItem::Lessons, facts.lessons > 0));
    }
    let checklist = items
        .into_iter()
        .map(|(item, done)| ChecklistItem {
            label: item.label(),
            done,
            instruction: item.message(),
            target: gate_target(item),
        })
        .collect();
    let can_close_restored = stage::close_blockers(stage, Outcome::Restored, &facts).is_empty();
    Ok(CasePage {
        severity: case.severity.label(),
        detected_by: case.detected_by.label(),
        stage,
        outcome: case.outcome.label(),
        outcome_is_let_go: case.outcome == Outcome::LetGo,
        closed: case.closed_at.map(|t| local_display(t, tz)),
        is_open: stage != Stage::Closed,
        steps: steps(stage),
        playbook: stage.playbook(),
        checklist,
        missing: stage::gate(stage, &facts),
        escalation: escalated.map(|e| escalation_message(&e, tz, state.settings.smtp_configured)),
        linked_number,
        trust_svg,
        trust_needed: (stage == Stage::FollowingUp && facts.good_check_ins_needed() > 0)
            .then(|| stage::MoveError::TrustNotBack(facts.good_check_ins_needed()).to_string()),
        can_close_restored,
        warnings,
        value_at_risk: case
            .value_at_risk_minor
            .map(|v| money::format(v, &case.currency))
            .unwrap_or_else(|| "Not assessed yet".into()),
        our_share: case.our_share.map_or("Not decided", |s| s.label()),
        decision: case.decision.map_or("Not decided", |d| d.label()),
        reparation_cost: case
            .reparation_cost_minor
            .map(|v| money::format(v, &case.currency))
            .unwrap_or_default(),
        reparation_share: case
            .reparation_cost_minor
            .and_then(|c| money::share_percent(c, case.account_value_minor))
            .map(|p| format!("{p:.1}% of the account's annual value")),
        occurred: local_display(case.occurred_at, tz),
        let_go: facts.let_go,
        can_decide_let_go: user.role.at_least(Role::Manager),
        can_reassign: may_reassign(user.role),
        members: crate::web::reference::team_members(state, case.team_id).await?,
        categories: crate::web::reference::categories(state).await?,
        conversation_summary: conversation_summary(&conversations),
        making_summary: making_summary(&actions, &commitments, &case),
        open_actions: actions.iter().filter(|a| !a.done).cloned().collect(),
        conversations,
        actions,
        commitments,
        lessons_prominent: stage >= Stage::FollowingUp,
        lessons,
        can_mark_lessons: may_mark_for_all_clients(user.role, case.owner_id == user.id),
        reminders,
        latest: timeline.into_iter().take(5).collect(),
        timeline_total,
        plan: plan.map(plan_view),
        check_ins,
        next_check_in,
        cadences: Cadence::OPTIONS.to_vec(),
        moods: case_input::MOODS.to_vec(),
        forms,
        errors: refusal.errors,
        error_form: refusal.form,
        problem: refusal.problem,
        blockers: refusal.blockers,
        confirm_open: refusal.confirm,
        stale: refusal.stale,
        notice,
        nudge,
        oob: false,
        severities: Severity::options(),
        detected_options: DetectedBy::options(),
        channels: Channel::options(),
        shares: OurShare::options(),
        values: RelationshipValue::options(),
        decisions: Decision::ALL
            .iter()
            .map(|d| (d.as_str(), d.label()))
            .collect(),
        chrome,
        case,
    })
}

/// The conversations in a sentence: how many, how (calls and meetings count most), the last.
fn conversation_summary(conversations: &[ConversationView]) -> String {
    let Some(last) = conversations.last() else {
        return "No conversation recorded.".into();
    };
    let spoken = conversations
        .iter()
        .filter(|c| c.channel != Channel::Email.label())
        .count();
    let how = match (spoken, conversations.len()) {
        (0, _) => "all in writing".to_string(),
        (s, n) if s == n => "all by phone, video or in person".to_string(),
        (s, _) => format!("{s} by phone, video or in person"),
    };
    format!(
        "{} conversation{} ({how}); the last with {} {}: the client was {}.",
        conversations.len(),
        if conversations.len() == 1 { "" } else { "s" },
        last.with_whom,
        last.when.relative,
        last.sentiment_label.to_lowercase()
    )
}

/// Actions, commitments and the reparation in a sentence.
fn making_summary(
    actions: &[ActionView],
    commitments: &[CommitmentView],
    case: &db_cases::Case,
) -> String {
    let done = actions.iter().filter(|a| a.done).count();
    let reparation = if !case.reparation_what.is_empty() {
        format!("reparation: {}", case.reparation_what)
    } else if !case.reparation_none_reason.is_empty() {
        format!("no reparation ({})", case.reparation_none_reason)
    } else {
        "no reparation recorded".into()
    };
    format!(
        "{} of {} action{} done; {} commitment{}; {}.",
        done,
        actions.len(),
        if actions.len() == 1 { "" } else { "s" },
        commitments.len(),
        if commitments.len() == 1 { "" } else { "s" },
        reparation
    )
}

/// `GET /cases/{number}/timeline`: every event of the case, newest first.
pub async fn timeline(
    State(state): State<AppState>,
    ctx: Ctx,
    CaseNumber(number): CaseNumber,
) -> Result<Response> {
    let actor = ctx.user()?.actor();
    let data = case_page::read(&state.db, actor.scope(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = TimelinePage {
        chrome: ctx.chrome(format!("Timeline of CR-{number}")),
        number,
        title: data.case.title,
        timeline: event_views(data.timeline, Utc::now(), actor.time_zone),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "pages/cases/timeline.html")]
struct TimelinePage {
    chrome: Chrome,
    number: i64,
    title: String,
    timeline: Vec<EventView>,
}

/// The stepper: each stage done, current or still to come.
fn steps(current: Stage) -> Vec<Step> {
    Stage::ALL
        .iter()
        .map(|s| Step {
            number: s.number(),
            label: s.label(),
            purpose: s.purpose(),
            state: if *s < current {
                "done"
            } else if *s == current {
                "current"
            } else {
                "todo"
            },
        })
        .collect()
}

fn conversation_views(
    conversations: Vec<case_page::Conversation>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<ConversationView> {
    conversations
        .into_iter()
        .map(|c| {
            let practices = [
                (c.listened_fully, "Listened to the whole complaint"),
                (c.validated_feelings, "Validated their feelings"),
                (c.took_responsibility, "Took responsibility"),
                (
                    c.asked_what_differently,
                    "Asked what we could do differently",
                ),
            ]
            .into_iter()
            .filter_map(|(done, what)| done.then_some(what))
            .collect();
            ConversationView {
                id: c.id,
                channel: c.channel.label(),
                with_whom: c.with_whom,
                when: Moment::new(c.happened_at, now, tz),
                summary: c.summary,
                sentiment: c.sentiment,
                sentiment_label: case_input::sentiment_label(c.sentiment),
                practices,
            }
        })
        .collect()
}

fn action_views(actions: Vec<case_page::Action>, today: NaiveDate) -> Vec<ActionView> {
    actions
        .into_iter()
        .map(|a| ActionView {
            id: a.id,
            overdue: a.done_at.is_none() && a.due_date.is_some_and(|d| d < today),
            due: a
                .due_date
                .map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_default(),
            done: a.done_at.is_some(),
            what: a.what,
            owner_name: a.owner_name,
        })
        .collect()
}

fn commitment_views(commitments: Vec<case_page::Commitment>) -> Vec<CommitmentView> {
    commitments
        .into_iter()
        .map(|c| CommitmentView {
            id: c.id,
            owner: c.owner_name.unwrap_or_default(),
            scope: c.scope.label(),
            verification: c.verification,
            review: c
                .review_on
                .map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_default(),
            state_label: c.state.label(),
            open: c.state.is_open(),
            state: c.state.as_str(),
            marks: c.marks,
            text: c.text,
        })
        .collect()
}

fn event_views(timeline: Vec<case_page::Event>, now: DateTime<Utc>, tz: Tz) -> Vec<EventView> {
    timeline
        .into_iter()
        .map(|e| EventView {
            changes: e.data["changes"]
                .as_array()
                .map(|changes| {
                    changes
                        .iter()
                        .map(|c| {
                            let s = |k: &str| {
                                c[k].as_str()
                                    .unwrap_or("")
                                    .chars()
                                    .take(200)
                                    .collect::<String>()
                            };
                            let field = s("field");
                            let from = in_words(&field, &s("from"));
                            let to = in_words(&field, &s("to"));
                            (field, from, to)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            reason: e.data["reason"].as_str().map(str::to_owned),
            summary: reworded(e.summary),
            actor: e.actor_name.unwrap_or_else(|| "Mend".into()),
            when: Moment::new(e.created_at, now, tz),
        })
        .collect()
}

/// A value of an edit recorded before edits were written in words (a stored name or a bare
/// amount), as people read it.
fn in_words(field: &str, value: &str) -> String {
    let label = match field {
        "our share" => OurShare::parse(value).ok().map(OurShare::label),
        "relationship value" => RelationshipValue::parse(value)
            .ok()
            .map(RelationshipValue::label),
        "decision" => Decision::parse(value).ok().map(Decision::label),
        "severity" => Severity::parse(value).ok().map(Severity::label),
        "detected by" => DetectedBy::parse(value).ok().map(DetectedBy::label),
        _ => None,
    };
    if let Some(label) = label {
        return label.to_string();
    }
    if matches!(field, "cost" | "value at risk")
        && value.chars().all(|c| c.is_ascii_digit())
        && let Ok(n) = value.parse::<u64>()
    {
        return money::group_thousands(n);
    }
    value.to_string()
}

/// A timeline entry written before entries read as sentences ("Checked in (phone), client's
/// mood +1: …"), in today's words ("Checked in by phone — the client was satisfied: …").
fn reworded(summary: String) -> String {
    let Some(rest) = summary.strip_prefix("Checked in (") else {
        return summary;
    };
    let Some((channel, rest)) = rest.split_once("), client's mood ") else {
        return summary;
    };
    let (mood, said) = rest.split_once(": ").unwrap_or((rest, ""));
    let Ok(mood) = mood.trim_start_matches('+').parse::<i16>() else {
        return summary;
    };
    let how = Channel::ALL
        .iter()
        .find(|c| c.label().eq_ignore_ascii_case(channel))
        .map_or_else(|| format!("by {channel}"), |c| c.how().to_string());
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(": {said}")
    };
    format!(
        "Checked in {how} \u{2014} {}{said}",
        case_input::mood_sentence(mood)
    )
}

fn plan_view(p: case_page::Plan) -> PlanView {
    PlanView {
        adapting: p.adaptive.then(|| {
            let next = p
                .cadence()
                .and_then(|c| c.less_often())
                .map(|to| {
                    let left = (p.step_after - p.good_streak).max(1);
                    format!(
                        "{left} more good check-in{} in a row step{} it down to {}",
                        if left == 1 { "" } else { "s" },
                        if left == 1 { "s" } else { "" },
                        to.label().to_lowercase()
                    )
                })
                .unwrap_or_else(|| "monthly is as seldom as it gets".into());
            format!("Adapts to how the check-ins go: {next}; a bad or missed one steps it back up.")
        }),
        cadence: p.cadence().map(|c| c.label()).unwrap_or_default(),
        until: p
            .end_after
            .map(|n| format!("{n} check-ins"))
            .unwrap_or_else(|| "until the case closes".into()),
        assignee_name: p.assignee_name,
    }
}

fn check_in_views(
    check_ins: Vec<case_page::CheckIn>,
    today: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<CheckInView> {
    check_ins
        .into_iter()
        .map(|c| {
            let open = c.status.is_open();
            let late = open && c.due_date < today;
            let assignee_today = now
                .with_timezone(&case_input::time_zone(&c.assignee_time_zone))
                .date_naive();
            let recordable_from = crate::domain::cadence::recordable(c.due_date, assignee_today)
                .err()
                .filter(|_| open)
                .map(|from| from.format("%A %-d %b %Y").to_string());
            let shown = if late {
                CheckInStatus::Missed
            } else {
                c.status
            };
            CheckInView {
                due: c.due_date.format("%a %-d %b %Y").to_string(),
                status: shown.label(),
                status_class: shown.as_str(),
                assignee_name: c.assignee_name,
                detail: if c.status == CheckInStatus::Skipped {
                    c.skip_reason
                } else {
                    let how = c
                        .channel
                        .map(|ch| format!("{}: ", ch.label()))
                        .unwrap_or_default();
                    let when = c
                        .completed_at
                        .map(|t| format!(" ({})", local_display(t, tz)))
                        .unwrap_or_default();
                    if c.summary.is_empty() {
                        String::new()
                    } else {
                        format!("{how}{}{when}", c.summary)
                    }
                },
                sentiment: c.sentiment,
                next_step: c.next_step,
                words: c.client_words,
                open,
                recordable_from,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_entries_read_in_words() {
        assert_eq!(
            reworded("Checked in (phone), client's mood +1: All good".into()),
            "Checked in by phone \u{2014} the client was satisfied: All good"
        );
        assert_eq!(
            reworded("Checked in (video call), client's mood -2: Angry".into()),
            "Checked in by video call \u{2014} the client was angry: Angry"
        );
        assert_eq!(reworded("Moved on".into()), "Moved on");
        assert_eq!(in_words("our share", "all"), "All of it");
        assert_eq!(in_words("cost", "30000"), "30,000");
        assert_eq!(in_words("title", "all"), "all");
    }
}
