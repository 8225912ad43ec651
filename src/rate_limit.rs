//! The API's rate limit: requests a minute per token, in memory (each instance limits its own
//! share), with governor's keyed GCRA limiter.

use std::sync::Arc;

/// Requests per API token.
pub type RateLimiter = governor::DefaultKeyedRateLimiter<uuid::Uuid>;

/// A limiter allowing `per_minute` requests a minute per token, in bursts of up to that many.
pub fn per_token(per_minute: u32) -> Arc<RateLimiter> {
    let per_minute = std::num::NonZeroU32::new(per_minute).unwrap_or(std::num::NonZeroU32::MIN);
    Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
        per_minute,
    )))
}
