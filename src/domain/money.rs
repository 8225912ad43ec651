//! Money: integer minor units (cents) with an ISO 4217 currency code. Never floats.

/// Parses an amount typed by a person ("12500", "12,500.50", "12 500") into minor units.
/// Empty input is `Ok(None)`; negative amounts, more than two decimals and absurd sizes are refused.
pub fn parse_amount(raw: &str) -> Result<Option<i64>, String> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    if cleaned.starts_with('-') {
        return Err("Enter an amount of zero or more.".into());
    }
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) {
        return Err(format!(
            "\u{201c}{}\u{201d} is not an amount (expected something like 12,500.00).",
            raw.trim()
        ));
    }
    if fraction.len() > 2 {
        return Err("Use at most two decimals.".into());
    }
    // A trillion in major units is more than any account is worth; it also keeps i64 safe.
    if whole.len() > 12 {
        return Err("That amount is too large.".into());
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| "That amount is too large.".to_string())?;
    let cents: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| "That amount is not valid.".to_string())?;
    Ok(Some(whole * 100 + cents))
}

/// Parses a currency code: three letters, upper-cased.
pub fn parse_currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("Use a three-letter currency code such as EUR, USD or GBP.".into())
    }
}

/// Formats minor units for people: "EUR 12,500" or "EUR 12,500.50".
pub fn format(minor: i64, currency: &str) -> String {
    format!("{currency} {}", format_plain(minor))
}

/// Formats minor units without the currency, as a form field shows them ("12500.50").
pub fn format_input(minor: i64) -> String {
    let (whole, cents) = (minor / 100, (minor % 100).abs());
    if cents == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{cents:02}")
    }
}

/// A whole number with thousands separators ("1,234,567").
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

fn format_plain(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let (whole, cents) = (abs / 100, abs % 100);
    let grouped = group_thousands(whole);
    if cents == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{cents:02}")
    }
}

/// `part` as a percentage of `whole`, one decimal, or None when `whole` is zero.
pub fn share_percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_into_minor_units() {
        assert_eq!(parse_amount("12500"), Ok(Some(1_250_000)));
        assert_eq!(parse_amount(" 12,500.5 "), Ok(Some(1_250_050)));
        assert_eq!(parse_amount("12 500.05"), Ok(Some(1_250_005)));
        assert_eq!(parse_amount("0"), Ok(Some(0)));
        assert_eq!(parse_amount(""), Ok(None));
        assert_eq!(parse_amount("   "), Ok(None));
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        assert!(
            parse_amount("-5")
                .expect_err("negative")
                .contains("zero or more")
        );
        assert!(
            parse_amount("1.234")
                .expect_err("decimals")
                .contains("two decimals")
        );
        assert!(
            parse_amount("abc")
                .expect_err("text")
                .contains("not an amount")
        );
        assert!(parse_amount("1e5").is_err());
        assert!(parse_amount(".5").is_err());
        assert!(
            parse_amount("9999999999999")
                .expect_err("huge")
                .contains("too large")
        );
    }

    #[test]
    fn amounts_format_with_grouping() {
        assert_eq!(format(1_250_000, "EUR"), "EUR 12,500");
        assert_eq!(format(1_250_050, "USD"), "USD 12,500.50");
        assert_eq!(format(99, "GBP"), "GBP 0.99");
        assert_eq!(format(10_000_000_000, "EUR"), "EUR 100,000,000");
        assert_eq!(format_input(1_250_050), "12500.50");
        assert_eq!(format_input(1_250_000), "12500");
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(parse_currency(" eur "), Ok("EUR".into()));
        assert!(parse_currency("EURO").is_err());
        assert!(parse_currency("E1R").is_err());
    }

    #[test]
    fn shares_are_percentages_with_one_decimal() {
        assert_eq!(share_percent(5_000, 100_000), Some(5.0));
        assert_eq!(share_percent(1, 3), Some(33.3));
        assert_eq!(share_percent(1, 0), None);
    }
}
