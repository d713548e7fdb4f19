//! `hm-jobs seed`: the demo jobs and bookings of spec/CONFIG.md §4.2 (service `plumber`, ARCHITECTURE
//! §12.2): Vikram's two open jobs, and Amit's two bookings (one requested, one confirmed with Raju).
//! Created once (looked up by title / address); their events go through the outbox like any other.
//!
//! Users, the service and the profiles belong to identity, catalog and workforce; jobs knows them from
//! their events, so the seeder first waits until its projections hold them.

use crate::domain::booking::{self, BookingStatus, PaymentMethod};
use crate::schema;
use crate::store::bookings::{self, Editable as BookingFields};
use crate::store::jobs::{self, Editable as JobFields};
use crate::store::outbox::Actor;
use crate::store::refs::{self, Profile};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use hm_contracts::events::types;
use hm_platform::cli::{await_known, SeedError};
use hm_platform::events::enqueue;
use std::time::Duration;
use uuid::Uuid;

const VIKRAM: &str = "+919876543211";
const RAJU: &str = "+919876543210";
const AMIT: &str = "+919000000001";

/// (title, description, location, budget)
const JOBS: [(&str, &str, &str, &str); 2] = [
    (
        "Fix leaking tap in kitchen",
        "Kitchen tap is leaking continuously. Need urgent fix.",
        "Andheri West, Mumbai",
        "500.00",
    ),
    (
        "Bathroom Pipe Installation",
        "Full piping for new bathroom renovation.",
        "Bandra, Mumbai",
        "5000.00",
    ),
];

/// (address, lat, lng, notes, estimate, with Raju confirmed)
const BOOKINGS: [(&str, &str, &str, &str, &str, bool); 2] = [
    (
        "Flat 402, Green Valley Apts, Powai",
        "19.113600",
        "72.869700",
        "Tap leaking heavily",
        "500.00",
        false,
    ),
    (
        "Shop 10, Main Market, Andheri",
        "19.119700",
        "72.846400",
        "Pipe installation pending",
        "2500.00",
        true,
    ),
];

struct Known {
    vikram: Uuid,
    amit: Uuid,
    raju_profile: Uuid,
    contractor: Uuid,
    plumbing: Uuid,
}

async fn user(conn: &mut AsyncPgConnection, phone: &str) -> diesel::QueryResult<Option<Uuid>> {
    use hm_platform::projections::schema::user_refs as u;
    u::table
        .filter(u::phone.eq(phone))
        .select(u::id)
        .first(conn)
        .await
        .optional()
}

/// The demo people, profiles and service, or what is still missing.
async fn known(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Result<Known, Vec<String>>> {
    let mut missing = Vec::new();
    let mut need = |found: Option<Uuid>, what: &str| {
        if found.is_none() {
            missing.push(what.to_owned());
        }
        found.unwrap_or_default()
    };
    let vikram = need(user(conn, VIKRAM).await?, "user +919876543211");
    let amit = need(user(conn, AMIT).await?, "user +919000000001");
    let raju = need(user(conn, RAJU).await?, "user +919876543210");
    let raju_profile = need(
        refs::profile_of_user(conn, Profile::Worker, raju)
            .await?
            .map(|p| p.id),
        "Raju's worker profile",
    );
    let contractor = need(
        refs::profile_of_user(conn, Profile::Contractor, vikram)
            .await?
            .map(|p| p.id),
        "Vikram's contractor profile",
    );
    let plumbing = hm_platform::projections::resolve_services(conn, &["plumber".to_owned()])
        .await?
        .into_iter()
        .next()
        .flatten();
    let plumbing = need(plumbing, "service plumber");
    Ok(if missing.is_empty() {
        Ok(Known {
            vikram,
            amit,
            raju_profile,
            contractor,
            plumbing,
        })
    } else {
        Err(missing)
    })
}

/// Waits up to `wait` for the other services' demo data to arrive, then seeds; says what it created.
pub async fn run(conn: &mut AsyncPgConnection, wait: Duration) -> Result<String, SeedError> {
    let known = await_known(
        conn,
        wait,
        "jobs",
        "seed identity, catalog and workforce, with them and jobs serving so their events arrive",
        |conn| Box::pin(known(conn)),
    )
    .await?;
    Ok(conn
        .transaction(|conn| async move { seed(conn, &known).await }.scope_boxed())
        .await?)
}

async fn seed(conn: &mut AsyncPgConnection, k: &Known) -> diesel::QueryResult<String> {
    let mut created = Vec::new();
    for (title, description, location, budget) in JOBS {
        use schema::jobs as j;
        let exists: Option<Uuid> = j::table
            .filter(j::poster_id.eq(k.vikram))
            .filter(j::title.eq(title))
            .select(j::id)
            .first(conn)
            .await
            .optional()?;
        if exists.is_some() {
            continue;
        }
        let id = Uuid::new_v4();
        let fields = JobFields {
            service_id: k.plumbing,
            title: title.into(),
            description: description.into(),
            location: location.into(),
            budget: Some(budget.into()),
            ..JobFields::default()
        };
        jobs::insert(conn, id, k.vikram, Some(k.contractor), &fields).await?;
        let job = jobs::by_id(conn, id)
            .await?
            .ok_or(diesel::result::Error::NotFound)?;
        enqueue(conn, jobs::event(types::JOB_POSTED, &job, None)).await?;
        created.push(format!("job {title}"));
    }
    let amit = Actor {
        id: k.amit,
        name: refs::display_name(conn, k.amit).await?,
    };
    for (address, lat, lng, notes, estimate, confirmed) in BOOKINGS {
        use schema::bookings as b;
        let exists: Option<Uuid> = b::table
            .filter(b::user_id.eq(k.amit))
            .filter(b::address.eq(address))
            .select(b::id)
            .first(conn)
            .await
            .optional()?;
        if exists.is_some() {
            continue;
        }
        let id = Uuid::new_v4();
        let fields = BookingFields {
            service_id: k.plumbing,
            address: address.into(),
            lat: Some(lat.into()),
            lng: Some(lng.into()),
            preferred_time: None,
            notes: Some(notes.into()),
            estimated_price: Some(estimate.into()),
        };
        let cash = booking::payment_terms(Some(PaymentMethod::Cash), false);
        if !bookings::insert(conn, id, k.amit, &fields, cash).await? {
            return Err(diesel::result::Error::NotFound);
        }
        if confirmed {
            let confirmed = BookingStatus::Requested.after_assign();
            bookings::write_worker(conn, id, k.raju_profile, confirmed).await?;
        }
        let booking = bookings::by_id(conn, id)
            .await?
            .ok_or(diesel::result::Error::NotFound)?;
        enqueue(
            conn,
            bookings::event(types::BOOKING_CREATED, &booking, None, &amit, None),
        )
        .await?;
        created.push(format!("booking {address}"));
    }
    Ok(if created.is_empty() {
        "jobs: demo data already present".into()
    } else {
        format!("jobs: created {}", created.join(", "))
    })
}
