use reqwest::StatusCode;

use crate::common::{Client, PASSWORD, Page, TestApp};

/// Posts a form of the case page (with the page's CSRF token and current version).
async fn post(client: &Client, case: &str, action: &str, fields: &[(&str, &str)]) -> Page {
    let page = client.get(case).await;
    let version = page
        .attr("input[name=version]", "value")
        .unwrap_or_default();
    let mut all: Vec<(&str, &str)> = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    client.submit(case, &format!("{case}/{action}"), &all).await
}

/// The same for a request the page does not offer this person: what the server must refuse.
async fn forge(client: &Client, case: &str, action: &str, fields: &[(&str, &str)]) -> Page {
    let page = client.get(case).await;
    let version = page
        .attr("input[name=version]", "value")
        .unwrap_or_default();
    let mut all: Vec<(&str, &str)> = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    client.forge(case, &format!("{case}/{action}"), &all).await
}

fn gate(page: &Page) -> Vec<String> {
    page.texts("ul.gate li.task-todo a")
}

#[tokio::test]
async fn logging_an_incident_lands_on_its_case_page() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch date").await;
    assert!(case.starts_with("/cases/CR-"), "{case}");

    let page = am.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Missed the launch date");
    assert!(page.text(".case-number").contains("Acme"));
    assert!(page.text(".flashes").contains("Logged as CR-"));
    assert_eq!(
        page.text(".stepper [aria-current=step] .step-label"),
        "Detected"
    );
    assert_eq!(gate(&page), ["Describe what happened."]);
    assert!(page.text(".timeline").contains("Logged the incident"));
    // The account page lists it.
    let account_page = am.get(&format!("/accounts/{acme}")).await;
    assert!(
        account_page
            .text("table.data tbody")
            .contains("Missed the launch date")
    );
}

#[tokio::test]
async fn a_bad_incident_form_keeps_the_input_and_explains() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let long = "t".repeat(4000);
    let res = am
        .submit(
            "/cases/new",
            "/cases",
            &[
                ("account_id", &acme),
                ("title", &long),
                ("category_id", ""),
                ("severity", "apocalyptic"),
                ("detected_by", "client"),
                ("occurred_at", "2999-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text("#title-error").contains("Too long"));
    assert!(res.text("#category_id-error").contains("Choose a category"));
    assert!(res.text("#severity-error").contains("severity"));
    assert!(res.text("#occurred_at-error").contains("future"));
    assert_eq!(
        res.attr("#occurred_at", "value").as_deref(),
        Some("2999-01-01T10:00")
    );
    assert_eq!(
        res.attr("input[name=account_id]", "value").as_deref(),
        Some(acme.as_str())
    );
    assert_eq!(res.attr("#account_name", "value").as_deref(), Some("Acme"));

    let bad_date = am
        .submit(
            "/cases/new",
            "/cases",
            &[
                ("account_id", &acme),
                ("title", "x"),
                ("occurred_at", "31/12/2025"),
            ],
        )
        .await;
    assert!(bad_date.text("#occurred_at-error").contains("not a date"));
    let unknown = am
        .submit(
            "/cases/new",
            "/cases",
            &[
                ("account_id", "00000000-0000-0000-0000-000000000000"),
                ("title", "x"),
                ("severity", "low"),
                ("detected_by", "us"),
                ("category_id", "00000000-0000-0000-0000-000000000000"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_case_is_walked_through_the_stages_by_its_forms_and_the_gates_say_what_is_missing() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Invoice sent twice").await;

    // Detected: the gate refuses until what happened is described.
    let refused = post(&am, &case, "advance", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#problem").contains("Describe what happened."),
        "{}",
        refused.text("#problem")
    );
    let page = am.get(&case).await;
    let category = page
        .attr("#category_id option[selected]", "value")
        .expect("category");
    let res = post(
        &am,
        &case,
        "definition",
        &[
            ("title", "Invoice sent twice"),
            (
                "what_happened",
                "Billing sent the November invoice twice and charged the card twice.",
            ),
            ("category_id", &category),
            ("severity", "high"),
            ("detected_by", "client"),
            ("occurred_at", "2026-01-05T10:00"),
        ],
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );
    assert_eq!(
        post(&am, &case, "advance", &[]).await.status,
        StatusCode::SEE_OTHER
    );

    // Assessing.
    let page = am.get(&case).await;
    assert_eq!(
        page.text(".stepper [aria-current=step] .step-label"),
        "Assessing"
    );
    assert_eq!(gate(&page).len(), 4, "{:?}", gate(&page));
    post(
        &am,
        &case,
        "assessment",
        &[
            ("root_cause", "A retry in the billing job"),
            ("our_share", "all"),
            ("value_at_risk", "40,000"),
            ("relationship_value", "high"),
            ("decision", "repair"),
        ],
    )
    .await;
    assert_eq!(
        post(&am, &case, "advance", &[]).await.status,
        StatusCode::SEE_OTHER
    );

    // Reaching out: an e-mail alone passes the gate but warns.
    let refused = post(&am, &case, "advance", &[]).await;
    assert!(
        refused.text("#problem").contains("conversation"),
        "{}",
        refused.text("#problem")
    );
    am.submit(
        &case,
        &format!("{case}/conversations"),
        &[
            ("channel", "email"),
            ("with_whom", "Jo Park"),
            ("summary", "Sent an apology about the duplicate charge."),
            ("sentiment", "-1"),
        ],
    )
    .await;
    let page = am.get(&case).await;
    assert!(
        page.text("#stage")
            .contains("Every conversation so far was by e-mail")
    );
    am.submit(
        &case,
        &format!("{case}/conversations"),
        &[
            ("channel", "phone"),
            ("with_whom", "Jo Park"),
            (
                "summary",
                "Listened to the whole complaint; refund promised.",
            ),
            ("sentiment", "0"),
            ("listened_fully", "1"),
            ("took_responsibility", "1"),
        ],
    )
    .await;
    let page = am.get(&case).await;
    assert!(
        !page
            .text("#stage")
            .contains("Every conversation so far was by e-mail")
    );
    assert!(
        page.text("#conversations")
            .contains("Listened to the whole complaint")
    );
    assert_eq!(
        post(&am, &case, "advance", &[]).await.status,
        StatusCode::SEE_OTHER
    );

    // Making it right: action, reparation, commitment.
    let page = am.get(&case).await;
    assert_eq!(gate(&page).len(), 3, "{:?}", gate(&page));
    let owner = page
        .attr("#action_owner option[selected]", "value")
        .expect("owner");
    am.submit(
        &case,
        &format!("{case}/actions"),
        &[
            ("what", "Refund the second charge"),
            ("owner_id", &owner),
            ("due_date", "2026-01-10"),
        ],
    )
    .await;
    post(
        &am,
        &case,
        "reparation",
        &[
            ("reparation_what", "One month free"),
            ("reparation_cost", "2,000"),
        ],
    )
    .await;
    am.submit(
        &case,
        &format!("{case}/commitments"),
        &[(
            "commitment",
            "From now on we will check for duplicate runs before charging.",
        )],
    )
    .await;
    let page = am.get(&case).await;
    assert!(gate(&page).is_empty(), "{:?}", gate(&page));
    assert!(
        page.text("#making_it_right")
            .contains("2.0% of the account's annual value"),
        "{}",
        page.text("#making_it_right")
    );
    assert!(
        page.text("#making_it_right").contains("Overdue"),
        "due in January, not done"
    );
    assert_eq!(
        post(&am, &case, "advance", &[]).await.status,
        StatusCode::SEE_OTHER
    );

    // Following up: closing as restored needs lessons and the follow-up gate.
    let page = am.get(&case).await;
    assert_eq!(
        page.text(".stepper [aria-current=step] .step-label"),
        "Following up"
    );
    let refused = post(&am, &case, "close", &[("outcome", "restored")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#problem").to_lowercase().contains("lesson"),
        "{}",
        refused.text("#problem")
    );
    am.submit(
        &case,
        &format!("{case}/lessons"),
        &[
            ("text", "Idempotency keys on every billing job."),
            ("applies_to_all", "1"),
        ],
    )
    .await;
    let refused = post(&am, &case, "close", &[("outcome", "restored")]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "follow-up plan and check-in still missing"
    );

    // Plan the follow-up and check in: then trust is back.
    let today = chrono::Utc::now().date_naive();
    let owner = am
        .get(&case)
        .await
        .attr("#assignee_id option[selected]", "value")
        .expect("assignee");
    let res = am
        .submit(
            &case,
            &format!("{case}/plan"),
            &[
                ("cadence", "weekly"),
                ("first_due", &today.format("%Y-%m-%d").to_string()),
                ("assignee_id", &owner),
                ("end_rule", "closed"),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );
    let page = am.get(&case).await;
    assert_eq!(
        gate(&page),
        ["Complete at least one check-in that records the client's sentiment."],
        "{:?}",
        gate(&page)
    );
    let res = am
        .submit(
            &case,
            &format!("{case}/check-ins"),
            &[
                ("checkin_channel", "phone"),
                (
                    "checkin_summary",
                    "Jo is happy with the refund and the new checks.",
                ),
                ("checkin_sentiment", "2"),
                ("next_step", "Check again next week"),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text("#problem")
    );
    let page = am.get(&case).await;
    assert!(gate(&page).is_empty(), "{:?}", gate(&page));
    assert_eq!(
        page.texts("#follow_up_plan tbody tr").len(),
        2,
        "the next check-in is scheduled"
    );
    // The refund is not marked done and the commitment never checked: closing as restored
    // asks first, listing them, and closes only once confirmed.
    let asked = post(&am, &case, "close", &[("outcome", "restored")]).await;
    assert_eq!(asked.status, StatusCode::OK);
    let open = asked.text("#problem");
    assert!(
        open.contains("Action: Refund the second charge")
            && open.contains("Commitment: From now on we will check for duplicate runs"),
        "{open}"
    );
    assert_eq!(
        asked
            .attr("#problem form input[name=confirmed]", "value")
            .as_deref(),
        Some("1")
    );
    let closed = post(
        &am,
        &case,
        "close",
        &[("outcome", "restored"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(
        closed.status,
        StatusCode::SEE_OTHER,
        "{}",
        closed.text("#problem")
    );
    let page = am.get(&case).await;
    assert!(page.text("#stage").contains("Closed: Restored"));
    assert!(
        page.texts("#check_in").is_empty(),
        "no check-in form on a closed case"
    );
    let timeline = am.get(&format!("{case}/timeline")).await.text(".timeline");
    for event in [
        "Logged the incident",
        "Edited what happened",
        "Assessment: changed root cause",
        "Moved from Detected to Assessing",
        "by phone \u{2014} the client was",
        "Added an action",
        "Recorded the reparation",
        "Committed:",
        "Recorded a lesson:",
        "Planned check-ins: every week",
        "Checked in by phone \u{2014} the client was delighted",
        "Closed: Restored",
    ] {
        assert!(
            timeline.contains(event),
            "timeline lacks {event:?}: {timeline}"
        );
    }
    let restored: i64 = sqlx::query_scalar("select count(*) from cases where outcome = 'restored' and stage = 'closed' and closed_at is not null")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(restored, 1);
}

#[tokio::test]
async fn a_case_can_be_closed_as_lost_from_any_stage_once_a_lesson_is_recorded() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "They went to a competitor").await;
    let refused = post(&am, &case, "close", &[("outcome", "lost")]).await;
    assert!(refused.text("#problem").to_lowercase().contains("lesson"));
    am.submit(
        &case,
        &format!("{case}/lessons"),
        &[("text", "Call at the first sign of trouble.")],
    )
    .await;
    let closed = post(&am, &case, "close", &[("outcome", "lost")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert!(am.get(&case).await.text("#stage").contains("Closed: Lost"));
    // Reopening needs a reason and goes back to Following up.
    let res = post(
        &am,
        &case,
        "back",
        &[("reason", "They came back and want to try again")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        am.get(&case)
            .await
            .text(".stepper [aria-current=step] .step-label"),
        "Following up"
    );
}

#[tokio::test]
async fn check_ins_follow_the_plan_and_stop_after_the_planned_number() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Slow replies").await;
    am.walk_to(&case, "following_up").await;
    let owner = am
        .get(&case)
        .await
        .attr("#assignee_id option[selected]", "value")
        .expect("assignee");

    let bad = am
        .submit(
            &case,
            &format!("{case}/plan"),
            &[
                ("cadence", "custom"),
                ("every_days", "0"),
                ("first_due", "2001-01-01"),
                ("assignee_id", &owner),
                ("end_rule", "count"),
                ("end_after", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#every_days-error").contains("1 to 365"));
    assert!(bad.text("#first_due-error").contains("past"));
    assert!(bad.text("#end_after-error").contains("1 to 100"));
    assert_eq!(
        bad.attr("#every_days", "value").as_deref(),
        Some("0"),
        "input kept"
    );

    let first = (chrono::Utc::now().date_naive() + chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    am.submit(
        &case,
        &format!("{case}/plan"),
        &[
            ("cadence", "custom"),
            ("every_days", "10"),
            ("first_due", &first),
            ("assignee_id", &owner),
            ("end_rule", "count"),
            ("end_after", "2"),
        ],
    )
    .await;
    let skipped = am
        .submit(
            &case,
            &format!("{case}/check-ins/skip"),
            &[("skip_reason", " ")],
        )
        .await;
    assert!(skipped.text("#skip_reason-error").contains("why"));
    am.submit(
        &case,
        &format!("{case}/check-ins/skip"),
        &[("skip_reason", "Client on holiday")],
    )
    .await;
    // Ten days later, the second is due and recorded.
    let number: i64 = case
        .trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number");
    app.bring_next_check_in_due(number).await;
    am.submit(
        &case,
        &format!("{case}/check-ins"),
        &[
            ("checkin_channel", "video"),
            ("checkin_summary", "Fine"),
            ("checkin_sentiment", "1"),
        ],
    )
    .await;
    let rows: Vec<(i32, String, chrono::NaiveDate)> =
        sqlx::query_as("select seq, status, due_date from check_ins order by seq")
            .fetch_all(&app.db.pool)
            .await
            .expect("rows");
    // Time moved on eleven days (to the second's day): both due days moved back as many.
    let start = chrono::NaiveDate::parse_from_str(&first, "%Y-%m-%d").expect("date")
        - chrono::Days::new(11);
    assert_eq!(
        rows,
        [
            (1, "skipped".to_string(), start),
            (2, "done".to_string(), start + chrono::Days::new(10))
        ],
        "two planned, no third"
    );
    let page = am.get(&case).await;
    assert!(
        page.texts(&format!("form[action='{case}/check-ins']"))
            .is_empty(),
        "the plan has run its course: no check-in form is offered"
    );
    assert!(page.text("#follow_up_plan").contains("Client on holiday"));
}
#[tokio::test]
async fn moving_back_needs_a_reason_and_is_recorded() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Late report").await;
    // Detected offers no way back; sent anyway, it is refused in words.
    let refused = forge(&am, &case, "back", &[("reason", "x")]).await;
    assert!(
        refused.text("#problem").contains("first stage"),
        "{}",
        refused.text("#problem")
    );
    am.walk_to(&case, "assessing").await;
    let refused = post(&am, &case, "back", &[("reason", "   ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#reason-error")
            .to_lowercase()
            .contains("reason"),
        "{}",
        refused.text("#stage")
    );
    assert!(
        refused
            .text(".error-summary a[href='#reason']")
            .contains("reason")
    );
    let res = post(
        &am,
        &case,
        "back",
        &[(
            "reason",
            "The client says the real issue was tone, not timing",
        )],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = am.get(&case).await;
    assert_eq!(
        page.text(".stepper [aria-current=step] .step-label"),
        "Detected"
    );
    let timeline = am.get(&format!("{case}/timeline")).await.text(".timeline");
    assert!(
        timeline.contains("Reason: The client says the real issue was tone"),
        "{timeline}"
    );
}

#[tokio::test]
async fn letting_go_needs_a_managers_approval() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Third missed delivery").await;
    let reason = "They cost more than they pay; both sides would be better off.";

    // Approval closes the case, so the request brings the lesson with it.
    let refused = post(&am, &case, "let-go", &[("let_go_reason", reason)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#let_go_lesson-error").contains("lesson"));
    assert_eq!(refused.text("#let_go_reason"), reason, "the reason is kept");
    let res = post(
        &am,
        &case,
        "let-go",
        &[
            ("let_go_reason", reason),
            ("let_go_lesson", "Agree delivery capacity before signing."),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = am.get(&case).await;
    assert!(
        page.text("#let-go")
            .contains("Awaiting a manager's approval")
    );
    assert!(page.text("#let-go").contains(reason));
    assert!(
        page.texts("#let-go button")
            .iter()
            .all(|b| !b.contains("Approve")),
        "an AM cannot approve"
    );
    let refused = forge(&am, &case, "let-go/decision", &[("decision", "approve")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let manager = app.signed_in("manager").await; // same team
    let page = manager.get(&case).await;
    assert!(
        page.texts("#let-go button")
            .iter()
            .any(|b| b.contains("Approve")),
        "the manager decides on the case page"
    );
    let res = post(
        &manager,
        &case,
        "let-go/decision",
        &[("decision", "approve")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = am.get(&case).await;
    assert!(page.text("#stage").contains("Closed: Let go"));
    assert!(page.text("#stage").contains(reason));
    let timeline = am.get(&format!("{case}/timeline")).await.text(".timeline");
    assert!(timeline.contains("Approved letting go"), "{timeline}");
}

#[tokio::test]
async fn a_declined_let_go_keeps_the_case_open() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Rude support call").await;
    let asked = post(
        &am,
        &case,
        "let-go",
        &[
            ("let_go_reason", "Not worth it"),
            ("let_go_lesson", "Say no to rush jobs."),
        ],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let manager = app.signed_in("manager").await;
    let res = post(
        &manager,
        &case,
        "let-go/decision",
        &[("decision", "decline")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = am.get(&case).await;
    assert!(
        page.text(".more-moves")
            .contains("A manager declined the last request")
    );
    assert_eq!(
        page.text(".stepper [aria-current=step] .step-label"),
        "Detected"
    );
}

#[tokio::test]
async fn the_second_of_two_concurrent_edits_gets_a_conflict_with_its_input_kept() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed kickoff").await;
    let manager = app.signed_in("manager").await;

    am.walk_to(&case, "assessing").await;

    // Both open the case at the same version.
    let first = am.get(&case).await;
    let second = manager.get(&case).await;
    let version = first
        .attr("#assessment input[name=version]", "value")
        .expect("version");
    assert_eq!(
        second
            .attr("#assessment input[name=version]", "value")
            .as_deref(),
        Some(version.as_str())
    );
    let t1 = am.csrf_token(&case).await;
    let t2 = manager.csrf_token(&case).await;

    let saved = am
        .post_raw(
            &format!("{case}/assessment"),
            &[
                ("csrf_token", &t1),
                ("version", &version),
                ("root_cause", "Calendar mix-up"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let conflict = manager
        .post_raw(
            &format!("{case}/assessment"),
            &[
                ("csrf_token", &t2),
                ("version", &version),
                ("root_cause", "Nobody owned the kickoff"),
            ],
        )
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict
            .text("#problem")
            .contains("changed since you opened it")
    );
    assert_eq!(
        conflict.text("#root_cause"),
        "Nobody owned the kickoff",
        "the manager's input is kept"
    );
    // Nothing was overwritten.
    let page = am.get(&case).await;
    assert_eq!(page.text("#root_cause"), "Calendar mix-up");
}

#[tokio::test]
async fn an_account_manager_guessing_another_teams_case_numbers_gets_404() {
    let app = TestApp::spawn().await;
    let north = app.signed_in("account_manager").await;
    let acme = north.new_account("Acme").await;
    let case = north.log_incident(&acme, "Secret trouble").await;

    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    let south = app.client();
    south.sign_in("south.am@example.com", PASSWORD).await;
    assert_eq!(south.get(&case).await.status, StatusCode::NOT_FOUND);
    let token = south.csrf_token("/").await;
    for action in [
        "assessment",
        "advance",
        "conversations",
        "let-go",
        "lessons",
    ] {
        let res = south
            .post_raw(
                &format!("{case}/{action}"),
                &[("csrf_token", &token), ("text", "x"), ("reason", "x")],
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{action}");
    }
    // Logging an incident on another team's account is refused.
    let res = south
        .submit(
            "/cases/new",
            "/cases",
            &[
                ("account_id", &acme),
                ("title", "x"),
                ("severity", "low"),
                ("detected_by", "us"),
                (
                    "category_id",
                    &north
                        .get("/cases/new")
                        .await
                        .attr("#category_id option:nth-child(2)", "value")
                        .expect("cat"),
                ),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text("#account_name-error")
            .contains("Choose one of the accounts")
    );
    assert_eq!(
        south.get("/cases/CR-999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        south.get("/cases/not-a-number").await.status,
        StatusCode::NOT_FOUND
    );
    // A manager of the same team and an admin see it.
    assert_eq!(
        app.signed_in("manager").await.get(&case).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.signed_in("admin").await.get(&case).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn only_managers_reassign_and_only_within_the_team() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Wrong figures in report").await;
    app.create_user("colleague@example.com", "account_manager", Some("North"))
        .await;
    let manager = app.signed_in("manager").await;
    let page = manager.get(&case).await;
    let colleague = page
        .html()
        .select(&scraper::Selector::parse("#owner_id option").expect("sel"))
        .find(|o| o.text().collect::<String>().contains("colleague"))
        .and_then(|o| o.value().attr("value").map(str::to_owned))
        .expect("colleague offered");
    assert!(
        am.get(&case).await.texts("#owner_id").is_empty(),
        "no reassign form for an AM"
    );
    let refused = forge(&am, &case, "reassign", &[("owner_id", &colleague)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let res = post(&manager, &case, "reassign", &[("owner_id", &colleague)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        manager
            .get(&case)
            .await
            .text(".timeline")
            .contains("Reassigned to colleague")
    );
}

#[tokio::test]
async fn removing_an_item_keeps_it_in_the_timeline() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Lost e-mail").await;
    am.walk_to(&case, "making_it_right").await;
    am.submit(
        &case,
        &format!("{case}/commitments"),
        &[("commitment", "Answer every e-mail within a day")],
    )
    .await;
    let page = am.get(&case).await;
    let action = page
        .attr("#commitment-list form[action$='/remove']", "action")
        .expect("remove form");
    // Without JavaScript to ask, the server asks first, and nothing is removed yet.
    let asked = am.submit(&case, &action, &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(asked.text("h1"), "Please confirm");
    assert!(asked.text("main").contains("cannot be brought back"));
    assert_eq!(
        asked.attr("main form", "action").as_deref(),
        Some(action.as_str())
    );
    assert_eq!(
        asked
            .attr("main form input[name=confirmed]", "value")
            .as_deref(),
        Some("1")
    );
    assert!(
        am.get(&case)
            .await
            .text("#commitment-list")
            .contains("Answer every e-mail")
    );
    let res = am.submit(&case, &action, &[("confirmed", "1")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = am.get(&case).await;
    assert!(
        !page
            .text("#commitment-list")
            .contains("Answer every e-mail")
    );
    assert!(
        page.text(".timeline")
            .contains("Removed a commitment: Answer every e-mail within a day")
    );
    let count: i64 = sqlx::query_scalar("select count(*) from commitments")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 1, "nothing is hard-deleted");
}

#[tokio::test]
async fn script_typed_into_case_fields_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "<img src=x onerror=alert(1)>").await;
    am.walk_to(&case, "reaching_out").await;
    am.submit(
        &case,
        &format!("{case}/conversations"),
        &[
            ("channel", "phone"),
            ("with_whom", "<b>Jo</b>"),
            ("summary", "<script>alert(2)</script>"),
            ("sentiment", "0"),
        ],
    )
    .await;
    let page = am.get(&case).await;
    assert!(!page.body.contains("<img src=x"));
    assert!(!page.body.contains("<script>alert(2)"));
    assert_eq!(page.text("h1"), "<img src=x onerror=alert(1)>");
    assert!(
        page.text("#conversations")
            .contains("<script>alert(2)</script>"),
        "shown as the text that was typed: {}",
        page.text("#conversations")
    );
}

/// The gate counts kept on the case by triggers (migration 20261128000002), as the gates read
/// them: conversations, email-free ones, actions, commitments, lessons, plan, check-ins.
async fn gate_counts(app: &TestApp, number: i64) -> (i64, i64, i64, i64, i64, bool, i64) {
    sqlx::query_as(
        "select f.conversations, f.non_email, f.actions, f.commitments, f.lessons,
                f.follow_up_plan, f.checkins
         from case_gate_facts f join cases c on c.id = f.id where c.number = $1",
    )
    .bind(number)
    .fetch_one(&app.db.pool)
    .await
    .expect("gate facts")
}

#[tokio::test]
async fn gate_counts_follow_writes_from_any_path_and_ignore_what_does_not_count() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Counted").await;
    let number: i64 = case
        .trim_start_matches("/cases/CR-")
        .parse()
        .expect("number");
    assert_eq!(gate_counts(&app, number).await, (0, 0, 0, 0, 0, false, 0));

    // Written straight into the database, as a manual fix in psql would be.
    let run = |sql: &'static str| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query(sql)
                .bind(number)
                .execute(&pool)
                .await
                .expect(sql);
        }
    };
    run(
        "insert into conversations (case_id, channel, with_whom, happened_at, summary, sentiment)
         select id, ch, 'Jo', now(), 'Talked', 0 from cases, unnest(array['email', 'phone']) ch
         where number = $1",
    )
    .await;
    run("insert into action_items (case_id, what, owner_id)
         select id, 'Fix it', owner_id from cases where number = $1")
    .await;
    run("insert into commitments (case_id, text) select id, 'From now on' from cases where number = $1")
        .await;
    run("insert into lessons (case_id, text) select id, 'Learned' from cases where number = $1")
        .await;
    run(
        "insert into follow_up_plans (case_id, cadence, first_due, assignee_id)
         select id, 'weekly', current_date, owner_id from cases where number = $1",
    )
    .await;
    // Scheduled check-ins count for nothing; a done one with a sentiment does.
    run(
        "insert into check_ins (case_id, plan_id, seq, due_date, assignee_id, status)
         select c.id, p.id, g, current_date + g, c.owner_id, 'scheduled'
         from cases c join follow_up_plans p on p.case_id = c.id, generate_series(1, 3) g
         where c.number = $1",
    )
    .await;
    assert_eq!(gate_counts(&app, number).await, (2, 1, 1, 1, 1, true, 0));
    run("update check_ins set status = 'missed'
         where seq = 2 and case_id = (select id from cases where number = $1)")
    .await;
    assert_eq!(gate_counts(&app, number).await.6, 0, "a missed check-in");
    run(
        "update check_ins set status = 'done', sentiment = 1, completed_at = now()
         where seq = 1 and case_id = (select id from cases where number = $1)",
    )
    .await;
    assert_eq!(gate_counts(&app, number).await.6, 1, "a done one");

    // Removing takes them off again.
    run("update conversations set removed_at = now()
         where channel = 'phone' and case_id = (select id from cases where number = $1)")
    .await;
    run("update follow_up_plans set ended_at = now()
         where case_id = (select id from cases where number = $1)")
    .await;
    run("update lessons set removed_at = now()
         where case_id = (select id from cases where number = $1)")
    .await;
    assert_eq!(gate_counts(&app, number).await, (1, 0, 1, 1, 0, false, 1));
}
