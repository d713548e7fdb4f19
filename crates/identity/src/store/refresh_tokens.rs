//! The refresh-token registry (DOMAIN §1.4): every issued refresh token, its family (one login's chain of
//! rotations) and whether and why it was revoked.

use crate::domain::tokens::{RevokedReason, StoredToken};
use crate::schema::refresh_tokens;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Registers an issued refresh token in `family_id`.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    jti: &str,
    user_id: Uuid,
    family_id: Uuid,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::new_v4()),
            refresh_tokens::jti.eq(jti),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::issued_at.eq(issued_at),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// id, jti, user_id, family_id, issued_at, expires_at, revoked_at, revoked_reason, replaced_by
type TokenRow = (
    Uuid,
    String,
    Uuid,
    Uuid,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

/// The token with this `jti`, locked for the rest of the transaction so two refreshes of one token
/// are decided one after the other.
pub async fn lock_by_jti(
    conn: &mut AsyncPgConnection,
    jti: &str,
) -> QueryResult<Option<StoredToken>> {
    let row: Option<TokenRow> = refresh_tokens::table
        .filter(refresh_tokens::jti.eq(jti))
        .select((
            refresh_tokens::id,
            refresh_tokens::jti,
            refresh_tokens::user_id,
            refresh_tokens::family_id,
            refresh_tokens::issued_at,
            refresh_tokens::expires_at,
            refresh_tokens::revoked_at,
            refresh_tokens::revoked_reason,
            refresh_tokens::replaced_by,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(
        |(id, jti, user_id, family_id, issued_at, expires_at, at, reason, replaced_by)| {
            StoredToken {
                id,
                jti,
                user_id,
                family_id,
                issued_at,
                expires_at,
                revoked: at.map(|at| (at, RevokedReason::parse(reason.as_deref().unwrap_or("")))),
                replaced_by,
            }
        },
    ))
}

/// The family of the token with this `jti`, read without a lock (to take the family's lock first).
pub async fn family_of(conn: &mut AsyncPgConnection, jti: &str) -> QueryResult<Option<Uuid>> {
    refresh_tokens::table
        .filter(refresh_tokens::jti.eq(jti))
        .select(refresh_tokens::family_id)
        .first(conn)
        .await
        .optional()
}

/// Holds the family's lock until the transaction ends: refreshes and revocations of one family
/// (one login's chain) take turns.
pub async fn lock_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> QueryResult<()> {
    // Raw SQL: advisory locks and `hashtextextended` are Postgres functions the query builder does not know.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .bind::<diesel::sql_types::Uuid, _>(family_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Rotation: the token is revoked and names `successor`, the `jti` of the token that replaces it.
pub async fn rotate(conn: &mut AsyncPgConnection, id: Uuid, successor: &str) -> QueryResult<()> {
    let now = Utc::now();
    diesel::update(refresh_tokens::table.find(id))
        .set((
            refresh_tokens::revoked_at.eq(now),
            refresh_tokens::revoked_reason.eq(RevokedReason::Rotated.as_str()),
            refresh_tokens::replaced_by.eq(successor),
            refresh_tokens::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Revokes one token for `reason`.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    reason: RevokedReason,
) -> QueryResult<()> {
    let now = Utc::now();
    diesel::update(refresh_tokens::table.find(id))
        .set((
            refresh_tokens::revoked_at.eq(now),
            refresh_tokens::revoked_reason.eq(reason.as_str()),
            refresh_tokens::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Reuse detected: every token of the family still alive is revoked.
pub async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> QueryResult<usize> {
    let now = Utc::now();
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set((
        refresh_tokens::revoked_at.eq(now),
        refresh_tokens::revoked_reason.eq(RevokedReason::Reuse.as_str()),
        refresh_tokens::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// A deactivated user: every token of theirs still alive is revoked, as at logout.
pub async fn revoke_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    let now = Utc::now();
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set((
        refresh_tokens::revoked_at.eq(now),
        refresh_tokens::revoked_reason.eq(RevokedReason::Logout.as_str()),
        refresh_tokens::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// Removes tokens past their expiry (CONFIG §3: daily clean-up).
pub async fn delete_expired(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(Utc::now())))
        .execute(conn)
        .await
}
