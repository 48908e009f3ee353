//! `GET /api/accounts/{id}/receipts?from=YYYY-MM&to=YYYY-MM`: an account's receipts as 1C sent
//! them, newest month first, each with `qr`, the payment text any bank's app pays (ГОСТ Р
//! 56042-2014). What the answer shows is one view ([`ReceiptView`]); the statement it is made
//! of ([`Statement`]) is what the printed receipt shows too.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::history::{CursorSeal, HistoryQuery};
use domain::{Account, Guid, Organization, Receipt, ReceiptLine, Tenant, Text, parse_month};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::{KeyReader, Reader};

use super::reads::{page_query, visible_account};
use crate::envelope::{List, ok};
use crate::numbers::{decimal_json, money_json};
use crate::path::path_id;
use crate::{ApiError, App, Endpoint};

/// An account, and its receipts with their payees.
pub(crate) struct Statement {
    pub(crate) account: Account,
    pub(crate) receipts: Vec<Receipt>,
    /// The payees the receipts name, deleted ones too (a deleted one's receipt has no code).
    pub(crate) payees: HashMap<Guid, Organization>,
}

impl Statement {
    /// The receipts' payees, read in one BatchGetItem.
    pub(crate) async fn of<S: Reader>(
        store: &S,
        tenant: &Tenant,
        account: Account,
        receipts: Vec<Receipt>,
    ) -> Result<Self, ApiError> {
        let ids: Vec<Guid> = receipts.iter().map(|r| r.organization).collect();
        let payees = store.entries::<Organization>(tenant, &ids).await?;
        Ok(Self {
            account,
            receipts,
            payees: payees.into_iter().map(|p| (p.id, p)).collect(),
        })
    }

    /// The payee of `receipt`, unless it was deleted (or never imported).
    pub(crate) fn payee(&self, receipt: &Receipt) -> Option<&Organization> {
        self.payees
            .get(&receipt.organization)
            .filter(|payee| !payee.deleted)
    }

    /// The payment text of `receipt`'s QR code, when its payee can be paid.
    pub(crate) fn qr(&self, receipt: &Receipt) -> Option<domain::payment_qr::PaymentText> {
        let payee = self.payee(receipt)?;
        receipt.payment_text(payee, self.account.name.as_str()).ok()
    }
}

#[derive(Serialize)]
struct LineView<'a> {
    service: Guid,
    unit: Option<&'a str>,
    volume: Option<Box<RawValue>>,
    tariff: Option<Box<RawValue>>,
    charged: Option<Box<RawValue>>,
    recalculation: Option<Box<RawValue>>,
    to_pay: Option<Box<RawValue>>,
}

impl<'a> From<&'a ReceiptLine> for LineView<'a> {
    fn from(l: &'a ReceiptLine) -> Self {
        Self {
            service: l.service,
            unit: Text::opt_str(&l.unit),
            volume: l.volume.map(decimal_json),
            tariff: l.tariff.map(decimal_json),
            charged: l.charged.map(money_json),
            recalculation: l.recalculation.map(money_json),
            to_pay: l.to_pay.map(money_json),
        }
    }
}

/// A receipt as the API answers it (the stored record may have more, and other names).
#[derive(Serialize)]
struct ReceiptView<'a> {
    account: Guid,
    organization: Guid,
    period: String,
    number: Option<&'a str>,
    debt_start: Option<Box<RawValue>>,
    charged: Option<Box<RawValue>>,
    recalculation: Option<Box<RawValue>>,
    penalty: Option<Box<RawValue>>,
    paid: Option<Box<RawValue>>,
    to_pay: Box<RawValue>,
    lines: Vec<LineView<'a>>,
    els: Option<&'a str>,
    igku: Option<&'a str>,
    ipd: Option<&'a str>,
    inconsistent: bool,
    /// The QR code's payment text; `null` when the payee was deleted.
    qr: Option<String>,
}

impl<'a> ReceiptView<'a> {
    fn new(r: &'a Receipt, statement: &Statement) -> Self {
        let text = Text::opt_str;
        Self {
            account: r.account,
            organization: r.organization,
            period: r.period(),
            number: text(&r.number),
            debt_start: r.debt_start.map(money_json),
            charged: r.charged.map(money_json),
            recalculation: r.recalculation.map(money_json),
            penalty: r.penalty.map(money_json),
            paid: r.paid.map(money_json),
            to_pay: money_json(r.to_pay),
            lines: r.lines.iter().map(LineView::from).collect(),
            els: text(&r.els),
            igku: text(&r.igku),
            ipd: text(&r.ipd),
            inconsistent: r.inconsistent,
            qr: statement.qr(r).map(|qr| qr.text),
        }
    }
}

/// The most receipts of a page, and its default: years of a flat's receipts.
pub const MAX_PAGE: u32 = 100;

/// `GET /api/accounts/{id}/receipts`: newest month first, `from`/`to` months inclusive,
/// `limit` (default and most [`MAX_PAGE`]) and `next`. A page is the account's GetItem, one
/// Query and one BatchGetItem of the payees.
pub async fn list<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let caller = app.caller(&request, endpoint).await?;
    let tenant = &caller.tenant;
    let id = path_id(&request)?;
    let (seal, query) = months_query(app, &request, tenant, endpoint, id)?;
    let account = visible_account(app.store(), &caller, id).await?;
    let page = app.store().history::<Receipt>(tenant, id, &query).await?;
    let next = page.next.as_ref().map(|c| query.token(&seal, c));
    let live: Vec<Receipt> = page.items.into_iter().filter(|r| !r.deleted).collect();
    let statement = Statement::of(app.store(), tenant, account, live).await?;
    let items: Vec<ReceiptView> = statement
        .receipts
        .iter()
        .map(|r| ReceiptView::new(r, &statement))
        .collect();
    Ok(ok(List { items, next }))
}

/// The page the request asks for: `from` and `to` as months (`YYYY-MM`), read as the days
/// from the first of `from` to the last of `to`.
fn months_query<'a, S>(
    app: &'a App<S>,
    request: &Request,
    tenant: &'a Tenant,
    endpoint: Endpoint,
    account: Guid,
) -> Result<(CursorSeal<'a>, HistoryQuery), ApiError> {
    let params = request.query_string_parameters();
    let bound = |name: &'static str, last: bool| -> Result<Option<String>, ApiError> {
        let text = params.first(name).map(domain::values::trim).unwrap_or("");
        if text.is_empty() {
            return Ok(None);
        }
        let month = month_param(name, text)?;
        let day = if last { last_day(month) } else { month };
        Ok(Some(day.format("%Y-%m-%d").to_string()))
    };
    let (from, to) = (bound("from", false)?, bound("to", true)?);
    let range = (from.as_deref(), to.as_deref());
    let (seal, query) = page_query(app, request, tenant, endpoint, account.to_string(), range)?;
    if query.limit > MAX_PAGE {
        return Err(ApiError::invalid_parameter(
            "limit",
            "квитанций на странице: целое число от 1 до 100",
        ));
    }
    Ok((seal, query))
}

/// A month parameter (`YYYY-MM`): `400` naming it otherwise.
pub(crate) fn month_param(name: &'static str, text: &str) -> Result<NaiveDate, ApiError> {
    parse_month(domain::values::trim(text))
        .ok_or_else(|| ApiError::invalid_parameter(name, "ожидается месяц ГГГГ-ММ"))
}

fn last_day(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(month)
}

/// A page's size: a Query answers at most 1 MB of items, whose fields a view repeats (JSON
/// escaping at most doubles a text), plus each receipt's code.
#[cfg(test)]
mod page_bounds {
    use super::*;
    use crate::LAMBDA_ANSWER_LIMIT;
    use domain::json::{Fields, collection};
    use domain::{MAX_ACCOUNT_NUMBER, MAX_BANK_NAME, MAX_PAYEE_NAME, Record};
    use serde_json::json;

    #[test]
    fn a_page_of_receipts_is_far_under_lambdas_answer_limit() {
        let body = json!({"organizations": [{
            "id": "6f1e2a40-5b1c-11ef-8d9a-0050569c4b1e",
            "name": "\"".repeat(MAX_PAYEE_NAME - 20), "inn": "7707083893",
            "kpp": "773601001", "bic": "044525225", "bank_name": "\\".repeat(MAX_BANK_NAME),
            "bank_account": "40702810938000000001",
            "correspondent_account": "30101810400000000225"}]})
        .to_string();
        let raw = collection(&body, "organizations").unwrap()[0];
        let payee = Organization::parse(&Fields::parse(raw).unwrap()).unwrap();
        let body = json!({"receipts": [{
            "account": "6f1e2a40-5b1c-11ef-8d9a-0050569c4b1f",
            "organization": "6f1e2a40-5b1c-11ef-8d9a-0050569c4b1e", "period": "2026-11",
            "number": "\"".repeat(domain::MAX_RECEIPT_TEXT), "to_pay": "999999999999999.99"}]})
        .to_string();
        let raw = collection(&body, "receipts").unwrap()[0];
        let receipt = Receipt::parse(&Fields::parse(raw).unwrap()).unwrap();
        let number = "\"".repeat(MAX_ACCOUNT_NUMBER);
        let code = receipt.payment_text(&payee, &number).unwrap().text;
        let code_json = serde_json::to_string(&code).unwrap().len();
        let worst = 2 * 1_048_576 + MAX_PAGE as usize * code_json;
        assert!(worst < LAMBDA_ANSWER_LIMIT / 2, "{worst}");
    }
}
