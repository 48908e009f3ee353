//! Exchanges that 1C opens before it reads its books (`POST /api/exchanges`): what their
//! completion removes is counted from the opening, however long 1C takes; their parts may
//! name only the exchange and the part; `GET /api/exchanges/{id}` tells how far one got.

use serde_json::{Value, json};

use super::{ACCOUNT, DECEMBER, office, payment, transactions};
use crate::helpers::TestApp;

/// Opens an exchange of December's transactions in `parts` parts; its GUID.
async fn open(app: &TestApp, parts: u32) -> String {
    let opening =
        json!({"kind": "transactions", "from": "2018-12-01", "to": "2018-12-31", "parts": parts});
    let (status, answer) = app.post_exchange(opening).await;
    assert_eq!(status, 201, "{answer}");
    answer["data"]["exchange"].as_str().unwrap().to_owned()
}

async fn part(app: &TestApp, exchange: &str, part: &str, items: Value) -> (u16, Value) {
    let query = [("exchange", exchange), ("part", part)];
    app.post_transactions(items, &query).await
}

/// The slow export of the issue: 1C reads its books (without today's payment P), takes minutes
/// to send them, and meanwhile another job imports P. Opened first, the exchange keeps P; a
/// single period import sent as late, not opened, removes it (the positive control); and a
/// later period import that truly lacks P removes it.
#[tokio::test]
async fn a_payment_written_after_1c_began_reading_its_books_stays() {
    let app = office("opened").await;
    let books = json!([payment(None, ACCOUNT, "2018-12-01T00:00:00", 100)]);
    let late = json!([payment(None, ACCOUNT, "2018-12-20T12:00:00", 777)]);

    let exchange = open(&app, 1).await;
    app.clock().advance(chrono::Duration::seconds(10));
    assert_eq!(app.post_transactions(late.clone(), &[]).await.0, 201);
    app.time_passes();
    app.time_passes();
    let (status, answer) = part(&app, &exchange, "1", books.clone()).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["removed"], 0, "{answer}");
    let held = vec![
        ("2018-12-20T12:00:00".to_owned(), 777),
        ("2018-12-01T00:00:00".to_owned(), 100),
    ];
    assert_eq!(transactions(&app, ACCOUNT).await, held);

    // The same export, not opened: the period began when the request arrived, and P goes.
    let other = office("notopened").await;
    assert_eq!(other.post_transactions(late.clone(), &[]).await.0, 201);
    other.time_passes();
    let (_, answer) = other.post_transactions(books.clone(), &DECEMBER).await;
    assert_eq!(answer["removed"], 1, "{answer}");

    // A later export whose books truly lack P removes it.
    app.time_passes();
    let (_, answer) = app.post_transactions(books, &DECEMBER).await;
    assert_eq!(answer["removed"], 1, "{answer}");
    assert_eq!(transactions(&app, ACCOUNT).await, held[1..]);
}

#[tokio::test]
async fn an_exchanges_status_follows_its_parts_and_its_completion() {
    let app = office("exchangestatus").await;
    let old = json!([payment(None, ACCOUNT, "2018-12-05T00:00:00", 5)]);
    assert_eq!(app.post_transactions(old, &[]).await.0, 201);
    app.time_passes();
    let opened_at = app.clock().now();
    let exchange = open(&app, 2).await;
    let status = |app: &TestApp| {
        let exchange = exchange.clone();
        let app = app.with_key(&app.key);
        async move { app.get_exchange(&exchange).await }
    };
    let (code, answer) = status(&app).await;
    assert_eq!(code, 200, "{answer}");
    let expected_opened = opened_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert_eq!(
        answer["data"],
        json!({"exchange": exchange, "kind": "transactions", "from": "2018-12-01",
               "to": "2018-12-31", "parts": 2, "received": [], "complete": false,
               "opened_at": expected_opened, "completed_at": null, "removed": null})
    );
    let one = json!([payment(None, ACCOUNT, "2018-12-10T00:00:00", 10)]);
    let (code, answer) = part(&app, &exchange, "2", one).await;
    assert_eq!(code, 201, "{answer}");
    assert_eq!(
        answer["exchange"],
        json!({"received": 1, "parts": 2, "complete": false})
    );
    assert_eq!(status(&app).await.1["data"]["received"], json!([2]));
    // The last part may name the period and the parts too, when they are the opening's.
    let two = json!([payment(None, ACCOUNT, "2018-12-11T00:00:00", 11)]);
    let query = [
        DECEMBER[0],
        DECEMBER[1],
        ("exchange", &exchange),
        ("part", "1"),
        ("parts", "2"),
    ];
    let (code, answer) = app.post_transactions(two, &query).await;
    assert_eq!(code, 201, "{answer}");
    assert_eq!(answer["removed"], 1);
    let (_, done) = status(&app).await;
    assert_eq!(done["data"]["received"], json!([1, 2]));
    assert_eq!(done["data"]["complete"], true);
    assert_eq!(done["data"]["removed"], 1);
    assert!(done["data"]["completed_at"].is_string(), "{done}");

    // Another office knows no such exchange.
    let stranger = app.fresh_tenant("exchangestranger").await;
    let (code, answer) = status(&stranger).await;
    assert_eq!(
        (code, answer["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn a_part_must_fit_its_opening_and_nothing_of_a_refused_part_is_written() {
    let app = office("exchangefit").await;
    let exchange = open(&app, 2).await;
    let items = json!([payment(None, ACCOUNT, "2018-12-10T00:00:00", 10)]);
    let field = |answer: &Value| answer["error"]["details"][0]["field"].clone();
    let before = app.snapshot().await;

    // Another period or count of parts than the opening's.
    let query = [
        ("from", "2018-11-01"),
        ("to", "2018-12-31"),
        ("exchange", &exchange),
        ("part", "1"),
    ];
    let (code, answer) = app.post_transactions(items.clone(), &query).await;
    assert_eq!((code, field(&answer)), (400, json!("from")), "{answer}");
    let query = [
        ("exchange", exchange.as_str()),
        ("part", "1"),
        ("parts", "3"),
    ];
    let (code, answer) = app.post_transactions(items.clone(), &query).await;
    assert_eq!((code, field(&answer)), (400, json!("parts")), "{answer}");
    let (code, answer) = part(&app, &exchange, "3", items.clone()).await;
    assert_eq!((code, field(&answer)), (400, json!("part")), "{answer}");
    // A part of it sent to another kind's import.
    let reading =
        json!([{"counter": super::COUNTER, "date": "2018-12-10T00:00:00", "current_data1": 1}]);
    let query = [("exchange", exchange.as_str()), ("part", "1")];
    let (code, answer) = app.post_readings(reading, &query).await;
    assert_eq!((code, field(&answer)), (400, json!("exchange")), "{answer}");
    // An exchange nobody opened needs its period and parts.
    let unknown = domain::Guid::random().to_string();
    let (code, answer) = part(&app, &unknown, "1", items.clone()).await;
    assert_eq!(code, 400, "{answer}");
    let fields: Vec<&Value> = answer["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["field"])
        .collect();
    assert_eq!(fields, [&json!("from"), &json!("to"), &json!("parts")]);
    // Nor is one opened by another office.
    let stranger = app.fresh_tenant("exchangefitstranger").await;
    let (code, _) = part(&stranger, &exchange, "1", json!([])).await;
    assert_eq!(code, 400);
    assert_eq!(app.snapshot().await, before, "nothing was written");

    // The positive control: the part as opened is taken.
    let (code, answer) = part(&app, &exchange, "1", items).await;
    assert_eq!(code, 201, "{answer}");
}

#[tokio::test]
async fn an_opening_names_its_kind_period_and_parts() {
    let app = office("exchangeopening").await;
    for (body, field) in [
        (
            json!({"from": "2018-12-01", "to": "2018-12-31", "parts": 1}),
            "kind",
        ),
        (
            json!({"kind": "acts", "from": "2018-12-01", "to": "2018-12-31", "parts": 1}),
            "kind",
        ),
        (
            json!({"kind": "balances", "from": "2018-12-31", "to": "2018-12-01", "parts": 1}),
            "from",
        ),
        (
            json!({"kind": "balances", "from": "2018-12-01", "to": "2018-12-31", "parts": 0}),
            "parts",
        ),
        (
            json!({"kind": "balances", "from": "2018-12-01", "to": "2018-12-31", "parts": 1001}),
            "parts",
        ),
    ] {
        let (code, answer) = app.post_exchange(body.clone()).await;
        assert_eq!(code, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["details"][0]["field"], field, "{body}");
    }
    let (code, answer) = app
        .post_exchange(
            json!({"kind": "readings", "from": "2018-12-01", "to": "2018-12-01", "parts": 1000}),
        )
        .await;
    assert_eq!(code, 201, "{answer}");
    assert_eq!(answer["data"]["kind"], "readings");
}

/// Before exchanges were opened, one GUID could carry parts of two kinds (each kind's state is
/// its own): it still can, as long as nobody opened it.
#[tokio::test]
async fn an_unopened_guid_still_carries_parts_of_two_kinds() {
    let app = office("exchangetwokinds").await;
    let guid = domain::Guid::random().to_string();
    let query = [
        DECEMBER[0],
        DECEMBER[1],
        ("exchange", &guid),
        ("part", "1"),
        ("parts", "1"),
    ];
    let payments = json!([payment(None, ACCOUNT, "2018-12-10T00:00:00", 10)]);
    let (status, answer) = app.post_transactions(payments, &query).await;
    assert_eq!(status, 201, "{answer}");
    let balances = json!([{"account": ACCOUNT, "date": "2018-12-31T00:00:00", "amount": -10}]);
    let (status, answer) = app.post_balances(balances, &query).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["exchange"]["complete"], true);
}
