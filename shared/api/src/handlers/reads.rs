//! Reading back what 1C imported: services, and an account's or a counter's history, page by
//! page (the account itself: `account.rs`), in the views both answer with.
//!
//! Field names are those of the import bodies, decimals are exact JSON numbers with the scale
//! they were imported with, dates are in the import format. Personal fields are what the
//! deployment's personal-data setting stored.

use domain::history::{CursorSeal, HistoryQuery, ListQuery};
use domain::{
    Account, Balance, Counter, Guid, LocalDateTime, Reading, Service, Tenant, Text, Transaction,
};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::{KeyReader, Reader, Stored};

use crate::envelope::{ANSWER_BUDGET, List, answer_size, ok};
use crate::numbers::decimal_json;
use crate::path::path_id;
use crate::{ApiError, App, Caller, Endpoint};

/// A service as the API answers it (the stored record may have more, and other names).
#[derive(Serialize)]
struct ServiceView<'a> {
    id: Guid,
    organization: Option<&'a str>,
    short_name: Option<&'a str>,
    full_name: Option<&'a str>,
}

impl<'a> From<&'a Service> for ServiceView<'a> {
    fn from(s: &'a Service) -> Self {
        Self {
            id: s.id,
            organization: Text::opt_str(&s.organization),
            short_name: Text::opt_str(&s.short_name),
            full_name: Text::opt_str(&s.full_name),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct CounterView<'a> {
    id: Guid,
    name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: Option<&'a str>,
    account: Option<Guid>,
    service: Option<Guid>,
    date_installation: Option<LocalDateTime>,
    date_removal: Option<LocalDateTime>,
    date_verification: Option<LocalDateTime>,
    latest_reading: Option<ReadingView>,
}

impl<'a> CounterView<'a> {
    pub(crate) fn new(c: &'a Counter, latest_reading: Option<ReadingView>) -> Self {
        Self {
            id: c.id,
            name: Text::opt_str(&c.name),
            kind: Text::opt_str(&c.kind),
            account: c.account,
            service: c.service,
            date_installation: c.date_installation,
            date_removal: c.date_removal,
            date_verification: c.date_verification,
            latest_reading,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct ReadingView {
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
pub(crate) struct BalanceView {
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
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Guid>,
    /// What the transaction is, when 1C said.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
}

impl From<Transaction> for TransactionView {
    fn from(t: Transaction) -> Self {
        Self {
            account: t.account,
            date: t.date,
            amount: decimal_json(t.amount),
            service: t.service,
            id: t.id,
            kind: t.kind.map(|k| k.as_str()),
        }
    }
}

/// `GET /api/services?limit=&next=`: a page of the tenant's services in storage order, at most
/// `limit` (default and most 1000) and at most [`ANSWER_BUDGET`] bytes of them.
pub async fn services<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    // Every key of the tenant reads its services, one bound to an open account too.
    let tenant = app.open_caller(&request, endpoint).await?.tenant;
    let seal = app.cursor_seal(&tenant, endpoint, String::new())?;
    let params = request.query_string_parameters();
    let query = ListQuery::parse(params.first("limit"), params.first("next"), &seal)
        .map_err(ApiError::invalid_parameters)?;
    let mut used = 0;
    let fits = |service: &Service| {
        used += answer_size(&ServiceView::from(service)) + 1;
        used <= ANSWER_BUDGET
    };
    let page = app.store().services(&tenant, &query, fits).await?;
    let items: Vec<ServiceView> = page.items.iter().map(ServiceView::from).collect();
    Ok(ok(List {
        items,
        next: page.next.as_ref().map(|c| query.token(&seal, c)),
    }))
}

/// Whose history a page is read from.
pub(crate) enum Owner {
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
    endpoint: Endpoint,
    owner: Owner,
) -> Result<Response<Body>, ApiError>
where
    R: Stored,
    V: From<R> + Serialize,
    S: Reader + KeyReader,
{
    let caller = app.caller(&request, endpoint).await?;
    let tenant = &caller.tenant;
    let id = path_id(&request)?;
    let (seal, query) = history_query(app, &request, tenant, endpoint, id.to_string())?;
    ensure_visible(app.store(), &caller, id, &owner).await?;
    let page = app.store().history::<R>(tenant, id, &query).await?;
    Ok(ok(List {
        items: page.items.into_iter().map(V::from).collect::<Vec<_>>(),
        next: page.next.as_ref().map(|c| query.token(&seal, c)),
    }))
}

/// The seal of `endpoint`'s cursors for `owner`'s history, and the page the request asks for
/// (`from`, `to`, `limit`, `next`).
pub(crate) fn history_query<'a, S>(
    app: &'a App<S>,
    request: &Request,
    tenant: &'a Tenant,
    endpoint: Endpoint,
    owner: String,
) -> Result<(CursorSeal<'a>, HistoryQuery), ApiError> {
    let params = request.query_string_parameters();
    let range = (params.first("from"), params.first("to"));
    page_query(app, request, tenant, endpoint, owner, range)
}

/// [`history_query`] with the period's bounds given (`from`, `to` as [`HistoryQuery`] takes
/// them), for a route whose own parameters say them otherwise (months of receipts).
pub(crate) fn page_query<'a, S>(
    app: &'a App<S>,
    request: &Request,
    tenant: &'a Tenant,
    endpoint: Endpoint,
    owner: String,
    (from, to): (Option<&str>, Option<&str>),
) -> Result<(CursorSeal<'a>, HistoryQuery), ApiError> {
    let seal = app.cursor_seal(tenant, endpoint, owner)?;
    let params = request.query_string_parameters();
    let query = HistoryQuery::parse(from, to, params.first("limit"), params.first("next"), &seal)
        .map_err(ApiError::invalid_parameters)?;
    Ok((seal, query))
}

/// The owner exists in the caller's tenant, and the caller may see it: a key bound to an
/// account sees that account and its meters only; anything else is `404`, as if it did not
/// exist.
pub(crate) async fn ensure_visible<S: Reader>(
    store: &S,
    caller: &Caller,
    id: Guid,
    owner: &Owner,
) -> Result<(), ApiError> {
    match owner {
        Owner::Account => visible_account(store, caller, id).await.map(drop),
        Owner::Counter => match store.counter(&caller.tenant, id).await? {
            Some(counter)
                if caller.sees(counter.account) && bound_account_lives(store, caller).await? =>
            {
                Ok(())
            }
            _ => Err(ApiError::NotFound("счётчик не найден")),
        },
    }
}

/// The account `id`, if the caller may see it: a key bound to another account gets `404`, as
/// for an account that does not exist.
pub(crate) async fn visible_account<S: Reader>(
    store: &S,
    caller: &Caller,
    id: Guid,
) -> Result<Account, ApiError> {
    let account = match caller.sees(Some(id)) {
        true => store.account(&caller.tenant, id).await?,
        false => None,
    };
    account.ok_or(ApiError::NotFound("лицевой счёт не найден"))
}

/// For a key bound to an account: that the account is not deleted (its meters go with it).
async fn bound_account_lives<S: Reader>(store: &S, caller: &Caller) -> Result<bool, ApiError> {
    Ok(match caller.account {
        Some(account) => store.account(&caller.tenant, account).await?.is_some(),
        None => true,
    })
}

pub async fn balances<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    history::<Balance, BalanceView, S>(app, request, endpoint, Owner::Account).await
}

pub async fn transactions<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    history::<Transaction, TransactionView, S>(app, request, endpoint, Owner::Account).await
}

pub async fn readings<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    history::<Reading, ReadingView, S>(app, request, endpoint, Owner::Counter).await
}

/// The largest answer a full page of each history can make, from the longest value each
/// field can hold: far under Lambda's 6 MB, so histories need no byte budget. (Services have
/// one: [`ANSWER_BUDGET`].)
#[cfg(test)]
mod page_bounds {
    use super::*;
    use crate::LAMBDA_ANSWER_LIMIT;
    use crate::envelope::Data;
    use domain::history::HistoryQuery;
    use domain::json::Value as JsonValue;
    use rust_decimal::Decimal;

    fn guid() -> Guid {
        serde_json::from_value(serde_json::json!("ffffffff-ffff-ffff-ffff-ffffffffffff")).unwrap()
    }

    fn date() -> LocalDateTime {
        LocalDateTime::parse(&JsonValue::String("9999-12-31T23:59:59".into()))
            .unwrap()
            .unwrap()
    }

    /// The decimal with the longest JSON text.
    fn longest() -> Decimal {
        [
            Decimal::MIN,
            Decimal::new(-1, 28),
            Decimal::from_i128_with_scale(-(10i128.pow(28) - 1), 28),
        ]
        .into_iter()
        .max_by_key(|d| decimal_json(*d).get().len())
        .unwrap()
    }

    fn page_size<V: Serialize>(item: impl Fn() -> V) -> usize {
        let items: Vec<V> = (0..HistoryQuery::MAX_LIMIT).map(|_| item()).collect();
        let next = Some("A".repeat(2000));
        answer_size(&Data {
            data: List { items, next },
        })
    }

    #[test]
    fn a_full_history_page_is_far_under_lambdas_answer_limit() {
        let readings = page_size(|| ReadingView {
            counter: guid(),
            date: date(),
            current_data1: decimal_json(longest()),
            current_data2: Some(decimal_json(longest())),
            current_data3: Some(decimal_json(longest())),
        });
        let balances = page_size(|| BalanceView {
            account: guid(),
            service: Some(guid()),
            date: date(),
            amount: decimal_json(longest()),
        });
        let transactions = page_size(|| TransactionView {
            account: guid(),
            date: date(),
            amount: decimal_json(longest()),
            service: Some(guid()),
            id: Some(guid()),
            kind: Some("recalculation"),
        });
        for (list, size) in [
            ("readings", readings),
            ("balances", balances),
            ("transactions", transactions),
        ] {
            assert!(size < LAMBDA_ANSWER_LIMIT / 10, "{list}: {size} bytes");
        }
        assert!(
            readings > 200_000,
            "the longest values were used: {readings}"
        );
    }
}
