//! Lessons that spread: marking a lesson as applying to all clients (or no longer), giving it a
//! checklist for the clients in its reach, and recording that the checklist was done on an
//! account. Who may mark a lesson for all clients may give it its checklist
//! (`domain::visibility::may_mark_for_all_clients`); the case's timeline says what changed.

use sqlx::PgPool;
use uuid::Uuid;

use super::{Actor, Error, Result, Tx};
use crate::db::lessons::{self as db_lessons, LockedLesson};
use crate::domain::lesson::{Checklist, ChecklistForm};
use crate::domain::visibility::may_mark_for_all_clients;

/// Begins a change of lesson `id`: the lesson (one the actor can see) and its case locked, and
/// the actor allowed to change it.
async fn open_lesson(db: &PgPool, actor: &Actor, id: Uuid) -> Result<(Tx, LockedLesson)> {
    let mut tx = db.begin().await?;
    let lesson = db_lessons::lock(&mut tx, actor.scope(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !may_mark_for_all_clients(actor.role, lesson.case_owner_id == actor.id) {
        return Err(Error::Forbidden);
    }
    Ok((tx, lesson))
}

/// A lesson marked for all clients, or no longer.
#[derive(Debug, Clone, Copy)]
pub struct Marked {
    /// The number of the lesson's case.
    pub case_number: i64,
    /// False when the lesson already was as asked: nothing changed.
    pub changed: bool,
}

/// Marks lesson `id` as applying to all clients (`applies_to_all`), or to its own case only.
/// Asking for what already is changes nothing (a form submitted twice does not undo itself).
#[tracing::instrument(skip_all, fields(lesson_id = %id))]
pub async fn mark_for_all_clients(
    db: &PgPool,
    actor: &Actor,
    id: Uuid,
    applies_to_all: bool,
) -> Result<Marked> {
    let (mut tx, lesson) = open_lesson(db, actor, id).await?;
    let changed = lesson.applies_to_all != applies_to_all;
    if changed {
        db_lessons::set_applies_to_all(&mut tx, &lesson, applies_to_all, actor.id).await?;
    }
    tx.commit().await?;
    Ok(Marked {
        case_number: lesson.case_number,
        changed,
    })
}

/// What became of a checklist, and the lesson's case (where a person goes back to either way).
#[derive(Debug, Clone)]
pub struct Checklisted {
    /// The number of the lesson's case.
    pub case_number: i64,
    pub outcome: ChecklistOutcome,
}

/// A checklist saved, or refused with the sentence to show.
#[derive(Debug, Clone)]
pub enum ChecklistOutcome {
    /// Saved (with no items: taken off the lesson).
    Saved(Checklist),
    /// Not saved: the list is too long, or the lesson does not apply to all clients yet.
    Refused(String),
}

/// Sets or changes the checklist of lesson `id` from `form` (one item per line; none takes the
/// checklist off). A lesson the actor cannot see is `Error::NotFound`, one they may not change
/// `Error::Forbidden`, before the form is read.
#[tracing::instrument(skip_all, fields(lesson_id = %id))]
pub async fn set_checklist(
    db: &PgPool,
    actor: &Actor,
    id: Uuid,
    form: &ChecklistForm,
) -> Result<Checklisted> {
    let (mut tx, lesson) = open_lesson(db, actor, id).await?;
    let refused = |message: String| Checklisted {
        case_number: lesson.case_number,
        outcome: ChecklistOutcome::Refused(message),
    };
    let checklist = match form.parse() {
        Ok(c) => c,
        Err(errors) => {
            let messages: Vec<&str> = errors.iter().map(|(_, m)| m).collect();
            return Ok(refused(messages.join(" ")));
        }
    };
    if !lesson.applies_to_all && !checklist.items.is_empty() {
        return Ok(refused(
            "Mark the lesson as applying to all clients first: a checklist is for spreading it."
                .into(),
        ));
    }
    db_lessons::set_checklist(&mut tx, &lesson, &checklist, actor.id).await?;
    tx.commit().await?;
    Ok(Checklisted {
        case_number: lesson.case_number,
        outcome: ChecklistOutcome::Saved(checklist),
    })
}

/// Records that the checklist of lesson `id` was done on `account` (one of the actor's, in the
/// lesson's reach); returns the account's name. Recording it twice is no error.
#[tracing::instrument(skip_all, fields(lesson_id = %id, account_id = %account))]
pub async fn mark_applied(db: &PgPool, actor: &Actor, id: Uuid, account: Uuid) -> Result<String> {
    let mut tx = db.begin().await?;
    let name = db_lessons::mark_applied(&mut tx, actor.scope(), id, account, actor.id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(name)
}
