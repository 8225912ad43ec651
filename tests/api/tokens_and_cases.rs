use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::TestApp;
use crate::{Api, browser, category_id, fields, problem, team_id, user_id, user_with_token};

#[tokio::test]
async fn a_token_made_on_the_settings_page_works_until_revoked_and_is_stored_hashed() {
    let app = TestApp::spawn().await;
    let page_user = app.signed_in("account_manager").await;

    // Refused input is kept, with the error tied to the field.
    let refused = page_user
        .submit(
            "/settings",
            "/settings/tokens",
            &[("token_name", "Sync"), ("token_expires", "yesterday")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attr("#token_name", "value").as_deref(),
        Some("Sync")
    );
    assert_eq!(
        refused
            .attr("#token_expires", "aria-describedby")
            .as_deref(),
        Some("token_expires-error")
    );

    let made = page_user
        .submit(
            "/settings",
            "/settings/tokens",
            &[("token_name", "Helpdesk sync"), ("token_expires", "")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let raw = made.text("#new-token");
    assert!(raw.starts_with("mend_") && raw.len() == 5 + 64, "{raw}");
    // Shown once: the next visit lists it without the token itself.
    let again = page_user.get("/settings").await;
    assert!(!again.body.contains(&raw));
    assert!(again.text("#token-list tbody").contains("Helpdesk sync"));

    // Only the hash is stored.
    let hash: Vec<u8> = sqlx::query_scalar("select token_hash from api_tokens")
        .fetch_one(&app.db.pool)
        .await
        .expect("stored");
    assert_eq!(hash, Sha256::digest(raw.as_bytes()).to_vec());
    let leaks: i64 =
        sqlx::query_scalar("select count(*) from api_tokens t where t::text like '%' || $1 || '%'")
            .bind(&raw[5..])
            .fetch_one(&app.db.pool)
            .await
            .expect("search");
    assert_eq!(leaks, 0, "the raw token is somewhere in the database");

    let api = Api::new(&app, Some(&raw));
    let list = api.get("/api/v1/cases").await;
    assert_eq!(list.status, StatusCode::OK, "{list:#?}");
    assert_eq!(list.json["items"], json!([]));
    assert!(
        page_user
            .get("/settings")
            .await
            .text("#token-list tbody")
            .contains("active")
    );
    let used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select last_used_at from api_tokens")
            .fetch_one(&app.db.pool)
            .await
            .expect("last used");
    assert!(used.is_some(), "last use recorded");

    let id: uuid::Uuid = sqlx::query_scalar("select id from api_tokens")
        .fetch_one(&app.db.pool)
        .await
        .expect("id");
    let revoked = page_user
        .submit(
            "/settings",
            &format!("/settings/tokens/{id}/revoke"),
            &[("confirmed", "1")],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let refused = api.get("/api/v1/cases").await;
    assert!(
        problem(&refused, StatusCode::UNAUTHORIZED)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("revoked"))
    );
    // Revoking needs the form's CSRF token.
    let forged = page_user
        .post_raw(&format!("/settings/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn missing_wrong_expired_tokens_and_cookies_are_refused() {
    let app = TestApp::spawn().await;
    let browser_user = app.signed_in("manager").await;

    let none = Api::new(&app, None).get("/api/v1/cases").await;
    problem(&none, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.headers
            .get("www-authenticate")
            .map(|v| v.to_str().ok()),
        Some(Some("Bearer"))
    );
    let wrong = Api::new(&app, Some("mend_0000")).get("/api/v1/cases").await;
    problem(&wrong, StatusCode::UNAUTHORIZED);

    // A signed-in browser's cookie is not accepted by the API.
    let cookie = browser_user.session_cookie().expect("session cookie");
    let api = Api::new(&app, None);
    let with_cookie = api
        .send(
            api.request(Method::GET, "/api/v1/cases")
                .header("cookie", format!("{}={cookie}", mend::SESSION_COOKIE)),
        )
        .await;
    problem(&with_cookie, StatusCode::UNAUTHORIZED);

    app.create_user("old@example.com", "account_manager", Some("North"))
        .await;
    let id = user_id(&app, "old@example.com").await;
    let expired = mend::db::api_tokens::create(
        &app.db.pool,
        id,
        "old",
        Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
    )
    .await
    .expect("token");
    let answer = Api::new(&app, Some(&expired)).get("/api/v1/cases").await;
    assert!(
        problem(&answer, StatusCode::UNAUTHORIZED)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired"))
    );

    // A deactivated user's tokens stop working.
    let token = mend::db::api_tokens::create(&app.db.pool, id, "new", None)
        .await
        .expect("token");
    assert_eq!(
        Api::new(&app, Some(&token))
            .get("/api/v1/cases")
            .await
            .status,
        StatusCode::OK
    );
    // An admin deactivates them on the user's page.
    let admin = app.signed_in("admin").await;
    let confirm = format!("/admin/users/{id}/deactivate");
    let res = admin.submit(&confirm, &confirm, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    problem(
        &Api::new(&app, Some(&token)).get("/api/v1/cases").await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn an_incident_created_through_the_api_shows_on_the_account_managers_my_work() {
    let app = TestApp::spawn().await;
    let token = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let api = Api::new(&app, Some(&token));

    let account = api
        .post(
            "/api/v1/accounts",
            &json!({"name": "Acme Ltd", "annual_value_minor": 1_250_000, "external_id": "crm-42"}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{account:#?}");
    assert_eq!(account.json["external_id"], "crm-42");
    assert_eq!(account.json["annual_value_minor"], 1_250_000);
    assert_eq!(account.json["team_id"], json!(team_id(&app, "North").await));
    let account_id = account.json["id"].as_str().expect("id").to_string();
    // The same external id twice is refused, naming the field.
    let twice = api
        .post(
            "/api/v1/accounts",
            &json!({"name": "Other", "external_id": "crm-42"}),
        )
        .await;
    assert_eq!(fields(&twice), vec!["external_id"]);
    let same_name = api
        .post("/api/v1/accounts", &json!({"name": "acme ltd"}))
        .await;
    assert_eq!(fields(&same_name), vec!["name"]);

    let created = api
        .post(
            "/api/v1/cases",
            &json!({
                "account_id": account_id,
                "title": "Invoice sent twice",
                "what_happened": "The client was billed twice for October.",
                "category_id": category_id(&app).await,
                "severity": "high",
                "detected_by": "client",
                "occurred_at": "2026-11-02T09:30:00Z"
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:#?}");
    let number = created.json["number"].as_i64().expect("number");
    assert_eq!(created.json["stage"], "detected");
    assert_eq!(created.json["occurred_at"], "2026-11-02T09:30:00Z");
    assert_eq!(
        created
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some(format!("/api/v1/cases/{number}").as_str())
    );

    let got = api.get(&format!("/api/v1/cases/CR-{number}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json["title"], "Invoice sent twice");
    assert_eq!(got.json["account_name"], "Acme Ltd");

    let talk = api
        .post(
            &format!("/api/v1/cases/{number}/conversations"),
            &json!({"channel": "phone", "with_whom": "Jo (CFO)", "summary": "Apologised; refund on its way.", "sentiment": -1, "took_responsibility": true}),
        )
        .await;
    assert_eq!(talk.status, StatusCode::CREATED, "{talk:#?}");

    // The AM sees it on My work and the conversation on the case page.
    let ann = browser(&app, "ann@example.com").await;
    let home = ann.get("/").await;
    assert!(
        home.body.contains(&format!("CR-{number}")),
        "My work: {}",
        home.body
    );
    let case_page = ann.get(&format!("/cases/CR-{number}")).await;
    assert!(case_page.body.contains("Apologised; refund on its way."));

    // A check-in completed through the API, once.
    ann.plan_weekly(
        &format!("/cases/CR-{number}"),
        chrono::Utc::now().date_naive(),
    )
    .await;
    let check_in: uuid::Uuid =
        sqlx::query_scalar("select id from check_ins order by due_date limit 1")
            .fetch_one(&app.db.pool)
            .await
            .expect("check-in");
    let body = json!({"channel": "video", "summary": "Refund arrived; relieved.", "sentiment": 1});
    let done = api
        .post(&format!("/api/v1/check-ins/{check_in}/complete"), &body)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{done:#?}");
    let status: String = sqlx::query_scalar("select status from check_ins where id = $1")
        .bind(check_in)
        .fetch_one(&app.db.pool)
        .await
        .expect("status");
    assert_eq!(status, "done");
    problem(
        &api.post(&format!("/api/v1/check-ins/{check_in}/complete"), &body)
            .await,
        StatusCode::CONFLICT,
    );
}

#[tokio::test]
async fn lists_page_with_cursors_and_respect_visibility() {
    let app = TestApp::spawn().await;
    let ann = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let sam = user_with_token(&app, "sam@example.com", "account_manager", "South").await;
    let north = Api::new(&app, Some(&ann));
    let south = Api::new(&app, Some(&sam));
    let account = north
        .post("/api/v1/accounts", &json!({"name": "Acme"}))
        .await;
    let account_id = account.json["id"].clone();
    let category = category_id(&app).await;
    let mut numbers = Vec::new();
    for title in ["First", "Second", "Third"] {
        let c = north
            .post(
                "/api/v1/cases",
                &json!({"account_id": account_id, "title": title, "category_id": category, "severity": "low", "detected_by": "us"}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{c:#?}");
        numbers.push(c.json["number"].as_i64().expect("number"));
    }
    let first = north.get("/api/v1/cases?limit=2").await;
    assert_eq!(first.status, StatusCode::OK, "{first:#?}");
    let titles = |a: &crate::Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["title"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(titles(&first), vec!["Third", "Second"]);
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let second = north
        .get(&format!("/api/v1/cases?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(titles(&second), vec!["First"]);
    assert_eq!(second.json["next_cursor"], Value::Null);
    let filtered = north.get("/api/v1/cases?q=second&severity=low").await;
    assert_eq!(titles(&filtered), vec!["Second"]);

    // Another team's AM sees none of it: an empty list, and 404 for the case itself.
    assert_eq!(
        titles(&south.get("/api/v1/cases").await),
        Vec::<String>::new()
    );
    let hidden = south.get(&format!("/api/v1/cases/{}", numbers[0])).await;
    problem(&hidden, StatusCode::NOT_FOUND);
    let talk = south
        .post(
            &format!("/api/v1/cases/{}/conversations", numbers[0]),
            &json!({"channel": "phone", "with_whom": "Jo", "summary": "Hi", "sentiment": 0}),
        )
        .await;
    problem(&talk, StatusCode::NOT_FOUND);
    let foreign_case = south
        .post(
            "/api/v1/cases",
            &json!({"account_id": account_id, "title": "Not mine", "category_id": category, "severity": "low", "detected_by": "us"}),
        )
        .await;
    assert_eq!(fields(&foreign_case), vec!["account_id"]);
    let accounts = south.get("/api/v1/accounts").await;
    assert_eq!(accounts.json["items"], json!([]));

    // Account pages.
    for name in ["Beta", "Gamma"] {
        north.post("/api/v1/accounts", &json!({"name": name})).await;
    }
    let page1 = north.get("/api/v1/accounts?limit=2").await;
    let names = |a: &crate::Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(&page1), vec!["Acme", "Beta"]);
    let next = page1.json["next_cursor"]
        .as_str()
        .expect("next")
        .to_string();
    assert_eq!(
        names(
            &north
                .get(&format!("/api/v1/accounts?limit=2&cursor={next}"))
                .await
        ),
        vec!["Gamma"]
    );

    // Bad parameters name themselves.
    assert_eq!(
        fields(&north.get("/api/v1/cases?limit=0").await),
        vec!["limit"]
    );
    assert_eq!(
        fields(&north.get("/api/v1/cases?cursor=nonsense").await),
        vec!["cursor"]
    );
    assert_eq!(
        fields(&north.get("/api/v1/cases?stage=lost").await),
        vec!["stage"]
    );
    assert_eq!(
        fields(&north.get("/api/v1/cases?colour=red").await),
        vec!["query"]
    );
    problem(
        &north.get("/api/v1/cases/CR-nope").await,
        StatusCode::NOT_FOUND,
    );
    problem(
        &north.get("/api/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
    );
}

#[tokio::test]
async fn bad_bodies_get_problem_documents_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let api = Api::new(&app, Some(&token));
    let account = api.post("/api/v1/accounts", &json!({"name": "Acme"})).await;
    let good = json!({
        "account_id": account.json["id"],
        "title": "Late report",
        "category_id": category_id(&app).await,
        "severity": "medium",
        "detected_by": "us"
    });
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };

    let malformed = api
        .post_raw(
            "/api/v1/cases",
            "application/json",
            b"{\"title\": ".to_vec(),
        )
        .await;
    problem(&malformed, StatusCode::BAD_REQUEST);
    let not_json = api
        .post_raw("/api/v1/cases", "text/plain", b"hello".to_vec())
        .await;
    problem(&not_json, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        fields(&api.post("/api/v1/cases", &with("severity", json!(3))).await),
        vec!["severity"]
    );
    assert_eq!(
        fields(
            &api.post("/api/v1/cases", &with("severity", json!("dire")))
                .await
        ),
        vec!["severity"]
    );
    assert_eq!(
        fields(
            &api.post("/api/v1/cases", &with("colour", json!("red")))
                .await
        ),
        vec!["colour"]
    );
    assert_eq!(
        fields(
            &api.post("/api/v1/cases", &with("title", json!("   ")))
                .await
        ),
        vec!["title"]
    );
    assert_eq!(
        fields(
            &api.post("/api/v1/cases", &with("account_id", json!("not-a-uuid")))
                .await
        ),
        vec!["account_id"]
    );
    assert_eq!(
        fields(
            &api.post(
                "/api/v1/cases",
                &with("occurred_at", json!("2999-01-01T00:00:00Z"))
            )
            .await
        ),
        vec!["occurred_at"]
    );
    let huge = with("what_happened", json!("x".repeat(100 * 1024)));
    problem(
        &api.post("/api/v1/cases", &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    // Nothing was created by any of these.
    let cases: i64 = sqlx::query_scalar("select count(*) from cases")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(cases, 0);
    assert_eq!(
        api.post("/api/v1/cases", &good).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn each_token_is_rate_limited() {
    let settings = mend::Settings {
        api_rate_per_minute: 3,
        ..mend::Settings::default()
    };
    let app = TestApp::spawn_with(settings).await;
    let one = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let other = user_with_token(&app, "bob@example.com", "account_manager", "North").await;
    let api = Api::new(&app, Some(&one));
    for _ in 0..3 {
        assert_eq!(api.get("/api/v1/accounts").await.status, StatusCode::OK);
    }
    let limited = api.get("/api/v1/accounts").await;
    problem(&limited, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.get("retry-after").is_some());
    // Another token is not affected.
    assert_eq!(
        Api::new(&app, Some(&other))
            .get("/api/v1/accounts")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_lists_every_route() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app, None);
    let doc = api.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(
        doc.json["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{:?}",
        doc.json["openapi"]
    );
    assert!(doc.json["info"]["title"].is_string());
    let paths = doc.json["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            assert!(op["responses"].is_object(), "{method} {path} has responses");
            operations.push((method.to_uppercase(), path.clone()));
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        vec![
            ("GET".to_string(), "/api/v1/accounts".to_string()),
            ("GET".into(), "/api/v1/cases".into()),
            ("GET".into(), "/api/v1/cases/{number}".into()),
            ("POST".into(), "/api/v1/accounts".into()),
            ("POST".into(), "/api/v1/cases".into()),
            ("POST".into(), "/api/v1/cases/{number}/conversations".into()),
            ("POST".into(), "/api/v1/check-ins/{id}/complete".into()),
            ("POST".into(), "/api/v1/intake/{source}".into()),
        ]
    );
    // Every documented operation is served (an unauthenticated call is refused, not missing),
    // and every $ref resolves.
    for (method, path) in &operations {
        let concrete = path
            .replace("{number}", "1001")
            .replace("{id}", &uuid::Uuid::nil().to_string())
            .replace("{source}", "nowhere");
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let answer = api
            .send(api.request(method.clone(), &concrete).json(&json!({})))
            .await;
        let expected = if path.contains("intake") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(answer.status, expected, "{method} {concrete}: {answer:#?}");
        assert_eq!(answer.content_type, "application/problem+json");
    }
    let text = doc.json.to_string();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().expect("name");
        assert!(
            doc.json["components"]["schemas"][name].is_object(),
            "unresolved $ref {name}"
        );
    }
    // A route the router serves but the document does not list would be a 401 here, not 404.
    problem(&api.get("/api/v1/users").await, StatusCode::NOT_FOUND);

    // The readable reference lists each operation; anyone may read it once Mend is set up.
    app.create_user("reader@example.com", "account_manager", Some("North"))
        .await;
    let reference = app.client().get("/api").await;
    assert_eq!(reference.status, StatusCode::OK);
    for (method, path) in &operations {
        assert!(
            reference.body.contains(&format!("{method} {path}")),
            "{method} {path} on /api"
        );
    }
}

/// PostgreSQL stores no NUL character in text: one anywhere in a request is refused up front,
/// never a 500 (found by scripts/api-fuzz.sh).
#[tokio::test]
async fn nul_characters_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let token = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let api = Api::new(&app, Some(&token));
    problem(
        &api.get("/api/v1/accounts?q=a%00b").await,
        StatusCode::BAD_REQUEST,
    );
    let body = json!({"name": "Acme\u{0}Ltd"});
    assert_eq!(
        fields(&api.post("/api/v1/accounts", &body).await),
        vec!["name"]
    );

    let browser = browser(&app, "ann@example.com").await;
    assert_eq!(
        browser.get("/cases?q=a%00b").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        browser.get("/accounts?q=%00").await.status,
        StatusCode::BAD_REQUEST
    );
    let form = browser
        .submit("/accounts/new", "/accounts", &[("name", "Acme\u{0}Ltd")])
        .await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST);
    let accounts: i64 = sqlx::query_scalar("select count(*) from accounts")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(accounts, 0);
}

#[tokio::test]
async fn dates_out_of_range_are_refused_and_no_page_breaks() {
    let app = TestApp::spawn().await;
    let token = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let api = Api::new(&app, Some(&token));
    let account = api.post("/api/v1/accounts", &json!({"name": "Acme"})).await;
    let base = json!({
        "account_id": account.json["id"],
        "title": "Late report",
        "category_id": category_id(&app).await,
        "severity": "medium",
        "detected_by": "us"
    });
    for bad in [
        "-000001-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "1999-12-31T23:00:00Z",
    ] {
        let mut body = base.clone();
        body["occurred_at"] = json!(bad);
        let refused = api.post("/api/v1/cases", &body).await;
        assert_eq!(fields(&refused), vec!["occurred_at"], "{bad}");
        assert!(
            refused.json["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("2000"),
            "{bad}: {refused:#?}"
        );
    }
    let created = api.post("/api/v1/cases", &base).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:#?}");
    let number = created.json["number"].as_i64().expect("number");
    let path = format!("/api/v1/cases/{number}/conversations");
    let conversation = |at: &str| {
        json!({
            "channel": "phone",
            "with_whom": "Jo",
            "happened_at": at,
            "summary": "Called.",
            "sentiment": 0
        })
    };
    let refused = api
        .post(&path, &conversation("-000001-01-01T00:00:00Z"))
        .await;
    assert_eq!(fields(&refused), vec!["happened_at"], "{refused:#?}");
    let refused = api.post(&path, &conversation("2999-01-01T00:00:00Z")).await;
    assert_eq!(fields(&refused), vec!["happened_at"], "{refused:#?}");
    let fine = api.post(&path, &conversation("2026-01-05T10:00:00Z")).await;
    assert_eq!(fine.status, StatusCode::CREATED, "{fine:#?}");
    let page = browser(&app, "ann@example.com")
        .await
        .get(&format!("/cases/CR-{number}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
}

/// What the API answers to malformed requests is in its OpenAPI document (Schemathesis found
/// 400 and 415 answers that were not).
#[tokio::test]
async fn every_status_a_malformed_request_gets_is_documented() {
    let app = TestApp::spawn().await;
    let token = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let api = Api::new(&app, Some(&token));
    let doc = api.get("/api/v1/openapi.json").await.json;
    let documented = |method: &str, path: &str, status: StatusCode| {
        doc["paths"][path][method]["responses"][status.as_str()].is_object()
    };
    let nil = uuid::Uuid::nil().to_string();
    let posts = [
        ("/api/v1/cases", "/api/v1/cases".to_string()),
        ("/api/v1/accounts", "/api/v1/accounts".to_string()),
        (
            "/api/v1/cases/{number}/conversations",
            "/api/v1/cases/1001/conversations".to_string(),
        ),
        (
            "/api/v1/check-ins/{id}/complete",
            format!("/api/v1/check-ins/{nil}/complete"),
        ),
    ];
    for (path, concrete) in &posts {
        let malformed = api
            .post_raw(concrete, "application/json", b"{\"title\": ".to_vec())
            .await;
        let not_json = api.post_raw(concrete, "text/plain", b"hi".to_vec()).await;
        let huge = api
            .post_raw(concrete, "application/json", vec![b' '; 200 * 1024])
            .await;
        for answer in [malformed, not_json, huge] {
            assert!(
                documented("post", path, answer.status),
                "POST {path} answered {} without it being documented",
                answer.status
            );
        }
    }
    for (path, query) in [
        ("/api/v1/cases", "?limit=many&stage=nowhere&cursor=%%%"),
        ("/api/v1/accounts", "?limit=-1&cursor=zzz"),
        ("/api/v1/cases", "?q=%00"),
    ] {
        let answer = api.get(&format!("{path}{query}")).await;
        assert!(
            documented("get", path, answer.status),
            "GET {path}{query} answered {} without it being documented",
            answer.status
        );
    }
    // Every operation documents the answers any request may get.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            for status in ["400", "503"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{method} {path} lacks {status}"
                );
            }
            if !path.contains("intake") {
                assert!(
                    op["responses"]["429"].is_object(),
                    "{method} {path} lacks 429"
                );
            }
            if method == "post" {
                for status in ["413", "415"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
}

/// The OpenAPI document names the moods a sentiment stands for and its range, wherever one is
/// recorded (a conversation, a check-in).
#[tokio::test]
async fn the_api_document_says_what_each_mood_means() {
    let app = TestApp::spawn().await;
    let token = user_with_token(&app, "ann@example.com", "account_manager", "North").await;
    let api = Api::new(&app, Some(&token));
    let doc = api.get("/api/v1/openapi.json").await.json;
    for schema in ["NewConversation", "CompletedCheckIn"] {
        let sentiment = &doc["components"]["schemas"][schema]["properties"]["sentiment"];
        let words = sentiment["description"].as_str().unwrap_or_default();
        for mood in [
            "−2 Angry",
            "−1 Unhappy",
            "0 Neutral",
            "1 Satisfied",
            "2 Delighted",
        ] {
            assert!(words.contains(mood), "{schema}: {words:?} lacks {mood:?}");
        }
        assert!(words.contains("no default"), "{schema}: {words:?}");
        assert_eq!(sentiment["minimum"].as_i64(), Some(-2), "{schema}");
        assert_eq!(sentiment["maximum"].as_i64(), Some(2), "{schema}");
    }
}
