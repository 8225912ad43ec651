//! The weekly dashboard, checked against a small data set built by hand in SQL (every row
//! placed in a past week, as no form lets anyone date them). Every expected
//! number below was worked out on paper from the rows inserted here.
//!
//! Week 2026-W46 runs Monday 9 to Sunday 15 November 2026; in Berlin (UTC+1 then) that is
//! 8 Nov 23:00 UTC to 15 Nov 23:00 UTC.

use reqwest::StatusCode;

use crate::common::{Client, PASSWORD, TestApp};

/// Team North: account managers ann and bob, manager mia, all in Berlin. Team South: sam.
async fn fixture() -> TestApp {
    let app = TestApp::spawn().await;
    for (email, role, team) in [
        ("ann@example.com", "account_manager", "North"),
        ("bob@example.com", "account_manager", "North"),
        ("mia@example.com", "manager", "North"),
        ("sam@example.com", "account_manager", "South"),
        ("root@example.com", "admin", "North"),
    ] {
        app.create_user(email, role, Some(team)).await;
        set_time_zone(&as_user(&app, email).await, "Europe/Berlin").await;
    }
    sqlx::raw_sql(FIXTURE)
        .execute(&app.db.pool)
        .await
        .expect("load the fixture");
    app
}

const FIXTURE: &str = r#"
insert into accounts (name, team_id, annual_value_minor) values
    ('Acme', (select id from teams where name = 'North'), 1000000),
    ('Globex', (select id from teams where name = 'North'), 2000000),
    ('=Hooli', (select id from teams where name = 'North'), 500000),
    ('Initech', (select id from teams where name = 'South'), 700000);

create temporary table fx as select
    (select id from users where email = 'ann@example.com') as ann,
    (select id from users where email = 'bob@example.com') as bob,
    (select id from users where email = 'sam@example.com') as sam,
    (select id from teams where name = 'North') as north,
    (select id from teams where name = 'South') as south,
    (select id from accounts where name = 'Acme') as acme,
    (select id from accounts where name = 'Globex') as globex,
    (select id from accounts where name = '=Hooli') as hooli,
    (select id from accounts where name = 'Initech') as initech,
    (select id from categories order by position limit 1) as cat;

-- number, account, owner, detected_by, created, stage, outcome, closed, reparation cost
insert into cases (number, account_id, team_id, owner_id, title, category_id, severity,
                   detected_by, occurred_at, detected_at, currency, stage, outcome,
                   created_at, closed_at, reparation_cost_minor)
select v.number, v.account, v.team, v.owner, 'Case ' || v.number, fx.cat, 'high',
       v.detected_by, v.created::timestamptz, v.created::timestamptz, 'EUR', v.stage, v.outcome,
       v.created::timestamptz, v.closed::timestamptz, v.cost
from fx cross join lateral (values
    -- Opened in W46: C101 ann by us, C102 ann by the client, C103 bob by us at Sunday 23:30 Berlin.
    (101, fx.acme, fx.north, fx.ann, 'us', '2026-11-09 10:00Z', 'reaching_out', 'open', null, null::bigint),
    (102, fx.acme, fx.north, fx.ann, 'client', '2026-11-10 08:00Z', 'assessing', 'open', null, null),
    (103, fx.globex, fx.north, fx.bob, 'us', '2026-11-15 22:30Z', 'detected', 'open', null, null),
    -- Monday 00:30 Berlin: W47 for a Berlin viewer (though still Sunday in UTC).
    (104, fx.globex, fx.north, fx.bob, 'client', '2026-11-15 23:30Z', 'detected', 'open', null, null),
    -- Closed in W46: two restored (with reparations), one lost.
    (105, fx.acme, fx.north, fx.ann, 'client', '2026-10-01 10:00Z', 'closed', 'restored', '2026-11-11 10:00Z', 50000),
    (106, fx.hooli, fx.north, fx.bob, 'client', '2026-10-05 10:00Z', 'closed', 'lost', '2026-11-12 10:00Z', null),
    (107, fx.globex, fx.north, fx.bob, 'us', '2026-10-06 10:00Z', 'closed', 'restored', '2026-11-13 10:00Z', 100000),
    -- Another team's, in the same week: never counted for North.
    (108, fx.initech, fx.south, fx.sam, 'us', '2026-11-10 10:00Z', 'closed', 'restored', '2026-11-11 10:00Z', 700000)
) as v(number, account, team, owner, detected_by, created, stage, outcome, closed, cost);

create temporary table cs as select number, id from cases;

insert into conversations (case_id, channel, with_whom, happened_at, summary, sentiment)
select (select id from cs where number = v.n), v.channel, 'Jo', v.at::timestamptz, 'Talked', v.s
from (values
    (101, 'phone', '2026-11-09 12:00Z', -1),      -- first contact after 2 h
    (101, 'email', '2026-11-10 09:00Z', 1),
    (102, 'in_person', '2026-11-10 12:00Z', 0),   -- after 4 h
    (103, 'video', '2026-11-16 08:30Z', 2),       -- after 10 h, in W47
    (108, 'phone', '2026-11-10 11:00Z', -2)
) as v(n, channel, at, s);

insert into action_items (case_id, what, owner_id, done_at)
select (select id from cs where number = v.n), 'Fix it', fx.ann, v.done::timestamptz
from fx cross join lateral (values
    (105, '2026-11-05 10:00Z'),
    (105, '2026-11-10 10:00Z'),   -- all done 40 days after opening
    (107, '2026-11-12 10:00Z'),   -- all done 37 days after opening
    (101, null)                   -- not all done: no time to fix
) as v(n, done);

insert into follow_up_plans (case_id, cadence, first_due, assignee_id)
select (select id from cs where number = v.n), 'weekly', '2026-11-09', v.who
from fx cross join lateral (values (101, fx.ann), (102, fx.ann), (106, fx.bob), (107, fx.bob), (108, fx.sam))
    as v(n, who);

insert into check_ins (case_id, plan_id, seq, due_date, assignee_id, status, completed_at, sentiment)
select c.id, p.id, v.seq, v.due::date, p.assignee_id, v.status, v.done::timestamptz, v.s::smallint
from (values
    (101, 1, '2026-11-10', 'done', '2026-11-10 15:00Z', 1),    -- ann on time
    (102, 1, '2026-11-11', 'done', '2026-11-13 09:00Z', 0),    -- ann late
    (101, 2, '2026-11-12', 'missed', null, null),              -- ann missed
    (102, 2, '2026-11-15', 'done', '2026-11-15 22:30Z', -2),   -- ann, Sunday 23:30 Berlin: on time
    (101, 3, '2026-11-15', 'done', '2026-11-15 23:30Z', 2),    -- ann, Monday 00:30 Berlin: late
    (107, 1, '2026-11-09', 'done', '2026-11-09 10:00Z', 2),    -- bob on time
    (106, 1, '2026-11-13', 'scheduled', null, null),           -- bob, never done: missed
    (107, 2, '2026-11-14', 'skipped', null, null),             -- bob skipped
    (106, 2, '2026-11-16', 'scheduled', null, null),           -- next week
    (108, 1, '2026-11-10', 'done', '2026-11-10 12:00Z', 1)     -- South
) as v(n, seq, due, status, done, s)
join cases c on c.number = v.n
join follow_up_plans p on p.case_id = c.id;
"#;

/// Sets the user's time zone on their settings page.
async fn set_time_zone(user: &Client, zone: &str) {
    let res = user
        .submit("/settings", "/settings/time-zone", &[("time_zone", zone)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

async fn as_user(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    let res = client.sign_in(email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "sign-in: {}", res.body);
    client
}

fn signal(page: &crate::common::Page, id: &str) -> String {
    page.text(&format!("#signal-{id} dd"))
}

#[tokio::test]
async fn a_manager_sees_the_teams_check_ins_and_signals_for_the_week() {
    let app = fixture().await;
    let mia = as_user(&app, "mia@example.com").await;

    let page = mia.get("/dashboard/weekly?week=2026-W46").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("h1"), "Weekly dashboard 2026-W46");
    // Per AM: due, on time, late, missed, skipped, still open.
    assert_eq!(
        page.texts("#check-ins tbody tr"),
        vec!["ann 5 2 2 1 0 0", "bob 3 1 0 1 1 0"]
    );
    assert_eq!(page.text("#check-ins tfoot tr"), "Total 8 3 2 2 1 0");

    assert_eq!(signal(&page, "detected"), "2 of 3 (67%)");
    assert_eq!(signal(&page, "first-contact"), "4.0 h");
    assert_eq!(signal(&page, "direct"), "2 of 3 (67%)");
    assert_eq!(signal(&page, "fix"), "38.5 d");
    assert_eq!(signal(&page, "cost"), "5.0%");
    assert_eq!(signal(&page, "restored"), "2 of 3 (67%)");
    // −1, +1, 0 (conversations) and +1, 0, −2, +2 (check-ins): 1/7.
    assert_eq!(signal(&page, "sentiment"), "+0.14");

    // Acme has three cases in the 12 months; Globex's third came after the week's end.
    assert_eq!(page.texts("#repeat tbody tr"), vec!["Acme 3"]);
    assert_eq!(
        page.texts("#stages tbody tr"),
        vec!["Detected 2", "Assessing 1", "Reaching out 1"]
    );
    // 13 weeks in the trend, the chosen one last.
    let trend = page.texts("#trend tbody tr");
    assert_eq!(trend.len(), 13);
    assert!(trend[0].starts_with("2026-W34 "), "{trend:?}");
    assert_eq!(
        trend[12],
        "2026-W46 5 2 2 of 3 (67%) 4.0 h 2 of 3 (67%) 38.5 d 5.0% 2 of 3 (67%) +0.14"
    );
    // C106 and C107 were opened in W41 and never talked about: no time to first contact.
    assert_eq!(trend[7], "2026-W41 0 0 1 of 2 (50%) — — — — — —");
    assert_eq!(
        page.attr("#prev-week", "href").as_deref(),
        Some("/dashboard/weekly?week=2026-W45")
    );
    assert_eq!(
        page.attr("#next-week", "href").as_deref(),
        Some("/dashboard/weekly?week=2026-W47")
    );
    assert_eq!(
        page.attr("nav.site-nav a[aria-current=page]", "href")
            .as_deref(),
        Some("/dashboard/weekly")
    );
}

#[tokio::test]
async fn an_account_manager_sees_only_their_own_numbers() {
    let app = fixture().await;
    let ann = as_user(&app, "ann@example.com").await;
    let page = ann.get("/dashboard/weekly?week=2026-W46").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("#check-ins tbody tr"), vec!["ann 5 2 2 1 0 0"]);
    assert_eq!(page.text("#check-ins tfoot tr"), "Total 5 2 2 1 0 0");
    assert!(!page.body.contains("bob"), "no other AM on the page");
    assert_eq!(signal(&page, "detected"), "1 of 2 (50%)");
    assert_eq!(signal(&page, "first-contact"), "3.0 h");
    assert_eq!(signal(&page, "fix"), "40.0 d");
    assert_eq!(signal(&page, "restored"), "1 of 1 (100%)");
    assert_eq!(signal(&page, "cost"), "5.0%");
    // −1, +1, 0 and +1, 0, −2: −1/6.
    assert_eq!(signal(&page, "sentiment"), "-0.17");

    let csv = ann.get("/dashboard/weekly.csv?week=2026-W46").await;
    assert_eq!(csv.body.lines().count(), 1 + 5, "{}", csv.body);
    assert!(!csv.body.contains("bob"));
}

/// The dashboard reads facts copied onto cases, conversations and check-ins by triggers; these
/// edits (made in SQL, as any write path might) must move the numbers exactly as the raw rows say.
#[tokio::test]
async fn the_numbers_follow_edits_reassignments_and_team_moves() {
    let app = fixture().await;
    sqlx::raw_sql(
        r#"
        -- C101's phone call is removed: its first contact is now the e-mail, 23 h after opening.
        update conversations set removed_at = now()
        where channel = 'phone' and case_id = (select id from cases where number = 101);
        -- C101's last action item is done two days after opening: fixed in 48 h.
        update action_items set done_at = '2026-11-11 10:00Z'
        where case_id = (select id from cases where number = 101);
        -- C102 goes to bob.
        update cases set owner_id = (select id from users where email = 'bob@example.com')
        where number = 102;
        "#,
    )
    .execute(&app.db.pool)
    .await
    .expect("edit the fixture");

    let mia = as_user(&app, "mia@example.com").await;
    let page = mia.get("/dashboard/weekly?week=2026-W46").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // First contact: C101 23 h, C102 4 h, C103 10 h; median 10 h.
    assert_eq!(signal(&page, "first-contact"), "10.0 h");
    // In person (C102) of the e-mail and the meeting.
    assert_eq!(signal(&page, "direct"), "1 of 2 (50%)");
    // Fixes in the week: C105 40 d, C107 37 d, C101 2 d.
    assert_eq!(signal(&page, "fix"), "37.0 d");
    // +1, 0 (conversations) and +1, 0, −2, +2 (check-ins): 2/6.
    assert_eq!(signal(&page, "sentiment"), "+0.33");

    let ann = as_user(&app, "ann@example.com").await;
    let page = ann.get("/dashboard/weekly?week=2026-W46").await;
    // Ann keeps C101 (by us) only; check-ins stay with whom they were assigned to.
    assert_eq!(signal(&page, "detected"), "1 of 1 (100%)");
    assert_eq!(signal(&page, "first-contact"), "23.0 h");
    assert_eq!(signal(&page, "direct"), "0 of 1 (0%)");
    assert_eq!(page.texts("#check-ins tbody tr"), vec!["ann 5 2 2 1 0 0"]);

    let bob = as_user(&app, "bob@example.com").await;
    let page = bob.get("/dashboard/weekly?week=2026-W46").await;
    // Bob now has C102 (by the client, first contact 4 h, in person) and C103 (by us, 10 h).
    assert_eq!(signal(&page, "detected"), "1 of 2 (50%)");
    assert_eq!(signal(&page, "first-contact"), "7.0 h");
    assert_eq!(signal(&page, "direct"), "1 of 1 (100%)");

    // Acme moves to team South: its cases, their conversations and check-ins go along.
    sqlx::raw_sql(
        r#"
        update cases set team_id = (select id from teams where name = 'South')
        where account_id = (select id from accounts where name = 'Acme');
        "#,
    )
    .execute(&app.db.pool)
    .await
    .expect("move Acme");
    let page = mia.get("/dashboard/weekly?week=2026-W46").await;
    // North keeps C103 (by us) of the cases opened in the week, and bob's check-ins.
    assert_eq!(signal(&page, "detected"), "1 of 1 (100%)");
    assert_eq!(page.texts("#check-ins tbody tr"), vec!["bob 3 1 0 1 1 0"]);
    assert_eq!(signal(&page, "direct"), "—");
}

#[tokio::test]
async fn week_boundaries_follow_the_viewers_time_zone() {
    let app = fixture().await;
    let mia = as_user(&app, "mia@example.com").await;
    // C104, opened Sunday 23:30 UTC = Monday 00:30 Berlin, is W47's; C103's first contact too.
    let w47 = mia.get("/dashboard/weekly?week=2026-W47").await;
    assert_eq!(signal(&w47, "detected"), "0 of 1 (0%)");
    assert_eq!(w47.texts("#repeat tbody tr"), vec!["Acme 3", "Globex 3"]);
    // Only the check-in due Monday 16th; ann's done Monday 00:30 Berlin still counts for W46.
    assert_eq!(w47.text("#check-ins tfoot tr"), "Total 1 0 0 1 0 0");

    // The same data seen from UTC: C104 and ann's check-in (Sunday 23:30 UTC) fall in W46.
    set_time_zone(&mia, "UTC").await;
    let utc = as_user(&app, "mia@example.com").await;
    let w46 = utc.get("/dashboard/weekly?week=2026-W46").await;
    assert_eq!(signal(&w46, "detected"), "2 of 4 (50%)");
    assert_eq!(w46.text("#check-ins tfoot tr"), "Total 8 4 1 2 1 0");
}

#[tokio::test]
async fn odd_weeks_work_and_bad_ones_show_this_week_with_a_notice() {
    let app = fixture().await;
    let mia = as_user(&app, "mia@example.com").await;
    let w53 = mia.get("/dashboard/weekly?week=2026-W53").await;
    assert_eq!(w53.status, StatusCode::OK);
    assert_eq!(w53.text("h1"), "Weekly dashboard 2026-W53");
    assert_eq!(
        w53.attr("#next-week", "href").as_deref(),
        Some("/dashboard/weekly?week=2027-W01")
    );

    let bad = mia.get("/dashboard/weekly?week=garbage").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.text("#week-notice").contains("not a week"),
        "{}",
        bad.body
    );
    let this_week = mia.get("/dashboard/weekly").await;
    assert_eq!(bad.text("h1"), this_week.text("h1"));
    assert!(this_week.text("#week-notice").is_empty());
    let no_w53 = mia.get("/dashboard/weekly?week=2025-W53").await;
    assert_eq!(no_w53.status, StatusCode::OK);
    assert!(no_w53.text("#week-notice").contains("2025 has no week 53"));
}

#[tokio::test]
async fn the_charts_are_well_formed_accessible_svg() {
    let app = fixture().await;
    let mia = as_user(&app, "mia@example.com").await;
    let page = mia.get("/dashboard/weekly?week=2026-W46").await;
    let mut svgs = 0;
    for (start, _) in page.body.match_indices("<svg") {
        let end = start + page.body[start..].find("</svg>").expect("closed svg") + 6;
        let doc = roxmltree::Document::parse(&page.body[start..end]).expect("well-formed SVG");
        let root = doc.root_element();
        // A group, not an image: its bars and points are links (to a week, to a stage's cases).
        assert_eq!(root.attribute("role"), Some("group"));
        assert!(doc.descendants().any(|n| n.has_tag_name("a")));
        let labelled = root.attribute("aria-labelledby").expect("labelled");
        for id in labelled.split_whitespace() {
            assert!(doc.descendants().any(|n| n.attribute("id") == Some(id)));
        }
        assert!(root.attribute("style").is_none());
        assert!(doc.descendants().all(|n| n.attribute("style").is_none()));
        svgs += 1;
    }
    assert_eq!(svgs, 6, "three charts, each drawn wide and narrow");
    // Each bar and point carries its number.
    assert!(
        page.body
            .contains("<title>2026-W46: 5 check-ins done</title>")
    );
    assert!(
        page.body
            .contains("<title>2026-W46: 2 check-ins missed</title>")
    );
    assert!(
        page.body
            .contains("<title>2026-W46: average sentiment +0.14 (7 ratings)</title>")
    );
    assert!(page.body.contains("<title>Detected: 2 open cases</title>"));
}

#[tokio::test]
async fn the_csv_holds_exactly_the_weeks_check_ins() {
    let app = fixture().await;
    let mia = as_user(&app, "mia@example.com").await;
    let csv = mia.get("/dashboard/weekly.csv?week=2026-W46").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let expected = "\
due_date,case,account,assignee,status,completed_at,sentiment
2026-11-09,CR-107,Globex,bob,done,2026-11-09T11:00:00+01:00,2
2026-11-10,CR-101,Acme,ann,done,2026-11-10T16:00:00+01:00,1
2026-11-11,CR-102,Acme,ann,done,2026-11-13T10:00:00+01:00,0
2026-11-12,CR-101,Acme,ann,missed,,
2026-11-13,CR-106,'=Hooli,bob,scheduled,,
2026-11-14,CR-107,Globex,bob,skipped,,
2026-11-15,CR-101,Acme,ann,done,2026-11-16T00:30:00+01:00,2
2026-11-15,CR-102,Acme,ann,done,2026-11-15T23:30:00+01:00,-2
";
    assert_eq!(csv.body, expected);
    let bad = mia.get("/dashboard/weekly.csv?week=garbage").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_can_pick_a_team() {
    let app = fixture().await;
    let root = as_user(&app, "root@example.com").await;
    let all = root.get("/dashboard/weekly?week=2026-W46").await;
    assert_eq!(all.text("#check-ins tfoot tr"), "Total 9 4 2 2 1 0");
    let south: String = sqlx::query_scalar("select id::text from teams where name = 'South'")
        .fetch_one(&app.db.pool)
        .await
        .expect("team");
    let page = root
        .get(&format!("/dashboard/weekly?week=2026-W46&team={south}"))
        .await;
    assert_eq!(page.texts("#check-ins tbody tr"), vec!["sam 1 1 0 0 0 0"]);
    assert_eq!(signal(&page, "restored"), "1 of 1 (100%)");
    assert_eq!(
        page.attr("#next-week", "href"),
        Some(format!("/dashboard/weekly?week=2026-W47&team={south}"))
    );
}

/// The case numbers a case list page shows, in order.
fn listed(page: &crate::common::Page) -> Vec<String> {
    let mut numbers: Vec<String> = page
        .texts("table.data tbody tr td:first-child")
        .into_iter()
        .map(|t| t.split_whitespace().next().unwrap_or_default().to_string())
        .collect();
    numbers.sort();
    numbers
}

#[tokio::test]
async fn each_tile_says_how_it_moved_since_last_week_and_opens_the_cases_behind_it() {
    let app = fixture().await;
    let mia = as_user(&app, "mia@example.com").await;
    // W47 against W46: one case opened (C104, the client noticed first) after two of three.
    let page = mia.get("/dashboard/weekly?week=2026-W47").await;
    assert_eq!(signal(&page, "detected"), "0 of 1 (0%)");
    assert_eq!(
        page.text("#signal-detected .tile-change"),
        "▼ 67 points on last week (67%) (worse)"
    );
    assert!(
        page.attr("#signal-detected .tile-change", "class")
            .unwrap_or_default()
            .contains("change-worse")
    );
    // C103's video call (+2) and ann's late check-in (+2) against W46's +0.14.
    assert_eq!(signal(&page, "sentiment"), "+2.00");
    assert_eq!(
        page.text("#signal-sentiment .tile-change"),
        "▲ 1.86 on last week (+0.14) (better)"
    );
    // Nothing closed in W47: nothing to compare.
    assert_eq!(signal(&page, "restored"), "—");
    assert_eq!(page.text("#signal-restored .tile-change"), "Last week: 67%");
    assert_eq!(
        page.text("#signal-first-contact .tile-change"),
        "Last week: 4.0 h"
    );

    // Drill-down: the tile's link lists exactly the cases behind the number.
    let opened = page
        .attr("#signal-detected .tile-link a", "href")
        .expect("a link to the cases");
    assert_eq!(opened, "/cases?opened=2026-W47");
    let list = mia.get(&opened).await;
    assert_eq!(listed(&list), ["CR-104"]);
    assert!(
        list.text("#period")
            .contains("Cases opened in week 2026-W47")
    );
    let w46 = mia.get("/dashboard/weekly?week=2026-W46").await;
    assert_eq!(
        w46.text("#signal-detected .tile-link"),
        "The 3 cases opened"
    );
    let closed = w46
        .attr("#signal-restored .tile-link a", "href")
        .expect("a link to the closed cases");
    assert_eq!(
        listed(&mia.get(&closed).await),
        ["CR-105", "CR-106", "CR-107"],
        "North's three closed in W46, not South's"
    );
    let opened = listed(
        &mia.get(
            &w46.attr("#signal-detected .tile-link a", "href")
                .expect("link"),
        )
        .await,
    );
    assert_eq!(
        opened,
        ["CR-101", "CR-102", "CR-103"],
        "C103 at 23:30 Berlin on Sunday"
    );
    // A stage opens its open cases.
    let detected = w46
        .attr("#stages tbody tr:first-child a", "href")
        .expect("stage link");
    assert_eq!(detected, "/cases?stage=detected&outcome=open");
    assert_eq!(listed(&mia.get(&detected).await), ["CR-103", "CR-104"]);

    // An account manager's drill-downs are their own cases.
    let ann = as_user(&app, "ann@example.com").await;
    let mine = ann.get("/dashboard/weekly?week=2026-W46").await;
    let href = mine
        .attr("#signal-detected .tile-link a", "href")
        .expect("link");
    assert!(href.contains("owner="), "{href}");
    assert_eq!(listed(&ann.get(&href).await), ["CR-101", "CR-102"]);
}

#[tokio::test]
async fn every_chart_has_a_title_axis_labels_last_week_and_links_to_what_is_behind_it() {
    let app = fixture().await;
    let mia = as_user(&app, "mia@example.com").await;
    let page = mia.get("/dashboard/weekly?week=2026-W46").await;
    assert_eq!(
        page.texts(".chart-figure figcaption h3"),
        [
            "Check-ins done and missed, week by week",
            "Clients' average mood, week by week",
            "Open cases by stage, now"
        ]
    );
    assert!(
        page.text("#check-in-chart-heading + p")
            .starts_with("This week: 5 done, 2 missed. Last week: 0 done, 0 missed."),
        "{}",
        page.text(".chart-figure figcaption")
    );
    assert!(
        page.text("#sentiment-chart-heading + p")
            .starts_with("This week: +0.14. Last week: —.")
    );
    // Axis titles, in both drawings (wide, and narrow for a phone).
    let titles = page.texts("svg .chart-axis-title");
    assert_eq!(
        titles,
        [
            "Check-ins",
            "Week",
            "Check-ins",
            "Week",
            "Mood",
            "Week",
            "Mood",
            "Week"
        ]
    );
    // Each week's bars open that week; the chosen week is marked.
    assert_eq!(
        page.attr("svg.chart-wide a.chart-current", "href")
            .as_deref(),
        Some("/dashboard/weekly?week=2026-W46")
    );
    assert!(
        page.attr(
            "svg.chart-wide a[href='/dashboard/weekly?week=2026-W45']",
            "href"
        )
        .is_some()
    );
    // On a phone every other week is labelled, the chosen one always.
    // (The narrow check-in chart's week labels: the only linked texts that name a week.)
    let narrow: Vec<String> = page
        .texts("svg.chart-narrow a text")
        .into_iter()
        .filter(|t| t.starts_with('W'))
        .collect();
    assert_eq!(narrow.len(), 7, "{narrow:?}");
    assert_eq!(narrow.last().map(String::as_str), Some("W46"));
    // The stages link to their cases.
    assert!(
        page.attr(
            "svg.chart-wide a[href='/cases?stage=reaching_out&outcome=open']",
            "href"
        )
        .is_some()
    );
}
