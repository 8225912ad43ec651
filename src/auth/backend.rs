//! The axum-login backend: checks credentials against `users`, loads the signed-in user for
//! each request. A deactivated user is not found, so their sessions end at once; a changed
//! password changes the session hash, which ends every other session of that user. The user
//! usually arrives with the session itself, read in the same query (`db::sessions`).

use axum_login::{AuthUser, AuthnBackend, UserId};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::db;
use crate::domain::Role;

pub type AuthSession = axum_login::AuthSession<Backend>;

/// The signed-in user, as every request sees them.
#[derive(Clone)]
pub struct SessionUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub time_zone: String,
    auth_hash: [u8; 32],
}

impl SessionUser {
    /// This person as the actor of a use case.
    pub fn actor(&self) -> crate::app::Actor {
        crate::app::Actor {
            id: self.id,
            role: self.role,
            team_id: self.team_id,
            time_zone: crate::domain::case::time_zone(&self.time_zone),
        }
    }
}

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl From<db::users::UserAuth> for SessionUser {
    fn from(u: db::users::UserAuth) -> Self {
        SessionUser {
            auth_hash: Sha256::digest(u.password_hash.as_bytes()).into(),
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            team_id: u.team_id,
            time_zone: u.time_zone,
        }
    }
}

impl AuthUser for SessionUser {
    type Id = Uuid;

    fn id(&self) -> Uuid {
        self.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct Backend {
    db: PgPool,
    /// Users the session store read with this request's session.
    users: db::sessions::SessionUsers,
}

impl Backend {
    pub fn new(db: PgPool, users: db::sessions::SessionUsers) -> Backend {
        Backend { db, users }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Hashing(#[from] anyhow::Error),
}

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = Credentials;
    type Error = BackendError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<SessionUser>, BackendError> {
        let user = db::users::find_active_by_email(&self.db, &creds.email)
            .await
            .inspect_err(db::outage::note)?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let ok = super::password::verify(creds.password, stored).await?;
        Ok(user.filter(|_| ok).map(SessionUser::from))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<SessionUser>, BackendError> {
        // The session load just read this user (see `db::sessions`); the query is the fallback.
        if let Some(user) = self.users.get(*id) {
            return Ok(Some(SessionUser::from(user)));
        }
        // axum-login answers a bare 500 when this fails; the note lets Mend answer 503 instead.
        Ok(db::users::find_active(&self.db, *id)
            .await
            .inspect_err(db::outage::note)?
            .map(SessionUser::from))
    }
}
