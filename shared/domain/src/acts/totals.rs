//! The figures printed on an act: its sums (VAT on top or included), its title, its VAT line
//! and the payable total in words. Every sum is exact to the kopeck and never overflows.

use rust_decimal::{Decimal, RoundingStrategy};

use super::model::Act;
use crate::words::rubles_in_words;

/// The sums printed on an act, in rubles and kopecks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Sum of the service lines ("Итого"): net of VAT, or VAT included when the act says so.
    pub total: Decimal,
    /// The VAT added on top, or the part of `total` that is VAT (`rate / (100 + rate)` of it).
    pub vat: Decimal,
    /// What the customer pays ("Всего к оплате"); the list's `amount`.
    pub with_vat: Decimal,
}

impl Act {
    /// The act's sums. Parsing refuses an act whose sums do not fit ([`Act::checked_totals`]),
    /// so a stored act always has them; saturating, never panicking, whatever the act.
    pub fn totals(&self) -> Totals {
        self.checked_totals().unwrap_or(Totals {
            total: Decimal::MAX,
            vat: Decimal::ZERO,
            with_vat: Decimal::MAX,
        })
    }

    /// The sums, or `None` when they overflow a decimal.
    pub fn checked_totals(&self) -> Option<Totals> {
        let total = self
            .services
            .iter()
            .try_fold(Decimal::ZERO, |sum, s| sum.checked_add(s.amount))?;
        let vat = match self.vat_rate.percent().map(Decimal::from) {
            None => Decimal::ZERO,
            Some(rate) if self.vat_included => total
                .checked_mul(rate)?
                .checked_div(Decimal::ONE_HUNDRED + rate)?,
            Some(rate) => total.checked_mul(rate)?.checked_div(Decimal::ONE_HUNDRED)?,
        }
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let with_vat = if self.vat_included {
            total
        } else {
            total.checked_add(vat)?
        };
        Some(Totals {
            total,
            vat,
            with_vat,
        })
    }

    /// `Акт № 777 от 31.10.2018`
    pub fn title(&self) -> String {
        format!("Акт № {} от {}", self.act_number, self.created_at.printed())
    }

    /// `Без налога (НДС)`, `НДС 22%` (on top) or `в т.ч. НДС 22%` (included), as acts print it.
    pub fn vat_string(&self) -> String {
        match (self.vat_rate.percent(), self.vat_included) {
            (None, _) => "Без налога (НДС)".to_owned(),
            (Some(rate), false) => format!("НДС {rate}%"),
            (Some(rate), true) => format!("в т.ч. НДС {rate}%"),
        }
    }

    /// `К оплате: Одна тысяча рублей 00 коп.`
    pub fn sum_string(&self) -> String {
        format!("К оплате: {}", rubles_in_words(self.totals().with_vat))
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::examples::{ISSUE_EXAMPLE, TWO_LINES, act, with};
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn the_issue_example_parses_and_prints_like_the_spec() {
        let a = act(ISSUE_EXAMPLE).unwrap();
        assert_eq!(a.title(), "Акт № 777 от 31.10.2018");
        assert_eq!(a.vat_string(), "Без налога (НДС)");
        assert_eq!(
            a.totals(),
            Totals {
                total: dec!(1000),
                vat: dec!(0),
                with_vat: dec!(1000)
            }
        );
        assert_eq!(a.sum_string(), "К оплате: Одна тысяча рублей 00 коп.");
        assert_eq!(a.send_date.unwrap().to_string(), "2019-01-15");
    }

    #[test]
    fn vat_is_added_to_net_amounts_and_rounded_half_up() {
        let a = with(&[
            ("\"vat_rate\": null", "\"vat_rate\": 20"),
            ("\"amount\": 1000", TWO_LINES),
        ])
        .unwrap();
        // 0.63 × 20 % = 0.126 → 0.13
        assert_eq!(
            a.totals(),
            Totals {
                total: dec!(0.63),
                vat: dec!(0.13),
                with_vat: dec!(0.76)
            }
        );
        assert_eq!(a.vat_string(), "НДС 20%");
        assert_eq!(a.sum_string(), "К оплате: Ноль рублей 76 коп.");
    }

    #[test]
    fn vat_included_in_the_price_is_extracted() {
        let a = with(&[
            (
                "\"vat_rate\": null",
                "\"vat_rate\": 22, \"vat_included\": true",
            ),
            ("\"amount\": 1000", "\"amount\": 1220"),
        ])
        .unwrap();
        assert_eq!(
            a.totals(),
            Totals {
                total: dec!(1220),
                vat: dec!(220),
                with_vat: dec!(1220)
            }
        );
        assert_eq!(a.vat_string(), "в т.ч. НДС 22%");
        // 1000 × 22 / 122 = 180.327… → 180.33; the payable total stays 1000.
        let a = with(&[(
            "\"vat_rate\": null",
            "\"vat_rate\": \"22%\", \"vat_included\": \"да\"",
        )])
        .unwrap();
        assert_eq!(a.totals().vat, dec!(180.33));
        assert_eq!(a.totals().with_vat, dec!(1000));
        assert!(with(&[("\"vat_rate\": null", "\"vat_included\": \"может быть\"")]).is_err());
    }
}
