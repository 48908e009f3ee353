//! One view of an act as printed, rendered two ways: as `act_info`'s JSON (the spec's print
//! data, in its order) and as the page of `act_info/{id}/print` (`act_page`). A printed field
//! is added here once; numbers are formatted in `numbers`.

use domain::Act;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::numbers::{self, money, money_opt};

/// A service line as printed; quantity, unit and price only when the act has them.
#[derive(Serialize)]
pub(crate) struct LineView<'a> {
    pub title: &'a str,
    #[serde(serialize_with = "money")]
    pub amount: Decimal,
    #[serde(serialize_with = "money_opt", skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'a str>,
    #[serde(serialize_with = "money_opt", skip_serializing_if = "Option::is_none")]
    pub price: Option<Decimal>,
}

/// Everything printed on an act. The JSON fields are the spec's example's, in its order; the
/// page also prints the parties, and a dash for the VAT of an act without VAT.
#[derive(Serialize)]
pub(crate) struct ActView<'a> {
    /// `Акт № 777 от 31.10.2018`.
    pub act_number: String,
    pub act_description: Option<&'a str>,
    pub act_text: Option<&'a str>,
    pub contacts: Option<&'a str>,
    pub warranty_text: Option<&'a str>,
    pub payment_text: Option<&'a str>,
    pub general_manager_position: Option<&'a str>,
    pub general_manager: Option<&'a str>,
    pub general_manager_procuratory: Option<&'a str>,
    pub postal_address: Option<&'a str>,
    pub customer_general_manager: Option<&'a str>,
    pub logo: Option<&'a str>,
    pub services: Vec<LineView<'a>>,
    #[serde(serialize_with = "money")]
    pub total_amount: Decimal,
    #[serde(serialize_with = "money")]
    pub total_amount_with_vat: Decimal,
    pub vat_string: String,
    #[serde(serialize_with = "money")]
    pub vat_amount: Decimal,
    pub sum_string: String,
    /// The recipient of the payment: the office that issues the act.
    #[serde(skip)]
    pub executor: &'a str,
    /// The payer.
    #[serde(skip)]
    pub customer: &'a str,
    #[serde(skip)]
    pub has_vat: bool,
}

impl<'a> From<&'a Act> for ActView<'a> {
    fn from(act: &'a Act) -> Self {
        let text = domain::Text::opt_str;
        let totals = act.totals();
        let services = act
            .services
            .iter()
            .map(|s| LineView {
                title: s.title.as_str(),
                amount: s.amount,
                quantity: s.quantity,
                unit: text(&s.unit),
                price: s.price,
            })
            .collect();
        Self {
            act_number: act.title(),
            act_description: text(&act.act_description),
            act_text: text(&act.act_text),
            contacts: text(&act.contacts),
            warranty_text: text(&act.warranty_text),
            payment_text: text(&act.payment_text),
            general_manager_position: text(&act.general_manager_position),
            general_manager: text(&act.general_manager),
            general_manager_procuratory: text(&act.general_manager_procuratory),
            postal_address: text(&act.postal_address),
            customer_general_manager: text(&act.customer_general_manager),
            logo: text(&act.logo),
            services,
            total_amount: totals.total,
            total_amount_with_vat: totals.with_vat,
            vat_string: act.vat_string(),
            vat_amount: totals.vat,
            sum_string: act.sum_string(),
            executor: act.recipient.name.as_str(),
            customer: act.payer.name.as_str(),
            has_vat: act.vat_rate.percent().is_some(),
        }
    }
}

/// The figures as the page prints them (`1 000,00`).
impl ActView<'_> {
    pub fn printed_total(&self) -> String {
        numbers::rubles(self.total_amount)
    }

    /// A dash for an act without VAT.
    pub fn printed_vat(&self) -> String {
        match self.has_vat {
            true => numbers::rubles(self.vat_amount),
            false => "—".to_owned(),
        }
    }

    pub fn printed_with_vat(&self) -> String {
        numbers::rubles(self.total_amount_with_vat)
    }
}

impl LineView<'_> {
    pub fn printed_amount(&self) -> String {
        numbers::rubles(self.amount)
    }

    pub fn printed_quantity(&self) -> String {
        self.quantity.map(numbers::quantity).unwrap_or_default()
    }

    pub fn printed_unit(&self) -> &str {
        self.unit.unwrap_or_default()
    }

    pub fn printed_price(&self) -> String {
        self.price.map(numbers::rubles).unwrap_or_default()
    }
}
