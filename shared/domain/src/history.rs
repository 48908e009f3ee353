//! A page of an account's or a counter's history: `?from=&to=&limit=&next=`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;

use crate::json::Value;
use crate::values::{LocalDateTime, Rejection};

/// Sort-key bounds and paging of one history Query, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Inclusive sort-key bounds. History sort keys start with `YYYY-MM-DDThh:mm:ss`.
    pub from: String,
    pub to: String,
    pub limit: u32,
    /// The sort key the previous page ended at.
    pub after: Option<String>,
}

impl HistoryQuery {
    pub const DEFAULT_LIMIT: u32 = 100;
    pub const MAX_LIMIT: u32 = 1000;

    /// `from` and `to` are dates (the whole day) or date-times, both inclusive.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        limit: Option<&str>,
        next: Option<&str>,
    ) -> Result<Self, Vec<(&'static str, Rejection)>> {
        let mut errors = Vec::new();
        let mut bound = |name, value: Option<&str>, end_of_day: bool| -> Option<String> {
            let value = present(value)?;
            match bound_of(value, end_of_day) {
                Ok(bound) => Some(bound),
                Err(e) => {
                    errors.push((name, e));
                    None
                }
            }
        };
        let from = bound("from", from, false).unwrap_or_else(|| "0".to_owned());
        let to = bound("to", to, true).unwrap_or_else(|| "9".to_owned());
        let limit = match present(limit).map(str::parse::<u32>) {
            None => Self::DEFAULT_LIMIT,
            Some(Ok(l)) if (1..=Self::MAX_LIMIT).contains(&l) => l,
            Some(_) => {
                errors.push(("limit", "записей на странице: целое число от 1 до 1000"));
                Self::DEFAULT_LIMIT
            }
        };
        let after = match present(next) {
            None => None,
            Some(token) => {
                let sk = URL_SAFE_NO_PAD
                    .decode(token)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .filter(|sk| *sk >= from && *sk <= to);
                if sk.is_none() {
                    errors.push(("next", "токен продолжения не от этого запроса"));
                }
                sk
            }
        };
        if from > to {
            errors.push(("from", "начало периода позже его конца"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            from,
            to,
            limit,
            after,
        })
    }

    /// The opaque `next` of a page that ended at sort key `sk`.
    pub fn next_token(sk: &str) -> String {
        URL_SAFE_NO_PAD.encode(sk)
    }
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn bound_of(text: &str, end_of_day: bool) -> Result<String, Rejection> {
    const BAD: Rejection = "ожидается дата ГГГГ-ММ-ДД или дата и время ГГГГ-ММ-ДДTчч:мм:сс";
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        // `~` sorts after every digit and `#`: the bound covers the whole day or second.
        return Ok(if end_of_day {
            format!("{day}T~")
        } else {
            day.to_string()
        });
    }
    let at = LocalDateTime::parse(&Value::String(text.into()))
        .map_err(|_| BAD)?
        .ok_or(BAD)?;
    Ok(if end_of_day {
        format!("{at}~")
    } else {
        at.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_inclusive_and_cover_every_key_of_the_day() {
        let q = HistoryQuery::parse(Some("2018-06-01"), Some("2018-06-30"), None, None).unwrap();
        assert_eq!((q.limit, q.after.as_deref()), (100, None));
        for inside in [
            "2018-06-01T00:00:00",
            "2018-06-30T23:59:59",
            "2018-06-30T23:59:59#b712502b",
        ] {
            assert!(
                q.from.as_str() <= inside && inside <= q.to.as_str(),
                "{inside}"
            );
        }
        for outside in ["2018-05-31T23:59:59", "2018-07-01T00:00:00"] {
            assert!(
                !(q.from.as_str() <= outside && outside <= q.to.as_str()),
                "{outside}"
            );
        }
        let q = HistoryQuery::parse(None, Some("2018-06-30T12:00:00"), None, None).unwrap();
        assert!(
            "2018-06-30T12:00:00#svc" <= q.to.as_str() && q.to.as_str() < "2018-06-30T12:00:01"
        );
    }

    #[test]
    fn tokens_round_trip_and_bad_parameters_are_named() {
        let token = HistoryQuery::next_token("2018-06-30T23:59:59#b712502b");
        let q = HistoryQuery::parse(None, None, Some("1000"), Some(&token)).unwrap();
        assert_eq!(q.after.as_deref(), Some("2018-06-30T23:59:59#b712502b"));
        assert_eq!(q.limit, 1000);
        let errors =
            HistoryQuery::parse(Some("2020-25-12"), None, Some("0"), Some("!!")).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.0).collect::<Vec<_>>(),
            ["from", "limit", "next"]
        );
        // A token from another period cannot reach outside this one.
        let old = HistoryQuery::next_token("2017-01-01T00:00:00");
        assert!(HistoryQuery::parse(Some("2018-01-01"), None, None, Some(&old)).is_err());
        assert!(HistoryQuery::parse(Some("2018-02-01"), Some("2018-01-01"), None, None).is_err());
    }
}
