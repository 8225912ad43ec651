//! Repair cases and their stage work. Every change locks the case row (`for update`), checks
//! the caller's scope and, for edits of the case itself, the version the form was opened at;
//! it writes its timeline event in the same transaction. Nothing is hard-deleted.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::timeline::{Changes, event, opt};
use crate::domain::case::{
    Assessment, Definition, DetectedBy, NewIncident, OurShare, RelationshipValue, Reparation,
    Severity,
};
use crate::domain::stage::{CaseFacts, Decision, LetGoRequest, Outcome, Stage};
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
    pub severity: Severity,
    pub detected_by: DetectedBy,
    pub occurred_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub currency: String,
    pub value_at_risk_minor: Option<i64>,
    pub stage: Stage,
    pub outcome: Outcome,
    pub root_cause: String,
    pub our_share: Option<OurShare>,
    pub other_side_view: String,
    pub relationship_value: Option<RelationshipValue>,
    pub decision: Option<Decision>,
    pub reparation_what: String,
    pub reparation_cost_minor: Option<i64>,
    pub reparation_none_reason: String,
    pub let_go: LetGoRequest,
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
                  k.name as category_name, c.severity as "severity: Severity",
                  c.detected_by as "detected_by: DetectedBy", c.occurred_at,
                  c.detected_at, c.currency, c.value_at_risk_minor, c.stage as "stage: Stage",
                  c.outcome as "outcome: Outcome", c.root_cause,
                  c.our_share as "our_share: OurShare", c.other_side_view,
                  c.relationship_value as "relationship_value: RelationshipValue",
                  c.decision as "decision: Decision",
                  c.reparation_what, c.reparation_cost_minor, c.reparation_none_reason,
                  c.let_go as "let_go: LetGoRequest", c.let_go_reason, r.name as "let_go_requested_by?", c.version,
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
                  our_share as "our_share!", value_at_risk as "value_at_risk!",
                  decision as "decision: Decision", reparation as "reparation!",
                  let_go as "let_go!: LetGoRequest",
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
                  our_share as "our_share!", value_at_risk as "value_at_risk!",
                  decision as "decision: Decision", reparation as "reparation!",
                  let_go as "let_go!: LetGoRequest",
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
    pub decision: Option<Decision>,
    pub reparation: bool,
    pub let_go: LetGoRequest,
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
            decision: r.decision,
            conversations: count(r.conversations),
            non_email_conversations: count(r.non_email),
            action_items: count(r.actions),
            reparation: r.reparation,
            commitments: count(r.commitments),
            follow_up_plan: r.follow_up_plan,
            checkins_with_sentiment: count(r.checkins),
            lessons: count(r.lessons),
            let_go: r.let_go,
            restored_after: r.restored_after.and_then(|n| u32::try_from(n).ok()),
            good_in_row: count(r.good_in_row),
        }
    }
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
    pub stage: Stage,
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
        r#"select id, version, stage as "stage: Stage", team_id from cases
         where number = $1 and ($2 or team_id = $3) for update"#,
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

/// Bumps the version of an edited case.
pub(super) async fn touch(tx: &mut Transaction<'_, Postgres>, case_id: Uuid) -> sqlx::Result<()> {
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

/// Logs an incident on a visible account, owned by `owner`: the case and its first event.
pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    scope: Scope,
    incident: &NewIncident,
    owner: Uuid,
    actor: Uuid,
) -> Result<Created, CreateCaseError> {
    let (all, team) = scope.sql_params();
    let category_ok = sqlx::query_scalar!(
        r#"select exists(select 1 from categories where id = $1 and retired_at is null) as "e!""#,
        incident.category_id
    )
    .fetch_one(&mut **tx)
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
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(CreateCaseError::UnknownAccount)?;
    event(
        tx,
        row.id,
        actor,
        "created",
        &format!("Logged the incident \u{201c}{}\u{201d}", incident.title),
        json!({}),
    )
    .await?;
    Ok(Created {
        id: row.id,
        number: row.number,
    })
}

/// A case just logged.
#[derive(Debug, Clone, Copy)]
pub struct Created {
    pub id: Uuid,
    pub number: i64,
}

/// Saves the definition of the damage (case `case_id`, locked by the caller), recording each
/// changed field as old → new in words people read. False when the category is not known.
pub async fn update_definition(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    def: &Definition,
    actor: Uuid,
    tz: chrono_tz::Tz,
) -> sqlx::Result<bool> {
    let old = sqlx::query!(
        r#"select c.title, c.what_happened, c.category_id, k.name as category,
                  c.severity as "severity: Severity", c.detected_by as "detected_by: DetectedBy",
                  c.occurred_at
           from cases c join categories k on k.id = c.category_id where c.id = $1"#,
        case_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let Some(new_category) =
        sqlx::query_scalar!("select name from categories where id = $1", def.category_id)
            .fetch_optional(&mut **tx)
            .await?
    else {
        return Ok(false);
    };
    let when = |t: DateTime<Utc>| crate::domain::case::local_display(t, tz);
    let mut changes = Changes::default();
    changes.diff("title", old.title, def.title.clone());
    changes.diff(
        "what happened",
        old.what_happened,
        def.what_happened.clone(),
    );
    changes.diff("category", old.category, new_category);
    changes.diff("severity", old.severity.label(), def.severity.label());
    changes.diff(
        "who noticed first",
        old.detected_by.label(),
        def.detected_by.label(),
    );
    changes.diff(
        "when it happened",
        when(old.occurred_at),
        when(def.occurred_at),
    );
    if changes.is_empty() {
        return Ok(true);
    }
    sqlx::query!(
        "update cases set title = $2, what_happened = $3, category_id = $4, severity = $5,
                detected_by = $6, occurred_at = $7 where id = $1",
        case_id,
        def.title,
        def.what_happened,
        def.category_id,
        def.severity.as_str(),
        def.detected_by.as_str(),
        def.occurred_at
    )
    .execute(&mut **tx)
    .await?;
    touch(tx, case_id).await?;
    event(
        tx,
        case_id,
        actor,
        "edited",
        &format!("Edited {}", changes.fields()),
        changes.data(),
    )
    .await?;
    Ok(true)
}

/// Saves the assessment of case `case_id` (locked by the caller).
pub async fn save_assessment(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    a: &Assessment,
    actor: Uuid,
) -> sqlx::Result<()> {
    let old = sqlx::query!(
        r#"select root_cause, our_share as "our_share: OurShare", other_side_view,
                  relationship_value as "relationship_value: RelationshipValue",
                  value_at_risk_minor, decision as "decision: Decision", currency
           from cases where id = $1"#,
        case_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let money = |m: Option<i64>| m.map(|m| crate::domain::money::format(m, &old.currency));
    let mut changes = Changes::default();
    changes.diff("root cause", old.root_cause.clone(), a.root_cause.clone());
    changes.diff(
        "our share",
        opt(old.our_share.map(|s| s.label())),
        opt(a.our_share.map(|s| s.label())),
    );
    changes.diff(
        "the client's view",
        old.other_side_view.clone(),
        a.other_side_view.clone(),
    );
    changes.diff(
        "relationship value",
        opt(old.relationship_value.map(|v| v.label())),
        opt(a.relationship_value.map(|v| v.label())),
    );
    changes.diff(
        "value at risk",
        opt(money(old.value_at_risk_minor)),
        opt(money(a.value_at_risk_minor)),
    );
    changes.diff(
        "decision",
        opt(old.decision.map(|d| d.label())),
        opt(a.decision.map(|d| d.label())),
    );
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "update cases set root_cause = $2, our_share = $3, other_side_view = $4,
                relationship_value = $5, value_at_risk_minor = $6, decision = $7 where id = $1",
        case_id,
        a.root_cause,
        a.our_share.map(|s| s.as_str()),
        a.other_side_view,
        a.relationship_value.map(|v| v.as_str()),
        a.value_at_risk_minor,
        a.decision.map(|d| d.as_str())
    )
    .execute(&mut **tx)
    .await?;
    touch(tx, case_id).await?;
    let summary = format!("Assessment: changed {}", changes.fields());
    event(tx, case_id, actor, "assessment", &summary, changes.data()).await
}

/// Saves the reparation of case `case_id` (locked by the caller).
pub async fn save_reparation(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    r: &Reparation,
    actor: Uuid,
) -> sqlx::Result<()> {
    let old = sqlx::query!(
        "select reparation_what, reparation_cost_minor, reparation_none_reason, currency
         from cases where id = $1",
        case_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let money = |m: Option<i64>| m.map(|m| crate::domain::money::format(m, &old.currency));
    let mut changes = Changes::default();
    changes.diff("reparation", old.reparation_what.clone(), r.what.clone());
    changes.diff(
        "cost",
        opt(money(old.reparation_cost_minor)),
        opt(money(r.cost_minor)),
    );
    changes.diff(
        "why none",
        old.reparation_none_reason.clone(),
        r.none_reason.clone(),
    );
    sqlx::query!(
        "update cases set reparation_what = $2, reparation_cost_minor = $3, reparation_none_reason = $4
         where id = $1",
        case_id,
        r.what,
        r.cost_minor,
        r.none_reason
    )
    .execute(&mut **tx)
    .await?;
    touch(tx, case_id).await?;
    let summary = if r.what.is_empty() {
        format!("Recorded no reparation: {}", r.none_reason)
    } else {
        format!("Recorded the reparation: {}", r.what)
    };
    event(tx, case_id, actor, "reparation", &summary, changes.data()).await
}

/// Moves the case to `stage` (and `outcome`), after the caller's domain check passed on facts
/// read inside this same transaction.
pub async fn set_stage(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    stage: Stage,
    outcome: Outcome,
    actor: Uuid,
    summary: &str,
    reason: Option<&str>,
) -> sqlx::Result<()> {
    let (stage, outcome) = (stage.as_str(), outcome.as_str());
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
