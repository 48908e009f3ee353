//! A page of an account's or a counter's history: `?from=&to=&limit=&next=`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::period::DateRange;
use crate::problems::{Problem, Problems};
use crate::values::{Rejection, parse_digits};

/// Where the previous page of a history ended: opaque here, made and read by the store, and
/// carried by clients as the `next` token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    pub fn new(position: String) -> Self {
        Self(position)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `next` token of the page that ended here.
    pub fn token(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }

    fn from_token(token: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        String::from_utf8(bytes).ok().map(Self)
    }
}

/// One history page: the period, newest first, at most `limit` records after `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub range: DateRange,
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl HistoryQuery {
    pub const DEFAULT_LIMIT: u32 = 100;
    pub const MAX_LIMIT: u32 = 1000;

    /// `from` and `to` are dates (the whole day) or date-times, both inclusive. Whether `next`
    /// belongs to this period is the store's to tell: only it can read a cursor.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        limit: Option<&str>,
        next: Option<&str>,
    ) -> Result<Self, Vec<Problem>> {
        let mut p = Problems::new();
        let range = DateRange {
            from: p.param("from", from, |v| DateRange::bound(v, false)),
            to: p.param("to", to, |v| DateRange::bound(v, true)),
        };
        let limit = p.param("limit", limit, |v| match parse_digits::<u32>(v) {
            Some(l) if (1..=Self::MAX_LIMIT).contains(&l) => Ok(l),
            _ => Err("записей на странице: целое число от 1 до 1000"),
        });
        let after = p.param("next", next, |token| {
            Cursor::from_token(token).ok_or(Self::BAD_NEXT)
        });
        p.in_order("from", range.from, range.to);
        p.finish(|| Self {
            range,
            limit: limit.unwrap_or(Self::DEFAULT_LIMIT),
            after,
        })
    }

    pub const BAD_NEXT: Rejection = "токен продолжения не от этого запроса";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Value;
    use crate::values::LocalDateTime;

    fn at(text: &str) -> LocalDateTime {
        LocalDateTime::parse(&Value::String(text.into()))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn days_are_inclusive() {
        let q = HistoryQuery::parse(Some("2018-06-01"), Some("2018-06-30"), None, None).unwrap();
        assert_eq!((q.limit, q.after.as_ref()), (100, None));
        for inside in ["2018-06-01T00:00:00", "2018-06-30T23:59:59"] {
            assert!(q.range.contains(at(inside)), "{inside}");
        }
        for outside in ["2018-05-31T23:59:59", "2018-07-01T00:00:00"] {
            assert!(!q.range.contains(at(outside)), "{outside}");
        }
        let q = HistoryQuery::parse(None, Some("2018-06-30T12:00:00"), None, None).unwrap();
        assert!(q.range.contains(at("2018-06-30T12:00:00")));
        assert!(!q.range.contains(at("2018-06-30T12:00:01")));
    }

    #[test]
    fn tokens_round_trip_and_bad_parameters_are_named() {
        let cursor = Cursor::new("2018-06-30T23:59:59#b712502b".into());
        let q = HistoryQuery::parse(None, None, Some("1000"), Some(&cursor.token())).unwrap();
        assert_eq!(q.after, Some(cursor));
        assert_eq!(q.limit, 1000);
        let errors =
            HistoryQuery::parse(Some("2020-25-12"), None, Some("0"), Some("!!")).unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| e.field.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["from", "limit", "next"]
        );
        assert!(HistoryQuery::parse(Some("2018-02-01"), Some("2018-01-01"), None, None).is_err());
    }
}
