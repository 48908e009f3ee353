//! Reading receipts back: the codes' payment text, months, and whose keys read what.

use domain::Scope;
use serde_json::json;

use super::*;

#[tokio::test]
async fn each_receipt_answers_the_payment_text_of_its_payee() {
    let app = billed("receiptqr").await;
    let (status, answer) = app
        .get_receipts(OWN, &[("from", "2018-11"), ("to", "2018-11")])
        .await;
    assert_eq!(status, 200, "{answer}");
    let office = answer["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["organization"] == OFFICE)
        .unwrap()
        .clone();
    assert_eq!(
        office["qr"],
        "ST00011|Name=ТСЖ «Окунево»|PersonalAcc=40703810303800000123|BankName=ПАО Сбербанк\
         |BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7723012346|KPP=772301001\
         |PersAcc=М30400НЖ001|PaymPeriod=112018|Sum=296995\
         |Purpose=Оплата по квитанции № 11-001 за 11.2018, лицевой счёт М30400НЖ001"
    );
    assert_eq!(office["period"], "2018-11");
    assert_eq!(office["to_pay"], json!(2969.95));
    assert_eq!(office["lines"][1]["volume"], json!(6.345));
    assert_eq!(office["ipd"], "75АБ533315-01-1118");
    // Nothing to pay: no Sum, the payer enters it.
    let paid =
        json!({"account": OWN, "organization": OFFICE, "period": "2018-12", "to_pay": "-10"});
    assert_eq!(app.post_receipts(json!([paid]), &[]).await.0, 201);
    let (_, answer) = app.get_receipts(OWN, &[("from", "2018-12")]).await;
    let qr = answer["data"]["items"][0]["qr"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !qr.contains("Sum=") && qr.contains("PaymPeriod=122018"),
        "{qr}"
    );
    // A payee deleted in 1C: its receipts are still shown, with no code.
    let deleted = payee(json!({"deleted": true}));
    assert_eq!(app.post_organizations(json!([deleted])).await.0, 201);
    let (_, answer) = app.get_receipts(OWN, &[("to", "2018-11")]).await;
    let items = answer["data"]["items"].as_array().unwrap();
    let office = items.iter().find(|r| r["organization"] == OFFICE).unwrap();
    let fund = items.iter().find(|r| r["organization"] == FUND).unwrap();
    assert_eq!(office["qr"], json!(null));
    assert!(
        fund["qr"]
            .as_str()
            .unwrap()
            .starts_with("ST00011|Name=Фонд")
    );
}

#[tokio::test]
async fn months_pages_and_bad_parameters() {
    let app = billed("receiptmonths").await;
    for month in ["2018-09", "2018-10", "2018-12"] {
        let receipt = json!({"account": OWN, "organization": OFFICE, "period": month, "to_pay": 1});
        assert_eq!(app.post_receipts(json!([receipt]), &[]).await.0, 201);
    }
    let periods = |answer: &Value| -> Vec<String> {
        let items = answer["data"]["items"].as_array().unwrap();
        items
            .iter()
            .map(|r| r["period"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, answer) = app
        .get_receipts(OWN, &[("from", "2018-10"), ("to", "2018-11")])
        .await;
    assert_eq!(periods(&answer), ["2018-11", "2018-11", "2018-10"]);
    let (_, first) = app.get_receipts(OWN, &[("limit", "3")]).await;
    assert_eq!(periods(&first), ["2018-12", "2018-11", "2018-11"]);
    let next = first["data"]["next"].as_str().unwrap();
    let (_, second) = app
        .get_receipts(OWN, &[("limit", "3"), ("next", next)])
        .await;
    assert_eq!(periods(&second), ["2018-10", "2018-09"]);
    for (name, bad) in [
        ("from", "2018-13"),
        ("to", "2018"),
        ("limit", "101"),
        ("limit", "0"),
    ] {
        let (status, answer) = app.get_receipts(OWN, &[(name, bad)]).await;
        assert_eq!(status, 400, "{name}={bad}: {answer}");
        assert_eq!(answer["error"]["details"][0]["field"], name, "{answer}");
    }
}

#[tokio::test]
async fn a_key_bound_to_another_account_reads_none_of_its_receipts() {
    let app = billed("receiptkeys").await;
    let own = app.with_key(&app.key_bound_to("default", &Scope::FOR_ACCOUNT, OWN).await);
    let other = app.with_key(
        &app.key_bound_to("default", &Scope::FOR_ACCOUNT, OTHER)
            .await,
    );
    // The positive control: its own account's receipts, page and link.
    assert_eq!(own.get_receipts(OWN, &[]).await.0, 200);
    assert_eq!(own.get_receipt_print(OWN, "2018-11").await.status(), 200);
    let (status, link) = own.post_receipt_link(OWN, "2018-11", &[]).await;
    assert_eq!(status, 201, "{link}");
    // Another account's: 404, as an account that does not exist.
    let (status, answer) = other.get_receipts(OWN, &[]).await;
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (404, json!("not_found"))
    );
    assert_eq!(other.get_receipt_print(OWN, "2018-11").await.status(), 404);
    assert_eq!(other.post_receipt_link(OWN, "2018-11", &[]).await.0, 404);
    // A link opens its own page only, and ends with its key.
    let url = link["data"]["url"].as_str().unwrap();
    assert_eq!(app.open_receipt_link(url).await.status(), 200);
    let elsewhere = url.replace(OWN, OTHER);
    assert_eq!(app.open_receipt_link(&elsewhere).await.status(), 404);
    let other_month = url.replace("2018-11", "2018-10");
    assert_eq!(app.open_receipt_link(&other_month).await.status(), 404);
    // A month without receipts has no page.
    assert_eq!(app.get_receipt_print(OWN, "2018-10").await.status(), 404);
}
