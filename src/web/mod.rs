//! HTTP: one file per area, each exporting `router()` and owning its views and forms.

pub mod accounts;
pub mod admin;
pub mod api_docs;
pub mod auth;
pub mod calendar;
pub mod case_list;
pub mod cases;
pub mod client_ip;
pub mod confirm;
pub mod dashboard;
pub mod health;
pub mod home;
pub mod intake;
pub mod lessons;
pub mod page;
pub mod password;
pub mod reference;
pub mod review;
pub mod security;
pub mod settings;
pub mod setup;
pub mod sparkline;
pub mod streaming;
pub mod trust_chart;

pub use crate::state::Router;
