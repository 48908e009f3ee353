//! The payment text of a receipt's QR code, ГОСТ Р 56042-2014: what any Russian bank's app
//! reads to pay a payee. A header (`ST0001`, the encoding's tag, `|`), the five mandatory
//! requisites in the standard's order (`Name`, `PersonalAcc`, `BankName`, `BIC`,
//! `CorrespAcc`), then the additional ones this API fills: `PayeeINN`, `KPP`, `PersAcc` (the
//! personal account's number), `PaymPeriod` (`MMYYYY`), `Sum` (kopecks, only when something is
//! due) and `Purpose`. Never the payer's name, address or phone: a picture on a paper anyone
//! can photograph carries no personal data.
//!
//! **Encoding.** windows-1251 (tag `1`) whenever every character has a form there, as on
//! almost every receipt: a Cyrillic letter is one byte, not UTF-8's two, so the code is
//! smaller and scans from worse prints; UTF-8 (tag `2`) otherwise. The header and the mandatory
//! requisites fit the standard's 300 bytes in the encoding chosen, or the payee is refused.
//! Values never hold `|`, `=` or line breaks (each becomes a space).

use crate::payees::{BankAccount, Bic, Inn, Kpp};
use crate::values::Rejection;

/// The most bytes of the header and the five mandatory requisites.
pub const MANDATORY_BYTES: usize = 300;

/// A payee as the code names it.
#[derive(Debug, Clone)]
pub struct Payee<'a> {
    pub name: &'a str,
    pub account: &'a BankAccount,
    pub bank_name: &'a str,
    pub bic: &'a Bic,
    pub correspondent: Option<&'a BankAccount>,
    pub inn: &'a Inn,
    pub kpp: Option<&'a Kpp>,
}

/// What one receipt asks to be paid.
#[derive(Debug, Clone)]
pub struct Payment<'a> {
    /// The personal account's number as 1C prints it.
    pub personal_account: &'a str,
    pub year: i32,
    pub month: u32,
    /// Kopecks due; nothing (or nothing positive) leaves `Sum` out, and the payer enters it.
    pub kopecks: Option<i64>,
    pub purpose: &'a str,
}

/// The encoding the text is written in, and its tag in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Windows1251,
    Utf8,
}

/// The code's content: its text and the bytes the code holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentText {
    pub text: String,
    pub bytes: Vec<u8>,
    pub encoding: Encoding,
}

pub const NO_NAME: Rejection = "название получателя пусто без знаков |, = и управляющих";

pub const TOO_LONG: Rejection = "название, банк и счета получателя длиннее 300 байт, которые ГОСТ Р 56042-2014 отводит обязательным реквизитам";

/// A value as the code may hold it: `|`, `=`, line breaks and other control characters become
/// spaces, runs of spaces one.
fn clean(value: &str) -> String {
    let spaced: String = value
        .chars()
        .map(|c| {
            if matches!(c, '|' | '=') || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The payment text of `payment` to `payee`.
pub fn payment_text(payee: &Payee<'_>, payment: &Payment<'_>) -> Result<PaymentText, Rejection> {
    if clean(payee.name).is_empty() {
        return Err(NO_NAME);
    }
    let mut mandatory = vec![
        ("Name", clean(payee.name)),
        ("PersonalAcc", payee.account.as_str().to_owned()),
        ("BankName", clean(payee.bank_name)),
        ("BIC", payee.bic.as_str().to_owned()),
        (
            "CorrespAcc",
            payee
                .correspondent
                .map_or("0".to_owned(), |c| c.as_str().to_owned()),
        ),
    ];
    let mut additional = vec![("PayeeINN", payee.inn.as_str().to_owned())];
    if let Some(kpp) = payee.kpp {
        additional.push(("KPP", kpp.as_str().to_owned()));
    }
    additional.push(("PersAcc", clean(payment.personal_account)));
    additional.push((
        "PaymPeriod",
        format!("{:02}{:04}", payment.month, payment.year),
    ));
    if let Some(kopecks) = payment.kopecks.filter(|k| *k > 0) {
        additional.push(("Sum", kopecks.to_string()));
    }
    additional.push(("Purpose", clean(payment.purpose)));
    let fields = |list: &mut Vec<(&str, String)>| {
        list.drain(..)
            .map(|(k, v)| format!("|{k}={v}"))
            .collect::<String>()
    };
    let mandatory = fields(&mut mandatory);
    let additional = fields(&mut additional);
    let body = format!("{mandatory}{additional}");
    let (encoded, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&body);
    let (encoding, tag) = if unmappable {
        (Encoding::Utf8, '2')
    } else {
        (Encoding::Windows1251, '1')
    };
    let header = format!("ST0001{tag}");
    let size = |text: &str| match encoding {
        Encoding::Windows1251 => encoding_rs::WINDOWS_1251.encode(text).0.len(),
        Encoding::Utf8 => text.len(),
    };
    if header.len() + size(&mandatory) > MANDATORY_BYTES {
        return Err(TOO_LONG);
    }
    let text = format!("{header}{body}");
    let bytes = match encoding {
        Encoding::Windows1251 => [header.as_bytes(), &encoded].concat(),
        Encoding::Utf8 => text.as_bytes().to_vec(),
    };
    Ok(PaymentText {
        text,
        bytes,
        encoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Value;
    use crate::payees::{parse_account, parse_bic, parse_correspondent, parse_inn, parse_kpp};

    struct Details {
        account: BankAccount,
        bic: Bic,
        correspondent: BankAccount,
        inn: Inn,
        kpp: Kpp,
    }

    fn details() -> Details {
        let t = |s: &'static str| Value::String(s.into());
        let bic = parse_bic(&t("044525225")).unwrap().unwrap();
        Details {
            account: parse_account(&t("40702810200000012345"), Some(&bic))
                .unwrap()
                .unwrap(),
            correspondent: parse_correspondent(&t("30101810400000000225"), Some(&bic))
                .unwrap()
                .unwrap(),
            bic,
            inn: parse_inn(&t("7707083893")).unwrap().unwrap(),
            kpp: parse_kpp(&t("773601001")).unwrap().unwrap(),
        }
    }

    fn payee<'a>(d: &'a Details, name: &'a str) -> Payee<'a> {
        Payee {
            name,
            account: &d.account,
            bank_name: "ПАО СБЕРБАНК",
            bic: &d.bic,
            correspondent: Some(&d.correspondent),
            inn: &d.inn,
            kpp: Some(&d.kpp),
        }
    }

    fn payment(kopecks: Option<i64>) -> Payment<'static> {
        Payment {
            personal_account: " М30400НЖ003 ",
            year: 2026,
            month: 11,
            kopecks,
            purpose: "Оплата ЖКУ за ноябрь 2026|л/с=М30400НЖ003\n",
        }
    }

    #[test]
    fn the_mandatory_five_come_first_in_order_then_the_payment() {
        let d = details();
        let qr = payment_text(&payee(&d, "ТСЖ \"Окунево\""), &payment(Some(321_050))).unwrap();
        assert_eq!(qr.encoding, Encoding::Windows1251);
        assert_eq!(
            qr.text,
            "ST00011|Name=ТСЖ \"Окунево\"|PersonalAcc=40702810200000012345|BankName=ПАО СБЕРБАНК\
             |BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7707083893|KPP=773601001\
             |PersAcc=М30400НЖ003|PaymPeriod=112026|Sum=321050\
             |Purpose=Оплата ЖКУ за ноябрь 2026 л/с М30400НЖ003"
        );
        // One byte a letter: the bytes are the text in windows-1251.
        let (decoded, _, bad) = encoding_rs::WINDOWS_1251.decode(&qr.bytes);
        assert!(!bad);
        assert_eq!(decoded, qr.text);
        // Nothing due: no Sum, the payer enters it.
        for nothing in [None, Some(0), Some(-500)] {
            let qr = payment_text(&payee(&d, "ТСЖ"), &payment(nothing)).unwrap();
            assert!(!qr.text.contains("|Sum="), "{nothing:?}");
        }
    }

    #[test]
    fn a_character_without_a_windows_1251_form_makes_it_utf8() {
        let d = details();
        let qr = payment_text(&payee(&d, "ТСЖ «Ёлки» ✓"), &payment(None)).unwrap();
        assert_eq!(qr.encoding, Encoding::Utf8);
        assert!(qr.text.starts_with("ST00012|Name=ТСЖ «Ёлки» ✓|"));
        assert_eq!(qr.bytes, qr.text.as_bytes());
    }

    #[test]
    fn the_mandatory_requisites_fit_300_bytes_or_the_payee_is_refused() {
        let d = details();
        // The header (7), the four fixed requisites and their names leave this much for Name.
        let fixed = "ST00011".len()
            + "|Name=".len()
            + "|PersonalAcc=40702810200000012345|BankName=ПАО СБЕРБАНК".len()
            - "ПАО СБЕРБАНК".len()
            + "ПАО СБЕРБАНК".chars().count()
            + "|BIC=044525225|CorrespAcc=30101810400000000225".len();
        let room = MANDATORY_BYTES - fixed;
        let fits = "Я".repeat(room);
        assert!(payment_text(&payee(&d, &fits), &payment(None)).is_ok());
        let over = "Я".repeat(room + 1);
        assert_eq!(
            payment_text(&payee(&d, &over), &payment(None)),
            Err(TOO_LONG)
        );
        // In UTF-8 a letter takes two bytes: half as many fit.
        let utf8 = format!("✓{}", "Я".repeat(room / 2));
        assert_eq!(
            payment_text(&payee(&d, &utf8), &payment(None)),
            Err(TOO_LONG)
        );
    }
}
