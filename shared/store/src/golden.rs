//! Golden values: what is already stored in AWS must be found again, so the shard of an id,
//! the keys and the attribute names of every kind of item are pinned here, literally. A
//! round trip cannot see a renamed attribute (it renames both ways); these tests do. A failure
//! here means stored data would be lost or duplicated: change the code back, or migrate.

use chrono::{DateTime, Utc};
use domain::settings::{Settings, Window};
use domain::submissions::{Figures, Submission, SubmissionStatus};
use domain::{Account, Balance, Counter, Guid, Reading, Service, Tenant, Transaction};
use serde_json::{Value, json};

use crate::Stamp;
use crate::items::Item;
use crate::keys::{Stored, shard};
use crate::records::plan::{Row, item_of};

fn tenant() -> Tenant {
    Tenant::parse("okunevo").unwrap()
}

fn guid(text: &str) -> Guid {
    serde_json::from_value(json!(text)).unwrap()
}

fn at() -> DateTime<Utc> {
    "2026-11-25T20:30:00.123456Z".parse().unwrap()
}

/// An item as sorted JSON: attribute names and values, as DynamoDB holds them.
fn json_of(item: Item) -> Value {
    serde_dynamo::from_item(item).unwrap()
}

fn row<R: Stored>(record: R) -> Value {
    let tenant = tenant();
    let key = record.key(&tenant, 0);
    let stamp = Stamp {
        at: at(),
        import: Some(guid("00000000-0000-0000-0000-00000000000e")),
    };
    json_of(item_of(Row::new(&tenant, &key, &record, Some(stamp))).unwrap())
}

const A: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const B: &str = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
const S: &str = "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94";

fn records() -> Vec<(&'static str, Value)> {
    let service: Service = serde_json::from_value(json!({"id": S, "organization": "org",
        "short_name": "ХВС", "full_name": "Холодная вода", "deleted": false}))
    .unwrap();
    let account: Account = serde_json::from_value(json!({"id": A, "name": "ЛС 1",
        "address": "ул. 1", "full_name": "Ф И О", "ownership": "0.5", "square": "54.3",
        "cadastral": "77:01", "phone": "+7", "email": "a@b", "deleted": false}))
    .unwrap();
    let counter: Counter = serde_json::from_value(json!({"id": B, "name": "ХВС кухня",
        "type": "ХВС", "account": A, "service": S, "date_installation": "2017-04-20T00:00:00",
        "date_removal": null, "date_verification": null, "deleted": false}))
    .unwrap();
    let reading: Reading = serde_json::from_value(json!({"counter": B,
        "date": "2018-12-05T15:14:46", "current_data1": "33", "current_data2": "10.5",
        "current_data3": null}))
    .unwrap();
    let balance: Balance = serde_json::from_value(json!({"account": A, "service": S,
        "date": "2018-06-30T23:59:59", "amount": "-20394.86"}))
    .unwrap();
    let with_id: Transaction = serde_json::from_value(json!({"account": A, "service": S,
        "date": "2018-12-01T00:00:00", "amount": "-2600", "id": B}))
    .unwrap();
    let without_id: Transaction = serde_json::from_value(json!({"account": A, "service": null,
        "date": "2018-12-01T00:00:00", "amount": "100.50", "id": null}))
    .unwrap();
    vec![
        ("service", row(service)),
        ("account", row(account)),
        ("counter", row(counter)),
        ("reading", row(reading)),
        ("balance", row(balance)),
        ("transaction with id", row(with_id)),
        ("transaction without id", row(without_id)),
    ]
}

#[test]
fn the_shard_of_an_id_never_changes() {
    let pinned = [
        (A, 82),
        (B, 45),
        (S, 17),
        ("00000000-0000-0000-0000-000000000001", 101),
        ("ffffffff-ffff-ffff-ffff-ffffffffffff", 0),
    ];
    for (id, expected) in pinned {
        assert_eq!(shard(guid(id)), expected, "{id}");
    }
}

#[test]
fn each_records_item_keeps_its_keys_and_attribute_names() {
    let golden = [
        (
            "service",
            json!({
                "full_name": "Холодная вода",
                "id": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
                "organization": "org",
                "pk": "okunevo#017",
                "short_name": "ХВС",
                "sk": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94"
            }),
        ),
        (
            "account",
            json!({
                "address": "ул. 1",
                "cadastral": "77:01",
                "email": "a@b",
                "full_name": "Ф И О",
                "id": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "name": "ЛС 1",
                "ownership": "0.5",
                "phone": "+7",
                "pk": "okunevo#082",
                "sk": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "square": "54.3"
            }),
        ),
        (
            "counter",
            json!({
                "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "account_key": "okunevo#358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "date_installation": "2017-04-20T00:00:00",
                "date_removal": null,
                "date_verification": null,
                "id": "a7a747b2-24d8-11e7-ae76-0050569f0c67",
                "name": "ХВС кухня",
                "pk": "okunevo#045",
                "service": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
                "sk": "a7a747b2-24d8-11e7-ae76-0050569f0c67",
                "type": "ХВС"
            }),
        ),
        (
            "reading",
            json!({
                "counter": "a7a747b2-24d8-11e7-ae76-0050569f0c67",
                "current_data1": "33",
                "current_data2": "10.5",
                "current_data3": null,
                "date": "2018-12-05T15:14:46",
                "exchange": "00000000-0000-0000-0000-00000000000e",
                "period_pk": "okunevo#2018-12#045",
                "pk": "okunevo#a7a747b2-24d8-11e7-ae76-0050569f0c67",
                "sk": "2018-12-05T15:14:46",
                "written_at": 1_795_638_600_123_i64
            }),
        ),
        (
            "balance",
            json!({
                "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "amount": "-20394.86",
                "date": "2018-06-30T23:59:59",
                "exchange": "00000000-0000-0000-0000-00000000000e",
                "period_pk": "okunevo#2018-06#082",
                "pk": "okunevo#358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "service": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
                "sk": "2018-06-30T23:59:59#7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
                "written_at": 1_795_638_600_123_i64
            }),
        ),
        (
            "transaction with id",
            json!({
                "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "amount": "-2600",
                "date": "2018-12-01T00:00:00",
                "exchange": "00000000-0000-0000-0000-00000000000e",
                "id": "a7a747b2-24d8-11e7-ae76-0050569f0c67",
                "period_pk": "okunevo#2018-12#082",
                "pk": "okunevo#358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "service": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
                "sk": "2018-12-01T00:00:00#7dc3cef2-a1b0-11e2-be89-b888e3dbaf94#id:a7a747b2-24d8-11e7-ae76-0050569f0c67",
                "written_at": 1_795_638_600_123_i64
            }),
        ),
        (
            "transaction without id",
            json!({
                "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "amount": "100.50",
                "date": "2018-12-01T00:00:00",
                "exchange": "00000000-0000-0000-0000-00000000000e",
                "period_pk": "okunevo#2018-12#082",
                "pk": "okunevo#358d67ad-d66e-11e3-bd79-94de80e97e9a",
                "service": null,
                "sk": "2018-12-01T00:00:00#-#100.5#0",
                "written_at": 1_795_638_600_123_i64
            }),
        ),
    ];
    let records = records();
    assert_eq!(records.len(), golden.len());
    for ((name, item), (golden_name, expected)) in records.into_iter().zip(golden) {
        assert_eq!(name, golden_name);
        assert_eq!(item, expected, "{name}");
    }
}

#[test]
fn a_submissions_item_keeps_its_keys_and_attribute_names() {
    let submission = Submission {
        id: guid(S),
        sent_id: Some(guid(B)),
        counter: guid(B),
        account: Some(guid(A)),
        date: serde_json::from_value(json!("2026-11-25T23:30:00")).unwrap(),
        figures: Figures {
            current_data1: rust_decimal::Decimal::new(1505, 1),
            current_data2: Some(rust_decimal::Decimal::new(7, 0)),
            current_data3: None,
        },
        source: serde_json::from_value(json!("app")).unwrap(),
        submitted_at: at(),
        suspicious: true,
        status: SubmissionStatus::Pending,
        reason: None,
    };
    let item = crate::submissions::submission_item(&tenant(), &submission).unwrap();
    assert_eq!(
        json_of(item),
        json!({
            "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
            "account_counter_pk": "okunevo#358d67ad-d66e-11e3-bd79-94de80e97e9a#a7a747b2-24d8-11e7-ae76-0050569f0c67",
            "counter": "a7a747b2-24d8-11e7-ae76-0050569f0c67",
            "counter_pk": "okunevo#a7a747b2-24d8-11e7-ae76-0050569f0c67",
            "counter_sk": "2026-11-25T23:30:00#2026-11-25T20:30:00.123456Z#7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
            "date": "2026-11-25T23:30:00",
            "figures": {
                "current_data1": "150.5",
                "current_data2": "7",
                "current_data3": null
            },
            "id": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
            "pending_pk": "okunevo",
            "pending_sk": "2026-11-25T20:30:00.123456Z#7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
            "pk": "okunevo#7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
            "reason": null,
            "sent_id": "a7a747b2-24d8-11e7-ae76-0050569f0c67",
            "source": "app",
            "status": "pending",
            "submitted_at": "2026-11-25T20:30:00.123456Z",
            "suspicious": true
        })
    );
}

#[test]
fn the_settings_item_keeps_its_key_and_attribute_names() {
    let settings = Settings {
        time_zone: "Europe/Kaliningrad".parse().unwrap(),
        readings_window: Window::new(25, 5),
    };
    let item = crate::settings::settings_item(&tenant(), &settings);
    assert_eq!(
        json_of(item),
        json!({
            "from_day": 25,
            "pk": "okunevo",
            "time_zone": "Europe/Kaliningrad",
            "to_day": 5
        })
    );
}

#[test]
fn the_keys_beside_the_records_keep_their_formats() {
    let t = tenant();
    let balance: Balance = serde_json::from_value(json!({"account": A, "service": null,
        "date": "2018-06-30T23:59:59", "amount": "1"}))
    .unwrap();
    let (latest, _) = balance.latest(&t).unwrap();
    assert_eq!(
        (latest.pk.as_str(), latest.sk.as_str()),
        ("okunevo#358d67ad-d66e-11e3-bd79-94de80e97e9a#latest", "-")
    );
    let pointer = crate::keys::identity_key(&t, guid(B));
    assert_eq!(
        (pointer.pk.as_str(), pointer.sk.as_str()),
        ("okunevo#tx#045", B)
    );
    assert_eq!(crate::keys::calendar_partition(&t), "okunevo#calendar");
    // A postponed submission's place in `Pending`: the instant its postponement ends.
    assert_eq!(
        crate::submissions::pending_sort_key(at(), guid(S)),
        "2026-11-25T20:30:00.123456Z#7dc3cef2-a1b0-11e2-be89-b888e3dbaf94"
    );
    assert_eq!(
        crate::settings::settings_key(&t)["pk"],
        aws_sdk_dynamodb::types::AttributeValue::S("okunevo".into())
    );
}

#[test]
fn api_keys_and_their_pointers_keep_their_attribute_names() {
    // An office's key (its hash is its pk) and a resident's (under `resident#`, with its
    // account's index key and its expiry).
    let office = domain::KeyHash::parse(&"ab".repeat(32)).unwrap();
    let record = crate::KeyRecord {
        id: office.id().to_owned(),
        tenant: "okunevo".into(),
        scopes: vec!["import".into(), "read".into()],
        created_at: "2026-11-25T20:30:00Z".into(),
        expires_at: None,
        revoked_at: None,
    };
    let key = json_of(crate::api_keys::stored_key(&office, &record).unwrap());
    let pointer = json_of(crate::api_keys::key_pointer(&office, &record));
    assert_eq!(
        key,
        json!({
            "created_at": "2026-11-25T20:30:00Z",
            "id": "abababababab",
            "pk": "abababababababababababababababababababababababababababababababab",
            "revoked_at": null,
            "scopes": ["import", "read"],
            "tenant": "okunevo"
        })
    );
    assert_eq!(
        pointer,
        json!({
            "hash": "abababababababababababababababababababababababababababababababab",
            "pk": "id#abababababab"
        })
    );
    let resident = domain::KeyHash::parse(&format!("r{}", "cd".repeat(32))).unwrap();
    let record = crate::KeyRecord {
        id: resident.id().to_owned(),
        tenant: format!("okunevo/{A}"),
        scopes: vec!["read".into(), "submit".into()],
        created_at: "2026-11-25T20:30:00Z".into(),
        expires_at: Some("2027-02-23T20:30:00Z".into()),
        revoked_at: None,
    };
    let key = json_of(crate::api_keys::stored_key(&resident, &record).unwrap());
    let pointer = json_of(crate::api_keys::key_pointer(&resident, &record));
    assert_eq!(
        key,
        json!({
            "account_key": "okunevo/358d67ad-d66e-11e3-bd79-94de80e97e9a",
            "created_at": "2026-11-25T20:30:00Z",
            "expires_at": "2027-02-23T20:30:00Z",
            "id": "cdcdcdcdcdcd",
            "pk": "resident#cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
            "purge_at": 1806006600,
            "revoked_at": null,
            "scopes": ["read", "submit"],
            "tenant": "okunevo/358d67ad-d66e-11e3-bd79-94de80e97e9a"
        })
    );
    assert_eq!(
        pointer,
        json!({
            "hash": "rcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
            "pk": "resident#id#cdcdcdcdcdcd",
            "purge_at": 1806006600
        })
    );
}

#[test]
fn an_acts_row_keeps_its_keys_and_attribute_names() {
    let act: domain::Act = crate::parsed::parse(json!({"act_number": 777, "count_number": "42800",
        "created_at": "2018-10-31", "act_status": "sended", "send_date": "2019-01-15",
        "payer": {"id": 7, "name": "ООО «Василек»"}, "recipient": {"id": 3, "name": "ООО «Ромашка»"},
        "vat_rate": "20", "services": [{"title": "Услуга", "amount": 1000}]}));
    let tenant = tenant();
    let row = json_of(item_of(crate::acts::rows::ActRow::new(&tenant, &act)).unwrap());
    assert_eq!(
        row,
        json!({
            "act_description": null,
            "act_number": 777,
            "act_status": "sended",
            "act_text": null,
            "by_amount": "00000000000000120000#00000000000000000777",
            "by_count": "000000000000000042800#00000000000000000777",
            "by_created": "2018-10-31#00000000000000000777",
            "by_number": "00000000000000000777",
            "contacts": null,
            "count_number": "42800",
            "created_at": "2018-10-31",
            "customer_general_manager": null,
            "general_manager": null,
            "general_manager_position": null,
            "general_manager_procuratory": null,
            "logo": null,
            "payer": {
                "id": 7,
                "name": "ООО «Василек»"
            },
            "payer_id": 7,
            "payment_text": null,
            "pk": "okunevo",
            "postal_address": null,
            "recipient": {
                "id": 3,
                "name": "ООО «Ромашка»"
            },
            "recipient_id": 3,
            "send_address": null,
            "send_date": "2019-01-15",
            "send_method": null,
            "services": [
                {
                    "amount": "1000",
                    "price": null,
                    "quantity": null,
                    "title": "Услуга",
                    "unit": null
                }
            ],
            "sk": "act#00000000000000000777",
            "vat_included": false,
            "vat_rate": 20,
            "warranty_text": null
        })
    );
}

/// A deleted act keeps its fields and its document, and loses its sort keys: it is in no
/// index.
#[test]
fn a_deleted_acts_row_has_its_document_and_no_sort_keys() {
    let act: domain::Act =
        crate::parsed::parse(json!({"id": "6f1c7a52-1b0e-11e9-80d4-0050569c3f5e",
        "deleted": true, "act_number": 5, "created_at": "2018-10-31", "act_status": "sended",
        "payer": {"id": 7, "name": "П"}, "recipient": {"id": 3, "name": "Р"},
        "services": [{"title": "Услуга", "amount": 1}]}));
    let tenant = tenant();
    let row = json_of(item_of(crate::acts::rows::ActRow::new(&tenant, &act)).unwrap());
    assert_eq!(row["document"], "6f1c7a52-1b0e-11e9-80d4-0050569c3f5e");
    assert_eq!(row["deleted"], true);
    assert_eq!(row["payer_id"], 7, "what a replacement's condition reads");
    for order in ["by_amount", "by_count", "by_created", "by_number"] {
        assert!(row.get(order).is_none(), "{order}: {row}");
    }
}
