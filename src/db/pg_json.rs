//! PostgreSQL's JSON spelling of dates and times, read back (the case page reads its lists as
//! JSON). `to_json` writes years 1 to 9999 as RFC 3339 ("2026-12-03T10:00:00+00:00"), but a
//! year before 1 as "0001-01-01T00:00:00+00:00 BC" and a year after 9999 with five digits,
//! which serde's chrono refuses: one such stored value would fail the whole page. Written by
//! hand because no crate reads PostgreSQL's era suffix; values chrono cannot hold at all become
//! its earliest or latest moment rather than an error.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

/// Splits "0044-03-15… BC" into the astronomical year (-43) and the rest ("-03-15…").
fn year_and_rest(raw: &str) -> Option<(i32, &str)> {
    let raw = raw.trim();
    let (raw, bc) = match raw.strip_suffix(" BC") {
        Some(r) => (r, true),
        None => (raw, false),
    };
    let digits = raw.find('-').filter(|&i| i > 0)?;
    let year: i32 = raw[..digits].parse().ok()?;
    Some((if bc { 1 - year } else { year }, &raw[digits..]))
}

/// A moment as PostgreSQL's JSON writes it.
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let (year, rest) = year_and_rest(raw)?;
    let t = DateTime::parse_from_str(&format!("{year:+05}{rest}"), "%Y-%m-%dT%H:%M:%S%.f%:z")
        .ok()
        .map(|t| t.with_timezone(&Utc));
    t.or(Some(if year < 1 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    }))
}

/// A day as PostgreSQL's JSON writes it.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Some(d);
    }
    let (year, rest) = year_and_rest(raw)?;
    NaiveDate::parse_from_str(&format!("{year:+05}{rest}"), "%Y-%m-%d")
        .ok()
        .or(Some(if year < 1 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        }))
}

fn invalid<E: serde::de::Error>(raw: &str) -> E {
    E::custom(format!("not a PostgreSQL date or time: {raw:?}"))
}

/// `#[serde(deserialize_with = "pg_json::time")]`
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let raw = String::deserialize(d)?;
    parse_time(&raw).ok_or_else(|| invalid(&raw))
}

/// `#[serde(deserialize_with = "pg_json::option_time")]`
pub fn option_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => parse_time(&raw).map(Some).ok_or_else(|| invalid(&raw)),
    }
}

/// `#[serde(deserialize_with = "pg_json::date")]`
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let raw = String::deserialize(d)?;
    parse_date(&raw).ok_or_else(|| invalid(&raw))
}

/// `#[serde(deserialize_with = "pg_json::option_date")]`
pub fn option_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => parse_date(&raw).map(Some).ok_or_else(|| invalid(&raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn ordinary_values_read_as_rfc_3339() {
        let t = parse_time("2026-12-03T10:15:00.123456+00:00").expect("time");
        assert_eq!(t.to_rfc3339(), "2026-12-03T10:15:00.123456+00:00");
        let t = parse_time("2026-12-03T11:15:00+01:00").expect("time");
        assert_eq!(t.to_rfc3339(), "2026-12-03T10:15:00+00:00");
        assert_eq!(
            parse_date("2026-12-03"),
            NaiveDate::from_ymd_opt(2026, 12, 3)
        );
    }

    #[test]
    fn years_before_one_and_after_9999_are_read_too() {
        assert_eq!(
            parse_time("0001-01-01T00:00:00+00:00 BC").map(|t| t.year()),
            Some(0)
        );
        assert_eq!(
            parse_time("0044-03-15T12:00:00+00:00 BC").map(|t| t.year()),
            Some(-43)
        );
        assert_eq!(
            parse_time("12026-01-01T00:00:00+00:00").map(|t| t.year()),
            Some(12026)
        );
        assert_eq!(parse_date("0001-06-01 BC").map(|d| d.year()), Some(0));
        assert_eq!(parse_date("20000-06-01").map(|d| d.year()), Some(20000));
        // Beyond what chrono holds: the nearest end, not an error.
        assert_eq!(
            parse_time("294000-01-01T00:00:00+00:00"),
            Some(DateTime::<Utc>::MAX_UTC)
        );
        assert_eq!(parse_time("soon"), None);
        assert_eq!(parse_date(""), None);
    }
}
