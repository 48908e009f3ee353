//! A model-based test of receipts: generated sequences of plain imports (new figures, the same
//! again, withdrawals, restorations) and period imports of a month (which remove that month's
//! receipts they lack once time has passed), in any order, over two accounts, two payees and
//! two months. After every step each account's receipts, read page by page by the office's key
//! and by a key bound to that account, equal the model's live receipts of that account; the
//! other account's key is refused (`404`) whatever it holds.
//!
//! `make test` runs a few cases; `RECEIPTS_CASES=100 cargo test -p api --test api receipts::model`
//! runs more, and `RECEIPTS_SEED=<n> RECEIPTS_CASES=1` replays the one a failure names.

use std::collections::BTreeMap;

use domain::Scope;
use fastrand::Rng;
use serde_json::{Value, json};

use super::*;
use crate::helpers::env_setting;

const ACCOUNTS: [&str; 2] = [OWN, OTHER];
const PAYEES: [&str; 2] = [OFFICE, FUND];
const MONTHS: [&str; 2] = ["2018-10", "2018-11"];

/// account, payee, month (indexes) → kopecks to pay.
type Model = BTreeMap<(usize, usize, usize), i64>;

fn receipt((a, p, m): (usize, usize, usize), kopecks: i64, deleted: bool) -> Value {
    json!({"account": ACCOUNTS[a], "organization": PAYEES[p], "period": MONTHS[m],
           "to_pay": format!("{}.{:02}", kopecks / 100, kopecks % 100), "deleted": deleted})
}

fn any_key(rng: &mut Rng) -> (usize, usize, usize) {
    (rng.usize(..2), rng.usize(..2), rng.usize(..2))
}

/// One step against the API and the model; what it did, for a failure's message.
async fn step(app: &TestApp, model: &mut Model, rng: &mut Rng) -> String {
    match rng.u8(..10) {
        0..=4 => {
            let key = any_key(rng);
            let kopecks = rng.i64(1..1_000_000);
            let (status, answer) = app
                .post_receipts(json!([receipt(key, kopecks, false)]), &[])
                .await;
            assert_eq!(status, 201, "{answer}");
            model.insert(key, kopecks);
            format!("put {key:?} {kopecks}")
        }
        5..=6 => {
            let key = any_key(rng);
            let (status, answer) = app.post_receipts(json!([receipt(key, 0, true)]), &[]).await;
            assert_eq!(status, 201, "{answer}");
            model.remove(&key);
            format!("withdraw {key:?}")
        }
        7 => {
            app.time_passes();
            "time passes".to_owned()
        }
        _ => {
            // A period import of one month holding some of its receipts: those it lacks, and
            // written well before it, go.
            let m = rng.usize(..2);
            let mut sent = Vec::new();
            let mut kept = Model::new();
            for a in 0..2 {
                for p in 0..2 {
                    if rng.bool() {
                        let kopecks = rng.i64(1..1_000_000);
                        sent.push(receipt((a, p, m), kopecks, false));
                        kept.insert((a, p, m), kopecks);
                    }
                }
            }
            app.time_passes();
            let last = if m == 0 { "2018-10-31" } else { "2018-11-30" };
            let period = [("from", &format!("{}-01", MONTHS[m])[..]), ("to", last)];
            let (status, answer) = app.post_receipts(json!(sent), &period).await;
            assert_eq!(status, 201, "{answer}");
            model.retain(|(_, _, month), _| *month != m);
            model.extend(kept);
            format!("period {} with {}", MONTHS[m], sent.len())
        }
    }
}

/// Every receipt a caller reads of `account`, page by page: (payee, month) → kopecks.
async fn read_all(app: &TestApp, account: &str) -> (u16, BTreeMap<(String, String), i64>) {
    let mut seen = BTreeMap::new();
    let mut next: Option<String> = None;
    loop {
        let mut query = vec![("limit", "1".to_owned())];
        if let Some(token) = &next {
            query.push(("next", token.clone()));
        }
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, answer) = app.get_receipts(account, &query).await;
        if status != 200 {
            return (status, seen);
        }
        for r in answer["data"]["items"].as_array().unwrap() {
            let to_pay = r["to_pay"].to_string().parse::<f64>().unwrap();
            let key = (
                r["organization"].as_str().unwrap().to_owned(),
                r["period"].as_str().unwrap().to_owned(),
            );
            assert!(
                seen.insert(key, (to_pay * 100.0).round() as i64).is_none(),
                "{answer}"
            );
        }
        match answer["data"]["next"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => return (200, seen),
        }
    }
}

fn expected(model: &Model, a: usize) -> BTreeMap<(String, String), i64> {
    model
        .iter()
        .filter(|((account, _, _), _)| *account == a)
        .map(|((_, p, m), k)| ((PAYEES[*p].to_owned(), MONTHS[*m].to_owned()), *k))
        .collect()
}

#[tokio::test]
async fn every_order_of_imports_leaves_each_account_exactly_its_live_receipts() {
    let first = env_setting("RECEIPTS_SEED", 1);
    for seed in first..first + env_setting("RECEIPTS_CASES", 3) {
        let app = TestApp::new(&format!("receiptmodel{seed}")).await;
        app.import_examples().await;
        app.import_receipts().await;
        // Start from an empty model: the fixture's November receipts withdrawn.
        let fixture: Vec<Value> = [(0, 0, 1), (0, 1, 1), (1, 0, 1)]
            .into_iter()
            .map(|key| receipt(key, 0, true))
            .collect();
        assert_eq!(app.post_receipts(json!(fixture), &[]).await.0, 201);
        let bound = [
            app.with_key(&app.key_bound_to("default", &Scope::FOR_ACCOUNT, OWN).await),
            app.with_key(
                &app.key_bound_to("default", &Scope::FOR_ACCOUNT, OTHER)
                    .await,
            ),
        ];
        let mut model = Model::new();
        let mut rng = Rng::with_seed(seed);
        let mut done = Vec::new();
        for _ in 0..12 {
            done.push(step(&app, &mut model, &mut rng).await);
            for (a, account) in ACCOUNTS.iter().enumerate() {
                let want = expected(&model, a);
                let (status, office) = read_all(&app, account).await;
                assert_eq!(
                    (status, &office),
                    (200, &want),
                    "seed {seed}, after {done:?}"
                );
                let (status, own) = read_all(&bound[a], account).await;
                assert_eq!((status, &own), (200, &want), "seed {seed}, after {done:?}");
                let (status, _) = read_all(&bound[1 - a], account).await;
                assert_eq!(status, 404, "seed {seed}: another account's key");
            }
        }
    }
}
