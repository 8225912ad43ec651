//! What each CLI command does. `main.rs` parses and dispatches; these do the work.

use std::io::Read;

use anyhow::Context;

use crate::config::{Cli, DbArgs, DemoArgs, ServeArgs, Settings, UserCreateArgs};
use crate::database::Database;
use crate::demo::{DemoOptions, DemoResult};
use crate::domain::user::NewUser;
use crate::{AppState, app, auth, demo};

/// `mend serve`: migrate, serve until SIGINT or SIGTERM (keeping the embedded PostgreSQL
/// running meanwhile), then shut down in order: stop accepting, finish requests, stop the
/// scheduler and the supervisor, close the pool, stop the embedded PostgreSQL.
pub async fn serve(db_args: &DbArgs, args: &ServeArgs) -> anyhow::Result<()> {
    let database = Database::open_with_timeout(
        db_args,
        args.db_pool_size,
        Some(std::time::Duration::from_secs(args.request_timeout)),
    )
    .await?;
    let result = serve_on(&database, args).await;
    database.close().await?;
    result
}

async fn serve_on(database: &Database, args: &ServeArgs) -> anyhow::Result<()> {
    database.migrate().await?;
    let mailer = args
        .mail
        .smtp_url
        .as_deref()
        .map(|url| crate::mail::Mailer::new(url, &args.mail.mail_from))
        .transpose()?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    // Links use the address actually bound (port 0 picks one) unless a public URL is given.
    let settings = Settings::from_serve_args(args, listener.local_addr()?);
    let public_url = settings.public_url.clone();
    let state = AppState::new(database.pool.clone(), settings);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let scheduler = (!args.no_scheduler).then(|| {
        tokio::spawn(crate::scheduler::run(
            database.pool.clone(),
            crate::scheduler::SchedulerConfig::new(&public_url),
            mailer,
            std::time::Duration::from_secs(args.scheduler_interval),
            stopped,
        ))
    });
    tracing::info!(addr = %listener.local_addr()?, "Mend is ready: open http://{}", listener.local_addr()?);
    let supervisor = database.supervise(stop.subscribe());
    // On a signal: stop accepting, let in-flight requests finish, but for `shutdown_grace` at
    // most (a client that never finishes its request would otherwise hold the process up).
    let (signalled, mut on_signal) = tokio::sync::watch::channel(false);
    let limits = crate::server::Limits {
        header_read_timeout: std::time::Duration::from_secs(args.header_read_timeout),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
    };
    let server = crate::server::serve(listener, app(state), limits, async move {
        shutdown_signal().await;
        tracing::info!("stopped accepting; finishing in-flight requests");
        let _ = signalled.send(true);
    });
    let grace = std::time::Duration::from_secs(args.shutdown_grace);
    let served = tokio::select! {
        () = server => Ok(()),
        () = async {
            let _ = on_signal.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_s = grace.as_secs(), "requests still in flight after the grace period; stopping anyway");
            Ok(())
        }
    };
    tracing::info!("shutting down");
    // The scheduler finishes the pass it is in, then stops; the database closes after it. A
    // pass still running after the grace period (a statement waiting on a lock, say) is
    // abandoned: its transaction rolls back, and every pass is safe to run again.
    let _ = stop.send(true);
    if let Some(mut task) = scheduler
        && tokio::time::timeout(grace, &mut task).await.is_err()
    {
        tracing::warn!(
            grace_s = grace.as_secs(),
            "the scheduler pass is still running after the grace period; abandoning it"
        );
        task.abort();
        let _ = task.await;
    }
    if let Some(task) = supervisor {
        let _ = task.await;
    }
    served
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// `mend migrate`.
pub async fn migrate(db_args: &DbArgs) -> anyhow::Result<()> {
    let database = Database::open(db_args, 2).await?;
    let result = database.migrate().await;
    database.close().await?;
    result?;
    println!("Migrations applied.");
    Ok(())
}

/// `mend user create … --password-stdin`.
pub async fn user_create(db_args: &DbArgs, args: &UserCreateArgs) -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&input);
    let user = NewUser::parse(
        &args.email,
        &args.name,
        &args.role,
        args.team.as_deref(),
        password,
    )
    .map_err(|errors| anyhow::anyhow!("{errors}"))?;

    if args.time_zone.parse::<chrono_tz::Tz>().is_err() {
        anyhow::bail!(
            "Unknown time zone \u{201c}{}\u{201d}: use an IANA name such as Europe/Berlin or America/New_York.",
            args.time_zone
        );
    }
    let database = Database::open(db_args, 2).await?;
    let result = create_user(&database, &user, &args.time_zone).await;
    database.close().await?;
    let id = result?;
    let team = user
        .team
        .as_deref()
        .map(|t| format!(", team {t}"))
        .unwrap_or_default();
    println!(
        "Created {} <{}> as {}{team} (id {id}).",
        user.name,
        user.email.as_str(),
        user.role.label().to_lowercase()
    );
    Ok(())
}

async fn create_user(
    database: &Database,
    user: &NewUser,
    time_zone: &str,
) -> anyhow::Result<uuid::Uuid> {
    database.migrate().await?;
    let hash = auth::password::hash(user.password.expose().to_string()).await?;
    match app::setup::create_user(&database.pool, user, &hash, time_zone).await {
        Ok(id) => Ok(id),
        Err(app::Error::Invalid(errors)) => Err(anyhow::anyhow!("{errors}")),
        Err(e) => Err(e.into()),
    }
}

/// `mend demo`: loads demo data, or says it is already there.
pub async fn demo(db_args: &DbArgs, args: &DemoArgs) -> anyhow::Result<()> {
    let options = DemoOptions {
        accounts: args.accounts as usize,
        cases: args.cases as usize,
        seed: args.seed,
    };
    let database = Database::open(db_args, demo::CONNECTIONS).await?;
    let result = load_demo(&database, options).await;
    database.close().await?;
    match result? {
        DemoResult::AlreadyLoaded => {
            println!(
                "Demo data is already loaded (demo users such as admin@{} exist): nothing was added.",
                demo::EMAIL_DOMAIN
            );
            println!(
                "Sign in as admin@{} with the password {}.",
                demo::EMAIL_DOMAIN,
                demo::PASSWORD
            );
        }
        DemoResult::Loaded(report) => {
            let c = report.counts;
            println!(
                "Loaded demo data (seed {}) in {:.1} s: {} teams, {} users, {} accounts, {} cases, \
                 {} timeline events, {} conversations, {} action items, {} commitments, {} lessons, \
                 {} follow-up plans, {} check-ins.",
                args.seed,
                report.elapsed.as_secs_f64(),
                c.teams,
                c.users,
                c.accounts,
                c.cases,
                c.events,
                c.conversations,
                c.action_items,
                c.commitments,
                c.lessons,
                c.follow_up_plans,
                c.check_ins
            );
            println!();
            println!("Demo users (password for all: {}):", demo::PASSWORD);
            println!("  {:<30} {:<16} {:<11} NAME", "E-MAIL", "ROLE", "TEAM");
            for user in &report.users {
                println!(
                    "  {:<30} {:<16} {:<11} {}",
                    user.email,
                    user.role,
                    user.team.unwrap_or("-"),
                    user.name
                );
            }
        }
    }
    Ok(())
}

async fn load_demo(database: &Database, options: DemoOptions) -> anyhow::Result<DemoResult> {
    database.migrate().await?;
    demo::load(&database.pool, options).await
}

/// Runs the command the CLI asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    use crate::config::{Command, SchedulerCommand, UserCommand};
    match &cli.command {
        None => serve(&cli.db, &cli.serve).await,
        Some(Command::Serve(args)) => serve(&cli.db, args).await,
        Some(Command::Migrate) => migrate(&cli.db).await,
        Some(Command::User {
            command: UserCommand::Create(args),
        }) => user_create(&cli.db, args).await,
        Some(Command::Demo(args)) => demo(&cli.db, args).await,
        Some(Command::Scheduler {
            command: SchedulerCommand::RunOnce(args),
        }) => scheduler_run_once(&cli.db, args).await,
        Some(Command::Backup { out }) => backup(&cli.db, out).await,
        Some(Command::Restore { file, force }) => restore(&cli.db, file, *force).await,
    }
}

/// `mend backup --out FILE`.
async fn backup(db_args: &DbArgs, out: &std::path::Path) -> anyhow::Result<()> {
    let database = Database::open(db_args, 2).await?;
    let result = crate::backup::backup(db_args, &database, out).await;
    database.close().await?;
    let bytes = result?;
    println!("Backed up to {} ({bytes} bytes).", out.display());
    Ok(())
}

/// `mend restore FILE [--force]`.
async fn restore(db_args: &DbArgs, file: &std::path::Path, force: bool) -> anyhow::Result<()> {
    let database = Database::open(db_args, 2).await?;
    let result = crate::backup::restore(db_args, &database, file, force).await;
    database.close().await?;
    result?;
    println!("Restored {}.", file.display());
    Ok(())
}

/// `mend scheduler run-once`: one pass, then a line saying what it did.
pub async fn scheduler_run_once(
    db_args: &DbArgs,
    args: &crate::config::RunOnceArgs,
) -> anyhow::Result<()> {
    let mail = &args.mail;
    let mailer = mail
        .smtp_url
        .as_deref()
        .map(|url| crate::mail::Mailer::new(url, &mail.mail_from))
        .transpose()?;
    let database = Database::open(db_args, 4).await?;
    let result = async {
        database.migrate().await?;
        let config = crate::scheduler::SchedulerConfig::new(&mail.public_url_or(args.addr));
        crate::scheduler::run_once(&database.pool, &config, mailer.as_ref(), chrono::Utc::now())
            .await
    }
    .await;
    database.close().await?;
    let report = result?;
    println!("{report}");
    Ok(())
}
