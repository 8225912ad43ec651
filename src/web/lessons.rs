//! The lessons library (`/lessons`): every lesson learned on the cases a user can see, searched
//! and filtered with the filters kept in the URL ("find every lesson and apply it to all of your
//! client relationships").

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::page::{Chrome, Ctx, Pager, render};
use crate::AppState;
use crate::auth::guard;
use crate::db::accounts::Choice;
use crate::db::lessons::{self as db_lessons, LessonFilter, LessonRow};
use crate::domain::case::time_zone;
use crate::domain::stage::Outcome;
use crate::domain::visibility::Scope;
use crate::error::Result;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/lessons", get(library))
        .route_layer(middleware::from_fn(guard::signed_in))
}

const PAGE_SIZE: i64 = 25;
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

fn lesson_view(row: LessonRow, tz: Tz) -> LessonView {
    let (date, datetime) = local_date(row.created_at, tz);
    LessonView {
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

    let rows = rows.into_iter().map(|r| lesson_view(r, tz)).collect();
    let params = query.params();
    let pager_refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pager = Pager::new("/lessons", &pager_refs, page, total, PAGE_SIZE);
    let mut with_open = params.clone();
    with_open.retain(|(k, _)| *k != "open");
    with_open.push(("open", "1".into()));
    Ok(render(
        StatusCode::OK,
        &LibraryPage {
            chrome: ctx.chrome("Lessons learned"),
            filtered: filter != LessonFilter::default(),
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
}
