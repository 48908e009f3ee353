//! Reading back what 1C imported: services, an account with its counters and latest figures,
//! and an account's or a counter's history, page by page.
//!
//! Field names are those of the import bodies, decimals are exact JSON numbers with the scale
//! they were imported with, dates are in the import format. Personal fields are what the
//! deployment's personal-data setting stored.

use crate::numbers::decimal_json;
use domain::history::HistoryQuery;
use domain::json::Value as JsonValue;
use domain::{Account, Balance, Counter, Guid, LocalDateTime, Reading, Scope, Tenant, Transaction};
use futures::future::try_join_all;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::keys::{directory_key, latest_balances_key, owner_key};
use store::{KeyReader, PartitionReader, Stored};

use crate::{ApiError, App, json_response};

#[derive(Serialize)]
struct Data<T> {
    data: T,
}

/// A list answer: `{"data": {"items": [...], "next": "<token or null>"}}`.
#[derive(Serialize)]
struct List<T> {
    items: Vec<T>,
    next: Option<String>,
}

fn ok<T: Serialize>(data: T) -> Response<Body> {
    json_response(StatusCode::OK, &Data { data })
}

fn answer(result: Result<Response<Body>, ApiError>) -> Result<Response<Body>, lambda_http::Error> {
    Ok(result.unwrap_or_else(ApiError::into_response))
}

/// The `{id}` of the path, a GUID.
fn path_id(request: &Request) -> Result<Guid, ApiError> {
    let id = request
        .path_parameters()
        .first("id")
        .unwrap_or_default()
        .to_owned();
    match Guid::parse(&JsonValue::String(id.into())) {
        Ok(Some(id)) => Ok(id),
        _ => Err(ApiError::invalid_parameters(vec![(
            "id",
            "ожидается GUID вида xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        )])),
    }
}

#[derive(Serialize)]
struct AccountView<'a> {
    id: Guid,
    name: &'a str,
    address: Option<&'a str>,
    full_name: Option<&'a str>,
    ownership: Option<Box<RawValue>>,
    square: Option<Box<RawValue>>,
    cadastral: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    counters: Vec<CounterView<'a>>,
    /// The latest balance of each service.
    balances: Vec<BalanceView>,
}

#[derive(Serialize)]
struct CounterView<'a> {
    #[serde(flatten)]
    counter: &'a Counter,
    latest_reading: Option<ReadingView>,
}

#[derive(Serialize)]
struct ReadingView {
    counter: Guid,
    date: LocalDateTime,
    current_data1: Box<RawValue>,
    current_data2: Option<Box<RawValue>>,
    current_data3: Option<Box<RawValue>>,
}

impl From<Reading> for ReadingView {
    fn from(r: Reading) -> Self {
        Self {
            counter: r.counter,
            date: r.date,
            current_data1: decimal_json(r.current_data1),
            current_data2: r.current_data2.map(decimal_json),
            current_data3: r.current_data3.map(decimal_json),
        }
    }
}

#[derive(Serialize)]
struct BalanceView {
    account: Guid,
    service: Option<Guid>,
    date: LocalDateTime,
    amount: Box<RawValue>,
}

impl From<Balance> for BalanceView {
    fn from(b: Balance) -> Self {
        Self {
            account: b.account,
            service: b.service,
            date: b.date,
            amount: decimal_json(b.amount),
        }
    }
}

#[derive(Serialize)]
struct TransactionView {
    account: Guid,
    date: LocalDateTime,
    amount: Box<RawValue>,
    service: Option<Guid>,
}

impl From<Transaction> for TransactionView {
    fn from(t: Transaction) -> Self {
        Self {
            account: t.account,
            date: t.date,
            amount: decimal_json(t.amount),
            service: t.service,
        }
    }
}

/// `GET /api/services`: the tenant's services (one Query).
pub async fn services<S: PartitionReader + KeyReader>(
    app: &App<S>,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    let result = async {
        let tenant = app.authenticate(&request, Scope::Read).await?;
        let items: Vec<domain::Service> = app.store().partition(tenant.as_str()).await?;
        Ok(ok(List { items, next: None }))
    };
    answer(result.await)
}

/// `GET /api/accounts/{id}`: the account, its counters each with its latest reading, and its
/// latest balance per service. Reads the account, its counters (one index Query), one reading
/// per counter and the latest balances (one Query): no history.
pub async fn account<S: PartitionReader + KeyReader>(
    app: &App<S>,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    let result = async {
        let tenant = app.authenticate(&request, Scope::Read).await?;
        let id = path_id(&request)?;
        let store = app.store();
        let account: Account = store
            .get(directory_key(&tenant, id))
            .await?
            .ok_or(ApiError::NotFound("лицевой счёт не найден"))?;
        let latest_balances = latest_balances_key(&tenant, id);
        let (counters, balances) = futures::try_join!(
            store.counters_of(&tenant, id),
            store.partition::<Balance>(&latest_balances),
        )?;
        let reading_keys: Vec<String> = counters.iter().map(|c| owner_key(&tenant, c.id)).collect();
        // The newest reading of each counter: a Query of one item, not its history.
        let latest = try_join_all(
            reading_keys
                .iter()
                .map(|pk| store.newest_first::<Reading>(pk, ("0", "9"), 1, None)),
        )
        .await?;
        fn text(t: &Option<domain::Text>) -> Option<&str> {
            t.as_ref().map(|t| t.as_str())
        }
        let view = AccountView {
            id: account.id,
            name: account.name.as_str(),
            address: text(&account.address),
            full_name: text(&account.full_name),
            ownership: account.ownership.map(decimal_json),
            square: account.square.map(decimal_json),
            cadastral: text(&account.cadastral),
            phone: text(&account.phone),
            email: text(&account.email),
            counters: counters
                .iter()
                .zip(latest)
                .map(|(counter, page)| CounterView {
                    counter,
                    latest_reading: page.items.into_iter().next().map(ReadingView::from),
                })
                .collect(),
            balances: balances.into_iter().map(BalanceView::from).collect(),
        };
        Ok(ok(view))
    };
    answer(result.await)
}

/// Whose history a page is read from.
enum Owner {
    Account,
    Counter,
}

/// `GET /api/accounts/{id}/balances`, `/api/accounts/{id}/transactions` and
/// `/api/counters/{id}/readings`: newest first, `from`/`to` inclusive, `limit` (default 100, at
/// most 1000) and the `next` token of the previous page. One GetItem (the owner must exist in
/// the caller's tenant) and one Query.
async fn history<R, V, S>(
    app: &App<S>,
    request: Request,
    owner: Owner,
) -> Result<Response<Body>, ApiError>
where
    R: Stored,
    V: From<R> + Serialize,
    S: PartitionReader + KeyReader,
{
    let tenant = app.authenticate(&request, Scope::Read).await?;
    let id = path_id(&request)?;
    let params = request.query_string_parameters();
    let query = HistoryQuery::parse(
        params.first("from"),
        params.first("to"),
        params.first("limit"),
        params.first("next"),
    )
    .map_err(ApiError::invalid_parameters)?;
    ensure_exists(app.store(), &tenant, id, &owner).await?;
    let page = app
        .store()
        .newest_first::<R>(
            &owner_key(&tenant, id),
            (&query.from, &query.to),
            query.limit,
            query.after,
        )
        .await?;
    Ok(ok(List {
        items: page.items.into_iter().map(V::from).collect::<Vec<_>>(),
        next: page.next.as_deref().map(HistoryQuery::next_token),
    }))
}

async fn ensure_exists<S: PartitionReader>(
    store: &S,
    tenant: &Tenant,
    id: Guid,
    owner: &Owner,
) -> Result<(), ApiError> {
    let key = directory_key(tenant, id);
    let found = match owner {
        Owner::Account => store.get::<Account>(key).await?.is_some(),
        Owner::Counter => store.get::<Counter>(key).await?.is_some(),
    };
    match (found, owner) {
        (true, _) => Ok(()),
        (false, Owner::Account) => Err(ApiError::NotFound("лицевой счёт не найден")),
        (false, Owner::Counter) => Err(ApiError::NotFound("счётчик не найден")),
    }
}

pub async fn balances<S: PartitionReader + KeyReader>(
    app: &App<S>,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    answer(history::<Balance, BalanceView, S>(app, request, Owner::Account).await)
}

pub async fn transactions<S: PartitionReader + KeyReader>(
    app: &App<S>,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    answer(history::<Transaction, TransactionView, S>(app, request, Owner::Account).await)
}

pub async fn readings<S: PartitionReader + KeyReader>(
    app: &App<S>,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    answer(history::<Reading, ReadingView, S>(app, request, Owner::Counter).await)
}
