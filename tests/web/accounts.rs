use reqwest::StatusCode;

use crate::common::{Client, Page, TestApp};

/// Submits the new-account form with the user's own team preselected.
async fn create_account(client: &Client, fields: &[(&str, &str)]) -> Page {
    let form = client.get("/accounts/new").await;
    let team = form
        .attr("#team_id option[selected]", "value")
        .expect("own team preselected");
    let mut all: Vec<(&str, &str)> = vec![("team_id", team.as_str())];
    all.extend_from_slice(fields);
    client.submit("/accounts/new", "/accounts", &all).await
}

#[tokio::test]
async fn creating_an_account_lands_on_its_page_and_lists_it() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;

    let res = create_account(
        &client,
        &[
            ("name", "Acme Logistics"),
            ("annual_value", "120,000"),
            ("currency", "eur"),
            ("tier", "key"),
            ("contact_name", "Jo Park"),
            ("contact_email", "jo@acme.example"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let location = res.location().expect("redirect");
    let page = client.get(&location).await;
    assert_eq!(page.text("h1"), "Acme Logistics");
    assert!(
        page.text(".flashes")
            .contains("Account “Acme Logistics” created.")
    );
    let facts = page.text(".facts");
    assert!(facts.contains("EUR 120,000"), "{facts}");
    assert!(facts.contains("Key"), "{facts}");
    assert!(facts.contains("jo@acme.example"), "{facts}");
    assert!(page.text(".empty-state").contains("No incidents logged"));

    let list = client.get("/accounts?q=acme").await;
    assert_eq!(list.texts("table.data tbody tr").len(), 1);
    assert!(list.text("table.data tbody").contains("Acme Logistics"));
    let none = client.get("/accounts?q=zzz").await;
    assert!(none.text(".empty-state").contains("No accounts match"));
}

#[tokio::test]
async fn a_bad_account_form_keeps_the_input_and_explains_each_field() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let long = "x".repeat(4000);
    let res = create_account(
        &client,
        &[
            ("name", &long),
            ("annual_value", "-5"),
            ("currency", "euros"),
            ("contact_email", "not-an-address"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text("#name-error").contains("too long"));
    assert!(res.text("#annual_value-error").contains("zero or more"));
    assert!(res.text("#currency-error").contains("three-letter"));
    assert!(
        res.text("#contact_email-error")
            .contains("not an e-mail address")
    );
    assert_eq!(res.attr("#annual_value", "value").as_deref(), Some("-5"));
    assert_eq!(
        res.attr("#name", "aria-describedby").as_deref(),
        Some("name-error")
    );
    assert_eq!(res.attr("#name", "aria-invalid").as_deref(), Some("true"));

    let empty = create_account(&client, &[("name", "  ")]).await;
    assert_eq!(empty.text("#name-error"), "Enter the client's name.");
}

#[tokio::test]
async fn account_names_are_unique_whatever_their_case() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    create_account(&client, &[("name", "Acme")]).await;
    let again = create_account(&client, &[("name", "ACME")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text("#name-error").contains("already exists"));
    assert_eq!(again.attr("#name", "value").as_deref(), Some("ACME"));
}

#[tokio::test]
async fn markup_typed_into_a_field_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let res = create_account(
        &client,
        &[
            ("name", "<script>alert(1)</script>"),
            ("notes", "<b>bold</b>"),
        ],
    )
    .await;
    let page = client.get(&res.location().expect("created")).await;
    assert!(!page.body.contains("<script>alert(1)</script>"));
    let h1 = page
        .body
        .find("<h1>")
        .map(|i| &page.body[i..i + 80])
        .unwrap_or("");
    assert!(h1.starts_with("<h1>&#60;script&#62;alert(1)"), "{h1}");
    assert_eq!(page.text("h1"), "<script>alert(1)</script>");
}

#[tokio::test]
async fn editing_an_account_saves_it() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let created = create_account(&client, &[("name", "Acme")]).await;
    let path = created.location().expect("created");
    let edit_path = format!("{path}/edit");
    let form = client.get(&edit_path).await;
    let team = form
        .attr("#team_id option[selected]", "value")
        .expect("team");
    let res = client
        .submit(
            &edit_path,
            &path,
            &[
                ("team_id", &team),
                ("name", "Acme Group"),
                ("annual_value", "5000.50"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = client.get(&path).await;
    assert_eq!(page.text("h1"), "Acme Group");
    assert!(page.text(".facts").contains("EUR 5,000.50"));
}

#[tokio::test]
async fn another_teams_accounts_do_not_exist_for_an_account_manager() {
    let app = TestApp::spawn().await;
    let north = app.signed_in("account_manager").await; // team North
    let created = create_account(&north, &[("name", "North Client")]).await;
    let path = created.location().expect("created");

    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    let south = app.client();
    south
        .sign_in("south.am@example.com", crate::common::PASSWORD)
        .await;
    assert_eq!(south.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        south.get(&format!("{path}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    let res = south
        .forge("/accounts", &path, &[("name", "Stolen"), ("team_id", "")])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!south.get("/accounts").await.body.contains("North Client"));
    // Giving an account to a team you cannot see is refused too.
    let north_team = north
        .get("/accounts/new")
        .await
        .attr("#team_id option[selected]", "value")
        .expect("team");
    let res = south
        .submit(
            "/accounts/new",
            "/accounts",
            &[("name", "Sneaky"), ("team_id", &north_team)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text("#team_id-error")
            .contains("Choose one of the options")
    );

    // An admin sees it.
    let admin = app.signed_in("admin").await;
    assert_eq!(admin.get(&path).await.status, StatusCode::OK);
    // Not an id at all: not found, never a 500.
    assert_eq!(
        admin.get("/accounts/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn three_incidents_in_a_year_show_the_repeat_warning() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    let created = create_account(&client, &[("name", "Fragile Co")]).await;
    let path = created.location().expect("created");
    let id = path.trim_start_matches("/accounts/");
    for (i, age_days) in [10, 100, 300, 500].iter().enumerate() {
        let case = client.log_incident(id, &format!("Incident {i}")).await;
        // Logged that many days ago.
        sqlx::query(
            "update cases set created_at = now() - make_interval(days => $2) where number = $1",
        )
        .bind(
            case.trim_start_matches("/cases/CR-")
                .parse::<i64>()
                .expect("case number"),
        )
        .bind(*age_days)
        .execute(&app.db.pool)
        .await
        .expect("time passes");
    }
    let page = client.get(&path).await;
    assert!(
        page.body.contains("Repeat incidents"),
        "3 of 4 cases are within 12 months"
    );
    assert!(
        page.text("[role=note]")
            .contains("3 cases in the last 12 months")
    );
    assert_eq!(page.texts("table.data tbody tr").len(), 4);
    let list = client.get("/accounts").await;
    assert!(list.text("table.data tbody").contains("Repeat incidents"));
}

#[tokio::test]
async fn the_account_list_is_paginated_with_filters_kept() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("account_manager").await;
    for i in 0..27 {
        create_account(&client, &[("name", &format!("Client {i:02}"))]).await;
    }
    let first = client.get("/accounts?q=client").await;
    assert_eq!(first.texts("table.data tbody tr").len(), 25);
    assert_eq!(first.text(".pagination [aria-current]"), "Page 1 of 2");
    let next = first
        .attr(".pagination a[rel=next]", "href")
        .expect("next link");
    assert_eq!(next, "/accounts?q=client&page=2");
    let second = client.get(&next).await;
    assert_eq!(second.texts("table.data tbody tr").len(), 2);
    assert!(second.attr(".pagination a[rel=prev]", "href").is_some());
}
