use nix::sys::signal::Signal;

use crate::support::{DataDir, stderr, stdout};

const ARGS: [&str; 10] = [
    "user",
    "create",
    "--email",
    "ann@example.com",
    "--name",
    "Ann Lee",
    "--role",
    "manager",
    "--team",
    "North",
];

fn with_password_stdin(args: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.push("--password-stdin".into());
    all
}

fn run(dir: &DataDir, args: &[String], stdin: &str) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    dir.run(&args, stdin)
}

#[test]
fn a_user_created_while_the_server_runs_can_sign_in_to_it() {
    let dir = DataDir::new();
    let server = dir.serve();

    let out = run(&dir, &with_password_stdin(&ARGS), "correct horse battery\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Created Ann Lee <ann@example.com> as manager, team North"));
    assert!(
        stderr(&out).contains("joining the running PostgreSQL cluster"),
        "{}",
        stderr(&out)
    );
    assert!(
        dir.postmaster_pid().is_some(),
        "the CLI leaves the server's cluster running"
    );
    assert_eq!(server.get_status("/readyz"), Some(200));

    // Sign in through the running server.
    let port = server.port;
    let status = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let base = format!("http://127.0.0.1:{port}");
            let page = client
                .get(format!("{base}/login"))
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body");
            let doc = scraper::Html::parse_document(&page);
            let sel = scraper::Selector::parse("input[name=csrf_token]").expect("sel");
            let token = doc
                .select(&sel)
                .next()
                .and_then(|e| e.value().attr("value"))
                .expect("token")
                .to_string();
            let res = client
                .post(format!("{base}/login"))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "ann@example.com"),
                    ("password", "correct horse battery"),
                ])
                .send()
                .await
                .expect("POST");
            let status = res.status().as_u16();
            let home = client
                .get(format!("{base}/"))
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body");
            (status, home.contains("Ann Lee"))
        })
    })
    .join()
    .expect("thread");
    assert_eq!(status, (303, true));

    server.signal(Signal::SIGTERM);
    assert!(server.wait().0);
}

#[test]
fn a_short_password_is_refused_with_a_clear_message() {
    let dir = DataDir::new();
    let out = run(&dir, &with_password_stdin(&ARGS), "too short\n");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("at least 12 characters"), "{err}");
    // Refused before touching the database.
    assert!(
        !dir.pgdata().exists(),
        "no cluster was started for a bad password"
    );
}

#[test]
fn a_duplicate_email_is_refused_with_a_clear_message() {
    let dir = DataDir::new();
    let first = run(&dir, &with_password_stdin(&ARGS), "correct horse battery\n");
    assert!(first.status.success(), "{}", stderr(&first));

    let mut again = ARGS.to_vec();
    again[3] = "ANN@Example.com";
    let out = run(
        &dir,
        &with_password_stdin(&again),
        "correct horse battery\n",
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("A user with the e-mail address ANN@Example.com already exists."),
        "{err}"
    );
}

#[test]
fn an_unknown_role_is_refused() {
    let dir = DataDir::new();
    let mut args = ARGS.to_vec();
    args[7] = "boss";
    let out = run(&dir, &with_password_stdin(&args), "correct horse battery\n");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("account_manager, manager or admin"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_password_must_come_from_standard_input() {
    let dir = DataDir::new();
    let out = dir.run(&ARGS, "");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--password-stdin"),
        "{}",
        stderr(&out)
    );
}
