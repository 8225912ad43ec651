//! A repair case's inputs, validated: the incident form, and the small forms of each stage's
//! work (assessment, conversations, action items, commitments, reparation, lessons). Times are
//! typed in the user's time zone and stored in UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::FieldErrors;
use super::account::parse_optional_id;
use super::money;

/// Declares a closed set of values with their stored name and label, and `parse`.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($variant:ident => ($value:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Result<$name, String> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("Choose {}.", $what))
            }

            /// `(value, label)` pairs for a select box or radio group.
            pub fn options() -> Vec<(&'static str, &'static str)> {
                $name::ALL.iter().map(|v| (v.as_str(), v.label())).collect()
            }
        }
    };
}

choice!(Severity, "a severity", {
    Low => ("low", "Low"),
    Medium => ("medium", "Medium"),
    High => ("high", "High"),
    Critical => ("critical", "Critical"),
});

choice!(
    /// Who noticed first: a team on top of things notices before its clients do.
    DetectedBy, "who noticed first", {
    Us => ("us", "We did"),
    Client => ("client", "The client did"),
});

choice!(Channel, "how you talked", {
    InPerson => ("in_person", "In person"),
    Phone => ("phone", "Phone"),
    Video => ("video", "Video call"),
    Email => ("email", "E-mail"),
    Chat => ("chat", "Chat"),
});

impl Channel {
    /// How a conversation was had, as in "a conversation by phone".
    pub fn how(self) -> &'static str {
        match self {
            Channel::InPerson => "in person",
            Channel::Phone => "by phone",
            Channel::Video => "by video call",
            Channel::Email => "by e-mail",
            Channel::Chat => "by chat",
        }
    }
}

choice!(OurShare, "how much of it was on us", {
    None => ("none", "None of it"),
    Some => ("some", "Some of it"),
    Most => ("most", "Most of it"),
    All => ("all", "All of it"),
});

choice!(RelationshipValue, "the relationship's value", {
    Low => ("low", "Low: hardly worth the effort"),
    Medium => ("medium", "Medium"),
    High => ("high", "High: worth real effort"),
});

/// The client's mood as people choose it: −2 to +2, each with its word. Nobody's mood is a
/// default: a form without a choice is refused.
pub const MOODS: [(i16, &str); 5] = [
    (-2, "Angry"),
    (-1, "Unhappy"),
    (0, "Neutral"),
    (1, "Satisfied"),
    (2, "Delighted"),
];

/// A mood on the scale: −2 (angry) to +2 (delighted).
pub fn check_sentiment(v: i16) -> Result<i16, String> {
    if (-2..=2).contains(&v) {
        Ok(v)
    } else {
        Err("Choose how the client felt, from Angry to Delighted.".into())
    }
}

/// The client's mood as submitted: −2 (angry) to +2 (delighted); nothing chosen is refused.
pub fn parse_sentiment(raw: &str) -> Result<i16, String> {
    match raw.trim().parse::<i16>() {
        Ok(v) => check_sentiment(v),
        Err(_) => check_sentiment(i16::MIN),
    }
}

/// The word for mood `v`: "Angry", "Unhappy", "Neutral", "Satisfied", "Delighted".
pub fn sentiment_label(v: i16) -> &'static str {
    match v {
        i16::MIN..=-2 => "Angry",
        -1 => "Unhappy",
        0 => "Neutral",
        1 => "Satisfied",
        _ => "Delighted",
    }
}

/// Mood `v` in a sentence: "the client was satisfied".
pub fn mood_sentence(v: i16) -> String {
    format!("the client was {}", sentiment_label(v).to_lowercase())
}

/// Parses a time zone name such as "Europe/Berlin"; unknown names fall back to UTC.
pub fn time_zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// A moment typed as `YYYY-MM-DDTHH:MM` (or a bare date, meaning 09:00) in `tz`.
pub fn parse_local_time(raw: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    let not_a_time =
        || format!("\u{201c}{raw}\u{201d} is not a date and time (use 2026-11-24 14:30).");
    // chrono reads years of any length and sign; people type four digits.
    if raw.split('-').next().is_none_or(|y| y.len() != 4) {
        return Err(not_a_time());
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(9, 0, 0).unwrap_or_default())
        })
        .map_err(|_| not_a_time())?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| "That time does not exist in your time zone (a clock change).".into())
}

/// Formats a UTC moment for a `datetime-local` input in `tz`.
pub fn local_input(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// Formats a UTC moment for people in `tz`: "24 Nov 2026, 14:30".
pub fn local_display(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%-d %b %Y, %H:%M").to_string()
}

pub(super) fn text(
    raw: &str,
    field: &'static str,
    what: &str,
    max: usize,
    required: bool,
    errors: &mut FieldErrors,
) -> String {
    let t = raw.trim().to_string();
    if required && t.is_empty() {
        errors.add(field, format!("Enter {what}."));
    } else if t.chars().count() > max {
        errors.add(field, format!("Too long: use at most {max} characters."));
    }
    t
}

fn moment_not_in_future(
    raw: &str,
    field: &'static str,
    tz: Tz,
    now: DateTime<Utc>,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    match parse_local_time(raw, tz).and_then(|t| super::dates::happened(t, now)) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.add(field, e);
            None
        }
    }
}

/// The "log an incident" form, exactly as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IncidentForm {
    pub account_id: String,
    pub title: String,
    pub what_happened: String,
    pub category_id: String,
    pub severity: String,
    pub detected_by: String,
    pub occurred_at: String,
    /// The client's name as typed (the web form finds the account by it).
    pub account_name: String,
    /// Set when the name is a new client, added with the incident.
    pub new_account: Option<String>,
    /// The new client's team, account manager and annual value.
    pub new_account_team: String,
    pub new_account_owner: String,
    pub new_account_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub account_id: Uuid,
    pub title: String,
    pub what_happened: String,
    pub category_id: Uuid,
    pub severity: Severity,
    pub detected_by: DetectedBy,
    pub occurred_at: DateTime<Utc>,
}

impl NewIncident {
    /// An incident from typed input (the API's JSON), checked as the form checks it: a title,
    /// text within its limits, and a moment from 2000 until now. Text is trimmed.
    pub fn checked(self, now: DateTime<Utc>) -> Result<NewIncident, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = text(
            &self.title,
            "title",
            "a short title",
            200,
            true,
            &mut errors,
        );
        let what_happened = text(
            &self.what_happened,
            "what_happened",
            "what happened",
            10_000,
            false,
            &mut errors,
        );
        if let Err(e) = super::dates::happened(self.occurred_at, now) {
            errors.add("occurred_at", e);
        }
        if errors.is_empty() {
            Ok(NewIncident {
                title,
                what_happened,
                ..self
            })
        } else {
            Err(errors)
        }
    }
}

impl IncidentForm {
    pub fn parse(&self, tz: Tz, now: DateTime<Utc>) -> Result<NewIncident, FieldErrors> {
        let mut errors = FieldErrors::default();
        let account_id = parse_optional_id(&self.account_id, "account_id", &mut errors);
        if account_id.is_none() && errors.get("account_id").is_none() {
            errors.add("account_id", "Choose the client this is about.");
        }
        let title = text(
            &self.title,
            "title",
            "a short title",
            200,
            true,
            &mut errors,
        );
        let what_happened = text(
            &self.what_happened,
            "what_happened",
            "what happened",
            10_000,
            false,
            &mut errors,
        );
        let category_id = parse_optional_id(&self.category_id, "category_id", &mut errors);
        if category_id.is_none() && errors.get("category_id").is_none() {
            errors.add("category_id", "Choose a category.");
        }
        let severity = Severity::parse(&self.severity)
            .map_err(|e| errors.add("severity", e))
            .ok();
        let detected_by = DetectedBy::parse(&self.detected_by)
            .map_err(|e| errors.add("detected_by", e))
            .ok();
        let occurred_at = if self.occurred_at.trim().is_empty() {
            Some(now)
        } else {
            moment_not_in_future(&self.occurred_at, "occurred_at", tz, now, &mut errors)
        };
        match (account_id, category_id, severity, detected_by, occurred_at) {
            (
                Some(account_id),
                Some(category_id),
                Some(severity),
                Some(detected_by),
                Some(occurred_at),
            ) if errors.is_empty() => Ok(NewIncident {
                account_id,
                title,
                what_happened,
                category_id,
                severity,
                detected_by,
                occurred_at,
            }),
            _ => Err(errors),
        }
    }
}

/// The definition of the damage, editable while the case is open.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DefinitionForm {
    pub version: String,
    pub title: String,
    pub what_happened: String,
    pub category_id: String,
    pub severity: String,
    pub detected_by: String,
    pub occurred_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub title: String,
    pub what_happened: String,
    pub category_id: Uuid,
    pub severity: Severity,
    pub detected_by: DetectedBy,
    pub occurred_at: DateTime<Utc>,
}

impl DefinitionForm {
    pub fn parse(&self, tz: Tz, now: DateTime<Utc>) -> Result<Definition, FieldErrors> {
        let incident = IncidentForm {
            account_id: Uuid::nil().to_string(),
            title: self.title.clone(),
            what_happened: self.what_happened.clone(),
            category_id: self.category_id.clone(),
            severity: self.severity.clone(),
            detected_by: self.detected_by.clone(),
            occurred_at: if self.occurred_at.trim().is_empty() {
                "missing".into()
            } else {
                self.occurred_at.clone()
            },
            ..IncidentForm::default()
        };
        incident.parse(tz, now).map(|i| Definition {
            title: i.title,
            what_happened: i.what_happened,
            category_id: i.category_id,
            severity: i.severity,
            detected_by: i.detected_by,
            occurred_at: i.occurred_at,
        })
    }
}

/// The assessment: why it happened, whose fault, what the relationship is worth, the decision.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssessmentForm {
    pub version: String,
    pub root_cause: String,
    pub our_share: String,
    pub other_side_view: String,
    pub relationship_value: String,
    pub value_at_risk: String,
    pub decision: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub root_cause: String,
    pub our_share: Option<OurShare>,
    pub other_side_view: String,
    pub relationship_value: Option<RelationshipValue>,
    pub value_at_risk_minor: Option<i64>,
    pub decision: Option<super::stage::Decision>,
}

pub(super) fn optional<T>(
    raw: &str,
    field: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut FieldErrors,
) -> Option<T> {
    if raw.trim().is_empty() {
        None
    } else {
        parse(raw).map_err(|e| errors.add(field, e)).ok()
    }
}

impl AssessmentForm {
    /// Every field may be filled in over time; the gate, not the form, says what is missing.
    pub fn parse(&self) -> Result<Assessment, FieldErrors> {
        let mut errors = FieldErrors::default();
        let assessment = Assessment {
            root_cause: text(
                &self.root_cause,
                "root_cause",
                "the root cause",
                10_000,
                false,
                &mut errors,
            ),
            our_share: optional(&self.our_share, "our_share", OurShare::parse, &mut errors),
            other_side_view: text(
                &self.other_side_view,
                "other_side_view",
                "the client's view",
                10_000,
                false,
                &mut errors,
            ),
            relationship_value: optional(
                &self.relationship_value,
                "relationship_value",
                RelationshipValue::parse,
                &mut errors,
            ),
            value_at_risk_minor: money::parse_amount(&self.value_at_risk)
                .map_err(|e| errors.add("value_at_risk", e))
                .ok()
                .flatten(),
            decision: optional(
                &self.decision,
                "decision",
                super::stage::Decision::parse,
                &mut errors,
            ),
        };
        if errors.is_empty() {
            Ok(assessment)
        } else {
            Err(errors)
        }
    }
}

/// A conversation with the client, and how it went.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConversationForm {
    pub channel: String,
    pub with_whom: String,
    pub happened_at: String,
    pub summary: String,
    pub sentiment: String,
    pub listened_fully: Option<String>,
    pub validated_feelings: Option<String>,
    pub took_responsibility: Option<String>,
    pub asked_what_differently: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConversation {
    pub channel: Channel,
    pub with_whom: String,
    pub happened_at: DateTime<Utc>,
    pub summary: String,
    pub sentiment: i16,
    pub listened_fully: bool,
    pub validated_feelings: bool,
    pub took_responsibility: bool,
    pub asked_what_differently: bool,
}

impl NewConversation {
    /// A conversation from typed input (the API's JSON), checked as the form checks it.
    pub fn checked(self, now: DateTime<Utc>) -> Result<NewConversation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let with_whom = text(
            &self.with_whom,
            "with_whom",
            "who you spoke with",
            200,
            true,
            &mut errors,
        );
        let summary = text(
            &self.summary,
            "summary",
            "what was said",
            10_000,
            true,
            &mut errors,
        );
        if let Err(e) = super::dates::happened(self.happened_at, now) {
            errors.add("happened_at", e);
        }
        if let Err(e) = check_sentiment(self.sentiment) {
            errors.add("sentiment", e);
        }
        if errors.is_empty() {
            Ok(NewConversation {
                with_whom,
                summary,
                ..self
            })
        } else {
            Err(errors)
        }
    }
}

impl ConversationForm {
    pub fn parse(&self, tz: Tz, now: DateTime<Utc>) -> Result<NewConversation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let channel = Channel::parse(&self.channel)
            .map_err(|e| errors.add("channel", e))
            .ok();
        let with_whom = text(
            &self.with_whom,
            "with_whom",
            "who you spoke with",
            200,
            true,
            &mut errors,
        );
        let happened_at = if self.happened_at.trim().is_empty() {
            Some(now)
        } else {
            moment_not_in_future(&self.happened_at, "happened_at", tz, now, &mut errors)
        };
        let summary = text(
            &self.summary,
            "summary",
            "what was said",
            10_000,
            true,
            &mut errors,
        );
        let sentiment = parse_sentiment(&self.sentiment)
            .map_err(|e| errors.add("sentiment", e))
            .ok();
        let checked = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        match (channel, happened_at, sentiment) {
            (Some(channel), Some(happened_at), Some(sentiment)) if errors.is_empty() => {
                Ok(NewConversation {
                    channel,
                    with_whom,
                    happened_at,
                    summary,
                    sentiment,
                    listened_fully: checked(&self.listened_fully),
                    validated_feelings: checked(&self.validated_feelings),
                    took_responsibility: checked(&self.took_responsibility),
                    asked_what_differently: checked(&self.asked_what_differently),
                })
            }
            _ => Err(errors),
        }
    }
}

/// An action item: what, who, by when.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub what: String,
    pub owner_id: String,
    pub due_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub what: String,
    pub owner_id: Uuid,
    pub due_date: Option<NaiveDate>,
}

impl ActionForm {
    /// A due date may lie in the past (an action recorded late) but not before 2000, nor more
    /// than ten years after `today`.
    pub fn parse(&self, today: NaiveDate) -> Result<NewAction, FieldErrors> {
        let mut errors = FieldErrors::default();
        let what = text(
            &self.what,
            "what",
            "what needs doing",
            500,
            true,
            &mut errors,
        );
        let owner_id = parse_optional_id(&self.owner_id, "owner_id", &mut errors);
        if owner_id.is_none() && errors.get("owner_id").is_none() {
            errors.add("owner_id", "Choose who will do it.");
        }
        let due_date = optional(
            &self.due_date,
            "due_date",
            |s| {
                let day = super::dates::parse_day(s, "2026-12-01")?;
                if day < super::dates::EARLIEST {
                    Err("Enter a date from 1 Jan 2000 on.".to_string())
                } else {
                    super::dates::planned(day, day.min(today), "")
                }
            },
            &mut errors,
        );
        match owner_id {
            Some(owner_id) if errors.is_empty() => Ok(NewAction {
                what,
                owner_id,
                due_date,
            }),
            _ => Err(errors),
        }
    }
}

/// One line of free text (a commitment, a lesson, a reason).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TextForm {
    pub text: String,
    pub applies_to_all: Option<String>,
}

impl TextForm {
    pub fn parse(&self, what: &str, max: usize) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let t = text(&self.text, "text", what, max, true, &mut errors);
        if errors.is_empty() {
            Ok(t)
        } else {
            Err(errors)
        }
    }

    pub fn applies_to_all(&self) -> bool {
        self.applies_to_all
            .as_deref()
            .is_some_and(|s| !s.is_empty())
    }
}

/// The reparation: what we give back and what it costs, or why there is none.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReparationForm {
    pub version: String,
    #[serde(rename = "reparation_what")]
    pub what: String,
    #[serde(rename = "reparation_cost")]
    pub cost: String,
    #[serde(rename = "reparation_none_reason")]
    pub none_reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reparation {
    pub what: String,
    pub cost_minor: Option<i64>,
    pub none_reason: String,
}

impl ReparationForm {
    pub fn parse(&self) -> Result<Reparation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let what = text(
            &self.what,
            "reparation_what",
            "the reparation",
            2_000,
            false,
            &mut errors,
        );
        let cost_minor = money::parse_amount(&self.cost)
            .map_err(|e| errors.add("reparation_cost", e))
            .ok()
            .flatten();
        let none_reason = text(
            &self.none_reason,
            "reparation_none_reason",
            "why there is none",
            2_000,
            false,
            &mut errors,
        );
        if errors.is_empty() && what.is_empty() && none_reason.is_empty() {
            errors.add(
                "reparation_what",
                "Describe the reparation, or say why there is none.",
            );
        }
        if errors.is_empty() && !what.is_empty() && !none_reason.is_empty() {
            errors.add(
                "reparation_none_reason",
                "Either describe a reparation or say why there is none, not both.",
            );
        }
        if errors.is_empty() {
            Ok(Reparation {
                what,
                cost_minor,
                none_reason,
            })
        } else {
            Err(errors)
        }
    }
}

/// The version a form was opened at, for optimistic locking.
pub fn parse_version(raw: &str) -> Option<i32> {
    raw.trim().parse().ok()
}

#[cfg(test)]
#[path = "case_tests.rs"]
mod tests;
