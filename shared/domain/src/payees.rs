//! A payee's bank details, checked as a bank checks them before it takes a payment: the INN
//! with its check digits (ФНС's weights), the KPP's form, the BIC, and the 20-digit account and
//! correspondent account against the BIC by the Central Bank's control key (Положение Банка
//! России № 579-П, приложение: weights 7, 1, 3 over the BIC's part and the account, the sum's
//! last digit zero). A receipt's QR code sends money to what these say: a digit wrong is a
//! payment lost, so a payee that fails any check is refused, field by field.
//!
//! Each parser takes the value as 1C sends it (a string; a number only where it keeps every
//! digit) and answers `Ok(None)` for an absent or blank one, as the other parsers of `values`.

use serde::{Deserialize, Serialize};

use crate::json::Value;
use crate::values::{Rejection, text_of};

/// An INN: 10 digits (an organisation) or 12 (an individual entrepreneur), check digits right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Inn(String);

/// A KPP: 9 characters, four digits, two digits or capital Latin letters, three digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kpp(String);

/// A Russian BIC: 9 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bic(String);

/// A 20-digit account whose control key matches its bank's BIC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BankAccount(String);

macro_rules! text_type {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    )*};
}
text_type!(Inn, Kpp, Bic, BankAccount);

const INN: Rejection = "ИНН: 10 или 12 цифр строкой, с верными контрольными цифрами";
const KPP: Rejection =
    "КПП: 9 знаков строкой (4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры)";
const BIC: Rejection = "БИК: 9 цифр строкой";
const ACCOUNT: Rejection =
    "расчётный счёт: 20 цифр строкой, контрольный ключ должен сходиться с БИК";
const CORRESPONDENT: Rejection = "корреспондентский счёт: 20 цифр строкой, начинается с 301, контрольный ключ должен сходиться с БИК";

/// The trimmed text of a string, `None` for none: a bank detail is a string (as a JSON number a
/// BIC's leading zero is lost).
fn string_of<'v>(value: &'v Value<'_>, bad: Rejection) -> Result<Option<&'v str>, Rejection> {
    match value {
        Value::Number(_) => Err(bad),
        value => text_of(value, bad),
    }
}

/// The digits of `value`, exactly `len` of them.
fn digits<'v>(
    value: &'v Value<'_>,
    len: usize,
    bad: Rejection,
) -> Result<Option<&'v str>, Rejection> {
    match string_of(value, bad)? {
        None => Ok(None),
        Some(text) if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(text))
        }
        Some(_) => Err(bad),
    }
}

fn weighted(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

/// Whether an INN's check digits are right.
fn inn_holds(text: &str) -> bool {
    let d: Vec<u32> = text.bytes().map(|b| u32::from(b - b'0')).collect();
    const TEN: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    const ELEVEN: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    const TWELVE: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    match d.len() {
        10 => weighted(&d, &TEN) == d[9],
        12 => weighted(&d, &ELEVEN) == d[10] && weighted(&d, &TWELVE) == d[11],
        _ => false,
    }
}

pub fn parse_inn(value: &Value<'_>) -> Result<Option<Inn>, Rejection> {
    let text = match string_of(value, INN)? {
        None => return Ok(None),
        Some(text) => text,
    };
    let shaped = matches!(text.len(), 10 | 12) && text.bytes().all(|b| b.is_ascii_digit());
    if shaped && inn_holds(text) {
        Ok(Some(Inn(text.to_owned())))
    } else {
        Err(INN)
    }
}

pub fn parse_kpp(value: &Value<'_>) -> Result<Option<Kpp>, Rejection> {
    let text = match string_of(value, KPP)? {
        None => return Ok(None),
        Some(text) => text,
    };
    let b = text.as_bytes();
    let digit = |i: usize| b[i].is_ascii_digit();
    let ok = b.len() == 9
        && (0..4).all(digit)
        && (4..6).all(|i| b[i].is_ascii_digit() || b[i].is_ascii_uppercase())
        && (6..9).all(digit);
    ok.then(|| Kpp(text.to_owned())).map(Some).ok_or(KPP)
}

pub fn parse_bic(value: &Value<'_>) -> Result<Option<Bic>, Rejection> {
    Ok(digits(value, 9, BIC)?.map(|t| Bic(t.to_owned())))
}

/// The Central Bank's control key: each digit of the BIC's part and the account times 7, 1, 3
/// in turn, the last digits of the products summed, the sum's last digit zero.
fn control_key_holds(bank_part: &str, account: &str) -> bool {
    const WEIGHTS: [u32; 3] = [7, 1, 3];
    let sum: u32 = bank_part
        .bytes()
        .chain(account.bytes())
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * WEIGHTS[i % 3] % 10)
        .sum();
    sum % 10 == 0
}

/// The BIC's part of a settlement account's key: its last three digits, or for an account at
/// a settlement centre of the Central Bank (BIC ending 000, 001 or 002) `0` and its 5th and 6th.
fn settlement_part(bic: &Bic) -> String {
    let b = bic.as_str();
    match &b[6..9] {
        "000" | "001" | "002" => format!("0{}", &b[4..6]),
        last => last.to_owned(),
    }
}

/// A settlement account, checked against `bic` (a payee without a valid BIC has its account's
/// form checked only: the BIC's own problem is reported).
pub fn parse_account(
    value: &Value<'_>,
    bic: Option<&Bic>,
) -> Result<Option<BankAccount>, Rejection> {
    let Some(text) = digits(value, 20, ACCOUNT)? else {
        return Ok(None);
    };
    match bic {
        Some(bic) if !control_key_holds(&settlement_part(bic), text) => Err(ACCOUNT),
        _ => Ok(Some(BankAccount(text.to_owned()))),
    }
}

/// A correspondent account: `301…`, its key checked with `0` and the BIC's 5th and 6th digits,
/// its last three digits the BIC's.
pub fn parse_correspondent(
    value: &Value<'_>,
    bic: Option<&Bic>,
) -> Result<Option<BankAccount>, Rejection> {
    let Some(text) = digits(value, 20, CORRESPONDENT)? else {
        return Ok(None);
    };
    if !text.starts_with("301") {
        return Err(CORRESPONDENT);
    }
    match bic {
        // The key, and the bank's own number: the account's last three digits are the BIC's.
        Some(bic)
            if !control_key_holds(&format!("0{}", &bic.as_str()[4..6]), text)
                || text[17..20] != bic.as_str()[6..9] =>
        {
            Err(CORRESPONDENT)
        }
        _ => Ok(Some(BankAccount(text.to_owned()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value<'_> {
        Value::String(s.into())
    }

    #[test]
    fn published_inns_pass_and_a_digit_changed_fails() {
        // ПАО Сбербанк (10 digits), one starting with a region code 02, and a 12-digit one.
        for valid in ["7707083893", "0274062111", "500100732259"] {
            assert!(parse_inn(&text(valid)).unwrap().is_some(), "{valid}");
        }
        for invalid in [
            "7707083894",
            "500100732258",
            "770708389",
            "77070838931",
            "77070838a3",
        ] {
            assert_eq!(parse_inn(&text(invalid)), Err(INN), "{invalid}");
        }
        // A number loses a leading zero: refused, not read as another INN.
        assert_eq!(parse_inn(&Value::Number("274062111")), Err(INN));
        assert_eq!(parse_inn(&text("  ")), Ok(None));
    }

    #[test]
    fn kpp_and_bic_have_their_forms() {
        for valid in ["773601001", "7736AB001"] {
            assert!(parse_kpp(&text(valid)).unwrap().is_some(), "{valid}");
        }
        for invalid in ["77360100", "7736ab001", "А73601001", "7736010011"] {
            assert_eq!(parse_kpp(&text(invalid)), Err(KPP), "{invalid}");
        }
        assert!(parse_bic(&text("044525225")).unwrap().is_some());
        assert_eq!(parse_bic(&text("04452522")), Err(BIC));
    }

    #[test]
    fn accounts_are_checked_against_the_bic() {
        let sber = parse_bic(&text("044525225")).unwrap();
        let tinkoff = parse_bic(&text("044525974")).unwrap();
        // Published correspondent accounts of two banks.
        for (account, bic) in [
            ("30101810400000000225", &sber),
            ("30101810145250000974", &tinkoff),
        ] {
            let parsed = parse_correspondent(&text(account), bic.as_ref()).unwrap();
            assert_eq!(parsed.unwrap().as_str(), account);
        }
        // Another bank's correspondent account fails the key.
        let other = parse_correspondent(&text("30101810145250000974"), sber.as_ref());
        assert_eq!(other, Err(CORRESPONDENT));
        // A settlement account whose key (its 9th digit) was computed for Sberbank's BIC, and
        // every other digit there.
        let valid = "40702810200000012345";
        assert!(
            parse_account(&text(valid), sber.as_ref())
                .unwrap()
                .is_some()
        );
        for key in (b'0'..=b'9').filter(|k| *k != b'2') {
            let mut wrong = valid.as_bytes().to_vec();
            wrong[8] = key;
            let wrong = String::from_utf8(wrong).unwrap();
            assert_eq!(
                parse_account(&text(&wrong), sber.as_ref()),
                Err(ACCOUNT),
                "{wrong}"
            );
        }
        assert_eq!(
            parse_account(&text("4070281020000001234"), sber.as_ref()),
            Err(ACCOUNT)
        );
    }
}
