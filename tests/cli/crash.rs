//! Crash safety: `kill -9` in the middle of a stream of case creations loses no acknowledged
//! case, duplicates none, and leaves no case half-written (without its creation event).

use std::collections::HashSet;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::support::{DataDir, stderr};

const EMAIL: &str = "ann@example.com";
const PASSWORD: &str = "correct horse battery staple";

fn csrf(page: &str) -> String {
    let doc = scraper::Html::parse_document(page);
    let sel = scraper::Selector::parse("input[name=csrf_token]").expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("a CSRF token")
        .to_string()
}

/// Signs in, then posts incidents from `workers` clients until the server goes away; returns
/// the case numbers the server acknowledged (a 303 to the new case).
async fn create_until_killed(
    port: u16,
    account: String,
    category: String,
    workers: usize,
) -> Vec<i64> {
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (account, category) = (account.clone(), category.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client");
            let base = format!("http://127.0.0.1:{port}");
            let login = client
                .get(format!("{base}/login"))
                .send()
                .await
                .expect("login page");
            let token = csrf(&login.text().await.expect("body"));
            let signed = client
                .post(format!("{base}/login"))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", EMAIL),
                    ("password", PASSWORD),
                ])
                .send()
                .await
                .expect("sign in");
            assert_eq!(signed.status().as_u16(), 303);
            let form = client
                .get(format!("{base}/cases/new"))
                .send()
                .await
                .expect("form");
            let token = csrf(&form.text().await.expect("body"));
            let mut acknowledged = Vec::new();
            for i in 0.. {
                let title = format!("crash test {w}-{i}");
                let res = client
                    .post(format!("{base}/cases"))
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("account_id", account.as_str()),
                        ("title", title.as_str()),
                        ("what_happened", ""),
                        ("category_id", category.as_str()),
                        ("severity", "low"),
                        ("detected_by", "us"),
                        ("occurred_at", ""),
                    ])
                    .send()
                    .await;
                let Ok(res) = res else { break };
                if res.status().as_u16() != 303 {
                    break;
                }
                let number = res
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| l.strip_prefix("/cases/CR-"))
                    .and_then(|n| n.parse::<i64>().ok())
                    .expect("a redirect to the new case");
                acknowledged.push(number);
            }
            acknowledged
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("worker"));
    }
    all
}

#[test]
fn kill_9_mid_load_loses_no_acknowledged_case_and_leaves_none_half_written() {
    let dir = DataDir::new();
    let created = dir.run(
        &[
            "user",
            "create",
            "--email",
            EMAIL,
            "--name",
            "Ann",
            "--role",
            "account_manager",
            "--team",
            "North",
            "--password-stdin",
        ],
        PASSWORD,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let server = dir.serve_with(&["--no-scheduler"]);
    let account = dir.column(
        "insert into accounts (name, team_id) select 'Acme', id from teams where name = 'North' returning id::text",
    )[0]
        .clone();
    let category =
        dir.column("select id::text from categories order by position limit 1")[0].clone();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let port = server.port;
    let load = rt.spawn(create_until_killed(port, account, category, 6));
    std::thread::sleep(Duration::from_millis(1500));
    server.signal(Signal::SIGKILL);
    let acknowledged = rt.block_on(load).expect("load");
    let _ = server.wait();
    assert!(
        acknowledged.len() > 10,
        "the load ran: {} cases",
        acknowledged.len()
    );

    // Restart on the same data folder (PostgreSQL recovers the orphaned cluster).
    let server = dir.serve_with(&["--no-scheduler"]);
    let stored: HashSet<i64> = dir
        .column("select number::text from cases where title like 'crash test %'")
        .iter()
        .map(|n| n.parse().expect("number"))
        .collect();
    for n in &acknowledged {
        assert!(stored.contains(n), "acknowledged CR-{n} is missing");
    }
    let titles = dir.count("select title from cases group by title having count(*) > 1");
    assert_eq!(titles, 0, "a request created two cases");
    let half_written = dir.count(
        "select 1 from cases c where not exists
           (select 1 from case_events e where e.case_id = c.id and e.kind = 'created')",
    );
    assert_eq!(half_written, 0, "a case without its creation event");
    assert!(
        stored.len() <= acknowledged.len() + 6,
        "at most one unacknowledged per client"
    );
    server.signal(Signal::SIGTERM);
    let _ = server.wait();
}
