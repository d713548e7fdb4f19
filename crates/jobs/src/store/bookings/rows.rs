//! Booking rows: read with their customer, service and worker as the API shows them, and written one
//! statement at a time (the operations in `store::bookings` own the transactions; a new booking and
//! its event are one statement, [`insert_announced`], its own transaction).

use crate::domain::booking::{BookingPayment, BookingStatus, PaymentMethod, PaymentTerms};
use crate::schema::{bookings as b, worker_refs as w};
use crate::store::nullable_numeric;
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::sql_types::{BigInt, Bool, Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, NullableExpressionMethods, OptionalExtension,
    QueryDsl, QueryResult, QueryableByName,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hm_platform::db::Prepared;
use hm_platform::events::{outbox_written, OutboxRow};
use serde_json::Value;
use uuid::Uuid;

/// A booking with its customer, worker and service.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = b)]
pub struct Booking {
    pub id: Uuid,
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub user_phone: String,
    #[diesel(sql_type = Text)]
    pub user_role: String,
    #[diesel(sql_type = Text)]
    pub user_first_name: String,
    #[diesel(sql_type = Text)]
    pub user_last_name: String,
    /// The customer's full name, else phone.
    #[diesel(sql_type = Text)]
    pub user_name: String,
    #[diesel(sql_type = Bool)]
    pub user_is_active: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub user_joined: Option<DateTime<Utc>>,
    pub worker_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub worker_user_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub worker_name: Option<String>,
    /// The worker's profile as workforce last announced it.
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub worker_profile: Option<Value>,
    pub service_id: Uuid,
    #[diesel(sql_type = Text)]
    pub service_slug: String,
    #[diesel(sql_type = Text)]
    pub service_name: String,
    #[diesel(sql_type = Text)]
    pub service_title_en: String,
    #[diesel(sql_type = Int4)]
    pub service_display_order: i32,
    pub address: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub lat: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub lng: Option<String>,
    pub preferred_time: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub estimated_price: Option<String>,
    pub status: BookingStatus,
    pub eta_minutes: Option<i32>,
    pub tracking_url: Option<String>,
    pub payment_method: PaymentMethod,
    pub payment_status: BookingPayment,
    pub payment_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A [`Booking`]'s columns, of a booking row `b` and the rows `joins!` adds.
macro_rules! columns {
    () => {
        "b.id, b.user_id, coalesce(u.phone, '') AS user_phone, coalesce(u.role, '') AS user_role,
       coalesce(u.first_name, '') AS user_first_name, coalesce(u.last_name, '') AS user_last_name,
       coalesce(person_name(u.first_name, u.last_name, u.phone), '') AS user_name,
       coalesce(u.is_active, true) AS user_is_active, u.created_at AS user_joined,
       b.worker_id, w.user_id AS worker_user_id,
       CASE WHEN w.id IS NULL THEN NULL
            ELSE coalesce(person_name(wu.first_name, wu.last_name, wu.phone), '') END AS worker_name,
       w.profile AS worker_profile,
       b.service_id, s.slug AS service_slug, s.name AS service_name, s.title_en AS service_title_en,
       s.display_order AS service_display_order,
       b.address, b.lat::text AS lat, b.lng::text AS lng, b.preferred_time, b.notes,
       b.estimated_price::text AS estimated_price, b.status, b.eta_minutes, b.tracking_url,
       b.payment_method, b.payment_status, b.payment_note, b.created_at, b.updated_at"
    };
}

/// The service, the customer, the worker's profile and the worker of a booking row `b`.
macro_rules! joins {
    () => {
        "JOIN service_refs s ON s.id = b.service_id
LEFT JOIN user_refs u ON u.id = b.user_id
LEFT JOIN worker_refs w ON w.id = b.worker_id
LEFT JOIN user_refs wu ON wu.id = w.user_id"
    };
}

// Raw SQL: joins the projections with `person_name()` and renders numerics as text at their scale.
const SELECT: &str = concat!("SELECT ", columns!(), "\nFROM bookings b\n", joins!());

/// The fields a customer writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Editable {
    pub service_id: Uuid,
    pub address: String,
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub preferred_time: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    pub estimated_price: Option<String>,
}

impl Editable {
    /// The fields as the booking has them.
    pub fn of(b: &Booking) -> Editable {
        Editable {
            service_id: b.service_id,
            address: b.address.clone(),
            lat: b.lat.clone(),
            lng: b.lng.clone(),
            preferred_time: b.preferred_time,
            notes: b.notes.clone(),
            estimated_price: b.estimated_price.clone(),
        }
    }
}

// The booking row of `$1`..`$12` if `$3` is an active service: written by [`insert`] alone and by
// [`CREATE`] with its event.
macro_rules! insert_booking {
    () => {
        "INSERT INTO bookings (id, user_id, service_id, address, lat, lng, preferred_time, notes,
                          estimated_price, payment_method, payment_status, payment_note)
    SELECT $1, $2, s.id, $4, $5::numeric, $6::numeric, $7, $8, $9::numeric, $10, $11, $12
    FROM service_refs s WHERE s.id = $3 AND s.is_active"
    };
}

// Binds `$1`..`$12` of `insert_booking!()` on `$query`.
macro_rules! bind_booking {
    ($query:expr, $id:expr, $user:expr, $e:expr, $pay:expr) => {
        $query
            .bind::<SqlUuid, _>($id)
            .bind::<SqlUuid, _>($user)
            .bind::<SqlUuid, _>($e.service_id)
            .bind::<Text, _>(&$e.address)
            .bind::<Nullable<Text>, _>(&$e.lat)
            .bind::<Nullable<Text>, _>(&$e.lng)
            .bind::<Nullable<Timestamptz>, _>($e.preferred_time)
            .bind::<Nullable<Text>, _>(&$e.notes)
            .bind::<Nullable<Text>, _>(&$e.estimated_price)
            .bind::<Text, _>($pay.method.as_str())
            .bind::<Text, _>($pay.status.as_str())
            .bind::<Nullable<Text>, _>($pay.note)
    };
}

/// A new booking of an active service; `false` (nothing written) when the service is not one.
// Raw SQL: INSERT … SELECT checks the service in the same statement (numerics written from text).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    e: &Editable,
    pay: PaymentTerms,
) -> QueryResult<bool> {
    bind_booking!(diesel::sql_query(insert_booking!()), id, user, e, pay)
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// A new booking (as [`insert`] writes it) with its event in the outbox, in one statement: one round
/// trip, one transaction, prepared once per connection. The event's `status`, `service_name` and
/// `actor_name` are set on `event`'s envelope from the new row, which is what the API shows.
/// `make bench-bookings` runs this very text with pgbench (`examples/booking_statement.rs`).
// Raw SQL: data-modifying CTEs (the booking inserted from the service check, read back with its
// projections as `SELECT` reads it, its outbox row made from that).
pub const CREATE: &str = concat!(
    "WITH b AS (\n    ",
    insert_booking!(),
    "
    RETURNING *
), created AS (
    SELECT ",
    columns!(),
    "\n    FROM b\n",
    joins!(),
    "
), announced AS (
    INSERT INTO outbox (id, event_type, envelope, created_at)
    SELECT $13, $14,
           jsonb_set(jsonb_set(jsonb_set($15::jsonb, '{data,status}', to_jsonb(status)),
                               '{data,service_name}', to_jsonb(service_name)),
                     '{data,actor_name}', to_jsonb(user_name)),
           $16
    FROM created
)
SELECT * FROM created"
);

/// [`insert`] and the outbox row of `event` (`jobs.booking.created`) at once (`CREATE`): the booking
/// as [`by_id`] reads it, or `None` (nothing written, nothing announced) when the service is not an
/// active one.
pub async fn insert_announced(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    e: &Editable,
    pay: PaymentTerms,
    event: &OutboxRow,
) -> QueryResult<Option<Booking>> {
    let statement = bind_booking!(diesel::sql_query(CREATE), id, user, e, pay)
        .bind::<SqlUuid, _>(event.id)
        .bind::<Text, _>(&event.event_type)
        .bind::<Jsonb, _>(&event.envelope)
        .bind::<Timestamptz, _>(event.created_at);
    let booking = Prepared(statement).get_result(conn).await.optional()?;
    if booking.is_some() {
        // Committed (one statement): the relay finds the event at its first look.
        outbox_written();
    }
    Ok(booking)
}

/// The booking, as the API shows it.
// Raw SQL: the joined `SELECT` above.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Booking>> {
    diesel::sql_query(format!("{SELECT} WHERE b.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Locks the booking's row for the rest of the transaction, so two transitions of one booking are
/// decided one after the other, each on the state the other left.
pub(super) async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Booking>> {
    let locked: Option<Uuid> = b::table
        .find(id)
        .select(b::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    match locked {
        Some(id) => by_id(conn, id).await,
        None => Ok(None),
    }
}

/// How many bookings `user` can see (owned, or assigned to one of their worker profiles; all when
/// `None`).
async fn visible_count(conn: &mut AsyncPgConnection, user: Option<Uuid>) -> QueryResult<i64> {
    let mut q = b::table.into_boxed();
    if let Some(user) = user {
        let profiles = w::table
            .filter(w::user_id.eq(user))
            .select(w::id.nullable());
        q = q.filter(b::user_id.eq(user).or(b::worker_id.eq_any(profiles)));
    }
    q.count().get_result(conn).await
}

/// Bookings `user` can see (owned, or assigned to their worker profile; everything when `None`, an
/// admin), newest first, and how many.
// Raw SQL: the joined `SELECT` above, and a sub-select of the caller's worker profiles.
pub(super) async fn visible_page(
    conn: &mut AsyncPgConnection,
    user: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Booking>, i64)> {
    let filter = "($1::uuid IS NULL OR b.user_id = $1
                   OR b.worker_id IN (SELECT id FROM worker_refs WHERE user_id = $1))";
    let n = visible_count(conn, user).await?;
    let rows = diesel::sql_query(format!(
        "{SELECT} WHERE {filter} ORDER BY b.created_at DESC, b.id LIMIT $2 OFFSET $3"
    ))
    .bind::<Nullable<SqlUuid>, _>(user)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    Ok((rows, n))
}

/// Writes the customer's fields.
pub(super) async fn update_fields(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    e: &Editable,
) -> QueryResult<()> {
    diesel::update(b::table.find(id))
        .set((
            b::service_id.eq(e.service_id),
            b::address.eq(&e.address),
            b::lat.eq(nullable_numeric(e.lat.as_deref())?),
            b::lng.eq(nullable_numeric(e.lng.as_deref())?),
            b::preferred_time.eq(e.preferred_time),
            b::notes.eq(&e.notes),
            b::estimated_price.eq(nullable_numeric(e.estimated_price.as_deref())?),
            b::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A new status, and the ETA when one is given (`Some(None)` clears it).
pub(super) async fn write_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: BookingStatus,
    eta: Option<Option<i32>>,
) -> QueryResult<()> {
    let row = diesel::update(b::table.find(id));
    match eta {
        Some(eta) => {
            row.set((
                b::status.eq(status.as_str()),
                b::eta_minutes.eq(eta),
                b::updated_at.eq(now),
            ))
            .execute(conn)
            .await
        }
        None => {
            row.set((b::status.eq(status.as_str()), b::updated_at.eq(now)))
                .execute(conn)
                .await
        }
    }
    .map(|_| ())
}

/// Gives the booking to a worker, with the status that follows (`BookingStatus::after_assign`).
pub async fn write_worker(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: Uuid,
    status: BookingStatus,
) -> QueryResult<()> {
    diesel::update(b::table.find(id))
        .set((
            b::worker_id.eq(worker),
            b::status.eq(status.as_str()),
            b::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}
