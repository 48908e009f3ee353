//! How fast one Lambda turns a large 1C body into records: BOM and trailing commas removed,
//! every item parsed and normalised, as `api::import` does before any I/O.
//!
//! `cargo bench -p api --bench parse` prints one line per body; `docs/BENCHMARKS.md` keeps them.

use std::hint::black_box;
use std::time::{Duration, Instant};

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

fn measure<R: Record>(name: &str, (body, items): (String, usize)) {
    let run = || {
        let text = normalise(&body);
        let records: Vec<R> = api::import::parse_all(&text).expect("the body is valid");
        assert_eq!(records.len(), items);
        black_box(records);
    };
    run();
    let mut times = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while times.len() < 10 || (Instant::now() < deadline && times.len() < 50) {
        let start = Instant::now();
        run();
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let mb = body.len() as f64 / 1_048_576.0;
    println!(
        "{name:<13} {mb:>5.2} MB {items:>6} items  median {:>6.1} ms  ({:>5.0} MB/s, {:>7.0} items/s, {} runs)",
        median.as_secs_f64() * 1000.0,
        mb / median.as_secs_f64(),
        items as f64 / median.as_secs_f64(),
        times.len()
    );
}

fn main() {
    measure::<Transaction>("transactions", transactions(5_800_000));
    measure::<Account>("accounts", accounts(5_800_000));
}
