//! A case's stage work: conversations, action items, lessons, and removing any of them (the
//! timeline keeps what was removed).

use sqlx::PgPool;
use uuid::Uuid;

use super::{Actor, Error, Result, open_case};
use crate::db::case_work::{self, Item};
use crate::domain::case::{NewAction, NewConversation};

/// Logs a conversation with the client on case `number`.
pub async fn add_conversation(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    conversation: &NewConversation,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    case_work::add_conversation(&mut tx, case.id, conversation, actor.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an action item; its owner must be an active member of the case's team.
pub async fn add_action(db: &PgPool, actor: &Actor, number: i64, action: &NewAction) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    if !case_work::add_action(&mut tx, case.id, case.team_id, action, actor.id).await? {
        return Err(Error::field(
            "owner_id",
            "Choose someone from the case's team.",
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// Marks action item `item` of case `number` done, or not done again.
pub async fn set_action_done(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    item: Uuid,
    done: bool,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    if !case_work::set_action_done(&mut tx, case.id, item, done, actor.id).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Records a lesson learned on case `number`.
pub async fn add_lesson(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    text: &str,
    applies_to_all: bool,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    case_work::add_lesson(&mut tx, case.id, text, applies_to_all, actor.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes item `item` of list `kind` from case `number`.
pub async fn remove_item(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    kind: Item,
    item: Uuid,
) -> Result<()> {
    let (mut tx, case) = open_case(db, actor, number, None).await?;
    if !case_work::remove_item(&mut tx, case.id, kind, item, actor.id).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
