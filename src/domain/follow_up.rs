//! A case's follow-up, validated: the plan form (cadence, first check-in, who checks in, until
//! when) and the result of a check-in (how it went, the client's mood and own words, the
//! commitments marked with it).

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::FieldErrors;
use super::account::parse_optional_id;
use super::case::{Channel, check_sentiment, parse_sentiment, text};

/// The follow-up plan form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub cadence: String,
    pub every_days: String,
    pub first_due: String,
    pub assignee_id: String,
    /// "closed" (until the case closes) or "count" (after `end_after` check-ins).
    pub end_rule: String,
    pub end_after: String,
    /// "yes" when the cadence should adapt to how the check-ins go.
    pub adaptive: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub cadence: super::cadence::Cadence,
    pub first_due: NaiveDate,
    pub assignee_id: Uuid,
    pub end_after: Option<i32>,
    /// Steps the cadence down as trust comes back, and up when it slips.
    pub adaptive: bool,
}

impl PlanForm {
    /// `today` is the user's today: a plan cannot start in the past.
    pub fn parse(&self, today: NaiveDate) -> Result<NewPlan, FieldErrors> {
        let mut errors = FieldErrors::default();
        let cadence = super::cadence::Cadence::parse(&self.cadence, &self.every_days)
            .map_err(|e| {
                errors.add(
                    if self.cadence == "custom" {
                        "every_days"
                    } else {
                        "cadence"
                    },
                    e,
                )
            })
            .ok();
        let first_due = super::dates::parse_day(&self.first_due, "2026-12-01")
            .map_err(|_| "Enter the date of the first check-in, such as 2026-12-01.".to_string())
            .and_then(|d| {
                super::dates::planned(d, today, "The first check-in cannot be in the past.")
            })
            .map_err(|e| errors.add("first_due", e))
            .ok();
        let assignee_id = parse_optional_id(&self.assignee_id, "assignee_id", &mut errors);
        if assignee_id.is_none() && errors.get("assignee_id").is_none() {
            errors.add("assignee_id", "Choose who checks in.");
        }
        let end_after = if self.end_rule == "count" {
            match self.end_after.trim().parse::<i32>() {
                Ok(n) if (1..=100).contains(&n) => Some(n),
                _ => {
                    errors.add("end_after", "Enter how many check-ins, from 1 to 100.");
                    None
                }
            }
        } else {
            None
        };
        let adaptive = self.adaptive.is_some();
        if adaptive && cadence.is_some_and(|c| !c.is_on_ladder()) {
            errors.add(
                "cadence",
                "An adaptive plan steps between every week, every two weeks and every month: choose one of those, or untick \u{201c}adapt\u{201d}.",
            );
        }
        match (cadence, first_due, assignee_id) {
            (Some(cadence), Some(first_due), Some(assignee_id)) if errors.is_empty() => {
                Ok(NewPlan {
                    cadence,
                    first_due,
                    assignee_id,
                    end_after,
                    adaptive,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Completing a check-in: how it went.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    #[serde(rename = "checkin_channel")]
    pub channel: String,
    #[serde(rename = "checkin_summary")]
    pub summary: String,
    #[serde(rename = "checkin_sentiment")]
    pub sentiment: String,
    pub next_step: String,
    /// The client's own words about how things stand, quoted.
    #[serde(rename = "checkin_words")]
    pub client_words: String,
    /// Every other field of the form; the commitments' marks are `mark_<commitment id>`.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, String>,
}

impl CheckInForm {
    /// The commitments marked on the form: `(id, mark)`; errors keyed by the mark's field.
    pub fn marks(&self) -> Result<Vec<(Uuid, super::commitment::Mark)>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut marks = Vec::new();
        for (key, value) in &self.other {
            let Some(id) = key.strip_prefix("mark_") else {
                continue;
            };
            let Ok(id) = Uuid::parse_str(id) else {
                continue;
            };
            match super::commitment::Mark::parse(value) {
                Ok(Some(mark)) => marks.push((id, mark)),
                Ok(None) => {}
                Err(e) => errors.add("commitments", e),
            }
        }
        if errors.is_empty() {
            Ok(marks)
        } else {
            Err(errors)
        }
    }

    /// The mark chosen for commitment `id`, as submitted.
    pub fn mark_of(&self, id: &Uuid) -> &str {
        self.other
            .get(&format!("mark_{id}"))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Longest quote of the client's own words.
pub const MAX_CLIENT_WORDS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInResult {
    pub channel: Channel,
    pub summary: String,
    pub sentiment: i16,
    pub next_step: String,
    pub client_words: String,
}

impl CheckInResult {
    /// A check-in's result from typed input (the API's JSON), checked as the form checks it.
    pub fn checked(self) -> Result<CheckInResult, FieldErrors> {
        let mut errors = FieldErrors::default();
        let summary = text(
            &self.summary,
            "checkin_summary",
            "how it went",
            10_000,
            true,
            &mut errors,
        );
        if let Err(e) = check_sentiment(self.sentiment) {
            errors.add("checkin_sentiment", e);
        }
        let next_step = text(
            &self.next_step,
            "next_step",
            "the next step",
            2_000,
            false,
            &mut errors,
        );
        let client_words = client_words(&self.client_words, &mut errors);
        if errors.is_empty() {
            Ok(CheckInResult {
                summary,
                next_step,
                client_words,
                ..self
            })
        } else {
            Err(errors)
        }
    }
}

/// The client's own words, without quotation marks typed around them (the page adds its own).
fn client_words(raw: &str, errors: &mut FieldErrors) -> String {
    text(
        raw.trim()
            .trim_matches(|c| matches!(c, '"' | '\u{201c}' | '\u{201d}')),
        "checkin_words",
        "the client's words",
        MAX_CLIENT_WORDS,
        false,
        errors,
    )
}

impl CheckInForm {
    pub fn parse(&self) -> Result<CheckInResult, FieldErrors> {
        let mut errors = FieldErrors::default();
        let channel = Channel::parse(&self.channel)
            .map_err(|e| errors.add("checkin_channel", e))
            .ok();
        let summary = text(
            &self.summary,
            "checkin_summary",
            "how it went",
            10_000,
            true,
            &mut errors,
        );
        let sentiment = parse_sentiment(&self.sentiment)
            .map_err(|e| errors.add("checkin_sentiment", e))
            .ok();
        let next_step = text(
            &self.next_step,
            "next_step",
            "the next step",
            2_000,
            false,
            &mut errors,
        );
        let client_words = client_words(&self.client_words, &mut errors);
        match (channel, sentiment) {
            (Some(channel), Some(sentiment)) if errors.is_empty() => Ok(CheckInResult {
                channel,
                summary,
                sentiment,
                next_step,
                client_words,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod follow_up_tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
    }

    #[test]
    fn a_plan_parses_with_its_end_rule() {
        let owner = Uuid::new_v4();
        let plan = PlanForm {
            cadence: "monthly".into(),
            first_due: "2026-12-31".into(),
            assignee_id: owner.to_string(),
            end_rule: "count".into(),
            end_after: "3".into(),
            ..PlanForm::default()
        }
        .parse(today())
        .expect("valid");
        assert_eq!(plan.cadence, crate::domain::cadence::Cadence::Monthly);
        assert_eq!(plan.end_after, Some(3));
        let open_ended = PlanForm {
            cadence: "weekly".into(),
            first_due: "2026-11-24".into(),
            assignee_id: owner.to_string(),
            end_rule: "closed".into(),
            end_after: "junk".into(),
            ..PlanForm::default()
        }
        .parse(today())
        .expect("valid");
        assert_eq!(open_ended.end_after, None);
    }

    #[test]
    fn an_adaptive_plan_needs_a_cadence_on_the_ladder() {
        let owner = Uuid::new_v4();
        let form = PlanForm {
            cadence: "weekly".into(),
            first_due: "2026-12-01".into(),
            assignee_id: owner.to_string(),
            adaptive: Some("yes".into()),
            ..PlanForm::default()
        };
        assert!(form.parse(today()).expect("valid").adaptive);
        let custom = PlanForm {
            cadence: "custom".into(),
            every_days: "10".into(),
            ..form.clone()
        };
        let e = custom.parse(today()).expect_err("custom cannot adapt");
        assert!(
            e.get("cadence").is_some_and(|m| m.contains("adaptive")),
            "{e:?}"
        );
        let fixed = PlanForm {
            adaptive: None,
            ..custom
        };
        assert!(!fixed.parse(today()).expect("valid").adaptive);
    }

    #[test]
    fn a_bad_plan_says_what_is_wrong_with_each_field() {
        let e = PlanForm {
            cadence: "custom".into(),
            every_days: "0".into(),
            first_due: "2026-11-01".into(),
            end_rule: "count".into(),
            end_after: "500".into(),
            ..PlanForm::default()
        }
        .parse(today())
        .expect_err("invalid");
        for field in ["every_days", "first_due", "assignee_id", "end_after"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn a_check_in_needs_channel_summary_and_mood() {
        assert!(
            CheckInForm {
                channel: "phone".into(),
                summary: "Happy again".into(),
                sentiment: "2".into(),
                ..CheckInForm::default()
            }
            .parse()
            .is_ok()
        );
        let e = CheckInForm::default().parse().expect_err("invalid");
        for field in ["checkin_channel", "checkin_summary", "checkin_sentiment"] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn the_clients_words_are_kept_without_the_quotation_marks_typed_around_them() {
        let form = CheckInForm {
            channel: "phone".into(),
            summary: "Talked it through".into(),
            sentiment: "1".into(),
            client_words: " \u{201c}Much better than last month.\u{201d} ".into(),
            ..CheckInForm::default()
        };
        assert_eq!(
            form.parse().expect("valid").client_words,
            "Much better than last month."
        );
        let long = CheckInForm {
            client_words: "x".repeat(MAX_CLIENT_WORDS + 1),
            ..form
        };
        assert!(
            long.parse()
                .expect_err("too long")
                .get("checkin_words")
                .is_some()
        );
    }
}
