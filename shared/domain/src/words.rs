//! Amounts in Russian words, as a printed act states the sum: `Одна тысяча рублей 00 коп.`

use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Clone, Copy)]
enum Gender {
    Masculine,
    Feminine,
}

/// A scale word in its three forms: for 1 (21, 101…), for 2–4 (22…), for 5–20 and 0 (11–14 too).
struct Scale {
    forms: [&'static str; 3],
    gender: Gender,
}

const RUBLE: Scale = Scale {
    forms: ["рубль", "рубля", "рублей"],
    gender: Gender::Masculine,
};

/// Thousands, millions, … up to quadrillions: every 18-digit amount has words.
const SCALES: [Scale; 5] = [
    Scale {
        forms: ["тысяча", "тысячи", "тысяч"],
        gender: Gender::Feminine,
    },
    Scale {
        forms: ["миллион", "миллиона", "миллионов"],
        gender: Gender::Masculine,
    },
    Scale {
        forms: ["миллиард", "миллиарда", "миллиардов"],
        gender: Gender::Masculine,
    },
    Scale {
        forms: ["триллион", "триллиона", "триллионов"],
        gender: Gender::Masculine,
    },
    Scale {
        forms: ["квадриллион", "квадриллиона", "квадриллионов"],
        gender: Gender::Masculine,
    },
];

const HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];
const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];
const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const UNITS: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];

fn form(n: u64, scale: &Scale) -> &'static str {
    let index = match (n % 100, n % 10) {
        (11..=14, _) => 2,
        (_, 1) => 0,
        (_, 2..=4) => 1,
        _ => 2,
    };
    scale.forms[index]
}

/// Words for 1..=999, pushed onto `out`.
fn triple(n: u64, gender: Gender, out: &mut Vec<&'static str>) {
    let (h, t, u) = (
        (n / 100) as usize,
        (n / 10 % 10) as usize,
        (n % 10) as usize,
    );
    out.push(HUNDREDS[h]);
    if t == 1 {
        out.push(TEENS[u]);
        return;
    }
    out.push(TENS[t]);
    out.push(match (u, gender) {
        (1, Gender::Feminine) => "одна",
        (2, Gender::Feminine) => "две",
        _ => UNITS[u],
    });
}

/// `Одна тысяча рублей 00 коп.` for 1000; kopecks always as two digits. The amount is rounded
/// half-up to kopecks; a negative amount is prefixed `Минус`.
pub fn rubles_in_words(amount: Decimal) -> String {
    let amount = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = amount.is_sign_negative() && !amount.is_zero();
    let amount = amount.abs();
    let rubles = amount.trunc();
    let kopecks = ((amount - rubles) * Decimal::ONE_HUNDRED)
        .trunc()
        .try_into()
        .unwrap_or(0u64);
    let rubles: u128 = rubles.try_into().unwrap_or(u128::MAX);

    let mut words: Vec<&'static str> = Vec::new();
    if negative {
        words.push("минус");
    }
    if rubles == 0 {
        words.push("ноль");
    } else {
        // Groups of three digits, most significant first; the lowest carries the ruble itself.
        let mut groups = Vec::new();
        let mut rest = rubles;
        while rest > 0 {
            groups.push((rest % 1000) as u64);
            rest /= 1000;
        }
        for (power, &group) in groups.iter().enumerate().rev() {
            if group == 0 {
                continue;
            }
            match power {
                0 => triple(group, RUBLE.gender, &mut words),
                _ => {
                    let scale = &SCALES[(power - 1).min(SCALES.len() - 1)];
                    triple(group, scale.gender, &mut words);
                    words.push(form(group, scale));
                }
            }
        }
    }
    words.push(form((rubles % 1000) as u64, &RUBLE));
    let text = words
        .into_iter()
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!(
        "{}{} {kopecks:02} коп.",
        first.unwrap_or_default(),
        chars.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_words() {
        let table = [
            ("0", "Ноль рублей 00 коп."),
            ("0.01", "Ноль рублей 01 коп."),
            ("0.1", "Ноль рублей 10 коп."),
            ("0.5", "Ноль рублей 50 коп."),
            ("0.995", "Один рубль 00 коп."),
            ("1", "Один рубль 00 коп."),
            ("2", "Два рубля 00 коп."),
            ("3", "Три рубля 00 коп."),
            ("4", "Четыре рубля 00 коп."),
            ("5", "Пять рублей 00 коп."),
            ("10", "Десять рублей 00 коп."),
            ("11", "Одиннадцать рублей 00 коп."),
            ("12", "Двенадцать рублей 00 коп."),
            ("13", "Тринадцать рублей 00 коп."),
            ("14", "Четырнадцать рублей 00 коп."),
            ("15", "Пятнадцать рублей 00 коп."),
            ("20", "Двадцать рублей 00 коп."),
            ("21", "Двадцать один рубль 00 коп."),
            ("22.22", "Двадцать два рубля 22 коп."),
            ("25", "Двадцать пять рублей 00 коп."),
            ("99.99", "Девяносто девять рублей 99 коп."),
            ("100", "Сто рублей 00 коп."),
            ("101", "Сто один рубль 00 коп."),
            ("111", "Сто одиннадцать рублей 00 коп."),
            ("112", "Сто двенадцать рублей 00 коп."),
            ("121", "Сто двадцать один рубль 00 коп."),
            ("200", "Двести рублей 00 коп."),
            ("999", "Девятьсот девяносто девять рублей 00 коп."),
            ("1000", "Одна тысяча рублей 00 коп."),
            ("1001", "Одна тысяча один рубль 00 коп."),
            ("1002.50", "Одна тысяча два рубля 50 коп."),
            ("2000", "Две тысячи рублей 00 коп."),
            ("3000", "Три тысячи рублей 00 коп."),
            ("5000", "Пять тысяч рублей 00 коп."),
            ("11000", "Одиннадцать тысяч рублей 00 коп."),
            ("12000", "Двенадцать тысяч рублей 00 коп."),
            ("21000", "Двадцать одна тысяча рублей 00 коп."),
            ("22000", "Двадцать две тысячи рублей 00 коп."),
            ("101000", "Сто одна тысяча рублей 00 коп."),
            (
                "111111",
                "Сто одиннадцать тысяч сто одиннадцать рублей 00 коп.",
            ),
            ("960", "Девятьсот шестьдесят рублей 00 коп."),
            (
                "20394.86",
                "Двадцать тысяч триста девяносто четыре рубля 86 коп.",
            ),
            ("1000000", "Один миллион рублей 00 коп."),
            ("2000000", "Два миллиона рублей 00 коп."),
            ("5000000", "Пять миллионов рублей 00 коп."),
            ("1001001", "Один миллион одна тысяча один рубль 00 коп."),
            ("21000000", "Двадцать один миллион рублей 00 коп."),
            ("1000000000", "Один миллиард рублей 00 коп."),
            ("2000000000", "Два миллиарда рублей 00 коп."),
            ("1000000000000", "Один триллион рублей 00 коп."),
            (
                "123456789012345",
                "Сто двадцать три триллиона четыреста пятьдесят шесть миллиардов \
                 семьсот восемьдесят девять миллионов двенадцать тысяч триста сорок пять \
                 рублей 00 коп.",
            ),
            (
                "999999999999999.99",
                "Девятьсот девяносто девять триллионов девятьсот девяносто девять миллиардов \
                 девятьсот девяносто девять миллионов девятьсот девяносто девять тысяч \
                 девятьсот девяносто девять рублей 99 коп.",
            ),
            ("-5", "Минус пять рублей 00 коп."),
        ];
        assert!(table.len() >= 40);
        for (amount, want) in table {
            let amount: Decimal = amount.parse().unwrap();
            assert_eq!(rubles_in_words(amount), want, "{amount}");
        }
    }
}
