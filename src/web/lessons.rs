//! The lessons library (`/lessons`): every lesson learned on the cases a user can see, searched
//! and filtered with the filters kept in the URL; marking a lesson as applying to all clients;
//! and the reminders of those lessons that every case in Detected shows ("find every lesson and
//! apply it to all of your client relationships"). Changes to a lesson are use cases in
//! `app::lessons`.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::page::{Chrome, Ctx, Form, Pager, flash, render};
use crate::app::{self, Actor, lessons::ChecklistOutcome};
use crate::auth::{AuthSession, guard};
use crate::db::accounts::Choice;
use crate::db::lessons::{self as db_lessons, LessonFilter, LessonRow};
use crate::domain::case::time_zone;
use crate::domain::stage::Outcome;
use crate::domain::visibility::{Scope, may_mark_for_all_clients};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/lessons", get(library))
        .route("/lessons/{id}/all-clients", post(mark_for_all_clients))
        .route("/lessons/{id}/checklist", post(set_checklist))
        .route(
            "/lessons/{id}/accounts/{account}/applied",
            post(mark_applied),
        )
        .route_layer(middleware::from_fn(guard::signed_in))
}

const PAGE_SIZE: i64 = 25;
/// Case pages in Detected remind of this many lessons; the library has the rest.
pub const REMINDER_LIMIT: i64 = 3;
/// The outcomes of closed cases, the ones the outcome filter offers.
const CLOSED_OUTCOMES: [Outcome; 3] = [Outcome::Restored, Outcome::Lost, Outcome::LetGo];

/// The library's query string, exactly as in the URL.
#[derive(Debug, Default, Clone)]
pub struct LibraryQuery {
    pub q: String,
    pub category: String,
    pub account: String,
    pub outcome: String,
    pub all_clients: String,
    pub open: String,
    pub page: String,
}

impl LibraryQuery {
    /// Reads a query string; a repeated key keeps its last value, unknown keys are ignored, so
    /// no address a person can type is refused.
    fn parse(raw: Option<&str>) -> LibraryQuery {
        let mut q = LibraryQuery::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let field = match key.as_ref() {
                "q" => &mut q.q,
                "category" => &mut q.category,
                "account" => &mut q.account,
                "outcome" => &mut q.outcome,
                "all_clients" => &mut q.all_clients,
                "open" => &mut q.open,
                "page" => &mut q.page,
                _ => continue,
            };
            *field = value.into_owned();
        }
        q
    }

    /// The filter it asks for; values that are not valid choices are ignored.
    fn filter(&self) -> LessonFilter {
        let text = |s: &str, max: usize| {
            Some(s.trim().chars().take(max).collect::<String>()).filter(|s| !s.is_empty())
        };
        LessonFilter {
            search: text(&self.q, 200),
            category_id: Uuid::parse_str(self.category.trim()).ok(),
            account: text(&self.account, 200),
            outcome: Outcome::parse(&self.outcome)
                .ok()
                .filter(|o| CLOSED_OUTCOMES.contains(o))
                .map(|o| o.as_str().to_string()),
            all_clients: self.all_clients == "1",
            include_open: self.open == "1",
        }
    }

    /// The page asked for, from 1.
    fn page(&self) -> i64 {
        self.page
            .trim()
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, 100_000)
    }

    /// The query-string pairs that define the view (no page).
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("q", self.q.trim().to_string()),
            ("category", self.category.trim().to_string()),
            ("account", self.account.trim().to_string()),
            ("outcome", self.outcome.trim().to_string()),
            ("all_clients", self.all_clients.clone()),
            ("open", self.open.clone()),
        ];
        p.retain(|(_, v)| !v.is_empty());
        p
    }
}

/// A lesson as the library shows it.
pub struct LessonView {
    pub id: Uuid,
    pub text: String,
    pub applies_to_all: bool,
    pub date: String,
    pub datetime: String,
    pub author: String,
    pub case_number: i64,
    pub case_title: String,
    pub outcome: String,
    pub outcome_label: &'static str,
    pub account_id: Uuid,
    pub account_name: String,
    pub category_name: String,
    /// Whether the viewer may mark it as applying to all clients, or unmark it.
    pub can_mark: bool,
    /// Its checklist and how far it has spread, when it has one.
    pub rollout: Option<RolloutView>,
}

/// A lesson's checklist and where it was done.
pub struct RolloutView {
    pub checklist: Vec<String>,
    pub reach_label: &'static str,
    pub reach: String,
    pub done: i64,
    pub in_reach: i64,
    /// "Account (CR-123)": where a later case in the lesson's category says the fix did not hold.
    pub did_not_hold: Vec<(String, i64)>,
}

#[derive(Template)]
#[template(path = "pages/lessons.html")]
struct LibraryPage {
    chrome: Chrome,
    query: LibraryQuery,
    filter: LessonFilter,
    filtered: bool,
    rows: Vec<LessonView>,
    total: i64,
    pager: Pager,
    /// This view's address, where marking a lesson comes back to.
    back: String,
    /// The same view with open cases included, offered when nothing matches.
    with_open_href: String,
    /// The first page of this view, offered past its last page.
    first_href: String,
    categories: Vec<Choice>,
    outcomes: Vec<(&'static str, &'static str)>,
}

impl LibraryPage {
    fn category_selected(&self, id: &Uuid) -> bool {
        self.filter.category_id.as_ref() == Some(id)
    }
}

fn url(path: &str, params: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    let q = s.finish();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// A day in the viewer's time zone, as people read it and as `<time datetime>` wants it.
fn local_date(t: DateTime<Utc>, tz: Tz) -> (String, String) {
    let local = t.with_timezone(&tz);
    (
        local.format("%-d %b %Y").to_string(),
        local.format("%Y-%m-%dT%H:%M%:z").to_string(),
    )
}

fn lesson_view(row: LessonRow, tz: Tz, role: crate::domain::Role, user_id: Uuid) -> LessonView {
    let (date, datetime) = local_date(row.created_at, tz);
    LessonView {
        can_mark: may_mark_for_all_clients(role, row.case_owner_id == user_id),
        outcome_label: Outcome::parse(&row.outcome)
            .map(Outcome::label)
            .unwrap_or(""),
        author: row.author_name.unwrap_or_else(|| "Mend".into()),
        id: row.id,
        text: row.text,
        applies_to_all: row.applies_to_all,
        date,
        datetime,
        case_number: row.case_number,
        case_title: row.case_title,
        outcome: row.outcome,
        account_id: row.account_id,
        account_name: row.account_name,
        category_name: row.category_name,
        rollout: None,
    }
}

async fn library(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let user = ctx.user()?;
    let scope = Scope::for_user(user.role, user.team_id);
    let tz = time_zone(&user.time_zone);
    let query = LibraryQuery::parse(raw.as_deref());
    let filter = query.filter();
    let page = query.page();
    let mut conn = state.db.acquire().await?;
    let (rows, total) =
        db_lessons::page(&mut conn, scope, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let categories = db_lessons::categories(&mut *conn).await?;
    drop(conn);

    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut rollouts = db_lessons::rollouts(&state.db, &ids).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let rollout = rollouts.remove(&r.id).map(|o| RolloutView {
                reach_label: crate::domain::lesson::LessonReach::parse(&o.reach)
                    .map(|r| r.label())
                    .unwrap_or(""),
                reach: o.reach,
                checklist: o.checklist,
                done: o.done,
                in_reach: o.in_reach,
                did_not_hold: o.did_not_hold,
            });
            LessonView {
                rollout,
                ..lesson_view(r, tz, user.role, user.id)
            }
        })
        .collect();
    let params = query.params();
    let pager_refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pager = Pager::new("/lessons", &pager_refs, page, total, PAGE_SIZE);
    let mut here = params.clone();
    if page > 1 {
        here.push(("page", page.to_string()));
    }
    let mut with_open = params.clone();
    with_open.retain(|(k, _)| *k != "open");
    with_open.push(("open", "1".into()));
    Ok(render(
        StatusCode::OK,
        &LibraryPage {
            chrome: ctx.chrome("Lessons learned"),
            filtered: filter != LessonFilter::default(),
            back: url("/lessons", &here),
            first_href: url("/lessons", &params),
            with_open_href: url("/lessons", &with_open),
            rows,
            total,
            pager,
            categories,
            outcomes: CLOSED_OUTCOMES
                .iter()
                .map(|o| (o.as_str(), o.label()))
                .collect(),
            filter,
            query,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MarkForm {
    /// "1" to mark the lesson as applying to all clients, anything else to unmark it: the
    /// form says which, so submitting it twice does not undo it.
    applies_to_all: String,
    /// Where to come back to: the library view or the case page the form was on.
    back: String,
}

/// Only the library and case pages are places to come back to.
fn back_to(back: &str, case_number: i64) -> String {
    let back = back.trim();
    let local = crate::auth::guard::safe_next(Some(back));
    if local == "/lessons" || local.starts_with("/lessons?") || local.starts_with("/cases/") {
        local
    } else {
        format!("/cases/CR-{case_number}#lessons")
    }
}

/// The signed-in user acting, and the lesson in the path.
fn actor_and_lesson(auth: &AuthSession, id: &str) -> Result<(Actor, Uuid)> {
    let user = auth.user.as_ref().ok_or(AppError::Forbidden)?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    Ok((user.actor(), id))
}

#[tracing::instrument(skip_all, fields(lesson_id = %id))]
async fn mark_for_all_clients(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
    Form(form): Form<MarkForm>,
) -> Result<Response> {
    let (actor, id) = actor_and_lesson(&auth, &id)?;
    let wanted = form.applies_to_all == "1";
    let marked = app::lessons::mark_for_all_clients(&state.db, &actor, id, wanted).await?;
    let message = match (marked.changed, wanted) {
        (false, true) => "That lesson already applies to all clients.",
        (false, false) => "That lesson already applies to its own case only.",
        (true, true) => {
            "The lesson now applies to all clients: every new case will remind the team of it."
        }
        (true, false) => "The lesson no longer applies to all clients.",
    };
    flash(&auth.session, "success", message).await?;
    Ok(Redirect::to(&back_to(&form.back, marked.case_number)).into_response())
}

/// Sets or changes a lesson's checklist (who may mark it for all clients may).
async fn set_checklist(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
    Form(form): Form<crate::domain::lesson::ChecklistForm>,
) -> Result<Response> {
    let (actor, id) = actor_and_lesson(&auth, &id)?;
    let done = app::lessons::set_checklist(&state.db, &actor, id, &form).await?;
    let back = back_to(&form.back, done.case_number);
    match done.outcome {
        ChecklistOutcome::Saved(checklist) => {
            let message = if checklist.items.is_empty() {
                "The checklist is taken off the lesson.".to_string()
            } else {
                format!(
                    "Checklist saved: it is now on My work for the managers of {}.",
                    checklist.reach.label()
                )
            };
            flash(&auth.session, "success", message).await?;
        }
        ChecklistOutcome::Refused(message) => flash(&auth.session, "error", message).await?,
    }
    Ok(Redirect::to(&back).into_response())
}

/// Records that a lesson's checklist was done on an account (from My work).
async fn mark_applied(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((id, account)): Path<(String, String)>,
) -> Result<Response> {
    let (actor, id) = actor_and_lesson(&auth, &id)?;
    let account = Uuid::parse_str(account.trim()).map_err(|_| AppError::NotFound)?;
    let name = app::lessons::mark_applied(&state.db, &actor, id, account).await?;
    flash(
        &auth.session,
        "success",
        format!("Done for {name}: the lesson has reached this client too."),
    )
    .await?;
    Ok(Redirect::to("/#lessons-to-apply").into_response())
}

/// A reminder on a case page.
pub struct ReminderView {
    pub text: String,
    pub case_number: i64,
    pub account_name: String,
    pub date: String,
    pub datetime: String,
}

/// "What the team has learned": the newest lessons of closed cases that apply to all clients.
pub struct Reminders {
    pub items: Vec<ReminderView>,
    /// How many there are in all (more than are listed, perhaps).
    pub total: i64,
}

/// The reminders a case in Detected shows (`case_id`'s own lessons left out).
pub async fn reminders(db: &PgPool, scope: Scope, case_id: Uuid, tz: Tz) -> Result<Reminders> {
    let (rows, total) = db_lessons::reminders(db, scope, case_id, REMINDER_LIMIT).await?;
    Ok(Reminders {
        items: rows
            .into_iter()
            .map(|r| {
                let (date, datetime) = local_date(r.created_at, tz);
                ReminderView {
                    text: r.text,
                    case_number: r.case_number,
                    account_name: r.account_name,
                    date,
                    datetime,
                }
            })
            .collect(),
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_invalid_filter_values_are_ignored() {
        let q = LibraryQuery::parse(Some(
            "q=%20invoice%20&category=nope&outcome=open&all_clients=yes&open=1&page=x&zzz=1",
        ));
        let f = q.filter();
        assert_eq!(f.search.as_deref(), Some("invoice"));
        assert_eq!(f.category_id, None);
        assert_eq!(f.outcome, None, "open is not an outcome of a closed case");
        assert!(!f.all_clients);
        assert!(f.include_open);
        assert_eq!(q.page(), 1);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_and_bad_encoding_is_no_error() {
        let q = LibraryQuery::parse(Some("outcome=lost&outcome=restored&q=%FF%FE"));
        assert_eq!(q.filter().outcome.as_deref(), Some("restored"));
        assert!(q.filter().search.is_some());
        assert_eq!(LibraryQuery::parse(None).filter(), LessonFilter::default());
    }

    #[test]
    fn only_library_and_case_pages_are_returned_to() {
        assert_eq!(back_to("/lessons?q=x&page=2", 7), "/lessons?q=x&page=2");
        assert_eq!(back_to("/cases/CR-7#lessons", 7), "/cases/CR-7#lessons");
        assert_eq!(back_to("https://evil.example/", 7), "/cases/CR-7#lessons");
        assert_eq!(back_to("//evil.example/", 7), "/cases/CR-7#lessons");
        assert_eq!(back_to("/admin", 7), "/cases/CR-7#lessons");
    }
}
