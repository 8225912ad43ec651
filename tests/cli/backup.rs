//! `mend backup` and `mend restore`: a round trip through an archive keeps every row, and a
//! restore never overwrites data unless told to.

use nix::sys::signal::Signal;

use crate::support::{DataDir, stderr, stdout};

/// What a restored database must match: row counts of the main tables, and a sample of records.
fn fingerprint(dir: &DataDir) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        "users",
        "teams",
        "accounts",
        "cases",
        "case_events",
        "conversations",
        "action_items",
        "lessons",
        "follow_up_plans",
        "check_ins",
        "_sqlx_migrations",
    ] {
        out.push(format!(
            "{table}: {}",
            dir.count(&format!("select 1 from {table}"))
        ));
    }
    out.extend(dir.column(
        "select number || ' ' || title || ' ' || stage || ' ' || coalesce(first_contact_at::text, '-')
         from cases order by number limit 20",
    ));
    out.extend(
        dir.column("select email || ' ' || role || ' ' || password_hash from users order by email"),
    );
    out
}

#[test]
fn a_backup_restores_into_an_empty_data_folder_with_every_row() {
    let source = DataDir::new();
    let demo = source.run(
        &["demo", "--accounts", "20", "--cases", "120", "--seed", "3"],
        "",
    );
    assert!(demo.status.success(), "{}", stderr(&demo));
    let archive = source.path.with_file_name("mend.backup");
    let archive_arg = archive.to_string_lossy().into_owned();

    let server = source.serve();
    // Taken while the server runs: pg_dump reads one consistent snapshot.
    let out = source.run(&["backup", "--out", &archive_arg], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Backed up to "),
        "{}",
        stdout(&out)
    );
    assert!(archive.metadata().map(|m| m.len()).unwrap_or(0) > 10_000);
    let expected = fingerprint(&source);
    server.signal(Signal::SIGTERM);
    let _ = server.wait();

    let target = DataDir::new();
    let restored = target.run(&["restore", &archive_arg], "");
    assert!(restored.status.success(), "{}", stderr(&restored));
    let server = target.serve();
    assert_eq!(fingerprint(&target), expected);
    assert!(expected.iter().any(|l| l == "cases: 120"), "{expected:?}");

    // Not again on top of the data, unless forced.
    let refused = target.run(&["restore", &archive_arg], "");
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("not empty"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    target.column("update cases set title = 'changed' where number = (select min(number) from cases) returning title");
    let forced = target.run(&["restore", "--force", &archive_arg], "");
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(fingerprint(&target), expected);
    server.signal(Signal::SIGTERM);
    let _ = server.wait();

    let missing = target.run(&["restore", "/nonexistent/mend.backup"], "");
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("is not a file"),
        "{}",
        stderr(&missing)
    );
}
