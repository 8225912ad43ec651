//! Running the real binary on a private data folder.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mend");

/// A data folder under /tmp that PostgreSQL (as the `postgres` user, when tests run as root)
/// can reach, removed at the end, with its cluster stopped if a test left it running.
pub struct DataDir {
    pub path: PathBuf,
    _tmp: tempfile::TempDir,
}

impl DataDir {
    pub fn new() -> DataDir {
        let tmp = tempfile::Builder::new()
            .prefix("mend-cli-")
            .tempdir_in("/tmp")
            .expect("temp dir");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        DataDir {
            path: tmp.path().join("data"),
            _tmp: tmp,
        }
    }

    pub fn pgdata(&self) -> PathBuf {
        self.path.join("pg/data")
    }

    /// The pid of a postmaster running on this folder, if any.
    pub fn postmaster_pid(&self) -> Option<u32> {
        postmasters_for(&self.pgdata()).into_iter().next()
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env_remove("DATABASE_URL")
            .env("MEND_DATA_DIR", &self.path)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `mend <args>`, feeding `stdin`.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mend");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("wait for mend")
    }

    /// Starts `mend serve` on a free port and waits until it answers.
    pub fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    /// `serve` with extra arguments (e.g. `--no-scheduler`).
    pub fn serve_with(&self, extra: &[&str]) -> Server {
        let port = free_port();
        let log = self.path.with_extension(format!("serve-{port}.log"));
        let child = self
            .command()
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn mend serve");
        let server = Server { child, port, log };
        server.wait_until_ready();
        server
    }
}

impl DataDir {
    /// The first column of `sql`'s rows, as text, from the data folder's database. The cluster
    /// must be running (a `serve()` keeps it up).
    pub fn column(&self, sql: &str) -> Vec<String> {
        self.column_in("mend", sql)
    }

    /// `column` in another database of the data folder's cluster.
    pub fn column_in(&self, database: &str, sql: &str) -> Vec<String> {
        use sqlx::Connection;
        let options = sqlx::postgres::PgConnectOptions::new()
            .socket(self.path.join("pg/run"))
            .port(5432)
            .username("mend")
            .database(database);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect_with(&options)
                .await
                .expect("connect to the data folder's database");
            let rows: Vec<String> = sqlx::query_scalar(sql)
                .fetch_all(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            conn.close().await.expect("close");
            rows
        })
    }

    /// Runs the machine's `pg_ctl -D <pgdata> <args>` on the data folder's cluster, as an
    /// operator would: as the `postgres` user when the tests run as root, as Mend runs it.
    pub fn pg_ctl(&self, args: &[&str]) -> Output {
        use std::os::unix::process::CommandExt;
        let bins = mend::pg::Locator::default()
            .find()
            .expect("PostgreSQL's binaries");
        let mut cmd = Command::new(&bins.pg_ctl);
        cmd.arg("-D")
            .arg(self.pgdata())
            .args(args)
            .current_dir(self.path.join("pg"))
            .env_remove("PGDATA")
            .env("LC_ALL", "C")
            .stdin(Stdio::null());
        if nix::unistd::geteuid().is_root() {
            let user = nix::unistd::User::from_name("postgres")
                .ok()
                .flatten()
                .expect("a postgres user");
            cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
        }
        cmd.output().expect("run pg_ctl")
    }

    /// How many rows `sql` returns.
    pub fn count(&self, sql: &str) -> i64 {
        self.count_in("mend", sql)
    }

    /// `count` in another database of the data folder's cluster.
    pub fn count_in(&self, database: &str, sql: &str) -> i64 {
        self.column_in(
            database,
            &format!("select count(*)::text from ({sql}) as rows"),
        )[0]
        .parse()
        .expect("a count")
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        // Never leave a cluster behind, whatever the test did.
        for pid in postmasters_for(&self.pgdata()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGQUIT,
            );
        }
    }
}

/// Pids of `postgres` processes started with `-D <pgdata>`.
pub fn postmasters_for(pgdata: &Path) -> Vec<u32> {
    let needle = pgdata.to_string_lossy().into_owned();
    let mut pids = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let is_postgres = args.first().is_some_and(|a| a.ends_with("/postgres"));
        if is_postgres && args.iter().any(|a| a == &needle) {
            pids.push(pid);
        }
    }
    pids
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub struct Server {
    pub child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn get_status(&self, path: &str) -> Option<u16> {
        let url = self.url(path);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                reqwest::Client::new()
                    .get(url)
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
                    .ok()
                    .map(|r| r.status().as_u16())
            })
        })
        .join()
        .ok()
        .flatten()
    }

    /// Polls `/readyz` until it answers 200 (the process is starting PostgreSQL meanwhile).
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.get_status("/readyz") == Some(200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("mend serve did not become ready:\n{}", self.log());
    }

    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), signal)
            .expect("signal mend");
    }

    /// Waits for the process to exit; returns whether it exited successfully.
    pub fn wait(mut self) -> (bool, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status.success(), self.log());
            }
            assert!(
                Instant::now() < deadline,
                "mend did not exit:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
