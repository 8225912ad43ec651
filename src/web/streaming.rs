//! Response bodies written while they are sent (the CSV exports): a bounded channel whose sender
//! is a task reading the database, turned into a body.
//!
//! The stream is fused: once it has ended it keeps answering "ended". tower-http's compression
//! polls a body once more after its end while it finishes the gzip stream; an unfused
//! `stream::unfold` panics there, which cut every compressed export short.

use axum::body::Body;
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// A chunk of a streamed body, or the error that ends it early.
pub type Chunk = std::result::Result<Vec<u8>, std::io::Error>;

/// A channel for a streamed body: `buffer` chunks may wait unread, so a slow client holds the
/// writer back rather than filling memory.
pub fn channel(buffer: usize) -> (mpsc::Sender<Chunk>, mpsc::Receiver<Chunk>) {
    mpsc::channel(buffer)
}

/// The body that sends what arrives on `rx`, ending when every sender is gone.
pub fn body(rx: mpsc::Receiver<Chunk>) -> Body {
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .fuse();
    Body::from_stream(stream)
}
