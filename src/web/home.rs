//! "My work", everyone's home page: check-ins due today, later this week and missed (each can
//! be completed right here), my open cases by stage with their age and the next thing their gate
//! needs, and my action items due.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::page::{Chrome, Ctx, Form, Me, flash, render};
use crate::app::{self, Links, check_ins::Which};
use crate::auth::guard;
use crate::db::cases as db_cases;
use crate::db::follow_ups;
use crate::domain::FieldErrors;
use crate::domain::cadence::CheckInStatus;
use crate::domain::case::{Channel, time_zone};
use crate::domain::follow_up::CheckInForm;
use crate::domain::stage::{self, Stage};
use crate::domain::visibility::Scope;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/", get(home))
        .route("/check-ins/{id}/complete", post(complete))
        .route_layer(middleware::from_fn(guard::signed_in))
}

pub struct CheckInRow {
    pub id: Uuid,
    pub due: String,
    pub number: i64,
    pub title: String,
    pub account: String,
    /// The submitted input and its errors, when completing this one was refused.
    pub form: CheckInForm,
    pub errors: FieldErrors,
    /// The case's commitments to mark at this check-in: `(id, text)`.
    pub commitments: Vec<(Uuid, String)>,
    /// Not due yet: the day it can be recorded from (`cadence::recordable`).
    pub recordable_from: Option<String>,
}

pub struct CaseRow {
    pub number: i64,
    pub title: String,
    pub account: String,
    pub age_days: i64,
    pub next_item: String,
}

pub struct StageGroup {
    pub label: &'static str,
    pub cases: Vec<CaseRow>,
    /// All of this person's open cases in the stage (more than are listed, perhaps).
    pub total: i64,
    /// The case list, filtered to this person and stage.
    pub href: String,
}

/// My work lists this many of the oldest cases of each stage; the case list has the rest.
const CASES_PER_STAGE: i64 = 10;

/// My work lists this many check-ins of each section and this many actions, unless asked for
/// all (`?all=1`): someone who has let hundreds pile up still gets a page that loads.
const CHECK_INS_PER_SECTION: i64 = 25;
const ACTIONS_SHOWN: i64 = 25;
/// Lessons' checklists listed at once.
const LESSONS_SHOWN: i64 = 10;

#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    all: String,
}

pub struct ActionRow {
    pub number: i64,
    pub case_title: String,
    pub what: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct MyWorkPage {
    chrome: Chrome,
    name: String,
    today: Vec<CheckInRow>,
    this_week: Vec<CheckInRow>,
    missed: Vec<CheckInRow>,
    /// How many there are in each check-in section (more than listed, perhaps).
    today_total: i64,
    this_week_total: i64,
    missed_total: i64,
    stages: Vec<StageGroup>,
    actions: Vec<ActionRow>,
    actions_total: i64,
    channels: Vec<(&'static str, &'static str)>,
    moods: Vec<(i16, &'static str)>,
    /// Lessons' checklists still to do on my accounts.
    lessons: Vec<crate::db::lessons::ToApply>,
    lessons_total: i64,
}

impl MyWorkPage {
    fn nothing_to_do(&self) -> bool {
        self.today.is_empty()
            && self.this_week.is_empty()
            && self.missed.is_empty()
            && self.stages.is_empty()
            && self.actions.is_empty()
            && self.lessons.is_empty()
    }
}

async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<HomeQuery>,
) -> Result<Response> {
    my_work(&state, &ctx, StatusCode::OK, None, !query.all.is_empty()).await
}

/// My work; `failed` is a check-in whose completion was refused, with the input and errors.
async fn my_work(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    failed: Option<(Uuid, CheckInForm, FieldErrors)>,
    everything: bool,
) -> Result<Response> {
    let (per_section, actions_shown) = if everything {
        (i64::MAX, i64::MAX)
    } else {
        (CHECK_INS_PER_SECTION, ACTIONS_SHOWN)
    };
    let user = ctx.user()?;
    let scope = Scope::for_user(user.role, user.team_id);
    let today = Utc::now()
        .with_timezone(&time_zone(&user.time_zone))
        .date_naive();
    // "This week" ends on the last day of the organisation's week.
    let week_start = super::reference::organisation(state).await?.week_start;
    let (_, week_last) = week_start.week_of(today);
    let (mut due_today, mut this_week, mut missed) = (Vec::new(), Vec::new(), Vec::new());
    let (mut today_total, mut this_week_total, mut missed_total) = (0, 0, 0);
    let keep = failed.as_ref().map(|(id, _, _)| *id);
    let mut failed = failed;
    let check_ins = follow_ups::open_for(
        &state.db,
        scope,
        user.id,
        today,
        week_last,
        per_section,
        keep,
    )
    .await?;
    let numbers: Vec<i64> = check_ins.iter().map(|c| c.number).collect();
    let mut commitments: std::collections::HashMap<i64, Vec<(Uuid, String)>> =
        std::collections::HashMap::new();
    for (number, id, text) in crate::db::commitments::open_for_cases(&state.db, &numbers).await? {
        commitments.entry(number).or_default().push((id, text));
    }
    for c in check_ins {
        let (form, errors) = match failed.take() {
            Some((id, form, errors)) if id == c.id => (form, errors),
            other => {
                failed = other;
                (
                    CheckInForm {
                        channel: "phone".into(),
                        ..CheckInForm::default()
                    },
                    FieldErrors::default(),
                )
            }
        };
        let row = CheckInRow {
            id: c.id,
            due: c.due_date.format("%a %-d %b").to_string(),
            number: c.number,
            title: c.title,
            account: c.account,
            form,
            errors,
            commitments: commitments.get(&c.number).cloned().unwrap_or_default(),
            recordable_from: crate::domain::cadence::recordable(c.due_date, today)
                .err()
                .map(|from| from.format("%A %-d %b").to_string()),
        };
        if c.status == CheckInStatus::Missed || c.due_date < today {
            missed_total = c.in_section;
            missed.push(row);
        } else if c.due_date == today {
            today_total = c.in_section;
            due_today.push(row);
        } else {
            this_week_total = c.in_section;
            this_week.push(row);
        }
    }
    let cases =
        crate::db::my_work::open_owned_by(&state.db, scope, user.id, CASES_PER_STAGE).await?;
    let ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    let facts: std::collections::HashMap<Uuid, stage::CaseFacts> =
        db_cases::facts_for(&state.db, &ids)
            .await?
            .into_iter()
            .collect();
    let mut stages: Vec<StageGroup> = Stage::ALL
        .iter()
        .filter(|s| **s != Stage::Closed)
        .map(|s| StageGroup {
            label: s.label(),
            cases: Vec::new(),
            total: 0,
            href: format!(
                "/cases?owner={}&stage={}&outcome=open&sort=opened&dir=asc",
                user.id,
                s.as_str()
            ),
        })
        .collect();
    for c in cases {
        let stage = c.stage;
        let next_item = facts
            .get(&c.id)
            .and_then(|f| stage::gate(stage, f).into_iter().next())
            .map(|item| item.message().to_string())
            .unwrap_or_else(|| "Ready to move on.".into());
        let row = CaseRow {
            age_days: (today
                - c.created_at
                    .with_timezone(&time_zone(&user.time_zone))
                    .date_naive())
            .num_days(),
            number: c.number,
            title: c.title,
            account: c.account,
            next_item,
        };
        if let Some(group) = stages.get_mut(usize::from(stage.number()) - 1) {
            group.total = c.in_stage;
            group.cases.push(row);
        }
    }
    stages.retain(|g| !g.cases.is_empty());
    let (actions, actions_total) =
        crate::db::my_work::actions_due(&state.db, scope, user.id, week_last, actions_shown)
            .await?;
    let actions = actions
        .into_iter()
        .map(|a| ActionRow {
            overdue: a.due_date.is_some_and(|d: NaiveDate| d < today),
            due: a
                .due_date
                .map(|d| d.format("%a %-d %b").to_string())
                .unwrap_or_else(|| "no date".into()),
            number: a.number,
            case_title: a.case_title,
            what: a.what,
        })
        .collect();
    let (lessons, lessons_total) =
        crate::db::lessons::to_apply(&state.db, user.id, LESSONS_SHOWN).await?;
    let page = MyWorkPage {
        lessons,
        lessons_total,
        chrome: ctx.chrome("My work"),
        name: user.name.clone(),
        today: due_today,
        this_week,
        missed,
        today_total,
        this_week_total,
        missed_total,
        stages,
        actions,
        actions_total,
        channels: Channel::options(),
        moods: crate::domain::case::MOODS.to_vec(),
    };
    Ok(render(status, &page))
}

/// Completes one check-in from My work. Completing it again is a harmless no-op.
async fn complete(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    Path(id): Path<String>,
    Form(form): Form<CheckInForm>,
) -> Result<Response> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let (result, marks) = match form.parse().and_then(|r| Ok((r, form.marks()?))) {
        Ok(r) => r,
        Err(errors) => {
            return my_work(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((id, form, errors)),
                false,
            )
            .await;
        }
    };
    let links = Links {
        public_url: &state.settings.public_url,
    };
    let recorded = app::check_ins::record(
        &state.db,
        links,
        &me.actor(),
        Which::Id(id),
        &result,
        &marks,
        Utc::now(),
    )
    .await;
    let (kind, message) = match recorded {
        Ok(r) if r.reopened => (
            "success",
            format!(
                "Check-in recorded on CR-{}. A commitment was broken: the case is back in Making it right, and the managers are told.",
                r.number
            ),
        ),
        Ok(r) => ("success", format!("Check-in recorded on CR-{}.", r.number)),
        Err(app::Error::AlreadyDone(m)) => ("info", m),
        Err(app::Error::Conflict(m)) => ("error", m),
        Err(e) => return Err(e.into()),
    };
    flash(&ctx.session, kind, message).await?;
    Ok(Redirect::to("/").into_response())
}
