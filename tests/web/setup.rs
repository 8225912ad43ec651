//! First run: with no users, every page leads to /setup; the form makes the organisation and the
//! first admin once, signs them in, can load demo data, and is gone for good afterwards.

use reqwest::StatusCode;

use crate::common::{Client, TestApp};

const PASSWORD: &str = "the first admin's password";

fn fields(email: &str, demo: bool) -> Vec<(&str, &str)> {
    let mut all = vec![
        ("organisation", "Northwind Services"),
        ("time_zone", "Europe/Berlin"),
        ("name", "Ada Admin"),
        ("email", email),
        ("password", PASSWORD),
        ("team", "Key accounts"),
    ];
    if demo {
        all.push(("demo", "yes"));
    }
    all
}

async fn user_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db.pool)
        .await
        .expect("count users")
}

#[tokio::test]
async fn before_anyone_has_an_account_every_page_leads_to_setup() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for path in ["/", "/login", "/cases", "/admin", "/no-such-page"] {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location().as_deref(), Some("/setup"), "{path}");
    }
    // Health checks and static files are not pages.
    assert_eq!(client.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(
        client.get("/static/css/mend.css").await.status,
        StatusCode::OK
    );
    let setup = client.get("/setup").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert_eq!(setup.text("h1"), "Set up Mend");
    for field in [
        "organisation",
        "time_zone",
        "name",
        "email",
        "password",
        "team",
    ] {
        assert!(
            setup.attr(&format!("label[for={field}]"), "for").is_some(),
            "no label for {field}"
        );
    }
    assert!(
        setup.attr("label input#demo", "type").is_some(),
        "the demo box sits in its label"
    );
}

#[tokio::test]
async fn a_form_with_mistakes_keeps_the_input_and_ties_each_error_to_its_field() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let page = client
        .submit(
            "/setup",
            "/setup",
            &[
                ("organisation", "Northwind Services"),
                ("time_zone", "Mars/Olympus"),
                ("name", ""),
                ("email", "ada-at-northwind"),
                ("password", "short"),
                ("team", "Key accounts"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.attr("#organisation", "value").as_deref(),
        Some("Northwind Services")
    );
    assert_eq!(
        page.attr("#email", "value").as_deref(),
        Some("ada-at-northwind")
    );
    assert_eq!(page.attr("#team", "value").as_deref(), Some("Key accounts"));
    // The password is never sent back.
    assert_eq!(page.attr("#password", "value"), None);
    for field in ["time_zone", "name", "email", "password"] {
        let described = page
            .attr(&format!("#{field}"), "aria-describedby")
            .unwrap_or_default();
        assert!(
            described.contains(&format!("{field}-error")),
            "{field}: {described}"
        );
        assert!(
            !page.text(&format!("#{field}-error")).is_empty(),
            "no message for {field}"
        );
    }
    assert!(page.text("#time_zone-error").contains("Mars/Olympus"));
    assert_eq!(user_count(&app).await, 0);
    // Without its token the form is refused.
    let forged = client
        .post_raw("/setup", &fields("ada@example.com", false))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn setup_makes_the_organisation_and_its_admin_signs_them_in_and_disappears() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let done = client
        .submit("/setup", "/setup", &fields("ada@northwind.example", false))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location().as_deref(), Some("/"));

    let home = client.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text(".flashes").contains("Welcome to Mend, Ada Admin"));
    assert_eq!(home.text(".user-name"), "Ada Admin");

    let (role, time_zone, team): (String, String, Option<String>) = sqlx::query_as(
        "select u.role, u.time_zone, t.name from users u left join teams t on t.id = u.team_id
         where u.email = 'ada@northwind.example'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("the admin");
    assert_eq!(role, "admin");
    assert_eq!(time_zone, "Europe/Berlin");
    assert_eq!(team.as_deref(), Some("Key accounts"));
    let (name, zone): (String, String) = sqlx::query_as("select name, time_zone from organisation")
        .fetch_one(&app.db.pool)
        .await
        .expect("organisation");
    assert_eq!(
        (name.as_str(), zone.as_str()),
        ("Northwind Services", "Europe/Berlin")
    );
    let cases: i64 = sqlx::query_scalar("select count(*) from cases")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(cases, 0, "no demo data unless asked for");

    // Gone for good: for the admin, for someone signed out, and for a token-bearing post.
    assert_eq!(client.get("/setup").await.status, StatusCode::NOT_FOUND);
    let stranger = app.client();
    assert_eq!(stranger.get("/setup").await.status, StatusCode::NOT_FOUND);
    let login = stranger.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let token = stranger.csrf_token("/login").await;
    let mut again = vec![("csrf_token", token.as_str())];
    again.extend(fields("mallory@example.com", false));
    assert_eq!(
        stranger.post_raw("/setup", &again).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(user_count(&app).await, 1);

    // The admin signs in again with the password chosen.
    client.submit("/", "/logout", &[]).await;
    let signed_in = client.sign_in("ada@northwind.example", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn two_simultaneous_setups_make_one_admin() {
    let app = TestApp::spawn().await;
    let first = app.client();
    let second = app.client();
    // Both forms are open before either is sent.
    let first_token = first.csrf_token("/setup").await;
    let second_token = second.csrf_token("/setup").await;
    let mut first_fields = vec![("csrf_token", first_token.as_str())];
    first_fields.extend(fields("first@example.com", false));
    let mut second_fields = vec![("csrf_token", second_token.as_str())];
    second_fields.extend(fields("second@example.com", false));
    let (a, b) = tokio::join!(
        first.post_raw("/setup", &first_fields),
        second.post_raw("/setup", &second_fields)
    );
    assert_eq!(user_count(&app).await, 1);
    let mut locations = [a.location(), b.location()];
    locations.sort();
    assert_eq!(
        locations,
        [Some("/".to_string()), Some("/login".to_string())],
        "one is set up and signed in, the other is sent to sign in"
    );
    let loser: &Client = if a.location().as_deref() == Some("/login") {
        &first
    } else {
        &second
    };
    assert!(
        loser
            .get("/login")
            .await
            .text(".flashes")
            .contains("just been set up by someone else")
    );
}

#[tokio::test]
async fn setup_can_load_the_demo_data_for_the_new_admin_to_explore() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let done = client
        .submit("/setup", "/setup", &fields("ada@northwind.example", true))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let home = client.get("/").await;
    assert!(
        home.text(".flashes").contains("Demo data is loaded"),
        "{}",
        home.text(".flashes")
    );
    let cases: i64 = sqlx::query_scalar("select count(*) from cases")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(cases, 1_000);
    // The new admin sees the demo cases.
    let list = client.get("/cases?outcome=restored").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.texts("table tbody tr").is_empty(),
        "no restored demo cases listed"
    );
}
