//! The peak memory of each import's worst bodies within the size limit, release build: items
//! that are all wrong (`{}` by the million, each with every required field missing), one act of
//! a million wrong lines, and one item whose text is as long as the body may be. Each body goes
//! to a fresh function, which must answer `400` without passing half of its 256 MB.

use api::Endpoint;

use crate::Row;
use crate::stack::Stack;
use runtime_api::{Function, http_event};

/// Half the memory of a deployed function.
const GOAL_MIB: f64 = 128.0;
/// A body that fits the event with room for the rest of it.
const BODY_BYTES: usize = 5_700_000;

pub async fn worst_bodies(bin: &std::path::Path) -> Vec<Row> {
    let stack = Stack::new("bench-worst").await;
    let mut bodies: Vec<(Endpoint, String, String)> = Endpoint::DOMCONTROL_IMPORTS
        .into_iter()
        .chain([Endpoint::ImportActs])
        .map(|kind| {
            let collection = kind.collection().expect("an import");
            let items = (BODY_BYTES - 20) / 3;
            let body = format!("{{\"{collection}\":[{}{{}}]}}", "{},".repeat(items - 1));
            (kind, format!("{items} empty items"), body)
        })
        .collect();
    let lines = (BODY_BYTES - 200) / 3;
    bodies.push((
        Endpoint::ImportActs,
        format!("one act of {lines} empty lines"),
        format!(
            "{{\"acts\":[{{\"act_number\":1,\"created_at\":\"2026-01-01\",\
             \"payer\":{{\"id\":1,\"name\":\"П\"}},\"recipient\":{{\"id\":2,\"name\":\"Р\"}},\
             \"act_status\":\"sended\",\"services\":[{}{{}}]}}]}}",
            "{},".repeat(lines - 1)
        ),
    ));
    bodies.push((
        Endpoint::ImportAccounts,
        "one account of a 5.7 MB name".into(),
        format!(
            "{{\"accounts\":[{{\"id\":\"c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb\",\"name\":\"{}\"}}]}}",
            "ж".repeat(BODY_BYTES / 2 - 100)
        ),
    ));
    let mut rows = Vec::new();
    for (kind, what, body) in bodies {
        let path = kind.paths()[0];
        let mut function = Function::spawn(&bin.join(kind.function()), &stack.env()).await;
        function.init().await;
        let answer = function
            .invoke(http_event("POST", path, "", stack.key(), &body))
            .await;
        assert!(
            (400..500).contains(&answer.status),
            "{what}: {} {}",
            answer.status,
            &answer.body[..answer.body.len().min(300)]
        );
        let peak = function.peak_memory() as f64 / 1_048_576.0;
        eprintln!("worst {}: {what}, {peak:.1} MiB", kind.function());
        rows.push(Row {
            what: format!(
                "peak memory, {} with {what} ({:.2} MB, answered {})",
                kind.function(),
                body.len() as f64 / 1e6,
                answer.status
            ),
            measured: format!("{peak:.1} MiB"),
            against: format!("{GOAL_MIB} MiB"),
            ratio: peak / GOAL_MIB,
            goal: "≤ 128 MiB",
            met: peak <= GOAL_MIB,
        });
    }
    rows
}
