//! Stopping `mend serve`: in-flight requests get a bounded grace period, so a request that never
//! finishes, or a client that never finishes sending one, cannot hold the process (and a
//! deployment) up.

use std::io::Write;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::support::DataDir;

#[test]
fn a_stalled_client_does_not_hold_up_a_shutdown() {
    let dir = DataDir::new();
    let server = dir.serve_with(&["--shutdown-grace", "1"]);
    // A request whose body never ends, and a connection that is simply open.
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    stalled
        .write_all(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nemail=")
        .expect("write");
    let _idle = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    std::thread::sleep(Duration::from_millis(300));

    let asked = Instant::now();
    server.signal(Signal::SIGTERM);
    let (ok, log) = server.wait();
    assert!(ok, "exits cleanly: {log}");
    assert!(asked.elapsed() < Duration::from_secs(15), "{log}");
    assert_eq!(dir.postmaster_pid(), None, "the cluster stopped too: {log}");
}

#[test]
fn a_request_still_running_after_the_grace_period_is_abandoned() {
    let dir = DataDir::new();
    // A scheduler pass every second, so one is waiting on the lock too when the stop comes.
    let server = dir.serve_with(&["--shutdown-grace", "1", "--scheduler-interval", "1"]);
    // Hold the sessions and users tables, so a page (which saves its session, and before the
    // first user exists asks whether there is one) waits on them — and so may the scheduler's
    // pass, when it runs into the lock, which must not hold the shutdown up either.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let locker = rt.block_on(async {
        use sqlx::Connection;
        let options = sqlx::postgres::PgConnectOptions::new()
            .socket(dir.path.join("pg/run"))
            .port(5432)
            .username("mend")
            .database("mend");
        let mut conn = sqlx::PgConnection::connect_with(&options)
            .await
            .expect("connect");
        sqlx::raw_sql("begin; lock table sessions, users in access exclusive mode;")
            .execute(&mut conn)
            .await
            .expect("lock");
        conn
    });
    let mut waiting = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    waiting
        .write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("write");
    std::thread::sleep(Duration::from_millis(2_500));

    let asked = Instant::now();
    server.signal(Signal::SIGTERM);
    let (ok, log) = server.wait();
    let took = asked.elapsed();
    assert!(ok, "exits cleanly: {log}");
    assert!(
        took >= Duration::from_secs(1),
        "it waited for the request: {took:?}"
    );
    assert!(
        took < Duration::from_secs(15),
        "but not for long: {took:?}: {log}"
    );
    assert!(log.contains("after the grace period"), "{log}");
    assert!(
        log.contains("the scheduler pass is still running after the grace period"),
        "the blocked scheduler pass is abandoned too: {log}"
    );
    // PostgreSQL stopped with Mend; the lock's connection went with it.
    drop(locker);
}
