//! Administration: what admins do to people (`users`), to the two lists Mend keeps by name —
//! teams and incident categories — and the team people are in (`lists`), to the organisation's
//! settings (`settings`) and to the intake sources that open cases from other tools (`intake`).
//!
//! Every change is written with its audit row (`db::audit::record`) in one transaction, so
//! neither exists without the other. Each function refuses an actor who is not an admin; the
//! admin pages are also closed to everyone else at the router.

pub mod intake;
pub mod lists;
pub mod settings;
pub mod users;

use super::{Actor, Error, Result};
use crate::domain::Role;

/// Only admins administer.
fn admin_only(actor: &Actor) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}
