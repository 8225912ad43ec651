//! Every page, in a real browser, on demo data: an accessibility audit with axe-core (no serious
//! or critical violation), no horizontal scrolling of the page at 375 px wide (wide tables scroll
//! in their own box), and screenshots at 375 and 1280 px — the README's are among them.
//!
//! axe-core comes from the npm registry (`tests/browser/axe/package.json`, pinned by its lock
//! file); `.ci/run` installs it, and so does this test when it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use fantoccini::Locator;
use serde_json::Value;

use crate::common::TestApp;
use crate::driver::Browser;

const WIDE: (u32, u32) = (1280, 800);
const NARROW: (u32, u32) = (375, 812);

fn axe_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/axe")
}

/// axe-core's source, installed from the lock file when it is not there yet.
fn axe_source() -> String {
    let script = axe_dir().join("node_modules/axe-core/axe.min.js");
    if !script.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(axe_dir())
            .status()
            .expect("the accessibility audit needs npm (apt-get install npm) to fetch axe-core");
        assert!(status.success(), "npm ci for axe-core failed");
    }
    std::fs::read_to_string(&script).unwrap_or_else(|e| panic!("{}: {e}", script.display()))
}

/// Where screenshots go: the README's into `docs/screenshots`, all of them into the build folder.
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

const README_SHOTS: [&str; 4] = ["case-page", "my-work", "review", "weekly-dashboard"];

/// Runs axe on the page shown; returns its serious and critical violations, described.
async fn audit(browser: &Browser, axe: &str) -> Vec<String> {
    browser
        .client
        .execute(axe, vec![])
        .await
        .expect("inject axe-core");
    let result = browser
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: 'tag',
                   values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
                 .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at '
                         + v.nodes.slice(0, 3).map(n => n.target.join(' ')
                             + (n.failureSummary ? ' (' + n.failureSummary.replace(/\s+/g, ' ') + ')' : ''))
                           .join('; '))))
                 .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .expect("run axe-core");
    match result {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        other => vec![format!("unexpected axe result {other}")],
    }
}

/// How far the page scrolls sideways (0 when it fits the window).
async fn overflow(browser: &Browser) -> i64 {
    browser
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .expect("measure")
        .as_i64()
        .unwrap_or(i64::MAX)
}

/// The outermost elements that stick out of the window, to say what makes a page too wide.
async fn too_wide(browser: &Browser) -> String {
    browser
        .client
        .execute(
            r#"const limit = document.documentElement.clientWidth;
               const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.className && typeof e.className === 'string'
                       ? '.' + e.className.trim().split(/\s+/).join('.') : '');
               // Content of a closed <details> has boxes but is not shown: it does not count.
               const out = e => e.checkVisibility() && e.getBoundingClientRect().right > limit + 1;
               // Clipped by a scrolling box (absolutely placed boxes escape one that is not
               // positioned, so they count).
               const clipped = e => {
                   if (['absolute', 'fixed'].includes(getComputedStyle(e).position)) return false;
                   for (let p = e.parentElement; p; p = p.parentElement) {
                       const o = getComputedStyle(p).overflowX;
                       if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
                   }
                   return false;
               };
               // The frontier: sticking out while the parent does not.
               const wide = [...document.body.querySelectorAll('*')].filter(e =>
                   out(e) && !clipped(e) && e.parentElement && (!out(e.parentElement)
                       || ['absolute', 'fixed'].includes(getComputedStyle(e).position)));
               return wide.slice(0, 5).map(e => name(e) + ' (right edge at ' + Math.round(e.getBoundingClientRect().right) + ' px)').join(', ');"#,
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One page to check: a name for reports and screenshots, and its address.
struct Stop {
    name: String,
    path: String,
}

fn stop(name: &str, path: impl Into<String>) -> Stop {
    Stop {
        name: name.to_string(),
        path: path.into(),
    }
}

/// Visits every stop at both widths, auditing each; collects every problem.
async fn check(
    browser: &Browser,
    app: &TestApp,
    axe: &str,
    stops: &[Stop],
    problems: &mut Vec<String>,
) {
    let shots = screenshot_dir();
    for (width, height) in [WIDE, NARROW] {
        browser.set_viewport(width, height).await;
        for stop in stops {
            browser
                .client
                .goto(&app.url(&stop.path))
                .await
                .expect("goto");
            let title = browser.client.title().await.unwrap_or_default();
            if !title.ends_with("· Mend") {
                problems.push(format!("{} ({}): title {title:?}", stop.name, stop.path));
            }
            let h1 = browser
                .client
                .find_all(Locator::Css("h1"))
                .await
                .expect("h1");
            if h1.len() != 1 {
                problems.push(format!(
                    "{} ({}): {} h1 headings",
                    stop.name,
                    stop.path,
                    h1.len()
                ));
            }
            for violation in audit(browser, axe).await {
                problems.push(format!(
                    "{} at {width}px ({}): {violation}",
                    stop.name, stop.path
                ));
            }
            if width == NARROW.0 {
                let inner: i64 = browser
                    .client
                    .execute("return window.innerWidth;", vec![])
                    .await
                    .expect("width")
                    .as_i64()
                    .unwrap_or_default();
                assert_eq!(inner, i64::from(NARROW.0), "the window is not 375 px wide");
                let extra = overflow(browser).await;
                if extra > 0 {
                    problems.push(format!(
                        "{} ({}): the page scrolls sideways by {extra} px at {width} px; too wide: {}",
                        stop.name,
                        stop.path,
                        too_wide(browser).await
                    ));
                }
            }
            let png = browser.client.screenshot().await.expect("screenshot");
            std::fs::write(shots.join(format!("{}-{width}.png", stop.name)), &png)
                .expect("save screenshot");
            if width == WIDE.0 && README_SHOTS.contains(&stop.name.as_str()) {
                let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
                std::fs::create_dir_all(&docs).expect("docs/screenshots");
                std::fs::write(docs.join(format!("{}.png", stop.name)), &png)
                    .expect("save README screenshot");
            }
        }
    }
}

async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    browser.client.delete_all_cookies().await.expect("sign out");
    browser
        .sign_in(&app.url("/login"), email, mend::demo::PASSWORD)
        .await;
    browser.wait_for_text("h1", "").await;
}

async fn one(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn every_page_passes_the_accessibility_audit_and_fits_a_phone() {
    let axe = axe_source();
    let mut problems = Vec::new();
    let browser = Browser::start().await;

    // The first-run setup, before anyone has an account.
    let fresh = TestApp::spawn().await;
    check(
        &browser,
        &fresh,
        &axe,
        &[stop("setup", "/setup")],
        &mut problems,
    )
    .await;
    browser.set_viewport(WIDE.0, WIDE.1).await;
    browser
        .client
        .goto(&fresh.url("/setup"))
        .await
        .expect("goto");
    browser.click("button.primary[type=submit]").await;
    browser.wait_for_text("h1", "Set up Mend").await;
    for violation in audit(&browser, &axe).await {
        problems.push(format!("setup with errors: {violation}"));
    }
    // Set up, without demo data: the empty states of a new organisation.
    browser.fill_setup().await;
    browser.click("#demo").await;
    browser.click("button.primary[type=submit]").await;
    browser.wait_for_text(".flashes", "Welcome to Mend").await;
    check(
        &browser,
        &fresh,
        &axe,
        &[
            stop("empty-home", "/"),
            stop("empty-cases", "/cases"),
            stop("empty-accounts", "/accounts"),
            stop("empty-lessons", "/lessons"),
            stop("empty-dashboard", "/dashboard/weekly"),
            stop("empty-review", "/review"),
            stop("empty-admin", "/admin"),
        ],
        &mut problems,
    )
    .await;

    let app = TestApp::spawn().await;
    mend::demo::load(
        &app.db.pool,
        mend::demo::DemoOptions {
            accounts: 30,
            cases: 200,
            seed: 7,
        },
    )
    .await
    .expect("demo data");
    let following_up = one(&app, "select 'CR-' || number from cases where stage = 'following_up' and outcome = 'open' order by number limit 1").await;
    let restored = one(
        &app,
        "select 'CR-' || number from cases where outcome = 'restored' order by number limit 1",
    )
    .await;
    let detected = one(
        &app,
        "select 'CR-' || number from cases where stage = 'detected' order by number limit 1",
    )
    .await;
    let reaching_out = one(
        &app,
        "select 'CR-' || number from cases where stage = 'reaching_out' order by number limit 1",
    )
    .await;
    let assessing = one(
        &app,
        "select 'CR-' || number from cases where stage = 'assessing' order by number limit 1",
    )
    .await;
    let making_it_right = one(
        &app,
        "select 'CR-' || number from cases where stage = 'making_it_right' order by number limit 1",
    )
    .await;
    let north_case = one(&app, "select 'CR-' || c.number from cases c join teams t on t.id = c.team_id where t.name = 'North' and c.stage = 'following_up' and c.outcome = 'open' order by c.number limit 1").await;
    let account = one(&app, "select id::text from accounts order by name limit 1").await;
    let user = one(
        &app,
        "select id::text from users where email like 'am1.north@%'",
    )
    .await;

    // Signed out.
    browser.client.delete_all_cookies().await.expect("cookies");
    check(
        &browser,
        &app,
        &axe,
        &[
            stop("sign-in", "/login"),
            stop("password-link", "/password/not-a-real-token"),
        ],
        &mut problems,
    )
    .await;

    // An account manager.
    sign_in(
        &browser,
        &app,
        &format!("am1.north@{}", mend::demo::EMAIL_DOMAIN),
    )
    .await;
    check(
        &browser,
        &app,
        &axe,
        &[
            stop("my-work", "/"),
            stop("case-page", format!("/cases/{north_case}")),
            stop("weekly-dashboard", "/dashboard/weekly"),
            stop("settings", "/settings"),
        ],
        &mut problems,
    )
    .await;

    // A manager.
    sign_in(
        &browser,
        &app,
        &format!("manager.north@{}", mend::demo::EMAIL_DOMAIN),
    )
    .await;
    check(
        &browser,
        &app,
        &axe,
        &[
            stop("review", "/review"),
            stop("manager-dashboard", "/dashboard/weekly"),
        ],
        &mut problems,
    )
    .await;

    // The admin: every other page.
    sign_in(
        &browser,
        &app,
        &format!("admin@{}", mend::demo::EMAIL_DOMAIN),
    )
    .await;
    check(
        &browser,
        &app,
        &axe,
        &[
            stop("admin-home", "/"),
            stop("cases", "/cases"),
            stop(
                "cases-filtered",
                "/cases?stage=following_up&sort=severity&q=report",
            ),
            stop("cases-empty", "/cases?q=zzzznothingmatches"),
            stop("new-case", "/cases/new"),
            stop("case-detected", format!("/cases/{detected}")),
            stop("case-assessing", format!("/cases/{assessing}")),
            stop("case-reaching-out", format!("/cases/{reaching_out}")),
            stop("case-making-it-right", format!("/cases/{making_it_right}")),
            stop("case-timeline", format!("/cases/{following_up}/timeline")),
            stop("case-following-up", format!("/cases/{following_up}")),
            stop("case-restored", format!("/cases/{restored}")),
            stop("accounts", "/accounts"),
            stop("account", format!("/accounts/{account}")),
            stop("account-edit", format!("/accounts/{account}/edit")),
            stop("new-account", "/accounts/new"),
            stop("lessons", "/lessons"),
            stop("review-all", "/review"),
            stop("admin", "/admin"),
            stop("admin-users-new", "/admin/users/new"),
            stop("admin-user", format!("/admin/users/{user}")),
            stop("admin-settings", "/admin/settings"),
            stop("admin-audit", "/admin/audit"),
            stop("admin-outbox", "/admin/outbox"),
            stop("admin-intake", "/admin/intake"),
            stop("api", "/api"),
            stop("not-found", "/no-such-page"),
        ],
        &mut problems,
    )
    .await;

    // A form sent back with its errors.
    browser.set_viewport(WIDE.0, WIDE.1).await;
    browser
        .client
        .goto(&app.url("/cases/new"))
        .await
        .expect("goto");
    browser.click("button.primary[type=submit]").await;
    browser.wait_for_text("h1", "Log an incident").await;
    for violation in audit(&browser, &axe).await {
        problems.push(format!("new case with errors: {violation}"));
    }

    browser.close().await;
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
