//! The embedded PostgreSQL cluster Mend runs when no `DATABASE_URL` is given.
//!
//! Written by hand, small on purpose: the crates that embed PostgreSQL either download a build at
//! build or run time (impossible offline and on air-gapped servers) or shell out to `sudo` and
//! run one `initdb` per database (`pgtemp`). This module drives only the machine's own `initdb`,
//! `pg_ctl` and `postgres` binaries.
//!
//! Layout of a data folder:
//! ```text
//! <data-dir>/mend.lock          advisory lock: shared while in use, exclusive to start or stop
//! <data-dir>/pg/data/           the cluster (PGDATA)
//! <data-dir>/pg/run/            the Unix socket (no TCP listener)
//! <data-dir>/pg/postgresql.log  the server's log
//! ```
//! Every process that uses the cluster (a server, a CLI command, a test binary) holds a shared
//! lock on `mend.lock`. Starting takes the lock exclusively, so two processes never start two
//! clusters; stopping happens only when a process can take the lock exclusively after letting go
//! of its shared one, so the last user out turns off the lights and a CLI command run beside a
//! server never stops the server's cluster. A process killed with `kill -9` drops its lock, so
//! the next start reuses a cluster left running, or clears a stale `postmaster.pid`.
//! As root, PostgreSQL (which refuses to run as root) runs as the `postgres` user.

mod binaries;

pub use binaries::{Binaries, Locator};

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;

/// The database superuser `initdb` creates, and the database Mend uses.
pub const SUPERUSER: &str = "mend";
/// The port only names the socket file (`.s.PGSQL.5432`); there is no TCP listener.
const PORT: u16 = 5432;
/// Unix socket paths are limited to 107 bytes on Linux.
const MAX_SOCKET_PATH: usize = 100;

/// Everything that can go wrong while running the embedded cluster, each as one clear sentence.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error(
        "PostgreSQL's binaries (initdb, pg_ctl, postgres) were not found: install PostgreSQL 14 or newer, or set DATABASE_URL"
    )]
    NoBinaries,
    #[error(
        "Mend runs as root, so PostgreSQL must run as an unprivileged user, but there is no `postgres` user: create one, or set DATABASE_URL"
    )]
    NoPostgresUser,
    #[error(
        "PostgreSQL runs as the user `{user}`, who cannot reach {dir}: choose a --data-dir that user can enter (for example under /var/lib or /tmp)"
    )]
    Unreachable { user: String, dir: PathBuf },
    #[error(
        "the data folder {0} is too deep for PostgreSQL's socket path: choose a shorter --data-dir"
    )]
    PathTooLong(PathBuf),
    #[error("could not {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> PgError {
    let what = what.into();
    move |source| PgError::Io { what, source }
}

/// The unprivileged account PostgreSQL runs as when Mend is root.
#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: u32,
    gid: u32,
}

/// A running embedded cluster that this process is using (it holds a shared lock on it).
#[derive(Debug)]
pub struct Cluster {
    data_dir: PathBuf,
    bins: Binaries,
    run_as: Option<RunAs>,
    lock: File,
}

impl Cluster {
    /// Initialises the cluster on first use, starts it unless it already runs, and joins it.
    ///
    /// Blocking: call it from `spawn_blocking` in async code.
    pub fn open(data_dir: &Path, locator: &Locator) -> Result<Cluster, PgError> {
        let bins = locator.find().ok_or(PgError::NoBinaries)?;
        fs::create_dir_all(data_dir).map_err(io_err(format!("create {}", data_dir.display())))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(io_err(format!("resolve {}", data_dir.display())))?;
        let run_as = run_as()?;
        let cluster_dirs = Dirs::new(&data_dir);
        if cluster_dirs.socket_file().as_os_str().len() > MAX_SOCKET_PATH {
            return Err(PgError::PathTooLong(data_dir));
        }
        if let Some(user) = &run_as {
            check_reachable(&data_dir, user)?;
        }

        let lock_path = data_dir.join("mend.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err(format!("open {}", lock_path.display())))?;
        let cluster = Cluster {
            data_dir,
            bins,
            run_as,
            lock,
        };
        cluster.acquire()?;
        Ok(cluster)
    }

    /// Joins a running cluster under a shared lock, or takes the lock exclusively to start it.
    fn acquire(&self) -> Result<(), PgError> {
        let dirs = self.dirs();
        loop {
            match self.lock.try_lock() {
                Ok(()) => {
                    let result = self.init_and_start();
                    // Downgrade whatever happened: others may now join or retry.
                    let shared = self.lock.lock_shared();
                    result?;
                    return shared.map_err(io_err("share the data folder's lock"));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    // Others use the cluster, or one of them is starting or stopping it: wait
                    // for a shared lock, then check which.
                    self.lock
                        .lock_shared()
                        .map_err(io_err("share the data folder's lock"))?;
                    if self.is_running(&dirs)? {
                        tracing::info!(data_dir = %self.data_dir.display(), "joining the running PostgreSQL cluster");
                        return Ok(());
                    }
                    // It was being stopped: let go and try to start it ourselves.
                    self.lock
                        .unlock()
                        .map_err(io_err("release the data folder's lock"))?;
                    std::thread::sleep(RETRY_DELAY);
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(io_err("lock the data folder")(e));
                }
            }
        }
    }

    /// Connection options for `database` over the cluster's Unix socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(self.dirs().run)
            .port(PORT)
            .username(SUPERUSER)
            .database(database)
            .log_statements(tracing::log::LevelFilter::Debug)
    }

    /// The data folder this cluster lives in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Creates `name` unless it exists.
    pub async fn ensure_database(&self, name: &str) -> Result<(), sqlx::Error> {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect_with(&self.connect_options("postgres")).await?;
        let exists: bool =
            sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
                .bind(name)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            // Identifiers cannot be bound; the name is Mend's own constant, quoted anyway.
            let sql = format!("create database \"{}\"", name.replace('"', "\"\""));
            match sqlx::query(&sql).execute(&mut conn).await {
                Ok(_) => {}
                // Another process created it between our check and our create.
                Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
                Err(e) => return Err(e),
            }
        }
        conn.close().await
    }

    /// Leaves the cluster; stops it if no other process is using it.
    ///
    /// Blocking: call it from `spawn_blocking` in async code. Returns whether it stopped PostgreSQL.
    pub fn leave(self) -> Result<bool, PgError> {
        self.lock
            .unlock()
            .map_err(io_err("release the data folder's lock"))?;
        match self.lock.try_lock() {
            Ok(()) => {
                let stopped = self.stop_server();
                let _ = self.lock.unlock();
                stopped.map(|()| true)
            }
            // Someone else still uses the cluster: leave it running for them.
            Err(_) => Ok(false),
        }
    }

    /// Starts PostgreSQL again if its postmaster has gone while this process uses the cluster
    /// (killed, crashed, or stopped behind Mend's back), the way `open` starts it: only under the
    /// exclusive lock, so never twice at once nor while another process starts or stops it. It
    /// never initialises a cluster: one whose files are gone is an error for a person to look at.
    ///
    /// Blocking: call it from `spawn_blocking` in async code.
    pub fn restart_if_stopped(&self) -> Result<Restart, PgError> {
        let dirs = self.dirs();
        if postmaster_alive(&dirs) {
            return Ok(Restart::Running);
        }
        if !dirs.data.join("PG_VERSION").exists() {
            return Err(PgError::Command {
                what: "restarting PostgreSQL".into(),
                detail: format!("there is no cluster in {} any more", dirs.data.display()),
            });
        }
        // Trade the shared lock for the exclusive one; whatever happens, end up sharing again.
        self.lock
            .unlock()
            .map_err(io_err("release the data folder's lock"))?;
        let outcome = match self.lock.try_lock() {
            Ok(()) => self.start_unless_running(&dirs).map(|()| Restart::Started),
            // Another process holds the folder (a command using the cluster, or one starting
            // it right now): try again later.
            Err(std::fs::TryLockError::WouldBlock) => Ok(Restart::Busy),
            Err(std::fs::TryLockError::Error(e)) => Err(io_err("lock the data folder")(e)),
        };
        let shared = self
            .lock
            .lock_shared()
            .map_err(io_err("share the data folder's lock"));
        let outcome = outcome?;
        shared?;
        if outcome == Restart::Busy && self.is_running(&dirs)? {
            return Ok(Restart::Running);
        }
        Ok(outcome)
    }

    fn dirs(&self) -> Dirs {
        Dirs::new(&self.data_dir)
    }

    fn init_and_start(&self) -> Result<(), PgError> {
        let dirs = self.dirs();
        if !dirs.data.join("PG_VERSION").exists() {
            self.init(&dirs)?;
        }
        self.start_unless_running(&dirs)
    }

    /// Starts PostgreSQL on an initialised cluster, unless it already runs. The caller holds
    /// the lock exclusively.
    fn start_unless_running(&self, dirs: &Dirs) -> Result<(), PgError> {
        self.write_settings(dirs)?;
        if self.is_running(dirs)? {
            tracing::info!(data_dir = %self.data_dir.display(), "joining the running PostgreSQL cluster");
            return Ok(());
        }
        let pid_file = dirs.data.join("postmaster.pid");
        if pid_file.exists() {
            tracing::warn!("removing a stale postmaster.pid left by a crash");
            fs::remove_file(&pid_file).map_err(io_err("remove a stale postmaster.pid"))?;
        }
        tracing::info!(data_dir = %self.data_dir.display(), "starting PostgreSQL");
        let log = dirs.log.clone();
        let out = self.run(
            self.pg_ctl()
                .arg("start")
                .arg("-D")
                .arg(&dirs.data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "120", "-s"]),
        )?;
        if !out.status.success() {
            return Err(PgError::Command {
                what: "starting PostgreSQL".into(),
                detail: format!("{}{}", stderr_of(&out), log_tail(&log)),
            });
        }
        Ok(())
    }

    fn init(&self, dirs: &Dirs) -> Result<(), PgError> {
        tracing::info!(data_dir = %self.data_dir.display(), "initialising a new PostgreSQL cluster");
        // A half-made cluster (initdb interrupted) is thrown away and made again.
        if dirs.root.exists() {
            fs::remove_dir_all(&dirs.root).map_err(io_err("remove a half-initialised cluster"))?;
        }
        for dir in [&dirs.root, &dirs.run] {
            fs::create_dir_all(dir).map_err(io_err(format!("create {}", dir.display())))?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .map_err(io_err(format!("protect {}", dir.display())))?;
            if let Some(user) = &self.run_as {
                chown(dir, Some(user.uid), Some(user.gid)).map_err(io_err(format!(
                    "give {} to {}",
                    dir.display(),
                    user.name
                )))?;
            }
        }
        let out = self.run(
            Command::new(&self.bins.initdb)
                .arg("-D")
                .arg(&dirs.data)
                .args([
                    "--username",
                    SUPERUSER,
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--auth",
                    "trust",
                ]),
        )?;
        if !out.status.success() {
            return Err(PgError::Command {
                what: "initdb".into(),
                detail: stderr_of(&out),
            });
        }
        // Only local socket connections; the socket directory is 0700, so only this account
        // (and root) can connect at all.
        let hba = "# Written by Mend: Unix-socket connections only.\nlocal all all trust\n";
        self.write_owned(&dirs.data.join("pg_hba.conf"), hba)?;
        let conf_path = dirs.data.join("postgresql.conf");
        let mut conf = fs::read_to_string(&conf_path).map_err(io_err("read postgresql.conf"))?;
        conf.push_str("\n# Mend's settings (socket location etc.), rewritten at every start.\ninclude_if_exists = 'mend.conf'\n");
        self.write_owned(&conf_path, &conf)
    }

    /// Written at every start so a moved data folder keeps working.
    fn write_settings(&self, dirs: &Dirs) -> Result<(), PgError> {
        let run = dirs.run.display().to_string().replace('\'', "''");
        let conf = format!(
            "listen_addresses = ''\nport = {PORT}\nunix_socket_directories = '{run}'\nunix_socket_permissions = 0700\nmax_connections = 200\nshared_buffers = 128MB\njit = off\nmax_parallel_workers_per_gather = 0\n"
        );
        self.write_owned(&dirs.data.join("mend.conf"), &conf)
    }

    fn write_owned(&self, path: &Path, contents: &str) -> Result<(), PgError> {
        fs::write(path, contents).map_err(io_err(format!("write {}", path.display())))?;
        if let Some(user) = &self.run_as {
            chown(path, Some(user.uid), Some(user.gid)).map_err(io_err(format!(
                "give {} to {}",
                path.display(),
                user.name
            )))?;
        }
        Ok(())
    }

    /// True when a postmaster really runs on this data folder. `pg_ctl status` trusts the PID in
    /// `postmaster.pid`, which after a crash may belong to an unrelated process, so the PID's
    /// command name is checked too.
    fn is_running(&self, dirs: &Dirs) -> Result<bool, PgError> {
        if !postmaster_alive(dirs) {
            return Ok(false);
        }
        let out = self.run(self.pg_ctl().arg("status").arg("-D").arg(&dirs.data))?;
        Ok(out.status.success())
    }

    fn stop_server(&self) -> Result<(), PgError> {
        let dirs = self.dirs();
        if !self.is_running(&dirs)? {
            return Ok(());
        }
        tracing::info!(data_dir = %self.data_dir.display(), "stopping PostgreSQL");
        let out = self.run(
            self.pg_ctl()
                .arg("stop")
                .arg("-D")
                .arg(&dirs.data)
                .args(["-m", "fast", "-w", "-t", "60", "-s"]),
        )?;
        if !out.status.success() {
            return Err(PgError::Command {
                what: "stopping PostgreSQL".into(),
                detail: stderr_of(&out),
            });
        }
        Ok(())
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = Command::new(&self.bins.pg_ctl);
        // pg_ctl finds `postgres` beside itself; PGDATA etc. from the caller must not leak in.
        cmd.env_remove("PGDATA")
            .env_remove("PGPORT")
            .env_remove("PGHOST");
        cmd
    }

    fn run(&self, cmd: &mut Command) -> Result<Output, PgError> {
        let dirs = self.dirs();
        // The child must start somewhere its account can enter.
        let cwd = if dirs.root.exists() {
            dirs.root
        } else {
            self.data_dir.clone()
        };
        cmd.current_dir(cwd).env("LC_ALL", "C").env("LANG", "C");
        // Its own process group: a Ctrl-C in the terminal reaches Mend, which then stops
        // PostgreSQL cleanly, rather than killing PostgreSQL under Mend's feet.
        cmd.process_group(0);
        if let Some(user) = &self.run_as {
            cmd.uid(user.uid)
                .gid(user.gid)
                .env("HOME", &self.data_dir)
                .env("USER", &user.name);
        }
        let program = cmd.get_program().to_string_lossy().into_owned();
        // pg_ctl's daemonised postmaster inherits stdout/stderr: give it files, never our pipes,
        // or `output()` would wait for the server to exit.
        cmd.stdin(std::process::Stdio::null());
        let out = cmd.output().map_err(io_err(format!("run {program}")))?;
        Ok(out)
    }
}

/// What `Cluster::restart_if_stopped` found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// PostgreSQL runs.
    Running,
    /// It had stopped, and this process started it again.
    Started,
    /// It has stopped, and another process holds the data folder: try again later.
    Busy,
}

/// True when the process named in `postmaster.pid` is a live `postgres`: cheap (no child
/// process), so it can be asked every few seconds. A pid file left by a crash may name an
/// unrelated process, hence the check of its command name.
fn postmaster_alive(dirs: &Dirs) -> bool {
    let Ok(contents) = fs::read_to_string(dirs.data.join("postmaster.pid")) else {
        return false;
    };
    let Some(pid) = contents
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<u32>().ok())
    else {
        return false;
    };
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    comm.trim() == "postgres"
}

/// How often `supervise` looks for the postmaster.
const SUPERVISE_EVERY: Duration = Duration::from_secs(2);
/// The longest wait between two failed attempts to start PostgreSQL again.
const MAX_RESTART_BACKOFF: Duration = Duration::from_secs(60);

/// Keeps the embedded cluster running while a server uses it, until `stop` turns true: every
/// two seconds it checks that the postmaster is alive, and starts PostgreSQL again if not. The
/// pool then reconnects by itself, so a killed or crashed PostgreSQL costs a few seconds of
/// 503 pages, not a restart of Mend. A start that fails is tried again, waiting longer each
/// time (up to a minute).
pub async fn supervise(
    cluster: std::sync::Arc<Cluster>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut wait = SUPERVISE_EVERY;
    let mut down = false;
    let mut failures = 0;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() || stop.has_changed().is_err() {
            break;
        }
        let c = cluster.clone();
        let outcome = tokio::task::spawn_blocking(move || c.restart_if_stopped()).await;
        wait = SUPERVISE_EVERY;
        match outcome {
            Ok(Ok(Restart::Running)) => {
                if down {
                    tracing::info!("PostgreSQL is running again");
                }
                down = false;
            }
            Ok(Ok(Restart::Started)) => {
                tracing::warn!(
                    "PostgreSQL had stopped while Mend was using it; Mend started it again"
                );
                down = false;
            }
            Ok(Ok(Restart::Busy)) => {
                if !down {
                    tracing::warn!(
                        "PostgreSQL has stopped; another process holds the data folder, so Mend waits for it before starting PostgreSQL again"
                    );
                }
                down = true;
            }
            Ok(Err(e)) => {
                failures += 1;
                wait = restart_backoff(failures);
                tracing::error!(error = %e, retry_in_s = wait.as_secs(), "PostgreSQL has stopped and could not be started again");
                down = true;
                continue;
            }
            Err(e) => tracing::error!(error = %e, "the PostgreSQL supervisor's check failed"),
        }
        failures = 0;
    }
}

/// The wait after the `failures`-th failed start in a row: 4 seconds, doubling, at most a minute.
fn restart_backoff(failures: u32) -> Duration {
    SUPERVISE_EVERY
        .saturating_mul(2_u32.saturating_pow(failures.min(16)))
        .min(MAX_RESTART_BACKOFF)
}

/// Paths inside a data folder.
struct Dirs {
    root: PathBuf,
    data: PathBuf,
    run: PathBuf,
    log: PathBuf,
}

impl Dirs {
    fn new(data_dir: &Path) -> Dirs {
        let root = data_dir.join("pg");
        Dirs {
            data: root.join("data"),
            run: root.join("run"),
            log: root.join("postgresql.log"),
            root,
        }
    }

    fn socket_file(&self) -> PathBuf {
        self.run.join(format!(".s.PGSQL.{PORT}"))
    }
}

fn run_as() -> Result<Option<RunAs>, PgError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let user = nix::unistd::User::from_name("postgres")
        .ok()
        .flatten()
        .ok_or(PgError::NoPostgresUser)?;
    Ok(Some(RunAs {
        name: user.name,
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    }))
}

/// PostgreSQL, running as `user`, must be able to enter every folder above the data folder.
fn check_reachable(data_dir: &Path, user: &RunAs) -> Result<(), PgError> {
    use std::os::unix::fs::MetadataExt;
    for dir in data_dir.ancestors().skip(1) {
        let Ok(meta) = fs::metadata(dir) else {
            continue;
        };
        let mode = meta.mode();
        let can_enter = if meta.uid() == user.uid {
            mode & 0o100 != 0
        } else if meta.gid() == user.gid {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !can_enter {
            return Err(PgError::Unreachable {
                user: user.name.clone(),
                dir: data_dir.to_path_buf(),
            });
        }
    }
    Ok(())
}

fn stderr_of(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if text.is_empty() {
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    } else {
        text
    }
}

/// The last lines of PostgreSQL's log, to explain a failed start.
fn log_tail(log: &Path) -> String {
    let Ok(text) = fs::read_to_string(log) else {
        return String::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(8)..].join("\n");
    format!("\n--- {} ---\n{tail}", log.display())
}

/// How long a caller should wait between attempts to reach a cluster that is starting.
pub const RETRY_DELAY: Duration = Duration::from_millis(100);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_restarts_wait_longer_each_time_up_to_a_minute() {
        let secs = |n| restart_backoff(n).as_secs();
        assert_eq!(secs(1), 4);
        assert_eq!(secs(2), 8);
        assert_eq!(secs(4), 32);
        assert_eq!(secs(5), 60);
        assert_eq!(secs(1000), 60);
    }
}
