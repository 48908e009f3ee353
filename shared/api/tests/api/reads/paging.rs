//! Pages: histories through next, cursors bound to their question, services across shards, answers
//! under Lambda's 6 MB.

use super::*;

#[tokio::test]
async fn history_pages_newest_first_through_the_next_token() {
    let app = TestApp::new("paging").await;
    app.import_examples().await;
    let key = &app.key;
    // 250 balances of one account over 250 days, two of them with decimals kept to the kopeck.
    let items: Vec<Value> = (0..250)
        .map(|day| {
            let date =
                chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + chrono::Days::new(day);
            json!({"account": PETROV, "service": "b712502b-005f-11e4-8679-d43d7e9efaeb",
                   "date": format!("{date}T12:00:00"), "amount": format!("{day},50")})
        })
        .collect();
    let body = json!({"balances": items}).to_string();
    app.post_ok(Endpoint::ImportBalances, body).await;

    let mut dates = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = vec![("from", "2019-01-01"), ("limit", "100")];
        if let Some(token) = &next {
            query.push(("next", token.as_str()));
        }
        let (status, _, page) = read(
            &app,
            Endpoint::AccountBalances,
            get(key, Some(PETROV), &query),
        )
        .await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for item in page["data"]["items"].as_array().unwrap() {
            dates.push(item["date"].as_str().unwrap().to_owned());
        }
        match page["data"]["next"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert!((3..=4).contains(&pages), "{pages} pages");
    assert_eq!(dates.len(), 250, "the 2018 spec balance is before `from`");
    let mut sorted = dates.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(dates, sorted, "newest first, no repeats");

    // Inclusive days at both ends.
    let (_, text, june) = read(
        &app,
        Endpoint::AccountBalances,
        get(
            key,
            Some(PETROV),
            &[("from", "2019-06-01"), ("to", "2019-06-30")],
        ),
    )
    .await;
    assert_eq!(june["data"]["items"].as_array().unwrap().len(), 30);
    assert!(text.contains("\"amount\":180.50"), "scale kept: {text}");

    // The account view shows the newest balance, and an older import does not replace it.
    let older = json!({"balances": [{"account": PETROV, "service": "b712502b-005f-11e4-8679-d43d7e9efaeb",
                                      "date": "2018-01-01T00:00:00", "amount": 1}]});
    app.post_ok(Endpoint::ImportBalances, older.to_string())
        .await;
    let (_, _, petrov) = read(&app, Endpoint::AccountGet, get(key, Some(PETROV), &[])).await;
    assert_eq!(petrov["data"]["balances"][0]["date"], "2019-09-07T12:00:00");
    assert_eq!(petrov["data"]["balances"][0]["amount"], json!(249.50));
}

/// The `next` token of the first page of a history of 3 balances read by 2.
async fn first_token(app: &TestApp) -> String {
    let items: Vec<Value> = (1..=3)
        .map(|day| {
            json!({"account": PETROV, "service": "b712502b-005f-11e4-8679-d43d7e9efaeb",
                   "date": format!("2019-01-0{day}T12:00:00"), "amount": day})
        })
        .collect();
    app.post_ok(
        Endpoint::ImportBalances,
        json!({ "balances": items }).to_string(),
    )
    .await;
    let (status, page) = app
        .get_balances(PETROV, &[("from", "2019-01-01"), ("limit", "2")])
        .await;
    assert_eq!(status, 200, "{page}");
    page["data"]["next"].as_str().unwrap().to_owned()
}

/// A `next` token is taken back only for the question it was issued for: same tenant,
/// endpoint, owner and period, signed by this deployment. Anything else is `400` on `next`
/// before any DynamoDB call but the key's.
#[tokio::test]
async fn a_cursor_continues_only_the_question_it_was_issued_for() {
    let app = TestApp::new("cursors").await;
    app.import_examples().await;
    let token = first_token(&app).await;
    let from = ("from", "2019-01-01");
    let (status, page) = app
        .get_balances(PETROV, &[from, ("limit", "2"), ("next", &token)])
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"]["items"].as_array().unwrap().len(), 1);

    let mut tampered = token.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let rotated = app.with_signing_key(domain::SigningKey::new(&[5; 32]).unwrap());
    let refused = [
        app.get_balances(PETROV, &[from, ("next", &tampered)]).await,
        app.get_balances(PETROV, &[("from", "2019-01-02"), ("next", &token)])
            .await,
        app.get_transactions(PETROV, &[from, ("next", &token)])
            .await,
        app.get(Endpoint::ServicesList, &[], &[("next", &token)])
            .await,
        rotated
            .get_balances(PETROV, &[from, ("next", &token)])
            .await,
    ];
    for (status, answer) in refused {
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["details"][0]["field"], "next");
    }
    // Another tenant's own account with the same id: the token is still not theirs.
    let other = app.fresh_tenant("other").await;
    other.import_examples().await;
    let (status, _) = other.get_balances(PETROV, &[from, ("next", &token)]).await;
    assert_eq!(status, 400);
    // Refused before the store is asked anything but the key.
    let (counted, calls) = app.counting_calls();
    let (status, _) = counted
        .get_balances(PETROV, &[from, ("next", &tampered)])
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the key only"
    );
}

fn a_service(i: usize, name: String) -> Value {
    json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "short_name": format!("{i}"),
           "full_name": name})
}

/// `GET /api/services` pages by `limit` and `next`, through every shard, each service once.
#[tokio::test]
async fn services_page_through_every_shard() {
    let app = TestApp::new("servicepages").await;
    let services: Vec<Value> = (0..45)
        .map(|i| a_service(i, format!("Услуга {i}")))
        .collect();
    assert_eq!(app.post_services(json!(services)).await.0, 201);
    let mut seen = std::collections::BTreeSet::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = vec![("limit", "10")];
        if let Some(token) = &next {
            query.push(("next", token.as_str()));
        }
        let (status, page) = app.get(Endpoint::ServicesList, &[], &query).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        let items = page["data"]["items"].as_array().unwrap();
        assert!(items.len() <= 10);
        for item in items {
            assert!(
                seen.insert(item["id"].as_str().unwrap().to_owned()),
                "twice: {item}"
            );
        }
        match page["data"]["next"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 45);
    assert!((5..=6).contains(&pages), "{pages} pages");
    let (_, all) = app.get_services().await;
    assert_eq!(all["data"]["items"].as_array().unwrap().len(), 45);
    assert_eq!(all["data"]["next"], Value::Null);
}

/// A page stops before Lambda's 6 MB answer limit however large the services are: ten of
/// 300 KB each (3 MB) come in two pages or more, each answer well under 6 MB.
#[tokio::test]
async fn a_page_of_large_services_stays_under_lambdas_answer_limit() {
    let app = TestApp::new("servicesize").await;
    // Quotes double in Lambda's JSON string: the worst of what a name can hold but a
    // control character.
    let name = "\"".repeat(100) + &"я".repeat(150_000);
    for part in 0..2 {
        let services: Vec<Value> = (0..5)
            .map(|i| a_service(part * 5 + i, name.clone()))
            .collect();
        assert_eq!(app.post_services(json!(services)).await.0, 201);
    }
    let mut next: Option<String> = None;
    let (mut seen, mut pages) = (0, 0);
    loop {
        let query: Vec<(&str, &str)> = next.iter().map(|t| ("next", t.as_str())).collect();
        let response = app
            .respond(app.to(Endpoint::ServicesList).query(&query))
            .await;
        let lambda_http::Body::Text(text) = response.body() else {
            panic!("no text")
        };
        let in_lambda = serde_json::to_string(text).unwrap().len();
        assert!(in_lambda < 6 * 1024 * 1024, "{in_lambda} bytes");
        let page: Value = serde_json::from_str(text).unwrap();
        seen += page["data"]["items"].as_array().unwrap().len();
        pages += 1;
        match page["data"]["next"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 10);
    assert!(pages >= 2, "{pages}");
}

/// An account whose meters (and own fields) are as large as DynamoDB stores: each answer stays
/// under Lambda's 6 MB, `next` continues with the meters that did not fit, each shown once; a
/// small account's answer has no `next`.
#[tokio::test]
async fn a_large_account_continues_through_next_under_lambdas_limit() {
    let app = TestApp::new("accountsize").await;
    app.import_examples().await;
    // Control characters: six bytes each in the answer, seven in Lambda's.
    let huge = |n: usize| "\u{1}".repeat(n);
    let account = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
    let (_, before) = app.get_account(account).await;
    let fixtures = before["data"]["counters"].as_array().unwrap().len();
    let name = json!({"accounts": [{"id": account, "name": huge(300_000)}]});
    app.post_ok(Endpoint::ImportAccounts, name.to_string())
        .await;
    for i in 0..4 {
        let meter = json!({"counters": [{"id": format!("00000000-0000-4000-8000-{i:012}"),
            "name": huge(300_000), "account": account,
            "service": "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48"}]});
        app.post_ok(Endpoint::ImportCounters, meter.to_string())
            .await;
    }
    let (mut meters, mut pages, mut next) = (Vec::new(), 0, None::<String>);
    loop {
        let query: Vec<(&str, &str)> = next.iter().map(|t| ("next", t.as_str())).collect();
        let response = app
            .respond(app.to(Endpoint::AccountGet).at(&[account]).query(&query))
            .await;
        let Body::Text(text) = response.body() else {
            panic!("no text")
        };
        let in_lambda = serde_json::to_string(text).unwrap().len();
        assert!(in_lambda < 6 * 1024 * 1024, "{in_lambda} bytes");
        let page: Value = serde_json::from_str(text).unwrap();
        assert_eq!(page["data"]["id"], account, "every page is the account's");
        pages += 1;
        for meter in page["data"]["counters"].as_array().unwrap() {
            meters.push(meter["id"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert!(pages >= 3, "{pages} pages");
    let unique: std::collections::BTreeSet<_> = meters.iter().collect();
    let expected = fixtures + 4;
    assert_eq!(
        (meters.len(), unique.len()),
        (expected, expected),
        "{meters:?}"
    );
    let (status, petrov) = app.get_account(PETROV).await;
    assert_eq!(status, 200);
    assert!(petrov.get("next").is_none(), "{petrov}");
    let (status, answer) = app
        .get(
            Endpoint::AccountGet,
            &[("id", account)],
            &[("next", "AAAA")],
        )
        .await;
    assert_eq!(
        (status, &answer["error"]["details"][0]["field"]),
        (400, &json!("next"))
    );
}
