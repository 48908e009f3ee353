//! The printable act, served from DynamoDB Local and printed by a real browser: headless
//! Chromium prints the page to PDF, poppler's `pdfinfo` and `pdftotext` read it back (`make
//! test` installs Debian's `chromium` and `poppler-utils` when they are missing). The first page
//! of each printed act is kept as a PNG under `target/test-artifacts/act-print/` for a person to
//! look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use domain::Scope;
use lambda_http::Body;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spec_info_act, status_and_json};

/// Where the printed acts and their first pages are kept (ignored by git, with `target/`).
pub(crate) fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts/act-print");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program}: {e} (make test installs chromium and poppler-utils)")
        });
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A page printed to PDF by headless Chromium, as an accountant's browser prints it.
pub(crate) struct Printed {
    pub(crate) pdf: PathBuf,
}

impl Printed {
    pub(crate) fn print(html: &str, name: &str) -> Self {
        let dir = artifacts();
        let page = dir.join(format!("{name}.html"));
        let pdf = dir.join(format!("{name}.pdf"));
        std::fs::write(&page, html).unwrap();
        let _ = std::fs::remove_file(&pdf);
        let profile = dir.join(format!("{name}.chromium-profile"));
        run(
            "chromium",
            &[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                &format!("--user-data-dir={}", profile.display()),
                "--no-pdf-header-footer",
                &format!("--print-to-pdf={}", pdf.display()),
                &format!("file://{}", page.display()),
            ],
        );
        let _ = std::fs::remove_dir_all(&profile);
        // The first page as a picture, for a person to look at.
        let png = dir.join(name);
        let (pdf_arg, png_arg) = (pdf.display().to_string(), png.display().to_string());
        run(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                &pdf_arg,
                &png_arg,
            ],
        );
        Self { pdf }
    }

    pub(crate) fn pages(&self) -> usize {
        let info = run("pdfinfo", &[&self.pdf.display().to_string()]);
        let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap();
        pages.trim().parse().unwrap()
    }

    /// The text of one page (from 1), white space folded to single spaces.
    fn text_of_page(&self, page: usize) -> String {
        let page = page.to_string();
        let pdf = self.pdf.display().to_string();
        let text = run(
            "pdftotext",
            &["-layout", "-f", &page, "-l", &page, &pdf, "-"],
        );
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub(crate) fn text(&self) -> String {
        (1..=self.pages())
            .map(|p| self.text_of_page(p))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// As pdfinfo prints it: `594.96 x 841.92 pts (A4)`.
    fn page_size(&self) -> String {
        let info = run("pdfinfo", &[&self.pdf.display().to_string()]);
        let size = info
            .lines()
            .find_map(|l| l.strip_prefix("Page size:"))
            .unwrap();
        size.trim().to_owned()
    }
}

async fn printed_page(app: &TestApp, act_id: &str) -> String {
    let response = app.get_act_print(act_id).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let Body::Text(html) = response.body() else {
        panic!("no text body")
    };
    html.clone()
}

#[tokio::test]
async fn the_spec_example_prints_on_one_a4_page_with_every_figure() {
    let app = TestApp::new("printspec").await;
    assert_eq!(app.post_acts(&[spec_info_act()]).await.0, 201);
    let printed = Printed::print(&printed_page(&app, "777").await, "spec-act-777");

    assert_eq!(printed.pages(), 1);
    assert!(
        printed.page_size().ends_with("(A4)"),
        "{}",
        printed.page_size()
    );
    let text = printed.text().replace('\u{a0}', " ");
    for expected in [
        "Акт № 777 от 31.10.2018",
        "приема-передачи неисключительных прав",
        "Лицензионное вознаграждение за использование Сервиса",
        "Итого: 1 000,00",
        "Без налога (НДС): —",
        "Всего к оплате: 1 000,00",
        "Всего оказано услуг 1, на сумму 1 000,00 руб.",
        "К оплате: Одна тысяча рублей 00 коп.",
        "Лицензиат претензий к Лицензиару не имеет.",
        "Главный бухгалтер",
        "Иванова А.В.",
        "по доверенности №1 от 11 января 2000 г.",
        "Генеральный директор Иванов Иван Иваныч",
        "333333, г. Москва, Московский проезд, д.1",
        "Регионы РФ: 8 (800) 111-2222",
    ] {
        assert!(text.contains(expected), "{expected:?} not in: {text}");
    }
}

#[tokio::test]
async fn sixty_service_lines_continue_on_the_next_page_under_the_header() {
    let app = TestApp::new("printlong").await;
    let mut act = spec_info_act();
    act["act_number"] = json!(778);
    act["vat_rate"] = json!(22);
    act["vat_included"] = json!(true);
    act["services"] = (1..=60)
        .map(|i| json!({"title": format!("Услуга по содержанию общего имущества, позиция {i}"),
                        "quantity": i, "unit": "шт", "price": "100.50", "amount": format!("{}.50", 100 * i)}))
        .collect::<Value>();
    assert_eq!(app.post_acts(&[act]).await.0, 201);
    let printed = Printed::print(&printed_page(&app, "778").await, "act-778-sixty-lines");

    let pages = printed.pages();
    assert!(pages > 1, "60 lines on {pages} page");
    // The table's header row is repeated on every page that the table reaches.
    let table_pages: Vec<usize> = (1..=pages)
        .filter(|&p| printed.text_of_page(p).contains("позиция"))
        .collect();
    assert!(table_pages.len() > 1, "{table_pages:?}");
    for page in table_pages {
        let text = printed.text_of_page(page);
        assert!(
            text.contains("Наименование работ, услуг"),
            "page {page}: {text}"
        );
    }
    let text = printed.text().replace('\u{a0}', " ");
    // 60 lines of 100·i + 0.50: 183 030,00 in all, VAT 22 % included: 33 005,41.
    for expected in [
        "позиция 1 ",
        "позиция 60 ",
        "Итого: 183 030,00",
        "в т.ч. НДС 22%: 33 005,41",
        "Всего к оплате: 183 030,00",
        "Сто восемьдесят три тысячи тридцать рублей 00 коп.",
    ] {
        assert!(text.contains(expected), "{expected:?} not in: {text}");
    }
}

#[tokio::test]
async fn hostile_texts_print_as_text() {
    let app = TestApp::new("printhostile").await;
    let mut act = spec_info_act();
    act["act_text"] =
        json!("<script>document.title='взлом'</script>Текст & <b>не жирный</b>\nвторая строка");
    act["logo"] = json!("https://logo.invalid/x.png');background:url('https://evil.invalid/");
    assert_eq!(app.post_acts(&[act]).await.0, 201);
    let printed = Printed::print(&printed_page(&app, "777").await, "act-777-hostile");
    let text = printed.text();
    assert!(
        text.contains(
            "<script>document.title='взлом'</script>Текст & <b>не жирный</b> вторая строка"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn the_page_has_the_rules_of_act_info() {
    let app = TestApp::new("printrules").await;
    assert_eq!(app.post_acts(&[spec_info_act()]).await.0, 201);
    let other = app.key_for("other", &Scope::ALL).await;
    let importer = app.key_for("default", &[Scope::Import]).await;
    for (key, act_id, status, code) in [
        (&app.key, "778", 404, "not_found"),
        (&other, "777", 404, "not_found"),
        (&importer, "777", 403, "forbidden"),
        (&app.key, "x", 400, "invalid_parameter"),
    ] {
        let (got, answer) = status_and_json(app.with_key(key).get_act_print(act_id).await);
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{act_id}"
        );
    }
}
