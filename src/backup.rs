//! `mend backup` and `mend restore`: Mend's database as a PostgreSQL custom-format archive, made
//! and read by PostgreSQL's own `pg_dump` and `pg_restore` (a consistent snapshot, whatever runs
//! meanwhile), for the embedded cluster and for `DATABASE_URL` alike. Nothing here reimplements
//! them: this module finds the programs, tells them where the database is, and guards restores
//! from overwriting data by accident.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::config::DbArgs;
use crate::database::Database;
use crate::pg::Locator;

/// How a PostgreSQL client program reaches Mend's database: arguments, and environment (the
/// password goes there, never on a command line others can read).
struct Connection {
    args: Vec<OsString>,
    env: Vec<(&'static str, String)>,
}

fn connection(db_args: &DbArgs, database: &Database) -> anyhow::Result<Connection> {
    match &db_args.database_url {
        Some(raw) => {
            let mut url = url::Url::parse(raw).context("DATABASE_URL is not a valid URL")?;
            let password = url.password().map(|p| {
                urlencoding::decode(p)
                    .map(|p| p.into_owned())
                    .unwrap_or_else(|_| p.to_string())
            });
            url.set_password(None)
                .map_err(|()| anyhow::anyhow!("DATABASE_URL cannot carry a password"))?;
            let mut dbname = OsString::from("--dbname=");
            dbname.push(url.as_str());
            Ok(Connection {
                args: vec![dbname],
                env: password
                    .map(|p| vec![("PGPASSWORD", p)])
                    .unwrap_or_default(),
            })
        }
        None => {
            let (socket, user, name) = database
                .embedded_socket()
                .context("the embedded cluster has no socket")?;
            Ok(Connection {
                args: vec![
                    "--host".into(),
                    socket.into_os_string(),
                    "--port".into(),
                    "5432".into(),
                    "--username".into(),
                    user.into(),
                    "--dbname".into(),
                    name.into(),
                ],
                env: Vec::new(),
            })
        }
    }
}

fn tool(name: &str) -> anyhow::Result<std::path::PathBuf> {
    Locator::default().client_tool(name).with_context(|| {
        format!(
            "{name} was not found: install PostgreSQL's client programs (Debian: postgresql-client)"
        )
    })
}

/// Runs a PostgreSQL client program; its error output becomes the error.
fn run(program: &Path, conn: &Connection, args: &[OsString]) -> anyhow::Result<()> {
    let mut cmd = Command::new(program);
    cmd.args(args).args(&conn.args);
    for (k, v) in &conn.env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .with_context(|| format!("running {}", program.display()))?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            program
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Writes a consistent archive of Mend's database to `out`.
pub async fn backup(db_args: &DbArgs, database: &Database, out: &Path) -> anyhow::Result<u64> {
    let pg_dump = tool("pg_dump")?;
    let conn = connection(db_args, database)?;
    let args = vec![
        OsString::from("--format=custom"),
        OsString::from("--no-owner"),
        OsString::from("--file"),
        out.as_os_str().to_owned(),
    ];
    tokio::task::spawn_blocking(move || run(&pg_dump, &conn, &args)).await??;
    Ok(std::fs::metadata(out)
        .with_context(|| format!("reading {}", out.display()))?
        .len())
}

/// Restores an archive into Mend's database, which must be empty unless `force` (then what is
/// there is dropped first). Migrations run afterwards, so an older backup is brought up to date.
pub async fn restore(
    db_args: &DbArgs,
    database: &Database,
    file: &Path,
    force: bool,
) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let pg_restore = tool("pg_restore")?;
    let tables: i64 =
        sqlx::query_scalar("select count(*) from pg_tables where schemaname = 'public'")
            .fetch_one(&database.pool)
            .await
            .context("looking at the database")?;
    if tables > 0 {
        if !force {
            bail!(
                "the database is not empty ({tables} tables): restore into an empty database, or add --force to replace everything in it"
            );
        }
        sqlx::raw_sql("drop schema public cascade; create schema public;")
            .execute(&database.pool)
            .await
            .context("emptying the database")?;
    }
    let conn = connection(db_args, database)?;
    let args = vec![
        OsString::from("--no-owner"),
        OsString::from("--no-privileges"),
        OsString::from("--single-transaction"),
        OsString::from("--exit-on-error"),
        file.as_os_str().to_owned(),
    ];
    tokio::task::spawn_blocking(move || run(&pg_restore, &conn, &args)).await??;
    database.migrate().await
}
