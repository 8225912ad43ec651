//! The session store: tower-sessions records in the `sessions` table, so every instance sees
//! every session.
//!
//! Written here rather than taken from `tower-sessions-sqlx-store` because that crate turns on
//! sqlx's `time` feature, and with both `time` and `chrono` on, sqlx 0.8's compile-time checked
//! macros type every timestamp as `time::OffsetDateTime` across the whole crate. Four queries
//! are a smaller price than overriding the type of every timestamp Mend ever reads.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::types::Json;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    db: PgPool,
}

impl PgSessionStore {
    pub fn new(db: PgPool) -> PgSessionStore {
        PgSessionStore { db }
    }

    /// Deletes expired sessions; returns how many.
    pub async fn delete_expired(&self) -> sqlx::Result<u64> {
        let done = sqlx::query!("delete from sessions where expiry_date < now()")
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Ends every session of a user at once: their next request finds no session and is signed
/// out. Used when a user is deactivated, in the same transaction. axum-login keeps the signed-in
/// user under its default data key, `axum-login.data` (the admin tests fail if that changes).
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
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
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
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query!(
            r#"select data as "data: Json<Data>", expiry_date from sessions
               where id = $1 and expiry_date > now()"#,
            id.to_string()
        )
        .fetch_optional(&self.db)
        .await
        .map_err(backend)?;
        row.map(|r| {
            Ok(Record {
                id: *id,
                data: r.data.0,
                expiry_date: to_time(r.expiry_date)?,
            })
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("delete from sessions where id = $1", id.to_string())
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
