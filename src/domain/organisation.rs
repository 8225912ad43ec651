//! The organisation's settings, set by an admin: its name, the time zone new users start in, the
//! follow-up cadence the plan form suggests, when a case counts as stuck, and the day weeks start.

use chrono::{Datelike, Days, NaiveDate};
use serde::Deserialize;

use super::FieldErrors;

/// The first day of "this week" on My work and the review's load. The weekly dashboard does not
/// use it: its weeks are ISO weeks (`2026-W48`), which always start on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeekStart {
    #[default]
    Monday,
    Sunday,
}

impl WeekStart {
    pub const ALL: [WeekStart; 2] = [WeekStart::Monday, WeekStart::Sunday];

    pub fn parse(raw: &str) -> Result<WeekStart, String> {
        WeekStart::ALL
            .into_iter()
            .find(|w| w.as_str() == raw.trim())
            .ok_or_else(|| "Choose Monday or Sunday.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WeekStart::Monday => "monday",
            WeekStart::Sunday => "sunday",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WeekStart::Monday => "Monday",
            WeekStart::Sunday => "Sunday",
        }
    }

    /// The first and last day of the week that contains `date`.
    pub fn week_of(self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        let back = match self {
            WeekStart::Monday => date.weekday().num_days_from_monday(),
            WeekStart::Sunday => date.weekday().num_days_from_sunday(),
        };
        let first = date - Days::new(u64::from(back));
        (first, first + Days::new(6))
    }
}

/// The cadences an organisation can make the plan form's default (the custom "every N days" needs
/// a number of days, which only makes sense case by case).
pub const DEFAULT_CADENCES: [(&str, &str); 3] = [
    ("weekly", "Every week"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Every month"),
];

/// Longest organisation name.
pub const MAX_NAME_CHARS: usize = 100;

/// The settings, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettings {
    pub name: String,
    /// An IANA time zone name.
    pub time_zone: String,
    /// One of `DEFAULT_CADENCES`' values.
    pub default_cadence: String,
    /// `None`: the server's `--stuck-after-days`.
    pub stuck_after_days: Option<i64>,
    pub week_start: WeekStart,
    /// Good check-ins in a row that step an adaptive plan's cadence down.
    pub adaptive_step_after: i64,
    /// Good check-ins in a row a case with an adaptive plan needs to close as restored.
    pub restored_after: i64,
    /// Days an open case may go without recorded work before it is escalated, by severity:
    /// critical, high, medium, low.
    pub escalate_after: [i64; 4],
}

/// The severities `escalate_after` is for, in its order, with their form fields.
pub const ESCALATION_FIELDS: [(&str, &str); 4] = [
    ("escalate_critical_days", "Critical"),
    ("escalate_high_days", "High"),
    ("escalate_medium_days", "Medium"),
    ("escalate_low_days", "Low"),
];

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            name: "Mend".into(),
            time_zone: "UTC".into(),
            default_cadence: "weekly".into(),
            stuck_after_days: None,
            week_start: WeekStart::Monday,
            adaptive_step_after: 2,
            restored_after: 3,
            escalate_after: [2, 4, 7, 14],
        }
    }
}

impl OrgSettings {
    /// Days without activity after which a case is stuck: this organisation's choice, else the
    /// server's default.
    pub fn stuck_after_days(&self, server_default: i64) -> i64 {
        self.stuck_after_days.unwrap_or(server_default)
    }
}

/// The settings form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrgSettingsForm {
    pub name: String,
    pub time_zone: String,
    pub default_cadence: String,
    /// Blank: the server's default.
    pub stuck_after_days: String,
    pub week_start: String,
    pub adaptive_step_after: String,
    pub restored_after: String,
    pub escalate_critical_days: String,
    pub escalate_high_days: String,
    pub escalate_medium_days: String,
    pub escalate_low_days: String,
}

impl OrgSettingsForm {
    /// The form as it shows `settings`.
    pub fn from_settings(s: &OrgSettings) -> OrgSettingsForm {
        OrgSettingsForm {
            name: s.name.clone(),
            time_zone: s.time_zone.clone(),
            default_cadence: s.default_cadence.clone(),
            stuck_after_days: s
                .stuck_after_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            week_start: s.week_start.as_str().to_string(),
            adaptive_step_after: s.adaptive_step_after.to_string(),
            restored_after: s.restored_after.to_string(),
            escalate_critical_days: s.escalate_after[0].to_string(),
            escalate_high_days: s.escalate_after[1].to_string(),
            escalate_medium_days: s.escalate_after[2].to_string(),
            escalate_low_days: s.escalate_after[3].to_string(),
        }
    }

    /// Validates every field and reports all problems at once.
    pub fn parse(&self) -> Result<OrgSettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = super::user::parse_name(&self.name, "name", MAX_NAME_CHARS)
            .map_err(|e| errors.add("name", e))
            .ok();
        let time_zone = parse_time_zone(&self.time_zone)
            .map_err(|e| errors.add("time_zone", e))
            .ok();
        let cadence = DEFAULT_CADENCES
            .iter()
            .find(|(value, _)| *value == self.default_cadence.trim())
            .map(|(value, _)| value.to_string());
        if cadence.is_none() {
            errors.add(
                "default_cadence",
                "Choose every week, every two weeks or every month.",
            );
        }
        let stuck = match self.stuck_after_days.trim() {
            "" => Some(None),
            raw => match raw.parse::<i64>() {
                Ok(days) if (1..=365).contains(&days) => Some(Some(days)),
                _ => {
                    errors.add(
                        "stuck_after_days",
                        "Enter a whole number of days from 1 to 365, or leave it blank for the server's default.",
                    );
                    None
                }
            },
        };
        let week_start = WeekStart::parse(&self.week_start)
            .map_err(|e| errors.add("week_start", e))
            .ok();
        // Blank: Mend's default.
        let mut count = |field: &'static str, raw: &str, max: i64, default: i64| match raw.trim() {
            "" => Some(default),
            raw => match raw.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Some(n),
                _ => {
                    errors.add(
                        field,
                        format!("Enter a whole number of check-ins from 1 to {max}."),
                    );
                    None
                }
            },
        };
        let defaults = OrgSettings::default();
        let step_after = count(
            "adaptive_step_after",
            &self.adaptive_step_after,
            10,
            defaults.adaptive_step_after,
        );
        let restored_after = count(
            "restored_after",
            &self.restored_after,
            20,
            defaults.restored_after,
        );
        let days =
            |field: &'static str, raw: &str, default: i64, errors: &mut FieldErrors| match raw
                .trim()
            {
                "" => Some(default),
                raw => match raw.parse::<i64>() {
                    Ok(n) if (1..=365).contains(&n) => Some(n),
                    _ => {
                        errors.add(field, "Enter a whole number of days from 1 to 365.");
                        None
                    }
                },
            };
        let raw = [
            &self.escalate_critical_days,
            &self.escalate_high_days,
            &self.escalate_medium_days,
            &self.escalate_low_days,
        ];
        let mut escalate_after = defaults.escalate_after;
        for (i, (field, _)) in ESCALATION_FIELDS.iter().enumerate() {
            if let Some(n) = days(field, raw[i], defaults.escalate_after[i], &mut errors) {
                escalate_after[i] = n;
            }
        }
        match (
            name,
            time_zone,
            cadence,
            stuck,
            week_start,
            step_after,
            restored_after,
        ) {
            (
                Some(name),
                Some(time_zone),
                Some(default_cadence),
                Some(stuck),
                Some(week_start),
                Some(adaptive_step_after),
                Some(restored_after),
            ) if errors.is_empty() => Ok(OrgSettings {
                name,
                time_zone: time_zone.to_string(),
                default_cadence,
                stuck_after_days: stuck,
                week_start,
                adaptive_step_after,
                restored_after,
                escalate_after,
            }),
            _ => Err(errors),
        }
    }
}

/// The IANA time zone called exactly `raw` (surrounding spaces ignored).
pub fn parse_time_zone(raw: &str) -> Result<&'static str, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Choose a time zone.".into());
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .find(|name| *name == raw)
        .ok_or_else(|| {
            let shown: String = raw.chars().take(64).collect();
            format!(
                "\u{201c}{shown}\u{201d} is not a time zone Mend knows: choose one from the list."
            )
        })
}

/// Every IANA time zone name, sorted, for a select.
pub fn time_zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn a_monday_week_runs_monday_to_sunday() {
        // Wednesday 25 November 2026.
        assert_eq!(
            WeekStart::Monday.week_of(date(2026, 11, 25)),
            (date(2026, 11, 23), date(2026, 11, 29))
        );
        // A Sunday is the last day of its Monday week.
        assert_eq!(
            WeekStart::Monday.week_of(date(2026, 11, 29)),
            (date(2026, 11, 23), date(2026, 11, 29))
        );
    }

    #[test]
    fn a_sunday_week_runs_sunday_to_saturday() {
        assert_eq!(
            WeekStart::Sunday.week_of(date(2026, 11, 25)),
            (date(2026, 11, 22), date(2026, 11, 28))
        );
        // A Sunday starts its own week.
        assert_eq!(
            WeekStart::Sunday.week_of(date(2026, 11, 29)),
            (date(2026, 11, 29), date(2026, 12, 5))
        );
        // Saturday ends it.
        assert_eq!(
            WeekStart::Sunday.week_of(date(2026, 11, 28)),
            (date(2026, 11, 22), date(2026, 11, 28))
        );
    }

    fn form() -> OrgSettingsForm {
        OrgSettingsForm {
            name: " Acme Services ".into(),
            time_zone: "Europe/Berlin".into(),
            default_cadence: "biweekly".into(),
            stuck_after_days: "10".into(),
            week_start: "sunday".into(),
            adaptive_step_after: "2".into(),
            restored_after: "4".into(),
            escalate_critical_days: "1".into(),
            escalate_high_days: "3".into(),
            escalate_medium_days: "".into(),
            escalate_low_days: "30".into(),
        }
    }

    #[test]
    fn a_complete_form_parses_with_trimmed_fields() {
        let s = form().parse().expect("valid");
        assert_eq!(s.name, "Acme Services");
        assert_eq!(s.time_zone, "Europe/Berlin");
        assert_eq!(s.default_cadence, "biweekly");
        assert_eq!(s.stuck_after_days, Some(10));
        assert_eq!(s.week_start, WeekStart::Sunday);
        assert_eq!((s.adaptive_step_after, s.restored_after), (2, 4));
        assert_eq!(s.escalate_after, [1, 3, 7, 30], "blank is the default");
        assert_eq!(OrgSettingsForm::from_settings(&s).parse(), Ok(s));
    }

    #[test]
    fn a_blank_threshold_means_the_server_default() {
        let s = OrgSettingsForm {
            stuck_after_days: " ".into(),
            ..form()
        }
        .parse()
        .expect("valid");
        assert_eq!(s.stuck_after_days, None);
        assert_eq!(s.stuck_after_days(7), 7);
        assert_eq!(form().parse().expect("valid").stuck_after_days(7), 10);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = OrgSettingsForm {
            name: "  ".into(),
            time_zone: "Mars/Olympus".into(),
            default_cadence: "custom".into(),
            stuck_after_days: "0".into(),
            week_start: "friday".into(),
            adaptive_step_after: "0".into(),
            restored_after: "21".into(),
            escalate_critical_days: "0".into(),
            escalate_high_days: "x".into(),
            escalate_medium_days: "366".into(),
            escalate_low_days: "-3".into(),
        }
        .parse()
        .expect_err("must fail");
        for field in [
            "name",
            "time_zone",
            "default_cadence",
            "stuck_after_days",
            "week_start",
            "adaptive_step_after",
            "restored_after",
            "escalate_critical_days",
            "escalate_high_days",
            "escalate_medium_days",
            "escalate_low_days",
        ] {
            assert!(errors.get(field).is_some(), "missing error for {field}");
        }
        assert!(
            errors
                .get("time_zone")
                .is_some_and(|e| e.contains("Mars/Olympus"))
        );
    }

    #[test]
    fn thresholds_outside_a_year_or_not_numbers_are_refused() {
        for bad in ["366", "-1", "seven", "1.5"] {
            let f = OrgSettingsForm {
                stuck_after_days: bad.into(),
                ..form()
            };
            assert!(f.parse().is_err(), "{bad}");
        }
        for good in ["1", "365"] {
            let f = OrgSettingsForm {
                stuck_after_days: good.into(),
                ..form()
            };
            assert!(f.parse().is_ok(), "{good}");
        }
    }
}
