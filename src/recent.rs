//! Short-lived memory of the expensive read-only parts of a page (the weekly dashboard's
//! numbers, the manager review's counts and load) and of reference data most forms list
//! (categories, a team's people, the organisation's settings), so that a team refreshing its
//! pages does not recompute aggregates over every case per view.
//!
//! An entry is used only while it is fresh in two senses:
//! - **No write since.** Every state-changing request this instance answers bumps [`Writes`]
//!   (the `count_writes` middleware, after the handler has committed), and entries are keyed by
//!   the count they were computed under, so the first read after a write computes afresh. One
//!   instance therefore never shows numbers older than its own last write.
//! - **At most `ttl` old.** Writes this instance cannot see (another instance behind the load
//!   balancer, the scheduler marking check-ins missed, the CLI) show within `ttl`
//!   (`--page-cache-seconds`, default 15; 0 turns the memory off).
//!
//! moka does the bounded, expiring map; what is written here is only the freshness rule.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::AppError;

/// How many state-changing requests this instance has answered.
#[derive(Debug, Clone, Default)]
pub struct Writes(Arc<AtomicU64>);

impl Writes {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// Middleware: counts every request that may have changed data, once it has been answered.
pub async fn count_writes(State(writes): State<Writes>, request: Request, next: Next) -> Response {
    let reads_only = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = next.run(request).await;
    if !reads_only {
        writes.bump();
    }
    response
}

/// Values computed under a key, remembered for as long as they are fresh (see the module).
#[derive(Clone)]
pub struct Recent<V: Send + Sync + 'static> {
    writes: Writes,
    memory: Option<moka::future::Cache<(String, u64), Arc<V>>>,
}

impl<V: Send + Sync + 'static> Recent<V> {
    pub fn new(writes: Writes, ttl: Duration) -> Recent<V> {
        Recent {
            writes,
            memory: (!ttl.is_zero()).then(|| {
                moka::future::Cache::builder()
                    .max_capacity(1_000)
                    .time_to_live(ttl)
                    .build()
            }),
        }
    }

    /// The value for `key`: remembered if fresh, else computed by `compute` (and remembered).
    /// Requests that ask for the same key while it is being computed wait for that computation
    /// instead of starting their own: a team opening the dashboard at once after a write costs
    /// one computation, not one each. An error is not remembered; every waiter gets it.
    pub async fn get_or_compute<E, F>(&self, key: String, compute: F) -> Result<Arc<V>, AppError>
    where
        E: Into<AppError>,
        F: Future<Output = Result<V, E>>,
    {
        let Some(memory) = &self.memory else {
            return compute.await.map(Arc::new).map_err(Into::into);
        };
        // The count is read before computing: a write that lands meanwhile bumps it, and the
        // value is filed under the older count, which no later read asks for.
        let key = (key, self.writes.current());
        memory
            .try_get_with(key, async {
                compute.await.map(Arc::new).map_err(Into::into)
            })
            .await
            .map_err(AppError::shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn count(n: &AtomicU64) -> Result<u64, AppError> {
        Ok(n.fetch_add(1, Ordering::SeqCst) + 1)
    }

    #[tokio::test]
    async fn remembered_until_a_write() {
        let writes = Writes::default();
        let recent = Recent::new(writes.clone(), Duration::from_secs(60));
        let computed = AtomicU64::new(0);
        let a = recent.get_or_compute("k".into(), count(&computed)).await;
        let b = recent.get_or_compute("k".into(), count(&computed)).await;
        assert_eq!((*a.unwrap(), *b.unwrap()), (1, 1));
        let other = recent
            .get_or_compute("other".into(), count(&computed))
            .await;
        assert_eq!(*other.unwrap(), 2);
        writes.bump();
        let c = recent.get_or_compute("k".into(), count(&computed)).await;
        assert_eq!(*c.unwrap(), 3);
    }

    #[tokio::test]
    async fn forgotten_after_the_ttl_and_off_at_zero() {
        let recent = Recent::new(Writes::default(), Duration::from_millis(50));
        let computed = AtomicU64::new(0);
        let _ = recent.get_or_compute("k".into(), count(&computed)).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        let again = recent.get_or_compute("k".into(), count(&computed)).await;
        assert_eq!(*again.unwrap(), 2);

        let off = Recent::new(Writes::default(), Duration::ZERO);
        let x = off.get_or_compute("k".into(), count(&computed)).await;
        let y = off.get_or_compute("k".into(), count(&computed)).await;
        assert_eq!((*x.unwrap(), *y.unwrap()), (3, 4));
    }

    #[tokio::test]
    async fn errors_are_not_remembered() {
        let recent: Recent<u64> = Recent::new(Writes::default(), Duration::from_secs(60));
        let failed = recent
            .get_or_compute("k".into(), async {
                Err::<u64, _>(AppError::Unavailable("down".into()))
            })
            .await;
        assert!(matches!(failed, Err(AppError::Unavailable(_))));
        let ok = recent
            .get_or_compute("k".into(), async { Ok::<_, AppError>(7) })
            .await;
        assert_eq!(*ok.unwrap(), 7);
    }

    #[tokio::test]
    async fn requests_at_once_share_one_computation() {
        let recent: Recent<u64> = Recent::new(Writes::default(), Duration::from_secs(60));
        let computed = AtomicU64::new(0);
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            count(&computed).await
        };
        let (a, b, c) = tokio::join!(
            recent.get_or_compute("k".into(), slow()),
            recent.get_or_compute("k".into(), slow()),
            recent.get_or_compute("k".into(), slow()),
        );
        assert_eq!((*a.unwrap(), *b.unwrap(), *c.unwrap()), (1, 1, 1));
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }
}
