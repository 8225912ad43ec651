//! Tests of the case's inputs (`domain::case`).

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn incident() -> IncidentForm {
    IncidentForm {
        account_id: Uuid::nil().to_string(),
        title: " Missed the launch ".into(),
        what_happened: "We shipped late.".into(),
        category_id: Uuid::nil().to_string(),
        severity: "high".into(),
        detected_by: "client".into(),
        occurred_at: "2026-11-20T10:30".into(),
        ..IncidentForm::default()
    }
}

#[test]
fn an_incident_parses_with_its_time_in_the_users_zone() {
    let berlin: Tz = "Europe/Berlin".parse().expect("tz");
    let i = incident().parse(berlin, now()).expect("valid");
    assert_eq!(i.title, "Missed the launch");
    assert_eq!(i.severity, Severity::High);
    assert_eq!(i.detected_by, DetectedBy::Client);
    assert_eq!(
        i.occurred_at,
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
            .single()
            .expect("t")
    );
}

#[test]
fn an_empty_occurred_at_means_now() {
    let i = IncidentForm {
        occurred_at: String::new(),
        ..incident()
    }
    .parse(Tz::UTC, now())
    .expect("valid");
    assert_eq!(i.occurred_at, now());
}

#[test]
fn a_future_or_malformed_time_is_refused() {
    let future = IncidentForm {
        occurred_at: "2026-12-01T10:00".into(),
        ..incident()
    };
    assert!(
        future
            .parse(Tz::UTC, now())
            .expect_err("future")
            .get("occurred_at")
            .expect("msg")
            .contains("future")
    );
    let bad = IncidentForm {
        occurred_at: "yesterday".into(),
        ..incident()
    };
    assert!(
        bad.parse(Tz::UTC, now())
            .expect_err("bad")
            .get("occurred_at")
            .expect("msg")
            .contains("not a date")
    );
}

#[test]
fn every_missing_or_bad_incident_field_is_reported() {
    let errors = IncidentForm {
        title: "x".repeat(4000),
        ..IncidentForm::default()
    }
    .parse(Tz::UTC, now())
    .expect_err("invalid");
    for field in [
        "account_id",
        "title",
        "category_id",
        "severity",
        "detected_by",
    ] {
        assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    }
    let errors = IncidentForm {
        title: "  ".into(),
        ..incident()
    }
    .parse(Tz::UTC, now())
    .expect_err("blank");
    assert_eq!(errors.get("title"), Some("Enter a short title."));
}

#[test]
fn a_conversation_needs_channel_person_summary_and_mood() {
    let ok = ConversationForm {
        channel: "phone".into(),
        with_whom: "Jo".into(),
        summary: "Listened to the whole complaint.".into(),
        sentiment: "-1".into(),
        listened_fully: Some("on".into()),
        ..ConversationForm::default()
    }
    .parse(Tz::UTC, now())
    .expect("valid");
    assert_eq!(ok.channel, Channel::Phone);
    assert!(ok.listened_fully && !ok.validated_feelings);
    assert_eq!(ok.happened_at, now());
    let errors = ConversationForm {
        sentiment: "3".into(),
        ..ConversationForm::default()
    }
    .parse(Tz::UTC, now())
    .expect_err("bad");
    for field in ["channel", "with_whom", "summary", "sentiment"] {
        assert!(errors.get(field).is_some(), "{field}");
    }
}

#[test]
fn a_reparation_is_something_or_an_explained_nothing() {
    let with_cost = ReparationForm {
        what: "Free month".into(),
        cost: "1,200".into(),
        ..ReparationForm::default()
    }
    .parse()
    .expect("valid");
    assert_eq!(with_cost.cost_minor, Some(120_000));
    assert!(
        ReparationForm {
            none_reason: "They asked for nothing".into(),
            ..ReparationForm::default()
        }
        .parse()
        .is_ok()
    );
    assert!(ReparationForm::default().parse().is_err());
    assert!(
        ReparationForm {
            what: "x".into(),
            none_reason: "y".into(),
            ..ReparationForm::default()
        }
        .parse()
        .is_err()
    );
    assert!(
        ReparationForm {
            what: "x".into(),
            cost: "-1".into(),
            ..ReparationForm::default()
        }
        .parse()
        .is_err()
    );
}

#[test]
fn an_action_needs_an_owner_and_a_real_date() {
    let owner = Uuid::new_v4().to_string();
    let a = ActionForm {
        what: "Call Jo".into(),
        owner_id: owner.clone(),
        due_date: "2026-12-01".into(),
    }
    .parse(NaiveDate::from_ymd_opt(2026, 12, 3).expect("day"))
    .expect("valid");
    assert_eq!(a.due_date, NaiveDate::from_ymd_opt(2026, 12, 1));
    let e = ActionForm {
        what: "".into(),
        owner_id: "".into(),
        due_date: "31/12".into(),
    }
    .parse(NaiveDate::from_ymd_opt(2026, 12, 3).expect("day"))
    .expect_err("bad");
    for field in ["what", "owner_id", "due_date"] {
        assert!(e.get(field).is_some(), "{field}");
    }
}

#[test]
fn choices_parse_their_stored_names() {
    for s in Severity::ALL {
        assert_eq!(Severity::parse(s.as_str()), Ok(*s));
    }
    for c in Channel::ALL {
        assert_eq!(Channel::parse(c.as_str()), Ok(*c));
    }
    assert!(Channel::parse("pigeon").is_err());
    assert_eq!(parse_sentiment("+2"), Ok(2));
    assert!(parse_sentiment("-3").is_err());
}

#[test]
fn a_time_that_a_clock_change_skips_is_refused() {
    let berlin: Tz = "Europe/Berlin".parse().expect("tz");
    assert!(parse_local_time("2026-03-29T02:30", berlin).is_err());
}
