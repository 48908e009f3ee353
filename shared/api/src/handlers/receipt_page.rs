//! `GET /api/accounts/{id}/receipts/{period}/print`: an account's receipts of one month as an A4
//! page in the printed act's style, one section per payee, each with its table of services, its
//! totals and its QR code drawn as SVG (`templates/receipt.html`, askama: every value
//! HTML-escaped). `POST …/print_link` makes a link that opens the page without a key.
//! A page is two round trips to DynamoDB: the account and the month's receipts, then the
//! payees and the services.

use std::collections::HashMap;

use askama::Template;
use chrono::{Datelike, NaiveDate};
use domain::history::HistoryQuery;
use domain::{DateRange, Guid, Organization, Receipt, Scope, Service, Tenant};
use fast_qr::convert::svg::SvgBuilder;
use fast_qr::{ECL, QRBuilder};
use lambda_http::{Body, Request, RequestExt, Response};
use rust_decimal::Decimal;
use store::{KeyReader, Reader};

use super::act_page::html;
use super::print_link::{GONE, Link, issued, link_token, opened, ttl_hours};
use super::reads::visible_account;
use super::receipts::{Statement, month_param};
use crate::numbers::{quantity, rubles};
use crate::path::{path_id, path_param};
use crate::{ApiError, App, Caller, Endpoint};

const PURPOSE: &str = "receipt print link";

/// The most receipts (payees) of one month a page prints, and the most characters of a
/// service's name it shows: with each code's SVG (tens of kilobytes) the page stays far under
/// Lambda's 6 MB answer whatever the directories hold.
pub const MAX_PAYEES: u32 = 10;
const MAX_SERVICE_NAME: usize = 120;

const MONTHS: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// One line of a receipt as printed.
struct LinePrint {
    service: String,
    unit: String,
    volume: String,
    tariff: String,
    charged: String,
    recalculation: String,
    to_pay: String,
}

/// One payee's part of the page.
struct Section<'a> {
    receipt: &'a Receipt,
    payee: Option<&'a Organization>,
    lines: Vec<LinePrint>,
    /// The totals 1C sent, as printed: what each is and its figure.
    totals: Vec<(&'static str, String)>,
    to_pay: String,
    /// The code as an inline `<svg>` element, made here from the payment text alone.
    qr: Option<String>,
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage<'a> {
    account_number: &'a str,
    period: String,
    sections: Vec<Section<'a>>,
}

fn money(amount: Option<Decimal>) -> String {
    amount.map(rubles).unwrap_or_default()
}

fn line_print(line: &domain::ReceiptLine, services: &HashMap<Guid, Service>) -> LinePrint {
    let service = services
        .get(&line.service)
        .and_then(|s| s.full_name.as_ref().or(s.short_name.as_ref()))
        .map_or_else(
            || "Услуга".to_owned(),
            |name| name.as_str().chars().take(MAX_SERVICE_NAME).collect(),
        );
    LinePrint {
        service,
        unit: line
            .unit
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        volume: line.volume.map(quantity).unwrap_or_default(),
        // A tariff in rubles and kopecks prints as money; a finer one keeps its digits.
        tariff: line
            .tariff
            .map(|t| match t.normalize().scale() <= 2 {
                true => rubles(t),
                false => quantity(t),
            })
            .unwrap_or_default(),
        charged: money(line.charged),
        recalculation: money(line.recalculation),
        to_pay: money(line.to_pay),
    }
}

/// The code of a payment text: byte mode, error correction M (a print that a fold or a stain
/// spoils still reads), drawn as black squares on white with its quiet zone. `fast_qr` encodes
/// and draws a receipt's code in about 0.6 ms where `qrcode` took 2.9 (docs/BENCHMARKS.md).
fn qr_svg(bytes: &[u8]) -> Option<String> {
    let code = QRBuilder::new(bytes.to_vec()).ecl(ECL::M).build().ok()?;
    let image = SvgBuilder::default().to_str(&code);
    // An element of the page, not a document: anything before `<svg` goes.
    image.find("<svg").map(|start| image[start..].to_owned())
}

fn section<'a>(
    receipt: &'a Receipt,
    statement: &'a Statement,
    services: &HashMap<Guid, Service>,
) -> Section<'a> {
    let totals = [
        ("Долг на начало периода", receipt.debt_start),
        ("Начислено", receipt.charged),
        ("Перерасчёт", receipt.recalculation),
        ("Пени", receipt.penalty),
        ("Оплачено", receipt.paid),
    ]
    .into_iter()
    .filter_map(|(what, amount)| amount.map(|a| (what, rubles(a))))
    .collect();
    Section {
        receipt,
        payee: statement.payee(receipt),
        lines: receipt
            .lines
            .iter()
            .map(|l| line_print(l, services))
            .collect(),
        totals,
        to_pay: rubles(receipt.to_pay),
        qr: statement.qr(receipt).and_then(|code| qr_svg(&code.bytes)),
    }
}

/// The page of an account's receipts of `month`.
fn page(statement: &Statement, services: &HashMap<Guid, Service>, month: NaiveDate) -> String {
    let name = MONTHS[month.month0() as usize];
    ReceiptPage {
        account_number: statement.account.name.as_str(),
        period: format!("{name} {} г.", month.year()),
        sections: statement
            .receipts
            .iter()
            .map(|r| section(r, statement, services))
            .collect(),
    }
    .render()
    .unwrap_or_else(|_| String::from("<!DOCTYPE html><title>Квитанция</title>"))
}

/// The account's receipts of `month` that 1C has not withdrawn: one Query.
async fn month_receipts<S: Reader>(
    store: &S,
    tenant: &Tenant,
    account: Guid,
    month: NaiveDate,
) -> Result<Vec<Receipt>, ApiError> {
    let query = HistoryQuery {
        range: DateRange::days(month, month),
        limit: MAX_PAYEES,
        after: None,
    };
    let page = store.history::<Receipt>(tenant, account, &query).await?;
    let mut receipts: Vec<Receipt> = page.items.into_iter().filter(|r| !r.deleted).collect();
    receipts.reverse();
    match receipts.is_empty() {
        true => Err(ApiError::NotFound("квитанций за этот месяц нет")),
        false => Ok(receipts),
    }
}

/// The `{id}` and `{period}` of the path.
fn account_and_month(request: &Request) -> Result<(Guid, NaiveDate), ApiError> {
    let id = path_id(request)?;
    let month = month_param("period", &path_param(request, "period"))?;
    Ok((id, month))
}

fn period_text(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

/// `GET /api/accounts/{id}/receipts/{period}/print`: for a key that reads the account, or for
/// a print link's `?link=` token; errors as JSON, as every endpoint answers them.
pub async fn print<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let link = link_token(&request);
    let (caller, (id, month)) = match link {
        Some(token) => {
            let (id, month) = account_and_month(&request)?;
            (linked_caller(app, id, month, &token).await?, (id, month))
        }
        None => {
            let caller = app.caller(&request, endpoint).await?;
            (caller, account_and_month(&request)?)
        }
    };
    let store = app.store();
    let tenant = &caller.tenant;
    // The account and the month's receipts at once, then the payees and the services at once:
    // two round trips. The account decides first: another account's is `404` as an unknown
    // one, whatever its month holds.
    let (account, receipts) = futures::join!(
        visible_account(store, &caller, id),
        month_receipts(store, tenant, id, month)
    );
    let (account, receipts) = (account?, receipts?);
    let service_ids: Vec<Guid> = receipts
        .iter()
        .flat_map(|r| r.lines.iter().map(|l| l.service))
        .collect();
    let (statement, services) = futures::join!(
        Statement::of(store, tenant, account, receipts),
        store.entries::<Service>(tenant, &service_ids)
    );
    let statement = statement?;
    let services = services?.into_iter().map(|s| (s.id, s)).collect();
    Ok(html(page(&statement, &services, month)))
}

/// Whom a link lets read the page: its issuer, while that key is valid, still reads the
/// account, and has `read`.
async fn linked_caller<S: KeyReader>(
    app: &App<S>,
    id: Guid,
    month: NaiveDate,
    token: &str,
) -> Result<Caller, ApiError> {
    let context = [id.to_string(), period_text(month)];
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    let (link, key) = opened(app, PURPOSE, &context, token).await?;
    let reads = key.scopes.contains(&Scope::Read) && key.account.is_none_or(|a| a == id);
    if !reads {
        return Err(ApiError::NotFound(GONE));
    }
    // A shared link counts against its key's requests.
    app.admit(&link.tenant, key.account)?;
    Ok(Caller {
        tenant: link.tenant,
        account: key.account,
    })
}

/// `POST /api/accounts/{id}/receipts/{period}/print_link?ttl_hours=`: `201 {"data": {"url",
/// "expires_at"}}`, for a month that has receipts.
pub async fn issue_link<S: Reader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let (caller, issuer) = app.caller_and_key(&request, endpoint).await?;
    let (id, month) = account_and_month(&request)?;
    let ttl = ttl_hours(request.query_string_parameters().first("ttl_hours"))?;
    visible_account(app.store(), &caller, id).await?;
    month_receipts(app.store(), &caller.tenant, id, month).await?;
    let (id, period) = (id.to_string(), period_text(month));
    let link = Link {
        tenant: caller.tenant,
        issuer,
        expires: app.clock().now() + chrono::Duration::hours(i64::from(ttl)),
        document: None,
    };
    let path = Endpoint::ReceiptPrint.paths()[0]
        .replace("{id}", &id)
        .replace("{period}", &period);
    issued(app, &request, &path, PURPOSE, &[&id, &period], &link)
}

/// The largest page: the most payees a month prints, each receipt of the most lines, each
/// line a service whose name escapes to five times its length, each code of the longest text.
#[cfg(test)]
mod page_bounds {
    use super::*;
    use crate::LAMBDA_ANSWER_LIMIT;
    use domain::json::{Fields, collection};
    use domain::records::MAX_LINES;
    use domain::{Account, Record};
    use serde_json::{Value, json};

    fn parsed<R: Record>(key: &'static str, item: Value) -> R {
        let body = json!({ key: [item] }).to_string();
        let raw = collection(&body, key).unwrap()[0];
        R::parse(&Fields::parse(raw).unwrap()).unwrap()
    }

    fn guid(n: usize) -> String {
        format!("{n:08x}-0000-4000-8000-000000000000")
    }

    #[test]
    fn the_largest_page_is_far_under_lambdas_answer_limit() {
        let account: Account = parsed("accounts", json!({"id": guid(1), "name": "Ё".repeat(50)}));
        let services: HashMap<Guid, Service> = (0..MAX_LINES)
            .map(|n| {
                let service: Service = parsed(
                    "services",
                    json!({"id": guid(1000 + n), "full_name": "<".repeat(100_000)}),
                );
                (service.id, service)
            })
            .collect();
        let lines: Vec<Value> = (0..MAX_LINES)
            .map(|n| json!({"service": guid(1000 + n), "unit": "<".repeat(100),
                            "volume": "-99999999999999.99999", "tariff": "-99999999999999.999",
                            "charged": "-999999999999999.99", "recalculation": "-999999999999999.99",
                            "to_pay": "-999999999999999.99"}))
            .collect();
        let (mut receipts, mut payees) = (Vec::new(), HashMap::new());
        for n in 0..MAX_PAYEES as usize {
            let payee: Organization = parsed(
                "organizations",
                json!({
                "id": guid(10 + n), "name": "ǅ".repeat(50), "inn": "7723012346",
                "kpp": "772301001", "bank_account": "40703810303800000123", "bic": "044525225",
                "bank_name": "ǅ".repeat(45), "correspondent_account": "30101810400000000225"}),
            );
            receipts.push(parsed::<Receipt>(
                "receipts",
                json!({
                "account": guid(1), "organization": guid(10 + n), "period": "2026-11",
                "number": "ǅ".repeat(100), "to_pay": "999999999999999.99", "lines": lines,
                "els": "75АБ533315", "igku": "75АБ533315-01", "ipd": "75АБ533315-01-1118"}),
            ));
            payees.insert(payee.id, payee);
        }
        let statement = Statement {
            account,
            receipts,
            payees,
        };
        let month = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let page = page(&statement, &services, month);
        assert_eq!(
            page.matches("<svg").count(),
            MAX_PAYEES as usize,
            "every code drawn"
        );
        // Lambda's answer holds the page as a JSON string: escaping adds at most a sixth here
        // (quotes and line breaks of the markup).
        let answer = serde_json::to_string(&page).unwrap().len();
        assert!(answer < LAMBDA_ANSWER_LIMIT / 2, "{answer}");
    }
}
