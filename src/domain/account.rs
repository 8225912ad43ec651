//! A client account, as typed into the account form, validated.

use uuid::Uuid;

use super::FieldErrors;
use super::money;
use super::user::Email;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Strategic,
    Key,
    Standard,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Strategic, Tier::Key, Tier::Standard];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Strategic => "strategic",
            Tier::Key => "key",
            Tier::Standard => "standard",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::Strategic => "Strategic",
            Tier::Key => "Key",
            Tier::Standard => "Standard",
        }
    }

    pub fn parse(s: &str) -> Result<Tier, String> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| "Choose a tier: strategic, key or standard.".to_string())
    }
}

/// The account form's fields, exactly as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AccountForm {
    pub name: String,
    pub team_id: String,
    pub manager_id: String,
    pub annual_value: String,
    pub currency: String,
    pub tier: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub notes: String,
}

/// A valid account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInput {
    pub name: String,
    pub team_id: Uuid,
    pub manager_id: Option<Uuid>,
    pub annual_value_minor: i64,
    pub currency: String,
    pub tier: Tier,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub notes: String,
}

/// Text that must fit in `max` characters.
fn bounded(
    raw: &str,
    field: &'static str,
    what: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> String {
    let text = raw.trim().to_string();
    if text.chars().count() > max {
        errors.add(
            field,
            format!("The {what} is too long: use at most {max} characters."),
        );
    }
    text
}

/// An optional id from a select box; anything unparsable is reported against `field`.
pub fn parse_optional_id(raw: &str, field: &'static str, errors: &mut FieldErrors) -> Option<Uuid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match Uuid::parse_str(raw) {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, "Choose one of the options offered.");
            None
        }
    }
}

impl AccountForm {
    pub fn parse(&self) -> Result<AccountInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = bounded(&self.name, "name", "name", 200, &mut errors);
        if name.is_empty() {
            errors.add("name", "Enter the client's name.");
        }
        let team_id = parse_optional_id(&self.team_id, "team_id", &mut errors);
        if team_id.is_none() && errors.get("team_id").is_none() {
            errors.add("team_id", "Choose the team that owns this account.");
        }
        let manager_id = parse_optional_id(&self.manager_id, "manager_id", &mut errors);
        let annual_value_minor = match money::parse_amount(&self.annual_value) {
            Ok(v) => v.unwrap_or(0),
            Err(e) => {
                errors.add("annual_value", e);
                0
            }
        };
        let currency = if self.currency.trim().is_empty() {
            "EUR".to_string()
        } else {
            money::parse_currency(&self.currency)
                .map_err(|e| errors.add("currency", e))
                .unwrap_or_default()
        };
        let tier = if self.tier.trim().is_empty() {
            Some(Tier::Standard)
        } else {
            Tier::parse(&self.tier)
                .map_err(|e| errors.add("tier", e))
                .ok()
        };
        let contact_name = bounded(
            &self.contact_name,
            "contact_name",
            "contact's name",
            200,
            &mut errors,
        );
        let contact_email = self.contact_email.trim().to_string();
        if !contact_email.is_empty()
            && let Err(e) = Email::parse(&contact_email)
        {
            errors.add("contact_email", e);
        }
        let contact_phone = bounded(
            &self.contact_phone,
            "contact_phone",
            "phone number",
            50,
            &mut errors,
        );
        let notes = bounded(&self.notes, "notes", "notes", 10_000, &mut errors);
        match (team_id, tier) {
            (Some(team_id), Some(tier)) if errors.is_empty() => Ok(AccountInput {
                name,
                team_id,
                manager_id,
                annual_value_minor,
                currency,
                tier,
                contact_name,
                contact_email,
                contact_phone,
                notes,
            }),
            _ => Err(errors),
        }
    }
}

/// "If things go wrong a lot, reconsider the relationship": this many cases in a year warn.
pub const REPEAT_INCIDENTS: i64 = 3;

/// Whether an account with `cases_last_12_months` deserves the repeat-incident warning.
pub fn repeat_incidents(cases_last_12_months: i64) -> bool {
    cases_last_12_months >= REPEAT_INCIDENTS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AccountForm {
        AccountForm {
            name: " Acme Ltd ".into(),
            team_id: Uuid::nil().to_string(),
            annual_value: "120,000".into(),
            currency: "eur".into(),
            tier: "key".into(),
            contact_email: "jo@acme.example".into(),
            ..AccountForm::default()
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let account = form().parse().expect("valid");
        assert_eq!(account.name, "Acme Ltd");
        assert_eq!(account.annual_value_minor, 12_000_000);
        assert_eq!(account.currency, "EUR");
        assert_eq!(account.tier, Tier::Key);
        assert_eq!(account.manager_id, None);
    }

    #[test]
    fn defaults_fill_optional_fields() {
        let account = AccountForm {
            name: "Acme".into(),
            team_id: Uuid::nil().to_string(),
            ..AccountForm::default()
        }
        .parse()
        .expect("valid");
        assert_eq!(account.annual_value_minor, 0);
        assert_eq!(account.currency, "EUR");
        assert_eq!(account.tier, Tier::Standard);
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let bad = AccountForm {
            name: "x".repeat(201),
            team_id: "not-an-id".into(),
            manager_id: "also-not".into(),
            annual_value: "-3".into(),
            currency: "euro".into(),
            tier: "gold".into(),
            contact_email: "nope".into(),
            contact_phone: "1".repeat(51),
            ..AccountForm::default()
        };
        let errors = bad.parse().expect_err("invalid");
        for field in [
            "name",
            "team_id",
            "manager_id",
            "annual_value",
            "currency",
            "tier",
            "contact_email",
            "contact_phone",
        ] {
            assert!(
                errors.get(field).is_some(),
                "no error for {field}: {errors:?}"
            );
        }
    }

    #[test]
    fn a_missing_name_and_team_are_reported() {
        let errors = AccountForm::default().parse().expect_err("invalid");
        assert_eq!(errors.get("name"), Some("Enter the client's name."));
        assert_eq!(
            errors.get("team_id"),
            Some("Choose the team that owns this account.")
        );
    }

    #[test]
    fn three_cases_in_a_year_is_a_repeat_pattern() {
        assert!(!repeat_incidents(2));
        assert!(repeat_incidents(3));
    }
}
