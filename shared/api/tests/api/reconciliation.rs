//! Reconciliation (сверка): per account or meter, what the copy holds in a period, counted and
//! summed exactly, deleted entries and their records included, page by page; its cost follows
//! the page, not the office.

use serde_json::{Value, json};
use store::Table;

use crate::helpers::TestApp;
use crate::helpers::interceptors::CallCounter;

const A: &str = "af723e90-c3d4-11e4-8075-1c6f652434e1";
const B: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const C: &str = "ad96e8ab-476f-11e7-8518-0050569f0c67";
const METER: &str = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
const DECEMBER: [(&str, &str); 2] = [("from", "2018-12-01"), ("to", "2018-12-31")];

/// Every page of a reconciliation, `limit` a page: the items, by owner.
async fn all_pages(
    app: &TestApp,
    get: impl AsyncFn(&TestApp, Vec<(&str, &str)>) -> (u16, Value),
    owner: &str,
    limit: &str,
) -> std::collections::BTreeMap<String, Value> {
    let mut items = std::collections::BTreeMap::new();
    let mut next: Option<String> = None;
    loop {
        let mut query: Vec<(&str, &str)> = DECEMBER.to_vec();
        query.push(("limit", limit));
        if let Some(token) = &next {
            query.push(("next", token));
        }
        let (status, page) = get(app, query).await;
        assert_eq!(status, 200, "{page}");
        for item in page["data"]["items"].as_array().unwrap() {
            let mut item = item.clone();
            let id = item[owner].as_str().unwrap().to_owned();
            item.as_object_mut().unwrap().remove(owner);
            items.insert(id, item);
        }
        match page["data"]["next"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test]
async fn each_account_and_meter_is_counted_and_summed_exactly_deleted_ones_too() {
    let app = TestApp::new("reconcile").await;
    app.import_examples().await;
    let t = |account: &str, day: u32, amount: &str| json!({"account": account, "date": format!("2018-12-{day:02}T00:00:00"), "amount": amount});
    let transactions = json!([
        t(A, 2, "0.1"),
        t(A, 3, "0.2"),
        t(B, 5, "-1000.55"),
        t(B, 31, "1"),
        t(A, 30, "100")
    ]);
    assert_eq!(app.post_transactions(transactions, &[]).await.0, 201);
    // November is not December; a deleted account keeps its transactions, and they count.
    let november = json!([t(B, 1, "5")]);
    let november = json!([{"account": B, "date": "2018-11-30T23:59:59", "amount": 5}, november[0]]);
    assert_eq!(app.post_transactions(november, &[]).await.0, 201);
    let deleted = json!([{"id": B, "name": "ЛС", "deleted": true}]);
    assert_eq!(app.post_accounts(deleted).await.0, 201);

    let expected = |count: u64, sum: Value| json!({"count": count, "sum": sum});
    for limit in ["1000", "1"] {
        let tallies = all_pages(
            &app,
            async |app, q| app.get_transaction_reconciliation(&q).await,
            "account",
            limit,
        )
        .await;
        // The spec's -2600 of account A on 2018-12-01, and the three above; B's two in
        // December plus the one on 2018-12-01 from `november`'s second item.
        assert_eq!(tallies[A], expected(4, json!(-2499.7)), "limit {limit}");
        assert_eq!(tallies[B], expected(3, json!(-994.55)), "limit {limit}");
        assert_eq!(tallies[C], expected(0, json!(0)), "limit {limit}");
        let (_, accounts) = app.get_account(C).await;
        assert_eq!(
            accounts["data"]["id"], C,
            "C is an account with nothing in December"
        );
    }

    // Balances, and readings per meter with their three tariffs.
    let balances = all_pages(
        &app,
        async |app, q| app.get_balance_reconciliation(&q).await,
        "account",
        "1000",
    )
    .await;
    assert_eq!(balances[C], expected(0, json!(0)));
    let readings = json!([{"counter": METER, "date": "2018-12-20T00:00:00",
                           "current_data1": "40.5", "current_data2": 12, "current_data3": null}]);
    assert_eq!(app.post_readings(readings, &[]).await.0, 201);
    let meters = all_pages(
        &app,
        async |app, q| app.get_counter_reconciliation(&q).await,
        "counter",
        "1000",
    )
    .await;
    assert_eq!(
        meters[METER],
        json!({"count": 2, "sum1": 73.5, "sum2": 22, "sum3": 30})
    );

    // Another office holds none of it.
    let other = app.fresh_tenant("reconcileother").await;
    let (_, page) = other.get_transaction_reconciliation(&DECEMBER).await;
    assert_eq!(page["data"]["items"], json!([]));
}

#[tokio::test]
async fn a_period_is_whole_days_both_given_and_a_page_continues_its_own_period_only() {
    let app = TestApp::new("reconcileparams").await;
    app.import_examples().await;
    for query in [
        vec![("from", "2018-12-01")],
        vec![("to", "2018-12-01")],
        vec![("from", "2018-12-31"), ("to", "2018-12-01")],
        vec![("from", "01.12.2018"), ("to", "2018-12-31")],
    ] {
        let (status, answer) = app.get_transaction_reconciliation(&query).await;
        assert_eq!(status, 400, "{query:?}: {answer}");
    }
    let mut first = DECEMBER.to_vec();
    first.push(("limit", "1"));
    let (_, page) = app.get_transaction_reconciliation(&first).await;
    let next = page["data"]["next"].as_str().unwrap();
    let november = [("from", "2018-11-01"), ("to", "2018-11-30"), ("next", next)];
    let (status, answer) = app.get_transaction_reconciliation(&november).await;
    assert_eq!(
        (status, &answer["error"]["details"][0]["field"]),
        (400, &json!("next"))
    );
}

/// A page's cost: the directory's reads, and one Query of the history per account on the page,
/// however many accounts the office has.
#[tokio::test]
async fn a_page_costs_one_query_per_account_on_it() {
    let app = TestApp::new("reconcilecost").await;
    let accounts: Vec<Value> = (0..60)
        .map(|n| json!({"id": format!("00000000-0000-4000-8000-{n:012}"), "name": "ЛС"}))
        .collect();
    assert_eq!(app.post_accounts(json!(accounts)).await.0, 201);
    for limit in [1usize, 7, 60] {
        let counter = CallCounter::default();
        let counted = app.intercepted(counter.clone());
        let mut query = DECEMBER.to_vec();
        let text = limit.to_string();
        query.push(("limit", &text));
        let (status, page) = counted.get_transaction_reconciliation(&query).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["data"]["items"].as_array().unwrap().len(), limit);
        let transactions = app.store().tables().name(Table::Transactions).to_owned();
        assert_eq!(
            counter.count("Query", &transactions),
            limit,
            "limit {limit}"
        );
        let accounts = app.store().tables().name(Table::Accounts).to_owned();
        assert!(
            counter.count("Query", &accounts) <= 128,
            "at most a read per shard"
        );
    }
}
