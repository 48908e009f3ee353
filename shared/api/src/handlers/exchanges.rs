//! Exchanges that 1C opens before it reads its books: `POST /api/exchanges` opens one (its
//! kind, period and parts), stamped by the server's clock, and the parts then carry only its
//! GUID and their number (`handlers/periods.rs`); `GET /api/exchanges/{id}` tells how far one
//! got. What a completed exchange removes is counted from its opening (the period rule).

use chrono::{DateTime, SecondsFormat, Utc};
use domain::json::normalise;
use domain::{ExchangeOpening, Guid, Tenant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use store::{ExchangeLog, ExchangeRecord, Journal, KeyReader};

use super::journal::{Note, note};
use crate::envelope::{created, ok};
use crate::path::path_id;
use crate::{ApiError, App, Endpoint, body};

/// An exchange as the API answers it.
#[derive(Serialize)]
struct ExchangeView {
    exchange: Guid,
    kind: &'static str,
    from: String,
    to: String,
    parts: u32,
    /// The parts that arrived, in order.
    received: Vec<u32>,
    complete: bool,
    /// When 1C opened it, or (not opened) when its first part arrived: what its removal
    /// counts from.
    opened_at: Option<String>,
    /// When its removal was done, and how many items it removed.
    completed_at: Option<String>,
    removed: Option<u64>,
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl From<ExchangeRecord> for ExchangeView {
    fn from(r: ExchangeRecord) -> Self {
        Self {
            exchange: r.exchange,
            kind: r.kind.as_str(),
            from: r.opening.from.to_string(),
            to: r.opening.to.to_string(),
            parts: r.opening.parts,
            complete: r.received.len() >= r.opening.parts as usize,
            received: r.received,
            opened_at: r.opened_at.or(r.began).map(instant),
            completed_at: r.completed.map(|(at, _)| instant(at)),
            removed: r.completed.map(|(_, removed)| removed),
        }
    }
}

/// `POST /api/exchanges` with `{"kind", "from", "to", "parts"}`: `201` with the new exchange.
pub async fn open<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: ExchangeLog + KeyReader + Journal,
{
    let tenant = app.authenticate(&request, endpoint).await?;
    let opened = opened(app, &request, &tenant).await;
    let noted = opened.as_ref().map(|record| {
        let note = Note {
            exchange: Some(record.exchange),
            ..Note::default()
        };
        (note, StatusCode::CREATED)
    });
    note(app, &tenant, endpoint, noted).await;
    Ok(created(ExchangeView::from(opened?)))
}

/// The exchange the request opens, stored.
async fn opened<S: ExchangeLog>(
    app: &App<S>,
    request: &Request,
    tenant: &Tenant,
) -> Result<ExchangeRecord, ApiError> {
    let text = body::text(request)?;
    let opening =
        ExchangeOpening::parse(&normalise(&text)).map_err(ApiError::invalid_parameters)?;
    let exchange = Guid::random();
    let at = app.clock().now();
    app.store()
        .open_exchange(tenant, exchange, opening.kind, &opening.opening, at)
        .await?;
    tracing::info!(
        kind = opening.kind.as_str(),
        parts = opening.opening.parts,
        "exchange opened"
    );
    Ok(ExchangeRecord {
        exchange,
        kind: opening.kind,
        opening: opening.opening,
        opened_at: Some(at),
        began: Some(at),
        received: Vec::new(),
        completed: None,
    })
}

/// `GET /api/exchanges/{id}`: where the exchange stands; `404` for one this office does not
/// have (or no longer keeps: its state goes 7 days after its last part).
pub async fn status<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: ExchangeLog + KeyReader,
{
    let tenant = app.authenticate(&request, endpoint).await?;
    let id = path_id(&request)?;
    let mut records = app.store().exchanges(&tenant, id).await?;
    // A GUID that parts of several kinds used before it was opened: the opened one first.
    records.sort_by_key(|r| r.opened_at.is_none());
    let record = records
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound("обмен не найден"))?;
    Ok(ok(ExchangeView::from(record)))
}
