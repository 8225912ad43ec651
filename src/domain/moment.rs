//! A moment shown as people say it ("3 hours ago", "yesterday", "in 2 days") with the exact
//! local time beside it for a hover title and the machine-readable instant for `<time>`.
//! Written by hand: the crates that do this (timeago, chrono-humanize) say "a day ago" rather
//! than "yesterday" and know nothing of the reader's time zone, which decides what yesterday is.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What a `<time>` element needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// RFC 3339, for `datetime`.
    pub iso: String,
    /// The exact local time, for `title`.
    pub exact: String,
    /// The relative phrase shown.
    pub relative: String,
}

impl Moment {
    pub fn new(t: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> Moment {
        Moment {
            iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            exact: super::case::local_display(t, tz),
            relative: relative(t, now, tz),
        }
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", "in 2 days", or the
/// date itself once it is more than a month away.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let seconds = (now - t).num_seconds();
    let ahead = seconds < 0;
    let span = seconds.abs();
    let phrase = |s: String| {
        if ahead {
            format!("in {s}")
        } else {
            format!("{s} ago")
        }
    };
    if span < 60 {
        return if ahead {
            "in a moment".into()
        } else {
            "just now".into()
        };
    }
    if span < 3_600 {
        return phrase(plural(span / 60, "minute"));
    }
    let days = (now.with_timezone(&tz).date_naive() - t.with_timezone(&tz).date_naive()).num_days();
    if days == 0 {
        return phrase(plural(span / 3_600, "hour"));
    }
    match days {
        1 => "yesterday".into(),
        -1 => "tomorrow".into(),
        2..=30 => format!("{days} days ago"),
        -30..=-2 => format!("in {} days", -days),
        _ => t.with_timezone(&tz).format("%-d %b %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn recent_moments_count_minutes_and_hours() {
        let now = at(15, 0);
        assert_eq!(
            relative(at(14, 59) + chrono::Duration::seconds(30), now, Tz::UTC),
            "just now"
        );
        assert_eq!(relative(at(14, 59), now, Tz::UTC), "1 minute ago");
        assert_eq!(relative(at(14, 15), now, Tz::UTC), "45 minutes ago");
        assert_eq!(relative(at(12, 0), now, Tz::UTC), "3 hours ago");
        assert_eq!(relative(at(17, 30), now, Tz::UTC), "in 2 hours");
    }

    #[test]
    fn days_follow_the_readers_calendar() {
        // 23:30 UTC on the 27th is already the 28th in Berlin, but the 27th in UTC.
        let late = Utc
            .with_ymd_and_hms(2026, 11, 27, 23, 30, 0)
            .single()
            .expect("valid");
        let now = at(9, 0);
        assert_eq!(relative(late, now, Tz::UTC), "yesterday");
        assert_eq!(
            relative(late, now, chrono_tz::Europe::Berlin),
            "9 hours ago"
        );
        assert_eq!(
            relative(at(9, 0) - chrono::Duration::days(4), now, Tz::UTC),
            "4 days ago"
        );
        assert_eq!(
            relative(at(9, 0) + chrono::Duration::days(1), now, Tz::UTC),
            "tomorrow"
        );
        assert_eq!(
            relative(at(9, 0) + chrono::Duration::days(6), now, Tz::UTC),
            "in 6 days"
        );
    }

    #[test]
    fn distant_moments_show_their_date() {
        let now = at(9, 0);
        assert_eq!(
            relative(at(9, 0) - chrono::Duration::days(45), now, Tz::UTC),
            "14 Oct 2026"
        );
    }

    #[test]
    fn a_moment_carries_its_exact_time_and_instant() {
        let m = Moment::new(at(12, 5), at(15, 0), chrono_tz::Europe::Berlin);
        assert_eq!(m.iso, "2026-11-28T12:05:00Z");
        assert_eq!(m.exact, "28 Nov 2026, 13:05");
        assert_eq!(m.relative, "2 hours ago");
    }
}
