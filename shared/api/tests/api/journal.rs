//! The journal of 1C's requests (`GET /api/journal`): every import, exchange opening and
//! acknowledgement whose key was the office's, refusals included, newest first, paged; another
//! office's journal is its own.

use api::Endpoint;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fixture, post};

/// The journal's entries, newest first, as (route, status, code).
fn lines(page: &Value) -> Vec<(String, u64, Value)> {
    page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["route"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap(),
                e["code"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_request_of_1c_is_in_its_offices_journal_newest_first() {
    let app = TestApp::new("journal").await;
    let second = || app.clock().advance(chrono::Duration::seconds(1));
    app.post_ok(
        Endpoint::ImportServices,
        fixture("prerequisites/services.json"),
    )
    .await;
    second();
    app.post_ok(
        Endpoint::ImportAccounts,
        fixture("prerequisites/accounts.json"),
    )
    .await;
    second();
    let bad = json!([{"id": "x", "name": "ЛС"}, {"name": "ЛС"}, {"id": "358d67ad-d66e-11e3-bd79-94de80e97e9a", "name": "ЛС"}]);
    assert_eq!(app.post_accounts(bad).await.0, 400);
    second();
    let opening =
        json!({"kind": "transactions", "from": "2018-12-01", "to": "2018-12-31", "parts": 2});
    let (_, opened) = app.post_exchange(opening).await;
    let exchange = opened["data"]["exchange"].as_str().unwrap().to_owned();
    second();
    let payment = json!([{"account": "af723e90-c3d4-11e4-8075-1c6f652434e1",
                          "date": "2018-12-01T00:00:00", "amount": 10}]);
    let query = [("exchange", exchange.as_str()), ("part", "2")];
    assert_eq!(app.post_transactions(payment, &query).await.0, 201);
    second();
    // A reference to an account never imported: 422, noted with its code and no count.
    let stranger = json!([{"account": "11111111-2222-3333-4444-555555555555",
                           "date": "2018-12-01T00:00:00", "amount": 1}]);
    assert_eq!(app.post_transactions(stranger, &[]).await.0, 422);
    second();
    let unknown = "0f3e9b7a-1c2d-4e5f-8a9b-6c7d8e9f0a1b";
    let ack = json!({"readings": [{"id": unknown, "status": "applied"}]});
    assert_eq!(app.post_ack(ack).await.0, 200);
    // Without a key, a request is nobody's: in no journal.
    let (status, _) = app
        .send(
            Endpoint::ImportServices,
            post(fixture("prerequisites/services.json")),
        )
        .await;
    assert_eq!(status, 401);
    // Reads are not 1C's exchange: not journaled.
    assert_eq!(app.get_services().await.0, 200);

    let (status, page) = app.get_journal(&[]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        lines(&page),
        [
            ("POST /api/counter/export/ack".to_owned(), 200, Value::Null),
            (
                "POST /api/transaction/import".to_owned(),
                422,
                json!("unknown_references")
            ),
            ("POST /api/transaction/import".to_owned(), 201, Value::Null),
            ("POST /api/exchanges".to_owned(), 201, Value::Null),
            (
                "POST /api/directory/importaccounts".to_owned(),
                400,
                json!("invalid_items")
            ),
            (
                "POST /api/directory/importaccounts".to_owned(),
                201,
                Value::Null
            ),
            (
                "POST /api/directory/importservices".to_owned(),
                201,
                Value::Null
            ),
        ]
    );
    let items = &page["data"]["items"];
    assert_eq!(
        (&items[0]["items"], &items[0]["imported"]),
        (&json!(1), &json!(0)),
        "an answer named, none recorded"
    );
    assert_eq!(
        items[1]["items"],
        Value::Null,
        "no count for a refused reference"
    );
    assert_eq!(
        (
            &items[2]["imported"],
            &items[2]["exchange"],
            &items[2]["part"],
            &items[2]["removed"]
        ),
        (&json!(1), &json!(exchange), &json!(2), &Value::Null)
    );
    assert_eq!(items[3]["exchange"], json!(exchange));
    assert_eq!(items[4]["items"], 2, "two faulty items");
    assert_eq!(items[5]["imported"], 3);
    assert!(items[0]["at"].as_str().unwrap() > items[1]["at"].as_str().unwrap());

    // Paged through `next`, and cut by a period of UTC time.
    let (_, first) = app.get_journal(&[("limit", "4")]).await;
    assert_eq!(lines(&first), lines(&page)[..4]);
    let next = first["data"]["next"].as_str().unwrap();
    let (_, rest) = app.get_journal(&[("limit", "4"), ("next", next)]).await;
    assert_eq!(lines(&rest), lines(&page)[4..]);
    let tomorrow = (app.clock().now() + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let (_, later) = app.get_journal(&[("from", &tomorrow)]).await;
    assert_eq!(lines(&later), []);
    let (status, _) = app.get_journal(&[("next", "made-up")]).await;
    assert_eq!(status, 400);

    // Another office's journal is its own.
    let other = app.fresh_tenant("journalother").await;
    let (_, theirs) = other.get_journal(&[]).await;
    assert_eq!(lines(&theirs), []);
}
