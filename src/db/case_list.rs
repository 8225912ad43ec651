//! The case list: filters, full-text search, sorting and paging, and the same rows for the CSV
//! export. The SQL is built at run time because the filters really are dynamic; every value is
//! bound (`QueryBuilder::push_bind`), and the sort column comes from a closed enum.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::visibility::Scope;

/// What the list is narrowed down to. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub search: Option<String>,
    pub stage: Option<String>,
    pub outcome: Option<String>,
    pub owner_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub severity: Option<String>,
    pub category_id: Option<Uuid>,
    pub detected_by: Option<String>,
    /// Only cases with an open action item past its due date.
    pub overdue: bool,
    /// Only cases whose let-go request awaits a manager.
    pub let_go_requested: bool,
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
    pub stage: String,
    pub outcome: String,
    pub severity: String,
    pub category: String,
    pub detected_by: String,
    pub currency: String,
    pub value_at_risk_minor: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub overdue: bool,
    /// The client's mood over time, oldest first (the list page's sparkline; empty elsewhere).
    #[sqlx(default)]
    pub series: Vec<i16>,
}

/// What a query built by [`select`] reads.
#[derive(Clone, Copy)]
enum What {
    Count,
    /// The row columns, with the overdue flag if `overdue` (the page query adds it outside) and
    /// the sort key as `sort_key` if asked.
    Rows {
        overdue: bool,
        sort_key: Option<SortKey>,
    },
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

/// `select` appended to `q`, so an outer query can wrap it.
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
            q.push("count(*)");
            false
        }
        What::Rows { overdue, sort_key } => {
            q.push(
                "c.id, c.number, c.title, c.account_id, a.name as account_name,
                 o.name as owner_name, c.stage, c.outcome, c.severity, k.name as category,
                 c.detected_by, c.currency, c.value_at_risk_minor, c.created_at,
                 c.last_activity_at, ",
            );
            push_rank(q, filter);
            q.push(" as rank");
            if overdue {
                q.push(
                    ", exists (select 1 from action_items i where i.case_id = c.id
                        and i.done_at is null and i.removed_at is null
                        and i.due_date < ",
                )
                .push_bind(today)
                .push(") as overdue");
            }
            if let Some(key) = sort_key {
                q.push(", ");
                match key {
                    SortKey::Relevance => push_rank(q, filter),
                    key => {
                        q.push(key.sql());
                    }
                }
                q.push(" as sort_key");
            }
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
    match scope {
        Scope::All => q.push(" where true"),
        Scope::Team(team) => q.push(" where c.team_id = ").push_bind(team),
        Scope::Nothing => q.push(" where false"),
    };
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
    eq("c.stage", filter.stage.as_deref());
    eq("c.outcome", filter.outcome.as_deref());
    eq("c.severity", filter.severity.as_deref());
    eq("c.detected_by", filter.detected_by.as_deref());
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
        q.push(
            " and exists (select 1 from action_items i where i.case_id = c.id
                and i.done_at is null and i.removed_at is null and i.due_date < ",
        )
        .push_bind(today)
        .push(")");
    }
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

const ROWS: What = What::Rows {
    overdue: true,
    sort_key: None,
};

fn order(q: &mut QueryBuilder<'_, Postgres>, order: Order) {
    let dir = if order.descending { "desc" } else { "asc" };
    // Every sort key is non-null, and no `nulls last`: that would not match the indexes
    // (descending implies nulls first), turning each page into a sort of every visible case.
    q.push(format_args!(
        " order by {} {dir}, c.number {dir}",
        order.key.sql()
    ));
}

/// One page of cases and the number that match in all.
///
/// The page is chosen first (an index scan that stops after `limit` rows), and only its rows
/// get the per-case extras: whether an action item is overdue and the client's mood series.
/// Asked inside the scan, the planner would check every open action item of the organisation
/// once (a hashed subplan) to label 50 rows. The count reads `cases` alone.
pub async fn page(
    db: &PgPool,
    scope: Scope,
    filter: &CaseFilter,
    sort: Order,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<CaseRow>, i64)> {
    let dir = if sort.descending { "desc" } else { "asc" };
    let mut q = QueryBuilder::<Postgres>::new(
        "select p.*,
           exists (select 1 from action_items i where i.case_id = p.id and i.done_at is null
                   and i.removed_at is null and i.due_date < ",
    );
    q.push_bind(today).push(
        ") as overdue,
           array(select s.sentiment from
                   (select v.sentiment, v.happened_at as at from conversations v
                     where v.case_id = p.id and v.removed_at is null
                    union all
                    select ci.sentiment, ci.completed_at from check_ins ci
                     where ci.case_id = p.id and ci.status = 'done' and ci.sentiment is not null) s
                 order by s.at) as series
         from (",
    );
    select_into(
        &mut q,
        scope,
        filter,
        today,
        What::Rows {
            overdue: false,
            sort_key: Some(sort.key),
        },
    );
    order(&mut q, sort);
    q.push(" limit ")
        .push_bind(limit)
        .push(" offset ")
        .push_bind(offset);
    q.push(format_args!(
        ") p order by p.sort_key {dir}, p.number {dir}"
    ));
    let rows = q.build_query_as::<CaseRow>().fetch_all(db).await?;
    let mut count = select(scope, filter, today, What::Count);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    Ok((rows, total))
}

/// Every matching case, in order: run it with `build_query_as::<CaseRow>().fetch(db)` to read
/// the rows one at a time (the CSV export streams them).
pub fn ordered<'a>(
    scope: Scope,
    filter: &'a CaseFilter,
    sort: Order,
    today: NaiveDate,
) -> QueryBuilder<'a, Postgres> {
    let mut q = select(scope, filter, today, ROWS);
    order(&mut q, sort);
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
    let mut q = select(scope, filter, today, ROWS);
    if let Some((created_at, number)) = after {
        q.push(" and (c.created_at, c.number) < (")
            .push_bind(created_at)
            .push(", ")
            .push_bind(number)
            .push(")");
    }
    order(
        &mut q,
        Order {
            key: SortKey::Opened,
            descending: true,
        },
    );
    q.push(" limit ").push_bind(limit);
    q.build_query_as::<CaseRow>().fetch_all(db).await
}
