//! Each stage's gate: what must be recorded before a case moves on, as a list of items a person
//! can act on (each names the field that meets it), and the warnings that do not block a move.

use super::stage::{Decision, LetGoRequest, Stage};

/// What the gates look at, gathered from the database by other code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// A non-empty description of what happened.
    pub what_happened: bool,
    pub occurred_at: bool,
    pub detected_by: bool,
    pub severity: bool,
    pub category: bool,
    pub root_cause: bool,
    pub our_share: bool,
    pub value_at_risk: bool,
    pub decision: Option<Decision>,
    /// Logged conversations with the client (not removed).
    pub conversations: u32,
    /// Of those, the ones in person, by phone, video or chat.
    pub non_email_conversations: u32,
    pub action_items: u32,
    /// The reparation is recorded, or explicitly "none" with a reason.
    pub reparation: bool,
    pub commitments: u32,
    pub follow_up_plan: bool,
    /// Completed check-ins that recorded the client's sentiment.
    pub checkins_with_sentiment: u32,
    pub lessons: u32,
    pub let_go: LetGoRequest,
    /// With an adaptive follow-up plan: the good check-ins in a row needed to close as restored.
    pub restored_after: Option<u32>,
    /// Good check-ins (the client's mood +1 or better) in a row, most recent last.
    pub good_in_row: u32,
}

impl CaseFacts {
    /// How many more good check-ins in a row the case needs before it can close as restored
    /// (0 when it needs none).
    pub fn good_check_ins_needed(&self) -> u32 {
        self.restored_after
            .map_or(0, |n| n.saturating_sub(self.good_in_row))
    }
}

/// One thing a gate still needs before the case may move on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GateItem {
    WhatHappened,
    OccurredAt,
    DetectedBy,
    Severity,
    Category,
    RootCause,
    OurShare,
    ValueAtRisk,
    Decision,
    Conversation,
    ActionItem,
    Reparation,
    Commitment,
    FollowUpPlan,
    CheckIn,
    Lessons,
}

impl GateItem {
    /// Every item, in the order the stages ask for them.
    pub const ALL: [GateItem; 16] = [
        GateItem::WhatHappened,
        GateItem::OccurredAt,
        GateItem::DetectedBy,
        GateItem::Severity,
        GateItem::Category,
        GateItem::RootCause,
        GateItem::OurShare,
        GateItem::ValueAtRisk,
        GateItem::Decision,
        GateItem::Conversation,
        GateItem::ActionItem,
        GateItem::Reparation,
        GateItem::Commitment,
        GateItem::FollowUpPlan,
        GateItem::CheckIn,
        GateItem::Lessons,
    ];

    /// The missing thing, said as an instruction a person can act on.
    pub fn message(self) -> &'static str {
        match self {
            GateItem::WhatHappened => "Describe what happened.",
            GateItem::OccurredAt => "Say when it happened.",
            GateItem::DetectedBy => "Say who noticed first: us or the client.",
            GateItem::Severity => "Set the severity.",
            GateItem::Category => "Choose a category.",
            GateItem::RootCause => "Record the root cause: why it happened.",
            GateItem::OurShare => "Record our share of the responsibility.",
            GateItem::ValueAtRisk => "Estimate the value at risk.",
            GateItem::Decision => "Decide: repair the relationship or let it go.",
            GateItem::Conversation => "Log at least one conversation with the client.",
            GateItem::ActionItem => "Add at least one action item.",
            GateItem::Reparation => "Record the reparation, or say why there is none.",
            GateItem::Commitment => {
                "Record at least one commitment to the client (\u{201c}from now on we will\u{2026}\u{201d})."
            }
            GateItem::FollowUpPlan => "Set up a follow-up plan with a cadence.",
            GateItem::CheckIn => {
                "Complete at least one check-in that records the client's sentiment."
            }
            GateItem::Lessons => "Record at least one lesson learned.",
        }
    }

    /// The item as a line of a checklist, done or not: "What happened", "A conversation".
    pub fn label(self) -> &'static str {
        match self {
            GateItem::WhatHappened => "What happened",
            GateItem::OccurredAt => "When it happened",
            GateItem::DetectedBy => "Who noticed first",
            GateItem::Severity => "Severity",
            GateItem::Category => "Category",
            GateItem::RootCause => "Root cause",
            GateItem::OurShare => "Our share of the responsibility",
            GateItem::ValueAtRisk => "Value at risk",
            GateItem::Decision => "Decision: repair or let go",
            GateItem::Conversation => "A conversation with the client",
            GateItem::ActionItem => "An action",
            GateItem::Reparation => "The reparation (or why there is none)",
            GateItem::Commitment => "A commitment (\u{201c}from now on we will\u{2026}\u{201d})",
            GateItem::FollowUpPlan => "A follow-up plan",
            GateItem::CheckIn => "A check-in with the client's mood",
            GateItem::Lessons => "A lesson learned",
        }
    }

    /// The snake_case name of the field or section the item is about.
    pub fn field(self) -> &'static str {
        match self {
            GateItem::WhatHappened => "what_happened",
            GateItem::OccurredAt => "occurred_at",
            GateItem::DetectedBy => "detected_by",
            GateItem::Severity => "severity",
            GateItem::Category => "category",
            GateItem::RootCause => "root_cause",
            GateItem::OurShare => "our_share",
            GateItem::ValueAtRisk => "value_at_risk",
            GateItem::Decision => "decision",
            GateItem::Conversation => "conversation",
            GateItem::ActionItem => "action_item",
            GateItem::Reparation => "reparation",
            GateItem::Commitment => "commitment",
            GateItem::FollowUpPlan => "follow_up_plan",
            GateItem::CheckIn => "check_in",
            GateItem::Lessons => "lessons",
        }
    }
}

impl std::fmt::Display for GateItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Something worth pointing out that does not stop the case from moving on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Warning {
    /// Every conversation so far was by e-mail.
    OnlyEmail,
}

impl Warning {
    pub fn message(self) -> &'static str {
        match self {
            Warning::OnlyEmail => {
                "Every conversation so far was by e-mail. Call or meet: tone gets lost in writing."
            }
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Every item of `stage`'s gate, in order, each with whether `facts` meet it: the stage's
/// checklist.
pub fn checklist(stage: Stage, facts: &CaseFacts) -> Vec<(GateItem, bool)> {
    let missing = gate(stage, facts);
    stage_items(stage)
        .iter()
        .map(|item| (*item, !missing.contains(item)))
        .collect()
}

/// The items `stage`'s gate asks for, in order.
pub fn stage_items(stage: Stage) -> &'static [GateItem] {
    use GateItem::*;
    match stage {
        Stage::Detected => &[WhatHappened, OccurredAt, DetectedBy, Severity, Category],
        Stage::Assessing => &[RootCause, OurShare, ValueAtRisk, Decision],
        Stage::ReachingOut => &[Conversation],
        Stage::MakingItRight => &[ActionItem, Reparation, Commitment],
        Stage::FollowingUp => &[FollowUpPlan, CheckIn],
        Stage::Closed => &[],
    }
}

/// Items still missing before a case may leave `stage`: move forward or, from Following up,
/// close as restored. In the order the stage asks for them; empty for Closed.
pub fn gate(stage: Stage, facts: &CaseFacts) -> Vec<GateItem> {
    let checks: &[(bool, GateItem)] = match stage {
        Stage::Detected => &[
            (facts.what_happened, GateItem::WhatHappened),
            (facts.occurred_at, GateItem::OccurredAt),
            (facts.detected_by, GateItem::DetectedBy),
            (facts.severity, GateItem::Severity),
            (facts.category, GateItem::Category),
        ],
        Stage::Assessing => &[
            (facts.root_cause, GateItem::RootCause),
            (facts.our_share, GateItem::OurShare),
            (facts.value_at_risk, GateItem::ValueAtRisk),
            (facts.decision.is_some(), GateItem::Decision),
        ],
        Stage::ReachingOut => &[(facts.conversations >= 1, GateItem::Conversation)],
        Stage::MakingItRight => &[
            (facts.action_items >= 1, GateItem::ActionItem),
            (facts.reparation, GateItem::Reparation),
            (facts.commitments >= 1, GateItem::Commitment),
        ],
        Stage::FollowingUp => &[
            (facts.follow_up_plan, GateItem::FollowUpPlan),
            (facts.checkins_with_sentiment >= 1, GateItem::CheckIn),
        ],
        Stage::Closed => &[],
    };
    checks
        .iter()
        .filter(|(done, _)| !done)
        .map(|(_, item)| *item)
        .collect()
}

/// Warnings to show on an open case; they never block a move.
pub fn warnings(stage: Stage, facts: &CaseFacts) -> Vec<Warning> {
    let mut found = Vec::new();
    if stage != Stage::Closed && facts.conversations > 0 && facts.non_email_conversations == 0 {
        found.push(Warning::OnlyEmail);
    }
    found
}

/// Cases as the tests of the gates and moves build them.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// Every fact present: every gate is satisfied.
    pub fn complete() -> CaseFacts {
        CaseFacts {
            what_happened: true,
            occurred_at: true,
            detected_by: true,
            severity: true,
            category: true,
            root_cause: true,
            our_share: true,
            value_at_risk: true,
            decision: Some(Decision::Repair),
            conversations: 1,
            non_email_conversations: 1,
            action_items: 1,
            reparation: true,
            commitments: 1,
            follow_up_plan: true,
            checkins_with_sentiment: 1,
            lessons: 1,
            let_go: LetGoRequest::None,
            restored_after: None,
            good_in_row: 0,
        }
    }

    /// `complete()` with the fact behind `item` taken away.
    pub fn without(item: GateItem) -> CaseFacts {
        let mut facts = complete();
        match item {
            GateItem::WhatHappened => facts.what_happened = false,
            GateItem::OccurredAt => facts.occurred_at = false,
            GateItem::DetectedBy => facts.detected_by = false,
            GateItem::Severity => facts.severity = false,
            GateItem::Category => facts.category = false,
            GateItem::RootCause => facts.root_cause = false,
            GateItem::OurShare => facts.our_share = false,
            GateItem::ValueAtRisk => facts.value_at_risk = false,
            GateItem::Decision => facts.decision = None,
            GateItem::Conversation => {
                facts.conversations = 0;
                facts.non_email_conversations = 0;
            }
            GateItem::ActionItem => facts.action_items = 0,
            GateItem::Reparation => facts.reparation = false,
            GateItem::Commitment => facts.commitments = 0,
            GateItem::FollowUpPlan => facts.follow_up_plan = false,
            GateItem::CheckIn => facts.checkins_with_sentiment = 0,
            GateItem::Lessons => facts.lessons = 0,
        }
        facts
    }

    /// What each stage's gate asks for, in order, as the design lists it.
    pub fn expected_gate(stage: Stage) -> Vec<GateItem> {
        use GateItem::*;
        match stage {
            Stage::Detected => vec![WhatHappened, OccurredAt, DetectedBy, Severity, Category],
            Stage::Assessing => vec![RootCause, OurShare, ValueAtRisk, Decision],
            Stage::ReachingOut => vec![Conversation],
            Stage::MakingItRight => vec![ActionItem, Reparation, Commitment],
            Stage::FollowingUp => vec![FollowUpPlan, CheckIn],
            Stage::Closed => vec![],
        }
    }

    pub fn open_stages() -> impl Iterator<Item = Stage> {
        Stage::ALL.into_iter().filter(|s| *s != Stage::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn each_stage_checklist_lists_its_gate_with_what_is_done() {
        for stage in Stage::ALL {
            assert_eq!(stage_items(stage), expected_gate(stage).as_slice());
            let empty = checklist(stage, &CaseFacts::default());
            assert!(empty.iter().all(|(_, done)| !done), "{stage:?}");
            assert!(checklist(stage, &complete()).iter().all(|(_, done)| *done));
        }
        let facts = without(GateItem::RootCause);
        assert_eq!(
            checklist(Stage::Assessing, &facts),
            vec![
                (GateItem::RootCause, false),
                (GateItem::OurShare, true),
                (GateItem::ValueAtRisk, true),
                (GateItem::Decision, true)
            ]
        );
        for item in GateItem::ALL {
            assert!(!item.label().is_empty() && !item.label().ends_with('.'));
        }
    }

    #[test]
    fn a_complete_case_has_nothing_missing_at_any_stage() {
        for stage in Stage::ALL {
            assert_eq!(gate(stage, &complete()), vec![], "{stage}");
        }
    }

    #[test]
    fn an_empty_case_is_missing_every_item_of_each_stage_in_order() {
        for stage in Stage::ALL {
            assert_eq!(
                gate(stage, &CaseFacts::default()),
                expected_gate(stage),
                "{stage}"
            );
        }
    }

    #[test]
    fn each_item_is_missing_exactly_when_its_fact_is_absent_at_every_stage() {
        for stage in Stage::ALL {
            let wanted = expected_gate(stage);
            for item in GateItem::ALL {
                let missing = gate(stage, &without(item));
                if wanted.contains(&item) {
                    assert_eq!(missing, vec![item], "{stage} without {item:?}");
                } else {
                    assert_eq!(missing, vec![], "{stage} without {item:?}");
                }
            }
        }
    }

    #[test]
    fn either_decision_satisfies_the_assessing_gate() {
        for decision in Decision::ALL {
            let facts = CaseFacts {
                decision: Some(decision),
                ..complete()
            };
            assert_eq!(gate(Stage::Assessing, &facts), vec![]);
        }
    }

    #[test]
    fn an_e_mail_only_conversation_still_satisfies_reaching_out() {
        let facts = CaseFacts {
            conversations: 2,
            non_email_conversations: 0,
            ..complete()
        };
        assert_eq!(gate(Stage::ReachingOut, &facts), vec![]);
    }

    #[test]
    fn gate_items_have_unique_snake_case_fields_and_instructions() {
        let mut fields: Vec<&str> = GateItem::ALL.iter().map(|i| i.field()).collect();
        assert_eq!(GateItem::WhatHappened.field(), "what_happened");
        for field in &fields {
            assert!(
                field.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{field}"
            );
        }
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), GateItem::ALL.len());
        for item in GateItem::ALL {
            assert!(item.message().ends_with('.'), "{item:?}");
        }
        assert_eq!(GateItem::WhatHappened.message(), "Describe what happened.");
        assert_eq!(
            GateItem::Conversation.message(),
            "Log at least one conversation with the client."
        );
        assert_eq!(
            GateItem::Reparation.message(),
            "Record the reparation, or say why there is none."
        );
        assert_eq!(
            GateItem::Decision.message(),
            "Decide: repair the relationship or let it go."
        );
    }

    #[test]
    fn only_e_mail_conversations_warn_on_every_open_stage() {
        for stage in Stage::ALL {
            for (conversations, non_email, warns) in [
                (0, 0, false),
                (1, 0, true),
                (3, 0, true),
                (3, 1, false),
                (1, 1, false),
            ] {
                let facts = CaseFacts {
                    conversations,
                    non_email_conversations: non_email,
                    ..complete()
                };
                let expected = if warns && stage != Stage::Closed {
                    vec![Warning::OnlyEmail]
                } else {
                    vec![]
                };
                assert_eq!(
                    warnings(stage, &facts),
                    expected,
                    "{stage}, {conversations} conversations, {non_email} not by e-mail"
                );
            }
        }
    }

    #[test]
    fn the_e_mail_warning_says_to_call_or_meet() {
        assert_eq!(
            Warning::OnlyEmail.message(),
            "Every conversation so far was by e-mail. Call or meet: tone gets lost in writing."
        );
    }
}
