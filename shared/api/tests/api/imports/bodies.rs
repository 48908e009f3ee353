//! Bodies as 1C and API Gateway really send them: 1C's JSON, base64, every encoding, malformed and
//! oversized bodies.

use super::*;

#[tokio::test]
async fn what_1c_really_sends_is_normalised_once() {
    let app = TestApp::new("tolerant").await;
    let store = app.store();
    prerequisites(&app).await;
    // BOM, no Content-Type, key with stray spaces and capitals, braces and upper case in GUIDs,
    // human-formatted numbers, an offset on the date.
    let body = "\u{feff}{\"balances\": [{\"Account \": \"{AD96E8AB-476F-11E7-8518-0050569F0C67}\",\
        \"service\": \"B712502B-005F-11E4-8679-D43D7E9EFAEB\", \"date\": \"2018-06-30T23:59:59+03:00\",\
        \"amount\": \"-20\u{a0}394,86\"},]}";
    assert_eq!(
        app.post_ok(Endpoint::ImportBalances, body).await,
        json!({"imported": 1})
    );
    let stored: Vec<Balance> = store
        .whole_history(
            &app.tenant,
            "ad96e8ab-476f-11e7-8518-0050569f0c67".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(stored[0].amount, dec("-20394.86"));
    assert_eq!(stored[0].date.to_string(), "2018-06-30T23:59:59");
    assert_eq!(
        stored[0].service.map(|s| s.to_string()).as_deref(),
        Some("b712502b-005f-11e4-8679-d43d7e9efaeb")
    );

    // Numbers are exact decimals in storage too: no float ever rounds them.
    let raw = store
        .client()
        .query()
        .table_name(store.tables().name(Table::Balances))
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(
            ":pk",
            AttributeValue::S("default#ad96e8ab-476f-11e7-8518-0050569f0c67".into()),
        )
        .send()
        .await
        .unwrap();
    let item = &raw.items.unwrap()[0];
    assert_eq!(item["amount"], AttributeValue::S("-20394.86".into()));
    assert_eq!(
        item["sk"],
        AttributeValue::S("2018-06-30T23:59:59#b712502b-005f-11e4-8679-d43d7e9efaeb".into())
    );
}

#[tokio::test]
async fn a_base64_body_from_api_gateway_imports() {
    let app = TestApp::new("base64").await;
    let store = app.store();
    let body = fixture("spec/services.json");
    let encoded = BASE64_STANDARD.encode(format!("\u{feff}{body}"));
    let event = json!({
        "version": "2.0", "routeKey": "POST /api/directory/importservices",
        "rawPath": "/api/directory/importservices", "rawQueryString": "",
        "headers": {"content-type": "application/octet-stream"},
        "requestContext": {"accountId": "1", "apiId": "a", "domainName": "x", "domainPrefix": "x",
            "http": {"method": "POST", "path": "/api/directory/importservices", "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "1C+Enterprise/8.3"},
            "requestId": "r", "routeKey": "POST /api/directory/importservices", "stage": "$default",
            "time": "22/Nov/2026:00:00:00 +0000", "timeEpoch": 0},
        "body": encoded, "isBase64Encoded": true
    });
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let (status, answer) = app
        .send(Endpoint::ImportServices, authorized(request, &app.key))
        .await;
    assert_eq!((status, answer), (201, json!({"imported": 1})));
    assert_eq!(
        store.directory::<Service>(&app.tenant).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_4xx_and_nothing_is_written() {
    let app = TestApp::new("malformed").await;
    let _store = app.store();
    let oversized = format!(
        "{{\"services\": [], \"x\": \"{}\"}}",
        "a".repeat(api::body::MAX_BODY_IN_EVENT)
    );
    let cases: [(Body, u16, &str); 8] = [
        (Body::from("{\"services\": [{\"id\": "), 400, "invalid_json"),
        (Body::from("[]"), 400, "invalid_body"),
        (Body::from("{\"accounts\": []}"), 400, "missing_collection"),
        (
            Body::from("{\"services\": {\"id\": 1}}"),
            400,
            "invalid_collection",
        ),
        (Body::Empty, 400, "empty_body"),
        (Body::from("\u{feff}  "), 400, "empty_body"),
        (Body::from(vec![0xff, 0xfe, b'{']), 400, "invalid_encoding"),
        (Body::from(oversized), 413, "payload_too_large"),
    ];
    for (body, status, code) in cases {
        let request = authorized(post(body), &app.key);
        let (got, answer) = app.send(Endpoint::ImportServices, request).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str().unwrap()),
            (status, code),
            "{answer}"
        );
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }
    assert!(app.snapshot().await.values().all(Vec::is_empty));
}

/// A request whose body is `bytes`, as API Gateway hands a binary payload over (base64, which
/// lambda_http decodes), with this `Content-Type`.
fn binary(key: &ApiKey, bytes: Vec<u8>, content_type: &str) -> Request {
    let mut request = authorized(post(Body::Binary(bytes)), key);
    let value = content_type.parse().unwrap();
    request.headers_mut().insert("content-type", value);
    request
}

#[tokio::test]
async fn bodies_in_every_encoding_1c_writes_import_alike() {
    let app = TestApp::new("encodings").await;
    let json = fixture("spec/services.json");
    let json = json.trim_start_matches('\u{feff}');
    let (cp1251, _, lossy) = encoding_rs::WINDOWS_1251.encode(json);
    assert!(!lossy);
    let utf16le: Vec<u8> = [0xfeffu16]
        .into_iter()
        .chain(json.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let utf16be: Vec<u8> = [0xfeffu16]
        .into_iter()
        .chain(json.encode_utf16())
        .flat_map(u16::to_be_bytes)
        .collect();
    let cases = [
        (cp1251.to_vec(), "application/json; charset=windows-1251"),
        (cp1251.to_vec(), "application/octet-stream"),
        (utf16le, "application/json"),
        (utf16be, "text/plain; charset=utf-16"),
    ];
    let mut stored = Vec::new();
    for (bytes, content_type) in cases {
        let (status, answer) = app
            .send(
                Endpoint::ImportServices,
                binary(&app.key, bytes, content_type),
            )
            .await;
        assert_eq!(status, 201, "{content_type}: {answer}");
        stored.push(app.store().directory::<Service>(&app.tenant).await.unwrap());
    }
    assert!(stored.iter().all(|s| s == &stored[0] && !s.is_empty()));
    let names = stored[0].iter().filter_map(|s| s.full_name.as_ref());
    assert!(
        names
            .map(|n| n.as_str())
            .any(|n| n.chars().any(|c| ('а'..='я').contains(&c)))
    );

    // Bytes that are not the charset they declare are refused, and nothing is written.
    let app = TestApp::new("encodings-bad").await;
    let request = binary(&app.key, cp1251.to_vec(), "application/json; charset=utf-8");
    let (status, answer) = app.send(Endpoint::ImportServices, request).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("invalid_encoding"))
    );
    assert!(app.snapshot().await.values().all(Vec::is_empty));
}

#[tokio::test]
async fn the_largest_body_is_the_one_lambda_takes() {
    let app = TestApp::new("limit").await;
    let limit = api::body::MAX_BODY_IN_EVENT;
    // A text body travels as a JSON string: its quotes and backslashes count twice.
    let text_body = |size_in_event: usize| {
        let head = "{\"services\": [], \"pad\": \"";
        // The event's quotes (2), the head with its quotes escaped, the closing `"}` (3).
        let pad = size_in_event - 2 - head.len() - head.matches('"').count() - 3;
        format!("{head}{}\"}}", "я".repeat(pad / 2) + &"x".repeat(pad % 2))
    };
    for (size, status) in [(limit, 201), (limit + 1, 413)] {
        let body = text_body(size);
        assert_eq!(api::body::size_in_event(&Body::from(body.clone())), size);
        let (got, answer) = app.post(Endpoint::ImportServices, body).await;
        assert_eq!(got, status, "{answer}");
    }
    // A binary one travels in base64: a third more.
    for (size, status) in [
        (api::body::MAX_BINARY_BODY, 201),
        (api::body::MAX_BINARY_BODY + 1, 413),
    ] {
        let mut bytes = b"{\"services\": []}".to_vec();
        bytes.resize(size, b' ');
        let (got, answer) = app
            .send(
                Endpoint::ImportServices,
                binary(&app.key, bytes, "application/json"),
            )
            .await;
        assert_eq!(got, status, "{answer}");
        if status == 413 {
            assert_eq!(answer["error"]["code"], "payload_too_large");
        }
    }
}

#[tokio::test]
async fn an_item_too_large_to_store_is_refused_before_anything_is_written() {
    let app = TestApp::new("oversized").await;
    let mut services: Vec<Value> = (0..60)
        .map(|i| json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "full_name": "Услуга"}))
        .collect();
    services[37]["full_name"] = json!("ж".repeat(210_000));
    let body = json!({ "services": services }).to_string();
    let (status, answer) = app.post(Endpoint::ImportServices, body).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_items");
    assert_eq!(
        answer["error"]["details"],
        json!([{"index": 37, "field": "full_name",
                "message": "элемент больше 400 КБ, предела хранилища: сократите это поле"}])
    );
    assert!(app.snapshot().await.values().all(Vec::is_empty));
}

/// A body of nothing but bad items within the size limit (two million `{}`, or one act of a
/// million bad lines): every problem is counted, a hundred are listed, nothing is written. The
/// memory this takes is in docs/BENCHMARKS.md (`BENCH_ONLY=memory`).
#[tokio::test]
async fn millions_of_bad_items_are_counted_and_a_hundred_listed() {
    let app = TestApp::new("badmillions").await;
    let items = 1_900_000;
    let body = format!("{{\"counters\":[{}{{}}]}}", "{},".repeat(items - 1));
    let (status, answer) = app.post(Endpoint::ImportReadings, body).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["details"].as_array().unwrap().len(), 100);
    // Three required fields (counter, date, current_data1) of every item.
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{}", 3 * items)) && message.contains(&format!("{items}")),
        "{message}"
    );
    let lines = format!("{}{{}}", "{},".repeat(999_999));
    let act = format!(
        "{{\"acts\":[{{\"act_number\":1,\"created_at\":\"2026-01-01\",\
         \"payer\":{{\"id\":1,\"name\":\"П\"}},\"recipient\":{{\"id\":2,\"name\":\"Р\"}},\
         \"act_status\":\"sended\",\"services\":[{lines}]}}]}}"
    );
    let (status, answer) = app.post(Endpoint::ImportActs, act).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["details"].as_array().unwrap().len(), 100);
    let message = answer["error"]["message"].as_str().unwrap();
    // Two required fields (title, amount) of every line, in one item.
    assert!(
        message.contains("2000000") && message.contains("элементах: 1"),
        "{message}"
    );
    assert!(app.snapshot().await.values().all(Vec::is_empty));
}
