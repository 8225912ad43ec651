//! Command line and environment: every flag can also be set by an environment variable.
//! Secrets (the database URL may carry a password) are redacted in `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sqlx::types::ipnetwork::IpNetwork;

/// Mend: a client-recovery case tracker.
#[derive(Debug, Parser)]
#[command(name = "mend", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,

    /// Log format.
    #[arg(long, env = "MEND_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// `serve`'s settings, for `mend` run without a command.
    #[command(flatten)]
    pub serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the database is: an embedded cluster in a data folder, or `DATABASE_URL`.
#[derive(Clone, Args)]
pub struct DbArgs {
    /// Folder for Mend's own PostgreSQL cluster (used when DATABASE_URL is not set).
    #[arg(
        long,
        env = "MEND_DATA_DIR",
        default_value = "./mend-data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// PostgreSQL server to use instead of the embedded cluster.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
}

impl fmt::Debug for DbArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbArgs")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A secret given on the command line or in the environment: never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(pub String);

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for SecretString {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SecretString(s.to_string()))
    }
}

/// Settings of the web server (`mend serve`, the default command).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MEND_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Mark the session cookie `Secure` (set this when Mend is served over HTTPS).
    #[arg(long, env = "MEND_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub secure_cookies: bool,

    /// Maximum database connections per instance.
    #[arg(long, env = "MEND_DB_POOL_SIZE", default_value_t = 20)]
    pub db_pool_size: u32,

    /// Do not run the follow-up scheduler in this instance.
    #[arg(long, env = "MEND_NO_SCHEDULER", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub no_scheduler: bool,

    /// Seconds between scheduler passes.
    #[arg(long, env = "MEND_SCHEDULER_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub scheduler_interval: u64,

    /// A case with no activity for this many days counts as stuck on the manager review, until
    /// an admin sets the organisation's own threshold on /admin/settings.
    #[arg(long, env = "MEND_STUCK_AFTER_DAYS", default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=365))]
    pub stuck_after_days: i64,

    /// Seconds a request may take before Mend answers 503 instead (the database statement
    /// limit is the same, so a slow query is cancelled rather than left running).
    #[arg(long, env = "MEND_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout: u64,

    /// Seconds a client gets to send a request's headers (after connecting, or after the previous
    /// response on a kept-alive connection); slower or idle connections are closed.
    #[arg(long, env = "MEND_HEADER_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_read_timeout: u64,

    /// Client connections open at once; more wait until one closes.
    #[arg(long, env = "MEND_MAX_CONNECTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// Seconds the weekly dashboard's numbers, the review's counts and reference lists
    /// (categories, a team's people, organisation settings) may be reused between views when
    /// nothing was written through this instance meanwhile (writes elsewhere show within this
    /// time); 0 turns the reuse off.
    #[arg(long, env = "MEND_PAGE_CACHE_SECONDS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(0..=300))]
    pub page_cache_seconds: u64,

    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C; then Mend stops anyway
    /// (a stalled client cannot hold a shutdown or a deployment up).
    #[arg(long, env = "MEND_SHUTDOWN_GRACE", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub shutdown_grace: u64,

    /// The bearer token `/metrics` (Prometheus) asks for; without one, `/metrics` is off.
    #[arg(long, env = "MEND_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<SecretString>,

    /// Requests a minute each API token may make (bursts up to this many).
    #[arg(long, env = "MEND_API_RATE_LIMIT", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub api_rate_limit: u32,

    /// Reverse proxies (load balancers) whose `X-Forwarded-For` names the client, as addresses
    /// or networks, comma-separated: `127.0.0.1` or `10.0.0.0/8,::1`. Behind a proxy, set this
    /// to its address, or the sign-in limit per client address counts every client as one.
    #[arg(long, env = "MEND_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNetwork>,

    #[command(flatten)]
    pub mail: MailArgs,
}

/// E-mail and links in it (used by the server's scheduler and by `mend scheduler run-once`).
#[derive(Clone, Args)]
pub struct MailArgs {
    /// SMTP server for reminders, e.g. smtp://user:pass@host:587?tls=required (STARTTLS) or
    /// smtps://user:pass@host:465 (TLS); plain smtp://host:25 only on a trusted network.
    /// Without it, messages stay in the outbox (admins read them at /admin/outbox).
    #[arg(long, env = "MEND_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of Mend's e-mails.
    #[arg(long, env = "MEND_MAIL_FROM", default_value = "Mend <mend@localhost>")]
    pub mail_from: String,

    /// The address people open Mend at, for links in e-mails, calendar events and password
    /// links, e.g. https://mend.example.com. Without it, links use the address Mend listens on.
    #[arg(long, env = "MEND_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl MailArgs {
    /// The public URL, or the address `addr` Mend listens on when none is given.
    pub fn public_url_or(&self, addr: SocketAddr) -> String {
        public_url(self.public_url.as_deref(), addr)
    }
}

/// The address links point at: `given` (without a trailing slash), else Mend's own listening
/// address (`localhost` when it listens on every interface, which no browser can open).
pub fn public_url(given: Option<&str>, addr: SocketAddr) -> String {
    match given.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => url.trim_end_matches('/').to_string(),
        None if addr.ip().is_unspecified() => format!("http://localhost:{}", addr.port()),
        None => format!("http://{addr}"),
    }
}

impl fmt::Debug for MailArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailArgs")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "[redacted]"))
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The follow-up scheduler.
    Scheduler {
        #[command(subcommand)]
        command: SchedulerCommand,
    },
    /// Fill the database with realistic demo data (teams, users, accounts, cases).
    Demo(DemoArgs),
    /// Write a consistent backup of the database (a pg_dump custom-format archive).
    Backup {
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Restore a backup made by `mend backup` into an empty database.
    Restore {
        /// The archive to read.
        file: std::path::PathBuf,
        /// Drop everything in the database first (it must otherwise be empty).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchedulerCommand {
    /// Run one pass (create check-ins, mark missed ones, queue and send reminders) and exit.
    RunOnce(RunOnceArgs),
}

/// `mend scheduler run-once`'s settings.
#[derive(Debug, Clone, Args)]
pub struct RunOnceArgs {
    #[command(flatten)]
    pub mail: MailArgs,
    /// The address the server listens on: links in e-mails use it when no public URL is set.
    #[arg(long, env = "MEND_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create(UserCreateArgs),
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    /// Sign-in e-mail address.
    #[arg(long)]
    pub email: String,
    /// Full name, as colleagues see it.
    #[arg(long)]
    pub name: String,
    /// account_manager, manager or admin.
    #[arg(long)]
    pub role: String,
    /// Team name; created if it does not exist yet.
    #[arg(long)]
    pub team: Option<String>,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// The user's time zone (IANA name, e.g. Europe/Berlin); check-ins fall due by its days.
    #[arg(long, env = "MEND_TIME_ZONE", default_value = "UTC")]
    pub time_zone: String,
}

/// `mend demo`'s settings. The same seed always gives the same data.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// How many client accounts to create.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub accounts: u32,
    /// How many repair cases to create.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub cases: u32,
    /// Seed for the random generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// What the web application needs to know at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secure_cookies: bool,
    /// The address people open Mend at (no trailing slash), for links that leave the browser.
    pub public_url: String,
    /// Whether an SMTP server is configured (without one, e-mails wait in the outbox).
    pub smtp_configured: bool,
    /// Days without activity after which an open case counts as stuck, unless the organisation
    /// set its own threshold (`db::organisation`).
    pub stuck_after_days: i64,
    /// Failed sign-ins per e-mail address allowed within `sign_in_window_minutes`.
    pub sign_in_failures_per_account: i64,
    /// Failed sign-ins per client address allowed within `sign_in_window_minutes`.
    pub sign_in_failures_per_address: i64,
    pub sign_in_window_minutes: i64,
    /// Requests a minute each API token may make.
    pub api_rate_per_minute: u32,
    /// How long a request may take before it is answered 503.
    pub request_timeout: std::time::Duration,
    /// The bearer token of `/metrics`; None turns it off.
    pub metrics_token: Option<SecretString>,
    /// How long the weekly dashboard's numbers may be reused (`crate::recent`).
    pub page_cache: std::time::Duration,
    /// Proxies whose `X-Forwarded-For` is believed (`web::client_ip`).
    pub trusted_proxies: Vec<IpNetwork>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            public_url: "http://127.0.0.1:3000".into(),
            smtp_configured: false,
            stuck_after_days: 7,
            sign_in_failures_per_account: 5,
            sign_in_failures_per_address: 20,
            sign_in_window_minutes: 15,
            api_rate_per_minute: 600,
            request_timeout: std::time::Duration::from_secs(30),
            page_cache: std::time::Duration::from_secs(15),
            metrics_token: None,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Settings {
    /// The settings of `mend serve`, listening on `bound`.
    pub fn from_serve_args(args: &ServeArgs, bound: SocketAddr) -> Settings {
        Settings {
            secure_cookies: args.secure_cookies,
            public_url: args.mail.public_url_or(bound),
            smtp_configured: args
                .mail
                .smtp_url
                .as_deref()
                .is_some_and(|u| !u.trim().is_empty()),
            stuck_after_days: args.stuck_after_days,
            api_rate_per_minute: args.api_rate_limit,
            request_timeout: std::time::Duration::from_secs(args.request_timeout),
            page_cache: std::time::Duration::from_secs(args.page_cache_seconds),
            metrics_token: args
                .metrics_token
                .clone()
                .filter(|t| !t.0.trim().is_empty()),
            trusted_proxies: args.trusted_proxies.clone(),
            ..Settings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_url_never_shows_in_debug_output() {
        let cli = Cli::parse_from([
            "mend",
            "--database-url",
            "postgres://mend:s3cret@db/mend",
            "migrate",
        ]);
        let printed = format!("{cli:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn serve_is_the_default_and_flags_work_before_or_after_it() {
        let cli = Cli::parse_from(["mend", "--addr", "127.0.0.1:4000"]);
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.addr.port(), 4000);
        let cli = Cli::parse_from(["mend", "serve", "--addr", "127.0.0.1:4001"]);
        match cli.command {
            Some(Command::Serve(args)) => assert_eq!(args.addr.port(), 4001),
            other => panic!("expected serve, got {other:?}"),
        }
    }

    #[test]
    fn links_use_the_public_url_or_else_the_address_mend_listens_on() {
        let addr = |a: &str| a.parse::<SocketAddr>().expect("address");
        assert_eq!(
            public_url(None, addr("127.0.0.1:3301")),
            "http://127.0.0.1:3301"
        );
        assert_eq!(
            public_url(None, addr("0.0.0.0:3000")),
            "http://localhost:3000"
        );
        assert_eq!(public_url(None, addr("[::]:80")), "http://localhost:80");
        assert_eq!(
            public_url(Some("https://mend.example.com/"), addr("127.0.0.1:1")),
            "https://mend.example.com"
        );
        assert_eq!(
            public_url(Some("  "), addr("[::1]:3000")),
            "http://[::1]:3000"
        );
        let cli = Cli::parse_from(["mend", "--addr", "127.0.0.1:3301"]);
        let settings = Settings::from_serve_args(&cli.serve, cli.serve.addr);
        assert_eq!(settings.public_url, "http://127.0.0.1:3301");
        assert!(!settings.smtp_configured);
    }

    #[test]
    fn the_smtp_url_never_shows_in_debug_output() {
        let cli = Cli::parse_from(["mend", "--smtp-url", "smtp://me:hunter2@mail:587"]);
        let printed = format!("{cli:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn trusted_proxies_are_a_comma_separated_list_of_addresses_and_networks() {
        let cli = Cli::parse_from(["mend", "--trusted-proxies", "127.0.0.1,10.0.0.0/8,::1"]);
        let proxies = &cli.serve.trusted_proxies;
        assert_eq!(proxies.len(), 3);
        assert!(proxies[0].contains("127.0.0.1".parse().expect("ip")));
        assert!(!proxies[0].contains("127.0.0.2".parse().expect("ip")));
        assert!(proxies[1].contains("10.1.2.3".parse().expect("ip")));
        assert!(Cli::try_parse_from(["mend", "--trusted-proxies", "nginx"]).is_err());
        assert!(Cli::parse_from(["mend"]).serve.trusted_proxies.is_empty());
    }

    #[test]
    fn server_flags_do_not_leak_into_other_commands() {
        let parsed = Cli::try_parse_from([
            "mend",
            "user",
            "create",
            "--addr",
            "127.0.0.1:1",
            "--email",
            "a@b.co",
        ]);
        assert!(parsed.is_err());
    }
}
