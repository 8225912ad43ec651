//! The case page: what the case is (its identity, facts and stepper), the current stage's
//! playbook and gate, and the work recorded so far. The page is assembled from one builder per
//! section (conversations, actions, commitments, follow-up, timeline), each turning what
//! `db::case_page` read into what the template shows.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use chrono_tz::Tz;

use super::views::*;
use super::{CaseNumber, Refusal};
use crate::db::accounts::Choice;
use crate::db::case_page::{self, PageData};
use crate::db::cases as db_cases;
use crate::domain::cadence::Cadence;
use crate::domain::case::{
    self as case_input, AssessmentForm, Channel, ConversationForm, DefinitionForm, DetectedBy,
    OurShare, RelationshipValue, ReparationForm, Severity, local_display, local_input,
};
use crate::domain::follow_up::{CheckInForm, PlanForm};
use crate::domain::stage::{self, Decision, GateItem, LetGoRequest, Outcome, Stage};
use crate::domain::visibility::{may_mark_for_all_clients, may_reassign};
use crate::domain::{FieldErrors, Role, money};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::page::{Chrome, Ctx, render};

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
