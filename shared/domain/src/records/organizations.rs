//! `организация-получатель`: whom a resident pays (the office, the capital-repair fund, a
//! supplier), with the bank details a receipt's QR code sends the money to. One flat may owe
//! several, each with a receipt and a code of its own.

use serde::{Deserialize, Serialize};

use super::{ItemParser, Record, is_false};
use crate::json::Fields;
use crate::payees::{
    BankAccount, Bic, Inn, Kpp, parse_account, parse_bic, parse_correspondent, parse_inn, parse_kpp,
};
use crate::payment_qr::{self, Payee, Payment};
use crate::problems::Problem;
use crate::values::{Guid, Rejection, Text, parse_flag};

/// The most characters of a payee's name and its bank's name: what ГОСТ Р 56042-2014 allows
/// `Name` and `BankName`.
pub const MAX_PAYEE_NAME: usize = 160;
pub const MAX_BANK_NAME: usize = 45;

const NAME_TOO_LONG: Rejection = "не длиннее 160 символов (ГОСТ Р 56042-2014, реквизит Name)";
const BANK_TOO_LONG: Rejection = "не длиннее 45 символов (ГОСТ Р 56042-2014, реквизит BankName)";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Guid,
    pub name: Text,
    pub inn: Inn,
    pub kpp: Option<Kpp>,
    pub bank_account: BankAccount,
    pub bic: Bic,
    pub bank_name: Text,
    pub correspondent_account: Option<BankAccount>,
    /// Deleted in 1C: its receipts (sent before or after) carry no code.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
}

impl Organization {
    /// The payee as a QR code names it.
    pub fn payee(&self) -> Payee<'_> {
        Payee {
            name: self.name.as_str(),
            account: &self.bank_account,
            bank_name: self.bank_name.as_str(),
            bic: &self.bic,
            correspondent: self.correspondent_account.as_ref(),
            inn: &self.inn,
            kpp: self.kpp.as_ref(),
        }
    }

    /// Whether the mandatory requisites fit the standard's 300 bytes: they do not depend on
    /// the receipt, so a payee that cannot be paid by QR is refused at its import.
    fn fits_the_code(&self) -> Result<(), Rejection> {
        let any = Payment {
            personal_account: "",
            year: 2000,
            month: 1,
            kopecks: None,
            purpose: "",
        };
        payment_qr::payment_text(&self.payee(), &any).map(|_| ())
    }
}

impl Record for Organization {
    const COLLECTION: &'static str = "organizations";
    const KIND: &'static str = "organizations";

    fn parse(item: &Fields<'_>) -> Result<Self, Vec<Problem>> {
        let mut p = ItemParser::new(item);
        let id = p.required("id", Guid::parse);
        let name = p.required("name", |v| {
            Text::parse_short(v, MAX_PAYEE_NAME, NAME_TOO_LONG)
        });
        let inn = p.required("inn", parse_inn);
        let kpp = p.optional("kpp", parse_kpp);
        let bic = p.required("bic", parse_bic);
        let bank_account = p.required("bank_account", |v| parse_account(v, bic.as_ref()));
        let bank_name = p.required("bank_name", |v| {
            Text::parse_short(v, MAX_BANK_NAME, BANK_TOO_LONG)
        });
        let correspondent_account = p.optional("correspondent_account", |v| {
            parse_correspondent(v, bic.as_ref())
        });
        let deleted = p.optional("deleted", parse_flag).unwrap_or(false);
        let payee = p.finish(|| {
            Some(Self {
                id: id?,
                name: name?,
                inn: inn?,
                kpp,
                bank_account: bank_account?,
                bic: bic?,
                bank_name: bank_name?,
                correspondent_account,
                deleted,
            })
        })?;
        match payee.fits_the_code() {
            Ok(()) => Ok(payee),
            Err(why) => Err(vec![Problem::new("name", why)]),
        }
    }
}
