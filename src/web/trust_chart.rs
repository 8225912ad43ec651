//! The case page's trust chart: the client's mood at each completed check-in (the account
//! manager's reading, −2..+2) with the client's own words on each point, and where an adaptive
//! plan stepped its cadence, so a repair shows trust coming back (or not). Server-rendered SVG
//! with a title and description; the check-in table beside it has the same readings as text.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::cadence::Cadence;
use crate::domain::case::{mood_sentence, sentiment_label};

/// One completed check-in: when it was due and done, the mood, the client's words.
pub struct Reading {
    pub due: NaiveDate,
    pub done_at: DateTime<Utc>,
    pub sentiment: i16,
    pub words: String,
}

/// A cadence step: when it happened, the cadence it stepped to, and whether that is less often.
pub struct StepMark {
    pub at: DateTime<Utc>,
    pub to: Cadence,
    pub down: bool,
}

pub struct Dot {
    pub x: String,
    pub y: String,
    pub quoted: bool,
    pub title: String,
}

pub struct Tick {
    pub x: String,
    pub y: String,
    pub text: String,
}

pub struct Marker {
    pub x: String,
    pub label: String,
    pub anchor: &'static str,
    pub down: bool,
}

#[derive(Template)]
#[template(path = "partials/chart_trust.html")]
pub struct TrustChart {
    pub width: u32,
    pub height: u32,
    pub left: String,
    pub right: String,
    pub top: String,
    pub bottom: String,
    pub grid: Vec<Tick>,
    pub dots: Vec<Dot>,
    pub polyline: String,
    pub dates: Vec<Tick>,
    pub markers: Vec<Marker>,
    pub summary: String,
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn short(c: Cadence) -> String {
    match c {
        Cadence::Weekly => "weekly".into(),
        Cadence::Biweekly => "every 2 weeks".into(),
        Cadence::Monthly => "monthly".into(),
        Cadence::EveryDays(d) => format!("every {d} days"),
    }
}

/// The chart of `readings` (oldest first) and `steps`; `None` without any reading.
pub fn chart(readings: &[Reading], steps: &[StepMark]) -> Option<TrustChart> {
    if readings.is_empty() {
        return None;
    }
    // Short (the mood's five levels need little height), with the levels named in words.
    let (width, height) = (640u32, 168u32);
    let (left, right, top, bottom) = (78.0, 12.0, 30.0, 134.0);
    let slot = (f64::from(width) - left - right) / readings.len() as f64;
    let x_of = |i: usize| left + slot * (i as f64 + 0.5);
    let y_of = |v: f64| top + (2.0 - v.clamp(-2.0, 2.0)) / 4.0 * (bottom - top);
    let grid = [2i16, 1, 0, -1, -2]
        .into_iter()
        .map(|v| Tick {
            x: n(left - 6.0),
            y: n(y_of(f64::from(v))),
            text: sentiment_label(v).to_string(),
        })
        .collect();
    let dots: Vec<Dot> = readings
        .iter()
        .enumerate()
        .map(|(i, r)| Dot {
            x: n(x_of(i)),
            y: n(y_of(f64::from(r.sentiment))),
            quoted: !r.words.is_empty(),
            title: if r.words.is_empty() {
                format!(
                    "{}: {}",
                    r.due.format("%-d %b %Y"),
                    mood_sentence(r.sentiment)
                )
            } else {
                format!(
                    "{}: {}; in their words: \u{201c}{}\u{201d}",
                    r.due.format("%-d %b %Y"),
                    mood_sentence(r.sentiment),
                    r.words
                )
            },
        })
        .collect();
    let polyline = dots
        .iter()
        .map(|d| format!("{},{}", d.x, d.y))
        .collect::<Vec<_>>()
        .join(" ");
    // Label at most about eight dates, evenly.
    let every = readings.len().div_ceil(8).max(1);
    let dates = readings
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, r)| Tick {
            x: n(x_of(i)),
            y: n(bottom + 18.0),
            text: r.due.format("%-d %b").to_string(),
        })
        .collect();
    // A step sits just after the check-in that caused it (the last one done by then).
    let markers = steps
        .iter()
        .map(|s| {
            let after = readings.iter().rposition(|r| r.done_at <= s.at);
            let x = match after {
                Some(i) if i + 1 < readings.len() => (x_of(i) + x_of(i + 1)) / 2.0,
                Some(i) => x_of(i) + slot / 2.0 - 2.0,
                None => left + 2.0,
            };
            Marker {
                x: n(x),
                // Near the right edge the label ends at the line, so it is not cut off.
                anchor: if x > f64::from(width) - 90.0 {
                    "end"
                } else {
                    "middle"
                },
                label: short(s.to),
                down: s.down,
            }
        })
        .collect();
    let first = readings.first().map_or(0, |r| r.sentiment);
    let last = readings.last().map_or(0, |r| r.sentiment);
    let quoted = readings.iter().filter(|r| !r.words.is_empty()).count();
    let summary = format!(
        "{} check-ins, the client {} at first and {} at the last; {quoted} with the client's own words; {} cadence change{}.",
        readings.len(),
        sentiment_label(first).to_lowercase(),
        sentiment_label(last).to_lowercase(),
        steps.len(),
        if steps.len() == 1 { "" } else { "s" }
    );
    Some(TrustChart {
        width,
        height,
        left: n(left),
        right: n(f64::from(width) - right),
        top: n(top - 18.0),
        bottom: n(bottom),
        grid,
        dots,
        polyline,
        dates,
        markers,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn reading(day: u32, sentiment: i16, words: &str) -> Reading {
        Reading {
            due: NaiveDate::from_ymd_opt(2026, 11, day).expect("date"),
            done_at: Utc
                .with_ymd_and_hms(2026, 11, day, 12, 0, 0)
                .single()
                .expect("time"),
            sentiment,
            words: words.into(),
        }
    }

    #[test]
    fn no_readings_no_chart() {
        assert!(chart(&[], &[]).is_none());
    }

    #[test]
    fn points_climb_with_the_mood_and_carry_the_clients_words() {
        let readings = [
            reading(2, -1, ""),
            reading(9, 1, "Better."),
            reading(16, 2, "Back to normal."),
        ];
        let steps = [StepMark {
            at: readings[2].done_at,
            to: Cadence::Biweekly,
            down: true,
        }];
        let c = chart(&readings, &steps).expect("a chart");
        let ys: Vec<f64> = c.dots.iter().map(|d| d.y.parse().expect("y")).collect();
        assert!(
            ys[0] > ys[1] && ys[1] > ys[2],
            "higher mood is higher up: {ys:?}"
        );
        assert!(!c.dots[0].quoted && c.dots[1].quoted);
        assert!(c.dots[2].title.contains("\u{201c}Back to normal.\u{201d}"));
        assert_eq!(c.markers.len(), 1);
        assert!(c.markers[0].down);
        assert_eq!(c.markers[0].label, "every 2 weeks");
        // After the last check-in: right of its point.
        let last_x: f64 = c.dots[2].x.parse().expect("x");
        let mark_x: f64 = c.markers[0].x.parse().expect("x");
        assert!(mark_x > last_x);
        assert_eq!(
            c.summary,
            "3 check-ins, the client unhappy at first and delighted at the last; 2 with the client's own words; 1 cadence change."
        );
        let svg = c.render().expect("renders");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title"));
    }
}
