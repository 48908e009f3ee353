//! The longest values of every kind through every import and read, against DynamoDB Local
//! (which does not enforce DynamoDB's key limits): a long-but-valid request is written, a
//! longer one is `400` naming what is too long, and nothing is ever `5xx`.

use api::Endpoint;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A GUID in the longest form 1C's exports take: braces and white space around.
const ID: &str = "  {FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}  ";
const DATE: &str = "31.12.9999 23:59:59";

/// Every import's body with every text `chars` long and every other value at its longest.
fn bodies(chars: usize, amount: &str) -> Vec<(Endpoint, Value)> {
    let text = "я".repeat(chars);
    // What the acts list shows is at most 1,000 characters.
    let listed = "я".repeat(chars.min(domain::acts::MAX_LISTED_TEXT));
    let id = ID;
    vec![
        (
            Endpoint::ImportServices,
            json!({"services": [{"id": id, "organization": text,
            "short_name": text, "full_name": text}]}),
        ),
        (
            Endpoint::ImportAccounts,
            json!({"accounts": [{"id": id, "name": text, "address": text,
            "full_name": text, "ownership": "99,99", "square": amount, "cadastral": text,
            "phone": text, "email": text}]}),
        ),
        (
            Endpoint::ImportCounters,
            json!({"counters": [{"id": id, "name": text, "type": text,
            "account": id, "service": id, "date_installation": DATE, "date_removal": DATE,
            "date_verification": DATE}]}),
        ),
        (
            Endpoint::ImportReadings,
            json!({"counters": [{"counter": id, "date": DATE,
            "current_data1": amount, "current_data2": amount, "current_data3": amount}]}),
        ),
        (
            Endpoint::ImportBalances,
            json!({"balances": [{"account": id, "service": id,
            "date": DATE, "amount": format!("-{amount}")}]}),
        ),
        (
            Endpoint::ImportTransactions,
            json!({"transactions": [{"id": id, "account": id,
            "service": id, "date": DATE, "amount": format!("-{amount}")}]}),
        ),
        (
            Endpoint::ImportActs,
            json!({"acts": [{"act_number": u64::MAX,
            "count_number": "Я".repeat(chars.min(501)), "created_at": DATE,
            "payer": {"id": u64::MAX, "name": listed}, "recipient": {"id": u64::MAX, "name": listed},
            "act_status": "sended", "send_date": DATE, "send_method": listed,
            "send_address": listed, "act_description": text,
            "services": [{"title": text, "amount": "999999999999999,99"}]}]}),
        ),
    ]
}

#[tokio::test]
async fn the_longest_values_are_written_or_refused_never_a_server_error() {
    let app = TestApp::new("edges").await;
    // Long but within every limit: written.
    for (endpoint, body) in bodies(12_000, "9999999999999,999999") {
        let (status, answer) = app.post(endpoint, body.to_string()).await;
        assert_eq!(status, 201, "{endpoint:?}: {answer}");
    }
    // Over the item size (400 KB), the count number over its key, numbers over the limit, a
    // listed text over 1,000 characters: refused, each naming an item and a field.
    let mut acts = bodies(300_000, "9".repeat(40).as_str());
    let act = &mut acts.last_mut().unwrap().1["acts"][0];
    act["count_number"] = json!("Я".repeat(502));
    act["act_description"] = json!("я");
    act["send_address"] = json!("я".repeat(1001));
    for (endpoint, body) in acts {
        let (status, answer) = app.post(endpoint, body.to_string()).await;
        assert_eq!(status, 400, "{endpoint:?}: {answer}");
        let problem = &answer["error"]["details"][0];
        assert!(
            problem["index"] == 0 && problem["field"].is_string(),
            "{endpoint:?}: {answer}"
        );
    }
    // Reads with the longest path and query values: answered, never 5xx.
    let guid = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    let period = [("from", "01.01.0001"), ("to", DATE), ("limit", "1000")];
    type Pairs<'a> = &'a [(&'a str, &'a str)];
    let reads: [(Endpoint, Pairs, Pairs); 8] = [
        (Endpoint::ServicesList, &[], &[("limit", "1000")]),
        (Endpoint::AccountGet, &[("id", ID)], &[]),
        (Endpoint::AccountBalances, &[("id", guid)], &period),
        (Endpoint::AccountTransactions, &[("id", guid)], &period),
        (Endpoint::CounterReadings, &[("id", guid)], &period),
        (
            Endpoint::ActInfo,
            &[("act_id", "18446744073709551615")],
            &[],
        ),
        (
            Endpoint::ActsList,
            &[("page", "18446744073709551615"), ("limit", "100")],
            &[],
        ),
        (
            Endpoint::ActsList,
            &[],
            &[("count_number", &"Я".repeat(2000))],
        ),
    ];
    for (endpoint, path, query) in reads {
        let (status, answer) = app.get(endpoint, path, query).await;
        assert!(
            [200, 400].contains(&status),
            "{endpoint:?} {query:?}: {status} {answer}"
        );
    }
    let (status, answer) = app.get_act_info("18446744073709551615").await;
    assert_eq!(status, 200, "{answer}");
}
