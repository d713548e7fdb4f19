//! The back office's read side (issue #9), the same in every service: a listing names its rows (a SQL
//! select), the columns `search` looks in and the exact-match filters it takes; [`list`] answers
//! `?search=&<filter>=&page=&page_size=` with `{"count", "next", "previous", "results"}` (page size 20,
//! at most 100), newest first, and [`one`] a single row. Rows are JSON built by Postgres (`to_jsonb`),
//! read into the listing's `Row` type, which documents them: a column the type does not name, or a
//! type that does not fit, is a 500 the service's tests meet, never a silently different answer.

use crate::db::DbPool;
use crate::error::FieldErrors;
use crate::input::query_params;
use crate::paging::{classic_body, classic_page, page_size, LinkedPage};
use crate::reply::Reply;
use crate::service::ServiceError;
use crate::ApiError;
use actix_web::HttpRequest;
use diesel::sql_types::{BigInt, Jsonb, Text};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::marker::PhantomData;

/// One exact-match filter: `?{param}=value` compares `{column}::text` with it.
pub struct Filter {
    pub param: &'static str,
    pub column: &'static str,
    /// The values allowed (others are a 400 field error); `None` takes any.
    pub choices: Option<&'static [&'static str]>,
}

pub const BOOL: Option<&[&str]> = Some(&["true", "false"]);

/// What an admin list shows and how it can be narrowed; its rows are `Row`s (a struct deriving
/// `Deserialize`, `Serialize` and `Apiv2Schema` with `#[serde(deny_unknown_fields)]`, one field per column).
pub struct Listing<Row> {
    /// `SELECT … FROM … [JOIN …]` producing the row's columns; the row is `to_jsonb` of them.
    pub select: &'static str,
    /// The row's id column, for [`one`].
    pub id: &'static str,
    /// Columns `search` matches (case-insensitive substring).
    pub search: &'static [&'static str],
    pub filters: &'static [Filter],
    /// `ORDER BY` clause (newest first, with a tie-breaker).
    pub order: &'static str,
    pub row: PhantomData<fn() -> Row>,
}

/// The typed row of `listing` read from the JSON Postgres built.
fn typed<Row: DeserializeOwned>(row: Value) -> Result<Row, ServiceError> {
    serde_json::from_value(row)
        .map_err(|e| ApiError::internal(format!("an admin row does not fit its type: {e}")).into())
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Jsonb)]
    row: Value,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const MAX_PAGE_SIZE: i64 = 100;

fn like(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The query's conditions and their bound values (`$1`, `$2`, …).
fn conditions<Row>(
    listing: &Listing<Row>,
    query: &HashMap<String, String>,
) -> Result<(String, Vec<String>), ApiError> {
    let mut clauses = vec!["true".to_owned()];
    let mut values = Vec::new();
    if let Some(term) = query
        .get("search")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        if term.chars().count() > 100 {
            return Err(ApiError::fields(FieldErrors::single(
                "search",
                "Ensure this field has no more than 100 characters.",
            )));
        }
        values.push(like(term));
        let n = values.len();
        let any: Vec<String> = listing
            .search
            .iter()
            .map(|c| format!("{c}::text ILIKE ${n}"))
            .collect();
        clauses.push(format!("({})", any.join(" OR ")));
    }
    let mut errors = FieldErrors::default();
    for f in listing.filters {
        let Some(value) = query
            .get(f.param)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        if let Some(choices) = f.choices {
            if !choices.contains(&value) {
                errors.add(
                    f.param,
                    format!("Select a valid choice. {value} is not one of the available choices."),
                );
                continue;
            }
        }
        values.push(value.to_owned());
        clauses.push(format!("{}::text = ${}", f.column, values.len()));
    }
    if errors.is_empty() {
        Ok((clauses.join(" AND "), values))
    } else {
        Err(ApiError::fields(errors))
    }
}

/// One page of `listing` as the request's query narrows it.
pub async fn list<Row: DeserializeOwned>(
    conn: &mut AsyncPgConnection,
    req: &HttpRequest,
    listing: &Listing<Row>,
) -> Result<LinkedPage<Row>, ServiceError> {
    let query = query_params(req)?;
    let (filter, values) = conditions(listing, &query)?;
    let size = page_size(
        query.get("page_size").map(String::as_str),
        20,
        MAX_PAGE_SIZE,
    );
    let inner = format!("{} WHERE {filter}", listing.select);
    // Raw SQL: a listing is a declared SELECT of any service's tables, narrowed by bound conditions.
    let mut count =
        diesel::sql_query(format!("SELECT count(*) AS n FROM ({inner}) t")).into_boxed();
    for v in &values {
        count = count.bind::<Text, _>(v.clone());
    }
    let total = count.get_result::<Counted>(conn).await?.n;
    let page = classic_page(query.get("page").map(String::as_str), total, size)?;
    let n = values.len();
    let mut rows = diesel::sql_query(format!(
        "SELECT to_jsonb(t) AS row FROM ({inner} ORDER BY {} LIMIT ${} OFFSET ${}) t",
        listing.order,
        n + 1,
        n + 2
    ))
    .into_boxed();
    for v in &values {
        rows = rows.bind::<Text, _>(v.clone());
    }
    let rows = rows
        .bind::<BigInt, _>(size)
        .bind::<BigInt, _>((page - 1) * size)
        .load::<JsonRow>(conn)
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| typed(r.row))
        .collect::<Result<_, _>>()?;
    Ok(classic_body(req, page, size, total, rows))
}

/// [`list`] as a 200 answer, on a connection of `pool`: the whole of a list endpoint.
pub async fn list_answer<Row: DeserializeOwned + Serialize>(
    pool: &DbPool,
    req: &HttpRequest,
    listing: &Listing<Row>,
) -> Result<Reply<LinkedPage<Row>>, ServiceError> {
    let mut conn = pool.get().await?;
    Ok(Reply::json(list(&mut conn, req, listing).await?))
}

/// Writes back-office list endpoints: each is `GET` of a [`Listing`] of its rows as a [`LinkedPage`]
/// (`?search=&<filter>=&page=&page_size=`), admins only, answered by [`list_answer`] on the service's
/// `crate::AppState::db`, failing with `crate::error::Result` as every handler of the service does. The
/// doc comment is the operation's description in the OpenAPI document.
///
/// ```ignore
/// hm_platform::admin_lists! {
///     /// Jobs: `search` (title, location, poster phone, service), `status`.
///     jobs => JobRow, backoffice::JOBS;
/// }
/// ```
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate::` is the service's: its AppState and its Result.
macro_rules! admin_lists {
    ($($(#[$doc:meta])* $name:ident => $row:ty, $listing:expr;)+) => {$(
        $(#[$doc])*
        #[paperclip::actix::api_v2_operation(tags(Admin))]
        pub async fn $name(
            req: actix_web::HttpRequest,
            state: paperclip::actix::web::Data<crate::AppState>,
            _admin: $crate::auth::AdminUser,
        ) -> crate::error::Result<$crate::reply::Reply<$crate::paging::LinkedPage<$row>>> {
            Ok($crate::admin::list_answer(&state.db, &req, &$listing).await?)
        }
    )+};
}

/// The row of `listing` with this id (`None`: no such row, or not an id).
pub async fn one<Row: DeserializeOwned>(
    conn: &mut AsyncPgConnection,
    listing: &Listing<Row>,
    id: &str,
) -> Result<Option<Row>, ServiceError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Ok(None);
    }
    // Raw SQL: the listing's declared SELECT, as in `list`.
    let row = diesel::sql_query(format!(
        "SELECT to_jsonb(t) AS row FROM ({} WHERE {}::text = $1) t",
        listing.select, listing.id
    ))
    .bind::<Text, _>(id)
    .get_result::<JsonRow>(conn)
    .await
    .optional()?;
    row.map(|r| typed(r.row)).transpose()
}

/// One JSON document computed by `sql` (`SELECT jsonb_build_object(…) AS row`: a service's stats), read
/// into `T`, with the session in the platform's time zone (`TIME_ZONE`), so `date_trunc('day', now())`
/// is the start of today where the staff are.
pub async fn document<T: DeserializeOwned>(
    conn: &mut AsyncPgConnection,
    sql: &str,
) -> Result<T, ServiceError> {
    use diesel_async::scoped_futures::ScopedFutureExt;
    use diesel_async::AsyncConnection;
    let sql = sql.to_owned();
    let zone = crate::time::zone().name().to_owned();
    let doc = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                // Raw SQL: a session setting and a service's jsonb_build_object document.
                diesel::sql_query("SELECT set_config('TimeZone', $1, true)")
                    .bind::<Text, _>(zone)
                    .execute(conn)
                    .await?;
                Ok(diesel::sql_query(sql)
                    .get_result::<JsonRow>(conn)
                    .await?
                    .row)
            }
            .scope_boxed()
        })
        .await?;
    typed(doc)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const THINGS: Listing<Value> = Listing {
        select: "SELECT id, name, status FROM things",
        id: "id",
        search: &["name", "phone"],
        filters: &[
            Filter {
                param: "status",
                column: "status",
                choices: Some(&["open", "closed"]),
            },
            Filter {
                param: "owner",
                column: "owner_id",
                choices: None,
            },
        ],
        order: "created_at DESC",
        row: PhantomData,
    };

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn search_and_filters_become_bound_conditions() {
        let (sql, values) = conditions(
            &THINGS,
            &query(&[("search", "50%_off"), ("status", "open")]),
        )
        .unwrap();
        assert_eq!(
            sql,
            "true AND (name::text ILIKE $1 OR phone::text ILIKE $1) AND status::text = $2"
        );
        assert_eq!(values, vec!["%50\\%\\_off%".to_owned(), "open".to_owned()]);
        let (sql, values) = conditions(&THINGS, &query(&[("owner", " 42 "), ("x", "y")])).unwrap();
        assert_eq!(
            (sql.as_str(), values),
            ("true AND owner_id::text = $1", vec!["42".to_owned()])
        );
    }

    #[test]
    fn a_value_outside_the_choices_is_a_field_error() {
        let err = conditions(&THINGS, &query(&[("status", "'; DROP TABLE things")])).unwrap_err();
        assert_eq!(err.status(), actix_web::http::StatusCode::BAD_REQUEST);
        assert!(err.json_body().unwrap()["status"].is_array());
    }
}
