//! `GET /v1/billing/act_info/{act_id}/print`: the act as a page to print on A4, laid out as a
//! Russian act from 1C. The page is `templates/act.html` (askama: checked when this crate
//! compiles, every value HTML-escaped), rendering the act's one view (`act_view`).

use askama::Template;
use domain::Act;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use store::{ActReader, KeyReader};

use super::act_view::ActView;
use super::acts::requested_act;
use super::print_link::{link_token, linked_act};
use crate::path::act_number;
use crate::{ApiError, App, Endpoint};

/// Which optional columns the service table has: those that at least one line fills.
struct Columns {
    quantity: bool,
    unit: bool,
    price: bool,
}

/// The page: the act's view, the columns its lines fill, and its logo made safe for CSS.
#[derive(Template)]
#[template(path = "act.html")]
struct ActPage<'a> {
    act: ActView<'a>,
    columns: Columns,
    /// A URL that is safe inside the page's CSS (see [`css_url`]), when the act has a usable one.
    logo: Option<String>,
}

impl<'a> From<&'a Act> for ActPage<'a> {
    fn from(act: &'a Act) -> Self {
        let view = ActView::from(act);
        let columns = Columns {
            quantity: view.services.iter().any(|s| s.quantity.is_some()),
            unit: view.services.iter().any(|s| s.unit.is_some()),
            price: view.services.iter().any(|s| s.price.is_some()),
        };
        let logo = view.logo.and_then(css_url);
        Self {
            act: view,
            columns,
            logo,
        }
    }
}

/// The page of an act.
pub fn page(act: &Act) -> String {
    ActPage::from(act)
        .render()
        .unwrap_or_else(|_| String::from("<!DOCTYPE html><title>Акт</title>"))
}

/// `GET /v1/billing/act_info/{act_id}/print`: the act's page, `text/html`, for a key with
/// `read` or for a print link's `?link=` token (`print_link`); errors as JSON, as every
/// endpoint answers them.
pub async fn print<S: ActReader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let link = link_token(&request);
    let act = match link {
        Some(token) => linked_act(app, act_number(&request)?, &token).await?,
        None => requested_act(app, &request, endpoint).await?,
    };
    Ok(html(page(&act)))
}

pub(crate) fn html(page: String) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/html; charset=utf-8")
        // The page runs no script and loads nothing but its logo, whatever an act's texts say,
        // and no other site's page may frame it.
        .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; \
             frame-ancestors 'none'",
        )
        .header("x-content-type-options", "nosniff")
        // A print link carries its token in the address: no page it leads to may learn it.
        .header("referrer-policy", "no-referrer")
        .body(Body::Text(page))
        .expect("static status and headers are valid")
}

/// The logo's address as it can stand inside `url('…')` in a style attribute: only `https:`,
/// `http:` and `data:image/` addresses; quotes, parentheses, backslashes, spaces and anything
/// outside ASCII percent-encoded, so that no text of an act can end the CSS string.
fn css_url(logo: &str) -> Option<String> {
    let lower = logo.to_ascii_lowercase();
    let allowed = ["https://", "http://", "data:image/"];
    if !allowed.iter().any(|scheme| lower.starts_with(scheme)) {
        return None;
    }
    let mut url = String::with_capacity(logo.len());
    for byte in logo.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => url.push(byte as char),
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@' | b'!'
            | b'$' | b'&' | b'*' | b'+' | b',' | b';' | b'=' | b'%' => url.push(byte as char),
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Record;
    use domain::json::{Fields, collection};
    use serde_json::{Value, json};

    fn act(json: Value) -> Act {
        let body = json!({ "acts": [json] }).to_string();
        let raw = collection(&body, "acts").unwrap()[0];
        Act::parse(&Fields::parse(raw).unwrap()).unwrap()
    }

    /// An act with only what an act must have.
    fn bare() -> Value {
        json!({"act_number": 5, "created_at": "2026-01-31", "act_status": "not_sended",
               "payer": {"id": 1, "name": "ТСЖ «Окунево»"}, "recipient": {"id": 2, "name": "ООО «УК»"},
               "services": [{"title": "Содержание жилья", "amount": "1234.5"}]})
    }

    #[test]
    fn every_text_is_escaped_and_its_line_breaks_kept() {
        let mut json = bare();
        json["act_text"] = json!("<script>alert('x')</script> & \"кавычки\"\nвторая строка");
        json["payer"]["name"] = json!("ООО <b>Жирный</b>");
        json["services"][0]["title"] = json!("</td></tr></table><img src=x>");
        json["logo"] = json!("https://x.ru/a'); background: url('evil");
        let html = page(&act(json));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>") && !html.contains("<img"), "{html}");
        assert!(html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;кавычки&#34;\nвторая строка"), "{html}");
        // The texts keep their line breaks: their elements print with `white-space: pre-line`.
        assert!(html.contains("<p class=\"act-text text\">"), "{html}");
        assert!(
            html.contains("url('https://x.ru/a%27%29;%20background:%20url%28%27evil')"),
            "{html}"
        );
    }

    #[test]
    fn the_vat_line_is_the_acts_own() {
        let cases = [
            (
                json!(null),
                json!(false),
                "Без налога (НДС):</th><td>—",
                "1\u{a0}234,50",
            ),
            (
                json!(22),
                json!(false),
                "НДС 22%:</th><td>271,59",
                "1\u{a0}506,09",
            ),
            (
                json!(22),
                json!(true),
                "в т.ч. НДС 22%:</th><td>222,61",
                "1\u{a0}234,50",
            ),
        ];
        for (rate, included, vat_line, payable) in cases {
            let mut json = bare();
            json["vat_rate"] = rate;
            json["vat_included"] = included;
            let html = page(&act(json));
            assert!(html.contains(vat_line), "{vat_line}: {html}");
            let payable = format!("Всего к оплате:</th><td>{payable}</td>");
            assert!(html.contains(&payable), "{payable}: {html}");
        }
    }

    #[test]
    fn an_act_without_optional_texts_prints_no_empty_blocks() {
        let html = page(&act(bare()));
        for absent in [
            "class=\"logo\"",
            "class=\"contacts",
            "class=\"description",
            "class=\"act-text",
            "<footer",
            "Кол-во",
            "Цена",
        ] {
            assert!(!html.contains(absent), "{absent}: {html}");
        }
        for present in [
            "Акт № 5 от 31.01.2026",
            "Содержание жилья",
            "Итого:</th><td>1\u{a0}234,50",
            "К оплате: Одна тысяча двести тридцать четыре рубля 50 коп.",
            "Исполнитель",
            "Заказчик",
        ] {
            assert!(html.contains(present), "{present}: {html}");
        }
    }

    #[test]
    fn optional_columns_appear_when_a_line_has_them() {
        let mut json = bare();
        json["services"] = json!([{"title": "Вода", "amount": 300, "quantity": "2,5", "unit": "м³", "price": 120},
                                  {"title": "Свет", "amount": 10}]);
        let html = page(&act(json));
        assert!(
            html.contains("<th>Кол-во</th><th>Ед.</th><th>Цена</th>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<td class=\"num\">2,5</td><td class=\"unit\">м³</td><td class=\"num\">120,00</td>"
            ),
            "{html}"
        );
    }

    #[test]
    fn a_logo_cannot_leave_its_css_string() {
        assert_eq!(
            css_url("https://www.somesite.ru/img/logo.jpg").as_deref(),
            Some("https://www.somesite.ru/img/logo.jpg")
        );
        assert_eq!(
            css_url("https://x.ru/a'); background: url('evil").as_deref(),
            Some("https://x.ru/a%27%29;%20background:%20url%28%27evil")
        );
        assert_eq!(
            css_url("https://x.ru/лого.png").as_deref(),
            Some("https://x.ru/%D0%BB%D0%BE%D0%B3%D0%BE.png")
        );
        assert_eq!(css_url("javascript:alert(1)"), None);
        assert_eq!(css_url("logo.png"), None);
    }
}
