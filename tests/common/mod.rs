//! Test harness: one PostgreSQL cluster for the whole test run, one fresh database per test.
//!
//! Without `DATABASE_URL`, the first test binary to need a database starts Mend's own embedded
//! cluster in `MEND_TEST_DATA_DIR` (default `/tmp/mend-test-cluster`); parallel test binaries join
//! it, and the last one to exit stops it (see `mend::pg`). With `DATABASE_URL`, that server is
//! used instead. Either way, the migrations are applied once to a template database named after
//! their checksums, and each test gets its own database cloned from it (`strategy file_copy`),
//! so tests share no state, need no clean-up and never wait for each other.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use mend::pg::{Cluster, Locator};
use mend::{AppState, Settings};
use reqwest::StatusCode;
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "correct horse battery staple";

struct Server {
    /// Options for the maintenance database (`postgres`).
    admin: PgConnectOptions,
    template: String,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static CLUSTER: Mutex<Option<Cluster>> = Mutex::new(None);

extern "C" fn leave_cluster() {
    if let Ok(mut guard) = CLUSTER.lock()
        && let Some(cluster) = guard.take()
    {
        let _ = cluster.leave();
    }
}

fn server() -> &'static Server {
    let result = SERVER.get_or_init(|| {
        // Set up on a thread of its own: each test runs on its own runtime, so nothing
        // runtime-bound may outlive this set-up.
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(set_up()).map_err(|e| format!("{e:#}"))
        })
        .join()
        .unwrap_or_else(|_| Err("the test database set-up panicked".into()))
    });
    match result {
        Ok(server) => server,
        Err(e) => panic!("cannot set up the test database: {e}"),
    }
}

async fn set_up() -> anyhow::Result<Server> {
    let admin = match std::env::var("DATABASE_URL") {
        Ok(url) => PgConnectOptions::from_str(&url)?.database("postgres"),
        Err(_) => {
            let dir = std::env::var_os("MEND_TEST_DATA_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| std::path::PathBuf::from("/tmp/mend-test-cluster"));
            let cluster =
                tokio::task::spawn_blocking(move || Cluster::open(&dir, &Locator::default()))
                    .await??;
            let options = cluster.connect_options("postgres");
            *CLUSTER.lock().map_err(|_| anyhow::anyhow!("poisoned"))? = Some(cluster);
            // SAFETY: registering a plain `extern "C"` function with no captured state.
            unsafe { libc::atexit(leave_cluster) };
            options
        }
    };
    let template = template_name();
    let mut conn = PgConnection::connect_with(&admin).await?;
    // One process builds the template; the others wait for it.
    sqlx::query("select pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await?;
    let exists: bool =
        sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
            .bind(&template)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let building = format!("{template}_building");
        sqlx::query(&format!(
            "drop database if exists \"{building}\" with (force)"
        ))
        .execute(&mut conn)
        .await?;
        sqlx::query(&format!("create database \"{building}\""))
            .execute(&mut conn)
            .await?;
        let mut db = PgConnection::connect_with(&admin.clone().database(&building)).await?;
        mend::db::MIGRATOR.run(&mut db).await?;
        db.close().await?;
        sqlx::query(&format!(
            "alter database \"{building}\" rename to \"{template}\""
        ))
        .execute(&mut conn)
        .await?;
    }
    drop_stale_databases(&mut conn, &template).await?;
    sqlx::query("select pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(Server { admin, template })
}

/// The template's name changes whenever a migration does.
fn template_name() -> String {
    let mut hash = Sha256::new();
    for m in mend::db::MIGRATOR.iter() {
        hash.update(m.version.to_le_bytes());
        hash.update(&m.checksum);
    }
    format!("mend_tpl_{}", &hex::encode(hash.finalize())[..16])
}

/// Test databases are named `mend_test_<unix seconds>_<random>`; those over 15 minutes old are
/// left over from earlier runs (a whole suite takes a few minutes) and are dropped, with the
/// templates of other migration sets: a developer's disk does not fill up run after run.
async fn drop_stale_databases(conn: &mut PgConnection, template: &str) -> anyhow::Result<()> {
    let templates: Vec<String> = sqlx::query_scalar(
        "select datname from pg_database where datname like 'mend\\_tpl\\_%' and datname <> $1
           and datname not like '%\\_building'",
    )
    .bind(template)
    .fetch_all(&mut *conn)
    .await?;
    for name in templates {
        // A template another test process is cloning right now cannot be dropped; skip it.
        let _ = sqlx::query(&format!("drop database if exists \"{name}\""))
            .execute(&mut *conn)
            .await;
    }
    let names: Vec<String> =
        sqlx::query_scalar("select datname from pg_database where datname like 'mend\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await?;
    let cutoff = chrono::Utc::now().timestamp() - 15 * 60;
    for name in names {
        let created = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0);
        if created < cutoff {
            sqlx::query(&format!("drop database if exists \"{name}\" with (force)"))
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// A database of this test's own, migrated.
pub struct TestDb {
    pub name: String,
    pub options: PgConnectOptions,
    pub pool: PgPool,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let server = server();
        let name = format!(
            "mend_test_{}_{}",
            chrono::Utc::now().timestamp(),
            uuid::Uuid::new_v4().simple()
        );
        let mut conn = PgConnection::connect_with(&server.admin)
            .await
            .expect("connect to the test server");
        sqlx::query(&format!(
            "create database \"{name}\" template \"{}\" strategy file_copy",
            server.template
        ))
        .execute(&mut conn)
        .await
        .expect("clone the template database");
        conn.close().await.expect("close");
        let options = server.admin.clone().database(&name);
        let pool = mend::db::pool(options.clone(), 10);
        TestDb {
            name,
            options,
            pool,
        }
    }

    /// Makes the database disappear, as if the server went away.
    pub async fn drop_database(&self) {
        self.pool.close().await;
        let mut conn = PgConnection::connect_with(&server().admin)
            .await
            .expect("connect to the test server");
        sqlx::query(&format!("drop database \"{}\" with (force)", self.name))
            .execute(&mut conn)
            .await
            .expect("drop the test database");
    }
}

/// Mend, served on a free local port from a test database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Settings::default()).await
    }

    pub async fn spawn_with(settings: Settings) -> TestApp {
        TestApp::serve(TestDb::new().await, settings).await
    }

    /// Serves `db` (a second server on the same database, or a restart).
    pub async fn serve(db: TestDb, settings: Settings) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let addr = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let app = mend::app(AppState::new(db.pool.clone(), settings));
        // Mend's own accept loop, as `mend serve` runs it (compression, limits and all).
        let limits = mend::server::Limits {
            header_read_timeout: std::time::Duration::from_secs(10),
            max_connections: 1_000,
        };
        let task = tokio::spawn(mend::server::serve(listener, app, limits, async {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops serving (gracefully) and hands the database back.
    pub async fn stop(mut self) -> TestDb {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task");
        }
        let TestApp { db, .. } = self;
        db
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Client {
        Client::new(self.addr)
    }

    /// Creates a user the way the CLI does.
    pub async fn create_user(&self, email: &str, role: &str, team: Option<&str>) {
        create_user(&self.db.pool, email, role, team).await;
    }

    /// Lets time pass until the next open check-in of case `number` is due today: the case's
    /// check-ins (due days and when they were recorded) and its plan move back by that many
    /// days, as if all of it had happened that much earlier. (Check-ins can only be recorded
    /// from their due day on; tests of a run of check-ins live through the weeks this way.)
    pub async fn bring_next_check_in_due(&self, number: i64) {
        sqlx::query(
            "with c as (select id from cases where number = $1),
                  gap as (select (min(k.due_date) - current_date) as days from check_ins k, c
                          where k.case_id = c.id and k.status in ('scheduled', 'missed')),
                  moved as (update check_ins k set due_date = k.due_date - gap.days,
                                   completed_at = k.completed_at - gap.days * interval '1 day'
                            from c, gap where k.case_id = c.id and gap.days > 0 returning 1)
             update follow_up_plans p set first_due = p.first_due - gap.days
             from c, gap where p.case_id = c.id and gap.days > 0",
        )
        .bind(number)
        .execute(&self.db.pool)
        .await
        .expect("let time pass");
    }

    /// A new user of `role` (in team "North"), signed in.
    pub async fn signed_in(&self, role: &str) -> Client {
        let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
        self.create_user(&email, role, Some("North")).await;
        let client = self.client();
        let res = client.sign_in(&email, PASSWORD).await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            res.body
        );
        client
    }
}

pub async fn create_user(pool: &PgPool, email: &str, role: &str, team: Option<&str>) {
    let name = email
        .split('@')
        .next()
        .unwrap_or("someone")
        .replace('-', " ");
    let user = mend::domain::user::NewUser::parse(email, &name, role, team, PASSWORD)
        .expect("valid test user");
    let hash = mend::auth::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    mend::app::setup::create_user(pool, &user, &hash, "UTC")
        .await
        .expect("create user");
}

/// A response, read.
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `selector`, whitespace-collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.texts(selector).into_iter().next().unwrap_or_default()
    }

    /// The value of `attr` on the first element matching `selector`.
    /// Panics unless the page offers a form posting to `action` with a control for each field.
    pub fn assert_offers(&self, page_path: &str, action: &str, fields: &[(&str, &str)]) {
        let offered = self.form_fields(action);
        assert!(
            !offered.is_empty(),
            "{page_path} offers no form posting to {action} ({})",
            self.status
        );
        // `confirmed` is what answering a confirmation adds (mend.js, or the confirmation page).
        for (name, _) in fields.iter().filter(|(n, _)| *n != "confirmed") {
            assert!(
                offered.iter().any(|n| n == name),
                "the form posting to {action} on {page_path} has no field named {name:?} (it has {offered:?})"
            );
        }
    }

    /// The names of the controls of every form on the page that posts to `action` (its path,
    /// any query or fragment aside).
    pub fn form_fields(&self, action: &str) -> Vec<String> {
        let path = |a: &str| a.split(['?', '#']).next().unwrap_or_default().to_string();
        let forms = Selector::parse("form").expect("valid selector");
        let controls = Selector::parse("input[name], select[name], textarea[name], button[name]")
            .expect("valid selector");
        let html = self.html();
        let mut names = Vec::new();
        for form in html.select(&forms) {
            let target = form.value().attr("action").unwrap_or_default();
            if path(target) != path(action) {
                continue;
            }
            for c in form.select(&controls) {
                if let Some(n) = c.value().attr("name") {
                    names.push(n.to_string());
                }
            }
            // Controls outside the form that name it with form="…".
            if let Some(id) = form.value().attr("id")
                && let Ok(sel) = Selector::parse(&format!("[form='{id}'][name]"))
            {
                for c in html.select(&sel) {
                    if let Some(n) = c.value().attr("name") {
                        names.push(n.to_string());
                    }
                }
            }
        }
        names
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn location(&self) -> Option<String> {
        self.header("location")
    }
}

pub struct Client {
    http: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    base: String,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Client {
            http: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            jar,
            base: format!("http://{addr}"),
        }
    }

    async fn read(res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("response body");
        Page {
            status,
            headers,
            body,
        }
    }

    /// The raw bytes of `path`, asked for with extra headers (e.g. `Accept-Encoding: gzip`, which
    /// this client does not decode): the status, headers and body exactly as they arrived.
    pub async fn get_bytes(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("GET");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.bytes().await.expect("the whole body arrives");
        (status, headers, body.to_vec())
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        Client::read(res).await
    }

    /// Gets `path` with extra headers (an htmx request, say).
    pub async fn get_with_headers(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Client::read(req.send().await.expect("GET")).await
    }

    /// Posts `fields` exactly as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST");
        Client::read(res).await
    }

    /// Posts with extra headers.
    pub async fn post_with_headers(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = self.http.post(format!("{}{path}", self.base)).form(fields);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Client::read(req.send().await.expect("POST")).await
    }

    /// The CSRF token of the form on `page_path`, as a browser would have it.
    pub async fn csrf_token(&self, page_path: &str) -> String {
        let page = self.get(page_path).await;
        page.attr("input[name=csrf_token]", "value")
            .or_else(|| page.attr("meta[name=csrf-token]", "content"))
            .unwrap_or_else(|| panic!("no CSRF token on {page_path} ({})", page.status))
    }

    /// Loads `page_path`, then submits `fields` to `action` with the page's CSRF token, as a
    /// person would: the page must offer a form posting to `action` with a control named after
    /// each field (so a test cannot pass by sending what the page never sends).
    pub async fn submit(&self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        page.assert_offers(page_path, action, fields);
        let token = page
            .attr("input[name=csrf_token]", "value")
            .or_else(|| page.attr("meta[name=csrf-token]", "content"))
            .unwrap_or_else(|| panic!("no CSRF token on {page_path} ({})", page.status));
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }

    /// Sends `fields` to `action` with `page_path`'s CSRF token although the page offers no such
    /// form (or not these fields): what someone crafting requests could send, which the server
    /// must refuse or handle.
    pub async fn forge(&self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token(page_path).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Creates an account in the user's own team through the form; returns the account's id.
    pub async fn new_account(&self, name: &str) -> String {
        let form = self.get("/accounts/new").await;
        let team = form
            .attr("#team_id option[selected]", "value")
            .expect("own team preselected");
        let res = self
            .submit(
                "/accounts/new",
                "/accounts",
                &[
                    ("team_id", &team),
                    ("name", name),
                    ("annual_value", "100,000"),
                ],
            )
            .await;
        let location = res.location().expect("account created");
        location.trim_start_matches("/accounts/").to_string()
    }

    /// Logs an incident through the form; returns the case page's path.
    pub async fn log_incident(&self, account_id: &str, title: &str) -> String {
        let form = self.get(&format!("/cases/new?account={account_id}")).await;
        let category = form
            .attr("#category_id option:nth-child(2)", "value")
            .expect("a category");
        let res = self
            .submit(
                "/cases/new",
                "/cases",
                &[
                    ("account_id", account_id),
                    ("title", title),
                    ("what_happened", ""),
                    ("category_id", &category),
                    ("severity", "high"),
                    ("detected_by", "client"),
                    ("occurred_at", "2026-01-05T10:00"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        res.location().expect("case page")
    }

    /// Posts `fields` to `{case}/{action}` as the case page's form would: with the page's CSRF
    /// token and the version the page was opened at.
    pub async fn post_case(&self, case: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(case).await;
        let version = page
            .attr("input[name=version]", "value")
            .unwrap_or_default();
        let token = page
            .attr("input[name=csrf_token]", "value")
            .or_else(|| page.attr("meta[name=csrf-token]", "content"))
            .unwrap_or_default();
        page.assert_offers(case, &format!("{case}/{action}"), fields);
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token), ("version", &version)];
        all.extend_from_slice(fields);
        self.post_raw(&format!("{case}/{action}"), &all).await
    }

    /// [`Client::post_case`] for a form the case page does not offer (as the API may send).
    pub async fn forge_case(&self, case: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(case).await;
        let version = page
            .attr("input[name=version]", "value")
            .unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("version", &version)];
        all.extend_from_slice(fields);
        self.forge(case, &format!("{case}/{action}"), &all).await
    }

    /// Records what each stage asks for through the case page's forms and moves the case on,
    /// stage by stage, until it is in `stage` (its stored name: "assessing" … "following_up").
    pub async fn walk_to(&self, case: &str, stage: &str) {
        const ORDER: [&str; 5] = [
            "detected",
            "assessing",
            "reaching_out",
            "making_it_right",
            "following_up",
        ];
        let target = ORDER
            .iter()
            .position(|s| *s == stage)
            .unwrap_or_else(|| panic!("no stage {stage}"));
        // From the stage the case is in now.
        const LABELS: [&str; 5] = [
            "Detected",
            "Assessing",
            "Reaching out",
            "Making it right",
            "Following up",
        ];
        let now = self
            .get(case)
            .await
            .text(".stepper [aria-current=step] .step-label");
        let from = LABELS.iter().position(|l| *l == now).unwrap_or(0);
        for (i, current) in ORDER.iter().enumerate().take(target).skip(from) {
            let ok = |res: &Page, what: &str| {
                assert_eq!(res.status, StatusCode::SEE_OTHER, "{what}: {}", res.body);
            };
            match *current {
                "detected" => {
                    let page = self.get(case).await;
                    let value = |sel: &str| page.attr(sel, "value").unwrap_or_default();
                    let category = page
                        .attr("#category_id option[selected]", "value")
                        .unwrap_or_default();
                    let severity = page
                        .attr("#severity option[selected]", "value")
                        .unwrap_or_else(|| "high".into());
                    let detected = page
                        .attr("#detected_by option[selected]", "value")
                        .unwrap_or_else(|| "client".into());
                    let res = self
                        .post_case(
                            case,
                            "definition",
                            &[
                                ("title", &value("#title")),
                                ("what_happened", "The delivery arrived a week late."),
                                ("category_id", &category),
                                ("severity", &severity),
                                ("detected_by", &detected),
                                ("occurred_at", &value("#occurred_at")),
                            ],
                        )
                        .await;
                    ok(&res, "definition");
                }
                "assessing" => {
                    let res = self
                        .post_case(
                            case,
                            "assessment",
                            &[
                                ("root_cause", "Nobody owned the delivery date."),
                                ("our_share", "most"),
                                ("value_at_risk", "20,000"),
                                ("decision", "repair"),
                            ],
                        )
                        .await;
                    ok(&res, "assessment");
                }
                "reaching_out" => {
                    let res = self
                        .post_case(
                            case,
                            "conversations",
                            &[
                                ("channel", "phone"),
                                ("with_whom", "Jo Park"),
                                ("summary", "Apologised and listened."),
                                ("sentiment", "0"),
                            ],
                        )
                        .await;
                    ok(&res, "conversation");
                }
                _ => {
                    let owner = self
                        .get(case)
                        .await
                        .attr("#action_owner option[selected]", "value")
                        .expect("the owner is offered for actions");
                    let res = self
                        .post_case(
                            case,
                            "actions",
                            &[("what", "Re-plan the deliveries"), ("owner_id", &owner)],
                        )
                        .await;
                    ok(&res, "action");
                    let res = self
                        .post_case(
                            case,
                            "reparation",
                            &[
                                ("reparation_what", "A free month of support"),
                                ("reparation_cost", "500"),
                            ],
                        )
                        .await;
                    ok(&res, "reparation");
                    let res = self
                        .post_case(
                            case,
                            "commitments",
                            &[
                                ("commitment", "Confirm every delivery date in writing"),
                                ("commitment_owner", &owner),
                                ("commitment_scope", "client"),
                            ],
                        )
                        .await;
                    ok(&res, "commitment");
                }
            }
            let res = self.post_case(case, "advance", &[]).await;
            assert_eq!(
                res.status,
                StatusCode::SEE_OTHER,
                "moving on from {} (to {}): {}",
                current,
                ORDER[i + 1],
                res.text("#problem")
            );
        }
    }

    /// Plans weekly check-ins on `case` by its owner, from `first_due`, until the case closes.
    pub async fn plan_weekly(&self, case: &str, first_due: chrono::NaiveDate) {
        // Check-ins are planned in Following up.
        if self.get(case).await.attr("#assignee_id", "id").is_none() {
            self.walk_to(case, "following_up").await;
        }
        let owner = self
            .get(case)
            .await
            .attr("#assignee_id option[selected]", "value")
            .expect("the owner is offered");
        let first = first_due.format("%Y-%m-%d").to_string();
        let res = self
            .submit(
                case,
                &format!("{case}/plan"),
                &[
                    ("cadence", "weekly"),
                    ("every_days", ""),
                    ("first_due", &first),
                    ("assignee_id", &owner),
                    ("end_rule", "closed"),
                    ("end_after", ""),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    /// The session cookie's value, if the client holds one.
    /// An incident on `account_id` with weekly check-ins by its owner from `first_due`, all
    /// through the forms; returns the case page's path.
    pub async fn case_with_plan(
        &self,
        account_id: &str,
        title: &str,
        first_due: chrono::NaiveDate,
    ) -> String {
        let case = self.log_incident(account_id, title).await;
        self.plan_weekly(&case, first_due).await;
        case
    }

    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = reqwest::Url::parse(&self.base).expect("base url");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix(&format!("{}=", mend::SESSION_COOKIE)))
            .map(str::to_owned)
    }
}

// ---- Setup through the router (added for issue 16) ----

impl Page {
    /// What the first form posting to `action` would send as the page stands: hidden and text
    /// inputs, checked boxes and radios, each select's chosen option, each textarea's text.
    pub fn form_values(&self, action: &str) -> Vec<(String, String)> {
        let path = |a: &str| a.split(['?', '#']).next().unwrap_or_default().to_string();
        let forms = Selector::parse("form").expect("valid selector");
        let controls =
            Selector::parse("input[name], select[name], textarea[name]").expect("valid selector");
        let options = Selector::parse("option").expect("valid selector");
        let html = self.html();
        let Some(form) = html
            .select(&forms)
            .find(|f| path(f.value().attr("action").unwrap_or_default()) == path(action))
        else {
            return Vec::new();
        };
        let mut values = Vec::new();
        for c in form.select(&controls) {
            let el = c.value();
            let name = el.attr("name").unwrap_or_default().to_string();
            let value = match el.name() {
                "select" => {
                    let mut all = c.select(&options);
                    let chosen = c
                        .select(&options)
                        .find(|o| o.value().attr("selected").is_some())
                        .or_else(|| all.next());
                    chosen.map(|o| {
                        o.value()
                            .attr("value")
                            .map(str::to_owned)
                            .unwrap_or_else(|| o.text().collect())
                    })
                }
                "textarea" => Some(c.text().collect()),
                _ => match el.attr("type").unwrap_or("text") {
                    "submit" | "button" | "reset" | "image" | "file" => None,
                    "checkbox" | "radio" => el
                        .attr("checked")
                        .map(|_| el.attr("value").unwrap_or("on").to_string()),
                    _ => Some(el.attr("value").unwrap_or_default().to_string()),
                },
            };
            if let Some(v) = value {
                values.push((name, v));
            }
        }
        values
    }

    /// The value of the option labelled `label` (whitespace-trimmed) in the select `select`.
    pub fn option_value(&self, select: &str, label: &str) -> Option<String> {
        let sel = Selector::parse(&format!("{select} option")).expect("valid selector");
        self.html()
            .select(&sel)
            .find(|o| o.text().collect::<String>().trim() == label)
            .and_then(|o| o.value().attr("value").map(str::to_owned))
    }
}

impl Client {
    /// Loads `page_path` and submits its form posting to `action` as it stands, with `changes`
    /// made to it, as a person editing one or two fields would (the page must offer each
    /// changed field).
    pub async fn change(&self, page_path: &str, action: &str, changes: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        page.assert_offers(page_path, action, changes);
        let mut values = page.form_values(action);
        for (name, value) in changes {
            // A changed radio group or select sends the one value chosen.
            values.retain(|(n, _)| n != name);
            values.push((name.to_string(), value.to_string()));
        }
        if !values.iter().any(|(n, _)| n == "csrf_token") {
            let token = page
                .attr("meta[name=csrf-token]", "content")
                .unwrap_or_else(|| panic!("no CSRF token on {page_path} ({})", page.status));
            values.push(("csrf_token".into(), token));
        }
        let fields: Vec<(&str, &str)> = values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.post_raw(action, &fields).await
    }

    /// Changes the case's definition (severity, category, …) with the case page's form, the
    /// other fields as they are.
    pub async fn define(&self, case: &str, changes: &[(&str, &str)]) {
        let res = self
            .change(case, &format!("{case}/definition"), changes)
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "definition: {}",
            res.text("#problem")
        );
    }

    /// Changes the account's fields (e.g. its `manager_id`) with its edit form.
    pub async fn edit_account(&self, account_id: &str, changes: &[(&str, &str)]) {
        let res = self
            .change(
                &format!("/accounts/{account_id}/edit"),
                &format!("/accounts/{account_id}"),
                changes,
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    /// Records a lesson on the case with the case page's form.
    pub async fn add_lesson(&self, case: &str, text: &str) {
        let res = self
            .submit(case, &format!("{case}/lessons"), &[("text", text)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    /// Records a check-in due today with the client's mood `sentiment` on the case page.
    pub async fn check_in_today(&self, case: &str, sentiment: &str) {
        let res = self
            .submit(
                case,
                &format!("{case}/check-ins"),
                &[
                    ("checkin_channel", "phone"),
                    ("checkin_summary", "Spoke with the client."),
                    ("checkin_sentiment", sentiment),
                ],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{}",
            res.text("#problem")
        );
    }

    /// Takes the case the whole way and closes it as restored, as the page offers it: through
    /// the stages, weekly check-ins from today with one recorded (mood +2), a lesson, and the
    /// close confirmed over whatever is left open.
    pub async fn close_restored(&self, case: &str) {
        self.plan_weekly(case, chrono::Utc::now().date_naive())
            .await;
        self.check_in_today(case, "2").await;
        self.add_lesson(case, "Confirm delivery dates in writing.")
            .await;
        self.close(case, "restored").await;
    }

    /// Closes the case with `outcome`, confirming over whatever is left open.
    pub async fn close(&self, case: &str, outcome: &str) {
        let res = self
            .post_case(case, "close", &[("outcome", outcome), ("confirmed", "1")])
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{}",
            res.text("#problem")
        );
    }
}

impl TestApp {
    /// Deactivates the user `email` as an admin does: a new admin confirms it on the user's
    /// deactivation page.
    pub async fn deactivate(&self, email: &str) {
        let admin = self.signed_in("admin").await;
        let id: uuid::Uuid = sqlx::query_scalar("select id from users where email = $1")
            .bind(email)
            .fetch_one(&self.db.pool)
            .await
            .expect("the user");
        let confirm = format!("/admin/users/{id}/deactivate");
        let res = admin.submit(&confirm, &confirm, &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
}
