//! How fast one Lambda turns a large 1C body into records: BOM and trailing commas removed,
//! every item parsed and normalised, as `api::import` does before any I/O.
//!
//! `cargo bench -p api --bench parse` (criterion) compares it with `serde_json::Value` on the
//! same bytes; `make bench` reports the ratio, `docs/BENCHMARKS.md` keeps it.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::json::normalise;
use domain::{Account, Record, Transaction};

/// A body as 1C writes it: BOM, decimal commas in strings, a trailing comma per item.
fn transactions(bytes: usize) -> (String, usize) {
    let mut body = String::from("\u{feff}{\"transactions\": [\n");
    let mut n = 0;
    while body.len() < bytes {
        body.push_str(&format!(
            "{{\"account\":\"{{AF723E90-C3D4-11E4-8075-{:012X}}}\", \"date\":\"2018-12-{:02}T00:00:00\", \
             \"amount\":\"-2 6{:02},{:02}\", \"service\":\"8fff0fca-9d15-11e3-8e0e-60a44c3c8a48\",}},\n",
            n,
            1 + n % 28,
            n % 100,
            n % 97
        ));
        n += 1;
    }
    body.push_str("]}");
    (body, n)
}

fn accounts(bytes: usize) -> (String, usize) {
    let mut body = String::from("{\"accounts\": [\n");
    let mut n = 0;
    while body.len() < bytes {
        body.push_str(&format!(
            "{{\"id\": \"c8c18070-c5a3-11e5-80e0-{n:012x}\", \"name\": \"М30400НЖ{n:06} \", \
             \"address\": \"ул. Молодежная, д. 3, пом. {n}\", \"full_name\": \"Смирнова Юлия Валерьевна\", \
             \"ownership\": \"1/2\", \"square\": \"56,7\", \"cadastral\": \"47:14:1203001:814\", \
             \"phone\": \"+79332211223\", \"email \": \"user@mail.ru\"}},\n"
        ));
        n += 1;
    }
    body.pop();
    body.pop();
    body.push_str("]}");
    (body, n)
}

/// Ours (BOM and trailing commas removed, every item parsed and normalised into records) and
/// `serde_json::from_slice::<Value>` on the same bytes, in one group: `make bench` reports their
/// ratio. `Value` gets the body without 1C's trailing commas, which it would refuse.
fn compare<R: Record>(c: &mut Criterion, kind: &str, (body, items): (String, usize)) {
    let mut group = c.benchmark_group(format!("parse_{kind}"));
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(20);
    group.bench_function("records", |b| {
        b.iter(|| {
            let text = normalise(black_box(&body));
            let records: Vec<R> = api::import::parse_all(&text).expect("the body is valid");
            assert_eq!(records.len(), items);
            records
        })
    });
    let plain = normalise(&body).into_owned();
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(plain.as_bytes())).unwrap())
    });
    group.finish();
}

fn parse(c: &mut Criterion) {
    compare::<Transaction>(c, "transactions", transactions(5_800_000));
    compare::<Account>(c, "accounts", accounts(5_800_000));
}

criterion_group!(benches, parse);
criterion_main!(benches);
