//! The `mend` binary itself: its embedded PostgreSQL cluster and its commands, each test on a
//! data folder of its own.

mod backup;
mod cluster;
mod crash;
mod demo;
mod limits;
mod public_url;
mod scheduler;
mod schema;
mod shutdown;
#[allow(dead_code)] // the scheduler test uses only part of it
#[path = "../follow_ups/smtp_server.rs"]
mod smtp_server;
mod support;
mod user_create;
