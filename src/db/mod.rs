//! All SQL lives here, one file per aggregate. Functions take an executor or connection; no HTTP
//! types. Queries are checked at compile time (`query!`, `.sqlx/` for offline builds).

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod case_list;
pub mod case_page;
pub mod case_work;
pub mod cases;
pub mod categories;
pub mod choices;
pub mod commitments;
pub mod dashboard;
pub mod escalation;
pub mod follow_ups;
pub mod intake;
pub mod lessons;
pub mod my_work;
pub mod organisation;
pub mod outage;
pub mod outbox;
pub mod password_links;
pub mod pg_json;
pub mod review;
pub mod sessions;
pub mod setup;
pub mod sign_in;
pub mod timeline;
pub mod types;
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

/// True when `err` means the database cannot be reached right now, rather than that this query
/// went wrong: the connection broke or could not be made, the pool gave up waiting for one, or
/// the server is shutting down, starting up or full. Such an error answers 503 (try again), not
/// 500 (a bug), and clears up by itself once PostgreSQL is back.
///
/// Protocol errors are not among them: they mean Mend and the server disagree, which no retry
/// mends. Nor is a cancelled statement (57014, the statement timeout): that query took too long,
/// the database itself is fine.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| is_unavailable_code(&code)),
        _ => false,
    }
}

/// SQLSTATEs of a server that cannot serve: class 08 (connection exception), 57P01 (admin
/// shutdown, e.g. `pg_ctl stop`), 57P02 (crash shutdown: another backend crashed), 57P03
/// (cannot connect now: starting up or recovering), 53300 (too many connections).
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A database error with only a SQLSTATE, as the server sends it.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "from the server"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn coded(code: &'static str) -> sqlx::Error {
        sqlx::Error::Database(Box::new(Coded(code)))
    }

    #[test]
    fn a_database_that_cannot_be_reached_is_unavailable() {
        use std::io::{Error, ErrorKind};
        for err in [
            sqlx::Error::Io(Error::from(ErrorKind::ConnectionRefused)),
            sqlx::Error::Io(Error::from(ErrorKind::NotFound)),
            sqlx::Error::Io(Error::from(ErrorKind::UnexpectedEof)),
            sqlx::Error::Tls("handshake failed".into()),
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
        ] {
            assert!(is_unavailable(&err), "{err}");
        }
    }

    #[test]
    fn a_server_shutting_down_starting_or_full_is_unavailable() {
        for code in [
            "08000", "08003", "08006", "57P01", "57P02", "57P03", "53300",
        ] {
            assert!(is_unavailable(&coded(code)), "{code}");
        }
    }

    #[test]
    fn errors_of_the_query_itself_are_not_unavailable() {
        // Unique violation, cancelled statement (statement timeout), syntax error,
        // serialization failure, out of disk: each says something about this query or needs
        // an admin, not a moment's wait.
        for code in ["23505", "57014", "42601", "40001", "53100", "57P04"] {
            assert!(!is_unavailable(&coded(code)), "{code}");
        }
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_unavailable(&sqlx::Error::Protocol(
            "unexpected message".into()
        )));
        assert!(!is_unavailable(&sqlx::Error::ColumnNotFound("id".into())));
    }
}
