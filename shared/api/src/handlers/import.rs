//! The one import pipeline every import endpoint runs: authenticate, decode, parse every item,
//! apply the personal-data policy, check references, write, report metrics. Nothing is written
//! unless the whole request is valid. Readings, balances and transactions may also declare a
//! period that the request (or its exchange) holds completely: then what else is stored in that
//! period is removed once it is complete.

use std::collections::HashSet;
use std::time::Instant;

use chrono::{DateTime, Utc};
use domain::json::{Fields, collection, normalise};
use domain::{Guid, PeriodImport, Problem, Record, Tenant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use store::{DirectoryLookup, ExchangeLog, KeyReader, PeriodRemoval, RecordWriter, Stamp, Written};

use crate::metrics::ImportMetrics;
use crate::{ApiError, App, Endpoint, body, json_response};

/// The answer to a successful import.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Imported {
    /// Items accepted from the request.
    pub imported: usize,
    /// For a period import: the stored items of the period that it did not contain, removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<usize>,
    /// For a part of an exchange: how many of its parts have arrived, of how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeProgress>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ExchangeProgress {
    pub received: u32,
    pub parts: u32,
    pub complete: bool,
}

impl Imported {
    fn plain(imported: usize) -> Self {
        Self {
            imported,
            removed: None,
            exchange: None,
        }
    }
}

/// What an import did, for the answer, the log and the metrics.
struct Outcome {
    tenant: Tenant,
    imported: Imported,
    written: Written,
}

/// Handles one request of `endpoint`, an import of records of kind `R` without periods
/// (directories, acts).
pub async fn plain<R, S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    R: Record,
    S: RecordWriter<R> + DirectoryLookup + KeyReader,
{
    let started = Instant::now();
    let at = app.clock().now();
    respond::<R>(started, upsert::<R, S>(app, &request, endpoint, at).await)
}

/// An import without a period, begun `at`: every record upserted.
async fn upsert<R, S>(
    app: &App<S>,
    request: &Request,
    endpoint: Endpoint,
    at: DateTime<Utc>,
) -> Result<Outcome, ApiError>
where
    R: Record,
    S: RecordWriter<R> + DirectoryLookup + KeyReader,
{
    let (tenant, records) = accepted::<R, S>(app, request, endpoint, |_| Ok(())).await?;
    let stamp = Stamp { at, import: None };
    let imported = Imported::plain(records.len());
    let plan = app.store().plan(&tenant, records, stamp)?;
    let written = app.store().write(&tenant, plan).await?;
    Ok(Outcome {
        tenant,
        imported,
        written,
    })
}

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
    S: RecordWriter<R> + PeriodRemoval<R> + ExchangeLog + DirectoryLookup + KeyReader,
{
    let started = Instant::now();
    respond::<R>(
        started,
        period_import::<R, S>(app, &request, endpoint).await,
    )
}

/// The answer to an import, its log line and its metrics.
fn respond<R: Record>(
    started: Instant,
    outcome: Result<Outcome, ApiError>,
) -> Result<Response<Body>, ApiError> {
    let metrics = ImportMetrics {
        endpoint: R::KIND,
        items_imported: outcome.as_ref().map_or(0, |o| o.imported.imported),
        items_rejected: match &outcome {
            Err(ApiError::InvalidItems { items, .. }) => *items,
            _ => 0,
        },
        request_rejected: outcome.is_err(),
        dynamo_retries: outcome.as_ref().map_or(0, |o| o.written.retries),
    };
    metrics.emit();
    match outcome {
        Ok(outcome) => {
            tracing::info!(
                endpoint = R::KIND,
                tenant = %outcome.tenant,
                imported = outcome.imported.imported,
                removed = outcome.imported.removed,
                duration_ms = started.elapsed().as_millis() as u64,
                "imported"
            );
            Ok(json_response(StatusCode::CREATED, &outcome.imported))
        }
        Err(e) => {
            tracing::info!(
                endpoint = R::KIND,
                duration_ms = started.elapsed().as_millis() as u64,
                "import rejected"
            );
            Err(e)
        }
    }
}

/// The request's tenant and records, each parsed, protected, passed by `check` (what needs no
/// I/O), and its references checked.
async fn accepted<R, S>(
    app: &App<S>,
    request: &Request,
    endpoint: Endpoint,
    check: impl FnOnce(&[R]) -> Result<(), ApiError>,
) -> Result<(Tenant, Vec<R>), ApiError>
where
    R: Record,
    S: DirectoryLookup + KeyReader,
{
    let tenant = app.authenticate(request, endpoint).await?;
    let text = body::text(request)?;
    let text = normalise(&text);
    let mut records: Vec<R> = parse_all(&text)?;
    let policy = app.personal_data().for_tenant(&tenant);
    for record in &mut records {
        record.protect(&policy);
    }
    check(&records)?;
    check_references(app.store(), &tenant, &records).await?;
    Ok((tenant, records))
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
    endpoint: Endpoint,
) -> Result<Outcome, ApiError>
where
    R: Record,
    S: RecordWriter<R> + PeriodRemoval<R> + ExchangeLog + DirectoryLookup + KeyReader,
{
    let at = app.clock().now();
    let params = request.query_string_parameters();
    let Some(declared) = PeriodImport::parse(|name| params.first(name)).transpose() else {
        return upsert::<R, S>(app, request, endpoint, at).await;
    };
    // The key is checked before the parameters, and both before any storage is read.
    let (tenant, records) = accepted::<R, S>(app, request, endpoint, |records| {
        let import = declared
            .as_ref()
            .map_err(|problems| ApiError::invalid_parameters(problems.clone()))?;
        check_dates(records, import)
    })
    .await?;
    let import = declared.map_err(ApiError::invalid_parameters)?;
    let store = app.store();
    let mark = import.part.map_or_else(Guid::random, |part| part.exchange);
    let stamp = Stamp {
        at,
        import: Some(mark),
    };
    let imported = records.len();
    // Whatever can refuse the part does so before its exchange is opened.
    let plan = store.plan(&tenant, records, stamp)?;
    let began = store.open_part(&tenant, R::KIND, &import, at).await?;
    let written = store.write(&tenant, plan).await?;
    let (removed, exchange) = complete::<R, S>(store, &tenant, &import, mark, began).await?;
    let imported = Imported {
        imported,
        removed,
        exchange,
    };
    Ok(Outcome {
        tenant,
        imported,
        written,
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
        store.removal_done(tenant, R::KIND, import).await?;
    }
    Ok((Some(removed), exchange))
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

/// Every item parsed, or every problem found.
pub fn parse_all<R: Record>(body: &str) -> Result<Vec<R>, ApiError> {
    let raw_items = collection(body, R::COLLECTION)?;
    let mut records = Vec::with_capacity(raw_items.len());
    let mut problems = Vec::new();
    for (index, raw) in raw_items.into_iter().enumerate() {
        let parsed = match Fields::parse(raw) {
            Some(fields) => R::parse(&fields),
            None => Err(vec![Problem::whole("элемент массива должен быть объектом")]),
        };
        match parsed {
            Ok(record) => records.push(record),
            Err(errors) => problems.extend(errors.into_iter().map(|p| p.at(index))),
        }
    }
    if problems.is_empty() {
        return Ok(records);
    }
    Err(ApiError::invalid_items(problems))
}

/// Every referenced service, account or counter must have been imported before.
async fn check_references<R: Record, S: DirectoryLookup>(
    store: &S,
    tenant: &Tenant,
    records: &[R],
) -> Result<(), ApiError> {
    let wanted: HashSet<_> = records
        .iter()
        .flat_map(Record::references)
        .map(|r| (r.directory, r.id))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let missing = store.missing(tenant, &wanted).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let problems: Vec<Problem> = records
        .iter()
        .enumerate()
        .flat_map(|(index, record)| {
            record
                .references()
                .into_iter()
                .filter(|r| missing.contains(&(r.directory, r.id)))
                .map(move |r| Problem::new(r.field, r.directory.not_found()).at(index))
        })
        .collect();
    Err(ApiError::unknown_references(problems))
}
