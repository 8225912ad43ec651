use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::{Answer, Api, fields, problem, user_id, user_with_token};

const SECRET: &str = "whsec-test-0123456789";

/// Team North with an AM who manages Acme (external id crm-1); sources "monitor" (internal)
/// and "helpdesk".
async fn fixture() -> TestApp {
    let app = TestApp::spawn().await;
    let token = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let ann = user_id(&app, "ann@example.com").await;
    let acme = Api::new(&app, Some(&token))
        .post(
            "/api/v1/accounts",
            &json!({"name": "Acme", "manager_id": ann, "external_id": "crm-1"}),
        )
        .await;
    assert_eq!(acme.status, StatusCode::CREATED, "{:?}", acme.json);
    // Written directly: a source made on the admin page gets a random secret, and these tests
    // sign with a known one.
    for (name, internal) in [("monitor", true), ("helpdesk", false)] {
        mend::db::intake::create(&app.db.pool, name, SECRET, internal, None, None, ann)
            .await
            .expect("source");
    }
    app
}

async fn deliver(app: &TestApp, source: &str, body: &Value, secret: &str, at: i64) -> Answer {
    let bytes = serde_json::to_vec(body).expect("json");
    let signature = mend::api::intake::signature(secret, at, &bytes);
    let api = Api::new(app, None);
    api.send(
        api.request(Method::POST, &format!("/api/v1/intake/{source}"))
            .header("content-type", "application/json")
            .header("x-mend-timestamp", at.to_string())
            .header("x-mend-signature", signature)
            .body(bytes),
    )
    .await
}

fn event(id: &str) -> Value {
    json!({
        "event_id": id,
        "account": {"external_id": "crm-1"},
        "title": "API latency over 2 s for 30 minutes",
        "what_happened": "Checkout pages timed out for Acme's customers.",
        "severity": "critical"
    })
}

async fn cases(app: &TestApp) -> Vec<(i64, String, String)> {
    sqlx::query_as(
        "select c.number, c.detected_by, u.email from cases c join users u on u.id = c.owner_id
         order by c.number",
    )
    .fetch_all(&app.db.pool)
    .await
    .expect("cases")
}

#[tokio::test]
async fn a_signed_event_opens_one_case_however_often_it_is_delivered() {
    let app = fixture().await;
    let now = chrono::Utc::now().timestamp();
    let first = deliver(&app, "monitor", &event("evt-1"), SECRET, now).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:#?}");
    assert_eq!(first.json["duplicate"], false);
    let number = first.json["number"].as_i64().expect("number");

    // A retry, even re-signed later, answers with the same case.
    let retry = deliver(&app, "monitor", &event("evt-1"), SECRET, now + 5).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.json["number"], json!(number));
    assert_eq!(retry.json["duplicate"], true);
    // Internal monitoring: detected by us; owned by the account's manager; stage Detected.
    assert_eq!(
        cases(&app).await,
        vec![(number, "us".to_string(), "ann@example.com".to_string())]
    );
    let stage: String = sqlx::query_scalar("select stage from cases")
        .fetch_one(&app.db.pool)
        .await
        .expect("stage");
    assert_eq!(stage, "detected");

    // The same event id from another source is another event; by name, any case; a helpdesk
    // reports what the client noticed.
    let mut by_name = event("evt-1");
    by_name["account"] = json!({"name": "ACME"});
    let other = deliver(&app, "helpdesk", &by_name, SECRET, now).await;
    assert_eq!(other.status, StatusCode::CREATED, "{other:#?}");
    let all = cases(&app).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].1, "client");

    // Deliveries at once of one new event: one case.
    let twice = event("evt-2");
    let (a, b) = tokio::join!(
        deliver(&app, "monitor", &twice, SECRET, now),
        deliver(&app, "monitor", &twice, SECRET, now)
    );
    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::OK, StatusCode::CREATED]);
    assert_eq!(a.json["number"], b.json["number"]);
    assert_eq!(cases(&app).await.len(), 3);
}

#[tokio::test]
async fn bad_signatures_stale_requests_and_bad_events_are_refused() {
    let app = fixture().await;
    let now = chrono::Utc::now().timestamp();
    problem(
        &deliver(&app, "monitor", &event("e"), "wrong-secret", now).await,
        StatusCode::UNAUTHORIZED,
    );
    // A replay of a captured request, ten minutes later.
    let stale = deliver(&app, "monitor", &event("e"), SECRET, now - 600).await;
    assert!(
        problem(&stale, StatusCode::UNAUTHORIZED)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("replayed"))
    );
    problem(
        &deliver(&app, "nowhere", &event("e"), SECRET, now).await,
        StatusCode::NOT_FOUND,
    );
    // Unsigned.
    let api = Api::new(&app, None);
    let unsigned = api
        .send(
            api.request(Method::POST, "/api/v1/intake/monitor")
                .json(&event("e")),
        )
        .await;
    problem(&unsigned, StatusCode::UNAUTHORIZED);
    // A body changed after signing.
    let bytes = serde_json::to_vec(&event("e")).expect("json");
    let signature = mend::api::intake::signature(SECRET, now, &bytes);
    let tampered = api
        .send(
            api.request(Method::POST, "/api/v1/intake/monitor")
                .header("content-type", "application/json")
                .header("x-mend-timestamp", now.to_string())
                .header("x-mend-signature", signature)
                .body(serde_json::to_vec(&event("f")).expect("json")),
        )
        .await;
    problem(&tampered, StatusCode::UNAUTHORIZED);

    let mut unknown_account = event("e");
    unknown_account["account"] = json!({"external_id": "crm-404"});
    assert_eq!(
        fields(&deliver(&app, "monitor", &unknown_account, SECRET, now).await),
        vec!["account"]
    );
    let mut extra = event("e");
    extra["priority"] = json!("P1");
    assert_eq!(
        fields(&deliver(&app, "monitor", &extra, SECRET, now).await),
        vec!["priority"]
    );
    let mut wrong_type = event("e");
    wrong_type["severity"] = json!(5);
    assert_eq!(
        fields(&deliver(&app, "monitor", &wrong_type, SECRET, now).await),
        vec!["severity"]
    );

    // A turned-off source answers as if it did not exist.
    sqlx::query("update intake_sources set disabled_at = now() where name = 'monitor'")
        .execute(&app.db.pool)
        .await
        .expect("disable");
    problem(
        &deliver(&app, "monitor", &event("e"), SECRET, now).await,
        StatusCode::NOT_FOUND,
    );
    assert!(cases(&app).await.is_empty(), "nothing was opened");
}

#[tokio::test]
async fn an_admin_sets_up_a_source_in_the_browser_and_it_works_until_turned_off() {
    let app = fixture().await;
    let admin = app.signed_in("admin").await;
    let am = app.signed_in("account_manager").await;
    let not_for_ams = am.get("/admin/intake").await.status;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&not_for_ams),
        "{not_for_ams}"
    );

    let refused = admin
        .submit(
            "/admin/intake",
            "/admin/intake",
            &[("name", "Help Desk!"), ("internal", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some("Help Desk!")
    );
    assert_eq!(refused.attr("#internal", "checked").as_deref(), Some(""));
    let taken = admin
        .submit("/admin/intake", "/admin/intake", &[("name", "monitor")])
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);

    let made = admin
        .submit(
            "/admin/intake",
            "/admin/intake",
            &[("name", "statuspage"), ("internal", "1")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = admin.get("/admin/intake").await;
    let secret = page.text("#source-statuspage details code");
    assert!(secret.starts_with("whsec_"), "{secret}");

    let now = chrono::Utc::now().timestamp();
    let opened = deliver(&app, "statuspage", &event("sp-1"), &secret, now).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:#?}");

    let id: uuid::Uuid =
        sqlx::query_scalar("select id from intake_sources where name = 'statuspage'")
            .fetch_one(&app.db.pool)
            .await
            .expect("source");
    let rotated = admin
        .submit(
            "/admin/intake",
            &format!("/admin/intake/{id}"),
            &[("action", "rotate")],
        )
        .await;
    assert_eq!(rotated.status, StatusCode::SEE_OTHER);
    problem(
        &deliver(&app, "statuspage", &event("sp-2"), &secret, now).await,
        StatusCode::UNAUTHORIZED,
    );
    let off = admin
        .submit(
            "/admin/intake",
            &format!("/admin/intake/{id}"),
            &[("action", "disable")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(
        admin
            .get("/admin/intake")
            .await
            .text("#source-statuspage h2")
            .contains("turned off")
    );
}
