//! A model-based test of residents' readings and of what keys bound to one account may see.
//! Generated timelines move meters between accounts, delete and restore meters and accounts,
//! submit readings with every key (bound to each account, tenant-wide, another tenant's),
//! send them again, and let 1C pull and acknowledge in any order. After every step the answers
//! are compared with a model:
//!
//! - a bound key reaches a meter only while the meter and its account live and the meter is its
//!   account's; anything else answers exactly what an unknown meter answers;
//! - another tenant's key never reaches anything;
//! - a meter's submissions are exactly those the model accepted, newest first, with 1C's
//!   first answer, which a later other answer never replaces (for a bound key, those made for
//!   its account: not an earlier occupant's);
//!   the export serves exactly the pending ones that are due, in the order they became due:
//!   1C may postpone one for some hours (again and again, until its final answer), and the
//!   timelines let hours pass;
//! - a meter and account have at most one pending submission: a newer one replaces it, and the
//!   replaced one still takes 1C's final answer;
//! - ids are each caller's: a resident's key resends under its own account's ids, and 1C pulls
//!   and answers each submission by the office's id, never the same for two.
//!
//! `make test` runs a few cases; `RESIDENTS_CASES=200 cargo test -p api --test api residents`
//! runs many more, and `RESIDENTS_SEED=<n> RESIDENTS_CASES=1` replays the one a failure names.

use api::Endpoint;
use chrono::{DateTime, Utc};
use domain::{ApiKey, Scope};
use fastrand::Rng;
use serde_json::{Value, json};

use crate::helpers::{TestApp, call, env_setting};

const ACCOUNTS: [&str; 3] = [
    "af723e90-c3d4-11e4-8075-1c6f652434e1",
    "358d67ad-d66e-11e3-bd79-94de80e97e9a",
    "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb",
];
const METERS: [&str; 4] = [
    "a7a747b2-24d8-11e7-ae76-0050569f0c67",
    "67d00473-13c2-11e4-9dce-94de80eb2300",
    "0b3f2c1d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
];
const UNKNOWN: &str = "11111111-2222-3333-4444-555555555555";
const STEPS: usize = 40;

/// Who calls: a key bound to one of [`ACCOUNTS`], the tenant's own key, or another tenant's
/// key bound to the same account id there.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Bound(usize),
    Tenant,
    Stranger,
}

#[derive(Debug, Clone)]
struct Meter {
    account: Option<usize>,
    deleted: bool,
    /// The latest figure submitted: each submission sends more.
    figure: u64,
}

#[derive(Debug, Clone, PartialEq)]
struct Sent {
    /// The id the caller sent: what it reads back.
    id: String,
    /// The id 1C pulls and answers.
    office: String,
    caller: Caller,
    meter: usize,
    /// The meter's account when it was submitted: what a bound key's list shows.
    account: Option<usize>,
    figure: u64,
    status: &'static str,
    reason: Option<String>,
    /// From when the export serves it while pending: when it came, or when 1C's latest
    /// postponement of it ends.
    due: DateTime<Utc>,
}

struct Case {
    seed: u64,
    rng: Rng,
    app: TestApp,
    stranger: TestApp,
    bound: Vec<ApiKey>,
    meters: Vec<Meter>,
    accounts_deleted: [bool; 3],
    /// Every accepted submission, oldest first.
    sent: Vec<Sent>,
    log: Vec<String>,
}

impl Case {
    async fn new(app: &TestApp, seed: u64) -> Self {
        let app = app.fresh_tenant(&format!("residents-{seed}")).await;
        let stranger = app.fresh_tenant(&format!("stranger-{seed}")).await;
        let accounts: Vec<Value> = ACCOUNTS
            .iter()
            .map(|id| json!({"id": id, "name": "ЛС"}))
            .collect();
        for office in [&app, &stranger] {
            assert_eq!(office.post_accounts(json!(accounts)).await.0, 201);
        }
        let mut bound = Vec::new();
        for account in ACCOUNTS {
            let scopes = Scope::FOR_ACCOUNT;
            bound.push(
                app.key_bound_to(app.tenant.as_str(), &scopes, account)
                    .await,
            );
        }
        let stranger_key = stranger
            .key_bound_to(stranger.tenant.as_str(), &Scope::FOR_ACCOUNT, ACCOUNTS[0])
            .await;
        let stranger = stranger.with_key(&stranger_key);
        let mut case = Self {
            seed,
            rng: Rng::with_seed(seed),
            app,
            stranger,
            bound,
            meters: Vec::new(),
            accounts_deleted: [false; 3],
            sent: Vec::new(),
            log: Vec::new(),
        };
        for meter in 0..METERS.len() {
            let account = case.rng.usize(0..ACCOUNTS.len());
            case.meters.push(Meter {
                account: Some(account),
                deleted: false,
                figure: 0,
            });
            case.import_meter(meter).await;
        }
        case
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "residents case RESIDENTS_SEED={} failed: {what}\ntimeline:\n  {}",
            self.seed,
            self.log.join("\n  ")
        )
    }

    fn as_caller(&self, caller: Caller) -> TestApp {
        match caller {
            Caller::Bound(account) => self.app.with_key(&self.bound[account]),
            Caller::Tenant => self.app.with_key(&self.app.key),
            Caller::Stranger => self.stranger.with_key(&self.stranger.key),
        }
    }

    /// Whether `caller` may reach `meter` now.
    fn reaches(&self, caller: Caller, meter: usize) -> bool {
        let m = &self.meters[meter];
        match caller {
            Caller::Stranger => false,
            Caller::Tenant => !m.deleted,
            Caller::Bound(account) => {
                !m.deleted && m.account == Some(account) && !self.accounts_deleted[account]
            }
        }
    }

    fn any_caller(&mut self) -> Caller {
        match self.rng.u32(0..10) {
            0..6 => Caller::Bound(self.rng.usize(0..ACCOUNTS.len())),
            6..9 => Caller::Tenant,
            _ => Caller::Stranger,
        }
    }

    async fn import_meter(&self, meter: usize) {
        let m = &self.meters[meter];
        let account = m.account.map_or(Value::Null, |a| json!(ACCOUNTS[a]));
        let body = json!([{"id": METERS[meter], "account": account, "deleted": m.deleted}]);
        let (status, answer) = self.app.post_counters(body).await;
        assert_eq!(status, 201, "{answer}");
    }

    async fn run(mut self) {
        for _ in 0..STEPS {
            match self.rng.u32(0..100) {
                0..12 => self.move_meter().await,
                12..18 => self.flip_meter().await,
                18..24 => self.flip_account().await,
                24..54 => self.submit().await,
                54..62 => self.send_again().await,
                62..80 => self.read_submissions().await,
                80..90 => self.pull_and_acknowledge().await,
                90..95 => self.hours_pass(),
                _ => self.read_readings().await,
            }
        }
        self.pull_and_acknowledge().await;
        if std::env::var_os("RESIDENTS_VERBOSE").is_some() {
            eprintln!("RESIDENTS_SEED={}:\n  {}", self.seed, self.log.join("\n  "));
        }
    }

    async fn move_meter(&mut self) {
        let meter = self.rng.usize(0..METERS.len());
        let account = self.rng.usize(0..=ACCOUNTS.len());
        self.meters[meter].account = (account < ACCOUNTS.len()).then_some(account);
        self.log
            .push(format!("meter {meter} moves to account {account}"));
        self.import_meter(meter).await;
    }

    async fn flip_meter(&mut self) {
        let meter = self.rng.usize(0..METERS.len());
        self.meters[meter].deleted = !self.meters[meter].deleted;
        let deleted = self.meters[meter].deleted;
        self.log.push(format!("meter {meter} deleted: {deleted}"));
        self.import_meter(meter).await;
    }

    async fn flip_account(&mut self) {
        let account = self.rng.usize(0..ACCOUNTS.len());
        self.accounts_deleted[account] = !self.accounts_deleted[account];
        let deleted = self.accounts_deleted[account];
        self.log
            .push(format!("account {account} deleted: {deleted}"));
        let body = json!([{"id": ACCOUNTS[account], "name": "ЛС", "deleted": deleted}]);
        assert_eq!(self.app.post_accounts(body).await.0, 201);
    }

    /// What the tenant's own key hears of a meter that does not exist, on `endpoint`.
    async fn unknown(&self, endpoint: Endpoint) -> (u16, Value) {
        match endpoint {
            Endpoint::CounterSubmit => {
                self.app
                    .post_submission(UNKNOWN, json!({"current_data1": 1}))
                    .await
            }
            _ => self.app.get(endpoint, &[("id", UNKNOWN)], &[]).await,
        }
    }

    async fn submit(&mut self) {
        let caller = self.any_caller();
        let meter = self.rng.usize(0..METERS.len());
        let figure = self.meters[meter].figure + self.rng.u64(0..3);
        let id = domain::Guid::random().to_string();
        let reaches = self.reaches(caller, meter);
        self.log.push(format!(
            "{caller:?} submits {figure} for meter {meter} ({id}): reaches {reaches}"
        ));
        // A second later than the last step: a meter's submissions keep the order they came in.
        self.app.clock().advance(chrono::Duration::seconds(1));
        let body = json!({"id": id, "current_data1": figure});
        let (status, answer) = self
            .as_caller(caller)
            .post_submission(METERS[meter], body.clone())
            .await;
        if !reaches {
            let unknown = self.unknown(Endpoint::CounterSubmit).await;
            if (status, &answer) != (unknown.0, &unknown.1) {
                self.fail(&format!("answered {status} {answer}, not {unknown:?}"));
            }
            return;
        }
        if status != 201 || answer["data"]["id"] != json!(id) {
            self.fail(&format!("answered {status} {answer}"));
        }
        self.meters[meter].figure = figure;
        let account = self.meters[meter].account;
        // The pending one of the meter and account is replaced.
        for earlier in &mut self.sent {
            if earlier.meter == meter && earlier.account == account && earlier.status == "pending" {
                earlier.status = "replaced";
            }
        }
        let namespace = match caller {
            Caller::Bound(a) => Some(ACCOUNTS[a].parse::<domain::Guid>().unwrap()),
            _ => None,
        };
        let office = domain::submissions::Submission::office_id(namespace, id.parse().unwrap());
        self.sent.push(Sent {
            id,
            office: office.to_string(),
            caller,
            meter,
            account,
            figure,
            status: "pending",
            reason: None,
            due: self.app.clock().now(),
        });
    }

    async fn send_again(&mut self) {
        if self.sent.is_empty() {
            return;
        }
        let sent = self.sent[self.rng.usize(0..self.sent.len())].clone();
        // By the caller that sent it: its ids are its own.
        let caller = sent.caller;
        let reaches = self.reaches(caller, sent.meter);
        self.log
            .push(format!("{} sent again: reaches {reaches}", sent.id));
        let body = json!({"id": sent.id, "current_data1": sent.figure});
        let (status, answer) = self
            .as_caller(caller)
            .post_submission(METERS[sent.meter], body)
            .await;
        let expected = if reaches { 200 } else { 404 };
        if status != expected || (reaches && answer["data"]["status"] != sent.status) {
            self.fail(&format!("{} again: {status} {answer}", sent.id));
        }
    }

    async fn read_submissions(&mut self) {
        let caller = self.any_caller();
        let meter = self.rng.usize(0..METERS.len());
        let reaches = self.reaches(caller, meter);
        self.log.push(format!(
            "{caller:?} reads meter {meter}'s submissions: reaches {reaches}"
        ));
        let (status, answer) = self
            .as_caller(caller)
            .get_submissions(METERS[meter], &[("limit", "1000")])
            .await;
        if !reaches {
            let unknown = self.unknown(Endpoint::CounterSubmissions).await;
            if (status, &answer) != (unknown.0, &unknown.1) {
                self.fail(&format!("answered {status} {answer}, not {unknown:?}"));
            }
            return;
        }
        let listed: Vec<(String, String, Option<String>)> = answer["data"]["items"]
            .as_array()
            .unwrap_or_else(|| self.fail(&format!("{status} {answer}")))
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap_or_default().to_owned(),
                    s["status"].as_str().unwrap_or_default().to_owned(),
                    s["reason"].as_str().map(str::to_owned),
                )
            })
            .collect();
        // Newest first: each submission came a second after the one before.
        let expected: Vec<(String, String, Option<String>)> = self
            .sent
            .iter()
            .rev()
            .filter(|s| s.meter == meter)
            .filter(|s| match caller {
                Caller::Bound(account) => s.account == Some(account),
                _ => true,
            })
            .map(|s| (s.id.clone(), s.status.to_owned(), s.reason.clone()))
            .collect();
        if listed != expected {
            self.fail(&format!("listed {listed:?}, expected {expected:?}"));
        }
    }

    async fn read_readings(&mut self) {
        let caller = self.any_caller();
        let meter = self.rng.usize(0..METERS.len());
        let reaches = self.reaches(caller, meter);
        self.log.push(format!(
            "{caller:?} reads meter {meter}'s readings: reaches {reaches}"
        ));
        let key = match caller {
            Caller::Bound(account) => &self.bound[account],
            Caller::Tenant => &self.app.key,
            Caller::Stranger => &self.stranger.key,
        };
        let endpoint = Endpoint::CounterReadings;
        let request = call(endpoint).key(key).at(&[METERS[meter]]).request();
        let office = if caller == Caller::Stranger {
            &self.stranger
        } else {
            &self.app
        };
        let (status, answer) = office.send(endpoint, request).await;
        let expected = if reaches { 200 } else { 404 };
        if status != expected {
            self.fail(&format!("answered {status} {answer}"));
        }
        if !reaches && (status, answer.clone()) != self.unknown(endpoint).await {
            self.fail(&format!("{answer} is not the unknown meter's answer"));
        }
    }

    /// Up to two days pass: postponements end.
    fn hours_pass(&mut self) {
        let hours = self.rng.i64(1..=48);
        self.log.push(format!("{hours} hours pass"));
        self.app.clock().advance(chrono::Duration::hours(hours));
    }

    /// The ids the export must serve now: pending and due, in the order they became due.
    fn due(&self) -> Vec<String> {
        let now = self.app.clock().now();
        let mut due: Vec<&Sent> = self
            .sent
            .iter()
            .filter(|s| s.status == "pending" && s.due <= now)
            .collect();
        // The export's order: the instant to the microsecond, then the id.
        due.sort_by_key(|s| (s.due.timestamp_micros(), s.office.clone()));
        due.into_iter().map(|s| s.office.clone()).collect()
    }

    async fn pull_and_acknowledge(&mut self) {
        let (status, export) = self.app.get_export(&[]).await;
        let pulled: Vec<String> = export["data"]["counters"]
            .as_array()
            .unwrap_or_else(|| self.fail(&format!("export {status} {export}")))
            .iter()
            .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let due = self.due();
        if pulled != due {
            self.fail(&format!("pulled {pulled:?}, due {due:?}"));
        }
        let now = self.app.clock().now();
        // 1C answers some of what is pending, and sometimes once more what it answered before:
        // applies, rejects, or postpones for some hours.
        let mut answers = Vec::new();
        // A submission takes one final answer: the same one again is recorded (its reason
        // anew), another is not, and comes back as conflicting; so does a postponement of one
        // answered or replaced. A pending one may be postponed again and again; a replaced one
        // takes its final answer (1C may have pulled it before it was replaced).
        let mut conflicting = Vec::new();
        for sent in self.sent.iter_mut() {
            let pending = sent.status == "pending";
            if !(pending && self.rng.bool() || self.rng.u32(0..10) == 0) {
                continue;
            }
            match self.rng.u32(0..3) {
                0 => {
                    let hours = self.rng.i64(1..=48);
                    answers.push(json!({"id": sent.office, "status": "postponed", "hours": hours}));
                    if pending {
                        sent.due = now + chrono::Duration::hours(hours);
                    } else {
                        conflicting.push(json!(sent.office));
                    }
                }
                answer => {
                    let (status, reason) = if answer == 1 {
                        ("applied", None)
                    } else {
                        ("rejected", Some(format!("причина {}", self.rng.u32(..))))
                    };
                    answers.push(json!({"id": sent.office, "status": status, "reason": reason}));
                    if pending || sent.status == status || sent.status == "replaced" {
                        sent.status = status;
                        sent.reason = reason;
                    } else {
                        conflicting.push(json!(sent.office));
                    }
                }
            }
        }
        self.log.push(format!(
            "1C pulls {} and answers {} ({} conflicting)",
            pulled.len(),
            answers.len(),
            conflicting.len()
        ));
        let (status, answer) = self.app.post_ack(json!({"readings": answers})).await;
        let expected = json!({"acknowledged": answers.len() - conflicting.len(), "unknown": [],
                              "conflicting": conflicting});
        if status != 200 || answer["data"] != expected {
            self.fail(&format!(
                "acknowledged: {status} {answer}, expected {expected}"
            ));
        }
    }
}

#[tokio::test]
async fn every_timeline_shows_each_key_its_own_meters_and_1c_every_pending_reading() {
    let app = TestApp::new("residents").await;
    let first = env_setting("RESIDENTS_SEED", 1);
    for seed in first..first + env_setting("RESIDENTS_CASES", 4) {
        Case::new(&app, seed).await.run().await;
    }
}
