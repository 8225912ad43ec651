//! A note, kept for the length of one request, that the database could not be reached.
//!
//! Most database errors reach the error middleware as an `AppError` that says what happened.
//! Some do not: the session store and the sign-in backend run inside tower-sessions and
//! axum-login, which turn any failure into a bare 500 (or Mend wraps it as an internal error),
//! and the cause is lost on the way. Those places `note` the error here, and the middleware
//! that `watch`es the request reads the note to answer 503 "Mend is unavailable" instead of a
//! 500 "Something went wrong" while PostgreSQL is down.

use std::cell::RefCell;
use std::future::Future;

tokio::task_local! {
    static NOTE: RefCell<Option<String>>;
}

/// Notes `err` if it means the database is unavailable (see `super::is_unavailable`). Outside a
/// `watch`ed request (the scheduler, CLI commands) it does nothing.
pub fn note(err: &sqlx::Error) {
    if !super::is_unavailable(err) {
        return;
    }
    let _ = NOTE.try_with(|note| {
        note.borrow_mut().get_or_insert_with(|| err.to_string());
    });
}

/// Notes an unavailable-database error `watch` reported in another task (a request's work
/// runs in a task of its own; the note is carried back to the request's scope).
pub fn note_reported(message: String) {
    let _ = NOTE.try_with(|note| {
        note.borrow_mut().get_or_insert(message);
    });
}

/// Runs `work`; returns its output and the first unavailable-database error noted meanwhile.
pub async fn watch<F: Future>(work: F) -> (F::Output, Option<String>) {
    NOTE.scope(RefCell::new(None), async move {
        let output = work.await;
        (output, NOTE.with(|note| note.borrow_mut().take()))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unavailable_database_noted_during_the_work_is_reported() {
        let ((), noted) = watch(async {
            note(&sqlx::Error::RowNotFound);
            note(&sqlx::Error::PoolTimedOut);
            note(&sqlx::Error::PoolClosed);
        })
        .await;
        assert_eq!(
            noted.as_deref(),
            Some(sqlx::Error::PoolTimedOut.to_string().as_str())
        );
    }

    #[tokio::test]
    async fn other_errors_and_notes_outside_a_watch_are_ignored() {
        note(&sqlx::Error::PoolTimedOut);
        let ((), noted) = watch(async { note(&sqlx::Error::RowNotFound) }).await;
        assert_eq!(noted, None);
    }
}
