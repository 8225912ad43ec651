//! Repair cases and their stage work. Every change locks the case row (`for update`), checks
//! the caller's scope and, for edits of the case itself, the version the form was opened at;
//! it writes its timeline event in the same transaction. Nothing is hard-deleted.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use crate::domain::case::{
    Assessment, Definition, NewAction, NewConversation, NewIncident, Reparation,
};
use crate::domain::stage::{CaseFacts, Decision, LetGoRequest};
use crate::domain::visibility::Scope;

#[derive(Debug, Clone)]
pub struct Case {
    pub id: Uuid,
    pub number: i64,
    pub account_id: Uuid,
    pub account_name: String,
    pub account_value_minor: i64,
    pub team_id: Uuid,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub title: String,
    pub what_happened: String,
    pub category_id: Uuid,
    pub category_name: String,
    pub severity: String,
    pub detected_by: String,
    pub occurred_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub currency: String,
    pub value_at_risk_minor: Option<i64>,
    pub stage: String,
    pub outcome: String,
    pub root_cause: String,
    pub our_share: Option<String>,
    pub other_side_view: String,
    pub relationship_value: Option<String>,
    pub decision: Option<String>,
    pub reparation_what: String,
    pub reparation_cost_minor: Option<i64>,
    pub reparation_none_reason: String,
    pub let_go: String,
    pub let_go_reason: String,
    pub let_go_requested_by: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A case the caller can see, by its number.
pub async fn get(db: impl PgExecutor<'_>, scope: Scope, number: i64) -> sqlx::Result<Option<Case>> {
    let (all, team) = scope.sql_params();
    sqlx::query_as!(
        Case,
        r#"select c.id, c.number, c.account_id, a.name as account_name,
                  a.annual_value_minor as account_value_minor, c.team_id, c.owner_id,
                  o.name as owner_name, c.title, c.what_happened, c.category_id,
                  k.name as category_name, c.severity, c.detected_by, c.occurred_at,
                  c.detected_at, c.currency, c.value_at_risk_minor, c.stage, c.outcome,
                  c.root_cause, c.our_share, c.other_side_view, c.relationship_value, c.decision,
                  c.reparation_what, c.reparation_cost_minor, c.reparation_none_reason,
                  c.let_go, c.let_go_reason, r.name as "let_go_requested_by?", c.version,
                  c.created_at, c.closed_at
           from cases c
           join accounts a on a.id = c.account_id
           join users o on o.id = c.owner_id
           join categories k on k.id = c.category_id
           left join users r on r.id = c.let_go_requested_by
           where c.number = $1 and ($2 or c.team_id = $3)"#,
        number,
        all,
        team
    )
    .fetch_optional(db)
    .await
}

/// What the gates look at for one case, with the restored gate's count of good check-ins.
pub async fn facts(db: impl PgExecutor<'_>, case_id: Uuid) -> sqlx::Result<CaseFacts> {
    let row = sqlx::query_as!(
        FactsRow,
        r#"select id as "id!", what_happened as "what_happened!", root_cause as "root_cause!",
                  our_share as "our_share!", value_at_risk as "value_at_risk!", decision,
                  reparation as "reparation!", let_go as "let_go!",
                  conversations as "conversations!", non_email as "non_email!",
                  actions as "actions!", commitments as "commitments!", lessons as "lessons!",
                  follow_up_plan as "follow_up_plan!", checkins as "checkins!",
                  restored_after, good_in_row as "good_in_row!"
           from case_gate_facts where id = $1"#,
        case_id
    )
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

/// What the gates look at for each of `case_ids`, counted in one query (all but the restored
/// gate's good check-ins in a row, which only closing a case needs).
pub async fn facts_for(
    db: impl PgExecutor<'_>,
    case_ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, CaseFacts)>> {
    let rows = sqlx::query_as!(
        FactsRow,
        r#"select id as "id!", what_happened as "what_happened!", root_cause as "root_cause!",
                  our_share as "our_share!", value_at_risk as "value_at_risk!", decision,
                  reparation as "reparation!", let_go as "let_go!",
                  conversations as "conversations!", non_email as "non_email!",
                  actions as "actions!", commitments as "commitments!", lessons as "lessons!",
                  follow_up_plan as "follow_up_plan!", checkins as "checkins!",
                  null::int as restored_after, 0::bigint as "good_in_row!"
           from case_gate_facts where id = any($1)"#,
        case_ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.into())).collect())
}

/// A row of the `case_gate_facts` view (migration 20261128000002), which defines the facts.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct FactsRow {
    pub id: Uuid,
    pub what_happened: bool,
    pub root_cause: bool,
    pub our_share: bool,
    pub value_at_risk: bool,
    pub decision: Option<String>,
    pub reparation: bool,
    pub let_go: String,
    pub conversations: i64,
    pub non_email: i64,
    pub actions: i64,
    pub commitments: i64,
    pub lessons: i64,
    pub follow_up_plan: bool,
    pub checkins: i64,
    #[serde(default)]
    pub restored_after: Option<i32>,
    #[serde(default)]
    pub good_in_row: i64,
}

impl From<FactsRow> for CaseFacts {
    fn from(r: FactsRow) -> CaseFacts {
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        CaseFacts {
            what_happened: r.what_happened,
            occurred_at: true,
            detected_by: true,
            severity: true,
            category: true,
            root_cause: r.root_cause,
            our_share: r.our_share,
            value_at_risk: r.value_at_risk,
            decision: r.decision.as_deref().and_then(|d| Decision::parse(d).ok()),
            conversations: count(r.conversations),
            non_email_conversations: count(r.non_email),
            action_items: count(r.actions),
            reparation: r.reparation,
            commitments: count(r.commitments),
            follow_up_plan: r.follow_up_plan,
            checkins_with_sentiment: count(r.checkins),
            lessons: count(r.lessons),
            let_go: LetGoRequest::parse(&r.let_go).unwrap_or_default(),
            restored_after: r.restored_after.and_then(|n| u32::try_from(n).ok()),
            good_in_row: count(r.good_in_row),
        }
    }
}

/// An open case on its owner's My work.
#[derive(Debug, Clone)]
pub struct MyCase {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub account: String,
    pub stage: String,
    pub created_at: DateTime<Utc>,
    /// How many open cases of this owner are in the same stage.
    pub in_stage: i64,
}

/// The oldest `per_stage` open cases `owner` owns and can see in each stage, with the number in
/// each stage.
pub async fn open_owned_by(
    db: impl PgExecutor<'_>,
    scope: Scope,
    owner: Uuid,
    per_stage: i64,
) -> sqlx::Result<Vec<MyCase>> {
    let (all, team) = scope.sql_params();
    // Per stage: a count and the oldest few, each a short range of `cases_owner_open_stage_idx`.
    sqlx::query_as!(
        MyCase,
        r#"select c.id, c.number, c.title, a.name as account, c.stage, c.created_at,
                  n.in_stage as "in_stage!"
           from (select stage, count(*) as in_stage from cases
                 where owner_id = $1 and outcome = 'open' and ($2 or team_id = $3)
                 group by stage) n
           cross join lateral (
             select c.id, c.number, c.title, c.account_id, c.stage, c.created_at from cases c
             where c.owner_id = $1 and c.outcome = 'open' and c.stage = n.stage
               and ($2 or c.team_id = $3)
             order by c.created_at, c.number
             limit $4) c
           join accounts a on a.id = c.account_id
           order by c.created_at, c.number"#,
        owner,
        all,
        team,
        per_stage
    )
    .fetch_all(db)
    .await
}

/// An open action item on its owner's My work.
#[derive(Debug, Clone)]
pub struct MyAction {
    pub number: i64,
    pub case_title: String,
    pub what: String,
    pub due_date: Option<NaiveDate>,
}

/// Open action items of open cases owned by `owner`, due by `until` (or undated), soonest first:
/// the first `limit`, and how many there are in all.
pub async fn actions_due(
    db: impl PgExecutor<'_>,
    scope: Scope,
    owner: Uuid,
    until: NaiveDate,
    limit: i64,
) -> sqlx::Result<(Vec<MyAction>, i64)> {
    let (all, team) = scope.sql_params();
    let rows = sqlx::query!(
        r#"select c.number, c.title as case_title, i.what, i.due_date,
                  count(*) over () as "total!"
           from action_items i join cases c on c.id = i.case_id
           where i.owner_id = $1 and i.done_at is null and i.removed_at is null
             and c.outcome = 'open'
             and (i.due_date is null or i.due_date <= $2) and ($3 or c.team_id = $4)
           order by i.due_date nulls last, c.number
           limit $5"#,
        owner,
        until,
        all,
        team,
        limit
    )
    .fetch_all(db)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((
        rows.into_iter()
            .map(|r| MyAction {
                number: r.number,
                case_title: r.case_title,
                what: r.what,
                due_date: r.due_date,
            })
            .collect(),
        total,
    ))
}

#[derive(Debug, thiserror::Error)]
pub enum CaseWriteError {
    #[error("not found")]
    NotFound,
    #[error("the case changed since the form was opened")]
    Stale,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The locked row a change works on.
pub struct Locked {
    pub id: Uuid,
    pub version: i32,
    pub stage: String,
    pub team_id: Uuid,
}

/// Locks a visible case for the rest of the transaction; checks `expected_version` if given.
pub async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    scope: Scope,
    number: i64,
    expected_version: Option<i32>,
) -> Result<Locked, CaseWriteError> {
    let (all, team) = scope.sql_params();
    let row = sqlx::query_as!(
        Locked,
        "select id, version, stage, team_id from cases
         where number = $1 and ($2 or team_id = $3) for update",
        number,
        all,
        team
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(CaseWriteError::NotFound)?;
    match expected_version {
        Some(v) if v != row.version => Err(CaseWriteError::Stale),
        _ => Ok(row),
    }
}

/// Appends to the timeline and marks the case as active.
pub async fn event(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    actor: Uuid,
    kind: &str,
    summary: &str,
    data: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into case_events (case_id, actor_id, kind, summary, data) values ($1, $2, $3, $4, $5)",
        case_id,
        actor,
        kind,
        summary,
        data
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "update cases set last_activity_at = now() where id = $1",
        case_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Field changes for the timeline: `(field, old, new)`, only those that differ.
#[derive(Default)]
struct Changes(Vec<serde_json::Value>);

impl Changes {
    fn diff(&mut self, field: &str, from: impl Into<String>, to: impl Into<String>) {
        let (from, to) = (from.into(), to.into());
        if from != to {
            self.0.push(json!({"field": field, "from": from, "to": to}));
        }
    }

    fn fields(&self) -> String {
        let names: Vec<&str> = self.0.iter().filter_map(|c| c["field"].as_str()).collect();
        names.join(", ")
    }

    fn data(self) -> serde_json::Value {
        json!({ "changes": self.0 })
    }
}

fn opt(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Bumps the version of an edited case.
async fn touch(tx: &mut Transaction<'_, Postgres>, case_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "update cases set version = version + 1, updated_at = now() where id = $1",
        case_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateCaseError {
    #[error("unknown account")]
    UnknownAccount,
    #[error("unknown category")]
    UnknownCategory,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Logs an incident on a visible account, owned by `owner`. Returns the case number.
pub async fn create(
    conn: &mut PgConnection,
    scope: Scope,
    incident: &NewIncident,
    owner: Uuid,
    actor: Uuid,
) -> Result<i64, CreateCaseError> {
    let (all, team) = scope.sql_params();
    let mut tx = sqlx::Connection::begin(conn).await?;
    let category_ok = sqlx::query_scalar!(
        r#"select exists(select 1 from categories where id = $1 and retired_at is null) as "e!""#,
        incident.category_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !category_ok {
        return Err(CreateCaseError::UnknownCategory);
    }
    let row = sqlx::query!(
        "insert into cases (account_id, team_id, owner_id, created_by, title, what_happened,
                            category_id, severity, detected_by, occurred_at, detected_at, currency)
         select a.id, a.team_id, $2, $3, $4, $5, $6, $7, $8, $9, now(), a.currency
         from accounts a where a.id = $1 and ($10 or a.team_id = $11)
         returning id, number",
        incident.account_id,
        owner,
        actor,
        incident.title,
        incident.what_happened,
        incident.category_id,
        incident.severity.as_str(),
        incident.detected_by.as_str(),
        incident.occurred_at,
        all,
        team
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(CreateCaseError::UnknownAccount)?;
    event(
        &mut tx,
        row.id,
        actor,
        "created",
        &format!("Logged the incident \u{201c}{}\u{201d}", incident.title),
        json!({}),
    )
    .await?;
    // A second incident soon after a repair: the managers should know at once.
    super::escalation::escalate_repeat(&mut tx, row.id).await?;
    tx.commit().await?;
    Ok(row.number)
}

/// Saves the definition of the damage, recording each changed field as old → new.
pub async fn update_definition(
    conn: &mut PgConnection,
    scope: Scope,
    number: i64,
    version: Option<i32>,
    def: &Definition,
    actor: Uuid,
) -> Result<(), CaseWriteError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let case = lock(&mut tx, scope, number, version).await?;
    let old = sqlx::query!(
        r#"select c.title, c.what_happened, c.category_id, k.name as category, c.severity,
                  c.detected_by, c.occurred_at
           from cases c join categories k on k.id = c.category_id where c.id = $1"#,
        case.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let new_category =
        sqlx::query_scalar!("select name from categories where id = $1", def.category_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(CaseWriteError::NotFound)?;
    let mut changes = Changes::default();
    changes.diff("title", old.title, def.title.clone());
    changes.diff(
        "what happened",
        old.what_happened,
        def.what_happened.clone(),
    );
    changes.diff("category", old.category, new_category);
    changes.diff("severity", old.severity, def.severity.as_str().to_string());
    changes.diff(
        "detected by",
        old.detected_by,
        def.detected_by.as_str().to_string(),
    );
    changes.diff(
        "occurred at",
        old.occurred_at.to_rfc3339(),
        def.occurred_at.to_rfc3339(),
    );
    if changes.0.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "update cases set title = $2, what_happened = $3, category_id = $4, severity = $5,
                detected_by = $6, occurred_at = $7 where id = $1",
        case.id,
        def.title,
        def.what_happened,
        def.category_id,
        def.severity.as_str(),
        def.detected_by.as_str(),
        def.occurred_at
    )
    .execute(&mut *tx)
    .await?;
    touch(&mut tx, case.id).await?;
    event(
        &mut tx,
        case.id,
        actor,
        "edited",
        &format!("Edited {}", changes.fields()),
        changes.data(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the assessment.
pub async fn save_assessment(
    conn: &mut PgConnection,
    scope: Scope,
    number: i64,
    version: Option<i32>,
    a: &Assessment,
    actor: Uuid,
) -> Result<(), CaseWriteError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let case = lock(&mut tx, scope, number, version).await?;
    let old = sqlx::query!(
        "select root_cause, our_share, other_side_view, relationship_value, value_at_risk_minor, decision
         from cases where id = $1",
        case.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut changes = Changes::default();
    changes.diff("root cause", old.root_cause, a.root_cause.clone());
    changes.diff(
        "our share",
        opt(old.our_share),
        opt(a.our_share.map(|s| s.as_str())),
    );
    changes.diff(
        "the client's view",
        old.other_side_view,
        a.other_side_view.clone(),
    );
    changes.diff(
        "relationship value",
        opt(old.relationship_value),
        opt(a.relationship_value.map(|v| v.as_str())),
    );
    changes.diff(
        "value at risk",
        opt(old
            .value_at_risk_minor
            .map(crate::domain::money::format_input)),
        opt(a
            .value_at_risk_minor
            .map(crate::domain::money::format_input)),
    );
    changes.diff(
        "decision",
        opt(old.decision),
        opt(a.decision.map(|d| d.as_str())),
    );
    if changes.0.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "update cases set root_cause = $2, our_share = $3, other_side_view = $4,
                relationship_value = $5, value_at_risk_minor = $6, decision = $7 where id = $1",
        case.id,
        a.root_cause,
        a.our_share.map(|s| s.as_str()),
        a.other_side_view,
        a.relationship_value.map(|v| v.as_str()),
        a.value_at_risk_minor,
        a.decision.map(|d| d.as_str())
    )
    .execute(&mut *tx)
    .await?;
    touch(&mut tx, case.id).await?;
    let summary = format!("Assessment: changed {}", changes.fields());
    event(
        &mut tx,
        case.id,
        actor,
        "assessment",
        &summary,
        changes.data(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the reparation.
pub async fn save_reparation(
    conn: &mut PgConnection,
    scope: Scope,
    number: i64,
    version: Option<i32>,
    r: &Reparation,
    actor: Uuid,
) -> Result<(), CaseWriteError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let case = lock(&mut tx, scope, number, version).await?;
    let old = sqlx::query!(
        "select reparation_what, reparation_cost_minor, reparation_none_reason from cases where id = $1",
        case.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut changes = Changes::default();
    changes.diff("reparation", old.reparation_what, r.what.clone());
    changes.diff(
        "cost",
        opt(old
            .reparation_cost_minor
            .map(crate::domain::money::format_input)),
        opt(r.cost_minor.map(crate::domain::money::format_input)),
    );
    changes.diff(
        "why none",
        old.reparation_none_reason,
        r.none_reason.clone(),
    );
    sqlx::query!(
        "update cases set reparation_what = $2, reparation_cost_minor = $3, reparation_none_reason = $4
         where id = $1",
        case.id,
        r.what,
        r.cost_minor,
        r.none_reason
    )
    .execute(&mut *tx)
    .await?;
    touch(&mut tx, case.id).await?;
    let summary = if r.what.is_empty() {
        format!("Recorded no reparation: {}", r.none_reason)
    } else {
        format!("Recorded the reparation: {}", r.what)
    };
    event(
        &mut tx,
        case.id,
        actor,
        "reparation",
        &summary,
        changes.data(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves the case to `stage` (and `outcome`), after the caller's domain check passed on facts
/// read inside this same transaction (see `facts_locked`).
pub async fn set_stage(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    stage: &str,
    outcome: &str,
    actor: Uuid,
    summary: &str,
    reason: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update cases set stage = $2, outcome = $3,
                closed_at = case when $2 = 'closed' then now() else null end
         where id = $1",
        case_id,
        stage,
        outcome
    )
    .execute(&mut **tx)
    .await?;
    touch(tx, case_id).await?;
    event(
        tx,
        case_id,
        actor,
        "stage",
        summary,
        json!({"to": stage, "outcome": outcome, "reason": reason}),
    )
    .await
}

/// Records a let-go request.
pub async fn request_let_go(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    reason: &str,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update cases set let_go = 'requested', let_go_reason = $2, let_go_requested_by = $3,
                let_go_requested_at = now(), let_go_decided_by = null, let_go_decided_at = null
         where id = $1",
        case_id,
        reason,
        actor
    )
    .execute(&mut **tx)
    .await?;
    touch(tx, case_id).await?;
    event(
        tx,
        case_id,
        actor,
        "let_go",
        &format!("Asked a manager to approve letting go: {reason}"),
        json!({}),
    )
    .await
}

/// Records a manager's decision on a let-go request.
pub async fn decide_let_go(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    approve: bool,
    actor: Uuid,
) -> sqlx::Result<()> {
    let state = if approve { "approved" } else { "declined" };
    sqlx::query!(
        "update cases set let_go = $2, let_go_decided_by = $3, let_go_decided_at = now() where id = $1",
        case_id,
        state,
        actor
    )
    .execute(&mut **tx)
    .await?;
    touch(tx, case_id).await?;
    let summary = if approve {
        "Approved letting go"
    } else {
        "Declined letting go: keep repairing"
    };
    event(
        tx,
        case_id,
        actor,
        "let_go",
        summary,
        json!({"decision": state}),
    )
    .await
}

/// Gives the case to another owner in the case's team.
pub async fn reassign(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    team_id: Uuid,
    owner: Uuid,
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    let new_owner = sqlx::query_scalar!(
        "select name from users where id = $1 and team_id = $2 and active",
        owner,
        team_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(name) = new_owner else {
        return Ok(false);
    };
    sqlx::query!(
        "update cases set owner_id = $2 where id = $1",
        case_id,
        owner
    )
    .execute(&mut **tx)
    .await?;
    touch(tx, case_id).await?;
    event(
        tx,
        case_id,
        actor,
        "reassigned",
        &format!("Reassigned to {name}"),
        json!({"owner": owner}),
    )
    .await?;
    Ok(true)
}

pub async fn add_conversation(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    c: &NewConversation,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into conversations (case_id, channel, with_whom, happened_at, summary, sentiment,
                listened_fully, validated_feelings, took_responsibility, asked_what_differently, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        case_id,
        c.channel.as_str(),
        c.with_whom,
        c.happened_at,
        c.summary,
        c.sentiment,
        c.listened_fully,
        c.validated_feelings,
        c.took_responsibility,
        c.asked_what_differently,
        actor
    )
    .execute(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "conversation",
        &format!(
            "Logged a conversation {} with {}",
            c.channel.how(),
            c.with_whom
        ),
        json!({"sentiment": c.sentiment}),
    )
    .await
}

/// Adds an action item; the owner must be an active member of the case's team.
pub async fn add_action(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    team_id: Uuid,
    a: &NewAction,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let owner = sqlx::query_scalar!(
        "select name from users where id = $1 and team_id = $2 and active",
        a.owner_id,
        team_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(owner) = owner else { return Ok(false) };
    sqlx::query!(
        "insert into action_items (case_id, what, owner_id, due_date, created_by) values ($1, $2, $3, $4, $5)",
        case_id,
        a.what,
        a.owner_id,
        a.due_date,
        actor
    )
    .execute(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "action",
        &format!("Added an action for {owner}: {}", a.what),
        json!({}),
    )
    .await?;
    Ok(true)
}

/// Marks an action item done (or not done again). Returns false if it is not on this case.
pub async fn set_action_done(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    item: Uuid,
    done: bool,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let what = sqlx::query_scalar!(
        "update action_items set done_at = case when $3 then coalesce(done_at, now()) else null end
         where id = $1 and case_id = $2 and removed_at is null returning what",
        item,
        case_id,
        done
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(what) = what else { return Ok(false) };
    let summary = if done {
        format!("Done: {what}")
    } else {
        format!("Reopened: {what}")
    };
    event(tx, case_id, actor, "action", &summary, json!({})).await?;
    Ok(true)
}

/// Which list a removable item belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    Conversation,
    Action,
    Commitment,
    Lesson,
}

/// Removes an item from a case (it stays in the database, marked removed). False if not found.
pub async fn remove_item(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    kind: Item,
    item: Uuid,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let text = match kind {
        Item::Conversation => sqlx::query_scalar!(
            "update conversations set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning summary",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
        Item::Action => sqlx::query_scalar!(
            "update action_items set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning what",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
        Item::Commitment => sqlx::query_scalar!(
            "update commitments set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning text",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
        Item::Lesson => sqlx::query_scalar!(
            "update lessons set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning text",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
    };
    let Some(text) = text else { return Ok(false) };
    let what = match kind {
        Item::Conversation => "a conversation",
        Item::Action => "an action",
        Item::Commitment => "a commitment",
        Item::Lesson => "a lesson",
    };
    let short: String = text.chars().take(80).collect();
    event(
        tx,
        case_id,
        actor,
        "removed",
        &format!("Removed {what}: {short}"),
        json!({"item": item}),
    )
    .await?;
    Ok(true)
}

pub async fn add_commitment(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    text: &str,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into commitments (case_id, text, created_by) values ($1, $2, $3)",
        case_id,
        text,
        actor
    )
    .execute(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "commitment",
        &format!("Committed: {text}"),
        json!({}),
    )
    .await
}

pub async fn add_lesson(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    text: &str,
    applies_to_all: bool,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into lessons (case_id, text, applies_to_all, created_by) values ($1, $2, $3, $4)",
        case_id,
        text,
        applies_to_all,
        actor
    )
    .execute(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "lesson",
        &format!("Learned: {text}"),
        json!({}),
    )
    .await
}

/// Active categories, in their order, for select boxes.
pub async fn categories(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<super::accounts::Choice>> {
    sqlx::query_as!(
        super::accounts::Choice,
        r#"select id, name as label from categories where retired_at is null order by position, lower(name)"#
    )
    .fetch_all(db)
    .await
}

/// People in the case's team who can own its work.
pub async fn team_members(
    db: impl PgExecutor<'_>,
    team_id: Uuid,
) -> sqlx::Result<Vec<super::accounts::Choice>> {
    sqlx::query_as!(
        super::accounts::Choice,
        r#"select id, name as label from users where team_id = $1 and active order by lower(name)"#,
        team_id
    )
    .fetch_all(db)
    .await
}

/// Accounts the caller can log incidents for, matching `search`, by name (the account picker).
pub async fn account_choices(
    db: impl PgExecutor<'_>,
    scope: Scope,
    search: &str,
    limit: i64,
) -> sqlx::Result<Vec<super::accounts::Choice>> {
    let (all, team) = scope.sql_params();
    let pattern = format!(
        "%{}%",
        search
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    sqlx::query_as!(
        super::accounts::Choice,
        r#"select id, name as label from accounts
           where ($1 or team_id = $2) and name ilike $3
           order by lower(name) limit $4"#,
        all,
        team,
        pattern,
        limit
    )
    .fetch_all(db)
    .await
}

/// The client's mood over time (conversations and completed check-ins, oldest first) for each
/// of `case_ids` that has any: kept on the case by triggers (migration 20261128000001).
pub async fn sentiment_series(
    db: impl PgExecutor<'_>,
    case_ids: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, Vec<i16>>> {
    let rows = sqlx::query!(
        "select id, mood from cases where id = any($1) and cardinality(mood) > 0",
        case_ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.mood)).collect())
}
