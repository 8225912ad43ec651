//! The case list (`/cases`): filters kept in the URL so a view can be bookmarked, full-text
//! search, sortable columns, pages, and a CSV export of exactly the filtered rows, streamed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Chrome, Ctx, render};
use crate::db::accounts::Choice;
use crate::db::case_list::{self, CaseFilter, CaseRow, Cursor, Order, Period, PeriodOf, SortKey};
use crate::domain::case::{DetectedBy, Severity, time_zone};
use crate::domain::moment::Moment;
use crate::domain::money;
use crate::domain::stage::{Outcome, Stage};
use crate::domain::visibility::Scope;
use crate::error::Result;
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;

/// The list's query string, exactly as in the URL.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub stage: String,
    pub outcome: String,
    pub owner: String,
    pub account: String,
    pub severity: String,
    pub category: String,
    pub detected_by: String,
    pub overdue: String,
    pub letgo: String,
    /// A dashboard's drill-down: an ISO week (`2026-W49`) the cases were opened, fixed or
    /// closed in, and (for an admin) one team.
    pub opened: String,
    pub fixed: String,
    pub closed: String,
    pub team: String,
    pub sort: String,
    pub dir: String,
    /// Keyset pagination: the case number the page starts after (or ends before).
    pub after: String,
    pub before: String,
}

impl ListQuery {
    /// The week a drill-down asks for, in the viewer's time zone: which moment, the span, and
    /// a sentence saying so.
    fn period(&self, tz: chrono_tz::Tz) -> Option<(Period, String)> {
        [
            (PeriodOf::Opened, &self.opened, "opened"),
            (PeriodOf::Fixed, &self.fixed, "fixed"),
            (PeriodOf::Closed, &self.closed, "closed"),
        ]
        .into_iter()
        .find_map(|(of, raw, word)| {
            let week = crate::domain::week::IsoWeek::parse(raw).ok()?;
            let (start, end) = week.bounds(tz);
            let said = format!(
                "Cases {word} in week {week} ({} – {}).",
                week.monday().format("%a %-d %b"),
                week.sunday().format("%a %-d %b %Y")
            );
            Some((Period { of, start, end }, said))
        })
    }

    /// The filter it asks for; values that are not valid choices are ignored.
    fn filter(&self, tz: chrono_tz::Tz) -> CaseFilter {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let id = |s: &str| Uuid::parse_str(s.trim()).ok();
        CaseFilter {
            search: text(&self.q).map(|s| s.chars().take(200).collect()),
            stage: Stage::parse(&self.stage).ok(),
            outcome: Outcome::parse(&self.outcome).ok(),
            owner_id: id(&self.owner),
            account_id: id(&self.account),
            severity: Severity::parse(&self.severity).ok(),
            category_id: id(&self.category),
            detected_by: DetectedBy::parse(&self.detected_by).ok(),
            overdue: self.overdue == "1",
            let_go_requested: self.letgo == "requested",
            team_id: id(&self.team),
            period: self.period(tz).map(|(p, _)| p),
        }
    }

    /// Where the page starts; a cursor that is not a case number is ignored.
    fn cursor(&self) -> Cursor {
        let number = |s: &str| {
            let s = s.trim();
            s.strip_prefix("CR-").unwrap_or(s).parse::<i64>().ok()
        };
        match (number(&self.after), number(&self.before)) {
            (Some(n), _) => Cursor::After(n),
            (None, Some(n)) => Cursor::Before(n),
            (None, None) => Cursor::First,
        }
    }

    /// The sort asked for; by default the best matches when searching, else the newest.
    fn sort(&self, filter: &CaseFilter) -> (SortKey, bool) {
        let default = if filter.search.is_some() {
            SortKey::Relevance
        } else {
            SortKey::Opened
        };
        let key = SortKey::parse(&self.sort).unwrap_or(default);
        let descending = match self.dir.as_str() {
            "asc" => false,
            "desc" => true,
            _ => !matches!(key, SortKey::Title),
        };
        (key, descending)
    }

    /// The query-string pairs that define the view (no cursor, optionally no sort).
    fn params(&self, with_sort: bool) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("q", self.q.trim().to_string()),
            ("stage", self.stage.clone()),
            ("outcome", self.outcome.clone()),
            ("owner", self.owner.clone()),
            ("account", self.account.clone()),
            ("severity", self.severity.clone()),
            ("category", self.category.clone()),
            ("detected_by", self.detected_by.clone()),
            ("overdue", self.overdue.clone()),
            ("letgo", self.letgo.clone()),
            ("opened", self.opened.clone()),
            ("fixed", self.fixed.clone()),
            ("closed", self.closed.clone()),
            ("team", self.team.clone()),
        ];
        if with_sort {
            p.push(("sort", self.sort.clone()));
            p.push(("dir", self.dir.clone()));
        }
        p.retain(|(_, v)| !v.is_empty());
        p
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

/// Previous and next links of the case list (keyset pages: no page numbers).
pub struct ListPager {
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

/// "1 case", "1,234 cases", or "More than 1,000 cases" when the count stopped at the cap.
fn total_label(total: i64, more: bool) -> String {
    let n = money::group_thousands(total.unsigned_abs());
    match (more, total) {
        (true, _) => format!("More than {n} cases"),
        (false, 1) => "1 case".to_string(),
        (false, _) => format!("{n} cases"),
    }
}

pub struct Column {
    pub label: &'static str,
    pub href: String,
    /// `aria-sort` value: "ascending", "descending" or "none".
    pub aria_sort: &'static str,
    pub numeric: bool,
}

pub struct ListRow {
    pub number: i64,
    pub title: String,
    pub account_id: Uuid,
    pub account_name: String,
    pub owner_name: String,
    pub stage: &'static str,
    pub outcome: &'static str,
    pub is_open: bool,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub value_at_risk: String,
    pub opened: Moment,
    pub last_activity: Moment,
    pub overdue: bool,
    pub mood: Option<super::sparkline::Sparkline>,
}

#[derive(Template)]
#[template(path = "pages/cases/list.html")]
struct ListPage {
    chrome: Chrome,
    query: ListQuery,
    filtered: bool,
    /// A dashboard's drill-down to a week, said plainly.
    period: Option<String>,
    columns: Vec<Column>,
    rows: Vec<ListRow>,
    /// "1,234 cases" or "More than 1,000 cases".
    total_label: String,
    /// Whether this is a later page (an empty one says so instead of "no cases match").
    paged: bool,
    pager: ListPager,
    page_size: i64,
    export_href: String,
    stages: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    detected: Vec<(&'static str, &'static str)>,
    categories: Vec<Choice>,
    owners: Vec<Choice>,
}

fn scope_of(ctx: &Ctx) -> Result<(Scope, chrono_tz::Tz)> {
    let user = ctx.user()?;
    Ok((
        Scope::for_user(user.role, user.team_id),
        time_zone(&user.time_zone),
    ))
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response> {
    let (scope, tz) = scope_of(&ctx)?;
    let filter = query.filter(tz);
    let (sort, descending) = query.sort(&filter);
    let cursor = query.cursor();
    let today = Utc::now().with_timezone(&tz).date_naive();
    // The count, like the dashboard's numbers, is remembered until a write (`crate::recent`).
    let (found, total) = tokio::join!(
        case_list::page(
            &state.db,
            scope,
            &filter,
            Order {
                key: sort,
                descending,
            },
            today,
            PAGE_SIZE,
            cursor,
        ),
        state.case_counts.get_or_compute(
            format!("{scope:?} {today} {filter:?}"),
            case_list::count(&state.db, scope, &filter, today),
        ),
    );
    let (found, total) = (found?, *total?);

    let view = query.params(false);
    let column = |label: &'static str, key: SortKey, numeric: bool| {
        let active = key == sort;
        let next_dir = if active && descending {
            "asc"
        } else if active {
            "desc"
        } else if matches!(key, SortKey::Title) {
            "asc"
        } else {
            "desc"
        };
        let mut params = view.clone();
        params.push(("sort", key.as_str().to_string()));
        params.push(("dir", next_dir.to_string()));
        Column {
            label,
            href: url("/cases", &params),
            aria_sort: if !active {
                "none"
            } else if descending {
                "descending"
            } else {
                "ascending"
            },
            numeric,
        }
    };
    let columns = vec![
        column("Case", SortKey::Number, false),
        column("Title", SortKey::Title, false),
        column("Stage", SortKey::Stage, false),
        column("Severity", SortKey::Severity, false),
        column("Opened", SortKey::Opened, false),
        column("Last activity", SortKey::Activity, false),
    ];
    let now = chrono::Utc::now();
    let rows = found
        .rows
        .into_iter()
        .map(|r| ListRow {
            mood: super::sparkline::sparkline(&r.series),
            ..list_row(r, tz, now)
        })
        .collect();
    let at = |key: &'static str, number: i64| {
        let mut params = query.params(true);
        params.push((key, number.to_string()));
        url("/cases", &params)
    };
    let pager = ListPager {
        prev_href: found.prev.map(|n| at("before", n)),
        next_href: found.next.map(|n| at("after", n)),
        first_href: (cursor != Cursor::First).then(|| url("/cases", &query.params(true))),
    };
    let filtered = filter != CaseFilter::default();
    let owners = match scope {
        Scope::Team(team) => super::reference::team_members(&state, team).await?,
        Scope::All => super::reference::managers(&state, scope).await?,
        Scope::Nothing => Vec::new(),
    };
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: ctx.chrome("Cases"),
            export_href: url("/cases/export.csv", &query.params(true)),
            filtered,
            period: query.period(tz).map(|(_, said)| said),
            columns,
            rows,
            total_label: total_label(
                total.min(case_list::COUNT_CAP),
                total > case_list::COUNT_CAP,
            ),
            paged: cursor != Cursor::First,
            pager,
            page_size: PAGE_SIZE,
            stages: Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
            outcomes: Outcome::ALL
                .iter()
                .map(|o| (o.as_str(), o.label()))
                .collect(),
            severities: Severity::options(),
            detected: DetectedBy::options(),
            categories: super::reference::categories(&state).await?,
            owners,
            query,
        },
    ))
}

fn list_row(r: CaseRow, tz: chrono_tz::Tz, now: chrono::DateTime<chrono::Utc>) -> ListRow {
    ListRow {
        stage: r.stage.label(),
        outcome: r.outcome.label(),
        is_open: r.outcome == Outcome::Open,
        severity_label: r.severity.label(),
        value_at_risk: r
            .value_at_risk_minor
            .map(|v| money::format(v, &r.currency))
            .unwrap_or_default(),
        opened: Moment::new(r.created_at, now, tz),
        last_activity: Moment::new(r.last_activity_at, now, tz),
        mood: None,
        number: r.number,
        title: r.title,
        account_id: r.account_id,
        account_name: r.account_name,
        owner_name: r.owner_name,
        severity: r.severity.as_str(),
        overdue: r.overdue,
    }
}

/// A spreadsheet would run a cell starting with these as a formula; a leading apostrophe makes
/// it text (OWASP's advice on CSV injection).
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

const CSV_HEADER: [&str; 13] = [
    "case",
    "title",
    "account",
    "owner",
    "stage",
    "outcome",
    "severity",
    "category",
    "detected_by",
    "value_at_risk",
    "currency",
    "opened_utc",
    "last_activity_utc",
];

fn csv_record(r: &CaseRow) -> [String; 13] {
    [
        format!("CR-{}", r.number),
        neutralise(&r.title),
        neutralise(&r.account_name),
        neutralise(&r.owner_name),
        r.stage.as_str().into(),
        r.outcome.as_str().into(),
        r.severity.as_str().into(),
        neutralise(&r.category),
        r.detected_by.as_str().into(),
        r.value_at_risk_minor
            .map(money::format_input)
            .unwrap_or_default(),
        r.currency.clone(),
        r.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        r.last_activity_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    ]
}

/// Writes one CSV record (RFC 4180 quoting by the `csv` crate) into bytes.
fn csv_line<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(fields: I) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; an error would only mean an empty line.
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
}

/// `GET /cases/export.csv`: the filtered rows, streamed as they are read.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response> {
    let (scope, tz) = scope_of(&ctx)?;
    let filter = query.filter(tz);
    let (sort, descending) = query.sort(&filter);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let (tx, rx) = crate::web::streaming::channel(16);
    let db = state.db.clone();
    tokio::spawn(async move {
        use futures_util::TryStreamExt;
        let mut buffer = csv_line(CSV_HEADER);
        let mut q = case_list::ordered(
            scope,
            &filter,
            Order {
                key: sort,
                descending,
            },
            today,
        );
        let mut rows = q.build_query_as::<CaseRow>().fetch(&db);
        loop {
            match rows.try_next().await {
                Ok(Some(row)) => {
                    buffer.extend(csv_line(csv_record(&row)));
                    // Waiting here when the client reads slowly keeps memory bounded.
                    if buffer.len() >= 32 * 1024
                        && tx.send(Ok(std::mem::take(&mut buffer))).await.is_err()
                    {
                        return; // the client went away
                    }
                }
                Ok(None) => {
                    let _ = tx.send(Ok(buffer)).await;
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, "CSV export failed part-way");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            }
        }
    });
    let filename = format!("mend-cases-{}.csv", Utc::now().format("%Y-%m-%d"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        crate::web::streaming::body(rx),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_read_as_numbers_people_say() {
        assert_eq!(total_label(0, false), "0 cases");
        assert_eq!(total_label(1, false), "1 case");
        assert_eq!(total_label(1234, false), "1,234 cases");
        assert_eq!(total_label(1000, true), "More than 1,000 cases");
        assert_eq!(money::group_thousands(1_234_567), "1,234,567");
        assert_eq!(money::group_thousands(999), "999");
    }

    #[test]
    fn a_cursor_is_a_case_number_or_nothing() {
        let q = |after: &str, before: &str| ListQuery {
            after: after.into(),
            before: before.into(),
            ..ListQuery::default()
        };
        assert_eq!(q("", "").cursor(), Cursor::First);
        assert_eq!(q("120", "").cursor(), Cursor::After(120));
        assert_eq!(q("CR-120", "").cursor(), Cursor::After(120));
        assert_eq!(q("", "77").cursor(), Cursor::Before(77));
        assert_eq!(q("drop table", "x").cursor(), Cursor::First);
    }

    #[test]
    fn formula_looking_cells_become_text() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("Acme"), "Acme");
    }

    #[test]
    fn csv_lines_quote_commas_quotes_and_newlines() {
        let line = String::from_utf8(csv_line(["a,b", "say \"hi\"", "two\nlines"])).expect("utf8");
        assert_eq!(line, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
    }
}
