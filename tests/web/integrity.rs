//! Defects found by trying Mend from outside (issue 15): dates out of range, check-ins
//! recorded before their day, links to an address Mend is not on, return addresses, words.

use reqwest::StatusCode;

use crate::common::TestApp;

#[tokio::test]
async fn a_conversation_dated_in_year_zero_is_refused_and_the_case_page_still_renders() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    for (raw, says) in [
        ("0000-01-01T00:00", "2000"),
        ("1899-12-31T10:00", "2000"),
        ("275760-09-13T00:00", "not a date"),
        ("-0001-01-01T00:00", "not a date"),
        ("2099-01-01T10:00", "future"),
    ] {
        let refused = am
            .submit(
                &case,
                &format!("{case}/conversations"),
                &[
                    ("channel", "phone"),
                    ("with_whom", "Jo Park"),
                    ("happened_at", raw),
                    ("summary", "Called to apologise."),
                    ("sentiment", "0"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{raw}");
        let error = refused.text("#happened_at-error");
        assert!(error.contains(says), "{raw}: {error}");
        assert_eq!(
            refused.attr("#happened_at", "value").as_deref(),
            Some(raw),
            "the input is kept"
        );
    }
    // A value stored before the checks (or by hand) never breaks the page.
    sqlx::query(
        "insert into conversations (case_id, channel, with_whom, happened_at, summary, sentiment)
         select id, 'phone', 'Jo', '0001-01-01 00:00:00+00 BC', 'Ancient', 0 from cases",
    )
    .execute(&app.db.pool)
    .await
    .expect("an old conversation");
    let page = am.get(&case).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text("#conversations").contains("Ancient"));
    for path in ["/cases", "/", "/dashboard/weekly"] {
        assert_eq!(am.get(path).await.status, StatusCode::OK, "{path}");
    }
    let manager = app.signed_in("manager").await;
    for path in ["/review", "/dashboard/weekly", "/lessons", &case] {
        assert_eq!(manager.get(path).await.status, StatusCode::OK, "{path}");
    }
}
