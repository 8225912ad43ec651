//! Moving a case through the framework: on through a met gate, back with a reason, closed with
//! an outcome, and letting a client go (asked for by anyone on the case, decided by a manager).
//! Each reads the gate facts inside its transaction, after locking the case, so the decision
//! and the write see the same case.

use sqlx::PgPool;

use super::{Actor, Result, open_case};
use crate::db::cases as db_cases;
use crate::domain::stage::{self, Outcome, Stage};

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
pub async fn close(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    outcome: Outcome,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let facts = db_cases::facts(&mut *tx, case.id).await?;
    stage::close(case.stage, outcome, &facts)?;
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

/// Asks a manager to approve letting the client of case `number` go, for `reason`.
pub async fn request_let_go(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    reason: &str,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let facts = db_cases::facts(&mut *tx, case.id).await?;
    stage::request_let_go(case.stage, &facts, reason)?;
    db_cases::request_let_go(&mut tx, case.id, reason.trim(), actor.id).await?;
    tx.commit().await?;
    Ok(())
}

/// A manager's decision on the let-go request of case `number`: approved, it closes the case
/// as let go; declined, the repair goes on.
pub async fn decide_let_go(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
    approve: bool,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, version).await?;
    let facts = db_cases::facts(&mut *tx, case.id).await?;
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
