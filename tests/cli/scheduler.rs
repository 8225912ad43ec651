use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::support::{DataDir, stderr, stdout};

#[test]
fn mend_scheduler_run_once_says_what_it_did() {
    let dir = DataDir::new();
    assert!(
        dir.run(
            &["demo", "--accounts", "20", "--cases", "120", "--seed", "3"],
            ""
        )
        .status
        .success()
    );
    let out = dir.run(&["scheduler", "run-once"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.starts_with("Scheduler pass: "), "{report}");
    assert!(
        report.contains("check-ins created") && report.contains("marked missed"),
        "{report}"
    );
}

#[test]
fn two_servers_on_one_database_schedule_each_check_in_and_e_mail_once() {
    let dir = DataDir::new();
    assert!(
        dir.run(
            &["demo", "--accounts", "20", "--cases", "150", "--seed", "5"],
            ""
        )
        .status
        .success()
    );
    let first = dir.serve_with(&["--scheduler-interval", "1"]);
    let second = dir.serve_with(&["--scheduler-interval", "1"]);

    // Both schedulers work on the same plans until nothing is left to do.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = -1;
    loop {
        let now = dir.count("select 1 from check_ins") + dir.count("select 1 from outbox");
        if now == last && now > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the schedulers never settled");
        last = now;
        std::thread::sleep(Duration::from_secs(3));
    }
    for (what, sql) in [
        (
            "check-ins",
            "select plan_id, seq from check_ins group by 1, 2 having count(*) > 1",
        ),
        (
            "check-ins by due date",
            "select plan_id, due_date from check_ins group by 1, 2 having count(*) > 1",
        ),
        (
            "e-mails",
            "select dedupe_key from outbox group by 1 having count(*) > 1",
        ),
        (
            "missed marks",
            "select case_id, summary from case_events where summary like 'The check-in due % was missed' group by 1, 2 having count(*) > 1",
        ),
    ] {
        assert_eq!(dir.count(sql), 0, "duplicate {what}");
    }
    assert!(
        dir.count("select 1 from outbox") > 0,
        "reminders were queued"
    );
    for server in [first, second] {
        let log = server.log();
        assert!(log.contains("scheduler started"), "{log}");
        assert!(!log.contains("scheduler pass failed"), "{log}");
        server.signal(Signal::SIGTERM);
        assert!(server.wait().0);
    }
}

/// What a pass queues, it sends in the same pass: the reminder of a check-in due today goes
/// out at once, not one interval later.
#[test]
fn a_pass_sends_what_it_queued() {
    let dir = DataDir::new();
    assert!(
        dir.run(
            &["demo", "--accounts", "20", "--cases", "150", "--seed", "5"],
            ""
        )
        .status
        .success()
    );
    // A server without a scheduler of its own keeps the cluster up for the counts below.
    let server = dir.serve_with(&["--no-scheduler"]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let smtp = rt.block_on(crate::smtp_server::SmtpServer::start());
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let out = dir.run(&["scheduler", "run-once", "--smtp-url", &url], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    let queued = dir.count("select 1 from outbox");
    assert!(queued > 0, "the pass queued e-mails: {report}");
    assert_eq!(
        dir.count("select 1 from outbox where sent_at is null"),
        0,
        "every queued e-mail was sent: {report}"
    );
    assert!(
        report.contains(&format!("{queued} e-mails sent")),
        "{report}"
    );
    assert_eq!(
        smtp.messages().len(),
        usize::try_from(queued).expect("count")
    );
    server.signal(Signal::SIGTERM);
    assert!(server.wait().0);
}
