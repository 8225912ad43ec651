//! All SQL lives here, one file per aggregate. Functions take an executor or connection; no HTTP
//! types. Queries are checked at compile time (`query!`, `.sqlx/` for offline builds).

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod case_list;
pub mod cases;
pub mod categories;
pub mod dashboard;
pub mod follow_ups;
pub mod intake;
pub mod lessons;
pub mod organisation;
pub mod outbox;
pub mod password_links;
pub mod review;
pub mod sessions;
pub mod sign_in;
pub mod users;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Opens a pool; connections are made lazily, so this succeeds even if the server is down.
///
/// JIT compilation is turned off for Mend's connections: its queries are short, and compiling
/// them cost more than running them (the gate facts of 50 cases: 270 ms with JIT, 2 ms without).
/// So are parallel workers: starting them costs about 10 ms, more than the few thousand index
/// entries a page's query reads, and a busy server has no idle cores to lend them anyway.
pub fn pool(options: PgConnectOptions, max_connections: u32) -> PgPool {
    pool_with_timeout(options, max_connections, None)
}

/// A pool whose statements are cancelled after `statement_timeout` (the web server's: a page
/// that has given up on a query should not leave it running).
pub fn pool_with_timeout(
    options: PgConnectOptions,
    max_connections: u32,
    statement_timeout: Option<std::time::Duration>,
) -> PgPool {
    let options = options.options([("jit", "off"), ("max_parallel_workers_per_gather", "0")]);
    let options = match statement_timeout {
        Some(t) => options.options([("statement_timeout", format!("{}ms", t.as_millis()))]),
        None => options,
    };
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_lazy_with(options)
}

/// True when the error is a violation of the named unique constraint or index.
pub fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    match err {
        sqlx::Error::Database(e) => {
            e.code().as_deref() == Some("23505") && e.constraint() == Some(constraint)
        }
        _ => false,
    }
}
