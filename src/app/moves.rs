//! Moving a case through the framework: on through a met gate, back with a reason, closed with
//! an outcome, and letting a client go (asked for by anyone on the case, decided by a manager).
//! Each reads the gate facts inside its transaction, after locking the case, so the decision
//! and the write see the same case.

use sqlx::PgPool;

use super::{Actor, Error, Result, open_case};
use crate::db::case_work;
use crate::db::cases as db_cases;
use crate::domain::stage::{self, MoveError, Outcome, Stage};

/// Moves case `number` on to the next stage; the stage it moved to.
pub async fn advance(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
) -> Result<Stage> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let facts = db_cases::facts(&mut *tx, case.id).await?;
    let to = stage::advance(case.stage, &facts)?;
    db_cases::set_stage(
        &mut tx,
        case.id,
        to,
        Outcome::Open,
        actor.id,
        &format!("Moved from {} to {}", case.stage.label(), to.label()),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}

/// Moves case `number` back a stage, for `reason`; the stage it moved to.
pub async fn move_back(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    reason: &str,
) -> Result<Stage> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let to = stage::move_back(case.stage, reason)?;
    let reason = reason.trim();
    db_cases::set_stage(
        &mut tx,
        case.id,
        to,
        Outcome::Open,
        actor.id,
        &format!(
            "Moved back from {} to {}: {reason}",
            case.stage.label(),
            to.label()
        ),
        Some(reason),
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}

/// Closes case `number` with `outcome` (restored or lost; letting go is decided, not closed).
/// Refused with every unmet condition at once (`Error::Blocked`). Closing as restored while
/// actions or commitments are still open needs `confirmed`; without it the answer lists them
/// (`Error::Confirm`) and nothing changes.
pub async fn close(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    outcome: Outcome,
    confirmed: bool,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let facts = db_cases::facts(&mut *tx, case.id).await?;
    let blockers = stage::close_blockers(case.stage, outcome, &facts);
    match blockers.as_slice() {
        [] => {}
        [MoveError::AlreadyClosed] => return Err(Error::Move(MoveError::AlreadyClosed)),
        _ => return Err(Error::Blocked(blockers)),
    }
    if outcome == Outcome::Restored && !confirmed {
        let open = case_work::still_open(&mut tx, case.id).await?;
        if !open.is_empty() {
            return Err(Error::Confirm(open));
        }
    }
    db_cases::set_stage(
        &mut tx,
        case.id,
        Stage::Closed,
        outcome,
        actor.id,
        &format!("Closed: {}", outcome.label()),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Asks a manager to approve letting the client of case `number` go, for `reason`, with the
/// lesson learned (recorded now, so the manager can approve in one step) unless the case has
/// one already.
pub async fn request_let_go(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    reason: &str,
    lesson: &str,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let facts = db_cases::facts(&mut *tx, case.id).await?;
    stage::request_let_go(case.stage, &facts, reason)?;
    let lesson = lesson.trim();
    if facts.lessons == 0 && lesson.is_empty() {
        return Err(Error::field(
            "let_go_lesson",
            "Say what the team learned from this client: a manager needs a lesson to approve letting go.",
        ));
    }
    if lesson.chars().count() > 4000 {
        return Err(Error::field(
            "let_go_lesson",
            "The lesson is too long: use at most 4000 characters.",
        ));
    }
    if !lesson.is_empty() {
        case_work::add_lesson(&mut tx, case.id, lesson, false, actor.id).await?;
    }
    db_cases::request_let_go(&mut tx, case.id, reason.trim(), actor.id).await?;
    tx.commit().await?;
    Ok(())
}

/// A manager's decision on the let-go request of case `number`: approved, it closes the case
/// as let go (recording `lesson` first when the case has none yet); declined, the repair goes on.
pub async fn decide_let_go(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    approve: bool,
    lesson: &str,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let mut facts = db_cases::facts(&mut *tx, case.id).await?;
    let lesson = lesson.trim();
    if approve && facts.lessons == 0 && !lesson.is_empty() {
        if lesson.chars().count() > 4000 {
            return Err(Error::field(
                "let_go_lesson",
                "The lesson is too long: use at most 4000 characters.",
            ));
        }
        case_work::add_lesson(&mut tx, case.id, lesson, false, actor.id).await?;
        facts.lessons = 1;
    }
    stage::decide_let_go(case.stage, &facts, actor.role, approve)?;
    db_cases::decide_let_go(&mut tx, case.id, approve, actor.id).await?;
    if approve {
        db_cases::set_stage(
            &mut tx,
            case.id,
            Stage::Closed,
            Outcome::LetGo,
            actor.id,
            "Closed: Let go",
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
