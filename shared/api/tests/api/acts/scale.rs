//! Acts at scale and at once: tens of thousands, the largest, concurrent imports, the longest keys.

use super::*;

/// The default listing reads as many whole acts as it returns, and skips only small index
/// entries, however many acts the tenant has.
#[tokio::test]
async fn twenty_thousand_acts_page_without_reading_them_all() {
    let app = TestApp::new("actscale").await;
    let tenant = app.tenant.clone();
    let act = |n: u64| {
        json!({"act_number": n, "count_number": format!("{}", n % 977), "created_at": format!("2019-{:02}-{:02}", 1 + n % 12, 1 + n % 28),
               "payer": {"id": n % 40, "name": "П"}, "recipient": {"id": 1, "name": "Р"},
               "act_status": if sended(n) { "sended" } else { "not_sended" },
               "services": [{"title": "У", "amount": n % 1000}]})
    };
    // Dates repeat every 84 acts; the status follows the cycle's number, not the date.
    fn sended(n: u64) -> bool {
        (n / 84) % 3 == 0
    }
    let sended_total = (1..=20_000u64).filter(|n| sended(*n)).count() as u64;
    for chunk in (1..=20_000u64).collect::<Vec<_>>().chunks(2_000) {
        let acts: Vec<Value> = chunk.iter().map(|n| act(*n)).collect();
        assert_eq!(app.post_acts(&acts).await.0, 201);
    }
    let counts = app.store().act_counts(&tenant).await.unwrap();
    assert_eq!((counts.total, counts.sended), (20_000, sended_total));

    for (page, limit) in [(1u32, 10u32), (2, 10), (30, 100)] {
        let query =
            ActQuery::parse(Some(&page.to_string()), Some(&limit.to_string()), |_| None).unwrap();
        let result = app.store().act_page(&tenant, &query).await.unwrap();
        assert_eq!(result.total, 20_000);
        assert_eq!(result.acts.len(), limit as usize);
        assert_eq!(result.acts_read, limit as usize, "whole acts read");
        assert_eq!(
            result.index_entries_read,
            (page * limit) as usize,
            "index entries skipped"
        );
    }
    // Status only: the total still comes from the counts, and the walk stops at the page.
    let sended = ActQuery::parse(None, None, |n| (n == "act_status").then_some("sended")).unwrap();
    let result = app.store().act_page(&tenant, &sended).await.unwrap();
    assert_eq!((result.total, result.acts_read), (sended_total, 10));
    assert!(
        result.index_entries_read <= 200,
        "{}",
        result.index_entries_read
    );
}

#[tokio::test]
async fn an_act_refused_for_its_size_leaves_nothing_behind() {
    let app = TestApp::new("actoversized").await;
    let mut huge = spec_list_act();
    huge["act_number"] = json!(38201);
    huge["payer"] = json!({"id": 99, "name": "Плательщик без акта"});
    huge["act_text"] = json!("я".repeat(300_000));
    let (status, answer) = app.post_acts(&[spec_info_act(), huge]).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"]["details"],
        json!([{"index": 1, "field": "act_text",
                "message": "элемент больше 400 КБ, предела хранилища: сократите это поле"}])
    );
    assert_eq!(app.get_acts(&[], &[]).await.1["data"]["total"], 0);
    assert_eq!(app.get_payers().await, json!({"data": []}));
    assert_eq!(app.get_recipients().await, json!({"data": []}));
}

#[tokio::test]
async fn acts_larger_than_one_transaction_are_written_in_several() {
    let app = TestApp::new("actlarge").await;
    // 99 acts of about 44 KB: over 4 MB, the most one TransactWriteItems takes.
    let acts: Vec<Value> = (1..=99u64)
        .map(|n| {
            let mut act = spec_info_act();
            act["act_number"] = json!(n);
            act["payer"] = json!({"id": n, "name": format!("Плательщик {n}")});
            act["act_text"] = json!("т".repeat(22_000));
            act
        })
        .collect();
    assert_eq!(app.post_acts(&acts).await, (201, json!({"imported": 99})));
    let (_, page) = app.get_acts(&[("page", "1"), ("limit", "100")], &[]).await;
    assert_eq!(page["data"]["total"], 99);
    let payers = app.get_payers().await;
    assert_eq!(payers["data"].as_array().unwrap().len(), 99);
}

/// Four imports at once, each of 1,000 acts, each overlapping the next by 500 acts sent with
/// another status and payer: their transactions run side by side on slots of the counts and
/// parties, and the counts and the filters still come out as the acts stored.
#[tokio::test]
async fn concurrent_imports_keep_counts_and_parties_exact() {
    let app = TestApp::new("actsconcurrent").await;
    let act = |n: u64, request: u64| {
        json!({"act_number": n, "created_at": "2020-01-01",
               "payer": {"id": (n + request) % 7, "name": format!("Плательщик {}", (n + request) % 7)},
               "recipient": {"id": 1, "name": "Р"},
               "act_status": if (n + request) % 2 == 0 { "sended" } else { "not_sended" },
               "services": [{"title": "У", "amount": 1}]})
    };
    let requests: Vec<Vec<Value>> = (0..4u64)
        .map(|r| {
            (1 + r * 500..1 + r * 500 + 1000)
                .map(|n| act(n, r))
                .collect()
        })
        .collect();
    let answers = futures::future::join_all(requests.iter().map(|acts| app.post_acts(acts))).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 201),
        "{answers:?}"
    );

    let tenant = app.tenant.clone();
    let store = app.app.store();
    let (mut sended, mut payers) = (0, std::collections::BTreeSet::new());
    for n in 1..=2_500u64 {
        let number = domain::ActNumber::parse_param(&n.to_string()).unwrap();
        let stored = store.act(&tenant, number).await.unwrap().unwrap();
        sended += u64::from(stored.act_status == domain::ActStatus::Sended);
        payers.insert(stored.payer.id);
    }
    let counts = store.act_counts(&tenant).await.unwrap();
    assert_eq!((counts.total, counts.sended), (2_500, sended));
    assert_eq!(counts.not_sended, 2_500 - sended);
    let listed = app.get_payers().await;
    let listed: std::collections::BTreeSet<u64> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, payers);
}

/// A count number too long for the list's sort key (DynamoDB's 1,024 bytes) is the item's
/// fault, found before anything is written: `400` naming it, never a storage error.
#[tokio::test]
async fn a_count_number_too_long_for_a_key_is_400_and_nothing_is_written() {
    let app = TestApp::new("actkeys").await;
    let mut long = spec_list_act();
    long["count_number"] = json!("Я".repeat(1000));
    let mut fits = spec_list_act();
    fits["act_number"] = json!(2);
    fits["count_number"] = json!("Я".repeat(501));
    let body = json!({"acts": [fits.clone(), long]}).to_string();
    let (status, answer) = app.post(api::Endpoint::ImportActs, body).await;
    assert_eq!(status, 400, "{answer}");
    let problem = &answer["error"]["details"][0];
    assert_eq!(
        (&problem["index"], &problem["field"]),
        (&json!(1), &json!("count_number"))
    );
    let (_, list) = app.get_acts(&[], &[]).await;
    assert_eq!(list["data"]["total"], 0, "nothing was written");
    app.post_acts(&[fits]).await;
    let (_, list) = app.get_acts(&[], &[("sort", "count_number")]).await;
    assert_eq!(list["data"]["total"], 1);
}

/// However many parties there are and however long their names, the filter answers stay under
/// Lambda's 6 MB: the list stops early and `next` (present only then) continues it.
#[tokio::test]
async fn a_long_party_filter_continues_through_next_under_lambdas_limit() {
    let app = TestApp::new("partiesnext").await;
    // 450 payers whose names are 1,000 control characters: about 7 KB each in Lambda's answer.
    let name = |n: u64| format!("{n:04}{}", "\u{1}".repeat(996));
    for part in 0..3u64 {
        let acts: Vec<Value> = (0..150u64)
            .map(|i| {
                let n = part * 150 + i + 1;
                json!({"act_number": n, "created_at": "2020-01-01", "act_status": "sended",
                       "payer": {"id": n, "name": name(n)}, "recipient": {"id": 1, "name": "Р"},
                       "services": [{"title": "У", "amount": 1}]})
            })
            .collect();
        assert_eq!(app.post_acts(&acts).await.0, 201);
    }
    let (mut seen, mut pages, mut next) = (Vec::new(), 0, None::<String>);
    loop {
        let query: Vec<(&str, &str)> = next.iter().map(|t| ("next", t.as_str())).collect();
        let response = app
            .respond(app.to(api::Endpoint::ActPayers).query(&query))
            .await;
        let lambda_http::Body::Text(text) = response.body() else {
            panic!("no text")
        };
        let in_lambda = serde_json::to_string(text).unwrap().len();
        assert!(in_lambda < 6 * 1024 * 1024, "{in_lambda} bytes");
        let page: Value = serde_json::from_str(text).unwrap();
        pages += 1;
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_u64().unwrap()),
        );
        match page["next"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert!(pages >= 2, "{pages}");
    assert_eq!(
        seen,
        (1..=450).collect::<Vec<u64>>(),
        "each once, in name order"
    );
    // The recipients' list is short: one answer, no `next` at all.
    let recipients = app.get_recipients().await;
    assert_eq!(recipients["data"].as_array().unwrap().len(), 1);
    assert!(recipients.get("next").is_none(), "{recipients}");
    let (status, answer) = app
        .get(api::Endpoint::ActPayers, &[], &[("next", "AAAA")])
        .await;
    assert_eq!(
        (status, &answer["error"]["details"][0]["field"]),
        (400, &json!("next"))
    );
}
