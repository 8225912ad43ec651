//! The follow-up scheduler in every `mend serve`: a pass of `app::jobs` every interval, until
//! the server stops. Every step of a pass is idempotent by construction (see `app::jobs`), so
//! any number of instances may run passes at the same time.

use std::time::Duration;

use chrono::Utc;
use sqlx::PgPool;

pub use crate::app::jobs::{PassReport, SchedulerConfig, run_once};
use crate::mail::Mailer;

/// Runs passes every `interval` until `stop` turns true.
pub async fn run(
    pool: PgPool,
    config: SchedulerConfig,
    mailer: Option<Mailer>,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(
        interval_s = interval.as_secs(),
        smtp = mailer.is_some(),
        "scheduler started"
    );
    loop {
        match run_once(&pool, &config, mailer.as_ref(), Utc::now()).await {
            Ok(report) => {
                crate::telemetry::scheduler_pass(true, report.sent, report.send_failures);
                if !report.is_empty() {
                    tracing::info!("{report}");
                }
            }
            Err(e) => {
                crate::telemetry::scheduler_pass(false, 0, 0);
                tracing::warn!(error = %e, "scheduler pass failed; the next pass retries");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
    tracing::info!("scheduler stopped");
}
