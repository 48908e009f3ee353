//! The act list's query: `GET /v1/billing/acts/{page}/{limit}?filters&sort&direction`, its
//! filters, sort and paging, parsed with every bad parameter named.

use super::{Act, ActNumber, ActStatus, Date};
use crate::problems::{Problem, Problems};
use crate::values::{Rejection, parse_digits};

/// The field the act list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActSort {
    ActNumber,
    CountNumber,
    CreatedAt,
    Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Filters of the act list; every one present must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActFilter {
    pub created_from: Option<Date>,
    pub created_to: Option<Date>,
    pub act_number: Option<ActNumber>,
    pub count_number: Option<String>,
    pub payer_id: Option<u64>,
    pub recipient_id: Option<u64>,
    pub status: Option<ActStatus>,
}

impl ActFilter {
    /// The filters of the query string; their problems go to `p`.
    fn parse<'a>(p: &mut Problems, query: &impl Fn(&str) -> Option<&'a str>) -> Self {
        ActFilter {
            created_from: p.param(
                "created_at_from",
                query("created_at_from"),
                Date::parse_param,
            ),
            created_to: p.param("created_at_to", query("created_at_to"), Date::parse_param),
            act_number: p.param("act_number", query("act_number"), ActNumber::parse_param),
            count_number: p.param("count_number", query("count_number"), |v| Ok(v.to_owned())),
            payer_id: p.param("payer_id", query("payer_id"), parse_id),
            recipient_id: p.param("recipient_id", query("recipient_id"), parse_id),
            status: p.param("act_status", query("act_status"), ActStatus::parse_param),
        }
    }

    pub fn matches(&self, act: &Act) -> bool {
        self.created_from.is_none_or(|d| act.created_at >= d)
            && self.created_to.is_none_or(|d| act.created_at <= d)
            && self.act_number.is_none_or(|n| act.act_number == n)
            && self
                .count_number
                .as_deref()
                .is_none_or(|c| act.count_number.as_ref().is_some_and(|n| n.as_str() == c))
            && self.payer_id.is_none_or(|id| act.payer.id == id)
            && self.recipient_id.is_none_or(|id| act.recipient.id == id)
            && self.status.is_none_or(|s| act.act_status == s)
    }

    /// Only a status, or nothing: the totals kept on import answer these without reading.
    pub fn is_status_only(&self) -> bool {
        let status_only = ActFilter {
            status: self.status,
            ..ActFilter::default()
        };
        *self == status_only
    }
}

/// A page of the act list: `GET /v1/billing/acts/{page}/{limit}?filters&sort&direction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActQuery {
    pub filter: ActFilter,
    pub sort: ActSort,
    pub direction: Direction,
    /// From 1.
    pub page: u32,
    pub limit: u32,
}

impl ActQuery {
    pub const DEFAULT_LIMIT: u32 = 10;
    pub const MAX_LIMIT: u32 = 100;

    /// From the path's `page` and `limit` and the query string; every bad parameter is reported.
    pub fn parse<'a>(
        page: Option<&str>,
        limit: Option<&str>,
        query: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Self, Vec<Problem>> {
        let mut p = Problems::new();
        let filter = ActFilter::parse(&mut p, &query);
        let sort = p.param("sort", query("sort"), |v| {
            match v.to_ascii_lowercase().as_str() {
                "act_number" => Ok(ActSort::ActNumber),
                "count_number" => Ok(ActSort::CountNumber),
                "created_at" => Ok(ActSort::CreatedAt),
                "amount" => Ok(ActSort::Amount),
                _ => Err("sort: act_number, count_number, created_at или amount"),
            }
        });
        let direction = p.param("direction", query("direction"), |v| {
            match v.to_ascii_lowercase().as_str() {
                "asc" => Ok(Direction::Asc),
                "desc" => Ok(Direction::Desc),
                _ => Err("direction: asc или desc"),
            }
        });
        let page = p.param("page", page, |v| match parse_digits::<u32>(v) {
            Some(p) if p >= 1 => Ok(p),
            _ => Err("номер страницы: целое число от 1"),
        });
        let limit = p.param("limit", limit, |v| match parse_digits::<u32>(v) {
            Some(l) if (1..=Self::MAX_LIMIT).contains(&l) => Ok(l),
            _ => Err("записей на странице: целое число от 1 до 100"),
        });
        p.in_order("created_at_from", filter.created_from, filter.created_to);
        p.finish(|| Self {
            filter,
            sort: sort.unwrap_or(ActSort::CreatedAt),
            direction: direction.unwrap_or(Direction::Desc),
            page: page.unwrap_or(1),
            limit: limit.unwrap_or(Self::DEFAULT_LIMIT),
        })
    }

    /// How many entries come before this page.
    pub fn offset(&self) -> usize {
        (self.page as usize - 1) * self.limit as usize
    }

    /// `pages.total` for `total` matching acts.
    pub fn pages(&self, total: u64) -> u64 {
        total.div_ceil(u64::from(self.limit))
    }
}

/// A present, non-blank parameter parsed; a rejection is recorded under the parameter's name.
fn parse_id(text: &str) -> Result<u64, Rejection> {
    parse_digits(text).ok_or("идентификатор: целое неотрицательное число")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_defaults_and_every_bad_parameter() {
        let q = ActQuery::parse(None, None, |_| None).unwrap();
        assert_eq!(
            (q.page, q.limit, q.sort, q.direction),
            (1, 10, ActSort::CreatedAt, Direction::Desc)
        );
        assert_eq!(q.offset(), 0);
        assert_eq!(q.pages(0), 0);
        assert_eq!(q.pages(21), 3);

        let params = [
            ("created_at_to", "2020-25-12"),
            ("sort", "payer"),
            ("act_status", "lost"),
            ("direction", "up"),
            ("payer_id", "x"),
        ];
        let errors = ActQuery::parse(Some("x"), Some("1000"), |k| {
            params.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
        })
        .unwrap_err();
        let names: Vec<_> = errors.iter().map(|e| e.field.as_deref().unwrap()).collect();
        assert_eq!(
            names,
            [
                "created_at_to",
                "payer_id",
                "act_status",
                "sort",
                "direction",
                "page",
                "limit"
            ]
        );
        assert!(ActQuery::parse(None, Some("0"), |_| None).is_err());
        let loud = [
            ("sort", "AMOUNT"),
            ("direction", "DESC"),
            ("act_status", "Sended"),
        ];
        let q = ActQuery::parse(None, None, |k| {
            loud.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
        })
        .unwrap();
        assert_eq!((q.sort, q.direction), (ActSort::Amount, Direction::Desc));
        assert_eq!(q.filter.status, Some(ActStatus::Sended));
        let short_year = [("created_at_from", "01.01.18")];
        assert!(
            ActQuery::parse(None, None, |k| {
                short_year.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
            })
            .is_err()
        );
        assert!(ActQuery::parse(Some("0"), None, |_| None).is_err());
    }

    #[test]
    fn status_only_filters_are_answered_from_counts() {
        let mut f = ActFilter::default();
        assert!(f.is_status_only());
        f.status = Some(ActStatus::Sended);
        assert!(f.is_status_only());
        f.payer_id = Some(1);
        assert!(!f.is_status_only());
    }
}
