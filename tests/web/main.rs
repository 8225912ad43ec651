//! The web application through its front door: a real server on a free port, a real
//! PostgreSQL database of each test's own, and an HTTP client that keeps cookies like a browser.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod admin;
mod case_list;
mod cases;
mod csrf;
mod dashboard;
mod integrity;
mod lessons;
mod pages;
mod review;
mod roles;
mod setup;
mod sign_in;
mod trust;
mod workspace;
