//! Failed sign-ins, for rate limiting across every instance.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use sqlx::types::ipnetwork::IpNetwork;

/// Failures since `since` for an e-mail address and for a client address, and the oldest of
/// those failures (from which the lock-out's end is computed).
#[derive(Debug, Clone, Copy)]
pub struct RecentFailures {
    pub for_email: i64,
    pub for_address: i64,
    pub oldest_for_email: Option<DateTime<Utc>>,
    pub oldest_for_address: Option<DateTime<Utc>>,
}

pub async fn recent_failures(
    db: impl PgExecutor<'_>,
    email: &str,
    ip: Option<IpAddr>,
    since: DateTime<Utc>,
) -> sqlx::Result<RecentFailures> {
    let ip = ip.map(IpNetwork::from);
    let r = sqlx::query!(
        r#"select
             (select count(*) from sign_in_failures
               where lower(email) = lower($1) and failed_at > $3) as "for_email!",
             (select min(failed_at) from sign_in_failures
               where lower(email) = lower($1) and failed_at > $3) as oldest_for_email,
             (select count(*) from sign_in_failures
               where $2::inet is not null and client_ip = $2 and failed_at > $3) as "for_address!",
             (select min(failed_at) from sign_in_failures
               where $2::inet is not null and client_ip = $2 and failed_at > $3) as oldest_for_address"#,
        email,
        ip,
        since
    )
    .fetch_one(db)
    .await?;
    Ok(RecentFailures {
        for_email: r.for_email,
        for_address: r.for_address,
        oldest_for_email: r.oldest_for_email,
        oldest_for_address: r.oldest_for_address,
    })
}

pub async fn record_failure(
    db: impl PgExecutor<'_>,
    email: &str,
    ip: Option<IpAddr>,
) -> sqlx::Result<()> {
    let ip = ip.map(IpNetwork::from);
    sqlx::query!(
        "insert into sign_in_failures (email, client_ip) values ($1, $2)",
        email,
        ip
    )
    .execute(db)
    .await?;
    Ok(())
}

/// After a successful sign-in, the account's earlier failures no longer count against it.
pub async fn clear_for_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from sign_in_failures where lower(email) = lower($1)",
        email
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets failures older than `before` (called now and then; they no longer count).
pub async fn prune(db: impl PgExecutor<'_>, before: DateTime<Utc>) -> sqlx::Result<u64> {
    let done = sqlx::query!("delete from sign_in_failures where failed_at < $1", before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
