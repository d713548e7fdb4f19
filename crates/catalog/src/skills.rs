//! Skills workers name that no service matched (DOMAIN §2.1: a missing service is created): catalog, the
//! owner of services, finds or creates the service a `workforce.skill.requested` names and answers with
//! `catalog.skill.resolved` (and, for a new one, `catalog.service.created`). Created services are marked
//! `auto_created` with the user who asked, for staff to review in the console.

use crate::domain::slugify;
use crate::store::services::{self, NewService, Service};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use hm_contracts::events::SkillRequested;
use uuid::Uuid;

/// Where a service made from a skill is listed: after the curated ones.
pub const AUTO_CREATED_ORDER: i32 = 1000;

/// Slugs tried for one new name before giving up (`tiler`, `tiler-2`, …: another service may already
/// have the slug under another name).
const SLUG_ATTEMPTS: usize = 10;

/// The service `request` names, found or created here (`true`).
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    request: &SkillRequested,
) -> QueryResult<(Service, bool)> {
    match services::named(conn, &request.name).await? {
        Some(found) => Ok((found, false)),
        None => create(conn, request).await,
    }
}

async fn create(
    conn: &mut AsyncPgConnection,
    request: &SkillRequested,
) -> QueryResult<(Service, bool)> {
    let name: String = request
        .name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect();
    // A name in another script has no ASCII slug: the service still gets one.
    let base = Some(slugify(&name))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("service-{}", &Uuid::new_v4().simple().to_string()[..8]));
    for attempt in 1..=SLUG_ATTEMPTS {
        let slug = if attempt == 1 {
            base.clone()
        } else {
            format!("{base}-{attempt}")
        };
        let new = NewService {
            id: Uuid::new_v4(),
            name: name.clone(),
            slug: slug.chars().take(120).collect(),
            title_en: name.clone(),
            title_hi: String::new(),
            category: String::new(),
            description: String::new(),
            icon_s3_key: String::new(),
            is_active: true,
            // After the curated services, until staff place it.
            display_order: AUTO_CREATED_ORDER,
            aliases: Vec::new(),
            auto_created: true,
            requested_by: Some(request.user_id),
        };
        if let Some(created) = services::insert_if_absent(conn, &new).await? {
            return Ok((created, true));
        }
        // Someone made it meanwhile (the same name), or the slug is another service's.
        if let Some(found) = services::named(conn, &name).await? {
            return Ok((found, false));
        }
    }
    Err(diesel::result::Error::NotFound)
}
