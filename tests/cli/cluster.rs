use nix::sys::signal::Signal;

use crate::support::{DataDir, stderr};

#[test]
fn the_first_start_initialises_the_cluster_and_the_second_reuses_it() {
    let dir = DataDir::new();

    let first = dir.run(&["migrate"], "");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("initialising a new PostgreSQL cluster"));
    assert!(dir.pgdata().join("PG_VERSION").exists());
    // `pg_ctl stop` returns once the server has shut down (its pid file is gone); the process
    // itself may take a moment longer to leave the process table on a busy machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while dir.postmaster_pid().is_some() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        dir.postmaster_pid(),
        None,
        "a CLI command stops the cluster it started"
    );

    let second = dir.run(&["migrate"], "");
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        !stderr(&second).contains("initialising"),
        "{}",
        stderr(&second)
    );
    assert!(stderr(&second).contains("starting PostgreSQL"));
}

#[test]
fn the_cluster_listens_only_on_a_unix_socket_inside_the_data_folder() {
    let dir = DataDir::new();
    let server = dir.serve();
    let socket = dir.path.join("pg/run/.s.PGSQL.5432");
    assert!(socket.exists(), "socket at {}", socket.display());
    let conf = std::fs::read_to_string(dir.pgdata().join("mend.conf")).expect("mend.conf");
    assert!(conf.contains("listen_addresses = ''"), "{conf}");
    let hba = std::fs::read_to_string(dir.pgdata().join("pg_hba.conf")).expect("pg_hba");
    assert!(
        hba.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .all(|l| l.starts_with("local")),
        "{hba}"
    );
    server.signal(Signal::SIGTERM);
    assert!(server.wait().0);
}

#[test]
fn sigterm_stops_mend_and_its_postgresql_cleanly() {
    let dir = DataDir::new();
    let server = dir.serve();
    assert!(
        dir.postmaster_pid().is_some(),
        "PostgreSQL runs while Mend serves"
    );

    server.signal(Signal::SIGTERM);
    let (ok, log) = server.wait();
    assert!(ok, "{log}");
    assert!(log.contains("stopping PostgreSQL"), "{log}");
    assert_eq!(dir.postmaster_pid(), None, "no PostgreSQL left: {log}");
    assert!(!dir.pgdata().join("postmaster.pid").exists());
}

#[test]
fn sigint_is_a_graceful_shutdown_too() {
    let dir = DataDir::new();
    let server = dir.serve();
    server.signal(Signal::SIGINT);
    let (ok, log) = server.wait();
    assert!(ok, "{log}");
    assert_eq!(dir.postmaster_pid(), None, "{log}");
}

#[test]
fn a_start_after_kill_9_joins_the_cluster_left_running() {
    let dir = DataDir::new();
    let server = dir.serve();
    let postmaster = dir.postmaster_pid().expect("running");
    server.signal(Signal::SIGKILL);
    let _ = server.wait();
    assert_eq!(
        dir.postmaster_pid(),
        Some(postmaster),
        "the cluster outlives a kill -9"
    );

    let again = dir.serve();
    assert_eq!(again.get_status("/readyz"), Some(200));
    assert!(
        again
            .log()
            .contains("joining the running PostgreSQL cluster"),
        "{}",
        again.log()
    );
    // The new server owns the orphaned cluster: stopping it stops PostgreSQL.
    again.signal(Signal::SIGTERM);
    let (ok, log) = again.wait();
    assert!(ok, "{log}");
    assert_eq!(dir.postmaster_pid(), None, "{log}");
}

#[test]
fn a_stale_postmaster_pid_file_is_cleared() {
    let dir = DataDir::new();
    assert!(dir.run(&["migrate"], "").status.success());
    // A crash left a pid file naming a process that is gone (or, worse, reused by another
    // program): a finished child's pid is such a pid.
    let gone = std::process::Command::new("true")
        .spawn()
        .and_then(|mut c| c.wait().map(|_| c.id()))
        .expect("spawn true");
    let pid_file = dir.pgdata().join("postmaster.pid");
    std::fs::write(
        &pid_file,
        format!("{gone}\n{}\n1700000000\n5432\n\n\n", dir.pgdata().display()),
    )
    .expect("write stale pid file");

    let out = dir.run(&["migrate"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stale postmaster.pid"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_postgresql_binaries_give_one_clear_sentence() {
    let dir = DataDir::new();
    let empty = tempfile::tempdir().expect("tempdir");
    let out = dir
        .command()
        .arg("migrate")
        .env("PATH", empty.path())
        .env("MEND_PG_VERSIONS_ROOT", empty.path())
        .output()
        .expect("run mend");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("install PostgreSQL 14 or newer, or set DATABASE_URL"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
}

#[test]
fn a_bad_database_url_is_reported_without_echoing_the_password() {
    let dir = DataDir::new();
    let out = dir
        .command()
        .arg("migrate")
        .env(
            "DATABASE_URL",
            "postgres://mend:hunter2secret@127.0.0.1:1/mend",
        )
        .output()
        .expect("run mend");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(!err.contains("hunter2secret"), "{err}");
    assert!(err.starts_with("error:"), "{err}");
}
