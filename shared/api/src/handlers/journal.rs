//! The journal of 1C's requests: every import, exchange opening and acknowledgement of a tenant
//! is noted once its key is checked (`note`), refusals included, and `GET /api/journal` answers
//! them newest first. Nothing personal: routes, statuses, codes and counts.

use chrono::SecondsFormat;
use domain::{Guid, Tenant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use store::{Journal, JournalEntry, KeyReader};

use super::reads::history_query;
use crate::envelope::{List, ok};
use crate::{ApiError, App, Endpoint};

/// How long a request waits for its journal entry to be written.
const NOTE_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

/// What the journal notes of a request besides its route and status.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Note {
    pub(crate) items: Option<u64>,
    pub(crate) imported: Option<u64>,
    pub(crate) removed: Option<u64>,
    pub(crate) exchange: Option<Guid>,
    pub(crate) part: Option<u32>,
}

impl Note {
    /// A refusal: for faulty items, how many items were faulty.
    pub(crate) fn refused(error: &ApiError) -> Self {
        let items = match error {
            ApiError::InvalidItems { items, .. } => Some(*items as u64),
            _ => None,
        };
        Self {
            items,
            ..Self::default()
        }
    }
}

/// Notes a request of `endpoint`: what it did and the status it answered, or its refusal. A journal that
/// cannot be written, or not within [`NOTE_WITHIN`], fails nothing: the request's own work is
/// done, and its answer stands.
pub(crate) async fn note<S: Journal>(
    app: &App<S>,
    tenant: &Tenant,
    endpoint: Endpoint,
    outcome: Result<(Note, StatusCode), &ApiError>,
) {
    let (note, status, code) = match outcome {
        Ok((note, status)) => (note, status, None),
        Err(error) => (
            Note::refused(error),
            error.status(),
            Some(error.code().to_owned()),
        ),
    };
    let status = status.as_u16();
    let entry = JournalEntry {
        at: app.clock().now(),
        route: format!("{} {}", endpoint.method(), endpoint.paths()[0]),
        status,
        code,
        items: note.items,
        imported: note.imported,
        removed: note.removed,
        exchange: note.exchange,
        part: note.part,
    };
    // A throttled journal holds no answer back past a second.
    let noted = tokio::time::timeout(NOTE_WITHIN, app.store().note(tenant, &entry)).await;
    match noted {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::error!(code = "journal", %error, "the request is not in the journal")
        }
        Err(_) => tracing::error!(code = "journal", "the journal did not answer in time"),
    }
}

/// An entry as the API answers it.
#[derive(Serialize)]
struct EntryView {
    at: String,
    route: String,
    status: u16,
    code: Option<String>,
    items: Option<u64>,
    imported: Option<u64>,
    removed: Option<u64>,
    exchange: Option<Guid>,
    part: Option<u32>,
}

impl From<JournalEntry> for EntryView {
    fn from(e: JournalEntry) -> Self {
        Self {
            at: e.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            route: e.route,
            status: e.status,
            code: e.code,
            items: e.items,
            imported: e.imported,
            removed: e.removed,
            exchange: e.exchange,
            part: e.part,
        }
    }
}

/// `GET /api/journal?from=&to=&limit=&next=`: the tenant's requests, newest first, paged as
/// the histories (`from` and `to` in UTC).
pub async fn list<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: Journal + KeyReader,
{
    let tenant = app.authenticate(&request, endpoint).await?;
    let (seal, query) = history_query(app, &request, &tenant, endpoint, String::new())?;
    let page = app.store().journal(&tenant, &query).await?;
    Ok(ok(List {
        items: page.items.into_iter().map(EntryView::from).collect(),
        next: page.next.as_ref().map(|c| query.token(&seal, c)),
    }))
}
