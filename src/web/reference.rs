//! Reference data that most pages' forms list and that changes only when an admin changes it:
//! the categories, a team's people, the organisation's settings. Remembered briefly (see
//! `crate::recent`: until this instance answers a state-changing request, or 15 s at most), so
//! a page view does not spend a database round trip on each select box.

use std::sync::Arc;

use uuid::Uuid;

use crate::db;
use crate::db::accounts::Choice;
use crate::domain::organisation::OrgSettings;
use crate::domain::visibility::Scope;
use crate::error::Result;
use crate::state::AppState;

/// The active categories, in their order.
pub async fn categories(state: &AppState) -> Result<Vec<Choice>> {
    choices(
        state,
        "categories".into(),
        db::choices::categories(&state.db),
    )
    .await
}

/// The active people of a team.
pub async fn team_members(state: &AppState, team: Uuid) -> Result<Vec<Choice>> {
    choices(
        state,
        format!("team:{team}"),
        db::choices::team_members(&state.db, team),
    )
    .await
}

/// The people who may own the accounts and cases of `scope`.
pub async fn managers(state: &AppState, scope: Scope) -> Result<Vec<Choice>> {
    choices(
        state,
        format!("managers:{scope:?}"),
        db::accounts::manager_choices(&state.db, scope),
    )
    .await
}

/// The organisation's settings.
pub async fn organisation(state: &AppState) -> Result<Arc<OrgSettings>> {
    state
        .organisation
        .get_or_compute(String::new(), db::organisation::get(&state.db))
        .await
}

async fn choices(
    state: &AppState,
    key: String,
    read: impl Future<Output = sqlx::Result<Vec<Choice>>>,
) -> Result<Vec<Choice>> {
    Ok(state.choices.get_or_compute(key, read).await?.to_vec())
}
