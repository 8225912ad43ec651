//! Who is calling the API: the user of a valid bearer token, rate limited per token.
//! Cookies are not looked at: a browser session never authenticates an API request.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::Utc;
use chrono_tz::Tz;
use uuid::Uuid;

use super::Problem;
use crate::db::api_tokens::{self, Lookup};
use crate::domain::Role;
use crate::domain::visibility::Scope;
use crate::state::AppState;

/// The user an API request acts for, with their role and team.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub time_zone: Tz,
    pub token_id: Uuid,
}

impl Caller {
    pub fn scope(&self) -> Scope {
        Scope::for_user(self.role, self.team_id)
    }

    /// The token's owner as the actor of a use case.
    pub fn actor(&self) -> crate::app::Actor {
        crate::app::Actor {
            id: self.user_id,
            role: self.role,
            team_id: self.team_id,
            time_zone: self.time_zone,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                Problem::unauthorized(
                    "Send a personal API token: Authorization: Bearer mend_… (create one on your Settings page).",
                )
            })?
            .to_str()
            .map_err(|_| Problem::unauthorized("The Authorization header could not be read."))?;
        let raw = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Problem::unauthorized("Use the Bearer scheme: Authorization: Bearer mend_….")
            })?;
        let user = match api_tokens::lookup(&state.db, raw, Utc::now()).await? {
            Lookup::Valid(user) => user,
            Lookup::Expired => {
                return Err(Problem::unauthorized(
                    "This token has expired. Create a new one on your Settings page.",
                ));
            }
            Lookup::Revoked => {
                return Err(Problem::unauthorized("This token was revoked."));
            }
            Lookup::Unknown => {
                return Err(Problem::unauthorized("This token is not valid."));
            }
        };
        if let Err(not_until) = state.api_limiter.check_key(&user.token_id) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let mut problem = Problem::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "urn:mend:problem:rate-limited",
                "Too many requests with this token. Wait a moment and try again.",
            );
            problem.retry_after = Some(wait.as_secs().max(1));
            return Err(problem);
        }
        api_tokens::touch(&state.db, user.token_id).await?;
        let role = user.role;
        Ok(Caller {
            user_id: user.user_id,
            role,
            team_id: user.team_id,
            time_zone: user.time_zone.parse().unwrap_or(chrono_tz::UTC),
            token_id: user.token_id,
        })
    }
}
