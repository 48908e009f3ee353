use super::*;
use crate::json::{collection, normalise};
use crate::problems::Problem;
use crate::values::Guid;
use rust_decimal_macros::dec;

fn parse_all<R: Record>(body: &str) -> Vec<Result<R, Vec<Problem>>> {
    let body = normalise(body);
    collection(&body, R::COLLECTION)
        .unwrap()
        .into_iter()
        .map(|raw| R::parse(&Fields::parse(raw).unwrap()))
        .collect()
}

fn parse_one<R: Record>(item: &str) -> Result<R, Vec<Problem>> {
    let body = format!("{{\"{}\": [{item}]}}", R::COLLECTION);
    parse_all::<R>(&body).remove(0)
}

fn guid(s: &str) -> Guid {
    s.parse().unwrap()
}

#[test]
fn account_from_spec_example_with_stray_spaces() {
    let a: Account = parse_one(
        r#"{"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "М30400НЖ003 ",
            "address": "ул. Молодежная, д. 3, пом. 003", "full_name": "Смирнова Юлия Валерьевна",
            "ownership": "50", "square": "56.7", "cadastral": "47:14:1203001:814",
            "phone": "+79332211223", "email ": "user@mail.ru"}"#,
    )
    .unwrap();
    assert_eq!(a.name.as_str(), "М30400НЖ003");
    assert_eq!(a.ownership, Some(dec!(50)));
    assert_eq!(a.square, Some(dec!(56.7)));
    assert_eq!(a.email.unwrap().as_str(), "user@mail.ru");
}

#[test]
fn account_debug_hides_personal_data() {
    let a: Account = parse_one(
        r#"{"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "1", "full_name": "Смирнова", "phone": "+7933"}"#,
    )
    .unwrap();
    let shown = format!("{a:?}");
    assert!(
        !shown.contains("Смирнова") && !shown.contains("+7933"),
        "{shown}"
    );
}

#[test]
fn counter_with_empty_dates_and_references() {
    let c: Counter = parse_one(
        r#"{"id": "67d00473-13c2-11e4-9dce-94de80eb2300", "name": "Название счетчика", "type": "ХВС",
            "account": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
            "service": "00000000-0000-0000-0000-000000000000",
            "date_installation": "2014-03-31T00:00:00", "date_removal": "0001-01-01T00:00:00",
            "date_verification ": ""}"#,
    )
    .unwrap();
    assert_eq!(
        c.date_installation.unwrap().to_string(),
        "2014-03-31T00:00:00"
    );
    assert_eq!(c.date_removal, None);
    assert_eq!(c.date_verification, None);
    assert_eq!(c.service, None);
    assert_eq!(
        c.references(),
        vec![Reference {
            field: "account",
            directory: Directory::Account,
            id: guid("358d67ad-d66e-11e3-bd79-94de80e97e9a")
        }]
    );
}

#[test]
fn reading_from_spec_example_verbatim() {
    let body = "{ \n\"counters\": [ \n{ \n\n\"date\":\"2018-12-05T15:14:46\", \n\
        \"counter\":\" a7a747b2-24d8-11e7-ae76-0050569f0c67\", \n\"current_data1\":33, \n\
        \"current_data2\":10,  \n\"current_data3\":30, \n\n} \n] \n\n}";
    let r: Reading = parse_all(body).remove(0).unwrap();
    assert_eq!(
        r.counter.to_string(),
        "a7a747b2-24d8-11e7-ae76-0050569f0c67"
    );
    assert_eq!(r.date.to_string(), "2018-12-05T15:14:46");
    assert_eq!(
        (r.current_data1, r.current_data2, r.current_data3),
        (dec!(33), Some(dec!(10)), Some(dec!(30)))
    );
}

#[test]
fn every_bad_field_of_an_item_is_reported() {
    let errors = parse_one::<Balance>(r#"{"service": "nope", "date": "2020-25-12"}"#).unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
    assert_eq!(fields, ["account", "service", "date", "amount"]);
    assert_eq!(errors[0].message, "обязательное поле не заполнено");
}

#[test]
fn a_balance_of_the_whole_account_has_the_empty_service() {
    for service in ["\"00000000-0000-0000-0000-000000000000\"", "\"\"", "null"] {
        let b: Balance = parse_one(&format!(
            r#"{{"account": "af723e90-c3d4-11e4-8075-1c6f652434e1", "service": {service},
                "date": "2018-12-01T00:00:00", "amount": -100}}"#
        ))
        .unwrap();
        assert_eq!(b.service, None, "{service}");
        assert_eq!(b.references().len(), 1);
    }
}

#[test]
fn transaction_without_service_is_a_payment() {
    let t: Transaction = parse_one(
        r#"{"account": "af723e90-c3d4-11e4-8075-1c6f652434e1", "date": "2018-12-01T00:00:00",
            "amount": "-2 600,00", "service": "00000000-0000-0000-0000-000000000000"}"#,
    )
    .unwrap();
    assert_eq!(t.amount, dec!(-2600.00));
    assert_eq!(t.service, None);
    assert_eq!(t.references().len(), 1);
}

#[test]
fn records_round_trip_through_serde() {
    let b: Balance = parse_one(
        r#"{"account":"ad96e8ab-476f-11e7-8518-0050569f0c67","service":"b712502b-005f-11e4-8679-d43d7e9efaeb",
            "date":"2018-06-30T23:59:59","amount":-20394.86}"#,
    )
    .unwrap();
    let json = serde_json::to_value(&b).unwrap();
    assert_eq!(json["amount"], "-20394.86");
    assert_eq!(json["date"], "2018-06-30T23:59:59");
    let back: Balance = serde_json::from_value(json).unwrap();
    assert_eq!(back, b);
}
