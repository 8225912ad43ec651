//! Pure logic, no I/O: roles and what they may do, validated input types.
//! Every type here is made with `parse()`, which returns the value or the errors a person can fix.

pub mod account;
pub mod admin;
pub mod cadence;
pub mod case;
pub mod commitment;
pub mod dates;
pub mod escalation;
pub mod follow_up;
pub mod gate;
pub mod lesson;
pub mod moment;
pub mod money;
pub mod moves;
pub mod organisation;
pub mod role;
pub mod setup;
pub mod stage;
pub mod user;
pub mod visibility;
pub mod week;

pub use role::Role;

/// Errors keyed by form field, in the order the fields appear.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|(_, m)| m.as_str()).collect();
        f.write_str(&messages.join(" "))
    }
}
