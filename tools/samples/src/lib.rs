//! Bodies as a large office's 1C sends them, for the tests and benchmarks that need volume: one
//! base's time-based ids (consecutive timestamps, one node), Cyrillic names, as many items as
//! asked or as the largest body the API accepts holds. Each kind refers only to entries that
//! the directory bodies of at least as many items define, so they import in order: services,
//! accounts, counters, then readings, balances and transactions.

use api::Endpoint;
use api::body::{MAX_BODY_IN_EVENT, size_in_event};
use lambda_http::Body;

/// The `n`th item of an import `endpoint`'s body. Figures refer to the first `refs` accounts
/// (and their meters: two per account) and to eight services; `n` beyond one month's worth
/// moves to the next day.
pub fn item(endpoint: Endpoint, n: usize, refs: usize) -> String {
    let refs = refs.max(1);
    match endpoint {
        Endpoint::ImportServices => format!(
            r#"{{"id":"{}","organization":"Окунево","short_name":"Услуга {n}"}}"#,
            id(SERVICE, n)
        ),
        Endpoint::ImportAccounts => format!(
            r#"{{"id":"{}","name":"ЛС{n:06}","address":"ул. Молодежная, д. 3, пом. {n}","square":"41.2"}}"#,
            id(ACCOUNT, n)
        ),
        Endpoint::ImportCounters => format!(
            r#"{{"id":"{}","name":"ХВС {n}","account":"{}","service":"{}"}}"#,
            id(COUNTER, n),
            id(ACCOUNT, n / 2 % refs),
            id(SERVICE, n % 8)
        ),
        Endpoint::ImportReadings => format!(
            r#"{{"counter":"{}","date":"2018-12-{:02}T00:00:00","current_data1":{n}}}"#,
            id(COUNTER, n % (2 * refs)),
            1 + n / (2 * refs) % 28
        ),
        Endpoint::ImportBalances => format!(
            r#"{{"account":"{}","service":"{}","date":"2018-{:02}-28T23:59:59","amount":-2039.86}}"#,
            id(ACCOUNT, n / 8 % refs),
            id(SERVICE, n % 8),
            12 - n / (8 * refs) % 12
        ),
        Endpoint::ImportTransactions => format!(
            r#"{{"id":"{}","account":"{}","service":"{}","date":"2018-12-{:02}T00:00:00","amount":-2600}}"#,
            id(TRANSACTION, n),
            id(ACCOUNT, n % refs),
            id(SERVICE, n % 8),
            1 + n / refs % 28
        ),
        Endpoint::ImportActs => format!(
            r#"{{"act_number":{},"count_number":"{}","created_at":"2020-{:02}-{:02}","payer":{{"id":{},"name":"ООО «Плательщик {}»"}},"recipient":{{"id":1,"name":"ООО «Ромашка»"}},"act_status":"{}","services":[{{"title":"Лицензионное вознаграждение","amount":{}}}],"vat_rate":20}}"#,
            1 + n,
            42_800 + n,
            1 + n % 12,
            1 + n % 28,
            n % refs,
            n % refs,
            if n % 3 == 0 { "not_sended" } else { "sended" },
            1000 + n % 977
        ),
        // A payee with bank details that pass a bank's checks.
        Endpoint::ImportOrganizations => format!(
            r#"{{"id":"{}","name":"ТСЖ «Окунево» {n}","inn":"7723012346","kpp":"772301001","bank_account":"40703810303800000123","bic":"044525225","bank_name":"ПАО Сбербанк","correspondent_account":"30101810400000000225"}}"#,
            id(ORGANIZATION, n)
        ),
        // A receipt of ten lines, to the first payee, for an account's month.
        Endpoint::ImportReceipts => {
            let lines: Vec<String> = (0..10)
                .map(|k| {
                    format!(
                        r#"{{"service":"{}","unit":"м³","volume":"6.345","tariff":"231.90","charged":"1471.41","recalculation":"-100","to_pay":"1371.41"}}"#,
                        id(SERVICE, k % 8)
                    )
                })
                .collect();
            format!(
                r#"{{"account":"{}","organization":"{}","period":"2018-{:02}","number":"{n}","debt_start":"1200.50","charged":"14714.10","recalculation":"-1000","penalty":"12.34","paid":"1200.50","to_pay":"13726.44","lines":[{}],"els":"75АБ533315"}}"#,
                id(ACCOUNT, n % refs),
                id(ORGANIZATION, 0),
                12 - n / refs % 12,
                lines.join(",")
            )
        }
        other => panic!("{other:?} is not an import"),
    }
}

const SERVICE: u32 = 1;
const ACCOUNT: u32 = 2;
const COUNTER: u32 = 3;
const TRANSACTION: u32 = 4;
const ORGANIZATION: u32 = 5;

/// 1C's id of the `n`th entry of a kind: time-based, consecutive timestamps, the same node (the
/// 1C server's MAC address) in every id.
pub fn id(kind: u32, n: usize) -> String {
    format!(
        "{:08x}-{kind:04x}-11e4-8075-60a44c3c8a48",
        0x1000_0000 + n * 13
    )
}

/// The id of the `n`th account.
pub fn account_id(n: usize) -> String {
    id(ACCOUNT, n)
}

/// `{"<collection>": [...]}` with the items numbered `items`; `refs` as for [`item`].
pub fn body(endpoint: Endpoint, items: std::ops::Range<usize>, refs: usize) -> String {
    let items: Vec<String> = items.map(|n| item(endpoint, n, refs)).collect();
    format!("{{\"{}\": [{}]}}", collection(endpoint), items.join(","))
}

/// The largest body of `kind` the API accepts (it travels as an escaped JSON string in a Lambda
/// event of 6 MB), and its number of items; `refs` as for [`item`].
pub fn largest(endpoint: Endpoint, refs: usize) -> (String, usize) {
    let in_event = |text: &str| size_in_event(&Body::from(text));
    let mut body = format!("{{\"{}\": [", collection(endpoint));
    // Measured piece by piece (the string's own quotes counted once), `]}` kept in reserve.
    let mut size = in_event(&body) + in_event("]}") - in_event("");
    let mut n = 0;
    loop {
        let next = item(endpoint, n, refs);
        let grows = in_event(&next) - in_event("") + usize::from(n > 0);
        if size + grows > MAX_BODY_IN_EVENT {
            break;
        }
        if n > 0 {
            body.push(',');
        }
        body.push_str(&next);
        size += grows;
        n += 1;
    }
    body.push_str("]}");
    debug_assert_eq!(in_event(&body), size);
    (body, n)
}

fn collection(endpoint: Endpoint) -> &'static str {
    endpoint
        .collection()
        .unwrap_or_else(|| panic!("{endpoint:?} is not an import"))
}
