//! The case list: filters, full-text search, sorting and paging, and the same rows for the CSV
//! export. The SQL is built at run time because the filters really are dynamic; every value is
//! bound (`QueryBuilder::push_bind`), and the sort column comes from a closed enum.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::case::{DetectedBy, Severity};
use crate::domain::stage::{Outcome, Stage};
use crate::domain::visibility::Scope;

/// What the list is narrowed down to. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub search: Option<String>,
    pub stage: Option<Stage>,
    pub outcome: Option<Outcome>,
    pub owner_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub severity: Option<Severity>,
    pub category_id: Option<Uuid>,
    pub detected_by: Option<DetectedBy>,
    /// Only cases with an open action item past its due date.
    pub overdue: bool,
    /// Only cases whose let-go request awaits a manager.
    pub let_go_requested: bool,
    /// Only cases of this team (an admin's drill-down from one team's dashboard).
    pub team_id: Option<Uuid>,
    /// Only cases opened, fixed or closed in this span (a dashboard's drill-down to a week).
    pub period: Option<Period>,
}

/// Which moment of a case a [`Period`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodOf {
    Opened,
    Fixed,
    Closed,
}

impl PeriodOf {
    fn column(self) -> &'static str {
        match self {
            PeriodOf::Opened => "c.created_at",
            PeriodOf::Fixed => "c.fixed_at",
            PeriodOf::Closed => "c.closed_at",
        }
    }
}

/// Cases whose moment `of` falls in `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub of: PeriodOf,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Number,
    Opened,
    Activity,
    Severity,
    Stage,
    Title,
    Relevance,
}

impl SortKey {
    pub fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "number" => SortKey::Number,
            "opened" => SortKey::Opened,
            "activity" => SortKey::Activity,
            "severity" => SortKey::Severity,
            "stage" => SortKey::Stage,
            "title" => SortKey::Title,
            "relevance" => SortKey::Relevance,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Number => "number",
            SortKey::Opened => "opened",
            SortKey::Activity => "activity",
            SortKey::Severity => "severity",
            SortKey::Stage => "stage",
            SortKey::Title => "title",
            SortKey::Relevance => "relevance",
        }
    }

    /// The SQL expression; from this closed list only, never from input.
    fn sql(self) -> &'static str {
        match self {
            SortKey::Number => "c.number",
            SortKey::Opened => "c.created_at",
            SortKey::Activity => "c.last_activity_at",
            SortKey::Severity => {
                "array_position(array['low','medium','high','critical'], c.severity)"
            }
            SortKey::Stage => {
                "array_position(array['detected','assessing','reaching_out','making_it_right','following_up','closed'], c.stage)"
            }
            SortKey::Title => "lower(c.title)",
            SortKey::Relevance => "rank",
        }
    }
}

/// A sort: which column, which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub key: SortKey,
    pub descending: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub account_id: Uuid,
    pub account_name: String,
    pub owner_name: String,
    pub stage: Stage,
    pub outcome: Outcome,
    pub severity: Severity,
    pub category: String,
    pub detected_by: DetectedBy,
    pub currency: String,
    pub value_at_risk_minor: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub overdue: bool,
    /// The client's mood over time, oldest first (the list page's sparkline).
    pub series: Vec<i16>,
}

/// What a query built by [`select`] reads.
#[derive(Clone, Copy)]
enum What {
    Count,
    /// The row columns.
    Rows,
}

fn select<'a>(
    scope: Scope,
    filter: &'a CaseFilter,
    today: NaiveDate,
    what: What,
) -> QueryBuilder<'a, Postgres> {
    let mut q = QueryBuilder::new("");
    select_into(&mut q, scope, filter, today, what);
    q
}

/// `select` appended to `q`.
///
/// The scope is written into the SQL (`true`, `c.team_id = $n` or `false`) rather than bound as
/// `($all or c.team_id = $team)`: with that, PostgreSQL cannot reuse a generic plan, and plans
/// the statement again on every execution.
fn select_into<'a>(
    q: &mut QueryBuilder<'a, Postgres>,
    scope: Scope,
    filter: &'a CaseFilter,
    today: NaiveDate,
    what: What,
) {
    q.push("select ");
    let rows = match what {
        What::Count => {
            q.push("1");
            false
        }
        What::Rows => {
            // The mood series and the earliest open action item's due date are kept on the
            // case by triggers (migration 20261128000001), so a row costs no extra lookups.
            q.push(
                "c.id, c.number, c.title, c.account_id, a.name as account_name,
                 o.name as owner_name, c.stage, c.outcome, c.severity, k.name as category,
                 c.detected_by, c.currency, c.value_at_risk_minor, c.created_at,
                 c.last_activity_at, c.mood as series, coalesce(c.open_action_due < ",
            )
            .push_bind(today)
            .push(", false) as overdue, ");
            push_rank(q, filter);
            q.push(" as rank");
            true
        }
    };
    q.push(" from cases c");
    if rows {
        // Names for display. The foreign keys are not null, so these joins never drop a row:
        // a count leaves them out.
        q.push(
            " join accounts a on a.id = c.account_id
              join users o on o.id = c.owner_id
              join categories k on k.id = c.category_id",
        );
    }
    push_filter(q, scope, filter, today);
}

/// The `where` clause: the caller's scope and the filter.
fn push_filter<'a>(
    q: &mut QueryBuilder<'a, Postgres>,
    scope: Scope,
    filter: &'a CaseFilter,
    today: NaiveDate,
) {
    push_scope(q, scope);
    if let Some(search) = &filter.search {
        q.push(" and c.search @@ websearch_to_tsquery('english', ")
            .push_bind(search.as_str())
            .push(")");
    }
    let mut eq = |column: &str, value: Option<&'a str>| {
        if let Some(v) = value {
            q.push(format_args!(" and {column} = ")).push_bind(v);
        }
    };
    eq("c.stage", filter.stage.map(Stage::as_str));
    eq("c.outcome", filter.outcome.map(Outcome::as_str));
    eq("c.severity", filter.severity.map(Severity::as_str));
    eq("c.detected_by", filter.detected_by.map(DetectedBy::as_str));
    if let Some(id) = filter.owner_id {
        q.push(" and c.owner_id = ").push_bind(id);
    }
    if let Some(id) = filter.account_id {
        q.push(" and c.account_id = ").push_bind(id);
    }
    if let Some(id) = filter.category_id {
        q.push(" and c.category_id = ").push_bind(id);
    }
    if filter.let_go_requested {
        q.push(" and c.let_go = 'requested' and c.outcome = 'open'");
    }
    if filter.overdue {
        q.push(" and c.open_action_due < ").push_bind(today);
    }
    if let Some(team) = filter.team_id {
        q.push(" and c.team_id = ").push_bind(team);
    }
    if let Some(p) = filter.period {
        let column = p.of.column();
        q.push(format_args!(" and {column} >= "))
            .push_bind(p.start)
            .push(format_args!(" and {column} < "))
            .push_bind(p.end);
    }
}

fn push_scope(q: &mut QueryBuilder<'_, Postgres>, scope: Scope) {
    match scope {
        Scope::All => q.push(" where true"),
        Scope::Team(team) => q.push(" where c.team_id = ").push_bind(team),
        Scope::Nothing => q.push(" where false"),
    };
}

/// The search rank, or zero without a search.
fn push_rank<'a>(q: &mut QueryBuilder<'a, Postgres>, filter: &'a CaseFilter) {
    match &filter.search {
        Some(search) => {
            q.push("ts_rank(c.search, websearch_to_tsquery('english', ")
                .push_bind(search.as_str())
                .push("))");
        }
        None => {
            q.push("0::real");
        }
    }
}

/// The sort key's expression over `c`.
fn push_sort_key<'a>(q: &mut QueryBuilder<'a, Postgres>, key: SortKey, filter: &'a CaseFilter) {
    match key {
        SortKey::Relevance => push_rank(q, filter),
        key => {
            q.push(key.sql());
        }
    }
}

fn order(q: &mut QueryBuilder<'_, Postgres>, key: SortKey, descending: bool) {
    let dir = if descending { "desc" } else { "asc" };
    // Every sort key is non-null, and no `nulls last`: that would not match the indexes
    // (descending implies nulls first), turning each page into a sort of every visible case.
    q.push(format_args!(
        " order by {} {dir}, c.number {dir}",
        key.sql()
    ));
}

/// Where a page of the list starts: keyset pagination by the case at the page's edge, so a page
/// deep in the list costs what the first one does, and pages stay stable while cases are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    First,
    /// The cases after this case number, in the list's order.
    After(i64),
    /// The cases before this case number (the previous page).
    Before(i64),
}

/// The list counts matching cases up to this many; beyond it the page says "more than".
/// Counting is an index-only scan, but one that grows with every matching case.
pub const COUNT_CAP: i64 = 1_000;

/// One page of the list.
#[derive(Debug)]
pub struct Page {
    pub rows: Vec<CaseRow>,
    /// The case numbers to page from: `Cursor::Before(prev)` and `Cursor::After(next)`.
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

/// One page of cases: an index scan that stops after `limit + 1` rows (one more tells whether
/// there is a next page), starting after (or before) the cursor's case. How many match in all is
/// [`count`]'s.
pub async fn page(
    db: &PgPool,
    scope: Scope,
    filter: &CaseFilter,
    sort: Order,
    today: NaiveDate,
    limit: i64,
    cursor: Cursor,
) -> sqlx::Result<Page> {
    // A previous page is read backwards from the cursor, then turned around.
    let backwards = matches!(cursor, Cursor::Before(_));
    let descending = sort.descending != backwards;
    let mut q = QueryBuilder::<Postgres>::new("");
    select_into(&mut q, scope, filter, today, What::Rows);
    if let Cursor::After(number) | Cursor::Before(number) = cursor {
        let cmp = if descending { "<" } else { ">" };
        q.push(" and (");
        push_sort_key(&mut q, sort.key, filter);
        q.push(format_args!(", c.number) {cmp} (select "));
        push_sort_key(&mut q, sort.key, filter);
        q.push(", c.number from cases c");
        push_scope(&mut q, scope);
        q.push(" and c.number = ").push_bind(number).push(")");
    }
    order(&mut q, sort.key, descending);
    // Integers of ours, not input: written into the SQL so the plan does not depend on them.
    q.push(format_args!(" limit {}", limit + 1));
    let mut rows = q.build_query_as::<CaseRow>().fetch_all(db).await?;
    let full = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    if backwards {
        rows.reverse();
    }
    let first = rows.first().map(|r| r.number);
    let last = rows.last().map(|r| r.number);
    let (prev, next) = match cursor {
        Cursor::First => (None, last.filter(|_| full)),
        Cursor::After(_) => (first, last.filter(|_| full)),
        Cursor::Before(_) => (first.filter(|_| full), last),
    };
    Ok(Page { rows, prev, next })
}

/// How many cases match, up to one more than [`COUNT_CAP`]: an index-only scan that stops at
/// the cap.
pub async fn count(
    db: &PgPool,
    scope: Scope,
    filter: &CaseFilter,
    today: NaiveDate,
) -> sqlx::Result<i64> {
    let mut q = QueryBuilder::<Postgres>::new("select count(*) from (");
    select_into(&mut q, scope, filter, today, What::Count);
    q.push(format_args!(" limit {}) n", COUNT_CAP + 1));
    q.build_query_scalar().fetch_one(db).await
}

/// Every matching case, in order: run it with `build_query_as::<CaseRow>().fetch(db)` to read
/// the rows one at a time (the CSV export streams them).
pub fn ordered<'a>(
    scope: Scope,
    filter: &'a CaseFilter,
    sort: Order,
    today: NaiveDate,
) -> QueryBuilder<'a, Postgres> {
    let mut q = select(scope, filter, today, What::Rows);
    order(&mut q, sort.key, sort.descending);
    q
}

/// Up to `limit` cases, newest first, after the case `after` (its `created_at` and number):
/// keyset pagination for the API, stable while cases are added.
pub async fn newest_after(
    db: &PgPool,
    scope: Scope,
    filter: &CaseFilter,
    today: NaiveDate,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> sqlx::Result<Vec<CaseRow>> {
    let mut q = select(scope, filter, today, What::Rows);
    if let Some((created_at, number)) = after {
        q.push(" and (c.created_at, c.number) < (")
            .push_bind(created_at)
            .push(", ")
            .push_bind(number)
            .push(")");
    }
    order(&mut q, SortKey::Opened, true);
    q.push(" limit ").push_bind(limit);
    q.build_query_as::<CaseRow>().fetch_all(db).await
}
