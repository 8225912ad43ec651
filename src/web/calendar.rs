//! Skeleton: the implementation lands with the follow-ups work.

pub fn router() -> super::Router {
    super::Router::new()
}
