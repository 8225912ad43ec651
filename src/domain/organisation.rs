//! Settings that concern the whole organisation. For now: time zones, as people choose them.

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

    #[test]
    fn only_known_zones_are_accepted() {
        assert_eq!(parse_time_zone(" Europe/Berlin "), Ok("Europe/Berlin"));
        assert!(parse_time_zone("").is_err());
        let err = parse_time_zone("Mars/Olympus").expect_err("unknown");
        assert!(err.contains("Mars/Olympus"), "{err}");
        assert!(time_zone_names().contains(&"UTC"));
    }
}
