//! Money: integer minor units (cents) with an ISO 4217 currency code. Never floats.

/// Currency signs and codes people type around an amount; the account's currency applies.
const CURRENCY_MARKS: &[&str] = &[
    "€", "$", "£", "¥", "₹", "CHF", "EUR", "USD", "GBP", "JPY", "SEK", "NOK", "DKK", "PLN", "CAD",
    "AUD", "INR",
];

/// Parses an amount typed the way people type it into minor units: "12500", "12,500.50",
/// "12 500", "€24,000", "EUR 24000", "24k", "1.5m", "12.500,50", "12'500". A currency sign or
/// code is ignored (the account's currency applies); "k" and "m" mean thousand and million.
/// When both "," and "." appear, the last is the decimal mark; alone, either is a thousands
/// separator when followed by exactly three digits, else a decimal mark.
/// Empty input is `Ok(None)`; negative amounts, more than two decimals and absurd sizes are refused.
pub fn parse_amount(raw: &str) -> Result<Option<i64>, String> {
    let not_an_amount = || {
        format!(
            "\u{201c}{}\u{201d} is not an amount: type it as you would say it, such as 24,000 or 24k.",
            raw.trim()
        )
    };
    let mut text = raw.trim().to_string();
    for mark in CURRENCY_MARKS {
        let upper = text.to_uppercase();
        if upper.starts_with(mark) {
            text = text[mark.len()..].to_string();
        } else if upper.ends_with(mark) {
            text = text[..text.len() - mark.len()].to_string();
        }
    }
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '\'' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    if cleaned.is_empty() {
        return if raw.trim().is_empty() {
            Ok(None)
        } else {
            Err(not_an_amount())
        };
    }
    if cleaned.starts_with('-') {
        return Err("Enter an amount of zero or more.".into());
    }
    let (number, scale) = match cleaned.char_indices().last() {
        Some((i, 'k' | 'K')) => (&cleaned[..i], 1_000),
        Some((i, 'm' | 'M')) => (&cleaned[..i], 1_000_000),
        _ => (cleaned.as_str(), 1),
    };
    let (whole, fraction) = split_decimal(number);
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(&whole) || !(fraction.is_empty() || digits(fraction)) {
        return Err(not_an_amount());
    }
    // A trillion in major units is more than any account is worth; it also keeps i64 safe.
    if whole.len() > 12 {
        return Err("That amount is too large.".into());
    }
    let whole: i64 = whole.parse().map_err(|_| not_an_amount())?;
    // In minor units: whole·100 plus the fraction, all times the scale; a fraction finer than a
    // cent (after the scale) is refused rather than rounded.
    let places = u32::try_from(fraction.len()).map_err(|_| not_an_amount())?;
    let fraction_value: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| not_an_amount())?
    };
    let denominator = 10_i64.checked_pow(places).ok_or_else(not_an_amount)?;
    let fraction_minor = fraction_value * 100 * scale;
    if fraction_minor % denominator != 0 {
        return Err("Use at most two decimals.".into());
    }
    let minor = whole
        .checked_mul(100 * scale)
        .and_then(|w| w.checked_add(fraction_minor / denominator))
        .filter(|m| *m < 100_000_000_000_000)
        .ok_or_else(|| "That amount is too large.".to_string())?;
    Ok(Some(minor))
}

/// Splits "12.500,50" / "12,500.50" / "24,000" / "24,5" into the whole part without its
/// thousands separators and the decimals.
fn split_decimal(number: &str) -> (String, &str) {
    let last_comma = number.rfind(',');
    let last_dot = number.rfind('.');
    let decimal_at = match (last_comma, last_dot) {
        (Some(c), Some(d)) => Some(c.max(d)),
        (Some(i), None) | (None, Some(i)) => {
            let mark = &number[i..i + 1];
            let after = &number[i + 1..];
            let once = number.matches(mark).count() == 1;
            (once && after.len() != 3).then_some(i)
        }
        (None, None) => None,
    };
    let (whole, fraction) = match decimal_at {
        Some(i) => (&number[..i], &number[i + 1..]),
        None => (number, ""),
    };
    (
        whole.chars().filter(|c| !matches!(c, ',' | '.')).collect(),
        fraction,
    )
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
    fn amounts_are_read_the_way_people_type_them() {
        for (typed, minor) in [
            ("€24,000", 2_400_000),
            ("24 000", 2_400_000),
            ("24k", 2_400_000),
            ("24 K", 2_400_000),
            ("EUR 24000", 2_400_000),
            ("24000 eur", 2_400_000),
            ("$1,200.50", 120_050),
            ("24.5k", 2_450_000),
            ("1.5m", 150_000_000),
            ("12.500,50", 1_250_050),
            ("12'500", 1_250_000),
            ("24,5", 2_450),
            ("24.000", 2_400_000),
            ("1,234,567", 123_456_700),
            ("\u{a0}€\u{202f}3\u{202f}000", 300_000),
        ] {
            assert_eq!(parse_amount(typed), Ok(Some(minor)), "{typed}");
        }
        assert!(parse_amount("24k5").is_err());
        assert!(parse_amount("€").is_err());
        assert!(
            parse_amount("1.234567k")
                .expect_err("sub-cent")
                .contains("two decimals")
        );
        assert!(
            parse_amount("9999999999m")
                .expect_err("huge")
                .contains("too large")
        );
    }

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
            parse_amount("1.2345")
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
