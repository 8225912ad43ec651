//! The rows `mend demo` writes, as generated: one struct per table, and the whole `Dataset`.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::words::TEAMS;
use super::{Counts, DemoUser};

pub(super) struct UserRow {
    pub(super) id: Uuid,
    pub(super) email: String,
    pub(super) name: &'static str,
    pub(super) role: &'static str,
    pub(super) team: Option<usize>,
    pub(super) time_zone: &'static str,
}

pub(super) struct AccountRow {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) team: usize,
    pub(super) manager_id: Uuid,
    pub(super) annual_value_minor: i64,
    pub(super) tier: &'static str,
    pub(super) contact_first: &'static str,
    pub(super) contact_name: String,
    pub(super) contact_email: String,
    pub(super) contact_phone: String,
    pub(super) notes: &'static str,
    pub(super) created_at: DateTime<Utc>,
}

pub(super) struct CaseRow {
    pub(super) id: Uuid,
    /// Assigned from the sequence just before writing.
    pub(super) number: i64,
    pub(super) account_id: Uuid,
    pub(super) team_id: Uuid,
    pub(super) owner_id: Uuid,
    pub(super) title: String,
    pub(super) what_happened: String,
    pub(super) category_id: Uuid,
    pub(super) severity: &'static str,
    pub(super) detected_by: &'static str,
    pub(super) occurred_at: DateTime<Utc>,
    pub(super) detected_at: DateTime<Utc>,
    pub(super) value_at_risk_minor: Option<i64>,
    pub(super) stage: &'static str,
    pub(super) outcome: &'static str,
    pub(super) root_cause: &'static str,
    pub(super) our_share: Option<&'static str>,
    pub(super) other_side_view: &'static str,
    pub(super) relationship_value: Option<&'static str>,
    pub(super) decision: Option<&'static str>,
    pub(super) reparation_what: &'static str,
    pub(super) reparation_cost_minor: Option<i64>,
    pub(super) reparation_none_reason: &'static str,
    pub(super) let_go: &'static str,
    pub(super) let_go_reason: &'static str,
    pub(super) let_go_requested_by: Option<Uuid>,
    pub(super) let_go_requested_at: Option<DateTime<Utc>>,
    pub(super) let_go_decided_by: Option<Uuid>,
    pub(super) let_go_decided_at: Option<DateTime<Utc>>,
    pub(super) version: i32,
    pub(super) created_at: DateTime<Utc>,
    pub(super) last_activity_at: DateTime<Utc>,
    pub(super) closed_at: Option<DateTime<Utc>>,
}

pub(super) struct EventRow {
    pub(super) case_id: Uuid,
    /// `None`: Mend itself (the scheduler, an adaptive plan).
    pub(super) actor_id: Option<Uuid>,
    pub(super) kind: &'static str,
    pub(super) summary: String,
    pub(super) data: String,
    pub(super) created_at: DateTime<Utc>,
}

pub(super) struct ConversationRow {
    pub(super) id: Uuid,
    pub(super) case_id: Uuid,
    pub(super) channel: &'static str,
    pub(super) with_whom: String,
    pub(super) happened_at: DateTime<Utc>,
    pub(super) summary: String,
    pub(super) sentiment: i16,
    pub(super) listened_fully: bool,
    pub(super) validated_feelings: bool,
    pub(super) took_responsibility: bool,
    pub(super) asked_what_differently: bool,
    pub(super) created_by: Uuid,
    pub(super) created_at: DateTime<Utc>,
}

pub(super) struct ActionItemRow {
    pub(super) id: Uuid,
    pub(super) case_id: Uuid,
    pub(super) what: String,
    pub(super) owner_id: Uuid,
    pub(super) due_date: NaiveDate,
    pub(super) done_at: Option<DateTime<Utc>>,
    pub(super) created_by: Uuid,
    pub(super) created_at: DateTime<Utc>,
}

/// A commitment or a lesson: both are a text on a case.
pub(super) struct NoteRow {
    pub(super) id: Uuid,
    pub(super) case_id: Uuid,
    pub(super) text: &'static str,
    pub(super) applies_to_all: bool,
    pub(super) created_by: Uuid,
    pub(super) created_at: DateTime<Utc>,
}

pub(super) struct FollowUpPlanRow {
    pub(super) id: Uuid,
    pub(super) case_id: Uuid,
    pub(super) cadence: &'static str,
    pub(super) every_days: Option<i32>,
    pub(super) first_due: NaiveDate,
    /// Also who made the plan.
    pub(super) assignee_id: Uuid,
    pub(super) end_after: Option<i32>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) adaptive: bool,
    pub(super) base_seq: i32,
    pub(super) good_streak: i32,
}

pub(super) struct CheckInRow {
    pub(super) id: Uuid,
    pub(super) case_id: Uuid,
    pub(super) plan_id: Uuid,
    pub(super) seq: i32,
    pub(super) due_date: NaiveDate,
    pub(super) assignee_id: Uuid,
    pub(super) status: &'static str,
    pub(super) completed_at: Option<DateTime<Utc>>,
    pub(super) channel: Option<&'static str>,
    pub(super) summary: String,
    pub(super) sentiment: Option<i16>,
    pub(super) next_step: String,
    pub(super) skip_reason: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) client_words: &'static str,
}

/// Everything `mend demo` writes.
#[derive(Default)]
pub(super) struct Dataset {
    pub(super) users: Vec<UserRow>,
    pub(super) accounts: Vec<AccountRow>,
    pub(super) cases: Vec<CaseRow>,
    pub(super) events: Vec<EventRow>,
    pub(super) conversations: Vec<ConversationRow>,
    pub(super) action_items: Vec<ActionItemRow>,
    pub(super) commitments: Vec<NoteRow>,
    pub(super) lessons: Vec<NoteRow>,
    pub(super) follow_up_plans: Vec<FollowUpPlanRow>,
    pub(super) check_ins: Vec<CheckInRow>,
    pub(super) team_ids: Vec<Uuid>,
    pub(super) password_hash: String,
}

impl Dataset {
    pub(super) fn counts(&self) -> Counts {
        Counts {
            teams: self.team_ids.len(),
            users: self.users.len(),
            accounts: self.accounts.len(),
            cases: self.cases.len(),
            events: self.events.len(),
            conversations: self.conversations.len(),
            action_items: self.action_items.len(),
            commitments: self.commitments.len(),
            lessons: self.lessons.len(),
            follow_up_plans: self.follow_up_plans.len(),
            check_ins: self.check_ins.len(),
        }
    }

    pub(super) fn demo_users(&self) -> Vec<DemoUser> {
        self.users
            .iter()
            .map(|u| DemoUser {
                email: u.email.clone(),
                name: u.name,
                role: u.role,
                team: u.team.map(|t| TEAMS[t].name),
            })
            .collect()
    }
}

/// A timeline event by `actor_id`.
pub(super) fn event(
    case_id: Uuid,
    actor_id: Uuid,
    kind: &'static str,
    summary: String,
    data: String,
    created_at: DateTime<Utc>,
) -> EventRow {
    EventRow {
        case_id,
        actor_id: Some(actor_id),
        kind,
        summary,
        data,
        created_at,
    }
}
