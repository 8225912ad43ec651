//! `schema.sql`, the schema of a database migrated from empty as pg_dump prints it (written by
//! `scripts/schema.sh`), is what the migrations make today: the one file where anyone reads the
//! live definition of every table, function, trigger, view and index.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use nix::sys::signal::Signal;

use crate::support::{DataDir, stderr};

const SCHEMA_SQL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.sql");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/schema.sh");

/// `pg_dump --schema-only` of the data folder's database, as `scripts/schema.sh` writes it
/// (through its own normalisation, so the rules live in one place).
fn schema_of(dir: &DataDir) -> String {
    let pg_dump = mend::pg::Locator::default()
        .client_tool("pg_dump")
        .expect("pg_dump (Debian: postgresql-client)");
    let dump = Command::new(&pg_dump)
        .args(["--schema-only", "--no-owner", "--no-privileges"])
        .arg("--exclude-table=_sqlx_migrations")
        .args(["--username", "mend", "--dbname", "mend", "--host"])
        .arg(dir.path.join("pg/run"))
        .stdin(Stdio::null())
        .output()
        .expect("run pg_dump");
    assert!(dump.status.success(), "pg_dump: {}", stderr(&dump));
    let mut normalise = Command::new("bash")
        .args([SCRIPT, "--normalise"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scripts/schema.sh --normalise");
    let mut input = normalise.stdin.take().expect("its stdin");
    let writer = std::thread::spawn(move || input.write_all(&dump.stdout));
    let out: Output = normalise.wait_with_output().expect("its output");
    writer.join().expect("the writer").expect("write the dump");
    assert!(
        out.status.success(),
        "scripts/schema.sh --normalise: {}",
        stderr(&out)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The first line of a schema.sql: it names the major version of pg_dump that wrote it.
fn header(schema: &str) -> &str {
    schema.lines().next().unwrap_or_default()
}

#[test]
fn schema_sql_is_what_the_migrations_make() {
    let dir = DataDir::new();
    // `mend serve` migrates the folder's new database from empty and keeps its cluster running.
    let server = dir.serve_with(&["--no-scheduler"]);

    let live = schema_of(&dir);
    server.signal(Signal::SIGTERM);
    assert!(server.wait().0);

    let checked_in = std::fs::read_to_string(SCHEMA_SQL).unwrap_or_default();
    if !checked_in.is_empty() && header(&checked_in) != header(&live) {
        // Another major version of PostgreSQL prints the same schema differently.
        eprintln!(
            "schema.sql was not compared: it says \u{201c}{}\u{201d}, this machine's is \
             \u{201c}{}\u{201d}",
            header(&checked_in),
            header(&live)
        );
        return;
    }
    if live != checked_in {
        let (line, theirs, ours) = checked_in
            .lines()
            .chain(std::iter::repeat(""))
            .zip(live.lines().chain(std::iter::repeat("")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| (i + 1, a, b))
            .unwrap_or((0, "", ""));
        panic!(
            "schema.sql is out of date: run scripts/schema.sh\n\
             (first difference at line {line}:\n  schema.sql: {theirs}\n  migrated:   {ours})"
        );
    }
}
