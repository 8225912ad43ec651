//! Who is signed in and what they may do: password hashing, the session-backed sign-in
//! (axum-login over tower-sessions, sessions stored in PostgreSQL), CSRF tokens, and the route
//! layers that require a signed-in user or a role.

pub mod backend;
pub mod csrf;
pub mod guard;
pub mod password;
pub mod password_link;

pub use backend::{AuthSession, Backend, Credentials, SessionUser};
