//! Lessons that spread: a lesson for all clients may carry a short checklist to apply to every
//! account in its reach, the clients of its case's team or of the whole organisation.

use serde::Deserialize;

use super::FieldErrors;

/// Most checklist items, and the longest item.
pub const MAX_ITEMS: usize = 10;
pub const MAX_ITEM_CHARS: usize = 200;

/// Which accounts a lesson's checklist is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonReach {
    Team,
    Organisation,
}

impl LessonReach {
    pub fn as_str(self) -> &'static str {
        match self {
            LessonReach::Team => "team",
            LessonReach::Organisation => "organisation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LessonReach::Team => "every client of the team",
            LessonReach::Organisation => "every client of the organisation",
        }
    }

    pub fn parse(raw: &str) -> Result<LessonReach, String> {
        match raw.trim() {
            "" | "team" => Ok(LessonReach::Team),
            "organisation" => Ok(LessonReach::Organisation),
            _ => Err("Choose the team's clients or the organisation's.".into()),
        }
    }
}

/// The checklist form: one item per line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChecklistForm {
    pub checklist: String,
    pub reach: String,
    pub back: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub items: Vec<String>,
    pub reach: LessonReach,
}

impl ChecklistForm {
    /// The items, trimmed, blank lines and list markers dropped. An empty list takes the
    /// checklist away.
    pub fn parse(&self) -> Result<Checklist, FieldErrors> {
        let mut errors = FieldErrors::default();
        let items: Vec<String> = self
            .checklist
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches(['-', '*', '•'])
                    .trim()
                    .to_string()
            })
            .filter(|l| !l.is_empty())
            .collect();
        if items.len() > MAX_ITEMS {
            errors.add(
                "checklist",
                format!(
                    "Keep the checklist short: at most {MAX_ITEMS} items ({} given).",
                    items.len()
                ),
            );
        }
        if items.iter().any(|i| i.chars().count() > MAX_ITEM_CHARS) {
            errors.add(
                "checklist",
                format!("Keep each item to at most {MAX_ITEM_CHARS} characters."),
            );
        }
        let reach = LessonReach::parse(&self.reach)
            .map_err(|e| errors.add("reach", e))
            .ok();
        match reach {
            Some(reach) if errors.is_empty() => Ok(Checklist { items, reach }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_item_per_line_without_markers_or_blank_lines() {
        let c = ChecklistForm {
            checklist:
                "- Name a stand-in for every report\n\n  * Put the dates in the shared calendar \n"
                    .into(),
            reach: "organisation".into(),
            back: String::new(),
        }
        .parse()
        .expect("valid");
        assert_eq!(
            c.items,
            [
                "Name a stand-in for every report",
                "Put the dates in the shared calendar"
            ]
        );
        assert_eq!(c.reach, LessonReach::Organisation);
    }

    #[test]
    fn too_many_or_too_long_items_are_refused() {
        let many = ChecklistForm {
            checklist: (0..11).map(|i| format!("item {i}\n")).collect(),
            ..ChecklistForm::default()
        };
        assert!(
            many.parse()
                .expect_err("too many")
                .get("checklist")
                .is_some()
        );
        let long = ChecklistForm {
            checklist: "x".repeat(MAX_ITEM_CHARS + 1),
            ..ChecklistForm::default()
        };
        assert!(long.parse().is_err());
        let bad_reach = ChecklistForm {
            checklist: "a".into(),
            reach: "world".into(),
            ..ChecklistForm::default()
        };
        assert!(bad_reach.parse().expect_err("reach").get("reach").is_some());
        assert_eq!(
            ChecklistForm::default()
                .parse()
                .expect("empty is fine")
                .items
                .len(),
            0
        );
    }
}
