//! The repair framework: the six stages a case walks through with each stage's playbook, how a
//! case ends (outcome), what the assessment decided, and where a let-go request stands. Each
//! stage's gate lives in `gate` and the rules for moving a case in `moves`; both are re-exported
//! here, so `stage::gate`, `stage::advance` read as the framework's own words.
//!
//! Everything here is pure: other code gathers [`CaseFacts`] from the database, asks these
//! functions whether a move is allowed, and records the move.

use serde::{Deserialize, Serialize};

pub use super::gate::{CaseFacts, GateItem, Warning, checklist, gate, stage_items, warnings};
pub use super::moves::{
    MoveError, advance, check_reason, close, close_blockers, decide_let_go, move_back,
    request_let_go,
};

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

    /// Short prompts shown on the case page while it is in this stage: Mend's advice,
    /// in our own words.
    pub fn playbook(self) -> &'static [&'static str] {
        match self {
            Stage::Detected => &[
                "Pin down exactly what went wrong and why before you plan the fix.",
                "Say who noticed first. If we did, start the fix now and tell the client what we are doing about it.",
                "Not sure what upset them? Ask: \u{201c}It seems we have not met your expectations lately. Could you tell us how, so we can put it right?\u{201d}",
                "Admit it early: the repair starts the moment we own the problem.",
            ],
            Stage::Assessing => &[
                "Weigh what the relationship is worth to both sides: is winning it back worth the effort?",
                "Read the story from the client's side too: write down how they see it.",
                "Own our share honestly; you speak for the company, so pride has no say.",
                "If things keep going wrong with this client, consider letting them go: a manager decides.",
            ],
            Stage::ReachingOut => &[
                "Take the blame: would you rather be right, or be trusted?",
                "Hear the whole complaint without interrupting, even if the client is angry.",
                "When they have finished, acknowledge how they feel and show that you understand.",
                "Ask what we could have done differently, and what we can do for them now.",
                "Call or meet rather than e-mail: tone gets lost in writing, and a visit shows they matter.",
            ],
            Stage::MakingItRight => &[
                "Fix it fast, fix it for good, and do it without fanfare.",
                "Leave the client slightly better off than before, but not so much that complaining pays.",
                "Commit in plain words: \u{201c}From now on we will do X and Y\u{201d}, and only what you can keep: never over-promise.",
                "Agree the commitments with the client so both sides understand the same thing, and write them down.",
            ],
            Stage::FollowingUp => &[
                "Check in weekly, every two weeks or monthly, whatever suits the client.",
                "Make sure the fix holds and the client still feels good about staying with us.",
                "Keep every promise: consistency speaks louder than any apology.",
                "Keep the dialogue going, and watch for the habits that caused this.",
            ],
            Stage::Closed => &[
                "Find every lesson this case can teach.",
                "Apply those lessons to all our client relationships, not just this one.",
                "Next time, agree up front what we offer and to what standard.",
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
