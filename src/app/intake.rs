//! Incidents reported by other tools through a signed intake source: the case an event opens,
//! once however often it is delivered. (The signature is the adapter's to check, before
//! anything is read.)

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{Error, Result};
use crate::db::cases::{self as db_cases, CreateCaseError};
use crate::db::intake::{self, Source};
use crate::domain::case::{DetectedBy, NewIncident, Severity};
use crate::domain::visibility::Scope;

/// An event as delivered.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// The sender's id: a retry with the same id opens no second case.
    pub event_id: &'a str,
    pub account_external_id: Option<&'a str>,
    pub account_name: Option<&'a str>,
    pub title: String,
    pub what_happened: String,
    pub severity: Severity,
    /// A category's name; default: the source's category, else "Other".
    pub category: Option<&'a str>,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// The case an event opened, or opened before.
#[derive(Debug, Clone, Copy)]
pub struct Opened {
    pub number: i64,
    /// The event was delivered before: this is the case it opened then.
    pub duplicate: bool,
}

/// Opens the case for `event` from `source` (signature checked by the caller), owned by the
/// account's manager or else the source's default owner.
pub async fn receive(
    db: &PgPool,
    source: &Source,
    event: Event<'_>,
    now: DateTime<Utc>,
) -> Result<Opened> {
    let event_id = event.event_id.trim();
    if event_id.is_empty() || event_id.chars().count() > 200 {
        return Err(Error::field(
            "event_id",
            "Send an id of 1 to 200 characters.",
        ));
    }
    if let Some(number) = intake::delivered(db, source.id, event_id).await? {
        return Ok(Opened {
            number,
            duplicate: true,
        });
    }
    fn trimmed(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let (external_id, name) = (
        trimmed(event.account_external_id),
        trimmed(event.account_name),
    );
    if external_id.is_none() && name.is_none() {
        return Err(Error::field(
            "account",
            "Name the account: external_id or name.",
        ));
    }
    let account = intake::account(db, external_id, name)
        .await?
        .ok_or_else(|| {
            Error::field(
                "account",
                "There is no account with that external id or name.",
            )
        })?;
    let owner = match account.manager_id {
        Some(m) => m,
        None => match source.default_owner_id {
            Some(o) if crate::db::accounts::is_team_member(db, o, account.team_id).await? => o,
            _ => {
                return Err(Error::field(
                    "account",
                    "The account has no account manager, and the source's default owner is not in its team: set one of them.",
                ));
            }
        },
    };
    let category = intake::category(db, event.category, source.category_id)
        .await?
        .ok_or_else(|| Error::field("category", "There is no category in use."))?;
    let incident = NewIncident {
        account_id: account.id,
        title: event.title,
        what_happened: event.what_happened,
        category_id: category,
        severity: event.severity,
        detected_by: if source.internal {
            DetectedBy::Us
        } else {
            DetectedBy::Client
        },
        occurred_at: event.occurred_at.unwrap_or(now),
    }
    .checked(now)
    .map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    // The event is recorded after its case: a concurrent delivery of the same event waits on
    // its key, then finds it taken and rolls its own case back.
    let created = match db_cases::create(
        &mut tx,
        Scope::Team(account.team_id),
        &incident,
        owner,
        owner,
    )
    .await
    {
        Ok(created) => created,
        Err(CreateCaseError::UnknownAccount) => {
            return Err(Error::field("account", "There is no such account."));
        }
        Err(CreateCaseError::UnknownCategory) => {
            return Err(Error::field(
                "category",
                "There is no such category in use.",
            ));
        }
        Err(CreateCaseError::Database(e)) => return Err(e.into()),
    };
    crate::db::escalation::escalate_repeat(&mut tx, created.id).await?;
    if !intake::record(&mut tx, source.id, event_id, created.number).await? {
        // Another delivery of the same event won the race: drop this case, answer with theirs.
        tx.rollback().await?;
        let theirs = intake::delivered(db, source.id, event_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok(Opened {
            number: theirs,
            duplicate: true,
        });
    }
    tx.commit().await?;
    tracing::info!(source = %source.name, case = created.number, "intake opened a case");
    Ok(Opened {
        number: created.number,
        duplicate: false,
    })
}
