//! The commitment ledger's use cases: recording a commitment ("from now on we will …") and
//! marking it kept, slipping or broken — on the case page, or at a check-in. A broken one sends
//! the repair back to work (into Making it right, or a new linked case when the case is closed)
//! and tells the team's managers, in the same transaction as the mark.

use sqlx::PgPool;
use uuid::Uuid;

use super::messages::{self, CaseRef};
use super::{Actor, Error, Links, Result, Tx, open_case};
use crate::db::cases as db_cases;
use crate::db::commitments as db_commitments;
use crate::db::outbox;
use crate::domain::commitment::{Consequence, Mark, NewCommitment, consequence};
use crate::domain::stage::{Outcome, Stage};

/// Records a commitment on case `number`; its owner must be an active member of the team.
pub async fn add(db: &PgPool, actor: &Actor, number: i64, c: &NewCommitment) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    if !db_commitments::add(&mut tx, case.id, case.team_id, c, actor.id).await? {
        return Err(Error::field(
            "commitment_owner",
            "Choose someone from the case's team as the owner.",
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// What marking a commitment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marked {
    Done,
    /// Broken: the case went back into Making it right.
    Reopened,
    /// Broken on a closed case: this new case takes the repair up.
    NewCase(i64),
}

/// Marks commitment `id` of case `number` (open or closed) from the case page.
pub async fn mark(
    db: &PgPool,
    links: Links<'_>,
    actor: &Actor,
    number: i64,
    id: Uuid,
    m: Mark,
) -> Result<Marked> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    let marked = mark_in(&mut tx, links, actor.id, case.id, id, m, None)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(marked)
}

/// Marks commitments `marks` of case `case_id` (locked by the caller) at check-in `check_in`,
/// one after another: a broken one may have moved the case, so each reads it afresh. Whether
/// any of them sent the case back into Making it right.
pub(super) async fn mark_at_check_in(
    tx: &mut Tx,
    links: Links<'_>,
    actor: &Actor,
    case_id: Uuid,
    check_in: Uuid,
    marks: &[(Uuid, Mark)],
) -> Result<bool> {
    let mut reopened = false;
    for (id, m) in marks {
        let marked = mark_in(tx, links, actor.id, case_id, *id, *m, Some(check_in)).await?;
        reopened |= marked == Some(Marked::Reopened);
    }
    Ok(reopened)
}

/// One mark, in the caller's transaction on the locked case: the ledger, then — when broken —
/// the case's consequence (`domain::commitment::consequence`) and the managers' e-mail. `None`
/// when no such open commitment is on the case.
async fn mark_in(
    tx: &mut Tx,
    links: Links<'_>,
    actor: uuid::Uuid,
    case_id: Uuid,
    id: Uuid,
    m: Mark,
    check_in: Option<Uuid>,
) -> Result<Option<Marked>> {
    let Some((mark_id, text)) =
        db_commitments::record_mark(tx, case_id, id, m, check_in, actor).await?
    else {
        return Ok(None);
    };
    if m != Mark::Broken {
        return Ok(Some(Marked::Done));
    }
    let case = db_commitments::case_for_mark(&mut **tx, case_id).await?;
    let (marked, what) = match consequence(case.stage, case.outcome) {
        Consequence::ReopenIntoMakingItRight => {
            db_cases::set_stage(
                tx,
                case.id,
                Stage::MakingItRight,
                Outcome::Open,
                actor,
                &format!(
                    "Reopened into Making it right: the commitment \u{201c}{text}\u{201d} was broken"
                ),
                None,
            )
            .await?;
            (
                Marked::Reopened,
                "The case is back in Making it right.".to_string(),
            )
        }
        Consequence::AlreadyRepairing => (
            Marked::Done,
            "The case is still being made right.".to_string(),
        ),
        Consequence::OpenLinkedCase => {
            let number = db_commitments::open_linked_case(tx, &case, &text, actor).await?;
            (
                Marked::NewCase(number),
                format!("The case was closed, so CR-{number} takes the repair up again."),
            )
        }
    };
    let about = CaseRef {
        number: case.number,
        title: &case.title,
        account: &case.account,
    };
    for manager in crate::db::escalation::managers_of(&mut **tx, case.team_id).await? {
        let message = messages::commitment_broken(links, &manager, &about, mark_id, &text, &what);
        outbox::enqueue(&mut **tx, &message).await?;
    }
    Ok(Some(marked))
}
