//! The repair framework: the six stages a case walks through, each stage's playbook (what the
//! articles say matters, in our words) and gate (what must be recorded before the case moves on),
//! and the rules for moving a case forward, back, closing it and letting a client go.
//!
//! Everything here is pure: other code gathers [`CaseFacts`] from the database, asks these
//! functions whether a move is allowed, and records the move.

use serde::{Deserialize, Serialize};

use super::Role;

/// A reason for moving a case back or asking to let a client go may not be longer than this.
pub const MAX_REASON_CHARS: usize = 2000;

/// Where a case stands in the repair framework. Ordered from first to last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Detected,
    Assessing,
    ReachingOut,
    MakingItRight,
    FollowingUp,
    Closed,
}

impl Stage {
    /// Every stage, in the order a case walks through them.
    pub const ALL: [Stage; 6] = [
        Stage::Detected,
        Stage::Assessing,
        Stage::ReachingOut,
        Stage::MakingItRight,
        Stage::FollowingUp,
        Stage::Closed,
    ];

    /// The stored and submitted name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Detected => "detected",
            Stage::Assessing => "assessing",
            Stage::ReachingOut => "reaching_out",
            Stage::MakingItRight => "making_it_right",
            Stage::FollowingUp => "following_up",
            Stage::Closed => "closed",
        }
    }

    /// Parses a stored or submitted stage name.
    pub fn parse(s: &str) -> Result<Stage, String> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "Unknown stage \u{201c}{s}\u{201d}: use detected, assessing, reaching_out, \
                     making_it_right, following_up or closed."
                )
            })
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Detected => "Detected",
            Stage::Assessing => "Assessing",
            Stage::ReachingOut => "Reaching out",
            Stage::MakingItRight => "Making it right",
            Stage::FollowingUp => "Following up",
            Stage::Closed => "Closed",
        }
    }

    /// What the stage is for, in a few words.
    pub fn purpose(self) -> &'static str {
        match self {
            Stage::Detected => "Define the damage",
            Stage::Assessing => "Review and value",
            Stage::ReachingOut => "Open the channels",
            Stage::MakingItRight => "Act and repair",
            Stage::FollowingUp => "Be consistent",
            Stage::Closed => "Restored, lost or let go",
        }
    }

    /// The stage's position, 1 for Detected to 6 for Closed.
    pub fn number(self) -> u8 {
        match self {
            Stage::Detected => 1,
            Stage::Assessing => 2,
            Stage::ReachingOut => 3,
            Stage::MakingItRight => 4,
            Stage::FollowingUp => 5,
            Stage::Closed => 6,
        }
    }

    /// The stage after this one; `None` for Closed. Following up is followed by Closed, but a
    /// case gets there only through [`close`], never through [`advance`].
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Detected => Some(Stage::Assessing),
            Stage::Assessing => Some(Stage::ReachingOut),
            Stage::ReachingOut => Some(Stage::MakingItRight),
            Stage::MakingItRight => Some(Stage::FollowingUp),
            Stage::FollowingUp => Some(Stage::Closed),
            Stage::Closed => None,
        }
    }

    /// The stage before this one; `None` for Detected.
    pub fn previous(self) -> Option<Stage> {
        match self {
            Stage::Detected => None,
            Stage::Assessing => Some(Stage::Detected),
            Stage::ReachingOut => Some(Stage::Assessing),
            Stage::MakingItRight => Some(Stage::ReachingOut),
            Stage::FollowingUp => Some(Stage::MakingItRight),
            Stage::Closed => Some(Stage::FollowingUp),
        }
    }

    /// Short prompts shown on the case page while it is in this stage: the articles' advice,
    /// in our own words.
    pub fn playbook(self) -> &'static [&'static str] {
        match self {
            Stage::Detected => &[
                "Pin down exactly what went wrong and why, before planning the fix.",
                "Did we spot it before the client did? Then start on a fix now and tell them what we are doing about it.",
                "If we are not sure what upset them, ask: \u{201c}It seems we have not met your expectations lately. Could you tell us how, so we can put it right?\u{201d}",
                "The sooner we admit something went wrong, the sooner the repair can begin.",
            ],
            Stage::Assessing => &[
                "Weigh what the relationship is worth to both sides: is winning it back worth the effort?",
                "Look at it from the client's side too: every story has two.",
                "Own our part honestly; we speak for the company, so pride has no say.",
                "If things keep going wrong with this client, ask whether it is time to let them go.",
                "Do not let a different way of working spoil a relationship with real promise.",
            ],
            Stage::ReachingOut => &[
                "Take the blame: would we rather be right, or be trusted?",
                "Hear the whole complaint without interrupting, even if the client is angry.",
                "When they have finished, acknowledge how they feel and show that we understand.",
                "Ask what we could have done differently, and what we can do for them now.",
                "Call or meet rather than e-mail: tone gets lost in writing, and a visit shows they matter.",
            ],
            Stage::MakingItRight => &[
                "Fix it fast, fix it for good, and do it without fanfare.",
                "Leave the client slightly better off than before, but not so much that complaining pays.",
                "Commit in plain words: \u{201c}From now on we will do X and Y.\u{201d}",
                "Do what we said we would; lip service without action makes it worse.",
            ],
            Stage::FollowingUp => &[
                "Check in weekly, every two weeks or monthly, whatever suits the client.",
                "Make sure the fix holds and the client still feels good about staying with us.",
                "Be consistent: keeping every promise speaks louder than any apology.",
                "Keep the dialogue going, and do not slip back into the habits that caused this.",
            ],
            Stage::Closed => &[
                "Find every lesson this case can teach.",
                "Apply those lessons to all our client relationships, not just this one.",
                "Next time, agree up front what we offer and to what standard, and never over-promise.",
            ],
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a case ended, or `Open` while it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Open,
    Restored,
    Lost,
    LetGo,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Open,
        Outcome::Restored,
        Outcome::Lost,
        Outcome::LetGo,
    ];

    /// The stored and submitted name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Restored => "restored",
            Outcome::Lost => "lost",
            Outcome::LetGo => "let_go",
        }
    }

    /// Parses a stored or submitted outcome name.
    pub fn parse(s: &str) -> Result<Outcome, String> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s.trim())
            .ok_or_else(|| {
                format!("Unknown outcome \u{201c}{s}\u{201d}: use open, restored, lost or let_go.")
            })
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Open => "Open",
            Outcome::Restored => "Restored",
            Outcome::Lost => "Lost",
            Outcome::LetGo => "Let go",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the assessment decided: win the client back, or let the relationship go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Repair,
    LetGo,
}

impl Decision {
    pub const ALL: [Decision; 2] = [Decision::Repair, Decision::LetGo];

    /// The stored and submitted name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Repair => "repair",
            Decision::LetGo => "let_go",
        }
    }

    /// Parses a stored or submitted decision name.
    pub fn parse(s: &str) -> Result<Decision, String> {
        Decision::ALL
            .into_iter()
            .find(|d| d.as_str() == s.trim())
            .ok_or_else(|| format!("Unknown decision \u{201c}{s}\u{201d}: use repair or let_go."))
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Repair => "Repair",
            Decision::LetGo => "Let go",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a request to let the client go stands. Approval closes the case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetGoRequest {
    #[default]
    None,
    Requested,
    Approved,
    Declined,
}

impl LetGoRequest {
    pub const ALL: [LetGoRequest; 4] = [
        LetGoRequest::None,
        LetGoRequest::Requested,
        LetGoRequest::Approved,
        LetGoRequest::Declined,
    ];

    /// The stored and submitted name.
    pub fn as_str(self) -> &'static str {
        match self {
            LetGoRequest::None => "none",
            LetGoRequest::Requested => "requested",
            LetGoRequest::Approved => "approved",
            LetGoRequest::Declined => "declined",
        }
    }

    /// Parses a stored or submitted state name.
    pub fn parse(s: &str) -> Result<LetGoRequest, String> {
        LetGoRequest::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "Unknown let-go state \u{201c}{s}\u{201d}: use none, requested, approved or declined."
                )
            })
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            LetGoRequest::None => "Not requested",
            LetGoRequest::Requested => "Awaiting approval",
            LetGoRequest::Approved => "Approved",
            LetGoRequest::Declined => "Declined",
        }
    }
}

impl std::fmt::Display for LetGoRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
                "Every conversation so far was by e-mail. The articles are clear: call or meet \u{2014} tone gets lost in writing."
            }
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
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

/// Why a case may not move, close, or change its let-go request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveError {
    /// The stage's gate still needs these items.
    GateNotMet(Vec<GateItem>),
    /// The assessment decided to let the client go; that takes a manager's approval instead.
    DecidedToLetGo,
    AlreadyClosed,
    AtFirstStage,
    ReasonRequired,
    ReasonTooLong,
    /// Following up ends with a close, not with a move forward.
    UseClose,
    OutcomeRequired,
    LessonsRequired,
    NotFollowingUp,
    NeedsApproval,
    LetGoPending,
    LetGoNotRequested,
    NotAllowed,
    /// An adaptive plan's restored gate: this many more good check-ins in a row are needed.
    TrustNotBack(u32),
}

impl std::fmt::Display for MoveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MoveError::GateNotMet(items) => {
                let messages: Vec<&str> = items.iter().map(|i| i.message()).collect();
                write!(f, "This stage is not finished: {}", messages.join(" "))
            }
            MoveError::DecidedToLetGo => f.write_str(
                "The decision is to let go: request a manager's approval instead of moving on.",
            ),
            MoveError::AlreadyClosed => {
                f.write_str("The case is closed: move it back to reopen it first.")
            }
            MoveError::AtFirstStage => {
                f.write_str("The case is at the first stage: there is no stage to move back to.")
            }
            MoveError::ReasonRequired => f.write_str("Give a reason."),
            MoveError::ReasonTooLong => write!(
                f,
                "The reason is too long: use at most {MAX_REASON_CHARS} characters."
            ),
            MoveError::UseClose => f.write_str("Close the case as restored once trust is back."),
            MoveError::OutcomeRequired => {
                f.write_str("Choose how the case ended: restored, lost or let go.")
            }
            MoveError::LessonsRequired => {
                f.write_str("Record at least one lesson learned before closing the case.")
            }
            MoveError::NotFollowingUp => f.write_str(
                "A case can be closed as restored only from Following up: finish the earlier stages first.",
            ),
            MoveError::NeedsApproval => f.write_str(
                "Letting the client go needs a manager's approval: request it first.",
            ),
            MoveError::LetGoPending => f.write_str(
                "A request to let go is already waiting: wait for a manager to decide on it.",
            ),
            MoveError::LetGoNotRequested => {
                f.write_str("Nobody has asked to let this client go: there is nothing to decide.")
            }
            MoveError::NotAllowed => {
                f.write_str("Only a manager or an admin may decide on letting a client go.")
            }
            MoveError::TrustNotBack(n) => write!(
                f,
                "Trust is not back yet: {n} more good check-in{} in a row (the client's mood +1 or better) before the case can close as restored.",
                if *n == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for MoveError {}

/// Checks a reason given for a move back or a let-go request and returns it trimmed.
pub fn check_reason(reason: &str) -> Result<&str, MoveError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(MoveError::ReasonRequired)
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Err(MoveError::ReasonTooLong)
    } else {
        Ok(reason)
    }
}

/// Moves a case forward one stage, through a satisfied gate.
pub fn advance(stage: Stage, facts: &CaseFacts) -> Result<Stage, MoveError> {
    match stage {
        Stage::Closed => return Err(MoveError::AlreadyClosed),
        Stage::FollowingUp => return Err(MoveError::UseClose),
        _ => {}
    }
    let missing = gate(stage, facts);
    if !missing.is_empty() {
        return Err(MoveError::GateNotMet(missing));
    }
    if stage == Stage::Assessing && facts.decision == Some(Decision::LetGo) {
        return Err(MoveError::DecidedToLetGo);
    }
    stage.next().ok_or(MoveError::AlreadyClosed)
}

/// Moves a case back one stage, with a reason. Moving back from Closed reopens the case in
/// Following up.
pub fn move_back(stage: Stage, reason: &str) -> Result<Stage, MoveError> {
    let previous = stage.previous().ok_or(MoveError::AtFirstStage)?;
    check_reason(reason)?;
    Ok(previous)
}

/// Whether an open case may be closed with `outcome`. Every outcome needs a lesson learned;
/// restored needs Following up finished, let go a manager's approval; lost (the client left)
/// is possible from any open stage.
pub fn close(stage: Stage, outcome: Outcome, facts: &CaseFacts) -> Result<(), MoveError> {
    if stage == Stage::Closed {
        return Err(MoveError::AlreadyClosed);
    }
    if outcome == Outcome::Open {
        return Err(MoveError::OutcomeRequired);
    }
    if facts.lessons == 0 {
        return Err(MoveError::LessonsRequired);
    }
    match outcome {
        Outcome::Restored => {
            if stage != Stage::FollowingUp {
                return Err(MoveError::NotFollowingUp);
            }
            let missing = gate(Stage::FollowingUp, facts);
            if !missing.is_empty() {
                return Err(MoveError::GateNotMet(missing));
            }
            let needed = facts.good_check_ins_needed();
            if needed > 0 {
                return Err(MoveError::TrustNotBack(needed));
            }
        }
        Outcome::LetGo => {
            if facts.let_go != LetGoRequest::Approved {
                return Err(MoveError::NeedsApproval);
            }
        }
        Outcome::Lost | Outcome::Open => {}
    }
    Ok(())
}

/// Whether someone may ask a manager to let the client go, with a reason.
pub fn request_let_go(stage: Stage, facts: &CaseFacts, reason: &str) -> Result<(), MoveError> {
    if stage == Stage::Closed {
        return Err(MoveError::AlreadyClosed);
    }
    if facts.let_go == LetGoRequest::Requested {
        return Err(MoveError::LetGoPending);
    }
    check_reason(reason)?;
    Ok(())
}

/// Whether `approver` may approve or decline a pending let-go request. Approving closes the case
/// as let go, so it also needs a lesson learned.
pub fn decide_let_go(
    stage: Stage,
    facts: &CaseFacts,
    approver: Role,
    approve: bool,
) -> Result<(), MoveError> {
    if !approver.at_least(Role::Manager) {
        return Err(MoveError::NotAllowed);
    }
    if stage == Stage::Closed {
        return Err(MoveError::AlreadyClosed);
    }
    if facts.let_go != LetGoRequest::Requested {
        return Err(MoveError::LetGoNotRequested);
    }
    if approve && facts.lessons == 0 {
        return Err(MoveError::LessonsRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fact present: every gate is satisfied.
    fn complete() -> CaseFacts {
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

    #[test]
    fn an_adaptive_plan_closes_as_restored_only_after_enough_good_check_ins_in_a_row() {
        let mut facts = CaseFacts {
            restored_after: Some(3),
            good_in_row: 1,
            ..complete()
        };
        assert_eq!(facts.good_check_ins_needed(), 2);
        let refused = close(Stage::FollowingUp, Outcome::Restored, &facts);
        assert_eq!(refused, Err(MoveError::TrustNotBack(2)));
        assert!(
            refused
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("2 more good check-ins in a row")
        );
        // Lost needs no streak.
        assert_eq!(close(Stage::FollowingUp, Outcome::Lost, &facts), Ok(()));
        facts.good_in_row = 3;
        assert_eq!(close(Stage::FollowingUp, Outcome::Restored, &facts), Ok(()));
        // Without an adaptive plan one good check-in is enough, as before.
        let fixed = CaseFacts {
            restored_after: None,
            good_in_row: 0,
            ..complete()
        };
        assert_eq!(close(Stage::FollowingUp, Outcome::Restored, &fixed), Ok(()));
    }

    /// `complete()` with the fact behind `item` taken away.
    fn without(item: GateItem) -> CaseFacts {
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
    fn expected_gate(stage: Stage) -> Vec<GateItem> {
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

    fn open_stages() -> impl Iterator<Item = Stage> {
        Stage::ALL.into_iter().filter(|s| *s != Stage::Closed)
    }

    // --- names and parsing ---

    #[test]
    fn every_stage_parses_back_from_its_name() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Ok(stage));
            assert_eq!(Stage::parse(&format!(" {stage} ")), Ok(stage));
        }
    }

    #[test]
    fn every_outcome_parses_back_from_its_name() {
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Ok(outcome));
        }
    }

    #[test]
    fn every_decision_parses_back_from_its_name() {
        for decision in Decision::ALL {
            assert_eq!(Decision::parse(decision.as_str()), Ok(decision));
        }
    }

    #[test]
    fn every_let_go_state_parses_back_from_its_name() {
        for state in LetGoRequest::ALL {
            assert_eq!(LetGoRequest::parse(state.as_str()), Ok(state));
        }
    }

    #[test]
    fn unknown_names_are_refused_with_the_valid_ones() {
        let err = Stage::parse("done").expect_err("must fail");
        assert!(err.contains("following_up or closed"), "{err}");
        let err = Outcome::parse("won").expect_err("must fail");
        assert!(err.contains("restored, lost or let_go"), "{err}");
        let err = Decision::parse("maybe").expect_err("must fail");
        assert!(err.contains("repair or let_go"), "{err}");
        let err = LetGoRequest::parse("pending").expect_err("must fail");
        assert!(err.contains("approved or declined"), "{err}");
    }

    #[test]
    fn serde_uses_the_same_names_as_as_str() {
        for stage in Stage::ALL {
            let json = serde_json::to_string(&stage).expect("serialises");
            assert_eq!(json, format!("\"{}\"", stage.as_str()));
            assert_eq!(serde_json::from_str::<Stage>(&json).expect("parses"), stage);
        }
        for outcome in Outcome::ALL {
            let json = serde_json::to_string(&outcome).expect("serialises");
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
            assert_eq!(
                serde_json::from_str::<Outcome>(&json).expect("parses"),
                outcome
            );
        }
        for decision in Decision::ALL {
            let json = serde_json::to_string(&decision).expect("serialises");
            assert_eq!(json, format!("\"{}\"", decision.as_str()));
            assert_eq!(
                serde_json::from_str::<Decision>(&json).expect("parses"),
                decision
            );
        }
        for state in LetGoRequest::ALL {
            let json = serde_json::to_string(&state).expect("serialises");
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(
                serde_json::from_str::<LetGoRequest>(&json).expect("parses"),
                state
            );
        }
    }

    #[test]
    fn labels_and_purposes_match_the_design() {
        let table = [
            (Stage::Detected, "Detected", "Define the damage"),
            (Stage::Assessing, "Assessing", "Review and value"),
            (Stage::ReachingOut, "Reaching out", "Open the channels"),
            (Stage::MakingItRight, "Making it right", "Act and repair"),
            (Stage::FollowingUp, "Following up", "Be consistent"),
            (Stage::Closed, "Closed", "Restored, lost or let go"),
        ];
        for (stage, label, purpose) in table {
            assert_eq!(stage.label(), label);
            assert_eq!(stage.purpose(), purpose);
        }
        assert_eq!(Outcome::LetGo.label(), "Let go");
        assert_eq!(Outcome::Open.label(), "Open");
        assert_eq!(Decision::Repair.label(), "Repair");
    }

    #[test]
    fn no_let_go_request_is_the_default() {
        assert_eq!(LetGoRequest::default(), LetGoRequest::None);
        assert_eq!(CaseFacts::default().let_go, LetGoRequest::None);
    }

    // --- order ---

    #[test]
    fn stages_are_numbered_one_to_six_in_order() {
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(stage.number()), i + 1, "{stage}");
        }
        assert!(Stage::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn next_and_previous_walk_the_stages_in_order() {
        for pair in Stage::ALL.windows(2) {
            assert_eq!(pair[0].next(), Some(pair[1]));
            assert_eq!(pair[1].previous(), Some(pair[0]));
        }
        assert_eq!(Stage::Closed.next(), None);
        assert_eq!(Stage::Detected.previous(), None);
    }

    // --- playbooks ---

    #[test]
    fn every_stage_has_three_to_five_short_prompts() {
        for stage in Stage::ALL {
            let prompts = stage.playbook();
            assert!(
                (3..=5).contains(&prompts.len()),
                "{stage}: {}",
                prompts.len()
            );
            for prompt in prompts {
                assert!(!prompt.trim().is_empty(), "{stage}");
                assert!(prompt.chars().count() <= 160, "{stage}: {prompt}");
                assert!(
                    prompt.ends_with('.') || prompt.ends_with('?') || prompt.ends_with('\u{201d}'),
                    "{stage}: {prompt}"
                );
            }
        }
    }

    #[test]
    fn reaching_out_prompts_cover_blame_listening_feelings_asking_and_calling() {
        let text = Stage::ReachingOut.playbook().join(" ").to_lowercase();
        for needle in [
            "blame",
            "without interrupting",
            "how they feel",
            "done differently",
            "call or meet",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in {text}");
        }
    }

    // --- gates ---

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

    // --- advance ---

    #[test]
    fn advance_succeeds_exactly_when_the_gate_is_empty() {
        for stage in Stage::ALL {
            let mut cases = vec![complete(), CaseFacts::default()];
            cases.extend(GateItem::ALL.into_iter().map(without));
            for facts in cases {
                let result = advance(stage, &facts);
                let missing = gate(stage, &facts);
                let expected = match stage {
                    Stage::Closed => Err(MoveError::AlreadyClosed),
                    Stage::FollowingUp => Err(MoveError::UseClose),
                    _ if !missing.is_empty() => Err(MoveError::GateNotMet(missing)),
                    _ => Ok(stage.next().expect("open stages have a next")),
                };
                assert_eq!(result, expected, "{stage} with {facts:?}");
            }
        }
    }

    #[test]
    fn advance_from_a_complete_stage_lands_on_the_next_one() {
        let facts = complete();
        assert_eq!(advance(Stage::Detected, &facts), Ok(Stage::Assessing));
        assert_eq!(advance(Stage::Assessing, &facts), Ok(Stage::ReachingOut));
        assert_eq!(
            advance(Stage::ReachingOut, &facts),
            Ok(Stage::MakingItRight)
        );
        assert_eq!(
            advance(Stage::MakingItRight, &facts),
            Ok(Stage::FollowingUp)
        );
    }

    #[test]
    fn a_decision_to_let_go_stops_the_move_past_assessing() {
        let facts = CaseFacts {
            decision: Some(Decision::LetGo),
            ..complete()
        };
        assert_eq!(
            advance(Stage::Assessing, &facts),
            Err(MoveError::DecidedToLetGo)
        );
    }

    #[test]
    fn a_let_go_decision_reports_missing_items_first() {
        let facts = CaseFacts {
            decision: Some(Decision::LetGo),
            ..without(GateItem::RootCause)
        };
        assert_eq!(
            advance(Stage::Assessing, &facts),
            Err(MoveError::GateNotMet(vec![GateItem::RootCause]))
        );
    }

    #[test]
    fn a_let_go_decision_does_not_matter_at_other_stages() {
        let facts = CaseFacts {
            decision: Some(Decision::LetGo),
            ..complete()
        };
        assert_eq!(advance(Stage::Detected, &facts), Ok(Stage::Assessing));
        assert_eq!(
            advance(Stage::ReachingOut, &facts),
            Ok(Stage::MakingItRight)
        );
    }

    // --- move back ---

    #[test]
    fn every_stage_but_the_first_moves_back_one_with_a_reason() {
        let table = [
            (Stage::Detected, Err(MoveError::AtFirstStage)),
            (Stage::Assessing, Ok(Stage::Detected)),
            (Stage::ReachingOut, Ok(Stage::Assessing)),
            (Stage::MakingItRight, Ok(Stage::ReachingOut)),
            (Stage::FollowingUp, Ok(Stage::MakingItRight)),
            (Stage::Closed, Ok(Stage::FollowingUp)),
        ];
        for (stage, expected) in table {
            assert_eq!(
                move_back(stage, "The client called again."),
                expected,
                "{stage}"
            );
        }
    }

    #[test]
    fn moving_back_needs_a_reason_of_at_most_two_thousand_characters() {
        let too_long = "x".repeat(MAX_REASON_CHARS + 1);
        let longest = "é".repeat(MAX_REASON_CHARS);
        let padded = format!("  {longest}  ");
        for stage in Stage::ALL {
            if stage == Stage::Detected {
                for reason in ["", "   ", too_long.as_str(), "fine"] {
                    assert_eq!(move_back(stage, reason), Err(MoveError::AtFirstStage));
                }
                continue;
            }
            let back = stage.previous().expect("not the first stage");
            assert_eq!(
                move_back(stage, ""),
                Err(MoveError::ReasonRequired),
                "{stage}"
            );
            assert_eq!(
                move_back(stage, " \t\n "),
                Err(MoveError::ReasonRequired),
                "{stage}"
            );
            assert_eq!(
                move_back(stage, &too_long),
                Err(MoveError::ReasonTooLong),
                "{stage}"
            );
            assert_eq!(move_back(stage, &longest), Ok(back), "{stage}");
            assert_eq!(move_back(stage, &padded), Ok(back), "{stage}");
        }
    }

    #[test]
    fn a_checked_reason_comes_back_trimmed() {
        assert_eq!(check_reason("  wrong stage \n"), Ok("wrong stage"));
    }

    // --- close ---

    #[test]
    fn every_stage_and_outcome_closes_as_the_rules_say() {
        use Outcome::*;
        let approved = CaseFacts {
            let_go: LetGoRequest::Approved,
            ..complete()
        };
        for stage in Stage::ALL {
            for outcome in Outcome::ALL {
                let expected = match (stage, outcome) {
                    (Stage::Closed, _) => Err(MoveError::AlreadyClosed),
                    (_, Open) => Err(MoveError::OutcomeRequired),
                    (Stage::FollowingUp, Restored) => Ok(()),
                    (_, Restored) => Err(MoveError::NotFollowingUp),
                    (_, Lost | LetGo) => Ok(()),
                };
                assert_eq!(
                    close(stage, outcome, &approved),
                    expected,
                    "{stage} as {outcome}"
                );
            }
        }
    }

    #[test]
    fn every_outcome_needs_a_lesson_learned() {
        let facts = CaseFacts {
            let_go: LetGoRequest::Approved,
            ..without(GateItem::Lessons)
        };
        for stage in open_stages() {
            for outcome in [Outcome::Restored, Outcome::Lost, Outcome::LetGo] {
                assert_eq!(
                    close(stage, outcome, &facts),
                    Err(MoveError::LessonsRequired),
                    "{stage} as {outcome}"
                );
            }
        }
    }

    #[test]
    fn letting_go_needs_an_approved_request() {
        for stage in open_stages() {
            for state in LetGoRequest::ALL {
                let facts = CaseFacts {
                    let_go: state,
                    ..complete()
                };
                let expected = if state == LetGoRequest::Approved {
                    Ok(())
                } else {
                    Err(MoveError::NeedsApproval)
                };
                assert_eq!(
                    close(stage, Outcome::LetGo, &facts),
                    expected,
                    "{stage} with {state}"
                );
            }
        }
    }

    #[test]
    fn restored_needs_the_following_up_gate_met() {
        for item in GateItem::ALL {
            let facts = without(item);
            let expected = match item {
                GateItem::Lessons => Err(MoveError::LessonsRequired),
                GateItem::FollowUpPlan | GateItem::CheckIn => {
                    Err(MoveError::GateNotMet(vec![item]))
                }
                _ => Ok(()),
            };
            assert_eq!(
                close(Stage::FollowingUp, Outcome::Restored, &facts),
                expected,
                "without {item:?}"
            );
        }
        let nothing_but_lessons = CaseFacts {
            lessons: 1,
            ..CaseFacts::default()
        };
        assert_eq!(
            close(Stage::FollowingUp, Outcome::Restored, &nothing_but_lessons),
            Err(MoveError::GateNotMet(vec![
                GateItem::FollowUpPlan,
                GateItem::CheckIn
            ]))
        );
    }

    #[test]
    fn a_lost_client_closes_from_any_open_stage_with_only_a_lesson() {
        let facts = CaseFacts {
            lessons: 1,
            ..CaseFacts::default()
        };
        for stage in open_stages() {
            assert_eq!(close(stage, Outcome::Lost, &facts), Ok(()), "{stage}");
        }
    }

    // --- let go ---

    #[test]
    fn a_let_go_request_is_refused_when_closed_or_already_pending() {
        for stage in Stage::ALL {
            for state in LetGoRequest::ALL {
                let facts = CaseFacts {
                    let_go: state,
                    ..complete()
                };
                let expected = if stage == Stage::Closed {
                    Err(MoveError::AlreadyClosed)
                } else if state == LetGoRequest::Requested {
                    Err(MoveError::LetGoPending)
                } else {
                    Ok(())
                };
                assert_eq!(
                    request_let_go(stage, &facts, "They keep changing the scope."),
                    expected,
                    "{stage} with {state}"
                );
            }
        }
    }

    #[test]
    fn a_let_go_request_needs_a_reason_of_at_most_two_thousand_characters() {
        let facts = complete();
        let too_long = "x".repeat(MAX_REASON_CHARS + 1);
        let longest = "x".repeat(MAX_REASON_CHARS);
        for stage in open_stages() {
            assert_eq!(
                request_let_go(stage, &facts, ""),
                Err(MoveError::ReasonRequired)
            );
            assert_eq!(
                request_let_go(stage, &facts, "  \n"),
                Err(MoveError::ReasonRequired)
            );
            assert_eq!(
                request_let_go(stage, &facts, &too_long),
                Err(MoveError::ReasonTooLong)
            );
            assert_eq!(request_let_go(stage, &facts, &longest), Ok(()));
        }
    }

    #[test]
    fn only_managers_decide_pending_requests_and_approval_needs_a_lesson() {
        for stage in Stage::ALL {
            for role in Role::ALL {
                for state in LetGoRequest::ALL {
                    for lessons in [0, 1] {
                        for approve in [true, false] {
                            let facts = CaseFacts {
                                let_go: state,
                                lessons,
                                ..complete()
                            };
                            let expected = if role == Role::AccountManager {
                                Err(MoveError::NotAllowed)
                            } else if stage == Stage::Closed {
                                Err(MoveError::AlreadyClosed)
                            } else if state != LetGoRequest::Requested {
                                Err(MoveError::LetGoNotRequested)
                            } else if approve && lessons == 0 {
                                Err(MoveError::LessonsRequired)
                            } else {
                                Ok(())
                            };
                            assert_eq!(
                                decide_let_go(stage, &facts, role, approve),
                                expected,
                                "{stage}, {role}, {state}, lessons {lessons}, approve {approve}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn declining_needs_no_lesson() {
        let facts = CaseFacts {
            let_go: LetGoRequest::Requested,
            ..without(GateItem::Lessons)
        };
        assert_eq!(
            decide_let_go(Stage::Assessing, &facts, Role::Manager, false),
            Ok(())
        );
    }

    // --- warnings ---

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
            "Every conversation so far was by e-mail. The articles are clear: call or meet \u{2014} tone gets lost in writing."
        );
    }

    // --- messages ---

    #[test]
    fn an_unmet_gate_lists_every_missing_instruction() {
        let err = MoveError::GateNotMet(vec![GateItem::WhatHappened, GateItem::Severity]);
        assert_eq!(
            err.to_string(),
            "This stage is not finished: Describe what happened. Set the severity."
        );
    }

    #[test]
    fn every_move_error_says_what_to_do_in_a_sentence() {
        let all = [
            MoveError::GateNotMet(vec![GateItem::Conversation]),
            MoveError::DecidedToLetGo,
            MoveError::AlreadyClosed,
            MoveError::AtFirstStage,
            MoveError::ReasonRequired,
            MoveError::ReasonTooLong,
            MoveError::UseClose,
            MoveError::OutcomeRequired,
            MoveError::LessonsRequired,
            MoveError::NotFollowingUp,
            MoveError::NeedsApproval,
            MoveError::LetGoPending,
            MoveError::LetGoNotRequested,
            MoveError::NotAllowed,
        ];
        for err in all {
            let text = err.to_string();
            assert!(text.ends_with('.'), "{text}");
            assert!(
                text.chars().next().is_some_and(char::is_uppercase),
                "{text}"
            );
        }
        assert_eq!(
            MoveError::DecidedToLetGo.to_string(),
            "The decision is to let go: request a manager's approval instead of moving on."
        );
        assert_eq!(
            MoveError::UseClose.to_string(),
            "Close the case as restored once trust is back."
        );
        assert!(MoveError::ReasonTooLong.to_string().contains("2000"));
    }
}
