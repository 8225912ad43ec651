use reqwest::StatusCode;

use crate::common::{PASSWORD, TestApp};

#[tokio::test]
async fn search_finds_a_word_from_a_conversation() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let quiet = am.log_incident(&acme, "Report delivered late").await;
    let loud = am
        .log_incident(&acme, "Consultant missed the workshop")
        .await;
    am.walk_to(&loud, "reaching_out").await;
    am.submit(
        &loud,
        &format!("{loud}/conversations"),
        &[
            ("channel", "phone"),
            ("with_whom", "Jo"),
            (
                "summary",
                "The client mentioned the sandwiches were terrible too.",
            ),
            ("sentiment", "-1"),
        ],
    )
    .await;

    let found = am.get("/cases?q=sandwich").await;
    let rows = found.texts("table.data tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Consultant missed the workshop"));
    assert_eq!(
        found.text("table.data tbody svg.spark title"),
        "Client's mood over time: -1",
        "a sentiment sparkline on the row"
    );
    assert!(
        !found.body.contains(quiet.trim_start_matches("/cases/")),
        "the other case is not listed"
    );
    // Title words rank first, and the search is kept in the form.
    assert_eq!(found.attr("#q", "value").as_deref(), Some("sandwich"));
    let none = am.get("/cases?q=unicorn").await;
    assert!(none.text(".empty-state").contains("No cases match"));
}

#[tokio::test]
async fn filters_and_sorting_live_in_the_url() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    for title in ["Bravo problem", "Alpha problem", "Charlie problem"] {
        let case = am.log_incident(&acme, title).await;
        if title == "Charlie problem" {
            am.define(&case, &[("severity", "low")]).await;
        }
    }

    let high = am.get("/cases?severity=high").await;
    assert_eq!(high.texts("table.data tbody tr").len(), 2);
    assert_eq!(
        high.attr("#severity option[selected]", "value").as_deref(),
        Some("high")
    );

    let by_title = am.get("/cases?sort=title&dir=asc").await;
    let titles: Vec<String> = by_title.texts("table.data tbody tr td:nth-child(2)");
    assert_eq!(
        titles,
        ["Alpha problem", "Bravo problem", "Charlie problem"]
    );
    let title_header = by_title
        .html()
        .select(&scraper::Selector::parse("th[aria-sort=ascending] a").expect("sel"))
        .next()
        .map(|a| a.text().collect::<String>());
    assert_eq!(title_header.as_deref(), Some("Title"));
    // The header link flips the direction and keeps the filters.
    let flip = am.get("/cases?severity=high&sort=title&dir=asc").await;
    assert_eq!(
        flip.attr("th[aria-sort=ascending] a", "href").as_deref(),
        Some("/cases?severity=high&sort=title&dir=desc")
    );

    // Unknown values are ignored rather than failing.
    let odd = am
        .get("/cases?stage=bogus&severity=%3Cscript%3E&page=-4&sort=drop+table")
        .await;
    assert_eq!(odd.status, StatusCode::OK);
    assert_eq!(odd.texts("table.data tbody tr").len(), 3);
}

#[tokio::test]
async fn overdue_shows_cases_with_late_actions() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let late = am.log_incident(&acme, "Late one").await;
    am.log_incident(&acme, "On time one").await;
    am.walk_to(&late, "making_it_right").await;
    let page = am.get(&late).await;
    let owner = page
        .attr("#action_owner option[selected]", "value")
        .expect("owner");
    am.submit(
        &late,
        &format!("{late}/actions"),
        &[
            ("what", "Send the fix"),
            ("owner_id", &owner),
            ("due_date", "2020-01-01"),
        ],
    )
    .await;
    let overdue = am.get("/cases?overdue=1").await;
    let rows = overdue.texts("table.data tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Late one") && rows[0].contains("Overdue"));
}

#[tokio::test]
async fn the_csv_export_holds_exactly_the_filtered_rows_safely_quoted() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme, Inc.").await;
    am.log_incident(&acme, "=HYPERLINK(\"http://evil.example\")")
        .await;
    am.log_incident(&acme, "Said \"sorry\" too late").await;
    let low = am.log_incident(&acme, "Low thing").await;
    am.define(&low, &[("severity", "low")]).await;

    let list = am.get("/cases?severity=high").await;
    let href = list.attr(".list-tools a", "href").expect("export link");
    assert_eq!(href, "/cases/export.csv?severity=high");
    let csv = am.get(&href).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    assert!(
        csv.header("content-disposition")
            .unwrap_or_default()
            .contains("attachment")
    );
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(&headers[0], "case");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 2, "exactly the two high-severity cases");
    let titles: Vec<&str> = records.iter().map(|r| &r[1]).collect();
    assert!(
        titles.contains(&"'=HYPERLINK(\"http://evil.example\")"),
        "{titles:?}"
    );
    assert!(titles.contains(&"Said \"sorry\" too late"), "{titles:?}");
    assert!(records.iter().all(|r| &r[2] == "Acme, Inc."));
}

#[tokio::test]
async fn another_teams_cases_appear_in_neither_the_list_nor_the_export() {
    let app = TestApp::spawn().await;
    let north = app.signed_in("account_manager").await;
    let acme = north.new_account("Acme").await;
    north.log_incident(&acme, "North secret").await;
    app.create_user("south.am@example.com", "account_manager", Some("South"))
        .await;
    let south = app.client();
    south.sign_in("south.am@example.com", PASSWORD).await;
    assert!(!south.get("/cases").await.body.contains("North secret"));
    assert!(
        !south
            .get("/cases?q=secret")
            .await
            .body
            .contains("North secret")
    );
    assert!(
        !south
            .get("/cases/export.csv")
            .await
            .body
            .contains("North secret")
    );
    assert!(
        app.signed_in("admin")
            .await
            .get("/cases/export.csv")
            .await
            .body
            .contains("North secret")
    );
}

#[tokio::test]
async fn the_list_pages_in_a_stable_order() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    am.log_incident(&acme, "Template case").await;
    // 59 more cases, all created at the same moment: the number breaks ties.
    for g in 1..=59 {
        am.log_incident(&acme, &format!("Copy {g}")).await;
    }
    sqlx::query("update cases set created_at = '2026-01-01T00:00:00Z'")
        .execute(&app.db.pool)
        .await
        .expect("same time");
    let page1 = am.get("/cases").await;
    assert_eq!(page1.texts("table.data tbody tr").len(), 50);
    let next = page1.attr(".pagination a[rel=next]", "href").expect("next");
    let page2 = am.get(&next).await;
    assert_eq!(page2.texts("table.data tbody tr").len(), 10);
    let numbers = |p: &crate::common::Page| p.texts("table.data tbody tr td:first-child");
    let mut all = numbers(&page1);
    all.extend(numbers(&page2));
    let unique: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 60, "no case twice, none missing");
}

#[tokio::test]
async fn a_manager_finds_the_cases_awaiting_let_go_approval() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let asking = am.log_incident(&acme, "Hopeless client").await;
    am.log_incident(&acme, "Ordinary trouble").await;
    let token = am.csrf_token(&asking).await;
    let version = am
        .get(&asking)
        .await
        .attr("input[name=version]", "value")
        .expect("version");
    am.post_raw(
        &format!("{asking}/let-go"),
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("let_go_reason", "Not worth it"),
            ("let_go_lesson", "Say no sooner."),
        ],
    )
    .await;

    let manager = app.signed_in("manager").await;
    let list = manager.get("/cases?letgo=requested").await;
    let rows = list.texts("table.data tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Hopeless client"));
}

/// Copies the case at `number` `n` times, each copy `g` minutes older than the one before
/// (titles "Copy 1" … "Copy n"), straight into the database: hundreds to thousands of cases,
/// which through the forms would take minutes.
async fn copies(app: &TestApp, number: i64, n: i64) {
    sqlx::query(
        "insert into cases (account_id, team_id, owner_id, title, category_id, severity, detected_by,
                            occurred_at, detected_at, currency, created_at)
         select account_id, team_id, owner_id, 'Copy ' || lpad(g::text, 4, '0'), category_id,
                severity, detected_by, occurred_at, detected_at, currency,
                created_at - g * interval '1 minute'
         from cases, generate_series(1, $2::int) g where number = $1",
    )
    .bind(number)
    .bind(n)
    .execute(&app.db.pool)
    .await
    .expect("copies");
}

fn case_number_of(path: &str) -> i64 {
    path.trim_start_matches("/cases/CR-")
        .parse()
        .expect("case number")
}

#[tokio::test]
async fn pages_go_back_and_forth_and_stay_put_when_a_case_arrives() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let first = am.log_incident(&acme, "Template case").await;
    copies(&app, case_number_of(&first), 119).await;
    let numbers = |p: &crate::common::Page| p.texts("table.data tbody tr td:first-child");

    let page1 = am.get("/cases").await;
    assert_eq!(page1.text("#cases-caption"), "120 cases");
    assert!(page1.attr(".pagination a[rel=prev]", "href").is_none());
    let next = page1.attr(".pagination a[rel=next]", "href").expect("next");
    let page2 = am.get(&next).await;
    assert_eq!(numbers(&page2).len(), 50);

    // A new incident lands at the top of the list; the second page does not shift.
    am.log_incident(&acme, "Brand new trouble").await;
    let again = am.get(&next).await;
    assert_eq!(
        numbers(&again),
        numbers(&page2),
        "the same cases on the same page"
    );

    // Back from the second page: the cases of the first, and a way further back to the newcomer.
    let prev = again.attr(".pagination a[rel=prev]", "href").expect("prev");
    let back = am.get(&prev).await;
    assert_eq!(numbers(&back), numbers(&page1));
    assert!(back.attr(".pagination a[rel=prev]", "href").is_some());
    let first_page = back
        .attr(".pagination a:first-child", "href")
        .expect("first page");
    assert_eq!(first_page, "/cases");
    assert!(am.get(&first_page).await.body.contains("Brand new trouble"));

    // The last page has no next.
    let last = am
        .get(&again.attr(".pagination a[rel=next]", "href").expect("next"))
        .await;
    assert_eq!(numbers(&last).len(), 20);
    assert!(last.attr(".pagination a[rel=next]", "href").is_none());
}

#[tokio::test]
async fn pages_keep_a_sort_by_title() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let first = am.log_incident(&acme, "Template case").await;
    copies(&app, case_number_of(&first), 79).await;
    let titles = |p: &crate::common::Page| {
        p.texts("table.data tbody tr td:nth-child(2)")
            .into_iter()
            .map(|t| t.to_lowercase())
            .collect::<Vec<_>>()
    };
    let page1 = am.get("/cases?sort=title&dir=asc").await;
    let next = page1.attr(".pagination a[rel=next]", "href").expect("next");
    assert!(
        next.contains("sort=title") && next.contains("dir=asc"),
        "{next}"
    );
    let page2 = am.get(&next).await;
    let mut all = titles(&page1);
    all.extend(titles(&page2));
    assert_eq!(all.len(), 80);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "ascending across both pages");
}

#[tokio::test]
async fn a_long_list_counts_to_a_thousand_and_says_more() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let first = am.log_incident(&acme, "Template case").await;
    copies(&app, case_number_of(&first), 1_100).await;
    let all = am.get("/cases").await;
    assert_eq!(all.text("#cases-caption"), "More than 1,000 cases");
    let narrow = am.get("/cases?q=template").await;
    assert_eq!(narrow.text("#cases-caption"), "1 case");
}

#[tokio::test]
async fn a_page_past_the_end_of_the_list_says_so() {
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let only = am.log_incident(&acme, "The only case").await;
    let past = am
        .get(&format!("/cases?after={}", case_number_of(&only)))
        .await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.body.contains("No more cases"), "{}", past.body);
    assert_eq!(
        past.attr(".empty-state a", "href").as_deref(),
        Some("/cases")
    );
    // A cursor that is not a case number is the first page.
    let junk = am.get("/cases?after=drop+table&before=%3Cb%3E").await;
    assert_eq!(junk.status, StatusCode::OK);
    assert!(junk.body.contains("The only case"));
}

/// Browsers ask for gzip; the export must arrive whole all the same, byte for byte the CSV
/// an uncompressed request gets.
#[tokio::test]
async fn a_large_export_arrives_whole_when_compressed() {
    use std::io::Read;
    let app = TestApp::spawn().await;
    let am = app.signed_in("account_manager").await;
    let acme = am.new_account("Acme").await;
    let first = am.log_incident(&acme, "Template case").await;
    copies(&app, case_number_of(&first), 3_000).await;

    let (status, headers, plain) = am.get_bytes("/cases/export.csv", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-encoding").is_none());
    let plain = String::from_utf8(plain).expect("utf-8");
    assert_eq!(plain.lines().count(), 3_002, "a header and every case");

    for path in ["/cases/export.csv", "/cases/export.csv?stage=detected"] {
        let (status, headers, gz) = am
            .get_bytes(path, &[("accept-encoding", "gzip, deflate, br")])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip")
        );
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_string(&mut unzipped)
            .expect("a complete gzip stream");
        assert_eq!(unzipped, plain, "{path}: the same rows, all of them");
    }
}
