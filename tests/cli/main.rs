//! The `mend` binary itself: its embedded PostgreSQL cluster and its commands, each test on a
//! data folder of its own.

mod backup;
mod cluster;
mod crash;
mod demo;
mod limits;
mod scheduler;
mod shutdown;
mod support;
mod user_create;
