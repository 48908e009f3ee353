//! The printed receipt, printed by headless Chromium as a resident's browser prints it; the PDF
//! rendered to an image by poppler's `pdftoppm` and its QR code read back by a real decoder,
//! Debian's `zbarimg` (`make test` installs `zbar-tools`). What the decoder reads must be the
//! payment text's bytes exactly, in the code's encoding.

use std::process::Command;

use lambda_http::Body;
use serde_json::json;

use super::*;
use crate::act_print::{Printed, artifacts, run};

/// The bytes of every code the decoder finds on the printed page.
fn decoded(html: &str, name: &str) -> Vec<u8> {
    let printed = Printed::print(html, name);
    assert_eq!(printed.pages(), 1, "{}", printed.text());
    let png = artifacts().join(format!("{name}-scan"));
    let (pdf, out) = (printed.pdf.display().to_string(), png.display().to_string());
    run(
        "pdftoppm",
        &["-png", "-r", "200", "-singlefile", &pdf, &out],
    );
    let output = Command::new("zbarimg")
        .args(["--nodbus", "-q", "-Sbinary", "--raw", &format!("{out}.png")])
        .output()
        .expect("zbarimg (make test installs zbar-tools)");
    assert!(
        output.status.success(),
        "zbarimg found no code in {out}.png"
    );
    let mut bytes = output.stdout;
    // `--raw` ends each code with a line break.
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    bytes
}

/// What a code holds for a payment text: windows-1251 when its header says `1`, else UTF-8.
fn code_bytes(text: &str) -> Vec<u8> {
    match text.as_bytes()[6] {
        b'1' => encoding_rs::WINDOWS_1251.encode(text).0.into_owned(),
        _ => text.as_bytes().to_vec(),
    }
}

async fn page(app: &TestApp, period: &str) -> String {
    let response = app.get_receipt_print(OWN, period).await;
    assert_eq!(response.status(), 200);
    let Body::Text(html) = response.body() else {
        panic!("no text body")
    };
    html.clone()
}

#[tokio::test]
async fn the_printed_code_reads_back_as_the_payment_text() {
    let app = TestApp::new("receiptscan").await;
    app.import_examples().await;
    // The longest names that fit the standard's 300 bytes (windows-1251: a letter is a byte),
    // Cyrillic in every field; and a name with a letter windows-1251 lacks (UTF-8).
    let name = format!("ТСЖ «{}»", "Щ".repeat(147));
    let longest = payee(json!({"name": name, "bank_name": "Ж".repeat(45)}));
    let utf8 = payee(json!({"id": FUND, "name": "ТСЖ «Бәйтерек»"}));
    assert_eq!(app.post_organizations(json!([longest, utf8])).await.0, 201);
    let receipts = json!([
        {"account": OWN, "organization": OFFICE, "period": "2018-11", "number": "11/Ё-001",
         "to_pay": "1234.56", "lines": [{"service": UPKEEP, "unit": "м²", "charged": "1234.56"}]},
        {"account": OWN, "organization": FUND, "period": "2018-12", "to_pay": "99.9"}
    ]);
    assert_eq!(app.post_receipts(receipts, &[]).await.0, 201);
    let (_, answer) = app.get_receipts(OWN, &[]).await;
    let items = answer["data"]["items"].as_array().unwrap();
    let text = |period: &str| {
        let receipt = items.iter().find(|r| r["period"] == period).unwrap();
        receipt["qr"].as_str().unwrap().to_owned()
    };
    let (windows, utf8) = (text("2018-11"), text("2018-12"));
    // The header and mandatory requisites take the 300 bytes exactly.
    let mandatory = windows.split("|PayeeINN=").next().unwrap();
    assert_eq!(code_bytes(mandatory).len(), 300, "{mandatory}");
    assert!(windows.starts_with("ST00011|") && utf8.starts_with("ST00012|"));
    assert!(utf8.contains("Sum=9990|"), "{utf8}");
    for (period, text) in [("2018-11", &windows), ("2018-12", &utf8)] {
        let html = page(&app, period).await;
        let read = decoded(&html, &format!("receipt-{period}"));
        assert_eq!(
            read,
            code_bytes(text),
            "{period}: {}",
            String::from_utf8_lossy(&read)
        );
    }
}

#[tokio::test]
async fn the_page_has_a_section_per_payee_with_its_figures_and_no_personal_data() {
    let app = billed("receiptpage").await;
    let html = page(&app, "2018-11").await;
    let printed = Printed::print(&html, "receipt-sections");
    let text = printed.text();
    for expected in [
        "ноябрь 2018 г.",
        "М30400НЖ001",
        "ТСЖ «Окунево»",
        "Фонд капитального ремонта",
        "Содержание общего имущества",
        "Холодное водоснабжение",
        "1 371,41",
        "Итого к оплате: 2 969,95",
        "ЕЛС 75АБ533315",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert_eq!(html.matches("<svg").count(), 2, "a code per payee");
    // The account's owner, address and phone are in the accounts' import; never here.
    for personal in ["Иванов", "Молодежная"] {
        assert!(!html.contains(personal), "{personal}");
    }
    assert!(!html.contains("<script"));
}
