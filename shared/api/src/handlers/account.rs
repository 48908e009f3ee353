//! `GET /api/accounts/{id}`: the account, its meters each with its latest reading, and its
//! latest balance per service, in one answer while they fit in Lambda's 6 MB; past that the
//! answer stops early and carries `next` for the rest (the account's own fields again, and the
//! meters and balances that follow).

use domain::{Account, Balance, Counter, Guid, Tenant, Text};
use futures::{StreamExt, TryStreamExt, stream};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::{KeyReader, Reader};

use super::reads::{BalanceView, CounterView, ReadingView};
use crate::envelope::{LAMBDA_ANSWER_LIMIT, LARGEST_ITEM_ANSWER, answer_size};
use crate::numbers::decimal_json;
use crate::path::path_id;
use crate::{ApiError, App, Endpoint, json_response};

/// The most an account's answer may take but for the envelope, its own fields and the first
/// meter or balance always included: a view of the largest account (2.8 MB) and the largest
/// meter (2.8 MB) still fits.
pub const ACCOUNT_BUDGET: usize = 5 * 1024 * 1024 + 512 * 1024;

/// The most a meter's latest reading adds to its view (a test checks the largest).
pub(crate) const LARGEST_READING_ANSWER: usize = 512;

const _: () = assert!(ACCOUNT_BUDGET + 64 * 1024 < LAMBDA_ANSWER_LIMIT);
const _: () =
    assert!(2 * LARGEST_ITEM_ANSWER + LARGEST_READING_ANSWER + 64 * 1024 < LAMBDA_ANSWER_LIMIT);

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

impl<'a> AccountView<'a> {
    /// The account's own fields, with no meters or balances yet.
    fn of(account: &'a Account) -> Self {
        Self {
            id: account.id,
            name: account.name.as_str(),
            address: Text::opt_str(&account.address),
            full_name: Text::opt_str(&account.full_name),
            ownership: account.ownership.map(decimal_json),
            square: account.square.map(decimal_json),
            cadastral: Text::opt_str(&account.cadastral),
            phone: Text::opt_str(&account.phone),
            email: Text::opt_str(&account.email),
            counters: Vec::new(),
            balances: Vec::new(),
        }
    }

    /// Shows `page`'s meters, each with its newest reading (one Query each), and balances.
    async fn show<S: Reader>(
        &mut self,
        page: &[Entry<'a>],
        store: &S,
        tenant: &Tenant,
    ) -> Result<(), ApiError> {
        let meters: Vec<&Counter> = page
            .iter()
            .filter_map(|e| match e {
                Entry::Meter(c) => Some(*c),
                Entry::Balance(_) => None,
            })
            .collect();
        // Hundreds of meters on a common-property account: a bounded number at a time.
        let ids: Vec<Guid> = meters.iter().map(|c| c.id).collect();
        let latest: Vec<_> = stream::iter(ids)
            .map(|id| store.latest_reading(tenant, id))
            .buffered(store::IN_FLIGHT)
            .try_collect()
            .await?;
        self.counters = meters
            .into_iter()
            .zip(latest)
            .map(|(counter, reading)| CounterView::new(counter, reading.map(ReadingView::from)))
            .collect();
        self.balances = page
            .iter()
            .filter_map(|e| match e {
                Entry::Balance(b) => Some(BalanceView::from((*b).clone())),
                Entry::Meter(_) => None,
            })
            .collect();
        Ok(())
    }
}

/// `{"data": <the account>}`, and `"next"` only when its meters and balances go on.
#[derive(Serialize)]
struct AccountAnswer<'a> {
    data: AccountView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// What the view lists after the account's own fields, in order: the meters, then the balances.
enum Entry<'a> {
    Meter(&'a Counter),
    Balance(&'a Balance),
}

impl Entry<'_> {
    /// Its room in the answer, a meter's latest reading counted at its largest.
    fn size(&self) -> usize {
        match self {
            Entry::Meter(c) => answer_size(&CounterView::new(c, None)) + LARGEST_READING_ANSWER,
            Entry::Balance(b) => answer_size(&BalanceView::from((*b).clone())),
        }
    }
}

/// `GET /api/accounts/{id}[?next=]`. Reads the account, its meters (one index Query), its
/// latest balances (one Query), and the newest reading of each meter the answer shows (one
/// Query each): no history.
pub async fn account<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let request = &request;
    let caller = app.caller(request, endpoint).await?;
    let tenant = &caller.tenant;
    let id = path_id(request)?;
    let seal = app.cursor_seal(tenant, endpoint, id.to_string())?;
    let from = seal
        .offset(request.query_string_parameters().first("next"))
        .map_err(|message| ApiError::invalid_parameter("next", message))?;
    let store = app.store();
    let account = store
        .account(tenant, id)
        .await?
        .filter(|_| caller.sees(Some(id)))
        .ok_or(ApiError::NotFound("лицевой счёт не найден"))?;
    let (counters, balances) = futures::try_join!(
        store.counters_of(tenant, id),
        store.latest_balances(tenant, id)
    )?;
    let mut view = AccountView::of(&account);
    let entries: Vec<Entry> = counters
        .iter()
        .map(Entry::Meter)
        .chain(balances.iter().map(Entry::Balance))
        .collect();
    let shown = fitting(answer_size(&view), entries.iter().skip(from));
    let page = &entries[from.min(entries.len())..(from + shown).min(entries.len())];
    view.show(page, store, tenant).await?;
    let end = from + page.len();
    let next = (end < entries.len()).then(|| seal.offset_token(end));
    Ok(json_response(
        StatusCode::OK,
        &AccountAnswer { data: view, next },
    ))
}

/// How many of `entries` fit after the account's own fields (`head` bytes) within
/// [`ACCOUNT_BUDGET`]; the first always does, so that every answer moves on.
fn fitting<'e>(head: usize, entries: impl Iterator<Item = &'e Entry<'e>>) -> usize {
    let mut used = head;
    let mut shown = 0;
    for entry in entries {
        used += entry.size() + 1;
        if shown > 0 && used > ACCOUNT_BUDGET {
            break;
        }
        shown += 1;
    }
    shown
}
