//! Everything the case page shows about one case, read in one statement: the case with its
//! names, the gate facts (the `case_gate_facts` view), and its conversations, action items,
//! commitments, lessons, timeline, follow-up plan and check-ins as JSON arrays.
//!
//! One statement instead of ten: each round trip to PostgreSQL costs more than the small
//! index lookups it carries, and the case page is the most visited page after the list.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgExecutor;
use sqlx::types::Json;
use uuid::Uuid;

use super::cases::{Case, FactsRow};
use crate::domain::cadence::CheckInStatus;
use crate::domain::case::{Channel, DetectedBy, OurShare, RelationshipValue, Severity};
use crate::domain::commitment::{CommitmentState, Reach};
use crate::domain::stage::{CaseFacts, Decision, LetGoRequest, Outcome, Stage};
use crate::domain::visibility::Scope;

/// The case page's data.
#[derive(Debug)]
pub struct PageData {
    pub case: Case,
    pub facts: CaseFacts,
    pub conversations: Vec<Conversation>,
    pub actions: Vec<Action>,
    pub commitments: Vec<Commitment>,
    pub lessons: Vec<Note>,
    /// Newest first.
    pub timeline: Vec<Event>,
    /// The plan in force, if any.
    pub plan: Option<Plan>,
    /// Every check-in of every plan, by due date.
    pub check_ins: Vec<CheckIn>,
    /// When the case was escalated, while nobody has worked on it since, and why.
    pub escalated: Option<Escalation>,
    /// The earlier case this one repeats (a second incident soon after a restore).
    pub linked_number: Option<i64>,
}

/// An escalation in force.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub at: DateTime<Utc>,
    /// `quiet` or `repeat`.
    pub reason: String,
    /// Whether the scheduler has queued the managers' e-mail about it yet.
    pub told: bool,
    /// Whether the case's team has an active manager to tell.
    pub managers: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Conversation {
    pub id: Uuid,
    #[serde(deserialize_with = "super::types::named")]
    pub channel: Channel,
    pub with_whom: String,
    #[serde(deserialize_with = "super::pg_json::time")]
    pub happened_at: DateTime<Utc>,
    pub summary: String,
    pub sentiment: i16,
    pub listened_fully: bool,
    pub validated_feelings: bool,
    pub took_responsibility: bool,
    pub asked_what_differently: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Action {
    pub id: Uuid,
    pub what: String,
    pub owner_name: String,
    #[serde(deserialize_with = "super::pg_json::option_date", default)]
    pub due_date: Option<NaiveDate>,
    #[serde(deserialize_with = "super::pg_json::option_time", default)]
    pub done_at: Option<DateTime<Utc>>,
}

/// A commitment or a lesson.
#[derive(Debug, Clone, Deserialize)]
pub struct Note {
    pub id: Uuid,
    pub text: String,
    pub applies_to_all: bool,
    #[serde(deserialize_with = "super::pg_json::time")]
    pub created_at: DateTime<Utc>,
}

/// A commitment of the ledger.
#[derive(Debug, Clone, Deserialize)]
pub struct Commitment {
    pub id: Uuid,
    pub text: String,
    #[serde(deserialize_with = "super::pg_json::time")]
    pub created_at: DateTime<Utc>,
    pub owner_name: Option<String>,
    #[serde(deserialize_with = "super::types::named")]
    pub scope: Reach,
    pub verification: String,
    #[serde(deserialize_with = "super::pg_json::option_date", default)]
    pub review_on: Option<NaiveDate>,
    #[serde(deserialize_with = "super::types::named")]
    pub state: CommitmentState,
    #[serde(deserialize_with = "super::pg_json::option_time", default)]
    pub state_at: Option<DateTime<Utc>>,
    pub marks: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub kind: String,
    pub summary: String,
    pub data: serde_json::Value,
    pub actor_name: Option<String>,
    #[serde(deserialize_with = "super::pg_json::time")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Plan {
    pub id: Uuid,
    pub cadence: String,
    pub every_days: Option<i32>,
    #[serde(deserialize_with = "super::pg_json::date")]
    pub first_due: NaiveDate,
    pub assignee_id: Uuid,
    pub assignee_name: String,
    pub end_after: Option<i32>,
    #[serde(default)]
    pub adaptive: bool,
    #[serde(default)]
    pub good_streak: i32,
    #[serde(default)]
    pub step_after: i32,
    #[serde(default)]
    pub restored_after: i32,
}

impl Plan {
    pub fn cadence(&self) -> Option<crate::domain::cadence::Cadence> {
        crate::domain::cadence::Cadence::from_parts(&self.cadence, self.every_days)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckIn {
    pub id: Uuid,
    pub seq: i32,
    #[serde(deserialize_with = "super::pg_json::date")]
    pub due_date: NaiveDate,
    pub assignee_name: String,
    /// The assignee's calendar decides from which day the check-in can be recorded.
    #[serde(default)]
    pub assignee_time_zone: String,
    #[serde(deserialize_with = "super::types::named")]
    pub status: CheckInStatus,
    #[serde(deserialize_with = "super::pg_json::option_time", default)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "super::types::option_named", default)]
    pub channel: Option<Channel>,
    pub summary: String,
    pub sentiment: Option<i16>,
    pub next_step: String,
    pub skip_reason: String,
    #[serde(default)]
    pub client_words: String,
}

/// The page of the case `number`, if the caller's scope can see it.
#[tracing::instrument(skip_all, fields(number))]
pub async fn read(
    db: impl PgExecutor<'_>,
    scope: Scope,
    number: i64,
) -> sqlx::Result<Option<PageData>> {
    let (all, team) = scope.sql_params();
    let row = sqlx::query!(
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
                  c.created_at, c.closed_at,
                  case when c.escalated_at >= c.last_activity_at then c.escalated_at end
                      as "escalated_at?: DateTime<Utc>",
                  coalesce(c.escalation_reason, 'quiet') as "escalation_reason!",
                  c.escalation_told_at is not distinct from c.escalated_at as "escalation_told!",
                  exists(select 1 from users m where m.team_id = c.team_id
                           and m.role = 'manager' and m.active) as "team_has_manager!",
                  (select l.number from cases l where l.id = c.linked_case_id) as "linked_number?",
                  (select to_json(f) from case_gate_facts f where f.id = c.id)
                      as "facts!: Json<FactsRow>",
                  coalesce((select json_agg(json_build_object(
                                'id', v.id, 'channel', v.channel, 'with_whom', v.with_whom,
                                'happened_at', v.happened_at, 'summary', v.summary,
                                'sentiment', v.sentiment, 'listened_fully', v.listened_fully,
                                'validated_feelings', v.validated_feelings,
                                'took_responsibility', v.took_responsibility,
                                'asked_what_differently', v.asked_what_differently)
                                order by v.happened_at, v.created_at)
                            from conversations v
                            where v.case_id = c.id and v.removed_at is null), '[]')
                      as "conversations!: Json<Vec<Conversation>>",
                  coalesce((select json_agg(json_build_object(
                                'id', i.id, 'what', i.what, 'owner_name', u.name,
                                'due_date', i.due_date, 'done_at', i.done_at)
                                order by i.created_at)
                            from action_items i join users u on u.id = i.owner_id
                            where i.case_id = c.id and i.removed_at is null), '[]')
                      as "actions!: Json<Vec<Action>>",
                  coalesce((select json_agg(json_build_object(
                                'id', m.id, 'text', m.text, 'created_at', m.created_at,
                                'owner_name', u.name, 'scope', m.scope,
                                'verification', m.verification, 'review_on', m.review_on,
                                'state', m.state, 'state_at', m.state_at,
                                'marks', (select count(*) from commitment_marks k
                                          where k.commitment_id = m.id))
                                order by m.created_at)
                            from commitments m left join users u on u.id = m.owner_id
                            where m.case_id = c.id and m.removed_at is null), '[]')
                      as "commitments!: Json<Vec<Commitment>>",
                  coalesce((select json_agg(json_build_object(
                                'id', l.id, 'text', l.text, 'applies_to_all', l.applies_to_all,
                                'created_at', l.created_at) order by l.created_at)
                            from lessons l
                            where l.case_id = c.id and l.removed_at is null), '[]')
                      as "lessons!: Json<Vec<Note>>",
                  coalesce((select json_agg(json_build_object(
                                'kind', e.kind, 'summary', e.summary, 'data', e.data,
                                'actor_name', u.name, 'created_at', e.created_at)
                                order by e.id desc)
                            from case_events e left join users u on u.id = e.actor_id
                            where e.case_id = c.id), '[]')
                      as "timeline!: Json<Vec<Event>>",
                  (select json_build_object(
                              'id', p.id, 'cadence', p.cadence, 'every_days', p.every_days,
                              'first_due', p.first_due, 'assignee_id', p.assignee_id,
                              'assignee_name', u.name, 'end_after', p.end_after,
                              'adaptive', p.adaptive, 'good_streak', p.good_streak,
                              'step_after', p.step_after, 'restored_after', p.restored_after)
                   from follow_up_plans p join users u on u.id = p.assignee_id
                   where p.case_id = c.id and p.ended_at is null)
                      as "plan: Json<Plan>",
                  coalesce((select json_agg(json_build_object(
                                'id', ci.id, 'seq', ci.seq, 'due_date', ci.due_date,
                                'assignee_name', u.name,
                                'assignee_time_zone', u.time_zone, 'status', ci.status,
                                'completed_at', ci.completed_at, 'channel', ci.channel,
                                'summary', ci.summary, 'sentiment', ci.sentiment,
                                'next_step', ci.next_step, 'skip_reason', ci.skip_reason,
                                'client_words', ci.client_words)
                                order by ci.due_date, ci.created_at)
                            from check_ins ci join users u on u.id = ci.assignee_id
                            where ci.case_id = c.id), '[]')
                      as "check_ins!: Json<Vec<CheckIn>>"
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
    .await?;
    Ok(row.map(|r| PageData {
        case: Case {
            id: r.id,
            number: r.number,
            account_id: r.account_id,
            account_name: r.account_name,
            account_value_minor: r.account_value_minor,
            team_id: r.team_id,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            title: r.title,
            what_happened: r.what_happened,
            category_id: r.category_id,
            category_name: r.category_name,
            severity: r.severity,
            detected_by: r.detected_by,
            occurred_at: r.occurred_at,
            detected_at: r.detected_at,
            currency: r.currency,
            value_at_risk_minor: r.value_at_risk_minor,
            stage: r.stage,
            outcome: r.outcome,
            root_cause: r.root_cause,
            our_share: r.our_share,
            other_side_view: r.other_side_view,
            relationship_value: r.relationship_value,
            decision: r.decision,
            reparation_what: r.reparation_what,
            reparation_cost_minor: r.reparation_cost_minor,
            reparation_none_reason: r.reparation_none_reason,
            let_go: r.let_go,
            let_go_reason: r.let_go_reason,
            let_go_requested_by: r.let_go_requested_by,
            version: r.version,
            created_at: r.created_at,
            closed_at: r.closed_at,
        },
        facts: r.facts.0.into(),
        conversations: r.conversations.0,
        actions: r.actions.0,
        commitments: r.commitments.0,
        lessons: r.lessons.0,
        timeline: r.timeline.0,
        plan: r.plan.map(|p| p.0),
        check_ins: r.check_ins.0,
        escalated: r.escalated_at.map(|at| Escalation {
            at,
            reason: r.escalation_reason,
            told: r.escalation_told,
            managers: r.team_has_manager,
        }),
        linked_number: r.linked_number,
    }))
}
