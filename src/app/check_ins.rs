//! Following up: planning the check-ins of a case, recording one (from the case page, My work
//! or the API — this one function for all three), and skipping one. A check-in is recorded from
//! its due day on, by its assignee's calendar (`domain::cadence::recordable`); the commitments
//! marked with it are marked in the same transaction.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{Actor, Error, Links, Result, open_case};
use crate::db::follow_ups::{self, Outcome, Settled};
use crate::domain::cadence;
use crate::domain::commitment::Mark;
use crate::domain::follow_up::{CheckInResult, NewPlan};

/// Starts a follow-up plan on case `number` (ending the one before), with its first check-in.
pub async fn start_plan(db: &PgPool, actor: &Actor, number: i64, plan: &NewPlan) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    if !follow_ups::start_plan(&mut tx, case.id, case.team_id, plan, actor.id).await? {
        return Err(Error::field(
            "assignee_id",
            "Choose someone from the case's team.",
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// Which check-in to settle.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    /// The earliest open check-in of case `number` (the case page).
    NextOf(i64),
    /// This check-in (My work, the API).
    Id(Uuid),
}

/// A check-in recorded.
#[derive(Debug, Clone, Copy)]
pub struct Recorded {
    /// The case's number.
    pub number: i64,
    /// A commitment marked broken sent the case back into Making it right.
    pub reopened: bool,
}

/// The case a check-in belongs to, if the actor can see it.
async fn case_of(db: &PgPool, actor: &Actor, which: Which) -> Result<i64> {
    match which {
        Which::NextOf(number) => Ok(number),
        Which::Id(id) => follow_ups::case_of(db, actor.scope(), id)
            .await?
            .ok_or(Error::NotFound),
    }
}

/// Records a check-in with its result and the marks of the case's commitments, at `now`.
pub async fn record(
    db: &PgPool,
    links: Links<'_>,
    actor: &Actor,
    which: Which,
    result: &CheckInResult,
    marks: &[(Uuid, Mark)],
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let number = case_of(db, actor, which).await?;
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    let only = match which {
        Which::NextOf(_) => None,
        Which::Id(id) => Some(id),
    };
    let check_in =
        match follow_ups::settle(&mut tx, case.id, only, Outcome::Done(result), actor.id, now)
            .await?
        {
            Settled::Now(id) => id,
            Settled::NotOpen => return Err(not_open(which, number)),
            Settled::NotYet(from) => return Err(Error::Conflict(cadence::not_yet_message(from))),
        };
    let reopened =
        super::commitments::mark_at_check_in(&mut tx, links, actor, case.id, check_in, marks)
            .await?;
    tx.commit().await?;
    Ok(Recorded { number, reopened })
}

/// Skips the next open check-in of case `number`, for `reason`.
pub async fn skip(db: &PgPool, actor: &Actor, number: i64, reason: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(Error::field(
            "skip_reason",
            "Say why this check-in is skipped (at most 2,000 characters).",
        ));
    }
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    match follow_ups::settle(
        &mut tx,
        case.id,
        None,
        Outcome::Skipped(reason),
        actor.id,
        Utc::now(),
    )
    .await?
    {
        Settled::Now(_) => {}
        _ => return Err(Error::Refused("No check-in is open.".into())),
    }
    tx.commit().await?;
    Ok(())
}

fn not_open(which: Which, number: i64) -> Error {
    match which {
        Which::NextOf(_) => Error::Refused("No check-in is open: plan the follow-up first.".into()),
        Which::Id(_) => Error::AlreadyDone(format!(
            "That check-in on CR-{number} was already recorded: nothing changed."
        )),
    }
}
