//! The commitment ledger: what "from now on we will …" means once it is written down. Each
//! commitment has an owner, a scope, a way to verify it and a review date; check-ins mark it
//! kept, slipping or broken, and a broken one sends the repair back to work.

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::FieldErrors;
use super::stage::{Outcome, Stage};

/// Who a commitment is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Client,
    Team,
    Organisation,
}

impl Reach {
    pub const ALL: [Reach; 3] = [Reach::Client, Reach::Team, Reach::Organisation];

    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Client => "client",
            Reach::Team => "team",
            Reach::Organisation => "organisation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reach::Client => "This client",
            Reach::Team => "All clients of the team",
            Reach::Organisation => "All clients of the organisation",
        }
    }

    pub fn parse(raw: &str) -> Result<Reach, String> {
        Reach::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| "Choose who the commitment is for.".into())
    }
}

/// How a commitment stands: its latest mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Kept,
    Slipping,
    Broken,
}

impl Mark {
    pub const ALL: [Mark; 3] = [Mark::Kept, Mark::Slipping, Mark::Broken];

    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Kept => "kept",
            Mark::Slipping => "slipping",
            Mark::Broken => "broken",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mark::Kept => "Kept",
            Mark::Slipping => "Slipping",
            Mark::Broken => "Broken",
        }
    }

    /// A submitted mark; blank means "not marked this time".
    pub fn parse(raw: &str) -> Result<Option<Mark>, String> {
        match raw.trim() {
            "" => Ok(None),
            raw => Mark::ALL
                .into_iter()
                .find(|m| m.as_str() == raw)
                .map(Some)
                .ok_or_else(|| "Mark it kept, slipping or broken.".into()),
        }
    }
}

/// How a commitment stands: open (never marked) or its latest mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitmentState {
    #[default]
    Open,
    Marked(Mark),
}

impl CommitmentState {
    pub const ALL: [CommitmentState; 4] = [
        CommitmentState::Open,
        CommitmentState::Marked(Mark::Kept),
        CommitmentState::Marked(Mark::Slipping),
        CommitmentState::Marked(Mark::Broken),
    ];

    /// The stored name: `open` or the mark's.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentState::Open => "open",
            CommitmentState::Marked(m) => m.as_str(),
        }
    }

    pub fn parse(raw: &str) -> Result<CommitmentState, String> {
        CommitmentState::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| format!("Unknown commitment state \u{201c}{raw}\u{201d}."))
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            CommitmentState::Open => "Not marked yet",
            CommitmentState::Marked(m) => m.label(),
        }
    }

    /// Still marked at check-ins (not broken).
    pub fn is_open(self) -> bool {
        self != CommitmentState::Marked(Mark::Broken)
    }
}

/// The label of a stored state (`open` or a mark).
pub fn state_label(state: &str) -> &'static str {
    CommitmentState::parse(state)
        .map(CommitmentState::label)
        .unwrap_or("Not marked yet")
}

/// The commitment form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CommitmentForm {
    /// "From now on we will …": the page's field is named `commitment`.
    #[serde(rename = "commitment")]
    pub text: String,
    #[serde(rename = "commitment_owner")]
    pub owner_id: String,
    #[serde(rename = "commitment_scope")]
    pub scope: String,
    pub verification: String,
    pub review_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommitment {
    pub text: String,
    /// `None`: the case's owner.
    pub owner_id: Option<Uuid>,
    pub scope: Reach,
    pub verification: String,
    pub review_on: Option<NaiveDate>,
}

impl CommitmentForm {
    /// `today` is the user's: a review date cannot be in the past.
    pub fn parse(&self, today: NaiveDate) -> Result<NewCommitment, FieldErrors> {
        let mut errors = FieldErrors::default();
        let text = self.text.trim().to_string();
        if text.is_empty() {
            errors.add("commitment", "Enter what you commit to.");
        } else if text.chars().count() > 1000 {
            errors.add(
                "commitment",
                "The commitment is too long: use at most 1000 characters.",
            );
        }
        let owner_id = match self.owner_id.trim() {
            "" => Some(None),
            raw => Uuid::parse_str(raw)
                .map(Some)
                .map_err(|_| errors.add("commitment_owner", "Choose who owns the commitment."))
                .ok(),
        };
        let scope = if self.scope.trim().is_empty() {
            Some(Reach::Client)
        } else {
            Reach::parse(&self.scope)
                .map_err(|e| errors.add("commitment_scope", e))
                .ok()
        };
        let verification = self.verification.trim().to_string();
        if verification.chars().count() > 1000 {
            errors.add(
                "verification",
                "How it will be verified is too long: use at most 1000 characters.",
            );
        }
        let review_on = match self.review_on.trim() {
            "" => Some(None),
            raw => super::dates::parse_day(raw, "2026-12-31")
                .map_err(|_| "Enter a date such as 2026-12-31, or leave it empty.".to_string())
                .and_then(|d| {
                    super::dates::planned(d, today, "The review date cannot be in the past.")
                })
                .map(Some)
                .map_err(|e| errors.add("review_on", e))
                .ok(),
        };
        match (owner_id, scope, review_on) {
            (Some(owner_id), Some(scope), Some(review_on)) if errors.is_empty() => {
                Ok(NewCommitment {
                    text,
                    owner_id,
                    scope,
                    verification,
                    review_on,
                })
            }
            _ => Err(errors),
        }
    }
}

/// What a broken commitment does to its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consequence {
    /// Back into Making it right, from a later stage.
    ReopenIntoMakingItRight,
    /// The case is still at or before Making it right: it stays where it is.
    AlreadyRepairing,
    /// The case is closed: a new case, linked to it, takes the repair up again.
    OpenLinkedCase,
}

pub fn consequence(stage: Stage, outcome: Outcome) -> Consequence {
    if outcome != Outcome::Open || stage == Stage::Closed {
        Consequence::OpenLinkedCase
    } else if stage.number() > Stage::MakingItRight.number() {
        Consequence::ReopenIntoMakingItRight
    } else {
        Consequence::AlreadyRepairing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
    }

    #[test]
    fn a_commitment_parses_with_its_owner_scope_and_review() {
        let owner = Uuid::new_v4();
        let c = CommitmentForm {
            text: " send the report by Friday noon ".into(),
            owner_id: owner.to_string(),
            scope: "team".into(),
            verification: "The report log shows Friday deliveries".into(),
            review_on: "2026-12-15".into(),
        }
        .parse(today())
        .expect("valid");
        assert_eq!(c.text, "send the report by Friday noon");
        assert_eq!(c.scope, Reach::Team);
        assert_eq!(c.owner_id, Some(owner));
        assert_eq!(c.review_on, NaiveDate::from_ymd_opt(2026, 12, 15));
    }

    #[test]
    fn every_problem_is_reported() {
        let e = CommitmentForm {
            text: " ".into(),
            owner_id: "nobody".into(),
            scope: "galaxy".into(),
            verification: "x".repeat(1001),
            review_on: "2026-11-01".into(),
        }
        .parse(today())
        .expect_err("invalid");
        for field in [
            "commitment",
            "commitment_owner",
            "commitment_scope",
            "verification",
            "review_on",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
    }

    #[test]
    fn marks_parse_and_blank_means_not_marked() {
        assert_eq!(Mark::parse(""), Ok(None));
        assert_eq!(Mark::parse("broken"), Ok(Some(Mark::Broken)));
        assert!(Mark::parse("maybe").is_err());
        assert_eq!(state_label("open"), "Not marked yet");
    }

    #[test]
    fn a_broken_commitment_sends_the_repair_back_to_work() {
        assert_eq!(
            consequence(Stage::FollowingUp, Outcome::Open),
            Consequence::ReopenIntoMakingItRight
        );
        assert_eq!(
            consequence(Stage::MakingItRight, Outcome::Open),
            Consequence::AlreadyRepairing
        );
        assert_eq!(
            consequence(Stage::Closed, Outcome::Restored),
            Consequence::OpenLinkedCase
        );
    }
}
