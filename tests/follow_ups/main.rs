//! Follow-ups through the front door: the scheduler's passes against a real database, e-mail
//! over a real SMTP conversation, the calendar feed, settings and My work.

#[path = "../common/mod.rs"]
mod common;

mod calendar;
mod mail;
mod my_work;
mod scheduler;
mod smtp_server;
