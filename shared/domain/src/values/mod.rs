//! Field values as 1C writes them, parsed once into types that are valid by construction.
//!
//! Every parser takes a [`Value`] and answers `Ok(None)` for "no value" (missing, `null`, `""`,
//! the empty 1C date, the all-zero GUID), `Ok(Some(_))` for a value, or `Err(message)`. The
//! messages are short Russian phrases for a 1C integrator and never quote the value: it may be a
//! resident's personal data.

mod dates;
mod decimals;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use dates::LocalDateTime;
pub(crate) use dates::{parse_date, parse_date_time};
pub use decimals::{
    INEXACT, MAX_LINE_AMOUNT, NUMBER_LIMIT, parse_decimal, parse_exact_decimal, parse_kopecks,
    parse_share,
};

use crate::json::Value;

/// Why a field value was rejected: a fixed phrase, safe to show and to log.
pub type Rejection = &'static str;

/// A 1C reference (`УникальныйИдентификатор`), normalised to lower-case hyphenated form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(uuid::Uuid);

impl Guid {
    /// A new random GUID (version 4), for what the API itself names.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// A GUID of 128 bits the API derives (a hash's): version 8, its variant bits set.
    pub fn from_custom_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Builder::from_custom_bytes(bytes).into_uuid())
    }

    /// The GUID's 128 bits, to spread keys over shards.
    pub fn as_u128(&self) -> u128 {
        self.0.as_u128()
    }

    /// 32 hexadecimal digits in either case, hyphenated 8-4-4-4-12 or not, optionally in braces,
    /// with white space ([`trim`]) around them and inside the braces; the all-zero GUID is 1C's empty
    /// reference. Nothing looser: `docs/openapi.yaml` states the same grammar as a pattern.
    pub fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        const BAD: Rejection = "ожидается GUID вида xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
        let Some(text) = text_of(value, BAD)? else {
            return Ok(None);
        };
        let digits = match text.strip_prefix('{') {
            Some(braced) => trim(braced.strip_suffix('}').ok_or(BAD)?),
            None => text,
        };
        let hyphenated = digits.len() == 36
            && digits.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            });
        let simple = digits.len() == 32 && digits.chars().all(|c| c.is_ascii_hexdigit());
        if !(hyphenated || simple) {
            return Err(BAD);
        }
        let uuid = uuid::Uuid::try_parse(digits).map_err(|_| BAD)?;
        Ok((!uuid.is_nil()).then_some(Self(uuid)))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for Guid {
    type Err = Rejection;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Guid::parse(&Value::String(s.into()))?.ok_or("пустой GUID")
    }
}

impl Serialize for Guid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Trimmed, non-empty text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// A JSON number is taken as its text too: 1C writes numeric codes either way.
    pub fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        Ok(text_of(value, "ожидается строка")?.map(|t| Self(t.to_owned())))
    }

    /// [`Text::parse`], at most `max` characters.
    pub fn parse_short(
        value: &Value<'_>,
        max: usize,
        too_long: Rejection,
    ) -> Result<Option<Self>, Rejection> {
        match Self::parse(value)? {
            Some(text) if text.0.chars().count() > max => Err(too_long),
            text => Ok(text),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An optional text as an optional `&str`, as answers and printed pages show it.
    pub fn opt_str(text: &Option<Text>) -> Option<&str> {
        text.as_ref().map(Text::as_str)
    }

    /// Text made here (a pseudonym), already trimmed and non-empty.
    pub(crate) fn from_trusted(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `true`/`false`, as JSON or as text in any case (`"да"`/`"нет"`, `"1"`/`"0"` too), or the
/// numbers 1 and 0; missing is `false`.
pub fn parse_flag(value: &Value<'_>) -> Result<Option<bool>, Rejection> {
    const BAD: Rejection = "ожидается true или false";
    match value {
        Value::Missing | Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) => match trim(s).to_lowercase().as_str() {
            "" => Ok(None),
            "true" | "да" | "1" => Ok(Some(true)),
            "false" | "нет" | "0" => Ok(Some(false)),
            _ => Err(BAD),
        },
        Value::Number(_) => match parse_exact_decimal(value) {
            Ok(Some(n)) if n == rust_decimal::Decimal::ONE => Ok(Some(true)),
            Ok(Some(n)) if n.is_zero() => Ok(Some(false)),
            _ => Err(BAD),
        },
        _ => Err(BAD),
    }
}

/// `text` without the white space around it, which is not part of any value: Unicode's
/// White_Space, so also the no-break space (1C's own thousands separator) and the typographic
/// spaces a copy from a document brings. `docs/openapi.yaml` writes it
/// `[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`.
pub fn trim(text: &str) -> &str {
    text.trim()
}

/// A whole number written in ASCII digits only (leading zeros allowed, no sign), as path and
/// query parameters carry counts, pages and identifiers; `None` for anything else or too large.
pub fn parse_digits<T: FromStr>(text: &str) -> Option<T> {
    let text = trim(text);
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// A JSON number that is a whole number from 0 to `u64::MAX`, in any notation (`7`, `7.0`, `7e0`),
/// as JSON Schema's `integer` reads it.
pub fn whole_number(number: &str) -> Option<u64> {
    use rust_decimal::prelude::ToPrimitive;
    let exact = rust_decimal::Decimal::from_str_exact(number)
        .or_else(|_| rust_decimal::Decimal::from_scientific(number))
        .ok()?;
    exact.fract().is_zero().then(|| exact.to_u64()).flatten()
}

/// The trimmed text of a string or number; `None` for missing, `null` and blank strings.
pub(crate) fn text_of<'v>(
    value: &'v Value<'_>,
    bad: Rejection,
) -> Result<Option<&'v str>, Rejection> {
    match value {
        Value::Missing | Value::Null => Ok(None),
        Value::String(s) => {
            let t = trim(s);
            Ok((!t.is_empty()).then_some(t))
        }
        Value::Number(n) => Ok(Some(n)),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => Err(bad),
    }
}

#[cfg(test)]
mod tests;
