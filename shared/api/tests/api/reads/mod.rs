//! The read API against DynamoDB Local: everything imported through the six spec endpoints,
//! the spec's examples included, reads back exactly (values, decimals, dates).

use api::Endpoint;
use base64::Engine as _;
use domain::{ApiKey, Scope};
use lambda_http::{Body, Request};
use serde_json::{Value, json};

use crate::helpers::{TestApp, call};

mod fanout;
mod paging;

/// A read of the endpoint it is given, with `key`, the path's `{id}` when there is one, and
/// `query`: the one request builder's, whose endpoint [`read`] names.
fn get<'a>(
    key: &'a ApiKey,
    id: Option<&'a str>,
    query: &'a [(&'a str, &'a str)],
) -> impl FnOnce(Endpoint) -> Request + 'a {
    move |endpoint| {
        let ids: Vec<&str> = id.into_iter().collect();
        call(endpoint).key(key).at(&ids).query(query).request()
    }
}

/// Status, raw body text, and JSON of `request` to `endpoint`.
async fn read(
    app: &TestApp,
    endpoint: Endpoint,
    request: impl FnOnce(Endpoint) -> Request,
) -> (u16, String, Value) {
    let request = request(endpoint);
    let response = app.call(endpoint, request).await;
    let status = response.status().as_u16();
    let Body::Text(text) = response.body() else {
        panic!("no text body")
    };
    (status, text.clone(), serde_json::from_str(text).unwrap())
}

const SMIRNOVA: &str = "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb";
const IVANOV: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const PETROV: &str = "ad96e8ab-476f-11e7-8518-0050569f0c67";
const SIDOROVA: &str = "af723e90-c3d4-11e4-8075-1c6f652434e1";
const KITCHEN_COUNTER: &str = "a7a747b2-24d8-11e7-ae76-0050569f0c67";

#[tokio::test]
async fn the_spec_examples_read_back_exactly() {
    let app = TestApp::new("reads").await;
    app.import_examples().await;
    let key = &app.key;

    let (status, _, services) = read(&app, Endpoint::ServicesList, get(key, None, &[])).await;
    assert_eq!(status, 200);
    assert_eq!(services["data"]["next"], Value::Null);
    let fee = services["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "1093b094-a349-472a-b63d-9008506af55a")
        .unwrap();
    assert_eq!(
        *fee,
        json!({"id": "1093b094-a349-472a-b63d-9008506af55a", "organization": "Окунево",
               "short_name": "Членский взнос", "full_name": "Членский взнос"})
    );

    let (status, text, smirnova) =
        read(&app, Endpoint::AccountGet, get(key, Some(SMIRNOVA), &[])).await;
    assert_eq!(status, 200);
    assert_eq!(
        smirnova["data"],
        json!({"id": SMIRNOVA, "name": "М30400НЖ003", "address": "ул. Молодежная, д. 3, пом. 003",
               "full_name": "Смирнова Юлия Валерьевна", "ownership": 50, "square": 56.7,
               "cadastral": "47:14:1203001:814", "phone": "+79332211223", "email": "user@mail.ru",
               "counters": [], "balances": []})
    );
    assert!(
        text.contains("\"square\":56.7,"),
        "exact decimal text: {text}"
    );

    let (_, _, ivanov) = read(&app, Endpoint::AccountGet, get(key, Some(IVANOV), &[])).await;
    let counters = ivanov["data"]["counters"].as_array().unwrap();
    assert_eq!(
        counters.len(),
        2,
        "the spec's counter and the kitchen counter"
    );
    let kitchen = counters
        .iter()
        .find(|c| c["id"] == KITCHEN_COUNTER)
        .unwrap();
    assert_eq!(
        kitchen["latest_reading"],
        json!({"counter": KITCHEN_COUNTER, "date": "2018-12-05T15:14:46",
               "current_data1": 33, "current_data2": 10, "current_data3": 30})
    );
    let spec_counter = counters
        .iter()
        .find(|c| c["id"] == "67d00473-13c2-11e4-9dce-94de80eb2300")
        .unwrap();
    assert_eq!(
        *spec_counter,
        json!({"id": "67d00473-13c2-11e4-9dce-94de80eb2300", "name": "Название счетчика", "type": "ХВС",
               "account": IVANOV, "service": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94",
               "date_installation": "2014-03-31T00:00:00", "date_removal": null, "date_verification": null,
               "latest_reading": null})
    );

    let (_, _, petrov) = read(&app, Endpoint::AccountGet, get(key, Some(PETROV), &[])).await;
    let spec_balance = json!({"account": PETROV, "service": "b712502b-005f-11e4-8679-d43d7e9efaeb",
                              "date": "2018-06-30T23:59:59", "amount": -20394.86});
    assert_eq!(petrov["data"]["balances"], json!([spec_balance]));
    let (_, text, balances) =
        read(&app, Endpoint::AccountBalances, get(key, Some(PETROV), &[])).await;
    assert_eq!(
        balances["data"],
        json!({"items": [spec_balance], "next": null})
    );
    assert!(text.contains("\"amount\":-20394.86"), "{text}");

    let (_, _, transactions) = read(
        &app,
        Endpoint::AccountTransactions,
        get(key, Some(SIDOROVA), &[]),
    )
    .await;
    assert_eq!(
        transactions["data"],
        json!({"items": [{"account": SIDOROVA, "date": "2018-12-01T00:00:00", "amount": -2600,
                          "service": "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48"}], "next": null})
    );

    let (_, _, readings) = read(
        &app,
        Endpoint::CounterReadings,
        get(key, Some(KITCHEN_COUNTER), &[]),
    )
    .await;
    assert_eq!(
        readings["data"]["items"],
        json!([kitchen["latest_reading"]])
    );
}

#[tokio::test]
async fn unknown_ids_are_404_also_for_another_tenant_and_bad_parameters_400() {
    let app = TestApp::new("readerr").await;
    app.import_examples().await;
    let key = &app.key;
    let other = app.key_for("other", &Scope::ALL).await;
    let unknown = "11111111-2222-3333-4444-555555555555";
    for (id, k) in [(unknown, key), (PETROV, &other)] {
        let (status, _, body) = read(&app, Endpoint::AccountGet, get(k, Some(id), &[])).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found"))
        );
        assert_eq!(
            read(&app, Endpoint::AccountBalances, get(k, Some(id), &[]))
                .await
                .0,
            404
        );
        assert_eq!(
            read(&app, Endpoint::AccountTransactions, get(k, Some(id), &[]))
                .await
                .0,
            404
        );
    }
    assert_eq!(
        read(
            &app,
            Endpoint::CounterReadings,
            get(&other, Some(KITCHEN_COUNTER), &[])
        )
        .await
        .0,
        404
    );
    let (_, _, services) = read(&app, Endpoint::ServicesList, get(&other, None, &[])).await;
    assert_eq!(services["data"]["items"], json!([]));

    type Query<'a> = &'a [(&'a str, &'a str)];
    // A position in the old, unsigned form of a token, no key DynamoDB would take.
    let forged = base64::prelude::BASE64_URL_SAFE_NO_PAD
        .encode(format!("2018-06-30T00:00:00#{}", "x".repeat(3000)));
    let bad: [(&str, Query, &str); 6] = [
        ("not-a-guid", &[], "id"),
        (PETROV, &[("from", "2020-25-12")], "from"),
        (PETROV, &[("limit", "0")], "limit"),
        (PETROV, &[("limit", "5000")], "limit"),
        (PETROV, &[("next", "%%%")], "next"),
        (PETROV, &[("next", &forged)], "next"),
    ];
    for (id, query, field) in bad {
        let (status, _, body) =
            read(&app, Endpoint::AccountBalances, get(key, Some(id), query)).await;
        assert_eq!(status, 400, "{query:?}");
        assert_eq!(body["error"]["details"][0]["field"], field);
    }
}

/// API Gateway hands the functions a decoded path, cargo lambda's emulator the path as sent:
/// either way an id reads the same.
#[tokio::test]
async fn a_path_id_reads_the_same_percent_encoded_or_not() {
    let app = TestApp::new("readpath").await;
    app.import_examples().await;
    let plain = read(&app, Endpoint::AccountGet, get(&app.key, Some(PETROV), &[])).await;
    assert_eq!(plain.0, 200);
    let hex = PETROV.replace('-', "").to_uppercase();
    for id in [
        format!("%7B{hex}%7D"),
        format!("%20{PETROV}%C2%A0"),
        format!("{{{hex}}}"),
    ] {
        let encoded = read(&app, Endpoint::AccountGet, get(&app.key, Some(&id), &[])).await;
        assert_eq!((encoded.0, &encoded.2), (200, &plain.2), "{id}");
    }
    let (status, _, body) = read(
        &app,
        Endpoint::AccountGet,
        get(&app.key, Some("%7Bxyz%7D"), &[]),
    )
    .await;
    assert_eq!(
        (status, body["error"]["details"][0]["field"].as_str()),
        (400, Some("id"))
    );
}

/// A period that starts after everything stored (year 9494, say) reads nothing, with or
/// without its end: never a storage error.
#[tokio::test]
async fn a_period_starting_after_everything_reads_empty() {
    let app = TestApp::new("readlate").await;
    app.import_examples().await;
    for query in [
        &[("from", "9494-01-30")][..],
        &[("from", "9999-12-31T23:59:59")],
        &[("from", "9494-01-30"), ("to", "9999-12-31")],
    ] {
        let (status, _, body) = read(
            &app,
            Endpoint::AccountBalances,
            get(&app.key, Some(PETROV), query),
        )
        .await;
        assert_eq!(
            (status, &body["data"]["items"]),
            (200, &json!([])),
            "{query:?}"
        );
    }
    for sort in ["created_at", "amount"] {
        let query = [("created_at_from", "9494-1-30"), ("sort", sort)];
        let (status, body) = app.get_acts(&[], &query).await;
        assert_eq!((status, &body["data"]["total"]), (200, &json!(0)), "{body}");
    }
}
