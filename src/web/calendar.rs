//! The private calendar feed: `/calendar/{secret}.ics`, a user's open check-ins as all-day
//! events for their calendar app. No sign-in: calendar apps fetch it on their own, so the
//! unguessable secret in the URL is the key, and revoking it (on the settings page) ends access.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Days, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};

use crate::db::users::{self as db_users, CalendarCheckIn};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// Bytes of randomness in a calendar secret; it travels hex-encoded.
pub const SECRET_BYTES: usize = 32;

pub fn router() -> super::Router {
    // The router matches whole path segments only, so `.ics` is taken off by the handler.
    super::Router::new().route("/calendar/{file}", get(feed))
}

/// A new calendar secret: 32 random bytes, hex-encoded.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether `raw` could be a secret `new_secret` made; anything else is not looked up at all.
fn looks_like_secret(raw: &str) -> bool {
    raw.len() == SECRET_BYTES * 2 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[tracing::instrument(skip_all)]
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let secret = file
        .strip_suffix(".ics")
        .filter(|s| looks_like_secret(s))
        .ok_or(AppError::NotFound)?;
    let user_id = db_users::find_by_calendar_secret(&state.db, secret)
        .await?
        .ok_or(AppError::NotFound)?;
    let check_ins = db_users::calendar_check_ins(&state.db, user_id).await?;
    let body = ics(&check_ins, Utc::now(), &state.settings.public_url);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            // Calendar apps poll; a few minutes' staleness is fine, and only the user's own
            // client may keep a copy.
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

/// The feed as RFC 5545 text: one all-day event per check-in. Each event's UID comes from the
/// check-in's id, so a calendar app updates an event (a new due date, a check-in now missed)
/// instead of adding a second one.
pub fn ics(check_ins: &[CalendarCheckIn], now: DateTime<Utc>, public_url: &str) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Mend//Check-ins//EN"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .name("Mend check-ins")
        .ttl(&chrono::Duration::hours(1));
    for check_in in check_ins {
        calendar.push(event(check_in, now, public_url));
    }
    calendar.done().to_string()
}

fn event(check_in: &CalendarCheckIn, now: DateTime<Utc>, public_url: &str) -> Event {
    let case = format!("CR-{}", check_in.case_number);
    let missed = check_in.status == "missed";
    let summary = if missed {
        format!("Missed check-in: {} ({case})", check_in.account_name)
    } else {
        format!("Check in: {} ({case})", check_in.account_name)
    };
    let mut description = format!("{case}: {}\n", check_in.case_title);
    if missed {
        description.push_str("This check-in was due and has not been done yet.\n");
    }
    let link = format!("{public_url}/cases/{case}");
    description.push_str(&format!("Open the case in Mend: {link}"));

    let mut event = Event::new();
    event
        .uid(&format!("checkin-{}@mend", check_in.id))
        .timestamp(now)
        .summary(&summary)
        .description(&description)
        .url(&link)
        .starts(check_in.due_date);
    // All-day: the end is exclusive, the next day.
    if let Some(next_day) = check_in.due_date.checked_add_days(Days::new(1)) {
        event.ends(next_day);
    }
    event.done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use uuid::Uuid;

    fn check_in(status: &str) -> CalendarCheckIn {
        CalendarCheckIn {
            id: Uuid::nil(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"),
            status: status.into(),
            case_number: 1042,
            case_title: "Late delivery, again; the client, rightly, is upset".into(),
            account_name: "Acme".into(),
        }
    }

    #[test]
    fn a_check_in_is_an_all_day_event_with_a_stable_uid() {
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
            .single()
            .expect("time");
        let text = ics(&[check_in("scheduled")], now, "https://mend.example");
        assert!(
            text.contains("URL:https://mend.example/cases/CR-"),
            "{text}"
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.contains("UID:checkin-00000000-0000-0000-0000-000000000000@mend\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20261231\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20270101\r\n"), "{text}");
        assert!(text.contains("DTSTAMP:20261201T080000Z\r\n"), "{text}");
        assert!(
            text.contains("SUMMARY:Check in: Acme (CR-1042)\r\n"),
            "{text}"
        );
        // Commas and semicolons in text are escaped.
        assert!(
            text.contains(r"Late delivery\, again\; the client"),
            "{text}"
        );
        assert_eq!(
            text,
            ics(&[check_in("scheduled")], now, "https://mend.example"),
            "same input, same feed"
        );
    }

    #[test]
    fn a_missed_check_in_says_so() {
        let text = ics(&[check_in("missed")], Utc::now(), "https://mend.example");
        assert!(
            text.contains("SUMMARY:Missed check-in: Acme (CR-1042)"),
            "{text}"
        );
    }

    #[test]
    fn only_what_new_secret_makes_is_looked_up() {
        assert!(looks_like_secret(&new_secret()));
        assert_ne!(new_secret(), new_secret());
        for bad in ["", "abc", &"A".repeat(64), &"g".repeat(64), &"a".repeat(65)] {
            assert!(!looks_like_secret(bad), "{bad:?}");
        }
    }
}
