//! The sequences that lost or doubled data before the period rule, each as a test of its own:
//! what 1C sent stays, whatever lands between the parts of an exchange.

use serde_json::{Value, json};

use super::{ACCOUNT, COUNTER, OTHER_ACCOUNT, SERVICE, office, payment, stored, transactions};
use crate::helpers::TestApp;

/// Readings of the counter on 5 December 2018, minutes `from..to` past midnight.
fn readings(minutes: std::ops::Range<u32>) -> Value {
    let items: Vec<Value> = minutes
        .map(|m| json!({"counter": COUNTER, "date": format!("2018-12-05T00:{m:02}:00"), "current_data1": m}))
        .collect();
    json!(items)
}

fn day_part<'a>(exchange: &'a str, part: &'a str, parts: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("from", "2018-12-05"),
        ("to", "2018-12-05"),
        ("exchange", exchange),
        ("part", part),
        ("parts", parts),
    ]
}

const DAY: [(&str, &str); 2] = [("from", "2018-12-05"), ("to", "2018-12-05")];
const EXCHANGE: &str = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";

/// `current_data1` of every reading of the counter, oldest first.
async fn stored_readings(app: &TestApp) -> Vec<i64> {
    let (status, page) = app.get_readings(COUNTER, &[]).await;
    assert_eq!(status, 200, "{page}");
    let mut values: Vec<i64> = page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["current_data1"].as_i64().unwrap())
        .collect();
    values.reverse();
    values
}

/// Readings 1C no longer holds, written long before the exchanges below.
async fn mistaken_readings(app: &TestApp) {
    let mistakes =
        json!([{"counter": COUNTER, "date": "2018-12-05T23:00:00", "current_data1": 999}]);
    assert_eq!(app.post_readings(mistakes, &[]).await.0, 201);
    app.time_passes();
}

#[tokio::test]
async fn an_exchange_keeps_what_a_plain_import_rewrote_between_its_parts() {
    let app = office("seqplain").await;
    mistaken_readings(&app).await;
    let part = |k| day_part(EXCHANGE, k, "2");
    assert_eq!(app.post_readings(readings(0..15), &part("1")).await.0, 201);
    // Another 1C job pushes today's data meanwhile: five of the same readings.
    assert_eq!(app.post_readings(readings(10..15), &[]).await.0, 201);
    let (status, answer) = app.post_readings(readings(15..20), &part("2")).await;
    assert_eq!((status, &answer["removed"]), (201, &json!(1)), "{answer}");
    assert_eq!(stored_readings(&app).await, (0..20).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_exchange_keeps_what_a_period_import_of_the_same_day_wrote_between_its_parts() {
    let app = office("seqperiod").await;
    mistaken_readings(&app).await;
    let part = |k| day_part(EXCHANGE, k, "2");
    assert_eq!(app.post_readings(readings(0..15), &part("1")).await.0, 201);
    let (status, answer) = app.post_readings(readings(0..20), &DAY).await;
    assert_eq!((status, &answer["removed"]), (201, &json!(1)), "{answer}");
    let (status, answer) = app.post_readings(readings(15..20), &part("2")).await;
    assert_eq!((status, &answer["removed"]), (201, &json!(0)), "{answer}");
    assert_eq!(stored_readings(&app).await, (0..20).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_deleted_accounts_history_survives_period_imports_and_comes_back_with_it() {
    let app = office("seqdeleted").await;
    let november = json!([payment(None, OTHER_ACCOUNT, "2018-11-10", 100)]);
    let nov = [("from", "2018-11-01"), ("to", "2018-11-30")];
    assert_eq!(app.post_transactions(november, &nov).await.0, 201);
    let deleted = json!([{"id": OTHER_ACCOUNT, "name": "ЛС-2", "deleted": true}]);
    assert_eq!(app.post_accounts(deleted).await.0, 201);
    app.time_passes();
    // December as 1C holds it: the deleted account's charges are still in 1C's books.
    let december = json!([
        payment(None, ACCOUNT, "2018-12-10", 50),
        payment(None, OTHER_ACCOUNT, "2018-12-10", 200),
    ]);
    let dec = [("from", "2018-12-01"), ("to", "2018-12-31")];
    let (status, answer) = app.post_transactions(december, &dec).await;
    assert_eq!((status, &answer["removed"]), (201, &json!(0)), "{answer}");
    assert_eq!(app.get_transactions(OTHER_ACCOUNT, &[]).await.0, 404);
    let again = json!([{"id": OTHER_ACCOUNT, "name": "ЛС-2"}]);
    assert_eq!(app.post_accounts(again).await.0, 201);
    assert_eq!(
        transactions(&app, OTHER_ACCOUNT).await,
        [
            ("2018-12-10T00:00:00".into(), 200),
            ("2018-11-10T00:00:00".into(), 100)
        ]
    );
}

#[tokio::test]
async fn a_forty_year_period_costs_what_it_holds_not_its_length() {
    let app = office("seqlong").await;
    let balance = json!([{"account": ACCOUNT, "service": SERVICE, "date": "2018-06-30T23:59:59", "amount": -100}]);
    assert_eq!(app.post_balances(balance, &[]).await.0, 201);
    app.time_passes();
    for (from, to, removed) in [
        ("1990-01-01", "2017-12-31", 0),
        ("1000-01-01", "9999-12-31", 1),
    ] {
        let (counted, calls) = app.counting_calls();
        let (status, answer) = counted
            .post_balances(json!([]), &[("from", from), ("to", to)])
            .await;
        assert_eq!(
            (status, &answer["removed"]),
            (201, &json!(removed)),
            "{answer}"
        );
        // The key, the calendar's months of the period, the journal's entry; for the balance
        // removed: its partition, the consistent read, the delete, and the latest balance's
        // fall-back (read, history, delete).
        let calls = calls.load(std::sync::atomic::Ordering::SeqCst);
        assert!(calls <= 3 + 6 * removed, "{from}..{to}: {calls} calls");
    }
}

#[tokio::test]
async fn a_refused_first_part_leaves_its_exchange_open_to_another_cut() {
    let app = office("seqrefused").await;
    let many: Vec<Value> = (0..1001)
        .map(|i| {
            payment(
                None,
                ACCOUNT,
                &format!(
                    "2018-12-{:02}T{:02}:{:02}:00",
                    1 + i % 28,
                    i / 60 % 24,
                    i % 60
                ),
                i as i64 + 1,
            )
        })
        .collect();
    let part = |k: &'static str, n: &'static str| {
        [
            ("from", "2018-12-01"),
            ("to", "2018-12-31"),
            ("exchange", EXCHANGE),
            ("part", k),
            ("parts", n),
        ]
    };
    let (status, answer) = app.post_transactions(json!(many), &part("1", "2")).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (413, Some("too_many_in_one_partition"))
    );
    // The same exchange cut into three parts instead.
    for (k, items) in [
        ("1", &many[..400]),
        ("2", &many[400..800]),
        ("3", &many[800..]),
    ] {
        let (status, answer) = app.post_transactions(json!(items), &part(k, "3")).await;
        assert_eq!(status, 201, "part {k}: {answer}");
    }
    assert_eq!(stored(&app, ACCOUNT).await.len(), 1001);
}
