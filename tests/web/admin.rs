//! Administration through its forms: users (create, role and team, password links,
//! deactivation), teams, settings, and the audit log every change writes.

use chrono::{Datelike, Days, Utc};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::common::{Client, PASSWORD, Page, TestApp};

const NEW_PASSWORD: &str = "a brand new long password";

/// An admin (in team North) with a known address, signed in, and their id.
async fn admin(app: &TestApp, email: &str) -> (Client, Uuid) {
    app.create_user(email, "admin", Some("North")).await;
    let client = app.client();
    let res = client.sign_in(email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    (client, user_id(app, email).await)
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .expect("user id")
}

async fn team_id(app: &TestApp, name: &str) -> Uuid {
    sqlx::query_scalar("select id from teams where name = $1")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .expect("team id")
}

/// Every audit row as "action target", oldest first.
async fn audit_rows(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("select action || ' ' || target_label from admin_audit order by id")
        .fetch_all(&app.db.pool)
        .await
        .expect("audit rows")
}

/// The path of the one-time link shown on a link page.
fn link_path(page: &Page) -> String {
    let url = page
        .attr("#password-link", "value")
        .unwrap_or_else(|| panic!("no link on the page: {}", page.body));
    let path = url
        .strip_prefix("http://127.0.0.1:3000")
        .unwrap_or_else(|| panic!("the link uses the public URL: {url}"));
    assert!(path.starts_with("/password/"), "{path}");
    path.to_string()
}

fn signed_in_name(page: &Page) -> String {
    page.text(".user-name")
}

#[tokio::test]
async fn an_admin_creates_a_user_whose_one_time_link_works_once() {
    let app = TestApp::spawn().await;
    let (admin, _) = admin(&app, "root@example.com").await;
    let north = team_id(&app, "North").await.to_string();

    let form = admin.get("/admin/users/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.attr("#time_zone option[selected]", "value").as_deref(),
        Some("UTC"),
        "the organisation's time zone is preselected"
    );
    let page = admin
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("name", "Ann Lee"),
                ("email", "ann@example.com"),
                ("role", "account_manager"),
                ("team_id", &north),
                ("time_zone", "Europe/Berlin"),
                ("password_mode", "link"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text(".flash").contains("Ann Lee is created"));
    assert_eq!(
        page.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    let path = link_path(&page);
    let token = path.trim_start_matches("/password/").to_string();

    // Only the token's hash is stored.
    let (stored, by_hash): (i64, i64) = sqlx::query_as(
        "select (select count(*) from password_links where encode(token_hash, 'hex') = $1),
                (select count(*) from password_links where token_hash = sha256(convert_to($1, 'UTF8')))",
    )
    .bind(&token)
    .fetch_one(&app.db.pool)
    .await
    .expect("links");
    assert_eq!((stored, by_hash), (0, 1));
    let (team, zone): (String, String) = sqlx::query_as(
        "select t.name, u.time_zone from users u join teams t on t.id = u.team_id where u.email = 'ann@example.com'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("ann");
    assert_eq!((team.as_str(), zone.as_str()), ("North", "Europe/Berlin"));

    // Ann opens the link in her own browser.
    let ann = app.client();
    let form = ann.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Hello Ann Lee"));
    assert_eq!(
        form.attr("#email", "value").as_deref(),
        Some("ann@example.com")
    );
    let differ = ann
        .submit(
            &path,
            &path,
            &[
                ("new_password", NEW_PASSWORD),
                ("repeat_password", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(differ.text("#repeat_password-error").contains("differ"));
    assert_eq!(
        differ
            .attr("#repeat_password", "aria-describedby")
            .as_deref(),
        Some("repeat_password-error")
    );
    let short = ann
        .submit(
            &path,
            &path,
            &[("new_password", "short"), ("repeat_password", "short")],
        )
        .await;
    assert!(short.text("#new_password-error").contains("at least 12"));
    // Without the form's token, nothing happens.
    let forged = ann
        .post_raw(
            &path,
            &[
                ("new_password", NEW_PASSWORD),
                ("repeat_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let done = ann
        .submit(
            &path,
            &path,
            &[
                ("new_password", NEW_PASSWORD),
                ("repeat_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location().as_deref(), Some("/login"));
    assert!(
        ann.get("/login")
            .await
            .text(".flash")
            .contains("Your password is set")
    );
    let signed = ann.sign_in("ann@example.com", NEW_PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in_name(&ann.get("/").await), "Ann Lee");

    // The second time, the link is spent: it says so and changes nothing.
    let again = app.client();
    let spent = again.get(&path).await;
    assert_eq!(spent.status, StatusCode::GONE);
    assert!(spent.text("#link-problem").contains("already used"));
    assert!(spent.attr("#new_password", "id").is_none(), "no form");
    let token_for_form = again.csrf_token("/login").await;
    let refused = again
        .post_raw(
            &path,
            &[
                ("csrf_token", &token_for_form),
                ("new_password", "an attacker's long password"),
                ("repeat_password", "an attacker's long password"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::GONE);
    assert_eq!(
        app.client()
            .sign_in("ann@example.com", "an attacker's long password")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    assert_eq!(
        audit_rows(&app).await,
        [
            "user.created Ann Lee",
            "user.password_set_with_link Ann Lee"
        ]
    );
}

#[tokio::test]
async fn a_password_reset_link_replaces_the_last_one_and_expires() {
    let app = TestApp::spawn().await;
    let (admin, _) = admin(&app, "root@example.com").await;
    app.create_user("bob@example.com", "account_manager", Some("North"))
        .await;
    let bob = user_id(&app, "bob@example.com").await;
    let page_path = format!("/admin/users/{bob}");
    let action = format!("{page_path}/password-link");

    let first = link_path(&admin.submit(&page_path, &action, &[]).await);
    let second_page = admin.submit(&page_path, &action, &[]).await;
    assert!(
        second_page
            .text(".flash")
            .contains("Any link given to them before no longer works")
    );
    let second = link_path(&second_page);
    assert_ne!(first, second);

    let visitor = app.client();
    let replaced = visitor.get(&first).await;
    assert_eq!(replaced.status, StatusCode::NOT_FOUND);
    assert!(replaced.text("#link-problem").contains("does not work"));
    assert_eq!(visitor.get(&second).await.status, StatusCode::OK);
    assert_eq!(
        visitor.get("/password/not-a-real-token").await.status,
        StatusCode::NOT_FOUND
    );

    sqlx::query("update password_links set expires_at = now() - interval '1 minute'")
        .execute(&app.db.pool)
        .await
        .expect("expire");
    let expired = visitor.get(&second).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.text("#link-problem").contains("expired"));
    // The old password still works: a link changes nothing until it is used.
    assert_eq!(
        app.client()
            .sign_in("bob@example.com", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let rows = audit_rows(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r.starts_with("user.password_link_issued bob"))
    );
}

#[tokio::test]
async fn deactivating_a_user_signs_them_out_at_once_and_keeps_them_out() {
    let app = TestApp::spawn().await;
    let (admin, admin_id) = admin(&app, "root@example.com").await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    let ann_id = user_id(&app, "ann@example.com").await;
    let ann = app.client();
    ann.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(ann.get("/").await.status, StatusCode::OK);
    let ann_session = ann.session_cookie().expect("ann has a session");

    // The user page leads to a confirmation page that says what will happen.
    let user_page = format!("/admin/users/{ann_id}");
    let confirm_path = format!("{user_page}/deactivate");
    let page = admin.get(&user_page).await;
    assert_eq!(
        page.attr("#activation a.button", "href").as_deref(),
        Some(confirm_path.as_str())
    );
    let confirm = admin.get(&confirm_path).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(confirm.text("h1"), "Deactivate ann?");
    assert!(confirm.body.contains("signed out everywhere at once"));

    let res = admin.submit(&confirm_path, &confirm_path, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some(user_page.as_str()));
    let page = admin.get(&user_page).await;
    assert!(page.text(".flash").contains("deactivated and signed out"));
    assert_eq!(page.text("#status"), "Deactivated");

    // Her session is gone from the store, and her browser is signed out on its next request.
    let left: i64 = sqlx::query_scalar("select count(*) from sessions where id = $1")
        .bind(&ann_session)
        .fetch_one(&app.db.pool)
        .await
        .expect("sessions");
    assert_eq!(left, 0);
    let next = ann.get("/").await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(next.location().as_deref(), Some("/login"));
    assert_eq!(
        ann.sign_in("ann@example.com", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The admin's own session carries on.
    assert_eq!(admin.get("/admin").await.status, StatusCode::OK);

    // A deactivated user gets no password link.
    let refused = admin
        .forge(&user_page, &format!("{user_page}/password-link"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(
        admin
            .get(&user_page)
            .await
            .text(".flash")
            .contains("reactivate them")
    );

    // Reactivated, she signs in again.
    let res = admin
        .submit(&user_page, &format!("{user_page}/reactivate"), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ann.sign_in("ann@example.com", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    let (actor, details): (Uuid, serde_json::Value) = sqlx::query_as(
        "select actor_id, details from admin_audit where action = 'user.deactivated'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("audit row");
    assert_eq!(actor, admin_id);
    assert_eq!(details["sessions_ended"], 1);
    assert_eq!(
        audit_rows(&app).await,
        ["user.deactivated ann", "user.reactivated ann"]
    );
}

#[tokio::test]
async fn the_last_admin_can_neither_deactivate_nor_demote_themselves() {
    let app = TestApp::spawn().await;
    let (root, root_id) = admin(&app, "root@example.com").await;
    let own = format!("/admin/users/{root_id}");
    let deactivate = format!("{own}/deactivate");

    let confirm = root.get(&deactivate).await;
    assert_eq!(confirm.text("h1"), "Deactivate your own account?");
    let refused = root.submit(&deactivate, &deactivate, &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .text("#deactivate-error")
            .contains("You are the only active admin"),
        "{}",
        refused.body
    );

    let demoted = root
        .submit(
            &own,
            &format!("{own}/access"),
            &[("role", "manager"), ("team_id", "")],
        )
        .await;
    assert_eq!(demoted.status, StatusCode::CONFLICT);
    assert!(
        demoted
            .text("#role-error")
            .contains("giving up the admin role")
    );
    assert_eq!(
        demoted.attr("#role", "aria-describedby").as_deref(),
        Some("role-error")
    );
    assert_eq!(
        demoted.attr("#role option[selected]", "value").as_deref(),
        Some("manager"),
        "the input is kept"
    );

    let (role, active): (String, bool) =
        sqlx::query_as("select role, active from users where id = $1")
            .bind(root_id)
            .fetch_one(&app.db.pool)
            .await
            .expect("root");
    assert_eq!((role.as_str(), active), ("admin", true));
    assert_eq!(root.get("/admin").await.status, StatusCode::OK);
    assert!(audit_rows(&app).await.is_empty(), "refusals change nothing");

    // With a second admin, giving up the role works, and the page left behind is closed.
    let (other, other_id) = admin(&app, "second@example.com").await;
    let res = root
        .submit(
            &own,
            &format!("{own}/access"),
            &[("role", "manager"), ("team_id", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/"));
    assert_eq!(root.get("/admin").await.status, StatusCode::FORBIDDEN);

    // Now the second admin is the last one: neither can they leave.
    let theirs = format!("/admin/users/{other_id}/deactivate");
    let refused = other.submit(&theirs, &theirs, &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    // …until the first is an admin again; then deactivating oneself signs one out.
    other
        .submit(
            &own,
            &format!("{own}/access"),
            &[("role", "admin"), ("team_id", "")],
        )
        .await;
    let res = other.submit(&theirs, &theirs, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/login"));
    assert!(
        other
            .get("/login")
            .await
            .text(".flash")
            .contains("deactivated your own account")
    );
    assert_eq!(other.get("/admin").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_new_user_form_keeps_the_input_and_says_what_is_wrong_beside_each_field() {
    let app = TestApp::spawn().await;
    let (admin, _) = admin(&app, "root@example.com").await;
    let page = admin
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("name", "  "),
                ("email", "not an address"),
                ("role", "boss"),
                ("team_id", "nonsense"),
                ("time_zone", "Europe/Berlin"),
                ("password_mode", "set"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "email", "role", "team_id", "password"] {
        assert!(
            !page.text(&format!("#{field}-error")).is_empty(),
            "no error beside {field}: {}",
            page.body
        );
        assert_eq!(
            page.attr(&format!("#{field}"), "aria-describedby"),
            Some(format!("{field}-error")),
            "{field}"
        );
    }
    assert!(page.text("#password-error").contains("at least 12"));
    assert_eq!(
        page.attr("#email", "value").as_deref(),
        Some("not an address")
    );
    assert_eq!(page.attr("#password", "value"), None, "never sent back");
    assert_eq!(
        page.attr("input[name=password_mode][checked]", "value")
            .as_deref(),
        Some("set")
    );

    // An address already in use, whatever its case.
    let dup = admin
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("name", "Root Two"),
                ("email", "ROOT@example.com"),
                ("role", "manager"),
                ("team_id", ""),
                ("time_zone", "UTC"),
                ("password_mode", "set"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.text("#email-error").contains("already exists"));

    // A password set by the admin works at once.
    let res = admin
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("name", "Cleo"),
                ("email", "cleo@example.com"),
                ("role", "manager"),
                ("team_id", ""),
                ("time_zone", "UTC"),
                ("password_mode", "set"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cleo = user_id(&app, "cleo@example.com").await;
    assert_eq!(
        res.location(),
        Some(format!("/admin/users/{cleo}")),
        "to the new user's page"
    );
    assert_eq!(
        app.client()
            .sign_in("cleo@example.com", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let details: serde_json::Value =
        sqlx::query_scalar("select details from admin_audit where action = 'user.created'")
            .fetch_one(&app.db.pool)
            .await
            .expect("audit");
    assert_eq!(details["first_password"], "set by the admin");
    assert_eq!(details["role"], "Manager");
    assert!(
        !details.to_string().contains(NEW_PASSWORD),
        "no password in the log"
    );
}

#[tokio::test]
async fn an_admin_changes_a_users_role_and_moves_people_between_teams() {
    let app = TestApp::spawn().await;
    let (admin, _) = admin(&app, "root@example.com").await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    let ann = user_id(&app, "ann@example.com").await;

    // Teams: create, refuse a duplicate, rename.
    let res = admin
        .submit("/admin", "/admin/teams", &[("name", "South")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let dup = admin
        .submit("/admin", "/admin/teams", &[("name", " SOUTH ")])
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.text("#team-name-error").contains("already exists"));
    assert_eq!(dup.attr("#team-name", "value").as_deref(), Some(" SOUTH "));
    assert_eq!(
        dup.attr("#team-name", "aria-describedby").as_deref(),
        Some("team-name-error")
    );
    let north = team_id(&app, "North").await;
    let south = team_id(&app, "South").await;
    let rename = format!("/admin/teams/{north}");
    let clash = admin.submit("/admin", &rename, &[("name", "south")]).await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        clash
            .text(&format!("#team-rename-{north}-error"))
            .contains("already exists")
    );
    let res = admin
        .submit("/admin", &rename, &[("name", "North-East")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let overview = admin.get("/admin").await;
    assert!(
        overview
            .text(".flash")
            .contains("Team \u{201c}North\u{201d} renamed to \u{201c}North-East\u{201d}")
    );
    assert!(overview.text("#teams").contains("North-East"));

    // Move Ann to South from the teams section.
    let res = admin
        .submit(
            "/admin",
            "/admin/team-moves",
            &[
                ("user_id", &ann.to_string()),
                ("team_id", &south.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/admin/users/{ann}")).await;
    assert_eq!(page.text("#team-now"), "South");
    let nobody = admin
        .submit(
            "/admin",
            "/admin/team-moves",
            &[("user_id", ""), ("team_id", "")],
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.text("#move-error").contains("Choose who"));

    // Make her a manager of North-East on her page.
    let page_path = format!("/admin/users/{ann}");
    let res = admin
        .submit(
            &page_path,
            &format!("{page_path}/access"),
            &[("role", "manager"), ("team_id", &north.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = admin.get(&page_path).await;
    assert!(
        page.text(".flash")
            .contains("Saved: ann is now a manager, in team North-East.")
    );
    assert_eq!(page.text("#role-now"), "Manager");
    assert_eq!(page.text("#team-now"), "North-East");
    let bad = admin
        .submit(
            &page_path,
            &format!("{page_path}/access"),
            &[("role", "emperor"), ("team_id", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.text("#team_id-error").is_empty());

    // It shows on her next request: she now reaches the review.
    let client = app.client();
    client.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(client.get("/review").await.status, StatusCode::OK);

    let details: serde_json::Value =
        sqlx::query_scalar("select details from admin_audit where action = 'user.changed'")
            .fetch_one(&app.db.pool)
            .await
            .expect("audit");
    assert_eq!(details["role"]["from"], "Account manager");
    assert_eq!(details["role"]["to"], "Manager");
    assert_eq!(details["team"]["from"], "South");
    assert_eq!(details["team"]["to"], "North-East");
    assert_eq!(
        audit_rows(&app).await,
        [
            "team.created South",
            "team.renamed North-East",
            "user.moved ann",
            "user.changed ann"
        ]
    );
}

#[tokio::test]
async fn the_audit_page_lists_every_admin_action_newest_first_in_the_admins_time_zone() {
    let app = TestApp::spawn().await;
    let (admin, admin_id) = admin(&app, "root@example.com").await;
    let res = admin
        .submit(
            "/settings",
            "/settings/time-zone",
            &[("time_zone", "Asia/Tokyo")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    admin
        .submit("/admin", "/admin/categories", &[("name", "Security")])
        .await;
    let id: Uuid = sqlx::query_scalar("select id from categories where name = 'Security'")
        .fetch_one(&app.db.pool)
        .await
        .expect("category");
    let path = format!("/admin/categories/{id}");
    admin
        .submit(
            "/admin",
            &path,
            &[("action", "rename"), ("name", "Data breach")],
        )
        .await;
    admin.submit("/admin", &path, &[("action", "retire")]).await;
    // Retiring twice changes nothing and is not recorded twice.
    admin.submit("/admin", &path, &[("action", "retire")]).await;
    admin
        .submit("/admin", &path, &[("action", "restore")])
        .await;
    sqlx::query(
        "update admin_audit set at = '2020-01-01 23:30:00+00' where action = 'category.added'",
    )
    .execute(&app.db.pool)
    .await
    .expect("time");

    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts("#audit tbody tr");
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows[0].contains("Category brought back"), "{rows:?}");
    assert!(rows[1].contains("Category retired"), "{rows:?}");
    assert!(
        rows[2].contains("Category renamed") && rows[2].contains("name: Security → Data breach"),
        "{rows:?}"
    );
    assert!(
        rows[3].starts_with("2 Jan 2020, 08:30 root Category added Security"),
        "Tokyo is 9 hours ahead: {rows:?}"
    );
    assert!(page.text("caption").contains("4 entries"));

    // Fifty to a page.
    sqlx::query(
        "insert into admin_audit (actor_id, action, target_kind, target_label, at)
         select $1, 'settings.changed', 'settings', 'Organisation settings', now() - make_interval(days => n)
         from generate_series(1, 60) n",
    )
    .bind(admin_id)
    .execute(&app.db.pool)
    .await
    .expect("more rows");
    let first = admin.get("/admin/audit").await;
    assert_eq!(first.texts("#audit tbody tr").len(), 50);
    assert_eq!(
        first.attr("a[rel=next]", "href").as_deref(),
        Some("/admin/audit?page=2")
    );
    let second = admin.get("/admin/audit?page=2").await;
    let rows = second.texts("#audit tbody tr");
    assert_eq!(rows.len(), 14);
    assert!(
        rows.last().is_some_and(|r| r.contains("Category added")),
        "the oldest last: {rows:?}"
    );
}

#[tokio::test]
async fn non_admins_reach_no_admin_page_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (_, admin_id) = admin(&app, "root@example.com").await;
    let north = team_id(&app, "North").await;
    let pages = [
        "/admin".to_string(),
        "/admin/users/new".to_string(),
        format!("/admin/users/{admin_id}"),
        format!("/admin/users/{admin_id}/deactivate"),
        "/admin/settings".to_string(),
        "/admin/audit".to_string(),
        "/admin/outbox".to_string(),
    ];
    let posts = [
        ("/admin/users".to_string(), vec![("name", "Sneaky")]),
        (format!("/admin/users/{admin_id}/deactivate"), vec![]),
        (
            format!("/admin/users/{admin_id}/access"),
            vec![("role", "account_manager")],
        ),
        (format!("/admin/users/{admin_id}/password-link"), vec![]),
        ("/admin/teams".to_string(), vec![("name", "Sneaky")]),
        (format!("/admin/teams/{north}"), vec![("name", "Sneaky")]),
        ("/admin/settings".to_string(), vec![("name", "Sneaky")]),
    ];
    for role in ["account_manager", "manager"] {
        let client = app.signed_in(role).await;
        for path in &pages {
            let page = client.get(path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role} on {path}");
            assert_eq!(page.text("h1"), "Not allowed", "{role} on {path}");
        }
        let token = client.csrf_token("/").await;
        for (path, fields) in &posts {
            let mut all = vec![("csrf_token", token.as_str())];
            all.extend(fields.iter().copied());
            let res = client.post_raw(path, &all).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{role} posting {path}");
        }
    }
    let (active, teams, links): (bool, i64, i64) = sqlx::query_as(
        "select (select active from users where id = $1),
                (select count(*) from teams where name = 'Sneaky'),
                (select count(*) from password_links)",
    )
    .bind(admin_id)
    .fetch_one(&app.db.pool)
    .await
    .expect("state");
    assert_eq!((active, teams, links), (true, 0, 0));
    assert!(audit_rows(&app).await.is_empty());
    // Unknown users are not found, even for admins.
    let (admin, _) = admin(&app, "root2@example.com").await;
    for path in [
        format!("/admin/users/{}", Uuid::new_v4()),
        "/admin/users/not-an-id".to_string(),
    ] {
        assert_eq!(
            admin.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

/// Ann, signed in.
async fn ann(app: &TestApp) -> Client {
    let ann = app.client();
    let res = ann.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    ann
}

/// A low-severity case of Ann's (team North) on an account of its own, quiet for `quiet_days`;
/// returns its path.
async fn quiet_case(app: &TestApp, title: &str, quiet_days: i32) -> String {
    let ann = ann(app).await;
    let account = ann.new_account(&format!("Acme ({title})")).await;
    let case = ann.log_incident(&account, title).await;
    ann.define(&case, &[("severity", "low")]).await;
    sqlx::query(
        "update cases set created_at = now() - make_interval(days => $2 + 3),
                          last_activity_at = now() - make_interval(days => $2)
         where number = $1",
    )
    .bind(number(&case))
    .bind(quiet_days)
    .execute(&app.db.pool)
    .await
    .expect("time passes");
    case
}

fn number(case: &str) -> i64 {
    case.trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number")
}

fn settings_fields<'a>(stuck: &'a str, week_start: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Acme Services"),
        ("time_zone", "Europe/Berlin"),
        ("default_cadence", "monthly"),
        ("stuck_after_days", stuck),
        ("week_start", week_start),
    ]
}

#[tokio::test]
async fn organisation_settings_drive_new_users_the_plan_form_the_review_and_my_work() {
    let app = TestApp::spawn().await;
    let (admin, _) = admin(&app, "root@example.com").await;
    app.create_user("ann@example.com", "account_manager", Some("North"))
        .await;
    let case = number(&quiet_case(&app, "Quiet one", 4).await);

    // Before: the server's default threshold (7 days) and Monday weeks.
    let review = admin.get("/review?reason=stuck").await;
    assert!(!review.text("#queue").contains(&format!("CR-{case}")));
    let form = admin.get("/admin/settings").await;
    assert_eq!(form.attr("#stuck_after_days", "value").as_deref(), Some(""));
    assert!(form.text("#stuck_after_days-hint").contains("now 7 days"));
    assert!(form.text("#week_start-hint").contains("ISO weeks"));

    // Refused input is kept, with each error beside its field.
    let bad = admin
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[
                ("name", ""),
                ("time_zone", "Mars/Olympus"),
                ("default_cadence", "monthly"),
                ("stuck_after_days", "0"),
                ("week_start", "sunday"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#stuck_after_days-error").contains("1 to 365"));
    assert!(bad.text("#time_zone-error").contains("Mars/Olympus"));
    assert!(!bad.text("#name-error").is_empty());
    assert_eq!(bad.attr("#stuck_after_days", "value").as_deref(), Some("0"));
    assert_eq!(
        bad.attr("input[name=week_start][checked]", "value")
            .as_deref(),
        Some("sunday")
    );

    // Ann's My work "later this week": a day that is in a Monday week but not in a Sunday week
    // (or, on a Sunday, the other way round).
    let today = Utc::now().date_naive();
    let is_sunday = today.weekday() == chrono::Weekday::Sun;
    let probe = if is_sunday {
        today + Days::new(1)
    } else {
        today + Days::new(u64::from(6 - today.weekday().num_days_from_monday()))
    };
    // A check-in on that day, on another case of Ann's planned in Following up.
    let planned = quiet_case(&app, "Planned one", 0).await;
    let ann = ann(&app).await;
    ann.plan_weekly(&planned, probe).await;
    let label = planned.trim_start_matches("/cases/").to_string();
    let shows = |page: &Page| page.text("#this-week").contains(&label);
    assert_eq!(shows(&ann.get("/").await), !is_sunday, "Monday weeks");

    let fields = settings_fields("3", "sunday");
    let res = admin
        .submit("/admin/settings", "/admin/settings", &fields)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let form = admin.get("/admin/settings").await;
    assert!(form.text(".flash").contains("saved"));
    assert_eq!(
        form.attr("#name", "value").as_deref(),
        Some("Acme Services")
    );
    assert_eq!(
        form.attr("#default_cadence option[selected]", "value")
            .as_deref(),
        Some("monthly")
    );
    assert!(admin.get("/admin").await.body.contains("Acme Services"));

    // The threshold: four quiet days are now stuck.
    let review = admin.get("/review?reason=stuck").await;
    assert!(review.text("#queue").contains(&format!("CR-{case}")));
    assert!(review.text("#stuck-rule").contains("stuck after 3 days"));
    // Weeks start on Sunday.
    assert_eq!(shows(&ann.get("/").await), is_sunday, "Sunday weeks");
    // New users start in the organisation's time zone; plans default to monthly.
    assert_eq!(
        admin
            .get("/admin/users/new")
            .await
            .attr("#time_zone option[selected]", "value")
            .as_deref(),
        Some("Europe/Berlin")
    );
    // (Follow-up is planned in its own stage.)
    let path = format!("/cases/CR-{case}");
    admin.walk_to(&path, "following_up").await;
    assert_eq!(
        admin
            .get(&path)
            .await
            .attr("#cadence option[selected]", "value")
            .as_deref(),
        Some("monthly")
    );

    // Saving the same again records nothing; the change is in the log with what changed.
    admin
        .submit("/admin/settings", "/admin/settings", &fields)
        .await;
    let details: Vec<serde_json::Value> =
        sqlx::query_scalar("select details from admin_audit where action = 'settings.changed'")
            .fetch_all(&app.db.pool)
            .await
            .expect("audit");
    assert_eq!(details.len(), 1);
    assert_eq!(
        details[0]["stuck_after_days"]["from"],
        serde_json::Value::Null
    );
    assert_eq!(details[0]["stuck_after_days"]["to"], 3);
    assert_eq!(details[0]["week_start"]["to"], "Sunday");
    assert_eq!(details[0]["name"]["from"], "Mend");
}

#[tokio::test]
async fn a_session_of_a_user_deactivated_behind_its_back_is_refused_on_its_next_request() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", "manager", Some("North"))
        .await;
    let ann = app.client();
    ann.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(ann.get("/review").await.status, StatusCode::OK);
    // Deactivated without going through the admin pages: the session row is still there.
    sqlx::query("update users set active = false where email = 'ann@example.com'")
        .execute(&app.db.pool)
        .await
        .expect("deactivate");
    let next = ann.get("/review").await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(next.location().as_deref(), Some("/login?next=%2Freview"));
}

#[tokio::test]
async fn two_admins_deactivating_each_other_at_once_leave_one_admin() {
    let app = TestApp::spawn().await;
    let (ann, ann_id) = admin(&app, "ann@example.com").await;
    let (bob, bob_id) = admin(&app, "bob@example.com").await;
    let bob_path = format!("/admin/users/{bob_id}/deactivate");
    let ann_path = format!("/admin/users/{ann_id}/deactivate");
    let ann_token = ann.csrf_token(&bob_path).await;
    let bob_token = bob.csrf_token(&ann_path).await;

    let ann_form = [("csrf_token", ann_token.as_str())];
    let bob_form = [("csrf_token", bob_token.as_str())];
    let (a, b) = tokio::join!(
        ann.post_raw(&bob_path, &ann_form),
        bob.post_raw(&ann_path, &bob_form),
    );
    // One wins; the other is refused, or (when the winner finished first) finds itself signed
    // out. Never an error, never both.
    let outcome = |p: &Page| match (p.status.as_u16(), p.location()) {
        (303, Some(to)) if to.starts_with("/admin/users/") => "deactivated",
        (303, Some(to)) if to.starts_with("/login") => "signed out",
        // The winner ended the loser's session before the loser's form was checked: its token
        // no longer matches a session, so the form is refused as expired.
        (403, _) if p.body.contains("This form has expired") => "signed out",
        (409, _) => "refused",
        (status, to) => panic!("unexpected {status} {to:?}: {}", p.body),
    };
    let mut outcomes = [outcome(&a), outcome(&b)];
    outcomes.sort_unstable();
    assert!(
        outcomes == ["deactivated", "refused"] || outcomes == ["deactivated", "signed out"],
        "{outcomes:?}"
    );
    let admins: i64 =
        sqlx::query_scalar("select count(*) from users where role = 'admin' and active")
            .fetch_one(&app.db.pool)
            .await
            .expect("admins");
    assert_eq!(admins, 1);
}
