//! A follow-up plan's rows, once it is placed in time: the plan, its check-ins (done with the
//! client's mood and words, skipped with a reason, and the next one scheduled) and their timeline
//! events, in the words the case page writes (src/db/follow_ups.rs).

use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use uuid::Uuid;

use super::super::generate::{pick, uuid, weighted};
use super::super::rows::{CheckInRow, EventRow, FollowUpPlanRow, event};
use super::super::words::{
    Details, NEXT_STEPS, SKIP_REASONS, check_in_moods, check_in_openings, client_words,
};
use super::{AdaptiveSchedule, FollowUp, adaptive_schedule, due};
use crate::domain::cadence;
use crate::domain::case::Channel;
use crate::domain::stage::Outcome;

/// The client's mood at those check-ins.
const ADAPTIVE_MOODS: [i16; 5] = [0, 1, 2, 1, 2];

/// The case a follow-up plan belongs to.
pub(in crate::demo) struct FollowUpCase<'a> {
    pub(in crate::demo) id: Uuid,
    pub(in crate::demo) owner: Uuid,
    pub(in crate::demo) owner_name: &'a str,
    pub(in crate::demo) outcome: Outcome,
    pub(in crate::demo) details: &'a Details,
}

impl FollowUp {
    /// The plan, its check-ins and their timeline events, in the words the case page writes
    /// (src/db/follow_ups.rs).
    pub(in crate::demo) fn write(
        self,
        rng: &mut StdRng,
        case: FollowUpCase<'_>,
        events: &mut Vec<EventRow>,
        plans: &mut Vec<FollowUpPlanRow>,
        check_ins: &mut Vec<CheckInRow>,
    ) {
        let plan_id = uuid(rng);
        let schedule = self.adaptive.then(|| adaptive_schedule(self.first_due));
        plans.push(self.plan_row(plan_id, &case, schedule.as_ref()));
        events.push(self.plan_event(&case));

        // The client's mood: rising to good when restored, sliding when lost.
        let mut mood: i16 = match case.outcome {
            Outcome::Restored => weighted(rng, &[(-1, 25), (0, 45), (1, 30)]),
            Outcome::Lost => weighted(rng, &[(-2, 30), (-1, 50), (0, 20)]),
            _ => weighted(rng, &[(-2, 10), (-1, 30), (0, 40), (1, 20)]),
        };
        let done = self.settled.iter().filter(|(_, skipped)| !skipped).count();
        let mut done_so_far = 0;
        let mut created_at = self.planned_at;
        let seqs = self.settled.len();
        for (k, &(at, skipped)) in self.settled.iter().enumerate() {
            let due_date = match &schedule {
                Some(a) => a.dues.get(k).copied().unwrap_or(self.first_due),
                None => due(self.first_due, self.cadence, k),
            };
            let mut row = check_in_row(
                uuid(rng),
                &case,
                plan_id,
                k,
                due_date,
                "skipped",
                created_at,
            );
            let summary = if skipped {
                row.skip_reason = case.details.fill_one(rng, SKIP_REASONS);
                format!(
                    "Skipped the check-in due {}: {}",
                    due_date.format("%-d %b %Y"),
                    row.skip_reason
                )
            } else {
                if done_so_far > 0 {
                    mood = next_mood(rng, case.outcome, mood);
                }
                done_so_far += 1;
                if case.outcome == Outcome::Restored && done_so_far == done {
                    mood = mood.max(1);
                }
                if self.adaptive {
                    mood = ADAPTIVE_MOODS.get(k).copied().unwrap_or(1);
                }
                record_done(rng, case.details, at, mood, &mut row)
            };
            events.push(event(
                case.id,
                case.owner,
                "check_in",
                summary,
                "{}".into(),
                at,
            ));
            check_ins.push(row);
            created_at = at;
            // The adaptive plan stepped after this check-in: Mend's own timeline event.
            if let Some((step, next_due)) = schedule
                .as_ref()
                .and_then(|a| a.steps.iter().find(|(i, _, _)| *i == k))
                .map(|(_, step, next)| (step, next))
            {
                events.push(step_event(case.id, step, *next_due, at));
            }
        }
        if self.open_next {
            let due_date = due(self.first_due, self.cadence, seqs);
            let status = if self.missed_at.is_some() {
                "missed"
            } else {
                "scheduled"
            };
            check_ins.push(check_in_row(
                uuid(rng),
                &case,
                plan_id,
                seqs,
                due_date,
                status,
                created_at,
            ));
            // Mend's own note, as the scheduler writes it (src/db/follow_ups.rs): nobody did
            // anything, so it is not activity on the case.
            if let Some(at) = self.missed_at {
                events.push(EventRow {
                    case_id: case.id,
                    actor_id: None,
                    kind: "check_in",
                    summary: format!(
                        "The check-in due {} was missed",
                        due_date.format("%-d %b %Y")
                    ),
                    data: "{}".into(),
                    created_at: at,
                });
            }
        }
    }

    /// The plan's row. An adaptive plan is stored as its last step left it
    /// (src/db/follow_ups.rs).
    fn plan_row(
        &self,
        id: Uuid,
        case: &FollowUpCase<'_>,
        schedule: Option<&AdaptiveSchedule>,
    ) -> FollowUpPlanRow {
        let (cadence_name, every_days) = schedule.map_or(self.cadence, |a| a.cadence).as_parts();
        FollowUpPlanRow {
            id,
            case_id: case.id,
            cadence: cadence_name,
            every_days,
            first_due: schedule.map_or(self.first_due, |a| a.first_due),
            assignee_id: case.owner,
            end_after: self.end_after,
            created_at: self.planned_at,
            adaptive: self.adaptive,
            base_seq: schedule.map_or(1, |a| a.base_seq),
            good_streak: schedule.map_or(0, |a| a.streak),
        }
    }

    /// The timeline event of making the plan.
    fn plan_event(&self, case: &FollowUpCase<'_>) -> EventRow {
        let until = self
            .end_after
            .map(|n| format!(", {n} times"))
            .unwrap_or_else(|| ", until the case closes".into());
        let adapts = if self.adaptive {
            ", adapting to how they go"
        } else {
            ""
        };
        event(
            case.id,
            case.owner,
            "plan",
            format!(
                "Planned check-ins: {} from {} with {}{until}{adapts}",
                self.cadence.label().to_lowercase(),
                self.first_due.format("%-d %b %Y"),
                case.owner_name
            ),
            "{}".into(),
            self.planned_at,
        )
    }
}

/// Check-in `k` (0 for the first) of the plan `plan_id`, as yet without what happened at it.
fn check_in_row(
    id: Uuid,
    case: &FollowUpCase<'_>,
    plan_id: Uuid,
    k: usize,
    due_date: NaiveDate,
    status: &'static str,
    created_at: DateTime<Utc>,
) -> CheckInRow {
    CheckInRow {
        id,
        case_id: case.id,
        plan_id,
        seq: i32::try_from(k + 1).unwrap_or(i32::MAX),
        due_date,
        assignee_id: case.owner,
        status,
        completed_at: None,
        channel: None,
        summary: String::new(),
        sentiment: None,
        next_step: String::new(),
        skip_reason: String::new(),
        created_at,
        client_words: "",
    }
}

/// The client's mood at the next check-in done, after `mood` at the one before.
fn next_mood(rng: &mut StdRng, outcome: Outcome, mood: i16) -> i16 {
    match outcome {
        Outcome::Restored => (mood + weighted(rng, &[(0, 40), (1, 60)])).min(2),
        Outcome::Lost => (mood + weighted(rng, &[(-1, 40), (0, 50), (1, 10)])).clamp(-2, 0),
        _ => (mood + weighted(rng, &[(-1, 15), (0, 40), (1, 45)])).clamp(-2, 2),
    }
}

/// Fills `row` as a check-in done at `at` with the client's `mood`; returns its timeline text.
fn record_done(
    rng: &mut StdRng,
    details: &Details,
    at: DateTime<Utc>,
    mood: i16,
    row: &mut CheckInRow,
) -> String {
    if rng.random_bool(0.5) {
        row.client_words = pick(rng, client_words(mood));
    }
    let channel = weighted(
        rng,
        &[
            (Channel::Phone, 45),
            (Channel::Video, 25),
            (Channel::InPerson, 20),
            (Channel::Email, 6),
            (Channel::Chat, 4),
        ],
    );
    let summary = format!(
        "{} {}",
        details.fill_one(rng, check_in_openings(channel)),
        details.fill_one(rng, check_in_moods(mood))
    );
    if rng.random_bool(0.4) {
        row.next_step = details.fill_one(rng, NEXT_STEPS);
    }
    let text = format!(
        "Checked in ({}), client's mood {mood:+}: {}",
        channel.label().to_lowercase(),
        summary.chars().take(120).collect::<String>()
    );
    row.status = "done";
    row.completed_at = Some(at);
    row.channel = Some(channel.as_str());
    row.summary = summary;
    row.sentiment = Some(mood);
    text
}

/// Mend's own timeline event for an adaptive plan's step after a check-in at `at`.
fn step_event(
    case_id: Uuid,
    step: &cadence::Step,
    next_due: NaiveDate,
    at: DateTime<Utc>,
) -> EventRow {
    EventRow {
        case_id,
        actor_id: None,
        kind: "cadence",
        summary: format!(
            "{}; the next check-in is due {}",
            step.summary(),
            next_due.format("%-d %b %Y")
        ),
        data: serde_json::json!({
            "from": step.from.as_parts().0,
            "to": step.to.as_parts().0,
            "reason": step.reason,
        })
        .to_string(),
        created_at: at,
    }
}
