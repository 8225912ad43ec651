//! Manager review (managers and admins; an admin picks the team): every open repair with its
//! age, quiet days and next gate item, and sections for what needs a manager: stuck cases,
//! let-go requests, missed check-ins, high severity, and each account manager's load.
//! Cases can be reassigned from here. The open repairs also export as CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Chrome, Ctx, Pager, render};
use crate::auth::guard;
use crate::db::accounts::Choice;
use crate::db::cases as db_cases;
use crate::db::review::{self, ReviewCase, Section};
use crate::domain::case::time_zone;
use crate::domain::stage;
use crate::domain::{Role, money};
use crate::error::{AppError, Result};
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;
/// Each attention section shows this many; its count says how many more there are.
const SECTION_SIZE: i64 = 10;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/review", get(page))
        .route("/review.csv", get(export))
        .route_layer(middleware::from_fn(guard::manager))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReviewQuery {
    team: String,
    page: String,
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
    /// Why the case is escalated, said plainly; empty when it is not.
    pub escalation: &'static str,
    /// A let-go request: why, who asked, and whether approving it needs a lesson first.
    pub let_go_reason: String,
    pub let_go_requested_by: String,
    pub has_lesson: bool,
}

pub struct BrokenView {
    pub number: i64,
    pub title: String,
    pub text: String,
    pub owner: String,
    pub when: String,
    /// "broken" or "slipping", for a CSS class.
    pub state: &'static str,
    pub state_label: &'static str,
}

pub struct Block {
    pub rows: Vec<Row>,
    pub total: i64,
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
    stuck: Block,
    escalated: Block,
    broken: Vec<BrokenView>,
    let_go: Block,
    high: Block,
    missed: Vec<review::MissedCheckIn>,
    missed_total: i64,
    load: Vec<review::Load>,
    all: Block,
    pager: Pager,
    members: Vec<Choice>,
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

/// Rows with their age, quiet days and next gate item (facts for all of them in one query).
/// The sections' rows, with gate facts and moods read once for every case on the page.
async fn rows<const N: usize>(
    state: &AppState,
    sections: [Vec<ReviewCase>; N],
    stuck_after: i64,
    tz: chrono_tz::Tz,
) -> Result<[Vec<Row>; N]> {
    let mut ids: Vec<Uuid> = sections.iter().flatten().map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let (facts, moods) = tokio::try_join!(
        db_cases::facts_for(&state.db, &ids),
        db_cases::sentiment_series(&state.db, &ids),
    )?;
    let facts: std::collections::HashMap<Uuid, stage::CaseFacts> = facts.into_iter().collect();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let days = |t: chrono::DateTime<Utc>| (today - t.with_timezone(&tz).date_naive()).num_days();
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
        Row {
            number: c.number,
            title: c.title,
            account: c.account,
            owner_id: c.owner_id,
            owner_name: c.owner_name,
            stage: stage.label(),
            severity_label: c.severity.label(),
            severity: c.severity.as_str(),
            age_days: days(c.created_at),
            stuck: quiet_days >= stuck_after,
            quiet_days,
            value_at_risk: c
                .value_at_risk_minor
                .map(|v| money::format(v, &c.currency))
                .unwrap_or_default(),
            next_item,
            version: c.version,
            mood,
            escalation: match c.escalation.as_deref() {
                Some("repeat") => "Escalated: a repeat incident",
                Some(_) => "Escalated: quiet too long",
                None => "",
            },
            let_go_reason: c.let_go_reason,
            let_go_requested_by: c.let_go_requested_by.unwrap_or_default(),
            has_lesson: c.has_lesson,
        }
    };
    Ok(sections.map(|cases| cases.into_iter().map(row).collect()))
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReviewQuery>,
) -> Result<Response> {
    let user = ctx.user()?;
    let tz = time_zone(&user.time_zone);
    let is_admin = user.role.at_least(Role::Admin);
    let Some((team_id, team_name)) = team(&state, &ctx, &q.team).await? else {
        return Err(AppError::Conflict("You are not in a team yet, so there is nothing to review. Ask an admin to add you to one.".into()));
    };
    let organisation = super::reference::organisation(&state).await?;
    let stuck_after = organisation.stuck_after_days(state.settings.stuck_after_days);
    let stuck_before = Utc::now() - chrono::Duration::days(stuck_after);
    let page_number = q.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 100_000);
    let section = |s: Section, limit: i64, offset: i64| {
        review::cases(&state.db, team_id, s, stuck_before, limit, offset)
    };
    let today = Utc::now().with_timezone(&tz).date_naive();
    let (week_first, week_last) = organisation.week_start.week_of(today);
    // The counts and each person's load pass over every open case of the team; they are
    // remembered briefly (`crate::recent`), the lists are read afresh.
    let numbers = state
        .reviews
        .get_or_compute(format!("{team_id} {stuck_after} {week_first}"), async {
            let (counts, escalated, load) = tokio::try_join!(
                review::section_counts(&state.db, team_id, stuck_before),
                review::escalated_count(&state.db, team_id),
                review::load(&state.db, team_id, week_first, week_last),
            )?;
            Ok::<_, sqlx::Error>(review::Numbers {
                counts,
                escalated,
                load,
            })
        })
        .await?;
    // The sections are independent: read them at once, each on its own connection.
    let (broken, escalated, stuck, let_go, high, all, (missed, missed_total), teams) = tokio::try_join!(
        crate::db::commitments::broken_for_team(&state.db, team_id, SECTION_SIZE),
        section(Section::Escalated, SECTION_SIZE, 0),
        section(Section::Stuck, SECTION_SIZE, 0),
        section(Section::LetGo, 100, 0),
        section(Section::HighSeverity, SECTION_SIZE, 0),
        section(Section::All, PAGE_SIZE, (page_number - 1) * PAGE_SIZE),
        review::missed_check_ins(&state.db, team_id, SECTION_SIZE),
        async {
            if is_admin {
                crate::db::accounts::team_choices(&state.db, crate::domain::visibility::Scope::All)
                    .await
            } else {
                Ok(Vec::new())
            }
        },
    )?;
    let members = super::reference::team_members(&state, team_id).await?;
    let counts = numbers.counts;
    let team_param = if is_admin {
        team_id.to_string()
    } else {
        String::new()
    };
    let pager = Pager::new(
        "/review",
        &[("team", team_param.as_str())],
        page_number,
        counts.all,
        PAGE_SIZE,
    );
    let [escalated_rows, stuck_rows, let_go_rows, high_rows, all_rows] = rows(
        &state,
        [escalated, stuck, let_go, high, all],
        stuck_after,
        tz,
    )
    .await?;
    let page = ReviewPage {
        chrome: ctx.chrome("Manager review"),
        team_id,
        team_name,
        teams,
        is_admin,
        stuck_after_days: stuck_after,
        stuck: Block {
            rows: stuck_rows,
            total: counts.stuck,
        },
        escalated: Block {
            rows: escalated_rows,
            total: numbers.escalated,
        },
        broken: broken
            .into_iter()
            .map(|b| BrokenView {
                number: b.number,
                title: b.title,
                text: b.text,
                owner: b.owner_name.unwrap_or_default(),
                when: crate::domain::case::local_display(b.state_at, tz),
                state: b.state.as_str(),
                state_label: b.state.label(),
            })
            .collect(),
        let_go: Block {
            rows: let_go_rows,
            total: counts.let_go,
        },
        high: Block {
            rows: high_rows,
            total: counts.high,
        },
        missed,
        missed_total,
        load: numbers.load.clone(),
        all: Block {
            rows: all_rows,
            total: counts.all,
        },
        pager,
        members,
    };
    Ok(render(StatusCode::OK, &page))
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
    let stuck_after = super::reference::organisation(&state)
        .await?
        .stuck_after_days(state.settings.stuck_after_days);
    let stuck_before = Utc::now() - chrono::Duration::days(stuck_after);
    let cases = review::cases(&state.db, team_id, Section::All, stuck_before, i64::MAX, 0).await?;
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
    let [cases] = rows(&state, [cases], stuck_after, tz).await?;
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
