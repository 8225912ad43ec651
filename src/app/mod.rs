//! The use cases: one function per thing a person or the scheduler does — log an incident,
//! record a check-in, mark a commitment, approve a let-go, add a user. Each takes the acting
//! user and typed input, owns its transaction (lock → domain decision → `db` writes →
//! outbox and timeline → commit) and returns a typed outcome or an [`Error`] that says what a
//! person can do about it. The pages (`web`), the JSON API (`api`), the scheduler and the CLI
//! are adapters over these functions: they parse, call, and render. Nothing outside this module
//! (and the demo's bulk loader) commits a transaction.

pub mod accounts;
pub mod admin;
pub mod cases;
pub mod check_ins;
pub mod commitments;
pub mod intake;
pub mod jobs;
pub mod lessons;
pub mod messages;
pub mod moves;
pub mod personal;
pub mod setup;
pub mod work;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::db::cases::{self as db_cases, CaseWriteError, Locked};
use crate::domain::stage::MoveError;
use crate::domain::visibility::Scope;
use crate::domain::{FieldErrors, Role};

/// Who is acting: a signed-in person, an API token's owner, or (for the scheduler) nobody.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub time_zone: Tz,
}

impl Actor {
    /// What this person may see.
    pub fn scope(&self) -> Scope {
        Scope::for_user(self.role, self.team_id)
    }

    /// The day it is for this person at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.time_zone).date_naive()
    }
}

/// Why a use case did not happen, in terms an adapter can show a person.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing the actor may see goes by that name (never says whether it exists).
    #[error("not found")]
    NotFound,
    /// The actor's role may not do this.
    #[error("not allowed")]
    Forbidden,
    /// Someone else changed the case since the actor's form was opened.
    #[error("the case changed since the form was opened")]
    Stale,
    /// Input a person can correct, field by field.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// A rule refused it; the sentence says why.
    #[error("{0}")]
    Refused(String),
    /// It cannot happen in the state things are in now (not due yet, say).
    #[error("{0}")]
    Conflict(String),
    /// It was done already: nothing changed (a second submission of the same thing).
    #[error("{0}")]
    AlreadyDone(String),
    /// A stage move the framework's gates refuse.
    #[error("{0}")]
    Move(MoveError),
    /// A close refused for all of these reasons at once.
    #[error("The case cannot close yet.")]
    Blocked(Vec<MoveError>),
    /// It would go ahead, but these things are still open: ask the person to confirm.
    #[error("Please confirm: these are still open.")]
    Confirm(Vec<String>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Error {
    /// A refusal of one field.
    pub fn field(field: &'static str, message: impl Into<String>) -> Error {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Error::Invalid(errors)
    }
}

impl From<CaseWriteError> for Error {
    fn from(e: CaseWriteError) -> Error {
        match e {
            CaseWriteError::NotFound => Error::NotFound,
            CaseWriteError::Stale => Error::Stale,
            CaseWriteError::Database(e) => Error::Database(e),
        }
    }
}

impl From<MoveError> for Error {
    fn from(e: MoveError) -> Error {
        match e {
            MoveError::NotAllowed => Error::Forbidden,
            e => Error::Move(e),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A transaction of a use case.
pub type Tx = Transaction<'static, Postgres>;

/// Where links in e-mails point (the public URL, without a trailing slash).
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    pub public_url: &'a str,
}

impl Links<'_> {
    /// The case page of case `number`.
    pub fn case(&self, number: i64) -> String {
        format!("{}/cases/CR-{number}", self.public_url)
    }
}

/// Begins a use case's transaction on the case `number` the actor can see: the row is locked
/// for the rest of it, and when `version` is given it must still be the case's.
async fn open_case(
    db: &PgPool,
    actor: &Actor,
    number: i64,
    version: Option<i32>,
) -> Result<(Tx, Locked)> {
    let mut tx = db.begin().await?;
    let case = db_cases::lock(&mut tx, actor.scope(), number, version).await?;
    Ok((tx, case))
}
