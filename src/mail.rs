//! Sending the outbox over SMTP. (Skeleton: the implementation lands with the mail work.)

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// An SMTP connection configuration and the sender address.
#[derive(Clone)]
pub struct Mailer {
    _from: String,
}

impl Mailer {
    /// From `MEND_SMTP_URL` and `MEND_MAIL_FROM`.
    pub fn new(_smtp_url: &str, from: &str) -> anyhow::Result<Mailer> {
        Ok(Mailer {
            _from: from.to_string(),
        })
    }
}

/// What one sending round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u64,
    pub failed: u64,
}

/// Sends up to `limit` due messages of the outbox.
pub async fn send_pending(
    _pool: &PgPool,
    _mailer: &Mailer,
    _now: DateTime<Utc>,
    _limit: i64,
) -> anyhow::Result<SendReport> {
    Ok(SendReport::default())
}
