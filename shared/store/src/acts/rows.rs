//! What an act, a party and the counts are stored as, and their keys.

use domain::{Act, ActNumber, PartyRole, Tenant};
use rust_decimal::Decimal;
use serde::Serialize;

pub(super) fn act_sk(number: ActNumber) -> String {
    format!("act#{:020}", number.get())
}

/// Transactions of one import run side by side, each on a slot of its own: the counts and each
/// party's count of acts are kept per slot (`counts#<slot>`, `payer#<id>#<slot>`), so that they
/// never update the same item, and a read sums the slots. Items written before the slots
/// (`counts`, `payer#<id>`) are read as one more slot.
pub(super) const SLOTS: u32 = 16;

pub(super) fn party_sk(role: PartyRole, id: u64, slot: u32) -> String {
    format!("{}#{id:020}#{slot:02}", role_prefix(role))
}

pub(super) fn role_prefix(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Payer => "payer",
        PartyRole::Recipient => "recipient",
    }
}

/// The prefix of every counts item.
pub(super) const COUNTS_SK: &str = "counts";

pub(super) fn counts_sk(slot: u32) -> String {
    format!("{COUNTS_SK}#{slot:02}")
}

/// `by_count` of acts without a count number: after every other key, so they come last in an
/// ascending walk (a descending walk reads them in a segment of their own, last).
pub(super) const NO_COUNT_KEY: &str = "2";

/// Numeric account numbers sort as numbers, then other text, then acts without one.
pub(super) fn count_key(count_number: Option<&str>) -> String {
    match count_number {
        Some(n) if !n.is_empty() && n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("0{n:0>20}")
        }
        Some(n) => format!("1{n}"),
        None => NO_COUNT_KEY.to_owned(),
    }
}

/// Kopecks, zero-padded: acts' payable totals are never negative, and far below 10^20 rubles.
pub(super) fn amount_key(amount: Decimal) -> String {
    let kopecks = amount
        .checked_mul(Decimal::ONE_HUNDRED)
        .map(|k| k.round())
        .and_then(|k| u128::try_from(k).ok())
        .unwrap_or(0);
    format!("{kopecks:020}")
}

/// What an act is stored as: the act, its sort keys, and its flat filter attributes. A deleted
/// act has no sort keys, so it is in no index: no list or filter walks over it.
#[derive(Serialize)]
pub(crate) struct ActRow<'a> {
    pk: &'a str,
    pub(super) sk: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    orders: Option<Orders>,
    payer_id: u64,
    recipient_id: u64,
    #[serde(flatten)]
    act: &'a Act,
}

impl<'a> ActRow<'a> {
    /// The act's field a key of the row (of the table or of an index) is made of: only
    /// `count_number` is text of any length; the partition is the tenant's.
    pub(super) fn field_of(attribute: &str) -> &'static str {
        match attribute {
            "by_created" => "created_at",
            "by_count" => "count_number",
            "by_amount" => "services",
            _ => "act_number",
        }
    }

    pub(crate) fn new(tenant: &'a Tenant, act: &'a Act) -> Self {
        Self {
            pk: tenant.as_str(),
            sk: act_sk(act.act_number),
            orders: (!act.deleted).then(|| Orders::of(act)),
            payer_id: act.payer.id,
            recipient_id: act.recipient.id,
            act,
        }
    }
}

/// An act's sort key per list order, each the range key of an index.
#[derive(Serialize)]
struct Orders {
    by_created: String,
    by_number: String,
    by_count: String,
    by_amount: String,
}

impl Orders {
    fn of(act: &Act) -> Self {
        let number = format!("{:020}", act.act_number.get());
        Self {
            by_created: format!("{}#{number}", act.created_at),
            by_count: format!(
                "{}#{number}",
                count_key(act.count_number.as_ref().map(|c| c.as_str()))
            ),
            by_amount: format!("{}#{number}", amount_key(act.totals().with_vat)),
            by_number: number,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Table;

    #[test]
    fn count_numbers_sort_numerically_then_as_text_then_missing_last() {
        let mut keys = [
            count_key(Some("42800")),
            count_key(None),
            count_key(Some("9")),
            count_key(Some("A-1")),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                count_key(Some("9")),
                count_key(Some("42800")),
                count_key(Some("A-1")),
                count_key(None)
            ]
        );
    }

    /// The longest act every field admits, its count number `count` long.
    fn longest_act(count: &str) -> Act {
        let line = serde_json::json!({"title": "x", "amount": "999999999999999.99"});
        crate::parsed::parse(serde_json::json!({
            "act_number": u64::MAX, "created_at": "9999-12-31", "count_number": count,
            "act_status": "sended", "payer": {"id": u64::MAX, "name": "П"},
            "recipient": {"id": u64::MAX, "name": "П"}, "vat_rate": 22,
            "services": vec![line; 100]}))
    }

    #[test]
    fn only_a_count_number_can_make_a_key_too_long_and_it_is_named() {
        use crate::items::Item;
        let tenant = Tenant::parse(&"t".repeat(64)).unwrap();
        let item = |count: &str| {
            let act = longest_act(count);
            let item: Item = serde_dynamo::to_item(ActRow::new(&tenant, &act)).unwrap();
            crate::items::overlong_key(7, &item, Table::Acts, ActRow::field_of)
        };
        // `1` + the count number + `#` + 20 digits: 1,002 bytes of it fit in 1,024.
        assert_eq!(item(&"Я".repeat(501)), None);
        let problem = item(&"Я".repeat(502)).unwrap();
        assert_eq!(
            (problem.index, problem.field.as_deref()),
            (Some(7), Some("count_number"))
        );
        // Every other sort key of the longest act is far inside the limit.
        let act = longest_act("1");
        let row: Item = serde_dynamo::to_item(ActRow::new(&tenant, &act)).unwrap();
        for key in Table::Acts.key_attributes() {
            let aws_sdk_dynamodb::types::AttributeValue::S(value) = &row[key.name] else {
                panic!("{} is not a string", key.name)
            };
            assert!(value.len() < 100, "{}: {value}", key.name);
        }
    }

    #[test]
    fn amount_keys_sort_by_kopecks() {
        let a = amount_key("960".parse().unwrap());
        let b = amount_key("1000.01".parse().unwrap());
        assert!(a < b);
        assert_eq!(a, "00000000000000096000");
        assert_eq!(amount_key(Decimal::MAX), "00000000000000000000");
    }
}
