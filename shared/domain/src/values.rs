//! Field values as 1C writes them, parsed once into types that are valid by construction.
//!
//! Every parser takes a [`Value`] and answers `Ok(None)` for "no value" (missing, `null`, `""`,
//! the empty 1C date, the all-zero GUID), `Ok(Some(_))` for a value, or `Err(message)`. The
//! messages are short Russian phrases for a 1C integrator and never quote the value: it may be a
//! resident's personal data.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

    /// The GUID's 128 bits, to spread keys over shards.
    pub fn as_u128(&self) -> u128 {
        self.0.as_u128()
    }

    /// Accepts either case, braces, and stray spaces; the all-zero GUID is 1C's empty reference.
    pub fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        const BAD: Rejection = "ожидается GUID вида xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
        let Some(text) = text_of(value, BAD)? else {
            return Ok(None);
        };
        let inner = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text)
            .trim();
        let uuid = uuid::Uuid::try_parse(inner).map_err(|_| BAD)?;
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

/// A date and time on the office's wall clock, as 1C keeps it (1C dates carry no time zone).
///
/// An offset or `Z`, when a serializer adds one, is dropped rather than converted: converting
/// would move a balance dated `2018-06-30T23:59:59` into another month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDateTime(NaiveDateTime);

impl LocalDateTime {
    /// The one text form used in storage keys and answers; it sorts chronologically.
    pub const FORMAT: &'static str = "%Y-%m-%dT%H:%M:%S";

    pub fn parse(value: &Value<'_>) -> Result<Option<Self>, Rejection> {
        const BAD: Rejection = "ожидается дата вида ГГГГ-ММ-ДДTчч:мм:сс";
        let Some(text) = text_of(value, BAD)? else {
            return Ok(None);
        };
        let at = parse_date_time(text).ok_or(BAD)?;
        Ok((at.date() != EMPTY_1C_DATE).then_some(Self(at)))
    }

    pub fn naive(&self) -> NaiveDateTime {
        self.0
    }

    /// Whole seconds, as storage keys have them.
    pub(crate) fn from_naive(at: NaiveDateTime) -> Self {
        Self(at.with_nanosecond(0).unwrap_or(at))
    }
}

/// 1C's empty date is `0001-01-01T00:00:00`; no real document is dated in year 1.
const EMPTY_1C_DATE: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();

/// Whether the date's year is written with four digits: `05.12.18` is no date, however chrono
/// would read it (as the year 18).
pub(crate) fn has_four_digit_year(date: &str) -> bool {
    let mut groups = date.split(|c: char| !c.is_ascii_digit());
    let year = if date
        .find('.')
        .is_some_and(|dot| date.find('-').is_none_or(|dash| dot < dash))
    {
        groups.nth(2) // DD.MM.YYYY
    } else {
        groups.next() // YYYY-MM-DD
    };
    year.is_some_and(|y| y.len() == 4)
}

fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    // Drop an offset or `Z`: see the type's documentation.
    let wall = match text.find('T').or_else(|| text.find(' ')) {
        Some(t) => {
            let time = &text[t + 1..];
            let cut = time
                .find(['Z', 'z', '+'])
                .or_else(|| time.find('-'))
                .map_or(text.len(), |i| t + 1 + i);
            &text[..cut]
        }
        None => text,
    };
    const DATE_TIMES: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%Y %H:%M:%S",
    ];
    const DATES: [&str; 2] = ["%Y-%m-%d", "%d.%m.%Y"];
    if !has_four_digit_year(wall) {
        return None;
    }
    DATE_TIMES
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(wall, f).ok())
        .or_else(|| {
            DATES
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(wall, f).ok())
                .map(|d| d.and_time(NaiveTime::MIN))
        })
        // Storage keys have whole seconds, so a reading sent as .000 and as :46 is the same one.
        .map(|at| at.with_nanosecond(0).unwrap_or(at))
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format(Self::FORMAT).fmt(f)
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NaiveDateTime::parse_from_str(&s, Self::FORMAT)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

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

/// `true`/`false`, as JSON or as text (`"да"`/`"нет"` too); missing is `false`.
pub fn parse_flag(value: &Value<'_>) -> Result<Option<bool>, Rejection> {
    const BAD: Rejection = "ожидается true или false";
    match value {
        Value::Missing | Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "" => Ok(None),
            "true" | "да" | "1" => Ok(Some(true)),
            "false" | "нет" | "0" => Ok(Some(false)),
            _ => Err(BAD),
        },
        Value::Number("1") => Ok(Some(true)),
        Value::Number("0") => Ok(Some(false)),
        _ => Err(BAD),
    }
}

/// The trimmed text of a string or number; `None` for missing, `null` and blank strings.
fn text_of<'v>(value: &'v Value<'_>, bad: Rejection) -> Result<Option<&'v str>, Rejection> {
    match value {
        Value::Missing | Value::Null => Ok(None),
        Value::String(s) => {
            let t = s.trim();
            Ok((!t.is_empty()).then_some(t))
        }
        Value::Number(n) => Ok(Some(n)),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => Err(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn s(text: &str) -> Value<'_> {
        Value::String(text.into())
    }

    #[test]
    fn guid_normalises_case_braces_and_spaces() {
        let want = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
        for input in [
            " a7a747b2-24d8-11e7-ae76-0050569f0c67",
            "A7A747B2-24D8-11E7-AE76-0050569F0C67",
            "{a7a747b2-24d8-11e7-ae76-0050569f0c67}",
            " {A7A747B2-24d8-11e7-ae76-0050569f0c67} ",
        ] {
            assert_eq!(
                Guid::parse(&s(input)).unwrap().unwrap().to_string(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn guid_empty_forms_mean_no_reference() {
        for v in [
            s(""),
            s("  "),
            s("00000000-0000-0000-0000-000000000000"),
            Value::Null,
            Value::Missing,
        ] {
            assert_eq!(Guid::parse(&v), Ok(None), "{v:?}");
        }
    }

    #[test]
    fn guid_rejects_other_text_without_quoting_it() {
        let err = Guid::parse(&s("Смирнова")).unwrap_err();
        assert!(!err.contains("Смирнова"));
        assert!(Guid::parse(&Value::Bool(true)).is_err());
    }

    #[test]
    fn dates_in_every_form_1c_writes() {
        let want = "2018-12-05T15:14:46";
        for input in [
            "2018-12-05T15:14:46",
            "2018-12-05T15:14:46Z",
            "2018-12-05T15:14:46+03:00",
            "2018-12-05T15:14:46-05:00",
            "2018-12-05T15:14:46.000",
            "2018-12-05 15:14:46",
            "05.12.2018 15:14:46",
            " 2018-12-05T15:14:46 ",
        ] {
            let d = LocalDateTime::parse(&s(input)).unwrap().unwrap();
            assert_eq!(d.to_string(), want, "{input}");
        }
        let d = LocalDateTime::parse(&s("2018-12-05")).unwrap().unwrap();
        assert_eq!(d.to_string(), "2018-12-05T00:00:00");
        let d = LocalDateTime::parse(&s("05.12.2018")).unwrap().unwrap();
        assert_eq!(d.to_string(), "2018-12-05T00:00:00");
    }

    #[test]
    fn empty_1c_date_means_no_date() {
        for v in [
            s("0001-01-01T00:00:00"),
            s(""),
            s("0001-01-01"),
            Value::Null,
        ] {
            assert_eq!(LocalDateTime::parse(&v), Ok(None), "{v:?}");
        }
    }

    #[test]
    fn numbers_stay_below_the_limit() {
        assert_eq!(
            parse_decimal(&Value::Number("999999999999999.99")),
            Ok(Some(dec!(999999999999999.99)))
        );
        for big in [
            "1000000000000000",
            "-1e15",
            "50000000000000000000000000000",
            "1e27",
        ] {
            assert!(parse_decimal(&Value::Number(big)).is_err(), "{big}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for input in [
            "2020-25-12",
            "2018-02-30T00:00:00",
            "вчера",
            "2018-12-05T25:00:00",
            "05.12.18",
            "05.12.18 15:14:46",
            "18-12-05",
            "018-12-05T00:00:00",
            "+2018-12-05",
            "02018-12-05",
        ] {
            assert!(LocalDateTime::parse(&s(input)).is_err(), "{input}");
        }
        assert!(LocalDateTime::parse(&Value::Number("20181205")).is_err());
    }

    #[test]
    fn decimals_from_numbers_and_human_strings_are_exact() {
        let cases = [
            (Value::Number("-20394.86"), dec!(-20394.86)),
            (Value::Number("33"), dec!(33)),
            (Value::Number("0.1"), dec!(0.1)),
            (Value::Number("1e3"), dec!(1000)),
            (Value::Number("12345678901234.56"), dec!(12345678901234.56)),
            (s("1 234,56"), dec!(1234.56)),
            (s("1\u{a0}234\u{a0}567,8"), dec!(1234567.8)),
            (s("-2600"), dec!(-2600)),
            (s(" 56.7 "), dec!(56.7)),
            (s("+5"), dec!(5)),
            (s("\u{2212}5,5"), dec!(-5.5)),
        ];
        for (v, want) in cases {
            assert_eq!(parse_decimal(&v), Ok(Some(want)), "{v:?}");
        }
        // The scale is kept: 56.70 reads back as 56.70.
        assert_eq!(
            parse_decimal(&s("56,70")).unwrap().unwrap().to_string(),
            "56.70"
        );
    }

    #[test]
    fn decimals_reject_garbage() {
        for input in ["1,234.56", "abc", "1.2.3", "-", "12 руб"] {
            assert!(parse_decimal(&s(input)).is_err(), "{input}");
        }
        assert!(parse_decimal(&Value::Bool(false)).is_err());
        assert_eq!(parse_decimal(&s("")), Ok(None));
    }

    #[test]
    fn shares_as_percent_or_fraction() {
        assert_eq!(parse_share(&s("50")), Ok(Some(dec!(50))));
        assert_eq!(parse_share(&s("1/2")), Ok(Some(dec!(50))));
        assert_eq!(parse_share(&s("1/3")), Ok(Some(dec!(33.3333))));
        assert_eq!(parse_share(&Value::Number("100")), Ok(Some(dec!(100))));
        assert!(parse_share(&s("1/0")).is_err());
        for out_of_range in [
            "1/0.0000000000000000000000000001",
            "150",
            "-1",
            "3/2",
            "-1/2",
        ] {
            assert!(parse_share(&s(out_of_range)).is_err(), "{out_of_range}");
        }
        assert_eq!(parse_share(&s("0")), Ok(Some(dec!(0))));
    }

    #[test]
    fn text_is_trimmed_and_blank_is_none() {
        assert_eq!(
            Text::parse(&s("М30400НЖ003 ")).unwrap().unwrap().as_str(),
            "М30400НЖ003"
        );
        assert_eq!(Text::parse(&s("   ")), Ok(None));
        assert_eq!(
            Text::parse(&Value::Number("42")).unwrap().unwrap().as_str(),
            "42"
        );
        assert!(Text::parse(&Value::Bool(true)).is_err());
    }
}
