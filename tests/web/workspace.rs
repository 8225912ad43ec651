//! The case workspace (issue 17) over HTTP: one stage's work first, a save answered where it was
//! made (the section alone for htmx, the page at the section without JavaScript), refusals that
//! keep the input and point at the first field to fix, and moods chosen in words.

use reqwest::StatusCode;

use crate::common::{Client, Page, TestApp};

/// Posts `fields` to `{case}/{action}` as htmx does: the request marked, the token in a header.
async fn post_htmx(client: &Client, case: &str, action: &str, fields: &[(&str, &str)]) -> Page {
    let page = client.get(case).await;
    let token = page
        .attr("meta[name=csrf-token]", "content")
        .expect("the page's token");
    let version = page
        .attr("input[name=version]", "value")
        .unwrap_or_default();
    let mut all: Vec<(&str, &str)> = vec![("version", &version)];
    all.extend_from_slice(fields);
    client
        .post_with_headers(
            &format!("{case}/{action}"),
            &all,
            &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
        )
        .await
}

/// The ids of the sections of the case's main column, in order.
fn main_sections(page: &Page) -> Vec<String> {
    let html = page.html();
    let sel = scraper::Selector::parse(".case-main section.card").expect("selector");
    html.select(&sel)
        .filter_map(|s| s.value().attr("id").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_stage_puts_its_checklist_then_its_own_work_first_and_earlier_stages_as_summaries() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    for (stage, first, form_field) in [
        ("detected", "definition", "#what_happened"),
        ("assessing", "assessment", "#root_cause"),
        ("reaching_out", "conversations", "#with_whom"),
        ("making_it_right", "making_it_right", "#what"),
        ("following_up", "follow_up_plan", "#cadence"),
    ] {
        am.walk_to(&case, stage).await;
        let page = am.get(&case).await;
        let sections = main_sections(&page);
        assert_eq!(sections[0], "stage", "{stage}: {sections:?}");
        assert_eq!(sections[1], first, "{stage}: {sections:?}");
        assert!(
            page.html()
                .select(&scraper::Selector::parse(&format!("#{first} {form_field}")).expect("sel"))
                .next()
                .is_some(),
            "{stage}: the stage's form is open in its section"
        );
        // The checklist's items link to the fields that meet them.
        for href in page
            .html()
            .select(&scraper::Selector::parse("ul.gate li.task-todo a").expect("sel"))
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
        {
            let id = href.trim_start_matches('#');
            assert!(
                page.attr(&format!("[id='{id}']"), "id").is_some(),
                "{stage}: the checklist links to #{id}, which is on the page"
            );
        }
        // Earlier stages are summaries, their forms one click away (closed <details>).
        for earlier in page.texts(".earlier section.card.summary h2") {
            assert!(!earlier.is_empty());
        }
        assert!(
            page.html()
                .select(&scraper::Selector::parse(".earlier details.edit[open]").expect("sel"))
                .next()
                .is_none(),
            "{stage}: nothing of an earlier stage is open"
        );
    }
    // Later stages are one line: the next stage's name.
    let page = am.get(&case).await;
    assert!(page.text("ul.gate").contains("check-in"));
}

#[tokio::test]
async fn an_htmx_save_answers_with_its_section_and_the_stage_and_side_out_of_band() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    let page = am.get(&case).await;
    let category = page
        .attr("#category_id option[selected]", "value")
        .expect("category");
    let title = page.attr("#title", "value").expect("title");
    let occurred = page.attr("#occurred_at", "value").expect("when");

    let res = post_htmx(
        &am,
        &case,
        "definition",
        &[
            ("title", &title),
            (
                "what_happened",
                "The launch slipped a week; nobody told them.",
            ),
            ("category_id", &category),
            ("severity", "high"),
            ("detected_by", "client"),
            ("occurred_at", &occurred),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!res.body.contains("<html"), "a section, not a page");
    assert!(res.text("#definition .section-notice").contains("saved"));
    assert_eq!(
        res.attr("#definition .section-notice", "role").as_deref(),
        Some("status"),
        "announced to screen readers"
    );
    assert_eq!(
        res.attr("#stage", "hx-swap-oob").as_deref(),
        Some("true"),
        "the checklist is brought up to date"
    );
    assert!(
        res.text("#stage ul.gate li.task-done")
            .contains("What happened"),
        "{}",
        res.text("#stage ul.gate")
    );
    assert_eq!(res.attr("#side", "hx-swap-oob").as_deref(), Some("true"));
    assert!(res.text("#side #timeline").contains("Edited what happened"));
    // The same form without JavaScript: the page again, at the section, the answer there.
    let plain = am
        .post_case(
            &case,
            "definition",
            &[
                ("title", &title),
                ("what_happened", "The launch slipped eight days."),
                ("category_id", &category),
                ("severity", "high"),
                ("detected_by", "client"),
                ("occurred_at", &occurred),
            ],
        )
        .await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
    assert_eq!(
        plain.location().as_deref(),
        Some(format!("{case}#definition").as_str())
    );
    let page = am.get(&case).await;
    assert!(page.text("#definition .section-notice").contains("saved"));
    assert!(
        !page.text(".flashes").contains("saved"),
        "the answer is where the person acted, not at the top"
    );
    // Shown once.
    let again = am.get(&case).await;
    assert!(again.attr("#definition .section-notice", "role").is_none());
}

#[tokio::test]
async fn a_refused_htmx_save_keeps_the_input_and_marks_the_first_field_to_fix() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    am.walk_to(&case, "assessing").await;
    let res = post_htmx(
        &am,
        &case,
        "assessment",
        &[
            ("root_cause", "Nobody owned the date."),
            ("our_share", "most"),
            ("value_at_risk", "lots"),
            ("decision", "repair"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.body.contains("<html"), "a section, not a page");
    assert_eq!(res.text("#root_cause"), "Nobody owned the date.");
    assert_eq!(res.attr("#value_at_risk", "value").as_deref(), Some("lots"));
    assert_eq!(
        res.attr("#value_at_risk", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(
        res.attr("#value_at_risk", "autofocus").is_some(),
        "the first field to fix takes the focus"
    );
    assert_eq!(
        res.attr(".error-summary a", "href").as_deref(),
        Some("#value_at_risk")
    );
    let stored: Option<String> =
        sqlx::query_scalar("select root_cause from cases where title = 'Missed the launch'")
            .fetch_one(&app.db.pool)
            .await
            .expect("case");
    assert!(
        !stored
            .unwrap_or_default()
            .contains("Nobody owned the date."),
        "nothing of a refused form is saved"
    );
}

#[tokio::test]
async fn a_mood_is_chosen_in_words_never_assumed() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    am.walk_to(&case, "reaching_out").await;
    let page = am.get(&case).await;
    assert_eq!(
        page.texts("#conversations .mood-option span"),
        ["Angry", "Unhappy", "Neutral", "Satisfied", "Delighted"]
    );
    assert!(
        page.attr("#conversations input[name=sentiment][checked]", "value")
            .is_none(),
        "no mood is chosen for the person"
    );
    let refused = am
        .post_case(
            &case,
            "conversations",
            &[
                ("channel", "phone"),
                ("with_whom", "Jo Park"),
                ("summary", "Listened to the whole complaint."),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#sentiment-error")
            .contains("Angry to Delighted")
    );
    assert_eq!(
        refused.attr("#with_whom", "value").as_deref(),
        Some("Jo Park")
    );
    let saved = am
        .post_case(
            &case,
            "conversations",
            &[
                ("channel", "phone"),
                ("with_whom", "Jo Park"),
                ("summary", "Listened to the whole complaint."),
                ("sentiment", "-1"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = am.get(&case).await;
    assert!(page.text("#conversations").contains("Unhappy"));
    assert!(
        page.text("#side #timeline")
            .contains("Talked with Jo Park by phone \u{2014} the client was unhappy")
    );
}

#[tokio::test]
async fn a_check_in_that_reopens_the_case_loads_the_whole_page_even_from_htmx() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    am.plan_weekly(&case, chrono::Utc::now().date_naive()).await;
    let page = am.get(&case).await;
    let mark = page
        .attr("#commitments-at-check-in select", "name")
        .expect("the commitment is asked about");
    let res = post_htmx(
        &am,
        &case,
        "check-ins",
        &[
            ("checkin_channel", "phone"),
            ("checkin_sentiment", "-2"),
            ("checkin_summary", "Another late delivery."),
            (&mark, "broken"),
        ],
    )
    .await;
    assert_eq!(
        res.headers.get("hx-redirect").and_then(|v| v.to_str().ok()),
        Some(format!("{case}#stage").as_str()),
        "{}",
        res.body
    );
    // The address differs only by its fragment: without a refresh the browser would just scroll.
    assert_eq!(
        res.headers.get("hx-refresh").and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let page = am.get(&case).await;
    assert_eq!(
        page.text(".stepper [aria-current=step] .step-label"),
        "Making it right"
    );
    assert!(page.text(".flashes").contains("back in Making it right"));
}

#[tokio::test]
async fn a_conversation_logged_before_its_stage_is_shown_not_hidden() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let case = am.log_incident(&acme, "Missed the launch").await;
    // The page offers the form from Reaching out; the API takes one at any stage.
    let res = am
        .forge_case(
            &case,
            "conversations",
            &[
                ("channel", "phone"),
                ("with_whom", "Jo Park"),
                ("summary", "Jo rang before we had assessed anything."),
                ("sentiment", "-2"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = am.get(&case).await;
    assert!(
        page.text("#ahead #conversations")
            .contains("Jo rang before we had assessed anything.")
    );
}
