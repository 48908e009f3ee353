//! Periods of the office's wall-clock time: the span a history page reads, and the span a period
//! import declares complete (`?from=&to=`, optionally as one part of a multi-part exchange).

use chrono::{NaiveDate, NaiveTime};

use crate::json::Value;
use crate::problems::{Problem, Problems};
use crate::values::{
    Guid, LocalDateTime, Rejection, parse_date, parse_date_time, parse_digits, trim,
};

/// An inclusive span of wall-clock time; an open end reaches as far as there is data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<LocalDateTime>,
    pub to: Option<LocalDateTime>,
}

impl DateRange {
    pub fn contains(&self, at: LocalDateTime) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at <= to)
    }

    /// The range as one text (`from..to`, an open end empty): what a cursor is bound to.
    pub fn canonical(&self) -> String {
        let end = |at: Option<LocalDateTime>| at.map(|at| at.to_string()).unwrap_or_default();
        format!("{}..{}", end(self.from), end(self.to))
    }

    /// Whole days, both inclusive.
    pub fn days(from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            from: Some(LocalDateTime::from_naive(from.and_time(NaiveTime::MIN))),
            to: Some(LocalDateTime::from_naive(end_of(to))),
        }
    }

    /// `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both required, `from` not after `to`: whole days, as a
    /// period import's.
    pub fn parse_days(from: Option<&str>, to: Option<&str>) -> Result<Self, Vec<Problem>> {
        let mut p = Problems::new();
        let mut day = |name, value: Option<&str>| match value.map(trim).filter(|v| !v.is_empty()) {
            Some(text) => p.check(name, parse_day(text).ok_or("ожидается дата ГГГГ-ММ-ДД")),
            None => p.check(name, Err(BOTH)),
        };
        let (from, to) = (day("from", from), day("to", to));
        p.in_order("from", from, to);
        let (Some(from), Some(to)) = (from, to) else {
            return Err(p.into_vec());
        };
        p.finish(|| Self::days(from, to))
    }

    /// A bound as a query gives it: a date (the whole day) or a date and time, in any form
    /// [`LocalDateTime`] takes (`0001-01-01` is a date here, not 1C's "no date").
    pub fn bound(text: &str, end: bool) -> Result<LocalDateTime, Rejection> {
        const BAD: Rejection = "ожидается дата ГГГГ-ММ-ДД или дата и время ГГГГ-ММ-ДДTчч:мм:сс";
        let at = match parse_date_time(trim(text)).ok_or(BAD)? {
            (at, true) => at,
            (day, false) if end => end_of(day.date()),
            (day, false) => day,
        };
        Ok(LocalDateTime::from_naive(at))
    }
}

fn end_of(day: NaiveDate) -> chrono::NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN))
}

/// `YYYY-MM-DD`, the days of a period import.
pub(crate) fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = trim(text);
    (text.as_bytes().get(4) == Some(&b'-'))
        .then(|| parse_date(text))
        .flatten()
}

/// One part of an exchange too large for one request: `exchange=<GUID>&part=K&parts=N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangePart {
    pub exchange: Guid,
    /// From 1.
    pub part: u32,
    pub parts: u32,
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD[&exchange=&part=&parts=]`: the request (or the exchange it is
/// a part of) is the complete set of the tenant's items of its kind dated in these days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodImport {
    pub period: DateRange,
    /// The days as sent, to compare the parts of one exchange.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub part: Option<ExchangePart>,
}

impl PeriodImport {
    /// The most parts an exchange may have.
    pub const MAX_PARTS: u32 = 1000;

    /// `None` for an ordinary import (no parameter given); every bad parameter is named. The
    /// query must name the whole period import: `from` and `to`, and for a part of an exchange
    /// `exchange`, `part` and `parts` (a part of an opened exchange: [`PeriodImport::declare`]).
    pub fn parse<'a>(
        query: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Option<Self>, Vec<Problem>> {
        let Some(declared) = read(query, true)? else {
            return Ok(None);
        };
        let (Some(from), Some(to)) = (declared.from, declared.to) else {
            return Err(vec![Problem::new("from", BOTH)]);
        };
        let part = match (declared.exchange, declared.part, declared.parts) {
            (Some(exchange), Some(part), Some(parts)) => Some(ExchangePart {
                exchange,
                part,
                parts,
            }),
            _ => None,
        };
        Ok(Some(Self {
            period: DateRange::days(from, to),
            from,
            to,
            part,
        }))
    }

    /// What the query says of a period import, each value it gives checked, none required: a
    /// part of an opened exchange may leave out what its opening says
    /// ([`Declared::with_opening`]). `None` when it names none of the parameters.
    pub fn declare<'a>(
        query: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Option<Declared>, Vec<Problem>> {
        read(query, false)
    }
}

const BOTH: Rejection = "период задаётся двумя датами: from и to";

/// The period parameters, each checked; `complete`: the period and, for a part, all three of
/// the exchange's parameters are required.
fn read<'a>(
    query: impl Fn(&str) -> Option<&'a str>,
    complete: bool,
) -> Result<Option<Declared>, Vec<Problem>> {
    const ALL_THREE: Rejection = "часть обмена задаётся тремя параметрами: exchange, part и \
         parts (или откройте обмен, POST /api/exchanges: тогда достаточно exchange и part)";
    let value = |name| query(name).map(trim).filter(|v| !v.is_empty());
    let names = ["from", "to", "exchange", "part", "parts"];
    if names.iter().all(|name| value(name).is_none()) {
        return Ok(None);
    }
    let mut p = Problems::new();
    let mut day = |name| match value(name) {
        Some(text) => p.check(name, parse_day(text).ok_or("ожидается дата ГГГГ-ММ-ДД")),
        None if complete => p.check(name, Err(BOTH)),
        None => None,
    };
    let (from, to) = (day("from"), day("to"));
    p.in_order("from", from, to);
    let three = [
        ("exchange", value("exchange")),
        ("part", value("part")),
        ("parts", value("parts")),
    ];
    let named = three.iter().any(|(_, v)| v.is_some());
    if complete && named && three.iter().any(|(_, v)| v.is_none()) {
        for (name, _) in three.iter().filter(|(_, v)| v.is_none()) {
            p.check(*name, Err::<(), _>(ALL_THREE));
        }
        return Err(p.into_vec());
    }
    let exchange = p.param("exchange", value("exchange"), |v| {
        match Guid::parse(&Value::String(v.into())) {
            Ok(Some(id)) => Ok(id),
            _ => Err("ожидается GUID обмена"),
        }
    });
    let parts = p.param("parts", value("parts"), |v| match parse_digits::<u32>(v) {
        Some(n) if (1..=PeriodImport::MAX_PARTS).contains(&n) => Ok(n),
        _ => Err("число частей: целое от 1 до 1000"),
    });
    let part = p.param("part", value("part"), |v| {
        match (parse_digits::<u32>(v), parts) {
            (Some(k), Some(n)) if (1..=n).contains(&k) => Ok(k),
            (Some(k), None) if (1..=PeriodImport::MAX_PARTS).contains(&k) => Ok(k),
            _ => Err("номер части: целое от 1 до parts"),
        }
    });
    p.finish(|| {
        Some(Declared {
            from,
            to,
            exchange,
            part,
            parts,
        })
    })
}

/// A period import as its query declares it, each value valid, before what it leaves out is
/// taken from the exchange's opening ([`Declared::with_opening`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub exchange: Option<Guid>,
    pub part: Option<u32>,
    pub parts: Option<u32>,
}

/// What opened an exchange, or its first part when it was not opened: its period and parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub parts: u32,
}

impl Declared {
    /// The period import of a part of the exchange `opening` opened: what the query leaves out
    /// is the opening's, what it names must be the opening's (each difference named).
    pub fn with_opening(&self, opening: &Opening) -> Result<PeriodImport, Vec<Problem>> {
        const DIFFERS: Rejection = "не совпадает с открытием обмена (или его первой частью)";
        let mut p = Problems::new();
        fn same<T: PartialEq>(given: Option<T>, opened: T) -> bool {
            given.is_none_or(|g| g == opened)
        }
        if !same(self.from, opening.from) {
            p.check("from", Err::<(), _>(DIFFERS));
        }
        if !same(self.to, opening.to) {
            p.check("to", Err::<(), _>(DIFFERS));
        }
        if !same(self.parts, opening.parts) {
            p.check("parts", Err::<(), _>(DIFFERS));
        }
        let part = self.part.filter(|k| *k <= opening.parts);
        if self.part.is_none() {
            p.check("part", Err::<(), _>("номер части обмена: part"));
        } else if part.is_none() {
            p.check("part", Err::<(), _>("номер части: целое от 1 до parts"));
        }
        let (Some(exchange), Some(part)) = (self.exchange, part) else {
            return Err(p.into_vec());
        };
        p.finish(|| PeriodImport {
            period: DateRange::days(opening.from, opening.to),
            from: opening.from,
            to: opening.to,
            part: Some(ExchangePart {
                exchange,
                part,
                parts: opening.parts,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Option<PeriodImport>, Vec<String>> {
        let query = |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        PeriodImport::parse(query).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| e.field.unwrap().into_owned())
                .collect()
        })
    }

    #[test]
    fn a_period_is_whole_days_both_inclusive() {
        let p = parse(&[("from", "2018-12-01"), ("to", "2018-12-31")])
            .unwrap()
            .unwrap();
        let at = |text: &str| {
            LocalDateTime::parse(&Value::String(text.into()))
                .unwrap()
                .unwrap()
        };
        assert!(p.period.contains(at("2018-12-01T00:00:00")));
        assert!(p.period.contains(at("2018-12-31T23:59:59")));
        assert!(!p.period.contains(at("2018-11-30T23:59:59")));
        assert!(!p.period.contains(at("2019-01-01T00:00:00")));
        assert_eq!(p.part, None);
        assert_eq!(parse(&[]), Ok(None));
    }

    #[test]
    fn exchanges_name_every_bad_parameter() {
        let ok = parse(&[
            ("from", "2018-12-01"),
            ("to", "2018-12-31"),
            ("exchange", "{6F9619FF-8B86-D011-B42D-00CF4FC964FF}"),
            ("part", "3"),
            ("parts", "3"),
        ]);
        assert_eq!(ok.unwrap().unwrap().part.unwrap().parts, 3);
        for (pairs, names) in [
            (vec![("from", "2018-12-01")], vec!["to"]),
            (
                vec![("from", "2018-12-31"), ("to", "2018-12-01")],
                vec!["from"],
            ),
            (
                vec![("from", "01.12.18"), ("to", "2018-12-01")],
                vec!["from"],
            ),
            (
                vec![
                    ("from", "2018-12-01"),
                    ("to", "2018-12-31"),
                    ("part", "4"),
                    ("parts", "3"),
                    ("exchange", "6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
                ],
                vec!["part"],
            ),
            (
                vec![("from", "2018-12-01"), ("to", "2018-12-31"), ("part", "1")],
                vec!["exchange", "parts"],
            ),
            (
                vec![("exchange", "x"), ("part", "0"), ("parts", "0")],
                vec!["from", "to", "exchange", "parts", "part"],
            ),
        ] {
            let names: Vec<String> = names.into_iter().map(String::from).collect();
            assert_eq!(parse(&pairs), Err(names), "{pairs:?}");
        }
    }

    #[test]
    fn a_part_of_an_opened_exchange_takes_what_it_leaves_out_from_the_opening() {
        let day = |text: &str| parse_day(text).unwrap();
        let opening = Opening {
            from: day("2018-12-01"),
            to: day("2018-12-31"),
            parts: 3,
        };
        let declare = |pairs: &[(&str, &str)]| {
            let query = |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
            PeriodImport::declare(query).unwrap().unwrap()
        };
        let guid = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
        let only = declare(&[("exchange", guid), ("part", "2")]);
        let import = only.with_opening(&opening).unwrap();
        assert_eq!((import.from, import.to), (opening.from, opening.to));
        assert_eq!(import.part.unwrap().parts, 3);
        assert_eq!(import.part.unwrap().part, 2);
        // What it names must be the opening's, each difference named.
        let fields = |pairs: &[(&str, &str)]| -> Vec<String> {
            declare(pairs)
                .with_opening(&opening)
                .unwrap_err()
                .into_iter()
                .map(|p| p.field.unwrap().into_owned())
                .collect()
        };
        let mut pairs = vec![("exchange", guid), ("part", "1"), ("from", "2018-11-01")];
        assert_eq!(fields(&pairs), ["from"]);
        pairs.extend([("to", "2018-12-30"), ("parts", "2")]);
        assert_eq!(fields(&pairs), ["from", "to", "parts"]);
        assert_eq!(fields(&[("exchange", guid), ("part", "4")]), ["part"]);
        assert_eq!(fields(&[("exchange", guid)]), ["part"]);
        // Named as opened, it is taken.
        let same = declare(&[
            ("exchange", guid),
            ("part", "3"),
            ("from", "2018-12-01"),
            ("to", "2018-12-31"),
            ("parts", "3"),
        ]);
        assert!(same.with_opening(&opening).is_ok());
    }
}
