//! The one import pipeline every import endpoint runs: authenticate, decode, parse every item,
//! apply the personal-data policy, check references, write, report metrics. Nothing is written
//! unless the whole request is valid.

use std::collections::HashSet;
use std::time::Instant;

use domain::json::{Fields, collection, normalise};
use domain::{Record, Scope, Tenant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use store::{DirectoryLookup, KeyReader, RecordWriter, Written};

use crate::error::{MAX_DETAILS, Problem, json_response};
use crate::metrics::ImportMetrics;
use crate::{ApiError, App, body};

/// The answer to a successful import.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Imported {
    /// Items accepted from the request.
    pub imported: usize,
}

/// Handles one import request for records of kind `R`. Never fails: errors become responses.
pub async fn import<R, S>(
    app: &App<S>,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error>
where
    R: Record,
    S: RecordWriter<R> + DirectoryLookup + KeyReader,
{
    let started = Instant::now();
    let outcome = run::<R, S>(app, &request).await;
    let metrics = ImportMetrics {
        endpoint: R::KIND,
        items_imported: outcome
            .as_ref()
            .map_or(0, |(_, imported, _)| imported.imported),
        items_rejected: match &outcome {
            Err(ApiError::InvalidItems { items, .. }) => *items,
            _ => 0,
        },
        request_rejected: outcome.is_err(),
        dynamo_retries: outcome
            .as_ref()
            .map_or(0, |(_, _, written)| written.retries),
    };
    metrics.emit();
    let response = match outcome {
        Ok((tenant, imported, _)) => {
            tracing::info!(
                endpoint = R::KIND,
                tenant = %tenant,
                imported = imported.imported,
                duration_ms = started.elapsed().as_millis() as u64,
                "imported"
            );
            json_response(StatusCode::CREATED, &imported)
        }
        Err(e) => {
            tracing::info!(
                endpoint = R::KIND,
                duration_ms = started.elapsed().as_millis() as u64,
                "import rejected"
            );
            e.into_response()
        }
    };
    Ok(response)
}

/// The tenant, the answer, and what the store did.
async fn run<R, S>(app: &App<S>, request: &Request) -> Result<(Tenant, Imported, Written), ApiError>
where
    R: Record,
    S: RecordWriter<R> + DirectoryLookup + KeyReader,
{
    let tenant = app.authenticate(request, Scope::Import).await?;
    let text = body::text(request)?;
    let text = normalise(&text);
    let mut records: Vec<R> = parse_all(&text)?;
    for record in &mut records {
        record.protect(app.personal_data());
    }
    check_references(app.store(), &tenant, &records).await?;
    let written = if records.is_empty() {
        Written::default()
    } else {
        app.store().upsert(&tenant, &records).await?
    };
    let imported = Imported {
        imported: records.len(),
    };
    Ok((tenant, imported, written))
}

/// Every item parsed, or every problem found (the first [`MAX_DETAILS`] listed).
pub fn parse_all<R: Record>(body: &str) -> Result<Vec<R>, ApiError> {
    let raw_items = collection(body, R::COLLECTION)?;
    let mut records = Vec::with_capacity(raw_items.len());
    let mut problems = Vec::new();
    let mut bad_items = 0;
    for (index, raw) in raw_items.into_iter().enumerate() {
        let parsed = match Fields::parse(raw) {
            Some(fields) => R::parse(&fields),
            None => Err(vec![domain::FieldError {
                field: None,
                message: "элемент массива должен быть объектом",
            }]),
        };
        match parsed {
            Ok(record) => records.push(record),
            Err(errors) => {
                bad_items += 1;
                problems.extend(errors.into_iter().map(|e| Problem {
                    index: Some(index),
                    field: e.field,
                    message: e.message,
                }));
            }
        }
    }
    if problems.is_empty() {
        return Ok(records);
    }
    let count = problems.len();
    problems.truncate(MAX_DETAILS);
    Err(ApiError::InvalidItems {
        items: bad_items,
        count,
        problems,
    })
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
                .map(move |r| Problem {
                    index: Some(index),
                    field: Some(r.field.into()),
                    message: r.directory.not_found(),
                })
        })
        .collect();
    let count = problems.len();
    Err(ApiError::UnknownReferences {
        count,
        problems: problems.into_iter().take(MAX_DETAILS).collect(),
    })
}
