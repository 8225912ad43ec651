//! What an admin submits about people and teams, validated, and the one rule that protects the
//! organisation from locking itself out: there is always at least one active admin.

use serde::Deserialize;
use uuid::Uuid;

use super::user::{Email, Password, parse_name};
use super::{FieldErrors, Role};

/// Longest team name (the database allows the same).
pub const MAX_TEAM_CHARS: usize = 100;

/// A team's name, trimmed.
pub fn parse_team_name(raw: &str) -> Result<String, String> {
    parse_name(raw, "team name", MAX_TEAM_CHARS)
}

/// Longest incident category name.
pub const MAX_CATEGORY_CHARS: usize = 100;

/// An incident category's name, trimmed.
pub fn parse_category_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("Enter the category's name.".into())
    } else if name.chars().count() > MAX_CATEGORY_CHARS {
        Err(format!(
            "The name is too long: use at most {MAX_CATEGORY_CHARS} characters."
        ))
    } else {
        Ok(name.to_string())
    }
}

/// A new intake source, valid: its name (part of the webhook's address), whether it is
/// internal monitoring, and who owns and how to file its cases when nothing else says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    pub name: String,
    pub internal: bool,
    pub default_owner_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
}

impl NewSource {
    /// Validates the intake source form's fields and reports all problems at once. The name is
    /// taken in lower case.
    pub fn parse(
        name: &str,
        internal: bool,
        default_owner_id: &str,
        category_id: &str,
    ) -> Result<NewSource, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = name.trim().to_lowercase();
        let valid_name = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.starts_with('-');
        if !valid_name {
            errors.add(
                "name",
                "Use 1 to 63 lower-case letters, digits and dashes, e.g. \u{201c}helpdesk\u{201d}: it becomes part of the webhook's address.",
            );
        }
        let default_owner_id =
            super::account::parse_optional_id(default_owner_id, "default_owner_id", &mut errors);
        let category_id =
            super::account::parse_optional_id(category_id, "category_id", &mut errors);
        if errors.is_empty() {
            Ok(NewSource {
                name,
                internal,
                default_owner_id,
                category_id,
            })
        } else {
            Err(errors)
        }
    }
}

/// `Some(team)` for a submitted team id that is one of `teams`, `None` for "no team"; an error for
/// anything else.
fn parse_team(raw: &str, teams: &[Uuid]) -> Result<Option<Uuid>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(raw)
        .ok()
        .filter(|id| teams.contains(id))
        .map(Some)
        .ok_or_else(|| "Choose a team from the list.".to_string())
}

/// How a new user gets their first password.
#[derive(Debug, Clone)]
pub enum FirstPassword {
    /// The admin sets it now and tells them.
    Set(Password),
    /// The admin gets a one-time link to pass on; they choose their own.
    Link,
}

/// The new-user form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewAccountForm {
    pub name: String,
    pub email: String,
    pub role: String,
    pub team_id: String,
    pub time_zone: String,
    /// `link` or `set`.
    pub password_mode: String,
    pub password: String,
}

/// A new user, valid.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub email: Email,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub time_zone: String,
    pub password: FirstPassword,
}

impl NewAccountForm {
    /// Validates every field against the existing `teams` and reports all problems at once.
    pub fn parse(&self, teams: &[Uuid]) -> Result<NewAccount, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = parse_name(&self.name, "name", 200)
            .map_err(|e| errors.add("name", e))
            .ok();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add("email", e))
            .ok();
        let role = Role::parse(&self.role)
            .map_err(|_| errors.add("role", "Choose a role."))
            .ok();
        let team_id = parse_team(&self.team_id, teams)
            .map_err(|e| errors.add("team_id", e))
            .ok();
        let time_zone = super::organisation::parse_time_zone(&self.time_zone)
            .map_err(|e| errors.add("time_zone", e))
            .ok();
        let password = match self.password_mode.as_str() {
            "set" => Password::parse(&self.password)
                .map(FirstPassword::Set)
                .map_err(|e| errors.add("password", e))
                .ok(),
            "link" => Some(FirstPassword::Link),
            _ => {
                errors.add("password_mode", "Choose how they get their first password.");
                None
            }
        };
        match (name, email, role, team_id, time_zone, password) {
            (
                Some(name),
                Some(email),
                Some(role),
                Some(team_id),
                Some(time_zone),
                Some(password),
            ) if errors.is_empty() => Ok(NewAccount {
                name,
                email,
                role,
                team_id,
                time_zone: time_zone.to_string(),
                password,
            }),
            _ => Err(errors),
        }
    }
}

/// The role-and-team form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccessForm {
    pub role: String,
    pub team_id: String,
}

/// A user's role and team, valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    pub team_id: Option<Uuid>,
}

impl AccessForm {
    pub fn parse(&self, teams: &[Uuid]) -> Result<Access, FieldErrors> {
        let mut errors = FieldErrors::default();
        let role = Role::parse(&self.role)
            .map_err(|_| errors.add("role", "Choose a role."))
            .ok();
        let team_id = parse_team(&self.team_id, teams)
            .map_err(|e| errors.add("team_id", e))
            .ok();
        match (role, team_id) {
            (Some(role), Some(team_id)) => Ok(Access { role, team_id }),
            _ => Err(errors),
        }
    }
}

/// A change would leave the organisation without an active admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{who} the only active admin, so {what} would leave nobody to manage Mend. Make someone else an admin first."
)]
pub struct LastAdmin {
    who: &'static str,
    what: &'static str,
}

/// What is about to happen to an active admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminLoss {
    Deactivation,
    Demotion,
}

/// Refuses taking away the last active admin. `active_admins` counts every active admin,
/// the target included; `is_self` only changes the wording.
pub fn keep_an_admin(active_admins: i64, loss: AdminLoss, is_self: bool) -> Result<(), LastAdmin> {
    if active_admins > 1 {
        return Ok(());
    }
    Err(LastAdmin {
        who: if is_self { "You are" } else { "This is" },
        what: match (loss, is_self) {
            (AdminLoss::Deactivation, true) => "deactivating yourself",
            (AdminLoss::Deactivation, false) => "deactivating them",
            (AdminLoss::Demotion, true) => "giving up the admin role",
            (AdminLoss::Demotion, false) => "taking away their admin role",
        },
    })
}

/// Every admin action the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    UserCreated,
    UserChanged,
    UserMoved,
    UserDeactivated,
    UserReactivated,
    PasswordLinkIssued,
    /// A user set their password with a link an admin gave them.
    PasswordSetWithLink,
    TeamCreated,
    TeamRenamed,
    CategoryAdded,
    CategoryRenamed,
    CategoryRetired,
    CategoryRestored,
    SettingsChanged,
    IntakeSourceCreated,
    IntakeSourceDisabled,
    IntakeSourceEnabled,
    IntakeSecretRotated,
}

impl AuditAction {
    pub const ALL: [AuditAction; 18] = [
        AuditAction::UserCreated,
        AuditAction::UserChanged,
        AuditAction::UserMoved,
        AuditAction::UserDeactivated,
        AuditAction::UserReactivated,
        AuditAction::PasswordLinkIssued,
        AuditAction::PasswordSetWithLink,
        AuditAction::TeamCreated,
        AuditAction::TeamRenamed,
        AuditAction::CategoryAdded,
        AuditAction::CategoryRenamed,
        AuditAction::CategoryRetired,
        AuditAction::CategoryRestored,
        AuditAction::SettingsChanged,
        AuditAction::IntakeSourceCreated,
        AuditAction::IntakeSourceDisabled,
        AuditAction::IntakeSourceEnabled,
        AuditAction::IntakeSecretRotated,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::UserCreated => "user.created",
            AuditAction::UserChanged => "user.changed",
            AuditAction::UserMoved => "user.moved",
            AuditAction::UserDeactivated => "user.deactivated",
            AuditAction::UserReactivated => "user.reactivated",
            AuditAction::PasswordLinkIssued => "user.password_link_issued",
            AuditAction::PasswordSetWithLink => "user.password_set_with_link",
            AuditAction::TeamCreated => "team.created",
            AuditAction::TeamRenamed => "team.renamed",
            AuditAction::CategoryAdded => "category.added",
            AuditAction::CategoryRenamed => "category.renamed",
            AuditAction::CategoryRetired => "category.retired",
            AuditAction::CategoryRestored => "category.restored",
            AuditAction::SettingsChanged => "settings.changed",
            AuditAction::IntakeSourceCreated => "intake_source.created",
            AuditAction::IntakeSourceDisabled => "intake_source.disabled",
            AuditAction::IntakeSourceEnabled => "intake_source.enabled",
            AuditAction::IntakeSecretRotated => "intake_source.secret_rotated",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::UserCreated => "User created",
            AuditAction::UserChanged => "Role or team changed",
            AuditAction::UserMoved => "Moved to another team",
            AuditAction::UserDeactivated => "User deactivated",
            AuditAction::UserReactivated => "User reactivated",
            AuditAction::PasswordLinkIssued => "Password link issued",
            AuditAction::PasswordSetWithLink => "Password set with a link",
            AuditAction::TeamCreated => "Team created",
            AuditAction::TeamRenamed => "Team renamed",
            AuditAction::CategoryAdded => "Category added",
            AuditAction::CategoryRenamed => "Category renamed",
            AuditAction::CategoryRetired => "Category retired",
            AuditAction::CategoryRestored => "Category brought back",
            AuditAction::SettingsChanged => "Settings changed",
            AuditAction::IntakeSourceCreated => "Intake source created",
            AuditAction::IntakeSourceDisabled => "Intake source turned off",
            AuditAction::IntakeSourceEnabled => "Intake source turned on",
            AuditAction::IntakeSecretRotated => "Intake secret replaced",
        }
    }

    pub fn parse(raw: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_form() -> NewAccountForm {
        NewAccountForm {
            name: " Ann Lee ".into(),
            email: " ann@example.com ".into(),
            role: "manager".into(),
            team_id: String::new(),
            time_zone: "Europe/Berlin".into(),
            password_mode: "link".into(),
            password: String::new(),
        }
    }

    #[test]
    fn a_new_user_with_a_link_needs_no_password() {
        let a = new_form().parse(&[]).expect("valid");
        assert_eq!(a.name, "Ann Lee");
        assert_eq!(a.email.as_str(), "ann@example.com");
        assert_eq!(a.role, Role::Manager);
        assert_eq!(a.team_id, None);
        assert!(matches!(a.password, FirstPassword::Link));
    }

    #[test]
    fn a_set_password_must_be_long_enough() {
        let short = NewAccountForm {
            password_mode: "set".into(),
            password: "short".into(),
            ..new_form()
        };
        let errors = short.parse(&[]).expect_err("must fail");
        assert!(
            errors
                .get("password")
                .is_some_and(|e| e.contains("at least 12"))
        );
        let long = NewAccountForm {
            password: "a long enough password".into(),
            ..short
        };
        assert!(matches!(
            long.parse(&[]).expect("valid").password,
            FirstPassword::Set(_)
        ));
    }

    #[test]
    fn only_existing_teams_are_accepted() {
        let north = Uuid::new_v4();
        let ok = NewAccountForm {
            team_id: north.to_string(),
            ..new_form()
        };
        assert_eq!(ok.parse(&[north]).expect("valid").team_id, Some(north));
        let errors = ok.parse(&[]).expect_err("unknown team");
        assert_eq!(errors.get("team_id"), Some("Choose a team from the list."));
        let garbage = AccessForm {
            role: "admin".into(),
            team_id: "nonsense".into(),
        };
        assert!(garbage.parse(&[north]).is_err());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = NewAccountForm {
            name: " ".into(),
            email: "nope".into(),
            role: "boss".into(),
            team_id: "x".into(),
            time_zone: "Nowhere/Special".into(),
            password_mode: String::new(),
            password: String::new(),
        }
        .parse(&[])
        .expect_err("must fail");
        for field in [
            "name",
            "email",
            "role",
            "team_id",
            "time_zone",
            "password_mode",
        ] {
            assert!(errors.get(field).is_some(), "missing error for {field}");
        }
    }

    #[test]
    fn an_intake_source_is_named_for_its_webhook_address() {
        let owner = Uuid::new_v4();
        let source = NewSource::parse(" HelpDesk-2 ", true, &owner.to_string(), "").expect("valid");
        assert_eq!(source.name, "helpdesk-2");
        assert!(source.internal);
        assert_eq!(source.default_owner_id, Some(owner));
        assert_eq!(source.category_id, None);
        for bad in ["", "-desk", "help desk", "hélp", &"x".repeat(64)] {
            assert!(
                NewSource::parse(bad, false, "", "").is_err(),
                "{bad:?} should be refused"
            );
        }
        let errors = NewSource::parse("desk", false, "nope", "nope").expect_err("must fail");
        assert_eq!(
            errors.get("default_owner_id"),
            Some("Choose one of the options offered.")
        );
        assert!(errors.get("category_id").is_some());
    }

    #[test]
    fn a_category_name_is_trimmed_and_bounded() {
        assert_eq!(parse_category_name("  Billing "), Ok("Billing".to_string()));
        assert!(parse_category_name(" ").is_err());
        assert!(parse_category_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn every_audit_action_reads_back_from_its_name() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("user.exploded"), None);
    }

    #[test]
    fn the_last_active_admin_stays() {
        assert!(keep_an_admin(2, AdminLoss::Deactivation, true).is_ok());
        assert!(keep_an_admin(2, AdminLoss::Demotion, false).is_ok());
        let own = keep_an_admin(1, AdminLoss::Deactivation, true).expect_err("refused");
        assert!(
            own.to_string()
                .starts_with("You are the only active admin, so deactivating yourself"),
            "{own}"
        );
        let other = keep_an_admin(1, AdminLoss::Demotion, false).expect_err("refused");
        assert!(
            other.to_string().contains("taking away their admin role"),
            "{other}"
        );
    }
}
