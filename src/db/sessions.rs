//! The session store: tower-sessions records in the `sessions` table, so every instance sees
//! every session.
//!
//! Written here rather than taken from `tower-sessions-sqlx-store` because that crate turns on
//! sqlx's `time` feature, and with both `time` and `chrono` on, sqlx 0.8's compile-time checked
//! macros type every timestamp as `time::OffsetDateTime` across the whole crate. Four queries
//! are a smaller price than overriding the type of every timestamp Mend ever reads.
//!
//! Two things make a signed-in page cost one query for the session instead of three:
//! - **Loading a session reads its user too** (one join), and leaves the user for the same
//!   request's `Backend::get_user` in `users`. Nothing is served from memory that the database
//!   was not asked for in this request's own load (or a concurrent one's), so a deactivation or a
//!   password change on any instance still ends the session on the next request.
//! - **Saving an unchanged session is skipped.** Sessions expire after a week of inactivity, which
//!   tower-sessions implements by saving every session on every request — one row write per page
//!   view, and with several tabs open, a queue on one row lock. The store remembers what it last
//!   read or wrote for each session and skips the write when the data is the same and the stored
//!   expiry is less than [`EXPIRY_SLACK`] behind the new one. A session therefore expires between
//!   six and seven days after its last use. Data changed on another instance is read again on the
//!   next load, so the memory never hides a change.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::types::Json;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

use super::users::{UserAuth, UserAuthRow};

/// How far the stored expiry may lag behind a sliding one before the session is written again.
pub const EXPIRY_SLACK: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// The key axum-login keeps the signed-in user under (the admin tests fail if that changes).
const AUTH_KEY: &str = "axum-login.data";

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    db: PgPool,
    /// Each session as this instance last read or wrote it.
    seen: moka::sync::Cache<Id, Arc<Seen>>,
    users: SessionUsers,
}

#[derive(Debug)]
struct Seen {
    data: Data,
    expiry: DateTime<Utc>,
}

/// Users read with their sessions, waiting for the same request's `get_user`.
#[derive(Debug, Clone)]
pub struct SessionUsers(moka::sync::Cache<Uuid, Arc<UserAuth>>);

impl SessionUsers {
    fn new() -> SessionUsers {
        SessionUsers(
            moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(10))
                .build(),
        )
    }

    /// The user a session load just read, if it is still remembered (else read it yourself).
    pub fn get(&self, id: Uuid) -> Option<UserAuth> {
        self.0.get(&id).map(|u| (*u).clone())
    }
}

impl PgSessionStore {
    pub fn new(db: PgPool) -> PgSessionStore {
        PgSessionStore {
            db,
            seen: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            users: SessionUsers::new(),
        }
    }

    /// The users this store reads with sessions, for the authentication backend.
    pub fn users(&self) -> SessionUsers {
        self.users.clone()
    }

    /// Deletes expired sessions; returns how many.
    pub async fn delete_expired(&self) -> sqlx::Result<u64> {
        let done = sqlx::query!("delete from sessions where expiry_date < now()")
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected())
    }

    fn remember(&self, id: Id, data: &Data, expiry: DateTime<Utc>) {
        self.seen.insert(
            id,
            Arc::new(Seen {
                data: data.clone(),
                expiry,
            }),
        );
    }

    /// Whether `record` is what the database already holds, give or take the expiry slack.
    fn unchanged(&self, record: &Record) -> bool {
        self.seen.get(&record.id).is_some_and(|seen| {
            seen.data == record.data && to_chrono(record.expiry_date) - seen.expiry < EXPIRY_SLACK
        })
    }
}

/// Ends every session of a user at once: their next request finds no session and is signed
/// out. Used when a user is deactivated, in the same transaction. axum-login keeps the signed-in
/// user under its default data key, [`AUTH_KEY`].
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn delete_for_user(
    conn: &mut sqlx::PgConnection,
    user_id: uuid::Uuid,
) -> sqlx::Result<u64> {
    // The expression matches the index `sessions_user_idx`.
    let done = sqlx::query!(
        "delete from sessions where ((data -> 'axum-login.data') ->> 'user_id') = $1::uuid::text",
        user_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

fn backend(e: sqlx::Error) -> session_store::Error {
    // tower-sessions keeps only the text; the note keeps that the database was unreachable.
    super::outage::note(&e);
    session_store::Error::Backend(e.to_string())
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn to_time(t: DateTime<Utc>) -> Result<time::OffsetDateTime, session_store::Error> {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .map_err(|e| session_store::Error::Decode(e.to_string()))
}

type Data = HashMap<String, serde_json::Value>;

/// The user id axum-login keeps in a session's data, if any.
fn signed_in_user(data: &Data) -> Option<Uuid> {
    data.get(AUTH_KEY)?.get("user_id")?.as_str()?.parse().ok()
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are random 128-bit numbers; on the rare collision, draw again.
        loop {
            let inserted = sqlx::query!(
                "insert into sessions (id, data, expiry_date) values ($1, $2, $3)
                 on conflict (id) do nothing",
                record.id.to_string(),
                Json(&record.data) as _,
                to_chrono(record.expiry_date)
            )
            .execute(&self.db)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                self.remember(record.id, &record.data, to_chrono(record.expiry_date));
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.unchanged(record) {
            return Ok(());
        }
        sqlx::query!(
            "insert into sessions (id, data, expiry_date) values ($1, $2, $3)
             on conflict (id) do update set data = excluded.data, expiry_date = excluded.expiry_date",
            record.id.to_string(),
            Json(&record.data) as _,
            to_chrono(record.expiry_date)
        )
        .execute(&self.db)
        .await
        .map_err(backend)?;
        self.remember(record.id, &record.data, to_chrono(record.expiry_date));
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        // The signed-in user in the same round trip. The id is checked to be a UUID before the
        // cast, so a malformed session cannot make the query fail.
        let row = sqlx::query!(
            r#"select s.data as "data: Json<Data>", s.expiry_date,
                      u.id as "user_id?", u.email as "email?", u.name as "name?",
                      u.role as "role?", u.team_id, u.time_zone as "time_zone?",
                      u.password_hash as "password_hash?"
               from sessions s
               left join lateral (
                 select u.id, u.email, u.name, u.role, u.team_id, u.time_zone, u.password_hash
                 from users u
                 where u.active
                   and u.id = case when s.data -> 'axum-login.data' ->> 'user_id'
                                        ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
                                   then (s.data -> 'axum-login.data' ->> 'user_id')::uuid end
               ) u on true
               where s.id = $1 and s.expiry_date > now()"#,
            id.to_string()
        )
        .fetch_optional(&self.db)
        .await
        .map_err(backend)?;
        let Some(r) = row else {
            self.seen.invalidate(id);
            return Ok(None);
        };
        let user = match (
            r.user_id,
            r.email,
            r.name,
            r.role,
            r.time_zone,
            r.password_hash,
        ) {
            (
                Some(id),
                Some(email),
                Some(name),
                Some(role),
                Some(time_zone),
                Some(password_hash),
            ) => Some(UserAuthRow {
                id,
                email,
                name,
                role,
                team_id: r.team_id,
                time_zone,
                password_hash,
            }),
            _ => None,
        };
        match user.map(UserAuth::try_from).transpose().map_err(backend)? {
            Some(user) => self.users.0.insert(user.id, Arc::new(user)),
            None => {
                // A session naming a user who is gone or deactivated: forget any copy.
                if let Some(id) = signed_in_user(&r.data.0) {
                    self.users.0.invalidate(&id);
                }
            }
        }
        self.remember(*id, &r.data.0, r.expiry_date);
        Ok(Some(Record {
            id: *id,
            data: r.data.0,
            expiry_date: to_time(r.expiry_date)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("delete from sessions where id = $1", id.to_string())
            .execute(&self.db)
            .await
            .map_err(backend)?;
        self.seen.invalidate(id);
        Ok(())
    }
}
