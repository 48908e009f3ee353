//! A model-based test of the period rule. Generated timelines of 1C's books (new transactions,
//! corrections of amount, date and account, cancellations, transactions that start to carry
//! their id one by one, equal payments without ids, accounts marked deleted and back) and of the
//! requests that carry them (plain
//! imports, single period imports, exchanges opened before 1C reads its books or begun by their
//! first part, whose parts arrive in any order, are sent again, and have other imports landing
//! between them, requests that fail part-way and are sent again)
//! run against DynamoDB Local. After every request the tenant's stored transactions are compared
//! with a model that keeps, for every transaction, the version last written and when, and that
//! applies the rule at every completion:
//!
//! - every item the completing import contained is stored, in the version it sent or a later
//!   one, unless a later period import removed it;
//! - an item of the period is removed only if the import did not contain it **and** it was last
//!   written more than `store::periods::SETTLE` before the import began: its opening, or its
//!   first part.
//!
//! At the end of every timeline the reconciliation of the two months (сверка) must be the
//! model's books, account by account.
//!
//! `make test` runs a few cases; `MODEL_CASES=500 cargo test -p api --test api convergence::model`
//! runs many more, and `MODEL_SEED=<n> MODEL_CASES=1` replays the case a failure names.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::{Guid, Transaction};
use fastrand::Rng;
use serde_json::{Value, json};

use crate::helpers::{TestApp, env_setting};

mod checks;
mod exchanges;

const SERVICE: &str = "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48";
const ACCOUNTS: [&str; 3] = [
    "af723e90-c3d4-11e4-8075-1c6f652434e1",
    "358d67ad-d66e-11e3-bd79-94de80e97e9a",
    "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb",
];
/// November, December, and both.
const PERIODS: [(&str, &str); 3] = [
    ("2018-11-01", "2018-11-30"),
    ("2018-12-01", "2018-12-31"),
    ("2018-11-01", "2018-12-31"),
];
const STEPS: usize = 40;

/// What identifies a stored transaction: 1C's id, or (without one) its content (account, date,
/// amount) and its occurrence among equal ones of the request that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Identity {
    Id(Guid),
    Content(usize, String, i64, u32),
}

/// One version of a transaction in 1C's books.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    id: Option<Guid>,
    account: usize,
    /// `YYYY-MM-DDThh:mm:ss`.
    date: String,
    amount: i64,
}

impl Version {
    /// Whether `other` is a copy of it stored without an id.
    fn same_content(&self, other: &Identity) -> bool {
        matches!(other, Identity::Content(account, date, amount, _)
            if (*account, date, *amount) == (self.account, &self.date, self.amount))
    }

    fn json(&self) -> Value {
        let mut t = json!({"account": ACCOUNTS[self.account], "service": SERVICE,
                           "date": self.date, "amount": self.amount});
        if let Some(id) = self.id {
            t["id"] = json!(id.to_string());
        }
        t
    }

    fn in_period(&self, (from, to): (&str, &str)) -> bool {
        let day = &self.date[..10];
        from <= day && day <= to
    }
}

/// What the store should hold of one transaction: the version last written, and when.
#[derive(Debug, Clone)]
struct Stored {
    version: Version,
    written_at: i64,
}

/// A multi-part exchange under way: its parts as 1C cut them when it read its books.
struct Exchange {
    guid: Guid,
    period: usize,
    parts: Vec<Vec<Version>>,
    sent: BTreeSet<usize>,
    /// When 1C opened it (before reading its books), or else when its first part was
    /// accepted: what its removal counts from.
    began: Option<i64>,
    /// Opened with `POST /api/exchanges`: its parts may name only the exchange and the part.
    opened: bool,
    removed: bool,
}

/// One generated timeline against one fresh tenant.
struct Case {
    seed: u64,
    rng: Rng,
    app: TestApp,
    log: Vec<String>,
    /// 1C's books, by a handle that survives corrections.
    books: BTreeMap<usize, Version>,
    next_handle: usize,
    next_amount: i64,
    store: HashMap<Identity, Stored>,
    /// Ids the store has ever seen (their pointers stay, even when the transaction goes).
    ever: BTreeSet<Guid>,
    exchanges: Vec<Exchange>,
    deleted: [bool; 3],
    settle_ms: i64,
}

impl Case {
    async fn new(app: &TestApp, seed: u64) -> Self {
        let app = app.fresh_tenant(&format!("model-{seed}")).await;
        let service = json!([{"id": SERVICE}]);
        assert_eq!(app.post_services(service).await.0, 201);
        let accounts: Vec<Value> = ACCOUNTS
            .iter()
            .map(|id| json!({"id": id, "name": "ЛС"}))
            .collect();
        assert_eq!(app.post_accounts(json!(accounts)).await.0, 201);
        Self {
            seed,
            rng: Rng::with_seed(seed),
            app,
            log: Vec::new(),
            books: BTreeMap::new(),
            next_handle: 0,
            next_amount: 1,
            store: HashMap::new(),
            ever: BTreeSet::new(),
            exchanges: Vec::new(),
            deleted: [false; 3],
            settle_ms: store::periods::SETTLE.as_millis() as i64,
        }
    }

    fn now(&self) -> i64 {
        self.app.clock().now().timestamp_millis()
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "model case MODEL_SEED={} failed: {what}\ntimeline:\n  {}",
            self.seed,
            self.log.join("\n  ")
        )
    }

    async fn run(mut self) {
        // What 1C held before the timeline, imported once.
        for _ in 0..12 {
            self.change_books();
        }
        let all: Vec<Version> = self.books.values().cloned().collect();
        self.log
            .push(format!("plain import of all {} items", all.len()));
        self.post(&all, &[]).await;
        for _ in 0..STEPS {
            self.time_passes();
            match self.rng.u32(0..100) {
                0..30 => {
                    for _ in 0..self.rng.usize(1..4) {
                        self.change_books();
                    }
                }
                30..45 => self.plain_import().await,
                45..55 => self.period_import().await,
                55..63 => self.start_exchange().await,
                63..85 => self.send_part(false).await,
                85..92 => self.send_part(true).await,
                _ => self.flip_deleted().await,
            }
        }
        // Every exchange still open completes, so that every timeline ends in removals.
        while self.exchanges.iter().any(|e| e.sent.len() < e.parts.len()) {
            self.time_passes();
            self.send_part(false).await;
        }
        self.check_reconciliation().await;
        if std::env::var_os("MODEL_VERBOSE").is_some() {
            eprintln!("MODEL_SEED={}:\n  {}", self.seed, self.log.join("\n  "));
        }
    }

    fn time_passes(&mut self) {
        let ms = [0, 1_000, 30_000, 59_000, 61_000, 600_000][self.rng.usize(0..6)];
        self.app.clock().advance(chrono::Duration::milliseconds(ms));
    }

    fn version(&mut self, id: Option<Guid>) -> Version {
        let month = self.rng.u32(11..13);
        let day = self.rng.u32(1..29);
        let amount = self.next_amount * if self.rng.bool() { 1 } else { -1 };
        self.next_amount += 1;
        Version {
            id,
            account: self.rng.usize(0..3),
            date: format!("2018-{month:02}-{day:02}T{:02}:00:00", self.rng.u32(0..24)),
            amount,
        }
    }

    fn change_books(&mut self) {
        let handles: Vec<usize> = self.books.keys().copied().collect();
        let pick = (!handles.is_empty()).then(|| handles[self.rng.usize(0..handles.len())]);
        match (self.rng.u32(0..20), pick) {
            (0..2, Some(handle)) if self.books[&handle].id.is_none() => {
                // An equal payment: the same account, day and amount, without an id.
                let twin = self.books[&handle].clone();
                self.log.push(format!("books: new, equal to {twin:?}"));
                self.books.insert(self.next_handle, twin);
                self.next_handle += 1;
            }
            (0..10, _) | (_, None) => {
                let id = (self.rng.u32(0..3) > 0).then(Guid::random);
                let version = self.version(id);
                self.log.push(format!("books: new {version:?}"));
                self.books.insert(self.next_handle, version);
                self.next_handle += 1;
            }
            (10..15, Some(handle)) => {
                let id = self.books[&handle].id;
                let mut corrected = self.version(id);
                if self.rng.bool() {
                    // Only the amount changes.
                    corrected.account = self.books[&handle].account;
                    corrected.date = self.books[&handle].date.clone();
                }
                if id.is_none() {
                    // Without an id, a corrected transaction is another one.
                    self.books.remove(&handle);
                    self.books.insert(self.next_handle, corrected.clone());
                    self.next_handle += 1;
                } else {
                    self.books.insert(handle, corrected.clone());
                }
                self.log.push(format!("books: corrected {corrected:?}"));
            }
            (15..17, Some(handle)) => {
                let gone = self.books.remove(&handle);
                self.log.push(format!("books: cancelled {gone:?}"));
            }
            (_, Some(handle)) => {
                let version = self.books.get_mut(&handle).expect("picked");
                if version.id.is_none() {
                    version.id = Some(Guid::random());
                    self.log.push(format!("books: now with its id {version:?}"));
                }
            }
        }
    }

    async fn plain_import(&mut self) {
        let all: Vec<Version> = self.books.values().cloned().collect();
        if all.is_empty() {
            return;
        }
        let mut some = all;
        self.rng.shuffle(&mut some);
        some.truncate(self.rng.usize(1..6));
        self.log
            .push(format!("plain import of {} items", some.len()));
        self.post(&some, &[]).await;
        self.check_store().await;
    }

    async fn period_import(&mut self) {
        let period = self.rng.usize(0..PERIODS.len());
        let (from, to) = PERIODS[period];
        let items: Vec<Version> = self
            .books
            .values()
            .filter(|v| v.in_period(PERIODS[period]))
            .cloned()
            .collect();
        self.log
            .push(format!("period import {from}..{to}, {} items", items.len()));
        let query = [("from", from), ("to", to)];
        let began = self.now();
        let removed = self.post(&items, &query).await;
        let contained = keyed(&items).into_iter().map(|(i, _)| i).collect();
        let expected = self.complete(period, &contained, began);
        self.check_removed(removed, expected);
        self.check_store().await;
    }

    async fn flip_deleted(&mut self) {
        let account = self.rng.usize(0..3);
        self.deleted[account] = !self.deleted[account];
        let body =
            json!([{"id": ACCOUNTS[account], "name": "ЛС", "deleted": self.deleted[account]}]);
        self.log.push(format!(
            "account {account} deleted: {}",
            self.deleted[account]
        ));
        assert_eq!(self.app.post_accounts(body).await.0, 201);
    }

    /// Posts `items` with `query`; sometimes first as a request that fails part-way, then again
    /// as it was. Applies the writes to the model, checks the store, and answers the answer's
    /// `removed` (`None` when a failed attempt came first: it may have removed some already).
    async fn post(&mut self, items: &[Version], query: &[(&str, &str)]) -> Option<Option<u64>> {
        let body = json!(items.iter().map(Version::json).collect::<Vec<_>>());
        let crashed = self.rng.u32(0..100) < 15;
        if crashed {
            let calls = self.rng.usize(0..8);
            self.log
                .push(format!("  failing after {calls} write calls"));
            let (status, answer) = self
                .app
                .crashing_after(calls)
                .post_transactions(body.clone(), query)
                .await;
            if status != 201 && status < 500 {
                self.fail(&format!("a failed write answered {status} {answer}"));
            }
        }
        let (status, answer) = self.app.post_transactions(body, query).await;
        if status != 201 {
            self.fail(&format!("answered {status} {answer}"));
        }
        self.written(items);
        let removed = answer.get("removed").map(|r| r.as_u64().unwrap());
        (!crashed).then_some(removed)
    }
}

/// The transactions of one request, each with what identifies it in the store: equal ones
/// without an id are told apart by their occurrence in the request.
fn keyed(items: &[Version]) -> Vec<(Identity, &Version)> {
    let mut seen: HashMap<(usize, &str, i64), u32> = HashMap::new();
    items
        .iter()
        .map(|v| match v.id {
            Some(id) => (Identity::Id(id), v),
            None => {
                let occurrence = seen.entry((v.account, &v.date, v.amount)).or_insert(0);
                *occurrence += 1;
                let content = (v.account, v.date.clone(), v.amount, *occurrence - 1);
                (
                    Identity::Content(content.0, content.1, content.2, content.3),
                    v,
                )
            }
        })
        .collect()
}

#[tokio::test]
async fn every_timeline_keeps_what_1c_sent_and_removes_only_what_the_rule_allows() {
    let app = TestApp::new("model").await;
    let first = env_setting("MODEL_SEED", 1);
    for seed in first..first + env_setting("MODEL_CASES", 6) {
        Case::new(&app, seed).await.run().await;
    }
}
