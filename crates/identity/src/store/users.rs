//! Users: look-ups, phone sign-ups, admin accounts, the profile projection and the back office's changes.

use crate::domain::user::{parse_role, User};
use crate::error::{IdentityError, Result};
use crate::schema::users;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::Role;
use uuid::Uuid;

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: Uuid,
    phone: Option<String>,
    role: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    language_preference: String,
    is_phone_verified: bool,
    is_active: bool,
    is_staff: bool,
    has_worker_profile: bool,
    has_contractor_profile: bool,
    ekyc_status: String,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            phone: r.phone,
            role: parse_role(&r.role),
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            language_preference: r.language_preference,
            is_phone_verified: r.is_phone_verified,
            is_active: r.is_active,
            is_staff: r.is_staff,
            has_worker_profile: r.has_worker_profile,
            has_contractor_profile: r.has_contractor_profile,
            // The database allows only the three names (CHECK).
            ekyc_status: r.ekyc_status.parse().unwrap_or_default(),
            created_at: r.created_at,
        }
    }
}

/// The user with this id.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|r| r.map(User::from))
}

/// The user with this phone.
pub async fn by_phone(conn: &mut AsyncPgConnection, phone: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::phone.eq(phone))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|r| r.map(User::from))
}

/// Whether a user has this phone.
pub async fn phone_exists(conn: &mut AsyncPgConnection, phone: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::phone.eq(phone)),
    ))
    .get_result(conn)
    .await
}

/// The admin account with this email (stored lower-cased) and its password hash.
pub async fn admin_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<(User, String)>> {
    users::table
        .filter(users::email.eq(email.to_lowercase()))
        .filter(users::is_staff.eq(true))
        .select((UserRow::as_select(), users::password))
        .first(conn)
        .await
        .optional()
        .map(|r| r.map(|(u, p)| (User::from(u), p)))
}

/// A user signing up with a phone (or seeded).
pub struct NewPhoneUser<'a> {
    pub phone: &'a str,
    pub role: Role,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub language_preference: &'a str,
    pub is_phone_verified: bool,
    pub password_hash: &'a str,
}

/// Inserts the user unless the phone is taken; returns the row and whether it was created.
pub async fn get_or_create_by_phone(
    conn: &mut AsyncPgConnection,
    new: NewPhoneUser<'_>,
) -> QueryResult<(User, bool)> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::phone.eq(new.phone),
            users::role.eq(new.role.as_str()),
            users::first_name.eq(new.first_name),
            users::last_name.eq(new.last_name),
            users::language_preference.eq(new.language_preference),
            users::is_phone_verified.eq(new.is_phone_verified),
            users::password.eq(new.password_hash),
        ))
        .on_conflict(users::phone)
        .do_nothing()
        .execute(conn)
        .await?;
    let user = by_phone(conn, new.phone)
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    Ok((user, inserted == 1))
}

/// Creates the user unless the phone is taken, in one transaction with its announcement: new users with
/// `identity.user.registered`, existing ones again with `identity.user.updated` (so a projection that
/// started after them still learns them). Whether the user was created.
pub async fn get_or_create_announced(
    conn: &mut AsyncPgConnection,
    new: NewPhoneUser<'_>,
) -> QueryResult<bool> {
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        async move {
            let (user, made) = get_or_create_by_phone(conn, new).await?;
            if made {
                hm_platform::events::enqueue(conn, super::outbox::user_registered(&user, None))
                    .await?;
            } else {
                hm_platform::events::enqueue(conn, super::outbox::user_updated(&user, None))
                    .await?;
            }
            Ok(made)
        }
        .scope_boxed()
    })
    .await
}

/// Records that the user proved their phone.
pub async fn mark_phone_verified(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::is_phone_verified.eq(false)),
    )
    .set((
        users::is_phone_verified.eq(true),
        users::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Creates or updates the admin account with this email; returns it and whether it was created.
pub async fn upsert_admin(
    conn: &mut AsyncPgConnection,
    email: &str,
    password_hash: &str,
) -> QueryResult<(Uuid, bool)> {
    if let Some((user, _)) = admin_by_email(conn, email).await? {
        diesel::update(users::table.find(user.id))
            .set((
                users::password.eq(password_hash),
                users::is_active.eq(true),
                users::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        return Ok((user.id, false));
    }
    let id = Uuid::new_v4();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::email.eq(email.to_lowercase()),
            users::role.eq(Role::Admin.as_str()),
            users::is_staff.eq(true),
            users::is_superuser.eq(true),
            users::password.eq(password_hash),
        ))
        .execute(conn)
        .await?;
    Ok((id, true))
}

/// Which workforce profile a projected event is about.
pub enum ProfileKind {
    Worker,
    Contractor,
}

/// Projection of workforce's profile events.
pub async fn set_profile_flag(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: ProfileKind,
    exists: bool,
) -> QueryResult<usize> {
    let target = users::table.find(user_id);
    match kind {
        ProfileKind::Worker => {
            diesel::update(target)
                .set((
                    users::has_worker_profile.eq(exists),
                    users::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await
        }
        ProfileKind::Contractor => {
            diesel::update(target)
                .set((
                    users::has_contractor_profile.eq(exists),
                    users::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await
        }
    }
}

/// An admin's change of a user: activation, names and eKYC status (`None` keeps a value).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct AdminChange<'a> {
    pub is_active: Option<bool>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    /// One of `EkycStatus::NAMES` (the database refuses others).
    pub ekyc_status: Option<&'a str>,
}

/// Applies an admin's change to user `id`; whether the user exists.
pub async fn admin_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    change: &AdminChange<'_>,
) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set((change, users::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Applies an admin's change to user `id` and announces the user's new state (`identity.user.updated`); a
/// deactivation also revokes the user's refresh tokens. [`IdentityError::NoSuchUser`] when there is
/// no such user.
pub async fn change_by_admin(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    change: AdminChange<'_>,
) -> Result<()> {
    conn.transaction::<_, IdentityError, _>(|conn| {
        async move {
            if !admin_update(conn, id, &change).await? {
                return Err(IdentityError::NoSuchUser);
            }
            if change.is_active == Some(false) {
                super::refresh_tokens::revoke_user(conn, id).await?;
            }
            if let Some(user) = by_id(conn, id).await? {
                hm_platform::events::enqueue(conn, super::outbox::user_updated(&user, None))
                    .await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// The account behind a valid access token, refusing deleted ([`IdentityError::UserNotFound`]) and
/// deactivated ([`IdentityError::UserInactive`]) users (API §1.4).
pub async fn signed_in(conn: &mut AsyncPgConnection, id: Uuid) -> Result<User> {
    match by_id(conn, id).await? {
        None => Err(IdentityError::UserNotFound),
        Some(u) if !u.is_active => Err(IdentityError::UserInactive),
        Some(u) => Ok(u),
    }
}
