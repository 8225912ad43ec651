//! Crash safety: `kill -9` of Mend, and an immediate stop of its PostgreSQL, in the middle of
//! concurrent case creations and conversation posts. Afterwards every request that got a
//! success answer is in the database exactly once, and nothing is half-written: no case
//! without its creation event, no conversation without its timeline event. While PostgreSQL is
//! down, pages answer 503 and `/readyz` fails; Mend starts it again and reconnects by itself.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::support::{DataDir, Server, stderr};

const EMAIL: &str = "ann@example.com";
const PASSWORD: &str = "correct horse battery staple";
/// Clients creating cases, and clients logging conversations on one case, at once.
const CREATORS: usize = 4;
const TALKERS: usize = 3;

fn csrf(page: &str) -> String {
    let doc = scraper::Html::parse_document(page);
    let sel = scraper::Selector::parse("input[name=csrf_token]").expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("a CSRF token")
        .to_string()
}

/// A client of its own (cookie jar, no redirects followed), signed in; and its CSRF token.
async fn signed_in(port: u16) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
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
    (client, token)
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A data folder with a user, a running server, an account, a category and one case (made
/// through the front door) to log conversations on.
struct World {
    server: Server,
    account: String,
    category: String,
    case: i64,
    // Last: the server must stop before its data folder goes.
    dir: DataDir,
}

impl World {
    fn new(serve_args: &[&str], rt: &tokio::runtime::Runtime) -> World {
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
        let server = dir.serve_with(serve_args);
        let account = dir.column(
            "insert into accounts (name, team_id) select 'Acme', id from teams where name = 'North' returning id::text",
        )[0]
            .clone();
        let category =
            dir.column("select id::text from categories order by position limit 1")[0].clone();
        let mut world = World {
            server,
            account,
            category,
            case: 0,
            dir,
        };
        let port = world.server.port;
        let (account, category) = (world.account.clone(), world.category.clone());
        world.case = rt.block_on(async move {
            let (client, token) = signed_in(port).await;
            let res = post_case(&client, port, &token, &account, &category, "talked about")
                .await
                .expect("create the case");
            case_number(&res).expect("a redirect to the new case")
        });
        world
    }
}

async fn post_case(
    client: &reqwest::Client,
    port: u16,
    token: &str,
    account: &str,
    category: &str,
    title: &str,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("http://127.0.0.1:{port}/cases"))
        .form(&[
            ("csrf_token", token),
            ("account_id", account),
            ("title", title),
            ("what_happened", ""),
            ("category_id", category),
            ("severity", "low"),
            ("detected_by", "us"),
            ("occurred_at", ""),
        ])
        .send()
        .await
}

/// The case a creation was acknowledged with: its 303 to the new case.
fn case_number(res: &reqwest::Response) -> Option<i64> {
    if res.status().as_u16() != 303 {
        return None;
    }
    let to = location(res);
    let number = to.strip_prefix("/cases/CR-").and_then(|n| n.parse().ok());
    assert!(number.is_some(), "a creation redirected elsewhere: {to}");
    number
}

/// What the server acknowledged: cases by title, and conversation summaries.
#[derive(Default)]
struct Acknowledged {
    cases: HashMap<String, i64>,
    conversations: Vec<String>,
}

/// When a client stops: at its first failure (the server was killed), or once told to,
/// carrying on through failures meanwhile (the database is down for a while).
#[derive(Clone)]
enum Until {
    ServerGone,
    Told(Arc<AtomicBool>),
}

/// The load: `CREATORS` clients create cases and `TALKERS` clients log conversations on
/// `world.case`, each request with a title or summary of its own. `acks` counts the
/// acknowledged requests as they come, so the test can wait for progress.
fn start_load(
    rt: &tokio::runtime::Runtime,
    world: &World,
    until: Until,
    acks: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<Acknowledged> {
    let port = world.server.port;
    let (account, category, case) = (world.account.clone(), world.category.clone(), world.case);
    rt.spawn(async move {
        let mut tasks = Vec::new();
        // Every client signs in before any starts the load, so the server is never killed
        // while one is still signing in (argon2 is slow on a busy machine).
        let ready = Arc::new(tokio::sync::Barrier::new(CREATORS + TALKERS));
        for w in 0..CREATORS + TALKERS {
            let (account, category) = (account.clone(), category.clone());
            let (until, acks, ready) = (until.clone(), acks.clone(), ready.clone());
            tasks.push(tokio::spawn(async move {
                let (client, token) = signed_in(port).await;
                ready.wait().await;
                let mut acknowledged = Acknowledged::default();
                for i in 0.. {
                    if let Until::Told(stop) = &until
                        && stop.load(Ordering::SeqCst)
                    {
                        break;
                    }
                    let text = format!("crash test {w}-{i}");
                    let acked = if w < CREATORS {
                        let res =
                            post_case(&client, port, &token, &account, &category, &text).await;
                        res.ok().and_then(|r| case_number(&r)).map(|number| {
                            acknowledged.cases.insert(text.clone(), number);
                        })
                    } else {
                        let res = client
                            .post(format!(
                                "http://127.0.0.1:{port}/cases/CR-{case}/conversations"
                            ))
                            .form(&[
                                ("csrf_token", token.as_str()),
                                ("channel", "phone"),
                                ("with_whom", "Jo Park"),
                                ("summary", text.as_str()),
                                ("sentiment", "0"),
                            ])
                            .send()
                            .await;
                        res.ok().filter(|r| r.status().as_u16() == 303).map(|r| {
                            let to = location(&r);
                            assert!(
                                to.starts_with(&format!("/cases/CR-{case}")),
                                "a conversation redirected elsewhere: {to}"
                            );
                            acknowledged.conversations.push(text.clone());
                        })
                    };
                    match (acked, &until) {
                        (Some(()), _) => {
                            acks.fetch_add(1, Ordering::SeqCst);
                        }
                        (None, Until::ServerGone) => break,
                        // Refused while the database is down: wait a little, then go on.
                        (None, Until::Told(_)) => {
                            tokio::time::sleep(Duration::from_millis(100)).await
                        }
                    }
                }
                acknowledged
            }));
        }
        let mut all = Acknowledged::default();
        for t in tasks {
            let a = t.await.expect("client");
            all.cases.extend(a.cases);
            all.conversations.extend(a.conversations);
        }
        all
    })
}

/// Polls `done` every 100 ms for up to `limit`; panics with `what` if it never holds.
fn wait_for(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every acknowledged case and conversation is stored exactly once; nothing is half-written;
/// at most one unacknowledged write per client (the one in flight) got in as well.
fn check_database(dir: &DataDir, case: i64, acked: &Acknowledged) {
    let stored: HashMap<String, i64> = dir
        .column("select title || '|' || number::text from cases where title like 'crash test %'")
        .iter()
        .filter_map(|row| row.rsplit_once('|'))
        .map(|(title, n)| (title.to_string(), n.parse().expect("number")))
        .collect();
    for (title, number) in &acked.cases {
        assert_eq!(
            stored.get(title),
            Some(number),
            "acknowledged case {title:?} (CR-{number}) is missing or another"
        );
    }
    let twice = dir.count("select title from cases group by title having count(*) > 1");
    assert_eq!(twice, 0, "a request created two cases");
    let half_written = dir.count(
        "select 1 from cases c where not exists
           (select 1 from case_events e where e.case_id = c.id and e.kind = 'created')",
    );
    assert_eq!(half_written, 0, "a case without its creation event");
    assert!(
        stored.len() <= acked.cases.len() + CREATORS,
        "at most one unacknowledged case per client: {} stored, {} acknowledged",
        stored.len(),
        acked.cases.len()
    );

    let summaries: HashMap<String, i64> = dir
        .column(&format!(
            "select summary || '|' || count(*)::text from conversations
             where case_id = (select id from cases where number = {case}) group by summary"
        ))
        .iter()
        .filter_map(|row| row.rsplit_once('|'))
        .map(|(summary, n)| (summary.to_string(), n.parse().expect("count")))
        .collect();
    for summary in &acked.conversations {
        assert_eq!(
            summaries.get(summary),
            Some(&1),
            "acknowledged conversation {summary:?} is not stored exactly once"
        );
    }
    assert!(
        summaries.values().all(|n| *n == 1),
        "a request logged a conversation twice"
    );
    assert!(
        summaries.len() <= acked.conversations.len() + TALKERS,
        "at most one unacknowledged conversation per client: {} stored, {} acknowledged",
        summaries.len(),
        acked.conversations.len()
    );
    let events = dir.count(&format!(
        "select 1 from case_events where kind = 'conversation'
           and case_id = (select id from cases where number = {case})"
    ));
    assert_eq!(
        events,
        summaries.len() as i64,
        "each conversation has its timeline event, and only those"
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn kill_9_mid_load_loses_no_acknowledged_write_and_leaves_none_half_written() {
    let rt = runtime();
    let world = World::new(&["--no-scheduler"], &rt);
    let acks = Arc::new(AtomicUsize::new(0));
    let load = start_load(&rt, &world, Until::ServerGone, acks.clone());
    wait_for(Duration::from_secs(60), "30 acknowledged writes", || {
        acks.load(Ordering::SeqCst) >= 30
    });
    world.server.signal(Signal::SIGKILL);
    let acknowledged = rt.block_on(load).expect("load");
    assert!(
        !acknowledged.cases.is_empty() && !acknowledged.conversations.is_empty(),
        "both kinds of write ran: {} cases, {} conversations",
        acknowledged.cases.len(),
        acknowledged.conversations.len()
    );
    let World {
        server, case, dir, ..
    } = world;
    let _ = server.wait();

    // Restart on the same data folder (PostgreSQL recovers the orphaned cluster).
    let server = dir.serve_with(&["--no-scheduler"]);
    check_database(&dir, case, &acknowledged);
    server.signal(Signal::SIGTERM);
    assert!(server.wait().0, "a clean stop after the restart");
}

/// A signed-in page's status, body and `Retry-After`, from `client`'s session.
fn page(
    rt: &tokio::runtime::Runtime,
    client: &reqwest::Client,
    url: String,
) -> (u16, String, Option<String>) {
    rt.block_on(async {
        match client.get(url).send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                let retry = res
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (status, res.text().await.unwrap_or_default(), retry)
            }
            Err(e) => (0, e.to_string(), None),
        }
    })
}

#[test]
fn postgresql_stopped_mid_load_gives_503s_then_mend_restarts_it_and_loses_nothing() {
    let rt = runtime();
    // The scheduler runs every second, to see it live through the outage too.
    let mut world = World::new(&["--scheduler-interval", "1"], &rt);
    let (viewer, _) = rt.block_on(signed_in(world.server.port));
    let cases_page = world.server.url("/cases");
    assert_eq!(page(&rt, &viewer, cases_page.clone()).0, 200);

    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(AtomicUsize::new(0));
    let load = start_load(&rt, &world, Until::Told(stop.clone()), acks.clone());
    wait_for(Duration::from_secs(60), "20 acknowledged writes", || {
        acks.load(Ordering::SeqCst) >= 20
    });

    // Hold the data folder as a CLI command would, so Mend waits before starting PostgreSQL
    // again and the outage lasts as long as this test needs; then stop PostgreSQL at once.
    let hold = std::fs::File::open(world.dir.path.join("mend.lock")).expect("lock file");
    hold.lock_shared().expect("share the lock");
    let stopped = world.dir.pg_ctl(&["stop", "-m", "immediate", "-w"]);
    assert!(stopped.status.success(), "{}", stderr(&stopped));

    // While it is down: pages answer 503 quickly, readiness fails, liveness holds.
    let asked = Instant::now();
    wait_for(Duration::from_secs(30), "a 503 page", || {
        page(&rt, &viewer, cases_page.clone()).0 == 503
    });
    let (status, body, retry) = page(&rt, &viewer, cases_page.clone());
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("Mend is unavailable"), "{body}");
    assert!(body.contains("database cannot be reached"), "{body}");
    assert_eq!(retry.as_deref(), Some("5"));
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "pages fail fast while the database is down: {:?}",
        asked.elapsed()
    );
    // A visitor who is not signed in gets the same page (the session store fails on the way out).
    let (status, body, _) = page(&rt, &reqwest::Client::new(), world.server.url("/login"));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("Mend is unavailable"), "{body}");
    assert_eq!(world.server.get_status("/readyz"), Some(503));
    assert_eq!(world.server.get_status("/healthz"), Some(200));
    let during = acks.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        acks.load(Ordering::SeqCst),
        during,
        "nothing is acknowledged while the database is down"
    );
    assert!(
        world.server.child.try_wait().expect("wait").is_none(),
        "Mend keeps running:\n{}",
        world.server.log()
    );

    // Let go of the folder: Mend starts PostgreSQL again, and its pool reconnects, without a
    // restart of Mend; the same session works again.
    drop(hold);
    wait_for(
        Duration::from_secs(60),
        "/readyz to answer 200 again",
        || world.server.get_status("/readyz") == Some(200),
    );
    let (status, body, _) = page(&rt, &viewer, cases_page.clone());
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Ann"), "still signed in: {body}");
    let after = acks.load(Ordering::SeqCst);
    wait_for(Duration::from_secs(60), "writes acknowledged again", || {
        acks.load(Ordering::SeqCst) >= after + 20
    });
    stop.store(true, Ordering::SeqCst);
    let acknowledged = rt.block_on(load).expect("load");

    check_database(&world.dir, world.case, &acknowledged);
    let log = world.server.log();
    assert!(log.contains("database unavailable"), "{log}");
    assert!(log.contains("Mend started it again"), "{log}");
    assert!(log.contains("scheduler pass failed"), "{log}");
    assert!(
        !log.contains("request failed"),
        "an outage is logged as a warning, not as failed requests:\n{log}"
    );
    world.server.signal(Signal::SIGTERM);
    let (clean, log) = world.server.wait();
    assert!(clean, "a clean stop after the outage:\n{log}");
}
