//! Cases over the API: list and filter, read one, log an incident, add a conversation, complete
//! a check-in (marking commitments with it). Each write builds its typed domain value from the
//! JSON and calls the same use case in `app` as its page.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::ApiJson;
use super::problem::{ApiResult, api_field};
use super::{Caller, Problem};
use crate::app::{self, Links, check_ins::Which};
use crate::db::case_list::{self, CaseFilter, CaseRow};
use crate::db::cases as db_cases;
use crate::domain::case as domain;
use crate::domain::commitment::Mark;
use crate::domain::follow_up::CheckInResult;
use crate::state::AppState;

/// How serious the damage is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// Who noticed first.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DetectedBy {
    Us,
    Client,
}

/// How a conversation or check-in was held.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InPerson,
    Phone,
    Video,
    Email,
    Chat,
}

impl From<Severity> for domain::Severity {
    fn from(s: Severity) -> domain::Severity {
        match s {
            Severity::Low => domain::Severity::Low,
            Severity::Medium => domain::Severity::Medium,
            Severity::High => domain::Severity::High,
            Severity::Critical => domain::Severity::Critical,
        }
    }
}

impl From<DetectedBy> for domain::DetectedBy {
    fn from(d: DetectedBy) -> domain::DetectedBy {
        match d {
            DetectedBy::Us => domain::DetectedBy::Us,
            DetectedBy::Client => domain::DetectedBy::Client,
        }
    }
}

impl From<Channel> for domain::Channel {
    fn from(c: Channel) -> domain::Channel {
        match c {
            Channel::InPerson => domain::Channel::InPerson,
            Channel::Phone => domain::Channel::Phone,
            Channel::Video => domain::Channel::Video,
            Channel::Email => domain::Channel::Email,
            Channel::Chat => domain::Channel::Chat,
        }
    }
}

/// A case in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    /// The case number; its reference is `CR-` and the number.
    pub number: i64,
    pub reference: String,
    pub title: String,
    pub account_id: Uuid,
    pub account_name: String,
    pub owner_name: String,
    /// detected, assessing, reaching_out, making_it_right, following_up or closed.
    pub stage: String,
    /// open, restored, lost or let_go.
    pub outcome: String,
    pub severity: String,
    pub category: String,
    pub detected_by: String,
    /// In minor units (cents) of `currency`.
    pub value_at_risk_minor: Option<i64>,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    /// Whether an open action item is past its due date.
    pub overdue: bool,
}

impl From<CaseRow> for CaseSummary {
    fn from(r: CaseRow) -> CaseSummary {
        CaseSummary {
            number: r.number,
            reference: format!("CR-{}", r.number),
            title: r.title,
            account_id: r.account_id,
            account_name: r.account_name,
            owner_name: r.owner_name,
            stage: r.stage.as_str().into(),
            outcome: r.outcome.as_str().into(),
            severity: r.severity.as_str().into(),
            category: r.category,
            detected_by: r.detected_by.as_str().into(),
            value_at_risk_minor: r.value_at_risk_minor,
            currency: r.currency,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
            overdue: r.overdue,
        }
    }
}

/// One page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters for the case list. Unknown parameters are refused.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Full-text search over titles, what happened, conversations and lessons.
    pub q: Option<String>,
    /// detected, assessing, reaching_out, making_it_right, following_up or closed.
    pub stage: Option<String>,
    /// open, restored, lost or let_go.
    pub outcome: Option<String>,
    /// low, medium, high or critical.
    pub severity: Option<String>,
    pub owner_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 100 (default 50).
    pub limit: Option<i64>,
}

/// A filter value that must be one of a closed set's names (`parse`), or absent.
fn one_of<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, String>,
    allowed: &[&str],
) -> Result<Option<T>, Problem> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).map_err(|_| {
            Problem::invalid_field(
                field,
                format!("\u{201c}{v}\u{201d} is not one of: {}.", allowed.join(", ")),
            )
        }),
    }
}

fn cursor_of(row: &CaseRow) -> String {
    format!("{}_{}", row.created_at.timestamp_micros(), row.number)
}

fn parse_cursor(raw: &str) -> Option<(DateTime<Utc>, i64)> {
    let (micros, number) = raw.split_once('_')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((at, number.parse().ok()?))
}

/// Lists the cases the token's user can see, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(CaseQuery),
    responses(
        (status = 200, description = "A page of cases", body = CasePage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<CaseQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<CasePage>> {
    let q = super::query(query)?;
    let limit = super::page_limit(q.limit)?;
    let after = match super::cursor(q.cursor.as_deref()) {
        None => None,
        Some(raw) => Some(parse_cursor(raw).ok_or_else(super::bad_cursor)?),
    };
    let filter = CaseFilter {
        search: super::search_term(q.q.as_deref()),
        stage: one_of(
            "stage",
            q.stage.as_deref(),
            crate::domain::stage::Stage::parse,
            &[
                "detected",
                "assessing",
                "reaching_out",
                "making_it_right",
                "following_up",
                "closed",
            ],
        )?,
        outcome: one_of(
            "outcome",
            q.outcome.as_deref(),
            crate::domain::stage::Outcome::parse,
            &["open", "restored", "lost", "let_go"],
        )?,
        severity: one_of(
            "severity",
            q.severity.as_deref(),
            domain::Severity::parse,
            &["low", "medium", "high", "critical"],
        )?,
        owner_id: q.owner_id,
        account_id: q.account_id,
        ..CaseFilter::default()
    };
    let today = Utc::now().with_timezone(&caller.time_zone).date_naive();
    // One more than asked, to know whether there is a next page.
    let mut rows =
        case_list::newest_after(&state.db, caller.scope(), &filter, today, after, limit + 1)
            .await?;
    let next_cursor = super::next_page(&mut rows, limit, cursor_of);
    Ok(Json(CasePage {
        items: rows.into_iter().map(CaseSummary::from).collect(),
        next_cursor,
    }))
}

/// One case in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub number: i64,
    pub reference: String,
    pub title: String,
    pub what_happened: String,
    pub account_id: Uuid,
    pub account_name: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub category_id: Uuid,
    pub category: String,
    pub severity: String,
    pub detected_by: String,
    pub stage: String,
    pub outcome: String,
    pub value_at_risk_minor: Option<i64>,
    pub currency: String,
    pub occurred_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Increases with every change to the case.
    pub version: i32,
}

/// A case number from the path: `1042` or `CR-1042`.
fn number_of(raw: &str) -> Result<i64, Problem> {
    let digits = raw
        .trim()
        .strip_prefix("CR-")
        .or_else(|| raw.trim().strip_prefix("cr-"))
        .unwrap_or(raw.trim());
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Problem::not_found("There is no such case."))
}

async fn detail(state: &AppState, caller: &Caller, number: i64) -> ApiResult<CaseDetail> {
    let c = db_cases::get(&state.db, caller.scope(), number)
        .await?
        .ok_or_else(|| Problem::not_found("There is no such case, or it is not yours to see."))?;
    Ok(CaseDetail {
        number: c.number,
        reference: format!("CR-{}", c.number),
        title: c.title,
        what_happened: c.what_happened,
        account_id: c.account_id,
        account_name: c.account_name,
        owner_id: c.owner_id,
        owner_name: c.owner_name,
        category_id: c.category_id,
        category: c.category_name,
        severity: c.severity.as_str().into(),
        detected_by: c.detected_by.as_str().into(),
        stage: c.stage.as_str().into(),
        outcome: c.outcome.as_str().into(),
        value_at_risk_minor: c.value_at_risk_minor,
        currency: c.currency,
        occurred_at: c.occurred_at,
        detected_at: c.detected_at,
        created_at: c.created_at,
        closed_at: c.closed_at,
        version: c.version,
    })
}

/// Reads one case the token's user can see.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}",
    tag = "cases",
    params(("number" = String, Path, description = "The case number, `1042` or `CR-1042`")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not visible", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<CaseDetail>> {
    let number = number_of(&number)?;
    Ok(Json(detail(&state, &caller, number).await?))
}

/// A new incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub account_id: Uuid,
    /// At most 200 characters.
    pub title: String,
    #[serde(default)]
    pub what_happened: String,
    pub category_id: Uuid,
    pub severity: Severity,
    pub detected_by: DetectedBy,
    /// When it happened (default: now). Not in the future.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
}

/// A case the caller cannot see is not found, in the API's words.
fn not_visible(e: app::Error) -> Problem {
    match e {
        app::Error::NotFound => {
            Problem::not_found("There is no such case, or it is not yours to see.")
        }
        e => e.into(),
    }
}

/// A 201 answer with a Location header.
pub fn created_response(location: String, body: impl Serialize) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, v);
    }
    (StatusCode::CREATED, headers, Json(body)).into_response()
}

/// Logs an incident: a new case in stage Detected, owned by the token's user.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = NewCase,
    responses(
        (status = 201, description = "The new case", body = CaseDetail),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewCase>,
) -> ApiResult<Response> {
    let now = Utc::now();
    let incident = domain::NewIncident {
        account_id: body.account_id,
        title: body.title,
        what_happened: body.what_happened,
        category_id: body.category_id,
        severity: body.severity.into(),
        detected_by: body.detected_by.into(),
        occurred_at: body.occurred_at.unwrap_or(now),
    }
    .checked(now)
    .map_err(|e| Problem::from_fields(&e, api_field))?;
    let number = match app::cases::log_incident(&state.db, &caller.actor(), &incident).await {
        Ok(number) => number,
        Err(app::Error::Invalid(errors)) => {
            let field = errors.iter().next().map(|(f, _)| f).unwrap_or("account_id");
            return Err(if field == "category_id" {
                Problem::invalid_field("category_id", "There is no such category in use.")
            } else {
                Problem::invalid_field(
                    "account_id",
                    "There is no such account, or it is not yours to see.",
                )
            });
        }
        Err(e) => return Err(e.into()),
    };
    let case = detail(&state, &caller, number).await?;
    Ok(created_response(format!("/api/v1/cases/{number}"), case))
}

/// A conversation with the client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConversation {
    pub channel: Channel,
    /// Who you spoke with (at most 200 characters).
    pub with_whom: String,
    /// When (default: now). Not in the future.
    #[serde(default)]
    pub happened_at: Option<DateTime<Utc>>,
    pub summary: String,
    /// How the client felt, chosen by the person recording it (there is no default): −2 Angry,
    /// −1 Unhappy, 0 Neutral, 1 Satisfied, 2 Delighted.
    #[schema(minimum = -2, maximum = 2)]
    pub sentiment: i16,
    #[serde(default)]
    pub listened_fully: bool,
    #[serde(default)]
    pub validated_feelings: bool,
    #[serde(default)]
    pub took_responsibility: bool,
    #[serde(default)]
    pub asked_what_differently: bool,
}

/// What a write to a case answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseChanged {
    pub number: i64,
    pub reference: String,
    pub message: String,
}

/// Logs a conversation on a case.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/conversations",
    tag = "cases",
    params(("number" = String, Path, description = "The case number, `1042` or `CR-1042`")),
    request_body = NewConversation,
    responses(
        (status = 201, description = "Logged", body = CaseChanged),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn add_conversation(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<NewConversation>,
) -> ApiResult<Response> {
    let number = number_of(&number)?;
    let now = Utc::now();
    let conversation = domain::NewConversation {
        channel: body.channel.into(),
        with_whom: body.with_whom,
        happened_at: body.happened_at.unwrap_or(now),
        summary: body.summary,
        sentiment: body.sentiment,
        listened_fully: body.listened_fully,
        validated_feelings: body.validated_feelings,
        took_responsibility: body.took_responsibility,
        asked_what_differently: body.asked_what_differently,
    }
    .checked(now)
    .map_err(|e| Problem::from_fields(&e, api_field))?;
    app::work::add_conversation(&state.db, &caller.actor(), number, &conversation)
        .await
        .map_err(not_visible)?;
    Ok(created_response(
        format!("/api/v1/cases/{number}"),
        CaseChanged {
            number,
            reference: format!("CR-{number}"),
            message: "Conversation logged.".into(),
        },
    ))
}

/// The result of a check-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletedCheckIn {
    pub channel: Channel,
    pub summary: String,
    /// How the client felt, chosen by the person recording it (there is no default): −2 Angry,
    /// −1 Unhappy, 0 Neutral, 1 Satisfied, 2 Delighted.
    #[schema(minimum = -2, maximum = 2)]
    pub sentiment: i16,
    #[serde(default)]
    pub next_step: String,
    /// The client's own words about how things stand, a short quote (at most 500 characters).
    #[serde(default)]
    pub client_words: String,
    /// How the case's commitments are going, marked with this check-in. A broken one sends the
    /// case back into Making it right (or opens a linked case) and tells the managers.
    #[serde(default)]
    pub commitments: Vec<CommitmentMark>,
}

/// One commitment's mark at a check-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentMark {
    pub commitment_id: Uuid,
    pub mark: MarkValue,
}

/// How a commitment is going.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarkValue {
    Kept,
    Slipping,
    Broken,
}

impl From<MarkValue> for Mark {
    fn from(m: MarkValue) -> Mark {
        match m {
            MarkValue::Kept => Mark::Kept,
            MarkValue::Slipping => Mark::Slipping,
            MarkValue::Broken => Mark::Broken,
        }
    }
}

/// Records a check-in as done.
#[utoipa::path(
    post,
    path = "/api/v1/check-ins/{id}/complete",
    tag = "check-ins",
    params(("id" = Uuid, Path, description = "The check-in's id")),
    request_body = CompletedCheckIn,
    responses(
        (status = 200, description = "Recorded", body = CaseChanged),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such check-in, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already recorded, or not due yet (a check-in can be recorded from its due day on)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn complete_check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompletedCheckIn>,
) -> ApiResult<Json<CaseChanged>> {
    let id =
        Uuid::parse_str(id.trim()).map_err(|_| Problem::not_found("There is no such check-in."))?;
    let result = CheckInResult {
        channel: body.channel.into(),
        summary: body.summary,
        sentiment: body.sentiment,
        next_step: body.next_step,
        client_words: body.client_words,
    }
    .checked()
    .map_err(|e| Problem::from_fields(&e, api_field))?;
    let marks: Vec<(Uuid, Mark)> = body
        .commitments
        .iter()
        .map(|m| (m.commitment_id, m.mark.into()))
        .collect();
    let links = Links {
        public_url: &state.settings.public_url,
    };
    let recorded = app::check_ins::record(
        &state.db,
        links,
        &caller.actor(),
        Which::Id(id),
        &result,
        &marks,
        Utc::now(),
    )
    .await
    .map_err(|e| match e {
        app::Error::NotFound => {
            Problem::not_found("There is no such check-in, or it is not yours to see.")
        }
        e => e.into(),
    })?;
    let number = recorded.number;
    let message = if recorded.reopened {
        "Check-in recorded. A commitment was broken: the case is back in Making it right, and the managers are told."
    } else {
        "Check-in recorded."
    };
    Ok(Json(CaseChanged {
        number,
        reference: format!("CR-{number}"),
        message: message.into(),
    }))
}
