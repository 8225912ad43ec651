//! "My work", everyone's home page, kept light: first the check-ins to record today (missed and
//! overdue ones, then today's), each recorded right here — in place with htmx, back at the
//! section without JavaScript; then, compact and paged, those due later this week, lessons to
//! apply, my open cases by stage (the oldest few of each, the rest a link to the case list) and
//! my actions due.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::page::{Chrome, Ctx, Form, Me, Pager, flash, flash_at, render};
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
    /// "Missed" or "Overdue" for one due before today; empty otherwise.
    pub late: &'static str,
    pub number: i64,
    pub title: String,
    pub account: String,
    /// The submitted input and its errors, when completing this one was refused.
    pub form: CheckInForm,
    pub errors: FieldErrors,
    /// Why recording it was refused, when not a field's fault.
    pub notice: Option<String>,
    /// The case's commitments to mark at this check-in: `(id, text)`.
    pub commitments: Vec<(Uuid, String)>,
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
const CASES_PER_STAGE: i64 = 3;
/// Check-ins of each section, and actions, per page of My work.
const CHECK_INS_PER_PAGE: i64 = 10;
const ACTIONS_PER_PAGE: i64 = 10;
/// Lessons' checklists listed at once (the next appear as these are done).
const LESSONS_SHOWN: i64 = 5;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HomeQuery {
    today_page: String,
    week_page: String,
    actions_page: String,
}

/// The page of each paged section of My work.
#[derive(Debug, Clone, Copy)]
struct Pages {
    today: i64,
    week: i64,
    actions: i64,
}

impl Pages {
    fn of(q: &HomeQuery) -> Pages {
        let page = |raw: &str| raw.trim().parse::<i64>().unwrap_or(1).clamp(1, 100_000);
        Pages {
            today: page(&q.today_page),
            week: page(&q.week_page),
            actions: page(&q.actions_page),
        }
    }

    fn first() -> Pages {
        Pages {
            today: 1,
            week: 1,
            actions: 1,
        }
    }

    /// The pager of the section named by `key` (the other sections keep their pages), its
    /// links landing at the section.
    fn pager(&self, key: &str, total: i64, size: i64) -> Pager {
        let (page, anchor) = match key {
            "today_page" => (self.today, "#today"),
            "week_page" => (self.week, "#this-week"),
            _ => (self.actions, "#my-actions"),
        };
        let pages = ((total + size - 1) / size).max(1);
        let href = |p: i64| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in [
                ("today_page", self.today),
                ("week_page", self.week),
                ("actions_page", self.actions),
            ] {
                let v = if k == key { p } else { v };
                if v > 1 {
                    query.append_pair(k, &v.to_string());
                }
            }
            let query = query.finish();
            if query.is_empty() {
                format!("/{anchor}")
            } else {
                format!("/?{query}{anchor}")
            }
        };
        Pager {
            page,
            pages,
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
        }
    }
}

pub struct ActionRow {
    pub number: i64,
    pub case_title: String,
    pub what: String,
    pub due: String,
    pub overdue: bool,
}

/// A check-in due later this week, on one line.
pub struct LaterRow {
    pub due: String,
    pub number: i64,
    pub title: String,
    pub account: String,
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct MyWorkPage {
    chrome: Chrome,
    name: String,
    today: Vec<CheckInRow>,
    this_week: Vec<LaterRow>,
    /// How many there are in each check-in section (more than listed, perhaps).
    today_total: i64,
    this_week_total: i64,
    today_pager: Pager,
    week_pager: Pager,
    /// The answer to a check-in recorded without JavaScript, shown in its section.
    today_notice: Option<String>,
    stages: Vec<StageGroup>,
    cases_total: i64,
    actions: Vec<ActionRow>,
    actions_total: i64,
    actions_pager: Pager,
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
            && self.stages.is_empty()
            && self.actions.is_empty()
            && self.lessons.is_empty()
    }
}

/// One check-in alone (htmx): its form again with what went wrong, or the answer.
#[derive(Template)]
#[template(path = "partials/check_in_part.html")]
struct CheckInPart {
    csrf_token: String,
    channels: Vec<(&'static str, &'static str)>,
    moods: Vec<(i16, &'static str)>,
    id: Uuid,
    row: Option<CheckInRow>,
    done: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<HomeQuery>,
) -> Result<Response> {
    my_work(&state, &ctx, StatusCode::OK, None, Pages::of(&query)).await
}

/// A check-in whose recording was refused: its input, the fields' errors, or why.
struct Refused {
    id: Uuid,
    form: CheckInForm,
    errors: FieldErrors,
    notice: Option<String>,
}

/// The check-ins to record now (with `refused` in its place) and later this week, one page of
/// each, and how many there are.
async fn check_ins(
    state: &AppState,
    user: &crate::auth::SessionUser,
    pages: Pages,
    limit: i64,
    refused: Option<Refused>,
) -> Result<(Vec<CheckInRow>, Vec<LaterRow>, i64, i64)> {
    let scope = Scope::for_user(user.role, user.team_id);
    let today = Utc::now()
        .with_timezone(&time_zone(&user.time_zone))
        .date_naive();
    // "This week" ends on the last day of the organisation's week.
    let week_start = super::reference::organisation(state).await?.week_start;
    let (_, week_last) = week_start.week_of(today);
    let page = follow_ups::MyCheckInPage {
        limit,
        now_offset: (pages.today - 1) * limit,
        later_offset: (pages.week - 1) * limit,
        keep: refused.as_ref().map(|r| r.id),
    };
    let check_ins = follow_ups::open_for(&state.db, scope, user.id, today, week_last, page).await?;
    let numbers: Vec<i64> = check_ins
        .iter()
        .filter(|c| c.now)
        .map(|c| c.number)
        .collect();
    let mut commitments: std::collections::HashMap<i64, Vec<(Uuid, String)>> =
        std::collections::HashMap::new();
    for (number, id, text) in crate::db::commitments::open_for_cases(&state.db, &numbers).await? {
        commitments.entry(number).or_default().push((id, text));
    }
    let (mut now, mut later) = (Vec::new(), Vec::new());
    let (mut now_total, mut later_total) = (0, 0);
    let mut refused = refused;
    for c in check_ins {
        if !c.now {
            later_total = c.in_section;
            later.push(LaterRow {
                due: c.due_date.format("%a %-d %b").to_string(),
                number: c.number,
                title: c.title,
                account: c.account,
            });
            continue;
        }
        now_total = c.in_section;
        let (form, errors, notice) = match refused.take() {
            Some(r) if r.id == c.id => (r.form, r.errors, r.notice),
            other => {
                refused = other;
                let form = CheckInForm {
                    channel: "phone".into(),
                    ..CheckInForm::default()
                };
                (form, FieldErrors::default(), None)
            }
        };
        now.push(CheckInRow {
            id: c.id,
            due: c.due_date.format("%a %-d %b").to_string(),
            late: match (c.status, c.due_date < today) {
                (CheckInStatus::Missed, _) => "Missed",
                (_, true) => "Overdue",
                _ => "",
            },
            number: c.number,
            title: c.title,
            account: c.account,
            form,
            errors,
            notice,
            commitments: commitments.get(&c.number).cloned().unwrap_or_default(),
        });
    }
    Ok((now, later, now_total, later_total))
}

/// My work; `refused` is a check-in whose recording was refused, with the input and errors.
async fn my_work(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    refused: Option<Refused>,
    pages: Pages,
) -> Result<Response> {
    let user = ctx.user()?;
    let scope = Scope::for_user(user.role, user.team_id);
    let tz = time_zone(&user.time_zone);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let week_start = super::reference::organisation(state).await?.week_start;
    let (_, week_last) = week_start.week_of(today);
    let (check_ins, cases, actions, lessons) = tokio::try_join!(
        check_ins(state, user, pages, CHECK_INS_PER_PAGE, refused),
        async {
            Ok::<_, AppError>(
                crate::db::my_work::open_owned_by(&state.db, scope, user.id, CASES_PER_STAGE)
                    .await?,
            )
        },
        async {
            Ok::<_, AppError>(
                crate::db::my_work::actions_due(
                    &state.db,
                    scope,
                    user.id,
                    week_last,
                    ACTIONS_PER_PAGE,
                    (pages.actions - 1) * ACTIONS_PER_PAGE,
                )
                .await?,
            )
        },
        async {
            Ok::<_, AppError>(
                crate::db::lessons::to_apply(&state.db, user.id, LESSONS_SHOWN).await?,
            )
        },
    )?;
    let (due_now, this_week, today_total, this_week_total) = check_ins;
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
            age_days: (today - c.created_at.with_timezone(&tz).date_naive()).num_days(),
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
    let cases_total = stages.iter().map(|g| g.total).sum();
    let (actions, actions_total) = actions;
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
    let (lessons, lessons_total) = lessons;
    let mut chrome = ctx.chrome("My work");
    // The answer to a check-in recorded without JavaScript goes in its section.
    let today_notice = chrome
        .flashes
        .iter()
        .position(|f| f.at.as_deref() == Some("today"))
        .map(|at| chrome.flashes.remove(at).message);
    let page = MyWorkPage {
        lessons,
        lessons_total,
        chrome,
        name: user.name.clone(),
        today: due_now,
        this_week,
        today_total,
        this_week_total,
        today_pager: pages.pager("today_page", today_total, CHECK_INS_PER_PAGE),
        week_pager: pages.pager("week_page", this_week_total, CHECK_INS_PER_PAGE),
        today_notice,
        stages,
        cases_total,
        actions,
        actions_total,
        actions_pager: pages.pager("actions_page", actions_total, ACTIONS_PER_PAGE),
        channels: Channel::options(),
        moods: crate::domain::case::MOODS.to_vec(),
    };
    Ok(render(status, &page))
}

/// The answer to a check-in form sent with htmx: the check-in again with what went wrong, or
/// the confirmation in its place.
async fn check_in_part(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    status: StatusCode,
    outcome: std::result::Result<String, Refused>,
) -> Result<Response> {
    let user = ctx.user()?;
    let (row, done) = match outcome {
        Ok(message) => (None, Some(message)),
        Err(refused) => {
            let (rows, _, _, _) = check_ins(state, user, Pages::first(), 0, Some(refused)).await?;
            (rows.into_iter().find(|r| r.id == id), None)
        }
    };
    let part = CheckInPart {
        csrf_token: ctx.chrome("").csrf_token,
        channels: Channel::options(),
        moods: crate::domain::case::MOODS.to_vec(),
        id,
        row,
        done,
    };
    Ok(render(status, &part))
}

/// Records one check-in from My work. Recording it again is a harmless no-op. With htmx the
/// check-in's item comes back in place; without, the page comes back at the section.
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
            let refused = Refused {
                id,
                form,
                errors,
                notice: None,
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            if ctx.htmx {
                return check_in_part(&state, &ctx, id, status, Err(refused)).await;
            }
            return my_work(&state, &ctx, status, Some(refused), Pages::first()).await;
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
    let message = match recorded {
        Ok(r) if r.reopened => format!(
            "Check-in recorded on CR-{}. A commitment was broken: the case is back in Making it right, and the managers are told.",
            r.number
        ),
        Ok(r) => format!("Check-in recorded on CR-{}.", r.number),
        Err(app::Error::AlreadyDone(m)) => m,
        Err(app::Error::Conflict(m)) => {
            let refused = Refused {
                id,
                form,
                errors: FieldErrors::default(),
                notice: Some(m.clone()),
            };
            let status = StatusCode::CONFLICT;
            if ctx.htmx {
                return check_in_part(&state, &ctx, id, status, Err(refused)).await;
            }
            flash(&ctx.session, "error", m).await?;
            return Ok(Redirect::to("/#today").into_response());
        }
        Err(e) => return Err(e.into()),
    };
    if ctx.htmx {
        return check_in_part(&state, &ctx, id, StatusCode::OK, Ok(message)).await;
    }
    flash_at(&ctx.session, "today", message).await?;
    Ok(Redirect::to("/#today").into_response())
}
