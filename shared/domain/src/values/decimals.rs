//! Exact decimals as 1C writes them: amounts, readings, square metres, shares.
//!
//! The grammar here is the one `docs/openapi.yaml` states as patterns (`Decimal1C`, `Share`);
//! `shared/api/tests/api/schema.rs` checks that the two accept the same values.

use rust_decimal::Decimal;

use super::{Rejection, parse_digits, text_of, trim};
use crate::json::Value;

/// Every number 1C sends (amounts, readings, square, share) is smaller than this either way:
/// far above any real figure, and small enough that sums of a request's numbers cannot overflow.
pub const NUMBER_LIMIT: Decimal = rust_decimal_macros::dec!(1_000_000_000_000_000);

/// At most this many digits before the decimal point: [`NUMBER_LIMIT`] is 10^15.
const INTEGER_DIGITS: usize = 15;

/// A decimal keeps 28 significant digits; those after them are dropped (never rounded up, so no
/// value crosses [`NUMBER_LIMIT`] by being read).
const SIGNIFICANT_DIGITS: usize = 28;

const BAD: Rejection = "ожидается число";
/// A number with more significant digits than a decimal keeps (28).
pub const INEXACT: Rejection = "слишком много значащих цифр";
const TOO_LARGE: Rejection = "число должно быть меньше 10^15 по модулю";

/// An exact decimal, below [`NUMBER_LIMIT`] either way, from a JSON number (any notation) or
/// from a string as 1C formats numbers for people: an optional sign (`+`, `-`, `−`), at most 15
/// digits that may be grouped by spaces, no-break spaces, thin spaces or apostrophes
/// (`"1 234,56"`), and a decimal point or comma with any number of digits.
pub fn parse_decimal(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    Ok(read(value)?.map(|(number, _)| number))
}

/// As [`parse_decimal`], for figures that must be read to the last digit (the kopecks of an
/// act): a value with a digit beyond the 28th significant one is refused, not cut.
pub fn parse_exact_decimal(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    match read(value)? {
        Some((number, Exact(true))) => Ok(Some(number)),
        Some((_, Exact(false))) => Err(INEXACT),
        None => Ok(None),
    }
}

/// The largest amount in rubles of a line of an act or a receipt: far above any real one, and
/// small enough that no sum of lines a request can carry, nor its VAT, can overflow.
pub const MAX_LINE_AMOUNT: Decimal = rust_decimal_macros::dec!(999_999_999_999_999.99);

/// Rubles and kopecks: at most two decimal places, so that every printed figure (and a QR
/// code's sum in kopecks) is exact, at most [`MAX_LINE_AMOUNT`] either way.
pub fn parse_kopecks(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    const KOPECKS: Rejection = "сумма: рубли и копейки, не больше двух знаков после запятой";
    let exact = parse_exact_decimal(value).map_err(|e| if e == INEXACT { KOPECKS } else { e });
    let Some(amount) = exact? else {
        return Ok(None);
    };
    if amount.normalize().scale() > 2 {
        return Err(KOPECKS);
    }
    if amount.abs() > MAX_LINE_AMOUNT {
        return Err("сумма: не больше 999 999 999 999 999,99 по модулю");
    }
    Ok(Some(amount))
}

/// Whether a number was read without dropping a digit other than 0.
struct Exact(bool);

fn read(value: &Value<'_>) -> Result<Option<(Decimal, Exact)>, Rejection> {
    let number = match value {
        Value::Number(n) => json_number(n),
        _ => match text_of(value, BAD)? {
            None => return Ok(None),
            Some(t) => human_number(t),
        },
    };
    number.map(Some)
}

/// A JSON number's text (its grammar already checked by the JSON parser), exponent and all.
fn json_number(text: &str) -> Result<(Decimal, Exact), Rejection> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e),
        None => (text, "0"),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0');
    // Where the decimal point falls in `digits`; far-out exponents are as good as infinite.
    let exponent: i64 = exponent.parse().unwrap_or(if exponent.starts_with('-') {
        i64::MIN / 2
    } else {
        i64::MAX / 2
    });
    if significant.is_empty() {
        // Zero keeps its scale, as any number does: `0.00` stays `0.00`.
        let scale = (frac.len() as i64).saturating_sub(exponent);
        return Ok((Decimal::new(0, scale.clamp(0, 28) as u32), Exact(true)));
    }
    let point = (int.len() as i64).saturating_add(exponent);
    let leading_zeros = (digits.len() - significant.len()) as i64;
    if point.saturating_sub(leading_zeros) > INTEGER_DIGITS as i64 {
        return Err(TOO_LARGE);
    }
    if point <= leading_zeros - SIGNIFICANT_DIGITS as i64 {
        return Ok((Decimal::ZERO, Exact(false)));
    }
    let (int, frac) = if point <= 0 {
        (
            String::new(),
            format!("{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
        )
    } else if point as usize >= digits.len() {
        let zeros = "0".repeat(point as usize - digits.len());
        (format!("{digits}{zeros}"), String::new())
    } else {
        let (i, f) = digits.split_at(point as usize);
        (i.to_owned(), f.to_owned())
    };
    Ok(exact(negative, &int, &frac))
}

/// A number as 1C formats it for people (see [`parse_decimal`]); `text` is trimmed.
fn human_number(text: &str) -> Result<(Decimal, Exact), Rejection> {
    let (negative, rest) = match text.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = match rest.find(['.', ',']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let int_digits = grouped_digits(int).ok_or(BAD)?;
    let frac = match frac {
        Some(f) if f.bytes().all(|b| b.is_ascii_digit()) => f,
        Some(_) => return Err(BAD),
        None => "",
    };
    if int_digits.is_empty() && frac.is_empty() {
        return Err(BAD);
    }
    if int_digits.len() > INTEGER_DIGITS {
        return Err(TOO_LARGE);
    }
    Ok(exact(negative, &int_digits, frac))
}

/// The digits of `1 234 567`: digits, single separators only between two digits.
fn grouped_digits(int: &str) -> Option<String> {
    let mut digits = String::with_capacity(int.len());
    let mut after_separator = false;
    for c in int.chars() {
        match c {
            '0'..='9' => {
                digits.push(c);
                after_separator = false;
            }
            ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' if !digits.is_empty() => {
                if after_separator {
                    return None;
                }
                after_separator = true;
            }
            _ => return None,
        }
    }
    (!after_separator).then_some(digits)
}

/// `int.frac` exactly, with the digits after the 28th significant one dropped; `int` has at most
/// [`INTEGER_DIGITS`] significant digits.
fn exact(negative: bool, int: &str, frac: &str) -> (Decimal, Exact) {
    let int = int.trim_start_matches('0');
    // A decimal's scale is at most 28 too, so 0.000…1 past the 28th place is zero.
    let (frac, dropped) = frac.split_at(frac.len().min(SIGNIFICANT_DIGITS - int.len()));
    let exact = Exact(dropped.bytes().all(|b| b == b'0'));
    let mantissa = format!("{int}{frac}")
        .bytes()
        .fold(0i128, |m, b| m * 10 + i128::from(b - b'0'));
    let mut d = Decimal::from_i128_with_scale(mantissa, frac.len() as u32);
    // No negative zero: `-0,00` is stored and answered as `0.00`.
    d.set_sign_negative(negative && mantissa != 0);
    (d, exact)
}

/// An owner's share of the property, in percent from 0 to 100. 1C keeps it either as a
/// percentage (`50`, `"50"`, `"33,3"`) or as a fraction of whole numbers (`"1/2"`, each at most
/// 18 digits); both become a percentage, to four decimal places.
pub fn parse_share(value: &Value<'_>) -> Result<Option<Decimal>, Rejection> {
    const BAD: Rejection = "ожидается доля: процент от 0 до 100 (50) или дробь (1/2)";
    let share = match value {
        Value::String(s) if s.contains('/') => {
            let (num, den) = s.split_once('/').unwrap_or_default();
            let whole = |text: &str| {
                let text = trim(text);
                let significant = text.trim_start_matches('0');
                (significant.len() <= 18)
                    .then(|| parse_digits::<u64>(text))
                    .flatten()
            };
            let percent = match (whole(num), whole(den)) {
                (Some(n), Some(d)) if d > 0 => {
                    (Decimal::from(n) / Decimal::from(d)).checked_mul(Decimal::ONE_HUNDRED)
                }
                _ => None,
            };
            Some(percent.ok_or(BAD)?.round_dp(4).normalize())
        }
        Value::String(s) => match trim(s) {
            "" => None,
            t if t
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',') =>
            {
                // Leading zeros do not count against the 15 digits here: "050" is 50 %.
                let significant = t.trim_start_matches('0');
                let t = match significant.bytes().next() {
                    Some(b'0'..=b'9') => significant,
                    _ if significant.len() < t.len() => &t[t.len() - significant.len() - 1..],
                    _ => t,
                };
                // Digits past the 28th are dropped, and what is dropped cannot be over 100 %.
                match human_number(t).map_err(|_| BAD)? {
                    (share, Exact(false)) if share >= Decimal::ONE_HUNDRED => return Err(BAD),
                    (share, _) => Some(share),
                }
            }
            _ => return Err(BAD),
        },
        // A negative number stays refused when it is too small to keep its sign.
        Value::Number(n)
            if n.starts_with('-')
                && n.bytes()
                    .take_while(|b| !matches!(b, b'e' | b'E'))
                    .any(|b| (b'1'..=b'9').contains(&b)) =>
        {
            return Err(BAD);
        }
        _ => parse_decimal(value).map_err(|_| BAD)?,
    };
    match share {
        Some(share) if share < Decimal::ZERO || share > Decimal::ONE_HUNDRED => Err(BAD),
        share => Ok(share),
    }
}
