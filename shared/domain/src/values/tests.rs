use super::*;
use rust_decimal_macros::dec;

fn s(text: &str) -> Value<'_> {
    Value::String(text.into())
}

#[test]
fn guid_normalises_case_braces_and_spaces() {
    let want = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
    for input in [
        " a7a747b2-24d8-11e7-ae76-0050569f0c67",
        "A7A747B2-24D8-11E7-AE76-0050569F0C67",
        "{a7a747b2-24d8-11e7-ae76-0050569f0c67}",
        " {A7A747B2-24d8-11e7-ae76-0050569f0c67} ",
    ] {
        assert_eq!(
            Guid::parse(&s(input)).unwrap().unwrap().to_string(),
            want,
            "{input}"
        );
    }
}

#[test]
fn guid_empty_forms_mean_no_reference() {
    for v in [
        s(""),
        s("  "),
        s("00000000-0000-0000-0000-000000000000"),
        Value::Null,
        Value::Missing,
    ] {
        assert_eq!(Guid::parse(&v), Ok(None), "{v:?}");
    }
}

#[test]
fn guid_rejects_other_text_without_quoting_it() {
    let err = Guid::parse(&s("Смирнова")).unwrap_err();
    assert!(!err.contains("Смирнова"));
    assert!(Guid::parse(&Value::Bool(true)).is_err());
}

#[test]
fn dates_in_every_form_1c_writes() {
    let want = "2018-12-05T15:14:46";
    for input in [
        "2018-12-05T15:14:46",
        "2018-12-05T15:14:46Z",
        "2018-12-05T15:14:46+03:00",
        "2018-12-05T15:14:46-05:00",
        "2018-12-05T15:14:46.000",
        "2018-12-05 15:14:46",
        "05.12.2018 15:14:46",
        "5.12.2018 15:14:46",
        "2018-12-5T15:14:46",
        " 2018-12-05T15:14:46 ",
        "\u{2003}2018-12-05T15:14:46\u{3000}",
    ] {
        let d = LocalDateTime::parse(&s(input)).unwrap().unwrap();
        assert_eq!(d.to_string(), want, "{input}");
    }
    let d = LocalDateTime::parse(&s("2018-12-05")).unwrap().unwrap();
    assert_eq!(d.to_string(), "2018-12-05T00:00:00");
    let d = LocalDateTime::parse(&s("05.12.2018")).unwrap().unwrap();
    assert_eq!(d.to_string(), "2018-12-05T00:00:00");
    // 1C's Строка(Дата) writes the hour without a leading zero.
    let d = LocalDateTime::parse(&s("05.12.2018 9:05:00"))
        .unwrap()
        .unwrap();
    assert_eq!(d.to_string(), "2018-12-05T09:05:00");
    let d = LocalDateTime::parse(&s("5.1.2018 0:00:00"))
        .unwrap()
        .unwrap();
    assert_eq!(d.to_string(), "2018-01-05T00:00:00");
}

#[test]
fn empty_1c_date_means_no_date() {
    for v in [
        s("0001-01-01T00:00:00"),
        s(""),
        s("0001-01-01"),
        Value::Null,
    ] {
        assert_eq!(LocalDateTime::parse(&v), Ok(None), "{v:?}");
    }
}

#[test]
fn numbers_stay_below_the_limit() {
    assert_eq!(
        parse_decimal(&Value::Number("999999999999999.99")),
        Ok(Some(dec!(999999999999999.99)))
    );
    for big in [
        "1000000000000000",
        "-1e15",
        "50000000000000000000000000000",
        "1e27",
    ] {
        assert!(parse_decimal(&Value::Number(big)).is_err(), "{big}");
    }
}

#[test]
fn impossible_dates_are_rejected() {
    for input in [
        "2020-25-12",
        "2018-02-30T00:00:00",
        "вчера",
        "2018-12-05T25:00:00",
        "05.12.18",
        "05.12.18 15:14:46",
        "18-12-05",
        "018-12-05T00:00:00",
        "+2018-12-05",
        "02018-12-05",
        "005.12.2018",
        "2018-12-005",
        "2018-12-05T15:4:46",
        "2018-12-05T115:14:46",
        "5.12.2018T15:14:46",
    ] {
        assert!(LocalDateTime::parse(&s(input)).is_err(), "{input}");
    }
    assert!(LocalDateTime::parse(&Value::Number("20181205")).is_err());
}

#[test]
fn decimals_from_numbers_and_human_strings_are_exact() {
    let cases = [
        (Value::Number("-20394.86"), dec!(-20394.86)),
        (Value::Number("33"), dec!(33)),
        (Value::Number("0.1"), dec!(0.1)),
        (Value::Number("1e3"), dec!(1000)),
        (Value::Number("12345678901234.56"), dec!(12345678901234.56)),
        (s("1 234,56"), dec!(1234.56)),
        (s("1\u{a0}234\u{a0}567,8"), dec!(1234567.8)),
        (s("-2600"), dec!(-2600)),
        (s(" 56.7 "), dec!(56.7)),
        (s("+5"), dec!(5)),
        (s("\u{2212}5,5"), dec!(-5.5)),
        (Value::Number("0.01e-9223372036854775808"), dec!(0)),
        (Value::Number("1e-9223372036854775809"), dec!(0)),
    ];
    for (v, want) in cases {
        assert_eq!(parse_decimal(&v), Ok(Some(want)), "{v:?}");
    }
    // The scale is kept: 56.70 reads back as 56.70, and zero as it came, never negative.
    for (input, text) in [
        (s("56,70"), "56.70"),
        (Value::Number("0.000"), "0.000"),
        (Value::Number("-0.00"), "0.00"),
        (Value::Number("0e5"), "0"),
        (s("-0,00"), "0.00"),
        (s("\u{2212}0"), "0"),
    ] {
        let parsed = parse_decimal(&input).unwrap().unwrap();
        assert_eq!(parsed.to_string(), text, "{input:?}");
        assert!(!parsed.is_sign_negative(), "{input:?}");
    }
}

#[test]
fn decimals_reject_garbage() {
    for input in ["1,234.56", "abc", "1.2.3", "-", "12 руб"] {
        assert!(parse_decimal(&s(input)).is_err(), "{input}");
    }
    assert!(parse_decimal(&Value::Bool(false)).is_err());
    assert_eq!(parse_decimal(&s("")), Ok(None));
}

#[test]
fn shares_as_percent_or_fraction() {
    assert_eq!(parse_share(&s("50")), Ok(Some(dec!(50))));
    assert_eq!(parse_share(&s("1/2")), Ok(Some(dec!(50))));
    assert_eq!(parse_share(&s("1/3")), Ok(Some(dec!(33.3333))));
    assert_eq!(parse_share(&Value::Number("100")), Ok(Some(dec!(100))));
    assert!(parse_share(&s("1/0")).is_err());
    for out_of_range in [
        "1/0.0000000000000000000000000001",
        "150",
        "-1",
        "3/2",
        "-1/2",
    ] {
        assert!(parse_share(&s(out_of_range)).is_err(), "{out_of_range}");
    }
    assert_eq!(parse_share(&s("0")), Ok(Some(dec!(0))));
}

#[test]
fn text_is_trimmed_and_blank_is_none() {
    assert_eq!(
        Text::parse(&s("М30400НЖ003 ")).unwrap().unwrap().as_str(),
        "М30400НЖ003"
    );
    assert_eq!(Text::parse(&s("   ")), Ok(None));
    assert_eq!(
        Text::parse(&Value::Number("42")).unwrap().unwrap().as_str(),
        "42"
    );
    assert!(Text::parse(&Value::Bool(true)).is_err());
}
