//! Reconciliation (сверка): `GET /api/transaction/reconciliation`, `/api/balance/reconciliation`
//! (per account: `{"account", "count", "sum"}`) and `/api/counter/reconciliation` (per meter:
//! `{"counter", "count", "sum1", "sum2", "sum3"}`) for `?from=&to=` (whole days), a page of
//! accounts or meters at a time (`limit` 1 to 1000, `next`), deleted ones and their records
//! included: 1C compares them with its registers and re-sends only the accounts that differ.

use domain::DateRange;
use domain::history::ListQuery;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::{KeyReader, Reconciliation, Tally};

use crate::envelope::{List, ok};
use crate::numbers::decimal_json;
use crate::{ApiError, App, Endpoint};

/// Which records a reconciliation counts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tallied {
    Transactions,
    Balances,
    Readings,
}

/// An account's tally of transactions or balances.
#[derive(Serialize)]
struct AccountTally {
    account: domain::Guid,
    count: u64,
    sum: Box<RawValue>,
}

/// A meter's tally of readings.
#[derive(Serialize)]
struct MeterTally {
    counter: domain::Guid,
    count: u64,
    sum1: Box<RawValue>,
    sum2: Box<RawValue>,
    sum3: Box<RawValue>,
}

/// The sum at `i`, exact.
fn sum(t: &Tally, i: usize) -> Box<RawValue> {
    decimal_json(t.sums.get(i).copied().unwrap_or_default())
}

pub async fn tallies<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
    tallied: Tallied,
) -> Result<Response<Body>, ApiError>
where
    S: Reconciliation + KeyReader,
{
    let tenant = app.authenticate(&request, endpoint).await?;
    let params = request.query_string_parameters();
    let period = DateRange::parse_days(params.first("from"), params.first("to"))
        .map_err(ApiError::invalid_parameters)?;
    // A page's cursor continues the same period only.
    let seal = app.cursor_seal(&tenant, endpoint, period.canonical())?;
    let query = ListQuery::parse(params.first("limit"), params.first("next"), &seal)
        .map_err(ApiError::invalid_parameters)?;
    let store = app.store();
    let page = match tallied {
        Tallied::Transactions => store.transaction_tallies(&tenant, &query, &period).await?,
        Tallied::Balances => store.balance_tallies(&tenant, &query, &period).await?,
        Tallied::Readings => store.reading_tallies(&tenant, &query, &period).await?,
    };
    let next = page.next.as_ref().map(|c| query.token(&seal, c));
    Ok(match tallied {
        Tallied::Readings => ok(List {
            items: page
                .items
                .iter()
                .map(|t| MeterTally {
                    counter: t.owner,
                    count: t.count,
                    sum1: sum(t, 0),
                    sum2: sum(t, 1),
                    sum3: sum(t, 2),
                })
                .collect(),
            next,
        }),
        Tallied::Transactions | Tallied::Balances => ok(List {
            items: page
                .items
                .iter()
                .map(|t| AccountTally {
                    account: t.owner,
                    count: t.count,
                    sum: sum(t, 0),
                })
                .collect(),
            next,
        }),
    })
}
