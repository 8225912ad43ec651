use reqwest::StatusCode;

use crate::common::{PASSWORD, TestApp};

/// Today, where check-ins planned in these tests start.
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[tokio::test]
async fn my_work_shows_my_check_ins_cases_and_actions_and_not_others() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let mine = am
        .case_with_plan(&am.new_account("Acme").await, "Late report", today())
        .await;
    let owner = am
        .get(&mine)
        .await
        .attr("#action_owner option[selected]", "value")
        .expect("owner");
    am.submit(
        &mine,
        &format!("{mine}/actions"),
        &[
            ("what", "Send the corrected report"),
            ("owner_id", &owner),
            ("due_date", "2020-01-01"),
        ],
    )
    .await;
    // A colleague in the same team, and someone in another team, with cases of their own.
    let colleague = app.signed_in("account_manager").await;
    colleague
        .case_with_plan(
            &colleague.new_account("Colleague Co").await,
            "Colleague's trouble",
            today(),
        )
        .await;
    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    let south = app.client();
    south.sign_in("south.am@example.com", PASSWORD).await;
    south
        .case_with_plan(
            &south.new_account("South Co").await,
            "South trouble",
            today(),
        )
        .await;

    let page = am.get("/").await;
    assert_eq!(page.text("h1"), "My work");
    let today = page.text("#today");
    assert!(today.contains("Late report"), "{today}");
    assert!(!page.body.contains("Colleague's trouble") && !page.body.contains("South trouble"));
    let cases = page.text("#my-cases");
    // Check-ins are planned in Following up, so the case was walked there.
    assert!(cases.contains("Following up (1)"), "{cases}");
    assert!(
        cases.contains("Next: Complete at least one check-in"),
        "{cases}"
    );
    let actions = page.text("#my-actions");
    assert!(
        actions.contains("Overdue") && actions.contains("Send the corrected report"),
        "{actions}"
    );
}

#[tokio::test]
async fn a_missed_check_in_shows_as_missed() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    am.case_with_plan(&am.new_account("Acme").await, "Quiet client", today())
        .await;
    sqlx::query("update check_ins set due_date = current_date - 3, status = 'missed'")
        .execute(&app.db.pool)
        .await
        .expect("miss it");
    let page = am.get("/").await;
    assert!(
        page.text("#today").contains("Quiet client"),
        "{}",
        page.text("#today")
    );
    assert_eq!(page.text("#today .check-in .badge"), "Missed");
    assert!(
        page.attr("#today form.check-in-form", "action").is_some(),
        "a missed check-in can still be recorded"
    );
}

#[tokio::test]
async fn completing_a_check_in_from_my_work_updates_the_case_and_a_second_time_changes_nothing() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let case = am
        .case_with_plan(&am.new_account("Acme").await, "Wrong invoice", today())
        .await;
    let action = am
        .get("/")
        .await
        .attr("#today form.check-in-form", "action")
        .expect("inline form");

    let bad = am
        .submit(
            "/",
            &action,
            &[
                ("checkin_channel", "phone"),
                ("checkin_sentiment", "1"),
                ("checkin_summary", "  "),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text("#today .field-error")
            .contains("Enter how it went"),
        "{}",
        bad.text("#today")
    );
    assert_eq!(
        bad.attr("#today input[name=checkin_sentiment][checked]", "value")
            .as_deref(),
        Some("1"),
        "input kept"
    );

    let res = am
        .submit(
            "/",
            &action,
            &[
                ("checkin_channel", "video"),
                ("checkin_sentiment", "2"),
                ("checkin_summary", "Happy with the credit note"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location().as_deref(), Some("/#today"));
    let home = am.get("/").await;
    assert!(
        home.text("#today .section-notice")
            .contains("Check-in recorded on CR-"),
        "the answer in the section: {}",
        home.text("#today")
    );
    assert!(!home.text("#today").contains("Wrong invoice"));
    let page = am.get(&case).await;
    assert!(
        page.text(".timeline").contains(
            "Checked in by video call \u{2014} the client was delighted: Happy with the credit note"
        ),
        "{}",
        page.text(".timeline")
    );
    assert!(
        page.text("#follow_up_plan")
            .contains("Happy with the credit note")
    );
    // The check-in's sentiment joins the client's mood on the case list.
    let number = case.trim_start_matches("/cases/");
    let list = am.get("/cases").await;
    let row = list
        .texts("table.data tbody tr")
        .into_iter()
        .position(|r| r.contains(number))
        .expect("the case is listed");
    let moods = list.texts("table.data tbody tr td:nth-child(9)");
    assert!(moods[row].contains("+2"), "{moods:?}");

    // The same form sent again (a second tab, a double click): the page no longer offers it.
    let again = am
        .forge(
            "/",
            &action,
            &[
                ("checkin_channel", "video"),
                ("checkin_sentiment", "2"),
                ("checkin_summary", "Again"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(
        am.get("/")
            .await
            .text("#today .section-notice")
            .contains("already recorded")
    );
    let done: i64 = sqlx::query_scalar("select count(*) from check_ins where status = 'done'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(done, 1);
}

#[tokio::test]
async fn someone_elses_check_in_in_another_team_cannot_be_completed() {
    let app = TestApp::spawn().await;
    let north = app.signed_in("account_manager").await;
    north
        .case_with_plan(&north.new_account("Acme").await, "North case", today())
        .await;
    let action = north
        .get("/")
        .await
        .attr("#today form.check-in-form", "action")
        .expect("form");
    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    let south = app.client();
    south.sign_in("south.am@example.com", PASSWORD).await;
    let token = south.csrf_token("/").await;
    let res = south
        .post_raw(
            &action,
            &[
                ("csrf_token", &token),
                ("checkin_channel", "phone"),
                ("checkin_sentiment", "0"),
                ("checkin_summary", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = south
        .post_raw("/check-ins/not-an-id/complete", &[("csrf_token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_account_manager_with_cases_in_two_teams_sees_only_those_of_their_own_team() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await; // team North
    am.case_with_plan(&am.new_account("North Co").await, "North trouble", today())
        .await;
    // An older case of theirs sits in team South (they moved teams): they still own it, with a
    // check-in and an action, but it is no longer theirs to see.
    let left = am
        .case_with_plan(&am.new_account("Moved Co").await, "Left behind", today())
        .await;
    let owner = am
        .get(&left)
        .await
        .attr("#action_owner option[selected]", "value")
        .expect("owner");
    let today = today().format("%Y-%m-%d").to_string();
    let res = am
        .submit(
            &left,
            &format!("{left}/actions"),
            &[
                ("what", "Call them back"),
                ("owner_id", &owner),
                ("due_date", &today),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // No page moves a case to another team: that part is written directly.
    sqlx::query(
        "with t as (insert into teams (name) values ('South') returning id)
         update cases set team_id = (select id from t) where title = 'Left behind'",
    )
    .execute(&app.db.pool)
    .await
    .expect("move the case");

    let page = am.get("/").await;
    assert!(page.text("#today").contains("North trouble"));
    assert!(
        !page.body.contains("Left behind"),
        "a case outside the team is not on My work"
    );
    assert!(!page.text("#my-actions").contains("Call them back"));
}

#[tokio::test]
async fn my_work_lists_the_oldest_cases_of_each_stage_and_links_to_the_rest() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    am.case_with_plan(&acme, "Case 0", today()).await;
    // Eleven more in Detected, logged through the form, then made older than the first
    // ("Older 11" the oldest): only the clock is moved directly.
    for g in 1..=11 {
        am.log_incident(&acme, &format!("Older {g}")).await;
    }
    sqlx::query(
        "update cases set created_at = now() - make_interval(days => substr(title, 7)::int)
         where title like 'Older %'",
    )
    .execute(&app.db.pool)
    .await
    .expect("older cases");
    let page = am.get("/").await;
    let cases = page.text("#my-cases");
    assert!(cases.contains("Detected (11)"), "{cases}");
    assert!(cases.contains("Following up (1)"), "{cases}");
    assert_eq!(
        page.texts("#my-cases li").len(),
        4,
        "the three oldest in Detected, and the one following up"
    );
    assert!(
        cases.contains("Older 11") && cases.contains("Older 9") && !cases.contains("Older 8"),
        "{cases}"
    );
    assert!(cases.contains("See all 11 in Detected"), "{cases}");
    let href = page
        .attr("#my-cases p.see-all a", "href")
        .expect("link to the rest");
    assert!(href.starts_with("/cases?owner="), "{href}");
    let list = am.get(&href).await;
    assert_eq!(
        list.texts("table.data tbody tr").len(),
        11,
        "the stage's cases: {href}"
    );
}

#[tokio::test]
async fn a_long_backlog_is_paged_section_by_section() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let account_id = am.new_account("Backlog Ltd").await;
    let case = am.log_incident(&account_id, "Years of silence").await;
    am.plan_weekly(&case, chrono::Utc::now().date_naive()).await;
    // Forty weeks of check-ins nobody held (a plan cannot start in the past, so they are
    // written directly): every one is overdue.
    let number: i64 = case
        .trim_start_matches("/cases/CR-")
        .parse()
        .expect("number");
    sqlx::query(
        "insert into check_ins (case_id, plan_id, seq, due_date, assignee_id, team_id)
         select c.case_id, c.plan_id, 1000 + g, c.due_date - 7 * g, c.assignee_id, c.team_id
         from (select i.* from check_ins i join cases k on k.id = i.case_id
               where k.number = $1 order by i.seq limit 1) c,
              generate_series(1, 40) g",
    )
    .bind(number)
    .execute(&app.db.pool)
    .await
    .expect("past check-ins");
    let owner = am
        .get(&case)
        .await
        .attr("#action_owner option[selected]", "value")
        .expect("owner");
    // 26 more than the one the walk to Following up planned: 27 open actions.
    for i in 0..26 {
        let res = am
            .submit(
                &case,
                &format!("{case}/actions"),
                &[
                    ("what", &format!("Overdue step {i}")),
                    ("owner_id", &owner),
                    ("due_date", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    let page = am.get("/").await;
    // The forty overdue and the one due today.
    assert_eq!(page.text("#today-heading .count"), "(41)");
    let items = |page: &crate::common::Page, section: &str| {
        let html = page.html();
        let sel = scraper::Selector::parse(&format!("{section} li.item")).expect("selector");
        html.select(&sel).count()
    };
    assert_eq!(items(&page, "#today"), 10);
    assert_eq!(
        page.text("#today .pagination [aria-current=page]"),
        "Page 1 of 5"
    );
    let next = page
        .attr("#today .pagination a[rel=next]", "href")
        .expect("a link to the next page");
    assert_eq!(next, "/?today_page=2#today");
    assert!(
        page.text("#today li.item").contains("Overdue"),
        "the oldest first, marked overdue"
    );
    assert_eq!(items(&page, "#my-actions"), 10);
    assert_eq!(page.text("#my-actions-heading .count"), "(27)");
    let actions_next = page
        .attr("#my-actions .pagination a[rel=next]", "href")
        .expect("a link to more actions");
    assert_eq!(actions_next, "/?actions_page=2#my-actions");
    // The sections page on their own, each keeping the other's page.
    let last = am.get("/?today_page=5&actions_page=3").await;
    assert_eq!(items(&last, "#today"), 1);
    assert_eq!(items(&last, "#my-actions"), 7);
    assert_eq!(
        last.attr("#today .pagination a[rel=prev]", "href")
            .as_deref(),
        Some("/?today_page=4&actions_page=3#today")
    );
    let mut seen = std::collections::HashSet::new();
    for p in 1..=5 {
        let page = am.get(&format!("/?today_page={p}")).await;
        for id in page
            .html()
            .select(&scraper::Selector::parse("#today li.item").expect("selector"))
        {
            seen.insert(id.value().attr("id").unwrap_or_default().to_string());
        }
    }
    assert_eq!(seen.len(), 41, "every check-in on exactly one page");
    // Nonsense pages show the first.
    assert_eq!(
        items(
            &am.get("/?today_page=nonsense&actions_page=-4").await,
            "#today"
        ),
        10
    );
    // A busy page stays small: ten check-in forms, not forty-one.
    assert!(page.body.len() < 60_000, "{} bytes", page.body.len());
}

#[tokio::test]
async fn with_htmx_a_check_in_is_recorded_in_place_and_a_refusal_comes_back_in_place() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    am.case_with_plan(&am.new_account("Acme").await, "Wrong invoice", today())
        .await;
    let home = am.get("/").await;
    let action = home
        .attr("#today form.check-in-form", "action")
        .expect("inline form");
    let target = home
        .attr("#today form.check-in-form", "hx-target")
        .expect("sent in place");
    let item = home.attr("#today li.check-in", "id").expect("the item");
    assert_eq!(target, format!("#{item}"));
    let token = am.csrf_token("/").await;
    let htmx = [("HX-Request", "true")];

    let bad = am
        .post_with_headers(
            &action,
            &[
                ("csrf_token", &token),
                ("checkin_channel", "email"),
                ("checkin_sentiment", "-1"),
                ("checkin_summary", ""),
            ],
            &htmx,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.body.contains("<html"), "the item alone");
    assert_eq!(bad.attr("li.check-in", "id"), Some(item.clone()));
    assert!(bad.text(".field-error").contains("Enter how it went"));
    assert_eq!(
        bad.attr("input[name=checkin_sentiment][checked]", "value")
            .as_deref(),
        Some("-1"),
        "input kept"
    );
    assert_eq!(
        bad.attr("select[name=checkin_channel] option[selected]", "value")
            .as_deref(),
        Some("email")
    );

    let ok = am
        .post_with_headers(
            &action,
            &[
                ("csrf_token", &token),
                ("checkin_channel", "phone"),
                ("checkin_sentiment", "1"),
                ("checkin_summary", "Credit note accepted"),
            ],
            &htmx,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.attr("li.check-in", "id"), Some(item));
    assert!(
        ok.text(".section-notice")
            .contains("Check-in recorded on CR-")
    );
    let done: i64 = sqlx::query_scalar("select count(*) from check_ins where status = 'done'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(done, 1);
}
