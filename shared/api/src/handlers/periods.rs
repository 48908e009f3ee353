//! Period imports: readings, balances or transactions that declare a period (`?from=&to=`)
//! that the request, or the multi-part exchange it is a part of, holds completely. A part of an
//! exchange 1C opened (`POST /api/exchanges`) may leave out what its opening says.

use std::time::Instant;

use chrono::{DateTime, Utc};
use domain::{Declared, Guid, PeriodImport, Problem, Record, Tenant};
use lambda_http::{Body, Request, RequestExt, Response};
use store::{DirectoryLookup, ExchangeLog, Journal, KeyReader, PeriodRemoval, RecordWriter, Stamp};

use super::import::{
    ExchangeProgress, Imported, Outcome, accepted, check_references, respond, upsert,
};
use crate::{ApiError, App, Endpoint};

/// Handles an import of readings, balances or transactions, which may declare a period
/// (`?from=&to=`) that it, or the multi-part exchange it is a part of, holds completely (see
/// [`period_import`]). Without a period it is [`plain`].
pub async fn period<R, S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    R: Record,
    S: RecordWriter<R> + PeriodRemoval<R> + ExchangeLog + DirectoryLookup + KeyReader + Journal,
{
    let started = Instant::now();
    let tenant = match app.authenticate(&request, endpoint).await {
        Ok(tenant) => tenant,
        Err(refused) => return respond::<R, S>(app, endpoint, None, started, Err(refused)).await,
    };
    let outcome = period_import::<R, S>(app, &request, &tenant).await;
    respond::<R, S>(app, endpoint, Some(&tenant), started, outcome).await
}

/// A period import. Its records are written stamped with the import (the exchange's GUID, or a
/// new one for a single request) and the time its request began; then, once the period is
/// complete (at once, or when the exchange's last part is written), whatever else of the
/// tenant's records of this kind is dated in the period and was last written well before the
/// import (its first part) began is removed (see [`store::periods`]). A failure before the
/// removal leaves more items, never fewer, and the same request sent again completes it.
async fn period_import<R, S>(
    app: &App<S>,
    request: &Request,
    tenant: &Tenant,
) -> Result<Outcome, ApiError>
where
    R: Record,
    S: RecordWriter<R> + PeriodRemoval<R> + ExchangeLog + DirectoryLookup,
{
    let at = app.clock().now();
    let params = request.query_string_parameters();
    let query = |name: &str| params.first(name);
    let Some(declared) = PeriodImport::declare(query).transpose() else {
        return upsert::<R, S>(app, request, tenant, at).await;
    };
    // The key first (the caller), then the items, then the parameters, and all before any
    // storage is read.
    let records = accepted::<R, S>(app, request, tenant)?;
    let declared = declared.map_err(ApiError::invalid_parameters)?;
    let import = resolve::<R, S>(app.store(), tenant, &declared, query).await?;
    check_dates(&records, &import)?;
    check_references(app.store(), tenant, &records).await?;
    let store = app.store();
    let mark = import.part.map_or_else(Guid::random, |part| part.exchange);
    let stamp = Stamp {
        at,
        import: Some(mark),
    };
    let imported = records.len();
    // Whatever can refuse the part does so before its exchange is opened.
    let plan = store.plan(tenant, records, stamp)?;
    let began = store.open_part(tenant, R::KIND, &import, at).await?;
    let written = store.write(tenant, plan).await?;
    let (removed, exchange) = complete::<R, S>(store, tenant, &import, mark, began, at).await?;
    let imported = Imported {
        imported,
        removed,
        exchange,
    };
    Ok(Outcome {
        imported,
        written,
        part: import.part,
    })
}

/// After a period import's records are written: records the part of its exchange, and, once
/// the period is complete and its removal not yet done, removes what the rule removes. Answers
/// how many were removed (when the removal ran) and the exchange's progress (for a part).
async fn complete<R, S>(
    store: &S,
    tenant: &Tenant,
    import: &PeriodImport,
    mark: Guid,
    began: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<(Option<usize>, Option<ExchangeProgress>), ApiError>
where
    R: Record,
    S: PeriodRemoval<R> + ExchangeLog,
{
    let (complete, exchange) = match import.part {
        None => (true, None),
        Some(_) => {
            let state = store.part_written(tenant, R::KIND, import).await?;
            let progress = ExchangeProgress {
                received: state.received,
                parts: state.parts,
                complete: state.complete(),
            };
            (state.complete() && !state.removed, Some(progress))
        }
    };
    if !complete {
        return Ok((None, exchange));
    }
    let removed = store
        .remove_stale(tenant, import.period, mark, began)
        .await?;
    if import.part.is_some() {
        store
            .removal_done(tenant, R::KIND, import, removed, at)
            .await?;
    }
    Ok((Some(removed), exchange))
}

/// The period import the query declares: for a part of an exchange that was opened (or whose
/// first part arrived), what the query leaves out is the opening's and what it names must be
/// the opening's; a part of an exchange of another kind is refused; otherwise the query names
/// it all. One consistent BatchGetItem for a part.
async fn resolve<'a, R, S>(
    store: &S,
    tenant: &Tenant,
    declared: &Declared,
    query: impl Fn(&str) -> Option<&'a str>,
) -> Result<PeriodImport, ApiError>
where
    R: Record,
    S: ExchangeLog,
{
    let whole = || match PeriodImport::parse(&query) {
        Ok(Some(import)) => Ok(import),
        Ok(None) => Err(ApiError::invalid_parameter("from", "период не задан")),
        Err(problems) => Err(ApiError::invalid_parameters(problems)),
    };
    let Some(exchange) = declared.exchange else {
        return whole();
    };
    let found = store.exchanges(tenant, exchange).await?;
    match found.iter().find(|record| record.kind.as_str() == R::KIND) {
        Some(record) => declared
            .with_opening(&record.opening)
            .map_err(ApiError::invalid_parameters),
        // Opened for another kind. (A GUID that parts of another kind used without opening it,
        // as before exchanges were opened, stays free for this kind, as it always was.)
        None if found.iter().any(|record| record.opened_at.is_some()) => {
            Err(ApiError::invalid_parameter(
                "exchange",
                "обмен открыт для другого вида данных: части обмена загружаются туда, для чего он открыт",
            ))
        }
        None => whole(),
    }
}

/// Every record of a period import is dated in its period.
fn check_dates<R: Record>(records: &[R], import: &PeriodImport) -> Result<(), ApiError> {
    let problems: Vec<Problem> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.dated().is_some_and(|d| !import.period.contains(d)))
        .map(|(index, _)| {
            Problem::new("date", "дата вне объявленного периода (from, to)").at(index)
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(ApiError::invalid_items(problems))
}
