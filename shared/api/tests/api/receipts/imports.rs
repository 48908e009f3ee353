//! Importing payees and receipts: what is refused, what replaces and withdraws, what is marked.

use serde_json::json;

use super::*;

#[tokio::test]
async fn payees_are_checked_as_a_bank_checks_them_and_a_bad_one_writes_nothing() {
    let app = TestApp::new("payees").await;
    let before = app.snapshot().await;
    let bad = [
        // The INN's check digit, the account's key, a BIC as a number (its zero lost), a
        // correspondent account of another bank, a KPP of another form.
        payee(json!({"inn": "7723012345"})),
        payee(json!({"bank_account": "40703810303800000124"})),
        payee(json!({"bic": 44525225})),
        payee(json!({"correspondent_account": "30101810400000000226"})),
        payee(json!({"kpp": "77230100"})),
        // Longer than the standard gives Name, and a name that fits alone but not with the
        // bank's: the mandatory requisites take more than 300 bytes.
        payee(json!({"name": "Я".repeat(161)})),
        payee(json!({"name": "Я".repeat(160), "bank_name": "Б".repeat(45)})),
    ];
    let (status, answer) = app.post_organizations(json!(bad)).await;
    assert_eq!(status, 400, "{answer}");
    let fields: Vec<(u64, String)> = problems(&answer);
    assert_eq!(
        fields,
        [
            (0, "inn".to_owned()),
            (1, "bank_account".to_owned()),
            (2, "bic".to_owned()),
            (3, "correspondent_account".to_owned()),
            (4, "kpp".to_owned()),
            (5, "name".to_owned()),
            (6, "name".to_owned()),
        ]
    );
    assert_eq!(app.snapshot().await, before);
    // The positive control: the same payee with its real details, and an entrepreneur's
    // 12-digit INN without a KPP.
    let entrepreneur = payee(json!({"id": FUND, "inn": "500100732259", "kpp": null}));
    let (status, answer) = app
        .post_organizations(json!([payee(json!({})), entrepreneur]))
        .await;
    assert_eq!(
        (status, answer["imported"].clone()),
        (201, json!(2)),
        "{answer}"
    );
}

#[tokio::test]
async fn a_receipt_refers_to_an_account_a_payee_and_services_that_were_imported() {
    let app = TestApp::new("receiptrefs").await;
    app.import_examples().await;
    let receipt = json!({"account": OWN, "organization": OFFICE, "period": "2018-11",
        "to_pay": 10, "lines": [{"service": UPKEEP, "charged": 10}]});
    let (status, answer) = app.post_receipts(json!([receipt.clone()]), &[]).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        answer["error"]["details"][0]["field"], "organization",
        "{answer}"
    );
    app.post_organizations(json!([payee(json!({}))])).await;
    let (status, answer) = app.post_receipts(json!([receipt]), &[]).await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn bad_receipts_name_their_fields() {
    let app = billed("receiptbad").await;
    let before = app.snapshot().await;
    let base = json!({"account": OWN, "organization": OFFICE, "period": "2018-11", "to_pay": 1});
    let with = |field: &str, value| {
        let mut receipt = base.clone();
        receipt[field] = value;
        receipt
    };
    let lines: Vec<_> = (0..101).map(|_| json!({"service": UPKEEP})).collect();
    let bad = [
        with("period", json!("2018-13")),
        with("period", json!("11.2018")),
        with("to_pay", json!("1.005")),
        with("to_pay", json!(null)),
        with("els", json!("75АБ53331")),
        with("igku", json!("75АБ533315-1")),
        with("ipd", json!("75АБ533315-01-118")),
        with("lines", json!(lines)),
        with("lines", json!([{"service": UPKEEP, "charged": "x"}])),
    ];
    let (status, answer) = app.post_receipts(json!(bad), &[]).await;
    assert_eq!(status, 400, "{answer}");
    let fields: Vec<String> = problems(&answer).into_iter().map(|(_, f)| f).collect();
    assert_eq!(
        fields,
        [
            "period",
            "period",
            "to_pay",
            "to_pay",
            "els",
            "igku",
            "ipd",
            "lines",
            "lines[0].charged"
        ]
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_receipt_sent_again_replaces_deleted_leaves_and_lines_that_do_not_add_up_are_marked() {
    let app = billed("receiptreplace").await;
    let (_, answer) = app.get_receipts(OWN, &[]).await;
    let items = answer["data"]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{answer}");
    assert!(items.iter().all(|r| r["inconsistent"] == false), "{answer}");
    // The same receipt with other figures replaces it; its lines do not add up to them.
    let changed = json!({"account": OWN, "organization": FUND, "period": "2018-11",
        "charged": "800", "to_pay": "800",
        "lines": [{"service": UPKEEP, "charged": "700.40"}]});
    assert_eq!(app.post_receipts(json!([changed]), &[]).await.0, 201);
    let (_, answer) = app.get_receipts(OWN, &[]).await;
    let items = answer["data"]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{answer}");
    let fund = items.iter().find(|r| r["organization"] == FUND).unwrap();
    assert_eq!(
        (fund["to_pay"].clone(), fund["inconsistent"].clone()),
        (json!(800), json!(true))
    );
    // Withdrawn: listed no more; the other payee's receipt stays.
    let deleted = json!({"account": OWN, "organization": FUND, "period": "2018-11",
        "to_pay": 0, "deleted": true});
    assert_eq!(app.post_receipts(json!([deleted]), &[]).await.0, 201);
    let (_, answer) = app.get_receipts(OWN, &[]).await;
    let items = answer["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{answer}");
    assert_eq!(items[0]["organization"], OFFICE);
}

#[tokio::test]
async fn a_period_import_of_receipts_removes_the_months_receipts_it_lacks() {
    let app = billed("receiptperiod").await;
    app.time_passes();
    let only = json!({"account": OTHER, "organization": OFFICE, "period": "2018-11", "to_pay": 5});
    let november = [("from", "2018-11-01"), ("to", "2018-11-30")];
    let (status, answer) = app.post_receipts(json!([only]), &november).await;
    assert_eq!(
        (status, answer["removed"].clone()),
        (201, json!(2)),
        "{answer}"
    );
    let (_, answer) = app.get_receipts(OWN, &[]).await;
    assert_eq!(answer["data"]["items"], json!([]), "{answer}");
    let (_, answer) = app.get_receipts(OTHER, &[]).await;
    assert_eq!(answer["data"]["items"][0]["to_pay"], 5, "{answer}");
}
