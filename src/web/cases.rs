//! Repair cases: logging an incident, the case page with each stage's playbook, gate and work,
//! and every change to a case (stage moves, let-go approval, reassignment, stage work).
//!
//! Each change is a small form posting to its own route. A refused change re-renders the case
//! page with that form's input kept and the reason beside it; a change made on a stale page
//! (someone else saved first) gets the 409 version of the same page, input kept.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Chrome, Ctx, Form, flash, render};
use crate::AppState;
use crate::auth::{SessionUser, guard};
use crate::db::accounts::Choice;
use crate::db::case_page::{self, PageData};
use crate::db::cases::{self as db_cases, CaseWriteError, CreateCaseError, Item};
use crate::domain::cadence::Cadence;
use crate::domain::case::{
    self as case_input, ActionForm, AssessmentForm, Channel, CheckInForm, ConversationForm,
    DefinitionForm, DetectedBy, IncidentForm, OurShare, PlanForm, RelationshipValue,
    ReparationForm, Severity, TextForm, local_display, local_input, parse_version,
};
use crate::domain::commitment::{self, CommitmentForm, Mark, Reach};
use crate::domain::moment::Moment;
use crate::domain::stage::{self, CaseFacts, Decision, GateItem, LetGoRequest, Outcome, Stage};
use crate::domain::visibility::{Scope, may_mark_for_all_clients, may_reassign};
use crate::domain::{FieldErrors, Role, money};
use crate::error::{AppError, Result};

pub fn router() -> super::Router {
    super::Router::new()
        .route("/cases", get(super::case_list::list).post(create))
        .route("/cases/export.csv", get(super::case_list::export))
        .route("/cases/new", get(new))
        .route("/cases/{number}", get(show))
        .route("/cases/{number}/definition", post(save_definition))
        .route("/cases/{number}/assessment", post(save_assessment))
        .route("/cases/{number}/reparation", post(save_reparation))
        .route("/cases/{number}/conversations", post(add_conversation))
        .route("/cases/{number}/actions", post(add_action))
        .route("/cases/{number}/actions/{item}/done", post(action_done))
        .route("/cases/{number}/commitments", post(add_commitment))
        .route(
            "/cases/{number}/commitments/{id}/mark",
            post(mark_commitment),
        )
        .route("/cases/{number}/lessons", post(add_lesson))
        .route("/cases/{number}/{list}/{item}/remove", post(remove_item))
        .route("/cases/{number}/advance", post(advance))
        .route("/cases/{number}/back", post(move_back))
        .route("/cases/{number}/close", post(close))
        .route("/cases/{number}/let-go", post(request_let_go))
        .route("/cases/{number}/let-go/decision", post(decide_let_go))
        .route("/cases/{number}/reassign", post(reassign))
        .route("/cases/{number}/plan", post(start_plan))
        .route("/cases/{number}/check-ins", post(complete_check_in))
        .route("/cases/{number}/check-ins/skip", post(skip_check_in))
        .route_layer(middleware::from_fn(guard::signed_in))
}

fn scope_of(user: &SessionUser) -> Scope {
    Scope::for_user(user.role, user.team_id)
}

fn tz_of(user: &SessionUser) -> Tz {
    case_input::time_zone(&user.time_zone)
}

/// `CR-1042` (or plain `1042`) → 1042; anything else is not found.
fn case_number(raw: &str) -> Result<i64> {
    let digits = raw
        .strip_prefix("CR-")
        .or_else(|| raw.strip_prefix("cr-"))
        .unwrap_or(raw);
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound)
}

fn case_url(number: i64) -> String {
    format!("/cases/CR-{number}")
}

// ---------------------------------------------------------------------------------------------
// Log an incident

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
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
    let user = ctx.user()?;
    let scope = scope_of(user);
    let mut accounts = db_cases::account_choices(&state.db, scope, &q, PICKER_LIMIT).await?;
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
            categories: super::reference::categories(state).await?,
            severities: Severity::options(),
            detected_by: DetectedBy::options(),
        },
    ))
}

async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NewQuery>,
) -> Result<Response> {
    let user = ctx.user()?;
    let form = IncidentForm {
        account_id: query.account.clone(),
        severity: "medium".into(),
        detected_by: "client".into(),
        occurred_at: local_input(Utc::now(), tz_of(user)),
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

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<IncidentForm>,
) -> Result<Response> {
    let user = ctx.user()?;
    let incident = match form.parse(tz_of(user), Utc::now()) {
        Ok(i) => i,
        Err(errors) => return new_page(&state, &ctx, form, errors, String::new()).await,
    };
    let mut conn = state.db.acquire().await?;
    match db_cases::create(&mut conn, scope_of(user), &incident, user.id, user.id).await {
        Ok(number) => {
            flash(
                &ctx.session,
                "success",
                format!("Logged as CR-{number}. Now define the damage: what happened, and why?"),
            )
            .await?;
            Ok(Redirect::to(&case_url(number)).into_response())
        }
        Err(CreateCaseError::UnknownAccount) => {
            let mut errors = FieldErrors::default();
            errors.add("account_id", "Choose one of the accounts offered.");
            new_page(&state, &ctx, form, errors, String::new()).await
        }
        Err(CreateCaseError::UnknownCategory) => {
            let mut errors = FieldErrors::default();
            errors.add("category_id", "Choose one of the categories offered.");
            new_page(&state, &ctx, form, errors, String::new()).await
        }
        Err(CreateCaseError::Database(e)) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The case page

/// The trust chart of the case's completed check-ins and its cadence steps, as SVG.
fn trust_svg(
    check_ins: &[case_page::CheckIn],
    timeline: &[case_page::Event],
) -> Result<Option<String>> {
    let mut readings: Vec<super::trust_chart::Reading> = check_ins
        .iter()
        .filter(|c| c.status == "done")
        .filter_map(|c| {
            Some(super::trust_chart::Reading {
                due: c.due_date,
                done_at: c.completed_at?,
                sentiment: c.sentiment?,
                words: c.client_words.clone(),
            })
        })
        .collect();
    readings.sort_by_key(|r| (r.due, r.done_at));
    let steps: Vec<super::trust_chart::StepMark> = timeline
        .iter()
        .filter(|e| e.kind == "cadence")
        .filter_map(|e| {
            let from = Cadence::from_parts(e.data["from"].as_str()?, None)?;
            let to = Cadence::from_parts(e.data["to"].as_str()?, None)?;
            Some(super::trust_chart::StepMark {
                at: e.created_at,
                to,
                down: to.days_apart() > from.days_apart(),
            })
        })
        .collect();
    super::trust_chart::chart(&readings, &steps)
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
    pub state: String,
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
    pub status_class: String,
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

#[derive(Template)]
#[template(path = "pages/cases/show.html")]
struct CasePage {
    chrome: Chrome,
    case: db_cases::Case,
    severity: &'static str,
    detected_by: &'static str,
    stage: Stage,
    outcome: &'static str,
    is_open: bool,
    steps: Vec<Step>,
    playbook: &'static [&'static str],
    missing: Vec<GateItem>,
    warnings: Vec<&'static str>,
    /// The restored gate of an adaptive plan, while it is not met.
    trust_needed: Option<String>,
    /// Why the case is escalated, while nobody has worked on it since.
    escalation: Option<String>,
    /// The trust chart (SVG), once a check-in is done.
    trust_svg: Option<String>,
    /// The earlier case this one repeats.
    linked_number: Option<i64>,
    value_at_risk: String,
    reparation_cost: String,
    reparation_share: Option<String>,
    occurred: String,
    detected: String,
    let_go: LetGoRequest,
    can_decide_let_go: bool,
    can_reassign: bool,
    members: Vec<Choice>,
    categories: Vec<Choice>,
    conversations: Vec<ConversationView>,
    actions: Vec<ActionView>,
    commitments: Vec<CommitmentView>,
    lessons: Vec<case_page::Note>,
    /// Whether the viewer may mark this case's lessons as applying to all clients.
    can_mark_lessons: bool,
    /// In Detected: what the team has learned on other cases, for all clients.
    reminders: Option<super::lessons::Reminders>,
    timeline: Vec<EventView>,
    plan: Option<PlanView>,
    check_ins: Vec<CheckInView>,
    /// The earliest open check-in: the one the check-in form completes.
    next_check_in: Option<NextCheckIn>,
    cadences: Vec<(&'static str, &'static str)>,
    forms: Forms,
    errors: FieldErrors,
    /// Which form the errors belong to (its anchor id).
    error_form: &'static str,
    /// A banner above everything: why the last action was refused.
    problem: Option<String>,
    stale: bool,
    severities: Vec<(&'static str, &'static str)>,
    detected_options: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    shares: Vec<(&'static str, &'static str)>,
    values: Vec<(&'static str, &'static str)>,
    decisions: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
}

impl CasePage {
    /// The error for `field`, if the form that failed is `form`.
    /// Whether any commitment is still marked at check-ins.
    fn has_open_commitments(&self) -> bool {
        self.commitments.iter().any(|c| c.open)
    }

    fn err(&self, form: &str, field: &str) -> Option<&str> {
        if self.error_form == form {
            self.errors.get(field)
        } else {
            None
        }
    }
}

/// Why a case page is being shown again instead of redirecting.
pub struct Refusal {
    pub status: StatusCode,
    pub errors: FieldErrors,
    pub form: &'static str,
    pub problem: Option<String>,
    pub stale: bool,
}

impl Refusal {
    fn invalid(form: &'static str, errors: FieldErrors) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form,
            problem: Some("That was not saved: see the highlighted fields.".into()),
            stale: false,
        }
    }

    fn problem(form: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: FieldErrors::default(),
            form,
            problem: Some(message.into()),
            stale: false,
        }
    }

    fn stale(form: &'static str) -> Refusal {
        Refusal {
            status: StatusCode::CONFLICT,
            errors: FieldErrors::default(),
            form,
            problem: Some("This case changed since you opened it: someone else saved first. Nothing of yours was saved. Your input is kept below — check the case as it is now, then save again.".into()),
            stale: true,
        }
    }
}

fn prefilled(case: &db_cases::Case, tz: Tz) -> Forms {
    let v = case.version.to_string();
    Forms {
        definition: DefinitionForm {
            version: v.clone(),
            title: case.title.clone(),
            what_happened: case.what_happened.clone(),
            category_id: case.category_id.to_string(),
            severity: case.severity.clone(),
            detected_by: case.detected_by.clone(),
            occurred_at: local_input(case.occurred_at, tz),
        },
        assessment: AssessmentForm {
            version: v.clone(),
            root_cause: case.root_cause.clone(),
            our_share: case.our_share.clone().unwrap_or_default(),
            other_side_view: case.other_side_view.clone(),
            relationship_value: case.relationship_value.clone().unwrap_or_default(),
            value_at_risk: case
                .value_at_risk_minor
                .map(money::format_input)
                .unwrap_or_default(),
            decision: case.decision.clone().unwrap_or_default(),
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
            sentiment: "0".into(),
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
            sentiment: "0".into(),
            ..CheckInForm::default()
        },
        ..Forms::default()
    }
}

/// Renders the case page; `update` replaces some prefilled forms with what the user submitted.
/// What the case page says of an escalation in force: when and why, whether the managers'
/// e-mail exists yet (the scheduler queues it) and whether it can go out at all, and what
/// clears it.
fn escalation_message(e: &crate::db::case_page::Escalation, tz: Tz, smtp: bool) -> String {
    let when = local_display(e.at, tz);
    let why = if e.reason == "repeat" {
        "a second incident on this account within 90 days of a restored case"
    } else {
        "nobody had recorded any work on this case for longer than its severity allows"
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

async fn case_page(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    refusal: Option<Refusal>,
    update: impl FnOnce(&mut Forms),
) -> Result<Response> {
    let user = ctx.user()?;
    let tz = tz_of(user);
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
    } = case_page::read(&state.db, scope_of(user), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let stage = Stage::parse(&case.stage).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let outcome = Outcome::parse(&case.outcome)
        .map(Outcome::label)
        .unwrap_or("");
    let mut forms = prefilled(&case, tz);
    // The organisation's default cadence, unless the submitted form is shown again.
    forms.plan.cadence = super::reference::organisation(state)
        .await?
        .default_cadence
        .clone();
    update(&mut forms);
    let refusal = refusal.unwrap_or(Refusal {
        status: StatusCode::OK,
        errors: FieldErrors::default(),
        form: "",
        problem: None,
        stale: false,
    });
    let steps = Stage::ALL
        .iter()
        .map(|s| Step {
            number: s.number(),
            label: s.label(),
            purpose: s.purpose(),
            state: if *s < stage {
                "done"
            } else if *s == stage {
                "current"
            } else {
                "todo"
            },
        })
        .collect();
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let conversations = conversations
        .into_iter()
        .map(|c| {
            let mut practices = Vec::new();
            if c.listened_fully {
                practices.push("Listened to the whole complaint");
            }
            if c.validated_feelings {
                practices.push("Validated their feelings");
            }
            if c.took_responsibility {
                practices.push("Took responsibility");
            }
            if c.asked_what_differently {
                practices.push("Asked what we could do differently");
            }
            ConversationView {
                id: c.id,
                channel: Channel::parse(&c.channel).map(Channel::label).unwrap_or(""),
                with_whom: c.with_whom,
                when: Moment::new(c.happened_at, now, tz),
                summary: c.summary,
                sentiment: c.sentiment,
                sentiment_label: case_input::sentiment_label(c.sentiment),
                practices,
            }
        })
        .collect();
    let actions = actions
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
        .collect();
    let trust_svg = trust_svg(&check_ins, &timeline)?;
    let timeline = timeline
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
                            (s("field"), s("from"), s("to"))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            reason: e.data["reason"].as_str().map(str::to_owned),
            summary: e.summary,
            actor: e.actor_name.unwrap_or_else(|| "Mend".into()),
            when: Moment::new(e.created_at, now, tz),
        })
        .collect();
    let members = super::reference::team_members(state, case.team_id).await?;
    let plan = plan.map(|p| PlanView {
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
    });
    let check_ins: Vec<CheckInView> = check_ins
        .into_iter()
        .map(|c| {
            let open = matches!(c.status.as_str(), "scheduled" | "missed");
            let late = open && c.due_date < today;
            let assignee_today = Utc::now()
                .with_timezone(&case_input::time_zone(&c.assignee_time_zone))
                .date_naive();
            let recordable_from = crate::domain::cadence::recordable(c.due_date, assignee_today)
                .err()
                .filter(|_| open)
                .map(|from| from.format("%A %-d %b %Y").to_string());
            CheckInView {
                due: c.due_date.format("%a %-d %b %Y").to_string(),
                status: match (c.status.as_str(), late) {
                    ("done", _) => "Done",
                    ("skipped", _) => "Skipped",
                    ("missed", _) | (_, true) => "Missed",
                    _ => "Scheduled",
                },
                status_class: if late {
                    "missed".into()
                } else {
                    c.status.clone()
                },
                assignee_name: c.assignee_name,
                detail: if c.status == "skipped" {
                    c.skip_reason
                } else {
                    let how = c
                        .channel
                        .as_deref()
                        .and_then(|ch| Channel::parse(ch).ok())
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
        .collect();
    let next_check_in = check_ins.iter().find(|c| c.open).map(|c| NextCheckIn {
        due: c.due.clone(),
        recordable_from: c.recordable_from.clone(),
    });
    let reminders = if stage == Stage::Detected {
        Some(super::lessons::reminders(&state.db, scope_of(user), case.id, tz).await?)
    } else {
        None
    };
    let page = CasePage {
        chrome: ctx.chrome(format!("CR-{} {}", case.number, case.title)),
        severity: Severity::parse(&case.severity)
            .map(Severity::label)
            .unwrap_or(""),
        detected_by: DetectedBy::parse(&case.detected_by)
            .map(DetectedBy::label)
            .unwrap_or(""),
        stage,
        outcome,
        is_open: stage != Stage::Closed,
        steps,
        playbook: stage.playbook(),
        missing: stage::gate(stage, &facts),
        escalation: escalated.map(|e| escalation_message(&e, tz, state.settings.smtp_configured)),
        linked_number,
        trust_svg,
        trust_needed: (stage == Stage::FollowingUp && facts.good_check_ins_needed() > 0)
            .then(|| stage::MoveError::TrustNotBack(facts.good_check_ins_needed()).to_string()),
        warnings: stage::warnings(stage, &facts)
            .into_iter()
            .map(|w| w.message())
            .collect(),
        value_at_risk: case
            .value_at_risk_minor
            .map(|v| money::format(v, &case.currency))
            .unwrap_or_else(|| "Not assessed yet".into()),
        reparation_cost: case
            .reparation_cost_minor
            .map(|v| money::format(v, &case.currency))
            .unwrap_or_default(),
        reparation_share: case
            .reparation_cost_minor
            .and_then(|c| money::share_percent(c, case.account_value_minor))
            .map(|p| format!("{p:.1}% of the account's annual value")),
        occurred: local_display(case.occurred_at, tz),
        detected: local_display(case.detected_at, tz),
        let_go: facts.let_go,
        can_decide_let_go: user.role.at_least(Role::Manager),
        can_reassign: may_reassign(user.role),
        members,
        categories: super::reference::categories(state).await?,
        conversations,
        actions,
        commitments: commitments
            .into_iter()
            .map(|c| CommitmentView {
                id: c.id,
                owner: c.owner_name.unwrap_or_default(),
                scope: Reach::parse(&c.scope).map(Reach::label).unwrap_or(""),
                verification: c.verification,
                review: c
                    .review_on
                    .map(|d| d.format("%-d %b %Y").to_string())
                    .unwrap_or_default(),
                state_label: commitment::state_label(&c.state),
                open: c.state != "broken",
                state: c.state,
                marks: c.marks,
                text: c.text,
            })
            .collect(),
        lessons,
        can_mark_lessons: may_mark_for_all_clients(user.role, case.owner_id == user.id),
        reminders,
        timeline,
        plan,
        check_ins,
        next_check_in,
        cadences: crate::domain::cadence::Cadence::OPTIONS.to_vec(),
        forms,
        errors: refusal.errors,
        error_form: refusal.form,
        problem: refusal.problem,
        stale: refusal.stale,
        severities: Severity::options(),
        detected_options: DetectedBy::options(),
        channels: Channel::options(),
        shares: OurShare::options(),
        values: RelationshipValue::options(),
        decisions: Decision::ALL
            .iter()
            .map(|d| (d.as_str(), d.label()))
            .collect(),
        outcomes: [Outcome::Restored, Outcome::Lost]
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        case,
    };
    Ok(render(refusal.status, &page))
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
) -> Result<Response> {
    let number = case_number(&number)?;
    case_page(&state, &ctx, number, None, |_| {}).await
}

/// After a successful change: back to the case, at the section that changed.
async fn done(
    ctx: &Ctx,
    number: i64,
    anchor: &str,
    message: impl Into<String>,
) -> Result<Response> {
    flash(&ctx.session, "success", message).await?;
    Ok(Redirect::to(&format!("{}#{anchor}", case_url(number))).into_response())
}

/// Maps a failed write to the page a person should see.
async fn write_failed(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: &'static str,
    e: CaseWriteError,
    keep: impl FnOnce(&mut Forms),
) -> Result<Response> {
    match e {
        CaseWriteError::NotFound => Err(AppError::NotFound),
        CaseWriteError::Stale => {
            case_page(state, ctx, number, Some(Refusal::stale(form)), keep).await
        }
        CaseWriteError::Database(e) => Err(e.into()),
    }
}

type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// Opens a transaction on the visible case `number`, locked, with its gate facts.
async fn open_case(
    state: &AppState,
    user: &SessionUser,
    number: i64,
    version: Option<i32>,
) -> std::result::Result<(Tx, db_cases::Locked, CaseFacts), CaseWriteError> {
    let mut tx = state.db.begin().await?;
    let locked = db_cases::lock(&mut tx, scope_of(user), number, version).await?;
    let facts = db_cases::facts(&mut *tx, locked.id).await?;
    Ok((tx, locked, facts))
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
    DefinitionForm => "definition", definition;
    AssessmentForm => "assessment", assessment;
    ReparationForm => "reparation", reparation;
    ConversationForm => "conversation", conversation;
    ActionForm => "action", action;
    PlanForm => "plan", plan;
    CheckInForm => "check_in", check_in;
}

/// The case page again with `form` as submitted and `errors` beside its fields.
async fn refuse<F: KeptForm>(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: F,
    errors: FieldErrors,
) -> Result<Response> {
    case_page(
        state,
        ctx,
        number,
        Some(Refusal::invalid(F::NAME, errors)),
        |f| form.keep(f),
    )
    .await
}

/// The page for a write that failed, with `form` as submitted.
async fn failed<F: KeptForm>(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: F,
    e: CaseWriteError,
) -> Result<Response> {
    write_failed(state, ctx, number, F::NAME, e, |f| form.keep(f)).await
}

// ---------------------------------------------------------------------------------------------
// Edits of the case itself (versioned)

async fn save_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<DefinitionForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let keep = |f: &mut Forms, form: DefinitionForm| f.definition = form;
    let def = match form.parse(tz_of(user), Utc::now()) {
        Ok(d) => d,
        Err(errors) => {
            return case_page(
                &state,
                &ctx,
                number,
                Some(Refusal::invalid("definition", errors)),
                |f| keep(f, form),
            )
            .await;
        }
    };
    let mut conn = state.db.acquire().await?;
    match db_cases::update_definition(
        &mut conn,
        scope_of(user),
        number,
        parse_version(&form.version),
        &def,
        user.id,
    )
    .await
    {
        Ok(()) => {
            done(
                &ctx,
                number,
                "definition",
                "The definition of the damage is saved.",
            )
            .await
        }
        Err(e) => write_failed(&state, &ctx, number, "definition", e, |f| keep(f, form)).await,
    }
}

async fn save_assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<AssessmentForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let a = match form.parse() {
        Ok(a) => a,
        Err(errors) => {
            return refuse(&state, &ctx, number, form, errors).await;
        }
    };
    let mut conn = state.db.acquire().await?;
    match db_cases::save_assessment(
        &mut conn,
        scope_of(user),
        number,
        parse_version(&form.version),
        &a,
        user.id,
    )
    .await
    {
        Ok(()) => done(&ctx, number, "assessment", "The assessment is saved.").await,
        Err(e) => failed(&state, &ctx, number, form, e).await,
    }
}

async fn save_reparation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<ReparationForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let r = match form.parse() {
        Ok(r) => r,
        Err(errors) => {
            return refuse(&state, &ctx, number, form, errors).await;
        }
    };
    let mut conn = state.db.acquire().await?;
    match db_cases::save_reparation(
        &mut conn,
        scope_of(user),
        number,
        parse_version(&form.version),
        &r,
        user.id,
    )
    .await
    {
        Ok(()) => done(&ctx, number, "reparation", "The reparation is saved.").await,
        Err(e) => failed(&state, &ctx, number, form, e).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Stage work (lists): adding never conflicts, so it needs no version

async fn add_conversation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<ConversationForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let c = match form.parse(tz_of(user), Utc::now()) {
        Ok(c) => c,
        Err(errors) => {
            return refuse(&state, &ctx, number, form, errors).await;
        }
    };
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => {
            return failed(&state, &ctx, number, form, e).await;
        }
    };
    db_cases::add_conversation(&mut tx, case.id, &c, user.id).await?;
    tx.commit().await?;
    done(&ctx, number, "conversations", "Conversation logged.").await
}

async fn add_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let today = Utc::now()
        .with_timezone(&case_input::time_zone(&user.time_zone))
        .date_naive();
    let a = match form.parse(today) {
        Ok(a) => a,
        Err(errors) => {
            return refuse(&state, &ctx, number, form, errors).await;
        }
    };
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => {
            return failed(&state, &ctx, number, form, e).await;
        }
    };
    if !db_cases::add_action(&mut tx, case.id, case.team_id, &a, user.id).await? {
        let mut errors = FieldErrors::default();
        errors.add("owner_id", "Choose someone from the case's team.");
        return refuse(&state, &ctx, number, form, errors).await;
    }
    tx.commit().await?;
    done(&ctx, number, "actions", "Action added.").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneForm {
    done: String,
}

async fn action_done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((number, item)): Path<(String, String)>,
    Form(form): Form<DoneForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let item = Uuid::parse_str(&item).map_err(|_| AppError::NotFound)?;
    let user = ctx.user()?;
    let done_now = form.done == "1";
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => return write_failed(&state, &ctx, number, "actions", e, |_| {}).await,
    };
    if !db_cases::set_action_done(&mut tx, case.id, item, done_now, user.id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    done(
        &ctx,
        number,
        "actions",
        if done_now {
            "Marked done."
        } else {
            "Reopened."
        },
    )
    .await
}

async fn add_commitment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<CommitmentForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let today = Utc::now().with_timezone(&tz_of(user)).date_naive();
    let new = match form.parse(today) {
        Ok(c) => c,
        Err(errors) => {
            return case_page(
                &state,
                &ctx,
                number,
                Some(Refusal::invalid("commitment", errors)),
                |f| f.commitment = form,
            )
            .await;
        }
    };
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => {
            return write_failed(&state, &ctx, number, "commitment", e, |f| {
                f.commitment = form
            })
            .await;
        }
    };
    if !crate::db::commitments::add(&mut tx, case.id, case.team_id, &new, user.id).await? {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add(
            "commitment_owner",
            "Choose someone from the case's team as the owner.",
        );
        return case_page(
            &state,
            &ctx,
            number,
            Some(Refusal::invalid("commitment", errors)),
            |f| f.commitment = form,
        )
        .await;
    }
    tx.commit().await?;
    done(&ctx, number, "commitments", "Commitment recorded.").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MarkForm {
    mark: String,
}

/// Marks one commitment kept, slipping or broken from the case page (also on a closed case,
/// where a broken one opens a new case).
async fn mark_commitment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((number, id)): Path<(String, String)>,
    Form(form): Form<MarkForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let mark = match Mark::parse(&form.mark) {
        Ok(Some(m)) => m,
        Ok(None) | Err(_) => {
            return case_page(
                &state,
                &ctx,
                number,
                Some(Refusal::problem(
                    "commitments",
                    "Mark the commitment kept, slipping or broken.",
                )),
                |_| {},
            )
            .await;
        }
    };
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => return write_failed(&state, &ctx, number, "commitments", e, |_| {}).await,
    };
    let target = crate::db::commitments::case_for_mark(&mut *tx, case.id).await?;
    let marked = crate::db::commitments::mark(
        &mut tx,
        &target,
        id,
        mark,
        None,
        user.id,
        &state.settings.public_url,
    )
    .await?;
    tx.commit().await?;
    match marked {
        crate::db::commitments::Marked::Nothing => Err(AppError::NotFound),
        crate::db::commitments::Marked::NewCase(new) => {
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
        crate::db::commitments::Marked::Reopened => {
            done(
                &ctx,
                number,
                "stage",
                "The commitment is marked broken: the case is back in Making it right, and the managers are told.",
            )
            .await
        }
        crate::db::commitments::Marked::Done => {
            done(
                &ctx,
                number,
                "commitments",
                &format!("The commitment is marked {}.", mark.as_str()),
            )
            .await
        }
    }
}

async fn add_lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let text = match form.parse("the lesson", 4000) {
        Ok(t) => t,
        Err(errors) => {
            return case_page(
                &state,
                &ctx,
                number,
                Some(Refusal::invalid("lesson", errors)),
                |f| f.lesson = form,
            )
            .await;
        }
    };
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => {
            return write_failed(&state, &ctx, number, "lesson", e, |f| f.lesson = form).await;
        }
    };
    db_cases::add_lesson(&mut tx, case.id, &text, form.applies_to_all(), user.id).await?;
    tx.commit().await?;
    done(&ctx, number, "lessons", "Lesson recorded.").await
}

async fn remove_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((number, list, item)): Path<(String, String, String)>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let kind = match list.as_str() {
        "conversations" => Item::Conversation,
        "actions" => Item::Action,
        "commitments" => Item::Commitment,
        "lessons" => Item::Lesson,
        _ => return Err(AppError::NotFound),
    };
    let item = Uuid::parse_str(&item).map_err(|_| AppError::NotFound)?;
    let user = ctx.user()?;
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => return write_failed(&state, &ctx, number, "", e, |_| {}).await,
    };
    if !db_cases::remove_item(&mut tx, case.id, kind, item, user.id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    done(
        &ctx,
        number,
        &list,
        "Removed. The timeline keeps a record of it.",
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Stage moves, let-go, reassignment (versioned: they change the case itself)

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MoveForm {
    version: String,
    reason: String,
    outcome: String,
    decision: String,
    owner_id: String,
    /// Where to return after reassigning (a local path, e.g. the manager review).
    back: String,
}

/// Opens the case for a stage-level change, or the page explaining why it cannot be changed.
async fn open_for_move(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: &MoveForm,
    anchor: &'static str,
) -> Result<std::result::Result<(Tx, db_cases::Locked, CaseFacts, Stage), Response>> {
    let user = ctx.user()?;
    match open_case(state, user, number, parse_version(&form.version)).await {
        Ok((tx, case, facts)) => {
            let stage =
                Stage::parse(&case.stage).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
            Ok(Ok((tx, case, facts, stage)))
        }
        Err(e) => {
            let reason = form.reason.clone();
            Ok(Err(write_failed(state, ctx, number, anchor, e, |f| {
                keep_reason(f, reason)
            })
            .await?))
        }
    }
}

fn keep_reason(f: &mut Forms, reason: String) {
    f.reason = reason.clone();
    f.let_go_reason = reason;
}

/// The case page again, explaining why the move was refused (the gate lists what is missing).
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    anchor: &'static str,
    e: stage::MoveError,
    reason: String,
) -> Result<Response> {
    case_page(
        state,
        ctx,
        number,
        Some(Refusal::problem(anchor, e.to_string())),
        |f| keep_reason(f, reason),
    )
    .await
}

async fn advance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let actor = ctx.user()?.id;
    let (mut tx, case, facts, from) =
        match open_for_move(&state, &ctx, number, &form, "stage").await? {
            Ok(open) => open,
            Err(page) => return Ok(page),
        };
    let to = match stage::advance(from, &facts) {
        Ok(to) => to,
        Err(e) => return refused(&state, &ctx, number, "stage", e, form.reason).await,
    };
    db_cases::set_stage(
        &mut tx,
        case.id,
        to.as_str(),
        "open",
        actor,
        &format!("Moved from {} to {}", from.label(), to.label()),
        None,
    )
    .await?;
    tx.commit().await?;
    done(
        &ctx,
        number,
        "stage",
        format!("Moved on to {}.", to.label()),
    )
    .await
}

async fn move_back(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let actor = ctx.user()?.id;
    let (mut tx, case, _, from) = match open_for_move(&state, &ctx, number, &form, "stage").await? {
        Ok(open) => open,
        Err(page) => return Ok(page),
    };
    let to = match stage::move_back(from, &form.reason) {
        Ok(to) => to,
        Err(e) => return refused(&state, &ctx, number, "stage", e, form.reason).await,
    };
    let reason = form.reason.trim();
    db_cases::set_stage(
        &mut tx,
        case.id,
        to.as_str(),
        "open",
        actor,
        &format!(
            "Moved back from {} to {}: {reason}",
            from.label(),
            to.label()
        ),
        Some(reason),
    )
    .await?;
    tx.commit().await?;
    done(
        &ctx,
        number,
        "stage",
        format!("Moved back to {}.", to.label()),
    )
    .await
}

async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let actor = ctx.user()?.id;
    let outcome = Outcome::parse(&form.outcome).unwrap_or(Outcome::Open);
    let (mut tx, case, facts, from) =
        match open_for_move(&state, &ctx, number, &form, "stage").await? {
            Ok(open) => open,
            Err(page) => return Ok(page),
        };
    if let Err(e) = stage::close(from, outcome, &facts) {
        return refused(&state, &ctx, number, "stage", e, form.reason).await;
    }
    db_cases::set_stage(
        &mut tx,
        case.id,
        Stage::Closed.as_str(),
        outcome.as_str(),
        actor,
        &format!("Closed: {}", outcome.label()),
        None,
    )
    .await?;
    tx.commit().await?;
    done(
        &ctx,
        number,
        "stage",
        format!("The case is closed: {}.", outcome.label().to_lowercase()),
    )
    .await
}

async fn request_let_go(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let actor = ctx.user()?.id;
    let (mut tx, case, facts, from) =
        match open_for_move(&state, &ctx, number, &form, "let-go").await? {
            Ok(open) => open,
            Err(page) => return Ok(page),
        };
    if let Err(e) = stage::request_let_go(from, &facts, &form.reason) {
        return refused(&state, &ctx, number, "let-go", e, form.reason).await;
    }
    db_cases::request_let_go(&mut tx, case.id, form.reason.trim(), actor).await?;
    tx.commit().await?;
    done(
        &ctx,
        number,
        "let-go",
        "A manager has been asked to approve letting go.",
    )
    .await
}

async fn decide_let_go(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let approve = form.decision == "approve";
    let (mut tx, case, facts, from) =
        match open_for_move(&state, &ctx, number, &form, "let-go").await? {
            Ok(open) => open,
            Err(page) => return Ok(page),
        };
    if let Err(e) = stage::decide_let_go(from, &facts, user.role, approve) {
        if matches!(e, stage::MoveError::NotAllowed) {
            return Err(AppError::Forbidden);
        }
        return refused(&state, &ctx, number, "let-go", e, String::new()).await;
    }
    db_cases::decide_let_go(&mut tx, case.id, approve, user.id).await?;
    if approve {
        db_cases::set_stage(
            &mut tx,
            case.id,
            Stage::Closed.as_str(),
            Outcome::LetGo.as_str(),
            user.id,
            "Closed: Let go",
            None,
        )
        .await?;
    }
    tx.commit().await?;
    let message = if approve {
        "Approved: the case is closed as let go."
    } else {
        "Declined: the repair goes on."
    };
    done(&ctx, number, "let-go", message).await
}

async fn reassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    if !may_reassign(user.role) {
        return Err(AppError::Forbidden);
    }
    let (mut tx, case, _, _) = match open_for_move(&state, &ctx, number, &form, "owner").await? {
        Ok(open) => open,
        Err(page) => return Ok(page),
    };
    let owner = Uuid::parse_str(form.owner_id.trim()).ok();
    let reassigned = match owner {
        Some(owner) => db_cases::reassign(&mut tx, case.id, case.team_id, owner, user.id).await?,
        None => false,
    };
    if !reassigned {
        return case_page(
            &state,
            &ctx,
            number,
            Some(Refusal::problem(
                "owner",
                "Choose someone from the case's team as the new owner.",
            )),
            |_| {},
        )
        .await;
    }
    tx.commit().await?;
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

// ---------------------------------------------------------------------------------------------
// Following up: the plan and its check-ins

async fn start_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<PlanForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let today = Utc::now().with_timezone(&tz_of(user)).date_naive();
    let plan = match form.parse(today) {
        Ok(p) => p,
        Err(errors) => {
            return refuse(&state, &ctx, number, form, errors).await;
        }
    };
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => return failed(&state, &ctx, number, form, e).await,
    };
    if !crate::db::follow_ups::start_plan(&mut tx, case.id, case.team_id, &plan, user.id).await? {
        let mut errors = FieldErrors::default();
        errors.add("assignee_id", "Choose someone from the case's team.");
        return refuse(&state, &ctx, number, form, errors).await;
    }
    tx.commit().await?;
    done(&ctx, number, "follow_up_plan", "Check-ins are planned.").await
}

async fn complete_check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<CheckInForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let parsed = form.parse().and_then(|r| Ok((r, form.marks()?)));
    let (result, marks) = match parsed {
        Ok(r) => r,
        Err(errors) => {
            return refuse(&state, &ctx, number, form, errors).await;
        }
    };
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => {
            return failed(&state, &ctx, number, form, e).await;
        }
    };
    let check_in = match crate::db::follow_ups::settle_next(
        &mut tx,
        case.id,
        crate::db::follow_ups::Outcome::Done(&result),
        user.id,
        Utc::now(),
    )
    .await?
    {
        crate::db::follow_ups::Settled::Now(id) => id,
        crate::db::follow_ups::Settled::NotOpen => {
            return case_page(
                &state,
                &ctx,
                number,
                Some(Refusal::problem(
                    "check_in",
                    "No check-in is open: plan the follow-up first.",
                )),
                |f| f.check_in = form,
            )
            .await;
        }
        crate::db::follow_ups::Settled::NotYet(from) => {
            return case_page(
                &state,
                &ctx,
                number,
                Some(Refusal::problem(
                    "check_in",
                    crate::domain::cadence::not_yet_message(from),
                )),
                |f| f.check_in = form,
            )
            .await;
        }
    };
    // The commitments marked at this check-in, in the same transaction: a broken one reopens
    // the case with its event and the managers' e-mail, or nothing is recorded at all.
    let reopened = crate::db::commitments::mark_at_check_in(
        &mut tx,
        case.id,
        check_in,
        marks,
        user.id,
        &state.settings.public_url,
    )
    .await?;
    tx.commit().await?;
    if reopened {
        return done(
            &ctx,
            number,
            "stage",
            "Check-in recorded. A commitment was broken: the case is back in Making it right, and the managers are told.",
        )
        .await;
    }
    done(&ctx, number, "check_in", "Check-in recorded.").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SkipForm {
    skip_reason: String,
}

async fn skip_check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Form(form): Form<SkipForm>,
) -> Result<Response> {
    let number = case_number(&number)?;
    let user = ctx.user()?;
    let reason = form.skip_reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 2000 {
        let mut errors = FieldErrors::default();
        errors.add(
            "skip_reason",
            "Say why this check-in is skipped (at most 2,000 characters).",
        );
        return case_page(
            &state,
            &ctx,
            number,
            Some(Refusal::invalid("skip", errors)),
            |f| f.skip_reason = form.skip_reason,
        )
        .await;
    }
    let (mut tx, case, _) = match open_case(&state, user, number, None).await {
        Ok(open) => open,
        Err(e) => {
            return write_failed(&state, &ctx, number, "skip", e, |f| {
                f.skip_reason = form.skip_reason
            })
            .await;
        }
    };
    if crate::db::follow_ups::settle_next(
        &mut tx,
        case.id,
        crate::db::follow_ups::Outcome::Skipped(&reason),
        user.id,
        Utc::now(),
    )
    .await?
    .check_in()
    .is_none()
    {
        return case_page(
            &state,
            &ctx,
            number,
            Some(Refusal::problem("skip", "No check-in is open.")),
            |_| {},
        )
        .await;
    }
    tx.commit().await?;
    done(&ctx, number, "check_in", "Check-in skipped.").await
}
