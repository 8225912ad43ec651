//! What every handler can reach: the pool, the settings, and what is remembered between
//! requests (briefly reused aggregates, the API's rate limiter, whether Mend is set up). A low
//! module of its own, so `web`, `api` and the middleware import it without reaching up into the
//! crate root.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::PgPool;

use crate::config::Settings;
use crate::{db, domain, recent};

/// The router type of every part of the web application.
pub type Router = axum::Router<AppState>;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub settings: Arc<Settings>,
    /// Requests per API token (in memory: each instance limits its own share).
    pub api_limiter: Arc<crate::rate_limit::RateLimiter>,
    /// State-changing requests answered, which retire remembered page data.
    pub writes: recent::Writes,
    /// The weekly dashboard's numbers, remembered briefly.
    pub dashboards: recent::Recent<db::dashboard::Numbers>,
    /// How many cases match a case-list view, remembered briefly.
    pub case_counts: recent::Recent<i64>,
    /// The manager review's counts and load, remembered briefly.
    pub reviews: recent::Recent<db::review::Numbers>,
    /// Select boxes' choices (categories, a team's people), remembered briefly.
    pub choices: recent::Recent<Vec<db::accounts::Choice>>,
    /// The organisation's settings, remembered briefly.
    pub organisation: recent::Recent<domain::organisation::OrgSettings>,
    /// Whether anyone has an account yet (until then, pages lead to the first-run setup).
    pub set_up: SetUp,
    /// The API's OpenAPI document, for the reference page (`/api`); the composition root
    /// (`crate::app`… `lib::app`) puts it here.
    pub api_document: Arc<serde_json::Value>,
}

impl AppState {
    pub fn new(db: PgPool, settings: Settings) -> AppState {
        let writes = recent::Writes::default();
        AppState {
            db,
            api_limiter: crate::rate_limit::per_token(settings.api_rate_per_minute),
            dashboards: recent::Recent::new(writes.clone(), settings.page_cache),
            reviews: recent::Recent::new(writes.clone(), settings.page_cache),
            case_counts: recent::Recent::new(writes.clone(), settings.page_cache),
            choices: recent::Recent::new(writes.clone(), settings.page_cache),
            organisation: recent::Recent::new(writes.clone(), settings.page_cache),
            writes,
            set_up: SetUp::default(),
            api_document: Arc::new(serde_json::Value::Null),
            settings: Arc::new(settings),
        }
    }
}

/// Whether this instance has seen a user in the database. It only ever turns true (users are
/// deactivated, never deleted), so after that no request asks the database again.
#[derive(Clone, Default)]
pub struct SetUp(Arc<AtomicBool>);

impl SetUp {
    /// Whether Mend is set up, asking the database until it is.
    pub async fn check(&self, pool: &PgPool) -> sqlx::Result<bool> {
        if self.0.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let done = db::setup::has_users(pool).await?;
        if done {
            self.0.store(true, Ordering::Relaxed);
        }
        Ok(done)
    }

    /// Notes that Mend is set up (someone now has an account).
    pub fn done(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
