//! The weekly follow-up dashboard (`/dashboard/weekly?week=2026-W48`): check-in discipline per
//! account manager and in total, the framework's signals for the week and the 12 before it,
//! server-rendered SVG charts (no JavaScript), and a CSV of the week's check-ins.
//!
//! An account manager sees their own numbers, a manager their team's, an admin everyone's or
//! one team's (`&team=`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::case_list::neutralise;
use super::page::{Chrome, Ctx, render};
use crate::auth::guard;
use crate::db::accounts::{self as db_accounts, Choice};
use crate::db::dashboard::{
    self as db, CheckInCounts, RepeatAccount, StageCount, WeekSignals, WeekSpan, Who,
};
use crate::domain::Role;
use crate::domain::case::time_zone;
use crate::domain::stage::Stage;
use crate::domain::visibility::Scope;
use crate::domain::week::{IsoWeek, local_midnight};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// Weeks shown before the chosen one.
const TRAILING_WEEKS: u64 = 12;
/// Cases in 12 months that make an account a repeat-incident account.
const REPEAT_MIN_CASES: i64 = 3;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/dashboard/weekly", get(weekly))
        .route("/dashboard/weekly.csv", get(export))
        .route_layer(middleware::from_fn(guard::signed_in))
}

/// The query string, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct WeekQuery {
    pub week: String,
    pub team: String,
    /// "all": every repeat-incident account (up to 100), not the first ten.
    pub repeat: String,
}

/// Repeat-incident accounts listed unless all are asked for.
const REPEAT_SHOWN: usize = 10;

/// Whose numbers the signed-in user sees, and a sentence saying so.
fn audience(ctx: &Ctx, query: &WeekQuery) -> Result<(Who, String, Option<Uuid>)> {
    let user = ctx.user()?;
    let scope = Scope::for_user(user.role, user.team_id);
    Ok(match user.role {
        Role::AccountManager => (
            Who {
                scope,
                only: Some(user.id),
            },
            "Your own cases and check-ins.".to_string(),
            None,
        ),
        Role::Manager => (
            Who { scope, only: None },
            "Your team's cases and check-ins.".to_string(),
            None,
        ),
        Role::Admin => match Uuid::parse_str(query.team.trim()).ok() {
            Some(team) => (
                Who {
                    scope: Scope::Team(team),
                    only: None,
                },
                "One team's cases and check-ins.".to_string(),
                Some(team),
            ),
            None => (
                Who { scope, only: None },
                "Every team's cases and check-ins.".to_string(),
                None,
            ),
        },
    })
}

fn href(path: &str, week: IsoWeek, team: Option<Uuid>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("week", &week.to_string());
    if let Some(team) = team {
        s.append_pair("team", &team.to_string());
    }
    format!("{path}?{}", s.finish())
}

fn span(week: IsoWeek, tz: Tz) -> WeekSpan {
    let (start, end) = week.bounds(tz);
    WeekSpan {
        monday: week.monday(),
        start,
        end,
    }
}

/// `12 of 20 (60%)`, or a dash when there is nothing to divide.
fn share(part: i64, whole: i64) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{part} of {whole} ({}%)", percent(part, whole))
    }
}

fn percent(part: i64, whole: i64) -> i64 {
    // Rounded half up, in integers.
    (part * 200 + whole) / (whole * 2)
}

/// A duration in minutes, hours (under two days) or days, to one decimal.
pub fn duration(secs: Option<f64>) -> String {
    match secs {
        None => "—".to_string(),
        Some(s) if s < 3600.0 => format!("{:.0} min", s / 60.0),
        Some(s) if s < 48.0 * 3600.0 => format!("{:.1} h", s / 3600.0),
        Some(s) => format!("{:.1} d", s / 86400.0),
    }
}

fn sentiment(avg: Option<f64>) -> String {
    match avg {
        None => "—".to_string(),
        Some(v) => format!("{v:+.2}"),
    }
}

fn cost_share(cost: i64, value: i64) -> String {
    if value == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", cost as f64 * 100.0 / value as f64)
    }
}

/// One row of the per-AM table.
pub struct CountsRow {
    pub name: String,
    pub due: i64,
    pub on_time: i64,
    pub late: i64,
    pub missed: i64,
    pub skipped: i64,
    pub open: i64,
}

impl From<CheckInCounts> for CountsRow {
    fn from(c: CheckInCounts) -> Self {
        CountsRow {
            name: c.assignee,
            due: c.due,
            on_time: c.on_time,
            late: c.late,
            missed: c.missed,
            skipped: c.skipped,
            open: c.open,
        }
    }
}

/// One week's signals, formatted.
pub struct SignalsRow {
    pub week: String,
    pub href: String,
    pub current: bool,
    pub detected_by_us: String,
    pub first_contact: String,
    pub direct: String,
    pub fix: String,
    pub cost_share: String,
    pub restored: String,
    pub sentiment: String,
    pub check_ins_done: i64,
    pub check_ins_missed: i64,
}

fn signals_row(s: &WeekSignals, current: IsoWeek, team: Option<Uuid>) -> SignalsRow {
    let week = IsoWeek::containing(s.monday);
    SignalsRow {
        week: week.to_string(),
        href: href("/dashboard/weekly", week, team),
        current: week == current,
        detected_by_us: share(s.detected_by_us, s.opened),
        first_contact: duration(s.first_contact_secs),
        direct: share(s.direct_conversations, s.conversations),
        fix: duration(s.fix_secs),
        cost_share: cost_share(s.reparation_cost_minor, s.reparation_value_minor),
        restored: share(s.restored, s.closed),
        sentiment: sentiment(s.sentiment),
        check_ins_done: s.check_ins_done,
        check_ins_missed: s.check_ins_missed,
    }
}

// ---------- Tiles: this week against the last, and the cases behind them ----------

/// One signal of the week: its value, how it moved since the previous week, and a link to the
/// case list filtered to the cases behind it (where they are cases).
pub struct Tile {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    /// "▲ 27 points on last week (40%)", "Same as last week", or what last week had.
    pub change: String,
    /// "better", "worse" or "" (no judgement: the change is not good or bad in itself).
    pub trend: &'static str,
    pub link: Option<(String, String)>,
}

/// Which way is better for a signal.
#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
    Neither,
}

/// How `now` moved from `before`: the words and whether it is better or worse.
fn change(
    now: Option<f64>,
    before: Option<f64>,
    better: Better,
    delta: impl Fn(f64) -> String,
    before_text: String,
) -> (String, &'static str) {
    let (Some(now), Some(before)) = (now, before) else {
        return (format!("Last week: {before_text}"), "");
    };
    let d = now - before;
    if d.abs() < 1e-9 || delta(d.abs()) == delta(0.0) {
        return (format!("Same as last week ({before_text})"), "");
    }
    let arrow = if d > 0.0 { "▲" } else { "▼" };
    let trend = match (better, d > 0.0) {
        (Better::Neither, _) => "",
        (Better::Higher, true) | (Better::Lower, false) => "better",
        _ => "worse",
    };
    (
        format!("{arrow} {} on last week ({before_text})", delta(d.abs())),
        trend,
    )
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

fn points(d: f64) -> String {
    format!("{d:.0} points")
}

/// The week's tiles against the previous week; `cases` makes the case list's address for a
/// drill-down (`("opened", week)` and the like).
fn tiles(
    this: &WeekSignals,
    last: Option<&WeekSignals>,
    cases: impl Fn(&str) -> String,
) -> Vec<Tile> {
    let prev = |f: &dyn Fn(&WeekSignals) -> Option<f64>| last.and_then(f);
    let pct_text = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.0}%"));
    let tile = |id, label, value: String, (change, trend): (String, &'static str), link| Tile {
        id,
        label,
        value,
        change,
        trend,
        link,
    };
    let detected = |w: &WeekSignals| ratio(w.detected_by_us, w.opened);
    let direct = |w: &WeekSignals| ratio(w.direct_conversations, w.conversations);
    let restored = |w: &WeekSignals| ratio(w.restored, w.closed);
    let cost = |w: &WeekSignals| ratio(w.reparation_cost_minor, w.reparation_value_minor);
    let opened_link = (this.opened > 0).then(|| {
        (
            cases("opened"),
            format!("The {} case{} opened", this.opened, plural(this.opened)),
        )
    });
    let closed_link = (this.closed > 0).then(|| {
        (
            cases("closed"),
            format!("The {} case{} closed", this.closed, plural(this.closed)),
        )
    });
    vec![
        tile(
            "detected",
            "Detected by us first",
            share(this.detected_by_us, this.opened),
            change(
                detected(this),
                prev(&detected),
                Better::Higher,
                points,
                pct_text(prev(&detected)),
            ),
            opened_link.clone(),
        ),
        tile(
            "first-contact",
            "Median time to first contact",
            duration(this.first_contact_secs),
            change(
                this.first_contact_secs,
                prev(&|w| w.first_contact_secs),
                Better::Lower,
                |d| duration(Some(d)),
                duration(prev(&|w| w.first_contact_secs)),
            ),
            opened_link,
        ),
        tile(
            "direct",
            "Conversations in person or by phone",
            share(this.direct_conversations, this.conversations),
            change(
                direct(this),
                prev(&direct),
                Better::Higher,
                points,
                pct_text(prev(&direct)),
            ),
            None,
        ),
        tile(
            "fix",
            "Median time to fix",
            duration(this.fix_secs),
            change(
                this.fix_secs,
                prev(&|w| w.fix_secs),
                Better::Lower,
                |d| duration(Some(d)),
                duration(prev(&|w| w.fix_secs)),
            ),
            this.fix_secs
                .map(|_| (cases("fixed"), "The cases fixed".to_string())),
        ),
        tile(
            "cost",
            "Reparation cost / account value",
            cost_share(this.reparation_cost_minor, this.reparation_value_minor),
            change(
                cost(this),
                prev(&cost),
                Better::Neither,
                |d| format!("{d:.1} points"),
                prev(&cost).map_or("—".into(), |v| format!("{v:.1}%")),
            ),
            closed_link.clone(),
        ),
        tile(
            "restored",
            "Restored, of cases closed",
            share(this.restored, this.closed),
            change(
                restored(this),
                prev(&restored),
                Better::Higher,
                points,
                pct_text(prev(&restored)),
            ),
            closed_link,
        ),
        tile(
            "sentiment",
            "Average sentiment (−2..+2)",
            sentiment(this.sentiment),
            change(
                this.sentiment,
                prev(&|w| w.sentiment),
                Better::Higher,
                |d| format!("{d:.2}"),
                sentiment(prev(&|w| w.sentiment)),
            ),
            None,
        ),
    ]
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// ---------- Charts ----------

pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub fill: &'static str,
    pub title: String,
}

pub struct AxisLabel {
    pub x: String,
    pub y: String,
    pub text: String,
}

const DONE_FILL: &str = "#1f5f5b";
const MISSED_FILL: &str = "#b42318";
const LINE_STROKE: &str = "#1b5e8a";
const STAGE_FILLS: [&str; 6] = [
    "#1b5e8a", "#5a2a82", "#8f4a00", "#1f5f5b", "#3b4a52", "#6b777d",
];

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// A chart's size: wide for a desktop, narrow for a phone (drawn at about its size there, so
/// its labels stay ≥ 11 px; the page shows one or the other by CSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Wide,
    Narrow,
}

impl Size {
    fn width(self) -> u32 {
        match self {
            Size::Wide => 640,
            Size::Narrow => 340,
        }
    }

    fn class(self) -> &'static str {
        match self {
            Size::Wide => "chart-wide",
            Size::Narrow => "chart-narrow",
        }
    }

    fn id(self, id: &str) -> String {
        match self {
            Size::Wide => id.to_string(),
            Size::Narrow => format!("{id}-narrow"),
        }
    }

    /// Whether week `i` of `len` gets a label: every week when wide; on a phone every other
    /// week, counted back from the chosen one (last) so that it is always labelled.
    fn labels_week(self, i: usize, len: usize) -> bool {
        self == Size::Wide || (len - 1 - i).is_multiple_of(2)
    }
}

/// One week's bars, linking to that week's dashboard.
pub struct BarGroup {
    pub href: String,
    pub current: bool,
    pub bars: Vec<Bar>,
    pub label: String,
    pub label_x: String,
}

/// Bars per week: check-ins done next to check-ins missed.
#[derive(Template)]
#[template(path = "partials/chart_check_ins.html")]
pub struct CheckInChart {
    pub id: String,
    pub class: &'static str,
    pub width: u32,
    pub height: u32,
    pub left: String,
    pub right: String,
    pub tick_x: String,
    pub baseline: String,
    pub top: String,
    pub mid: String,
    pub max: i64,
    pub half: String,
    pub groups: Vec<BarGroup>,
    pub label_y: String,
    pub axis_title_y: String,
    pub legend_y: String,
    pub legend_text_y: String,
    pub legend_done_x: String,
    pub legend_missed_rect: String,
    pub legend_missed_x: String,
    pub done_fill: &'static str,
    pub missed_fill: &'static str,
}

fn check_in_chart(
    weeks: &[WeekSignals],
    size: Size,
    week_href: &dyn Fn(IsoWeek) -> String,
    current: IsoWeek,
) -> CheckInChart {
    let width = size.width();
    let height = 250u32;
    let (left, right, top, bottom) = (34.0, 8.0, 22.0, 190.0);
    let max = weeks
        .iter()
        .flat_map(|w| [w.check_ins_done, w.check_ins_missed])
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (f64::from(width) - left - right) / weeks.len().max(1) as f64;
    let bar_w = slot * 0.36;
    let scale = (bottom - top) / max as f64;
    let mut groups = Vec::new();
    for (i, w) in weeks.iter().enumerate() {
        let week = IsoWeek::containing(w.monday);
        let x0 = left + slot * i as f64 + slot * 0.14;
        let bars = [
            (w.check_ins_done, DONE_FILL, "done"),
            (w.check_ins_missed, MISSED_FILL, "missed"),
        ]
        .into_iter()
        .enumerate()
        .map(|(k, (value, fill, what))| {
            let h = value as f64 * scale;
            Bar {
                x: n(x0 + bar_w * k as f64),
                y: n(bottom - h),
                width: n(bar_w),
                height: n(h),
                fill,
                title: format!("{week}: {value} check-ins {what}"),
            }
        })
        .collect();
        groups.push(BarGroup {
            href: week_href(week),
            current: week == current,
            bars,
            label: if size.labels_week(i, weeks.len()) {
                format!("W{:02}", week.number())
            } else {
                String::new()
            },
            label_x: n(x0 + bar_w),
        });
    }
    let legend_y = f64::from(height) - 16.0;
    CheckInChart {
        id: size.id("chart-check-ins"),
        class: size.class(),
        width,
        height,
        left: n(left),
        right: n(f64::from(width) - right),
        tick_x: n(left - 5.0),
        baseline: n(bottom),
        top: n(top),
        mid: n(bottom - ((max + 1) / 2) as f64 * scale),
        max,
        half: ((max + 1) / 2).to_string(),
        groups,
        label_y: n(bottom + 17.0),
        axis_title_y: n(bottom + 34.0),
        legend_y: n(legend_y),
        legend_text_y: n(legend_y + 10.0),
        legend_done_x: n(left + 14.0),
        legend_missed_rect: n(left + 64.0),
        legend_missed_x: n(left + 78.0),
        done_fill: DONE_FILL,
        missed_fill: MISSED_FILL,
    }
}

pub struct Point {
    pub x: String,
    pub y: String,
    pub title: String,
    pub href: String,
}

/// Average sentiment per week on a −2..+2 axis.
#[derive(Template)]
#[template(path = "partials/chart_sentiment.html")]
pub struct SentimentChart {
    pub id: String,
    pub class: &'static str,
    pub width: u32,
    pub height: u32,
    pub left: String,
    pub right: String,
    pub grid: Vec<AxisLabel>,
    pub points: Vec<Point>,
    pub polyline: String,
    pub labels: Vec<AxisLabel>,
    pub axis_title_y: String,
    pub stroke: &'static str,
}

fn sentiment_chart(
    weeks: &[WeekSignals],
    size: Size,
    week_href: &dyn Fn(IsoWeek) -> String,
) -> SentimentChart {
    let width = size.width();
    let height = 224u32;
    let (left, right, top, bottom) = (34.0, 8.0, 22.0, 176.0);
    let slot = (f64::from(width) - left - right) / weeks.len().max(1) as f64;
    let y_of = |v: f64| top + (2.0 - v.clamp(-2.0, 2.0)) / 4.0 * (bottom - top);
    let grid = [2, 1, 0, -1, -2]
        .into_iter()
        .map(|v| AxisLabel {
            x: n(left - 5.0),
            y: n(y_of(f64::from(v))),
            text: if v == 0 {
                "0".to_string()
            } else {
                format!("{v:+}")
            },
        })
        .collect();
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for (i, w) in weeks.iter().enumerate() {
        let week = IsoWeek::containing(w.monday);
        let x = left + slot * (i as f64 + 0.5);
        if let Some(v) = w.sentiment {
            points.push(Point {
                x: n(x),
                y: n(y_of(v)),
                title: format!(
                    "{week}: average sentiment {v:+.2} ({} ratings)",
                    w.sentiment_count
                ),
                href: week_href(week),
            });
        }
        if size.labels_week(i, weeks.len()) {
            labels.push(AxisLabel {
                x: n(x),
                y: n(bottom + 17.0),
                text: format!("W{:02}", week.number()),
            });
        }
    }
    let polyline = points
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    SentimentChart {
        id: size.id("chart-sentiment"),
        class: size.class(),
        width,
        height,
        left: n(left),
        right: n(f64::from(width) - right),
        grid,
        points,
        polyline,
        labels,
        axis_title_y: n(bottom + 34.0),
        stroke: LINE_STROKE,
    }
}

pub struct Segment {
    pub x: String,
    pub width: String,
    pub fill: &'static str,
    pub title: String,
    pub label: &'static str,
    pub cases: i64,
    pub legend_y: String,
    /// The case list, filtered to the stage's open cases.
    pub href: String,
}

/// Open cases by stage, as one stacked horizontal bar with a legend.
#[derive(Template)]
#[template(path = "partials/chart_stages.html")]
pub struct StageChart {
    pub id: String,
    pub class: &'static str,
    pub width: u32,
    pub height: u32,
    pub total: i64,
    pub segments: Vec<Segment>,
}

fn stage_chart(
    counts: &[StageCount],
    size: Size,
    stage_href: &dyn Fn(Stage) -> String,
) -> StageChart {
    let width = size.width();
    let bar_w = f64::from(width) - 16.0;
    let total: i64 = counts.iter().map(|c| c.cases).sum();
    let mut x = 8.0;
    let mut segments = Vec::new();
    for (i, stage) in Stage::ALL.iter().enumerate() {
        let cases = counts
            .iter()
            .find(|c| c.stage == *stage)
            .map_or(0, |c| c.cases);
        if cases == 0 {
            continue;
        }
        let w = bar_w * cases as f64 / total.max(1) as f64;
        let row = segments.len() as f64;
        segments.push(Segment {
            x: n(x),
            width: n(w),
            fill: STAGE_FILLS[i % STAGE_FILLS.len()],
            title: format!("{}: {cases} open cases", stage.label()),
            label: stage.label(),
            cases,
            legend_y: n(60.0 + row * 22.0),
            href: stage_href(*stage),
        });
        x += w;
    }
    let height = 56 + 22 * segments.len() as u32 + 8;
    StageChart {
        id: size.id("chart-stages"),
        class: size.class(),
        width,
        height,
        total,
        segments,
    }
}

fn svg(template: &impl Template) -> Result<String> {
    template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering a chart: {e}")))
}

// ---------- The page ----------

/// The week's commitment marks of `who`'s cases.
async fn commitment_marks(
    state: &AppState,
    who: db::Who,
    (start, end): (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
) -> sqlx::Result<crate::db::commitments::MarkCounts> {
    let team = match who.scope {
        Scope::All => None,
        Scope::Team(t) => Some(t),
        Scope::Nothing => Some(uuid::Uuid::nil()),
    };
    crate::db::commitments::mark_counts(&state.db, team, who.only, start, end).await
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct WeeklyPage {
    chrome: Chrome,
    notice: Option<String>,
    week: String,
    first_day: String,
    last_day: String,
    audience: String,
    prev_href: String,
    next_href: String,
    this_week_href: Option<String>,
    csv_href: String,
    teams: Vec<Choice>,
    team: String,
    rows: Vec<CountsRow>,
    total: CountsRow,
    tiles: Vec<Tile>,
    trend: Vec<SignalsRow>,
    repeat: Vec<RepeatAccount>,
    /// How many more there are than listed, and the address listing them all.
    repeat_more: usize,
    repeat_all_href: String,
    stages: Vec<Segment>,
    open_total: i64,
    /// Each chart drawn wide and narrow, with a sentence of this week against the last.
    check_in_svg: [String; 2],
    check_in_caption: String,
    sentiment_svg: [String; 2],
    sentiment_caption: String,
    stage_svg: [String; 2],
    /// The week's commitment marks: kept, slipping, broken.
    commitments: crate::db::commitments::MarkCounts,
}

fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// The week asked for, or this week and a notice saying why not.
fn chosen_week(raw: &str, now_week: IsoWeek) -> (IsoWeek, Option<String>) {
    if raw.trim().is_empty() {
        return (now_week, None);
    }
    match IsoWeek::parse(raw) {
        Ok(w) => (w, None),
        Err(e) => (now_week, Some(format!("{e} Showing this week instead."))),
    }
}

#[tracing::instrument(skip_all)]
async fn weekly(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<WeekQuery>,
) -> Result<Response> {
    let user = ctx.user()?;
    let tz = time_zone(&user.time_zone);
    let is_admin = user.role == Role::Admin;
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let now_week = IsoWeek::current(now, tz);
    let (week, notice) = chosen_week(&query.week, now_week);
    let (who, audience, team) = audience(&ctx, &query)?;

    let weeks: Vec<WeekSpan> = (0..=TRAILING_WEEKS)
        .rev()
        .map(|k| span(week.weeks_before(k), tz))
        .collect();
    let (_, week_end) = week.bounds(tz);
    let year_before = week
        .next()
        .monday()
        .checked_sub_months(Months::new(12))
        .unwrap_or(week.monday());

    // The page's queries are independent: run them at once, each on its own connection. The
    // numbers are remembered briefly (`crate::recent`), keyed by everything they depend on.
    let year_start = local_midnight(year_before, tz);
    let key = format!("{who:?}|{week}|{today}|{}", tz.name());
    let numbers = state
        .dashboards
        .get_or_compute(key, async {
            let (counts, signals, repeat, by_stage, commitments) = tokio::try_join!(
                db::check_ins_per_assignee(&state.db, who, week.monday(), today, tz.name()),
                db::signals(&state.db, who, &weeks, today),
                db::repeat_accounts(&state.db, who, year_start, week_end, REPEAT_MIN_CASES),
                db::open_by_stage(&state.db, who),
                commitment_marks(&state, who, week.bounds(tz)),
            )?;
            Ok::<_, AppError>(db::Numbers {
                counts,
                signals,
                repeat,
                by_stage,
                commitments,
            })
        })
        .await?;
    let teams = if is_admin {
        db_accounts::team_choices(&state.db, Scope::All).await?
    } else {
        Vec::new()
    };
    let db::Numbers {
        counts,
        signals,
        repeat,
        by_stage,
        commitments,
    } = (*numbers).clone();

    let total = CountsRow {
        name: "Total".to_string(),
        due: counts.iter().map(|c| c.due).sum(),
        on_time: counts.iter().map(|c| c.on_time).sum(),
        late: counts.iter().map(|c| c.late).sum(),
        missed: counts.iter().map(|c| c.missed).sum(),
        skipped: counts.iter().map(|c| c.skipped).sum(),
        open: counts.iter().map(|c| c.open).sum(),
    };
    let trend: Vec<SignalsRow> = signals.iter().map(|s| signals_row(s, week, team)).collect();
    let this = signals
        .last()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no signals for the week")))?;
    let last = signals.len().checked_sub(2).and_then(|i| signals.get(i));
    // Drill-downs: the case list, filtered to the cases behind a number (the audience's own).
    let narrowed = |mut params: Vec<(&'static str, String)>| {
        if let Some(owner) = who.only {
            params.push(("owner", owner.to_string()));
        }
        if let Some(team) = team {
            params.push(("team", team.to_string()));
        }
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            q.append_pair(k, &v);
        }
        format!("/cases?{}", q.finish())
    };
    let cases_in_week = |kind: &str| {
        let kind: &'static str = match kind {
            "opened" => "opened",
            "fixed" => "fixed",
            _ => "closed",
        };
        narrowed(vec![(kind, week.to_string())])
    };
    let stage_href = |stage: Stage| {
        narrowed(vec![
            ("stage", stage.as_str().to_string()),
            ("outcome", "open".to_string()),
        ])
    };
    let week_href = |w: IsoWeek| href("/dashboard/weekly", w, team);
    let tiles = tiles(this, last, cases_in_week);
    let mut repeat = repeat;
    let repeat_more = if query.repeat == "all" {
        0
    } else {
        let more = repeat.len().saturating_sub(REPEAT_SHOWN);
        repeat.truncate(REPEAT_SHOWN);
        more
    };
    let check_in_caption = format!(
        "This week: {} done, {} missed.{}",
        this.check_ins_done,
        this.check_ins_missed,
        last.map(|l| format!(
            " Last week: {} done, {} missed.",
            l.check_ins_done, l.check_ins_missed
        ))
        .unwrap_or_default()
    );
    let sentiment_caption = format!(
        "This week: {}. Last week: {}. Above 0 the clients are happier than not.",
        sentiment(this.sentiment),
        sentiment(last.and_then(|l| l.sentiment))
    );
    let [wide, narrow] = [Size::Wide, Size::Narrow];
    let check_in_svg = [
        svg(&check_in_chart(&signals, wide, &week_href, week))?,
        svg(&check_in_chart(&signals, narrow, &week_href, week))?,
    ];
    let sentiment_svg = [
        svg(&sentiment_chart(&signals, wide, &week_href))?,
        svg(&sentiment_chart(&signals, narrow, &week_href))?,
    ];
    let stages_wide = stage_chart(&by_stage, wide, &stage_href);
    let stage_svg = [
        svg(&stages_wide)?,
        svg(&stage_chart(&by_stage, narrow, &stage_href))?,
    ];

    let page = WeeklyPage {
        chrome: ctx.chrome(format!("Weekly dashboard {week}")),
        notice,
        week: week.to_string(),
        first_day: day(week.monday()),
        last_day: day(week.sunday()),
        audience,
        prev_href: href("/dashboard/weekly", week.previous(), team),
        next_href: href("/dashboard/weekly", week.next(), team),
        this_week_href: (week != now_week).then(|| href("/dashboard/weekly", now_week, team)),
        csv_href: href("/dashboard/weekly.csv", week, team),
        teams,
        team: team.map(|t| t.to_string()).unwrap_or_default(),
        rows: counts.into_iter().map(CountsRow::from).collect(),
        total,
        tiles,
        repeat_more,
        repeat_all_href: format!(
            "{}&repeat=all#repeat",
            href("/dashboard/weekly", week, team)
        ),
        repeat,
        check_in_svg,
        check_in_caption,
        sentiment_svg,
        sentiment_caption,
        stage_svg,
        open_total: stages_wide.total,
        stages: stages_wide.segments,
        trend,
        commitments,
    };
    Ok(render(StatusCode::OK, &page))
}

const CSV_HEADER: [&str; 7] = [
    "due_date",
    "case",
    "account",
    "assignee",
    "status",
    "completed_at",
    "sentiment",
];

/// `GET /dashboard/weekly.csv?week=…`: the week's check-ins, one row each (a week's worth, so
/// built in memory). `completed_at` is in the viewer's time zone, with its offset.
#[tracing::instrument(skip_all)]
async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<WeekQuery>,
) -> Result<Response> {
    let user = ctx.user()?;
    let tz = time_zone(&user.time_zone);
    let week = if query.week.trim().is_empty() {
        IsoWeek::current(Utc::now(), tz)
    } else {
        IsoWeek::parse(&query.week).map_err(|e| AppError::BadRequest(e.to_string()))?
    };
    let (who, _, _) = audience(&ctx, &query)?;
    let rows = db::week_check_ins(&state.db, who, week.monday()).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, record: &[String]| {
        w.write_record(record)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("writing CSV: {e}")))
    };
    write(&mut w, &CSV_HEADER.map(str::to_string))?;
    for r in &rows {
        write(
            &mut w,
            &[
                r.due_date.to_string(),
                format!("CR-{}", r.case_number),
                neutralise(&r.account),
                neutralise(&r.assignee),
                r.status.as_str().into(),
                r.completed_at
                    .map(|t| {
                        t.with_timezone(&tz)
                            .format("%Y-%m-%dT%H:%M:%S%:z")
                            .to_string()
                    })
                    .unwrap_or_default(),
                r.sentiment.map(|s| s.to_string()).unwrap_or_default(),
            ],
        )?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing CSV: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"mend-check-ins-{week}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_durations_read_well() {
        assert_eq!(share(2, 3), "2 of 3 (67%)");
        assert_eq!(share(1, 2), "1 of 2 (50%)");
        assert_eq!(share(0, 0), "—");
        assert_eq!(duration(Some(1800.0)), "30 min");
        assert_eq!(duration(Some(3.0 * 3600.0)), "3.0 h");
        assert_eq!(duration(Some(3.0 * 86400.0)), "3.0 d");
        assert_eq!(duration(None), "—");
        assert_eq!(cost_share(500, 10_000), "5.0%");
        assert_eq!(sentiment(Some(0.5)), "+0.50");
    }
}
