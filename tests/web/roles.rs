use reqwest::StatusCode;

use crate::common::TestApp;

/// Which role reaches which page: (path, account manager, manager, admin).
const ACCESS: [(&str, bool, bool, bool); 3] = [
    ("/", true, true, true),
    ("/review", false, true, true),
    ("/admin", false, false, true),
];

#[tokio::test]
async fn each_role_reaches_exactly_its_pages() {
    let app = TestApp::spawn().await;
    for (index, role) in ["account_manager", "manager", "admin"]
        .into_iter()
        .enumerate()
    {
        let client = app.signed_in(role).await;
        for (path, am, manager, admin) in ACCESS {
            let allowed = [am, manager, admin][index];
            let page = client.get(path).await;
            if allowed {
                assert_eq!(page.status, StatusCode::OK, "{role} on {path}");
            } else {
                assert_eq!(page.status, StatusCode::FORBIDDEN, "{role} on {path}");
                assert_eq!(page.text("h1"), "Not allowed", "{role} on {path}");
            }
        }
    }
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_with_the_page_remembered() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    let client = app.client();
    for (path, expected) in [
        ("/", "/login"),
        ("/review", "/login?next=%2Freview"),
        ("/admin", "/login?next=%2Fadmin"),
    ] {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location().as_deref(), Some(expected), "{path}");
    }
}

#[tokio::test]
async fn the_navigation_offers_only_what_the_role_may_open() {
    let app = TestApp::spawn().await;
    // The row on wide screens; the phone's menu offers the same links.
    let links = |page: &crate::common::Page| {
        let wide = page.texts(".nav-wide .site-nav a");
        assert_eq!(
            wide,
            page.texts(".nav-menu .site-nav a"),
            "the same on a phone"
        );
        wide
    };

    let am = app.signed_in("account_manager").await.get("/").await;
    assert_eq!(
        links(&am),
        ["Home", "Cases", "Dashboard", "Accounts", "Lessons"]
    );
    let manager = app.signed_in("manager").await.get("/").await;
    assert_eq!(
        links(&manager),
        [
            "Home",
            "Cases",
            "Dashboard",
            "Accounts",
            "Lessons",
            "Review"
        ]
    );
    let admin = app.signed_in("admin").await.get("/").await;
    assert_eq!(
        links(&admin),
        [
            "Home",
            "Cases",
            "Dashboard",
            "Accounts",
            "Lessons",
            "Review",
            "Admin"
        ]
    );
    assert_eq!(admin.text(".user-menu .badge"), "Admin");
}

#[tokio::test]
async fn the_review_page_lists_the_managers_team_only() {
    let app = TestApp::spawn().await;
    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    app.create_user("north.am@example.com", "account_manager", Some("North"))
        .await;
    let manager = app.signed_in("manager").await; // team North
    let page = manager.get("/review").await;
    let load = page.text("#load");
    assert!(load.contains("north.am"), "{load}");
    assert!(!load.contains("south.am"), "{load}");
}

#[tokio::test]
async fn the_admin_page_lists_every_user_and_team() {
    let app = TestApp::spawn().await;
    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    let admin = app.signed_in("admin").await;
    let page = admin.get("/admin").await;
    let body = page.texts("table.data tbody tr").join("\n");
    assert!(body.contains("south.am@example.com"), "{body}");
    assert!(body.contains("South"), "{body}");
    assert!(body.contains("North"), "{body}");
}

#[tokio::test]
async fn an_admin_adds_renames_and_retires_categories() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let res = admin
        .submit(
            "/admin",
            "/admin/categories",
            &[("name", "Security incident")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = admin.get("/admin").await;
    assert!(page.text("#categories").contains("Security incident"));

    let dup = admin
        .submit(
            "/admin",
            "/admin/categories",
            &[("name", "security INCIDENT")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.text("#category-error").contains("already exists"));
    assert_eq!(
        dup.attr("#category-name", "value").as_deref(),
        Some("security INCIDENT")
    );
    let blank = admin
        .submit("/admin", "/admin/categories", &[("name", "  ")])
        .await;
    assert!(blank.text("#category-error").contains("Enter"));

    let id: uuid::Uuid =
        sqlx::query_scalar("select id from categories where name = 'Security incident'")
            .fetch_one(&app.db.pool)
            .await
            .expect("id");
    let path = format!("/admin/categories/{id}");
    admin
        .submit(
            "/admin",
            &path,
            &[("action", "rename"), ("name", "Data breach")],
        )
        .await;
    admin.submit("/admin", &path, &[("action", "retire")]).await;
    // Retired: not offered for new incidents.
    let form = app
        .signed_in("account_manager")
        .await
        .get("/cases/new")
        .await;
    assert!(!form.text("#category_id").contains("Data breach"));
    assert!(form.text("#category_id").contains("Missed deadline"));
    admin
        .submit("/admin", &path, &[("action", "restore")])
        .await;
    let form = app
        .signed_in("account_manager")
        .await
        .get("/cases/new")
        .await;
    assert!(form.text("#category_id").contains("Data breach"));

    // Only admins manage them.
    let manager = app.signed_in("manager").await;
    let token = manager.csrf_token("/").await;
    let res = manager
        .post_raw(
            "/admin/categories",
            &[("csrf_token", &token), ("name", "Sneaky")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
