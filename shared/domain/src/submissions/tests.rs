use chrono::TimeZone;
use rust_decimal_macros::dec;

use super::*;
use crate::Counter;
use crate::settings::{Settings, Window};
use chrono::NaiveDateTime;
use chrono_tz::Tz;

fn at(text: &str) -> LocalDateTime {
    LocalDateTime::from_naive(NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap())
}

fn utc(text: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&at(text).naive())
}

fn guid(n: u128) -> Guid {
    serde_json::from_value(serde_json::json!(uuid::Uuid::from_u128(n).to_string())).unwrap()
}

fn meter() -> Counter {
    Counter {
        id: guid(1),
        name: None,
        kind: None,
        account: Some(guid(2)),
        service: None,
        date_installation: None,
        date_removal: None,
        date_verification: None,
        deleted: false,
    }
}

fn one(value: Decimal) -> Figures {
    Figures {
        current_data1: value,
        current_data2: None,
        current_data3: None,
    }
}

fn reading(date: &str, value: Decimal) -> Reading {
    Reading {
        counter: guid(1),
        date: at(date),
        current_data1: value,
        current_data2: None,
        current_data3: None,
    }
}

fn submission(date: &str, figures: Figures, status: SubmissionStatus) -> Submission {
    Submission {
        sent_id: None,
        id: guid(9),
        counter: guid(1),
        account: Some(guid(2)),
        date: at(date),
        figures,
        source: Text::from_trusted("app".into()),
        submitted_at: utc(date),
        suspicious: false,
        status,
        reason: None,
    }
}

fn judge(
    figures: Figures,
    readings: &[Reading],
    submissions: &[Submission],
    settings: &Settings,
    now: &str,
) -> Result<Assessment, Refusal> {
    let counter = meter();
    let state = MeterState {
        counter: &counter,
        readings,
        submissions,
    };
    assess(&figures, state, settings, utc(now))
}

fn window(from_day: u8, to_day: u8, zone: Tz) -> Settings {
    Settings {
        time_zone: zone,
        readings_window: Window::new(from_day, to_day),
    }
}

#[test]
fn the_window_is_judged_in_the_offices_time_zone() {
    let moscow = window(20, 25, chrono_tz::Europe::Moscow);
    // 23:30 in Moscow on the 25th is 20:30 UTC: accepted, and dated in Moscow time.
    let accepted = judge(one(dec!(1)), &[], &[], &moscow, "2026-11-25T20:30:00").unwrap();
    assert_eq!(accepted.date, at("2026-11-25T23:30:00"));
    // 00:30 in Moscow on the 26th is 21:30 UTC on the 25th: refused, though the server's
    // (UTC) calendar still says the 25th.
    let refused = judge(one(dec!(1)), &[], &[], &moscow, "2026-11-25T21:30:00").unwrap_err();
    assert_eq!(refused.code(), "outside_window");
    assert!(
        refused.message().contains("с 20 по 25"),
        "{}",
        refused.message()
    );
    assert!(refused.message().contains("Europe/Moscow"));
    // The same instant in Kaliningrad (UTC+2) is 23:30 on the 25th: accepted.
    let kaliningrad = window(20, 25, chrono_tz::Europe::Kaliningrad);
    let there = judge(one(dec!(1)), &[], &[], &kaliningrad, "2026-11-25T21:30:00").unwrap();
    assert_eq!(there.date, at("2026-11-25T23:30:00"));
    // And in Vladivostok (UTC+10) it is already 07:30 on the 26th.
    let vladivostok = window(20, 25, chrono_tz::Asia::Vladivostok);
    assert!(judge(one(dec!(1)), &[], &[], &vladivostok, "2026-11-25T21:30:00").is_err());
}

#[test]
fn no_window_is_always_open() {
    let settings = Settings::default();
    assert_eq!(settings.time_zone, chrono_tz::Europe::Moscow);
    assert!(judge(one(dec!(1)), &[], &[], &settings, "2026-11-01T00:00:00").is_ok());
}

#[test]
fn a_reading_below_the_latest_known_value_is_refused() {
    let open = Settings::default();
    let readings = [reading("2026-10-25T00:00:00", dec!(100))];
    let refused = judge(
        one(dec!(99.9)),
        &readings,
        &[],
        &open,
        "2026-11-20T00:00:00",
    );
    assert_eq!(
        refused.unwrap_err(),
        Refusal::ReadingDecreases {
            field: "current_data1"
        }
    );
    assert!(judge(one(dec!(100)), &readings, &[], &open, "2026-11-20T00:00:00").is_ok());
    // A pending submission above the imported reading counts; a rejected one does not.
    let pending = [submission(
        "2026-11-19T00:00:00",
        one(dec!(120)),
        SubmissionStatus::Pending,
    )];
    assert!(
        judge(
            one(dec!(110)),
            &readings,
            &pending,
            &open,
            "2026-11-20T00:00:00"
        )
        .is_err()
    );
    let rejected = [submission(
        "2026-11-19T00:00:00",
        one(dec!(120)),
        SubmissionStatus::Rejected,
    )];
    assert!(
        judge(
            one(dec!(110)),
            &readings,
            &rejected,
            &open,
            "2026-11-20T00:00:00"
        )
        .is_ok()
    );
}

#[test]
fn tariffs_must_be_those_of_the_latest_reading() {
    let open = Settings::default();
    let mut two = reading("2026-10-25T00:00:00", dec!(100));
    two.current_data2 = Some(dec!(50));
    let refused = judge(
        one(dec!(101)),
        &[two.clone()],
        &[],
        &open,
        "2026-11-20T00:00:00",
    )
    .unwrap_err();
    assert_eq!(
        refused,
        Refusal::TariffsMismatch {
            field: "current_data2"
        }
    );
    let both = Figures {
        current_data2: Some(dec!(51)),
        ..one(dec!(101))
    };
    assert!(judge(both, &[two], &[], &open, "2026-11-20T00:00:00").is_ok());
}

#[test]
fn a_removed_meter_takes_nothing() {
    let mut counter = meter();
    counter.date_removal = Some(at("2026-11-10T00:00:00"));
    let state = MeterState {
        counter: &counter,
        readings: &[],
        submissions: &[],
    };
    let settings = Settings::default();
    let refused = assess(&one(dec!(1)), state, &settings, utc("2026-11-20T00:00:00"));
    assert_eq!(refused.unwrap_err(), Refusal::CounterRemoved);
    assert!(assess(&one(dec!(1)), state, &settings, utc("2026-11-01T00:00:00")).is_ok());
}

#[test]
fn far_above_the_usual_consumption_is_flagged_not_refused() {
    let open = Settings::default();
    // Ten a month for a year.
    let readings: Vec<Reading> = (0..13)
        .map(|m| {
            let date = format!(
                "{}-{:02}-25T00:00:00",
                2025 + (m + 10) / 12,
                (m + 10) % 12 + 1
            );
            reading(&date, Decimal::from(100 + 10 * m))
        })
        .rev()
        .collect();
    assert_eq!(readings[0].current_data1, dec!(220));
    let now = "2026-11-25T00:00:00";
    let usual = judge(one(dec!(235)), &readings, &[], &open, now).unwrap();
    assert!(!usual.suspicious);
    let far = judge(one(dec!(260)), &readings, &[], &open, now).unwrap();
    assert!(far.suspicious);
    // Without a history there is nothing to compare with.
    let first = judge(one(dec!(100000)), &readings[..1], &[], &open, now).unwrap();
    assert!(!first.suspicious);
}

#[test]
fn submissions_parse_exact_figures_and_refuse_bad_ones() {
    let request = SubmissionRequest::parse(
        r#"{"current_data1": "150,5", "current_data2": 7, "source": "call"}"#,
    )
    .unwrap();
    assert_eq!(request.figures.current_data1, dec!(150.5));
    assert_eq!(request.figures.current_data2, Some(dec!(7)));
    assert_eq!(request.source.as_str(), "call");
    let fields = |text: &str| -> Vec<String> {
        SubmissionRequest::parse(text)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field.unwrap_or_default().into_owned())
            .collect()
    };
    assert_eq!(fields(r#"{"current_data1": -1}"#), ["current_data1"]);
    assert_eq!(fields(r#"{"current_data1": 1e12}"#), ["current_data1"]);
    assert_eq!(fields(r#"{"current_data2": 1}"#), ["current_data1"]);
    assert_eq!(
        fields(r#"{"current_data1": 1, "source": "звонок"}"#),
        ["source"]
    );
    assert_eq!(fields(r#"{"current_data1": 1, "id": "x"}"#), ["id"]);
    assert_eq!(fields("[]"), ["body"]);
}

#[test]
fn acknowledgements_name_the_item_and_field_of_each_problem() {
    let acks = Acknowledgement::parse_all(&format!(
        r#"{{"readings": [{{"id": "{}", "status": "applied"}}, {{"id": "{}", "status": "rejected", "reason": "неверно"}}]}}"#,
        guid(1),
        guid(2)
    ))
    .unwrap();
    assert_eq!(acks[1].answer, Answer::Final(SubmissionStatus::Rejected));
    assert_eq!(acks[1].reason.as_ref().unwrap().as_str(), "неверно");
    let problems =
        Acknowledgement::parse_all(r#"{"readings": [{"id": "x", "status": "done"}]}"#).unwrap_err();
    let found: Vec<_> = problems
        .iter()
        .map(|p| (p.index, p.field.clone().unwrap_or_default().into_owned()))
        .collect();
    assert_eq!(
        found,
        [(Some(0), "id".to_owned()), (Some(0), "status".to_owned())]
    );
}

#[test]
fn a_postponement_is_for_hours_from_one_to_a_week_a_day_unless_named() {
    let ack = |extra: &str| {
        Acknowledgement::parse_all(&format!(
            r#"{{"readings": [{{"id": "{}", "status": "postponed"{extra}}}]}}"#,
            guid(1)
        ))
    };
    let answer = |extra: &str| ack(extra).map(|acks| acks[0].answer);
    assert_eq!(answer(""), Ok(Answer::Postponed { hours: 24 }));
    assert_eq!(
        answer(r#", "hours": null"#),
        Ok(Answer::Postponed { hours: 24 })
    );
    assert_eq!(
        answer(r#", "hours": 1"#),
        Ok(Answer::Postponed { hours: 1 })
    );
    assert_eq!(
        answer(r#", "hours": 168.0"#),
        Ok(Answer::Postponed { hours: 168 })
    );
    for bad in ["0", "169", "1.5", "-1", "\"24\"", "true"] {
        let problems = ack(&format!(r#", "hours": {bad}"#)).unwrap_err();
        assert_eq!(problems[0].field.as_deref(), Some("hours"), "{bad}");
    }
    // Hours, when named, are checked whatever the answer; they apply to a postponement only.
    let applied = Acknowledgement::parse_all(&format!(
        r#"{{"readings": [{{"id": "{}", "status": "applied", "hours": 5}}]}}"#,
        guid(1)
    ))
    .unwrap();
    assert_eq!(applied[0].answer, Answer::Final(SubmissionStatus::Applied));
}

#[test]
fn an_id_is_its_accounts_and_the_offices_id_tells_accounts_apart() {
    let (a, b, sent) = (Guid::random(), Guid::random(), Guid::random());
    let of_a = Submission::office_id(Some(a), sent);
    assert_eq!(
        of_a,
        Submission::office_id(Some(a), sent),
        "a resend finds it"
    );
    assert_ne!(
        of_a,
        Submission::office_id(Some(b), sent),
        "another account's own"
    );
    assert_ne!(of_a, sent);
    // Positive control: the office's own keys keep the id they send.
    assert_eq!(Submission::office_id(None, sent), sent);
}
