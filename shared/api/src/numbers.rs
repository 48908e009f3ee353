//! Decimals as the answers print them: JSON numbers with exactly the decimal's digits, never
//! rounded through floating point; and figures as printed acts show them (`1 000,00`).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serializer;
use serde_json::value::RawValue;

/// A JSON number with exactly the decimal's digits (`960`, `1000.5`), never through f64;
/// trailing zeros dropped, as the spec's examples print amounts.
pub fn money_json(amount: Decimal) -> Box<RawValue> {
    decimal_json(amount.normalize())
}

/// A JSON number with exactly the decimal's digits and scale, as it was imported (`56.70`).
pub fn decimal_json(value: Decimal) -> Box<RawValue> {
    RawValue::from_string(value.to_string()).expect("a decimal is a JSON number")
}

/// `serialize_with` for an amount: [`money_json`].
pub fn money<S: Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&money_json(*amount), serializer)
}

/// `serialize_with` for an optional amount (skipped when absent).
pub fn money_opt<S: Serializer>(
    amount: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&amount.map(money_json), serializer)
}

/// Rubles and kopecks as acts print them: `1 000,00`, `-12,50` (no-break spaces between
/// thousands).
pub fn rubles(amount: Decimal) -> String {
    let amount = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let mut text = grouped(amount);
    if amount.scale() == 0 {
        text.push_str(",00");
    } else if amount.scale() == 1 {
        text.push('0');
    }
    text
}

/// A quantity as printed: its own digits, a decimal comma, no trailing zeros (`1,5`, `12`).
pub fn quantity(value: Decimal) -> String {
    grouped(value.normalize())
}

/// The decimal's digits with a decimal comma and no-break spaces between thousands.
fn grouped(value: Decimal) -> String {
    let plain = value.abs().to_string();
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let mut text = String::with_capacity(plain.len() + plain.len() / 3 + 2);
    if value.is_sign_negative() && !value.is_zero() {
        text.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            text.push('\u{a0}');
        }
        text.push(digit);
    }
    if !fraction.is_empty() {
        text.push(',');
        text.push_str(fraction);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_is_a_plain_json_number() {
        assert_eq!(money_json(dec!(960.00)).get(), "960");
        assert_eq!(money_json(dec!(1000.50)).get(), "1000.5");
        assert_eq!(money_json(dec!(-0.01)).get(), "-0.01");
        assert_eq!(decimal_json(dec!(56.70)).get(), "56.70");
    }

    #[test]
    fn figures_print_as_on_russian_acts() {
        assert_eq!(rubles(dec!(1000)), "1\u{a0}000,00");
        assert_eq!(rubles(dec!(1234567.5)), "1\u{a0}234\u{a0}567,50");
        assert_eq!(rubles(dec!(0.755)), "0,76");
        assert_eq!(rubles(dec!(-12.5)), "-12,50");
        assert_eq!(rubles(dec!(999)), "999,00");
        assert_eq!(quantity(dec!(1.500)), "1,5");
        assert_eq!(quantity(dec!(12000)), "12\u{a0}000");
    }
}
