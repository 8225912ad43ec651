//! The first-run setup form: the organisation, its time zone, the first admin and their first
//! team, and whether to load demo data. Validated all at once, like every other form.

use serde::Deserialize;

use super::organisation::{MAX_NAME_CHARS, OrgSettings, parse_time_zone};
use super::user::{NewUser, parse_name};
use super::{FieldErrors, Role};

/// The setup form as submitted. The password is never shown back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    pub organisation: String,
    pub time_zone: String,
    pub name: String,
    pub email: String,
    pub password: String,
    pub team: String,
    /// "yes" when the box is ticked (an unticked box sends nothing).
    pub demo: Option<String>,
}

/// A valid setup.
#[derive(Debug, Clone)]
pub struct Setup {
    pub organisation: OrgSettings,
    pub admin: NewUser,
    pub demo: bool,
}

impl SetupForm {
    /// The form as it first shows: the time zone preselected, a first team suggested.
    pub fn blank() -> SetupForm {
        SetupForm {
            time_zone: "UTC".into(),
            team: "Account management".into(),
            demo: Some("yes".into()),
            ..SetupForm::default()
        }
    }

    pub fn demo_checked(&self) -> bool {
        self.demo.is_some()
    }

    /// Validates every field and reports all problems at once.
    pub fn parse(&self) -> Result<Setup, FieldErrors> {
        let mut errors = FieldErrors::default();
        let organisation = parse_name(&self.organisation, "organisation name", MAX_NAME_CHARS)
            .map_err(|e| errors.add("organisation", e))
            .ok();
        let time_zone = parse_time_zone(&self.time_zone)
            .map_err(|e| errors.add("time_zone", e))
            .ok();
        let admin = NewUser::parse(
            &self.email,
            &self.name,
            Role::Admin.as_str(),
            Some(&self.team),
            &self.password,
        )
        .map_err(|field_errors| {
            for (field, message) in field_errors.iter() {
                errors.add(field, message);
            }
        })
        .ok();
        match (organisation, time_zone, admin) {
            (Some(name), Some(time_zone), Some(admin)) if errors.is_empty() => Ok(Setup {
                organisation: OrgSettings {
                    name,
                    time_zone: time_zone.to_string(),
                    ..OrgSettings::default()
                },
                admin,
                demo: self.demo_checked(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> SetupForm {
        SetupForm {
            organisation: " Northwind Services ".into(),
            time_zone: "Europe/Berlin".into(),
            name: "Ada Admin".into(),
            email: "ada@northwind.example".into(),
            password: "a long enough password".into(),
            team: "Key accounts".into(),
            demo: None,
        }
    }

    #[test]
    fn a_filled_form_gives_the_organisation_and_an_admin_in_the_team() {
        let setup = filled().parse().expect("valid");
        assert_eq!(setup.organisation.name, "Northwind Services");
        assert_eq!(setup.organisation.time_zone, "Europe/Berlin");
        assert_eq!(setup.admin.role, Role::Admin);
        assert_eq!(setup.admin.team.as_deref(), Some("Key accounts"));
        assert_eq!(setup.admin.email.as_str(), "ada@northwind.example");
        assert!(!setup.demo);
        let with_demo = SetupForm {
            demo: Some("yes".into()),
            ..filled()
        };
        assert!(with_demo.parse().expect("valid").demo);
    }

    #[test]
    fn the_team_may_be_left_blank() {
        let form = SetupForm {
            team: "  ".into(),
            ..filled()
        };
        assert_eq!(form.parse().expect("valid").admin.team, None);
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let form = SetupForm {
            organisation: String::new(),
            time_zone: "Mars/Olympus".into(),
            name: String::new(),
            email: "not-an-address".into(),
            password: "short".into(),
            team: String::new(),
            demo: None,
        };
        let errors = form.parse().expect_err("invalid");
        for field in ["organisation", "time_zone", "name", "email", "password"] {
            assert!(
                errors.get(field).is_some(),
                "no error for {field}: {errors}"
            );
        }
        assert!(
            errors
                .get("time_zone")
                .is_some_and(|e| e.contains("Mars/Olympus"))
        );
    }
}
