//! PostgreSQL through diesel-async with a deadpool pool, and embedded migrations (ARCHITECTURE §8).

use diesel::migration::{Migration, MigrationSource};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Untyped;
use diesel::{Connection, QueryResult};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::AsyncPgConnection;
pub use diesel_migrations::EmbeddedMigrations;
use diesel_migrations::MigrationHarness;
use std::time::Duration;

pub use diesel_migrations::embed_migrations;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// The tables of the event bus (outbox, inbox) that every service database carries.
pub const PLATFORM_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database pool: {0}")]
    Pool(String),
    #[error("migrations: {0}")]
    Migrations(String),
}

/// A pool that waits at most a few seconds for a connection, so an outage turns into errors the
/// handlers can answer rather than requests that hang.
///
/// A connection is never handed out broken: one whose transaction state is broken is dropped, and
/// every other is asked a `SELECT 1` first (diesel-async's default, `RecyclingMethod::Verified`; a
/// check slower than the recycle timeout drops the connection too). Only that round trip tells a
/// connection whose server process was just terminated (a restart, a failover, `pg_terminate_backend`)
/// from a live one: the client learns of the closed socket only once the server has exited, which a
/// loaded machine can delay past the next checkout. Issue #20 skipped the check for a connection used
/// within the last second (HikariCP's bypass window); the e2e journey
/// `dropped_postgres_connections_are_replaced_by_the_pools` then got a 500, so every checkout pays it.
pub fn pool(database_url: &str, max_size: usize) -> Result<DbPool, DbError> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Verified;
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))
}

/// A statement that each connection prepares once and then reuses, keyed by its text and bind types:
/// one round trip per run instead of two. diesel caches neither a raw `diesel::sql_query` (a text built
/// from input would grow the cache without bound) nor a filter `eq_any` (a list per value on other
/// databases; `= ANY($n)` here), so every run of those first parses, plans and describes them; wrap
/// only a statement whose text is a constant.
#[derive(Debug, Clone)]
pub struct Prepared<Q>(pub Q);

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    // No type-level id: the cache key is the text and the bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> Query for Prepared<Q> {
    type SqlType = Untyped;
}

/// Applies the platform's pending migrations (the event bus), then those of `sets` in order (a
/// service's: [`crate::service::ServiceInfo::migration_sets`]). The number applied. Runs on a blocking
/// thread because diesel's migration harness is synchronous.
pub async fn migrate(
    database_url: &str,
    sets: Vec<&'static EmbeddedMigrations>,
) -> Result<usize, DbError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| DbError::Migrations(e.to_string()))?;
        let mut applied = 0;
        for set in std::iter::once(&PLATFORM_MIGRATIONS).chain(sets) {
            applied += conn
                .run_pending_migrations(Borrowed(set))
                .map_err(|e| DbError::Migrations(e.to_string()))?
                .len();
        }
        Ok(applied)
    })
    .await
    .map_err(|e| DbError::Migrations(e.to_string()))?
}

/// A `'static` set of embedded migrations as a source (diesel takes sources by value).
struct Borrowed(&'static EmbeddedMigrations);

impl MigrationSource<Pg> for Borrowed {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<Pg>>>> {
        MigrationSource::<Pg>::migrations(self.0)
    }
}

/// Creates the database named in `database_url` if it does not exist (development convenience for
/// `migrate`; production databases are provisioned by the platform team).
pub async fn ensure_database(database_url: &str) -> Result<(), DbError> {
    let (admin_url, name) = split_database(database_url)
        .ok_or_else(|| DbError::Migrations(format!("no database name in {database_url}")))?;
    let (client, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?;
    let driver = tokio::spawn(connection);
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?
        .is_some();
    if !exists {
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', ""));
        if let Err(e) = client.batch_execute(&sql).await {
            // Another replica may have created it in the meantime.
            if e.code() != Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) {
                return Err(DbError::Pool(e.to_string()));
            }
        }
    }
    drop(client);
    let _ = driver.await;
    Ok(())
}

/// `postgres://u@h:p/db?x` → (`postgres://u@h:p/postgres?x`, `db`).
pub fn split_database(url: &str) -> Option<(String, String)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let slash = base.rfind('/')?;
    if slash < "postgres://".len() {
        return None;
    }
    let name = base[slash + 1..].to_owned();
    let mut admin = format!("{}/postgres", &base[..slash]);
    if let Some(q) = query {
        admin.push('?');
        admin.push_str(q);
    }
    (!name.is_empty()).then_some((admin, name))
}

#[cfg(test)]
mod tests {
    use super::split_database;

    #[test]
    fn splits_the_database_name_off() {
        assert_eq!(
            split_database("postgres://postgres@127.0.0.1:5432/hm_identity"),
            Some((
                "postgres://postgres@127.0.0.1:5432/postgres".into(),
                "hm_identity".into()
            ))
        );
        assert_eq!(split_database("postgres://h"), None);
    }
}

/// The row of a `SELECT count(*) AS n …`.
#[derive(Debug, Clone, Copy, diesel::QueryableByName)]
pub struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}
