//! Sessions (DOMAIN §1.4): sign-in, rotation and logout over the refresh-token registry. Each function
//! owns its transaction and appends its events to the outbox inside it.

use super::{outbox, refresh_tokens, users};
use crate::config::TokenSettings;
use crate::domain::tokens::{RevokedReason, Standing, StoredToken};
use crate::domain::user::User;
use crate::error::{IdentityError, Result};
use crate::signing::{self, Issued};
use chrono::Utc;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::Role;
use uuid::Uuid;

/// How many successors a duplicate refresh follows to the family's live token (each rotated within the
/// grace window): a phone's burst, never an unbounded walk.
const MAX_SUCCESSORS_FOLLOWED: usize = 8;

/// Signs a pair for `user_id` and records the refresh token in `family_id` (a new login starts one).
pub async fn issue(
    conn: &mut AsyncPgConnection,
    settings: &TokenSettings,
    user_id: Uuid,
    role: Role,
    family_id: Uuid,
) -> Result<Issued> {
    let pair = signing::pair(settings, user_id, role)?;
    refresh_tokens::insert(
        conn,
        &pair.issued.refresh_jti,
        user_id,
        family_id,
        pair.issued_at,
        pair.expires_at,
    )
    .await?;
    Ok(pair.issued)
}

/// A phone sign-in: the user, whether this sign-in created them, and their first pair.
pub struct PhoneLogin {
    pub user: User,
    pub is_new_user: bool,
    pub issued: Issued,
}

/// Signs in the owner of a verified `phone`, creating the user (with `role`) on first login, announced
/// with `identity.user.registered`; a disabled account is refused with [`IdentityError::AccountDisabled`].
pub async fn sign_in_by_phone(
    conn: &mut AsyncPgConnection,
    settings: &TokenSettings,
    phone: &str,
    role: Role,
    correlation: Option<String>,
) -> Result<PhoneLogin> {
    conn.transaction::<_, IdentityError, _>(|conn| {
        async move {
            let (user, created) = users::get_or_create_by_phone(
                conn,
                users::NewPhoneUser {
                    phone,
                    role,
                    first_name: "",
                    last_name: "",
                    language_preference: "en",
                    is_phone_verified: true,
                    password_hash: "",
                },
            )
            .await?;
            if !user.is_active {
                return Err(IdentityError::AccountDisabled);
            }
            let user = if !user.is_phone_verified {
                users::mark_phone_verified(conn, user.id).await?;
                User {
                    is_phone_verified: true,
                    ..user
                }
            } else {
                user
            };
            if created {
                hm_platform::events::enqueue(conn, outbox::user_registered(&user, correlation))
                    .await?;
            }
            let issued = issue(conn, settings, user.id, user.role, Uuid::new_v4()).await?;
            Ok(PhoneLogin {
                user,
                is_new_user: created,
                issued,
            })
        }
        .scope_boxed()
    })
    .await
}

/// What a refresh came to; decided inside the transaction, which commits in every case (a reuse's
/// revocation must stay).
enum Refreshed {
    Issued(Issued),
    ReuseDetected { user_id: Uuid },
    Revoked,
    NoAccount,
}

/// Rotates the refresh token `jti`: a new pair, the presented token revoked. A duplicate of a rotation
/// that just happened gets the family's live pair again; a rotated token presented after the grace
/// window revokes its whole family ([`IdentityError::RefreshTokenReused`]).
pub async fn refresh(
    conn: &mut AsyncPgConnection,
    settings: &TokenSettings,
    jti: &str,
) -> Result<Issued> {
    let grace = chrono::Duration::from_std(settings.reuse_grace).unwrap_or_default();
    let outcome = conn
        .transaction::<_, IdentityError, _>(|conn| {
            async move {
                // Every refresh and every revocation of a family takes the family's lock first, so
                // they take turns: a rotation cannot slip a new token past the family's revocation.
                let Some(family) = refresh_tokens::family_of(conn, jti).await? else {
                    return Ok(Refreshed::Revoked);
                };
                refresh_tokens::lock_family(conn, family).await?;
                let Some(token) = refresh_tokens::lock_by_jti(conn, jti).await? else {
                    return Ok(Refreshed::Revoked);
                };
                rotate(conn, settings, token, grace).await
            }
            .scope_boxed()
        })
        .await?;
    match outcome {
        Refreshed::Issued(pair) => Ok(pair),
        Refreshed::ReuseDetected { user_id } => {
            tracing::warn!(%user_id, "refresh token reuse: family revoked");
            Err(IdentityError::RefreshTokenReused)
        }
        Refreshed::Revoked => Err(IdentityError::TokenBlacklisted),
        Refreshed::NoAccount => Err(IdentityError::NoActiveAccount),
    }
}

/// The decision for a locked token of a locked family.
async fn rotate(
    conn: &mut AsyncPgConnection,
    settings: &TokenSettings,
    token: StoredToken,
    grace: chrono::Duration,
) -> Result<Refreshed> {
    match token.standing(Utc::now(), grace) {
        Standing::Live => {
            let Some(user) = active_user(conn, token.user_id).await? else {
                return Ok(Refreshed::NoAccount);
            };
            let issued = issue(conn, settings, user.id, user.role, token.family_id).await?;
            refresh_tokens::rotate(conn, token.id, &issued.refresh_jti).await?;
            Ok(Refreshed::Issued(issued))
        }
        // A duplicate of a refresh that just rotated this token (requests racing from one phone): the
        // family's live token, reached through successors each rotated within the window, so the
        // family keeps one chain; past that, refused quietly.
        Standing::JustRotated(successor) => follow(conn, settings, successor, grace).await,
        // Reuse of a rotated token after the grace window: a stolen copy; the whole family is revoked.
        Standing::Reused => {
            refresh_tokens::revoke_family(conn, token.family_id).await?;
            Ok(Refreshed::ReuseDetected {
                user_id: token.user_id,
            })
        }
        Standing::Revoked => Ok(Refreshed::Revoked),
    }
}

/// Follows successors from `next` to the family's live token and signs its pair again.
async fn follow(
    conn: &mut AsyncPgConnection,
    settings: &TokenSettings,
    mut next: String,
    grace: chrono::Duration,
) -> Result<Refreshed> {
    for _ in 0..MAX_SUCCESSORS_FOLLOWED {
        let Some(t) = refresh_tokens::lock_by_jti(conn, &next).await? else {
            break;
        };
        match t.standing(Utc::now(), grace) {
            Standing::Live => {
                let Some(user) = active_user(conn, t.user_id).await? else {
                    return Ok(Refreshed::NoAccount);
                };
                return Ok(Refreshed::Issued(signing::again(settings, &t, user.role)?));
            }
            Standing::JustRotated(s) => next = s,
            Standing::Reused | Standing::Revoked => break,
        }
    }
    Ok(Refreshed::Revoked)
}

async fn active_user(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<User>> {
    Ok(users::by_id(conn, id).await?.filter(|u| u.is_active))
}

/// Logout: revokes the live refresh token `jti`; one that is unknown or already revoked is refused
/// ([`IdentityError::LogoutRefused`]).
pub async fn log_out(conn: &mut AsyncPgConnection, jti: &str) -> Result<()> {
    let revoked = conn
        .transaction::<_, IdentityError, _>(|conn| {
            async move {
                match refresh_tokens::lock_by_jti(conn, jti).await? {
                    Some(t) if t.revoked.is_none() => {
                        refresh_tokens::revoke(conn, t.id, RevokedReason::Logout).await?;
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            }
            .scope_boxed()
        })
        .await?;
    if revoked {
        Ok(())
    } else {
        Err(IdentityError::LogoutRefused)
    }
}
