//! A page of an account's or a counter's history: `?from=&to=&limit=&next=`.

use crate::period::DateRange;
use crate::problems::{Problem, Problems};
use crate::secrets::SigningKey;
use crate::tenant::Tenant;
use crate::values::{Rejection, parse_digits};

/// Where the previous page of a list ended: opaque here, made and read by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    pub fn new(position: String) -> Self {
        Self(position)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `next` tokens of one list question: a [`Cursor`] sealed with the deployment's signing
/// key for the tenant, the endpoint, the list's owner and the query, so that a client can only
/// hand back what the API issued for the same question. Anything else is refused before the
/// store is asked.
pub struct CursorSeal<'a> {
    key: &'a SigningKey,
    tenant: &'a Tenant,
    endpoint: &'a str,
    owner: String,
}

impl<'a> CursorSeal<'a> {
    const PURPOSE: &'static str = "cursor";

    /// For `endpoint`'s list of `owner` (an account or a counter; empty for a tenant's list).
    pub fn new(key: &'a SigningKey, tenant: &'a Tenant, endpoint: &'a str, owner: String) -> Self {
        Self {
            key,
            tenant,
            endpoint,
            owner,
        }
    }

    /// The `next` token of a page of `query` that ended at `cursor`.
    pub fn token(&self, query: &str, cursor: &Cursor) -> String {
        self.key.seal(
            Self::PURPOSE,
            &self.context(query),
            cursor.as_str().as_bytes(),
        )
    }

    /// The cursor of a token issued by [`CursorSeal::token`] for the same question.
    pub fn open(&self, query: &str, token: &str) -> Option<Cursor> {
        let bytes = self.key.open(Self::PURPOSE, &self.context(query), token)?;
        String::from_utf8(bytes).ok().map(Cursor)
    }

    /// Where a list read whole and cut by size (payers, an account's meters) goes on: the
    /// offset in a token [`CursorSeal::offset_token`] made; 0 with no token.
    pub fn offset(&self, token: Option<&str>) -> Result<usize, Rejection> {
        match token.map(crate::values::trim) {
            None | Some("") => Ok(0),
            Some(token) => self
                .open("", token)
                .and_then(|cursor| cursor.as_str().parse().ok())
                .ok_or(BAD_NEXT),
        }
    }

    /// The `next` token of such a list, going on at `offset`.
    pub fn offset_token(&self, offset: usize) -> String {
        self.token("", &Cursor(offset.to_string()))
    }

    fn context<'q>(&'q self, query: &'q str) -> [&'q str; 4] {
        [self.tenant.as_str(), self.endpoint, &self.owner, query]
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

    /// `from` and `to` are dates (the whole day) or date-times, both inclusive; `next` must be
    /// a token `seal` issued for the same period.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        limit: Option<&str>,
        next: Option<&str>,
        seal: &CursorSeal<'_>,
    ) -> Result<Self, Vec<Problem>> {
        let mut p = Problems::new();
        let range = DateRange {
            from: p.param("from", from, |v| DateRange::bound(v, false)),
            to: p.param("to", to, |v| DateRange::bound(v, true)),
        };
        // A token is checked against the period it continues: when `from` or `to` is wrong,
        // only they are reported.
        let period_known = p.is_empty();
        let limit = p.param("limit", limit, parse_limit);
        let period = range.canonical();
        let next = next.filter(|_| period_known);
        let after = p.param("next", next, |token| {
            seal.open(&period, token).ok_or(BAD_NEXT)
        });
        p.in_order("from", range.from, range.to);
        p.finish(|| Self {
            range,
            limit: limit.unwrap_or(Self::DEFAULT_LIMIT),
            after,
        })
    }

    /// The `next` token of a page of this query that ended at `cursor`.
    pub fn token(&self, seal: &CursorSeal<'_>, cursor: &Cursor) -> String {
        seal.token(&self.range.canonical(), cursor)
    }
}

/// A page of a list with no period (a tenant's services): `?limit=&next=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl ListQuery {
    pub const DEFAULT_LIMIT: u32 = 1000;

    pub fn parse(
        limit: Option<&str>,
        next: Option<&str>,
        seal: &CursorSeal<'_>,
    ) -> Result<Self, Vec<Problem>> {
        let mut p = Problems::new();
        let limit = p.param("limit", limit, parse_limit);
        let after = p.param("next", next, |token| seal.open("", token).ok_or(BAD_NEXT));
        p.finish(|| Self {
            limit: limit.unwrap_or(Self::DEFAULT_LIMIT),
            after,
        })
    }

    /// The `next` token of a page that ended at `cursor`.
    pub fn token(&self, seal: &CursorSeal<'_>, cursor: &Cursor) -> String {
        seal.token("", cursor)
    }
}

/// `?limit=` of a list with no cursor (1C's export of residents' readings): 1 to 1000, the
/// default 1000; blank is the default.
pub fn page_limit(limit: Option<&str>) -> Result<u32, Vec<Problem>> {
    let mut p = Problems::new();
    let limit = p.param("limit", limit, parse_limit);
    p.finish(|| limit.unwrap_or(ListQuery::DEFAULT_LIMIT))
}

/// At most 1000 items a page.
fn parse_limit(v: &str) -> Result<u32, Rejection> {
    match parse_digits::<u32>(v) {
        Some(l) if (1..=HistoryQuery::MAX_LIMIT).contains(&l) => Ok(l),
        _ => Err("записей на странице: целое число от 1 до 1000"),
    }
}

pub const BAD_NEXT: Rejection = "токен продолжения не от этого запроса";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Value;
    use crate::values::LocalDateTime;

    fn key() -> SigningKey {
        SigningKey::new(&[3; 32]).unwrap()
    }

    fn tenant(name: &str) -> Tenant {
        Tenant::parse(name).unwrap()
    }

    fn at(text: &str) -> LocalDateTime {
        LocalDateTime::parse(&Value::String(text.into()))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn days_are_inclusive() {
        let (key, t) = (key(), tenant("t"));
        let seal = CursorSeal::new(&key, &t, "balances", "a".into());
        let q =
            HistoryQuery::parse(Some("2018-06-01"), Some("2018-06-30"), None, None, &seal).unwrap();
        assert_eq!((q.limit, q.after.as_ref()), (100, None));
        for inside in ["2018-06-01T00:00:00", "2018-06-30T23:59:59"] {
            assert!(q.range.contains(at(inside)), "{inside}");
        }
        for outside in ["2018-05-31T23:59:59", "2018-07-01T00:00:00"] {
            assert!(!q.range.contains(at(outside)), "{outside}");
        }
        let q = HistoryQuery::parse(None, Some("2018-06-30T12:00:00"), None, None, &seal).unwrap();
        assert!(q.range.contains(at("2018-06-30T12:00:00")));
        assert!(!q.range.contains(at("2018-06-30T12:00:01")));
    }

    #[test]
    fn tokens_round_trip_for_their_own_question_only() {
        let (key, t, other) = (key(), tenant("t"), tenant("u"));
        let seal = CursorSeal::new(&key, &t, "balances", "a".into());
        let cursor = Cursor::new("2018-06-30T23:59:59#b712502b".into());
        let june =
            HistoryQuery::parse(Some("2018-06-01"), Some("2018-06-30"), None, None, &seal).unwrap();
        let token = june.token(&seal, &cursor);
        // The same period in another spelling is the same question.
        let q = HistoryQuery::parse(
            Some("01.06.2018"),
            Some("2018-06-30T23:59:59"),
            Some("1000"),
            Some(&token),
            &seal,
        )
        .unwrap();
        assert_eq!((q.after, q.limit), (Some(cursor), 1000));
        let refused = |seal: &CursorSeal<'_>, from: &str| {
            HistoryQuery::parse(Some(from), Some("2018-06-30"), None, Some(&token), seal)
                .unwrap_err()[0]
                .field
                .as_deref()
                .map(str::to_owned)
        };
        let next = Some("next".to_owned());
        assert_eq!(refused(&seal, "2018-05-01"), next, "another period");
        for seal in [
            CursorSeal::new(&key, &other, "balances", "a".into()),
            CursorSeal::new(&key, &t, "transactions", "a".into()),
            CursorSeal::new(&key, &t, "balances", "b".into()),
        ] {
            assert_eq!(refused(&seal, "2018-06-01"), next);
        }
        let services = ListQuery::parse(None, Some(&token), &seal).unwrap_err();
        assert_eq!(
            services[0].field.as_deref(),
            next.as_deref(),
            "a history's token is not a list's"
        );
        let errors = HistoryQuery::parse(Some("2020-25-12"), None, Some("0"), Some("!!"), &seal)
            .unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| e.field.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["from", "limit"],
            "a token is not judged against a period that is wrong"
        );
        let errors = HistoryQuery::parse(None, None, None, Some("!!"), &seal).unwrap_err();
        assert_eq!(errors[0].field.as_deref(), Some("next"));
        assert!(
            HistoryQuery::parse(Some("2018-02-01"), Some("2018-01-01"), None, None, &seal).is_err()
        );
    }

    #[test]
    fn lists_page_by_a_thousand() {
        let (key, t) = (key(), tenant("t"));
        let seal = CursorSeal::new(&key, &t, "services", String::new());
        let q = ListQuery::parse(None, None, &seal).unwrap();
        assert_eq!((q.limit, q.after.clone()), (1000, None));
        let cursor = Cursor::new("007#x".into());
        let token = q.token(&seal, &cursor);
        let q = ListQuery::parse(Some("5"), Some(&token), &seal).unwrap();
        assert_eq!((q.limit, q.after), (5, Some(cursor)));
        for limit in ["0", "1001", "x"] {
            assert!(ListQuery::parse(Some(limit), None, &seal).is_err());
        }
    }
}
