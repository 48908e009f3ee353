//! The one import pipeline every import endpoint runs: authenticate, decode, parse every item,
//! apply the personal-data policy, check references, write, report metrics. Nothing is written
//! unless the whole request is valid. Readings, balances and transactions may also declare a
//! period that the request (or its exchange) holds completely: then what else is stored in that
//! period is removed once it is complete (`periods.rs`).

use std::collections::HashSet;
use std::time::Instant;

use chrono::{DateTime, Utc};
use domain::json::{Fields, collection, normalise};
use domain::{ExchangePart, Problem, Record, Tenant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use store::{DirectoryLookup, Journal, KeyReader, RecordWriter, Stamp, Written};

use super::journal::{Note, note};
use crate::metrics::ImportMetrics;
use crate::{ApiError, App, Endpoint, ItemProblems, body, json_response};

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
    pub(super) fn plain(imported: usize) -> Self {
        Self {
            imported,
            removed: None,
            exchange: None,
        }
    }
}

/// What an import did, for the answer, the log and the metrics.
pub(super) struct Outcome {
    pub(super) imported: Imported,
    pub(super) written: Written,
    /// For a part of an exchange: which.
    pub(super) part: Option<ExchangePart>,
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
    S: RecordWriter<R> + DirectoryLookup + KeyReader + Journal,
{
    let started = Instant::now();
    let at = app.clock().now();
    let tenant = match app.authenticate(&request, endpoint).await {
        Ok(tenant) => tenant,
        Err(refused) => return respond::<R, S>(app, endpoint, None, started, Err(refused)).await,
    };
    let outcome = upsert::<R, S>(app, &request, &tenant, at).await;
    respond::<R, S>(app, endpoint, Some(&tenant), started, outcome).await
}

/// An import without a period, begun `at`: every record upserted.
pub(super) async fn upsert<R, S>(
    app: &App<S>,
    request: &Request,
    tenant: &Tenant,
    at: DateTime<Utc>,
) -> Result<Outcome, ApiError>
where
    R: Record,
    S: RecordWriter<R> + DirectoryLookup,
{
    let records = accepted::<R, S>(app, request, tenant)?;
    check_references(app.store(), tenant, &records).await?;
    let stamp = Stamp { at, import: None };
    let imported = Imported::plain(records.len());
    let plan = app.store().plan(tenant, records, stamp)?;
    let written = app.store().write(tenant, plan).await?;
    Ok(Outcome {
        imported,
        written,
        part: None,
    })
}

/// The answer to an import, its log line, its metrics and its entry in the tenant's journal
/// (once its key is known to be the tenant's).
pub(super) async fn respond<R: Record, S: Journal>(
    app: &App<S>,
    endpoint: Endpoint,
    tenant: Option<&Tenant>,
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
    if let Some(tenant) = tenant {
        let noted = outcome.as_ref().map(|o| {
            let note = Note {
                items: Some(o.imported.imported as u64),
                imported: Some(o.imported.imported as u64),
                removed: o.imported.removed.map(|r| r as u64),
                exchange: o.part.map(|p| p.exchange),
                part: o.part.map(|p| p.part),
            };
            (note, StatusCode::CREATED)
        });
        note(app, tenant, endpoint, noted).await;
    }
    match outcome {
        Ok(outcome) => {
            tracing::info!(
                endpoint = R::KIND,
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

/// The request's records (its key was checked first), each parsed and protected; their
/// references are checked by [`check_references`], after what needs no I/O.
pub(super) fn accepted<R: Record, S>(
    app: &App<S>,
    request: &Request,
    tenant: &Tenant,
) -> Result<Vec<R>, ApiError> {
    let text = body::text(request)?;
    let text = normalise(&text);
    let mut records: Vec<R> = parse_all(&text)?;
    let policy = app.personal_data().for_tenant(tenant);
    for record in &mut records {
        record.protect(&policy);
    }
    Ok(records)
}

/// Every item parsed, or every problem found: counted, the first hundred kept. Once an item is
/// refused, the records parsed are dropped: the request will write none of them.
pub fn parse_all<R: Record>(body: &str) -> Result<Vec<R>, ApiError> {
    let raw_items = collection(body, R::COLLECTION)?;
    let mut records = Vec::with_capacity(raw_items.len());
    let mut problems = ItemProblems::default();
    for (index, raw) in raw_items.into_iter().enumerate() {
        let parsed = match Fields::parse(raw) {
            Some(fields) => R::parse(&fields),
            None => Err(vec![Problem::whole("элемент массива должен быть объектом")]),
        };
        match parsed {
            Ok(record) if problems.is_empty() => records.push(record),
            Ok(_) => {}
            Err(errors) => {
                records = Vec::new();
                problems.add(index, errors);
            }
        }
    }
    if problems.is_empty() {
        return Ok(records);
    }
    Err(problems.into_error())
}

/// Every referenced service, account or counter must have been imported before.
pub(super) async fn check_references<R: Record, S: DirectoryLookup>(
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
