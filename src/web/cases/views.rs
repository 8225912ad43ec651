//! What the case page shows of each record, in words: the view of each conversation, action,
//! commitment, check-in and timeline entry, the stage summaries and the trust chart, built
//! from what `db::case_page` read. Split from `page.rs`, which assembles the page from them.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::db::case_page;
use crate::db::cases as db_cases;
use crate::domain::cadence::{Cadence, CheckInStatus};
use crate::domain::case::{
    self as case_input, ActionForm, AssessmentForm, Channel, ConversationForm, DefinitionForm,
    DetectedBy, OurShare, RelationshipValue, ReparationForm, Severity, TextForm, local_display,
};
use crate::domain::commitment::CommitmentForm;
use crate::domain::follow_up::{CheckInForm, PlanForm};
use crate::domain::moment::Moment;
use crate::domain::money;
use crate::domain::stage::{Decision, Stage};
use crate::error::{AppError, Result};

/// The trust chart of the case's completed check-ins and its cadence steps, as SVG.
pub(super) fn trust_svg(
    check_ins: &[case_page::CheckIn],
    timeline: &[case_page::Event],
) -> Result<Option<String>> {
    let mut readings: Vec<crate::web::trust_chart::Reading> = check_ins
        .iter()
        .filter(|c| c.status == CheckInStatus::Done)
        .filter_map(|c| {
            Some(crate::web::trust_chart::Reading {
                due: c.due_date,
                done_at: c.completed_at?,
                sentiment: c.sentiment?,
                words: c.client_words.clone(),
            })
        })
        .collect();
    readings.sort_by_key(|r| (r.due, r.done_at));
    let steps: Vec<crate::web::trust_chart::StepMark> = timeline
        .iter()
        .filter(|e| e.kind == "cadence")
        .filter_map(|e| {
            let from = Cadence::from_parts(e.data["from"].as_str()?, None)?;
            let to = Cadence::from_parts(e.data["to"].as_str()?, None)?;
            Some(crate::web::trust_chart::StepMark {
                at: e.created_at,
                to,
                down: to.days_apart() > from.days_apart(),
            })
        })
        .collect();
    crate::web::trust_chart::chart(&readings, &steps)
        .map(|c| c.render())
        .transpose()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering the trust chart: {e}")))
}

/// A stage in the stepper.
pub struct Step {
    pub number: u8,
    pub label: &'static str,
    pub purpose: &'static str,
    pub state: &'static str, // "done", "current", "todo"
}

pub struct ConversationView {
    pub id: Uuid,
    pub channel: &'static str,
    pub with_whom: String,
    pub when: Moment,
    pub summary: String,
    pub sentiment: i16,
    pub sentiment_label: &'static str,
    pub practices: Vec<&'static str>,
}

#[derive(Clone)]
pub struct ActionView {
    pub id: Uuid,
    pub what: String,
    pub owner_name: String,
    pub due: String,
    pub overdue: bool,
    pub done: bool,
}

pub struct CommitmentView {
    pub id: Uuid,
    pub text: String,
    pub owner: String,
    pub scope: &'static str,
    pub verification: String,
    pub review: String,
    /// The stored state, for a CSS class.
    pub state: &'static str,
    pub state_label: &'static str,
    /// Not broken: still marked at check-ins.
    pub open: bool,
    pub marks: i64,
}

pub struct EventView {
    pub summary: String,
    pub actor: String,
    pub when: Moment,
    pub changes: Vec<(String, String, String)>,
    pub reason: Option<String>,
}

/// The inputs of every small form on the page: empty, prefilled, or as the user submitted them.
#[derive(Default)]
pub struct Forms {
    pub definition: DefinitionForm,
    pub assessment: AssessmentForm,
    pub reparation: ReparationForm,
    pub conversation: ConversationForm,
    pub action: ActionForm,
    pub commitment: CommitmentForm,
    pub lesson: TextForm,
    pub reason: String,
    pub let_go_reason: String,
    pub let_go_lesson: String,
    pub plan: PlanForm,
    pub check_in: CheckInForm,
    pub skip_reason: String,
}

pub struct PlanView {
    pub cadence: String,
    pub assignee_name: String,
    pub until: String,
    /// For an adaptive plan: where it stands, said plainly.
    pub adapting: Option<String>,
}

pub struct CheckInView {
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub assignee_name: String,
    pub detail: String,
    pub sentiment: Option<i16>,
    pub next_step: String,
    pub open: bool,
    /// The client's own words, quoted.
    pub words: String,
    /// Open but not due yet: the day it can be recorded from, by its assignee's calendar.
    pub recordable_from: Option<String>,
}

/// The next open check-in, as the case page offers it.
pub struct NextCheckIn {
    pub due: String,
    /// Not due yet: the day it can be recorded from (the form is not offered before).
    pub recordable_from: Option<String>,
}

/// One line of the current stage's checklist.
pub struct ChecklistItem {
    pub label: &'static str,
    pub done: bool,
    /// What to do, for an item still to do.
    pub instruction: &'static str,
    /// The id of the field that does it.
    pub target: &'static str,
}

/// One reason a move or a close was refused, with where it is put right.
pub struct Blocker {
    pub text: String,
    pub href: Option<String>,
}

/// The conversations in a sentence: how many, how (calls and meetings count most), the last.
pub(super) fn conversation_summary(conversations: &[ConversationView]) -> String {
    let Some(last) = conversations.last() else {
        return "No conversation recorded.".into();
    };
    let spoken = conversations
        .iter()
        .filter(|c| c.channel != Channel::Email.label())
        .count();
    let how = match (spoken, conversations.len()) {
        (0, _) => "all in writing".to_string(),
        (s, n) if s == n => "all by phone, video or in person".to_string(),
        (s, _) => format!("{s} by phone, video or in person"),
    };
    format!(
        "{} conversation{} ({how}); the last with {} {}: the client was {}.",
        conversations.len(),
        if conversations.len() == 1 { "" } else { "s" },
        last.with_whom,
        last.when.relative,
        last.sentiment_label.to_lowercase()
    )
}

/// Actions, commitments and the reparation in a sentence.
pub(super) fn making_summary(
    actions: &[ActionView],
    commitments: &[CommitmentView],
    case: &db_cases::Case,
) -> String {
    let done = actions.iter().filter(|a| a.done).count();
    let reparation = if !case.reparation_what.is_empty() {
        format!("reparation: {}", case.reparation_what)
    } else if !case.reparation_none_reason.is_empty() {
        format!("no reparation ({})", case.reparation_none_reason)
    } else {
        "no reparation recorded".into()
    };
    format!(
        "{} of {} action{} done; {} commitment{}; {}.",
        done,
        actions.len(),
        if actions.len() == 1 { "" } else { "s" },
        commitments.len(),
        if commitments.len() == 1 { "" } else { "s" },
        reparation
    )
}

/// The stepper: each stage done, current or still to come.
pub(super) fn steps(current: Stage) -> Vec<Step> {
    Stage::ALL
        .iter()
        .map(|s| Step {
            number: s.number(),
            label: s.label(),
            purpose: s.purpose(),
            state: if *s < current {
                "done"
            } else if *s == current {
                "current"
            } else {
                "todo"
            },
        })
        .collect()
}

pub(super) fn conversation_views(
    conversations: Vec<case_page::Conversation>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<ConversationView> {
    conversations
        .into_iter()
        .map(|c| {
            let practices = [
                (c.listened_fully, "Listened to the whole complaint"),
                (c.validated_feelings, "Validated their feelings"),
                (c.took_responsibility, "Took responsibility"),
                (
                    c.asked_what_differently,
                    "Asked what we could do differently",
                ),
            ]
            .into_iter()
            .filter_map(|(done, what)| done.then_some(what))
            .collect();
            ConversationView {
                id: c.id,
                channel: c.channel.label(),
                with_whom: c.with_whom,
                when: Moment::new(c.happened_at, now, tz),
                summary: c.summary,
                sentiment: c.sentiment,
                sentiment_label: case_input::sentiment_label(c.sentiment),
                practices,
            }
        })
        .collect()
}

pub(super) fn action_views(actions: Vec<case_page::Action>, today: NaiveDate) -> Vec<ActionView> {
    actions
        .into_iter()
        .map(|a| ActionView {
            id: a.id,
            overdue: a.done_at.is_none() && a.due_date.is_some_and(|d| d < today),
            due: a
                .due_date
                .map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_default(),
            done: a.done_at.is_some(),
            what: a.what,
            owner_name: a.owner_name,
        })
        .collect()
}

pub(super) fn commitment_views(commitments: Vec<case_page::Commitment>) -> Vec<CommitmentView> {
    commitments
        .into_iter()
        .map(|c| CommitmentView {
            id: c.id,
            owner: c.owner_name.unwrap_or_default(),
            scope: c.scope.label(),
            verification: c.verification,
            review: c
                .review_on
                .map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_default(),
            state_label: c.state.label(),
            open: c.state.is_open(),
            state: c.state.as_str(),
            marks: c.marks,
            text: c.text,
        })
        .collect()
}

pub(super) fn event_views(
    timeline: Vec<case_page::Event>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<EventView> {
    timeline
        .into_iter()
        .map(|e| EventView {
            changes: e.data["changes"]
                .as_array()
                .map(|changes| {
                    changes
                        .iter()
                        .map(|c| {
                            let s = |k: &str| {
                                c[k].as_str()
                                    .unwrap_or("")
                                    .chars()
                                    .take(200)
                                    .collect::<String>()
                            };
                            let field = s("field");
                            let from = in_words(&field, &s("from"));
                            let to = in_words(&field, &s("to"));
                            (field, from, to)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            reason: e.data["reason"].as_str().map(str::to_owned),
            summary: reworded(e.summary),
            actor: e.actor_name.unwrap_or_else(|| "Mend".into()),
            when: Moment::new(e.created_at, now, tz),
        })
        .collect()
}

/// A value of an edit recorded before edits were written in words (a stored name or a bare
/// amount), as people read it.
pub(super) fn in_words(field: &str, value: &str) -> String {
    let label = match field {
        "our share" => OurShare::parse(value).ok().map(OurShare::label),
        "relationship value" => RelationshipValue::parse(value)
            .ok()
            .map(RelationshipValue::label),
        "decision" => Decision::parse(value).ok().map(Decision::label),
        "severity" => Severity::parse(value).ok().map(Severity::label),
        "detected by" => DetectedBy::parse(value).ok().map(DetectedBy::label),
        _ => None,
    };
    if let Some(label) = label {
        return label.to_string();
    }
    if matches!(field, "cost" | "value at risk")
        && value.chars().all(|c| c.is_ascii_digit())
        && let Ok(n) = value.parse::<u64>()
    {
        return money::group_thousands(n);
    }
    value.to_string()
}

/// A timeline entry written before entries read as sentences ("Checked in (phone), client's
/// mood +1: …"), in today's words ("Checked in by phone — the client was satisfied: …").
pub(super) fn reworded(summary: String) -> String {
    let Some(rest) = summary.strip_prefix("Checked in (") else {
        return summary;
    };
    let Some((channel, rest)) = rest.split_once("), client's mood ") else {
        return summary;
    };
    let (mood, said) = rest.split_once(": ").unwrap_or((rest, ""));
    let Ok(mood) = mood.trim_start_matches('+').parse::<i16>() else {
        return summary;
    };
    let how = Channel::ALL
        .iter()
        .find(|c| c.label().eq_ignore_ascii_case(channel))
        .map_or_else(|| format!("by {channel}"), |c| c.how().to_string());
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(": {said}")
    };
    format!(
        "Checked in {how} \u{2014} {}{said}",
        case_input::mood_sentence(mood)
    )
}

pub(super) fn plan_view(p: case_page::Plan) -> PlanView {
    PlanView {
        adapting: p.adaptive.then(|| {
            let next = p
                .cadence()
                .and_then(|c| c.less_often())
                .map(|to| {
                    let left = (p.step_after - p.good_streak).max(1);
                    format!(
                        "{left} more good check-in{} in a row step{} it down to {}",
                        if left == 1 { "" } else { "s" },
                        if left == 1 { "s" } else { "" },
                        to.label().to_lowercase()
                    )
                })
                .unwrap_or_else(|| "monthly is as seldom as it gets".into());
            format!("Adapts to how the check-ins go: {next}; a bad or missed one steps it back up.")
        }),
        cadence: p.cadence().map(|c| c.label()).unwrap_or_default(),
        until: p
            .end_after
            .map(|n| format!("{n} check-ins"))
            .unwrap_or_else(|| "until the case closes".into()),
        assignee_name: p.assignee_name,
    }
}

pub(super) fn check_in_views(
    check_ins: Vec<case_page::CheckIn>,
    today: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<CheckInView> {
    check_ins
        .into_iter()
        .map(|c| {
            let open = c.status.is_open();
            let late = open && c.due_date < today;
            let assignee_today = now
                .with_timezone(&case_input::time_zone(&c.assignee_time_zone))
                .date_naive();
            let recordable_from = crate::domain::cadence::recordable(c.due_date, assignee_today)
                .err()
                .filter(|_| open)
                .map(|from| from.format("%A %-d %b %Y").to_string());
            let shown = if late {
                CheckInStatus::Missed
            } else {
                c.status
            };
            CheckInView {
                due: c.due_date.format("%a %-d %b %Y").to_string(),
                status: shown.label(),
                status_class: shown.as_str(),
                assignee_name: c.assignee_name,
                detail: if c.status == CheckInStatus::Skipped {
                    c.skip_reason
                } else {
                    let how = c
                        .channel
                        .map(|ch| format!("{}: ", ch.label()))
                        .unwrap_or_default();
                    let when = c
                        .completed_at
                        .map(|t| format!(" ({})", local_display(t, tz)))
                        .unwrap_or_default();
                    if c.summary.is_empty() {
                        String::new()
                    } else {
                        format!("{how}{}{when}", c.summary)
                    }
                },
                sentiment: c.sentiment,
                next_step: c.next_step,
                words: c.client_words,
                open,
                recordable_from,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_entries_read_in_words() {
        assert_eq!(
            reworded("Checked in (phone), client's mood +1: All good".into()),
            "Checked in by phone \u{2014} the client was satisfied: All good"
        );
        assert_eq!(
            reworded("Checked in (video call), client's mood -2: Angry".into()),
            "Checked in by video call \u{2014} the client was angry: Angry"
        );
        assert_eq!(reworded("Moved on".into()), "Moved on");
        assert_eq!(in_words("our share", "all"), "All of it");
        assert_eq!(in_words("cost", "30000"), "30,000");
        assert_eq!(in_words("title", "all"), "all");
    }
}
