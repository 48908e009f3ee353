//! Over HTTP: acts through every read route, keys' scopes and tenants, a period import.

use super::*;

#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn acts_imported_over_http_come_back_through_every_read_route() {
    let api = Api::new();
    let act = |number: u64, created_at: &str, status: &str, amount: u64| {
        json!({"act_number": number, "count_number": format!("E2E-{number}"), "created_at": created_at,
               "payer": {"id": 900_001, "name": "ООО «Проверка»"}, "recipient": {"id": 900_002, "name": "ООО «Приёмка»"},
               "act_status": status, "send_date": null, "send_method": null, "send_address": null,
               "vat_rate": 20, "services": [{"title": "Услуга", "amount": amount}]})
    };
    let acts = json!({"acts": [
        act(9_000_001, "2030-01-01", "sended", 1000),
        act(9_000_002, "2030-01-02", "not_sended", 2000),
        act(9_000_003, "2030-01-03", "sended", 1),
    ]});
    let (status, answer) = api.post_json("/v1/billing/acts/import", acts.to_string());
    assert_eq!((status, answer), (201, json!({"imported": 3})));

    let filter = "created_at_from=2030-01-01&created_at_to=2030-01-31&payer_id=900001";
    let (status, page) = api.get(&format!(
        "/v1/billing/acts/1/2?{filter}&sort=amount&direction=desc"
    ));
    assert_eq!(status, 200, "{page}");
    let numbers: Vec<u64> = page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["act_number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [9_000_002, 9_000_001]);
    assert_eq!(page["data"]["total"], 3);
    assert_eq!(page["data"]["pages"], json!({"page": 1, "total": 2}));
    assert_eq!(page["data"]["items"][0]["amount"], json!(2400));

    let (status, page) = api.get(&format!("/v1/billing/acts/2?{filter}&act_status=sended"));
    assert_eq!((status, page["data"]["total"].as_u64()), (200, Some(2)));
    assert_eq!(
        page["data"]["items"],
        json!([]),
        "page 2 of 10 is past the end"
    );
    assert_eq!(api.get("/v1/billing/acts").0, 200);

    let (status, info) = api.get("/v1/billing/act_info/9000003");
    assert_eq!(status, 200);
    assert_eq!(info["data"]["act_number"], "Акт № 9000003 от 03.01.2030");
    assert_eq!(info["data"]["vat_string"], "НДС 20%");
    assert_eq!(info["data"]["total_amount_with_vat"], json!(1.2));
    assert_eq!(info["data"]["sum_string"], "К оплате: Один рубль 20 коп.");

    let (status, page) = api.get("/v1/billing/act_info/9000003/print");
    assert_eq!(status, 200);
    let page = page.as_str().expect("an HTML page");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        page.contains("<h1>Акт № 9000003 от 03.01.2030</h1>"),
        "{page}"
    );
    assert_eq!(api.get("/v1/billing/act_info/123456789012/print").0, 404);
    assert_eq!(api.get("/v1/billing/act_info/123456789012").0, 404);
    let (status, error) = api.get("/v1/billing/acts/1/1000?created_at_to=2020-25-12");
    assert_eq!(status, 400);
    assert_eq!(error["error"]["details"].as_array().unwrap().len(), 2);

    let (_, statuses) = api.get("/v1/billing/filter/act_statuses");
    assert_eq!(
        statuses["data"][0],
        json!({"id": "sended", "name": "Отправлен"})
    );
    let (_, payers) = api.get("/v1/billing/filter/payers");
    assert!(
        payers["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 900_001, "name": "ООО «Проверка»"}))
    );
    let (_, recipients) = api.get("/v1/billing/filter/recipients");
    assert!(
        recipients["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 900_002, "name": "ООО «Приёмка»"}))
    );
}

#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn keys_scopes_and_tenants_over_http() {
    let body = fixture("prerequisites/services.json");
    let (status, answer) = Api::with_key(None).post_json(SERVICES, &body);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    assert_eq!(
        Api::with_key(None).get("/v1/billing/filter/act_statuses").0,
        401
    );

    let reader = Api::with_key(Some(new_key(
        &fresh_tenant("reader"),
        &[domain::Scope::Read],
    )));
    assert_eq!(reader.post_json(SERVICES, &body).0, 403);
    assert_eq!(reader.get("/v1/billing/filter/act_statuses").0, 200);

    // Two tenants import the same act number; each reads back its own.
    let (first, second) = (
        Api::new(),
        Api::with_key(Some(new_key(&fresh_tenant("other"), &domain::Scope::ALL))),
    );
    for (api, payer) in [
        (&first, "Плательщик первого"),
        (&second, "Плательщик второго"),
    ] {
        let act = json!({"acts": [{"act_number": 9_100_001, "created_at": "2030-02-01", "act_status": "sended",
            "payer": {"id": 1, "name": payer}, "recipient": {"id": 2, "name": "Получатель"},
            "services": [{"title": "Услуга", "amount": 5}]}]});
        assert_eq!(
            api.post_json("/v1/billing/acts/import", act.to_string()).0,
            201
        );
    }
    let (_, payers) = first.get("/v1/billing/filter/payers");
    assert!(
        payers["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 1, "name": "Плательщик первого"}))
    );
    let (_, payers) = second.get("/v1/billing/filter/payers");
    assert_eq!(
        payers["data"],
        json!([{"id": 1, "name": "Плательщик второго"}])
    );
}

#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn a_period_import_over_http_leaves_exactly_what_1c_holds() {
    use store::RecordWriter;
    let tenant = fresh_tenant("period");
    let api = Api::with_key(Some(new_key(&tenant, &domain::Scope::ALL)));
    for (path, body) in exchange().into_iter().take(3) {
        assert_eq!(api.post_json(path, &body).0, 201, "{path}");
    }
    let account = "af723e90-c3d4-11e4-8075-1c6f652434e1";
    let payment = |id: &str, day: u32, amount: i64| json!({"id": id, "account": account, "date": format!("2018-12-{day:02}"), "amount": amount});
    // What an import wrote an hour ago. It is written straight into the server's tables, as the
    // function would have: over HTTP it would be written now, and a period import never removes
    // what was written in the minute before it began.
    let first = json!({"transactions": [
        payment("11111111-1111-4111-8111-111111111111", 5, -2600),
        payment("22222222-2222-4222-8222-222222222222", 6, -500),
    ]});
    let records = api::import::parse_all::<domain::Transaction>(&first.to_string()).unwrap();
    let stamp = store::Stamp {
        at: chrono::Utc::now() - chrono::Duration::hours(1),
        import: None,
    };
    let tenant = domain::Tenant::parse(&tenant).unwrap();
    let store = server_store();
    runtime().block_on(async {
        let plan = store.plan(&tenant, records, stamp).unwrap();
        RecordWriter::<domain::Transaction>::write(&store, &tenant, plan)
            .await
            .unwrap();
    });
    // December again, as 1C holds it now: the first payment corrected, the second un-posted.
    let december =
        json!({"transactions": [payment("11111111-1111-4111-8111-111111111111", 5, -2700)]});
    let (status, answer) = api.post_json(
        &format!("{TRANSACTIONS}?from=2018-12-01&to=2018-12-31"),
        december.to_string(),
    );
    assert_eq!(
        (status, answer),
        (201, json!({"imported": 1, "removed": 1}))
    );
    let (_, page) = api.get(&format!("/api/accounts/{account}/transactions"));
    let items = page["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["amount"], json!(-2700));
    assert_eq!(items[0]["id"], "11111111-1111-4111-8111-111111111111");

    // The same month as an exchange opened before 1C read its books: its one part names only
    // the exchange and the part, and its status tells it completed.
    let opening =
        json!({"kind": "transactions", "from": "2018-12-01", "to": "2018-12-31", "parts": 1});
    let (status, opened) = api.post_json("/api/exchanges", opening.to_string());
    assert_eq!(status, 201, "{opened}");
    let guid = opened["data"]["exchange"].as_str().unwrap();
    let (status, answer) = api.post_json(
        &format!("{TRANSACTIONS}?exchange={guid}&part=1"),
        december.to_string(),
    );
    assert_eq!((status, &answer["removed"]), (201, &json!(0)), "{answer}");
    let (status, state) = api.get(&format!("/api/exchanges/{guid}"));
    assert_eq!(status, 200, "{state}");
    assert_eq!(
        (
            &state["data"]["received"],
            &state["data"]["complete"],
            &state["data"]["removed"]
        ),
        (&json!([1]), &json!(true), &json!(0))
    );

    // 1C's reconciliation of December: the account holds one transaction of -2700.
    let (status, tally) = api.get("/api/transaction/reconciliation?from=2018-12-01&to=2018-12-31");
    assert_eq!(status, 200, "{tally}");
    let mine: Vec<&serde_json::Value> = tally["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["account"] == account)
        .collect();
    assert_eq!(mine.len(), 1, "{tally}");
    assert_eq!(
        (&mine[0]["count"], &mine[0]["sum"]),
        (&json!(1), &json!(-2700))
    );
    // And its journal, newest first: the exchange's part, then its opening.
    let (status, journal) = api.get("/api/journal?limit=2");
    assert_eq!(status, 200, "{journal}");
    let routes: Vec<(&str, &serde_json::Value)> = journal["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["route"].as_str().unwrap(), &e["exchange"]))
        .collect();
    assert_eq!(routes.len(), 2, "{journal}");
    assert!(routes[0].0.contains("/api/transaction/import"), "{journal}");
    assert_eq!(routes[0].1, guid, "{journal}");
    assert!(routes[1].0.contains("/api/exchanges"), "{journal}");
}
