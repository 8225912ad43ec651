//! Working a logged case through the framework's stages: the assessment, reaching out
//! (conversations and the client's mood), making it right (action items, commitments, the
//! reparation), the stage moves and let-go request, and the close with its lessons. Each part
//! draws from the seeded generator in the order the case went.

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand::rngs::StdRng;

use super::super::generate::{HOUR, MINUTE, Plan, between, pick, uuid, weighted};
use super::super::rows::{ActionItemRow, ConversationRow, EventRow, NoteRow, event};
use super::super::words::{
    GENERAL_LESSONS, LET_GO_REASONS, NO_REPARATION_REASONS, OTHER_PEOPLE, OTHER_SIDE_VIEWS,
    REPARATIONS, channel_how, opening_lines, sentiment_lines,
};
use super::{CaseMaker, Incident, Journey};
use crate::domain::stage::{Outcome, Stage};

/// What the assessment recorded.
pub(super) struct Assessment {
    pub(super) value_at_risk: Option<i64>,
    pub(super) root_cause: &'static str,
    pub(super) our_share: Option<&'static str>,
    pub(super) other_side_view: &'static str,
    pub(super) relationship_value: Option<&'static str>,
    pub(super) decision: Option<&'static str>,
}

/// The client's mood as a run of conversations begins.
#[derive(Debug, Clone, Copy)]
pub(super) enum MoodBefore {
    /// Their mood at first contact: the first conversation is the first time we talk.
    FirstContact(i16),
    /// Their mood as last heard, at an earlier conversation or check-in.
    LastHeard(i16),
}

/// The reparation, or why there is none (both empty: not decided yet).
pub(super) struct Reparation {
    pub(super) what: &'static str,
    pub(super) cost_minor: Option<i64>,
    pub(super) none_reason: &'static str,
}

impl CaseMaker<'_> {
    /// Assessing: root cause, our share, the client's view, value at risk, the decision.
    pub(super) fn assess(&mut self, incident: &Incident, journey: &Journey) -> Assessment {
        let rng = &mut *self.rng;
        let (r, text) = (journey.r, incident.text);
        let assessed = r >= 2 || journey.let_go_requested;
        let partly = |rng: &mut StdRng, p: f64| assessed || (r == 1 && rng.random_bool(p));
        let severity_share = match incident.severity {
            "low" => (0.02, 0.10),
            "medium" => (0.05, 0.25),
            "high" => (0.15, 0.60),
            _ => (0.40, 1.00),
        };
        let value_at_risk =
            (assessed || rng.random_bool(if r == 1 { 0.7 } else { 0.25 })).then(|| {
                let share = rng.random_range(severity_share.0..severity_share.1);
                let euros = ((incident.annual_value_minor as f64 / 100.0 * share / 100.0).round()
                    * 100.0)
                    .max(500.0) as i64;
                euros * 100
            });
        let root_cause = if partly(rng, 0.6) {
            pick(rng, text.root_causes)
        } else {
            ""
        };
        let our_share = partly(rng, 0.6)
            .then(|| weighted(rng, &[("none", 5), ("some", 35), ("most", 35), ("all", 25)]));
        let other_side_view = if partly(rng, 0.4) && rng.random_bool(0.85) {
            pick(rng, OTHER_SIDE_VIEWS)
        } else {
            ""
        };
        let relationship_value = partly(rng, 0.5).then(|| match incident.tier {
            "strategic" => "high",
            "key" => weighted(rng, &[("high", 60), ("medium", 40)]),
            _ => weighted(rng, &[("medium", 60), ("low", 40)]),
        });
        let decision = if journey.let_go_requested {
            Some("let_go")
        } else if assessed || (r == 1 && rng.random_bool(0.3)) {
            Some("repair")
        } else {
            None
        };
        Assessment {
            value_at_risk,
            root_cause,
            our_share,
            other_side_view,
            relationship_value,
            decision,
        }
    }

    /// When the case's conversations happened, and the latest each can have been logged (before
    /// the case moved on), in order: first contact when reaching out, more while following up.
    pub(super) fn talks(&mut self, journey: &Journey) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let rng = &mut *self.rng;
        let r = journey.r;
        let mut talks: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        let window = |rng: &mut StdRng, i: usize, n: usize, talks: &mut Vec<_>| {
            let (from, to) = (journey.stage_at(i), journey.stage_last_minute(i));
            for _ in 0..n {
                // Early in the stage: people call soon after they decide to reach out.
                let u: f64 = rng.random();
                let span = (to - from).num_seconds().max(0) as f64;
                let at = from + TimeDelta::seconds((u * u * span) as i64);
                talks.push((at, to.max(from)));
            }
        };
        if journey.let_go_requested && rng.random_bool(0.4) {
            window(rng, 1, 1, &mut talks);
        }
        if r >= 3 {
            let n = if rng.random_bool(0.7) { 1 } else { 2 };
            window(rng, 2, n, &mut talks);
            let n = usize::from(rng.random_bool(0.3));
            window(rng, 3, n, &mut talks);
        } else if r == 2 && rng.random_bool(0.5) {
            window(rng, 2, 1, &mut talks);
        }
        if r == 4 {
            let n = match journey.outcome {
                Outcome::Restored => rng.random_range(1..=3),
                _ => rng.random_range(0..=2),
            };
            window(rng, 4, n, &mut talks);
        }
        talks.sort();
        talks
    }

    /// The client's mood at first contact: worse the more severe the incident, a little better
    /// in recent months.
    pub(super) fn first_mood(&mut self, incident: &Incident) -> i16 {
        let rng = &mut *self.rng;
        let mut sentiment: i16 = match incident.severity {
            "critical" => -2,
            "high" => weighted(rng, &[(-2, 60), (-1, 40)]),
            "medium" => weighted(rng, &[(-2, 20), (-1, 60), (0, 20)]),
            _ => weighted(rng, &[(-1, 50), (0, 50)]),
        };
        if rng.random_bool((0.3 * incident.recency).clamp(0.0, 1.0)) {
            sentiment += 1;
        }
        sentiment
    }

    /// The assessment saved while assessing (a case still in Detected may carry a first guess at
    /// the value at risk, entered with the incident, which is not an event of its own).
    pub(super) fn assessment_event(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        assessment: &Assessment,
        events: &mut Vec<EventRow>,
    ) {
        let fields = [
            ("root cause", assessment.root_cause.to_string()),
            (
                "our share",
                assessment.our_share.unwrap_or_default().to_string(),
            ),
            ("the client's view", assessment.other_side_view.to_string()),
            (
                "relationship value",
                assessment
                    .relationship_value
                    .unwrap_or_default()
                    .to_string(),
            ),
            (
                "value at risk",
                assessment
                    .value_at_risk
                    .map(crate::domain::money::format_input)
                    .unwrap_or_default(),
            ),
            (
                "decision",
                assessment.decision.unwrap_or_default().to_string(),
            ),
        ];
        if let Some((names, data)) = changes(&fields).filter(|_| journey.r >= 1) {
            events.push(event(
                incident.id,
                incident.owner,
                "assessment",
                format!("Assessment: changed {names}"),
                data,
                between(self.rng, journey.stage_at(1), journey.stage_last_minute(1)),
            ));
        }
    }

    /// Reaching out (and following up): the conversations at `talks`, the client's mood moving
    /// from what it was `before` as the case goes.
    pub(super) fn conversations(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        talks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
        email_only: bool,
        before: MoodBefore,
        events: &mut Vec<EventRow>,
    ) {
        let rng = &mut *self.rng;
        let outcome = journey.outcome;
        let talk_count = talks.len();
        let (mut sentiment, heard) = match before {
            MoodBefore::FirstContact(mood) => (mood, false),
            MoodBefore::LastHeard(mood) => (mood, true),
        };
        for (k, (happened_at, log_by)) in talks.into_iter().enumerate() {
            let first = k == 0 && !heard;
            if !first {
                sentiment = if outcome == Outcome::Lost {
                    (sentiment + weighted(rng, &[(-1, 25), (0, 50), (1, 25)])).clamp(-2, 0)
                } else {
                    (sentiment + weighted(rng, &[(0, 30), (1, 50), (2, 20)])).min(2)
                };
            }
            if outcome == Outcome::Restored && k + 1 == talk_count {
                sentiment = sentiment.max(1);
            }
            let channel = if email_only {
                "email"
            } else if first {
                weighted(
                    rng,
                    &[
                        ("phone", 45),
                        ("in_person", 25),
                        ("video", 20),
                        ("email", 10),
                    ],
                )
            } else {
                weighted(
                    rng,
                    &[
                        ("phone", 40),
                        ("video", 25),
                        ("email", 15),
                        ("chat", 10),
                        ("in_person", 10),
                    ],
                )
            };
            let summary = format!(
                "{} {}",
                incident
                    .details
                    .fill_one(rng, opening_lines(channel, first)),
                pick(rng, sentiment_lines(sentiment))
            );
            let contact_name = &incident.contact_name;
            let with_whom = if rng.random_bool(0.85) {
                contact_name.clone()
            } else {
                format!("{contact_name} and {}", pick(rng, OTHER_PEOPLE))
            };
            // Logged a little after it happened, before the case moved on.
            let created_at = (happened_at
                + TimeDelta::seconds(rng.random_range(5 * MINUTE..6 * HOUR)))
            .min(log_by)
            .max(happened_at);
            let p = if first {
                [0.8, 0.7, 0.85, 0.6]
            } else {
                [0.7, 0.5, 0.4, 0.3]
            };
            events.push(event(
                incident.id,
                incident.owner,
                "conversation",
                format!(
                    "Logged a conversation {} with {with_whom}",
                    channel_how(channel)
                ),
                format!(r#"{{"sentiment":{sentiment}}}"#),
                created_at,
            ));
            self.data.conversations.push(ConversationRow {
                id: uuid(rng),
                case_id: incident.id,
                channel,
                with_whom,
                happened_at,
                summary,
                sentiment,
                listened_fully: rng.random_bool(p[0]),
                validated_feelings: rng.random_bool(p[1]),
                took_responsibility: rng.random_bool(p[2]),
                asked_what_differently: rng.random_bool(p[3]),
                created_by: incident.owner,
                created_at,
            });
        }
    }

    /// Work at `at` on an open case otherwise quiet since `last`, as a team that keeps its cases
    /// moving does: in Detected, writing down what happened; in Assessing, saving the
    /// assessment; later, a conversation with the client (their mood going on from the last
    /// one, or from `first_mood` at first contact).
    pub(super) fn touch(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        first_mood: i16,
        last: DateTime<Utc>,
        at: DateTime<Utc>,
        events: &mut Vec<EventRow>,
    ) {
        if journey.r == 1
            && let Some(saved) = events.iter_mut().find(|e| e.kind == "assessment")
        {
            saved.created_at = at;
            return;
        }
        if journey.r <= 1 {
            // As the case page's edit records it (src/db/cases.rs): the first sentence, or
            // nothing, was there before.
            let full = incident.what_happened.as_str();
            let before = full.find(". ").map_or("", |end| &full[..=end]);
            let data = serde_json::json!({"changes": [
                {"field": "what happened", "from": before, "to": full}
            ]});
            events.push(event(
                incident.id,
                incident.owner,
                "edited",
                "Edited what happened".into(),
                data.to_string(),
                at,
            ));
            return;
        }
        let case_id = incident.id;
        let last_talk = self
            .data
            .conversations
            .iter()
            .rev()
            .take_while(|v| v.case_id == case_id)
            .max_by_key(|v| v.happened_at)
            .map(|v| (v.happened_at, v.sentiment));
        let last_check_in = self
            .data
            .check_ins
            .iter()
            .rev()
            .take_while(|k| k.case_id == case_id)
            .filter_map(|k| k.completed_at.zip(k.sentiment))
            .max_by_key(|(t, _)| *t);
        let before = match (last_talk, last_check_in) {
            (Some(talk), Some(check_in)) => MoodBefore::LastHeard(talk.max(check_in).1),
            (talk, check_in) => talk
                .or(check_in)
                .map_or(MoodBefore::FirstContact(first_mood), |(_, mood)| {
                    MoodBefore::LastHeard(mood)
                }),
        };
        let happened_at =
            (at - TimeDelta::seconds(self.rng.random_range(5 * MINUTE..2 * HOUR))).max(last);
        let email_only = self.rng.random_bool(0.1);
        self.conversations(
            incident,
            journey,
            vec![(happened_at, at)],
            email_only,
            before,
            events,
        );
    }

    /// Making it right: the action items, mostly the owner's, done or not as the case went.
    pub(super) fn action_items(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        events: &mut Vec<EventRow>,
    ) {
        let rng = &mut *self.rng;
        let (r, owner) = (journey.r, incident.owner);
        let staff = &self.staff[incident.team];
        let (from, to) = (journey.stage_at(3), journey.stage_last_minute(3));
        let items = if r >= 4 {
            rng.random_range(1..=3)
        } else {
            rng.random_range(0..=2)
        };
        let done_chance = match (journey.outcome, r) {
            (Outcome::Restored, _) => 1.0,
            (Outcome::Lost, _) => 0.5,
            (_, 4) => 0.85,
            _ => 0.3,
        };
        for _ in 0..items {
            let created_at = between(rng, from, to);
            let owner_id = match rng.random_range(0..20) {
                0..15 => owner,
                15..18 => staff.account_managers[rng.random_range(0..staff.account_managers.len())],
                _ => staff.manager,
            };
            let due = created_at + TimeDelta::days(rng.random_range(3..=21));
            let done_at = rng
                .random_bool(done_chance)
                .then(|| between(rng, created_at, journey.end));
            let what = incident.details.fill_one(rng, incident.text.actions);
            let owner_name = self
                .data
                .users
                .iter()
                .find(|u| u.id == owner_id)
                .map_or("", |u| u.name);
            events.push(event(
                incident.id,
                owner,
                "action",
                format!("Added an action for {owner_name}: {what}"),
                "{}".into(),
                created_at,
            ));
            if let Some(done_at) = done_at {
                events.push(event(
                    incident.id,
                    owner_id,
                    "action",
                    format!("Done: {what}"),
                    "{}".into(),
                    done_at,
                ));
            }
            self.data.action_items.push(ActionItemRow {
                id: uuid(rng),
                case_id: incident.id,
                what,
                owner_id,
                due_date: due.date_naive(),
                done_at,
                created_by: owner,
                created_at,
            });
        }
    }

    /// Making it right: the "from now on we will…" commitments.
    pub(super) fn commitments(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        events: &mut Vec<EventRow>,
    ) {
        let rng = &mut *self.rng;
        let (from, to) = (journey.stage_at(3), journey.stage_last_minute(3));
        let commitments = if journey.r >= 4 {
            rng.random_range(1..=2)
        } else {
            usize::from(rng.random_bool(0.5))
        };
        for _ in 0..commitments {
            let created_at = between(rng, from, to);
            let commitment = pick(rng, incident.text.commitments);
            events.push(event(
                incident.id,
                incident.owner,
                "commitment",
                format!("Committed: {commitment}"),
                "{}".into(),
                created_at,
            ));
            self.data.commitments.push(NoteRow {
                id: uuid(rng),
                case_id: incident.id,
                text: commitment,
                applies_to_all: false,
                created_by: incident.owner,
                created_at,
            });
        }
    }

    /// Making it right: the reparation and its cost, or why there is none, once decided.
    pub(super) fn reparation(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        assessment: &Assessment,
        events: &mut Vec<EventRow>,
    ) -> Reparation {
        let rng = &mut *self.rng;
        let r = journey.r;
        let reparation = if r >= 4 || (r == 3 && rng.random_bool(0.4)) {
            if rng.random_bool(0.75) {
                let basis = assessment
                    .value_at_risk
                    .unwrap_or(incident.annual_value_minor / 10) as f64;
                let cost = ((basis * rng.random_range(0.01..0.08) / 5_000.0).round() * 5_000.0)
                    .max(10_000.0) as i64;
                Reparation {
                    what: pick(rng, REPARATIONS),
                    cost_minor: Some(cost),
                    none_reason: "",
                }
            } else {
                Reparation {
                    what: "",
                    cost_minor: None,
                    none_reason: pick(rng, NO_REPARATION_REASONS),
                }
            }
        } else {
            Reparation {
                what: "",
                cost_minor: None,
                none_reason: "",
            }
        };
        if reparation.what.is_empty() && reparation.none_reason.is_empty() {
            return reparation;
        }
        let summary = if reparation.what.is_empty() {
            format!("Recorded no reparation: {}", reparation.none_reason)
        } else {
            format!("Recorded the reparation: {}", reparation.what)
        };
        let fields = [
            ("reparation", reparation.what.to_string()),
            (
                "cost",
                reparation
                    .cost_minor
                    .map(crate::domain::money::format_input)
                    .unwrap_or_default(),
            ),
            ("why none", reparation.none_reason.to_string()),
        ];
        if let Some((_, data)) = changes(&fields) {
            events.push(event(
                incident.id,
                incident.owner,
                "reparation",
                summary,
                data,
                between(rng, journey.stage_at(3), journey.stage_last_minute(3)),
            ));
        }
        reparation
    }

    /// Every stage move, and the let-go request; returns the request's reason (empty if none).
    pub(super) fn stage_events(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        events: &mut Vec<EventRow>,
    ) -> &'static str {
        for i in 1..=journey.r {
            let (from, to) = (Stage::ALL[i - 1], Stage::ALL[i]);
            events.push(event(
                incident.id,
                incident.owner,
                "stage",
                format!("Moved from {} to {}", from.label(), to.label()),
                format!(r#"{{"to":"{to}","outcome":"open","reason":null}}"#),
                journey.stage_at(i),
            ));
        }
        let let_go_reason = if journey.let_go_requested {
            pick(self.rng, LET_GO_REASONS)
        } else {
            ""
        };
        if let Some(at) = journey.let_go_requested_at {
            events.push(event(
                incident.id,
                incident.owner,
                "let_go",
                format!("Asked a manager to approve letting go: {let_go_reason}"),
                "{}".into(),
                at,
            ));
        }
        let_go_reason
    }

    /// Closing at `at`: the lessons learned, a manager's approval of letting go, the close.
    pub(super) fn close(
        &mut self,
        incident: &Incident,
        journey: &Journey,
        at: DateTime<Utc>,
        events: &mut Vec<EventRow>,
    ) {
        let rng = &mut *self.rng;
        let (plan, owner) = (journey.plan, incident.owner);
        let manager = self.staff[incident.team].manager;
        let from = match plan {
            Plan::LetGo => journey.let_go_requested_at.unwrap_or(at),
            _ => journey.stage_at(journey.r),
        };
        let lessons = if plan == Plan::LetGo {
            1
        } else {
            rng.random_range(1..=2)
        };
        for _ in 0..lessons {
            let pool = if rng.random_bool(0.6) {
                incident.text.lessons
            } else {
                GENERAL_LESSONS
            };
            let created_at = between(
                rng,
                from.max(at - TimeDelta::seconds(3 * HOUR)),
                at - TimeDelta::seconds(MINUTE),
            );
            let lesson = pick(rng, pool);
            events.push(event(
                incident.id,
                owner,
                "lesson",
                format!("Learned: {lesson}"),
                "{}".into(),
                created_at,
            ));
            self.data.lessons.push(NoteRow {
                id: uuid(rng),
                case_id: incident.id,
                text: lesson,
                applies_to_all: rng.random_bool(0.3),
                created_by: owner,
                created_at,
            });
        }
        let actor = if plan == Plan::LetGo {
            events.push(event(
                incident.id,
                manager,
                "let_go",
                "Approved letting go".into(),
                r#"{"decision":"approved"}"#.into(),
                at,
            ));
            manager
        } else {
            owner
        };
        let outcome = journey.outcome;
        events.push(event(
            incident.id,
            actor,
            "stage",
            format!("Closed: {}", outcome.label()),
            format!(r#"{{"to":"closed","outcome":"{outcome}","reason":null}}"#),
            at,
        ));
    }
}

/// The fields set (from empty) by an edit, as the case page records them: their names for the
/// summary, and the event data `{"changes": [{"field", "from", "to"}]}`. `None` when nothing
/// was set.
fn changes(fields: &[(&str, String)]) -> Option<(String, String)> {
    let set: Vec<&(&str, String)> = fields.iter().filter(|(_, v)| !v.is_empty()).collect();
    if set.is_empty() {
        return None;
    }
    let names: Vec<&str> = set.iter().map(|(field, _)| *field).collect();
    let changes: Vec<serde_json::Value> = set
        .iter()
        .map(|(field, to)| serde_json::json!({"field": field, "from": "", "to": to}))
        .collect();
    Some((
        names.join(", "),
        serde_json::json!({ "changes": changes }).to_string(),
    ))
}
