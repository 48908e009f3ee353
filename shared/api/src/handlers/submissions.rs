//! Residents' readings on their way back to 1C: an app submits (`POST
//! /api/counters/{id}/readings`), 1C pulls what is pending (`GET /api/counter/export`) and
//! answers (`POST /api/counter/export/ack`), and the resident sees what became of each
//! (`GET /api/counters/{id}/submissions`). The rules are `domain::submissions`; what is stored
//! is `store::submissions`. Nothing here logs a figure or a reason.

use chrono::SecondsFormat;
use domain::json::normalise;
use domain::settings::Settings;
use domain::submissions::{
    Acknowledgement, MeterState, Submission, SubmissionRequest, SubmissionStatus, assess,
};
use domain::{Counter, Guid, LocalDateTime, Tenant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::{Acknowledged, Journal, KeyReader, Reader, SubmissionStore, Submitted};

use super::journal::{Note, note};
use super::reads::{Owner, ensure_visible, history_query};
use crate::envelope::{List, created, ok};
use crate::numbers::decimal_json;
use crate::path::path_id;
use crate::{ApiError, App, Caller, Endpoint, body};

/// A submission as the API answers it.
#[derive(Serialize)]
struct SubmissionView {
    id: Guid,
    counter: Guid,
    account: Option<Guid>,
    date: LocalDateTime,
    current_data1: Box<RawValue>,
    current_data2: Option<Box<RawValue>>,
    current_data3: Option<Box<RawValue>>,
    source: String,
    status: &'static str,
    suspicious: bool,
    submitted_at: String,
    /// The office's reason, once 1C rejected it.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl SubmissionView {
    /// As `caller` sees it: a resident's key, by the id it sent; the office's keys, by the id
    /// 1C pulls and answers.
    fn new(s: &Submission, caller: &Caller) -> Self {
        Self {
            id: if caller.account.is_some() {
                s.sent_id()
            } else {
                s.id
            },
            counter: s.counter,
            account: s.account,
            date: s.date,
            current_data1: decimal_json(s.figures.current_data1),
            current_data2: s.figures.current_data2.map(decimal_json),
            current_data3: s.figures.current_data3.map(decimal_json),
            source: s.source.as_str().to_owned(),
            status: s.status.as_str(),
            suspicious: s.suspicious,
            submitted_at: instant(s),
            reason: s.reason.as_ref().map(|r| r.as_str().to_owned()),
        }
    }
}

fn instant(s: &Submission) -> String {
    s.submitted_at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A pending submission as 1C pulls it: an item of the readings import (`counter`, `date`,
/// `current_data1..3`), which `POST /api/counter/import` takes back unchanged, and what 1C
/// needs to apply and answer it.
#[derive(Serialize)]
struct ExportedReading {
    counter: Guid,
    date: LocalDateTime,
    current_data1: Box<RawValue>,
    current_data2: Option<Box<RawValue>>,
    current_data3: Option<Box<RawValue>>,
    id: Guid,
    account: Option<Guid>,
    source: String,
    submitted_at: String,
    suspicious: bool,
}

impl From<&Submission> for ExportedReading {
    fn from(s: &Submission) -> Self {
        Self {
            counter: s.counter,
            date: s.date,
            current_data1: decimal_json(s.figures.current_data1),
            current_data2: s.figures.current_data2.map(decimal_json),
            current_data3: s.figures.current_data3.map(decimal_json),
            id: s.id,
            account: s.account,
            source: s.source.as_str().to_owned(),
            submitted_at: instant(s),
            suspicious: s.suspicious,
        }
    }
}

#[derive(Serialize)]
struct Export {
    counters: Vec<ExportedReading>,
    more: bool,
}

#[derive(Serialize)]
struct AcknowledgedView {
    acknowledged: usize,
    /// Ids no submission of this office has: nothing was recorded for them.
    unknown: Vec<Guid>,
    /// Submissions 1C had answered otherwise before: the first answer stands.
    conflicting: Vec<Guid>,
}

/// `POST /api/counters/{id}/readings`: `201` with the new submission (which replaces the
/// meter's pending one for the same account), `200` with the stored one when its id was sent
/// before with the same figures, `409` with other figures, `422` when the office's rules refuse
/// it, `404` for a meter the key may not see, `429` when a resident's key stored its hour's
/// [`domain::submissions::SUBMISSIONS_PER_HOUR`].
///
/// DynamoDB requests: the key (GetItem, cached a minute), one BatchGetItem (the meter, the
/// settings, the bound account, a submission of the same id), two Queries sent together (the
/// meter's newest readings and submissions), one BatchGetItem (the meter's pending slot, the
/// key's count) and one TransactWriteItems: six at most.
pub async fn submit<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: SubmissionStore + KeyReader,
{
    let request = &request;
    let (caller, key) = app.caller_and_key(request, endpoint).await?;
    let tenant = &caller.tenant;
    let counter_id = path_id(request)?;
    let text = body::text(request)?;
    let sent = SubmissionRequest::parse(&normalise(&text)).map_err(ApiError::invalid_parameters)?;
    // A resident's ids are its account's: the office's id of each is derived from both.
    let sent_id = sent.id.unwrap_or_else(Guid::random);
    let id = Submission::office_id(caller.account, sent_id);
    let store = app.store();
    let context = store
        .submission_context(tenant, counter_id, caller.account, sent.id.map(|_| id))
        .await?;
    let counter = context
        .counter
        .filter(|c| caller.sees(c.account) && context.account_lives)
        .ok_or(ApiError::NotFound("счётчик не найден"))?;
    if let Some(stored) = context.existing {
        return same_again(&stored, &sent, counter_id, &caller);
    }
    let limited = caller.account.map(|_| &key);
    // Judged without the pending one it should replace; judged again with it when the store
    // finds 1C answered that one meanwhile (or it replaces another).
    for replaces_pending in [true, false] {
        let judgement = Judgement {
            counter: &counter,
            sent: &sent,
            ids: (id, sent_id),
            settings: &context.settings,
            replaces_pending,
        };
        let (submission, newest, replacing) = judged(app, &caller, judgement).await?;
        let outcome = store
            .submit(tenant, &submission, limited, replacing, &newest)
            .await?;
        match outcome {
            Submitted::New { replaced } => {
                tracing::info!(
                    suspicious = submission.suspicious,
                    replaced = replaced.is_some(),
                    "reading submitted"
                );
                return Ok(created(SubmissionView::new(&submission, &caller)));
            }
            // The same id sent twice at once: the other request stored it first.
            Submitted::Existing(stored) => {
                return same_again(&stored, &sent, counter_id, &caller);
            }
            Submitted::Limited(limited) => {
                return Err(ApiError::TooManyRequests {
                    retry_after: limited.retry_after,
                });
            }
            Submitted::Rejudge => {}
        }
    }
    // Judged with every pending one, the store never asks again.
    Err(ApiError::Storage(store::StoreError::Config(
        "a submission judged with every pending one was to be judged again".into(),
    )))
}

/// What a new submission is judged by.
struct Judgement<'a> {
    counter: &'a Counter,
    sent: &'a SubmissionRequest,
    /// Its id in the office and the id sent.
    ids: (Guid, Guid),
    settings: &'a Settings,
    /// Whether it is judged without the meter and account's pending submission, which it
    /// replaces.
    replaces_pending: bool,
}

/// The new submission as the office's rules judge it, the meter's newest submissions as read
/// (what the store's replacement starts from), and the pending one it was judged without.
async fn judged<S: SubmissionStore>(
    app: &App<S>,
    caller: &Caller,
    judgement: Judgement<'_>,
) -> Result<(Submission, Vec<Submission>, Option<Guid>), ApiError> {
    let Judgement {
        counter,
        sent,
        ids: (id, sent_id),
        settings,
        replaces_pending,
    } = judgement;
    let (readings, mut newest) = app
        .store()
        .meter_history(&caller.tenant, counter.id)
        .await?;
    // A resident's key is judged by the readings 1C imported and the submissions made for its
    // own account: a meter that changed hands does not show, by refusals, what its earlier
    // occupant sent.
    if caller.account.is_some() {
        newest.retain(|s| caller.sees(s.account));
    }
    // The pending submission this one replaces is not judged against: a resident corrects a
    // typo by submitting again. The newest first: the one the meter's slot names.
    let replacing = newest
        .iter()
        .filter(|s| s.is_pending() && s.account == counter.account)
        .max_by_key(|s| s.submitted_at)
        .map(|s| s.id)
        .filter(|_| replaces_pending);
    let judged: Vec<Submission> = newest
        .iter()
        .filter(|s| Some(s.id) != replacing)
        .cloned()
        .collect();
    let now = app.clock().now();
    let meter = MeterState {
        counter,
        readings: &readings,
        submissions: &judged,
    };
    let assessment = assess(&sent.figures, meter, settings, now).map_err(ApiError::Refused)?;
    let submission = Submission {
        id,
        sent_id: Some(sent_id),
        counter: counter.id,
        account: counter.account,
        date: assessment.date,
        figures: sent.figures,
        source: sent.source_for(caller.account.is_some()),
        submitted_at: now,
        suspicious: assessment.suspicious,
        status: SubmissionStatus::Pending,
        reason: None,
    };
    Ok((submission, newest, replacing))
}

/// A submission sent again: the stored one when it is the same reading of the same meter, made
/// for an account the caller sees (a meter that changed hands keeps its earlier submissions
/// from the new occupant), else `409`.
fn same_again(
    stored: &Submission,
    sent: &SubmissionRequest,
    counter: Guid,
    caller: &Caller,
) -> Result<Response<Body>, ApiError> {
    let same = stored.counter == counter && stored.figures.same_values(&sent.figures);
    if same && caller.sees(stored.account) {
        Ok(ok(SubmissionView::new(stored, caller)))
    } else {
        Err(ApiError::Conflict)
    }
}

/// `GET /api/counters/{id}/submissions`: the meter's submissions, newest first, with their
/// status and the office's reason; paged as the histories (`from`, `to`, `limit`, `next`). A
/// key bound to an account gets those made for its account only, from their own index.
pub async fn list<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: SubmissionStore + Reader + KeyReader,
{
    let caller = app.caller(&request, endpoint).await?;
    let tenant = &caller.tenant;
    let id = path_id(&request)?;
    let (seal, query) = history_query(app, &request, tenant, endpoint, id.to_string())?;
    ensure_visible(app.store(), &caller, id, &Owner::Counter).await?;
    // A key bound to an account sees what was submitted for it, not what an earlier occupant
    // of the account's meter submitted.
    let page = app
        .store()
        .submissions(tenant, id, caller.account, &query)
        .await?;
    Ok(ok(List {
        items: page
            .items
            .iter()
            .map(|s| SubmissionView::new(s, &caller))
            .collect(),
        next: page.next.as_ref().map(|c| query.token(&seal, c)),
    }))
}

/// `GET /api/counter/export?limit=N` (1 to 1000, default 1000): the oldest pending
/// submissions, and whether more are pending. One Query of `limit + 1` items.
pub async fn export<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: SubmissionStore + KeyReader,
{
    let tenant = app.authenticate(&request, endpoint).await?;
    let params = request.query_string_parameters();
    let limit =
        domain::history::page_limit(params.first("limit")).map_err(ApiError::invalid_parameters)?;
    let (pending, more) = app
        .store()
        .pending(&tenant, limit, app.clock().now())
        .await?;
    Ok(ok(Export {
        counters: pending.iter().map(ExportedReading::from).collect(),
        more,
    }))
}

/// `POST /api/counter/export/ack` with `{"readings": [{"id", "status", "reason"}]}`: records
/// 1C's answers (at most 1000; an id named twice: its last answer), which take the
/// submissions out of the export. Answering again the same way is harmless; a submission
/// answered otherwise before keeps its first answer and is listed in `conflicting`; ids no
/// submission has are listed in `unknown`.
pub async fn acknowledge<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: SubmissionStore + KeyReader + Journal,
{
    let tenant = app.authenticate(&request, endpoint).await?;
    let answered = answers(app, &request, &tenant).await;
    let noted = answered.as_ref().map(|(answers, outcome)| {
        let note = Note {
            items: Some(*answers as u64),
            imported: Some(outcome.recorded as u64),
            ..Note::default()
        };
        (note, StatusCode::OK)
    });
    note(app, &tenant, endpoint, noted).await;
    let (_, outcome) = answered?;
    tracing::info!(
        acknowledged = outcome.recorded,
        unknown = outcome.unknown.len(),
        conflicting = outcome.conflicting.len(),
        "submissions acknowledged"
    );
    Ok(ok(AcknowledgedView {
        acknowledged: outcome.recorded,
        unknown: outcome.unknown,
        conflicting: outcome.conflicting,
    }))
}

/// 1C's answers in the request, recorded: how many it named, and what was recorded.
async fn answers<S: SubmissionStore>(
    app: &App<S>,
    request: &Request,
    tenant: &Tenant,
) -> Result<(usize, Acknowledged), ApiError> {
    let text = body::text(request)?;
    let acks = Acknowledgement::parse_all(&normalise(&text)).map_err(ApiError::invalid_items)?;
    let outcome = app
        .store()
        .acknowledge(tenant, &acks, app.clock().now())
        .await?;
    Ok((acks.len(), outcome))
}

/// The largest answer of a full page of submissions, from the longest value each field can
/// hold: under Lambda's 6 MB, so the list needs no byte budget.
#[cfg(test)]
mod page_bounds {
    use super::*;
    use crate::LAMBDA_ANSWER_LIMIT;
    use crate::envelope::answer_size;
    use domain::history::HistoryQuery;
    use domain::submissions::{Figures, MAX_REASON_CHARS, MAX_SOURCE_CHARS};
    use rust_decimal::Decimal;

    fn largest() -> Submission {
        let text = |s: String| serde_json::from_value(serde_json::Value::String(s)).unwrap();
        // 28 significant digits below 10^12, the most a figure keeps.
        let figure = Decimal::from_i128_with_scale(10i128.pow(28) - 1, 16);
        let guid =
            serde_json::from_value(serde_json::json!("ffffffff-ffff-ffff-ffff-ffffffffffff"));
        let guid: Guid = guid.unwrap();
        Submission {
            id: guid,
            sent_id: Some(guid),
            counter: guid,
            account: Some(guid),
            date: serde_json::from_value(serde_json::json!("9999-12-31T23:59:59")).unwrap(),
            figures: Figures {
                current_data1: figure,
                current_data2: Some(figure),
                current_data3: Some(figure),
            },
            source: text("x".repeat(MAX_SOURCE_CHARS)),
            submitted_at: "9999-12-31T23:59:59Z".parse().unwrap(),
            suspicious: false,
            status: SubmissionStatus::Rejected,
            // A quote is written `\"`, and Lambda's string doubles both: four bytes, as many
            // as the widest character.
            reason: Some(text("\"".repeat(MAX_REASON_CHARS))),
        }
    }

    #[test]
    fn a_full_page_of_the_largest_submissions_fits_lambdas_answer() {
        let office = Caller {
            tenant: domain::Tenant::parse("t").unwrap(),
            account: None,
        };
        let one = answer_size(&SubmissionView::new(&largest(), &office)) + 1;
        let page = one * HistoryQuery::MAX_LIMIT as usize + 1024;
        assert!(page < LAMBDA_ANSWER_LIMIT / 2, "{page} bytes");
    }
}
