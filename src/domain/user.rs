//! A new user, validated: e-mail, name, role, optional team, password; and a personal API
//! token a user asks for.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{FieldErrors, Role};

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer ones are refused too: hashing megabytes on request is a denial of service.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A syntactically plausible e-mail address, trimmed; compared case-insensitively by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim();
        if email.is_empty() {
            return Err("Enter an e-mail address.".into());
        }
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.is_empty() && !domain.contains('@')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid {
            Ok(Email(email.to_string()))
        } else {
            Err(format!(
                "\u{201c}{email}\u{201d} is not an e-mail address (expected something like name@example.com)."
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password long enough to resist guessing.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Password, String> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "The password is too short: use at least {MIN_PASSWORD_CHARS} characters ({chars} given)."
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!(
                "The password is too long: use at most {MAX_PASSWORD_CHARS} characters."
            ));
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A trimmed, non-empty name of bounded length.
pub fn parse_name(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err(format!("Enter a {what}."))
    } else if name.chars().count() > max {
        Err(format!(
            "The {what} is too long: use at most {max} characters."
        ))
    } else {
        Ok(name.to_string())
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub password: Password,
}

impl NewUser {
    /// Validates every field and reports all problems at once.
    pub fn parse(
        email: &str,
        name: &str,
        role: &str,
        team: Option<&str>,
        password: &str,
    ) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = Email::parse(email).map_err(|e| errors.add("email", e)).ok();
        let name = parse_name(name, "name", 200)
            .map_err(|e| errors.add("name", e))
            .ok();
        let role = Role::parse(role).map_err(|e| errors.add("role", e)).ok();
        let team = match team.map(str::trim).filter(|t| !t.is_empty()) {
            None => Some(None),
            Some(t) => parse_name(t, "team name", 100)
                .map(Some)
                .map_err(|e| errors.add("team", e))
                .ok(),
        };
        let password = Password::parse(password)
            .map_err(|e| errors.add("password", e))
            .ok();
        match (email, name, role, team, password) {
            (Some(email), Some(name), Some(role), Some(team), Some(password))
                if errors.is_empty() =>
            {
                Ok(NewUser {
                    email,
                    name,
                    role,
                    team,
                    password,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A personal API token asked for: what it is called, and when it stops working (never, when
/// no day is given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewToken {
    /// Validates the token form: a name of at most 100 characters and an optional last day
    /// (`YYYY-MM-DD`, after today in `tz`, at most ten years ahead), ending at that day's
    /// midnight in `tz`.
    pub fn parse(
        name: &str,
        expires: &str,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<NewToken, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = name.trim();
        if name.is_empty() {
            errors.add(
                "token_name",
                "Name the token after what will use it, e.g. \u{201c}Helpdesk sync\u{201d}.",
            );
        } else if name.chars().count() > 100 {
            errors.add("token_name", "Use at most 100 characters.");
        }
        let today = now.with_timezone(&tz).date_naive();
        let expires_at = match expires.trim() {
            "" => None,
            raw => match super::dates::parse_day(raw, "2027-01-31") {
                Ok(date) if date <= today => {
                    errors.add("token_expires", "Choose a day after today.");
                    None
                }
                Ok(date) => match super::dates::planned(date, today, "") {
                    Ok(date) => Some(super::week::local_midnight(date, tz)),
                    Err(e) => {
                        errors.add("token_expires", e);
                        None
                    }
                },
                Err(_) => {
                    errors.add(
                        "token_expires",
                        format!("\u{201c}{raw}\u{201d} is not a date (use 2027-01-31)."),
                    );
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(NewToken {
                name: name.to_string(),
                expires_at,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_named_and_ends_at_midnight_of_its_day() {
        let now = "2026-12-03T12:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("valid");
        let berlin: Tz = "Europe/Berlin".parse().expect("zone");
        let token = NewToken::parse(" Helpdesk sync ", "2027-01-31", berlin, now).expect("valid");
        assert_eq!(token.name, "Helpdesk sync");
        assert_eq!(
            token.expires_at,
            Some("2027-01-30T23:00:00Z".parse().expect("valid"))
        );
        assert_eq!(
            NewToken::parse("Sync", "", berlin, now)
                .expect("valid")
                .expires_at,
            None
        );
        let errors = NewToken::parse(" ", "2026-12-03", berlin, now).expect_err("refused");
        assert!(errors.get("token_name").is_some());
        assert_eq!(
            errors.get("token_expires"),
            Some("Choose a day after today.")
        );
        let errors = NewToken::parse("Sync", "soon", berlin, now).expect_err("refused");
        assert!(
            errors
                .get("token_expires")
                .is_some_and(|e| e.contains("is not a date"))
        );
    }

    #[test]
    fn a_complete_user_parses_with_trimmed_fields() {
        let user = NewUser::parse(
            " ann@example.com ",
            " Ann Lee ",
            "manager",
            Some(" North "),
            "correct horse battery",
        )
        .expect("valid");
        assert_eq!(user.email.as_str(), "ann@example.com");
        assert_eq!(user.name, "Ann Lee");
        assert_eq!(user.role, Role::Manager);
        assert_eq!(user.team.as_deref(), Some("North"));
    }

    #[test]
    fn a_blank_team_means_no_team() {
        let user =
            NewUser::parse("a@b.co", "A", "admin", Some("  "), "123456789012").expect("valid");
        assert_eq!(user.team, None);
    }

    #[test]
    fn a_short_password_is_refused_with_the_minimum() {
        let errors = NewUser::parse("a@b.co", "A", "admin", None, "short").expect_err("must fail");
        let message = errors.get("password").expect("password error");
        assert!(message.contains("at least 12 characters"), "{message}");
    }

    #[test]
    fn eleven_characters_is_too_short_and_twelve_is_enough() {
        assert!(Password::parse("12345678901").is_err());
        assert!(Password::parse("123456789012").is_ok());
        // Characters, not bytes.
        assert!(Password::parse("ééééééééééé").is_err());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = NewUser::parse("nope", " ", "boss", None, "x").expect_err("must fail");
        for field in ["email", "name", "role", "password"] {
            assert!(errors.get(field).is_some(), "missing error for {field}");
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "", "a", "@b.co", "a@", "a@@b.co", "a b@c.co", "a@.co", "a@co.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse("first.last+tag@sub.example.org").is_ok());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let p = Password::parse("super secret value").expect("valid");
        assert!(!format!("{p:?}").contains("secret"));
    }
}
