//! The JCat billing-acts queries, answering in the spec's shapes (`data` envelopes).

use domain::{Act, ActNumber, ActQuery, ActStatus, PartyRole, Tenant};
use lambda_http::{Body, Request, RequestExt, Response};
use rust_decimal::Decimal;
use serde::Serialize;
use store::{ActReader, KeyReader};

use super::act_view::ActView;
use crate::envelope::{ok, within_budget};
use crate::numbers::money;
use crate::path::{act_number, path_param};
use crate::{ApiError, App, Endpoint, json_response};
use lambda_http::http::StatusCode;

/// One row of the act list, as the spec's example prints it.
#[derive(Serialize)]
struct ListItem<'a> {
    act_number: u64,
    count_number: Option<&'a str>,
    created_at: String,
    /// What the customer pays, VAT included.
    #[serde(serialize_with = "money")]
    amount: Decimal,
    payer: &'a str,
    recipient: &'a str,
    send_date: Option<String>,
    send_method: Option<&'a str>,
    send_address: Option<&'a str>,
}

impl<'a> From<&'a Act> for ListItem<'a> {
    fn from(act: &'a Act) -> Self {
        Self {
            act_number: act.act_number.get(),
            count_number: act.count_number.as_ref().map(|t| t.as_str()),
            created_at: act.created_at.to_string(),
            amount: act.totals().with_vat,
            payer: act.payer.name.as_str(),
            recipient: act.recipient.name.as_str(),
            send_date: act.send_date.map(|d| d.to_string()),
            send_method: act.send_method.as_ref().map(|t| t.as_str()),
            send_address: act.send_address.as_ref().map(|t| t.as_str()),
        }
    }
}

#[derive(Serialize)]
struct ActList<'a> {
    items: Vec<ListItem<'a>>,
    total: u64,
    pages: Pages,
}

#[derive(Serialize)]
struct Pages {
    page: u32,
    total: u64,
}

/// `GET /v1/billing/acts[/{page}[/{limit}]]` with filters and sort in the query string.
pub async fn list<S: ActReader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let request = &request;
    let tenant = app.authenticate(request, endpoint).await?;
    let params = request.query_string_parameters();
    // `page` and `limit` may come in the path or the query string; the path wins.
    let in_path = |name| Some(path_param(request, name)).filter(|v| !v.is_empty());
    let (page, limit) = (in_path("page"), in_path("limit"));
    let page = page.as_deref().or_else(|| params.first("page"));
    let limit = limit.as_deref().or_else(|| params.first("limit"));
    let query = ActQuery::parse(page, limit, |name| params.first(name))
        .map_err(ApiError::invalid_parameters)?;
    let page = app.store().act_page(&tenant, &query).await?;
    tracing::info!(
        items = page.acts.len(),
        total = page.total,
        index_entries_read = page.index_entries_read,
        acts_read = page.acts_read,
        "act_list"
    );
    Ok(ok(ActList {
        items: page.acts.iter().map(ListItem::from).collect(),
        total: page.total,
        pages: Pages {
            page: query.page,
            total: query.pages(page.total),
        },
    }))
}

/// `GET /v1/billing/act_info/{act_id}`: the act's print data.
pub async fn info<S: ActReader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let act = requested_act(app, &request, endpoint).await?;
    Ok(ok(ActView::from(&act)))
}

/// The act that `{act_id}` names, in the tenant of the request's key (which must open
/// `endpoint`).
pub(crate) async fn requested_act<S: ActReader + KeyReader>(
    app: &App<S>,
    request: &Request,
    endpoint: Endpoint,
) -> Result<Act, ApiError> {
    let tenant = app.authenticate(request, endpoint).await?;
    find_act(app, &tenant, act_number(request)?).await
}

/// The tenant's act `number`. Another tenant's act is as unknown as a missing one: existence
/// does not leak.
pub(crate) async fn find_act<S: ActReader>(
    app: &App<S>,
    tenant: &Tenant,
    number: ActNumber,
) -> Result<Act, ApiError> {
    app.store()
        .act(tenant, number)
        .await?
        .ok_or(ApiError::NotFound("акт не найден"))
}

/// A value a list filter can take.
#[derive(Serialize)]
struct FilterValue<T: Serialize> {
    id: T,
    name: String,
}

/// `GET /v1/billing/filter/act_statuses`: the statuses with their Russian names.
pub async fn statuses<S: KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    app.authenticate(&request, endpoint).await?;
    let values: Vec<_> = ActStatus::ALL
        .into_iter()
        .map(|s| FilterValue {
            id: s.as_str(),
            name: s.name_ru().to_owned(),
        })
        .collect();
    Ok(ok(values))
}

/// `GET /v1/billing/filter/payers` and `/recipients`: every party the tenant's acts name.
pub async fn parties<S: ActReader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
    role: PartyRole,
) -> Result<Response<Body>, ApiError> {
    let tenant = app.authenticate(&request, endpoint).await?;
    let seal = app.cursor_seal(&tenant, endpoint, String::new())?;
    let params = request.query_string_parameters();
    let from = seal
        .offset(params.first("next"))
        .map_err(|message| ApiError::invalid_parameter("next", message))?;
    let mut parties = app.store().parties(&tenant, role).await?;
    parties.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()).then(a.id.cmp(&b.id)));
    let values: Vec<FilterValue<u64>> = parties
        .into_iter()
        .skip(from)
        .map(|p| FilterValue {
            id: p.id,
            name: p.name.to_string(),
        })
        .collect();
    let (page, rest) = within_budget(values);
    let next = (rest > 0).then(|| seal.offset_token(from + page.len()));
    Ok(json_response(
        StatusCode::OK,
        &PartyList { data: page, next },
    ))
}

/// The payers or recipients, in name order, and, only when they do not all fit in one answer
/// (some 40,000 ordinary names do), the `next` token of the rest.
#[derive(Serialize)]
struct PartyList {
    data: Vec<FilterValue<u64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// The largest answer a full page of the acts list can make, from the longest value each shown
/// field admits (control characters, which the answer writes as six bytes and Lambda as seven):
/// under Lambda's 6 MB.
#[cfg(test)]
mod page_bound {
    use super::*;
    use crate::LAMBDA_ANSWER_LIMIT;
    use crate::envelope::{Data, answer_size};
    use domain::Record;
    use domain::json::{Fields, collection};
    use serde_json::json;

    #[test]
    fn a_full_page_of_the_longest_acts_is_under_lambdas_answer_limit() {
        let listed = "\u{1}".repeat(domain::acts::MAX_LISTED_TEXT);
        let act = json!({"act_number": u64::MAX, "count_number": "\u{1}".repeat(1002),
            "created_at": "31.12.9999", "act_status": "not_sended", "send_date": "31.12.9999",
            "payer": {"id": u64::MAX, "name": listed}, "recipient": {"id": u64::MAX, "name": listed},
            "send_method": listed, "send_address": listed,
            "services": [{"title": "x", "amount": "999999999999999.99"}]});
        let body = json!({ "acts": [act] }).to_string();
        let raw = collection(&body, "acts").unwrap()[0];
        let act = Act::parse(&Fields::parse(raw).unwrap()).unwrap();
        let max_limit = domain::ActQuery::MAX_LIMIT as usize;
        let page = Data {
            data: ActList {
                items: (0..max_limit).map(|_| ListItem::from(&act)).collect(),
                total: u64::MAX,
                pages: Pages {
                    page: u32::MAX,
                    total: u64::MAX,
                },
            },
        };
        let size = answer_size(&page);
        assert!(size < LAMBDA_ANSWER_LIMIT, "{size} bytes");
        assert!(size > 3_000_000, "the longest values were used: {size}");
    }
}
