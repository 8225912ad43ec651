//! The three roles and what each may reach. Roles are ordered: a manager can do what an account
//! manager can, and an admin what a manager can.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    AccountManager,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::AccountManager, Role::Manager, Role::Admin];

    /// The stored and submitted name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::AccountManager => "account_manager",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Role::AccountManager => "Account manager",
            Role::Manager => "Manager",
            Role::Admin => "Admin",
        }
    }

    /// Parses a stored or submitted role name.
    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                format!("Unknown role \u{201c}{s}\u{201d}: use account_manager, manager or admin.")
            })
    }

    /// Whether this role includes everything `required` may do.
    pub fn at_least(self, required: Role) -> bool {
        self >= required
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
    }

    #[test]
    fn an_unknown_role_is_refused_with_the_valid_names() {
        let err = Role::parse("boss").expect_err("must fail");
        assert!(err.contains("account_manager, manager or admin"), "{err}");
    }

    #[test]
    fn roles_include_the_ones_below_them() {
        use Role::*;
        let table = [
            (AccountManager, AccountManager, true),
            (AccountManager, Manager, false),
            (AccountManager, Admin, false),
            (Manager, AccountManager, true),
            (Manager, Manager, true),
            (Manager, Admin, false),
            (Admin, AccountManager, true),
            (Admin, Manager, true),
            (Admin, Admin, true),
        ];
        for (role, required, expected) in table {
            assert_eq!(role.at_least(required), expected, "{role} vs {required}");
        }
    }
}
