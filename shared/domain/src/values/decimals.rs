//! Exact decimals as 1C writes them: amounts, readings, square metres, shares.

use rust_decimal::Decimal;

use super::{Rejection, text_of};
use crate::json::Value;

/// Every number 1C sends (amounts, readings, square, share) is smaller than this either way:
/// far above any real figure, and small enough that sums of a request's numbers cannot overflow.
pub const NUMBER_LIMIT: Decimal = rust_decimal_macros::dec!(1_000_000_000_000_000);

/// An exact decimal from a JSON number or from a string as 1C formats numbers for people:
/// `"1 234,56"`, with spaces or non-breaking spaces between thousands and a decimal comma. Its
/// magnitude is below [`NUMBER_LIMIT`].
pub fn parse_decimal(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    const BAD: Rejection = "ожидается число";
    const TOO_LARGE: Rejection = "число должно быть меньше 10^15 по модулю";
    let text = match value {
        Value::Number(n) => *n,
        _ => match text_of(value, BAD)? {
            None => return Ok(None),
            Some(t) => t,
        },
    };
    match decimal_from_text(text) {
        Some(d) if d.abs() < NUMBER_LIMIT => Ok(Some(d)),
        Some(_) => Err(TOO_LARGE),
        None => Err(BAD),
    }
}

fn decimal_from_text(text: &str) -> Option<Decimal> {
    let mut clean = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' => {}
            ',' => clean.push('.'),
            '\u{2212}' => clean.push('-'),
            c => clean.push(c),
        }
    }
    let clean = clean.strip_prefix('+').unwrap_or(&clean);
    if clean.matches('.').count() > 1 || clean.is_empty() {
        return None;
    }
    if clean.contains(['e', 'E']) {
        Decimal::from_scientific(clean).ok()
    } else {
        Decimal::from_str_exact(clean).ok()
    }
}

/// An owner's share of the property, in percent from 0 to 100. 1C keeps it either as a
/// percentage (`"50"`) or as a fraction (`"1/2"`); both become a percentage.
pub fn parse_share(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    const BAD: Rejection = "ожидается доля: процент от 0 до 100 (50) или дробь (1/2)";
    let share = match value {
        Value::String(s) if s.contains('/') => {
            let (num, den) = s.split_once('/').unwrap_or_default();
            let (num, den) = (decimal_from_text(num.trim()), decimal_from_text(den.trim()));
            let percent = match (num, den) {
                (Some(n), Some(d)) if !d.is_zero() => n
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .and_then(|n| n.checked_div(d)),
                _ => None,
            };
            Some(percent.ok_or(BAD)?.round_dp(4).normalize())
        }
        _ => parse_decimal(value).map_err(|_| BAD)?,
    };
    match share {
        Some(share) if share < Decimal::ZERO || share > Decimal::ONE_HUNDRED => Err(BAD),
        share => Ok(share),
    }
}
