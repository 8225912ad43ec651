//! Opening the database: `DATABASE_URL` when given, otherwise the embedded cluster in the data
//! folder (started, or joined when a server already runs on it).

use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use crate::config::DbArgs;
use crate::db;
use crate::pg::{Cluster, Locator};

/// The name of Mend's database in the embedded cluster.
pub const DATABASE: &str = "mend";

/// An open database, and the embedded cluster behind it if there is one.
pub struct Database {
    pub pool: PgPool,
    /// Shared with the supervisor (`supervise`) while a server runs.
    cluster: Option<Arc<Cluster>>,
}

impl Database {
    /// Connects (starting the embedded cluster if needed); does not migrate.
    pub async fn open(args: &DbArgs, max_connections: u32) -> anyhow::Result<Database> {
        Database::open_with_timeout(args, max_connections, None).await
    }

    /// Like `open`, with statements cancelled after `statement_timeout` (migrations excepted).
    pub async fn open_with_timeout(
        args: &DbArgs,
        max_connections: u32,
        statement_timeout: Option<std::time::Duration>,
    ) -> anyhow::Result<Database> {
        match &args.database_url {
            Some(url) => {
                let options = PgConnectOptions::from_str(url)
                    .context("DATABASE_URL is not a valid PostgreSQL URL")?;
                let pool = db::pool_with_timeout(options, max_connections, statement_timeout);
                Ok(Database {
                    pool,
                    cluster: None,
                })
            }
            None => {
                let dir = args.data_dir.clone();
                let cluster =
                    tokio::task::spawn_blocking(move || Cluster::open(&dir, &Locator::default()))
                        .await??;
                let database = Database {
                    pool: db::pool_with_timeout(
                        cluster.connect_options(DATABASE),
                        max_connections,
                        statement_timeout,
                    ),
                    cluster: None,
                };
                if let Err(e) = cluster.ensure_database(DATABASE).await {
                    let _ = tokio::task::spawn_blocking(move || cluster.leave()).await;
                    return Err(e).context("creating Mend's database in the embedded cluster");
                }
                Ok(Database {
                    cluster: Some(Arc::new(cluster)),
                    ..database
                })
            }
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        // On a connection of its own without the statement limit: a migration over a large
        // table may take longer than any page should; the connection is not returned to the pool.
        let mut conn = self
            .pool
            .acquire()
            .await
            .context("connecting to the database")?
            .detach();
        sqlx::query("set statement_timeout = 0")
            .execute(&mut conn)
            .await
            .context("connecting to the database")?;
        let result = db::MIGRATOR
            .run(&mut conn)
            .await
            .context("applying database migrations");
        let _ = sqlx::Connection::close(conn).await;
        result
    }

    /// The embedded cluster's socket folder, user and database, for PostgreSQL's client programs.
    pub fn embedded_socket(&self) -> Option<(std::path::PathBuf, String, String)> {
        let cluster = self.cluster.as_ref()?;
        let options = cluster.connect_options(DATABASE);
        let socket = options.get_socket()?.clone();
        Some((
            socket,
            options.get_username().to_string(),
            DATABASE.to_string(),
        ))
    }

    /// For the embedded cluster, a task that starts PostgreSQL again if it stops while Mend
    /// runs (`pg::supervise`), until `stop` turns true; none with `DATABASE_URL`, whose server
    /// is someone else's to run (the pool reconnects when it is back).
    pub fn supervise(
        &self,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let cluster = self.cluster.clone()?;
        Some(tokio::spawn(crate::pg::supervise(cluster, stop)))
    }

    /// Closes the pool, then leaves the embedded cluster (stopping it if nobody else uses it).
    /// The supervisor must have finished. A connection still busy after a few seconds (a
    /// statement abandoned at shutdown, waiting on a lock) is not waited for: stopping the
    /// cluster ends it, and with `DATABASE_URL` the server ends it when Mend exits.
    pub async fn close(self) -> anyhow::Result<()> {
        if tokio::time::timeout(std::time::Duration::from_secs(3), self.pool.close())
            .await
            .is_err()
        {
            tracing::warn!("database connections still busy after 3 s; closing without them");
        }
        if let Some(cluster) = self.cluster {
            let cluster = Arc::try_unwrap(cluster)
                .map_err(|_| anyhow::anyhow!("the PostgreSQL supervisor still runs"))?;
            tokio::task::spawn_blocking(move || cluster.leave()).await??;
        }
        Ok(())
    }
}
