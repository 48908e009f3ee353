//! `make bench`: the release binaries of the import functions, run under a local Lambda Runtime
//! API against DynamoDB Local, side by side with what they are measured against, in one run:
//!
//! - each DomControl import of 10,000 items against the floor: the same stored items written
//!   with nothing but pre-built BatchWriteItem calls, 8 in flight, on the same DynamoDB Local;
//! - a function's init and first answer against a hello-world `lambda_http` binary;
//! - peak resident memory of each import at the largest request the API accepts;
//! - 20,000 acts, four requests at once, against their floor, counts checked;
//! - a resident's submission and 1C's pull of 1,000 pending readings, each against the floor of
//!   the DynamoDB calls it must make (`residents.rs`);
//! - 1,000 receipts of ten lines, and a printed month, each against its floor (`receipts.rs`);
//! - parsing against `serde_json::Value`, from the criterion run `make bench` does first.
//!
//! What is compared runs one after the other, round after round, and the result is the median of
//! the rounds' ratios (of medians, for the cold starts): the machine is shared and noisy.

mod books;
mod floor;
mod receipts;
mod residents;
mod stack;
mod worst;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};

use api::Endpoint;
use futures::future::join_all;
use runtime_api::{Function, http_event};
use stack::Stack;
use store::{KeyReader, Table};

/// Rounds of the import comparison; `BENCH_ROUNDS` changes it (each takes 10 to 15 minutes on
/// DynamoDB Local).
const ROUNDS: usize = 3;
const ITEMS: usize = 10_000;
const COLD_STARTS: usize = 21;
const ACTS: usize = 20_000;
const ACT_REQUESTS: usize = 4;

/// One line of the report.
pub(crate) struct Row {
    what: String,
    measured: String,
    against: String,
    ratio: f64,
    goal: &'static str,
    met: bool,
}

impl Row {
    /// A warm function's times beside its floor's, run one after the other: the medians, and
    /// the median of the ratios, against the goal of 1.5 × the floor.
    pub(crate) fn beside_floor(
        what: String,
        ours: Vec<Duration>,
        floor: Vec<Duration>,
        floor_is: &str,
    ) -> Row {
        let ratio = residents::median_ratio(&ours, &floor);
        Row {
            what: format!("{what} (median of {})", ours.len()),
            measured: ms(median(ours)),
            against: format!("floor {} ({floor_is})", ms(median(floor))),
            ratio,
            goal: "≤ 1.5 × floor",
            met: ratio <= 1.5,
        }
    }
}

/// The function of an import: its binary, its path, its table (all from `api::Endpoint`).
fn endpoint(kind: Endpoint) -> (&'static str, &'static str, Table) {
    let table = kind.table().expect("an import");
    (kind.function(), kind.paths()[0], table)
}

/// The kind of records an import takes, as the report names it (`readings`).
fn name(kind: Endpoint) -> &'static str {
    kind.kind().expect("an import")
}

/// What the figures of a body of `n` items refer to (see `samples::item`).
fn refs(kind: Endpoint, accounts: usize, counters: usize) -> usize {
    match kind {
        Endpoint::ImportCounters | Endpoint::ImportBalances | Endpoint::ImportTransactions => {
            accounts
        }
        Endpoint::ImportReadings => counters / 2,
        Endpoint::ImportActs => 2_000,
        _ => 0,
    }
}

pub(crate) fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let bin = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let criterion = PathBuf::from(std::env::args().nth(1).unwrap_or("target/criterion".into()));
    // `BENCH_ONLY=imports,memory` runs only those parts (parse, cold, imports, acts, residents,
    // receipts, books, memory, worst).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let runs = |part: &str| only.is_empty() || only.split(',').any(|p| p == part);
    let mut rows = Vec::new();
    if runs("parse") {
        rows.extend(parsing(&criterion));
    }
    if runs("cold") {
        rows.extend(cold_starts(&bin).await);
    }
    if runs("imports") {
        rows.extend(imports(&bin).await);
    }
    if runs("acts") {
        rows.extend(acts(&bin).await);
    }
    if runs("residents") {
        rows.extend(residents::residents(&bin).await);
    }
    if runs("receipts") {
        rows.extend(receipts::receipts(&bin).await);
    }
    if runs("books") {
        rows.extend(books::books(&bin).await);
    }
    if runs("memory") {
        rows.extend(peak_memory(&bin).await);
    }
    if runs("worst") {
        rows.extend(worst::worst_bodies(&bin).await);
    }
    println!("\n| measured | value | against | ratio | goal | met |\n|---|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {:.2} | {} | {} |",
            row.what,
            row.measured,
            row.against,
            row.ratio,
            row.goal,
            if row.met { "yes" } else { "**no**" }
        );
    }
}

/// Parsing throughput against `serde_json::Value`, from the criterion estimates of the same run.
fn parsing(criterion: &Path) -> Vec<Row> {
    let mean = |group: &str, function: &str| -> f64 {
        let path = criterion
            .join(group)
            .join(function)
            .join("new/estimates.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run cargo bench -p api first)", path.display()));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["mean"]["point_estimate"].as_f64().unwrap()
    };
    ["transactions", "accounts"]
        .into_iter()
        .map(|kind| {
            let group = format!("parse_{kind}");
            let (ours, value) = (mean(&group, "records"), mean(&group, "serde_json_value"));
            let ratio = value / ours;
            Row {
                what: format!("parse a limit-size body of {kind}"),
                measured: format!("{:.1} ms", ours / 1e6),
                against: format!("serde_json::Value {:.1} ms", value / 1e6),
                ratio,
                goal: "≥ 0.5 × Value's throughput",
                met: ratio >= 0.5,
            }
        })
        .collect()
}

/// Init and the first answer (key check and a one-service import included) of a cold
/// `import-services`, against a hello world; one cold start after the other. The first answer
/// waits for two round trips to DynamoDB Local that the hello world does not make: they are
/// also measured apart, from the bench's warm client, to show what the function itself adds.
async fn cold_starts(bin: &Path) -> Vec<Row> {
    let stack = Stack::new("bench-cold").await;
    let body = samples::body(Endpoint::ImportServices, 0..1, 0);
    let (_, path, _) = endpoint(Endpoint::ImportServices);
    let mut measured: HashMap<&str, (Vec<Duration>, Vec<Duration>)> = HashMap::new();
    let mut round_trips = Vec::new();
    for _ in 0..COLD_STARTS {
        for binary in ["hello", "import-services"] {
            let mut function = Function::spawn(&bin.join(binary), &stack.env()).await;
            let init = function.init().await;
            let event = http_event("POST", path, "", stack.key(), &body);
            let answer = function.invoke(event).await;
            assert!(
                answer.status < 300,
                "{binary}: {} {}",
                answer.status,
                answer.body
            );
            let times = measured.entry(binary).or_default();
            times.0.push(init);
            times.1.push(answer.since_spawn);
        }
    }
    // The one service the cold starts wrote, as the function stored it.
    let services = stack.table(Table::Services);
    let service = floor::scan(&stack.client, services).await.remove(0);
    for _ in 0..COLD_STARTS {
        round_trips.push(dynamo_round_trips(&stack, service.clone()).await);
    }
    cold_start_rows(
        &measured["hello"],
        &measured["import-services"],
        median(round_trips),
    )
}

/// The report of the cold starts: init, first answer, and the first answer less DynamoDB
/// Local's own time (`dynamo`), each of ours against the hello world's (medians).
fn cold_start_rows(
    hello: &(Vec<Duration>, Vec<Duration>),
    ours: &(Vec<Duration>, Vec<Duration>),
    dynamo: Duration,
) -> Vec<Row> {
    let (hello_init, ours_init) = (median(hello.0.clone()), median(ours.0.clone()));
    let (hello_first, ours_first) = (median(hello.1.clone()), median(ours.1.clone()));
    let init = ours_init.as_secs_f64() / hello_init.as_secs_f64();
    let first = ours_first.as_secs_f64() / hello_first.as_secs_f64();
    let own = ours_first.saturating_sub(dynamo);
    let own_ratio = own.as_secs_f64() / hello_first.as_secs_f64();
    vec![
        Row {
            what: "init (spawn to first poll), import-services".into(),
            measured: ms(ours_init),
            against: format!("hello world {}", ms(hello_init)),
            ratio: init,
            goal: "≤ 1.5",
            met: init <= 1.5,
        },
        Row {
            what: "cold start to first answer (key check, one service)".into(),
            measured: ms(ours_first),
            against: format!("hello world {}", ms(hello_first)),
            ratio: first,
            goal: "≤ 2",
            met: first <= 2.0,
        },
        Row {
            what: format!(
                "the same, less DynamoDB Local's GetItem and BatchWriteItem ({} from a warm client)",
                ms(dynamo)
            ),
            measured: ms(own),
            against: format!("hello world {}", ms(hello_first)),
            ratio: own_ratio,
            goal: "≤ 2",
            met: own_ratio <= 2.0,
        },
    ]
}

/// DynamoDB Local's time for the two calls of a cold `import-services`'s first answer: the
/// key's GetItem and the BatchWriteItem of the service it stored, sent by a client that is
/// already connected (its TLS and connection set-up are the function's to pay, not DynamoDB's).
async fn dynamo_round_trips(stack: &Stack, item: floor::Item) -> Duration {
    let services = stack.table(Table::Services);
    let store = &stack.store;
    let put = PutRequest::builder().set_item(Some(item)).build().unwrap();
    let write = WriteRequest::builder().put_request(put).build();
    let started = Instant::now();
    store.key(&stack.key_hash()).await.unwrap().unwrap();
    store
        .client()
        .batch_write_item()
        .request_items(services, vec![write])
        .send()
        .await
        .unwrap();
    started.elapsed()
}

/// Each DomControl import of 10,000 items by a warm function, then its floor, round after round.
async fn imports(bin: &Path) -> Vec<Row> {
    let mut times: HashMap<&str, (Vec<Duration>, Vec<Duration>)> = HashMap::new();
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok());
    // `BENCH_KINDS=readings,services` measures only those kinds; the kinds before the last of
    // them are still imported (unmeasured), as later ones refer to them.
    let only = std::env::var("BENCH_KINDS").unwrap_or_default();
    let measured = |k: &Endpoint| only.is_empty() || only.split(',').any(|o| o == name(*k));
    let kinds: Vec<Endpoint> = Endpoint::DOMCONTROL_IMPORTS
        .into_iter()
        .filter(measured)
        .collect();
    let last = Endpoint::DOMCONTROL_IMPORTS
        .iter()
        .rposition(measured)
        .expect("BENCH_KINDS names an import kind");
    for round in 0..rounds.unwrap_or(ROUNDS) {
        let kinds = &Endpoint::DOMCONTROL_IMPORTS[..=last];
        for (kind, ours, floor) in import_round(bin, round, kinds, &measured).await {
            let entry = times.entry(name(kind)).or_default();
            entry.0.push(ours);
            entry.1.push(floor);
        }
    }
    kinds
        .into_iter()
        .map(|kind| {
            let (ours, floor) = times.remove(name(kind)).unwrap();
            // Each round's import and floor ran one after the other: their ratio is the
            // measure, the median of the rounds' ratios the result.
            let mut ratios: Vec<f64> = ours
                .iter()
                .zip(&floor)
                .map(|(ours, floor)| ours.as_secs_f64() / floor.as_secs_f64())
                .collect();
            ratios.sort_by(f64::total_cmp);
            let ratio = ratios[ratios.len() / 2];
            let (ours, floor) = (median(ours), median(floor));
            Row {
                what: format!("import of {ITEMS} {}", name(kind)),
                measured: ms(ours),
                against: format!("floor {}", ms(floor)),
                ratio,
                goal: "≤ 1.2 × floor",
                met: ratio <= 1.2,
            }
        })
        .collect()
}

/// One round: each of `kinds` imported by a warm function in a fresh stack, and, for those
/// `measured`, its stored items written again as plain batches into another: the import's
/// time and its floor's.
async fn import_round(
    bin: &Path,
    round: usize,
    kinds: &[Endpoint],
    measured: &impl Fn(&Endpoint) -> bool,
) -> Vec<(Endpoint, Duration, Duration)> {
    let stack = Stack::new(&format!("bench-import-{round}")).await;
    let floor = Stack::new(&format!("bench-floor-{round}")).await;
    let mut times = Vec::new();
    for &kind in kinds {
        let (binary, path, table) = endpoint(kind);
        let body = samples::body(kind, 0..ITEMS, refs(kind, ITEMS, ITEMS));
        let mut function = Function::spawn(&bin.join(binary), &stack.env()).await;
        function.init().await;
        let empty = format!("{{\"{}\": []}}", kind.collection().expect("an import"));
        function
            .invoke(http_event("POST", path, "", stack.key(), &empty))
            .await;
        let answer = function
            .invoke(http_event("POST", path, "", stack.key(), &body))
            .await;
        assert_eq!(answer.status, 201, "{}: {}", name(kind), answer.body);
        if !measured(&kind) {
            continue;
        }
        let items = floor::scan(&stack.client, stack.table(table)).await;
        let took = floor::write(&floor.client, floor.table(table), items, 8).await;
        eprintln!(
            "round {round} {}: {:?} vs floor {took:?}",
            name(kind),
            answer.took
        );
        times.push((kind, answer.took, took));
    }
    times
}

/// 20,000 acts in four requests sent at once to four functions; the counts must come out exact.
async fn acts(bin: &Path) -> Vec<Row> {
    let stack = Stack::new("bench-acts").await;
    let floor = Stack::new("bench-acts-floor").await;
    let (binary, path, table) = endpoint(Endpoint::ImportActs);
    let per_request = ACTS / ACT_REQUESTS;
    let mut functions = Vec::new();
    for _ in 0..ACT_REQUESTS {
        let mut function = Function::spawn(&bin.join(binary), &stack.env()).await;
        function.init().await;
        let empty = http_event("POST", path, "", stack.key(), "{\"acts\": []}");
        function.invoke(empty).await;
        functions.push(function);
    }
    let started = std::time::Instant::now();
    let answers = join_all(functions.iter_mut().enumerate().map(|(i, function)| {
        let range = i * per_request..(i + 1) * per_request;
        let body = samples::body(
            Endpoint::ImportActs,
            range,
            refs(Endpoint::ImportActs, 0, 0),
        );
        function.invoke(http_event("POST", path, "", stack.key(), &body))
    }))
    .await;
    let wall = started.elapsed();
    for answer in &answers {
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let tenant = domain::Tenant::parse("bench").unwrap();
    let counts = stack.store.act_counts(&tenant).await.unwrap();
    assert_eq!(
        counts.total, ACTS as u64,
        "counts exact after concurrent imports"
    );
    // The floor at the import's own concurrency (four requests of 8 transactions), and at the
    // 8 calls in flight the other kinds' floors use.
    let items = floor::scan(&stack.client, stack.table(table)).await;
    let wide = Stack::new("bench-acts-floor-32").await;
    let floor_32 = floor::write(&wide.client, wide.table(table), items.clone(), 32).await;
    let floor_8 = floor::write(&floor.client, floor.table(table), items, 8).await;
    vec![Row {
        what: format!("{ACTS} acts, {ACT_REQUESTS} requests at once (counts exact)"),
        measured: ms(wall),
        against: format!(
            "floor {} at 32 calls in flight ({} at 8)",
            ms(floor_32),
            ms(floor_8)
        ),
        ratio: wall.as_secs_f64() / floor_32.as_secs_f64(),
        goal: "≤ 10 s",
        met: wall <= Duration::from_secs(10),
    }]
}

/// Each kind's largest accepted request, each in a fresh process: its peak resident memory.
async fn peak_memory(bin: &Path) -> Vec<Row> {
    let stack = Stack::new("bench-memory").await;
    let mut counts: HashMap<Endpoint, usize> = HashMap::new();
    let mut rows = Vec::new();
    for kind in Endpoint::DOMCONTROL_IMPORTS
        .into_iter()
        .chain([Endpoint::ImportActs])
    {
        let refs = refs(
            kind,
            counts
                .get(&Endpoint::ImportAccounts)
                .copied()
                .unwrap_or_default(),
            counts
                .get(&Endpoint::ImportCounters)
                .copied()
                .unwrap_or_default(),
        );
        let (body, items) = samples::largest(kind, refs);
        counts.insert(kind, items);
        let (binary, path, _) = endpoint(kind);
        let mut function = Function::spawn(&bin.join(binary), &stack.env()).await;
        function.init().await;
        let answer = function
            .invoke(http_event("POST", path, "", stack.key(), &body))
            .await;
        assert_eq!(answer.status, 201, "{}: {}", name(kind), answer.body);
        let peak = function.peak_memory() as f64 / 1_048_576.0;
        eprintln!(
            "largest {}: {items} items in {:?}, {peak:.1} MiB",
            name(kind),
            answer.took
        );
        rows.push(Row {
            what: format!(
                "peak memory, largest {} request ({items} items, {:.2} MB, took {:.1} s)",
                name(kind),
                body.len() as f64 / 1e6,
                answer.took.as_secs_f64()
            ),
            measured: format!("{peak:.1} MiB"),
            against: "64 MiB".into(),
            ratio: peak / 64.0,
            goal: "≤ 64 MiB",
            met: peak <= 64.0,
        });
    }
    rows
}
