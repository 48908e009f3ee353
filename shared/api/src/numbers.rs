//! Decimals as the answers print them: JSON numbers with exactly the decimal's digits, never
//! rounded through floating point.

use rust_decimal::Decimal;
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
}
