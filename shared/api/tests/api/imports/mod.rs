//! Every import endpoint, in process, against DynamoDB Local: what 1C sends goes in, what is
//! stored is read back, and bad requests leave the tables untouched.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::prelude::{BASE64_STANDARD, Engine as _};
use domain::{Account, Balance, Counter, Reading, Service, Transaction};
use lambda_http::{Body, Request};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use store::Table;

use api::Endpoint;
use domain::ApiKey;

use crate::helpers::{TestApp, authorized, fixture, post};

mod bodies;

async fn prerequisites(app: &TestApp) {
    app.post_ok(
        Endpoint::ImportServices,
        fixture("prerequisites/services.json"),
    )
    .await;
    app.post_ok(
        Endpoint::ImportAccounts,
        fixture("prerequisites/accounts.json"),
    )
    .await;
    app.post_ok(
        Endpoint::ImportCounters,
        fixture("prerequisites/counters.json"),
    )
    .await;
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test]
async fn spec_examples_import_verbatim_and_read_back_exactly() {
    let app = TestApp::new("spec").await;
    let store = app.store();
    prerequisites(&app).await;

    let answers = [
        app.post_ok(Endpoint::ImportServices, &fixture("spec/services.json"))
            .await,
        app.post_ok(Endpoint::ImportAccounts, &fixture("spec/accounts.json"))
            .await,
        app.post_ok(Endpoint::ImportCounters, &fixture("spec/counters.json"))
            .await,
        app.post_ok(Endpoint::ImportReadings, &fixture("spec/readings.json"))
            .await,
        app.post_ok(Endpoint::ImportBalances, &fixture("spec/balances.json"))
            .await,
        app.post_ok(
            Endpoint::ImportTransactions,
            &fixture("spec/transactions.json"),
        )
        .await,
    ];
    for answer in answers {
        assert_eq!(answer, json!({"imported": 1}));
    }

    let services: Vec<Service> = store.directory(&app.tenant).await.unwrap();
    let fee = services
        .iter()
        .find(|s| s.id.to_string() == "1093b094-a349-472a-b63d-9008506af55a")
        .unwrap();
    assert_eq!(fee.organization.as_ref().unwrap().as_str(), "Окунево");
    assert_eq!(fee.short_name.as_ref().unwrap().as_str(), "Членский взнос");
    assert_eq!(services.len(), 4);

    let accounts: Vec<Account> = store.directory(&app.tenant).await.unwrap();
    let smirnova = accounts
        .iter()
        .find(|a| a.id.to_string() == "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb")
        .unwrap();
    assert_eq!(smirnova.name.as_str(), "М30400НЖ003");
    assert_eq!(smirnova.ownership, Some(dec("50")));
    assert_eq!(smirnova.square, Some(dec("56.7")));
    assert_eq!(
        smirnova.cadastral.as_ref().unwrap().as_str(),
        "47:14:1203001:814"
    );
    assert_eq!(smirnova.email.as_ref().unwrap().as_str(), "user@mail.ru");
    let petrov = accounts
        .iter()
        .find(|a| a.id.to_string() == "ad96e8ab-476f-11e7-8518-0050569f0c67")
        .unwrap();
    assert_eq!(petrov.ownership, Some(dec("50")), "1/2 is 50 %");

    let counters: Vec<Counter> = store.directory(&app.tenant).await.unwrap();
    let spec_counter = counters
        .iter()
        .find(|c| c.id.to_string() == "67d00473-13c2-11e4-9dce-94de80eb2300")
        .unwrap();
    assert_eq!(spec_counter.kind.as_ref().unwrap().as_str(), "ХВС");
    assert_eq!(
        spec_counter.date_installation.unwrap().to_string(),
        "2014-03-31T00:00:00"
    );
    assert_eq!(spec_counter.date_removal, None);

    let readings: Vec<Reading> = store
        .whole_history(
            &app.tenant,
            "a7a747b2-24d8-11e7-ae76-0050569f0c67".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(readings.len(), 1);
    assert_eq!(readings[0].date.to_string(), "2018-12-05T15:14:46");
    assert_eq!(readings[0].current_data1, dec("33"));
    assert_eq!(readings[0].current_data2, Some(dec("10")));
    assert_eq!(readings[0].current_data3, Some(dec("30")));

    let balances: Vec<Balance> = store
        .whole_history(
            &app.tenant,
            "ad96e8ab-476f-11e7-8518-0050569f0c67".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(balances.len(), 1);
    assert_eq!(balances[0].amount, dec("-20394.86"));
    assert_eq!(balances[0].date.to_string(), "2018-06-30T23:59:59");

    let transactions: Vec<Transaction> = store
        .whole_history(
            &app.tenant,
            "af723e90-c3d4-11e4-8075-1c6f652434e1".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(transactions.len(), 1);
    assert_eq!(transactions[0].amount, dec("-2600"));
}

#[tokio::test]
async fn resending_every_request_changes_nothing() {
    let app = TestApp::new("resend").await;
    let _store = app.store();
    prerequisites(&app).await;
    let bodies = [
        "spec/services.json",
        "spec/accounts.json",
        "spec/counters.json",
        "spec/readings.json",
        "spec/balances.json",
        "spec/transactions.json",
    ]
    .map(fixture);
    async fn all(app: &TestApp, bodies: &[String; 6]) {
        app.post_ok(Endpoint::ImportServices, &bodies[0]).await;
        app.post_ok(Endpoint::ImportAccounts, &bodies[1]).await;
        app.post_ok(Endpoint::ImportCounters, &bodies[2]).await;
        app.post_ok(Endpoint::ImportReadings, &bodies[3]).await;
        app.post_ok(Endpoint::ImportBalances, &bodies[4]).await;
        app.post_ok(Endpoint::ImportTransactions, &bodies[5]).await;
    }
    all(&app, &bodies).await;
    let first = app.snapshot().await;
    all(&app, &bodies).await;
    assert_eq!(app.snapshot().await, first);
}

#[tokio::test]
async fn identical_transactions_in_one_batch_are_both_kept_and_not_duplicated_on_resend() {
    let app = TestApp::new("txdup").await;
    let store = app.store();
    prerequisites(&app).await;
    let one = json!({"account": "af723e90-c3d4-11e4-8075-1c6f652434e1", "date": "2018-12-01T00:00:00",
                     "amount": 100, "service": "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48"});
    let other = json!({"account": "af723e90-c3d4-11e4-8075-1c6f652434e1", "date": "2018-12-01T00:00:00",
                       "amount": "100,00", "service": "00000000-0000-0000-0000-000000000000"});
    let body = json!({"transactions": [one, one, other]}).to_string();
    assert_eq!(
        app.post_ok(Endpoint::ImportTransactions, &body).await,
        json!({"imported": 3})
    );
    app.post_ok(Endpoint::ImportTransactions, &body).await;
    let stored: Vec<Transaction> = store
        .whole_history(
            &app.tenant,
            "af723e90-c3d4-11e4-8075-1c6f652434e1".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(stored.iter().filter(|t| t.service.is_none()).count(), 1);
}

#[tokio::test]
async fn a_directory_repeated_in_one_request_keeps_the_last_version() {
    let app = TestApp::new("dirdup").await;
    let store = app.store();
    let body = json!({"services": [
        {"id": "1093b094-a349-472a-b63d-9008506af55a", "short_name": "старое"},
        {"id": "{1093B094-A349-472A-B63D-9008506AF55A}", "short_name": "новое"},
    ]})
    .to_string();
    app.post_ok(Endpoint::ImportServices, &body).await;
    let services: Vec<Service> = store.directory(&app.tenant).await.unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].short_name.as_ref().unwrap().as_str(), "новое");
}

#[tokio::test]
async fn an_empty_list_imports_nothing_successfully() {
    let app = TestApp::new("empty").await;
    assert_eq!(
        app.post_ok(Endpoint::ImportReadings, "{\"counters\": []}")
            .await,
        json!({"imported": 0})
    );
}

#[tokio::test]
async fn invalid_items_are_all_listed_and_nothing_is_written() {
    let app = TestApp::new("invalid").await;
    let _store = app.store();
    prerequisites(&app).await;
    let before = app.snapshot().await;
    let body = json!({"balances": [
        {"account": "ad96e8ab-476f-11e7-8518-0050569f0c67", "service": "b712502b-005f-11e4-8679-d43d7e9efaeb",
         "date": "2018-06-30T23:59:59", "amount": 1},
        {"account": "ad96e8ab-476f-11e7-8518-0050569f0c67", "service": "b712502b-005f-11e4-8679-d43d7e9efaeb",
         "date": "2020-25-12", "amount": "сто"},
        "not an object",
    ]})
    .to_string();
    let (status, answer) = app.post(Endpoint::ImportBalances, body).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["code"], "invalid_items");
    let details: Vec<(u64, Value)> = answer["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["index"].as_u64().unwrap(), d["field"].clone()))
        .collect();
    assert_eq!(
        details,
        [(1, json!("date")), (1, json!("amount")), (2, Value::Null)]
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn no_more_than_a_hundred_problems_are_listed() {
    let app = TestApp::new("many").await;
    let items: Vec<Value> = (0..150).map(|_| json!({"id": "x"})).collect();
    let (status, answer) = app
        .post(
            Endpoint::ImportServices,
            json!({"services": items}).to_string(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["details"].as_array().unwrap().len(), 100);
    assert!(answer["error"]["message"].as_str().unwrap().contains("150"));
}

#[tokio::test]
async fn unknown_references_are_listed_with_422_and_nothing_is_written() {
    let app = TestApp::new("refs").await;
    let _store = app.store();
    app.post_ok(
        Endpoint::ImportServices,
        &fixture("prerequisites/services.json"),
    )
    .await;
    app.post_ok(
        Endpoint::ImportAccounts,
        &fixture("prerequisites/accounts.json"),
    )
    .await;
    let before = app.snapshot().await;
    let body = json!({"counters": [
        {"id": "a7a747b2-24d8-11e7-ae76-0050569f0c67", "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
         "service": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94"},
        {"id": "67d00473-13c2-11e4-9dce-94de80eb2300", "account": "11111111-1111-1111-1111-111111111111",
         "service": "22222222-2222-2222-2222-222222222222"},
    ]})
    .to_string();
    let (status, answer) = app.post(Endpoint::ImportCounters, body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "unknown_references");
    assert_eq!(
        answer["error"]["details"],
        json!([
            {"index": 1, "field": "account", "message": "лицевой счёт с таким идентификатором не загружен"},
            {"index": 1, "field": "service", "message": "услуга с таким идентификатором не загружена"},
        ])
    );
    assert_eq!(app.snapshot().await, before);

    // Readings need their counter; none was written above.
    let (status, _) = app
        .post(Endpoint::ImportReadings, fixture("spec/readings.json"))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn errors_never_quote_personal_data() {
    let app = TestApp::new("pii").await;
    let body = json!({"accounts": [{"id": "Смирнова Юлия Валерьевна", "name": {"x": 1},
        "full_name": "Смирнова Юлия Валерьевна", "phone": "+79332211223", "email": ["user@mail.ru"],
        "square": "+7 (933) 221-12-23"}]})
    .to_string();
    let (status, answer) = app.post(Endpoint::ImportAccounts, body).await;
    assert_eq!(status, 400);
    let text = answer.to_string();
    for secret in ["Смирнова", "79332211223", "221-12-23", "user@mail.ru"] {
        assert!(!text.contains(secret), "{text}");
    }
    assert_eq!(answer["error"]["details"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn thousands_of_items_are_written_in_batches() {
    let app = TestApp::new("bulk").await;
    let store = app.store();
    prerequisites(&app).await;
    // A thousand of each account: as many as one request may store on one partition.
    let accounts = [
        "af723e90-c3d4-11e4-8075-1c6f652434e1",
        "358d67ad-d66e-11e3-bd79-94de80e97e9a",
        "ad96e8ab-476f-11e7-8518-0050569f0c67",
    ];
    let items: Vec<Value> = (0..3000)
        .map(|i| {
            json!({"account": accounts[i / 1000],
                   "date": format!("2018-12-01T00:{:02}:{:02}", i / 60 % 60, i % 60),
                   "amount": format!("{}.{:02}", i / 7, i % 100),
                   "service": "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48"})
        })
        .collect();
    let body = json!({"transactions": items}).to_string();
    assert_eq!(
        app.post_ok(Endpoint::ImportTransactions, &body).await,
        json!({"imported": 3000})
    );
    for account in accounts {
        let stored: Vec<Transaction> = store
            .whole_history(&app.tenant, account.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1000);
    }
}

/// A transaction's kind is stored and served back as 1C sent it (a blank one is none, as 1C
/// writes an empty value); any other name is refused
/// with its index and field, and nothing is written.
#[tokio::test]
async fn a_transactions_kind_is_kept_and_a_made_up_one_refused() {
    let app = TestApp::new("txkind").await;
    prerequisites(&app).await;
    let account = "af723e90-c3d4-11e4-8075-1c6f652434e1";
    let t = |amount: i64, kind: Value| json!({"account": account, "date": "2018-12-01T00:00:00", "amount": amount, "kind": kind});
    let (status, answer) = app
        .post_transactions(
            json!([
                t(-2600, json!("charge")),
                t(1000, json!("payment")),
                t(5, Value::Null),
                t(7, json!(" "))
            ]),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let (_, page) = app.get_transactions(account, &[]).await;
    let mut kinds: Vec<(i64, Value)> = page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["amount"].as_i64().unwrap(),
                t.get("kind").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    kinds.sort_by_key(|(amount, _)| *amount);
    assert_eq!(
        kinds,
        [
            (-2600, json!("charge")),
            (5, Value::Null),
            (7, Value::Null),
            (1000, json!("payment"))
        ]
    );
    let before = app.snapshot().await;
    for bad in [
        json!("Charge"),
        json!("оплата"),
        json!(1),
        json!(" payment"),
    ] {
        let (status, answer) = app
            .post_transactions(json!([t(1, json!("penalty")), t(2, bad.clone())]), &[])
            .await;
        assert_eq!(status, 400, "{bad}: {answer}");
        let detail = &answer["error"]["details"][0];
        assert_eq!(
            (&detail["index"], &detail["field"]),
            (&json!(1), &json!("kind")),
            "{bad}"
        );
    }
    assert_eq!(app.snapshot().await, before, "nothing was written");
}
