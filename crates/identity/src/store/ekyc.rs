//! eKYC on the users table (DOMAIN §1.1, §1.5): the sealed last four Aadhaar digits with the id of their
//! key, and `ekyc_status`. A change of status is announced (`identity.user.updated`) in the transaction
//! that makes it. Only sealed bytes ever reach the database (`crate::ekyc`).

use super::users;
use crate::domain::ekyc::after_upload;
use crate::domain::user::User;
use crate::ekyc::{Keyring, Sealed};
use crate::error::{IdentityError, Result};
use crate::schema::users as table;
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::EkycStatus;
use uuid::Uuid;

/// How many values `reencrypt` rewrites in one transaction.
pub const REENCRYPT_BATCH: i64 = 500;

fn sealed(bytes: Option<Vec<u8>>, key_id: Option<String>) -> Option<Sealed> {
    Some(Sealed {
        bytes: bytes?,
        key_id: key_id?,
    })
}

/// User `id` and the value stored for them, if any; `None` when there is no such user.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(User, Option<Sealed>)>> {
    let Some(user) = users::by_id(conn, id).await? else {
        return Ok(None);
    };
    let (bytes, key_id) = table::table
        .find(id)
        .select((table::aadhaar_last4_encrypted, table::aadhaar_key_id))
        .first::<(Option<Vec<u8>>, Option<String>)>(conn)
        .await?;
    Ok(Some((user, sealed(bytes, key_id))))
}

/// Stores `value` (sealed for user `id`) in place of any earlier one and sets `ekyc_status` to what an
/// upload leads to (`ocr_scanned`, [`after_upload`]); when the status changed, `identity.user.updated`
/// goes to the outbox in the same transaction. The user as stored; [`IdentityError::NoSuchUser`] when
/// there is no such user.
pub async fn record_upload(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    value: &Sealed,
    correlation: Option<String>,
) -> Result<User> {
    conn.transaction::<_, IdentityError, _>(|conn| {
        async move {
            let before: String = table::table
                .find(id)
                .select(table::ekyc_status)
                .for_update()
                .first(conn)
                .await
                .optional()?
                .ok_or(IdentityError::NoSuchUser)?;
            let before: EkycStatus = before.parse().unwrap_or_default();
            let after = after_upload(before);
            diesel::update(table::table.find(id))
                .set((
                    table::aadhaar_last4_encrypted.eq(&value.bytes),
                    table::aadhaar_key_id.eq(&value.key_id),
                    table::ekyc_status.eq(after.as_str()),
                    table::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
            let user = users::by_id(conn, id)
                .await?
                .ok_or(IdentityError::NoSuchUser)?;
            if before != after {
                hm_platform::events::enqueue(conn, super::outbox::user_updated(&user, correlation))
                    .await?;
            }
            Ok(user)
        }
        .scope_boxed()
    })
    .await
}

/// What `reencrypt` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reencrypted {
    /// Values moved to the current key.
    pub rewritten: u64,
    /// Values under a key other than the current one that no key of the ring opens (a key that was
    /// dropped too early, or changed bytes): left as they are, shown as `XXXX-****`.
    pub unreadable: u64,
}

/// Rewrites every value sealed under a key other than `keyring`'s current one with the current key
/// (key rotation, `hm-identity reencrypt-ekyc`), [`REENCRYPT_BATCH`] rows per transaction, in id order,
/// rows locked while rewritten. Idempotent: a second run finds nothing left to do.
pub async fn reencrypt(conn: &mut AsyncPgConnection, keyring: &Keyring) -> Result<Reencrypted> {
    let mut done = Reencrypted::default();
    let mut after = Uuid::nil();
    loop {
        let (batch, last) = reencrypt_batch(conn, keyring, after).await?;
        done.rewritten += batch.rewritten;
        done.unreadable += batch.unreadable;
        match last {
            Some(id) => after = id,
            None => return Ok(done),
        }
    }
}

/// One batch of [`reencrypt`]: the values after id `after`; what it did and the last id it saw (`None`
/// when there were none left).
async fn reencrypt_batch(
    conn: &mut AsyncPgConnection,
    keyring: &Keyring,
    after: Uuid,
) -> Result<(Reencrypted, Option<Uuid>)> {
    let current = keyring.current_id().to_owned();
    conn.transaction::<_, IdentityError, _>(|conn| {
        async move {
            let rows: Vec<(Uuid, Option<Vec<u8>>, Option<String>)> = table::table
                .filter(table::aadhaar_key_id.is_not_null())
                .filter(table::aadhaar_key_id.ne(&current))
                .filter(table::id.gt(after))
                .order(table::id)
                .limit(REENCRYPT_BATCH)
                .select((
                    table::id,
                    table::aadhaar_last4_encrypted,
                    table::aadhaar_key_id,
                ))
                .for_update()
                .load(conn)
                .await?;
            let mut done = Reencrypted::default();
            let last = rows.last().map(|(id, _, _)| *id);
            for (id, bytes, key_id) in rows {
                let Some(old) = sealed(bytes, key_id) else {
                    continue;
                };
                let Some(digits) = keyring.open(id, &old) else {
                    done.unreadable += 1;
                    continue;
                };
                let new = keyring.seal(id, &digits)?;
                diesel::update(table::table.find(id))
                    .set((
                        table::aadhaar_last4_encrypted.eq(&new.bytes),
                        table::aadhaar_key_id.eq(&new.key_id),
                        table::updated_at.eq(diesel::dsl::now),
                    ))
                    .execute(conn)
                    .await?;
                done.rewritten += 1;
            }
            Ok((done, last))
        }
        .scope_boxed()
    })
    .await
}
