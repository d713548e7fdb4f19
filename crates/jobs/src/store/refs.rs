//! Workforce's worker and contractor profiles as jobs knows them (whose profile is it), fed by
//! `workforce.worker.*` and `workforce.contractor.*`. Users and services: `hm_platform::projections`.

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Which profile table a reference lives in.
#[derive(Debug, Clone, Copy)]
pub enum Profile {
    Worker,
    Contractor,
}

impl Profile {
    fn table(self) -> &'static str {
        match self {
            Profile::Worker => "worker_refs",
            Profile::Contractor => "contractor_refs",
        }
    }
}

/// Whose profile it is; a worker's also as workforce shows it (kept when an event carries none).
pub async fn upsert_profile(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    id: Uuid,
    user: Uuid,
    profile: Option<&serde_json::Value>,
) -> QueryResult<()> {
    match kind {
        Profile::Worker => {
            diesel::sql_query(
                "INSERT INTO worker_refs (id, user_id, profile) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id,
                 profile = coalesce(excluded.profile, worker_refs.profile), updated_at = now()",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<SqlUuid, _>(user)
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Jsonb>, _>(profile)
            .execute(conn)
            .await
        }
        Profile::Contractor => {
            diesel::sql_query(
                "INSERT INTO contractor_refs (id, user_id) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, updated_at = now()",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<SqlUuid, _>(user)
            .execute(conn)
            .await
        }
    }
    .map(|_| ())
}

pub async fn delete_profile(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    id: Uuid,
) -> QueryResult<()> {
    diesel::sql_query(format!("DELETE FROM {} WHERE id = $1", kind.table()))
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Debug, Clone, QueryableByName)]
pub struct ProfileOf {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    /// The user's full name, else phone (empty while identity's user is unknown here).
    #[diesel(sql_type = Text)]
    pub name: String,
}

const PROFILE: &str =
    "SELECT p.id, p.user_id, coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS name
    FROM {t} p LEFT JOIN user_refs u ON u.id = p.user_id";

/// The user's profile of that kind, if they have one.
pub async fn profile_of_user(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    user: Uuid,
) -> QueryResult<Option<ProfileOf>> {
    diesel::sql_query(format!(
        "{} WHERE p.user_id = $1",
        PROFILE.replace("{t}", kind.table())
    ))
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await
    .optional()
}

/// The profile with this id, if it exists.
pub async fn profile(
    conn: &mut AsyncPgConnection,
    kind: Profile,
    id: Uuid,
) -> QueryResult<Option<ProfileOf>> {
    diesel::sql_query(format!(
        "{} WHERE p.id = $1",
        PROFILE.replace("{t}", kind.table())
    ))
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()
}

/// The active service with this id, if catalog has announced it.
pub async fn active_service(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM service_refs WHERE id = $1 AND is_active) AS found",
    )
    .bind::<SqlUuid, _>(id)
    .get_result::<Found>(conn)
    .await
    .map(|f| f.found)
}

/// How a user is shown (full name, else phone; empty while identity's user is unknown here).
pub async fn display_name(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    diesel::sql_query(
        "SELECT coalesce((SELECT person_name(first_name, last_name, phone) FROM user_refs WHERE id = $1), '')
             AS name",
    )
    .bind::<SqlUuid, _>(user)
    .get_result::<Name>(conn)
    .await
    .map(|n| n.name)
}
