//! `hm-workforce seed`: the demo data of spec/CONFIG.md §4.2 that workforce owns: Raju's and Sunil's
//! worker profiles (Raju's service is `plumbing`, ARCHITECTURE §12.2), Vikram's contractor profile, his
//! two Lucknow sites, Raju and Sunil assigned to Green Valley, and their last seven days of attendance
//! there. Idempotent: profiles and sites are created once (existing profiles are re-announced),
//! assignments and attendance re-asserted.
//!
//! Users and services belong to identity and catalog; workforce knows them from their events, so the
//! seeder first waits until its projections hold the demo users and services.

use crate::domain::attendance::Status;
use crate::domain::workers::Availability;
use crate::events;
use crate::store::site_attendance::{self, Marking};
use crate::store::{assignments, contractors, refs, sites, workers};
use chrono::{Duration as Days, NaiveDate, Utc};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::events::types;
use hm_platform::cli::{await_known, SeedError};
use hm_platform::events::enqueue;
use std::time::Duration;
use uuid::Uuid;

const RAJU: &str = "+919876543210";
const VIKRAM: &str = "+919876543211";
const SUNIL: &str = "+919876543212";

struct DemoWorker {
    phone: &'static str,
    status: Availability,
    experience_years: i32,
    bio: &'static str,
    rating: &'static str,
    price: &'static str,
    min_charge: Option<&'static str>,
    service: &'static str,
    role_on_site: &'static str,
}

const WORKERS: [DemoWorker; 2] = [
    DemoWorker {
        phone: RAJU,
        status: Availability::Available,
        experience_years: 5,
        bio: "Expert plumber with 5 years experience",
        rating: "4.50",
        price: "600.00",
        min_charge: Some("300.00"),
        service: "plumber",
        role_on_site: "Plumber",
    },
    DemoWorker {
        phone: SUNIL,
        status: Availability::Busy,
        experience_years: 3,
        bio: "Experienced electrician",
        rating: "4.20",
        price: "500.00",
        min_charge: None,
        service: "electrician",
        role_on_site: "Electrician",
    },
];

/// (name, address, lat, lng, phone, started days ago)
const SITES: [(&str, &str, &str, &str, &str, i64); 2] = [
    (
        "Green Valley Construction Site",
        "Plot 42, Sector 15, Gomti Nagar, Lucknow",
        "26.850000",
        "80.950000",
        "+919876543200",
        30,
    ),
    (
        "Blue Heights Residential Project",
        "Gomti Nagar Extension, Lucknow",
        "26.840000",
        "80.940000",
        "",
        15,
    ),
];

/// Demo users and services as this database knows them.
struct Known {
    raju: Uuid,
    sunil: Uuid,
    vikram: Uuid,
    services: [Uuid; 2],
}

/// The demo users and services, or what is still missing.
async fn known(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Result<Known, Vec<String>>> {
    let mut missing = Vec::new();
    let mut users = [Uuid::nil(); 3];
    for (slot, phone) in users.iter_mut().zip([RAJU, SUNIL, VIKRAM]) {
        match refs::user_by_phone(conn, phone).await? {
            Some(id) => *slot = id,
            None => missing.push(format!("user {phone}")),
        }
    }
    let mut services = [Uuid::nil(); 2];
    for (slot, worker) in services.iter_mut().zip(&WORKERS) {
        match refs::service_by_slug(conn, worker.service).await? {
            Some(id) => *slot = id,
            None => missing.push(format!("service {}", worker.service)),
        }
    }
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    let [raju, sunil, vikram] = users;
    Ok(Ok(Known {
        raju,
        sunil,
        vikram,
        services,
    }))
}

/// Waits up to `wait` for identity's demo users and catalog's services to reach workforce, then seeds.
/// Returns what it created, for the command's output.
pub async fn run(conn: &mut AsyncPgConnection, wait: Duration) -> Result<String, SeedError> {
    let known = await_known(
        conn,
        wait,
        "workforce",
        "run `hm-identity seed` and `hm-catalog seed`, with identity, catalog and workforce serving so \
         their events arrive",
        |conn| Box::pin(known(conn)),
    )
    .await?;
    Ok(conn
        .transaction(|conn| async move { seed(conn, &known).await }.scope_boxed())
        .await?)
}

async fn seed(conn: &mut AsyncPgConnection, known: &Known) -> diesel::QueryResult<String> {
    let mut created = Vec::new();
    let mut profiles = Vec::new();
    for (demo, (user, service)) in WORKERS.iter().zip([
        (known.raju, known.services[0]),
        (known.sunil, known.services[1]),
    ]) {
        let id = match workers::by_user(conn, user).await? {
            Some(existing) => {
                // Re-announced, so a service that started later still learns the demo profile.
                let profile = workers::shown(&existing, crate::views::worker_json);
                enqueue(
                    conn,
                    events::worker(
                        types::WORKER_UPDATED,
                        existing.id,
                        user,
                        Some(profile),
                        None,
                    ),
                )
                .await?;
                existing.id
            }
            None => {
                let id = Uuid::new_v4();
                let fields = workers::Editable {
                    availability_status: demo.status,
                    price_amount: Some(demo.price.into()),
                    min_charge: demo.min_charge.map(Into::into),
                    bio: demo.bio.into(),
                    experience_years: demo.experience_years,
                    ..workers::Editable::defaults()
                };
                workers::insert(conn, id, user, &fields).await?;
                crate::store::skills::link(conn, id, service, 0).await?;
                workers::set_rating(conn, id, demo.rating).await?;
                let profile = workers::by_id(conn, id)
                    .await?
                    .map(|w| workers::shown(&w, crate::views::worker_json));
                enqueue(
                    conn,
                    events::worker(types::WORKER_CREATED, id, user, profile, None),
                )
                .await?;
                created.push(format!("worker {}", demo.phone));
                id
            }
        };
        profiles.push((id, demo));
    }

    let contractor = match contractors::by_user(conn, known.vikram).await? {
        Some(existing) => {
            enqueue(
                conn,
                events::contractor(types::CONTRACTOR_UPDATED, existing.id, known.vikram, None),
            )
            .await?;
            existing.id
        }
        None => {
            let id = Uuid::new_v4();
            let fields = contractors::Editable {
                company_name: "Vikram Constructions".into(),
                license_number: "LIC-2024-001".into(),
                city: "Mumbai".into(),
                ..contractors::Editable::default()
            };
            contractors::insert(conn, id, known.vikram, &fields).await?;
            enqueue(
                conn,
                events::contractor(types::CONTRACTOR_CREATED, id, known.vikram, None),
            )
            .await?;
            created.push(format!("contractor {VIKRAM}"));
            id
        }
    };

    let today = Utc::now().date_naive();
    let mut site_ids = Vec::new();
    for (name, address, lat, lng, phone, started) in SITES {
        let id = match sites::id_by_name(conn, contractor, name).await? {
            Some(id) => {
                // Re-announced, as the profiles are.
                sites::announce(conn, types::SITE_UPDATED, id, None).await?;
                id
            }
            None => {
                let id = Uuid::new_v4();
                let fields = sites::Editable {
                    name: name.into(),
                    address: address.into(),
                    lat: Some(lat.into()),
                    lng: Some(lng.into()),
                    phone: phone.into(),
                    is_active: true,
                    start_date: Some(today - Days::days(started)),
                    end_date: None,
                    metadata: serde_json::json!({}),
                };
                sites::insert(conn, id, contractor, &fields).await?;
                sites::announce(conn, types::SITE_CREATED, id, None).await?;
                created.push(format!("site {name}"));
                id
            }
        };
        site_ids.push(id);
    }

    let green_valley = site_ids[0];
    for (worker, demo) in &profiles {
        assignments::assign(
            conn,
            green_valley,
            *worker,
            known.vikram,
            demo.role_on_site,
            None,
        )
        .await?;
        for days_ago in 0..7 {
            let date = today - Days::days(days_ago);
            let (status, checkin) = attendance(demo.phone, days_ago);
            let marking = Marking {
                worker: *worker,
                date,
                status,
                // Not in the future when seeding early in the morning.
                checkin_time: checkin
                    .and_then(|at| at_ist(date, at))
                    .map(|at| at.min(Utc::now())),
                checkout_time: None,
                notes: String::new(),
                marked_by: known.vikram,
            };
            site_attendance::mark(conn, green_valley, &marking, None).await?;
        }
    }
    Ok(if created.is_empty() {
        "workforce: demo data already present; profiles re-announced, assignments and attendance re-asserted"
            .into()
    } else {
        format!("workforce: created {}", created.join(", "))
    })
}

/// CONFIG §4.2: Raju present for the last five days, absent six days ago, half a day seven days ago
/// (in at 09:00); Sunil present on even days back (in at 09:30), absent on odd ones.
fn attendance(phone: &str, days_ago: i64) -> (Status, Option<&'static str>) {
    match (phone, days_ago) {
        (RAJU, 0..=4) => (Status::Present, Some("09:00")),
        (RAJU, 5) => (Status::Absent, None),
        (RAJU, _) => (Status::HalfDay, Some("09:00")),
        (_, n) if n % 2 == 0 => (Status::Present, Some("09:30")),
        _ => (Status::Absent, None),
    }
}

/// `HH:MM` on `date` in India Standard Time.
fn at_ist(date: NaiveDate, time: &str) -> Option<chrono::DateTime<Utc>> {
    hm_platform::time::parse_datetime(&format!("{date}T{time}"))
}
