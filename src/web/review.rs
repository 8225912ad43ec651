//! Manager review (managers and admins; an admin picks the team) as a triage queue: each open
//! case of the team once, with the reasons it needs a manager as badges (escalated, a let-go
//! request, a commitment broken or slipping, a missed check-in, high severity, stuck), most
//! urgent first; filters by reason with their counts; paged. A case is reassigned, and a let-go
//! request approved or declined, in its row: with htmx the row is replaced in place (and the
//! filters' counts out of band); without JavaScript the page comes back at the row. Below the
//! queue, each person's load. The open repairs also export as CSV (unchanged by the queue).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::cases::CaseNumber;
use super::page::{Chrome, Ctx, Form, Me, Pager, flash_at, render};
use crate::app;
use crate::auth::guard;
use crate::db::accounts::Choice;
use crate::db::cases as db_cases;
use crate::db::review::{self, Filter, QueueCounts, Reason, ReviewCase};
use crate::domain::case::{parse_version, time_zone};
use crate::domain::moves::MoveError;
use crate::domain::stage;
use crate::domain::{Role, money};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// Cases per page of the queue.
const PAGE_SIZE: i64 = 20;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/review", get(page))
        .route("/review.csv", get(export))
        .route(
            "/review/{number}/reassign",
            get(reassign_form).post(reassign),
        )
        .route("/review/{number}/let-go", post(decide_let_go))
        .route_layer(middleware::from_fn(guard::manager))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReviewQuery {
    team: String,
    page: String,
    reason: String,
}

/// What the reviewer is looking at: the team (an admin's choice; empty otherwise), the filter
/// and the page. Carried by the row forms so an answer comes back to the same view.
#[derive(Debug, Clone, Default)]
struct View {
    team: String,
    filter: Filter,
    page: i64,
}

impl View {
    fn of(q: &ReviewQuery) -> View {
        View {
            team: Uuid::parse_str(q.team.trim())
                .map(|t| t.to_string())
                .unwrap_or_default(),
            filter: Filter::parse(&q.reason),
            page: q.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 100_000),
        }
    }

    /// A view sent back by a row form (`reason=…&page=…&team=…`).
    fn parse(raw: &str) -> View {
        View::of(&serde_urlencoded::from_str::<ReviewQuery>(raw).unwrap_or_default())
    }

    /// The review's address for `filter` (first page) under this view's team.
    fn href(&self, filter: Filter) -> String {
        View {
            team: self.team.clone(),
            filter,
            page: 1,
        }
        .address()
    }

    /// This view as a query string (for the row forms), and as an address.
    fn query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("reason", self.filter.slug()), ("team", self.team.as_str())] {
            if !v.is_empty() {
                query.append_pair(k, v);
            }
        }
        if self.page > 1 {
            query.append_pair("page", &self.page.to_string());
        }
        query.finish()
    }

    fn address(&self) -> String {
        let query = self.query();
        if query.is_empty() {
            "/review".into()
        } else {
            format!("/review?{query}")
        }
    }
}

/// A reason shown on a row: its CSS class and words.
pub struct Badge {
    pub class: &'static str,
    pub text: String,
}

/// A let-go request waiting in a row: why, who asked, whether approving needs a lesson.
pub struct LetGo {
    pub reason: String,
    pub requested_by: String,
    pub has_lesson: bool,
}

/// An answer shown in a row after acting on it: a confirmation, or what went wrong.
pub struct Notice {
    pub ok: bool,
    pub message: String,
}

pub struct Row {
    pub number: i64,
    pub title: String,
    pub account: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub stage: &'static str,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub age_days: i64,
    pub quiet_days: i64,
    pub stuck: bool,
    pub value_at_risk: String,
    pub next_item: String,
    pub version: i32,
    pub mood: Option<super::sparkline::Sparkline>,
    pub badges: Vec<Badge>,
    /// The worst commitment in trouble: "broken" or "slipping", and its words.
    pub commitment: Option<(String, String)>,
    pub let_go: Option<LetGo>,
    pub notice: Option<Notice>,
    /// A lesson typed with an approval that was refused, kept; and the error beside it.
    pub lesson: String,
    pub lesson_error: String,
}

/// A filter of the queue, as a link with its count.
pub struct FilterLink {
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    pub current: bool,
}

fn filter_label(filter: Filter) -> &'static str {
    match filter {
        Filter::Attention => "Needs a manager",
        Filter::Only(Reason::Escalated) => "Escalated",
        Filter::Only(Reason::LetGo) => "Let-go requested",
        Filter::Only(Reason::Commitment) => "Commitment broken or slipping",
        Filter::Only(Reason::Missed) => "Missed check-in",
        Filter::Only(Reason::High) => "High severity",
        Filter::Only(Reason::Stuck) => "Stuck",
        Filter::All => "Every open case",
    }
}

fn filter_links(view: &View, counts: &QueueCounts) -> Vec<FilterLink> {
    std::iter::once(Filter::Attention)
        .chain(Reason::ALL.into_iter().map(Filter::Only))
        .chain(std::iter::once(Filter::All))
        .map(|f| FilterLink {
            label: filter_label(f),
            count: counts.of(f),
            href: view.href(f),
            current: f == view.filter,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages/review.html")]
struct ReviewPage {
    chrome: Chrome,
    team_id: Uuid,
    team_name: String,
    teams: Vec<Choice>,
    is_admin: bool,
    stuck_after_days: i64,
    filters: Vec<FilterLink>,
    heading: String,
    empty: String,
    all_href: String,
    rows: Vec<Row>,
    pager: Pager,
    load: Vec<review::Load>,
    /// The view, for the row forms to come back to.
    view: String,
    csv_href: String,
    /// An answer about a case that is no longer in the queue (let go, say), shown above it.
    gone: Option<(i64, String)>,
}

/// One case of the queue, for htmx: its rows, and the filters' counts out of band.
#[derive(Template)]
#[template(path = "partials/review_case.html")]
struct CasePart {
    csrf_token: String,
    view: String,
    row: Option<Row>,
    /// The case left the queue: its number and the answer.
    gone: Option<(i64, String)>,
    filters: Vec<FilterLink>,
}

/// The team this reviewer looks at.
async fn team(state: &AppState, ctx: &Ctx, asked: &str) -> Result<Option<(Uuid, String)>> {
    let user = ctx.user()?;
    let admin = user.role.at_least(Role::Admin);
    let wanted = if admin {
        Uuid::parse_str(asked.trim()).ok().or(user.team_id)
    } else {
        user.team_id
    };
    if let Some(id) = wanted
        && let Some(name) = review::team_name(&state.db, id).await?
    {
        return Ok(Some((id, name)));
    }
    Ok(if admin {
        review::first_team(&state.db).await?
    } else {
        None
    })
}

fn no_team() -> AppError {
    AppError::Conflict(
        "You are not in a team yet, so there is nothing to review. Ask an admin to add you to one."
            .into(),
    )
}

/// The organisation's "stuck" days, and the moment before which a quiet case is stuck.
async fn stuck_limit(state: &AppState) -> Result<(i64, DateTime<Utc>)> {
    let organisation = super::reference::organisation(state).await?;
    let days = organisation.stuck_after_days(state.settings.stuck_after_days);
    Ok((days, Utc::now() - chrono::Duration::days(days)))
}

/// The badges of a case's reasons, most urgent first.
fn badges(c: &ReviewCase, quiet_days: i64) -> Vec<Badge> {
    let mut out = Vec::new();
    match c.escalation.as_deref() {
        Some("repeat") => out.push(Badge {
            class: "badge-escalated",
            text: "Escalated: a repeat incident".into(),
        }),
        Some(_) => out.push(Badge {
            class: "badge-escalated",
            text: "Escalated: quiet too long".into(),
        }),
        None => {}
    }
    if c.let_go_requested {
        out.push(Badge {
            class: "badge-let-go",
            text: "Let-go requested".into(),
        });
    }
    match c.commitment_state.as_deref() {
        Some("broken") => out.push(Badge {
            class: "badge-commitment-broken",
            text: "Commitment broken".into(),
        }),
        Some(_) => out.push(Badge {
            class: "badge-commitment-slipping",
            text: "Commitment slipping".into(),
        }),
        None => {}
    }
    if c.missed > 0 {
        let text = match (c.missed, c.first_missed) {
            (1, Some(d)) => format!("Missed check-in ({})", d.format("%-d %b")),
            (1, None) => "Missed check-in".to_string(),
            (n, _) => format!("{n} missed check-ins"),
        };
        out.push(Badge {
            class: "badge-missed",
            text,
        });
    }
    if c.severity.as_str() == "critical" || c.severity.as_str() == "high" {
        out.push(Badge {
            class: if c.severity.as_str() == "critical" {
                "badge-sev-critical"
            } else {
                "badge-sev-high"
            },
            text: format!("{} severity", c.severity.label()),
        });
    }
    if c.stuck {
        out.push(Badge {
            class: "badge-stuck",
            text: format!("Stuck: {quiet_days} days quiet"),
        });
    }
    out
}

/// Rows for `cases`, in their order, with age, quiet days and next gate item (facts and moods
/// read once for every case).
async fn rows(state: &AppState, cases: Vec<ReviewCase>, tz: chrono_tz::Tz) -> Result<Vec<Row>> {
    let ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    let (facts, moods) = tokio::try_join!(
        db_cases::facts_for(&state.db, &ids),
        db_cases::sentiment_series(&state.db, &ids),
    )?;
    let facts: std::collections::HashMap<Uuid, stage::CaseFacts> = facts.into_iter().collect();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let days = |t: DateTime<Utc>| (today - t.with_timezone(&tz).date_naive()).num_days();
    let row = |c: ReviewCase| {
        let stage = c.stage;
        let next_item = facts
            .get(&c.id)
            .and_then(|f| stage::gate(stage, f).into_iter().next())
            .map(|i| i.message().to_string())
            .unwrap_or_else(|| "Ready to move on.".into());
        let quiet_days = days(c.last_activity_at);
        let mood = moods
            .get(&c.id)
            .and_then(|m| super::sparkline::sparkline(m));
        let badges = badges(&c, quiet_days);
        Row {
            number: c.number,
            owner_id: c.owner_id,
            stage: stage.label(),
            severity_label: c.severity.label(),
            severity: c.severity.as_str(),
            age_days: days(c.created_at),
            stuck: c.stuck,
            quiet_days,
            value_at_risk: c
                .value_at_risk_minor
                .map(|v| money::format(v, &c.currency))
                .unwrap_or_default(),
            next_item,
            version: c.version,
            mood,
            badges,
            commitment: c.commitment_state.zip(c.commitment),
            let_go: c.let_go_requested.then(|| LetGo {
                reason: c.let_go_reason,
                requested_by: c.let_go_requested_by.unwrap_or_default(),
                has_lesson: c.has_lesson,
            }),
            notice: None,
            lesson: String::new(),
            lesson_error: String::new(),
            title: c.title,
            account: c.account,
            owner_name: c.owner_name,
        }
    };
    Ok(cases.into_iter().map(row).collect())
}

/// An answer to show in a row: the case's number and the notice, with a kept lesson.
struct Answer {
    number: i64,
    notice: Notice,
    lesson: String,
    lesson_error: String,
}

/// The review page for `view`, with `answer` shown in its row.
async fn review_page(
    state: &AppState,
    ctx: &Ctx,
    view: View,
    answer: Option<Answer>,
    status: StatusCode,
) -> Result<Response> {
    let user = ctx.user()?;
    let tz = time_zone(&user.time_zone);
    let is_admin = user.role.at_least(Role::Admin);
    let Some((team_id, team_name)) = team(state, ctx, &view.team).await? else {
        return Err(no_team());
    };
    let view = View {
        team: if is_admin {
            team_id.to_string()
        } else {
            String::new()
        },
        ..view
    };
    let (stuck_after, stuck_before) = stuck_limit(state).await?;
    let organisation = super::reference::organisation(state).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let (week_first, week_last) = organisation.week_start.week_of(today);
    // Each person's load passes over every open case of the team; it is remembered briefly
    // (`crate::recent`). The queue and its counts are read afresh.
    let numbers = state
        .reviews
        .get_or_compute(format!("{team_id} {week_first}"), async {
            let load = review::load(&state.db, team_id, week_first, week_last).await?;
            Ok::<_, sqlx::Error>(review::Numbers { load })
        });
    let queue = review::queue(
        &state.db,
        team_id,
        view.filter,
        stuck_before,
        PAGE_SIZE,
        (view.page - 1) * PAGE_SIZE,
    );
    let teams = async {
        if is_admin {
            crate::db::accounts::team_choices(&state.db, crate::domain::visibility::Scope::All)
                .await
        } else {
            Ok(Vec::new())
        }
    };
    let (numbers, queue, teams) =
        tokio::try_join!(numbers, async { Ok::<_, AppError>(queue.await?) }, async {
            Ok::<_, AppError>(teams.await?)
        },)?;
    let mut cases = review::review_cases(&state.db, team_id, &queue.ids, &[], stuck_before).await?;
    let position: std::collections::HashMap<Uuid, usize> = queue
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    cases.sort_by_key(|c| position.get(&c.id).copied().unwrap_or(usize::MAX));
    let mut rows = rows(state, cases, tz).await?;
    let mut chrome = ctx.chrome("Manager review");
    // A confirmation left for a row (after a form sent without JavaScript) goes in the row.
    let mut answer = answer;
    if answer.is_none()
        && let Some(at) = chrome
            .flashes
            .iter()
            .position(|f| f.at.as_deref().is_some_and(|a| a.starts_with("case-")))
    {
        let flash = chrome.flashes.remove(at);
        let number = flash
            .at
            .as_deref()
            .and_then(|a| a.trim_start_matches("case-").parse().ok())
            .unwrap_or_default();
        answer = Some(Answer {
            number,
            notice: Notice {
                ok: flash.kind != "error",
                message: flash.message,
            },
            lesson: String::new(),
            lesson_error: String::new(),
        });
    }
    let mut gone = None;
    if let Some(a) = answer {
        match rows.iter_mut().find(|r| r.number == a.number) {
            Some(row) => {
                row.notice = Some(a.notice);
                row.lesson = a.lesson;
                row.lesson_error = a.lesson_error;
            }
            None => gone = Some((a.number, a.notice.message)),
        }
    }
    let total = queue.counts.of(view.filter);
    let heading = match view.filter {
        Filter::Attention => format!("Needs a manager: {total}, most urgent first"),
        Filter::All => format!("Every open case: {total}, most urgent first"),
        f => format!("{}: {total}, most urgent first", filter_label(f)),
    };
    let empty = match view.filter {
        Filter::Attention => {
            format!("Nothing in {team_name} needs a manager: every open case is on track.")
        }
        Filter::All => format!("{team_name} has no open repairs."),
        f => format!(
            "No open case is marked “{}”.",
            filter_label(f).to_lowercase()
        ),
    };
    let params = [("reason", view.filter.slug()), ("team", view.team.as_str())];
    let pager = Pager::new("/review", &params, view.page, total, PAGE_SIZE);
    let csv_href = if is_admin {
        format!("/review.csv?team={team_id}")
    } else {
        "/review.csv".into()
    };
    let page = ReviewPage {
        chrome,
        team_id,
        team_name,
        teams,
        is_admin,
        stuck_after_days: stuck_after,
        filters: filter_links(&view, &queue.counts),
        heading,
        empty,
        all_href: view.href(Filter::All),
        rows,
        pager,
        load: numbers.load.clone(),
        view: view.query(),
        csv_href,
        gone,
    };
    Ok(render(status, &page))
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReviewQuery>,
) -> Result<Response> {
    review_page(&state, &ctx, View::of(&q), None, StatusCode::OK).await
}

/// The form choosing a case's new owner: with htmx, in the row's owner cell; without
/// JavaScript, a page of its own that comes back to the review at the row. (One form serves the
/// row that was clicked: the review does not repeat the team's people in every row.)
#[derive(Template)]
#[template(path = "partials/review_reassign.html")]
struct ReassignPart {
    number: i64,
    version: i32,
    owner_id: Uuid,
    csrf_token: String,
    members: Vec<Choice>,
    view: String,
}

#[derive(Template)]
#[template(path = "pages/review_reassign.html")]
struct ReassignPage {
    chrome: Chrome,
    number: i64,
    version: i32,
    owner_id: Uuid,
    owner_name: String,
    title: String,
    account: String,
    members: Vec<Choice>,
    view: String,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReassignQuery {
    view: String,
}

/// `GET /review/CR-…/reassign`: the form choosing the case's new owner.
async fn reassign_form(
    State(state): State<AppState>,
    ctx: Ctx,
    CaseNumber(number): CaseNumber,
    Query(q): Query<ReassignQuery>,
) -> Result<Response> {
    let view = View::parse(&q.view);
    let Some((team_id, _)) = team(&state, &ctx, &view.team).await? else {
        return Err(no_team());
    };
    let (_, stuck_before) = stuck_limit(&state).await?;
    let (cases, members) = tokio::try_join!(
        async {
            Ok::<_, AppError>(
                review::review_cases(&state.db, team_id, &[], &[number], stuck_before).await?,
            )
        },
        super::reference::team_members(&state, team_id),
    )?;
    let case = cases.into_iter().next().ok_or(AppError::NotFound)?;
    if ctx.htmx {
        let part = ReassignPart {
            number,
            version: case.version,
            owner_id: case.owner_id,
            csrf_token: ctx.chrome("").csrf_token,
            members,
            view: view.query(),
        };
        return Ok(render(StatusCode::OK, &part));
    }
    let page = ReassignPage {
        chrome: ctx.chrome(format!("Reassign CR-{number}")),
        number,
        version: case.version,
        owner_id: case.owner_id,
        owner_name: case.owner_name,
        title: case.title,
        account: case.account,
        members,
        view: view.query(),
        back: format!("{}#case-{number}", view.address()),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RowForm {
    version: String,
    owner_id: String,
    decision: String,
    let_go_lesson: String,
    /// The view the form was sent from (`reason=…&page=…&team=…`).
    view: String,
}

/// `POST /review/CR-…/reassign`: a new owner, from the case's row.
async fn reassign(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<RowForm>,
) -> Result<Response> {
    let owner = Uuid::parse_str(form.owner_id.trim()).ok();
    let version = parse_version(&form.version);
    let done = app::cases::reassign(&state.db, &me.actor(), number, version, owner).await;
    let done = done.map(|()| Done::Reassigned);
    answer(&state, &ctx, number, &form, done).await
}

/// `POST /review/CR-…/let-go`: a let-go request approved (with a lesson if the case has none)
/// or declined, from the case's row.
async fn decide_let_go(
    State(state): State<AppState>,
    ctx: Ctx,
    me: Me,
    CaseNumber(number): CaseNumber,
    Form(form): Form<RowForm>,
) -> Result<Response> {
    let approve = form.decision == "approve";
    let decided = app::moves::decide_let_go(
        &state.db,
        &me.actor(),
        number,
        parse_version(&form.version),
        approve,
        &form.let_go_lesson,
    )
    .await;
    let done = decided.map(|()| if approve { Done::LetGo } else { Done::Declined });
    answer(&state, &ctx, number, &form, done).await
}

/// What a row form did.
enum Done {
    Reassigned,
    LetGo,
    Declined,
}

/// The answer to a row form: with htmx, the case's rows again with the answer in them (or a
/// line saying where it went) and the filters' fresh counts; without JavaScript, back to the
/// review at the row (a confirmation), or the review again with the problem in the row.
async fn answer(
    state: &AppState,
    ctx: &Ctx,
    number: i64,
    form: &RowForm,
    done: std::result::Result<Done, app::Error>,
) -> Result<Response> {
    let view = View::parse(&form.view);
    let (notice, status, lesson, lesson_error) = match done {
        Ok(done) => {
            let message = match done {
                Done::Reassigned => format!("CR-{number} has a new owner."),
                Done::LetGo => format!("CR-{number}: approved, the case is closed as let go."),
                Done::Declined => format!("CR-{number}: declined, the repair goes on."),
            };
            if !ctx.htmx {
                flash_at(&ctx.session, &format!("case-{number}"), message).await?;
                return Ok(
                    Redirect::to(&format!("{}#case-{number}", view.address())).into_response()
                );
            }
            let notice = Notice { ok: true, message };
            (notice, StatusCode::OK, String::new(), String::new())
        }
        Err(app::Error::NotFound) => return Err(AppError::NotFound),
        Err(app::Error::Forbidden) => return Err(AppError::Forbidden),
        Err(app::Error::Database(e)) => return Err(e.into()),
        Err(e) => {
            let (status, message, lesson_error) = match e {
                app::Error::Stale => (
                    StatusCode::CONFLICT,
                    format!(
                        "CR-{number} changed since this page was loaded: here it is as it is now. Try again if it still needs it."
                    ),
                    String::new(),
                ),
                app::Error::Move(MoveError::LessonsRequired) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Letting go closes the case: write the lesson learned first.".to_string(),
                    "Write the lesson learned.".to_string(),
                ),
                app::Error::Invalid(errors) => {
                    let message = errors
                        .iter()
                        .next()
                        .map(|(_, m)| m.to_string())
                        .unwrap_or_default();
                    let lesson = errors.get("let_go_lesson").unwrap_or_default().to_string();
                    (StatusCode::UNPROCESSABLE_ENTITY, message, lesson)
                }
                other => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    other.to_string(),
                    String::new(),
                ),
            };
            let notice = Notice { ok: false, message };
            (notice, status, form.let_go_lesson.clone(), lesson_error)
        }
    };
    let answer = Answer {
        number,
        notice,
        lesson,
        lesson_error,
    };
    if !ctx.htmx {
        return review_page(state, ctx, view, Some(answer), status).await;
    }
    case_part(state, ctx, view, answer, status).await
}

/// The case's rows alone (htmx), with `answer` in them, and the filters out of band.
async fn case_part(
    state: &AppState,
    ctx: &Ctx,
    view: View,
    answer: Answer,
    status: StatusCode,
) -> Result<Response> {
    let user = ctx.user()?;
    let tz = time_zone(&user.time_zone);
    let is_admin = user.role.at_least(Role::Admin);
    let Some((team_id, _)) = team(state, ctx, &view.team).await? else {
        return Err(no_team());
    };
    let view = View {
        team: if is_admin {
            team_id.to_string()
        } else {
            String::new()
        },
        ..view
    };
    let (_, stuck_before) = stuck_limit(state).await?;
    let (cases, queue) = tokio::try_join!(
        async {
            Ok::<_, AppError>(
                review::review_cases(&state.db, team_id, &[], &[answer.number], stuck_before)
                    .await?,
            )
        },
        async {
            Ok::<_, AppError>(
                review::queue(&state.db, team_id, view.filter, stuck_before, 0, 0).await?,
            )
        },
    )?;
    let mut row = rows(state, cases, tz).await?.pop();
    let gone = match row.as_mut() {
        Some(row) => {
            row.notice = Some(answer.notice);
            row.lesson = answer.lesson;
            row.lesson_error = answer.lesson_error;
            None
        }
        None => Some((answer.number, answer.notice.message)),
    };
    let part = CasePart {
        csrf_token: ctx.chrome("").csrf_token,
        view: view.query(),
        row,
        gone,
        filters: filter_links(&view, &queue.counts),
    };
    Ok(render(status, &part))
}

/// Every open repair of the team as CSV (same quoting and formula neutralising as the case list).
async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReviewQuery>,
) -> Result<Response> {
    use super::case_list::neutralise;
    let user = ctx.user()?;
    let tz = time_zone(&user.time_zone);
    let Some((team_id, team_name)) = team(&state, &ctx, &q.team).await? else {
        return Err(AppError::NotFound);
    };
    let (_, stuck_before) = stuck_limit(&state).await?;
    let cases = review::all_open(&state.db, team_id, stuck_before).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "case",
        "title",
        "account",
        "owner",
        "stage",
        "severity",
        "age_days",
        "days_since_activity",
        "stuck",
        "value_at_risk",
        "next_gate_item",
    ];
    let mut write = |fields: &[String]| {
        w.write_record(fields)
            .map_err(|e| AppError::Internal(e.into()))
    };
    write(&header.map(str::to_string))?;
    let cases = rows(&state, cases, tz).await?;
    for r in cases {
        write(&[
            format!("CR-{}", r.number),
            neutralise(&r.title),
            neutralise(&r.account),
            neutralise(&r.owner_name),
            r.stage.to_string(),
            r.severity.to_string(),
            r.age_days.to_string(),
            r.quiet_days.to_string(),
            r.stuck.to_string(),
            r.value_at_risk,
            r.next_item,
        ])?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("CSV: {e}")))?;
    let filename = format!(
        "mend-review-{}-{}.csv",
        team_name
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
        Utc::now().format("%Y-%m-%d")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}
