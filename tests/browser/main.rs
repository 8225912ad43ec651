//! Main journeys in a real browser: headless Chromium driven through chromedriver (Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs) against a real server and a real
//! PostgreSQL database.

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod cases;
mod driver;
mod journeys;
mod phone;
mod review;
mod sign_in;
mod workspace;
