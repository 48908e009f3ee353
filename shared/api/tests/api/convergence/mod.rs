//! The cloud copy follows 1C, in process against DynamoDB Local: corrections by transaction id,
//! period imports that remove what 1C no longer holds, multi-part exchanges, directory
//! deletions, and a crash in the middle of a period import followed by the same request.

use domain::Transaction;
use serde_json::{Value, json};

mod concurrency;
mod ids;
mod model;
mod opened;
mod sequences;

use crate::helpers::TestApp;

const ACCOUNT: &str = "af723e90-c3d4-11e4-8075-1c6f652434e1";
const OTHER_ACCOUNT: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const SERVICE: &str = "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48";
const COUNTER: &str = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
const DECEMBER: [(&str, &str); 2] = [("from", "2018-12-01"), ("to", "2018-12-31")];

/// An app with two accounts, a service and a counter.
async fn office(test: &str) -> TestApp {
    let app = TestApp::new(test).await;
    furnish(&app).await;
    app
}

/// The same app as a fresh tenant, with the directories of [`office`].
async fn fresh_office(app: &TestApp, tenant: &str) -> TestApp {
    let app = app.fresh_tenant(tenant).await;
    furnish(&app).await;
    app
}

/// Two accounts, a service and a counter.
async fn furnish(app: &TestApp) {
    let service = json!([{"id": SERVICE, "full_name": "Членский взнос"}]);
    assert_eq!(app.post_services(service).await.0, 201);
    let accounts = json!([{"id": ACCOUNT, "name": "ЛС-1"}, {"id": OTHER_ACCOUNT, "name": "ЛС-2"}]);
    assert_eq!(app.post_accounts(accounts).await.0, 201);
    let counter = json!([{"id": COUNTER, "account": ACCOUNT, "service": SERVICE}]);
    assert_eq!(app.post_counters(counter).await.0, 201);
}

fn payment(id: Option<&str>, account: &str, date: &str, amount: i64) -> Value {
    let mut t = json!({"account": account, "service": SERVICE, "date": date, "amount": amount});
    if let Some(id) = id {
        t["id"] = json!(id);
    }
    t
}

/// `(date, amount)` of every transaction of the account, newest first.
async fn transactions(app: &TestApp, account: &str) -> Vec<(String, i64)> {
    let (status, page) = app.get_transactions(account, &[("limit", "1000")]).await;
    assert_eq!(status, 200, "{page}");
    page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["date"].as_str().unwrap().to_owned(),
                t["amount"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Every transaction stored for the account, as the store holds it (deleted accounts too).
async fn stored(app: &TestApp, account: &str) -> Vec<Transaction> {
    app.store()
        .whole_history(&app.tenant, account.parse().unwrap())
        .await
        .unwrap()
}

const ID_1: &str = "11111111-1111-4111-8111-111111111111";
const ID_2: &str = "22222222-2222-4222-8222-222222222222";

#[tokio::test]
async fn a_transaction_sent_again_by_id_replaces_itself_wherever_it_was() {
    let app = office("txid").await;
    let first = json!([payment(Some(ID_1), ACCOUNT, "2018-12-01", -2600)]);
    assert_eq!(app.post_transactions(first, &[]).await.0, 201);
    // Corrected amount, then a corrected date: one transaction, as 1C holds it.
    let corrected = json!([payment(Some(ID_1), ACCOUNT, "2018-12-01", -2700)]);
    app.post_transactions(corrected, &[]).await;
    assert_eq!(
        transactions(&app, ACCOUNT).await,
        [("2018-12-01T00:00:00".into(), -2700)]
    );
    let moved = json!([payment(Some(ID_1), ACCOUNT, "2018-12-05", -2700)]);
    app.post_transactions(moved.clone(), &[]).await;
    assert_eq!(
        transactions(&app, ACCOUNT).await,
        [("2018-12-05T00:00:00".into(), -2700)]
    );
    // Sending the same again changes nothing.
    app.post_transactions(moved, &[]).await;
    assert_eq!(transactions(&app, ACCOUNT).await.len(), 1);
}

#[tokio::test]
async fn equal_payments_with_two_ids_in_two_requests_are_two() {
    let app = office("txtwo").await;
    for id in [ID_1, ID_2] {
        let body = json!([payment(Some(id), ACCOUNT, "2018-12-01", -500)]);
        assert_eq!(app.post_transactions(body, &[]).await.0, 201);
    }
    assert_eq!(transactions(&app, ACCOUNT).await.len(), 2);
}

#[tokio::test]
async fn a_period_import_removes_what_1c_no_longer_holds_and_nothing_else() {
    let app = office("period").await;
    let before = json!([
        payment(None, ACCOUNT, "2018-12-10", -1000), // un-posted in 1C later
        payment(None, OTHER_ACCOUNT, "2018-12-10", 300), // stays
        payment(None, OTHER_ACCOUNT, "2018-11-30", 400), // outside the period
        payment(None, OTHER_ACCOUNT, "2019-01-01", 500), // outside the period
    ]);
    assert_eq!(app.post_transactions(before.clone(), &[]).await.0, 201);
    let other = app.fresh_tenant("other").await;
    assert_eq!(other.post_services(json!([{"id": SERVICE}])).await.0, 201);
    assert_eq!(
        other
            .post_accounts(json!([{"id": ACCOUNT, "name": "ЛС"}]))
            .await
            .0,
        201
    );
    let theirs = json!([payment(None, ACCOUNT, "2018-12-10", -1000)]);
    assert_eq!(other.post_transactions(theirs, &[]).await.0, 201);

    // December as 1C holds it now: only the other account's payment. The first account has
    // nothing left in the period at all.
    app.time_passes();
    let december = json!([payment(None, OTHER_ACCOUNT, "2018-12-10", 300)]);
    let (status, answer) = app.post_transactions(december, &DECEMBER).await;
    assert_eq!(
        (status, answer),
        (201, json!({"imported": 1, "removed": 1}))
    );
    assert_eq!(transactions(&app, ACCOUNT).await, []);
    assert_eq!(transactions(&app, OTHER_ACCOUNT).await.len(), 3);
    assert_eq!(
        transactions(&other, ACCOUNT).await.len(),
        1,
        "another tenant is untouched"
    );
}

#[tokio::test]
async fn bad_periods_are_refused_and_write_nothing() {
    let app = office("periodbad").await;
    let outside = json!([payment(None, ACCOUNT, "2019-01-01", 1)]);
    let (status, answer) = app.post_transactions(outside, &DECEMBER).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"]["details"][0],
        json!({"index": 0, "field": "date",
        "message": "дата вне объявленного периода (from, to)"})
    );
    let inside = json!([payment(None, ACCOUNT, "2018-12-05", 1)]);
    for query in [
        vec![("from", "2018-12-31"), ("to", "2018-12-01")],
        vec![("from", "2018-12-01")],
        vec![
            ("from", "2018-12-01"),
            ("to", "2018-12-31"),
            ("exchange", ID_1),
            ("part", "4"),
            ("parts", "3"),
        ],
    ] {
        let (status, answer) = app.post_transactions(inside.clone(), &query).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{query:?}"
        );
    }
    assert_eq!(transactions(&app, ACCOUNT).await, []);
}

#[tokio::test]
async fn a_three_part_exchange_removes_once_all_parts_arrived_in_any_order() {
    let app = office("exchange").await;
    let stale = json!([payment(None, ACCOUNT, "2018-12-20", -999)]);
    app.post_transactions(stale, &[]).await;
    app.time_passes();
    fn part(k: &str) -> Vec<(&'static str, &str)> {
        vec![
            ("from", "2018-12-01"),
            ("to", "2018-12-31"),
            ("exchange", ID_2),
            ("part", k),
            ("parts", "3"),
        ]
    }
    let items = |day: u32| {
        json!([payment(
            None,
            ACCOUNT,
            &format!("2018-12-{day:02}"),
            -(day as i64)
        )])
    };
    let (status, answer) = app.post_transactions(items(3), &part("3")).await;
    assert_eq!(
        (status, &answer["exchange"]),
        (201, &json!({"received": 1, "parts": 3, "complete": false}))
    );
    assert_eq!(answer.get("removed"), None);
    app.post_transactions(items(1), &part("1")).await;
    assert_eq!(
        transactions(&app, ACCOUNT).await.len(),
        3,
        "nothing removed before the last part"
    );
    // A part whose period differs from the exchange's first part is refused.
    let wrong = vec![
        ("from", "2018-11-01"),
        ("to", "2018-12-31"),
        ("exchange", ID_2),
        ("part", "2"),
        ("parts", "3"),
    ];
    assert_eq!(app.post_transactions(items(2), &wrong).await.0, 400);
    let (_, answer) = app.post_transactions(items(2), &part("2")).await;
    assert_eq!(answer["removed"], 1);
    assert_eq!(answer["exchange"]["complete"], true);
    let want: Vec<(String, i64)> = [3, 2, 1]
        .map(|d| (format!("2018-12-{d:02}T00:00:00"), -d))
        .into();
    assert_eq!(transactions(&app, ACCOUNT).await, want);
    // A part sent again after completion is harmless.
    let (status, answer) = app.post_transactions(items(1), &part("1")).await;
    assert_eq!((status, answer.get("removed")), (201, None));
    assert_eq!(transactions(&app, ACCOUNT).await, want);
}

#[tokio::test]
async fn an_exchange_left_incomplete_removes_nothing() {
    let app = office("exchangeopen").await;
    app.post_transactions(json!([payment(None, ACCOUNT, "2018-12-20", -999)]), &[])
        .await;
    let part = vec![
        ("from", "2018-12-01"),
        ("to", "2018-12-31"),
        ("exchange", ID_1),
        ("part", "1"),
        ("parts", "2"),
    ];
    let (status, _) = app
        .post_transactions(json!([payment(None, ACCOUNT, "2018-12-01", -1)]), &part)
        .await;
    assert_eq!(status, 201);
    assert_eq!(transactions(&app, ACCOUNT).await.len(), 2);
}

#[tokio::test]
async fn readings_and_balances_follow_their_periods_and_the_latest_balance_falls_back() {
    let app = office("periodkinds").await;
    let readings = json!([
        {"counter": COUNTER, "date": "2018-11-25T00:00:00", "current_data1": 10},
        {"counter": COUNTER, "date": "2018-12-25T00:00:00", "current_data1": 20}, // a mistake
    ]);
    app.post_readings(readings, &[]).await;
    app.time_passes();
    let (status, answer) = app.post_readings(json!([]), &DECEMBER).await;
    assert_eq!((status, answer["removed"].as_u64()), (201, Some(1)));
    let (_, account) = app.get_account(ACCOUNT).await;
    assert_eq!(
        account["data"]["counters"][0]["latest_reading"]["current_data1"],
        10
    );

    let balances = json!([
        {"account": ACCOUNT, "service": SERVICE, "date": "2018-11-30T23:59:59", "amount": -100},
        {"account": ACCOUNT, "service": SERVICE, "date": "2018-12-31T23:59:59", "amount": -200},
    ]);
    app.post_balances(balances, &[]).await;
    let (_, account) = app.get_account(ACCOUNT).await;
    assert_eq!(account["data"]["balances"][0]["amount"], -200);
    app.time_passes();
    // December recalculated in 1C to a new date: the old balance goes, the new one is latest.
    let recalculated = json!([{"account": ACCOUNT, "service": SERVICE, "date": "2018-12-15T00:00:00", "amount": -150}]);
    let (_, answer) = app.post_balances(recalculated, &DECEMBER).await;
    assert_eq!(answer["removed"], 1);
    let (_, account) = app.get_account(ACCOUNT).await;
    assert_eq!(account["data"]["balances"][0]["amount"], -150);
    // And with December emptied, November's balance is the latest again.
    app.time_passes();
    app.post_balances(json!([]), &DECEMBER).await;
    let (_, account) = app.get_account(ACCOUNT).await;
    assert_eq!(
        account["data"]["balances"],
        json!([{"account": ACCOUNT, "service": SERVICE,
        "date": "2018-11-30T23:59:59", "amount": -100}])
    );
}

/// A balances period import stopped before, between or after the latest balance's fall-back
/// and the deletes: sent again, the history and the latest balance are both as 1C holds them.
#[tokio::test]
async fn a_balance_removal_stopped_half_way_leaves_the_latest_balance_right() {
    let tables = TestApp::new("balancecrash").await;
    for calls in 0..3 {
        let app = fresh_office(&tables, &format!("stopped-{calls}")).await;
        let balances = json!([
            {"account": ACCOUNT, "service": SERVICE, "date": "2018-11-30T23:59:59", "amount": -100},
            {"account": ACCOUNT, "service": SERVICE, "date": "2018-12-31T23:59:59", "amount": -200},
        ]);
        assert_eq!(app.post_balances(balances, &[]).await.0, 201);
        app.time_passes();
        // The fall-back's write, then the delete: stopped before, between, or not at all.
        let (status, _) = app
            .crashing_after(calls)
            .post_balances(json!([]), &DECEMBER)
            .await;
        assert_eq!(status, if calls < 2 { 500 } else { 201 }, "after {calls}");
        let (_, account) = app.get_account(ACCOUNT).await;
        let latest = account["data"]["balances"][0]["amount"].clone();
        assert!(latest == -100 || latest == -200, "after {calls}: {latest}");
        assert_eq!(app.post_balances(json!([]), &DECEMBER).await.0, 201);
        let (_, account) = app.get_account(ACCOUNT).await;
        assert_eq!(
            account["data"]["balances"],
            json!([{"account": ACCOUNT, "service": SERVICE,
            "date": "2018-11-30T23:59:59", "amount": -100}]),
            "stopped after {calls} write calls, then sent again"
        );
        let (_, history) = app.get_balances(ACCOUNT, &[]).await;
        assert_eq!(history["data"]["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn deleted_directory_entries_are_served_nowhere_but_keep_what_1c_sends_of_them() {
    let app = office("deleted").await;
    let deleted_counter =
        json!([{"id": COUNTER, "account": ACCOUNT, "service": SERVICE, "deleted": true}]);
    assert_eq!(app.post_counters(deleted_counter).await.0, 201);
    let (_, account) = app.get_account(ACCOUNT).await;
    assert_eq!(
        account["data"]["counters"],
        json!([]),
        "a deleted meter leaves the account view"
    );
    assert_eq!(app.get_readings(COUNTER, &[]).await.0, 404);
    // 1C still holds what refers to an entry marked for deletion, and sends it: it is stored,
    // and served by no read while the entry stays deleted.
    let reading = json!([{"counter": COUNTER, "date": "2018-12-25T00:00:00", "current_data1": 1}]);
    assert_eq!(app.post_readings(reading, &[]).await.0, 201);
    assert_eq!(app.get_readings(COUNTER, &[]).await.0, 404);

    let deleted_account = json!([{"id": OTHER_ACCOUNT, "name": "ЛС-2", "deleted": true}]);
    assert_eq!(app.post_accounts(deleted_account).await.0, 201);
    assert_eq!(app.get_account(OTHER_ACCOUNT).await.0, 404);
    assert_eq!(app.get_transactions(OTHER_ACCOUNT, &[]).await.0, 404);
    let payment = json!([payment(None, OTHER_ACCOUNT, "2018-12-01", 1)]);
    assert_eq!(app.post_transactions(payment, &[]).await.0, 201);
    assert_eq!(app.get_transactions(OTHER_ACCOUNT, &[]).await.0, 404);

    let deleted_service = json!([{"id": SERVICE, "deleted": "да"}]);
    assert_eq!(app.post_services(deleted_service).await.0, 201);
    let (_, services) = app.get_services().await;
    assert_eq!(services["data"]["items"], json!([]));

    // Sent again without the flag, they are back with all their history.
    let again = json!([{"id": OTHER_ACCOUNT, "name": "ЛС-2"}]);
    assert_eq!(app.post_accounts(again).await.0, 201);
    assert_eq!(app.post_services(json!([{"id": SERVICE}])).await.0, 201);
    let counter = json!([{"id": COUNTER, "account": ACCOUNT, "service": SERVICE}]);
    assert_eq!(app.post_counters(counter).await.0, 201);
    assert_eq!(
        transactions(&app, OTHER_ACCOUNT).await,
        [("2018-12-01T00:00:00".into(), 1)]
    );
    let (status, readings) = app.get_readings(COUNTER, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(readings["data"]["items"][0]["current_data1"], 1);
}

#[tokio::test]
async fn a_period_import_that_crashed_converges_when_sent_again() {
    let app = office("crash").await;
    let old: Vec<Value> = (0..100)
        .map(|i| {
            payment(
                None,
                ACCOUNT,
                &format!("2018-12-{:02}T00:{:02}:00", 1 + i % 28, i % 60),
                -(i as i64) - 1,
            )
        })
        .collect();
    app.post_transactions(json!(old), &[]).await;
    app.time_passes();
    let new: Vec<Value> = (0..100)
        .map(|i| {
            payment(
                None,
                OTHER_ACCOUNT,
                &format!("2018-12-{:02}T01:{:02}:00", 1 + i % 28, i % 60),
                i as i64 + 1,
            )
        })
        .collect();
    // The store fails after the period calendar's month and two batches of 25: half of the new
    // items are written.
    let (status, _) = app
        .crashing_after(3)
        .post_transactions(json!(new), &DECEMBER)
        .await;
    assert_eq!(status, 500);
    assert_eq!(
        transactions(&app, ACCOUNT).await.len(),
        100,
        "nothing removed before all is written"
    );
    assert_eq!(transactions(&app, OTHER_ACCOUNT).await.len(), 50);
    let (status, answer) = app.post_transactions(json!(new), &DECEMBER).await;
    assert_eq!((status, answer["removed"].as_u64()), (201, Some(100)));
    assert_eq!(transactions(&app, ACCOUNT).await.len(), 0);
    assert_eq!(transactions(&app, OTHER_ACCOUNT).await.len(), 100);
}
