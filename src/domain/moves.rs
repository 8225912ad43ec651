//! The rules for moving a case: forward through a met gate, back with a reason, closed with an
//! outcome, and letting a client go (asked for with a reason, decided by a manager).

use super::Role;
use super::gate::{CaseFacts, GateItem, gate};
use super::stage::{Decision, LetGoRequest, MAX_REASON_CHARS, Outcome, Stage};

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

/// Everything that stands between an open case and closing it with `outcome`, all at once (for
/// a refusal that lists them all); empty when it may close. `close` reports the first.
pub fn close_blockers(stage: Stage, outcome: Outcome, facts: &CaseFacts) -> Vec<MoveError> {
    if stage == Stage::Closed {
        return vec![MoveError::AlreadyClosed];
    }
    let mut blockers = Vec::new();
    match outcome {
        Outcome::Open => blockers.push(MoveError::OutcomeRequired),
        Outcome::Restored => {
            if stage != Stage::FollowingUp {
                blockers.push(MoveError::NotFollowingUp);
            } else {
                let missing = gate(Stage::FollowingUp, facts);
                if !missing.is_empty() {
                    blockers.push(MoveError::GateNotMet(missing));
                }
                let needed = facts.good_check_ins_needed();
                if needed > 0 {
                    blockers.push(MoveError::TrustNotBack(needed));
                }
            }
        }
        Outcome::LetGo => {
            if facts.let_go != LetGoRequest::Approved {
                blockers.push(MoveError::NeedsApproval);
            }
        }
        Outcome::Lost => {}
    }
    if facts.lessons == 0 && outcome != Outcome::Open {
        blockers.push(MoveError::LessonsRequired);
    }
    blockers
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
    use super::super::gate::fixtures::*;
    use super::*;

    #[test]
    fn a_refused_close_lists_every_unmet_condition_at_once() {
        let facts = CaseFacts {
            lessons: 0,
            checkins_with_sentiment: 0,
            restored_after: Some(3),
            good_in_row: 1,
            ..complete()
        };
        assert_eq!(
            close_blockers(Stage::FollowingUp, Outcome::Restored, &facts),
            vec![
                MoveError::GateNotMet(vec![GateItem::CheckIn]),
                MoveError::TrustNotBack(2),
                MoveError::LessonsRequired
            ]
        );
        assert_eq!(
            close_blockers(Stage::MakingItRight, Outcome::Restored, &facts),
            vec![MoveError::NotFollowingUp, MoveError::LessonsRequired]
        );
        assert_eq!(
            close_blockers(Stage::ReachingOut, Outcome::Lost, &complete()),
            vec![]
        );
        // `close` says the first of them.
        for stage in [Stage::FollowingUp, Stage::MakingItRight] {
            for outcome in [Outcome::Restored, Outcome::Lost, Outcome::LetGo] {
                let all = close_blockers(stage, outcome, &facts);
                match close(stage, outcome, &facts) {
                    Ok(()) => assert!(all.is_empty(), "{stage:?} {outcome:?}"),
                    Err(e) => assert!(all.contains(&e), "{stage:?} {outcome:?}: {e:?}"),
                }
            }
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
