//! Cases over the API: list and filter, read one, log an incident, add a conversation, complete
//! a check-in. Each write goes through the same domain form and database function as its page.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::ApiJson;
use super::problem::ApiResult;
use super::{Caller, Problem};
use crate::AppState;
use crate::db::case_list::{self, CaseFilter, CaseRow};
use crate::db::cases::{self as db_cases, CaseWriteError, CreateCaseError};
use crate::db::follow_ups::{self, Outcome};
use crate::domain::case::{CheckInForm, ConversationForm, IncidentForm};

/// How serious the damage is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
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

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Phone => "phone",
            Channel::Video => "video",
            Channel::Email => "email",
            Channel::Chat => "chat",
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
            stage: r.stage,
            outcome: r.outcome,
            severity: r.severity,
            category: r.category,
            detected_by: r.detected_by,
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

fn one_of(field: &str, value: Option<&str>, allowed: &[&str]) -> Result<Option<String>, Problem> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
        Some(v) => Err(Problem::invalid_field(
            field,
            format!("\u{201c}{v}\u{201d} is not one of: {}.", allowed.join(", ")),
        )),
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
            &["open", "restored", "lost", "let_go"],
        )?,
        severity: one_of(
            "severity",
            q.severity.as_deref(),
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
        severity: c.severity,
        detected_by: c.detected_by,
        stage: c.stage,
        outcome: c.outcome,
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

/// The pages' field names, as the API names them.
fn api_field(field: &str) -> String {
    match field {
        "checkin_words" => "client_words".to_string(),
        _ => field.trim_start_matches("checkin_").to_string(),
    }
}

/// A moment the API was told something happened at, checked against the range Mend accepts
/// (`domain::dates`) and written as the pages' forms take it; empty when none was given.
pub fn happened_input(t: Option<DateTime<Utc>>, field: &str) -> ApiResult<String> {
    match t {
        None => Ok(String::new()),
        Some(t) => crate::domain::dates::happened(t, Utc::now())
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
            .map_err(|e| Problem::invalid_field(field, e)),
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
    let form = IncidentForm {
        account_id: body.account_id.to_string(),
        title: body.title,
        what_happened: body.what_happened,
        category_id: body.category_id.to_string(),
        severity: body.severity.as_str().to_string(),
        detected_by: match body.detected_by {
            DetectedBy::Us => "us",
            DetectedBy::Client => "client",
        }
        .to_string(),
        occurred_at: happened_input(body.occurred_at, "occurred_at")?,
    };
    let incident = form
        .parse(chrono_tz::UTC, Utc::now())
        .map_err(|e| Problem::from_fields(&e, api_field))?;
    let mut conn = state.db.acquire().await?;
    let number = match db_cases::create(
        &mut conn,
        caller.scope(),
        &incident,
        caller.user_id,
        caller.user_id,
    )
    .await
    {
        Ok(number) => number,
        Err(CreateCaseError::UnknownAccount) => {
            return Err(Problem::invalid_field(
                "account_id",
                "There is no such account, or it is not yours to see.",
            ));
        }
        Err(CreateCaseError::UnknownCategory) => {
            return Err(Problem::invalid_field(
                "category_id",
                "There is no such category in use.",
            ));
        }
        Err(CreateCaseError::Database(e)) => return Err(e.into()),
    };
    drop(conn);
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
    /// How the client felt, from −2 (very upset) to +2 (very positive).
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

fn write_error(e: CaseWriteError) -> Problem {
    match e {
        CaseWriteError::NotFound => {
            Problem::not_found("There is no such case, or it is not yours to see.")
        }
        CaseWriteError::Stale => Problem::conflict("The case changed meanwhile; try again."),
        CaseWriteError::Database(e) => e.into(),
    }
}

fn flag(on: bool) -> Option<String> {
    on.then(|| "on".to_string())
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
    let form = ConversationForm {
        channel: body.channel.as_str().to_string(),
        with_whom: body.with_whom,
        happened_at: happened_input(body.happened_at, "happened_at")?,
        summary: body.summary,
        sentiment: body.sentiment.to_string(),
        listened_fully: flag(body.listened_fully),
        validated_feelings: flag(body.validated_feelings),
        took_responsibility: flag(body.took_responsibility),
        asked_what_differently: flag(body.asked_what_differently),
    };
    let conversation = form
        .parse(chrono_tz::UTC, Utc::now())
        .map_err(|e| Problem::from_fields(&e, api_field))?;
    let mut tx = state.db.begin().await?;
    let case = db_cases::lock(&mut tx, caller.scope(), number, None)
        .await
        .map_err(write_error)?;
    db_cases::add_conversation(&mut tx, case.id, &conversation, caller.user_id).await?;
    tx.commit().await?;
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
    /// How the client felt, from −2 to +2.
    pub sentiment: i16,
    #[serde(default)]
    pub next_step: String,
    /// The client's own words about how things stand, a short quote (at most 500 characters).
    #[serde(default)]
    pub client_words: String,
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
    let scope = caller.scope();
    let number = follow_ups::case_of(&state.db, scope, id)
        .await?
        .ok_or_else(|| {
            Problem::not_found("There is no such check-in, or it is not yours to see.")
        })?;
    let form = CheckInForm {
        channel: body.channel.as_str().to_string(),
        summary: body.summary,
        sentiment: body.sentiment.to_string(),
        next_step: body.next_step,
        client_words: body.client_words,
        ..CheckInForm::default()
    };
    let result = form
        .parse()
        .map_err(|e| Problem::from_fields(&e, api_field))?;
    let mut tx = state.db.begin().await?;
    let case = db_cases::lock(&mut tx, scope, number, None)
        .await
        .map_err(write_error)?;
    match follow_ups::settle(
        &mut tx,
        case.id,
        Some(id),
        Outcome::Done(&result),
        caller.user_id,
        Utc::now(),
    )
    .await?
    {
        follow_ups::Settled::Now(_) => {}
        follow_ups::Settled::NotOpen => {
            return Err(Problem::conflict(
                "That check-in was already recorded: nothing changed.",
            ));
        }
        follow_ups::Settled::NotYet(from) => {
            return Err(Problem::conflict(crate::domain::cadence::not_yet_message(
                from,
            )));
        }
    }
    tx.commit().await?;
    Ok(Json(CaseChanged {
        number,
        reference: format!("CR-{number}"),
        message: "Check-in recorded.".into(),
    }))
}
